"""Faults at every step of a release: all of it is written, or nothing is changed.

The writer calls a test seam (``files.faults``) before each of its steps; a fault there fails
the step (a full disk), sends a real signal (SIGINT, SIGTERM, SIGHUP) or stops the process
dead as SIGKILL or a power cut would. After each, the files are either all as they were or
all as the release made them, the message says which, and no temporary file is left.
"""

from __future__ import annotations

import errno
import json
import os
import signal
import subprocess
import sys
import textwrap
from collections.abc import Callable
from pathlib import Path

import pytest

from podcards import files, projectlock
from podcards.errors import PodcardsError
from podcards.files import JOURNAL_NAME, recover, write_together
from podcards.interrupts import Interrupted
from podcards.projectlock import project_lock

from conftest import MINIMAL_DECK, Project, time_limit


class Crash(BaseException):
    """What SIGKILL or a power cut does to a writer: it stops, and nothing of it runs."""


def at_step(number: int, action: Callable[[], None]) -> Callable[[str], None]:
    steps = iter(range(10**6))

    def fault(name: str) -> None:
        if next(steps) == number:
            action()

    return fault


def full_disk() -> None:
    raise OSError(errno.ENOSPC, "No space left on device")


def send(signum: int) -> Callable[[], None]:
    return lambda: os.kill(os.getpid(), signum)


def crash() -> None:
    raise Crash


def snapshot(root: Path) -> dict[str, bytes]:
    return {
        str(path.relative_to(root)): path.read_bytes()
        for path in sorted(root.rglob("*"))
        if path.is_file()
    }


# -- the writer alone: every step, every fault ------------------------------------------------


def old_and_new(root: Path) -> list[tuple[Path, bytes]]:
    """Three files to replace (two packages and a lock) and one that is new."""
    for name in ("dist/a.apkg", "dist/b.apkg", "decks/podcards.lock"):
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_bytes(b"old " + name.encode())
    names = ("dist/a.apkg", "dist/b.apkg", "dist/c.apkg", "decks/podcards.lock")
    return [(root / name, b"new " + name.encode()) for name in names]


def steps_of_a_write(tmp_path: Path) -> list[str]:
    root = tmp_path / "count"
    outputs = old_and_new(root)
    names: list[str] = []
    with files.faults(names.append):
        write_together(outputs, root / "decks" / JOURNAL_NAME)
    return names


def test_a_write_has_the_steps_the_tests_below_go_through(tmp_path: Path) -> None:
    names = steps_of_a_write(tmp_path)
    assert [name.split()[0] for name in names] == [
        *["check"] * 4,
        *["write", "keep"] * 2,
        "write",
        "write",
        "keep",
        "journal",
        *["move"] * 4,
        "sync",
        "commit",
        "clean",
    ]


@pytest.mark.parametrize("fault", ["full disk", "SIGINT", "SIGTERM", "SIGHUP"])
def test_a_fault_at_any_step_changes_nothing(tmp_path: Path, fault: str) -> None:
    for number, name in enumerate(steps_of_a_write(tmp_path)[:-1]):  # up to the commit
        root = tmp_path / f"step-{number}"
        outputs = old_and_new(root)
        before = snapshot(root)
        journal = root / "decks" / JOURNAL_NAME
        if fault == "full disk":
            refused = pytest.raises(
                PodcardsError, match="space left on device; nothing was changed"
            )
            with refused, files.faults(at_step(number, full_disk)):
                write_together(outputs, journal)
        else:
            signum = signal.Signals[fault]
            with pytest.raises(Interrupted) as raised, files.faults(at_step(number, send(signum))):
                write_together(outputs, journal)
            assert raised.value.signum == signum, name
        assert snapshot(root) == before, name


def test_a_signal_after_the_commit_leaves_the_release_complete(tmp_path: Path) -> None:
    root = tmp_path / "late"
    outputs = old_and_new(root)
    count = files.written_count()

    def after_commit(name: str) -> None:
        if name == "clean":
            os.kill(os.getpid(), signal.SIGTERM)  # held: acted on once the write is done

    with pytest.raises(Interrupted), files.faults(after_commit):
        write_together(outputs, root / "decks" / JOURNAL_NAME)
    assert [path.read_bytes() for path, _ in outputs] == [data for _, data in outputs]
    assert files.written_since(count) == [path for path, _ in outputs]
    assert sorted(p.name for p in (root / "dist").iterdir()) == ["a.apkg", "b.apkg", "c.apkg"]


