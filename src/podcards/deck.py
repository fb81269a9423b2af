"""The deck format, declared once: one episode's deck, its items, and the keys of each.

Every key a deck file may hold is a field below, with its type, whether it is required,
and its documentation (``key(...)``). The loader (``sources``), the deck file writer
(``deckfile``), the JSON Schema and the reference in ``docs/deck-format.md`` (``schema``)
all follow these classes: a new key is one field here.

Named ``deck`` because "model" means note type in Anki. Standard library only.
"""

from __future__ import annotations

import dataclasses
import hashlib
import re
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import Enum, StrEnum
from pathlib import Path
from typing import Any, ClassVar

from podcards.ankimarkup import AnkiMarkup
from podcards.errors import Location

FORMAT_VERSION = 1
ID_PATTERN = re.compile(r"[a-z0-9][a-z0-9-]*")
MAX_ID_LENGTH = 80


class Kind(StrEnum):
    """What an item is; part of every note's permanent key."""

    TAKEAWAY = "takeaway"
    INSIGHT = "insight"
    FRAMEWORK = "framework"
    COMPONENT = "component"
    QUOTE = "quote"
    HABIT = "habit"
    REFERENCE = "reference"
    CARD = "card"

    @property
    def tag(self) -> str:
        """The tag every note of the kind carries; components belong to their framework."""
        return f"podcards::{'framework' if self is Kind.COMPONENT else self.value}"


class ValueType(Enum):
    """How a key's value is written in YAML, and read."""

    TEXT = "text"
    TEXTS = "list of texts"
    TAGS = "list of tags"
    CARD_NAMES = "list of card names"
    ID = "id"
    MOMENT = "moment"
    VERSION = "format version"
    MAPPING = "mapping"  # a nested declared class (deck, episode)
    ITEM = "item"  # one item: a mapping, or its text alone (the takeaway)
    ITEMS = "list of items"


@dataclass(frozen=True)
class Spec:
    """One key of the format."""

    type: ValueType
    doc: str
    required: bool = False
    cloze: bool = False  # the text may mark key phrases as {{c1::...}}
    example: str = ""
    of: Any = None  # the declared class of MAPPING, ITEM and ITEMS values
    choices: tuple[str, ...] = ()  # the only values a list may hold, when fixed


_SPEC = "podcards.spec"


def key(
    type: ValueType,
    doc: str,
    *,
    required: bool = False,
    cloze: bool = False,
    example: str = "",
    of: type | None = None,
    choices: tuple[str, ...] = (),
) -> Any:
    """A dataclass field that is a key of the deck format."""
    spec = Spec(type, doc, required, cloze, example, of, choices)
    if required and type is not ValueType.ITEMS:
        return field(metadata={_SPEC: spec})
    default: Any = () if type in _LISTS else None
    return field(default=default, metadata={_SPEC: spec})


_LISTS = frozenset({ValueType.TEXTS, ValueType.TAGS, ValueType.CARD_NAMES, ValueType.ITEMS})


def keys_of(cls: type) -> dict[str, Spec]:
    """The YAML keys of a declared class, in the order a deck file writes them.

    ``id`` first, then the class's own keys, then those every item has, lists of items last.
    """
    found = {f.name: f.metadata[_SPEC] for f in dataclasses.fields(cls) if _SPEC in f.metadata}
    common = {name for name in found if name in _ITEM_KEYS} if issubclass(cls, Item) else set()
    first = [name for name in ("id",) if name in found]
    own = [n for n in found if n not in common and n not in first]
    order = [
        *first,
        *(n for n in own if found[n].type is not ValueType.ITEMS),
        *(n for n in found if n in common and n != "id"),
        *(n for n in own if found[n].type is ValueType.ITEMS),
    ]
    return {name: found[name] for name in order}


# -- items ---------------------------------------------------------------------------------

_ID_DOC = (
    "The item's permanent key: lower-case letters, digits and hyphens, unique within its "
    "section. Required where the item has no name; a named item defaults to a slug of its "
    "name. Never change it once the deck is shared."
)


