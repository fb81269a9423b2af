"""Orchestration: deck files to rendered cards, checked against the lock, to .apkg files."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path

from podcards import notetypes as notetypes_module
from podcards.anki import PackageDeck, PackageNote, bundle_bytes, package_bytes, package_mods
from podcards.clock import day, release_time
from podcards.deck import Card, Deck, NoteKind
from podcards.diffing import ReleaseDiff, deck_diff
from podcards.errors import Location, PodcardsError, Problem, Severity, UsageError
from podcards.export import export_text
from podcards.files import JOURNAL_NAME, recover, write_together
from podcards.lockfile import LOCK_NAME, Lock, LockedNote, format_lock, read_lock
from podcards.notetypes import Look, NoteTypes, as_released, template_problems
from podcards.projectlock import project_lock
from podcards.release import (
    Allowances,
    BuiltDeck,
    DeckChanges,
    NoteStatus,
    NoteTypeState,
    Purge,
    Release,
    card_count,
    plan_release,
    purge,
    resent,
)
from podcards.release import release_time as release_time_of
from podcards.render import Renderer, stray_template_files
from podcards.scaffold import placeholder_problems
from podcards.sources import load_decks
from podcards.verify import Rehearsal, VerifyReport
from podcards.verify import verify as run_verify

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
    warnings: tuple[Problem, ...] = ()
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
        elif path.is_file() and path.suffix not in DECK_SUFFIXES:
            raise UsageError(
                f"{path} is not a deck file (*.yaml); to make a deck file from episode notes, "
                f"run: podcards ingest {path}"
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
    warnings: tuple[Problem, ...]  # what the author should know, though it builds
    built: tuple[BuiltDeck, ...] = ()  # each deck's cards in teaching order, for check/preview
    descriptions: dict[str, str] = field(default_factory=dict)  # deck id -> overview HTML


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
    placeholders = [problem for deck in decks for problem in placeholder_problems(deck)]
    if placeholders:  # never release a deck still named "TODO" (podcards new's placeholders)
        raise PodcardsError(placeholders)
    renderer = Renderer([templates] if templates else [])
    rendered = [renderer.render_deck(deck) for deck in decks]
    built = [
        BuiltDeck(deck.id, deck.name, deck.location, result.cards)
        for deck, result in zip(decks, rendered, strict=True)
    ]
    warnings = tuple(warning for result in rendered for warning in result.warnings)
    if templates:
        warnings = (*stray_template_files(templates), *warnings)
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
    descriptions = {
        deck.id: renderer.deck_description(deck, _released(release.shipped[deck.id]))
        for deck in decks
    }
    warnings = (*warnings, *_renamed_items(built, release))
    return Plan(
        tuple(decks),
        lock_path,
        previous,
        release,
        notetypes,
        looks,
        orphaned,
        warnings,
        tuple(built),
        descriptions,
    )


def _renamed_items(built: list[BuiltDeck], release: Release) -> list[Problem]:
    """An item retired and a look-alike new: most likely one item whose id changed, which
    learners would get twice, the old copy with its review history marked retired."""
    found = []
    for deck in built:
        where = {card.key.rsplit("/", 1)[0]: card.location for card in deck.notes}
        for old, new in release.changes[deck.deck_id].renamed_items():
            found.append(
                Problem(
                    where.get(new, deck.location),
                    f"{new} is new and {old}, whose text was alike, was retired: if it is the "
                    f"same item renamed, give it back `id: {old.split('/')[-1]}`, or learners "
                    "get it twice and lose its review history",
                    Severity.WARNING,
                    "renamed-item",
                )
            )
    return found


def _released(notes: tuple[LockedNote, ...]) -> str:
    """The date of the release a deck's package comes from: its newest note's, from the lock,
    never the clock, so that the same sources and lock give the same bytes."""
    return day(max(note.mod for note in notes)) if notes else ""


def build(
    paths: list[Path],
    output_dir: Path,
    *,
    templates_dir: Path | None = None,
    allow: Allowances = Allowances(),
    notetypes: NoteTypes | None = None,
    bundle: str | None = None,
) -> BuildReport:
    """Build one package per deck, or one ``bundle`` of them all; write them and the lock
    together, or nothing at all. A bundle's release is the very release of its decks.

    Holds the project lock from reading the lock to writing it, so that no other command
    changes the lock in between (a purge would be lost).
    """
    deck_folder = find_deck_files(paths)[0].parent
    with project_lock(deck_folder, "podcards build"):
        recovered = tuple(recover(deck_folder / JOURNAL_NAME))
        report = _build(paths, output_dir, templates_dir, allow, notetypes, bundle)
    return replace(report, recovered=recovered)


def _build(
    paths: list[Path],
    output_dir: Path,
    templates_dir: Path | None,
    allow: Allowances,
    notetypes: NoteTypes | None,
    bundle: str | None,
) -> BuildReport:
    notetypes = _current(notetypes)
    if bundle is not None:
        bundle = _bundle_name(bundle)
    planned = plan(paths, templates_dir=templates_dir, allow=allow, notetypes=notetypes)
    release = planned.release
    packages = [
        _package_deck(deck, release.shipped[deck.id], planned.descriptions[deck.id])
        for deck in planned.decks
    ]
    files: dict[str, tuple[Path, bytes]] = {}
    if bundle is None:
        for package in packages:
            data = package_bytes(package, notetypes, planned.looks, release.notetype_mods)
            files[package.deck_id] = (output_dir / f"{package.deck_id}.apkg", data)
    else:
        data = bundle_bytes(packages, notetypes, planned.looks, release.notetype_mods)
        files = {package.deck_id: (output_dir / f"{bundle}.apkg", data) for package in packages}
    written = {path for path, data in files.values() if _differs(path, data)}
    outputs = sorted({(path, data) for path, data in files.values() if path in written})
    reports = []
    for deck in planned.decks:
        notes = release.shipped[deck.id]
        path = files[deck.id][0]
        reports.append(
            DeckReport(
                deck.id,
                deck.name,
                path,
                len(notes),
                sum(card_count(note) for note in notes),
                release.changes[deck.id],
                path in written,
            )
        )
    lock_text = format_lock(release.lock).encode("utf-8")
    lock_written = _differs(planned.lock_path, lock_text)
    if lock_written:
        outputs.append((planned.lock_path, lock_text))
    write_together(outputs, planned.lock_path.parent / JOURNAL_NAME)
    restyled = tuple(notetypes[kind].name for kind in release.restyled)
    return BuildReport(
        tuple(reports),
        planned.lock_path,
        lock_written,
        restyled,
        planned.orphaned,
        planned.warnings,
    )


def package_data(planned: Plan, deck: Deck) -> bytes:
    """The .apkg bytes the plan ships for one deck (preview imports them into real Anki)."""
    release = planned.release
    return package_bytes(
        _package_deck(deck, release.shipped[deck.id], planned.descriptions[deck.id]),
        planned.notetypes,
        planned.looks,
        release.notetype_mods,
    )


@dataclass(frozen=True)
class Diff:
    changes: ReleaseDiff
    lock: Path
    orphaned: tuple[tuple[str, str], ...]
    warnings: tuple[Problem, ...] = ()
    recovered: tuple[Path, ...] = ()


def diff(
    paths: list[Path], *, templates_dir: Path | None = None, notetypes: NoteTypes | None = None
) -> Diff:
    """What the next build would change for members: the planner's own changes, in words."""
    notetypes = _current(notetypes)
    recovered = settle(find_deck_files(paths)[0].parent)
    planned = plan(paths, templates_dir=templates_dir, notetypes=notetypes)
    release = planned.release
    decks = tuple(
        deck_diff(deck.id, deck.name, release.changes[deck.id], notetypes) for deck in planned.decks
    )
    restyled = tuple(notetypes[kind].name for kind in release.restyled)
    changes = ReleaseDiff(decks, planned.previous.last_release, restyled)
    return Diff(changes, planned.lock_path, planned.orphaned, planned.warnings, recovered)


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


