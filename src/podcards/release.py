"""Planning a release: what the sources give now against what the lock says was released.

Decides each note's ``mod`` (new, changed, unchanged, retired) and refuses what would hurt
learners: a schema change, a renamed deck, a GUID reused for something else, a dropped cloze
number. Nothing here reads or writes files, renders HTML or knows the command line.
"""

from __future__ import annotations

import difflib
from collections.abc import Callable, Mapping
from dataclasses import dataclass, replace
from enum import StrEnum

from podcards.cloze import cloze_numbers, plain
from podcards.deck import Card, NoteKind
from podcards.errors import Location, PodcardsError, Problem, UsageError
from podcards.lockfile import Lock, LockedNote, LockedNoteType
from podcards.notetypes import same_structure

RETIRED_TAG = "podcards::retired"


@dataclass(frozen=True)
class BuiltDeck:
    """A deck as the sources give it now."""

    deck_id: str
    name: str
    location: Location
    notes: tuple[Card, ...]


@dataclass(frozen=True)
class NoteTypeState:
    """A note type as built now: its schema fingerprint and a digest of its look."""

    schema: str
    look: str


@dataclass(frozen=True)
class Allowances:
    """What a maintainer explicitly accepts, knowing its cost to learners."""

    schema_change: bool = False
    rename: bool = False


class Refused(PodcardsError):
    """A release that would hurt learners; ``allowances`` name what would let it through."""

    def __init__(self, problems: list[Problem], allowances: frozenset[str]) -> None:
        super().__init__(problems)
        self.allowances = allowances


class NoteStatus(StrEnum):
    NEW = "new"
    CHANGED = "changed"
    RETIRED = "retired"
    UNCHANGED = "unchanged"


@dataclass(frozen=True)
class NoteChange:
    """One note of a deck in the next release, and what it was in the last."""

    status: NoteStatus
    after: LockedNote
    before: LockedNote | None = None

    @property
    def key(self) -> str:
        return self.after.key


@dataclass(frozen=True)
class DeckChanges:
    deck_id: str
    notes: tuple[NoteChange, ...] = ()

    def _keys(self, status: NoteStatus) -> tuple[str, ...]:
        return tuple(change.key for change in self.notes if change.status is status)

    @property
    def new(self) -> tuple[str, ...]:
        return self._keys(NoteStatus.NEW)

    @property
    def changed(self) -> tuple[str, ...]:
        return self._keys(NoteStatus.CHANGED)

    @property
    def retired(self) -> tuple[str, ...]:
        return self._keys(NoteStatus.RETIRED)

    def renamed_items(self) -> list[tuple[str, str]]:
        """(retired item, new item) pairs that look like one item whose id changed.

        Each retired item is paired with at most one new item of its kind, the most alike,
        and only when their texts are alike: replacing many items is not renaming them.
        """
        gone = {c.after.item: c.after for c in self.notes if c.status is NoteStatus.RETIRED}
        came = {c.after.item: c.after for c in self.notes if c.status is NoteStatus.NEW}
        if len(gone) * len(came) > _MAX_PAIRS:  # a new deck more than a renamed item
            return []
        scored = sorted(
            (-_likeness(gone[old], came[new]), old, new)
            for old in gone
            for new in came
            if old.split("/")[0] == new.split("/")[0] and old not in came and new not in gone
        )
        pairs, used = [], set()
        for score, old, new in scored:
            if -score >= 0.6 and old not in used and new not in used:
                pairs.append((old, new))
                used |= {old, new}
        return sorted(pairs)


_MAX_PAIRS = 10_000
_WORDS = 100  # of each text: enough to tell one item from another, and quick to compare


def _likeness(old: LockedNote, new: LockedNote) -> float:
    """How alike two notes' texts are, 0 to 1; in time bounded whatever their length."""

    def words(note: LockedNote) -> list[str]:
        return plain(note.fields[0][:5_000] if note.fields else "").casefold().split()[:_WORDS]

    matcher = difflib.SequenceMatcher(None, words(old), words(new), autojunk=False)
    return matcher.ratio() if matcher.quick_ratio() >= 0.6 else 0.0


@dataclass(frozen=True)
class Release:
    """What to ship: the new lock, the notes of each built deck, and what changed."""

    lock: Lock
    shipped: dict[str, tuple[LockedNote, ...]]
    changes: dict[str, DeckChanges]
    notetype_mods: dict[NoteKind, int]
    restyled: tuple[NoteKind, ...] = ()


