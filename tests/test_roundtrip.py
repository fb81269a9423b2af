"""Round trips through a real Anki collection: build, import, study, rebuild, re-import.

Every release is imported with Anki's default options ("Update notes: if newer", merge note
types off). Each build runs at a fixed ``SOURCE_DATE_EPOCH``, one day later per release, so
that every ``mod`` in a package is known. Those days lie in the past: anything a learner does
in Anki is stamped with the real clock, which is newer than every release built before it.
"""

from __future__ import annotations

import dataclasses
import json
import sqlite3
import time
import zipfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml
from click.testing import Result

from podcards import notetypes as podcards_notetypes
from podcards.deck import NoteKind, guid_for, slug
from podcards.release import RETIRED_TAG
from podcards.render import BUILTIN_TEMPLATES

from anki_collection import STAMPS_IMPORT_TIME, ImportLog, Learner, visible_text
from conftest import MINIMAL_DECK, Project

pytestmark = pytest.mark.anki  # CI runs these against anki 24.11 too

QA_MODEL_ID = podcards_notetypes.NOTE_TYPES[NoteKind.QA].model_id
CLOZE_MODEL_ID = podcards_notetypes.NOTE_TYPES[NoteKind.CLOZE].model_id
RETIRED_MARK = '<span class="pc-retired">Retired</span> '  # templates/_retired.j2
DECK_ID = "test-deck"
DECK_NAME = "Podcasts::Test::Episode One"
# The round trips use items with several notes each (the cards that are off by default,
# switched on), so that an item's edit, retirement or purge moves several notes at once.
ROUNDTRIP_DECK = MINIMAL_DECK.replace(
    "  tags: [test]\n",
    "  tags: [test]\n  add_cards: [insight/cloze, quote/who-said, component/meaning, "
    "component/name, habit/describe, habit/name, reference/what-is]\n",
)
NOTES_IN_MINIMAL_DECK = 16
PODCARDS_NOTE_TYPES = ["podcards Cloze", "podcards Q/A"]
FIRST_RELEASE = 1_760_000_000
DAY = 86_400


def release_day(number: int) -> int:
    """The ``SOURCE_DATE_EPOCH`` of the n-th release (0 is the first)."""
    return FIRST_RELEASE + number * DAY


# -- helpers -------------------------------------------------------------------------------


@pytest.fixture
def learner(tmp_path: Path) -> Iterator[Learner]:
    """A study-group member's collection, outside the project folder."""
    member = Learner(tmp_path / "collection.anki2")
    yield member
    member.close()


def build(project: Project, monkeypatch: pytest.MonkeyPatch, epoch: int, *args: str) -> Result:
    monkeypatch.setenv("SOURCE_DATE_EPOCH", str(epoch))
    result = project.build(*args)
    assert result.exit_code == 0, result.output
    return result


def package(project: Project) -> Path:
    return project.dist / f"{DECK_ID}.apkg"


def release(
    project: Project, learner: Learner, monkeypatch: pytest.MonkeyPatch, epoch: int
) -> ImportLog:
    """Build the project at ``epoch`` and import its package into the learner's collection."""
    build(project, monkeypatch, epoch)
    return learner.import_package(package(project))


def deck_data(text: str = ROUNDTRIP_DECK) -> dict[str, Any]:
    data = yaml.safe_load(text)
    assert isinstance(data, dict)
    return data


def write_deck(project: Project, data: dict[str, Any]) -> None:
    project.deck(yaml.safe_dump(data, sort_keys=False, allow_unicode=True, width=1000))


def item(items: list[dict[str, Any]], ident: str) -> dict[str, Any]:
    """The entry of a YAML list whose id (given, or the slug of its name) is ``ident``."""
    (found,) = [entry for entry in items if entry.get("id", slug(entry.get("name", ""))) == ident]
    return found


def lock_notes(project: Project) -> dict[str, dict[str, Any]]:
    """The note entries of ``decks/podcards.lock``, by key."""
    lines = project.lock.read_text(encoding="utf-8").splitlines()
    entries = [json.loads(line) for line in lines if line.strip() and not line.startswith("#")]
    return {entry["key"]: entry for entry in entries if "note" in entry}