def test_a_crash_at_any_step_is_undone_by_the_next_run(tmp_path: Path) -> None:
    for number, name in enumerate(steps_of_a_write(tmp_path)):
        root = tmp_path / f"crash-{number}"
        outputs = old_and_new(root)
        before = snapshot(root)
        journal = root / "decks" / JOURNAL_NAME
        with pytest.raises(Crash), files.faults(at_step(number, crash)):
            write_together(outputs, journal)
        recover(journal)
        for folder in (root / "dist", root / "decks"):
            files.sweep(folder)
        after = snapshot(root)
        # leftovers of the crashed process are removed only once it no longer runs: here
        # it is this very process, so they are named apart from the release's own files
        leftovers = {k for k in after if ".podcards-" in k}
        kept = {k: v for k, v in after.items() if k not in leftovers}
        if name == "clean":  # the journal was gone: the release had happened
            assert kept == {str(p.relative_to(root)): data for p, data in outputs}, name
        else:
            assert kept == before, name
        assert not journal.exists(), name


def test_leftovers_of_a_dead_process_are_swept(tmp_path: Path) -> None:
    dead = subprocess.run(
        [sys.executable, "-c", "import os; print(os.getpid())"],
        capture_output=True,
        text=True,
        check=True,
    )
    pid = int(dead.stdout)
    folder = tmp_path / "dist"
    folder.mkdir()
    stale = [folder / f".a.apkg.podcards-{pid}-0.new", folder / f".a.apkg.podcards-{pid}-1.old"]
    mine = folder / f".b.apkg.podcards-{os.getpid()}-9.new"
    for path in [*stale, mine]:
        path.write_bytes(b"x")
    files.sweep(folder)
    assert sorted(folder.iterdir()) == [mine]


def test_a_target_that_is_a_folder_stops_the_write_before_anything(tmp_path: Path) -> None:
    root = tmp_path / "p"
    outputs = old_and_new(root)
    (root / "dist" / "c.apkg").mkdir()
    before = snapshot(root)
    with pytest.raises(Exception, match="cannot write: it is a folder; nothing was changed"):
        write_together(outputs, root / "decks" / JOURNAL_NAME)
    assert snapshot(root) == before
    assert (root / "dist" / "c.apkg").is_dir()


# -- the command line: a real build, faults at the moves --------------------------------------


def two_deck_project(root: Path) -> Project:
    project = Project(root)
    project.deck()
    project.deck(
        MINIMAL_DECK.replace("id: test-deck", "id: other-deck").replace(
            'Episode One"', 'Episode Two"'
        ),
        name="other.yaml",
    )
    assert project.build().exit_code == 0
    project.deck(MINIMAL_DECK.replace("rigorous analysis", "careful analysis"))
    project.deck(
        MINIMAL_DECK.replace("id: test-deck", "id: other-deck")
        .replace('Episode One"', 'Episode Two"')
        .replace("rigorous", "exact"),
        name="other.yaml",
    )
    return project


@pytest.mark.parametrize(
    ("fault", "status", "message"),
    [
        (full_disk, 1, ".apkg: cannot write: No space left on device; nothing was changed"),
        (send(signal.SIGINT), 130, "interrupted: nothing was changed"),
        (send(signal.SIGTERM), 143, "interrupted: nothing was changed"),
        (send(signal.SIGHUP), 129, "interrupted: nothing was changed"),
    ],
    ids=["full disk", "SIGINT", "SIGTERM", "SIGHUP"],
)
def test_a_build_stopped_between_two_moves_changes_nothing(
    tmp_path: Path, fault: Callable[[], None], status: int, message: str
) -> None:
    project = two_deck_project(tmp_path / "project")
    before = project.snapshot()
    moves = iter(range(100))

    def second_move(name: str) -> None:
        if name.startswith("move") and next(moves) == 1:
            fault()

    with files.faults(second_move), time_limit(20):
        result = project.build()
    assert result.exit_code == status, result.output
    assert any(line.endswith(message) for line in result.output.splitlines()), result.output
    assert project.snapshot() == before


@pytest.mark.parametrize(
    "phase", ["load_decks", "Renderer", "read_lock", "plan_release", "package_bytes"]
)
def test_ctrl_c_in_any_phase_of_a_build_changes_nothing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, phase: str
) -> None:
    import podcards.build as build_module

    project = two_deck_project(tmp_path / "project")
    before = project.snapshot()
    original = getattr(build_module, phase)

    def interrupted(*args: object, **kwargs: object) -> object:
        os.kill(os.getpid(), signal.SIGTERM)
        return original(*args, **kwargs)

    monkeypatch.setattr(build_module, phase, interrupted)
    result = project.build()
    assert result.exit_code == 143, result.output
    assert "interrupted: nothing was changed" in result.output.splitlines()
    assert project.snapshot() == before


