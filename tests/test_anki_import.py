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

pytestmark = pytest.mark.anki  # CI runs these against anki 24.11 too


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


def expected_keys(source: dict) -> set[str]:
    """The default card set of card-design.md: one card per item, its question if it has one;
    minus what the deck's and the items' skip_cards switch off."""

    def card(item: dict) -> str:
        return "question" if item.get("question") else "cloze"

    def items(section: str) -> list[dict]:
        return source.get(section, [])

    takeaway = source.get("takeaway")
    found: dict[str, dict] = {}
    if takeaway:
        item = takeaway if isinstance(takeaway, dict) else {}
        found[f"takeaway/takeaway/{card(item)}"] = item
    found |= {f"insight/{i['id']}/{card(i)}": i for i in items("insights")}
    found |= {f"quote/{q['id']}/{card(q)}": q for q in items("quotes")}  # one speaker: no who-said
    found |= {f"habit/{h.get('id') or slug(h['name'])}/{card(h)}": h for h in items("habits")}
    found |= {
        f"reference/{r.get('id') or slug(r['name'])}/{card(r)}": r for r in items("references")
    }
    for framework in items("frameworks"):
        framework_id = framework.get("id") or slug(framework["name"])
        if framework.get("summary"):
            found[f"framework/{framework_id}/about"] = framework
        for component in framework["components"]:
            component_id = component.get("id") or slug(component["name"])
            found[f"component/{framework_id}/{component_id}/{card(component)}"] = component
    deck_skips = set(source["deck"].get("skip_cards", []))
    return {
        key
        for key, item in found.items()
        if f"{key.split('/')[0]}/{key.rsplit('/', 1)[1]}" not in deck_skips
        and key.rsplit("/", 1)[1] not in item.get("skip_cards", [])
    }


def expected_notes(source: dict) -> set[str]:
    return {guid_for(source["deck"]["id"], key) for key in expected_keys(source)}


def test_every_item_gives_one_card(shipped: tuple[Project, Learner]) -> None:
    _, learner = shipped
    assert set(learner.notes_by_guid()) == expected_notes(musk_source())


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
    # components belong to their framework's tag
    expected = Counter(
        f"podcards::{key.split('/')[0].replace('component', 'framework')}"
        for key in expected_keys(musk_source())
    )
    assert kinds == expected


def test_every_card_shows_a_question_an_answer_and_its_source(
    shipped: tuple[Project, Learner],
) -> None:
    _, learner = shipped
    shown = learner.rendered()
    assert len(shown) == learner.card_count()
    title = " ".join(musk_source()["episode"]["title"].split())
    for question, answer in shown:
        assert question and answer
        assert question.startswith("All-In · Elon Musk")  # the cue: short, where it comes from
        assert title not in question  # the full title is noise on the front, and it leaks
        assert f"All-In Podcast · {title}" in answer  # the source line: podcast, episode
        # the speaker is not named again where the title names him
        assert not answer.endswith(f"{title} · Elon Musk")
        assert "{{" not in question + answer and "}}" not in question + answer
        assert "&amp;" not in question + answer and "&lt;" not in question + answer


def test_cloze_cards_hide_one_phrase(shipped: tuple[Project, Learner]) -> None:
    _, learner = shipped
    cloze_ids = learner.col.find_cards('note:"podcards Cloze"')
    assert cloze_ids
    for card_id in cloze_ids:
        question = learner.col.get_card(card_id).question()
        assert question.count('class="cloze"') == 1


def test_no_card_gives_a_free_answer(shipped: tuple[Project, Learner]) -> None:
    """One speaker in the deck: no "Who said this?" card, whose answer would always be his."""
    _, learner = shipped
    assert not any("Who said this" in question for question, _ in learner.rendered())


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
            "context: on AI timelines",
            "context: on how soon AI could overtake people",
        )
        assert edited != text
        deck_file.write_text(edited, encoding="utf-8")
        # the next release is built later than the learner's reviews
        monkeypatch.setenv("SOURCE_DATE_EPOCH", str(int(time.time()) + 60))
        assert project.build().exit_code == 0
        log = learner.import_package(project.dist / "all-in-elon-musk-2025.apkg")

        deck_id = "all-in-elon-musk-2025"
        quote_notes = {guid_for(deck_id, "quote/ai-smarter-next-year/cloze")}
        assert log.updated_guids == quote_notes
        assert (log.new, log.conflicting) == (0, 0)
        assert learner.scheduling() == scheduling
        assert learner.review_log() == reviews
    finally:
        learner.close()
