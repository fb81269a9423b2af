"""What ingest reports besides the deck: the lines it left out, what it guessed, and what
``--update`` changed. The deck itself is the format's own model (``podcards.deck``).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

from podcards.deck import CustomCard, Deck, Framework, Habit, Insight, Quote, Reference
from podcards.errors import Location, PodcardsError, Problem
from podcards.words import plural


def refused(where: object, message: str, line: int = 0) -> PodcardsError:
    """The error that stops ingest, as ``path:line: message``."""
    return PodcardsError([Problem(Location.of(str(where), line), message)])


@dataclass(frozen=True)
class Skipped:
    """Lines of the notes that are not part of the deck, and why."""

    line: int
    text: str
    reason: str
    end: int = 0  # the last line, when more than one

    def __str__(self) -> str:
        text = " ".join(self.text.split())
        text = f'"{text}"' if len(text) <= 70 else f'"{text[:69].rstrip()}…"'
        where = f"lines {self.line}-{self.end}" if self.end > self.line else f"line {self.line}"
        return f"skipped {where}: {text} ({self.reason})"


@dataclass(frozen=True)
class Parsed:
    deck: Deck
    skipped: tuple[Skipped, ...]
    guesses: tuple[str, ...] = ()  # what the notes did not say, and which key to check


@dataclass
class Found:
    """Items as the readers find them, in the order of the notes, and what they leave out."""

    insights: list[Insight] = field(default_factory=list)
    frameworks: list[Framework] = field(default_factory=list)
    quotes: list[Quote] = field(default_factory=list)
    habits: list[Habit] = field(default_factory=list)
    references: list[Reference] = field(default_factory=list)
    cards: list[CustomCard] = field(default_factory=list)
    skipped: list[Skipped] = field(default_factory=list)

    def skip(self, line: int, text: str, reason: str = "not an item", end: int = 0) -> None:
        self.skipped.append(Skipped(line, text, reason, end))


@dataclass(frozen=True)
class Change:
    """One difference an ``--update`` made to the deck file."""

    what: Literal["new", "changed", "removed"]
    kind: str
    id: str
    label: str


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
