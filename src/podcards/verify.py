"""A dry run of a release with the real Anki engine: the optional extra ``podcards[anki]``.

A throwaway collection imports the last release, then the new build, as a member does
(Anki's defaults: "Update notes: if newer", "Merge note types" off), and Anki's own import
log is held against what `podcards diff` promised. It runs again with "Merge note types" on,
and once as a late member on Anki 2.1.55 to 24.11, whose importer stamps the notes it
updates with the time of the import. The only module that imports ``anki``, and only when
a dry run starts.
"""

from __future__ import annotations

import tempfile
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from podcards.errors import PodcardsError
from podcards.release import NoteStatus

INSTALL = (
    "podcards verify imports into a real Anki collection: install Anki's engine with "
    "pip install 'podcards[anki]'"
)
LATE_ANKI = "Anki 2.1.55 to 24.11"
_LATE_IMPORT = 60  # seconds after the build: the late member imported the last release then


@dataclass(frozen=True)
class Rehearsal:
    """What the dry run imports, and what `podcards diff` says each note does."""

    previous: tuple[bytes, ...]  # the last release's packages (none before the first)
    previous_from: str  # where they came from, for the report
    build: tuple[bytes, ...]  # this build's packages
    after: tuple[bytes, ...]  # the next release from the same sources, with its re-sends
    expected: Mapping[str, NoteStatus]  # GUID -> status, every note this build ships
    keys: Mapping[str, str]  # GUID -> "deck: key", for messages
    fields: Mapping[str, tuple[str, ...]]  # GUID -> the fields this build ships
    stamped: frozenset[str]  # notes a late member's import of the last release updated
    build_time: int
    notetype_ids: frozenset[int]  # podcards' own note types


@dataclass(frozen=True)
class Run:
    """One member's import of this build: Anki's words for it, and what went wrong."""

    title: str
    said: tuple[str, ...]
    problems: tuple[str, ...] = ()


@dataclass(frozen=True)
class VerifyReport:
    anki_version: str
    previous_from: str
    runs: tuple[Run, ...] = field(default=())

    @property
    def problems(self) -> tuple[str, ...]:
        return tuple(problem for run in self.runs for problem in run.problems)

    def lines(self) -> list[str]:
        lines = [f"The last release: {self.previous_from}. Anki {self.anki_version}."]
        for run in self.runs:
            lines.append(run.title)
            lines += [f"  {said}" for said in run.said]
            lines += [f"  problem: {problem}" for problem in run.problems]
        if self.problems:
            lines.append(f"verify: {len(self.problems)} problem(s); do not share this build")
        else:
            lines.append("verify: members get exactly what `podcards diff` says")
        return lines


_UPDATED = frozenset({NoteStatus.CHANGED, NoteStatus.RETIRED, NoteStatus.RESENT})


def verify(rehearsal: Rehearsal) -> VerifyReport:
    """Import the last release and this build into throwaway collections, three ways."""
    try:
        from anki.buildinfo import version
    except ImportError:
        raise PodcardsError(INSTALL) from None
    with tempfile.TemporaryDirectory(prefix="podcards-verify-") as folder:
        runs = (
            _member(rehearsal, Path(folder) / "member", merge=False),
            _member(rehearsal, Path(folder) / "merging", merge=True),
            _late_member(rehearsal, Path(folder) / "late"),
        )
    return VerifyReport(str(version), rehearsal.previous_from, runs)


def _member(rehearsal: Rehearsal, folder: Path, *, merge: bool) -> Run:
    title = (
        "A member who imported the last release imports this build"
        + (' with "Merge note types" on' if merge else "")
        + ":"
    )
    collection = _Collection(folder)
    try:
        collection.import_packages(rehearsal.previous, merge=merge)
        before = collection.state()
        log = collection.import_packages(rehearsal.build, merge=merge)
        added, problems = collection.changes_since(before, rehearsal.notetype_ids)
        said = (*collection.summary(log), f"Note types added: {', '.join(added) or 'none'}")
        problems += _against_diff(rehearsal, log, collection)
        problems += collection.duplicates(log.added, rehearsal.keys)
        problems += _differing(rehearsal, collection, "a member's copy of {} is not this build's")
        return Run(title, said, tuple(problems))
    finally:
        collection.close()


