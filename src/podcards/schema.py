"""The deck format's declaration, shown to people and editors: a Markdown reference and a
JSON Schema (which the YAML language server reads from a ``# yaml-language-server:
$schema=...`` line). Both come from ``podcards.deck``; nothing here declares a key.
"""

from __future__ import annotations

import json
from typing import Any

from podcards.deck import (
    FORMAT_VERSION,
    ID_PATTERN,
    MAX_ID_LENGTH,
    Deck,
    Spec,
    ValueType,
    keys_of,
)

REFERENCE_START = (
    "<!-- reference: generated from src/podcards/deck.py by `podcards schema --markdown` -->"
)
REFERENCE_END = "<!-- end of reference -->"

_TYPE_NAMES = {
    ValueType.TEXT: "text",
    ValueType.TEXTS: "list of texts",
    ValueType.TAGS: "list of tags (no spaces)",
    ValueType.CARD_NAMES: "list of card names",
    ValueType.ID: "id",
    ValueType.MOMENT: "moment",
    ValueType.VERSION: "number",
}


def _declared_classes() -> list[type]:
    """Every declared class, in the order a deck file is read: the deck first."""
    found: list[type] = []

    def visit(cls: type) -> None:
        if cls in found:
            return
        found.append(cls)
        for spec in keys_of(cls).values():
            if spec.of is not None:
                visit(spec.of)

    visit(Deck)
    return found


def _title(cls: type) -> str:
    if cls is Deck:
        return "The deck file"
    for owner in _declared_classes():
        for name, spec in keys_of(owner).items():
            if spec.of is cls:
                where = name if owner is Deck else f"{_title(owner).split(' ')[0]}.{name}"
                return f"{where}" if spec.type is not ValueType.ITEMS else f"{where}[]"
    return cls.__name__


def _type_name(spec: Spec) -> str:
    if spec.type is ValueType.MAPPING:
        return "mapping (below)"
    if spec.type is ValueType.ITEM:
        return "text, or mapping (below)"
    if spec.type is ValueType.ITEMS:
        return "list of items (below)"
    if spec.choices:
        return f"list of: {', '.join(f'`{choice}`' for choice in spec.choices)}"
    return _TYPE_NAMES[spec.type]


def markdown_reference() -> str:
    """Every key of the format: a table per mapping, in the order of the file."""
    out = [REFERENCE_START, ""]
    for cls in _declared_classes():
        out += [f"### `{_title(cls)}`", ""]
        doc = (cls.__doc__ or "").strip().splitlines()[0] if cls.__doc__ else ""
        if doc and not doc.startswith(cls.__name__ + "("):
            out += [doc, ""]
        out += ["| key | type | required | what it is |", "|---|---|---|---|"]
        for name, spec in keys_of(cls).items():
            required = "yes" if name in _required(cls) else ""
            extra = " May mark key phrases as `{{c1::...}}`." if spec.cloze else ""
            out.append(f"| `{name}` | {_type_name(spec)} | {required} | {spec.doc}{extra} |")
        out.append("")
    out.append(REFERENCE_END)
    return "\n".join(out) + "\n"


# -- JSON Schema ------------------------------------------------------------------------------

_SCALAR = ["string", "number", "integer", "boolean"]  # every scalar is read as the text typed


def _schema_of(spec: Spec) -> dict[str, Any]:
    described: dict[str, Any] = {"description": spec.doc}
    if spec.type is ValueType.TEXT:
        return {**described, "type": _SCALAR}
    if spec.type in (ValueType.TEXTS, ValueType.TAGS, ValueType.CARD_NAMES):
        entry: dict[str, Any] = {"type": _SCALAR}
        if spec.type is ValueType.TAGS:
            entry = {"type": "string", "pattern": r"^\S+$"}
        if spec.choices:
            entry = {"enum": list(spec.choices)}
        return {**described, "type": "array", "items": entry}
    if spec.type is ValueType.ID:
        return {
            **described,
            "type": ["string", "integer"],
            "pattern": f"^{ID_PATTERN.pattern}$",
            "maxLength": MAX_ID_LENGTH,
        }
    if spec.type is ValueType.MOMENT:
        return {
            **described,
            "type": ["string", "integer"],
            "pattern": r"^(\d+|(\d{1,2}:)?\d{1,2}:\d{2})$",
        }
    if spec.type is ValueType.VERSION:
        return {**described, "const": FORMAT_VERSION}
    reference = {"$ref": f"#/$defs/{spec.of.__name__}"}
    if spec.type is ValueType.MAPPING:
        return {**described, **reference}
    if spec.type is ValueType.ITEM:
        return {**described, "oneOf": [{"type": "string"}, reference]}
    return {**described, "type": "array", "items": reference}


def _required(cls: type) -> list[str]:
    """Required keys; ``id`` too where the item has no name to make one from."""
    keys = keys_of(cls)
    required = [name for name, spec in keys.items() if spec.required]
    if "id" in keys and not getattr(cls, "NAMED", True):
        required.insert(0, "id")
    return required


def _object_schema(cls: type) -> dict[str, Any]:
    keys = keys_of(cls)
    required = _required(cls)
    schema: dict[str, Any] = {
        "type": "object",
        "description": (cls.__doc__ or "").strip().splitlines()[0],
        "properties": {name: _schema_of(spec) for name, spec in keys.items()},
        "additionalProperties": False,
    }
    if required:
        schema["required"] = required
    if getattr(cls, "NAMED", False) and "name" not in required:
        schema["anyOf"] = [{"required": ["id"]}, {"required": ["name"]}]
    return schema


def json_schema() -> dict[str, Any]:
    """The deck format as a JSON Schema (draft 2020-12), for editors."""
    classes = _declared_classes()
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": "https://podcards.invalid/deck.schema.json",
        "title": "podcards deck file",
        **{k: v for k, v in _object_schema(Deck).items()},
        "$defs": {cls.__name__: _object_schema(cls) for cls in classes if cls is not Deck},
    }


def json_schema_text() -> str:
    return json.dumps(json_schema(), indent=2, ensure_ascii=False) + "\n"