def guids_of(project: Project, *items: str) -> set[str]:
    """The GUIDs of every released note of the given items ("quote/poetical-science", ...)."""
    return {
        entry["note"]
        for key, entry in lock_notes(project).items()
        if any(key.startswith(f"{prefix}/") for prefix in items)
    }


def all_guids(project: Project) -> set[str]:
    return {entry["note"] for entry in lock_notes(project).values()}


def note_ids(learner: Learner) -> dict[str, int]:
    return {str(guid): int(nid) for guid, nid in learner.col.db.all("select guid, id from notes")}


def podcards_note_types(learner: Learner) -> dict[str, dict[str, Any]]:
    return {
        model["name"]: model
        for model in learner.col.models.all()
        if model["name"].startswith("podcards")
    }


def package_notes(path: Path) -> dict[str, tuple[list[str], list[str]]]:
    """GUID to (tags, fields) of every note inside an .apkg."""
    with zipfile.ZipFile(path) as archive:
        data = archive.read("collection.anki2")
    connection = sqlite3.connect(":memory:")
    try:
        connection.deserialize(data)
        rows = connection.execute("select guid, tags, flds from notes").fetchall()
    finally:
        connection.close()
    return {guid: (tags.split(), flds.split("\x1f")) for guid, tags, flds in rows}


def assert_collection_matches_lock(project: Project, learner: Learner) -> None:
    """Every released note is in the collection with exactly the released fields and tags."""
    notes = learner.notes_by_guid()
    for key, entry in lock_notes(project).items():
        note = notes[entry["note"]]
        assert list(note.fields) == entry["fields"], key
        assert sorted(note.tags) == sorted(entry["tags"]), key


# -- a. fresh import -----------------------------------------------------------------------


def test_a_fresh_import_adds_every_note_once(
    project: Project, learner: Learner, monkeypatch: pytest.MonkeyPatch
) -> None:
    project.deck(ROUNDTRIP_DECK)
    log = release(project, learner, monkeypatch, release_day(0))

    released = lock_notes(project)
    assert len(released) == NOTES_IN_MINIMAL_DECK
    # the lock's GUIDs come from permanent keys only
    assert {entry["note"] for entry in released.values()} == {
        guid_for(DECK_ID, key) for key in released
    }
    assert log.found == NOTES_IN_MINIMAL_DECK
    assert log.new == NOTES_IN_MINIMAL_DECK
    assert log.new_guids == all_guids(project)
    assert (log.updated, log.duplicate, log.conflicting) == (0, 0, 0)
    assert learner.note_count() == NOTES_IN_MINIMAL_DECK
    assert learner.card_count() == NOTES_IN_MINIMAL_DECK  # one deletion per cloze note

    note_types = podcards_note_types(learner)
    assert sorted(note_types) == PODCARDS_NOTE_TYPES
    assert note_types["podcards Q/A"]["id"] == QA_MODEL_ID
    assert note_types["podcards Cloze"]["id"] == CLOZE_MODEL_ID

    assert DECK_NAME in learner.deck_names()
    deck_id = learner.col.decks.id_for_name(DECK_NAME)
    assert set(learner.col.db.list("select distinct did from cards")) == {deck_id}
    assert_collection_matches_lock(project, learner)


QUESTION_ONLY_DECK = """\
podcards: 1
deck: {id: questions, name: "Podcasts::Test::Questions"}
episode: {podcast: Test Podcast, title: Questions}
habits:
  - name: Poetical science
    text: Combine imagination with rigorous analysis.
    question: What does poetical science combine?
"""

CLOZE_ONLY_DECK = """\
podcards: 1
deck: {id: clozes, name: "Podcasts::Test::Clozes"}
episode: {podcast: Test Podcast, title: Clozes}
insights:
  - id: engine-weaves
    text: The engine weaves {{c1::algebraic patterns}} the way a loom weaves flowers.
"""