RetiredFields = Callable[[LockedNote], tuple[str, ...]]
"""The fields a retired note ships with: its last fields, marked as retired."""


def plan_release(
    lock: Lock,
    decks: list[BuiltDeck],
    *,
    notetypes: Mapping[NoteKind, NoteTypeState],
    now: int,
    retired_fields: RetiredFields,
    allow: Allowances = Allowances(),
    lock_path: str = "",
) -> Release:
    """Compare what the sources give with what was released; refuse what would hurt learners."""
    refusals = _schema_guard(lock, notetypes, lock_path) if not allow.schema_change else []
    refusals += [] if allow.rename else _rename_guard(lock, decks)
    problems = _identity_guard(lock, decks)
    if problems:
        raise PodcardsError(problems + [refusal for refusal, _ in refusals])
    if refusals:
        raise Refused([p for p, _ in refusals], frozenset(a for _, a in refusals))

    locked_types, restyled = _plan_notetypes(lock, notetypes, now)
    notes = dict(lock.notes)
    deck_names = dict(lock.decks)
    shipped: dict[str, tuple[LockedNote, ...]] = {}
    changes: dict[str, DeckChanges] = {}
    for deck in decks:
        deck_names[deck.deck_id] = deck.name
        deck_changes = [_plan_note(lock.notes.get(card.guid), card, now) for card in deck.notes]
        current = {card.guid for card in deck.notes}
        for old in lock.notes.values():
            gone = old.deck_id == deck.deck_id and old.guid not in current
            if gone and not old.retired and not old.purged:
                deck_changes.append(_retire(old, now, retired_fields))
        for change in deck_changes:
            notes[change.after.guid] = change.after
        shipped[deck.deck_id] = tuple(
            sorted(
                (n for n in notes.values() if n.deck_id == deck.deck_id and not n.purged),
                key=lambda n: n.key,
            )
        )
        changes[deck.deck_id] = DeckChanges(deck.deck_id, tuple(deck_changes))
    new_lock = Lock(deck_names, locked_types, notes)
    mods = {kind: notetype.mod for kind, notetype in locked_types.items()}
    return Release(new_lock, shipped, changes, mods, tuple(restyled))


def _plan_notetypes(
    lock: Lock, notetypes: Mapping[NoteKind, NoteTypeState], now: int
) -> tuple[dict[NoteKind, LockedNoteType], list[NoteKind]]:
    """A note type's ``mod`` moves only when its look or schema changed."""
    locked = dict(lock.notetypes)
    restyled = []
    for kind, state in notetypes.items():
        old = lock.notetypes.get(kind)
        if old is None or old.look != state.look or old.schema != state.schema:
            mod = max(old.mod + 1, now) if old else now
            locked[kind] = LockedNoteType(kind, state.schema, state.look, mod)
            if old:
                restyled.append(kind)
    return locked, restyled


def _plan_note(old: LockedNote | None, card: Card, now: int) -> NoteChange:
    note = LockedNote(card.guid, card.deck_id, card.key, card.notetype, card.fields, card.tags, now)
    if old is None:
        return NoteChange(NoteStatus.NEW, note)
    if old.digest == note.digest and not old.retired:
        return NoteChange(NoteStatus.UNCHANGED, old, old)
    return NoteChange(NoteStatus.CHANGED, replace(note, mod=max(old.mod + 1, now)), old)


def _retire(note: LockedNote, now: int, retired_fields: RetiredFields) -> NoteChange:
    """Keep shipping a removed note, visibly marked, so learners can find and delete it."""
    tags = note.tags if RETIRED_TAG in note.tags else (*note.tags, RETIRED_TAG)
    retired = replace(
        note,
        fields=retired_fields(note),
        tags=tags,
        mod=max(note.mod + 1, now),
        retired=True,
    )
    return NoteChange(NoteStatus.RETIRED, retired, note)


# -- guards ---------------------------------------------------------------------------------


def _schema_guard(
    lock: Lock, notetypes: Mapping[NoteKind, NoteTypeState], lock_path: str
) -> list[tuple[Problem, str]]:
    refusals = []
    for kind, state in sorted(notetypes.items()):
        old = lock.notetypes.get(kind)
        if old and not same_structure(old.schema, state.schema):
            refusals.append(
                (
                    Problem(
                        Location(lock_path),
                        f"the note type '{kind}' changed its fields or templates ({old.schema} "
                        f"-> {state.schema}). Every learner would get a second note type and "
                        "their notes would stop updating, unless they import with 'Merge note "
                        "types', which forces a one-way full sync. Undo the change, or allow "
                        "the schema change.",
                    ),
                    "schema_change",
                )
            )
    return refusals


