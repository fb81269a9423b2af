"""The episode: from front matter, labelled lines ("Podcast: …", "Host:: [[…]]"), the page's
title line, or a sentence of the summary; what is nowhere is guessed, and said so.

Earlier sources win: front matter, then labels, then the title line, then prose.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import datetime

from podcards.deck import Episode
from podcards.errors import PodcardsError
from podcards.ingest.markdown import Block, Line
from podcards.ingest.named import is_name
from podcards.ingest.text import Text, squash, without_glyphs
from podcards.sources import read_data

UNKNOWN_PODCAST = "Unknown podcast"
_LABELS = {
    "podcast": "podcast|podcast name|show|show name|series|program|programme|channel|pod",
    "title": "title|episode|episode title|episode name",
    "full title": "full title",  # Readwise's: the title with more in it
    "hosts": "host|hosts|hosted by|host s|presenter|presenters|owner host|interviewer",
    "guests": "guest|guests|guest s|featuring|with|speakers",
    "date": "date|release date|released|published|aired|episode date|episode publish date"
    "|publish date|air date|pub date",
    "duration": "duration|episode duration|length|episode length|runtime|running time",
    "url": "url|link|listen|listen here|episode link|source|watch|youtube|spotify"
    "|spotify link|apple podcasts|video|episode url",
    "author": "author",  # Readwise puts the show there
}
_FIELDS = {label: name for name, labels in _LABELS.items() for label in labels.split("|")}
_LABEL = re.compile(r"([^\W\d_][\w ()/'’&-]{0,30}?)[ \t]*::?(?:[ \t]+(.*)|$)")
_URL = re.compile(r"https?://[^\s<>()\[\]]+[^\s<>()\[\].,;:!?'\"]")
_MARKER = re.compile(
    r"[,:]?\s*(?:#\s?\d+|\b(?:Ep|EP|ep|Episode|EPISODE|episode|No)\.?\s*#?\d+|\s\d{1,4})\s*$"
)
_LEADING_NUMBER = re.compile(r"\A(?:#|\b(?:Ep|Episode|No)\.?\s*)?\d{1,4}\s*[—–:|-]\s+")
_NOTES_ON = re.compile(
    r"(?P<title>.+?):\s+(?:Notes|Highlights|Summary) (?:on|from|of) (?P<podcast>.+)"
)
_WITH = re.compile(r"\s+(?:with|w/)\s+(?P<who>[^\W\d_][^()]{2,80})$")
_PROSE = re.compile(
    r"\bon (?:the )?((?:[A-Z][\w'’&.-]{0,30}\s){0,4}[A-Z][\w'’&.-]{0,30}) (?:podcast|show)\b"
)
_NAME = r"((?:[A-Z][\w'’.-]{0,30}\s){1,4}[A-Z][\w'’-]{0,30})"
_HOST = re.compile(
    rf"\b(?:[Hh]ost(?:ed by)?|[Pp]resenter)\s+{_NAME}|{_NAME}\s+(?:interviews|talks to)\b"
)
_GUEST = re.compile(
    rf"\b(?:interviews|talks (?:with|to)|sits down with|speaks with|chats with|is joined by"
    rf"|welcomes)\s+(?:[a-z]+\s){{0,4}}{_NAME}"
)
_TITLES = frozenset({"Dr", "Prof", "Professor", "Mr", "Mrs", "Ms", "Sir", "Dame"})
_LISTEN = re.compile(r"\b(?:listen|watch|episode|play)\b", re.I)
_NOBODY = frozenset({"none", "n/a", "na", "-", "nobody", "no guest", "no guests", "solo", "[]"})
_DATES = ("%Y-%m-%d", "%B %d, %Y", "%b %d, %Y", "%d %B %Y", "%d %b %Y", "%d.%m.%Y", "%B %d %Y")


@dataclass
class _Fields:
    values: dict[str, str] = field(default_factory=dict)
    people: dict[str, tuple[str, ...]] = field(default_factory=dict)
    used: set[int] = field(default_factory=set)  # lines of the notes read as episode information

    def put(self, name: str, value: str, line: int = 0) -> None:
        value = squash(value)
        if not value:
            return
        if name in ("hosts", "guests"):
            self.people.setdefault(name, people(value))
        elif name == "url":
            if url := _URL.search(value):
                self.values.setdefault("url", url[0])
        elif name == "date":
            self.values.setdefault("date", _date(value))
        elif name == "title":
            self.values.setdefault("title", _LEADING_NUMBER.sub("", value, count=1))
        else:
            self.values.setdefault(name, value)
        if line:
            self.used.add(line)


def people(value: str) -> tuple[str, ...]:
    """Names from "A, B & C": a role in brackets or after a dash is no part of a name."""
    value = squash(value)  # one space between words: no pattern below backtracks on a run
    if value.casefold() in _NOBODY:
        return ()
    names: list[str] = []
    depth, part = 0, ""
    for ch in value:
        before = depth
        depth = max(depth + (ch in "([") - (ch in ")]"), 0)
        if depth == 0 and ch in ",;":
            names.append(part)
            part = ""
        elif depth == before == 0:
            part += ch
    names.append(part)
    split = [n for name in names for n in re.split(r" (?:and|&) ", squash(name))]
    cleaned = (re.split(r" [–—-] ", n)[0].strip(" *_\"'") for n in split)
    return tuple(dict.fromkeys(n for n in cleaned if n and n.casefold() not in _NOBODY))


def _date(value: str) -> str:
    text = squash(value).split("T")[0]
    for form in _DATES:
        try:
            return datetime.strptime(text, form).date().isoformat()
        except ValueError:
            continue
    return squash(value)


def _plain(value: object) -> str:
    """A front matter value as text: wiki links and quotes are markup, not the name."""
    if isinstance(value, list):
        return ", ".join(_plain(v) for v in value)
    text = re.sub(r"\[\[([^\[\]|]*)(?:\|([^\[\]]*))?\]\]", lambda m: m[2] or m[1], str(value))
    return squash(text).strip("\"'")


def _front_matter(text: str | None, fields: _Fields) -> None:
    if not text:
        return
    try:
        data = read_data(text)
    except PodcardsError:
        lines = re.finditer(r"(?m)^(\w[\w -]*):[ \t]*(.*)$", text)
        data = {match[1]: match[2] for match in lines}
    if not isinstance(data, dict):
        return
    for key, value in data.items():
        name = _FIELDS.get(" ".join(re.sub(r"[\W_]+", " ", str(key).casefold()).split()))
        if name == "podcast":
            fields.put(name, re.split(r"\s+[—|]\s+", _plain(value))[0])
        elif name == "title":
            podcast, title, _ = title_parts(_plain(value))
            fields.put("title", title or _plain(value))
            fields.put("podcast-from-title", podcast or "")
        elif name and name != "author":
            fields.put(name, _plain(value))


def _label(text: Text) -> tuple[str, str, Text] | None:
    """("podcast", "All-In", text) from "Podcast: All-In" or "Host:: [[Ann]]"; None else."""
    match = _LABEL.fullmatch(text.plain)
    if match is None:
        return None
    name = _FIELDS.get(" ".join(re.sub(r"[\W_]+", " ", match[1].casefold()).split()))
    if name is None:
        return None
    value = text.cut(match.start(2)) if match[2] else Text()
    href = next((h for h in value.links() if h.startswith("http")), "")
    return name, href if name == "url" and href else value.plain, value


def title_parts(line: str) -> tuple[str | None, str | None, tuple[str, ...]]:
    """The podcast, the episode title and guests a page's title line gives, where it does:
    "Show, Ep. 88: Title with Guest", "Title: Notes on Show #212", "Show 112 - title w/ Guest"."""
    line = squash(line)
    if len(line) > 200:  # a title line is short; a long one is a title as it is
        return None, line, ()
    podcast: str | None = None
    if notes := _NOTES_ON.fullmatch(line):
        return _MARKER.sub("", notes["podcast"]).strip() or None, notes["title"], ()
    title = line
    for separator in (" | ", ": ", " — ", " – ", " - "):
        head, found, tail = line.partition(separator)
        if not found or not head or not tail:
            continue
        if _MARKER.search(head) and is_name(head, 8):
            podcast, title = _MARKER.sub("", head).strip(" ,") or None, tail
        elif _LEADING_NUMBER.match(tail) and is_name(head, 6):
            podcast, title = head, _LEADING_NUMBER.sub("", tail, count=1)
        elif re.match(r"(?:my |rough |raw )?(?:notes|summary|highlights)\b", tail, re.I):
            title = head
        elif re.search(r"\b(?:Podcast|Show|Radio|Hour|Talks?)$", head):
            podcast, title = head, tail
        else:
            continue
        break
    guests: tuple[str, ...] = ()
    if (with_ := _WITH.search(title)) and is_name(with_["who"], 8):
        guests = people(with_["who"])
        if " w/ " in title:
            title = title[: with_.start()]
    return podcast, title.strip() or None, guests


def episode(
    front_matter: str | None,
    info: list[Block],
    preamble: list[Block],
    prose: list[Line],
    stem: str,
) -> tuple[Episode, list[str], set[int]]:
    """The episode, what was guessed (with the key to check), and the lines it was read from."""
    fields = _Fields()
    _front_matter(front_matter, fields)
    unlabelled: list[Line] = []
    for block in [*info, *preamble]:
        lines = [Line(block.line, block.text)] if block.kind == "item" else list(block.lines)
        in_info = any(block is b for b in info)
        for line in lines:
            text = without_glyphs(line.text)
            label = _label(text)
            if label is not None:
                fields.put(label[0], label[1], line.number)
            elif _LABEL.fullmatch(text.plain):
                continue  # a label podcards does not use ("Category: #podcasts")
            elif in_info and block.kind in ("para", "item"):
                unlabelled.append(Line(line.number, text))
            elif (shorthand := _WITH.search(" " + squash(text.plain)[:200])) and re.match(
                r"ep\b", text.plain, re.I
            ):
                fields.put("guests", shorthand["who"], line.number)
    for line in unlabelled:
        plain = line.text.plain
        if _URL.fullmatch(plain) or (line.text.links() and "url" not in fields.values):
            fields.put("url", line.text.links()[0] if line.text.links() else plain, line.number)
        elif "podcast" not in fields.values:
            fields.put("podcast", plain, line.number)
        elif "title" not in fields.values:
            fields.put("title", plain, line.number)
    guesses: list[str] = []
    title_line = _title_line(preamble)
    if title_line is not None:
        podcast, title, guests = title_parts(without_glyphs(title_line.text).plain)
        if title and "title" not in fields.values:
            fields.put("title", title, title_line.number)
        fields.put("podcast-from-title", podcast or "")
        if guests:
            fields.people.setdefault("guests", guests)
    values = fields.values
    for name, fallback in (
        ("podcast", "podcast-from-title"),
        ("podcast", "author"),
        ("title", "full title"),
    ):
        if fallback in values and name not in values:
            values[name] = values[fallback]
    guesses += _from_prose(prose, fields)
    if "podcast" not in values:
        values["podcast"] = UNKNOWN_PODCAST
        guesses.append(
            f'no podcast found: wrote "{UNKNOWN_PODCAST}"; put its name in episode.podcast, '
            "deck.name and deck.id (or add 'Podcast: …' to the notes and ingest again)"
        )
    if "title" not in values:
        values["title"] = stem
        guesses.append(
            f'no episode title found: wrote "{stem}" (the file name); put the title in '
            "episode.title (or add 'Title: …' to the notes)"
        )
    return (
        Episode(
            podcast=values["podcast"],
            title=values["title"],
            hosts=fields.people.get("hosts", ()),
            guests=fields.people.get("guests", ()),
            date=values.get("date"),
            duration=values.get("duration"),
            url=values.get("url"),
        ),
        guesses,
        fields.used,
    )


def _from_prose(prose: list[Line], fields: _Fields) -> list[str]:
    """What a summary or an introduction says in passing: "Ann Lee interviews researcher
    Dr. Bo Chen on the Test Signal podcast", a "Listen to the episode" link."""
    guesses: list[str] = []
    for line in prose:
        plain = line.text.plain
        if "podcast" not in fields.values and (match := _PROSE.search(plain)):
            fields.values["podcast"] = match[1]
            guesses.append(
                f'the podcast "{match[1]}" was read from line {line.number}; check episode.podcast'
            )
        for name, pattern in (("hosts", _HOST), ("guests", _GUEST)):
            if name not in fields.people and (match := pattern.search(plain)):
                person = _person(next(group for group in match.groups() if group))
                fields.people[name] = (person,)
                guesses.append(
                    f'{name[:-1]} "{person}" was read from line {line.number}; check episode.{name}'
                )
        for span in line.text.spans:
            if (
                "url" not in fields.values
                and span.href.startswith("http")
                and _LISTEN.search(span.text)
            ):
                fields.values["url"] = span.href
    return guesses


def _person(name: str) -> str:
    """A name without the titles and roles written before it ("Dr.", "CEO")."""
    words = [w for w in name.split() if not w.isupper() and w.rstrip(".") not in _TITLES]
    return " ".join(words[-2:] if len(words) > 3 else words)


def _title_line(preamble: list[Block]) -> Line | None:
    """The page's title: its first heading, else a short first line of text."""
    for block in preamble:
        if block.kind == "heading":
            return block.lines[0]
    first = preamble[0].lines[0] if preamble and preamble[0].kind == "para" else None
    if first is not None and len(first.text.plain) <= 120 and _label(first.text) is None:
        return first
    return None
