"""`podcards export`: a release as CSV or TSV that Anki's text import reads.

Imported into a collection that holds the decks from an .apkg, the file updates those very
notes; it cannot create podcards' note types, and it has no "if newer".
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from podcards.deck import NoteKind
from podcards.export import export_text
from podcards.lockfile import LockedNote
from podcards.notetypes import NOTE_TYPES

from anki_collection import Learner
from conftest import MINIMAL_DECK, Project

pytestmark = pytest.mark.anki  # CI runs these against anki 24.11 too

NOTES = 9


@pytest.fixture
def learner(tmp_path: Path) -> Iterator[Learner]:
    member = Learner(tmp_path / "collection.anki2")
    yield member
    member.close()


@pytest.fixture
def released(project: Project, learner: Learner) -> Project:
    """A deck released, imported and studied by a learner."""
    project.deck()
    assert project.build().exit_code == 0
    learner.import_package(project.dist / "test-deck.apkg")
    learner.review_everything()
    return project


@pytest.mark.parametrize(("file_format", "separator"), [("csv", "Comma"), ("tsv", "Tab")])
def test_the_file_starts_with_the_headers_anki_reads(
    released: Project, file_format: str, separator: str
) -> None:
    result = released.run("export", "--format", file_format)
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert lines[:6] == [
        f"#separator:{separator}",
        "#html:true",
        "#notetype column:1",
        "#deck column:2",
        "#guid column:3",
        "#tags column:4",
    ]
    assert len(lines) == 6 + NOTES


@pytest.mark.parametrize("file_format", ["csv", "tsv"])
def test_importing_the_file_updates_the_notes_of_the_apkg_in_place(
    released: Project, learner: Learner, file_format: str
) -> None:
    history = learner.review_log()
    ids = set(learner.col.find_notes(""))
    released.deck(MINIMAL_DECK.replace("rigorous analysis", "careful analysis"))
    out = released.root / f"release.{file_format}"
    result = released.run("export", "--format", file_format, "-o", str(out))
    assert result.exit_code == 0, result.output
    assert f"wrote {out}: {NOTES} notes" in result.output
    assert "run `podcards build` so that the lock records it" in result.output

    log = learner.import_text(out)
    assert (len(log.new), len(log.conflicting), len(log.missing_notetype)) == (0, 0, 0)
    assert set(learner.col.find_notes("")) == ids
    assert learner.review_log() == history
    (changed,) = learner.col.find_notes('"careful analysis"')
    assert learner.col.get_note(changed).fields[0].endswith("imagination with careful analysis.")
    assert len(log.updated) == 1, "an identical row leaves its note alone"


def test_a_text_import_overwrites_a_learners_own_edit(released: Project, learner: Learner) -> None:
    """The trade the README states: unlike an .apkg, Anki's text import has no "if newer"."""
    (note_id,) = learner.col.find_notes("tag:podcards::habit")
    note = learner.col.get_note(note_id)
    note["Extra"] = "my own mnemonic"
    learner.col.update_note(note)
    out = released.root / "release.csv"
    assert released.run("export", "-o", str(out)).exit_code == 0
    learner.import_text(out)
    assert learner.col.get_note(note_id)["Extra"] == ""


def test_a_collection_without_the_note_types_skips_every_row(
    released: Project, tmp_path: Path
) -> None:
    out = released.root / "release.csv"
    assert released.run("export", "-o", str(out)).exit_code == 0
    stranger = Learner(tmp_path / "stranger.anki2")
    try:
        log = stranger.import_text(out)
        assert len(log.missing_notetype) == NOTES
        assert stranger.note_count() == 0
    finally:
        stranger.close()


def test_a_guid_that_starts_with_a_hash_is_not_read_as_a_comment() -> None:
    note = LockedNote("#x,y", "d", "card/a/qa", NoteKind.QA, ("F", "B", "", "", ""), ("t",), 1)
    text = export_text([note], {"d": "Deck"}, NOTE_TYPES, "csv")
    assert text.splitlines()[6] == 'podcards Q/A,Deck,"#x,y",t,F,B,,,'
