"""Habits and references: a name and a text, told apart where the author put the break.

``**Name:** text``, ``Name: text``, ``Name — text``, ``Title: Subtitle by Author — why``, a
name on a line of its own over its text, a heading or a toggle over a paragraph. A colon or
dash inside brackets or quotation marks is no break, and neither is a book's subtitle
before "by Author". A habit may have no name; a reference needs something to say.
"""

from __future__ import annotations

import re

from podcards.deck import Habit, Reference
from podcards.errors import Location
from podcards.ingest.markdown import Block, under
from podcards.ingest.model import Found
from podcards.ingest.moments import moment
from podcards.ingest.quotes import as_quote
from podcards.ingest.text import Text, join, with_key_phrase, without_glyphs

_OPEN, _CLOSE = "([{“«", ")]}”»"
_SENTENCE = re.compile(r"[a-z]{3}\.\s")
_SEPARATORS = (": ", " — ", " – ", " - ", " -- ", " → ", " | ")


def is_name(text: str, words: int = 8) -> bool:
    """Short, and no sentence in it: initials ("J. R. Ekwall") and "Dr." are no full stop."""
    count = len(text.split())
    return 0 < count <= words and not text.endswith((",", ";")) and not _SENTENCE.search(text)


def title_case(text: str) -> bool:
    words = [w for w in text.split() if w[:1].isalpha()]
    return (
        bool(words)
        and words[0][0].isupper()
        and sum(w[0].isupper() for w in words) * 2 >= len(words)
    )


def _breaks(plain: str) -> tuple[int, int, int]:
    """Where the first colon, the first dash and the first " by " stand outside brackets and
    quotation marks (-1 where there is none); only the first 300 characters are looked at."""
    colon = dash = by = -1
    depth = 0
    quoted = False
    window = plain[:300]
    for i, ch in enumerate(window):
        if ch in _OPEN:
            depth += 1
        elif ch in _CLOSE:
            depth = max(depth - 1, 0)
        elif ch == '"':
            quoted = not quoted
        if depth or quoted:
            continue
        if colon < 0 and ch == ":" and window[i + 1 : i + 2] in (" ", ""):
            colon = i
        elif dash < 0 and any(window.startswith(s, i) for s in _SEPARATORS[1:]):
            dash = i
        elif by < 0 and window.startswith(" by ", i) and window[i + 4 : i + 5].isupper():
            by = i
    return colon, dash, by


def split_name(text: Text, *, dashes: bool = True) -> tuple[Text, Text] | None:
    """The name and the text of ``Name: text`` and its kin; None when there is no name."""
    text = text.strip()
    lead = text.lead()
    if lead is not None and lead.style in ("strong", "em", ""):  # bold, italic or a link
        name = Text.of(lead.text.strip().rstrip(":").strip())
        rest = text.cut(len(lead.text))
        after = rest.plain.lstrip()
        for separator in (":", "—", "–", "--", "-", ".", "|"):
            if after.startswith(separator):
                return (
                    (name, rest.strip().cut(len(separator)).strip())
                    if is_name(name.plain, 12)
                    else None
                )
        if after.startswith("by ") or lead.text.rstrip().endswith(":") or not after:
            return (name, rest.strip()) if is_name(name.plain, 12) else None
    plain = text.plain
    colon, dash, by = _breaks(plain)
    subtitle = colon < 0 or colon > by or title_case(plain[colon:by])
    if by > 0 and (dash < 0 or by < dash) and subtitle and is_name(plain[:by], 12):
        return text.cut(0, by).strip(), text.cut(by + 1).strip()
    cuts = [c for c in (colon, dash if dashes else -1) if c > 0]
    if not cuts:
        return None
    at = min(cuts)
    size = 2 if at == colon else next(len(s) for s in _SEPARATORS[1:] if plain.startswith(s, at))
    if not is_name(plain[:at].strip()):
        return None
    return text.cut(0, at).strip(), text.cut(at + size).strip()


