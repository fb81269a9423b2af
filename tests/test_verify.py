"""`podcards verify`: the last release and the next build through the real Anki engine."""

from __future__ import annotations

import builtins
import dataclasses
from typing import Any

import pytest
from click.testing import Result

from podcards import build as build_module
from podcards import notetypes as podcards_notetypes
from podcards.deck import NoteKind
from podcards.release import NoteStatus
from podcards.verify import Rehearsal, verify

from conftest import MINIMAL_DECK, Project

pytestmark = pytest.mark.anki  # CI runs these against anki 24.11 too

FIRST = 1_760_000_000
DAY = 86_400
NOTES = 9


def at(project: Project, monkeypatch: pytest.MonkeyPatch, day: int, *args: str) -> Result:
    monkeypatch.setenv("SOURCE_DATE_EPOCH", str(FIRST + day * DAY))
    return project.run(*args)


def released(project: Project, monkeypatch: pytest.MonkeyPatch) -> Project:
    project.deck()
    assert at(project, monkeypatch, 0, "build").exit_code == 0
    return project


def test_the_first_release_adds_every_note(
    project: Project, monkeypatch: pytest.MonkeyPatch
) -> None:
    project.deck()
    result = at(project, monkeypatch, 0, "verify")
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert lines[0].startswith("The last release: none yet (decks/podcards.lock records no ")
    assert f"  Notes added from file: {NOTES}" in lines
    assert "  Note types added: podcards Cloze, podcards Q/A" in lines
    assert "  nothing released before: no member can be late" in lines
    assert lines[-1] == "verify: members get exactly what `podcards diff` says"
    assert not project.lock.exists() and not project.dist.exists()


def test_an_edit_is_one_note_updated_as_the_diff_says(
    project: Project, monkeypatch: pytest.MonkeyPatch
) -> None:
    released(project, monkeypatch)
    project.deck(MINIMAL_DECK.replace("rigorous analysis", "careful analysis"))
    before = project.snapshot()
    result = at(project, monkeypatch, 1, "verify")
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert lines[0] == "The last release: dist/test-deck.apkg. Anki " + lines[0].split("Anki ")[1]
    for merge in ("", ' with "Merge note types" on'):
        start = lines.index(f"A member who imported the last release imports this build{merge}:")
        assert lines[start + 1 : start + 6] == [
            "  Notes added from file: 0",
            "  Notes updated, as file had newer version: 1",
            f"  Notes skipped, as up-to-date copies are already in your collection: {NOTES - 1}",
            "  Notes not updated, as note type has been modified since you first imported the "
            "notes: 0",
            "  Note types added: none",
        ]
    assert "  skips nothing of this build" in lines
    assert project.snapshot() == before


def test_without_the_packages_the_last_release_is_rebuilt_from_the_lock(
    project: Project, monkeypatch: pytest.MonkeyPatch
) -> None:
    released(project, monkeypatch)
    (project.dist / "test-deck.apkg").write_bytes(b"not a package")
    project.deck(MINIMAL_DECK.replace("rigorous analysis", "careful analysis"))
    result = at(project, monkeypatch, 1, "verify")
    assert result.exit_code == 0, result.output
    assert result.output.startswith(
        "The last release: rebuilt from decks/podcards.lock for test-deck."
    )
    assert "  Notes updated, as file had newer version: 1" in result.output


def test_a_late_member_skips_a_second_change_and_gets_it_with_the_next_release(
    project: Project, monkeypatch: pytest.MonkeyPatch
) -> None:
    released(project, monkeypatch)
    project.deck(MINIMAL_DECK.replace("rigorous analysis", "careful analysis"))
    assert at(project, monkeypatch, 1, "build").exit_code == 0
    project.deck(MINIMAL_DECK.replace("rigorous analysis", "patient analysis"))
    result = at(project, monkeypatch, 2, "verify")
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    late = lines.index(
        "A member on Anki 2.1.55 to 24.11 who imported the last release after this build was "
        "made, then imports this build and the next release:"
    )
    assert lines[late + 1 : late + 3] == [
        "  skips for now: test-deck: habit/poetical-science/cloze",
        "  gets them with the next release that changes anything",
    ]