@dataclass(frozen=True)
class Export:
    text: str
    notes: int
    unreleased: bool  # the deck files changed since the release the lock records


def export(
    paths: list[Path],
    file_format: str,
    *,
    templates_dir: Path | None = None,
    notetypes: NoteTypes | None = None,
) -> Export:
    """Every note the next build ships, as a CSV or TSV file for Anki's text import."""
    notetypes = _current(notetypes)
    planned = plan(paths, templates_dir=templates_dir, notetypes=notetypes)
    release = planned.release
    notes = [note for deck in planned.decks for note in release.shipped[deck.id]]
    text = export_text(notes, release.lock.decks, notetypes, file_format)
    return Export(text, len(notes), release.lock != planned.previous)


def verify(
    paths: list[Path],
    packages_dir: Path,
    *,
    templates_dir: Path | None = None,
    allow: Allowances = Allowances(),
    notetypes: NoteTypes | None = None,
) -> VerifyReport:
    """Import the last release, then the next build, with the real Anki engine; write nothing.

    The last release's packages are taken from ``packages_dir`` where they are the ones the
    lock records, and rebuilt from the lock where not.
    """
    notetypes = _current(notetypes)
    planned = plan(paths, templates_dir=templates_dir, allow=allow, notetypes=notetypes)
    release, previous = planned.release, planned.previous
    shipped = [note for deck in planned.decks for note in release.shipped[deck.id]]
    statuses = {
        change.after.guid: change.status
        for changes in release.changes.values()
        for change in changes.notes
    }
    build_time = release.lock.last_release
    last = previous.last_release
    previous_packages, previous_from = _last_release(planned, packages_dir, notetypes)
    rehearsal = Rehearsal(
        previous=previous_packages,
        previous_from=previous_from,
        build=_packages(planned, notetypes, release.shipped, release.notetype_mods),
        after=_next_release(planned, notetypes, build_time + DAY),
        expected={note.guid: statuses.get(note.guid, NoteStatus.UNCHANGED) for note in shipped},
        keys={n.guid: f"{n.deck_id}: {n.key}" for n in release.lock.notes.values()},
        fields={note.guid: note.fields for note in shipped},
        stamped=frozenset(
            note.guid
            for note in previous.notes.values()
            if note.mod == last and not note.purged and (note.changes or note.nid < last * 1000)
        ),
        build_time=build_time,
        notetype_ids=frozenset(notetype.model_id for notetype in notetypes.values()),
    )
    return run_verify(rehearsal)