@pytest.mark.parametrize(
    ("text", "deck_id", "note_type"),
    [
        (QUESTION_ONLY_DECK, "questions", "podcards Q/A"),
        (CLOZE_ONLY_DECK, "clozes", "podcards Cloze"),
    ],
)
def test_a_only_the_note_types_a_deck_uses_are_imported(
    project: Project,
    learner: Learner,
    monkeypatch: pytest.MonkeyPatch,
    text: str,
    deck_id: str,
    note_type: str,
) -> None:
    project.deck(text)
    build(project, monkeypatch, release_day(0))
    log = learner.import_package(project.dist / f"{deck_id}.apkg")

    assert log.new == log.found == len(lock_notes(project))
    assert (log.updated, log.duplicate, log.conflicting) == (0, 0, 0)
    assert sorted(podcards_note_types(learner)) == [note_type]


# -- b. unchanged sources ------------------------------------------------------------------


def test_b_rebuild_of_unchanged_sources_is_identical_and_imports_as_duplicates(
    project: Project, learner: Learner, monkeypatch: pytest.MonkeyPatch
) -> None:
    project.deck(ROUNDTRIP_DECK)
    release(project, learner, monkeypatch, release_day(0))
    first_package = package(project).read_bytes()
    first_lock = project.lock.read_bytes()
    schema = learner.schema()
    mods = learner.col.db.all("select guid, mod from notes order by guid")

    result = build(project, monkeypatch, release_day(1))  # a day later, nothing changed
    assert f"unchanged {Path('dist') / 'test-deck.apkg'}" in result.output
    assert "0 new, 0 changed" in result.output
    assert package(project).read_bytes() == first_package
    assert project.lock.read_bytes() == first_lock

    log = learner.import_package(package(project))
    # Anki's log counts a note that is already there and not newer as a "duplicate"
    assert log.found == NOTES_IN_MINIMAL_DECK
    assert log.duplicate == NOTES_IN_MINIMAL_DECK
    assert (log.new, log.updated, log.conflicting) == (0, 0, 0)
    assert learner.schema() == schema
    assert learner.col.db.all("select guid, mod from notes order by guid") == mods
    assert sorted(podcards_note_types(learner)) == PODCARDS_NOTE_TYPES


# -- c. edits after the learner studied ----------------------------------------------------


def edit_three_items_and_reorder(data: dict[str, Any]) -> list[str]:
    """Edit an insight, a quote and a framework component; reorder items and sections.

    Returns the edited items as key prefixes.
    """
    insight = item(data["insights"], "engine-weaves")
    insight["text"] = (
        "The engine weaves {{c1::algebraic patterns}} just as the Jacquard loom weaves "
        "flowers and leaves."
    )
    quote = item(data["quotes"], "poetical-science")
    quote["speaker"] = "Augusta Ada King"
    quote["context"] = "In a letter to Babbage, 1843."
    framework = item(data["frameworks"], "analytical-engine")
    item(framework["components"], "mill")["text"] = "The part that carries out every calculation."

    data["insights"].reverse()
    framework["components"].reverse()
    data["quotes"] = data.pop("quotes")  # the quotes section moves to the end of the file
    return ["insight/engine-weaves", "quote/poetical-science", "component/analytical-engine/mill"]


