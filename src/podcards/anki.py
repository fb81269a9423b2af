"""podcards' own note types, notes with their own ``mod``, and deterministic .apkg bytes.

The only module that imports genanki.
"""

from __future__ import annotations

import hashlib
import io
import itertools
import re
import sqlite3
import zipfile
from dataclasses import dataclass
from typing import Any

import genanki

# Frozen forever: Anki matches note types by id, then by field and template ids and order.
QA_MODEL_ID = 1_731_902_415
CLOZE_MODEL_ID = 1_731_902_416
# genanki numbers note and card ids up from a base; a fixed non-zero base keeps them stable.
_ID_BASE = 1_400_000_000_000
_ID_SPAN = 100_000
_ZIP_DATE = (1980, 1, 1, 0, 0, 0)


@dataclass(frozen=True)
class NoteType:
    """The schema Anki compares on import; changing any of it breaks learners' updates."""

    key: str
    model_id: int
    name: str
    fields: tuple[tuple[str, int], ...]
    templates: tuple[tuple[str, int], ...]
    sort_field: int
    is_cloze: bool

    def fingerprint(self) -> str:
        fields = ",".join(f"{name}#{ident}" for name, ident in self.fields)
        templates = ",".join(f"{name}#{ident}" for name, ident in self.templates)
        kind = "cloze" if self.is_cloze else "standard"
        return (
            f"model={self.model_id};type={kind};fields={fields};"
            f"templates={templates};sort={self.sort_field}"
        )


NOTE_TYPES = {
    "qa": NoteType(
        key="qa",
        model_id=QA_MODEL_ID,
        name="podcards Q/A",
        fields=(
            ("Front", 1_731_902_501),
            ("Back", 1_731_902_502),
            ("Context", 1_731_902_503),
            ("Source", 1_731_902_504),
            ("Extra", 1_731_902_505),
        ),
        templates=(("Card", 1_731_902_601),),
        sort_field=0,
        is_cloze=False,
    ),
    "cloze": NoteType(
        key="cloze",
        model_id=CLOZE_MODEL_ID,
        name="podcards Cloze",
        fields=(
            ("Text", 1_731_902_511),
            ("Context", 1_731_902_512),
            ("Source", 1_731_902_513),
            ("Extra", 1_731_902_514),
        ),
        templates=(("Cloze", 1_731_902_611),),
        sort_field=0,
        is_cloze=True,
    ),
}


_SPECIAL_FIELDS = frozenset(
    {"FrontSide", "Tags", "Type", "Deck", "Subdeck", "Card", "CardFlag", "CardID"}
)
_REFERENCE = re.compile(r"\{\{([#^/]?)([^{}]+)\}\}")


def template_problems(notetype: NoteType, side: str, html: str) -> list[str]:
    """What would make Anki give a note no card, or show an error instead of the card."""
    problems = []
    fields = {name for name, _ in notetype.fields}
    references = [(mark, body.strip()) for mark, body in _REFERENCE.findall(html)]
    for _, body in references:
        name = body.rsplit(":", 1)[-1].strip()
        if name not in fields and name not in _SPECIAL_FIELDS:
            known = ", ".join(name for name, _ in notetype.fields)
            problems.append(f"'{{{{{body}}}}}' names no field of {notetype.name} ({known})")
    main = "cloze:Text" if notetype.is_cloze else "Front"
    if (side == "front" or notetype.is_cloze) and ("", main) not in references:
        cost = "notes get no card" if side == "front" else "the answer hides the text"
        problems.append(f"the {side} needs '{{{{{main}}}}}', or {cost}")
    return problems


@dataclass(frozen=True)
class NoteTypeLook:
    """What may change without breaking anything: Anki updates it in place when newer."""

    front: str
    back: str
    css: str

    def digest(self) -> str:
        return content_hash([self.front, self.back, self.css])


@dataclass(frozen=True)
class PackageNote:
    guid: str
    notetype: str
    fields: tuple[str, ...]
    tags: tuple[str, ...]
    mod: int


@dataclass(frozen=True)
class PackageDeck:
    deck_id: str
    name: str
    description: str
    notes: tuple[PackageNote, ...]


def content_hash(parts: list[str] | tuple[str, ...]) -> str:
    return hashlib.sha256("\x1f".join(parts).encode("utf-8")).hexdigest()[:16]


def _stable_int(text: str, modulo: int) -> int:
    return int.from_bytes(hashlib.sha256(text.encode()).digest()[:8], "big") % modulo


class _StableNote(genanki.Note):  # type: ignore[misc]
    """A note whose ``mod`` is when its own content last changed, not the build time."""

    def __init__(self, mod: int, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.mod = mod

    def write_to_db(self, cursor: Any, timestamp: float, deck_id: int, id_gen: Any) -> None:
        super().write_to_db(cursor, self.mod, deck_id, id_gen)


class _StableModel(genanki.Model):  # type: ignore[misc]
    """A note type whose ``mod`` moves only when its templates or CSS change."""

    def __init__(self, mod: int, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.mod = mod

    def to_json(self, timestamp: float, deck_id: int) -> Any:
        return super().to_json(self.mod, deck_id)


def _model(notetype: NoteType, look: NoteTypeLook, mod: int) -> _StableModel:
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


def package_bytes(deck: PackageDeck, looks: dict[str, NoteTypeLook], mods: dict[str, int]) -> bytes:
    """The .apkg as bytes: the same notes give the same bytes, whatever the clock says.

    Only the note types the deck's notes use go in; ``mods`` gives each one's ``mod``.
    """
    used = {note.notetype for note in deck.notes}
    models = {key: _model(NOTE_TYPES[key], looks[key], mods[key]) for key in sorted(used)}
    anki_deck = genanki.Deck(anki_deck_id(deck.deck_id), deck.name, deck.description)
    for note in deck.notes:
        anki_deck.add_note(
            _StableNote(
                mod=note.mod,
                model=models[note.notetype],
                fields=list(note.fields),
                tags=list(note.tags),
                guid=note.guid,
            )
        )
    for model in models.values():
        anki_deck.add_model(model)

    connection = sqlite3.connect(":memory:")
    try:
        base = _ID_BASE + _stable_int(deck.deck_id, 10_000) * _ID_SPAN
        # notes and note types write their own mod, so genanki's build time is never used
        genanki.Package(anki_deck).write_to_db(connection.cursor(), 0, itertools.count(base))
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