DAY = 86_400


def _packages(
    planned: Plan,
    notetypes: NoteTypes,
    notes: Mapping[str, tuple[LockedNote, ...]],
    mods: Mapping[NoteKind, int],
) -> tuple[bytes, ...]:
    return tuple(
        package_bytes(
            _package_deck(deck, notes[deck.id], planned.descriptions[deck.id]),
            notetypes,
            planned.looks,
            mods,
        )
        for deck in planned.decks
        if notes.get(deck.id)
    )


def _last_release(
    planned: Plan, packages_dir: Path, notetypes: NoteTypes
) -> tuple[tuple[bytes, ...], str]:
    """Each built deck's package as last released: the file at hand where its notes and mods
    are the ones the lock records, else rebuilt from the lock (with the note types' schema of
    then; purged notes, whose fields the lock no longer has, left out)."""
    previous = planned.previous
    released = {
        kind: as_released(notetype, previous.notetypes[kind].schema)
        for kind, notetype in notetypes.items()
        if kind in previous.notetypes
    }
    mods = {kind: notetype.mod for kind, notetype in previous.notetypes.items()}
    packages: list[bytes] = []
    found: list[str] = []
    rebuilt: list[str] = []
    for deck in planned.decks:
        notes = sorted(
            (
                note
                for note in previous.notes.values()
                if note.deck_id == deck.id
                and (not note.purged or note.purged > previous.last_release)
            ),
            key=lambda note: note.key,
        )
        if not notes:
            continue
        path = packages_dir / f"{deck.id}.apkg"
        data = path.read_bytes() if path.is_file() else b""
        if data and package_mods(data) == {note.guid: note.mod for note in notes}:
            packages.append(data)
            found.append(str(path))
            continue
        kept = tuple(note for note in notes if not note.purged)
        package = _package_deck(deck, kept, "")
        packages.append(package_bytes(package, released, planned.looks, mods))
        rebuilt.append(deck.id)
    if not packages:
        return (), f"none yet ({planned.lock_path} records no release of these decks)"
    parts = [", ".join(found)] if found else []
    if rebuilt:
        parts.append(f"rebuilt from {planned.lock_path} for {', '.join(rebuilt)}")
    return tuple(packages), "; ".join(parts)


def _next_release(planned: Plan, notetypes: NoteTypes, now: int) -> tuple[bytes, ...]:
    """The release after this build, from the same sources: what it re-sends."""
    lock = planned.release.lock
    time = release_time_of(lock, now)
    notes = {
        deck_id: tuple(replace(n, mod=time) if resent(n, lock) else n for n in deck_notes)
        for deck_id, deck_notes in planned.release.shipped.items()
    }
    return _packages(planned, notetypes, notes, planned.release.notetype_mods)


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


def _bundle_name(name: str) -> str:
    stem = name.removesuffix(".apkg")
    if not stem or stem.startswith(".") or any(c in stem for c in "/\\\0"):
        raise UsageError(f"--bundle {name!r} is not a file name (it names OUTPUT/NAME.apkg)")
    return stem


def _package_deck(deck: Deck, notes: tuple[LockedNote, ...], description: str) -> PackageDeck:
    return PackageDeck(
        deck.id,
        deck.name,
        description,
        tuple(
            PackageNote(
                note.guid, note.notetype, note.fields, note.tags, note.mod, note.nid, note.pos
            )
            for note in notes
        ),
    )


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


def purge_retired(deck_folder: Path, selectors: list[str]) -> list[Purge]:
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
        purges: list[Purge] = []
        for selector in selectors:
            lock, done = purge(lock, selector, release_time())
            purges.append(done)
        if any(done.purged for done in purges):
            write_together(
                [(lock_path, format_lock(lock).encode("utf-8"))], deck_folder / JOURNAL_NAME
            )
    return purges