def test_c_edits_update_only_their_notes_and_keep_reviews(
    project: Project, learner: Learner, monkeypatch: pytest.MonkeyPatch
) -> None:
    project.deck(ROUNDTRIP_DECK)
    release(project, learner, monkeypatch, release_day(0))
    learner.review_everything()
    ids = note_ids(learner)
    scheduling = learner.scheduling()
    review_log = learner.review_log()
    assert len(review_log) == NOTES_IN_MINIMAL_DECK
    assert all(row[9] == 1 for row in scheduling)  # reps: every card was studied once

    data = deck_data()
    edited = edit_three_items_and_reorder(data)
    write_deck(project, data)
    result = build(project, monkeypatch, release_day(1))
    assert "0 new, 7 changed" in result.output
    log = learner.import_package(package(project))

    expected = guids_of(project, *edited)
    assert len(expected) == 7  # two or three cards each
    assert expected == {
        guid_for(DECK_ID, key)
        for key in (
            "insight/engine-weaves/cloze",
            "insight/engine-weaves/question",
            "quote/poetical-science/cloze",
            "quote/poetical-science/who-said",
            "component/analytical-engine/mill/cloze",
            "component/analytical-engine/mill/meaning",
            "component/analytical-engine/mill/name",
        )
    }
    assert log.updated_guids == expected
    assert log.updated == 7
    assert log.duplicate == NOTES_IN_MINIMAL_DECK - 7
    assert (log.new, log.conflicting) == (0, 0)

    notes = learner.notes_by_guid()
    assert "Jacquard loom" in notes[guid_for(DECK_ID, "insight/engine-weaves/cloze")]["Text"]
    assert "Jacquard loom" in notes[guid_for(DECK_ID, "insight/engine-weaves/question")]["Back"]
    who_said = notes[guid_for(DECK_ID, "quote/poetical-science/who-said")]
    assert who_said["Back"] == "Augusta Ada King"
    assert who_said["Extra"] == "In a letter to Babbage, 1843."
    quote_cloze = notes[guid_for(DECK_ID, "quote/poetical-science/cloze")]
    assert quote_cloze["Text"].endswith("— Augusta Ada King")
    assert quote_cloze["Context"].endswith(" · In a letter to Babbage, 1843.")
    meaning = notes[guid_for(DECK_ID, "component/analytical-engine/mill/meaning")]
    assert meaning["Back"] == "The part that carries out every <b>calculation</b>."
    assert_collection_matches_lock(project, learner)

    assert note_ids(learner) == ids
    assert learner.scheduling() == scheduling  # card ids, decks, due dates, intervals, reps
    assert learner.review_log() == review_log
    assert learner.card_count() == NOTES_IN_MINIMAL_DECK


# -- d. new items --------------------------------------------------------------------------


def test_d_added_items_arrive_as_new_notes_and_nothing_else_moves(
    project: Project, learner: Learner, monkeypatch: pytest.MonkeyPatch
) -> None:
    project.deck(ROUNDTRIP_DECK)
    release(project, learner, monkeypatch, release_day(0))
    before = all_guids(project)
    mods = learner.col.db.all("select guid, mod from notes order by guid")

    data = deck_data()
    data["insights"].append(
        {
            "id": "punched-cards",
            "text": "The engine reads its program from {{c1::punched cards}}.",
            "question": "Where does the engine read its program from?",
        }
    )
    data["habits"].append({"name": "Write it down", "text": "Keep a notebook of every idea."})
    data["references"].append(
        {"name": "Jacquard loom", "text": "A weaving machine controlled by a chain of cards."}
    )
    write_deck(project, data)
    log = release(project, learner, monkeypatch, release_day(1))

    added = guids_of(
        project, "insight/punched-cards", "habit/write-it-down", "reference/jacquard-loom"
    )
    assert len(added) == 7  # question + cloze, cloze + describe + name, cloze + what-is
    assert all_guids(project) == before | added
    assert log.new_guids == added
    assert log.new == 7
    assert log.duplicate == NOTES_IN_MINIMAL_DECK
    assert (log.updated, log.conflicting) == (0, 0)
    assert learner.note_count() == NOTES_IN_MINIMAL_DECK + 7
    after = learner.col.db.all("select guid, mod from notes order by guid")
    assert [row for row in after if row[0] in before] == mods  # the old notes did not move
    assert_collection_matches_lock(project, learner)


# -- e. template and CSS changes -----------------------------------------------------------


