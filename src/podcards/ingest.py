"""Episode summary notes to a deck file: parse the notes, give every item an id, merge.

Notes are what people write by hand or export from note apps: sections (insights,
frameworks, quotes, ...) under headings of any style, bullets of any kind. Every text is
kept character for character; only whitespace is normalized. What is not taken is
reported, never dropped silently.
"""

from __future__ import annotations

import difflib
import hashlib
import os
import re
import tempfile
import unicodedata
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime
from itertools import chain, count
from pathlib import Path
from typing import Any, Literal, TypeVar

import yaml

from podcards.errors import Location, PodcardsError, Problem, Problems

Mode = Literal["create", "force", "update"]
Extra = tuple[tuple[str, object], ...]
"""Keys of an existing deck file that ingest does not write itself, kept on ``--update``."""


# -- the parsed deck ---------------------------------------------------------------------------
# ``id`` is empty only inside the parser; every item leaving ``parse_notes`` has one.


@dataclass(frozen=True)
class Insight:
    text: str
    id: str = ""
    line: int = 0
    extra: Extra = ()


@dataclass(frozen=True)
class Component:
    text: str
    name: str = ""
    id: str = ""
    line: int = 0
    extra: Extra = ()


@dataclass(frozen=True)
class Framework:
    name: str
    summary: str = ""
    components: tuple[Component, ...] = ()
    id: str = ""
    line: int = 0
    extra: Extra = ()


@dataclass(frozen=True)
class Quote:
    text: str
    speaker: str = ""
    context: str = ""
    id: str = ""
    line: int = 0
    extra: Extra = ()


@dataclass(frozen=True)
class Habit:
    name: str
    text: str
    id: str = ""
    line: int = 0
    extra: Extra = ()


@dataclass(frozen=True)
class Reference:
    name: str
    text: str
    id: str = ""
    line: int = 0
    extra: Extra = ()


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
                _plural(len(self.insights), "insight"),
                f"{_plural(len(self.frameworks), 'framework')} "
                f"({_plural(components, 'component')})",
                _plural(len(self.quotes), "quote"),
                _plural(len(self.habits), "habit"),
                _plural(len(self.references), "reference"),
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


@dataclass(frozen=True)
class Report:
    path: Path
    action: Literal["wrote", "overwrote", "updated", "unchanged"]
    deck: Deck
    skipped: tuple[Skipped, ...] = ()
    changes: tuple[Change, ...] | None = None

    def lines(self) -> list[str]:
        verb = {
            "wrote": f"wrote {self.path}",
            "overwrote": f"overwrote {self.path}",
            "updated": f"updated {self.path}",
            "unchanged": f"{self.path} is up to date",
        }[self.action]
        lines = [f"{verb}: {self.deck.counts()}"]
        if self.changes is not None:
            tally = {what: sum(c.what == what for c in self.changes) for what in _CHANGE_ORDER}
            if self.changes:
                lines.append("changes: " + ", ".join(f"{n} {what}" for what, n in tally.items()))
            elif self.action == "updated":
                lines.append("changes: none to the items (order or formatting only)")
            else:
                lines.append("changes: none")
            lines += [
                f"  {c.what} {c.kind}{' ' + c.id if c.id else ''}: {_clip(c.label)}"
                for c in sorted(self.changes, key=lambda c: _CHANGE_ORDER.index(c.what))
            ]
        lines += [f"skipped line {s.line}: {_clip(s.text)} ({s.reason})" for s in self.skipped]
        return lines


_CHANGE_ORDER = ("new", "changed", "removed")


def _plural(n: int, word: str) -> str:
    return f"{n} {word}" if n == 1 else f"{n} {word}s"


def _clip(text: str, width: int = 70) -> str:
    text = " ".join(text.split())
    return f'"{text}"' if len(text) <= width else f'"{text[: width - 1].rstrip()}…"'


# -- the command -------------------------------------------------------------------------------


def ingest(
    notes: Path,
    output: Path | None = None,
    *,
    mode: Mode = "create",
    now: datetime | None = None,
) -> Report:
    """Read the notes and write (or, with ``mode="update"``, merge into) a deck file."""
    parsed = parse_notes(read_notes(notes), str(notes))
    deck = parsed.deck
    target = output if output is not None else Path("decks") / f"{deck.info.id}.yaml"
    if target.is_dir():
        target = target / f"{deck.info.id}.yaml"
    if target.exists() and notes.resolve() == target.resolve():
        raise PodcardsError([Problem(Location.of(target), "is the notes file itself")])
    when = now if now is not None else _now()
    changes: tuple[Change, ...] | None = None
    if mode == "update":
        if not target.is_file():
            raise PodcardsError(
                [
                    Problem(
                        Location.of(target),
                        "does not exist, so there is nothing to update; run without "
                        "--update to create it, or give the deck file with -o",
                    )
                ]
            )
        old = _load_deck_file(target)
        deck, change_list = merge(deck, old)
        changes = tuple(change_list)
        if _document(deck) == old:
            return Report(target, "unchanged", deck, parsed.skipped, changes)
        action: Literal["wrote", "overwrote", "updated"] = "updated"
    elif target.exists():
        if mode != "force":
            raise PodcardsError(
                [
                    Problem(
                        Location.of(target),
                        "already exists; use --update to merge the notes into it (keeping "
                        "its ids) or --force to replace it",
                    )
                ]
            )
        action = "overwrote"
    else:
        action = "wrote"
    verb = "Updated" if mode == "update" else "Written"
    _write_atomic(target, render_deck(deck, header=_header(verb, notes, when)))
    return Report(target, action, deck, parsed.skipped, changes)


def _now() -> datetime:
    epoch = os.environ.get("SOURCE_DATE_EPOCH")
    if epoch and epoch.strip().isdigit():
        return datetime.fromtimestamp(int(epoch), UTC)
    return datetime.now(UTC)


def _header(verb: str, notes: Path, when: datetime) -> str:
    source = " ".join(str(notes).split())
    stamp = when.astimezone(UTC).strftime("%Y-%m-%d %H:%M UTC")
    return (
        f"# {verb} by `podcards ingest` from {source} on {stamp}.\n"
        "# Edit freely, then run `podcards build`. Never change an `id:` once the deck is\n"
        "# shared: it is the identity of the cards people study. To bring in revised notes,\n"
        "# run `podcards ingest NOTES -o THIS-FILE --update`: it keeps the ids.\n"
    )


