"""Sharing a library: one bundle of every deck, and deck descriptions Anki shows.

Imports go into a real Anki collection with Anki's default options.
"""

from __future__ import annotations

import shutil
import sqlite3
import time
import zipfile
from collections.abc import Iterator
from pathlib import Path

import pytest

from anki_collection import Learner
from conftest import MINIMAL_DECK, Project

pytestmark = pytest.mark.anki  # CI runs these against anki 24.11 too

FIRST = 1_760_000_000
DAY = 86_400
NOTES_IN_DECK = 9
SECOND_DECK = (
    MINIMAL_DECK.replace("id: test-deck", "id: second-deck")
    .replace("Podcasts::Test::Episode One", "Podcasts::Test::Episode Two")
    .replace("title: Episode One", "title: Episode Two\n  url: https://example.com/two")
)


def package_rows(path: Path, query: str) -> list[tuple[object, ...]]:
    with zipfile.ZipFile(path) as archive:
        data = archive.read("collection.anki2")
    connection = sqlite3.connect(":memory:")
    try:
        connection.deserialize(data)
        return [tuple(row) for row in connection.execute(query).fetchall()]
    finally:
        connection.close()


NOTES = "select guid, mod, id, flds, tags from notes order by guid"


@pytest.fixture
def library(project: Project, monkeypatch: pytest.MonkeyPatch) -> Project:
    """Two decks under one parent, released once."""
    monkeypatch.setenv("SOURCE_DATE_EPOCH", str(FIRST))
    project.deck(name="one.yaml")
    project.deck(SECOND_DECK, name="two.yaml")
    return project


@pytest.fixture
def learner(tmp_path: Path) -> Iterator[Learner]:
    member = Learner(tmp_path / "collection.anki2")
    yield member
    member.close()


def test_a_bundle_holds_the_very_notes_of_the_deck_packages(
    library: Project, tmp_path: Path
) -> None:
    twin = Project(tmp_path / "twin")
    shutil.copytree(library.decks, twin.decks, dirs_exist_ok=True)
    assert twin.build().exit_code == 0  # one package per deck

    result = library.build("--bundle", "study-group")
    assert result.exit_code == 0, result.output
    assert result.output.splitlines()[0] == (
        "wrote dist/study-group.apkg: 2 decks (18 notes, 18 cards)"
    )
    assert sorted(path.name for path in library.dist.iterdir()) == ["study-group.apkg"]
    # the lock is the one a build of every deck writes
    assert library.lock.read_bytes() == twin.lock.read_bytes()
    bundle = library.dist / "study-group.apkg"
    each = package_rows(twin.dist / "test-deck.apkg", NOTES) + package_rows(
        twin.dist / "second-deck.apkg", NOTES
    )
    assert package_rows(bundle, NOTES) == sorted(each)
    cards = "select id, nid, due, ord from cards order by id"
    assert package_rows(bundle, cards) == sorted(
        package_rows(twin.dist / "test-deck.apkg", cards)
        + package_rows(twin.dist / "second-deck.apkg", cards)
    )


def test_importing_a_bundle_and_the_deck_packages_adds_nothing_twice(
    library: Project, learner: Learner, tmp_path: Path
) -> None:
    assert library.build().exit_code == 0
    assert library.build("--bundle", "all", "-o", "shared").exit_code == 0
    bundle = library.root / "shared" / "all.apkg"

    log = learner.import_package(bundle)
    assert (log.new, log.updated, log.duplicate, log.conflicting) == (18, 0, 0, 0)
    assert {"Podcasts", "Podcasts::Test", "Podcasts::Test::Episode One"} <= (learner.deck_names())
    assert "Podcasts::Test::Episode Two" in learner.deck_names()
    for deck_file in ("test-deck", "second-deck"):
        log = learner.import_package(library.dist / f"{deck_file}.apkg")
        assert (log.new, log.updated, log.duplicate, log.conflicting) == (0, 0, 9, 0)
    assert learner.note_count() == 18
    assert learner.notetype_names().count("podcards Cloze") == 1

    other = Learner(tmp_path / "other.anki2")  # the deck packages first, then the bundle
    try:
        for deck_file in ("test-deck", "second-deck"):
            other.import_package(library.dist / f"{deck_file}.apkg")
        log = other.import_package(bundle)
        assert (log.new, log.updated, log.duplicate, log.conflicting) == (0, 0, 18, 0)
    finally:
        other.close()


def test_a_bundle_name_is_a_file_name(library: Project) -> None:
    result = library.build("--bundle", "../elsewhere")
    assert result.exit_code == 2
    assert "--bundle '../elsewhere' is not a file name" in result.output
    assert library.build("--bundle", "group.apkg").exit_code == 0
    assert (library.dist / "group.apkg").exists()