def test_e_css_change_updates_both_note_types_in_place(
    project: Project, learner: Learner, monkeypatch: pytest.MonkeyPatch
) -> None:
    project.deck(ROUNDTRIP_DECK)
    release(project, learner, monkeypatch, release_day(0))
    schema = learner.schema()
    mods = learner.col.db.all("select guid, mod from notes order by guid")

    css = (BUILTIN_TEMPLATES / "notetype/style.css").read_text(encoding="utf-8")
    new_css = css + ".pc-context { text-transform: uppercase; }\n"
    project.write("templates/notetype/style.css", new_css)
    result = build(project, monkeypatch, release_day(1))
    assert "0 new, 0 changed" in result.output
    log = learner.import_package(package(project))

    assert log.duplicate == NOTES_IN_MINIMAL_DECK
    assert (log.new, log.updated, log.conflicting) == (0, 0, 0)
    note_types = podcards_note_types(learner)
    assert sorted(note_types) == PODCARDS_NOTE_TYPES  # no "podcards Q/A+"
    assert {name: model["id"] for name, model in note_types.items()} == {
        "podcards Cloze": CLOZE_MODEL_ID,
        "podcards Q/A": QA_MODEL_ID,
    }
    assert {name: model["css"] for name, model in note_types.items()} == {
        "podcards Cloze": new_css,
        "podcards Q/A": new_css,
    }
    card = learner.col.get_card(learner.col.find_cards("")[0])
    assert "text-transform: uppercase" in card.question()  # what the learner's card carries
    assert learner.schema() == schema
    assert learner.col.db.all("select guid, mod from notes order by guid") == mods


def test_e_template_change_updates_only_its_note_type(
    project: Project, learner: Learner, monkeypatch: pytest.MonkeyPatch
) -> None:
    project.deck(ROUNDTRIP_DECK)
    release(project, learner, monkeypatch, release_day(0))
    schema = learner.schema()
    cloze_before = podcards_note_types(learner)["podcards Cloze"]

    front = (BUILTIN_TEMPLATES / "notetype/qa-front.html").read_text(encoding="utf-8")
    new_front = front.replace('<div class="pc-prompt">', '<div class="pc-prompt pc-qa">')
    assert new_front != front
    project.write("templates/notetype/qa-front.html", new_front)
    log = release(project, learner, monkeypatch, release_day(1))

    assert log.duplicate == NOTES_IN_MINIMAL_DECK
    assert (log.new, log.updated, log.conflicting) == (0, 0, 0)
    note_types = podcards_note_types(learner)
    assert sorted(note_types) == PODCARDS_NOTE_TYPES
    assert note_types["podcards Q/A"]["tmpls"][0]["qfmt"] == new_front
    assert note_types["podcards Q/A"]["mod"] == release_day(1)
    assert note_types["podcards Cloze"]["mod"] == cloze_before["mod"] == release_day(0)
    assert note_types["podcards Cloze"]["tmpls"] == cloze_before["tmpls"]
    assert learner.schema() == schema


# -- f. a learner's own edits --------------------------------------------------------------


def test_f_reimport_keeps_the_learners_edit_and_a_newer_change_wins(
    project: Project, learner: Learner, monkeypatch: pytest.MonkeyPatch
) -> None:
    project.deck(ROUNDTRIP_DECK)
    release(project, learner, monkeypatch, release_day(0))
    guid = guid_for(DECK_ID, "insight/engine-weaves/question")
    note = learner.notes_by_guid()[guid]
    note["Back"] = "My own words: it weaves algebra."
    learner.col.update_note(note)
    learner_mod = learner.col.get_note(note.id).mod
    # the learner edits now, after the release was built (Anki's mod is whole seconds)
    assert learner_mod > release_day(0)
    assert learner_mod >= int(time.time()) - 60

    log = learner.import_package(package(project))  # the same release again
    assert log.duplicate == NOTES_IN_MINIMAL_DECK
    assert (log.new, log.updated, log.conflicting) == (0, 0, 0)
    kept = learner.col.get_note(note.id)
    assert kept["Back"] == "My own words: it weaves algebra."
    assert kept.mod == learner_mod

    # A release built after the learner's edit, that changes this note's content.
    # Anki's rule, not podcards': an existing note is updated only when the package's mod
    # is strictly newer than the collection's; this release's mod is, so the release's text
    # replaces the learner's edit.
    data = deck_data()
    item(data["insights"], "engine-weaves")["text"] = (
        "The engine weaves {{c1::algebraic patterns}} as a loom weaves silk flowers."
    )
    write_deck(project, data)
    later = learner_mod + DAY
    log = release(project, learner, monkeypatch, later)
    assert log.updated_guids == guids_of(project, "insight/engine-weaves")
    assert log.updated == 2
    assert (log.new, log.conflicting) == (0, 0)
    updated = learner.col.get_note(note.id)
    assert updated["Back"] == lock_notes(project)["insight/engine-weaves/question"]["fields"][1]
    assert "silk flowers" in updated["Back"]
    if STAMPS_IMPORT_TIME:  # Anki 2.1.55 to 24.11 stamps the note with the import's time
        assert updated.mod >= learner_mod
    else:
        assert updated.mod == later