def _write_atomic(path: Path, text: str) -> None:
    """Write ``path`` whole or not at all: a temporary file beside it, then a rename."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        handle, temporary = tempfile.mkstemp(
            dir=path.parent, prefix=f".{path.name}.", suffix=".tmp"
        )
    except OSError as error:
        raise PodcardsError(
            [Problem(Location.of(path), f"cannot write: {error.strerror}")]
        ) from error
    try:
        with os.fdopen(handle, "w", encoding="utf-8", newline="\n") as stream:
            stream.write(text)
            stream.flush()
            os.fsync(stream.fileno())
        os.chmod(temporary, 0o644)
        os.replace(temporary, path)
    except BaseException as error:
        Path(temporary).unlink(missing_ok=True)
        if isinstance(error, OSError):
            message = f"cannot write: {error.strerror}"
            raise PodcardsError([Problem(Location.of(path), message)]) from error
        raise


# -- reading the notes -------------------------------------------------------------------------


def read_notes(path: Path) -> str:
    """The notes as text: UTF-8 (with or without a byte-order mark) or UTF-16 with one."""
    try:
        data = path.read_bytes()
    except OSError as error:
        raise PodcardsError(
            [Problem(Location.of(path), f"cannot read: {error.strerror}")]
        ) from error
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            return data.decode("utf-16")
        except UnicodeDecodeError:
            pass
    if b"\x00" in data:
        line = data[: data.index(b"\x00")].count(b"\n") + 1
        raise PodcardsError(
            [Problem(Location.of(path, line), "binary data, not text notes: nothing to ingest")]
        )
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        line = data[: error.start].count(b"\n") + 1
        raise PodcardsError(
            [
                Problem(
                    Location.of(path, line),
                    f"not UTF-8 text (byte 0x{data[error.start]:02x}): save the notes as "
                    "UTF-8 and try again",
                )
            ]
        ) from error
    if not text.strip():
        raise PodcardsError([Problem(Location.of(path), "the file is empty: nothing to ingest")])
    return text


# -- lines, sections, blocks -------------------------------------------------------------------


@dataclass(frozen=True)
class _Tok:
    """One non-blank line, classified: the marker is removed from ``body``."""

    number: int
    kind: Literal["bullet", "blockquote", "heading", "bold", "text"]
    body: str
    indent: int
    raw: str


@dataclass
class _Block:
    """Lines with no blank line between them."""

    toks: list[_Tok]
    gap: int = 0
    after_rule: bool = False


@dataclass
class _Section:
    kind: str | None
    line: int
    level: int
    title: str
    lines: list[tuple[int, str]] = field(default_factory=list)


_RULE = re.compile(r"^\s*([-*_])(?:\s*\1){2,}\s*$")
_MD_HEADING = re.compile(r"^(#{1,6})\s+(.*?)(?:\s+#+)?\s*$")
_BULLET = re.compile(r"^(?:[•‣◦▪▫●○■□➤►▸▹→·*+-]|[–—](?=\s)|\d{1,3}[.)])\s+(?:\[[ xX]\]\s+)?(?=\S)")
_WHOLE_BOLD = re.compile(r"^(\*\*|__)(?P<inner>[^*_].*?)\1\s*:?\s*$")
_BLOCKQUOTE = re.compile(r"^>\s?")

_SECTION_NAMES: dict[str, tuple[str, ...]] = {
    "info": (
        "podcast information",
        "podcast info",
        "podcast details",
        "episode information",
        "episode info",
        "episode details",
        "information",
        "info",
        "about the episode",
        "about the podcast",
    ),
    "hook": ("hook", "opening hook"),
    "takeaway": (
        "takeaway",
        "one sentence takeaway",
        "one line takeaway",
        "one sentence summary",
        "in one sentence",
        "tl dr",
        "tldr",
        "bottom line",
    ),
    "summary": ("summary", "episode summary", "overview", "synopsis", "detailed summary"),
    "insights": (
        "insights",
        "insight",
        "takeaways",
        "lessons",
        "lessons learned",
        "ideas",
        "learnings",
    ),
    "frameworks": (
        "frameworks and models",
        "frameworks and mental models",
        "models and frameworks",
        "mental models and frameworks",
        "frameworks models",
        "frameworks",
        "framework",
        "models",
        "mental models",
    ),
    "quotes": ("quotes", "quote", "quotations", "quotes and sayings"),
    "habits": ("habits", "habit", "habits to adopt", "habits and practices", "practices"),
    "references": (
        "references",
        "reference",
        "resources",
        "references and resources",
        "resources and references",
        "links",
        "books and resources",
        "further reading",
        "references mentioned",
        "resources mentioned",
    ),
}
_SECTIONS = {name: kind for kind, names in _SECTION_NAMES.items() for name in names}
_HEADING_FILLERS = {
    "the", "key", "main", "my", "top", "notable", "memorable", "best", "favorite",
    "favourite", "selected", "important", "core", "big", "major", "some", "actionable",
    "useful", "practical", "other",
}  # fmt: skip


def _section_of(line: str) -> tuple[str, int] | None:
    """The section a heading line opens and its Markdown level (0 for other headings)."""
    text = line.strip()
    if not text or len(text) > 80 or (_BULLET.match(text) and not re.match(r"\d", text)):
        return None
    level = 0
    if heading := _MD_HEADING.match(text):
        level, text = len(heading[1]), heading[2]
    text = re.sub(r"\s*\([^()]*\)\s*:?$", "", text.strip(" *_:"))
    text = text.replace("&", " and ").replace("+", " and ").replace(";", " ")
    words = "".join(ch if ch.isalnum() else " " for ch in text.casefold()).split()
    while words and (words[0] in _HEADING_FILLERS or words[0].isdigit()):
        words.pop(0)
    kind = _SECTIONS.get(" ".join(words))
    return (kind, level) if kind else None


def _split_lines(text: str) -> list[tuple[int, str]]:
    return list(enumerate(re.split(r"\r\n|\r|\n", text.removeprefix("\ufeff")), start=1))


def _sections(lines: list[tuple[int, str]]) -> tuple[list[tuple[int, str]], list[_Section]]:
    preamble: list[tuple[int, str]] = []
    sections: list[_Section] = []
    current: _Section | None = None
    for number, raw in lines:
        found = _section_of(raw)
        if found:
            current = _Section(found[0], number, found[1], raw.strip())
            sections.append(current)
            continue
        heading = _MD_HEADING.match(raw.strip())
        if heading and current is not None and 0 < len(heading[1]) <= current.level:
            current = _Section(None, number, len(heading[1]), heading[2])
            sections.append(current)
            continue
        (current.lines if current else preamble).append((number, raw))
    return preamble, sections


def _classify(number: int, raw: str) -> _Tok:
    expanded = raw.expandtabs(4)
    text = expanded.strip()
    indent = len(expanded) - len(expanded.lstrip())
    if heading := _MD_HEADING.match(text):
        return _Tok(number, "heading", heading[2].strip(), indent, text)
    if bold := _WHOLE_BOLD.match(text):
        return _Tok(number, "bold", bold["inner"].strip().rstrip(":").strip(), indent, text)
    if quoted := _BLOCKQUOTE.match(text):
        body = text[quoted.end() :]
        while nested := _BLOCKQUOTE.match(body.lstrip()):
            body = body.lstrip()[nested.end() :]
        return _Tok(number, "blockquote", body.strip(), indent, text)
    if bullet := _BULLET.match(text):
        return _Tok(number, "bullet", text[bullet.end() :].strip(), indent, text)
    return _Tok(number, "text", text, indent, text)


def _continues(previous: _Tok, tok: _Tok) -> bool:
    """Whether a plain line goes on the text of the bullet above it (else it starts anew)."""
    return tok.indent > previous.indent or (
        tok.indent == previous.indent and tok.body[:1].islower()
    )


def _blocks(lines: Iterable[tuple[int, str]]) -> list[_Block]:
    blocks: list[_Block] = []
    current: _Block | None = None
    gap, rule = 0, False
    for number, raw in lines:
        if not raw.strip():
            current, gap = None, gap + 1
            continue
        if _RULE.match(raw):
            current, rule = None, True
            continue
        tok = _classify(number, raw)
        if current is not None:
            previous = current.toks[-1]
            if tok.kind == "text" and previous.kind == "bullet" and not _continues(previous, tok):
                current = None
        if current is None:
            current = _Block([], gap, rule)
            blocks.append(current)
            gap, rule = 0, False
        current.toks.append(tok)
    return blocks


def _norm(text: str) -> str:
    return " ".join(text.split())


def _join(parts: Iterable[str], separator: str = " ") -> str:
    return separator.join(p for p in (_norm(part) for part in parts) if p)


# -- the parser --------------------------------------------------------------------------------


class _Parser:
    def __init__(self, source: str) -> None:
        self.source = source
        self.skipped: list[Skipped] = []

    def skip(self, tok: _Tok, reason: str = "not an item") -> None:
        self.skipped.append(Skipped(tok.number, tok.raw, reason))

    def skip_block(self, block: _Block, reason: str = "not an item") -> None:
        for tok in block.toks:
            self.skip(tok, reason)


def parse_notes(text: str, source: str = "<notes>") -> Parsed:
    """Parse summary notes into a deck with an id for every item; raise what is missing."""
    preamble, sections = _sections(_split_lines(text))
    location = Location(source)
    if not any(section.kind for section in sections):
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
    parser = _Parser(source)
    found: dict[str, list[_Section]] = {}
    for section in sections:
        if section.kind is None:
            body = [number for number, raw in section.lines if raw.strip()]
            parser.skipped.append(
                Skipped(
                    section.line,
                    section.title,
                    f"a section podcards does not know; lines {section.line}-"
                    f"{body[-1] if body else section.line} not taken",
                )
            )
        else:
            found.setdefault(section.kind, []).append(section)
    blocks = {kind: [b for s in group for b in _blocks(s.lines)] for kind, group in found.items()}
    _drop_sign_off(parser, sections, blocks)

    def of(kind: str) -> list[_Block]:
        return blocks.get(kind, [])

    problems = Problems()
    episode = _episode(parser, of("info"), preamble, found.get("info", []), problems)
    deck = Deck(
        info=DeckInfo("", ""),
        episode=episode,
        hook=_paragraphs(of("hook")),
        takeaway=_paragraphs(of("takeaway")),
        summary=_paragraphs(of("summary")),
        insights=_insights(parser, of("insights")),
        frameworks=_frameworks(parser, of("frameworks")),
        quotes=_quotes(parser, of("quotes")),
        habits=tuple(Habit(n, t, line=ln) for n, t, ln in _named(parser, of("habits"), "habit")),
        references=tuple(
            Reference(n, t, line=ln) for n, t, ln in _named(parser, of("references"), "reference")
        ),
    )
    if not (deck.insights or deck.frameworks or deck.quotes or deck.habits or deck.references):
        first = min(s.line for group in found.values() for s in group)
        problems.add(
            Location(source, first),
            "no items found: the notes need at least one insight, framework, quote, habit "
            "or reference (bullets or lines under those headings)",
        )
    problems.raise_if_any()
    deck = with_ids(replace(deck, info=_deck_info(deck.episode)))
    skipped = sorted(parser.skipped, key=lambda s: s.line)
    return Parsed(deck, tuple(skipped))


def _drop_sign_off(
    parser: _Parser, sections: list[_Section], blocks: dict[str, list[_Block]]
) -> None:
    """A closing line set apart after the last item ("Crepi il lupo!") is not an item."""
    last = sections[-1]
    if last.kind is None or len(_blocks(last.lines)) < 2:
        return
    block = blocks[last.kind][-1]
    tok = block.toks[0]
    if (
        len(block.toks) == 1
        and tok.kind == "text"
        and (block.after_rule or block.gap >= 2)
        and tok.body[:1] not in _QUOTE_MARKS
        and _split_named(tok.body, dashes=last.kind in ("habits", "references")) is None
    ):
        parser.skip(tok)
        blocks[last.kind].pop()


# -- episode information -----------------------------------------------------------------------

_LABEL = re.compile(
    r"^(?:\*\*|__)?(?P<label>[^\W\d_][\w ()/'’-]{0,30}?)\s*(?:\*\*|__)?\s*:\s*(?:\*\*|__)?"
    r"\s*(?P<value>.*?)\s*$"
)
_LABELS: dict[str, str] = {
    **dict.fromkeys(("podcast", "podcast name", "show", "series", "program"), "podcast"),
    **dict.fromkeys(("title", "episode", "episode title", "episode name"), "title"),
    **dict.fromkeys(("host", "hosts", "hosted by", "host s", "presenter", "presenters"), "hosts"),
    **dict.fromkeys(("guest", "guests", "guest s", "featuring", "with"), "guests"),
    **dict.fromkeys(
        (
            "duration",
            "episode duration",
            "length",
            "episode length",
            "runtime",
            "running time",
        ),
        "duration",
    ),
    **dict.fromkeys(
        ("date", "release date", "released", "published", "aired", "episode date"), "date"
    ),
    **dict.fromkeys(("url", "link", "listen", "listen here", "episode link", "source"), "url"),
}
_URL = re.compile(r"https?://[^\s<>()\[\]]+[^\s<>()\[\].,;:!?'\"]")


def _label_of(body: str) -> tuple[str, str] | None:
    match = _LABEL.match(body)
    if not match:
        return None
    key = " ".join(re.sub(r"[^\w]+", " ", match["label"].casefold()).split())
    field_name = _LABELS.get(key)
    return (field_name, match["value"]) if field_name else None


def _people(value: str) -> tuple[str, ...]:
    """Names from "A, B and C": a role in parentheses or after a dash is not part of a name."""
    names: list[str] = []
    depth, part = 0, ""
    for ch in value:
        depth += (ch in "([") - (ch in ")]")
        if depth == 0 and ch in ",;":
            names.append(part)
            part = ""
        else:
            part += ch
    names.append(part)
    split = [n for name in names for n in re.split(r"\s+(?:and|&)\s+", name)]
    cleaned = (
        _norm(re.split(r"\s+[–—-]\s+", re.sub(r"\([^()]*\)|\[[^\[\]]*\]", " ", n))[0])
        for n in split
    )
    return tuple(dict.fromkeys(n.strip(" *_") for n in cleaned if n.strip(" *_")))


def _date(value: str) -> date | None:
    for form in ("%Y-%m-%d", "%B %d, %Y", "%b %d, %Y", "%d %B %Y", "%d %b %Y", "%d.%m.%Y"):
        try:
            return datetime.strptime(_norm(value), form).date()
        except ValueError:
            continue
    return None


def _episode(
    parser: _Parser,
    blocks: list[_Block],
    preamble: list[tuple[int, str]],
    sections: list[_Section],
    problems: Problems,
) -> Episode:
    fields: dict[str, str] = {}
    people: dict[str, tuple[str, ...]] = {}
    when: date | None = None

    def take(tok: _Tok, in_section: bool) -> None:
        nonlocal when
        body = tok.body if tok.kind != "heading" else ""
        label = _label_of(body)
        if label and not label[1]:
            if in_section:
                parser.skip(tok, "nothing after the colon")
            return
        if label:
            name, value = label
            if name in ("hosts", "guests"):
                people.setdefault(name, _people(value))
            elif name == "date":
                parsed = _date(value)
                if parsed is None and in_section:
                    parser.skip(tok, "a date podcards does not understand; use YYYY-MM-DD")
                when = when or parsed
            elif name == "url":
                url = _URL.search(value)
                if url:
                    fields.setdefault("url", url[0])
                elif in_section:
                    parser.skip(tok, "no https:// link in it")
            else:
                fields.setdefault(name, _norm(value))
            return
        if not in_section:
            return
        url = _URL.search(body)
        if url and "url" not in fields:
            fields["url"] = url[0]
        elif body and "podcast" not in fields:
            fields["podcast"] = _norm(body)
        elif body and "title" not in fields:
            fields["title"] = _norm(body)
        else:
            parser.skip(tok, "not episode information")

    for block in blocks:
        for tok in block.toks:
            take(tok, in_section=True)
    for block in _blocks(preamble):
        for tok in block.toks:
            take(tok, in_section=False)
    if "podcast" not in fields or "title" not in fields:
        _episode_from_title_line(preamble, fields)
    where = Location(parser.source, sections[0].line if sections else 1)
    for name, example in (("podcast", "All-In Podcast"), ("title", "Elon Musk on Optimus")):
        if name not in fields:
            problems.add(
                where,
                f"no {name} found: add a line '{name.capitalize()}: {example}' under a "
                "'Podcast information' heading",
            )
    return Episode(
        podcast=fields.get("podcast", ""),
        title=fields.get("title", ""),
        hosts=people.get("hosts", ()),
        guests=people.get("guests", ()),
        date=when,
        duration=fields.get("duration", ""),
        url=fields.get("url", ""),
    )


def _episode_from_title_line(preamble: list[tuple[int, str]], fields: dict[str, str]) -> None:
    """A page title such as "# All-In Podcast: Elon Musk" when the notes say no more."""
    for _, raw in preamble:
        heading = _MD_HEADING.match(raw.strip())
        if not heading:
            continue
        title = _norm(heading[2].strip(" *_"))
        podcast, colon, episode = title.partition(": ")
        if colon and podcast and episode:
            fields.setdefault("podcast", podcast)
            fields.setdefault("title", episode)
        elif "podcast" in fields:
            fields.setdefault("title", title)
        return


# -- sections of text --------------------------------------------------------------------------


def _paragraphs(blocks: list[_Block]) -> str:
    """Hook, takeaway, summary: one paragraph per block (and per bullet), joined by newlines."""
    paragraphs: list[str] = []
    for block in blocks:
        current: list[str] = []
        for tok in block.toks:
            if tok.kind == "bullet" and current:
                paragraphs.append(_join(current))
                current = []
            current.append(tok.body if tok.kind == "blockquote" else tok.raw)
        paragraphs.append(_join(current))
    return "\n".join(p for p in paragraphs if p)


def _insights(parser: _Parser, blocks: list[_Block]) -> tuple[Insight, ...]:
    bulleted = any(tok.kind == "bullet" for block in blocks for tok in block.toks)
    drafts: list[tuple[int, list[str]]] = []
    for block in blocks:
        if not bulleted:
            kinds = {tok.kind for tok in block.toks}
            if kinds <= {"text", "blockquote"}:
                drafts.append((block.toks[0].number, [tok.body for tok in block.toks]))
            else:
                parser.skip_block(block)
            continue
        current: list[str] | None = None
        for tok in block.toks:
            if tok.kind == "bullet":
                current = [tok.body]
                drafts.append((tok.number, current))
            elif tok.kind == "text" and current is not None:
                current.append(tok.body)
            else:
                parser.skip(tok)
    return tuple(Insight(_join(lines), line=number) for number, lines in drafts if _join(lines))


# -- names and texts ---------------------------------------------------------------------------

_BOLD_NAME = re.compile(
    r"^(\*\*|__)(?P<name>[^*_].*?)\s*:?\s*\1\s*(?:(?::|[.–—]|--?)\s*)?(?P<text>.*)$"
)
_COLON_NAME = re.compile(r"^(?P<name>[^:]{1,80}?)\s*:\s+(?P<text>\S.*)$")
_DASH_NAME = re.compile(r"^(?P<name>.{1,80}?)\s+(?:--?|[–—])\s+(?P<text>\S.*)$")


def _is_name(text: str) -> bool:
    return 0 < len(text.split()) <= 8 and ". " not in text and not text.endswith((",", ";"))


def _split_named(body: str, *, dashes: bool) -> tuple[str, str] | None:
    """("Name", "text") from "**Name**: text", "Name: text" or (with dashes) "Name – text"."""
    if bold := _BOLD_NAME.match(body):
        name = _norm(bold["name"].rstrip(":"))
        if _is_name(name) and bold["text"]:
            return name, _norm(bold["text"])
        return None
    for pattern in (_COLON_NAME, _DASH_NAME) if dashes else (_COLON_NAME,):
        match = pattern.match(body)
        if match and _is_name(match["name"]) and not _URL.match(body):
            return _norm(match["name"]), _norm(match["text"])
    return None


def _title(text: str) -> str:
    """A name given as a heading or a line of its own, without its numbering and colon."""
    text = re.sub(r"^\d{1,3}[.)]\s+", "", text.strip())
    text = re.sub(r"^(\*\*|__)(.+)\1$", r"\2", text)
    return _norm(text.rstrip(":").rstrip())


def _title_like(text: str) -> bool:
    words = text.split()
    return 0 < len(words) <= 12 and len(text) <= 100 and not text.endswith((".", ",", ";"))


def _unbold(text: str) -> str:
    match = re.fullmatch(r"(\*\*|__)(.+)\1", text)
    return match[2] if match else text


# -- frameworks --------------------------------------------------------------------------------


@dataclass
class _FrameworkDraft:
    name: str
    line: int
    summary: list[list[str]] = field(default_factory=list)
    components: list[tuple[int, list[str]]] = field(default_factory=list)
    tok: _Tok | None = None


def _frameworks(parser: _Parser, blocks: list[_Block]) -> tuple[Framework, ...]:
    indents = sorted({t.indent for b in blocks for t in b.toks if t.kind == "bullet"})
    outer = indents[0] if len(indents) > 1 else None
    drafts: list[_FrameworkDraft] = []
    current: _FrameworkDraft | None = None
    target: list[str] | None = None

    def start(name: str, tok: _Tok) -> _FrameworkDraft:
        draft = _FrameworkDraft(name, tok.number, tok=tok)
        drafts.append(draft)
        return draft

    for block in blocks:
        skipping = False
        for position, tok in enumerate(block.toks):
            if tok.kind in ("heading", "bold"):
                current, target, skipping = start(_title(tok.body), tok), None, False
            elif skipping:
                parser.skip(tok)
            elif tok.kind == "bullet" and outer is not None and tok.indent == outer:
                named = _split_named(tok.body, dashes=True)
                name, summary = named if named else (_title(tok.body), "")
                current = start(name, tok)
                target = [summary] if summary else []
                current.summary.append(target)
            elif tok.kind == "bullet":
                if current is None:
                    parser.skip(tok, "a component before any framework name")
                    continue
                target = [tok.body]
                current.components.append((tok.number, target))
            elif position > 0 and target is not None:
                target.append(tok.body)
            elif position > 0 and current is not None:
                target = [tok.body]
                current.summary.append(target)
            elif current is None or current.components:
                if _title_like(tok.body) and tok.kind == "text":
                    current, target = start(_title(tok.body), tok), None
                else:
                    parser.skip(tok)
                    skipping = True
            else:
                target = [tok.body]
                current.summary.append(target)
    frameworks: list[Framework] = []
    for draft in drafts:
        components = tuple(_component(number, lines) for number, lines in draft.components)
        summary = _join((" ".join(lines) for lines in draft.summary), "\n")
        if not components:
            if draft.tok is not None:
                reason = "a framework needs components: bullets under its name"
                parser.skip(draft.tok, reason if summary else "not an item")
            continue
        frameworks.append(Framework(draft.name, summary, components, line=draft.line))
    return tuple(frameworks)


def _component(number: int, lines: list[str]) -> Component:
    body = _join(lines)
    named = _split_named(body, dashes=False)
    if named:
        return Component(named[1], named[0], line=number)
    return Component(_unbold(body), line=number)


# -- habits and references ---------------------------------------------------------------------


@dataclass
class _NamedDraft:
    name: str
    tok: _Tok
    explicit: bool
    paragraphs: list[list[str]] = field(default_factory=list)


def _named(parser: _Parser, blocks: list[_Block], kind: str) -> list[tuple[str, str, int]]:
    """Habits and references: a name and a text, in any of the shapes people write them."""
    drafts: list[_NamedDraft] = []
    current: _NamedDraft | None = None
    dashes = True

    def waiting() -> bool:
        return current is not None and not current.paragraphs

    for block in blocks:
        one_liners = all(
            tok.kind == "text" and _split_named(tok.body, dashes=dashes) for tok in block.toks
        )
        for position, tok in enumerate(block.toks):
            if tok.kind in ("heading", "bold"):
                current = _NamedDraft(_title(tok.body), tok, explicit=True)
                drafts.append(current)
            elif tok.kind == "bullet":
                named = _split_named(tok.body, dashes=dashes)
                if current is not None and waiting() and named is None:
                    current.paragraphs.append([tok.body])
                elif named:
                    current = _NamedDraft(named[0], tok, explicit=False, paragraphs=[[named[1]]])
                    drafts.append(current)
                else:
                    parser.skip(tok, f"a {kind} needs a name and a text: write 'Name: text'")
                    current = None
            elif one_liners and (named := _split_named(tok.body, dashes=dashes)):
                current = _NamedDraft(named[0], tok, explicit=False, paragraphs=[[named[1]]])
                drafts.append(current)
            elif position > 0 and current is not None:
                if current.paragraphs:
                    current.paragraphs[-1].append(tok.body)
                else:
                    current.paragraphs.append([tok.body])
            elif position > 0:
                parser.skip(tok)
            elif current is not None and waiting():
                current.paragraphs.append([tok.body])
            elif (named := _split_named(tok.body, dashes=dashes)) and _BOLD_NAME.match(tok.body):
                current = _NamedDraft(named[0], tok, explicit=False, paragraphs=[[named[1]]])
                drafts.append(current)
            elif _title_like(tok.body) and tok.kind == "text":
                current = _NamedDraft(_title(tok.body), tok, explicit=False)
                drafts.append(current)
            elif current is not None and current.explicit:
                current.paragraphs.append([tok.body])
            else:
                parser.skip(tok)
                current = None
    items: list[tuple[str, str, int]] = []
    for draft in drafts:
        text = _join((" ".join(lines) for lines in draft.paragraphs), "\n")
        if text:
            items.append((draft.name, text, draft.tok.number))
        else:
            parser.skip(draft.tok)
    return items


# -- quotes ------------------------------------------------------------------------------------

_QUOTE_MARKS: dict[str, str] = {
    '"': '"”',
    "“": '”“"',
    "”": "”",
    "„": '“”"',
    "«": "»",
    "»": "«",
    "‘": "’",
    "「": "」",
}
_ATTRIBUTION = re.compile(r"^\s*[.,;:]?\s*(?:--?|[–—―~])\s*(?P<who>\S.*?)\s*$")
_ATTRIBUTION_LINE = re.compile(r"^(?:--?|[–—―~])\s+(?P<who>\S.*?)\s*$")
_PARENTHESIZED = re.compile(r"^\s*[.,]?\s*\((?P<who>[^()]+)\)\s*\.?\s*$")


def _looks_like_name(who: str) -> bool:
    first = who.lstrip("*_[ ")[:1]
    return first.isupper() or first.isdigit()


def split_quotation(text: str) -> tuple[str, str | None] | None:
    """The words inside the quotation marks opening ``text``, and who said them.

    A dash inside the marks belongs to the quotation; the quotation ends at the first
    closing mark followed by nothing, or by a dash and a name.
    """
    if not text or text[0] not in _QUOTE_MARKS:
        return None
    closers = _QUOTE_MARKS[text[0]]
    candidates = [i for i in range(1, len(text)) if text[i] in closers]
    for strict in (True, False):
        for i in candidates:
            rest = text[i + 1 :]
            if not rest.strip():
                return text[1:i], None
            match = _ATTRIBUTION.match(rest) or _PARENTHESIZED.match(rest)
            if match and (not strict or _looks_like_name(match["who"])):
                return text[1:i], match["who"]
    return None


def _speaker_and_context(who: str) -> tuple[str, str]:
    who = _norm(who)
    wrapped = re.fullmatch(r"(\*\*|\*|__|_)(.+)\1\.?", who)
    if wrapped:
        who = wrapped[2]
    speaker, comma, context = who.partition(", ")
    if not comma:
        parenthesized = re.fullmatch(r"(.+?)\s*\((.+)\)\.?", who)
        if parenthesized:
            speaker, context = parenthesized[1], parenthesized[2]
    return speaker.strip(" *_"), _norm(context)


@dataclass
class _QuoteDraft:
    tok: _Tok
    lines: list[str]
    attribution: str | None = None


def _closed(draft: _QuoteDraft) -> bool:
    """Whether the draft already holds a whole quotation, so a dash line attributes it."""
    if draft.attribution is not None:
        return False
    return draft.tok.kind == "blockquote" or split_quotation(_join(draft.lines)) is not None


def _quotes(parser: _Parser, blocks: list[_Block]) -> tuple[Quote, ...]:
    marked = any(
        tok.kind == "blockquote" or tok.body[:1] in _QUOTE_MARKS
        for block in blocks
        for tok in block.toks
    )
    drafts: list[_QuoteDraft] = []
    for block in blocks:
        current: _QuoteDraft | None = None
        for tok in block.toks:
            attribution = _ATTRIBUTION_LINE.match(tok.raw.lstrip("> ").strip())
            if (
                attribution
                and current is not None
                and _closed(current)
                and (current.tok.kind != "bullet" or tok.indent > current.tok.indent)
            ):
                current.attribution = attribution["who"]
            elif tok.kind == "blockquote":
                starts = tok.body[:1] in _QUOTE_MARKS
                if current is not None and current.tok.kind == "blockquote":
                    whole = current.attribution is not None or split_quotation(_join(current.lines))
                    if not (starts and whole):
                        current.lines.append(tok.body)
                        continue
                if tok.body:
                    current = _QuoteDraft(tok, [tok.body])
                    drafts.append(current)
            elif tok.kind == "bullet" or tok.body[:1] in _QUOTE_MARKS:
                current = _QuoteDraft(tok, [tok.body])
                drafts.append(current)
            elif current is not None and tok.kind == "text":
                if current.attribution is not None:
                    current.attribution += " " + tok.body
                else:
                    current.lines.append(tok.body)
            elif tok.kind == "text" and not marked:
                current = _QuoteDraft(tok, [tok.body])
                drafts.append(current)
            else:
                parser.skip(tok, "not a quote" if tok.kind == "text" else "not an item")
    quotes: list[Quote] = []
    for draft in drafts:
        quote = _quote(draft)
        if quote is None:
            parser.skip(draft.tok, "not a quote")
        else:
            quotes.append(quote)
    return tuple(quotes)


def _quote(draft: _QuoteDraft) -> Quote | None:
    joined = _join(draft.lines)
    split = split_quotation(joined)
    if draft.attribution is not None:
        text = split[0] if split and split[1] is None else joined
        who: str | None = draft.attribution
    elif split:
        text, who = split
    else:
        text, who = joined, None
    speaker, context = _speaker_and_context(who) if who else ("", "")
    text = _norm(text)
    return Quote(text, speaker, context, line=draft.tok.number) if text else None


# -- ids ---------------------------------------------------------------------------------------

_STOPWORD_TEXT = (
    "a an the and or but of to in on at for with by from as is are was were be been being it "
    "its this that these those i we you he she they our your my his her their me us them will "
    "would can could should may might must do does did have has had so if than then there what "
    "which who how just like very about into more most also going think s"
)
_STOPWORDS = frozenset(_STOPWORD_TEXT.split())


def slug(text: str) -> str:
    """Lower-case ASCII words joined by hyphens: "Schrödinger's Cat" -> "schrodingers-cat"."""
    words = "".join(ch if ch.isalnum() else " " for ch in re.sub(r"(?<=\w)['’](?=\w)", "", text))
    ascii_text = unicodedata.normalize("NFKD", words).encode("ascii", "ignore").decode()
    return "-".join(re.findall(r"[a-z0-9]+", ascii_text.lower()))


def _shorten(words: Sequence[str], limit: int) -> str:
    kept: list[str] = []
    for word in words:
        if kept and len("-".join([*kept, word])) > limit:
            break
        kept.append(word)
    return "-".join(kept)[:limit].strip("-")


def _id_candidates(text: str, *, named: bool) -> list[str]:
    """Readable ids for a name or a text, shortest first; the same text gives the same ids."""
    words = slug(text).split("-") if slug(text) else []
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


def with_ids(deck: Deck, taken: Iterable[str] = ()) -> Deck:
    """Give every item and component that has no id yet a fresh one (not in ``taken``)."""
    ids = _Ids(taken)
    for framework in deck.frameworks:
        ids.taken.update(c.id for c in framework.components if c.id)
    items: list[Insight | Framework | Quote | Habit | Reference] = [
        *deck.insights,
        *deck.frameworks,
        *deck.quotes,
        *deck.habits,
        *deck.references,
    ]
    ids.taken.update(item.id for item in items if item.id)

    def named(kind: str, item: Framework | Habit | Reference) -> str:
        return item.id or ids.claim(kind, item.name, named=True)

    frameworks = []
    for framework in deck.frameworks:
        framework = replace(framework, id=named("framework", framework))
        components = tuple(
            replace(
                c,
                id=c.id
                or (
                    ids.claim("component", c.name, named=True)
                    if c.name
                    else ids.claim("component", c.text, named=False)
                ),
            )
            for c in framework.components
        )
        frameworks.append(replace(framework, components=components))
    return replace(
        deck,
        insights=tuple(
            replace(i, id=i.id or ids.claim("insight", i.text, named=False)) for i in deck.insights
        ),
        frameworks=tuple(frameworks),
        quotes=tuple(
            replace(q, id=q.id or ids.claim("quote", q.text, named=False)) for q in deck.quotes
        ),
        habits=tuple(replace(h, id=named("habit", h)) for h in deck.habits),
        references=tuple(replace(r, id=named("reference", r)) for r in deck.references),
    )


def _deck_info(episode: Episode) -> DeckInfo:
    podcast = slug(episode.podcast)
    who = (
        slug(episode.guests[0])
        if episode.guests
        else _shorten([w for w in slug(episode.title).split("-") if w not in _STOPWORDS], 40)
    )
    deck_id = "-".join(part for part in (podcast[:40].strip("-"), who) if part)
    if not deck_id:
        digest = hashlib.sha1(f"{episode.podcast}\n{episode.title}".encode()).hexdigest()
        deck_id = f"deck-{digest[:8]}"
    tags = [podcast, *(slug(guest) for guest in episode.guests)]

    def part(text: str) -> str:
        return _norm(re.sub(r"\s*::+\s*", ": ", text))

    name = f"Podcasts::{part(episode.podcast)}::{part(episode.title)}"
    return DeckInfo(deck_id, name, tuple(dict.fromkeys(t for t in tags if t)))


# -- merging into an existing deck file --------------------------------------------------------

_CLOZE = re.compile(r"\{\{c\d+::(.*?)(?:::[^}]*)?\}\}", re.DOTALL)
_MANAGED = {
    "top": ("podcards", "deck", "episode", "hook", "takeaway", "summary", "insights",
            "frameworks", "quotes", "habits", "references"),
    "deck": ("id", "name", "tags"),
    "episode": ("podcast", "title", "hosts", "guests", "date", "duration", "url"),
    "insights": ("id", "text"),
    "frameworks": ("id", "name", "summary", "components"),
    "components": ("id", "name", "text"),
    "quotes": ("id", "text", "speaker", "context"),
    "habits": ("id", "name", "text"),
    "references": ("id", "name", "text"),
}  # fmt: skip
_SIMILAR = 0.6


def _load_deck_file(path: Path) -> dict[str, object]:
    try:
        text = path.read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as error:
        raise PodcardsError([Problem(Location.of(path), f"cannot read: {error}")]) from error
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        line = mark.line + 1 if mark is not None else 0
        what = getattr(error, "problem", None) or str(error)
        raise PodcardsError(
            [Problem(Location.of(path, line), f"cannot merge into it: YAML error: {what}")]
        ) from error
    if not isinstance(data, dict):
        raise PodcardsError(
            [Problem(Location.of(path), "not a deck file: expected 'podcards: 1', 'deck', ...")]
        )
    problems = Problems()
    for key in ("insights", "frameworks", "quotes", "habits", "references"):
        value = data.get(key)
        if value is not None and not (
            isinstance(value, list) and all(isinstance(v, dict) for v in value)
        ):
            problems.add(Location.of(path), f"'{key}' must be a list of items to merge into")
    for framework in data.get("frameworks") or []:
        components = framework.get("components") if isinstance(framework, dict) else None
        if components is not None and not (
            isinstance(components, list) and all(isinstance(c, dict) for c in components)
        ):
            problems.add(Location.of(path), "a framework's 'components' must be a list of items")
    problems.raise_if_any()
    return {str(key): value for key, value in data.items()}


def _text(value: object) -> str:
    return "" if value is None or isinstance(value, dict | list) else str(value)


def _plain(text: str) -> str:
    """A text as compared between notes and deck file: cloze markers and case ignored."""
    return _norm(_CLOZE.sub(r"\1", text)).casefold()


def _keep_cloze(new: str, old: object) -> str:
    """The deck file's text when it only adds cloze markers to the notes' text."""
    old_text = _text(old)
    return old_text if old_text and _plain(old_text) == _plain(new) else new


def _words(text: str) -> list[str]:
    return re.findall(r"\w+", _plain(text))


def _similarity(a: str, b: str) -> float:
    return difflib.SequenceMatcher(None, _words(a), _words(b), autojunk=False).ratio()


def _match(new: Sequence[tuple[str, str]], old: Sequence[tuple[str, str]]) -> dict[int, int]:
    """Pairs (new index -> old index): equal keys first, then the most similar texts."""
    pairs: dict[int, int] = {}
    used: set[int] = set()
    for i, (key, _) in enumerate(new):
        for j, (old_key, _) in enumerate(old):
            if j not in used and _words(key) and _words(key) == _words(old_key):
                pairs[i] = j
                used.add(j)
                break
    scored = sorted(
        (
            (_similarity(text, old_text), i, j)
            for i, (_, text) in enumerate(new)
            if i not in pairs
            for j, (_, old_text) in enumerate(old)
            if j not in used
        ),
        key=lambda t: (-t[0], t[1], t[2]),
    )
    for score, i, j in scored:
        if score >= _SIMILAR and i not in pairs and j not in used:
            pairs[i] = j
            used.add(j)
    return pairs


def _extra(old: Mapping[object, object], managed: str) -> Extra:
    return tuple((str(k), v) for k, v in old.items() if str(k) not in _MANAGED[managed])


def _old_id(old: Mapping[object, object]) -> str:
    """An item's id in the deck file: given, or the one the build derives from its name."""
    given = old.get("id")
    if isinstance(given, str) and given:
        return given
    return _build_slug(_text(old.get("name")))


