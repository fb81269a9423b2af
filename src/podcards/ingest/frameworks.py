"""Frameworks: a name, an optional summary, and components (bullets under the name)."""

from __future__ import annotations

from dataclasses import dataclass, field

from podcards.deck import Component, Framework
from podcards.errors import Location
from podcards.ingest.named import BOLD_NAME, split_named, title, title_like, unbold
from podcards.ingest.notes import Block, Skips, Token, join, join_paragraphs


@dataclass
class _Draft:
    name: str
    tok: Token
    summary: list[list[str]] = field(default_factory=list)
    components: list[tuple[int, list[str]]] = field(default_factory=list)


def frameworks(skips: Skips, blocks: list[Block]) -> tuple[Framework, ...]:
    indents = sorted({t.indent for b in blocks for t in b.toks if t.kind == "bullet"})
    outer = indents[0] if len(indents) > 1 else None
    drafts: list[_Draft] = []
    current: _Draft | None = None
    target: list[str] | None = None

    def start(name: str, tok: Token) -> _Draft:
        draft = _Draft(name, tok)
        drafts.append(draft)
        return draft

    for block in blocks:
        skipping = False
        for position, tok in enumerate(block.toks):
            if tok.kind in ("heading", "bold"):
                current, target, skipping = start(title(tok.body), tok), None, False
            elif skipping:
                skips.add(tok)
            elif tok.kind == "bullet" and outer is not None and tok.indent == outer:
                named = split_named(tok.body, dashes=True)
                name, summary = named if named else (title(tok.body), "")
                current = start(name, tok)
                target = [summary] if summary else []
                current.summary.append(target)
            elif tok.kind == "bullet":
                if current is None:
                    skips.add(tok, "a component before any framework name")
                    continue
                target = [tok.body]
                current.components.append((tok.number, target))
            elif position > 0 and target is not None:
                target.append(tok.body)
            elif position > 0 and current is not None:
                target = [tok.body]
                current.summary.append(target)
            elif current is None or current.components:
                named = split_named(tok.body, dashes=False) if tok.kind == "text" else None
                if named and (BOLD_NAME.match(tok.body) or not title_like(tok.body)):
                    # "**Name**: summary" (or "Name: a summary.") on the line before its bullets
                    current, target = start(named[0], tok), [named[1]]
                    current.summary.append(target)
                elif title_like(tok.body) and tok.kind == "text":
                    current, target = start(title(tok.body), tok), None
                else:
                    skips.add(tok)
                    skipping = True
            else:
                target = [tok.body]
                current.summary.append(target)
    found: list[Framework] = []
    for draft in drafts:
        components = tuple(_component(number, lines) for number, lines in draft.components)
        summary = join_paragraphs(draft.summary)
        if not components:
            reason = "a framework needs components: bullets under its name"
            skips.add(draft.tok, reason if summary else "not an item")
            continue
        found.append(
            Framework(
                name=draft.name,
                summary=summary or None,
                components=components,
                location=Location("", draft.tok.number),
            )
        )
    return tuple(found)


def _component(number: int, lines: list[str]) -> Component:
    body = join(lines)
    named = split_named(body, dashes=False)
    if named:
        return Component(text=named[1], name=named[0], location=Location("", number))
    return Component(text=unbold(body), location=Location("", number))
