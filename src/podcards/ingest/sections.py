"""Sections by meaning: what a heading, a callout or a bold label names, at any level, in any
case, numbered or decorated with emoji; and the outline cut into sections.

A heading nested under a heading that names no section (a snip, a framework) is part of it,
not a section of its own: "#### Summary" under "### Glue is a design decision" is the
snip's summary, not the episode's.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace

from podcards.ingest.markdown import Block, Line
from podcards.ingest.text import Text

_NAMES = {
    "info": "podcast information|podcast info|podcast details|episode information|episode info"
    "|episode details|episode metadata|metadata|information|info|details|properties"
    "|about the episode|about the podcast|show info|episode",
    "hook": "hook|opening hook",
    "takeaway": "takeaway|one sentence takeaway|one line takeaway|one sentence summary"
    "|in one sentence|tl dr|tldr|bottom line|key takeaway|main takeaway|big idea",
    "summary": "summary|episode summary|ai summary|overview|synopsis|description|abstract"
    "|episode description|recap|episode ai notes|ai notes|about",
    "insights": "insights|insight|takeaways|key takeaways|lessons|lessons learned|learnings"
    "|key points|points|main points|key ideas|big ideas|key moments|moments|highlights"
    "|new highlights|snips|notes|observations|advice|tips",
    "ideas": "ideas",
    "facts": "facts|key facts|numbers|stats|statistics",
    "recommendations": "recommendations",
    "frameworks": "frameworks|framework|frameworks and models|frameworks and mental models"
    "|models and frameworks|mental models|mental models and frameworks|models",
    "quotes": "quotes|quote|quotations|key quotes|notable quotes|memorable quotes|best quotes"
    "|favorite quotes|favourite quotes|quotes and sayings|best lines",
    "habits": "habits|habit|practices|routines|habits and practices|habits to adopt",
    "references": "references|reference|resources|references and resources"
    "|resources and references|books|book recommendations|recommended books|books mentioned"
    "|reading list|further reading|mentioned|people mentioned|tools|tools mentioned"
    "|terms|glossary|key terms|definitions|concepts|key concepts|books and resources"
    "|resources and links",
    "cards": "faq|faqs|frequently asked questions|questions and answers|q and a|q a|qa",
    "chapters": "chapters|timestamps|time stamps|timeline|contents|table of contents",
    "tasks": "action items|actions|to do|todo|to dos|todos|tasks|things to try|next steps"
    "|follow up|open questions|try this|homework",
    "remarks": "my take|my two cents|my thoughts|thoughts|personal notes|my notes|reflections"
    "|comments|random|misc|miscellaneous",
    "transcript": "transcript|full transcript",
    "promo": "connect with us|connect|follow us|subscribe|sponsors|sponsor|sponsored by"
    "|credits|share|share this|support the show|socials|links",
}
_KINDS = {name: kind for kind, names in _NAMES.items() for name in names.split("|")}
FABRIC_NAMES = frozenset({"ideas", "facts", "recommendations"})
"""Kinds of insight a user may leave out with ``--sections`` (Fabric's IDEAS, FACTS...)."""
NOT_CARDS = {
    "chapters": "chapters: where things are in the episode, not cards",
    "tasks": "the listener's own tasks: not cards",
    "remarks": "the author's own remarks: not cards",
    "promo": "links, sponsors and sign-ups: not cards",
    "transcript": "a transcript: not cards",
}
_FILLERS = {
    "the", "key", "main", "my", "top", "notable", "memorable", "best", "favorite", "favourite",
    "selected", "important", "core", "big", "major", "some", "actionable", "useful",
    "practical", "other", "all", "episode",
}  # fmt: skip
_ON = frozenset({"from", "added", "of", "for", "in", "on", "worth", "mentioned", "to", "we"})
_CALLOUT = re.compile(r"\[!([\w-]+)\][+-]?[ \t]*")


def classify(title: str, *, strict: bool = False) -> str | None:
    """The kind of section a title names, or None. ``strict``: the title must be exactly a
    name (for lines of text); else a name may start it ("Quotes from this episode")."""
    text = re.sub(r"\([^()]*\)", " ", title).replace("&", " and ").replace("+", " and ")
    text = text.replace("/", " and ").replace("’", "").replace("'", "")
    words = re.sub(r"[\W_]+", " ", text.casefold()).split()
    while words and words[0].isdigit():
        words.pop(0)
    if not words or len(words) > 12:
        return None
    unfilled = list(words)
    while len(unfilled) > 1 and unfilled[0] in _FILLERS:
        unfilled.pop(0)
    for candidate in (words, unfilled):
        if kind := _KINDS.get(" ".join(candidate)):
            return kind
    if not strict:  # "Quotes from this episode", "New highlights added on 2 May"
        for n in range(min(len(unfilled), 3), 0, -1):
            rest = unfilled[n:]
            if (kind := _KINDS.get(" ".join(unfilled[:n]))) and (len(rest) <= 3 or rest[0] in _ON):
                return kind
    return None


@dataclass
class Section:
    kind: str | None  # None: a section podcards does not know
    title: str
    line: int
    level: int  # the heading's level; 0 for a callout or a label
    blocks: list[Block] = field(default_factory=list)

    @property
    def end(self) -> int:
        return max([self.line, *(b.end for b in self.blocks)])


def cut(blocks: tuple[Block, ...]) -> tuple[list[Block], list[Section]]:
    """The blocks before the first section, and the sections, in the order of the notes."""
    preamble: list[Block] = []
    found: list[Section] = []
    current: Section | None = None
    group = 0  # the level of a heading inside the current section that names no section
    for block in blocks:
        target = current.blocks if current else preamble
        if block.kind == "rule":
            continue
        if block.kind == "heading":
            nested = current is not None and block.level > current.level
            kind = classify(block.text.plain, strict=nested)
            if (
                current is not None
                and block.level > current.level
                and group
                and block.level > group
            ):
                target.append(block)
                continue
            if kind is not None or (current is not None and block.level <= current.level):
                current, group = Section(kind, block.text.plain, block.line, block.level), 0
                found.append(current)
            else:
                target.append(block)
                if current is not None:
                    group = block.level
            continue
        if inline := _inline_section(block):
            found.append(inline)
            continue
        if (opened := callout(block)) is not None:
            kind_name, title, inner = opened
            if title:
                found.append(Section(classify(title.plain), title.plain, block.line, 0, [inner]))
            elif kind_name in ("quote", "cite"):
                target.append(inner)
            else:
                target.extend(inner.children)
            continue
        target.append(block)
    return preamble, found


def callout(block: Block) -> tuple[str, Text, Block] | None:
    """An Obsidian callout ``> [!type] title``: its type, title and body (a block quote).

    A quote's title names who said it; it becomes the body's attribution line.
    """
    if block.kind != "quote" or not block.children or block.children[0].kind != "para":
        return None
    first = block.children[0]
    match = _CALLOUT.match(first.lines[0].text.plain)
    if not match:
        return None
    kind, title = match[1].casefold(), first.lines[0].text.cut(match.end()).strip()
    lines = first.lines[1:]
    if kind in ("quote", "cite") and title:
        lines = (*lines, Line(first.line, Text.of("— ") + title))
        title = Text()
    children = (replace(first, lines=lines), *block.children[1:]) if lines else block.children[1:]
    return kind, title, replace(block, children=children)


def _inline_section(block: Block) -> Section | None:
    """``**Takeaway:** text``: a bold label naming a takeaway, summary or hook, and its text."""
    if block.kind not in ("para", "item") or not block.lines:
        return None
    text = block.lines[0].text
    lead = text.lead()
    if lead is None or lead.style != "strong":
        return None
    kind = classify(lead.text.rstrip(" :"), strict=True)
    after = text.cut(len(lead.text))
    colon = lead.text.rstrip().endswith(":") or after.plain.lstrip().startswith(":")
    rest = after.strip(" :")
    if kind not in ("takeaway", "summary", "hook") or not colon or not rest:
        return None
    body = replace(block, kind="para", lines=(Line(block.line, rest), *block.lines[1:]))
    return Section(kind, lead.text.strip(" :"), block.line, 0, [body])
