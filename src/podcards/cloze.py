"""Anki's cloze markup in user text: ``{{c1::answer}}`` or ``{{c1::answer::hint}}``."""

from __future__ import annotations

import re

DELETION = re.compile(r"\{\{c(\d+(?:,\d+)*)::(.*?)(?:::(.*?))?\}\}", re.DOTALL)
_TAGS = re.compile(r"<[^>]*>")


def cloze_numbers(text: str) -> list[str]:
    return [match.group(1) for match in DELETION.finditer(text)]


def has_deletion(text: str) -> bool:
    return any(int(number.split(",")[0]) > 0 for number in cloze_numbers(text))


def plain(text: str) -> str:
    """The text as a reader sees it once every deletion is revealed."""
    return DELETION.sub(lambda match: match.group(2), text)


def is_blank(html: str) -> bool:
    """Anki counts a field of only whitespace, ``<br>`` or ``&nbsp;`` as empty; so do we."""
    text = _TAGS.sub("", html).replace("&nbsp;", " ").replace("\xa0", " ")
    return not text.strip()