@dataclass(frozen=True, kw_only=True)
class Item:
    """Something worth remembering; ``id`` is its permanent key within its section."""

    KIND: ClassVar[Kind]
    NAMED: ClassVar[bool] = False  # a name gives a default id

    id: str = key(ValueType.ID, _ID_DOC, example="robot-supply-chain")
    location: Location = Location("")
    question: str | None = key(
        ValueType.TEXT,
        "A question whose answer is this item; its card then asks it instead of a cloze.",
        example="What does a humanoid robot need that does not exist yet?",
    )
    at: int | None = key(
        ValueType.MOMENT,
        'The moment in the episode, "12:34", "1:02:03" or seconds; the card links to it.',
        example='"12:34"',
    )
    skip_cards: tuple[str, ...] = key(
        ValueType.CARD_NAMES,
        "Cards this item does not get, by template name: [cloze].",
        example="[cloze]",
    )
    add_cards: tuple[str, ...] = key(
        ValueType.CARD_NAMES,
        "Cards that are off by default which this item gets, by template name: [name].",
        example="[name]",
    )
    lines: Mapping[str, int] = field(default_factory=dict, compare=False, repr=False)
    """The line of each key as written, for messages about one value."""

    def line_of(self, name: str) -> int:
        return self.lines.get(name, self.location.line)

    def where(self, name: str = "") -> Location:
        return Location(self.location.path, self.line_of(name) if name else self.location.line)


_ITEM_KEYS = frozenset(f.name for f in dataclasses.fields(Item))


@dataclass(frozen=True, kw_only=True)
class Takeaway(Item):
    """The episode's one-sentence takeaway: its text alone, or a mapping with a question."""

    KIND: ClassVar[Kind] = Kind.TAKEAWAY
    id: str = "takeaway"  # one per deck: not a key of the file
    text: str = key(
        ValueType.TEXT, "The takeaway, in one sentence.", required=True, cloze=True, example=""
    )


@dataclass(frozen=True, kw_only=True)
class Insight(Item):
    """One idea of the episode, stated in a sentence."""

    KIND: ClassVar[Kind] = Kind.INSIGHT
    text: str = key(
        ValueType.TEXT,
        "The insight, in one sentence.",
        required=True,
        cloze=True,
        example="A humanoid robot needs a {{c1::supply chain}} that does not exist yet.",
    )


@dataclass(frozen=True, kw_only=True)
class Quote(Item):
    """Words of a speaker, verbatim."""

    KIND: ClassVar[Kind] = Kind.QUOTE
    text: str = key(
        ValueType.TEXT, "The words, verbatim, without quotation marks.", required=True, cloze=True
    )
    speaker: str | None = key(ValueType.TEXT, "Who said it.", example="Elon Musk")
    context: str | None = key(
        ValueType.TEXT, "When or why it was said.", example="On the humanoid robot's impact."
    )


@dataclass(frozen=True, kw_only=True)
class Component(Item):
    """One part of a framework; without a name it is a plain statement of the framework."""

    KIND: ClassVar[Kind] = Kind.COMPONENT
    NAMED: ClassVar[bool] = True
    name: str | None = key(ValueType.TEXT, "The component's name, if it has one.")
    text: str = key(ValueType.TEXT, "What the component says.", required=True, cloze=True)


@dataclass(frozen=True, kw_only=True)
class Framework(Item):
    """A model or method from the episode, made of components."""

    KIND: ClassVar[Kind] = Kind.FRAMEWORK
    NAMED: ClassVar[bool] = True
    name: str = key(ValueType.TEXT, "The framework's name.", required=True)
    summary: str | None = key(
        ValueType.TEXT, "Its core idea, in one sentence; gives a card of its own.", cloze=True
    )
    components: tuple[Component, ...] = key(
        ValueType.ITEMS, "Its parts, one card each.", required=True, of=Component
    )


@dataclass(frozen=True, kw_only=True)
class Habit(Item):
    """Something the speaker does, or advises doing."""

    KIND: ClassVar[Kind] = Kind.HABIT
    NAMED: ClassVar[bool] = True
    name: str | None = key(ValueType.TEXT, "The habit's name, if it has one (the card's cue).")
    text: str = key(ValueType.TEXT, "What the habit is.", required=True, cloze=True)