def test_a_build_killed_between_two_moves_is_undone_by_the_next_command(tmp_path: Path) -> None:
    """SIGKILL for real, in another process: no handler runs; the journal is left."""
    project = two_deck_project(tmp_path / "project")
    before = project.snapshot()
    script = textwrap.dedent(
        """
        import os, signal, sys
        from podcards import files
        from podcards.cli import main
        moves = iter(range(100))
        def kill(name):
            if name.startswith("move") and next(moves) == 1:
                os.kill(os.getpid(), signal.SIGKILL)
        files._fault = kill
        main(["build"])
        """
    )
    killed = subprocess.run([sys.executable, "-c", script], cwd=project.root, check=False)
    assert killed.returncode == -signal.SIGKILL
    assert (project.decks / JOURNAL_NAME).exists()
    assert project.snapshot() != before  # half moved: what the journal is for

    result = project.run("diff")
    assert result.exit_code == 0, result.output
    assert any(
        line.startswith(
            "warning: an earlier write was stopped part way (killed?); put back as they were "
            "before it: dist/"
        )
        for line in result.output.splitlines()
    ), result.output
    assert project.snapshot() == before
    result = project.build()
    assert result.exit_code == 0, result.output
    assert not [p for p in project.root.rglob("*") if ".podcards-" in p.name]


# -- one writer at a time ----------------------------------------------------------------------


def test_a_second_writer_says_who_is_writing(
    project: Project, monkeypatch: pytest.MonkeyPatch
) -> None:
    project.deck()
    assert project.build().exit_code == 0
    monkeypatch.setattr(projectlock, "WAIT_SECONDS", 0.2)
    before = project.snapshot()
    with project_lock(project.decks, "podcards build"):
        result = project.run("retire", "--purge", "quote/x")
    assert result.exit_code == 1
    line = result.output.splitlines()[0]
    assert line.startswith(f"decks/.podcards-writer: 'podcards build' (pid {os.getpid()} on ")
    assert line.endswith(
        "is changing this project; waited 0.2 s for it to finish. Try again when it is done"
    )
    assert project.snapshot() == before


def test_a_lock_left_by_a_dead_writer_is_taken_over(project: Project) -> None:
    project.deck()
    (project.decks / ".podcards-writer").write_text(
        "999999 host 2020-01-01 10:00:00 podcards build\n"
    )
    result = project.build()
    assert result.exit_code == 0, result.output
    assert not (project.decks / ".podcards-writer").exists()


def test_a_purge_during_a_build_is_not_lost(project: Project) -> None:
    """The build reads the lock, takes its time, writes: the purge waits, then rereads."""
    project.deck(MINIMAL_DECK + "cards:\n  - id: old\n    front: Old?\n    back: Old.\n")
    assert project.build().exit_code == 0
    project.deck()  # the card is removed: the next build retires it
    assert project.build().exit_code == 0
    project.deck(MINIMAL_DECK.replace("rigorous analysis", "careful analysis"))
    script = textwrap.dedent(
        """
        import sys, time
        import podcards.build as build
        from podcards.cli import main
        plan = build.plan
        def slow_plan(*args, **kwargs):
            planned = plan(*args, **kwargs)
            open("planned", "w").close()
            time.sleep(1.5)
            return planned
        build.plan = slow_plan
        main(["build"])
        """
    )
    slow = subprocess.Popen([sys.executable, "-c", script], cwd=project.root)
    try:
        with time_limit(20):
            while not (project.root / "planned").exists():
                assert slow.poll() is None, "the build ended early"
            result = project.run("retire", "--purge", "card/old")
    finally:
        assert slow.wait(timeout=20) == 0
    assert result.exit_code == 0, result.output
    lock = project.lock.read_text(encoding="utf-8")
    entries = [json.loads(line) for line in lock.splitlines() if line.startswith('{"note"')]
    old = [entry for entry in entries if entry["key"].startswith("card/old/")]
    assert old and all(entry.get("purged") for entry in old)  # the purge is kept
    assert "careful analysis" in lock  # and so is the build's release


# -- what the build writes is never what ingest overwrites -------------------------------------


def test_old_journal_without_files_is_only_removed(tmp_path: Path) -> None:
    journal = tmp_path / JOURNAL_NAME
    journal.write_text('{"pid": 1, "files": []}\n')
    assert recover(journal) == []
    assert not journal.exists()


def test_a_journal_that_cannot_be_read_is_a_message(project: Project) -> None:
    project.deck()
    (project.decks / JOURNAL_NAME).write_text("{not json")
    result = project.build()
    assert result.exit_code == 1
    assert result.output.startswith(
        "decks/.podcards-journal: an interrupted write left this journal, and it cannot be read ("
    )
