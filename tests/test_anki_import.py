"""The shipped decks, built and imported into a real Anki collection, as a learner gets them."""

from __future__ import annotations

import re
import shutil
import time
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import pytest
import yaml

from podcards.deck import guid_for, slug

from anki_collection import Learner
from conftest import SHIPPED_DECKS, Project


@pytest.fixture(scope="module")
def shipped(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Project, Learner]]:
    project = Project(tmp_path_factory.mktemp("shipped") / "project")
    for path in SHIPPED_DECKS.glob("*.yaml"):
        shutil.copy(path, project.decks / path.name)
    result = project.build()
    assert result.exit_code == 0, result.output
    learner = Learner(project.root / "collection.anki2")
    for package in sorted(project.dist.glob("*.apkg")):
        log = learner.import_package(package)
        assert (log.updated, log.duplicate, log.conflicting) == (0, 0, 0)
    yield project, learner
    learner.close()


def musk_source() -> dict:
    return yaml.safe_load((SHIPPED_DECKS / "all-in-elon-musk.yaml").read_text(encoding="utf-8"))


def test_deck_and_note_types(shipped: tuple[Project, Learner]) -> None:
    _, learner = shipped
    assert "Podcasts::All-In::Elon Musk on Optimus, AI and Mars" in learner.deck_names()
    names = learner.notetype_names()
    assert names.count("podcards Q/A") == 1 and names.count("podcards Cloze") == 1
    assert not any(name.endswith("+") for name in names)


def test_every_item_of_the_episode_is_there(shipped: tuple[Project, Learner]) -> None:
    _, learner = shipped
    source = musk_source()
    deck_id = source["deck"]["id"]
    notes = learner.notes_by_guid()
    expected = {guid_for(deck_id, "takeaway/takeaway/takeaway")}
    for insight in source["insights"]:
        expected.add(guid_for(deck_id, f"insight/{insight['id']}/cloze"))
    for quote in source["quotes"]:
        expected.add(guid_for(deck_id, f"quote/{quote['id']}/cloze"))
        expected.add(guid_for(deck_id, f"quote/{quote['id']}/who-said"))
    for habit in source["habits"]:
        habit_id = habit.get("id") or slug(habit["name"])
        expected.add(guid_for(deck_id, f"habit/{habit_id}/describe"))
    for reference in source["references"]:
        reference_id = reference.get("id") or slug(reference["name"])
        expected.add(guid_for(deck_id, f"reference/{reference_id}/what-is"))
    for framework in source["frameworks"]:
        framework_id = framework.get("id") or slug(framework["name"])
        for component in framework["components"]:
            component_id = component.get("id") or slug(component["name"])
            card = "meaning" if component.get("name") else "cloze"
            expected.add(guid_for(deck_id, f"component/{framework_id}/{component_id}/{card}"))
    missing = expected - set(notes)
    assert not missing
    assert len(source["insights"]) == 10 and len(source["quotes"]) == 10
    assert sum(len(f["components"]) for f in source["frameworks"]) == 20
    assert len(source["habits"]) == 7 and len(source["references"]) == 7


def test_note_and_card_counts_match_the_build(shipped: tuple[Project, Learner]) -> None:
    project, learner = shipped
    lock_notes = [line for line in project.lock.read_text().splitlines() if '"note":' in line]
    assert learner.note_count() == len(lock_notes)
    # every podcards note gives exactly one card: one template, or one deletion
    assert learner.card_count() == learner.note_count()


def test_tags_name_the_kind_and_the_deck(shipped: tuple[Project, Learner]) -> None:
    _, learner = shipped
    kinds = Counter()
    for note in learner.notes_by_guid().values():
        assert {"all-in", "elon-musk"} <= set(note.tags)
        podcards_tags = [tag for tag in note.tags if tag.startswith("podcards::")]
        assert len(podcards_tags) == 1
        kinds[podcards_tags[0]] += 1
    assert set(kinds) == {
        "podcards::insight",
        "podcards::quote",
        "podcards::framework",
        "podcards::habit",
        "podcards::reference",
        "podcards::takeaway",
    }
    assert kinds["podcards::quote"] == 20  # a cloze and a who-said card per quote
    assert kinds["podcards::takeaway"] == 1


def test_every_card_shows_a_question_an_answer_and_its_source(
    shipped: tuple[Project, Learner],
) -> None:
    _, learner = shipped
    shown = learner.rendered()
    assert len(shown) == learner.card_count()
    for question, answer in shown:
        assert question and answer
        assert question.startswith("All-In Podcast")  # the cue: where it comes from
        assert answer.endswith("· Elon Musk")  # the source line: podcast · episode · speaker
        assert "{{" not in question + answer and "}}" not in question + answer
        assert "&amp;" not in question + answer and "&lt;" not in question + answer


