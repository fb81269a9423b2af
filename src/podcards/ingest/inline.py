"""Inline Markdown in the texts of the notes: links and emphasis markers are not text.

``[text](url)`` becomes its text; ``**x**``, ``__x__``, ``*x*``, ``_x_`` (and ``***x***``)
lose their markers when they wrap words, and a code span loses its backticks. Everything
else is kept character for character: ``5 * 3``, ``snake_case``, a lone ``*``, the ``_`` of
a bare link, the text of a code span.
"""

from __future__ import annotations

import re

from podcards.ingest.notes import URL

_CODE = re.compile(r"(?<!`)(?P<ticks>`+)(?!`)(?=\S)(?P<text>.+?)(?<=\S)(?<!`)(?P=ticks)(?!`)")
_LINK = re.compile(
    r"!?\[(?P<text>[^\[\]]*[^\[\]\s][^\[\]]*)\]"
    r"\(\s*(?:<[^<>\n]*>|[^\s()]*(?:\([^\s()]*\)[^\s()]*)*)"
    r"(?:\s+(?:\"[^\"]*\"|'[^']*'|\([^()]*\)))?\s*\)"
)
_EMPHASIS = [
    re.compile(
        rf"(?<![\w{m}\\])(?P<mark>{m}{{1,3}})(?![\s{m}])(?P<text>.+?)"
        rf"(?<![\s{m}\\])(?P=mark)(?![\w{m}])"
    )
    for m in (r"\*", "_")
]
_HOLE = "\x00"


def plain_inline(text: str) -> str:
    """The text without Markdown links and emphasis markers, all else exactly as written."""
    if not any(ch in text for ch in "*_`[") or _HOLE in text:
        return text
    kept: list[str] = []

    def hold(value: str) -> str:
        kept.append(value)
        return f"{_HOLE}{len(kept) - 1}{_HOLE}"

    text = _CODE.sub(lambda m: hold(m["text"]), text)
    text = _LINK.sub(lambda m: m["text"], text)
    text = URL.sub(lambda m: hold(m[0]), text)
    for _ in range(3):  # nested: **bold with _italic_ inside**
        before = text
        for pattern in _EMPHASIS:
            text = pattern.sub(lambda m: m["text"], text)
        if text == before:
            break
    return re.sub(f"{_HOLE}(\\d+){_HOLE}", lambda m: kept[int(m[1])], text)


def without_links(text: str) -> str:
    """The text with each Markdown link replaced by its text (names are told apart on it)."""
    return _LINK.sub(lambda m: m["text"], text) if "](" in text else text
