"""Writing a release whole or not at all: every package and the lock, or nothing.

A release is several files (one package per deck, and the lock), and no file system
replaces several files at once. So the writer keeps an undo journal:

1. it writes every new file to a temporary beside its target, and hard-links each file it
   will replace to a backup beside it (nothing is replaced yet);
2. it records, in ``.podcards-journal`` in the project's deck folder, each target with its
   temporary and backup (written to a temporary, synced, then renamed: the journal is
   whole or absent);
3. it moves the temporaries into place, one rename each, and syncs the folders;
4. it deletes the journal: the release has happened. Then it deletes the backups.

Ctrl-C, SIGTERM and SIGHUP are held from step 1 to 4 and acted on between steps: before
step 4 the writer undoes what it did (the backups go back, new files go away) and says
"nothing was changed"; after it, the release is complete. A write error is undone the same
way. Only what no program can catch (SIGKILL, a power cut) can stop the writer part way:
then the journal is still there, and the next podcards command in the project undoes the
moves from it (``recover``) before doing anything else. Temporaries and backups are named
``.<target>.podcards-<pid>-<n>.new`` and ``.old``; those of a process that no longer runs
are removed (``sweep``).
"""

from __future__ import annotations

import contextlib
import errno
import itertools
import json
import os
import shutil
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

from podcards.errors import Location, PodcardsError, Problem
from podcards.interrupts import Held, held

JOURNAL_NAME = ".podcards-journal"
_MARK = ".podcards-"
_counter = itertools.count()

Fault = Callable[[str], None]
_fault: Fault | None = None
"""A test seam: called with the name of every step of a write, before the step is taken."""

_written: list[Path] = []
"""Every file this process has put in place, in order, so that a message can say so."""


def written_count() -> int:
    return len(_written)


def written_since(count: int) -> list[Path]:
    return _written[count:]


@dataclass(frozen=True)
class _Entry:
    target: Path
    temporary: Path
    backup: Path
    existed: bool

    def as_json(self) -> dict[str, object]:
        return {
            "target": str(self.target),
            "new": str(self.temporary),
            "old": str(self.backup),
            "existed": self.existed,
        }


def write_together(outputs: list[tuple[Path, bytes]], journal: Path | None = None) -> None:
    """Put every file in place, or none of them; a file system error becomes a message.

    ``journal`` is where the undo journal goes (default: beside the first file); the next
    run looks for it there. A signal held during the write is raised once the files are
    either all in place or all as they were.
    """
    if not outputs:
        return
    journal = journal or outputs[0][0].parent / JOURNAL_NAME
    with held() as signals:
        _Write(outputs, journal, signals).run()