@dataclass(frozen=True, kw_only=True)
class Reference(Item):
    """A book, product, person or work the episode mentions, and what it says about it."""

    KIND: ClassVar[Kind] = Kind.REFERENCE
    NAMED: ClassVar[bool] = True
    name: str | None = key(ValueType.TEXT, "What is referred to (the card's cue).")
    text: str = key(ValueType.TEXT, "What the episode says about it.", required=True, cloze=True)


@dataclass(frozen=True, kw_only=True)
class CustomCard(Item):
    """A card written by hand: ``front`` and ``back``, or a ``cloze``."""

    KIND: ClassVar[Kind] = Kind.CARD
    question: str | None = None  # a card has its own front: not a key of the file
    front: str | None = key(ValueType.TEXT, "The question (with 'back').")
    back: str | None = key(ValueType.TEXT, "The answer (with 'front').")
    cloze: str | None = key(
        ValueType.TEXT, "A text with {{c1::...}} deletions (instead of front and back).", cloze=True
    )


# -- the deck -----------------------------------------------------------------------------


@dataclass(frozen=True, kw_only=True)
class DeckInfo:
    """How the deck is known: its permanent id and its Anki name."""

    id: str = key(
        ValueType.ID,
        "The deck's permanent key, unique in the project; names its package. Never change it "
        "once shared.",
        required=True,
        example="all-in-elon-musk-2025",
    )
    name: str = key(
        ValueType.TEXT,
        "The Anki deck name, '::' between levels; frozen once shared.",
        required=True,
        example='"Podcasts::All-In::Elon Musk on Optimus, AI and Mars"',
    )
    description: str | None = key(
        ValueType.TEXT, "Shown on the deck's overview screen in Anki, above what podcards adds."
    )
    tags: tuple[str, ...] = key(
        ValueType.TAGS, "Added to every note (no spaces).", example="[all-in, elon-musk]"
    )
    skip_cards: tuple[str, ...] = key(
        ValueType.CARD_NAMES,
        "Card templates this deck does not use, as <kind>/<name>.",
        example="[quote/cloze]",
    )
    add_cards: tuple[str, ...] = key(
        ValueType.CARD_NAMES,
        "Card templates that are off by default which this deck uses, as <kind>/<name>.",
        example="[habit/name]",
    )
    markup: tuple[str, ...] = key(
        ValueType.TEXTS,
        "Anki markup the deck's texts may use: mathjax (`\\(...\\)`, `\\[...\\]`), latex "
        "(`[latex]`, `[$]`, `[$$]`), sound (`[sound:file]`), tts (`[anki:tts]`). Markup "
        "not listed shows on the card as typed, like HTML.",
        example="[mathjax]",
        choices=tuple(AnkiMarkup),
    )
    lines: Mapping[str, int] = field(default_factory=dict, compare=False, repr=False)


@dataclass(frozen=True, kw_only=True)
class Episode:
    """The episode the deck is about; its source line is on the back of every card."""

    podcast: str = key(ValueType.TEXT, "The show.", required=True, example="All-In Podcast")
    title: str = key(ValueType.TEXT, "The episode's title.", required=True)
    cue: str | None = key(
        ValueType.TEXT,
        "The short label on every card's front; default: podcast · guests.",
        example="All-In · Elon Musk",
    )
    hosts: tuple[str, ...] = key(ValueType.TEXTS, "Who hosts the show.")
    guests: tuple[str, ...] = key(ValueType.TEXTS, "Who is interviewed.", example="[Elon Musk]")
    date: str | None = key(ValueType.TEXT, "When it was published, as you write it.")
    duration: str | None = key(ValueType.TEXT, "How long it runs, as you write it.")
    url: str | None = key(
        ValueType.TEXT, "Where to listen (https://); moments link into it.", example=""
    )
    lines: Mapping[str, int] = field(default_factory=dict, compare=False, repr=False)