def _build_slug(text: str) -> str:
    """The id ``podcards build`` gives a named item that has none (sources.slug)."""
    return "-".join(re.findall(r"[a-z0-9]+", text.lower()))[:60].strip("-")


def _items(data: Mapping[Any, object], key: str) -> list[dict[object, object]]:
    value = data.get(key)
    return [item for item in value if isinstance(item, dict)] if isinstance(value, list) else []


def merge(deck: Deck, old: Mapping[str, object]) -> tuple[Deck, list[Change]]:
    """The notes' deck, with the ids and hand-made additions of the existing deck file.

    Items are matched by name (frameworks, components, habits, references) or by text,
    then by text similarity, so rewording or reordering keeps an item's id. Keys ingest
    does not write (``question``, ``at``, ``skip_cards``, ``cards``, ``description``...)
    are kept, and so are cloze markers added by hand to a text the notes did not change.
    """
    changes: list[Change] = []
    merged = replace(
        deck,
        info=_merge_info(deck.info, old.get("deck")),
        episode=_merge_episode(deck.episode, old.get("episode")),
        insights=_merge_items("insight", deck.insights, _items(old, "insights"), changes),
        frameworks=_merge_items("framework", deck.frameworks, _items(old, "frameworks"), changes),
        quotes=_merge_items("quote", deck.quotes, _items(old, "quotes"), changes),
        habits=_merge_items("habit", deck.habits, _items(old, "habits"), changes),
        references=_merge_items("reference", deck.references, _items(old, "references"), changes),
        extra=tuple((k, v) for k, v in old.items() if k not in _MANAGED["top"]),
    )
    texts: dict[str, str] = {}
    for key in ("hook", "takeaway", "summary"):
        new, before = str(getattr(deck, key)), _text(old.get(key))
        texts[key] = _keep_cloze(new, before) if new else before
        if texts[key] != before:
            changes.append(Change("changed" if before else "new", key, "", texts[key]))
    old_ids = _all_old_ids(old)
    merged = replace(
        merged, hook=texts["hook"], takeaway=texts["takeaway"], summary=texts["summary"]
    )
    merged = with_ids(merged, old_ids)
    return merged, _new_items(merged, old_ids) + changes


