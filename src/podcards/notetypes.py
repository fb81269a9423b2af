"""podcards' two note types: their frozen schema, and their look (HTML and CSS).

Anki matches a note type by id, then compares field and template ids and order: this
schema must never change once released. The look may change: learners get it in place.
Standard library only; ``anki`` turns these into genanki models.
"""

from __future__ import annotations

import dataclasses
import hashlib
import re
from collections.abc import Mapping
from dataclasses import dataclass

from podcards.deck import NoteKind


@dataclass(frozen=True)
class NoteType:
    """The schema Anki compares on import; changing any of it breaks learners' updates."""

    kind: NoteKind
    model_id: int
    name: str
    fields: tuple[tuple[str, int], ...]
    templates: tuple[tuple[str, int], ...]
    sort_field: int

    @property
    def is_cloze(self) -> bool:
        return self.kind is NoteKind.CLOZE

    @property
    def field_names(self) -> tuple[str, ...]:
        return tuple(name for name, _ in self.fields)

    def field_index(self, name: str) -> int:
        return self.field_names.index(name)

    def fingerprint(self) -> str:
        fields = ",".join(f"{name}#{ident}" for name, ident in self.fields)
        templates = ",".join(f"{name}#{ident}" for name, ident in self.templates)
        kind = "cloze" if self.is_cloze else "standard"
        return (
            f"model={self.model_id};type={kind};fields={fields};"
            f"templates={templates};sort={self.sort_field}"
        )


NoteTypes = Mapping[NoteKind, NoteType]

# Frozen forever: Anki matches note types by id, then by field and template ids and order.
NOTE_TYPES: NoteTypes = {
    NoteKind.QA: NoteType(
        kind=NoteKind.QA,
        model_id=1_731_902_415,
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
    ),
    NoteKind.CLOZE: NoteType(
        kind=NoteKind.CLOZE,
        model_id=1_731_902_416,
        name="podcards Cloze",
        fields=(
            ("Text", 1_731_902_511),
            ("Context", 1_731_902_512),
            ("Source", 1_731_902_513),
            ("Extra", 1_731_902_514),
        ),
        templates=(("Cloze", 1_731_902_611),),
        sort_field=0,
    ),
}


def as_released(current: NoteType, schema: str) -> NoteType:
    """The note type with the schema a lock recorded (its ``fingerprint``), to rebuild a
    release made before a schema change; the current one where the record is unreadable."""
    parts = dict(part.partition("=")[::2] for part in schema.split(";"))
    try:
        fields, templates = (
            tuple((name, int(ident)) for name, _, ident in map(_split_id, parts[key].split(",")))
            for key in ("fields", "templates")
        )
        return dataclasses.replace(
            current,
            model_id=int(parts["model"]),
            fields=fields,
            templates=templates,
            sort_field=int(parts["sort"]),
        )
    except (KeyError, ValueError):
        return current


def _split_id(text: str) -> tuple[str, str, str]:
    return text.rpartition("#")


def same_structure(old: str, new: str) -> bool:
    """Whether two fingerprints are one schema as Anki compares them.

    Field and template names do not count where ids do: every podcards field and template
    has a fixed id, so renaming one updates it in place.
    """
    return _structure(old) == _structure(new)


def _structure(schema: str) -> str:
    return re.sub(r"(?<=[=,])[^=,;#]*#", "#", schema)


@dataclass(frozen=True)
class Look:
    """What may change without breaking anything: Anki updates it in place when newer."""

    front: str
    back: str
    css: str

    def digest(self) -> str:
        return content_hash([self.front, self.back, self.css])


def content_hash(parts: list[str] | tuple[str, ...]) -> str:
    return hashlib.sha256("\x1f".join(parts).encode("utf-8")).hexdigest()[:16]


_SPECIAL_FIELDS = frozenset(
    {"FrontSide", "Tags", "Type", "Deck", "Subdeck", "Card", "CardFlag", "CardID"}
)
_REFERENCE = re.compile(r"\{\{([#^/]?)([^{}]+)\}\}")


def template_problems(notetype: NoteType, side: str, html: str) -> list[str]:
    """What would make Anki give a note no card, or show an error instead of the card."""
    problems = []
    fields = set(notetype.field_names)
    references = [(mark, body.strip()) for mark, body in _REFERENCE.findall(html)]
    for _, body in references:
        name = body.rsplit(":", 1)[-1].strip()
        if name not in fields and name not in _SPECIAL_FIELDS:
            known = ", ".join(notetype.field_names)
            problems.append(f"'{{{{{body}}}}}' names no field of {notetype.name} ({known})")
    main = "cloze:Text" if notetype.is_cloze else "Front"
    if (side == "front" or notetype.is_cloze) and ("", main) not in references:
        cost = "notes get no card" if side == "front" else "the answer hides the text"
        problems.append(f"the {side} needs '{{{{{main}}}}}', or {cost}")
    return problems
