"""Anki's cloze markup in user text: ``{{c1::answer}}`` or ``{{c1::answer::hint}}``.

Read by a linear scan, never a backtracking pattern, so that no text makes it slow; every
form that looks like a deletion but is not a well-formed one is a problem to report.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

# Anki reads ASCII digits only; more than six is no number a deletion can have
_OPENER = re.compile(r"\{\{c([0-9]{1,6}(?:,[0-9]{1,6})*)::")
MAX_NUMBER = 500  # Anki makes no card past c500: c501 and above all land on card 500
_CLOSER = "}}"
# What is left once the well-formed deletions are taken out must not look like one.
_ALMOST = re.compile(r"\{\s*[cC]\s*\d+\s*:|\{\{\s*[cC]\s*\d|[cC]\d+::")
_TAGS = re.compile(r"<[^<>]*>")


@dataclass(frozen=True)
class Deletion:
    """One ``{{cN::answer::hint}}`` of a text: where it is and what it holds."""

    start: int
    end: int
    number: str  # as written: "1", or "1,3" (refused by ``problems``)
    answer: str
    hint: str | None


@dataclass(frozen=True)
class Scan:
    deletions: tuple[Deletion, ...]
    problems: tuple[str, ...]


def scan(text: str) -> Scan:
    """The deletions of a text, and what is wrong with its cloze markup, in one pass."""
    deletions: list[Deletion] = []
    problems: list[str] = []
    rest: list[str] = []
    position = 0
    while match := _OPENER.search(text, position):
        close = text.find(_CLOSER, match.end())
        if close < 0:
            problems.append(
                f"the deletion {_shown(text[match.start() : match.end() + 20])} is never closed; "
                "end it with '}}'"
            )
            rest.append(text[position : match.start()])
            position = len(text)  # reported: the rest is the unclosed deletion's
            break
        inner = text[match.end() : close]
        if _OPENER.search(inner):
            problems.append(
                f"deletions cannot be nested ({_shown(text[match.start() : close + 2])}); "
                "give each phrase its own {{cN::...}}"
            )
        answer, separator, hint = inner.partition("::")
        deletion = Deletion(
            match.start(), close + 2, match.group(1), answer, hint if separator else None
        )
        problems += _deletion_problems(deletion, text)
        deletions.append(deletion)
        rest.append(text[position : match.start()])
        position = close + 2
    rest.append(text[position:])
    residue = "\u0000".join(rest)
    if almost := _ALMOST.search(residue):
        start = max(0, almost.start() - 5)
        problems.append(
            f"{_shown(residue[start : almost.end() + 15])} looks like a cloze deletion but is "
            "not one: write {{c1::phrase}} (two braces, c and a number, two colons)"
        )
    return Scan(tuple(deletions), tuple(problems))


def _deletion_problems(deletion: Deletion, text: str) -> list[str]:
    written = _shown(text[deletion.start : deletion.end])
    if "," in deletion.number:
        return [
            f"a deletion with several numbers ({{{{c{deletion.number}::...}}}}) is not "
            "supported; give each deletion one number"
        ]
    if int(deletion.number) > MAX_NUMBER:
        return [f"deletions are numbered from 1 to {MAX_NUMBER} (Anki's limit), not {written}"]
    if int(deletion.number) == 0:
        return ["deletions are numbered from 1, not {{c0::...}}"]
    if not deletion.answer.strip():
        return [f"the deletion {written} hides nothing"]
    before = text[deletion.start - 1 : deletion.start]
    if before == "{" or text[deletion.end : deletion.end + 1] == "}":
        return [f"the deletion {written} has an extra brace around it"]
    return []


def _shown(fragment: str) -> str:
    fragment = fragment.replace("\u0000", " ")
    return repr(fragment if len(fragment) <= 60 else fragment[:59] + "…")


def deletions(text: str) -> tuple[Deletion, ...]:
    return scan(text).deletions


def cloze_numbers(text: str) -> list[str]:
    return [deletion.number for deletion in deletions(text)]


def has_deletion(text: str) -> bool:
    """Whether the text gives Anki at least one card: a deletion numbered from 1."""
    return any(0 < int(d.number.split(",")[0]) <= MAX_NUMBER for d in deletions(text))


def plain(text: str) -> str:
    """The text as a reader sees it once every deletion is revealed."""
    parts: list[str] = []
    position = 0
    for deletion in deletions(text):
        parts += [text[position : deletion.start], deletion.answer]
        position = deletion.end
    parts.append(text[position:])
    return "".join(parts)


def is_blank(html: str) -> bool:
    """Anki counts a field of only whitespace, ``<br>`` or ``&nbsp;`` as empty; so do we."""
    text = _TAGS.sub("", html).replace("&nbsp;", " ").replace("\xa0", " ")
    return not text.strip()
