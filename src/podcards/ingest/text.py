"""A text of the notes as the parser read it: the characters typed, and which were emphasised.

Inline Markdown is markup, not text: a link is its words, ``**bold**`` its words in bold. The
emphasis is kept beside the characters because it is the author's: one emphasised phrase
becomes the item's key phrase (``{{c1::...}}``). Stdlib only; every pattern here is linear.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass, field

_SPACES = re.compile(r"[ \t\r\n\f\v]+")  # ASCII only: a U+202F or U+00A0 is the author's
_GLYPHS = "•◦▪▫‣●○■□➤►▸▹→·✓✔✗➢➜⁃∙"
_JOINERS = "\ufe0e\ufe0f\u200d\u20e3"
_CLOZE = re.compile(r"\{\{c\d+::")


@dataclass(frozen=True)
class Span:
    text: str
    style: str = ""  # "strong", "mark", "em", "code", "image", or "" for plain text
    href: str = ""


@dataclass(frozen=True)
class Text:
    """Spans of text; offsets are offsets into ``plain``, the characters a reader sees."""

    spans: tuple[Span, ...] = ()
    plain: str = field(init=False, compare=False, repr=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "plain", "".join(span.text for span in self.spans))

    @classmethod
    def of(cls, text: str, style: str = "") -> Text:
        return cls((Span(text, style),) if text else ())

    def __str__(self) -> str:
        return self.plain

    def __bool__(self) -> bool:
        return bool(self.plain)

    def __add__(self, other: Text) -> Text:
        return Text(self.spans + other.spans)

    def cut(self, start: int, end: int | None = None) -> Text:
        """The text from ``start`` to ``end`` (offsets into ``plain``), styles kept."""
        end = len(self.plain) if end is None else end
        found: list[Span] = []
        offset = 0
        for span in self.spans:
            a, b = max(start - offset, 0), min(end - offset, len(span.text))
            if a < b:
                found.append(Span(span.text[a:b], span.style, span.href))
            offset += len(span.text)
        return Text(tuple(found))

    def strip(self, chars: str = " ") -> Text:
        plain = self.plain
        start = len(plain) - len(plain.lstrip(chars))
        return self.cut(start, len(plain.rstrip(chars)))

    def squash(self) -> Text:
        """Runs of ASCII white space as one space, none at either end."""
        found: list[Span] = []
        space = True
        for span in self.spans:
            text = _SPACES.sub(" ", span.text)
            if space:
                text = text.lstrip(" ")
            if text:
                found.append(Span(text, span.style, span.href))
                space = text.endswith(" ")
        return Text(tuple(found)).strip()

    def lead(self) -> Span | None:
        """The first span when it is styled (a bold or italic name, a link)."""
        text = self.strip()
        return text.spans[0] if text.spans and (text.spans[0].style or text.spans[0].href) else None

    def links(self) -> list[str]:
        return [span.href for span in self.spans if span.href]


def join(texts: Iterable[Text], separator: str = " ") -> Text:
    """The texts, white space squashed in each, one separator between them."""
    found: list[Span] = []
    for text in texts:
        if text := text.squash():
            if found:
                found.append(Span(separator))
            found += text.spans
    return Text(tuple(found))


def squash(text: str) -> str:
    return _SPACES.sub(" ", text).strip(" ")


def glyph_length(text: str) -> int:
    """How many characters of bullet glyphs or emoji (and the space after) start the text."""
    n = 0
    while n < len(text) and (
        text[n] in _GLYPHS or text[n] in _JOINERS or unicodedata.category(text[n]) in ("So", "Sk")
    ):
        n += 1
    if n == 0 or n >= len(text) or not text[n].isspace():
        return 0
    return n + len(text[n:]) - len(text[n:].lstrip())


def without_glyphs(text: Text) -> Text:
    """The text without the emoji or bullet glyphs that stand in for a bullet."""
    text = text.strip()
    return text.cut(glyph_length(text.plain))


def with_key_phrase(text: Text) -> str:
    """The plain text, with the author's one emphasised phrase marked ``{{c1::...}}``.

    Bold and highlights first, else italics; only when there is exactly one such phrase,
    it is not most of the text, and the author typed no cloze markup of their own.
    """
    plain = text.plain
    if _CLOZE.search(plain):
        return plain
    for styles in (("strong", "mark"), ("em",)):
        runs: list[tuple[int, int]] = []
        offset = 0
        for span in text.spans:
            end = offset + len(span.text)
            if span.style in styles:
                if runs and runs[-1][1] == offset:
                    runs[-1] = (runs[-1][0], end)
                else:
                    runs.append((offset, end))
            offset = end
        if len(runs) > 1:
            return plain
        if runs:
            a, b = runs[0]
            phrase = plain[a:b].strip(" :")
            most = len(phrase.split()) > 8 or len(phrase) > 0.6 * len(plain.strip(" :."))
            if not phrase or "}}" in phrase or "::" in phrase or most:  # a key phrase is short
                return plain
            a = plain.index(phrase, a)
            return f"{plain[:a]}{{{{c1::{phrase}}}}}{plain[a + len(phrase) :]}"
    return plain
