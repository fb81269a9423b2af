"""The data model: a deck of one episode and its items, each knowing where it was written.

Named ``deck`` because "model" means note type in Anki.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from pathlib import Path
from typing import ClassVar

from podcards.errors import Location


@dataclass(frozen=True, kw_only=True)
class Item:
    """Something worth remembering; ``id`` is its permanent key within its section."""

    KIND: ClassVar[str]
    id: str
    location: Location
    at: int | None = None
    skip_cards: tuple[str, ...] = ()


@dataclass(frozen=True, kw_only=True)
class Insight(Item):
    KIND: ClassVar[str] = "insight"
    text: str
    question: str | None = None


@dataclass(frozen=True, kw_only=True)
class Quote(Item):
    KIND: ClassVar[str] = "quote"
    text: str
    speaker: str | None = None
    context: str | None = None


@dataclass(frozen=True, kw_only=True)
class Component(Item):
    """One part of a framework; without a name it is a plain statement of the framework."""

    KIND: ClassVar[str] = "component"
    text: str
    name: str | None = None


@dataclass(frozen=True, kw_only=True)
class Framework(Item):
    KIND: ClassVar[str] = "framework"
    name: str
    summary: str | None = None
    components: tuple[Component, ...] = ()


@dataclass(frozen=True, kw_only=True)
class Habit(Item):
    KIND: ClassVar[str] = "habit"
    name: str
    text: str


@dataclass(frozen=True, kw_only=True)
class Reference(Item):
    KIND: ClassVar[str] = "reference"
    name: str
    text: str


@dataclass(frozen=True, kw_only=True)
class Takeaway(Item):
    KIND: ClassVar[str] = "takeaway"
    text: str


@dataclass(frozen=True, kw_only=True)
class CustomCard(Item):
    """A card written by hand: ``front``/``back``, or a ``cloze``."""

    KIND: ClassVar[str] = "card"
    front: str | None = None
    back: str | None = None
    cloze: str | None = None


@dataclass(frozen=True)
class Episode:
    podcast: str
    title: str
    hosts: tuple[str, ...] = ()
    guests: tuple[str, ...] = ()
    date: str | None = None
    duration: str | None = None
    url: str | None = None


@dataclass(frozen=True)
class Deck:
    """One episode file: its permanent deck id, Anki deck name, and items."""

    id: str
    name: str
    path: Path
    location: Location
    episode: Episode
    description: str | None = None
    tags: tuple[str, ...] = ()
    skip_cards: tuple[str, ...] = ()
    hook: str | None = None
    summary: str | None = None
    takeaway: Takeaway | None = None
    insights: tuple[Insight, ...] = ()
    frameworks: tuple[Framework, ...] = ()
    quotes: tuple[Quote, ...] = ()
    habits: tuple[Habit, ...] = ()
    references: tuple[Reference, ...] = ()
    cards: tuple[CustomCard, ...] = field(default=())

    def items(self) -> list[tuple[Item, Framework | None]]:
        """Every item that can give cards, with the framework of each component."""
        found: list[tuple[Item, Framework | None]] = []
        if self.takeaway:
            found.append((self.takeaway, None))
        found += [(item, None) for item in self.insights]
        for framework in self.frameworks:
            found.append((framework, None))
            found += [(component, framework) for component in framework.components]
        for section in (self.quotes, self.habits, self.references, self.cards):
            found += [(item, None) for item in section]
        return found


# The tag every note of a kind carries; components belong to their framework.
KIND_TAGS = {
    "insight": "podcards::insight",
    "quote": "podcards::quote",
    "framework": "podcards::framework",
    "component": "podcards::framework",
    "habit": "podcards::habit",
    "reference": "podcards::reference",
    "takeaway": "podcards::takeaway",
    "card": "podcards::card",
}


@dataclass(frozen=True)
class Card:
    """One rendered note: its permanent key, note type and field HTML.

    ``key`` is ``<kind>/<item id>[/<component id>]/<template>``: permanent keys only, so
    rewording, reordering or renaming never changes it.
    """

    deck_id: str
    key: str
    kind: str
    notetype: str
    fields: tuple[str, ...]
    tags: tuple[str, ...]
    location: Location

    @property
    def guid(self) -> str:
        return guid_for(self.deck_id, self.key)


_BASE91 = (
    "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789!#$%&()*+,-./:;<=>?@[]^_`{|}~"
)


def guid_for(deck_id: str, key: str) -> str:
    """A note's GUID from permanent keys only, in Anki's own base-91 alphabet."""
    digest = hashlib.sha256(f"podcards\x1f{deck_id}\x1f{key}".encode()).digest()
    number = int.from_bytes(digest[:8], "big")
    chars = []
    while number:
        number, rest = divmod(number, len(_BASE91))
        chars.append(_BASE91[rest])
    return "".join(reversed(chars)) or _BASE91[0]
