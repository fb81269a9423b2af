"""Notes to a deck: read the file, bring plain text into Markdown, parse, cut into sections,
read each section by its kind, then the episode, ids, and what was left out or guessed.
"""

from __future__ import annotations

import difflib
import re
from dataclasses import replace
from pathlib import Path
from typing import Any, TypeVar

from podcards.cloze import plain
from podcards.deck import FORMAT_VERSION, Deck, DeckInfo, ValueType, keys_of
from podcards.ingest.episode import episode
from podcards.ingest.ids import deck_info, with_ids
from podcards.ingest.items import insights, paragraphs, read, takeaway
from podcards.ingest.markdown import Block, Line, outline
from podcards.ingest.model import Found, Parsed, refused
from podcards.ingest.plaintext import to_markdown
from podcards.ingest.quotes import QUOTE_MARKS
from podcards.ingest.sections import FABRIC_NAMES, NOT_CARDS, cut

MAX_NOTES_BYTES = 4 * 1024 * 1024  # as a deck file: notes any larger make no deck
MAX_LINE = 10_000  # characters: no line of notes is that long
SECTION_NAMES = (
    "takeaway",
    "hook",
    "summary",
    "insights",
    *sorted(FABRIC_NAMES),
    "frameworks",
    "quotes",
    "habits",
    "references",
    "cards",
)
"""What ``--sections`` may choose: the deck's sections, and Fabric's kinds of insight."""
_DECK_FILE = re.compile(r"(?m)^podcards:[ \t]*\d+[ \t]*(?:#.*)?$")
_ITEM_KINDS = frozenset(
    {"insights", *FABRIC_NAMES, "frameworks", "quotes", "habits", "references", "cards"}
)


def read_notes(path: Path) -> str:
    """The notes as text: UTF-8 (with or without a byte-order mark) or UTF-16 with one."""
    try:
        with path.open("rb") as stream:
            data = stream.read(MAX_NOTES_BYTES + 1)
    except OSError as error:
        raise refused(path, f"cannot read: {error.strerror}") from error
    if len(data) > MAX_NOTES_BYTES:
        limit = MAX_NOTES_BYTES // (1024 * 1024)
        raise refused(path, f"is larger than {limit} MB: too large to be notes")
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            return data.decode("utf-16")
        except UnicodeDecodeError:
            pass
    if b"\x00" in data:
        line = data[: data.index(b"\x00")].count(b"\n") + 1
        raise refused(path, "binary data, not text notes: nothing to ingest", line)
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        line = data[: error.start].count(b"\n") + 1
        byte = data[error.start]
        message = f"not UTF-8 text (byte 0x{byte:02x}): save the notes as UTF-8 and try again"
        raise refused(path, message, line) from error
    if not text.strip():
        raise refused(path, "the file is empty: nothing to ingest")
    for number, typed in enumerate(text.split("\n"), start=1):
        if len(typed) > MAX_LINE:
            message = f"the line is longer than {MAX_LINE} characters; break it into paragraphs"
            raise refused(path, message, number)
    return text


def parse_notes(
    text: str, source: str = "<notes>", *, only: frozenset[str] | None = None
) -> Parsed:
    """The deck the notes hold, with an id for every item; raise when they hold no item.

    ``only``: the section names to take (see ``SECTION_NAMES``); all when None.
    """
    if deck_line := _DECK_FILE.search(text):
        line = text.count("\n", 0, deck_line.start()) + 1
        raise refused(
            source,
            "this is a deck file, not episode notes: build it with `podcards build`, or give "
            "`podcards ingest` the notes it was made from",
            line,
        )
    markdown, comments = to_markdown(text)
    document = outline(markdown)
    preamble, sections = cut(document.blocks)
    found = Found(skipped=list(comments))
    _drop_sign_off(document.blocks, [preamble, *(s.blocks for s in sections)], found)
    info: list[Block] = []
    texts: dict[str, list[Block]] = {"hook": [], "summary": []}
    the_takeaway = None
    for section in sections:
        kind = section.kind
        if kind is None:
            found.skip(section.line, section.title, "a section podcards does not know", section.end)
        elif kind in NOT_CARDS:
            found.skip(section.line, section.title, NOT_CARDS[kind], section.end)
        elif kind == "info":
            info += section.blocks
        elif only is not None and kind not in only:
            found.skip(section.line, section.title, "left out by --sections", section.end)
        elif kind in texts:
            texts[kind] += section.blocks
        elif kind == "takeaway" and the_takeaway is None:
            the_takeaway = takeaway(section.blocks, section.line, found)
        else:
            read(kind, section.blocks, found)
    told = [b for s in sections if s.kind in ("summary", "hook") for b in s.blocks]  # taken or not
    prose = [line for block in [*told, *preamble] for line in _lines(block)]
    the_episode, guesses, used = episode(
        document.front_matter, info, preamble, prose, Path(source).stem
    )
    leftover = [b for b in preamble if not any(n in used for n in range(b.line, b.end + 1))]
    if not any(section.kind in _ITEM_KINDS for section in sections):
        if any(block.kind == "item" for block in leftover):  # notes that are one list
            insights([b for b in leftover if b.kind != "heading"], found)
    else:
        known = (the_episode.title.casefold(), the_episode.podcast.casefold())
        if leftover and leftover[0].kind == "heading":
            leftover = leftover[1:]  # the page's title
        for block in leftover:
            what = block.text.plain or block.raw
            if not any(name in what.casefold() for name in known):  # the page's title line
                found.skip(block.line, what, "before the first section: not taken", block.end)
    for info_line in (line for block in info for line in _lines(block)):
        if info_line.number not in used:
            empty = info_line.text.plain.rstrip().endswith(":")
            reason = "nothing after the colon" if empty else "not episode information"
            found.skip(info_line.number, info_line.text.plain, reason)
    _drop_empty(found)
    _resolve_speakers(found, (*the_episode.hosts, *the_episode.guests))
    _drop_near_duplicates(found)
    if only is not None:
        _leave_out(found, {"insights" if name in FABRIC_NAMES else name for name in only})
    deck = Deck(
        podcards=FORMAT_VERSION,
        deck=DeckInfo(id="", name=""),
        episode=the_episode,
        hook=paragraphs(texts["hook"]).plain or None,
        takeaway=the_takeaway,
        summary=paragraphs(texts["summary"]).plain or None,
        insights=tuple(found.insights),
        frameworks=tuple(found.frameworks),
        quotes=tuple(found.quotes),
        habits=tuple(found.habits),
        references=tuple(found.references),
        cards=tuple(found.cards),
    )
    if (
        not any(
            section
            for section in (
                deck.insights,
                deck.frameworks,
                deck.quotes,
                deck.habits,
                deck.references,
                deck.cards,
            )
        )
        and deck.takeaway is None
    ):
        raise refused(
            source,
            "no items found: podcards makes cards of bullets under headings such as Insights, "
            "Quotes, Habits, References or Frameworks (or of a list of bullets with no "
            "headings at all)",
            1,
        )
    deck = _unmarked(deck)
    deck = with_ids(replace(deck, deck=deck_info(deck.episode)))
    skipped = sorted(found.skipped, key=lambda s: s.line)
    return Parsed(deck, tuple(skipped), tuple(guesses))


