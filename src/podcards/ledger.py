"""The lock: every released note's GUID, fields, tags and ``mod``; note types; deck names.

A note's ``mod`` moves only when its own content changes, because Anki updates a note only
when the package's ``mod`` is strictly newer, and replaces the learner's tags when it does.
"""

from __future__ import annotations

import hashlib
import json
import re
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from podcards.cloze import cloze_numbers
from podcards.deck import Card
from podcards.errors import Location, PodcardsError, Problem, UsageError

LOCK_NAME = "podcards.lock"
LOCK_VERSION = 1
RETIRED_TAG = "podcards::retired"
_HEADER = (
    "# podcards.lock: what has been released. Commit it with the deck files.\n"
    "# `podcards build` keeps it; one line per note, deck and note type, sorted.\n"
)


@dataclass(frozen=True)
class LockedNote:
    guid: str
    deck_id: str
    key: str
    notetype: str
    fields: tuple[str, ...]
    tags: tuple[str, ...]
    mod: int
    retired: bool = False
    purged: bool = False  # no longer shipped; kept so that its GUID is never reused

    @property
    def digest(self) -> str:
        return note_digest(self.notetype, self.fields, self.tags)


@dataclass(frozen=True)
class LockedNoteType:
    key: str
    schema: str
    look: str
    mod: int


@dataclass(frozen=True)
class Lock:
    decks: dict[str, str] = field(default_factory=dict)
    notetypes: dict[str, LockedNoteType] = field(default_factory=dict)
    notes: dict[str, LockedNote] = field(default_factory=dict)


def note_digest(notetype: str, fields: tuple[str, ...], tags: tuple[str, ...]) -> str:
    payload = json.dumps([notetype, list(fields), list(tags)], ensure_ascii=False)
    return hashlib.sha256(payload.encode("utf-8")).hexdigest()[:16]


# -- reading and writing ----------------------------------------------------------------


def read_lock(path: Path) -> Lock:
    """The lock at ``path``; an empty one when the project has released nothing yet."""
    if not path.exists():
        return Lock()
    lock = Lock()
    problems: list[Problem] = []
    # split("\n"), not splitlines(): a text may hold U+2028 and the like, written raw
    for number, line in enumerate(path.read_text(encoding="utf-8").split("\n"), start=1):
        if not line.strip() or line.startswith("#"):
            continue
        try:
            _read_entry(lock, json.loads(line))
        except (ValueError, KeyError, TypeError) as error:
            problems.append(
                Problem(
                    Location.of(path, number),
                    f"unreadable lock entry ({error}); restore the file from git "
                    "rather than editing it by hand",
                )
            )
    if problems:
        raise PodcardsError(problems)
    return lock


def _read_entry(lock: Lock, entry: dict[str, Any]) -> None:
    if "version" in entry:
        if entry["version"] != LOCK_VERSION:
            raise ValueError(f"lock version {entry['version']} is not {LOCK_VERSION}")
    elif "deck" in entry and "note" not in entry:
        lock.decks[str(entry["deck"])] = str(entry["name"])
    elif "notetype" in entry:
        key = str(entry["notetype"])
        lock.notetypes[key] = LockedNoteType(
            key, str(entry["schema"]), str(entry["look"]), int(entry["mod"])
        )
    elif "note" in entry:
        note = LockedNote(
            guid=str(entry["note"]),
            deck_id=str(entry["deck"]),
            key=str(entry["key"]),
            notetype=str(entry["type"]),
            fields=tuple(str(value) for value in entry["fields"]),
            tags=tuple(str(value) for value in entry["tags"]),
            mod=int(entry["mod"]),
            retired=bool(entry.get("retired", False)),
            purged=bool(entry.get("purged", False)),
        )
        if note.digest != entry["hash"]:
            raise ValueError("its hash does not match its fields")
        lock.notes[note.guid] = note
    else:
        raise ValueError("unknown kind of entry")


