"""Writing the deck file's text: the format's key order, long texts folded, every text exact.

``yaml.safe_dump`` would quote and wrap texts where a person would not; this writes the
block style people edit by hand, and checks with YAML itself that each text reads back
as it was.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence

import yaml

from podcards.ingest.model import SECTIONS, Deck, Extra, Framework, Item
from podcards.sources import DECK_KEYS, EPISODE_KEYS, FORMAT_VERSION, TOP_KEYS

_ITEM_KEYS = (
    "id", "name", "text", "question", "summary", "components", "speaker", "context",
    "front", "back", "cloze", "at", "skip_cards",
)  # fmt: skip


def _ordered(
    known: Iterable[tuple[str, object]], extra: Extra, order: tuple[str, ...]
) -> dict[str, object]:
    """Known keys with a value (an empty list is none), plus kept keys, in the format's order."""
    values = {key: value for key, value in known if value not in ("", (), [], None)}
    for key, value in extra:
        values.setdefault(key, value)
    rank = {key: i for i, key in enumerate(order)}
    return dict(sorted(values.items(), key=lambda kv: rank.get(kv[0], len(rank))))


def _item(item: Item) -> dict[str, object]:
    known: list[tuple[str, object]] = [("id", item.id)]
    known += [(name, getattr(item, name)) for name in item.FIELDS]
    if isinstance(item, Framework):
        known.append(("components", [_item(c) for c in item.components] or None))
    return _ordered(known, item.extra, _ITEM_KEYS)


def document(deck: Deck) -> dict[str, object]:
    """The deck as the data its YAML file holds."""
    info, episode = deck.info, deck.episode
    return _ordered(
        [
            ("podcards", FORMAT_VERSION),
            (
                "deck",
                _ordered(
                    [("id", info.id), ("name", info.name), ("tags", list(info.tags))],
                    info.extra,
                    DECK_KEYS,
                ),
            ),
            (
                "episode",
                _ordered(
                    [
                        ("podcast", episode.podcast),
                        ("title", episode.title),
                        ("hosts", list(episode.hosts)),
                        ("guests", list(episode.guests)),
                        ("date", episode.date),
                        ("duration", episode.duration),
                        ("url", episode.url),
                    ],
                    episode.extra,
                    EPISODE_KEYS,
                ),
            ),
            ("hook", deck.hook),
            ("takeaway", deck.takeaway),
            ("summary", deck.summary),
            *((key, [_item(i) for i in getattr(deck, key)] or None) for key in SECTIONS),
        ],
        deck.extra,
        TOP_KEYS,
    )


def render_deck(deck: Deck, *, header: str = "") -> str:
    """The deck file's text: the format's key order, long texts folded, a blank line between
    sections and items. ``yaml.safe_load`` of it gives back every text exactly."""
    return header + "\n" + dump_yaml(document(deck))


_WIDTH = 92
_YAML_PRINTABLE = re.compile(
    "^[\x20-\x7e\xa0-\ud7ff\ue000-\ufefe\uff00-\ufffd\U00010000-\U0010ffff]*$"
)


def dump_yaml(document: Mapping[str, object]) -> str:
    """Block-style YAML for people: blank lines between top-level keys and between items."""
    out: list[str] = []
    for key, value in document.items():
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
        dumped = yaml.safe_dump(value, default_flow_style=True, allow_unicode=True)
        return [f"{head} {dumped.removesuffix(chr(10)).removesuffix('...').strip()}"]
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
        for paragraph in text.split("\n")
    )


def _printable_line(text: str) -> bool:
    """Whether the text is all characters YAML prints as they are, with no whitespace but
    spaces."""
    return bool(_YAML_PRINTABLE.match(text)) and not any(ch.isspace() and ch != " " for ch in text)


def _plain_ok(text: str, *, flow: bool = False) -> bool:
    """Whether the text can stand unquoted: YAML itself reads it back as this very string."""
    if not text or "\n" in text or text != text.strip() or not _printable_line(text):
        return False
    probe = f"k: [{text}]" if flow else f"k: {text}"
    try:
        loaded = yaml.safe_load(probe)
    except yaml.YAMLError:
        return False
    return bool(loaded == ({"k": [text]} if flow else {"k": text}))


def _quoted(text: str) -> str:
    if _printable_line(text) and text == text.strip():
        return "'" + text.replace("'", "''") + "'"
    dumped = yaml.safe_dump(text, default_style='"', allow_unicode=True, width=10**9)
    return dumped.removesuffix("\n")
