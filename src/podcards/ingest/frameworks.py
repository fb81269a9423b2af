"""Frameworks: a name (a heading, a bold or plain line, a bullet), a summary, and its parts.

The parts are the bullets under the name, or nested under its bullet. A model with a
summary but no parts is not a framework (the format needs parts): it is written as a
reference, its name with what it is.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from podcards.deck import Component, Framework, Reference
from podcards.errors import Location
from podcards.ingest.markdown import Block
from podcards.ingest.model import Found
from podcards.ingest.moments import moment
from podcards.ingest.named import is_name, split_name, title_case
from podcards.ingest.text import Text, join, with_key_phrase, without_glyphs


@dataclass
class _Draft:
    name: Text
    line: int
    at: int | None
    summary: list[Text] = field(default_factory=list)
    components: list[Component] = field(default_factory=list)


def frameworks(blocks: list[Block], found: Found, at: int | None = None) -> None:
    drafts: list[_Draft] = []
    current: _Draft | None = None
    for block in blocks:
        if block.kind == "heading":
            name, when = moment(without_glyphs(block.text))
            current = _Draft(name, block.line, when if when is not None else at)
            drafts.append(current)
        elif block.kind == "para":
            if current is None or current.components or _names(block):
                current = _named(block, at)
                drafts.append(current)
            else:
                current.summary.append(block.text)
        elif block.kind == "item" and not block.lines:
            found.skip(block.line, "-", "an empty bullet: not an item", block.end)
        elif block.kind == "item":
            if current is None or any(child.kind == "item" for child in block.children):
                # a bullet with its parts nested under it, or a model of its own
                framework = _named(block, at)
                drafts.append(framework)
                for child in block.children:
                    if child.kind == "para":
                        framework.summary.append(child.text)
                    elif child.kind == "item" and (part := _component(child, found)):
                        framework.components.append(part)
                current = None
            elif part := _component(block, found):
                current.components.append(part)
        else:
            found.skip(
                block.line, block.raw or block.text.plain, "not part of a framework", block.end
            )
    for draft in drafts:
        summary = join(draft.summary, "\n")
        if not draft.name:
            end = max([draft.line, *(part.location.line for part in draft.components)])
            parts = "; ".join(part.text for part in draft.components)
            found.skip(draft.line, summary.plain or parts, "a framework needs a name", end)
        elif draft.components:
            found.frameworks.append(
                Framework(
                    name=draft.name.plain,
                    summary=with_key_phrase(summary) or None,
                    components=tuple(draft.components),
                    at=draft.at,
                    location=Location("", draft.line),
                )
            )
        elif summary:
            found.references.append(
                Reference(
                    name=draft.name.plain,
                    text=with_key_phrase(summary),
                    at=draft.at,
                    location=Location("", draft.line),
                )
            )
        else:
            found.skip(
                draft.line, draft.name.plain, "a framework needs components: bullets under its name"
            )


def _names(block: Block) -> bool:
    """Whether a paragraph opens a framework (a bold name, or a name over more lines) rather
    than going on the summary of the one above."""
    first = block.lines[0].text
    lead = first.lead()
    return (lead is not None and lead.style == "strong") or (
        len(block.lines) > 1 and is_name(first.plain, 12)
    )


def _named(block: Block, at: int | None) -> _Draft:
    """A framework from its first line: "**Name** — summary", "Name: summary", or a name
    alone over summary lines."""
    first, when = moment(without_glyphs(block.lines[0].text))
    rest = [line.text for line in block.lines[1:]]
    split = split_name(first)
    if split is not None and (first.lead() is not None or not title_case(split[1].plain)):
        name, summary = split
        rest.insert(0, summary)
    else:
        name = first.strip().strip(" :")
    draft = _Draft(name, block.line, when if when is not None else at)
    if rest:
        draft.summary.append(join(rest))
    return draft


def _component(block: Block, found: Found) -> Component | None:
    text, when = moment(without_glyphs(block.text))
    for child in block.children:
        found.skip(child.line, child.text.plain or child.raw, "a detail of the component above")
    split = split_name(text, dashes=False)
    if not text or (split is not None and not split[1]):
        found.skip(block.line, text.plain, "a component needs a text")
        return None
    if split is not None:
        return Component(
            name=split[0].plain,
            text=with_key_phrase(split[1]),
            at=when,
            location=Location("", block.line),
        )
    return Component(text=with_key_phrase(text), at=when, location=Location("", block.line))
