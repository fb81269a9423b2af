"""`podcards build` end to end: outputs, exit codes, all-or-nothing, reproducibility."""

from __future__ import annotations

import os
import sqlite3
import stat
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from podcards import files
from podcards.build import _refuse_shared_guids
from podcards.deck import Card
from podcards.errors import Location, PodcardsError
from podcards.release import BuiltDeck

from conftest import MINIMAL_DECK, SHIPPED_DECKS, Project


def collection_rows(package: Path, query: str) -> list[tuple[object, ...]]:
    with zipfile.ZipFile(package) as archive:
        data = archive.read("collection.anki2")
    connection = sqlite3.connect(":memory:")
    connection.deserialize(data)
    try:
        return connection.execute(query).fetchall()
    finally:
        connection.close()


def test_build_writes_one_package_per_deck_and_says_what(project: Project) -> None:
    project.deck()
    result = project.build()
    assert result.exit_code == 0, result.output
    assert sorted(p.name for p in project.dist.iterdir()) == ["test-deck.apkg"]
    assert "wrote dist/test-deck.apkg: Podcasts::Test::Episode One (9 notes, 9 cards; " in (
        result.output
    )
    assert "updated decks/podcards.lock" in result.output
    package = project.dist / "test-deck.apkg"
    assert stat.S_IMODE(package.stat().st_mode) == 0o644
    assert collection_rows(package, "select count() from notes") == [(9,)]


def test_output_folder_option(project: Project) -> None:
    project.deck()
    assert project.build("-o", "out/anki").exit_code == 0
    assert (project.root / "out/anki/test-deck.apkg").exists()
    assert not project.dist.exists()