# -- g. removed items are retired, not deleted ---------------------------------------------

RETIRED_KEYS = ("quote/poetical-science/cloze", "quote/poetical-science/who-said")


def remove_quote(project: Project) -> None:
    data = deck_data()
    del data["quotes"]
    write_deck(project, data)


def test_g_a_removed_item_ships_as_retired(
    project: Project, learner: Learner, monkeypatch: pytest.MonkeyPatch
) -> None:
    project.deck(ROUNDTRIP_DECK)
    release(project, learner, monkeypatch, release_day(0))
    retired = guids_of(project, "quote/poetical-science")
    assert len(retired) == 2

    remove_quote(project)
    result = build(project, monkeypatch, release_day(1))
    assert "0 new, 0 changed, 2 retired" in result.output
    for key in RETIRED_KEYS:
        assert f"retired {key}: it still ships, tagged {RETIRED_TAG}" in result.output
    assert all(lock_notes(project)[key]["retired"] == release_day(1) for key in RETIRED_KEYS)

    shipped = package_notes(package(project))
    assert set(shipped) == all_guids(project)
    assert len(shipped) == NOTES_IN_MINIMAL_DECK
    for guid, (tags, fields) in shipped.items():
        if guid in retired:
            assert RETIRED_TAG in tags
            assert any(field.startswith(RETIRED_MARK) for field in fields)
        else:
            assert RETIRED_TAG not in tags
            assert not any(RETIRED_MARK in field for field in fields)

    log = learner.import_package(package(project))
    assert log.updated_guids == retired
    assert log.updated == 2
    assert log.duplicate == NOTES_IN_MINIMAL_DECK - 2
    assert (log.new, log.conflicting) == (0, 0)
    assert learner.note_count() == NOTES_IN_MINIMAL_DECK  # nothing deleted
    ids = note_ids(learner)
    assert set(learner.col.find_notes(f"tag:{RETIRED_TAG}")) == {ids[guid] for guid in retired}
    for guid in retired:
        for card in learner.col.get_note(ids[guid]).cards():
            output = card.render_output()
            assert visible_text(output.question_text).startswith("Retired ")
            back = visible_text(output.answer_text)
            assert "Removed from this deck. To delete every removed card: in the Browser, " in back
            assert f"search tag:{RETIRED_TAG} , select all, Delete." in back


def test_g_purge_stops_shipping_retired_notes(
    project: Project, learner: Learner, monkeypatch: pytest.MonkeyPatch
) -> None:
    project.deck(ROUNDTRIP_DECK)
    release(project, learner, monkeypatch, release_day(0))
    retired = guids_of(project, "quote/poetical-science")
    remove_quote(project)
    release(project, learner, monkeypatch, release_day(1))

    result = project.run("retire", "--purge", "quote/poetical-science")
    assert result.exit_code == 0, result.output
    build(project, monkeypatch, release_day(2))

    assert not retired & set(package_notes(package(project)))
    # the lock keeps a tombstone, so that the GUIDs are never handed out again
    purged = {e["note"] for e in lock_notes(project).values() if e.get("purged")}
    assert purged == retired
    assert len(package_notes(package(project))) == NOTES_IN_MINIMAL_DECK - 2
    log = learner.import_package(package(project))
    assert log.duplicate == NOTES_IN_MINIMAL_DECK - 2
    assert (log.new, log.updated, log.conflicting) == (0, 0, 0)
    assert learner.note_count() == NOTES_IN_MINIMAL_DECK  # Anki never deletes a note


