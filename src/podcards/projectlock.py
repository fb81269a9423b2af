"""One writer at a time in a project: ``build``, ``retire --purge`` and ``ingest`` take turns.

Each reads what it is about to change (the lock, a deck file) and writes it back later;
two at once would lose one's change, as a purge lost to a build that had read the lock
before it. The project lock is ``.podcards-writer`` in the deck folder, holding the pid,
host and command of the writer. It is locked with ``flock``, which the system releases
when the process ends however it ends, so a lock left by a killed writer is simply taken
over. (Not to be confused with ``podcards.lock``, the record of what was released.)
"""

from __future__ import annotations

import contextlib
import os
import socket
import time
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path

from podcards.errors import Location, PodcardsError, Problem

try:
    import fcntl
except ImportError:  # Windows: an exclusively created file instead
    fcntl = None  # type: ignore[assignment]

LOCK_FILE = ".podcards-writer"
WAIT_SECONDS = 10.0


@contextlib.contextmanager
def project_lock(folder: Path, command: str, wait: float | None = None) -> Iterator[None]:
    """Hold the project lock of ``folder`` inside; wait a while for another writer first."""
    path = folder / LOCK_FILE
    wait = WAIT_SECONDS if wait is None else wait
    deadline = time.monotonic() + wait
    handle = None
    while handle is None:
        try:
            handle = _try_lock(path)
        except OSError as error:
            raise PodcardsError(
                [Problem(Location.of(path), f"cannot take the project lock: {error.strerror}")]
            ) from error
        if handle is None:
            if time.monotonic() >= deadline:
                raise PodcardsError([Problem(Location.of(path), _busy(path, wait))])
            time.sleep(0.05)
    try:
        stamp = datetime.now().astimezone().strftime("%Y-%m-%d %H:%M:%S")
        os.ftruncate(handle, 0)
        os.write(handle, f"{os.getpid()} {socket.gethostname()} {stamp} {command}\n".encode())
        yield
    finally:
        with contextlib.suppress(OSError):
            path.unlink()  # while still locked: the next writer makes a new one
        os.close(handle)


def _try_lock(path: Path) -> int | None:
    """An open, locked handle of the lock file, or None while another writer has it."""
    if fcntl is None:
        try:
            return os.open(path, os.O_RDWR | os.O_CREAT | os.O_EXCL, 0o644)
        except FileExistsError:
            return None
    handle = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
    try:
        fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        os.close(handle)
        return None
    except OSError:
        os.close(handle)
        raise
    try:
        same = os.fstat(handle).st_ino == os.stat(path).st_ino
    except FileNotFoundError:
        same = False
    if not same:  # the writer before deleted it as we opened it: try the new one
        os.close(handle)
        return None
    return handle


def _busy(path: Path, waited: float) -> str:
    try:
        holder = path.read_text(encoding="utf-8", errors="replace").split(maxsplit=4)
    except OSError:
        holder = []
    if len(holder) == 5:
        pid, host, day, hour, command = holder
        who = f"'{command.strip()}' (pid {pid} on {host}, since {day} {hour})"
    else:
        who = "another podcards command"
    stale = "" if fcntl is not None else "; if no podcards command runs, delete this file"
    return (
        f"{who} is changing this project; waited {waited:g} s for it to finish. Try again "
        f"when it is done{stale}"
    )