def _late_member(rehearsal: Rehearsal, folder: Path) -> Run:
    title = (
        f"A member on {LATE_ANKI} who imported the last release after this build was made, "
        "then imports this build and the next release:"
    )
    if not rehearsal.previous:
        return Run(title, ("nothing released before: no member can be late",))
    collection = _Collection(folder)
    try:
        collection.import_packages(rehearsal.previous, merge=False)
        collection.stamp(rehearsal.stamped, rehearsal.build_time + _LATE_IMPORT)
        log = collection.import_packages(rehearsal.build, merge=False)
        changed = {guid for guid, status in rehearsal.expected.items() if status in _UPDATED}
        skipped = sorted(changed & log.skipped, key=lambda guid: rehearsal.keys[guid])
        problems = []
        if set(skipped) != changed & rehearsal.stamped:
            problems.append("Anki skipped other notes than podcards expects of a late member")
        if not skipped:
            said = ["skips nothing of this build"]
        else:
            said = [f"skips for now: {rehearsal.keys[guid]}" for guid in skipped]
            collection.import_packages(rehearsal.after, merge=False)
            stale = _differing(rehearsal, collection, "a late member keeps an old {} for good")
            problems += stale
            if not stale:
                said.append("gets them with the next release that changes anything")
        return Run(title, tuple(said), tuple(problems))
    finally:
        collection.close()


def _against_diff(rehearsal: Rehearsal, log: _Log, collection: _Collection) -> list[str]:
    problems = []
    for guid, status in sorted(rehearsal.expected.items(), key=lambda g: rehearsal.keys[g[0]]):
        did = log.what_happened(guid)
        promised = (
            "added" if status is NoteStatus.NEW else "updated" if status in _UPDATED else "skipped"
        )
        if did != promised:
            problems.append(
                f"{rehearsal.keys[guid]}: `podcards diff` says {status}, but Anki: "
                f"{collection.words_for(did)}"
            )
    return problems


def _differing(rehearsal: Rehearsal, collection: _Collection, message: str) -> list[str]:
    found = collection.fields_by_guid()
    return [
        message.format(rehearsal.keys[guid])
        for guid, fields in sorted(rehearsal.fields.items(), key=lambda g: rehearsal.keys[g[0]])
        if found.get(guid) != fields
    ]


@dataclass
class _Log:
    added: set[str] = field(default_factory=set)
    updated: set[str] = field(default_factory=set)
    skipped: set[str] = field(default_factory=set)
    conflicting: set[str] = field(default_factory=set)

    def what_happened(self, guid: str) -> str:
        for name in ("added", "updated", "skipped", "conflicting"):
            if guid in getattr(self, name):
                return name
        return "absent"