_Item = TypeVar("_Item", Insight, Framework, Component, Quote, Habit, Reference)
_FIELDS = {
    "insight": ("text",),
    "framework": ("name", "summary"),
    "component": ("name", "text"),
    "quote": ("text", "speaker", "context"),
    "habit": ("name", "text"),
    "reference": ("name", "text"),
}


def _merge_items(
    kind: str, items: Sequence[_Item], olds: list[dict[object, object]], changes: list[Change]
) -> tuple[_Item, ...]:
    """Each item with the id of its match in the deck file, or no id when it is new."""
    fields = _FIELDS[kind]
    named = fields[0] == "name"
    section = "components" if kind == "component" else f"{kind}s"
    body = fields[1] if named else fields[0]

    def keys(item: Mapping[Any, object]) -> tuple[str, str]:
        """What must be equal for a sure match, and what is compared for a likely one."""
        name, text = _text(item.get("name")), _text(item.get(body))
        return (name, f"{name} {text}") if named else (text, text)

    news = [{name: getattr(item, name) for name in fields} for item in items]
    pairs = _match([keys(n) for n in news], [keys(o) for o in olds])
    result: list[_Item] = []
    for i, item in enumerate(items):
        updates: dict[str, Any] = {"id": ""}
        if isinstance(item, Framework):
            old_components = _items(olds[pairs[i]], "components") if i in pairs else []
            updates["components"] = _merge_items(
                "component", item.components, old_components, changes
            )
        if i in pairs:
            o = olds[pairs[i]]
            updates["id"] = _old_id(o)
            updates["extra"] = _extra(o, section)
            if getattr(item, body):
                updates[body] = _keep_cloze(getattr(item, body), o.get(body))
            after = replace(item, **updates)
            if any(getattr(after, name) != _text(o.get(name)) for name in fields):
                label = getattr(after, "name", "") or getattr(after, body)
                changes.append(Change("changed", kind, after.id, str(label)))
            result.append(after)
        else:
            result.append(replace(item, **updates))
    for j, o in enumerate(olds):
        if j not in pairs.values():
            label = _text(o.get("name")) or _text(o.get(body))
            changes.append(Change("removed", kind, _old_id(o), label))
            if kind == "framework":
                _merge_items("component", (), _items(o, "components"), changes)
    return tuple(result)


