"""The notes to a deck: each section to the parser of its kind, then ids for every item."""

from __future__ import annotations

from dataclasses import replace
from typing import Any, TypeVar

from podcards.deck import (
    FORMAT_VERSION,
    Deck,
    DeckInfo,
    Habit,
    Reference,
    Takeaway,
    ValueType,
    keys_of,
)
from podcards.errors import Location, PodcardsError, Problem, Problems
from podcards.ingest.episode import episode
from podcards.ingest.frameworks import frameworks
from podcards.ingest.ids import deck_info, with_ids
from podcards.ingest.inline import plain_inline
from podcards.ingest.insights import insights, paragraphs
from podcards.ingest.model import Parsed, Skipped
from podcards.ingest.named import named_items, split_named
from podcards.ingest.notes import Block, Section, Skips, blocks, sections, split_lines
from podcards.ingest.quotes import QUOTE_MARKS, quotes


def parse_notes(text: str, source: str = "<notes>") -> Parsed:
    """Parse summary notes into a deck with an id for every item; raise what is missing."""
    preamble, all_sections = sections(split_lines(text))
    location = Location(source)
    if not any(section.kind for section in all_sections):
        raise PodcardsError(
            [
                Problem(
                    location,
                    "no section found: expected headings such as 'Podcast information', "
                    "'Insights', 'Frameworks & models', 'Quotes', 'Habits' or 'References', "
                    "each on a line of its own",
                )
            ]
        )
    skips = Skips()
    found: dict[str, list[Section]] = {}
    for section in all_sections:
        if section.kind is None:
            body = [number for number, raw in section.lines if raw.strip()]
            skips.lines.append(
                Skipped(
                    section.line,
                    section.title,
                    f"a section podcards does not know; lines {section.line}-"
                    f"{body[-1] if body else section.line} not taken",
                )
            )
        else:
            found.setdefault(section.kind, []).append(section)
    by_kind = {kind: [b for s in group for b in blocks(s.lines)] for kind, group in found.items()}
    _drop_sign_off(skips, all_sections, by_kind)

    def of(kind: str) -> list[Block]:
        return by_kind.get(kind, [])

    problems = Problems()
    info = found.get("info", [])
    where = Location(source, info[0].line if info else 1)
    takeaway = paragraphs(of("takeaway"))
    takeaway_line = found["takeaway"][0].line if "takeaway" in found else 0
    deck = Deck(
        podcards=FORMAT_VERSION,
        deck=DeckInfo(id="", name=""),
        episode=episode(skips, of("info"), preamble, where, problems),
        hook=paragraphs(of("hook")) or None,
        takeaway=Takeaway(text=takeaway, location=Location("", takeaway_line))
        if takeaway
        else None,
        summary=paragraphs(of("summary")) or None,
        insights=insights(skips, of("insights")),
        frameworks=frameworks(skips, of("frameworks")),
        quotes=quotes(skips, of("quotes")),
        habits=named_items(skips, of("habits"), Habit),
        references=named_items(skips, of("references"), Reference),
    )
    if not (deck.insights or deck.frameworks or deck.quotes or deck.habits or deck.references):
        first = min(s.line for group in found.values() for s in group)
        problems.add(
            Location(source, first),
            "no items found: the notes need at least one insight, framework, quote, habit "
            "or reference (bullets or lines under those headings)",
        )
    problems.raise_if_any()
    deck = _plain(deck)
    deck = with_ids(replace(deck, deck=deck_info(deck.episode)))
    skipped = sorted(skips.lines, key=lambda s: s.line)
    return Parsed(deck, tuple(skipped))


_I = TypeVar("_I")


def _plain_values(value: _I) -> _I:
    """A declared object with the inline Markdown of the notes taken out of its texts."""
    changes: dict[str, Any] = {}
    for name, spec in keys_of(type(value)).items():
        current = getattr(value, name)
        if current is None or name == "id":
            continue
        if spec.type is ValueType.TEXT:
            changes[name] = plain_inline(current)
        elif spec.type is ValueType.TEXTS:
            changes[name] = tuple(map(plain_inline, current))
        elif spec.type is ValueType.ITEMS:
            changes[name] = tuple(map(_plain_values, current))
        elif spec.type in (ValueType.ITEM, ValueType.MAPPING):
            changes[name] = _plain_values(current)
    return replace(value, **changes)  # type: ignore[type-var]


def _plain(deck: Deck) -> Deck:
    """The deck without the inline Markdown of the notes (links, emphasis) in its texts."""
    return _plain_values(deck)


def _drop_sign_off(
    skips: Skips, all_sections: list[Section], by_kind: dict[str, list[Block]]
) -> None:
    """A closing line set apart after the last item ("Crepi il lupo!") is not an item."""
    last = all_sections[-1]
    if last.kind is None or len(blocks(last.lines)) < 2:
        return
    block = by_kind[last.kind][-1]
    tok = block.toks[0]
    if (
        len(block.toks) == 1
        and tok.kind == "text"
        and (block.after_rule or block.gap >= 2)
        and tok.body[:1] not in QUOTE_MARKS
        and split_named(tok.body, dashes=last.kind in ("habits", "references")) is None
    ):
        skips.add(tok)
        by_kind[last.kind].pop()