def test_g_a_purged_id_is_never_reused(
    project: Project, learner: Learner, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The learner still has the old note, with the reviews of what it used to say."""
    project.deck(ROUNDTRIP_DECK)
    release(project, learner, monkeypatch, release_day(0))
    remove_quote(project)
    release(project, learner, monkeypatch, release_day(1))
    assert project.run("retire", "--purge", "quote/poetical-science").exit_code == 0
    build(project, monkeypatch, release_day(2))

    data = deck_data()
    item(data["quotes"], "poetical-science")["text"] = "A new quote under the old id."
    write_deck(project, data)
    message = refused(project, monkeypatch)
    assert "'quote/poetical-science/cloze' was released, retired and purged" in message
    assert "Give the item a new id." in message


# -- h. guards -----------------------------------------------------------------------------


def change_qa_schema(monkeypatch: pytest.MonkeyPatch, **changes: Any) -> None:
    """Change the Q/A note type as if its declaration in the source had changed."""
    qa = podcards_notetypes.NOTE_TYPES[NoteKind.QA]
    note_types = {**podcards_notetypes.NOTE_TYPES, NoteKind.QA: dataclasses.replace(qa, **changes)}
    monkeypatch.setattr(podcards_notetypes, "NOTE_TYPES", note_types)


def refused(project: Project, monkeypatch: pytest.MonkeyPatch, *args: str) -> str:
    """Build, expecting a refusal that leaves every file as it was; the message."""
    before = project.snapshot()
    monkeypatch.setenv("SOURCE_DATE_EPOCH", str(release_day(1)))
    result = project.build(*args)
    assert result.exit_code == 1, result.output
    assert project.snapshot() == before
    return " ".join(result.output.split())


def test_h_a_schema_change_is_refused(project: Project, monkeypatch: pytest.MonkeyPatch) -> None:
    project.deck(ROUNDTRIP_DECK)
    build(project, monkeypatch, release_day(0))
    qa = podcards_notetypes.NOTE_TYPES[NoteKind.QA]
    change_qa_schema(monkeypatch, fields=(*qa.fields, ("Notes", 1_731_902_506)))

    message = refused(project, monkeypatch)
    assert "the note type 'qa' changed its fields or templates" in message
    assert "Every learner would get a second note type" in message
    assert "their notes would stop updating" in message
    assert "forces a one-way full sync" in message
    assert "--allow-schema-change" in message


def test_h_a_schema_change_goes_through_when_allowed(
    project: Project, learner: Learner, monkeypatch: pytest.MonkeyPatch
) -> None:
    project.deck(ROUNDTRIP_DECK)
    release(project, learner, monkeypatch, release_day(0))
    qa = podcards_notetypes.NOTE_TYPES[NoteKind.QA]
    # a new id for the Extra field: the same field count, so the notes still fit
    change_qa_schema(monkeypatch, fields=(*qa.fields[:-1], ("Extra", 1_731_902_599)))
    refused(project, monkeypatch)

    build(project, monkeypatch, release_day(1), "--allow-schema-change")
    assert "Extra#1731902599" in project.lock.read_text(encoding="utf-8")
    log = learner.import_package(package(project))
    # the cost the message names: a second note type, and the Q/A notes stop updating
    qa_notes = {e["note"] for e in lock_notes(project).values() if e["type"] == "qa"}
    assert len(qa_notes) == 8
    assert log.conflicting == 8
    assert log.duplicate == NOTES_IN_MINIMAL_DECK - 8
    assert (log.new, log.updated) == (0, 0)
    assert sorted(podcards_note_types(learner)) == [*PODCARDS_NOTE_TYPES, "podcards Q/A+"]


def test_h_a_deck_rename_is_refused_then_allowed(
    project: Project, learner: Learner, monkeypatch: pytest.MonkeyPatch
) -> None:
    project.deck(ROUNDTRIP_DECK)
    release(project, learner, monkeypatch, release_day(0))
    data = deck_data()
    data["deck"]["name"] = "Podcasts::Test::Episode 1"
    data["habits"].append({"name": "Write it down", "text": "Keep a notebook of every idea."})
    write_deck(project, data)

    message = refused(project, monkeypatch)
    assert f"deck '{DECK_ID}' was released as '{DECK_NAME}'" in message
    assert "is now named 'Podcasts::Test::Episode 1'" in message
    assert "learners would get a second deck holding only the new cards" in message
    assert "--allow-rename" in message

    build(project, monkeypatch, release_day(1), "--allow-rename")
    assert '"name": "Podcasts::Test::Episode 1"' in project.lock.read_text(encoding="utf-8")
    log = learner.import_package(package(project))
    # the cost the message names: old cards stay in the old deck, new ones go to the new
    assert log.new_guids == guids_of(project, "habit/write-it-down")
    assert log.new == 3
    assert log.duplicate == NOTES_IN_MINIMAL_DECK
    assert (log.updated, log.conflicting) == (0, 0)
    old_deck = learner.col.decks.id_for_name(DECK_NAME)
    new_deck = learner.col.decks.id_for_name("Podcasts::Test::Episode 1")
    decks = dict(learner.col.db.all("select did, count() from cards group by did"))
    assert decks == {old_deck: NOTES_IN_MINIMAL_DECK, new_deck: 3}


def test_h_a_field_rename_keeps_its_id_and_updates_in_place(
    project: Project, learner: Learner, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Fields carry fixed ids, so Anki renames a field in place: no guard, no second type."""
    project.deck(ROUNDTRIP_DECK)
    release(project, learner, monkeypatch, release_day(0))
    schema = learner.schema()
    qa = podcards_notetypes.NOTE_TYPES[NoteKind.QA]
    (extra_id,) = [ident for name, ident in qa.fields if name == "Extra"]
    change_qa_schema(monkeypatch, fields=(*qa.fields[:-1], ("Notes", extra_id)))
    back = (BUILTIN_TEMPLATES / "notetype/qa-back.html").read_text(encoding="utf-8")
    project.write("templates/notetype/qa-back.html", back.replace("Extra", "Notes"))

    log = release(project, learner, monkeypatch, release_day(1))
    assert (log.new, log.updated, log.conflicting) == (0, 0, 0)
    assert sorted(podcards_note_types(learner)) == PODCARDS_NOTE_TYPES
    fields = [field["name"] for field in podcards_note_types(learner)["podcards Q/A"]["flds"]]
    assert fields == ["Front", "Back", "Context", "Source", "Notes"]
    assert learner.schema() == schema


def test_h_a_released_deletion_cannot_be_dropped(
    project: Project, learner: Learner, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Anki keeps the card of a dropped deletion, showing 'No cloze found'."""
    data = deck_data()
    data["cards"] = [{"id": "raptor", "cloze": "The {{c1::Raptor}} engine burns {{c2::methane}}."}]
    write_deck(project, data)
    release(project, learner, monkeypatch, release_day(0))
    assert learner.card_count() == NOTES_IN_MINIMAL_DECK + 2

    data["cards"][0]["cloze"] = "The {{c1::Raptor}} engine burns methane and oxygen."
    write_deck(project, data)
    message = refused(project, monkeypatch)
    assert "'card/raptor/cloze' was released with the deletion(s) c2, which are gone now" in message

    data["cards"][0]["cloze"] = "The {{c1::Raptor}} engine burns {{c2::methane}} and oxygen."
    write_deck(project, data)
    log = release(project, learner, monkeypatch, release_day(1))
    assert (log.updated, log.new, log.conflicting) == (1, 0, 0)