@dataclass(frozen=True, kw_only=True)
class Deck:
    """One episode file: how the deck is known, the episode, and its items."""

    podcards: int = key(
        ValueType.VERSION, f"The format version: {FORMAT_VERSION}.", required=True, example="1"
    )
    deck: DeckInfo = key(ValueType.MAPPING, "The deck.", required=True, of=DeckInfo)
    episode: Episode = key(ValueType.MAPPING, "The episode.", required=True, of=Episode)
    hook: str | None = key(ValueType.TEXT, "Why the episode is worth hearing; context only.")
    takeaway: Takeaway | None = key(
        ValueType.ITEM, "The one-sentence takeaway: a text, or {text, question}.", of=Takeaway
    )
    summary: str | None = key(ValueType.TEXT, "A summary of the episode; context only.")
    insights: tuple[Insight, ...] = key(ValueType.ITEMS, "Ideas, one card each.", of=Insight)
    frameworks: tuple[Framework, ...] = key(
        ValueType.ITEMS, "Models and methods, made of components.", of=Framework
    )
    quotes: tuple[Quote, ...] = key(ValueType.ITEMS, "Words of the speakers.", of=Quote)
    habits: tuple[Habit, ...] = key(ValueType.ITEMS, "Habits worth adopting.", of=Habit)
    references: tuple[Reference, ...] = key(
        ValueType.ITEMS, "Books, products and works mentioned.", of=Reference
    )
    cards: tuple[CustomCard, ...] = key(ValueType.ITEMS, "Cards written by hand.", of=CustomCard)
    path: Path = Path()
    location: Location = Location("")
    lines: Mapping[str, int] = field(default_factory=dict, compare=False, repr=False)

    @property
    def id(self) -> str:
        return self.deck.id

    @property
    def name(self) -> str:
        return self.deck.name

    def items(self) -> list[tuple[Item, Framework | None]]:
        """Every item that can give cards, in teaching order, each component with its framework.

        The order an author would teach the episode in: the takeaway, insights, frameworks
        (each followed by its components), quotes, habits, references, hand-written cards.
        """
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

    def speakers(self) -> tuple[str, ...]:
        """Everyone a quote of the deck is attributed to, once each."""
        return tuple(dict.fromkeys(q.speaker for q in self.quotes if q.speaker))


SECTIONS: dict[str, type[Item]] = {
    name: spec.of for name, spec in keys_of(Deck).items() if spec.type is ValueType.ITEMS
}
"""The top-level lists of items, in the deck file's order."""


# -- cards and identity -------------------------------------------------------------------


class NoteKind(StrEnum):
    """podcards' two note types."""

    QA = "qa"
    CLOZE = "cloze"


@dataclass(frozen=True)
class Card:
    """One rendered note: its permanent key, note type and field HTML.

    ``key`` is ``<kind>/<item id>[/<component id>]/<template>``: permanent keys only, so
    rewording, reordering or renaming never changes it.
    """

    deck_id: str
    key: str
    kind: Kind
    notetype: NoteKind
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


def slug(text: str) -> str:
    """A readable id from a name: "Schrödinger's Cat" -> "schrodingers-cat".

    This is the default identity of every named item: never change the rule.
    """
    joined = re.sub(r"(?<=\w)['’](?=\w)", "", text)  # "Musk's" -> "musks"
    ascii_text = unicodedata.normalize("NFKD", joined).encode("ascii", "ignore").decode()
    return "-".join(re.findall(r"[a-z0-9]+", ascii_text.lower()))[:60].strip("-")


DEVICE_NAMES = frozenset(
    {"con", "prn", "aux", "nul", *(f"com{n}" for n in range(10)), *(f"lpt{n}" for n in range(10))}
)
"""Names Windows reads as devices, whatever the extension: no deck id (it names a package)."""


def format_moment(seconds: int) -> str:
    """A moment as written in a deck file and shown on a card: "12:34" or "1:02:03"."""
    hours, rest = divmod(seconds, 3600)
    minutes, secs = divmod(rest, 60)
    return f"{hours}:{minutes:02}:{secs:02}" if hours else f"{minutes}:{secs:02}"


def is_valid_id(value: str) -> bool:
    return len(value) <= MAX_ID_LENGTH and ID_PATTERN.fullmatch(value) is not None