def _new_items(deck: Deck, old_ids: set[str]) -> list[Change]:
    """The items the notes add: fresh ids are never ids of the deck file."""
    rows: list[tuple[str, str, str]] = []
    for framework in deck.frameworks:
        rows.append(("framework", framework.id, framework.name))
        rows += [("component", c.id, c.name or c.text) for c in framework.components]
    rows += [("insight", i.id, i.text) for i in deck.insights]
    rows += [("quote", q.id, q.text) for q in deck.quotes]
    rows += [("habit", h.id, h.name) for h in deck.habits]
    rows += [("reference", r.id, r.name) for r in deck.references]
    return [Change("new", kind, id_, label) for kind, id_, label in rows if id_ not in old_ids]


def _all_old_ids(old: Mapping[str, object]) -> set[str]:
    ids: set[str] = set()
    for key in ("insights", "frameworks", "quotes", "habits", "references", "cards"):
        for item in _items(old, key):
            ids.add(_old_id(item))
            ids.update(_old_id(c) for c in _items(item, "components"))
    ids.discard("")
    return ids


def _merge_info(info: DeckInfo, old: object) -> DeckInfo:
    """The deck's id and name are frozen once shared, and its tags are the author's: the
    existing file's win."""
    if not isinstance(old, dict):
        return info
    deck_id, name, tags = old.get("id"), old.get("name"), old.get("tags")
    extra = _extra(old, "deck")
    if tags is not None and not isinstance(tags, list):
        extra += (("tags", tags),)
    return DeckInfo(
        id=deck_id if isinstance(deck_id, str) and deck_id else info.id,
        name=name if isinstance(name, str) and name else info.name,
        tags=tuple(str(tag) for tag in tags) if isinstance(tags, list) else (),
        extra=extra,
    )