def _rename_guard(lock: Lock, decks: list[BuiltDeck]) -> list[tuple[Problem, str]]:
    refusals = []
    built_ids = {deck.deck_id for deck in decks}
    for deck in decks:
        old_name = lock.decks.get(deck.deck_id)
        previous_ids = [
            deck_id
            for deck_id, name in lock.decks.items()
            if name == deck.name and deck_id not in built_ids
        ]
        if old_name is None and previous_ids:
            message = (
                f"deck '{deck.deck_id}' is new, but its name '{deck.name}' was released as "
                f"deck '{previous_ids[0]}'. Changing a deck id gives every note a new identity: "
                f"learners would get each card twice. Restore the id '{previous_ids[0]}', or "
                "allow the rename."
            )
            refusals.append((Problem(deck.location, message), "rename"))
        if old_name is not None and old_name != deck.name:
            message = (
                f"deck '{deck.deck_id}' was released as '{old_name}' and is now named "
                f"'{deck.name}'. Anki matches decks by name: learners would get a second deck "
                "holding only the new cards. Keep the old name, or allow the rename."
            )
            refusals.append((Problem(deck.location, message), "rename"))
    return refusals


def _identity_guard(lock: Lock, decks: list[BuiltDeck]) -> list[Problem]:
    """A GUID may only ever be the note it was first released as."""
    problems: list[Problem] = []
    for deck in decks:
        for note in deck.notes:
            old = lock.notes.get(note.guid)
            message = None if old is None else _identity_problem(old, note)
            if message:
                problems.append(Problem(note.location, message))
    return problems


def _identity_problem(old: LockedNote, note: Card) -> str | None:
    if old.deck_id != note.deck_id or old.key != note.key:
        return (
            f"'{note.key}' of deck '{note.deck_id}' would reuse the GUID {note.guid} released "
            f"for '{old.key}' of deck '{old.deck_id}': learners' copies of that note would be "
            "overwritten. Give the item another id."
        )
    if old.purged:
        return (
            f"'{note.key}' was released, retired and purged: learners may still have that "
            "note, with the review history of what it used to say. Give the item a new id."
        )
    if old.notetype != note.notetype:
        return (
            f"'{note.key}' was released as a {old.notetype} note and is now a {note.notetype} "
            "note: Anki would refuse to update it. Give the card template another name, so it "
            "arrives as a new note."
        )
    if dropped := _dropped_deletions(old, note):
        numbers = ", ".join(f"c{number}" for number in dropped)
        return (
            f"'{note.key}' was released with the deletion(s) {numbers}, which are gone now: "
            "Anki would keep those cards, showing 'No cloze found'. Keep every released number "
            "(reword its text freely), or give the item a new id."
        )
    return None


def _dropped_deletions(old: LockedNote, new: Card) -> list[int]:
    if old.notetype is not NoteKind.CLOZE or old.retired:
        return []
    released = {int(number) for number in cloze_numbers(old.fields[0])}
    return sorted(released - {int(number) for number in cloze_numbers(new.fields[0])})


# -- purging --------------------------------------------------------------------------------


def purge(lock: Lock, selector: str) -> tuple[Lock, list[LockedNote]]:
    """Stop shipping retired notes whose GUID is ``selector`` or whose key starts with it.

    ``deck-id:key`` names the deck where two decks have a note of the same key.
    """
    deck_id, _, key = selector.rpartition(":") if ":" in selector else ("", "", selector)
    chosen = [
        note
        for note in lock.notes.values()
        if (note.guid == selector)
        or (
            (not deck_id or note.deck_id == deck_id)
            and (note.key == key or note.key.startswith(key + "/"))
        )
    ]
    if not chosen:
        raise UsageError(
            f"no released note matches '{selector}'; `podcards retire` lists the retired ones"
        )
    decks = sorted({note.deck_id for note in chosen})
    if len(decks) > 1:
        named = ", ".join(f"{deck}:{key}" for deck in decks)
        raise UsageError(
            f"'{selector}' names notes of {len(decks)} decks ({', '.join(decks)}); "
            f"say which: {named}"
        )
    active = [note for note in chosen if not note.retired and not note.purged]
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
