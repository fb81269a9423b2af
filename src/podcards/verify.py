"""A dry run of a release with the real Anki engine: the optional extra ``podcards[anki]``.

A throwaway collection imports the last release, then the new build, as a member does
(Anki's defaults: "Update notes: if newer", "Merge note types" off), and Anki's own import
log is held against what `podcards diff` promised. It runs again with "Merge note types" on,
and once as a late member on Anki 2.1.55 to 24.11, whose importer stamps the notes it
updates with the time of the import. Anki itself is driven through ``anki_engine``.
"""

from __future__ import annotations

import tempfile
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

from podcards import anki_engine
from podcards.anki_engine import Imported, Throwaway
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
    if not anki_engine.available():
        raise PodcardsError(INSTALL)
    with tempfile.TemporaryDirectory(prefix="podcards-verify-") as folder:
        runs = (
            _member(rehearsal, Path(folder) / "member", merge=False),
            _member(rehearsal, Path(folder) / "merging", merge=True),
            _late_member(rehearsal, Path(folder) / "late"),
        )
    return VerifyReport(anki_engine.version(), rehearsal.previous_from, runs)


def _member(rehearsal: Rehearsal, folder: Path, *, merge: bool) -> Run:
    title = (
        "A member who imported the last release imports this build"
        + (' with "Merge note types" on' if merge else "")
        + ":"
    )
    collection = Throwaway(folder)
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
    collection = Throwaway(folder)
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


def _against_diff(rehearsal: Rehearsal, log: Imported, collection: Throwaway) -> list[str]:
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


def _differing(rehearsal: Rehearsal, collection: Throwaway, message: str) -> list[str]:
    found = collection.fields_by_guid()
    return [
        message.format(rehearsal.keys[guid])
        for guid, fields in sorted(rehearsal.fields.items(), key=lambda g: rehearsal.keys[g[0]])
        if found.get(guid) != fields
    ]
