"""podcards' own note types, notes with their own ``mod``, and deterministic .apkg bytes.

The only module that imports genanki.
"""

from __future__ import annotations

import hashlib
import io
import itertools
import sqlite3
import zipfile
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import genanki

from podcards.deck import NoteKind
from podcards.notetypes import Look, NoteType, NoteTypes

_ZIP_DATE = (1980, 1, 1, 0, 0, 0)


@dataclass(frozen=True)
class PackageNote:
    guid: str
    notetype: NoteKind
    fields: tuple[str, ...]
    tags: tuple[str, ...]
    mod: int
    nid: int  # its note id; its cards take this id and the ones after it
    due: int  # its new cards' place in the learner's queue


@dataclass(frozen=True)
class PackageDeck:
    deck_id: str
    name: str
    description: str
    notes: tuple[PackageNote, ...]


def _stable_int(text: str, modulo: int) -> int:
    return int.from_bytes(hashlib.sha256(text.encode()).digest()[:8], "big") % modulo


class _StableNote(genanki.Note):  # type: ignore[misc]
    """A note with its own ``mod`` (when its content last changed, not the build time) and
    its own ids (its first release, not a counter over the package)."""

    def __init__(self, mod: int, nid: int, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.mod = mod
        self.nid = nid

    def write_to_db(self, cursor: Any, timestamp: float, deck_id: int, id_gen: Any) -> None:
        # the note takes nid, its cards nid, nid + 1, ...: as Anki numbers its own cards
        ids = itertools.chain([self.nid], itertools.count(self.nid))
        super().write_to_db(cursor, self.mod, deck_id, ids)


class _StableModel(genanki.Model):  # type: ignore[misc]
    """A note type whose ``mod`` moves only when its templates or CSS change."""

    def __init__(self, mod: int, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.mod = mod

    def to_json(self, timestamp: float, deck_id: int) -> Any:
        return super().to_json(self.mod, deck_id)


def _model(notetype: NoteType, look: Look, mod: int) -> _StableModel:
    template_name, template_id = notetype.templates[0]
    return _StableModel(
        mod=mod,
        model_id=notetype.model_id,
        name=notetype.name,
        fields=[{"name": name, "id": ident} for name, ident in notetype.fields],
        templates=[
            {"name": template_name, "id": template_id, "qfmt": look.front, "afmt": look.back}
        ],
        css=look.css,
        model_type=genanki.Model.CLOZE if notetype.is_cloze else genanki.Model.FRONT_BACK,
        sort_field_index=notetype.sort_field,
    )


def anki_deck_id(deck_id: str) -> int:
    """Anki matches decks by name, but a constant id keeps the package stable."""
    return 1 << 30 | _stable_int(f"deck\x1f{deck_id}", 1 << 30)


def package_bytes(
    deck: PackageDeck,
    notetypes: NoteTypes,
    looks: Mapping[NoteKind, Look],
    mods: Mapping[NoteKind, int],
) -> bytes:
    """One deck's .apkg as bytes: the same notes give the same bytes, whatever the clock says.

    Only the note types the deck's notes use go in; ``mods`` gives each one's ``mod``.
    """
    return bundle_bytes([deck], notetypes, looks, mods)


def bundle_bytes(
    decks: Sequence[PackageDeck],
    notetypes: NoteTypes,
    looks: Mapping[NoteKind, Look],
    mods: Mapping[NoteKind, int],
) -> bytes:
    """One .apkg holding every deck given, each under its own name, with the very notes
    (GUIDs, mods, ids) of its own package: importing both adds nothing twice."""
    used = {note.notetype for deck in decks for note in deck.notes}
    models = {key: _model(notetypes[key], looks[key], mods[key]) for key in sorted(used)}
    anki_decks = []
    for deck in decks:
        anki_deck = genanki.Deck(anki_deck_id(deck.deck_id), deck.name, deck.description)
        for note in deck.notes:
            anki_deck.add_note(
                _StableNote(
                    mod=note.mod,
                    nid=note.nid,
                    model=models[note.notetype],
                    fields=list(note.fields),
                    tags=list(note.tags),
                    guid=note.guid,
                    due=note.due,
                )
            )
        for model in models.values():
            anki_deck.add_model(model)
        anki_decks.append(anki_deck)

    connection = sqlite3.connect(":memory:")
    try:
        # notes write their own ids and mod, note types their mod: genanki's are never used
        genanki.Package(anki_decks).write_to_db(connection.cursor(), 0, itertools.count(1))
        connection.commit()
        collection = connection.serialize()
    finally:
        connection.close()

    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, data in (("collection.anki2", collection), ("media", b"{}")):
            entry = zipfile.ZipInfo(name, date_time=_ZIP_DATE)
            entry.compress_type = zipfile.ZIP_DEFLATED
            entry.external_attr = 0o644 << 16
            archive.writestr(entry, data)
    return buffer.getvalue()


def package_mods(data: bytes) -> dict[str, int]:
    """The GUID and ``mod`` of every note in an .apkg's bytes; empty for what is not one."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            collection = archive.read("collection.anki2")
        connection = sqlite3.connect(":memory:")
        try:
            connection.deserialize(collection)
            rows = connection.execute("select guid, mod from notes").fetchall()
        finally:
            connection.close()
    except (zipfile.BadZipFile, KeyError, sqlite3.Error):
        return {}
    return {str(guid): int(mod) for guid, mod in rows}
