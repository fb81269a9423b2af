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
from typing import TypeVar

from podcards.clock import LATEST_TIME
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
    RESENT = "resent"  # unchanged, with a new mod: for late members on Anki 2.1.55 to 24.11
    PURGED = "purged"  # no longer shipped, from this release on
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

    @property
    def resent(self) -> tuple[str, ...]:
        return self._keys(NoteStatus.RESENT)

    @property
    def purged(self) -> tuple[str, ...]:
        return self._keys(NoteStatus.PURGED)

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

    time = release_time(lock, now)
    locked_types, restyled = _plan_notetypes(lock, notetypes, time)
    deck_names = dict(lock.decks)
    planned: dict[str, list[NoteChange]] = {}
    places = _Places(lock, time)
    for deck in decks:
        deck_names[deck.deck_id] = deck.name
        notes = [_plan_note(lock.notes.get(card.guid), card, time) for card in deck.notes]
        # new notes take their places in the deck's teaching order, siblings apart
        for change in spread_siblings(notes, key=lambda change: change.after.item):
            places.give(change)
        deck_changes = [places.placed(change) for change in notes]
        current = {card.guid for card in deck.notes}
        for old in lock.notes.values():
            gone = old.deck_id == deck.deck_id and old.guid not in current
            if gone and not old.retired and not old.purged:
                deck_changes.append(_retire(old, time, retired_fields))
            elif gone and not old.purged:  # retired before, still shipped
                deck_changes.append(NoteChange(NoteStatus.UNCHANGED, old, old))
        deck_changes += [
            NoteChange(NoteStatus.PURGED, old, old)
            for old in sorted(lock.notes.values(), key=lambda note: note.key)
            if old.deck_id == deck.deck_id and old.purged > lock.last_release
        ]
        planned[deck.deck_id] = deck_changes

    releases = lock.releases
    moved = any(c.status is not NoteStatus.UNCHANGED for cs in planned.values() for c in cs)
    if moved or locked_types != lock.notetypes or deck_names != lock.decks:
        releases = [*lock.releases, time][-RECOVERY_RELEASES:]
        for deck_changes in planned.values():
            deck_changes[:] = [_resend(change, lock, time) for change in deck_changes]

    notes_now = dict(lock.notes)
    shipped: dict[str, tuple[LockedNote, ...]] = {}
    changes: dict[str, DeckChanges] = {}
    for deck_id, deck_changes in planned.items():
        for change in deck_changes:
            notes_now[change.after.guid] = change.after
        shipped[deck_id] = tuple(
            sorted(
                (n for n in notes_now.values() if n.deck_id == deck_id and not n.purged),
                key=lambda n: n.key,
            )
        )
        changes[deck_id] = DeckChanges(deck_id, tuple(deck_changes))
    new_lock = Lock(deck_names, locked_types, notes_now, releases)
    mods = {kind: notetype.mod for kind, notetype in locked_types.items()}
    return Release(new_lock, shipped, changes, mods, tuple(restyled))


def release_time(lock: Lock, now: int) -> int:
    """The time a release stamps on what it changes: ``now``, or later than everything in the
    lock (a clock set back, a fixed ``SOURCE_DATE_EPOCH``), since Anki updates a note only
    when the package's ``mod`` is strictly newer than its own."""
    return max(now, lock.latest_time + 1)


RECOVERY_RELEASES = 3
"""How many releases re-send a note after a repeated change, for late members on Anki
2.1.55 to 24.11 (see ``resent``)."""


def resent(note: LockedNote, lock: Lock) -> bool:
    """Whether the next release ships this note again, unchanged, with its own time.

    Anki 2.1.55 to 24.11 stamps a note it updates with the time of the import. A member who
    imports release N after N+1 was built then skips N+1's change to every note that N
    updated for them, for good. Only a note changed again can be caught so (its first change
    finds every copy with the mod of its first release, and nobody's import stamps a note it
    skips), so a note changed in one of the last ``RECOVERY_RELEASES`` releases, which had
    changed before, goes out again with the next release's time: the late member's copy is
    older. The cost: a learner's own edit of that note, made before that release was built,
    is overwritten, and every member sees the note updated with the text they already have.
    """
    window = lock.releases[-RECOVERY_RELEASES:][0] if lock.releases else LATEST_TIME
    return not note.purged and note.changes >= 2 and note.changed >= window


def _resend(change: NoteChange, lock: Lock, time: int) -> NoteChange:
    if change.status is not NoteStatus.UNCHANGED or not resent(change.after, lock):
        return change
    return NoteChange(NoteStatus.RESENT, replace(change.after, mod=time), change.before)