def test_cloze_cards_hide_one_phrase(shipped: tuple[Project, Learner]) -> None:
    _, learner = shipped
    cloze_ids = learner.col.find_cards('note:"podcards Cloze"')
    assert cloze_ids
    for card_id in cloze_ids:
        question = learner.col.get_card(card_id).question()
        assert question.count('class="cloze"') == 1


def test_who_said_cards_do_not_name_the_speaker_on_the_front(
    shipped: tuple[Project, Learner],
) -> None:
    _, learner = shipped
    fronts = [
        question
        for question, _ in learner.rendered()
        if "Who said this, and in what context?" in question
    ]
    assert len(fronts) == 10
    assert not any("Elon Musk" in front for front in fronts)


def _luminance(hex_colour: str) -> float:
    channels = [int(hex_colour[i : i + 2], 16) / 255 for i in (1, 3, 5)]
    linear = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]


def _contrast(one: str, other: str) -> float:
    light, dark = sorted((_luminance(one), _luminance(other)), reverse=True)
    return (light + 0.05) / (dark + 0.05)


def _palette(css: str, selector_start: str) -> dict[str, str]:
    """The colours a CSS rule sets: its custom properties and its background."""
    block = css.split(selector_start, 1)[1].split("}", 1)[0]
    colours = dict(re.findall(r"(--[\w-]+|background-color):\s*(#[0-9a-fA-F]{6})", block))
    return colours


def test_the_style_reads_in_light_and_night_mode(shipped: tuple[Project, Learner]) -> None:
    """Text and its muted and accent colours meet WCAG AA contrast in both modes."""
    _, learner = shipped
    css = {model["name"]: model["css"] for model in learner.col.models.all()}
    for name in ("podcards Q/A", "podcards Cloze"):
        light = _palette(css[name], ".card {")
        night = {**light, **_palette(css[name], ".card.nightMode")}
        for palette in (light, night):
            background = palette["background-color"]
            for colour in ("--pc-text", "--pc-muted", "--pc-accent"):
                assert _contrast(palette[colour], background) >= 4.5, (name, colour, palette)
        assert night["background-color"] != light["background-color"]


def test_a_package_imports_into_a_fresh_collection_twice_without_duplicates(
    shipped: tuple[Project, Learner], tmp_path: Path
) -> None:
    project, _ = shipped
    learner = Learner(tmp_path / "other.anki2")
    try:
        package = project.dist / "all-in-elon-musk-2025.apkg"
        first = learner.import_package(package)
        second = learner.import_package(package)
        assert first.new == first.found and first.updated == 0
        assert second.duplicate == second.found and second.new == 0 and second.updated == 0
    finally:
        learner.close()


def test_an_edit_to_one_shipped_quote_updates_that_quote_alone(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The shipped release, studied; then one quote's context is fixed and re-released."""
    project = Project(tmp_path / "project")
    for path in SHIPPED_DECKS.iterdir():
        shutil.copy(path, project.decks / path.name)
    assert project.build().exit_code == 0
    learner = Learner(tmp_path / "collection.anki2")
    try:
        learner.import_package(project.dist / "all-in-elon-musk-2025.apkg")
        learner.review_everything()
        scheduling, reviews = learner.scheduling(), learner.review_log()

        deck_file = project.decks / "all-in-elon-musk.yaml"
        text = deck_file.read_text(encoding="utf-8")
        edited = text.replace(
            "context: Looking back on his time working in Washington, D.C.",
            "context: Looking back on his months working in Washington, D.C.",
        )
        assert edited != text
        deck_file.write_text(edited, encoding="utf-8")
        # the next release is built later than the learner's reviews
        monkeypatch.setenv("SOURCE_DATE_EPOCH", str(int(time.time()) + 60))
        assert project.build().exit_code == 0
        log = learner.import_package(project.dist / "all-in-elon-musk-2025.apkg")

        deck_id = "all-in-elon-musk-2025"
        quote_notes = {
            guid_for(deck_id, f"quote/government-unfixable/{card}")
            for card in ("cloze", "who-said")
        }
        assert log.updated_guids == quote_notes
        assert (log.new, log.conflicting) == (0, 0)
        assert learner.scheduling() == scheduling
        assert learner.review_log() == reviews
    finally:
        learner.close()
