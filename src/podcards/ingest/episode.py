"""The episode information: labelled lines ("Hosts: A, B and C"), dates, links, a title."""

from __future__ import annotations

import re
from datetime import date, datetime

from podcards.deck import Episode
from podcards.errors import Location, Problems
from podcards.ingest.inline import without_links
from podcards.ingest.notes import MD_HEADING, URL, Block, Skips, Token, blocks, norm

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


def _label_of(body: str) -> tuple[str, str] | None:
    match = _LABEL.match(body)
    if not match:
        return None
    key = " ".join(re.sub(r"[^\w]+", " ", match["label"].casefold()).split())
    field_name = _LABELS.get(key)
    return (field_name, match["value"]) if field_name else None


def _people(value: str) -> tuple[str, ...]:
    """Names from "A, B and C": a role in parentheses or after a dash is not part of a name;
    a linked name ("[A](https://...)") is its text."""
    value = without_links(value)
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
        norm(re.split(r"\s+[–—-]\s+", re.sub(r"\([^()]*\)|\[[^\[\]]*\]", " ", n))[0]) for n in split
    )
    return tuple(dict.fromkeys(n.strip(" *_") for n in cleaned if n.strip(" *_")))


def _date(value: str) -> date | None:
    for form in ("%Y-%m-%d", "%B %d, %Y", "%b %d, %Y", "%d %B %Y", "%d %b %Y", "%d.%m.%Y"):
        try:
            return datetime.strptime(norm(value), form).date()
        except ValueError:
            continue
    return None


def episode(
    skips: Skips,
    info: list[Block],
    preamble: list[tuple[int, str]],
    where: Location,
    problems: Problems,
) -> Episode:
    """The episode from the information section, or from labelled lines before any section."""
    fields: dict[str, str] = {}
    people: dict[str, tuple[str, ...]] = {}
    when: date | None = None

    def take(tok: Token, in_section: bool) -> None:
        nonlocal when
        body = tok.body if tok.kind != "heading" else ""
        label = _label_of(body)
        if label and not label[1]:
            if in_section:
                skips.add(tok, "nothing after the colon")
            return
        if label:
            name, value = label
            if name in ("hosts", "guests"):
                people.setdefault(name, _people(value))
            elif name == "date":
                parsed = _date(value)
                if parsed is None and in_section:
                    skips.add(tok, "a date podcards does not understand; use YYYY-MM-DD")
                when = when or parsed
            elif name == "url":
                url = URL.search(value)
                if url:
                    fields.setdefault("url", url[0])
                elif in_section:
                    skips.add(tok, "no https:// link in it")
            else:
                fields.setdefault(name, norm(value))
            return
        if not in_section:
            return
        url = URL.search(body)
        if url and "url" not in fields:
            fields["url"] = url[0]
        elif body and "podcast" not in fields:
            fields["podcast"] = norm(body)
        elif body and "title" not in fields:
            fields["title"] = norm(body)
        else:
            skips.add(tok, "not episode information")

    for block in info:
        for tok in block.toks:
            take(tok, in_section=True)
    for block in blocks(preamble):
        for tok in block.toks:
            take(tok, in_section=False)
    if "podcast" not in fields or "title" not in fields:
        _episode_from_title_line(preamble, fields)
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
        date=when.isoformat() if when else None,
        duration=fields.get("duration") or None,
        url=fields.get("url") or None,
    )


def _episode_from_title_line(preamble: list[tuple[int, str]], fields: dict[str, str]) -> None:
    """A page title such as "# All-In Podcast: Elon Musk" when the notes say no more."""
    for _, raw in preamble:
        heading = MD_HEADING.match(raw.strip())
        if not heading:
            continue
        title = norm(heading[2].strip(" *_"))
        podcast, colon, episode_title = title.partition(": ")
        if colon and podcast and episode_title:
            fields.setdefault("podcast", podcast)
            fields.setdefault("title", episode_title)
        elif "podcast" in fields:
            fields.setdefault("title", title)
        return
