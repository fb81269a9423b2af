"""Cards a learner keeps (shared/docs/card-design.md): siblings apart in teaching order,
well-formed clozes, and no template whose answers all start alike."""

from __future__ import annotations

import re
import shutil
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import pytest
import yaml

from anki_collection import Learner, new_card_queue
from conftest import MINIMAL_DECK, SHIPPED_DECKS, Project

DECK_NAME = "Podcasts::Test::Episode One"
# Most items get two cards: cards that are off by default, switched on.
SIBLINGS_DECK = MINIMAL_DECK.replace(
    "  tags: [test]\n",
    "  tags: [test]\n  add_cards: [insight/cloze, quote/who-said, component/meaning, "
    "habit/describe, reference/what-is, takeaway/takeaway]\n",
)


@pytest.fixture
def learner(tmp_path: Path) -> Iterator[Learner]:
    member = Learner(tmp_path / "collection.anki2")
    yield member
    member.close()


def lock_keys(project: Project) -> dict[str, str]:
    """GUID -> note key, from the lock."""
    keys = {}
    for line in project.lock.read_text(encoding="utf-8").splitlines():
        if '"note": ' in line:
            guid = re.search(r'"note": "((?:[^"\\]|\\.)*)"', line)
            key = re.search(r'"key": "([^"]*)"', line)
            assert guid and key
            keys[guid[1].encode().decode("unicode_escape")] = key[1]
    return keys


def item_of(key: str) -> str:
    return key.rsplit("/", 1)[0]


def release(project: Project, learner: Learner, monkeypatch: pytest.MonkeyPatch, epoch: int):
    monkeypatch.setenv("SOURCE_DATE_EPOCH", str(epoch))
    result = project.build()
    assert result.exit_code == 0, result.output
    return learner.import_package(project.dist / "test-deck.apkg")


def queue_keys(project: Project, learner: Learner) -> list[str]:
    keys = lock_keys(project)
    return [keys[guid] for guid, _ in new_card_queue(learner, DECK_NAME)]


def closest_siblings(keys: list[str]) -> int:
    """The fewest places between two cards of one item in the queue."""
    last: dict[str, int] = {}
    closest = len(keys)
    for place, key in enumerate(keys):
        item = item_of(key)
        if item in last:
            closest = min(closest, place - last[item])
        last[item] = place
    return closest


def test_new_cards_come_in_teaching_order_with_siblings_apart(
    project: Project, learner: Learner, monkeypatch: pytest.MonkeyPatch
) -> None:
    project.deck(SIBLINGS_DECK)
    release(project, learner, monkeypatch, 1_760_000_000)
    keys = queue_keys(project, learner)
    assert len(keys) == len(lock_keys(project)) == 15
    items = list(dict.fromkeys(item_of(key) for key in keys))
    # the deck's own order: the takeaway, insights, frameworks, quotes, habits, references
    assert items == [
        "takeaway/takeaway",
        "insight/engine-weaves",
        "insight/symbols",
        "framework/analytical-engine",
        "component/analytical-engine/mill",
        "component/analytical-engine/store-holds",
        "quote/poetical-science",
        "habit/poetical-science",
        "reference/difference-engine",
    ]
    # every item's first card before any item's second card
    assert keys[: len(items)] == [
        next(key for key in keys if item_of(key) == item) for item in items
    ]
    assert closest_siblings(keys) > 5


def test_a_release_that_adds_items_puts_their_cards_after_what_learners_have(
    project: Project, learner: Learner, monkeypatch: pytest.MonkeyPatch
) -> None:
    project.deck(SIBLINGS_DECK)
    release(project, learner, monkeypatch, 1_760_000_000)
    first = queue_keys(project, learner)
    added = SIBLINGS_DECK.replace(
        "insights:\n",
        "insights:\n  - id: punched-cards\n    text: The engine reads {{c1::punched cards}}.\n"
        "    question: What does the engine read its program from?\n",
    )
    added += "  - name: Jacquard loom\n    text: A loom driven by {{c1::a chain of cards}}.\n"
    project.deck(added)
    log = release(project, learner, monkeypatch, 1_760_086_400)
    assert log.new == 4
    keys = queue_keys(project, learner)
    assert keys[: len(first)] == first  # what learners had keeps its place
    new = keys[len(first) :]
    assert [item_of(key) for key in new[:2]] == ["insight/punched-cards", "reference/jacquard-loom"]
    # the new items' first cards, then their second cards
    assert [item_of(key) for key in new] == ["insight/punched-cards", "reference/jacquard-loom"] * 2


