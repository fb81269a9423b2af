"""Anki itself, in throwaway collections: cards as Anki renders them (``preview``), and
imports as a member makes them (``verify``). Only when the ``anki`` package is installed;
the only module that imports it."""

from __future__ import annotations

import tempfile
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

Rendered = dict[tuple[str, int], tuple[str, str]]
"""(note GUID, card ordinal) -> (question HTML, answer HTML), as Anki shows them."""


def available() -> bool:
    try:
        import anki.collection  # noqa: F401
    except ImportError:
        return False
    return True


def version() -> str:
    from anki.buildinfo import version as anki_version

    return str(anki_version)


def member_options(*, merge: bool) -> Any:
    """Anki's import options as a member leaves them: update notes and note types if newer,
    no scheduling; "Merge note types" as given."""
    from anki.collection import ImportAnkiPackageOptions
    from anki.import_export_pb2 import ImportAnkiPackageUpdateCondition as Condition

    if_newer = Condition.IMPORT_ANKI_PACKAGE_UPDATE_CONDITION_IF_NEWER
    return ImportAnkiPackageOptions(
        merge_notetypes=merge,
        update_notes=if_newer,
        update_notetypes=if_newer,
        with_scheduling=False,
        with_deck_configs=False,
    )


def render_packages(packages: list[bytes]) -> Rendered:
    """Import the packages as a learner would (default options) and render every card."""
    from anki.collection import Collection, ImportAnkiPackageRequest

    options = member_options(merge=False)
    rendered: Rendered = {}
    with tempfile.TemporaryDirectory(prefix="podcards-preview-") as folder:
        collection = Collection(str(Path(folder) / "collection.anki2"))
        try:
            for number, data in enumerate(packages):
                package = Path(folder) / f"{number}.apkg"
                package.write_bytes(data)
                collection.import_anki_package(
                    ImportAnkiPackageRequest(package_path=str(package), options=options)
                )
            for card_id in collection.find_cards(""):
                card = collection.get_card(card_id)
                output = card.render_output()
                guid = str(card.note().guid)
                rendered[(guid, card.ord)] = (output.question_text, output.answer_text)
        finally:
            collection.close()
    return rendered


@dataclass
class Imported:
    """The notes an import added, updated, skipped as up to date, and did not update."""

    added: set[str] = field(default_factory=set)
    updated: set[str] = field(default_factory=set)
    skipped: set[str] = field(default_factory=set)
    conflicting: set[str] = field(default_factory=set)

    def what_happened(self, guid: str) -> str:
        for name in ("added", "updated", "skipped", "conflicting"):
            if guid in getattr(self, name):
                return name
        return "absent"


class Throwaway:
    """A throwaway Anki collection in a folder of its own, for `podcards verify`."""

    def __init__(self, folder: Path) -> None:
        from anki.collection import Collection

        folder.mkdir(parents=True)
        self.folder = folder
        self.col: Any = Collection(str(folder / "collection.anki2"))
        self.imported = 0

    def close(self) -> None:
        self.col.close()

    def import_packages(self, packages: tuple[bytes, ...], *, merge: bool) -> Imported:
        from anki.collection import ImportAnkiPackageRequest

        options = member_options(merge=merge)
        total = Imported()
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

    def summary(self, log: Imported) -> tuple[str, ...]:
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
