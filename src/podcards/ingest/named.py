"""Habits and references, items with a name and a text, and how a name is told from its text.

The name shapes ("**Name**: text", "Name: text", "Name – text", a heading or a line of its
own) serve frameworks and their components too.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import TypeVar

from podcards.deck import Habit, Reference
from podcards.errors import Location
from podcards.ingest.inline import without_links
from podcards.ingest.notes import URL, Block, Skips, Token, join_paragraphs, norm

BOLD_NAME = re.compile(
    r"^(\*\*|__)(?P<name>[^*_].*?)\s*:?\s*\1\s*(?:(?::|[.–—]|--?)\s*)?(?P<text>.*)$"
)
_COLON_NAME = re.compile(r"^(?P<name>[^:]{1,80}?)\s*:\s+(?P<text>\S.*)$")
_DASH_NAME = re.compile(r"^(?P<name>.{1,80}?)\s+(?:--?|[–—])\s+(?P<text>\S.*)$")


def _is_name(text: str) -> bool:
    return 0 < len(text.split()) <= 8 and ". " not in text and not text.endswith((",", ";"))


def split_named(body: str, *, dashes: bool) -> tuple[str, str] | None:
    """("Name", "text") from "**Name**: text", "Name: text" or (with dashes) "Name – text".

    A link is its text here, so that "[Name](https://...): text" has a name too.
    """
    body = without_links(body)
    if bold := BOLD_NAME.match(body):
        name = norm(bold["name"].rstrip(":"))
        if _is_name(name) and bold["text"]:
            return name, norm(bold["text"])
        return None
    for pattern in (_COLON_NAME, _DASH_NAME) if dashes else (_COLON_NAME,):
        match = pattern.match(body)
        if match and _is_name(match["name"]) and not URL.match(body):
            return norm(match["name"]), norm(match["text"])
    return None


def title(text: str) -> str:
    """A name given as a heading or a line of its own, without its numbering and colon."""
    text = re.sub(r"^\d{1,3}[.)]\s+", "", text.strip())
    text = re.sub(r"^(\*\*|__)(.+)\1$", r"\2", text)
    return norm(text.rstrip(":").rstrip())


def title_like(text: str) -> bool:
    words = text.split()
    return 0 < len(words) <= 12 and len(text) <= 100 and not text.endswith((".", ",", ";"))


def unbold(text: str) -> str:
    match = re.fullmatch(r"(\*\*|__)(.+)\1", text)
    return match[2] if match else text


@dataclass
class _Draft:
    name: str
    tok: Token
    explicit: bool
    paragraphs: list[list[str]] = field(default_factory=list)


N = TypeVar("N", Habit, Reference)


def named_items(skips: Skips, blocks: list[Block], cls: type[N]) -> tuple[N, ...]:
    """Habits or references: a name and a text, in any of the shapes people write them."""
    drafts: list[_Draft] = []
    current: _Draft | None = None

    def start(name: str, tok: Token, *, explicit: bool = False, text: str | None = None) -> _Draft:
        draft = _Draft(name, tok, explicit, [] if text is None else [[text]])
        drafts.append(draft)
        return draft

    def waiting() -> bool:
        return current is not None and not current.paragraphs

    for block in blocks:
        one_liners = all(
            tok.kind == "text" and split_named(tok.body, dashes=True) for tok in block.toks
        )
        for position, tok in enumerate(block.toks):
            if tok.kind in ("heading", "bold"):
                current = start(title(tok.body), tok, explicit=True)
            elif tok.kind == "bullet":
                named = split_named(tok.body, dashes=True)
                if current is not None and waiting() and named is None:
                    current.paragraphs.append([tok.body])
                elif named:
                    current = start(named[0], tok, text=named[1])
                else:
                    skips.add(tok, f"a {cls.KIND} needs a name and a text: write 'Name: text'")
                    current = None
            elif one_liners and (named := split_named(tok.body, dashes=True)):
                current = start(named[0], tok, text=named[1])
            elif position > 0 and current is not None:
                if current.paragraphs:
                    current.paragraphs[-1].append(tok.body)
                else:
                    current.paragraphs.append([tok.body])
            elif position > 0:
                skips.add(tok)
            elif current is not None and waiting():
                current.paragraphs.append([tok.body])
            elif (named := split_named(tok.body, dashes=True)) and BOLD_NAME.match(tok.body):
                current = start(named[0], tok, text=named[1])
            elif title_like(tok.body) and tok.kind == "text":
                current = start(title(tok.body), tok)
            elif current is not None and current.explicit:
                current.paragraphs.append([tok.body])
            else:
                skips.add(tok)
                current = None
    items: list[N] = []
    for draft in drafts:
        text = join_paragraphs(draft.paragraphs)
        if text:
            items.append(cls(name=draft.name, text=text, location=Location("", draft.tok.number)))
        else:
            skips.add(draft.tok)
    return tuple(items)