def test_the_shipped_deck_comes_takeaway_first_and_one_card_per_item(
    tmp_path: Path, learner: Learner
) -> None:
    project = Project(tmp_path / "project")
    for path in SHIPPED_DECKS.glob("*.yaml"):
        shutil.copy(path, project.decks / path.name)
    assert project.build().exit_code == 0
    for package in project.dist.glob("*.apkg"):
        learner.import_package(package)
    keys = lock_keys(project)
    queue = [keys[guid] for guid, _ in new_card_queue(learner, SHIPPED_NAME)]
    source = yaml.safe_load((SHIPPED_DECKS / "all-in-elon-musk.yaml").read_text(encoding="utf-8"))
    skipped = "takeaway/cloze" in source["deck"].get("skip_cards", [])
    first = 0 if skipped else 1  # the takeaway, where the deck gives it a card, comes first
    assert queue[0].startswith("takeaway/") != skipped
    assert [key.split("/")[0] for key in queue[first : first + 8]] == ["insight"] * 8
    assert queue[-1].startswith("reference/")
    assert closest_siblings(queue) == len(queue)  # no item has two cards


SHIPPED_NAME = "Podcasts::All-In::Elon Musk on Optimus, AI and Mars"


def test_the_shipped_deck_builds_without_a_warning(tmp_path: Path) -> None:
    """Every cloze of the shipped deck hides the phrase its author marked."""
    project = Project(tmp_path / "project")
    for path in SHIPPED_DECKS.glob("*.yaml"):
        shutil.copy(path, project.decks / path.name)
    result = project.build()
    assert result.exit_code == 0
    assert "warning" not in result.output


def test_no_template_gives_answers_that_mostly_start_alike(tmp_path: Path) -> None:
    """A template whose answers all start the same way ("Elon Musk", "Elon Musk", ...) is
    a template whose answer the deck gives away."""
    project = Project(tmp_path / "project")
    for path in SHIPPED_DECKS.glob("*.yaml"):
        shutil.copy(path, project.decks / path.name)
    assert project.build().exit_code == 0
    answers: dict[str, list[str]] = {}
    for line in project.lock.read_text(encoding="utf-8").splitlines():
        if '"note": ' not in line:
            continue
        template = re.search(r'"key": "[^"]*/([^/"]+)"', line)
        fields = re.search(r'"fields": \["((?:[^"\\]|\\.)*)"(?:, "((?:[^"\\]|\\.)*)")?', line)
        assert template and fields
        hidden = re.findall(r"\{\{c\d+::(.*?)\}\}", fields[1]) or [fields[2] or ""]
        answers.setdefault(template[1], []).append(" ".join(hidden[0].split()[:2]).lower())
    for template, starts in answers.items():
        if len(starts) >= 4:
            start, count = Counter(starts).most_common(1)[0]
            assert count <= len(starts) / 2, (template, start, count, len(starts))


MALFORMED = [
    ("{{c1::30 to 60 minutes}", "is never closed"),
    ("{c1::30 to 60 minutes}}", "looks like a cloze deletion but is not one"),
    ("{{c1:30 to 60 minutes}}", "looks like a cloze deletion but is not one"),
    ("{{c1::30 to {{c2::60}} minutes}}", "deletions cannot be nested"),
    ("{{c0::30 to 60 minutes}}", "deletions are numbered from 1"),
    ("{{c1::30 to 60 minutes}}}", "has an extra brace around it"),
    ("{{{c1::30 to 60 minutes}}", "has an extra brace around it"),
    ("{{C1::30 to 60 minutes}}", "looks like a cloze deletion but is not one"),
    ("{{c1,2::30 to 60 minutes}}", "give each deletion one number"),
    ("{{c1::}}", "hides nothing"),
    ("c1::30 to 60 minutes", "looks like a cloze deletion but is not one"),
]


@pytest.mark.parametrize(("written", "message"), MALFORMED)
def test_every_malformed_cloze_is_an_error_at_its_line(
    project: Project, written: str, message: str
) -> None:
    text = MINIMAL_DECK.replace(
        "text: The machine could act upon other things besides numbers.",
        f'text: "Rest for {written} after lunch."',
    )
    project.deck(text)
    before = project.snapshot()
    result = project.build()
    assert result.exit_code == 1, result.output
    (line,) = result.output.strip().splitlines()
    assert line.startswith("decks/episode.yaml:16: insights[2]: "), line
    assert message in line
    assert project.snapshot() == before


def test_a_well_formed_cloze_with_a_hint_builds(project: Project) -> None:
    text = MINIMAL_DECK.replace(
        "text: The machine could act upon other things besides numbers.",
        "text: Rest for {{c1::30 to 60 minutes::how long}} after lunch.",
    )
    project.deck(text)
    assert project.build().exit_code == 0
    (entry,) = [
        line
        for line in project.lock.read_text(encoding="utf-8").splitlines()
        if '"key": "insight/symbols/cloze"' in line
    ]
    assert "Rest for {{c1::30 to 60 minutes::how long}} after lunch." in entry