def _merge_episode(episode: Episode, old: object) -> Episode:
    """The notes' episode, completed with what only the deck file says (a date, a link)."""
    if not isinstance(old, dict):
        return episode
    old_date, hosts, guests = old.get("date"), old.get("hosts"), old.get("guests")
    extra = _extra(old, "episode")
    if old_date is not None and not isinstance(old_date, date):
        extra += (("date", old_date),)
    return replace(
        episode,
        hosts=episode.hosts or (tuple(map(str, hosts)) if isinstance(hosts, list) else ()),
        guests=episode.guests or (tuple(map(str, guests)) if isinstance(guests, list) else ()),
        date=episode.date or (old_date if isinstance(old_date, date) else None),
        duration=episode.duration or _text(old.get("duration")),
        url=episode.url or _text(old.get("url")),
        extra=extra,
    )


# -- writing the deck file ---------------------------------------------------------------------

_ORDER = {
    "top": ("podcards", "deck", "episode", "hook", "takeaway", "summary", "insights",
            "frameworks", "quotes", "habits", "references", "cards"),
    "deck": ("id", "name", "description", "tags", "skip_cards"),
    "episode": ("podcast", "title", "hosts", "guests", "date", "duration", "url"),
    "item": ("id", "name", "text", "question", "summary", "components", "speaker", "context",
             "front", "back", "cloze", "at", "skip_cards"),
}  # fmt: skip