def test_a_changed_item_id_is_a_duplicate(
    project: Project, monkeypatch: pytest.MonkeyPatch
) -> None:
    released(project, monkeypatch)
    project.deck(MINIMAL_DECK.replace("  - id: symbols\n", "  - id: beyond-numbers\n"))
    result = at(project, monkeypatch, 1, "verify")
    assert result.exit_code == 1
    assert (
        "  problem: duplicate: test-deck: insight/beyond-numbers/cloze is new but reads as "
        "test-deck: insight/symbols/cloze, which members have"
    ) in result.output.splitlines()
    assert result.output.splitlines()[-1].startswith("verify: 2 problem(s)")


def test_a_schema_change_conflicts_and_with_merge_forces_a_full_sync(
    project: Project, monkeypatch: pytest.MonkeyPatch
) -> None:
    released(project, monkeypatch)
    qa = podcards_notetypes.NOTE_TYPES[NoteKind.QA]
    # a new id for the Extra field: the same field count, so the notes still fit
    changed = dataclasses.replace(qa, fields=(*qa.fields[:-1], ("Extra", 1_731_902_599)))
    note_types = {**podcards_notetypes.NOTE_TYPES, NoteKind.QA: changed}
    monkeypatch.setattr(podcards_notetypes, "NOTE_TYPES", note_types)
    project.deck(MINIMAL_DECK.replace("rigorous analysis", "careful analysis"))

    refused = at(project, monkeypatch, 1, "verify")
    assert refused.exit_code == 1
    assert "podcards build --allow-schema-change" in refused.output
    result = at(project, monkeypatch, 1, "verify", "--allow-schema-change")
    assert result.exit_code == 1, result.output
    lines = result.output.splitlines()
    merging = lines.index(
        'A member who imported the last release imports this build with "Merge note types" on:'
    )
    plain, merged = lines[:merging], lines[merging:]
    conflicting = "  Notes not updated, as note type has been modified since you first imported"
    assert f"{conflicting} the notes: 2" in plain
    assert "  problem: Anki adds the note type 'podcards Q/A+' beside podcards' own" in plain
    assert ("  problem: the import changes the collection's schema: a one-way full sync") in merged


def test_without_anki_one_line_says_how_to_install_it(
    project: Project, monkeypatch: pytest.MonkeyPatch
) -> None:
    project.deck()
    real_import = builtins.__import__

    def no_anki(name: str, *args: Any, **kwargs: Any) -> Any:
        if name == "anki" or name.startswith("anki."):
            raise ImportError(name)
        return real_import(name, *args, **kwargs)

    monkeypatch.setattr(builtins, "__import__", no_anki)
    result = project.run("verify")
    assert result.exit_code == 1
    assert result.output == (
        "error: podcards verify imports into a real Anki collection: install Anki's engine with "
        "pip install 'podcards[anki]'\n"
    )


def test_anki_differing_from_the_diff_is_a_problem(
    project: Project, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The check itself: a rehearsal that promises what Anki will not do fails."""
    released(project, monkeypatch)
    project.deck(MINIMAL_DECK.replace("rigorous analysis", "careful analysis"))
    captured: list[Rehearsal] = []
    monkeypatch.setattr(build_module, "run_verify", lambda r: captured.append(r) or verify(r))
    assert at(project, monkeypatch, 1, "verify").exit_code == 0
    (rehearsal,) = captured
    promised = {guid: NoteStatus.NEW for guid in rehearsal.expected}
    report = verify(dataclasses.replace(rehearsal, expected=promised))
    assert len(report.problems) >= NOTES
    assert any(
        problem.endswith(
            "`podcards diff` says new, but Anki: Note skipped, as an up-to-date copy is "
            "already in your collection"
        )
        for problem in report.problems
    )
