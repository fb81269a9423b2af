"""A real Anki collection (the ``anki`` package) to import what podcards builds."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from anki.buildinfo import version
from anki.collection import Collection, ImportAnkiPackageOptions, ImportAnkiPackageRequest
from anki.import_export_pb2 import ImportAnkiPackageUpdateCondition, ImportCsvRequest

IF_NEWER = ImportAnkiPackageUpdateCondition.IMPORT_ANKI_PACKAGE_UPDATE_CONDITION_IF_NEWER
ANKI_VERSION = tuple(int(part) for part in version.split("."))
STAMPS_IMPORT_TIME = (2, 1, 55) <= ANKI_VERSION < (25, 2)
"""Anki 2.1.55 to 24.11 stamp a note an import updates with the time of the import
(ankitects/anki PR #3693 fixed it in 25.02); the tests run against 24.11 as well."""


@dataclass(frozen=True)
class ImportLog:
    found: int
    new: int
    updated: int
    duplicate: int
    conflicting: int
    updated_guids: frozenset[str]
    new_guids: frozenset[str]


class Learner:
    """One study-group member's collection, imported with Anki's default options."""

    def __init__(self, path: Path) -> None:
        self.col = Collection(str(path))

    def close(self) -> None:
        self.col.close()

    def import_package(self, package: Path) -> ImportLog:
        options = ImportAnkiPackageOptions(
            merge_notetypes=False,
            update_notes=IF_NEWER,
            update_notetypes=IF_NEWER,
            with_scheduling=False,
            with_deck_configs=False,
        )
        log = self.col.import_anki_package(
            ImportAnkiPackageRequest(package_path=str(package), options=options)
        ).log
        self.col.models._clear_cache()
        return ImportLog(
            found=log.found_notes,
            new=len(log.new),
            updated=len(log.updated),
            duplicate=len(log.duplicate),
            conflicting=len(log.conflicting),
            updated_guids=frozenset(self._guid(entry) for entry in log.updated),
            new_guids=frozenset(self._guid(entry) for entry in log.new),
        )

    def import_text(self, path: Path) -> Any:
        """Import a CSV or TSV file with the options its headers set; Anki's import log."""
        metadata = self.col.get_csv_metadata(str(path), None)
        return self.col.import_csv(ImportCsvRequest(path=str(path), metadata=metadata)).log

    def _guid(self, entry: Any) -> str:
        return str(self.col.db.scalar("select guid from notes where id=?", entry.id.nid))

    def deck_names(self) -> set[str]:
        return {deck.name for deck in self.col.decks.all_names_and_ids()}

    def notetype_names(self) -> list[str]:
        return sorted(model["name"] for model in self.col.models.all())

    def note_count(self) -> int:
        return int(self.col.db.scalar("select count() from notes"))

    def card_count(self) -> int:
        return int(self.col.db.scalar("select count() from cards"))

    def schema(self) -> int:
        return int(self.col.db.scalar("select scm from col"))

    def notes_by_guid(self) -> dict[str, Any]:
        rows = self.col.db.all("select guid, id from notes")
        return {guid: self.col.get_note(nid) for guid, nid in rows}

    def review_everything(self) -> None:
        """Answer every card once, so that cards carry scheduling and a review log."""
        for card_id in self.col.find_cards(""):
            card = self.col.get_card(card_id)
            card.start_timer()
            self.col.sched.answerCard(card, 3)

    def scheduling(self) -> list[tuple[Any, ...]]:
        return [
            tuple(row)
            for row in self.col.db.all(
                "select id, nid, did, ord, type, queue, due, ivl, factor, reps, lapses "
                "from cards order by id"
            )
        ]

    def review_log(self) -> list[tuple[Any, ...]]:
        return [tuple(row) for row in self.col.db.all("select * from revlog order by id")]

    def rendered(self) -> list[tuple[str, str]]:
        """What the learner sees on every card: question and answer as plain text."""
        shown = []
        for card_id in self.col.find_cards(""):
            output = self.col.get_card(card_id).render_output()
            shown.append((visible_text(output.question_text), visible_text(output.answer_text)))
        return shown


def visible_text(html: str) -> str:
    html = re.sub(r"<style>.*?</style>", "", html, flags=re.DOTALL)
    text = re.sub(r"<[^>]+>", " ", html)
    return re.sub(r"\s+", " ", text).strip()


def new_card_queue(learner: Learner, deck_name: str) -> list[tuple[str, int]]:
    """The order a learner meets the deck's new cards, from the real scheduler: (GUID, ord).

    Anki's default options show 20 new cards a day; the limit is raised so that the whole
    queue shows, in the order the scheduler gathers and sorts it.
    """
    col = learner.col
    deck_id = col.decks.id_for_name(deck_name)
    assert deck_id is not None
    col.decks.select(deck_id)
    config = col.decks.config_dict_for_deck_id(deck_id)
    config["new"]["perDay"] = 9999
    col.decks.update_config(config)
    queued = col.sched.get_queued_cards(fetch_limit=9999).cards
    order = []
    for entry in queued:
        card = col.get_card(entry.card.id)
        guid = col.db.scalar("select guid from notes where id=?", card.nid)
        order.append((str(guid), card.ord))
    return order
