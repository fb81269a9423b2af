"""What ingest makes of the notes: the deck, its items, and what was left out or changed.

These are ingest's own: texts are plain strings ("" when absent), items know their line in
the notes, and ``extra`` carries the keys of an existing deck file that ingest does not
write itself, so that ``--update`` keeps them.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import ClassVar, Literal

Extra = tuple[tuple[str, object], ...]
"""Keys of an existing deck file that ingest does not write itself, kept on ``--update``."""


@dataclass(frozen=True, kw_only=True)
class Item:
    """Something of the deck file; ``id`` is empty only inside the parser."""

    KIND: ClassVar[str]
    FIELDS: ClassVar[tuple[str, ...]]
    """The texts ingest writes for the item, besides its id: the name first, if it has one."""

    id: str = ""
    line: int = 0
    extra: Extra = ()


@dataclass(frozen=True)
class Insight(Item):
    KIND: ClassVar[str] = "insight"
    FIELDS: ClassVar[tuple[str, ...]] = ("text",)
    text: str


@dataclass(frozen=True)
class Component(Item):
    KIND: ClassVar[str] = "component"
    FIELDS: ClassVar[tuple[str, ...]] = ("name", "text")
    text: str
    name: str = ""


@dataclass(frozen=True)
class Framework(Item):
    KIND: ClassVar[str] = "framework"
    FIELDS: ClassVar[tuple[str, ...]] = ("name", "summary")
    name: str
    summary: str = ""
    components: tuple[Component, ...] = ()


@dataclass(frozen=True)
class Quote(Item):
    KIND: ClassVar[str] = "quote"
    FIELDS: ClassVar[tuple[str, ...]] = ("text", "speaker", "context")
    text: str
    speaker: str = ""
    context: str = ""


@dataclass(frozen=True)
class Habit(Item):
    KIND: ClassVar[str] = "habit"
    FIELDS: ClassVar[tuple[str, ...]] = ("name", "text")
    name: str
    text: str


@dataclass(frozen=True)
class Reference(Item):
    KIND: ClassVar[str] = "reference"
    FIELDS: ClassVar[tuple[str, ...]] = ("name", "text")
    name: str
    text: str


SECTIONS: dict[str, type[Item]] = {
    "insights": Insight,
    "frameworks": Framework,
    "quotes": Quote,
    "habits": Habit,
    "references": Reference,
}
"""The sections of items that ingest writes, in the order of the deck file."""


@dataclass(frozen=True)
class Episode:
    podcast: str
    title: str
    hosts: tuple[str, ...] = ()
    guests: tuple[str, ...] = ()
    date: date | None = None
    duration: str = ""
    url: str = ""
    extra: Extra = ()


@dataclass(frozen=True)
class DeckInfo:
    id: str
    name: str
    tags: tuple[str, ...] = ()
    extra: Extra = ()


@dataclass(frozen=True)
class Deck:
    info: DeckInfo
    episode: Episode
    hook: str = ""
    takeaway: str = ""
    summary: str = ""
    insights: tuple[Insight, ...] = ()
    frameworks: tuple[Framework, ...] = ()
    quotes: tuple[Quote, ...] = ()
    habits: tuple[Habit, ...] = ()
    references: tuple[Reference, ...] = ()
    extra: Extra = ()

    def counts(self) -> str:
        components = sum(len(framework.components) for framework in self.frameworks)
        return ", ".join(
            [
                plural(len(self.insights), "insight"),
                f"{plural(len(self.frameworks), 'framework')} ({plural(components, 'component')})",
                plural(len(self.quotes), "quote"),
                plural(len(self.habits), "habit"),
                plural(len(self.references), "reference"),
            ]
        )


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
