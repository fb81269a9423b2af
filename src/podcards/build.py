"""Orchestration: deck files to rendered cards, checked against the lock, to .apkg files."""

from __future__ import annotations

import html
from dataclasses import dataclass, replace
from pathlib import Path

from podcards import notetypes as notetypes_module
from podcards.anki import PackageDeck, PackageNote, package_bytes
from podcards.ankimarkup import shown_as_typed
from podcards.clock import release_time
from podcards.cloze import cloze_numbers
from podcards.deck import Card, Deck, NoteKind
from podcards.errors import Location, PodcardsError, Problem, UsageError
from podcards.files import JOURNAL_NAME, recover, write_together
from podcards.lockfile import LOCK_NAME, Lock, LockedNote, format_lock, read_lock
from podcards.notetypes import Look, NoteTypes, template_problems
from podcards.projectlock import project_lock
from podcards.release import (
    Allowances,
    BuiltDeck,
    DeckChanges,
    NoteChange,
    NoteStatus,
    NoteTypeState,
    Release,
    plan_release,
    purge,
)
from podcards.render import Renderer
from podcards.sources import load_decks

DECK_SUFFIXES = (".yaml", ".yml")
_NOTETYPE_FILES = {
    NoteKind.QA: ("notetype/qa-front.html", "notetype/qa-back.html"),
    NoteKind.CLOZE: ("notetype/cloze-front.html", "notetype/cloze-back.html"),
}


@dataclass(frozen=True)
class DeckReport:
    deck_id: str
    name: str
    package: Path
    notes: int
    cards: int
    changes: DeckChanges
    written: bool


@dataclass(frozen=True)
class BuildReport:
    decks: tuple[DeckReport, ...]
    lock: Path
    lock_written: bool
    restyled: tuple[str, ...]  # names of note types whose templates or CSS changed
    orphaned: tuple[tuple[str, str], ...]
    recovered: tuple[Path, ...] = ()  # files an interrupted earlier write had changed


def find_deck_files(paths: list[Path]) -> list[Path]:
    """The files named, the deck files of the folders named, or ``decks/*.yaml``."""
    if not paths:
        default = Path("decks")  # relative, for short messages
        if not default.is_dir():
            raise UsageError(
                f"no decks/ folder in {Path.cwd()}; run this in a podcards project "
                "or name the deck files"
            )
        paths = [default]
    found: list[Path] = []
    for path in paths:
        if path.is_dir():
            # editors leave hidden files (".#x.yaml" locks, swap files) beside the decks
            found += sorted(
                p
                for p in path.iterdir()
                if p.suffix in DECK_SUFFIXES and p.is_file() and not p.name.startswith(".")
            )
        elif path.is_file():
            found.append(path)
        else:
            raise UsageError(f"{path} does not exist")
    if not found:
        raise UsageError(f"no deck files (*.yaml) in {', '.join(map(str, paths))}")
    folders = {path.resolve().parent for path in found}
    if len(folders) > 1:
        raise UsageError(
            "deck files from several folders share no lock file; build one folder at a time"
        )
    unique = {path.resolve(): path for path in reversed(found)}  # one file named twice
    return sorted(unique.values(), key=lambda path: found.index(path))


def default_templates_dir(deck_folder: Path) -> Path | None:
    candidate = deck_folder.resolve().parent / "templates"
    return candidate if candidate.is_dir() else None


@dataclass(frozen=True)
class Plan:
    """A release worked out in memory: nothing is written yet."""

    decks: tuple[Deck, ...]
    lock_path: Path
    previous: Lock
    release: Release
    notetypes: NoteTypes
    looks: dict[NoteKind, Look]
    orphaned: tuple[tuple[str, str], ...]  # released decks (id, name) with no file any more