def format_lock(lock: Lock) -> str:
    """Sorted, one entry per line, so that git diffs and merges stay small."""
    lines = [_line({"version": LOCK_VERSION})]
    lines += [
        _line({"deck": deck_id, "name": lock.decks[deck_id]}) for deck_id in sorted(lock.decks)
    ]
    for key in sorted(lock.notetypes):
        notetype = lock.notetypes[key]
        lines.append(
            _line(
                {
                    "notetype": key,
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
            "type": note.notetype,
            "mod": note.mod,
            "hash": note.digest,
        }
        if note.retired:
            entry["retired"] = True
        if note.purged:
            entry["purged"] = True
        entry["tags"] = list(note.tags)
        entry["fields"] = list(note.fields)
        lines.append(_line(entry))
    return _HEADER + "\n".join(lines) + "\n"


def _line(entry: dict[str, Any]) -> str:
    return json.dumps(entry, ensure_ascii=False, separators=(", ", ": "))


# -- planning a release --------------------------------------------------------------------


@dataclass(frozen=True)
class BuiltDeck:
    deck_id: str
    name: str
    location: Location
    notes: tuple[Card, ...]  # as the sources give them now


@dataclass(frozen=True)
class Allowances:
    """What a maintainer explicitly accepts, knowing its cost to learners."""

    schema_change: bool = False
    rename: bool = False


@dataclass(frozen=True)
class DeckChanges:
    new: tuple[str, ...] = ()
    changed: tuple[str, ...] = ()
    retired: tuple[str, ...] = ()

    def renamed_items(self) -> list[tuple[str, str]]:
        """(retired item, new item) pairs of one kind: perhaps one item whose id changed."""
        gone = dict.fromkeys(_item_of(key) for key in self.retired)
        came = dict.fromkeys(_item_of(key) for key in self.new)
        return [
            (old, new)
            for old in gone
            for new in came
            if old.split("/")[0] == new.split("/")[0] and old not in came and new not in gone
        ]


def _item_of(key: str) -> str:
    """``habit/first-principles`` of the note key ``habit/first-principles/describe``."""
    return key.rsplit("/", 1)[0]


@dataclass(frozen=True)
class Release:
    """What to ship: the new lock, the notes of each built deck, and what changed."""

    lock: Lock
    shipped: dict[str, tuple[LockedNote, ...]]
    changes: dict[str, DeckChanges]
    notetype_mods: dict[str, int]
    restyled: tuple[str, ...] = ()


def plan_release(
    lock: Lock,
    decks: list[BuiltDeck],
    looks: dict[str, tuple[str, str]],
    now: int,
    retired_mark: tuple[str, dict[str, int]],
    allow: Allowances = Allowances(),
    lock_path: str = LOCK_NAME,
) -> Release:
    """Compare what the sources give with what was released; refuse what would hurt learners.

    ``looks`` maps a note type to (schema fingerprint, hash of templates and CSS);
    ``retired_mark`` is the HTML that marks a retired note, and the field of each note type
    it goes in front of.
    """
    problems = _guard(lock, decks, looks, allow, lock_path)
    if problems:
        raise PodcardsError(problems)

    notetypes = dict(lock.notetypes)
    restyled = []
    for key, (schema, look) in looks.items():
        old = lock.notetypes.get(key)
        if old is None or old.look != look or old.schema != schema:
            mod = max(old.mod + 1, now) if old else now
            notetypes[key] = LockedNoteType(key, schema, look, mod)
            if old:
                restyled.append(key)

    notes = dict(lock.notes)
    decks_names = dict(lock.decks)
    shipped: dict[str, tuple[LockedNote, ...]] = {}
    changes: dict[str, DeckChanges] = {}
    for deck in decks:
        decks_names[deck.deck_id] = deck.name
        current = {note.guid for note in deck.notes}
        new, changed = [], []
        for built in deck.notes:
            old_note = lock.notes.get(built.guid)
            note = LockedNote(
                built.guid, built.deck_id, built.key, built.notetype, built.fields, built.tags, now
            )
            if old_note is None:
                new.append(built.key)
            elif old_note.digest == note.digest and not old_note.retired:
                note = old_note
            else:
                note = replace(note, mod=max(old_note.mod + 1, now))
                changed.append(built.key)
            notes[built.guid] = note
        retired = []
        for old_note in lock.notes.values():
            gone = old_note.deck_id == deck.deck_id and old_note.guid not in current
            if gone and not old_note.retired and not old_note.purged:
                notes[old_note.guid] = _retire(old_note, now, retired_mark)
                retired.append(old_note.key)
        shipped[deck.deck_id] = tuple(
            sorted(
                (n for n in notes.values() if n.deck_id == deck.deck_id and not n.purged),
                key=lambda n: n.key,
            )
        )
        changes[deck.deck_id] = DeckChanges(tuple(new), tuple(changed), tuple(retired))
    new_lock = Lock(decks_names, notetypes, notes)
    mods = {key: notetype.mod for key, notetype in notetypes.items()}
    return Release(new_lock, shipped, changes, mods, tuple(restyled))


def _retire(note: LockedNote, now: int, retired_mark: tuple[str, dict[str, int]]) -> LockedNote:
    """Keep shipping a removed note, visibly marked, so learners can find and delete it."""
    mark, field_of = retired_mark
    fields = list(note.fields)
    fields[field_of[note.notetype]] = f"{mark} {fields[field_of[note.notetype]]}"
    tags = note.tags if RETIRED_TAG in note.tags else (*note.tags, RETIRED_TAG)
    return replace(note, fields=tuple(fields), tags=tags, mod=max(note.mod + 1, now), retired=True)


def _guard(
    lock: Lock,
    decks: list[BuiltDeck],
    looks: dict[str, tuple[str, str]],
    allow: Allowances,
    lock_path: str,
) -> list[Problem]:
    problems: list[Problem] = []
    for key, (schema, _) in sorted(looks.items()):
        old = lock.notetypes.get(key)
        if old and _structure(old.schema) != _structure(schema) and not allow.schema_change:
            problems.append(
                Problem(
                    Location(lock_path),
                    f"the note type '{key}' changed its fields or templates ({old.schema} -> "
                    f"{schema}). Every learner would get a second note type and their notes "
                    "would stop updating, unless they import with 'Merge note types', which "
                    "forces a one-way full sync. Undo the change, or pass --allow-schema-change.",
                )
            )
    built_ids = {deck.deck_id for deck in decks}
    for deck in decks:
        old_name = lock.decks.get(deck.deck_id)
        previous_ids = [
            deck_id
            for deck_id, name in lock.decks.items()
            if name == deck.name and deck_id not in built_ids
        ]
        if old_name is None and previous_ids and not allow.rename:
            problems.append(
                Problem(
                    deck.location,
                    f"deck '{deck.deck_id}' is new, but its name '{deck.name}' was released "
                    f"as deck '{previous_ids[0]}'. Changing a deck id gives every note a new "
                    "identity: learners would get each card twice. Restore the id "
                    f"'{previous_ids[0]}', or pass --allow-rename.",
                )
            )
        if old_name is not None and old_name != deck.name and not allow.rename:
            problems.append(
                Problem(
                    deck.location,
                    f"deck '{deck.deck_id}' was released as '{old_name}' and is now named "
                    f"'{deck.name}'. Anki matches decks by name: learners would get a second "
                    "deck holding only the new cards. Keep the old name, or pass --allow-rename.",
                )
            )
        for note in deck.notes:
            old_note = lock.notes.get(note.guid)
            if old_note is None:
                continue
            if old_note.deck_id != note.deck_id or old_note.key != note.key:
                problems.append(
                    Problem(
                        note.location,
                        f"'{note.key}' of deck '{note.deck_id}' would reuse the GUID {note.guid} "
                        f"released for '{old_note.key}' of deck '{old_note.deck_id}': learners' "
                        "copies of that note would be overwritten. Give the item another id.",
                    )
                )
            elif old_note.purged:
                problems.append(
                    Problem(
                        note.location,
                        f"'{note.key}' was released, retired and purged: learners may still "
                        "have that note, with the review history of what it used to say. Give "
                        "the item a new id.",
                    )
                )
            elif old_note.notetype != note.notetype:
                problems.append(
                    Problem(
                        note.location,
                        f"'{note.key}' was released as a {old_note.notetype} note and is now a "
                        f"{note.notetype} note: Anki would refuse to update it. Give the card "
                        "template another name, so it arrives as a new note.",
                    )
                )
            elif dropped := _dropped_deletions(old_note, note):
                numbers = ", ".join(f"c{number}" for number in dropped)
                problems.append(
                    Problem(
                        note.location,
                        f"'{note.key}' was released with the deletion(s) {numbers}, which are "
                        "gone now: Anki would keep those cards, showing 'No cloze found'. Keep "
                        "every released number (reword its text freely), or give the item a new "
                        "id.",
                    )
                )
    return problems


def _dropped_deletions(old: LockedNote, new: Card) -> list[int]:
    if old.notetype != "cloze" or old.retired:
        return []
    released = {int(number) for number in cloze_numbers(old.fields[0])}
    return sorted(released - {int(number) for number in cloze_numbers(new.fields[0])})


def _structure(schema: str) -> str:
    """The schema as Anki compares it: field and template names do not count where ids do.

    Every podcards field and template has a fixed id, so renaming one updates it in place.
    """
    return re.sub(r"(?<=[=,])[^=,;#]*#", "#", schema)


def purge(lock: Lock, selector: str) -> tuple[Lock, list[LockedNote]]:
    """Stop shipping retired notes whose GUID is ``selector`` or whose key starts with it."""
    chosen = [
        note
        for note in lock.notes.values()
        if note.guid == selector or note.key == selector or note.key.startswith(selector + "/")
    ]
    active = [note for note in chosen if not note.retired and not note.purged]
    if not chosen:
        raise UsageError(
            f"no released note matches '{selector}'; `podcards retire` lists the retired ones"
        )
    if active:
        keys = ", ".join(sorted(note.key for note in active))
        raise PodcardsError(
            f"'{selector}' is still in the deck files ({keys}); remove the item and build "
            "first, so learners get it marked as retired"
        )
    chosen = [note for note in chosen if not note.purged]
    notes = dict(lock.notes)
    for note in chosen:
        notes[note.guid] = replace(note, fields=(), tags=(), purged=True)
    return Lock(dict(lock.decks), dict(lock.notetypes), notes), chosen
