"""Ctrl-C, SIGTERM and SIGHUP: an exception where work can stop, held where it cannot.

By default SIGTERM and SIGHUP end Python at once, with no ``finally`` run, so temporary
files stay behind and a release may be half moved into place. ``as_exceptions`` turns
them into ``Interrupted`` (a ``KeyboardInterrupt``, as Ctrl-C is) for a whole command;
``held`` keeps any of the three waiting while files are moved, until the writer is at a
point where it can stop with everything as it was, or as it is to be.
"""

from __future__ import annotations

import contextlib
import signal
import threading
from collections.abc import Iterator
from types import FrameType

SIGNALS = tuple(
    getattr(signal, name) for name in ("SIGINT", "SIGTERM", "SIGHUP") if hasattr(signal, name)
)


class Interrupted(KeyboardInterrupt):
    """A signal asked the command to stop; ``signum`` says which (the exit status is 128+)."""

    def __init__(self, signum: int = signal.SIGINT) -> None:
        super().__init__(signal.Signals(signum).name)
        self.signum = signum


def signal_number(error: KeyboardInterrupt) -> int:
    return error.signum if isinstance(error, Interrupted) else signal.SIGINT


def _raise(signum: int, frame: FrameType | None) -> None:
    raise Interrupted(signum)


def _can_handle_signals() -> bool:
    return threading.current_thread() is threading.main_thread()


@contextlib.contextmanager
def as_exceptions() -> Iterator[None]:
    """Inside: each of the signals raises ``Interrupted``, so cleanups run."""
    if not _can_handle_signals():
        yield
        return
    previous = {signum: signal.signal(signum, _raise) for signum in SIGNALS}
    try:
        yield
    finally:
        for signum, handler in previous.items():
            signal.signal(signum, handler)


class Held:
    """The signals received while held, in order; ``check`` raises for the first."""

    def __init__(self) -> None:
        self.received: list[int] = []

    def check(self) -> None:
        if self.received:
            raise Interrupted(self.received[0])


@contextlib.contextmanager
def held() -> Iterator[Held]:
    """Inside: the signals only note that they came; the holder decides when to stop.

    On leaving, the handlers before are back; a signal that came and was not acted on is
    raised then, as ``Interrupted``.
    """
    holder = Held()
    if not _can_handle_signals():
        yield holder
        return

    def note(signum: int, frame: FrameType | None) -> None:
        holder.received.append(signum)

    previous = {signum: signal.signal(signum, note) for signum in SIGNALS}
    try:
        yield holder
    finally:
        for signum, handler in previous.items():
            signal.signal(signum, handler)
    holder.check()