_V = TypeVar("_V")


def _unmarked(value: _V) -> _V:
    """Cloze markup typed where the format takes none (a summary, a name) as its words."""
    changes: dict[str, Any] = {}
    for name, spec in keys_of(type(value)).items():
        current = getattr(value, name)
        if spec.type is ValueType.TEXT and current and not spec.cloze and "{{" in current:
            changes[name] = plain(current)
        elif spec.type is ValueType.ITEMS:
            changes[name] = tuple(_unmarked(item) for item in current)
        elif spec.type in (ValueType.ITEM, ValueType.MAPPING) and current is not None:
            changes[name] = _unmarked(current)
    return replace(value, **changes)  # type: ignore[type-var]


def _drop_empty(found: Found) -> None:
    """Nothing the format would refuse: every item has the text its cards are made of."""
    for name in ("insights", "quotes", "habits", "references"):
        items = getattr(found, name)
        for item in [item for item in items if not item.text.strip()]:
            items.remove(item)
            found.skip(item.location.line, "", "no text: not an item")
    for card in [card for card in found.cards if not (card.front or "").strip()]:
        found.cards.remove(card)
        found.skip(card.location.line, card.back or "", "an answer without its question")


def _leave_out(found: Found, kept: set[str]) -> None:
    """Items found outside their own section (a quote among insights) of kinds not kept."""
    for name in ("insights", "frameworks", "quotes", "habits", "references", "cards"):
        items = getattr(found, name)
        if name not in kept and items:
            what = f"{len(items)} {name} found in other sections"
            found.skip(items[0].location.line, what, "left out by --sections")
            items.clear()


def _drop_sign_off(blocks: tuple[Block, ...], holders: list[list[Block]], found: Found) -> None:
    """A line set apart after the last item ("Fair winds!", "Rating:: 5") is not an item."""
    if len(blocks) < 2 or blocks[-1].kind != "para" or len(blocks[-1].lines) != 1:
        return
    last, before = blocks[-1], blocks[-2]
    if before.kind != "rule" and last.line - before.end < 3:
        return
    text = last.lines[0].text.plain
    if text[:1] in QUOTE_MARKS:
        return
    for holder in holders:
        if holder and holder[-1] is last and len(holder) > 1:
            holder.pop()
            found.skip(last.line, text, "a closing line after the last item: not an item")


def _lines(block: Block) -> list[Line]:
    own = list(block.lines) if block.kind != "item" else [Line(block.line, block.text)]
    return own + [line for child in block.children for line in _lines(child)]


def _resolve_speakers(found: Found, people: tuple[str, ...]) -> None:
    """A speaker called by a first name ("Marcus") is the host or guest of that name."""
    for n, quote in enumerate(found.quotes):
        if quote.speaker and " " not in quote.speaker:
            matches = [p for p in people if p.split()[0] == quote.speaker]
            if len(matches) == 1:
                found.quotes[n] = replace(quote, speaker=matches[0])


def _drop_near_duplicates(found: Found) -> None:
    """Two insights saying the same thing in nearly the same words are one card too many."""
    if len(found.insights) > 1000:
        return
    kept: list[tuple[list[str], int]] = []
    for insight in list(found.insights):
        words = re.findall(r"\w+", insight.text.casefold())
        if len(words) > 200:  # comparing long texts costs their product: never twins
            continue
        twin = next(
            (
                line
                for other, line in kept
                if abs(len(other) - len(words)) <= 4
                and difflib.SequenceMatcher(None, other, words, autojunk=False).ratio() >= 0.85
            ),
            None,
        )
        if twin is None:
            kept.append((words, insight.location.line))
        else:
            found.insights.remove(insight)
            found.skip(
                insight.location.line,
                insight.text,
                f"says what line {twin} says: one card is enough",
            )
