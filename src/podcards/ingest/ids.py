"""Ids: readable, unique in the deck file, and the same for the same text.

An id is the identity of the cards people study, so the same notes always give the same
ids, and an id once handed out (or found in the deck file) is never given to another item.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterable, Sequence
from dataclasses import replace
from itertools import chain, count
from typing import TypeVar

from podcards.cloze import plain
from podcards.deck import (
    Component,
    CustomCard,
    Deck,
    DeckInfo,
    Episode,
    Habit,
    Insight,
    Item,
    Quote,
    Reference,
    slug,
)
from podcards.ingest.text import squash
from podcards.words import STOPWORDS as _STOPWORDS

_SEPARATORS = re.compile(r"[\s!-&(-/:-@\[-`{-~]+")
"""White space and ASCII punctuation but the apostrophe: where a slug splits words anyway."""


def slug_words(text: str) -> list[str]:
    """The words of ``slug(text)``, however long the text: its cap is no place to cut a word.

    The text is cut where the slug splits words anyway, so the words are the slug's own.
    """
    return [word for piece in _SEPARATORS.split(text) for word in slug(piece).split("-") if word]


def _shorten(words: Sequence[str], limit: int) -> str:
    kept: list[str] = []
    for word in words:
        if kept and len("-".join([*kept, word])) > limit:
            break
        kept.append(word)
    return "-".join(kept)[:limit].strip("-")


def _id_candidates(text: str, *, named: bool) -> list[str]:
    """Readable ids for a name or a text, shortest first; the same text gives the same ids."""
    words = slug_words(text)
    content = [w for w in words if w not in _STOPWORDS] or words
    candidates: list[str] = []
    if named and len("-".join(words)) <= 40:
        candidates.append("-".join(words))
    for n, limit in ((4, 40), (6, 56), (len(content), 72)):
        candidates.append(_shorten(content[:n], limit))
    return [c for c in dict.fromkeys(candidates) if c]


class _Ids:
    """Hands out ids unique in the whole deck file."""

    def __init__(self, taken: Iterable[str] = ()) -> None:
        self.taken = set(taken)

    def claim(self, kind: str, text: str, *, named: bool) -> str:
        candidates = _id_candidates(text, named=named)
        if not candidates:
            candidates = [f"{kind}-{hashlib.sha1(text.encode()).hexdigest()[:6]}"]
        base = candidates[0]
        numbered = (f"{base}-{n}" for n in count(2))
        for candidate in chain(candidates, [f"{base}-{kind}"], numbered):
            if candidate not in self.taken:
                self.taken.add(candidate)
                return candidate
        raise AssertionError("unreachable")  # pragma: no cover


def _made_from(item: Item) -> tuple[str, bool]:
    """What an item's id is made from, and whether it is a name: some items have none."""
    name = getattr(item, "name", None)
    if name:
        return plain(name), True
    if isinstance(item, CustomCard):
        return plain(item.front or item.cloze or ""), False
    assert isinstance(item, Insight | Quote | Component | Habit | Reference)
    return plain(item.text), False


_I = TypeVar("_I", bound=Item)


def with_ids(deck: Deck, taken: Iterable[str] = ()) -> Deck:
    """Give every item and component that has no id yet a fresh one (not in ``taken``).

    Ids are handed out in a fixed order, frameworks (each with its components) first, so
    that two items that would get the same id always settle it the same way.
    """
    ids = _Ids(taken)
    for framework in deck.frameworks:
        ids.taken.update(c.id for c in framework.components if c.id)
    items: list[Item] = [
        *deck.insights,
        *deck.frameworks,
        *deck.quotes,
        *deck.habits,
        *deck.references,
        *deck.cards,
    ]
    ids.taken.update(item.id for item in items if item.id)

    def fresh(item: _I) -> _I:
        if item.id:
            return item
        text, named = _made_from(item)
        return replace(item, id=ids.claim(item.KIND, text, named=named))

    frameworks = tuple(
        replace(fresh(f), components=tuple(fresh(c) for c in f.components)) for f in deck.frameworks
    )
    return replace(
        deck,
        frameworks=frameworks,
        insights=tuple(fresh(i) for i in deck.insights),
        quotes=tuple(fresh(q) for q in deck.quotes),
        habits=tuple(fresh(h) for h in deck.habits),
        references=tuple(fresh(r) for r in deck.references),
        cards=tuple(fresh(c) for c in deck.cards),
    )


def deck_info(episode: Episode) -> DeckInfo:
    """The deck's id, short Anki name and tags, from the podcast and the guests (or the title).

    ``Podcasts::<podcast>::<guests or a short title>``: the full title is on every card's back.
    """
    podcast = slug(episode.podcast)
    who = (
        slug(episode.guests[0])
        if episode.guests
        else _shorten([w for w in slug_words(episode.title) if w not in _STOPWORDS], 40)
    )
    deck_id = "-".join(part for part in (podcast[:40].strip("-"), who) if part)
    if not deck_id:
        digest = hashlib.sha1(f"{episode.podcast}\n{episode.title}".encode()).hexdigest()
        deck_id = f"deck-{digest[:8]}"
    tags = [podcast, *(slug(guest) for guest in episode.guests)]

    def part(text: str) -> str:
        return squash(re.sub(r"\s*::+\s*", ": ", text))

    guests = " & ".join(episode.guests)
    short = guests if 0 < len(episode.guests) <= 2 else _short_title(episode.title)
    name = f"Podcasts::{part(episode.podcast)}::{part(short)}"
    return DeckInfo(id=deck_id, name=name, tags=tuple(dict.fromkeys(t for t in tags if t)))


def _short_title(title: str, width: int = 48) -> str:
    """The title, or its first words up to ``width`` characters."""
    if len(title) <= width:
        return title
    words = title.split(" ")
    kept = words[0][:width]
    for word in words[1:]:
        if len(kept) + 1 + len(word) > width:
            break
        kept += " " + word
    return kept.rstrip(" ,;:—–-") + "…"