class _Collection:
    """A throwaway Anki collection."""

    def __init__(self, folder: Path) -> None:
        from anki.collection import Collection

        folder.mkdir(parents=True)
        self.folder = folder
        self.col: Any = Collection(str(folder / "collection.anki2"))
        self.imported = 0

    def close(self) -> None:
        self.col.close()

    def import_packages(self, packages: tuple[bytes, ...], *, merge: bool) -> _Log:
        from anki.collection import ImportAnkiPackageOptions, ImportAnkiPackageRequest
        from anki.import_export_pb2 import ImportAnkiPackageUpdateCondition as Condition

        if_newer = Condition.IMPORT_ANKI_PACKAGE_UPDATE_CONDITION_IF_NEWER
        options = ImportAnkiPackageOptions(
            merge_notetypes=merge,
            update_notes=if_newer,
            update_notetypes=if_newer,
            with_scheduling=False,
            with_deck_configs=False,
        )
        total = _Log()
        for data in packages:
            self.imported += 1
            path = self.folder / f"package-{self.imported}.apkg"
            path.write_bytes(data)
            request = ImportAnkiPackageRequest(package_path=str(path), options=options)
            log = self.col.import_anki_package(request).log
            total.added |= self._guids(log.new)
            total.updated |= self._guids(log.updated)
            total.skipped |= self._guids(log.duplicate)
            total.conflicting |= self._guids(log.conflicting)
        self.col.models._clear_cache()
        return total

    def _guids(self, entries: Any) -> set[str]:
        found = (self.col.db.scalar("select guid from notes where id=?", e.id.nid) for e in entries)
        return {str(guid) for guid in found if guid is not None}

    def summary(self, log: _Log) -> tuple[str, ...]:
        tr = self.col.tr
        return tuple(
            _plain(line)
            for line in (
                tr.importing_notes_added_from_file(val=len(log.added)),
                tr.importing_notes_updated_as_file_had_newer(val=len(log.updated)),
                tr.importing_notes_skipped_as_theyre_already_in(val=len(log.skipped)),
                tr.importing_notes_skipped_update_due_to_notetype(val=len(log.conflicting)),
            )
        )

    def words_for(self, happened: str) -> str:
        tr = self.col.tr
        words = {
            "added": tr.importing_added_new_note(),
            "updated": tr.importing_note_updated_as_file_had_newer(),
            "skipped": tr.importing_existing_note_skipped(),
            "conflicting": tr.importing_note_skipped_update_due_to_notetype2(),
        }
        return _plain(words.get(happened, "the note is not in the package"))

    def state(self) -> tuple[int, dict[int, str]]:
        scm = int(self.col.db.scalar("select scm from col"))
        return scm, {int(model["id"]): model["name"] for model in self.col.models.all()}

    def changes_since(
        self, before: tuple[int, dict[int, str]], own: frozenset[int]
    ) -> tuple[list[str], list[str]]:
        """The note types added, and the problems among them: a second note type beside
        podcards' own, and a change of schema, which forces a one-way full sync."""
        scm, notetypes = self.state()
        added = {ident: name for ident, name in notetypes.items() if ident not in before[1]}
        problems = [
            f"Anki adds the note type '{name}' beside podcards' own"
            for ident, name in sorted(added.items())
            if ident not in own
        ]
        if scm != before[0]:
            problems.append("the import changes the collection's schema: a one-way full sync")
        return sorted(added.values()), problems

    def duplicates(self, added: set[str], keys: Mapping[str, str]) -> list[str]:
        """A note just added that reads as one the member had: the same item under a new
        identity (an id changed), which Anki's Find Duplicates would show."""
        rows = self.col.db.all("select guid, mid, sfld from notes order by guid")
        had: dict[tuple[int, str], str] = {}
        for guid, mid, sort_field in rows:
            if str(guid) not in added:
                had.setdefault((mid, str(sort_field).strip()), str(guid))
        problems = []
        for guid, mid, sort_field in rows:
            other = had.get((mid, str(sort_field).strip()))
            if str(guid) in added and other is not None:
                problems.append(
                    f"duplicate: {keys.get(str(guid), guid)} is new but reads as "
                    f"{keys.get(other, other)}, which members have"
                )
        return problems

    def stamp(self, guids: frozenset[str], time: int) -> None:
        """What Anki 2.1.55 to 24.11 did to the notes its import updated."""
        for guid in guids:
            self.col.db.execute("update notes set mod=? where guid=?", time, guid)

    def fields_by_guid(self) -> dict[str, tuple[str, ...]]:
        rows = self.col.db.all("select guid, flds from notes")
        return {str(guid): tuple(str(fields).split("\x1f")) for guid, fields in rows}


def _plain(text: str) -> str:
    """Anki's messages wrap each value in Unicode isolation marks: not for a terminal."""
    return text.replace("\u2068", "").replace("\u2069", "")