class _Places:
    """Hands each new note its place in the new-card queue and its note id, for good.

    Anki keeps a new card's position (``due``) and its note and card ids from the package,
    and never changes them on a later import: a release's new notes come after everything
    released before, in the deck's teaching order, and their ids are the time they were
    first released (so "Added" means something), one after another.
    """

    def __init__(self, lock: Lock, now: int) -> None:
        notes = lock.notes.values()
        self.next_pos = 1 + max((note.pos for note in notes), default=0)
        taken = max((note.nid + card_count(note) for note in notes if note.nid), default=0)
        self.next_id = max(now * 1000, taken)
        self.given: dict[str, LockedNote] = {}

    def give(self, change: NoteChange) -> None:
        note = change.after
        if note.nid and note.pos:
            return
        self.given[note.guid] = replace(note, nid=self.next_id, pos=self.next_pos)
        self.next_id += card_count(note)
        self.next_pos += 1

    def placed(self, change: NoteChange) -> NoteChange:
        given = self.given.get(change.after.guid)
        return change if given is None else replace(change, after=given)


SIBLING_GAP = 6
"""Two cards of one item are at least this many places apart in the new-card queue, where
the deck has the items for it: with fewer places between them, the second is answered from
short-term memory of the first."""

_T = TypeVar("_T")


def spread_siblings(
    ordered: list[_T], key: Callable[[_T], str], gap: int = SIBLING_GAP
) -> list[_T]:
    """The teaching order, each card moved as little as it takes to stand ``gap`` places
    after the last card of its item: the earliest card that may come next, comes next."""
    pending = list(ordered)
    result: list[_T] = []
    last: dict[str, int] = {}
    while pending:
        place = len(result)
        chosen = next(
            (c for c in pending if key(c) not in last or place - last[key(c)] >= gap),
            pending[0],  # too few items to keep them apart: the next in order, then
        )
        pending.remove(chosen)
        last[key(chosen)] = place
        result.append(chosen)
    return result


def card_count(note: LockedNote) -> int:
    """How many cards a note gives: one, or one per deletion number of a cloze note."""
    if note.notetype is NoteKind.CLOZE and note.fields:
        return max(1, len(set(cloze_numbers(note.fields[0]))))
    return 1


def _plan_notetypes(
    lock: Lock, notetypes: Mapping[NoteKind, NoteTypeState], time: int
) -> tuple[dict[NoteKind, LockedNoteType], list[NoteKind]]:
    """A note type's ``mod`` moves only when its look or schema changed."""
    locked = dict(lock.notetypes)
    restyled = []
    for kind, state in notetypes.items():
        old = lock.notetypes.get(kind)
        if old is None or old.look != state.look or old.schema != state.schema:
            locked[kind] = LockedNoteType(kind, state.schema, state.look, time)
            if old:
                restyled.append(kind)
    return locked, restyled


def _plan_note(old: LockedNote | None, card: Card, time: int) -> NoteChange:
    note = LockedNote(
        card.guid, card.deck_id, card.key, card.notetype, card.fields, card.tags, time
    )
    if old is None:
        return NoteChange(NoteStatus.NEW, note)
    if old.digest == note.digest and not old.retired:
        return NoteChange(NoteStatus.UNCHANGED, old, old)
    changed = replace(note, nid=old.nid, pos=old.pos, changed=time, changes=old.changes + 1)
    return NoteChange(NoteStatus.CHANGED, changed, old)


def _retire(note: LockedNote, time: int, retired_fields: RetiredFields) -> NoteChange:
    """Keep shipping a removed note, visibly marked, so learners can find and delete it."""
    tags = note.tags if RETIRED_TAG in note.tags else (*note.tags, RETIRED_TAG)
    retired = replace(
        note,
        fields=retired_fields(note),
        tags=tags,
        mod=time,
        retired=time,
        changed=time,
        changes=note.changes + 1,
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


@dataclass(frozen=True)
class Purge:
    selector: str
    purged: tuple[LockedNote, ...]  # by this purge
    earlier: tuple[LockedNote, ...]  # matched, but purged before


def purge(lock: Lock, selector: str, now: int) -> tuple[Lock, Purge]:
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
    earlier = tuple(sorted((note for note in chosen if note.purged), key=_by_key))
    chosen = sorted((note for note in chosen if not note.purged), key=_by_key)
    notes = dict(lock.notes)
    time = release_time(lock, now)  # later than the last release: the next one reports it
    for note in chosen:
        notes[note.guid] = replace(note, fields=(), tags=(), purged=time)
    new_lock = Lock(dict(lock.decks), dict(lock.notetypes), notes, list(lock.releases))
    return new_lock, Purge(selector, tuple(chosen), earlier)


def _by_key(note: LockedNote) -> tuple[str, str]:
    return note.deck_id, note.key