def test_note_ids_are_the_first_release_time_and_stay(
    project: Project, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Anki shows a card as added when its id says: the note's first release, not 2014."""
    project.deck()
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1500000000")
    project.build()
    package = project.dist / "test-deck.apkg"
    notes = [row[0] for row in collection_rows(package, "select id from notes order by id")]
    assert notes == list(range(1_500_000_000_000, 1_500_000_000_000 + len(notes)))
    cards = collection_rows(package, "select id, nid from cards order by id")
    assert [(card, note) for card, note in cards] == [(note, note) for note in notes]
    # a later release keeps the ids of released notes and gives new ones the new time
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1600000000")
    project.deck(
        MINIMAL_DECK + "  - name: Punched cards\n    text: Cards carry {{c1::programs}}.\n"
    )
    project.build()
    later = [row[0] for row in collection_rows(package, "select id from notes order by id")]
    assert later == [*notes, 1_600_000_000_000]


def test_each_note_carries_the_mod_of_its_own_content(project: Project, monkeypatch) -> None:
    project.deck()
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1700000000")
    project.build()
    changed = MINIMAL_DECK.replace("rigorous analysis", "careful analysis")
    project.deck(changed)
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1800000000")
    project.build()
    rows = collection_rows(project.dist / "test-deck.apkg", "select mod, flds from notes")
    mods = {mod for mod, fields in rows if "careful analysis" in fields}
    others = {mod for mod, fields in rows if "careful analysis" not in fields}
    assert mods == {1800000000}
    assert others == {1700000000}


def test_rebuild_is_byte_identical_across_processes(project: Project, tmp_path: Path) -> None:
    """Same sources and lock, another process and hash seed: the same bytes."""
    project.deck()
    project.build()
    first = (project.dist / "test-deck.apkg").read_bytes()
    lock = project.lock.read_bytes()
    (project.dist / "test-deck.apkg").unlink()
    env = {**os.environ, "PYTHONHASHSEED": "12345"}
    env.pop("SOURCE_DATE_EPOCH", None)
    subprocess.run(
        [sys.executable, "-m", "podcards", "build"], cwd=project.root, env=env, check=True
    )
    assert (project.dist / "test-deck.apkg").read_bytes() == first
    assert project.lock.read_bytes() == lock


def test_two_checkouts_with_one_epoch_give_identical_files(tmp_path: Path) -> None:
    outputs = []
    for name in ("one", "two"):
        checkout = Project(tmp_path / name)
        checkout.deck()
        env = {**os.environ, "SOURCE_DATE_EPOCH": "1750000000"}
        env["PYTHONHASHSEED"] = "1" if name == "one" else "2"
        subprocess.run(
            [sys.executable, "-m", "podcards", "build"], cwd=checkout.root, env=env, check=True
        )
        outputs.append((checkout.dist / "test-deck.apkg").read_bytes())
    assert outputs[0] == outputs[1]


def test_a_failed_build_changes_nothing(project: Project) -> None:
    project.deck()
    assert project.build().exit_code == 0
    before = project.snapshot()
    project.deck(MINIMAL_DECK.replace("speaker: Ada Lovelace", "speaker: [Ada]"))
    before["decks/episode.yaml"] = (project.decks / "episode.yaml").read_bytes()
    result = project.build()
    assert result.exit_code == 1
    assert project.snapshot() == before


def test_an_interrupted_build_changes_nothing_and_leaves_no_temporary_files(
    project: Project, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    project.deck()
    project.build()
    project.deck(MINIMAL_DECK.replace("rigorous analysis", "careful analysis"))
    before = project.snapshot()
    scratch = tmp_path / "tmpdir"
    scratch.mkdir()
    monkeypatch.setenv("TMPDIR", str(scratch))
    monkeypatch.setattr("tempfile.tempdir", None)

    def interrupted(source: str, target: str) -> None:
        raise KeyboardInterrupt

    monkeypatch.setattr(files.os, "replace", interrupted)
    result = project.build()
    assert result.exit_code == 130
    assert "interrupted" in result.output
    assert project.snapshot() == before
    assert list(scratch.iterdir()) == []


def test_no_temporary_files_after_a_build(
    project: Project, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    scratch = tmp_path / "tmpdir"
    scratch.mkdir()
    monkeypatch.setenv("TMPDIR", str(scratch))
    monkeypatch.setattr("tempfile.tempdir", None)
    project.deck()
    assert project.build().exit_code == 0
    assert list(scratch.iterdir()) == []
    assert sorted(p.name for p in project.dist.iterdir()) == ["test-deck.apkg"]
    assert sorted(p.name for p in project.decks.iterdir()) == ["episode.yaml", "podcards.lock"]


def test_usage_errors_exit_2(project: Project) -> None:
    result = project.build()
    assert result.exit_code == 2
    assert "no decks/ folder" in result.output or "no deck files" in result.output
    assert project.build("missing.yaml").exit_code == 2
    assert project.build("--no-such-option").exit_code == 2


def test_help_says_what_build_does(project: Project) -> None:
    result = project.run("build", "--help")
    assert result.exit_code == 0
    assert "Build one Anki package per deck file" in result.output
    assert "--allow-rename" in result.output


def test_python_dash_m_runs_the_cli() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "podcards", "--help"], capture_output=True, text=True, check=True
    )
    assert "build" in result.stdout


def test_shipped_decks_build(project: Project) -> None:
    for path in SHIPPED_DECKS.glob("*.yaml"):
        project.write(f"decks/{path.name}", path.read_text(encoding="utf-8"))
    result = project.build()
    assert result.exit_code == 0, result.output
    assert (project.dist / "all-in-elon-musk-2025.apkg").exists()


def test_two_notes_with_one_guid_are_refused_naming_both_places() -> None:
    def card(line: int) -> Card:
        fields = ("f", "b", "", "", "")
        return Card("a", "insight/x/cloze", "insight", "qa", fields, (), Location("d.yaml", line))

    decks = [
        BuiltDeck("a", "A", Location("a.yaml", 2), (card(5),)),
        BuiltDeck("a", "A", Location("b.yaml", 2), (card(9),)),
    ]
    with pytest.raises(PodcardsError) as caught:
        _refuse_shared_guids(decks)
    (message,) = caught.value.lines()
    assert message.startswith("d.yaml:9: ") and "at d.yaml:5" in message


def test_the_shipped_lock_is_current(project: Project) -> None:
    """A release commits the lock with the decks: building them must change nothing in it."""
    for path in SHIPPED_DECKS.iterdir():
        project.write(f"decks/{path.name}", path.read_text(encoding="utf-8"))
    assert project.lock.exists(), "commit decks/podcards.lock with the shipped decks"
    before = project.lock.read_bytes()
    result = project.build()
    assert result.exit_code == 0, result.output
    assert project.lock.read_bytes() == before, (
        "the shipped decks or templates changed without a release: run `podcards build` "
        "and commit decks/podcards.lock"
    )


def test_a_changed_deck_id_is_refused(project: Project) -> None:
    project.deck()
    assert project.build().exit_code == 0
    before = project.snapshot()
    project.deck(MINIMAL_DECK.replace("id: test-deck", "id: test-deck-v2"))
    before["decks/episode.yaml"] = (project.decks / "episode.yaml").read_bytes()
    result = project.build()
    assert result.exit_code == 1
    assert "deck 'test-deck-v2' is new, but its name" in result.output
    assert "learners would get each card twice" in result.output
    assert project.snapshot() == before
    assert project.build("--allow-rename").exit_code == 0


def test_a_restyle_is_reported(project: Project) -> None:
    project.deck()
    project.build()
    project.write("templates/notetype/style.css", ".card { color: teal; }\n")
    result = project.build()
    assert result.exit_code == 0
    assert "(9 notes, 9 cards; 0 new, 0 changed)" in result.output
    assert "note type 'podcards Q/A' has new templates or CSS" in result.output
    assert "note type 'podcards Cloze' has new templates or CSS" in result.output


def test_an_unwritable_output_folder_is_a_message_not_a_traceback(project: Project) -> None:
    project.deck()
    project.write("dist", "a file where the output folder should be\n")
    result = project.build("-o", "dist/anki")
    assert result.exit_code == 1
    assert result.output.startswith("dist/anki/test-deck.apkg: cannot write: ")
    assert not project.lock.exists()


def test_diff_shows_the_next_release_and_writes_nothing(project: Project) -> None:
    project.deck()
    project.build()
    assert "no changes" in project.run("diff").output
    edited = MINIMAL_DECK.replace("rigorous analysis", "careful analysis")
    edited = edited.replace("references:\n  - name: Difference Engine\n", "references:\n")
    edited = edited.replace("    text: Babbage's earlier calculator for polynomial tables.\n", "")
    edited = edited.replace("references:\n", "")
    edited += "  - name: Punched cards\n    text: Cards with holes that carry a program.\n"
    project.deck(edited)
    before = project.snapshot()
    result = project.run("diff")
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert "Podcasts::Test::Episode One (test-deck): 1 new, 1 changed, 1 retired, 7 unchanged" in (
        lines
    )
    # the whole text as the card reads, the phrase a cloze hides in brackets, word by word
    assert "  ~ habit/poetical-science/cloze" in lines
    assert (
        "      Text: {+[+}Combine{+]+} imagination with [-[rigorous]-]{+careful+} analysis."
    ) in lines
    assert (
        "  - reference/difference-engine/cloze (retired, tagged podcards::retired): "
        "[Babbage]'s earlier calculator for polynomial tables."
    ) in lines
    assert "  + habit/punched-cards/cloze: Cards with [holes] that carry a program." in lines
    assert project.snapshot() == before


def test_unicode_line_separators_in_text_survive_the_lock(project: Project) -> None:
    text = MINIMAL_DECK.replace(
        "text: Combine imagination with rigorous analysis.",
        'text: "Combine imagination with rigorous\\u2028analysis\\x85."',  # YAML escapes
    )
    project.deck(text)
    assert project.build().exit_code == 0
    second = project.build()
    assert second.exit_code == 0, second.output
    assert "0 new, 0 changed" in second.output


def test_hidden_files_and_folders_beside_the_decks_are_ignored(project: Project) -> None:
    project.deck()
    (project.decks / ".#episode.yaml").symlink_to("nowhere@host.1234")
    (project.decks / "old.yaml").mkdir()
    result = project.build()
    assert result.exit_code == 0, result.output


def test_one_file_named_twice_is_built_once(project: Project) -> None:
    path = project.deck()
    result = project.build(str(path), "decks/episode.yaml")
    assert result.exit_code == 0, result.output
    assert result.output.count("wrote ") == 1


def test_purging_what_was_never_released_is_a_usage_error(project: Project) -> None:
    project.deck()
    project.build()
    result = project.run("retire", "--purge", "quote/never")
    assert result.exit_code == 2
    assert "no released note matches 'quote/never'" in result.output


def test_a_renamed_item_gets_a_hint_to_keep_its_id(project: Project) -> None:
    project.deck()
    project.build()
    project.deck(MINIMAL_DECK.replace("  - name: Poetical science\n", "  - name: Poetic science\n"))
    warning = (
        "decks/episode.yaml:31: warning: habit/poetic-science is new and habit/poetical-science, "
        "whose text was alike, was retired: if it is the same item renamed, give it back "
        "`id: poetical-science`, or learners get it twice and lose its review history"
    )
    for command in ("check", "diff"):  # said before anything is released
        assert warning in project.run(command).output.splitlines(), command
    assert project.run("check", "--strict").exit_code == 1
    result = project.build()
    assert result.exit_code == 0
    assert warning in result.output.splitlines()


def test_notes_given_where_a_deck_file_belongs_point_to_ingest(project: Project) -> None:
    project.deck()
    project.write("notes.md", "# Notes\n\n- An idea.\n")
    result = project.run("check", "notes.md")
    assert result.exit_code == 2
    assert "notes.md is not a deck file (*.yaml)" in result.output
    assert "run: podcards ingest notes.md" in result.output


def test_a_deleted_deck_file_is_reported(project: Project) -> None:
    project.deck(name="a.yaml")
    project.deck(MINIMAL_DECK.replace("id: test-deck", "id: other").replace("One", "Two"), "b.yaml")
    assert project.build().exit_code == 0
    (project.decks / "b.yaml").unlink()
    for command in ("build", "diff"):
        result = project.run(command)
        assert result.exit_code == 0
        assert "warning: deck 'other' (Podcasts::Test::Episode Two) was released from here" in (
            result.output
        )
    # building one named file says nothing about the others
    assert "warning" not in project.build("decks/a.yaml").output
