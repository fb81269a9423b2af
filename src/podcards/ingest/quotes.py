"""Quotes: the words inside the quotation marks, who said them, when, and in what context.

``"…" — Name, context``, ``Name: "…"``, a block quote with its attribution on the line after
it, in any quotation marks; ``(paraphrased)`` and the like are context, and a quote found in
another section is a quote all the same. Every scan here is linear in the line's length.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from podcards.deck import Quote
from podcards.errors import Location
from podcards.ingest.markdown import Block, Line
from podcards.ingest.model import Found
from podcards.ingest.moments import alone, moment
from podcards.ingest.text import Text, join, squash, with_key_phrase, without_glyphs

QUOTE_MARKS = {
    '"': '"”',
    "“": '”“"',
    "”": "”",
    "„": '“”"',
    "«": "»",
    "»": "«",
    "‹": "›",
    "‘": "’",
    "'": "'’",
    "「": "」",
    "『": "』",
}
_DASHES = "-–—―~"
_ROLE = re.compile(
    r"(?:the |our |my |a |an )?(?:guest|host|co-?host|interviewer|moderator|speaker)\b[,:]?\s*",
    re.IGNORECASE,
)
_SPEAKER_FIRST = re.compile(
    r"(?P<who>[^\W\d_][\w .'’()&-]{0,60}?)\s*:\s*(?=[" + "".join(QUOTE_MARKS) + "])"
)
_ATTRIBUTION = re.compile(r"(?:--?|[–—―~])\s*(?=\S)")
_MANNER = re.compile(r"\(?\b(paraphrased?|approximately|roughly|loosely|sic)\b\)?[,.]?", re.I)
_REMARK = re.compile(r"(?<=[a-z]{3})\.\s+(?=[A-Z])")
_NOBODY = frozenset({"", "none", "n/a", "na", "-", "unknown", "nobody", "no one", "?"})


@dataclass
class _Said:
    line: int
    words: Text
    who: str | None = None
    at: int | None = None
    closed: bool = False  # whole: in quotation marks, or a line that is a quote of its own


def looks_like_name(text: str) -> bool:
    """Whether a text starts like a name: a capital (or a letter of a script without case)."""
    first = text.lstrip("*_[( ")[:1]
    return bool(first) and (first.isdigit() or (first.isalpha() and not first.islower()))


def split_quotation(text: str, *, strict: bool = False) -> tuple[int, str | None] | None:
    """Where the quotation opening ``text`` closes, and who said it (what follows a dash).

    The quotation ends at the first closing mark followed by nothing, or by a dash and a
    name (``strict``), or by a dash and anything (else, when no name follows any mark).
    """
    if not text or text[0] not in QUOTE_MARKS:
        return None
    closers = QUOTE_MARKS[text[0]]
    last = len(text.rstrip())
    loose: tuple[int, str] | None = None
    for i in range(1, last):
        if text[i] not in closers:
            continue
        j = i + 1
        while j < last and j - i < 4 and text[j] in " .,;:\t":
            j += 1
        if j >= last:
            return i, None
        if text[j] == "(" and text[last - 1] == ")" and text.find(")", j) == last - 1:
            return i, text[j + 1 : last - 1]
        dash = _ATTRIBUTION.match(text, j, min(last, j + 8))
        if dash is None:
            continue
        who = text[dash.end() : last]
        if looks_like_name(who[:8]) or _ROLE.match(who[:40]):
            return i, who
        loose = loose or (i, who)
    return None if strict or loose is None else loose


def quotation(text: Text, *, strict: bool) -> tuple[Text, str | None] | None:
    """The words of a text that is a quotation, and who said them; None if it is not one.

    ``Name: "…"`` gives the speaker first; a lowercase label before it ("last bit:") is the
    author's, not a speaker.
    """
    plain = text.plain
    who_first: str | None = None
    if (first := _SPEAKER_FIRST.match(plain[:80])) is not None:
        who_first = (
            first["who"] if looks_like_name(first["who"]) or _ROLE.match(first["who"]) else None
        )
        text, plain = text.cut(first.end()), plain[first.end() :]
    split = split_quotation(plain, strict=strict)
    if split is None:
        return None
    close, who = split
    if who_first is not None:
        who = f"{who_first}, {who}" if who else who_first
    return text.cut(1, close), who


def speaker_and_context(who: str) -> tuple[str | None, str | None]:
    """("Ann Lee", "on names") from "Ann Lee, on names" or "Ann Lee (on names)"; a role
    before a name ("the guest, Ann Lee", "Host (Ann Lee)") is not part of it."""
    who = squash(who).strip(" *_")
    context: list[str] = []
    if manner := _MANNER.search(who):
        context.append(manner[1].lower())
        who = squash(who[: manner.start()] + who[manner.end() :]).strip(" ,")
    if remark := _REMARK.search(who):
        who = who[: remark.start()]
    if (role := _ROLE.match(who)) and role.end() < len(who):
        rest = who[role.end() :]
        if rest.startswith("(") and ")" in rest and looks_like_name(rest[1:]):
            name, _, after = rest[1:].partition(")")
            who = name + after
        elif looks_like_name(rest):
            who = rest
    speaker, comma, after = who.partition(", ")
    if comma:
        context.insert(0, after.strip())
    elif who.endswith(")") and "(" in who:
        start = who.rfind("(")
        speaker, inner = who[:start], who[start + 1 : -1]
        context.insert(0, inner.strip())
    speaker = speaker.strip(" *_.,")
    text = "; ".join(c for c in context if c)
    return (None if speaker.casefold() in _NOBODY else speaker), (text or None)


def quotes(blocks: list[Block], found: Found, at: int | None = None) -> None:
    """The quotes section: each line or item that opens a quotation, or each block quote,
    with the attribution lines that follow; lines ending with ':' introduce a list."""
    said: list[_Said] = []
    marked = any(
        line.text.plain.lstrip()[:1] in QUOTE_MARKS or block.kind == "quote"
        for block in blocks
        for line in _lines(block)
    )
    previous: Block | None = None
    for block in blocks:
        if block.kind == "quote":
            said += _lines_to_quotes(_lines(block), found, at, separate=False, lead_ins=False)
        elif block.kind == "item" and said and previous and _attributes(said[-1], block, previous):
            who, when = moment(block.text)
            said[-1].who, said[-1].at = who.plain, said[-1].at if said[-1].at is not None else when
        elif block.kind in ("para", "item"):
            said += _lines_to_quotes(
                list(block.lines), found, at, separate=not marked, lead_ins=True
            )
            for child in block.children:
                found.skip(child.line, _raw(child), "a detail of the quote above: not a card")
        elif block.kind == "heading":
            found.skip(block.line, block.text.plain, "a heading inside the quotes")
        else:
            found.skip(block.line, block.raw, "not a quote", block.end)
        previous = block
    for item in said:
        found.quotes.append(make_quote(item))


def _attributes(last: _Said, block: Block, previous: Block) -> bool:
    """Whether a bullet right under a quote is its attribution ("- Cal Newport, on X")."""
    return (
        last.who is None
        and block.line == previous.end + 1
        and block.text.plain[:1] not in QUOTE_MARKS
        and looks_like_name(block.text.plain)
        and len(block.text.plain) < 120
    )


def _lines(block: Block) -> list[Line]:
    if block.kind == "quote":
        return [line for child in block.children for line in _lines(child)]
    return [*block.lines, *(line for child in block.children for line in _lines(child))]


def _raw(block: Block) -> str:
    return block.raw or " ".join(line.text.plain for line in _lines(block))


def _lines_to_quotes(
    lines: list[Line],
    found: Found,
    at: int | None,
    *,
    separate: bool,
    lead_ins: bool,
) -> list[_Said]:
    """Quotes of consecutive lines: a line opening a quotation starts one, a dash line names
    who said the one above, other lines go on it (``separate``: start one of their own)."""
    said: list[_Said] = []
    for line in lines:
        text, moment_at = moment(without_glyphs(line.text))
        plain = text.plain
        if alone(line.text.plain) is not None:
            if said:
                said[-1].at = said[-1].at if said[-1].at is not None else alone(line.text.plain)
            continue
        attribution = _ATTRIBUTION.match(plain)
        if attribution and said and said[-1].who is None:
            said[-1].who = plain[attribution.end() :]
            said[-1].at = said[-1].at if said[-1].at is not None else moment_at
            continue
        opened = plain[:1] in QUOTE_MARKS or _SPEAKER_FIRST.match(plain[:80]) is not None
        if lead_ins and not opened and plain.endswith(":"):
            found.skip(line.number, plain, "a line that introduces the quotes: not a quote")
            continue
        if said and not opened and said[-1].who is None and not said[-1].closed:
            said[-1].words = join([said[-1].words, text])
            continue
        item = _Said(
            line.number, text, at=moment_at if moment_at is not None else at, closed=separate
        )
        if split := quotation(text, strict=False):
            item.words, item.who, item.closed = split[0], split[1], True
        said.append(item)
    return said


def as_quote(text: Text, line: int, at: int | None) -> Quote | None:
    """A line of another section that is a quotation (with a speaker, or none): a quote."""
    split = quotation(text, strict=True)
    if split is None:
        return None
    return make_quote(_Said(line, split[0], split[1], at, True))


def make_quote(said: _Said) -> Quote:
    words = said.words.strip()
    speaker, context = speaker_and_context(said.who) if said.who else (None, None)
    plain = words.plain
    if manner := _MANNER.match(plain):
        words = words.cut(manner.end()).strip()
        context = "; ".join(c for c in (manner[1].lower(), context) if c)
    return Quote(
        text=with_key_phrase(words.squash()),
        speaker=speaker,
        context=context,
        at=said.at,
        location=Location("", said.line),
    )
