"""What ingest reports besides the deck: the lines it left out, and what ``--update`` changed.

The deck itself is the format's own model (``podcards.deck``): ingest writes what the
build reads.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from podcards.deck import Deck


@dataclass(frozen=True)
class Skipped:
    """A line of the notes that is not part of the deck, and why."""

    line: int
    text: str
    reason: str


@dataclass(frozen=True)
class Parsed:
    deck: Deck
    skipped: tuple[Skipped, ...]


@dataclass(frozen=True)
class Change:
    """One difference an ``--update`` made to the deck file."""

    what: Literal["new", "changed", "removed"]
    kind: str
    id: str
    label: str


def plural(n: int, word: str) -> str:
    return f"{n} {word}" if n == 1 else f"{n} {word}s"


def counts(deck: Deck) -> str:
    """What the deck holds, as ingest reports it."""
    components = sum(len(framework.components) for framework in deck.frameworks)
    parts = [
        plural(len(deck.insights), "insight"),
        f"{plural(len(deck.frameworks), 'framework')} ({plural(components, 'component')})",
        plural(len(deck.quotes), "quote"),
        plural(len(deck.habits), "habit"),
        plural(len(deck.references), "reference"),
    ]
    if deck.cards:
        parts.append(plural(len(deck.cards), "card"))
    return ", ".join(parts)
