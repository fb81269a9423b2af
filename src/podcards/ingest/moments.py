"""Moments of the episode written in the notes: ``[12:34]``, ``(1:02:03)``, ``[Time 0:23:05]``,
a linked ``[06:01](…&t=361)``, a range ``(07:30 - 08:42)`` (its start), or ``1:02:03 —`` before a
chapter title. A clock time inside a sentence ("at 07:00", "12:30 UTC") is text, not a moment.
"""

from __future__ import annotations

import re

from podcards.ingest.text import Text

_TIME = r"(?<![\d:.])(?:(\d{1,2}):)?([0-5]?\d):([0-5]\d)(?![\d:])"
_STAMP = rf"(?:Time\s+)?{_TIME}(?:\s*[-–—]\s*(?:\d{{1,2}}:)?[0-5]?\d:[0-5]\d)?"
_BRACKETED = rf"\\?[\[(]\s*{_STAMP}\s*\\?[\])]"
_LEADING = re.compile(rf"\s*(?:{_BRACKETED}|{_STAMP}(?=\s*[-–—|:]\s))\s*(?:[-–—|:]\s+)?")
_TRAILING = re.compile(rf"{_BRACKETED}$")
_ALONE = re.compile(rf"\s*(?:{_BRACKETED}|{_STAMP})\s*")
_CHAPTER = re.compile(rf"\s*(?:{_BRACKETED}|{_STAMP})\s*(?:[-–—|:]\s*)?\S")


def seconds(match: re.Match[str]) -> int:
    """The seconds of the first moment a pattern of this module matched."""
    groups = match.groups()
    for n in range(0, len(groups), 3):
        hours, minutes, secs = groups[n : n + 3]
        if minutes is not None:
            return int(hours or 0) * 3600 + int(minutes) * 60 + int(secs)
    raise ValueError(match[0])  # pragma: no cover


def moment(text: Text) -> tuple[Text, int | None]:
    """The text without the moments written at its start or end, and the first of them."""
    at: int | None = None
    plain = text.plain
    if (lead := _LEADING.match(plain)) and lead.end() < len(plain):
        at = seconds(lead)
        text, plain = text.cut(lead.end()), plain[lead.end() :]
    end = len(plain.rstrip())
    if trail := _TRAILING.search(plain, max(end - 40, 0), end):  # a moment is short
        at = at if at is not None else seconds(trail)
        text = text.cut(0, trail.start())
    return text.strip(), at


def alone(text: str) -> int | None:
    """The moment, when a line is nothing but a moment (``[41:47]`` under a quote)."""
    match = _ALONE.fullmatch(text)
    return seconds(match) if match else None


def is_chapter(text: str) -> bool:
    """A chapter line: a moment, then a short title ("00:55 - How it started")."""
    return len(text) <= 120 and _CHAPTER.match(text) is not None