def plan(
    paths: list[Path],
    *,
    templates_dir: Path | None = None,
    allow: Allowances = Allowances(),
    notetypes: NoteTypes | None = None,
) -> Plan:
    """Read, render and compare with the lock; refuse what would hurt learners."""
    notetypes = _current(notetypes)
    files = find_deck_files(paths)
    deck_folder = files[0].parent
    if templates_dir is not None and not templates_dir.is_dir():
        raise UsageError(f"--templates {templates_dir} is not a folder")
    templates = templates_dir or default_templates_dir(deck_folder)

    decks = load_decks(files)
    renderer = Renderer([templates] if templates else [])
    built = [
        BuiltDeck(deck.id, deck.name, deck.location, tuple(renderer.render_deck(deck)))
        for deck in decks
    ]
    _refuse_shared_guids(built)

    lock_path = deck_folder / LOCK_NAME
    previous = read_lock(lock_path)
    looks = {kind: _look(renderer, notetypes, kind) for kind in notetypes}
    release = plan_release(
        previous,
        built,
        notetypes={
            kind: NoteTypeState(notetypes[kind].fingerprint(), look.digest())
            for kind, look in looks.items()
        },
        now=release_time(),
        retired_fields=lambda note: renderer.retired_fields(note, notetypes[note.notetype]),
        allow=allow,
        lock_path=str(lock_path),
    )
    built_ids = {deck.id for deck in decks}
    whole_folder = not paths or any(path.is_dir() for path in paths)
    orphaned = tuple(
        (deck_id, name)
        for deck_id, name in sorted(previous.decks.items())
        if whole_folder and deck_id not in built_ids
    )
    return Plan(tuple(decks), lock_path, previous, release, notetypes, looks, orphaned)


def build(
    paths: list[Path],
    output_dir: Path,
    *,
    templates_dir: Path | None = None,
    allow: Allowances = Allowances(),
    notetypes: NoteTypes | None = None,
) -> BuildReport:
    """Build one package per deck; write them and the lock together, or nothing at all.

    Holds the project lock from reading the lock to writing it, so that no other command
    changes the lock in between (a purge would be lost).
    """
    deck_folder = find_deck_files(paths)[0].parent
    with project_lock(deck_folder, "podcards build"):
        recovered = tuple(recover(deck_folder / JOURNAL_NAME))
        report = _build(paths, output_dir, templates_dir, allow, notetypes)
    return replace(report, recovered=recovered)


def _build(
    paths: list[Path],
    output_dir: Path,
    templates_dir: Path | None,
    allow: Allowances,
    notetypes: NoteTypes | None,
) -> BuildReport:
    notetypes = _current(notetypes)
    planned = plan(paths, templates_dir=templates_dir, allow=allow, notetypes=notetypes)
    release = planned.release
    outputs: list[tuple[Path, bytes]] = []
    reports = []
    for deck in planned.decks:
        notes = release.shipped[deck.id]
        package = output_dir / f"{deck.id}.apkg"
        data = package_bytes(
            _package_deck(deck, notes), notetypes, planned.looks, release.notetype_mods
        )
        written = _differs(package, data)
        if written:
            outputs.append((package, data))
        reports.append(
            DeckReport(
                deck.id,
                deck.name,
                package,
                len(notes),
                sum(_card_count(note) for note in notes),
                release.changes[deck.id],
                written,
            )
        )
    lock_text = format_lock(release.lock).encode("utf-8")
    lock_written = _differs(planned.lock_path, lock_text)
    if lock_written:
        outputs.append((planned.lock_path, lock_text))
    write_together(outputs, planned.lock_path.parent / JOURNAL_NAME)
    restyled = tuple(notetypes[kind].name for kind in release.restyled)
    return BuildReport(tuple(reports), planned.lock_path, lock_written, restyled, planned.orphaned)


@dataclass(frozen=True)
class FieldChange:
    name: str
    before: str
    after: str


@dataclass(frozen=True)
class DiffEntry:
    """What one note would look like to learners after the next release."""

    deck_id: str
    key: str
    status: NoteStatus
    fields: tuple[FieldChange, ...] = ()
    tags: tuple[tuple[str, ...], tuple[str, ...]] | None = None


@dataclass(frozen=True)
class Diff:
    notes: tuple[DiffEntry, ...]
    restyled: tuple[str, ...]  # names of note types whose templates or CSS would change
    orphaned: tuple[tuple[str, str], ...]
    recovered: tuple[Path, ...] = ()


def diff(
    paths: list[Path], *, templates_dir: Path | None = None, notetypes: NoteTypes | None = None
) -> Diff:
    """What the next build would change for learners: the planner's own changes."""
    notetypes = _current(notetypes)
    recovered = settle(find_deck_files(paths)[0].parent)
    planned = plan(paths, templates_dir=templates_dir, notetypes=notetypes)
    entries = [
        _diff_entry(change, notetypes)
        for deck_changes in planned.release.changes.values()
        for change in deck_changes.notes
        if change.status is not NoteStatus.UNCHANGED
    ]
    entries.sort(key=lambda entry: (entry.deck_id, entry.key))
    restyled = tuple(notetypes[kind].name for kind in planned.release.restyled)
    return Diff(tuple(entries), restyled, planned.orphaned, recovered)


