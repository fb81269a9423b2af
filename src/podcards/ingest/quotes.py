"""Quotes: the words inside the quotation marks, who said them, and in what context."""

from __future__ import annotations

import re
from dataclasses import dataclass

from podcards.deck import Quote
from podcards.errors import Location
from podcards.ingest.inline import plain_inline
from podcards.ingest.notes import Block, Skips, Token, join, norm

QUOTE_MARKS: dict[str, str] = {
    '"': '"”',
    "“": '”“"',
    "”": "”",
    "„": '“”"',
    "«": "»",
    "»": "«",
    "‘": "’",
    "'": "'’",
    "「": "」",
}
_ATTRIBUTION = re.compile(r"^\s*[.,;:]?\s*(?:--?|[–—―~])\s*(?P<who>\S.*?)\s*$")
_ATTRIBUTION_LINE = re.compile(r"^(?:--?|[–—―~])\s+(?P<who>\S.*?)\s*$")
_PARENTHESIZED = re.compile(r"^\s*[.,]?\s*\((?P<who>[^()]+)\)\s*\.?\s*$")
_SPEAKER_FIRST = re.compile(
    r"^(?P<who>[^\W_][\w .'’-]{0,60}?)\s*:\s+(?P<quote>[" + "".join(QUOTE_MARKS) + r"].*)$"
)


def _looks_like_name(who: str) -> bool:
    first = who.lstrip("*_[ ")[:1]
    return first.isupper() or first.isdigit()


def split_quotation(text: str) -> tuple[str, str | None] | None:
    """The words inside the quotation marks opening ``text``, and who said them.

    A dash inside the marks belongs to the quotation; the quotation ends at the first
    closing mark followed by nothing, or by a dash and a name.
    """
    if not text or text[0] not in QUOTE_MARKS:
        return None
    closers = QUOTE_MARKS[text[0]]
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


def _speaker_first(text: str) -> tuple[str, str] | None:
    """("Jane Doe", "“…”") from "Jane Doe: “…”": a name, a colon, then the quotation."""
    match = _SPEAKER_FIRST.match(text)
    if match and len(match["who"].split()) <= 5 and _looks_like_name(match["who"]):
        return match["who"], match["quote"]
    return None


def _opens(body: str) -> bool:
    """Whether a line starts a quotation: a quotation mark, or a speaker and a colon first."""
    body = plain_inline(body)
    return body[:1] in QUOTE_MARKS or _speaker_first(body) is not None


def _quotation(text: str) -> tuple[str, str | None] | None:
    """The quotation and who said it, with the speaker before (``Jane: “…”``) or after it."""
    split = split_quotation(text)
    if split is not None:
        return split
    first = _speaker_first(text)
    split = split_quotation(first[1]) if first else None
    if first is None or split is None:
        return None
    quotation, after = split
    return quotation, f"{first[0]}, {after}" if after else first[0]


def _speaker_and_context(who: str) -> tuple[str, str]:
    who = norm(who)
    wrapped = re.fullmatch(r"(\*\*|\*|__|_)(.+)\1\.?", who)
    if wrapped:
        who = wrapped[2]
    speaker, comma, context = who.partition(", ")
    if not comma:
        parenthesized = re.fullmatch(r"(.+?)\s*\((.+)\)\.?", who)
        if parenthesized:
            speaker, context = parenthesized[1], parenthesized[2]
    return speaker.strip(" *_"), norm(context)


@dataclass
class _Draft:
    tok: Token
    lines: list[str]
    attribution: str | None = None


def _closed(draft: _Draft) -> bool:
    """Whether the draft already holds a whole quotation, so a dash line attributes it."""
    if draft.attribution is not None:
        return False
    return draft.tok.kind == "blockquote" or _quotation(plain_inline(join(draft.lines))) is not None


def quotes(skips: Skips, blocks: list[Block]) -> tuple[Quote, ...]:
    marked = any(
        tok.kind == "blockquote" or _opens(tok.body) for block in blocks for tok in block.toks
    )
    drafts: list[_Draft] = []

    def start(tok: Token) -> _Draft:
        draft = _Draft(tok, [tok.body])
        drafts.append(draft)
        return draft

    for block in blocks:
        current: _Draft | None = None
        for tok in block.toks:
            attribution = _ATTRIBUTION_LINE.match(tok.raw.lstrip("> ").strip())
            if (
                attribution
                and current is not None
                and _closed(current)
                and (current.tok.kind != "bullet" or tok.indent > current.tok.indent)
                and not (tok.kind == "bullet" and _opens(tok.body))  # "- Jane: “…”" is a quote
            ):
                current.attribution = attribution["who"]
            elif tok.kind == "blockquote":
                starts = _opens(tok.body)
                if current is not None and current.tok.kind == "blockquote":
                    whole = current.attribution is not None or _quotation(
                        plain_inline(join(current.lines))
                    )
                    if not (starts and whole):
                        current.lines.append(tok.body)
                        continue
                if tok.body:
                    current = start(tok)
            elif tok.kind == "bullet" or _opens(tok.body):
                current = start(tok)
            elif current is not None and tok.kind == "text":
                if current.attribution is not None:
                    current.attribution += " " + tok.body
                else:
                    current.lines.append(tok.body)
            elif tok.kind == "text" and not marked:
                current = start(tok)
            else:
                skips.add(tok, "not a quote" if tok.kind == "text" else "not an item")
    found: list[Quote] = []
    for draft in drafts:
        quote = _quote(draft)
        if quote is None:
            skips.add(draft.tok, "not a quote")
        else:
            found.append(quote)
    return tuple(found)


def _quote(draft: _Draft) -> Quote | None:
    joined = plain_inline(join(draft.lines))
    split = _quotation(joined)
    if draft.attribution is not None:
        text = split[0] if split and split[1] is None else joined
        who: str | None = draft.attribution
    elif split:
        text, who = split
    else:
        text, who = joined, None
    speaker, context = _speaker_and_context(who) if who else ("", "")
    text = norm(text)
    if not text:
        return None
    return Quote(
        text=text,
        speaker=speaker or None,
        context=context or None,
        location=Location("", draft.tok.number),
    )
