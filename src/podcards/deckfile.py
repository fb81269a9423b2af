"""Writing a ``Deck`` as the text of a deck file, in the format's own key order.

The block style people edit by hand (long texts folded, a blank line between sections and
items), checked with the loader itself: every text reads back exactly as it is.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from typing import Any

from podcards.deck import Deck, Takeaway, ValueType, format_moment, keys_of
from podcards.sources import Mapping as YamlMapping
from podcards.sources import Scalar, parse_tree
from podcards.sources import Sequence as YamlSequence

_WIDTH = 92
_YAML_PRINTABLE = re.compile(
    "^[\x20-\x7e\xa0-\ud7ff\ue000-\ufefe\uff00-\ufffd\U00010000-\U0010ffff]*$"
)


def document(value: Any) -> dict[str, object]:
    """A declared object (a deck, an item...) as the plain data its YAML holds.

    Keys in the declaration's order; keys without a value (None, "" or an empty list) left
    out; moments written as "m:ss"; a takeaway with nothing but its text is that text.
    """
    data: dict[str, object] = {}
    for name, spec in keys_of(type(value)).items():
        written = _written(getattr(value, name), spec.type)
        if written not in (None, "", [], {}):
            data[name] = written
    return data


def _written(value: Any, type_: ValueType) -> object:
    if value is None:
        return None
    if type_ is ValueType.MOMENT:
        return format_moment(int(value))
    if type_ in (ValueType.TEXTS, ValueType.TAGS, ValueType.CARD_NAMES):
        return list(value)
    if type_ is ValueType.ITEMS:
        return [document(item) for item in value]
    if type_ is ValueType.ITEM:
        data = document(value)
        return data["text"] if isinstance(value, Takeaway) and list(data) == ["text"] else data
    if type_ is ValueType.MAPPING:
        return document(value)
    return value


def render_deck(deck: Deck, *, header: str = "") -> str:
    """The deck file's text; the loader reads every value of it back exactly."""
    return header + "\n" + dump_yaml(document(deck)) if header else dump_yaml(document(deck))


def dump_yaml(data: Mapping[str, object]) -> str:
    """Block-style YAML for people: blank lines between top-level keys and between items."""
    out: list[str] = []
    for key, value in data.items():
        if out:
            out.append("")
        out += _entry(key, value, 0, spaced=True)
    return "\n".join(out) + "\n"


def _entry(key: str, value: object, indent: int, *, spaced: bool = False) -> list[str]:
    head = " " * indent + _key(key) + ":"
    if isinstance(value, Mapping):
        if not value:
            return [head + " {}"]
        return [head, *_entries(value, indent + 2)]
    if isinstance(value, list | tuple):
        if not value:
            return [head + " []"]
        flow = _flow(value)
        if flow is not None and len(head) + 1 + len(flow) <= _WIDTH:
            return [f"{head} {flow}"]
        return [head, *_sequence(value, indent + 2, spaced=spaced)]
    return _scalar(head, value, indent + 2)


def _sequence(items: Sequence[object], indent: int, *, spaced: bool) -> list[str]:
    out: list[str] = []
    pad = " " * indent
    for n, item in enumerate(items):
        if spaced and n and isinstance(item, Mapping):
            out.append("")
        if isinstance(item, Mapping) and item:
            lines = _entries(item, indent + 2)
        elif isinstance(item, list | tuple) and item:
            lines = _sequence(item, indent + 2, spaced=False)
        else:
            out += _scalar(pad + "-", item, indent + 2)
            continue
        out += [pad + "- " + lines[0][indent + 2 :], *lines[1:]]
    return out


def _entries(mapping: Mapping[object, object], indent: int) -> list[str]:
    return [line for key, value in mapping.items() for line in _entry(str(key), value, indent)]


def _key(key: str) -> str:
    return key if re.fullmatch(r"[A-Za-z_][A-Za-z0-9_-]*", key) and _plain_ok(key) else _quoted(key)


def _flow(items: Sequence[object]) -> str | None:
    texts = [item for item in items if isinstance(item, str)]
    if len(texts) != len(items) or not all(_plain_ok(t, flow=True) for t in texts):
        return None
    return "[" + ", ".join(texts) + "]"


def _scalar(head: str, value: object, indent: int) -> list[str]:
    if not isinstance(value, str):
        return [f"{head} {value}"]  # the format version: a whole number
    fits = len(head) + 1 + len(value) <= _WIDTH
    if fits and "\n" not in value and _plain_ok(value):
        return [f"{head} {value}"]
    if _foldable(value) and (not fits or "\n" in value):
        lines: list[str] = []
        for n, paragraph in enumerate(value.split("\n")):
            if n:
                lines.append("")
            lines += _wrap(paragraph, _WIDTH - indent)
        return [f"{head} >-", *(" " * indent + line if line else "" for line in lines)]
    return [f"{head} {_quoted(value)}"]


def _wrap(paragraph: str, width: int) -> list[str]:
    lines: list[str] = []
    line = ""
    for word in paragraph.split(" "):
        if line and len(line) + 1 + len(word) > width:
            lines.append(line)
            line = word
        else:
            line = f"{line} {word}" if line else word
    return [*lines, line]


def _foldable(text: str) -> bool:
    """Whether a folded block scalar (``>-``) gives back exactly this text."""
    return bool(text) and all(
        paragraph
        and _printable_line(paragraph)
        and "  " not in paragraph
        and paragraph == paragraph.strip(" ")
        and not paragraph.startswith("#")
        for paragraph in text.split("\n")
    )


def _printable_line(text: str) -> bool:
    """Whether the text is all characters YAML prints as they are, with no whitespace but
    spaces."""
    return bool(_YAML_PRINTABLE.match(text)) and not any(ch.isspace() and ch != " " for ch in text)


def _plain_ok(text: str, *, flow: bool = False) -> bool:
    """Whether the text can stand unquoted: the loader reads it back as this very string."""
    if not text or "\n" in text or text != text.strip() or not _printable_line(text):
        return False
    tree, problems = parse_tree(f"k: [{text}]" if flow else f"k: {text}", "<check>")
    if problems or not isinstance(tree, YamlMapping):
        return False
    value = tree.get("k")
    if flow:
        if not isinstance(value, YamlSequence) or len(value.items) != 1:
            return False
        value = value.items[0]
    # a plain word YAML calls null is absent to the loader where a list or id is expected
    return isinstance(value, Scalar) and value.text == text and text not in ("~", "null")


def _quoted(text: str) -> str:
    if _printable_line(text) and text == text.strip():
        return "'" + text.replace("'", "''") + "'"
    escaped = []
    for ch in text:
        if ch in '"\\':
            escaped.append("\\" + ch)
        elif ch == "\n":
            escaped.append("\\n")
        elif ch == "\t":
            escaped.append("\\t")
        elif _printable_line(ch) or ch == " ":
            escaped.append(ch)
        else:
            code = ord(ch)
            escaped.append(
                f"\\x{code:02x}"
                if code < 0x100
                else f"\\u{code:04x}"
                if code < 0x10000
                else f"\\U{code:08x}"
            )
    return '"' + "".join(escaped) + '"'