def _trailing_note(text: Text) -> tuple[Text, Text] | None:
    """ "The Night Ward Study (Rehak, 2021)": a name and, in brackets, what it is."""
    plain = text.plain.rstrip(". ")
    if not plain.endswith(")") or "(" not in plain:
        return None
    start = plain.rfind("(")
    if start <= 0 or not is_name(plain[:start].strip(), 12):
        return None
    return text.cut(0, start).strip(), text.cut(start + 1, len(plain) - 1).strip()


def named(
    blocks: list[Block], found: Found, cls: type[Habit | Reference], at: int | None = None
) -> None:
    """The habits or references of a section, each with a name when the notes give one."""
    n = 0
    while n < len(blocks):
        block = blocks[n]
        n += 1
        if block.kind == "heading":
            end = under(blocks, n, block, nested=False)
            body, n = blocks[n:end], end
            texts = [b.text for b in body if b.kind in ("para", "item")]
            name, when = moment(without_glyphs(block.text))
            _emit(cls, name, join(texts, "\n"), block.line, when if when is not None else at, found)
        elif block.kind == "item" and block.task:
            found.skip(block.line, block.text.plain, "a task: not a card")
        elif block.kind == "item":
            paragraphs = [c for c in block.children if c.kind == "para"]
            text, when = moment(without_glyphs(block.text))
            when = when if when is not None else at
            if (quote := as_quote(text, block.line, when)) is not None:
                found.quotes.append(quote)
            elif paragraphs and split_name(text) is None:
                _emit(cls, text, join((p.text for p in paragraphs), "\n"), block.line, when, found)
            else:
                _entry(cls, text, block.line, when, found)
            for child in block.children:
                if child.kind != "para" or split_name(text) is not None:
                    found.skip(
                        child.line,
                        child.text.plain or child.raw,
                        "a detail of the item above: not a card",
                    )
        elif block.kind == "para":
            _paragraph(cls, block, found, at)
        elif block.kind == "quote":
            quote = as_quote(block.text, block.line, at)
            if quote is not None:
                found.quotes.append(quote)
            else:
                found.skip(
                    block.line, block.text.plain, "a block quote: not a " + cls.KIND, block.end
                )
        else:
            found.skip(block.line, block.raw, "not an item", block.end)


def _paragraph(cls: type[Habit | Reference], block: Block, found: Found, at: int | None) -> None:
    lines = [(line.number, *moment(without_glyphs(line.text))) for line in block.lines]
    if len(lines) > 1 and all(split_name(text) for _, text, _ in lines):
        for number, text, when in lines:
            _entry(cls, text, number, when if when is not None else at, found)
        return
    number, first, when = lines[0]
    rest = join(text for _, text, _ in lines[1:])
    if rest and split_name(first) is None and is_name(first.plain, 12):
        _emit(cls, first, rest, number, when if when is not None else at, found)
    else:
        _entry(
            cls, join(text for _, text, _ in lines), number, when if when is not None else at, found
        )


def _entry(
    cls: type[Habit | Reference], text: Text, line: int, at: int | None, found: Found
) -> None:
    split = split_name(text)
    if split is None and cls is Reference:
        split = _trailing_note(text)
    if split is None:
        _emit(cls, None, text, line, at, found)
    else:
        _emit(cls, split[0], split[1], line, at, found)


def _emit(
    cls: type[Habit | Reference],
    name: Text | None,
    text: Text,
    line: int,
    at: int | None,
    found: Found,
) -> None:
    plain = text.plain.strip()
    words = plain.split()
    if not plain or (len(words) == 1 and "://" in plain):
        label = name.plain if name else plain
        found.skip(line, label, f"no text: a {cls.KIND} needs what the episode says about it")
        return
    statement = len(words) >= 12 or plain.endswith((".", "!", "?", ")"))
    if cls is Reference and name is None and not statement:
        found.skip(line, plain, "only a name: a reference needs what the episode says about it")
        return
    item = cls(
        name=name.plain if name else None,
        text=with_key_phrase(text),
        at=at,
        location=Location("", line),
    )
    if isinstance(item, Habit):
        found.habits.append(item)
    else:
        found.references.append(item)
