"""Reading the notes: bytes to text, text to sections, sections to blocks of classified lines.

Notes are what people write by hand or export from note apps: sections under headings of
any style, bullets of any kind. What is not taken is recorded in ``Skips``, never dropped
silently.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

from podcards.errors import Location, PodcardsError, Problem
from podcards.ingest.model import Skipped

MAX_NOTES_BYTES = 4 * 1024 * 1024  # as a deck file: notes any larger make no deck
MAX_LINE = 10_000  # characters; the notes are read line by line


def read_notes(path: Path) -> str:
    """The notes as text: UTF-8 (with or without a byte-order mark) or UTF-16 with one.

    Reads at most a little more than ``MAX_NOTES_BYTES``, so that ``/dev/zero`` or a huge
    file is a message, not a hang; a line longer than ``MAX_LINE`` is refused too.
    """
    try:
        with path.open("rb") as stream:
            data = stream.read(MAX_NOTES_BYTES + 1)
    except OSError as error:
        raise PodcardsError(
            [Problem(Location.of(path), f"cannot read: {error.strerror}")]
        ) from error
    if len(data) > MAX_NOTES_BYTES:
        limit = MAX_NOTES_BYTES // (1024 * 1024)
        raise PodcardsError(
            [Problem(Location.of(path), f"is larger than {limit} MB: too large to be notes")]
        )
    text = _decoded(path, data)
    for number, line in enumerate(text.split("\n"), start=1):
        if len(line) > MAX_LINE:
            raise PodcardsError(
                [
                    Problem(
                        Location.of(path, number),
                        f"the line is longer than {MAX_LINE} characters; break it into paragraphs",
                    )
                ]
            )
    return text


def _decoded(path: Path, data: bytes) -> str:
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            return data.decode("utf-16")
        except UnicodeDecodeError:
            pass
    if b"\x00" in data:
        line = data[: data.index(b"\x00")].count(b"\n") + 1
        raise PodcardsError(
            [Problem(Location.of(path, line), "binary data, not text notes: nothing to ingest")]
        )
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        line = data[: error.start].count(b"\n") + 1
        raise PodcardsError(
            [
                Problem(
                    Location.of(path, line),
                    f"not UTF-8 text (byte 0x{data[error.start]:02x}): save the notes as "
                    "UTF-8 and try again",
                )
            ]
        ) from error
    if not text.strip():
        raise PodcardsError([Problem(Location.of(path), "the file is empty: nothing to ingest")])
    return text


@dataclass(frozen=True)
class Token:
    """One non-blank line, classified: the marker is removed from ``body``."""

    number: int
    kind: Literal["bullet", "blockquote", "heading", "bold", "text"]
    body: str
    indent: int
    raw: str


@dataclass
class Block:
    """Lines with no blank line between them."""

    toks: list[Token]
    gap: int = 0
    after_rule: bool = False


@dataclass
class Section:
    kind: str | None
    line: int
    level: int
    title: str
    lines: list[tuple[int, str]] = field(default_factory=list)


class Skips:
    """The lines of the notes that are not part of the deck, and why."""

    def __init__(self) -> None:
        self.lines: list[Skipped] = []

    def add(self, tok: Token, reason: str = "not an item") -> None:
        self.lines.append(Skipped(tok.number, tok.raw, reason))

    def add_block(self, block: Block, reason: str = "not an item") -> None:
        for tok in block.toks:
            self.add(tok, reason)


_RULE = re.compile(r"^\s*([-*_])(?:\s*\1){2,}\s*$")
MD_HEADING = re.compile(r"^(#{1,6})\s+(.*?)(?:\s+#+)?\s*$")
BULLET = re.compile(r"^(?:[•‣◦▪▫●○■□➤►▸▹→·*+-]|[–—](?=\s)|\d{1,3}[.)])\s+(?:\[[ xX]\]\s+)?(?=\S)")
_WHOLE_BOLD = re.compile(r"^(\*\*|__)(?P<inner>[^*_].*?)\1\s*:?\s*$")
_BLOCKQUOTE = re.compile(r"^>\s?")
URL = re.compile(r"https?://[^\s<>()\[\]]+[^\s<>()\[\].,;:!?'\"]")

_SECTION_NAMES: dict[str, tuple[str, ...]] = {
    "info": (
        "podcast information",
        "podcast info",
        "podcast details",
        "episode information",
        "episode info",
        "episode details",
        "information",
        "info",
        "about the episode",
        "about the podcast",
    ),
    "hook": ("hook", "opening hook"),
    "takeaway": (
        "takeaway",
        "one sentence takeaway",
        "one line takeaway",
        "one sentence summary",
        "in one sentence",
        "tl dr",
        "tldr",
        "bottom line",
    ),
    "summary": ("summary", "episode summary", "overview", "synopsis", "detailed summary"),
    "insights": (
        "insights",
        "insight",
        "takeaways",
        "lessons",
        "lessons learned",
        "ideas",
        "learnings",
    ),
    "frameworks": (
        "frameworks and models",
        "frameworks and mental models",
        "models and frameworks",
        "mental models and frameworks",
        "frameworks models",
        "frameworks",
        "framework",
        "models",
        "mental models",
    ),
    "quotes": ("quotes", "quote", "quotations", "quotes and sayings"),
    "habits": ("habits", "habit", "habits to adopt", "habits and practices", "practices"),
    "references": (
        "references",
        "reference",
        "resources",
        "references and resources",
        "resources and references",
        "links",
        "books and resources",
        "further reading",
        "references mentioned",
        "resources mentioned",
    ),
}
_SECTIONS = {name: kind for kind, names in _SECTION_NAMES.items() for name in names}
_HEADING_FILLERS = {
    "the", "key", "main", "my", "top", "notable", "memorable", "best", "favorite",
    "favourite", "selected", "important", "core", "big", "major", "some", "actionable",
    "useful", "practical", "other",
}  # fmt: skip


def section_of(line: str) -> tuple[str, int] | None:
    """The section a heading line opens and its Markdown level (0 for other headings)."""
    text = line.strip()
    if not text or len(text) > 80 or (BULLET.match(text) and not re.match(r"\d", text)):
        return None
    level = 0
    if heading := MD_HEADING.match(text):
        level, text = len(heading[1]), heading[2]
    text = re.sub(r"\s*\([^()]*\)\s*:?$", "", text.strip(" *_:"))
    text = text.replace("&", " and ").replace("+", " and ").replace(";", " ")
    words = "".join(ch if ch.isalnum() else " " for ch in text.casefold()).split()
    while words and (words[0] in _HEADING_FILLERS or words[0].isdigit()):
        words.pop(0)
    kind = _SECTIONS.get(" ".join(words))
    return (kind, level) if kind else None


def split_lines(text: str) -> list[tuple[int, str]]:
    return list(enumerate(re.split(r"\r\n|\r|\n", text.removeprefix("\ufeff")), start=1))


def sections(lines: list[tuple[int, str]]) -> tuple[list[tuple[int, str]], list[Section]]:
    """The lines before the first section heading, and the sections."""
    preamble: list[tuple[int, str]] = []
    found: list[Section] = []
    current: Section | None = None
    for number, raw in lines:
        opened = section_of(raw)
        if opened:
            current = Section(opened[0], number, opened[1], raw.strip())
            found.append(current)
            continue
        heading = MD_HEADING.match(raw.strip())
        if heading and current is not None and 0 < len(heading[1]) <= current.level:
            current = Section(None, number, len(heading[1]), heading[2])
            found.append(current)
            continue
        (current.lines if current else preamble).append((number, raw))
    return preamble, found


def _classify(number: int, raw: str) -> Token:
    expanded = raw.expandtabs(4)
    text = expanded.strip()
    indent = len(expanded) - len(expanded.lstrip())
    if heading := MD_HEADING.match(text):
        return Token(number, "heading", heading[2].strip(), indent, text)
    if bold := _WHOLE_BOLD.match(text):
        return Token(number, "bold", bold["inner"].strip().rstrip(":").strip(), indent, text)
    if quoted := _BLOCKQUOTE.match(text):
        body = text[quoted.end() :]
        while nested := _BLOCKQUOTE.match(body.lstrip()):
            body = body.lstrip()[nested.end() :]
        return Token(number, "blockquote", body.strip(), indent, text)
    if bullet := BULLET.match(text):
        return Token(number, "bullet", text[bullet.end() :].strip(), indent, text)
    return Token(number, "text", text, indent, text)


def _continues(previous: Token, tok: Token) -> bool:
    """Whether a plain line goes on the text of the bullet above it (else it starts anew)."""
    return tok.indent > previous.indent or (
        tok.indent == previous.indent and tok.body[:1].islower()
    )


def blocks(lines: Iterable[tuple[int, str]]) -> list[Block]:
    found: list[Block] = []
    current: Block | None = None
    gap, rule = 0, False
    for number, raw in lines:
        if not raw.strip():
            current, gap = None, gap + 1
            continue
        if _RULE.match(raw):
            current, rule = None, True
            continue
        tok = _classify(number, raw)
        if current is not None:
            previous = current.toks[-1]
            if tok.kind == "text" and previous.kind == "bullet" and not _continues(previous, tok):
                current = None
        if current is None:
            current = Block([], gap, rule)
            found.append(current)
            gap, rule = 0, False
        current.toks.append(tok)
    return found


def norm(text: str) -> str:
    return " ".join(text.split())


def join(parts: Iterable[str], separator: str = " ") -> str:
    return separator.join(p for p in (norm(part) for part in parts) if p)


def join_paragraphs(paragraphs: Iterable[list[str]]) -> str:
    """One line of text per paragraph of lines; empty paragraphs are left out."""
    return join((" ".join(lines) for lines in paragraphs), "\n")