class _Write:
    def __init__(self, outputs: list[tuple[Path, bytes]], journal: Path, signals: Held) -> None:
        self.outputs = outputs
        self.journal = journal
        self.signals = signals
        self.entries: list[_Entry] = []
        self.made: list[Path] = []  # temporaries and backups that exist
        self.moved: list[_Entry] = []
        self.folders: list[Path] = []  # folders this write created
        self.journaled = False

    def step(self, name: str) -> None:
        if _fault is not None:
            _fault(name)
        self.signals.check()

    def run(self) -> None:
        recover(self.journal)  # never write over the journal of a write a crash stopped
        for folder in dict.fromkeys(target.parent for target, _ in self.outputs):
            sweep(folder)
        current = self.outputs[0][0]
        try:
            for current, _ in self.outputs:
                self.check_target(current)
            for current, data in self.outputs:
                self.prepare(current, data)
            current = self.journal
            self.write_journal()
            for entry in self.entries:
                current = entry.target
                self.move(entry)
            current = self.journal
            self.step("sync")
            for folder in dict.fromkeys(entry.target.parent for entry in self.entries):
                _sync_folder(folder)
            self.step("commit")
            self.journal.unlink()
            _sync_folder(self.journal.parent)
            if _fault is not None:
                _fault("clean")  # the release is in place: a signal now waits until the end
        except (OSError, KeyboardInterrupt) as error:
            undone = self.undo()
            if isinstance(error, KeyboardInterrupt):
                raise
            reason = error.strerror or str(error)
            if not undone:
                raise PodcardsError(
                    [
                        Problem(Location.of(current), f"cannot write: {reason}"),
                        Problem(
                            Location.of(self.journal),
                            "putting the earlier files back failed too; run the command again "
                            "to restore them from this journal",
                        ),
                    ]
                ) from error
            raise PodcardsError(
                [Problem(Location.of(current), f"cannot write: {reason}; nothing was changed")]
            ) from error
        _written.extend(entry.target for entry in self.entries)
        for path in self.made:  # the backups; the release is in place, these are spare
            with contextlib.suppress(OSError):
                path.unlink()

    def check_target(self, target: Path) -> None:
        self.step(f"check {target}")
        if target.is_dir():
            raise IsADirectoryError(errno.EISDIR, "it is a folder", str(target))
        missing = [folder for folder in (target.parent, *target.parent.parents)]
        for folder in reversed(missing):
            if not folder.exists():
                folder.mkdir()
                self.folders.append(folder)

    def prepare(self, target: Path, data: bytes) -> None:
        """The new file beside its target, and a backup of the old one; nothing replaced."""
        token = f"{os.getpid()}-{next(_counter)}"
        entry = _Entry(
            target,
            target.with_name(f".{target.name}{_MARK}{token}.new"),
            target.with_name(f".{target.name}{_MARK}{token}.old"),
            os.path.lexists(target),
        )
        self.entries.append(entry)
        self.step(f"write {target}")
        handle = os.open(entry.temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o644)
        self.made.append(entry.temporary)
        try:
            view = memoryview(data)
            while view:
                view = view[os.write(handle, view) :]
            os.fsync(handle)
        finally:
            os.close(handle)
        os.chmod(entry.temporary, 0o644)  # outputs are for sharing, whatever the umask
        if entry.existed:
            self.step(f"keep {target}")
            try:
                os.link(entry.target, entry.backup)
            except OSError:  # a file system without hard links: a copy does
                shutil.copy2(entry.target, entry.backup, follow_symlinks=False)
            self.made.append(entry.backup)

    def write_journal(self) -> None:
        self.step("journal")
        self.journal.parent.mkdir(parents=True, exist_ok=True)
        text = json.dumps(
            {"pid": os.getpid(), "files": [entry.as_json() for entry in self.entries]},
            ensure_ascii=False,
        )
        temporary = self.journal.with_name(f"{self.journal.name}{_MARK}{os.getpid()}.new")
        try:
            with open(temporary, "w", encoding="utf-8") as stream:
                stream.write(text + "\n")
                stream.flush()
                os.fsync(stream.fileno())
            os.replace(temporary, self.journal)
        finally:
            temporary.unlink(missing_ok=True)
        self.journaled = True
        _sync_folder(self.journal.parent)

    def move(self, entry: _Entry) -> None:
        self.step(f"move {entry.target}")
        os.replace(entry.temporary, entry.target)
        self.made.remove(entry.temporary)
        self.moved.append(entry)

    def undo(self) -> bool:
        """Everything back as it was; False when that failed (the journal then stays)."""
        try:
            for entry in reversed(self.moved):
                if entry.existed:
                    _put_back(entry.backup, entry.target)
                    self.made.remove(entry.backup)
                else:
                    entry.target.unlink()
            for path in self.made:
                path.unlink(missing_ok=True)
            for folder in reversed(self.folders):
                with contextlib.suppress(OSError):
                    folder.rmdir()  # only when empty
            if self.journaled:
                self.journal.unlink(missing_ok=True)
        except OSError:
            return False
        return True


