"""Each section to its items: insights (and Fabric's ideas, facts, recommendations), the
takeaway, summary and hook, FAQ pairs as cards; the other kinds have modules of their own.

An insight is a bullet (its nested bullets are its details, not items), or a paragraph
where a section has no bullets. A heading inside a section is a group (a snip, a chapter):
its moment holds for what is under it.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from podcards.deck import CustomCard, Habit, Insight, Reference, Takeaway
from podcards.errors import Location
from podcards.ingest.frameworks import frameworks
from podcards.ingest.markdown import Block, Line, under
from podcards.ingest.model import Found
from podcards.ingest.moments import is_chapter, moment
from podcards.ingest.named import named, split_name
from podcards.ingest.quotes import as_quote, quotes
from podcards.ingest.sections import NOT_CARDS, callout, classify
from podcards.ingest.text import Text, join, with_key_phrase, without_glyphs

_METADATA = re.compile(r"[\w ]{1,30}::\s|(?:#[^\W\d][\w/-]*\s*)+$")
_NOTE = re.compile(r"(?:note|notes|my note|todo|to do|tags?|remark|p\.?s\.?|fixme)\s*[:—-]", re.I)
_BOOK = re.compile(
    r"(?:the |a )?(?:book|books|reading|read|recommended|recommends)\b[\w ]{0,30}:\s+", re.I
)
_QUESTION = re.compile(r"(?:Q|Question)(?:\s?\d+)?[:.)]\s*", re.I)
_ANSWER = re.compile(r"(?:A|Answer)(?:\s?\d+)?[:.)]\s*", re.I)
_INSIGHTS = frozenset({"insights", "ideas", "facts", "recommendations", "summary", "takeaway"})


def read(kind: str, blocks: list[Block], found: Found, at: int | None = None) -> None:
    """The items of one section of the given kind."""
    readers: dict[str, Callable[[list[Block], Found, int | None], None]] = {
        "frameworks": frameworks,
        "quotes": quotes,
        "habits": lambda b, f, a: named(b, f, Habit, a),
        "references": lambda b, f, a: named(b, f, Reference, a),
        "cards": cards,
    }
    readers.get(kind, insights)(blocks, found, at)


def insights(blocks: list[Block], found: Found, at: int | None = None) -> None:
    listed = any(block.kind == "item" for block in blocks)
    n = 0
    while n < len(blocks):
        block = blocks[n]
        n += 1
        if block.kind == "heading":
            end = under(blocks, n, block, nested=True)
            body, n = blocks[n:end], end
            _group(block, body, found, at)
        elif block.kind == "item" and block.task:
            found.skip(block.line, block.text.plain, "a task: not a card")
        elif block.kind == "item":
            when = _statement(block.text, block.line, at, found)
            at = when if when is not None else at
            for child in block.children:
                text = child.text.plain or child.raw or " ".join(_plains(child))
                found.skip(
                    child.line, text, f"a detail of line {block.line}: not a card of its own"
                )
        elif block.kind == "para" and not listed:
            _paragraph(block, found, at)
        elif block.kind == "para":
            if (quote := as_quote(block.text, block.line, at)) is not None:
                found.quotes.append(quote)
            else:
                found.skip(
                    block.line,
                    block.text.plain,
                    "a line between the bullets: not an item",
                    block.end,
                )
        elif block.kind == "quote":
            _quoted(block, found, at)
        else:
            found.skip(block.line, block.raw, "not an item", block.end)


def _group(heading: Block, body: list[Block], found: Found, at: int | None) -> None:
    """What a heading inside a section holds: the moment in its title holds for all of it."""
    title, when = moment(without_glyphs(heading.text))
    at = when if when is not None else at
    kind = classify(title.plain, strict=True)
    if kind in NOT_CARDS:
        end = max(block.end for block in [heading, *body])
        found.skip(heading.line, title.plain, NOT_CARDS[kind], end)
    elif kind is not None and kind not in _INSIGHTS and kind != "info":
        read(kind, body, found, at)
    elif kind is None and _NOTE.match(title.plain + ":"):
        for block in body:
            if block.kind in ("para", "item") and (q := as_quote(block.text, block.line, at)):
                found.quotes.append(q)
            else:
                what = block.text.plain or block.raw
                found.skip(block.line, what, "the author's note: not a card", block.end)
    elif kind is None and body and all(block.kind == "para" for block in body):
        # "### 1. Happiness is a skill" over its explanation: one insight
        heading_text = re.sub(r"^\d{1,2}[.)]\s+", "", title.plain)
        separator = " " if heading_text.endswith((".", "!", "?", ":")) else ": "
        text = join([Text.of(heading_text + separator), *(block.text for block in body)])
        _statement(text, heading.line, at, found)
    else:
        insights(body, found, at)


def _statement(text: Text, line: int, at: int | None, found: Found) -> int | None:
    """One insight (or a quote, when it is a quotation); a moment alone with a few words
    ("Play snip (07:30 - 08:42)") is the moment of what follows, and is returned."""
    text, when = moment(without_glyphs(text))
    lead = text.lead()
    if lead and lead.text.rstrip().endswith(":") and classify(lead.text.rstrip(" :"), strict=True):
        text = text.cut(len(lead.text)).strip()  # "**Insight:** …": a label, not a key phrase
    plain = text.plain
    if not plain:
        return when
    if when is not None and len(plain.split()) <= 4 and not plain.endswith((".", "!", "?")):
        found.skip(line, plain, "the moment of what follows: not an item")
        return when
    if _NOTE.match(plain):
        found.skip(line, plain, "the author's note: not a card")
    elif _METADATA.match(plain):
        found.skip(line, plain, "tags or a note app's field: not a card")
    elif (quote := as_quote(text, line, when if when is not None else at)) is not None:
        found.quotes.append(quote)
    elif (book := _BOOK.match(plain)) and (split := split_name(text.cut(book.end()))):
        name, about = split
        found.references.append(
            Reference(
                name=name.plain, text=with_key_phrase(about), at=when, location=Location("", line)
            )
        )
    elif len(plain.split()) == 1 and plain.isalpha():
        found.skip(line, plain, "one word: not an item")
    else:
        at = when if when is not None else at
        found.insights.append(
            Insight(text=with_key_phrase(text), at=at, location=Location("", line))
        )
    return None


def _paragraph(block: Block, found: Found, at: int | None) -> None:
    """A paragraph of a section without bullets: one insight, a line each when every line has
    its moment, or a list of chapters."""
    plains = [line.text.plain for line in block.lines]
    if len(plains) > 1 and all(is_chapter(p) for p in plains):
        found.skip(block.line, plains[0], NOT_CARDS["chapters"], block.end)
    elif len(plains) > 1 and all(moment(line.text)[1] is not None for line in block.lines):
        for line in block.lines:
            _statement(line.text, line.number, at, found)
    elif plains[-1].endswith(":"):
        found.skip(
            block.line, " ".join(plains), "a line that introduces a list: not an item", block.end
        )
    else:
        _statement(block.text, block.line, at, found)


def _quoted(block: Block, found: Found, at: int | None) -> None:
    """A block quote among insights: a quote when someone is named, else an insight."""
    if callout(block) is not None:
        found.skip(block.line, " ".join(_plains(block)), "a callout: not an item", block.end)
        return
    before = len(found.quotes)
    quotes([block], found, at)
    for quote in found.quotes[before:]:
        if quote.speaker is None and not str(quote.text).startswith(("“", '"')):
            found.quotes.remove(quote)
            found.insights.append(Insight(text=quote.text, at=quote.at, location=quote.location))


def _plains(block: Block) -> list[str]:
    own = [line.text.plain for line in block.lines]
    return own + [p for child in block.children for p in _plains(child)]


def paragraphs(blocks: list[Block]) -> Text:
    """Hook, summary, takeaway: one paragraph per block (and per bullet), lines joined."""
    texts: list[Text] = []
    for block in blocks:
        if block.kind in ("para", "heading", "item"):
            texts.append(without_glyphs(block.text))
        if block.kind in ("quote", "item"):
            texts.append(paragraphs(list(block.children)))
    return join(texts, "\n")


def takeaway(blocks: list[Block], line: int, found: Found) -> Takeaway | None:
    """The one-sentence takeaway; a list of several takeaways is insights."""
    if sum(block.kind == "item" for block in blocks) > 1:
        insights(blocks, found)
        return None
    text, at = moment(paragraphs(blocks))
    if not text:
        return None
    return Takeaway(text=with_key_phrase(text), at=at, location=Location("", line))


def cards(blocks: list[Block], found: Found, at: int | None = None) -> None:
    """FAQ: "Q: … / A: …" lines, or a question (a heading, a line ending "?") and its answer."""
    lines: list[tuple[Line, bool, int]] = []  # a line, whether a heading, its block
    for n, block in enumerate(blocks):
        if block.kind == "heading":
            lines.append((block.lines[0], True, n))
        elif block.kind == "item":
            lines.append((Line(block.line, block.text), False, n))
            lines += [(one, False, n) for child in block.children for one in child.lines]
        else:
            lines += [(one, False, n) for one in block.lines]
    question: Line | None = None
    answer: list[Text] = []
    labelled = -1  # the block of an answer that began with "A:": it ends with it

    def done() -> None:
        if question is not None and answer:
            found.cards.append(
                CustomCard(
                    front=question.text.plain,
                    back=join(answer).plain,
                    at=at,
                    location=Location("", question.number),
                )
            )
        elif question is not None:
            found.skip(question.number, question.text.plain, "a question without an answer")

    for line, heading, number in lines:
        text = without_glyphs(line.text)
        asked = _QUESTION.match(text.plain)
        answered = _ANSWER.match(text.plain)
        if asked or (not answered and (heading or (not answer and text.plain.endswith("?")))):
            done()
            labelled = -1
            question, answer = Line(line.number, text.cut(asked.end()) if asked else text), []
        elif question is not None and (answered or labelled in (-1, number)):
            answer.append(text.cut(answered.end()) if answered else text)
            labelled = number if answered else labelled
        else:
            found.skip(line.number, text.plain, "not a question or an answer")
    done()