def _ordered(known: Iterable[tuple[str, object]], extra: Extra, order: str) -> dict[str, object]:
    """Known keys with a value, plus kept keys, in the order of the format."""
    values = {key: value for key, value in known if value not in ("", (), None)}
    for key, value in extra:
        values.setdefault(key, value)
    rank = {key: i for i, key in enumerate(_ORDER[order])}
    return dict(sorted(values.items(), key=lambda kv: rank.get(kv[0], len(rank))))


def _document(deck: Deck) -> dict[str, object]:
    """The deck as the data its YAML file holds."""
    episode = deck.episode
    sections: dict[str, list[dict[str, object]]] = {
        "insights": [_ordered([("id", i.id), ("text", i.text)], i.extra, "item")
                     for i in deck.insights],
        "frameworks": [
            _ordered(
                [("id", f.id), ("name", f.name), ("summary", f.summary),
                 ("components", [
                     _ordered([("id", c.id), ("name", c.name), ("text", c.text)], c.extra, "item")
                     for c in f.components
                 ] or None)],
                f.extra,
                "item",
            )
            for f in deck.frameworks
        ],
        "quotes": [
            _ordered([("id", q.id), ("text", q.text), ("speaker", q.speaker),
                      ("context", q.context)], q.extra, "item")
            for q in deck.quotes
        ],
        "habits": [_ordered([("id", h.id), ("name", h.name), ("text", h.text)], h.extra, "item")
                   for h in deck.habits],
        "references": [
            _ordered([("id", r.id), ("name", r.name), ("text", r.text)], r.extra, "item")
            for r in deck.references
        ],
    }  # fmt: skip
    return _ordered(
        [
            ("podcards", 1),
            (
                "deck",
                _ordered(
                    [
                        ("id", deck.info.id),
                        ("name", deck.info.name),
                        ("tags", list(deck.info.tags)),
                    ],
                    deck.info.extra,
                    "deck",
                ),
            ),
            (
                "episode",
                _ordered(
                    [
                        ("podcast", episode.podcast),
                        ("title", episode.title),
                        ("hosts", list(episode.hosts)),
                        ("guests", list(episode.guests)),
                        ("date", episode.date),
                        ("duration", episode.duration),
                        ("url", episode.url),
                    ],
                    episode.extra,
                    "episode",
                ),
            ),
            ("hook", deck.hook),
            ("takeaway", deck.takeaway),
            ("summary", deck.summary),
            *((key, items or None) for key, items in sections.items()),
        ],
        deck.extra,
        "top",
    )