def settle(deck_folder: Path) -> tuple[Path, ...]:
    """Undo a write that a crash stopped part way, if there is one: the files put back.

    Read-only commands call it too; they take the project lock only when there is a
    journal to undo.
    """
    journal = deck_folder / JOURNAL_NAME
    if not journal.exists():
        return ()
    with project_lock(deck_folder, "podcards (undoing an interrupted write)"):
        return tuple(recover(journal))


def _diff_entry(change: NoteChange, notetypes: NoteTypes) -> DiffEntry:
    after, before = change.after, change.before
    if before is None:
        return DiffEntry(after.deck_id, after.key, change.status)
    names = notetypes[after.notetype].field_names
    fields = tuple(
        FieldChange(name, was, now)
        for name, was, now in zip(names, before.fields, after.fields, strict=True)
        if was != now
    )
    tags = (before.tags, after.tags) if before.tags != after.tags else None
    return DiffEntry(after.deck_id, after.key, change.status, fields, tags)


def _current(notetypes: NoteTypes | None) -> NoteTypes:
    """The note types given, or podcards' own as the source declares them now."""
    return notetypes if notetypes is not None else notetypes_module.NOTE_TYPES


def _refuse_shared_guids(decks: list[BuiltDeck]) -> None:
    """Anki would add both notes and later update only one: never ship two with one GUID."""
    first: dict[str, Card] = {}
    problems = []
    for deck in decks:
        for note in deck.notes:
            other = first.setdefault(note.guid, note)
            if other is not note:
                problems.append(
                    Problem(
                        note.location,
                        f"'{note.key}' of deck '{note.deck_id}' has the same GUID as "
                        f"'{other.key}' of deck '{other.deck_id}' at {other.location}; "
                        "give one of the items another id",
                    )
                )
    if problems:
        raise PodcardsError(problems)


def _look(renderer: Renderer, notetypes: NoteTypes, kind: NoteKind) -> Look:
    """The note type's HTML and CSS, refused where Anki would show no card or an error."""
    sides = {}
    problems = []
    for side, name in zip(("front", "back"), _NOTETYPE_FILES[kind], strict=True):
        sides[side] = renderer.static(name)
        problems += [
            Problem(Location(renderer.static_path(name)), message)
            for message in template_problems(notetypes[kind], side, sides[side])
        ]
    if problems:
        raise PodcardsError(problems)
    return Look(sides["front"], sides["back"], renderer.static("notetype/style.css"))


def _package_deck(deck: Deck, notes: tuple[LockedNote, ...]) -> PackageDeck:
    description = html.escape(deck.deck.description or "").replace("\n", "<br>")
    description = shown_as_typed(description, deck.deck.markup)
    return PackageDeck(
        deck.id,
        deck.name,
        description,
        tuple(
            PackageNote(note.guid, note.notetype, note.fields, note.tags, note.mod)
            for note in notes
        ),
    )


def _card_count(note: LockedNote) -> int:
    if note.notetype is NoteKind.CLOZE:
        return len(set(cloze_numbers(note.fields[0])))
    return 1


def _differs(path: Path, data: bytes) -> bool:
    try:
        return path.read_bytes() != data
    except OSError:  # missing or unreadable: writing it will say what is wrong
        return True


def retired_notes(deck_folder: Path) -> list[LockedNote]:
    settle(deck_folder)
    lock = read_lock(deck_folder / LOCK_NAME)
    retired = (n for n in lock.notes.values() if n.retired and not n.purged)
    return sorted(retired, key=lambda n: (n.deck_id, n.key))


def purge_retired(deck_folder: Path, selectors: list[str]) -> list[LockedNote]:
    """Stop shipping retired notes: drop them from the lock, all selectors or none.

    Reads and writes the lock holding the project lock, so that a build cannot write back
    a lock it read before the purge.
    """
    lock_path = deck_folder / LOCK_NAME
    with project_lock(deck_folder, "podcards retire --purge"):
        recover(deck_folder / JOURNAL_NAME)
        if not lock_path.exists():
            raise UsageError(f"{lock_path} does not exist: nothing has been released from here")
        lock = read_lock(lock_path)
        purged: list[LockedNote] = []
        for selector in selectors:
            lock, chosen = purge(lock, selector)
            purged += chosen
        write_together([(lock_path, format_lock(lock).encode("utf-8"))], deck_folder / JOURNAL_NAME)
    return purged
