"""The lock file: what has been released, one JSON line per deck, note type and note, sorted.

A note's ``mod`` moves only when it goes out changed (or re-sent: see ``release.resent``),
because Anki updates a note only when the package's ``mod`` is strictly newer, and replaces
the learner's tags when it does. The times of the last few releases, and of each note's
last change, retirement and purge, are kept so that a release can say what it does.
Reading it never ends in a traceback: a damaged lock is a ``path:line`` message.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from podcards.clock import LATEST_TIME
from podcards.deck import NoteKind
from podcards.errors import Location, PodcardsError, Problem

LOCK_NAME = "podcards.lock"
LOCK_VERSION = 1
MAX_LOCK_BYTES = 256 * 1024 * 1024
_HEADER = (
    "# podcards.lock: what has been released. Commit it with the deck files.\n"
    "# `podcards build` keeps it; one line per note, deck and note type, sorted.\n"
)


@dataclass(frozen=True)
class LockedNote:
    guid: str
    deck_id: str
    key: str
    notetype: NoteKind
    fields: tuple[str, ...]
    tags: tuple[str, ...]
    mod: int
    nid: int = 0  # Anki's note id: the time of its first release, in ms, made unique
    pos: int = 0  # its place in the order a learner meets new cards, for good
    retired: int = 0  # the release that retired it; 0 while it is in a deck file
    purged: int = 0  # when it stopped shipping (its GUID is kept, never reused); 0 shipped
    changed: int = 0  # the release its content last changed in (retiring it included)
    changes: int = 0  # how many releases changed its content after its first

    @property
    def digest(self) -> str:
        return note_digest(self.notetype, self.fields, self.tags)

    @property
    def item(self) -> str:
        """``habit/first-principles`` of the note key ``habit/first-principles/describe``."""
        return self.key.rsplit("/", 1)[0]


@dataclass(frozen=True)
class LockedNoteType:
    kind: NoteKind
    schema: str
    look: str
    mod: int


@dataclass(frozen=True)
class Lock:
    decks: dict[str, str] = field(default_factory=dict)  # deck id -> Anki deck name
    notetypes: dict[NoteKind, LockedNoteType] = field(default_factory=dict)
    notes: dict[str, LockedNote] = field(default_factory=dict)  # by GUID
    releases: list[int] = field(default_factory=list)  # the last few releases' times, in order

    @property
    def latest_time(self) -> int:
        """The newest time the lock holds: a new release must be later than all of them."""
        times = [*self.releases, *(notetype.mod for notetype in self.notetypes.values())]
        for note in self.notes.values():
            times += [note.mod, note.retired, note.purged, note.changed]
        return max(times, default=0)

    @property
    def last_release(self) -> int:
        """The time of the last release (in a lock older than the record of releases, the
        newest ``mod`` it holds); 0 before the first."""
        if self.releases:
            return self.releases[-1]
        mods = [n.mod for n in self.notes.values()] + [t.mod for t in self.notetypes.values()]
        return max(mods, default=0)


def note_digest(notetype: str, fields: tuple[str, ...], tags: tuple[str, ...]) -> str:
    payload = json.dumps([str(notetype), list(fields), list(tags)], ensure_ascii=False)
    return hashlib.sha256(payload.encode("utf-8")).hexdigest()[:16]


class _Damaged(ValueError):
    """One lock entry that cannot be read, and what is wrong with it."""


def read_lock(path: Path) -> Lock:
    """The lock at ``path``; an empty one when the project has released nothing yet."""
    if not path.exists() and not path.is_symlink():
        return Lock()
    restore = "restore the file from git rather than editing it by hand"
    try:
        if path.is_dir():
            raise PodcardsError([Problem(Location.of(path), "is a folder, not a lock file")])
        if not path.is_file():  # a device or a pipe would never end, or never begin
            raise PodcardsError([Problem(Location.of(path), "is not a file, not a lock file")])
        with path.open("rb") as stream:
            raw = stream.read(MAX_LOCK_BYTES + 1)
    except OSError as error:
        reason = error.strerror or str(error)
        raise PodcardsError([Problem(Location.of(path), f"cannot read: {reason}")]) from error
    if len(raw) > MAX_LOCK_BYTES:
        raise PodcardsError([Problem(Location.of(path), "is too large to be a lock file")])
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as error:
        bad_line = raw[: error.start].count(b"\n") + 1
        raise PodcardsError(
            [Problem(Location.of(path, bad_line), f"the lock is not UTF-8 text; {restore}")]
        ) from None
    lock = Lock()
    problems: list[Problem] = []
    # split("\n"), not splitlines(): a text may hold U+2028 and the like, written raw
    for number, line in enumerate(text.split("\n"), start=1):
        if not line.strip() or line.startswith("#"):
            continue
        try:
            entry = json.loads(line)
            if not isinstance(entry, dict):
                raise _Damaged("not a JSON object")
            _read_entry(lock, entry)
        except (_Damaged, ValueError, RecursionError) as error:
            problems.append(
                Problem(Location.of(path, number), f"unreadable lock entry: {error}; {restore}")
            )
    if problems:
        raise PodcardsError(problems)
    return lock


def _get(
    entry: dict[str, Any], name: str, kind: type, *, default: Any = None, limit: int = LATEST_TIME
) -> Any:
    if name not in entry:
        if default is not None:
            return default
        raise _Damaged(f"it has no '{name}'")
    value = entry[name]
    if kind is int and (not isinstance(value, int) or isinstance(value, bool)):
        raise _Damaged(f"'{name}' is not a whole number")
    if kind is int and not 0 <= value <= limit:
        raise _Damaged(f"'{name}' is out of range")
    if kind is str and not isinstance(value, str):
        raise _Damaged(f"'{name}' is not text")
    if kind is bool and not isinstance(value, bool):
        raise _Damaged(f"'{name}' is not true or false")
    if kind is list and not (isinstance(value, list) and all(isinstance(v, str) for v in value)):
        raise _Damaged(f"'{name}' is not a list of texts")
    return value


def _note_kind(value: str) -> NoteKind:
    try:
        return NoteKind(value)
    except ValueError:
        known = ", ".join(kind.value for kind in NoteKind)
        raise _Damaged(f"unknown note type '{value[:40]}' (known: {known})") from None


def _read_entry(lock: Lock, entry: dict[str, Any]) -> None:
    readers: dict[str, Callable[[Lock, dict[str, Any]], None]] = {
        "version": _read_version,
        "notetype": _read_notetype,
        "note": _read_note,
        "deck": _read_deck,
        "releases": _read_releases,
    }
    for name, reader in readers.items():
        if name in entry:
            reader(lock, entry)
            return
    raise _Damaged("unknown kind of entry")


def _read_version(lock: Lock, entry: dict[str, Any]) -> None:
    if entry["version"] != LOCK_VERSION or isinstance(entry["version"], bool):
        raise _Damaged(f"lock version {str(entry['version'])[:20]} is not {LOCK_VERSION}")


def _read_deck(lock: Lock, entry: dict[str, Any]) -> None:
    lock.decks[_get(entry, "deck", str)] = _get(entry, "name", str)


def _read_releases(lock: Lock, entry: dict[str, Any]) -> None:
    times = entry["releases"]
    if not isinstance(times, list) or not all(
        isinstance(t, int) and not isinstance(t, bool) and 0 < t <= LATEST_TIME for t in times
    ):
        raise _Damaged("'releases' is not a list of times")
    lock.releases[:] = times


def _read_notetype(lock: Lock, entry: dict[str, Any]) -> None:
    kind = _note_kind(_get(entry, "notetype", str))
    lock.notetypes[kind] = LockedNoteType(
        kind, _get(entry, "schema", str), _get(entry, "look", str), _get(entry, "mod", int)
    )


def _read_note(lock: Lock, entry: dict[str, Any]) -> None:
    note = LockedNote(
        guid=_get(entry, "note", str),
        deck_id=_get(entry, "deck", str),
        key=_get(entry, "key", str),
        notetype=_note_kind(_get(entry, "type", str)),
        fields=tuple(_get(entry, "fields", list)),
        tags=tuple(_get(entry, "tags", list)),
        mod=_get(entry, "mod", int),
        nid=_get(entry, "nid", int, default=0, limit=LATEST_TIME * 1000),
        pos=_get(entry, "pos", int, default=0),
        retired=_time_or_flag(entry, "retired", when_true=_get(entry, "mod", int)),
        purged=_time_or_flag(entry, "purged", when_true=1),
        changed=_get(entry, "changed", int, default=0),
        changes=_get(entry, "changes", int, default=0),
    )
    if note.digest != entry.get("hash"):
        raise _Damaged("its hash does not match its fields")
    lock.notes[note.guid] = note


def _time_or_flag(entry: dict[str, Any], name: str, when_true: int) -> int:
    """A time; ``true``, as locks wrote before they kept the time, is ``when_true``."""
    value = entry.get(name, False)
    if isinstance(value, bool):
        return when_true if value else 0
    if not isinstance(value, int) or not 0 < value <= LATEST_TIME:
        raise _Damaged(f"'{name}' is not a time")
    return value


def format_lock(lock: Lock) -> str:
    """Sorted, one entry per line, so that git diffs and merges stay small."""
    lines = [_line({"version": LOCK_VERSION})]
    if lock.releases:
        lines.append(_line({"releases": list(lock.releases)}))
    lines += [
        _line({"deck": deck_id, "name": lock.decks[deck_id]}) for deck_id in sorted(lock.decks)
    ]
    for kind in sorted(lock.notetypes):
        notetype = lock.notetypes[kind]
        lines.append(
            _line(
                {
                    "notetype": str(kind),
                    "mod": notetype.mod,
                    "look": notetype.look,
                    "schema": notetype.schema,
                }
            )
        )
    for note in sorted(lock.notes.values(), key=lambda n: (n.deck_id, n.key, n.guid)):
        entry: dict[str, Any] = {
            "note": note.guid,
            "deck": note.deck_id,
            "key": note.key,
            "type": str(note.notetype),
            "mod": note.mod,
            "nid": note.nid,
            "pos": note.pos,
            "hash": note.digest,
        }
        for name in ("changed", "changes", "retired", "purged"):
            if getattr(note, name):
                entry[name] = getattr(note, name)
        entry["tags"] = list(note.tags)
        entry["fields"] = list(note.fields)
        lines.append(_line(entry))
    return _HEADER + "\n".join(lines) + "\n"


def _line(entry: dict[str, Any]) -> str:
    return json.dumps(entry, ensure_ascii=False, separators=(", ", ": "))