def test_the_deck_overview_shows_the_episode_and_its_release(
    library: Project, learner: Learner, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert library.build().exit_code == 0
    learner.import_package(library.dist / "second-deck.apkg")
    deck = learner.col.decks.by_name("Podcasts::Test::Episode Two")
    assert deck is not None
    description = deck["desc"]
    assert "<b>Test Podcast</b> · Episode Two<br>With Ada Lovelace" in description
    assert "<i>Takeaway:</i> The engine can do more than arithmetic." in description
    assert '<a href="https://example.com/two">Listen to the episode</a>' in description
    assert "Cards from the release of 2025-10-09." in description

    # the date is the release's, from the lock: a rebuild a day later changes no byte
    package = (library.dist / "second-deck.apkg").read_bytes()
    monkeypatch.setenv("SOURCE_DATE_EPOCH", str(FIRST + DAY))
    assert library.build().exit_code == 0
    assert (library.dist / "second-deck.apkg").read_bytes() == package

    # the next release says so, and the learner's deck shows it
    library.deck(SECOND_DECK.replace("rigorous analysis", "careful analysis"), name="two.yaml")
    monkeypatch.setenv("SOURCE_DATE_EPOCH", str(FIRST + 2 * DAY))
    assert library.build().exit_code == 0
    learner.import_package(library.dist / "second-deck.apkg")
    deck = learner.col.decks.by_name("Podcasts::Test::Episode Two")
    assert deck is not None
    assert "Cards from the release of 2025-10-11." in deck["desc"]


def test_added_means_when_a_note_was_first_released(
    project: Project, learner: Learner, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Anki's "Added" and `added:1` read the card id: podcards makes it the first release."""
    now = int(time.time())
    project.deck()
    monkeypatch.setenv("SOURCE_DATE_EPOCH", str(now - 10 * DAY))
    assert project.build().exit_code == 0
    learner.import_package(project.dist / "test-deck.apkg")
    project.deck(
        MINIMAL_DECK + "  - name: Punched cards\n    text: Cards carry {{c1::programs}}.\n"
    )
    monkeypatch.setenv("SOURCE_DATE_EPOCH", str(now))
    assert project.build().exit_code == 0
    learner.import_package(project.dist / "test-deck.apkg")

    fresh = learner.col.find_notes("added:1")
    assert [learner.col.get_note(nid)["Text"] for nid in fresh] == ["Cards carry {{c1::programs}}."]
    assert len(learner.col.find_notes("added:11")) == NOTES_IN_DECK + 1
    for card_id in learner.col.find_cards("-added:1"):
        assert now - 10 * DAY <= card_id // 1000 < now - 10 * DAY + 60


def test_a_member_gets_exactly_what_the_release_notes_say(
    library: Project, learner: Learner, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The issue's story: edit, release notes, verify, share a bundle, import it."""
    assert library.build("--bundle", "group").exit_code == 0
    learner.import_package(library.dist / "group.apkg")

    edited = MINIMAL_DECK.replace("rigorous analysis", "careful analysis")
    edited = edited.replace("  - id: symbols\n", "  - id: symbols-gone\n")
    edited = edited.replace("besides numbers.", "besides numbers alone.")
    edited += "  - name: Punched cards\n    text: Cards carry {{c1::programs}}.\n"
    library.deck(edited, name="one.yaml")
    monkeypatch.setenv("SOURCE_DATE_EPOCH", str(FIRST + DAY))
    notes = library.run("diff", "--format", "markdown").output
    assert "### Podcasts::Test::Episode One\n\n2 new, 1 changed, 1 retired, 7 unchanged\n" in notes
    assert "### Podcasts::Test::Episode Two" not in notes  # nothing changes there
    assert "- `habit/poetical-science/cloze`: Text: " in notes
    assert "- `reference/punched-cards/cloze`: Cards carry [programs]." in notes
    assert library.run("verify").exit_code == 0

    assert library.build("--bundle", "group").exit_code == 0
    log = learner.import_package(library.dist / "group.apkg")
    assert (log.new, log.updated, log.conflicting) == (2, 2, 0)
    assert log.duplicate == 2 * NOTES_IN_DECK - 2
    assert len(learner.col.find_notes('"Cards carry"')) == 1
    retired = learner.col.find_notes("tag:podcards::retired")
    assert len(retired) == 1


@pytest.mark.parametrize(
    ("template", "message"),
    [
        ("{{ episode.nme }}\n", "templates/_description.j2:1: "),
        ("{% if %}\n", "templates/_description.j2:1: template syntax error: "),
    ],
)
def test_a_mistake_in_the_description_template_names_its_line(
    library: Project, template: str, message: str
) -> None:
    library.write("templates/_description.j2", template)
    result = library.build()
    assert result.exit_code == 1
    assert result.output.startswith(message), result.output
    assert "Traceback" not in result.output