def render_deck(deck: Deck, *, header: str = "") -> str:
    """The deck file's text: the format's key order, long texts folded, a blank line between
    sections and items. ``yaml.safe_load`` of it gives back every text exactly."""
    return header + "\n" + dump_yaml(_document(deck))


_WIDTH = 92
_YAML_PRINTABLE = re.compile(
    "^[\x20-\x7e\xa0-\ud7ff\ue000-\ufefe\uff00-\ufffd\U00010000-\U0010ffff]*$"
)


def dump_yaml(document: Mapping[str, object]) -> str:
    """Block-style YAML for people: blank lines between top-level keys and between items."""
    out: list[str] = []
    for key, value in document.items():
        if out:
            out.append("")
        out += _entry(key, value, 0, spaced=True)
    return "\n".join(out) + "\n"


def _entry(key: str, value: object, indent: int, *, spaced: bool = False) -> list[str]:
    head = " " * indent + _key(key) + ":"
    if isinstance(value, Mapping):
        if not value:
            return [head + " {}"]
        return [head, *(line for k, v in value.items() for line in _entry(str(k), v, indent + 2))]
    if isinstance(value, list | tuple):
        if not value:
            return [head + " []"]
        flow = _flow(value)
        if flow is not None and len(head) + 1 + len(flow) <= _WIDTH:
            return [f"{head} {flow}"]
        return [head, *_sequence(value, indent + 2, spaced=spaced)]
    return _scalar(head, value, indent + 2)


def _sequence(items: Sequence[object], indent: int, *, spaced: bool) -> list[str]:
    out: list[str] = []
    pad = " " * indent
    for n, item in enumerate(items):
        if spaced and n and isinstance(item, Mapping):
            out.append("")
        if isinstance(item, Mapping) and item:
            lines = [line for k, v in item.items() for line in _entry(str(k), v, indent + 2)]
            out += [pad + "- " + lines[0][indent + 2 :], *lines[1:]]
        elif isinstance(item, list | tuple) and item:
            lines = _sequence(item, indent + 2, spaced=False)
            out += [pad + "- " + lines[0][indent + 2 :], *lines[1:]]
        else:
            out += _scalar(pad + "-", item, indent + 2)
    return out


def _key(key: str) -> str:
    return key if re.fullmatch(r"[A-Za-z_][A-Za-z0-9_-]*", key) and _plain_ok(key) else _quoted(key)


def _flow(items: Sequence[object]) -> str | None:
    texts = [item for item in items if isinstance(item, str)]
    if len(texts) != len(items) or not all(_plain_ok(t, flow=True) for t in texts):
        return None
    return "[" + ", ".join(texts) + "]"


def _scalar(head: str, value: object, indent: int) -> list[str]:
    if not isinstance(value, str):
        dumped = yaml.safe_dump(value, default_flow_style=True, allow_unicode=True)
        return [f"{head} {dumped.removesuffix(chr(10)).removesuffix('...').strip()}"]
    fits = len(head) + 1 + len(value) <= _WIDTH
    if fits and "\n" not in value and _plain_ok(value):
        return [f"{head} {value}"]
    if _foldable(value) and (not fits or "\n" in value):
        lines: list[str] = []
        for n, paragraph in enumerate(value.split("\n")):
            if n:
                lines.append("")
            lines += _wrap(paragraph, _WIDTH - indent)
        return [f"{head} >-", *(" " * indent + line if line else "" for line in lines)]
    return [f"{head} {_quoted(value)}"]


def _wrap(paragraph: str, width: int) -> list[str]:
    lines: list[str] = []
    line = ""
    for word in paragraph.split(" "):
        if line and len(line) + 1 + len(word) > width:
            lines.append(line)
            line = word
        else:
            line = f"{line} {word}" if line else word
    return [*lines, line]


def _foldable(text: str) -> bool:
    """Whether a folded block scalar (``>-``) gives back exactly this text."""
    return bool(text) and all(
        paragraph
        and _YAML_PRINTABLE.match(paragraph)
        and "  " not in paragraph
        and paragraph == paragraph.strip(" ")
        and not any(ch.isspace() and ch != " " for ch in paragraph)
        for paragraph in text.split("\n")
    )


def _plain_ok(text: str, *, flow: bool = False) -> bool:
    """Whether the text can stand unquoted: YAML itself reads it back as this very string."""
    if not text or "\n" in text or text != text.strip() or not _YAML_PRINTABLE.match(text):
        return False
    if any(ch.isspace() and ch != " " for ch in text):
        return False
    probe = f"k: [{text}]" if flow else f"k: {text}"
    try:
        loaded = yaml.safe_load(probe)
    except yaml.YAMLError:
        return False
    return bool(loaded == ({"k": [text]} if flow else {"k": text}))


def _quoted(text: str) -> str:
    simple = _YAML_PRINTABLE.match(text) and text == text.strip()
    if simple and not any(ch.isspace() and ch != " " for ch in text):
        return "'" + text.replace("'", "''") + "'"
    dumped = yaml.safe_dump(text, default_style='"', allow_unicode=True, width=10**9)
    return dumped.removesuffix("\n")