def _put_back(backup: Path, target: Path) -> bool:
    """The backup in place of the target; False when the target is still the backup.

    A backup is a hard link, and renaming a file over another name of the same file does
    nothing at all (POSIX): the spare name then just goes.
    """
    try:
        kept, now = os.lstat(backup), os.lstat(target)
        same = (kept.st_dev, kept.st_ino) == (now.st_dev, now.st_ino)
    except FileNotFoundError:
        same = False
    if same:
        backup.unlink()
        return False
    os.replace(backup, target)
    return True


def _sync_folder(folder: Path) -> None:
    """Make the renames in a folder survive a power cut (where the system allows it)."""
    try:
        handle = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(handle)
    except OSError:
        pass  # not every system can sync a folder
    finally:
        os.close(handle)


def refuse_podcards_files(path: Path, what: str) -> None:
    """Never let ``what`` (an export, say) replace a lock, a package or a deck file."""
    name = path.name
    if name == "podcards.lock" or name.startswith(".podcards-"):
        problem = "is podcards' own record"
    elif path.suffix in (".apkg", ".yaml", ".yml"):
        problem = "is a package or a deck file"
    else:
        return
    raise PodcardsError(
        [Problem(Location.of(path), f"{problem}: {what} never replaces it; nothing was written")]
    )


def write_text(path: Path, text: str, journal: Path | None = None) -> None:
    write_together([(path, text.encode("utf-8"))], journal)


# -- after a crash ------------------------------------------------------------------------


def recover(journal: Path) -> list[Path]:
    """Undo a write that a crash stopped part way; the files it put back.

    Call it holding the project lock, before reading anything the write changed.
    """
    if not journal.exists():
        return []
    try:
        entries = [
            _Entry(Path(e["target"]), Path(e["new"]), Path(e["old"]), bool(e["existed"]))
            for e in json.loads(journal.read_text(encoding="utf-8"))["files"]
        ]
    except (OSError, ValueError, KeyError, TypeError) as error:
        raise PodcardsError(
            [
                Problem(
                    Location.of(journal),
                    f"an interrupted write left this journal, and it cannot be read ({error}); "
                    "check the files it names, then delete it",
                )
            ]
        ) from error
    restored = []
    try:
        with held():
            for entry in entries:
                if os.path.lexists(entry.backup):
                    if _put_back(entry.backup, entry.target):
                        restored.append(entry.target)
                elif not entry.existed and entry.target.exists() and not entry.temporary.exists():
                    entry.target.unlink()  # it was moved in, and nothing was there before
                    restored.append(entry.target)
                entry.temporary.unlink(missing_ok=True)
            for folder in dict.fromkeys(entry.target.parent for entry in entries):
                _sync_folder(folder)
            journal.unlink()
            _sync_folder(journal.parent)
    except OSError as error:
        raise PodcardsError(
            [
                Problem(
                    Location.of(journal),
                    f"cannot undo the interrupted write this journal records: "
                    f"{error.strerror or error}",
                )
            ]
        ) from error
    return restored


def sweep(folder: Path) -> None:
    """Remove temporaries and backups left by podcards processes that no longer run."""
    try:
        names = [entry.name for entry in os.scandir(folder)]
    except OSError:
        return
    for name in names:
        if _MARK not in name or not name.endswith((".new", ".old")):
            continue
        pid = name.rsplit(_MARK, 1)[1].split("-", 1)[0].split(".", 1)[0]
        if pid.isascii() and pid.isdigit() and not _running(int(pid)):
            with contextlib.suppress(OSError):
                (folder / name).unlink()


def _running(pid: int) -> bool:
    if pid == os.getpid():
        return True
    if os.name != "posix":
        return True  # no safe way to ask: keep the file
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except OSError:
        return True
    return True


@contextlib.contextmanager
def faults(fault: Fault) -> Iterator[None]:
    """A test seam: ``fault`` is called with the name of every step of every write inside."""
    global _fault
    previous, _fault = _fault, fault
    try:
        yield
    finally:
        _fault = previous
