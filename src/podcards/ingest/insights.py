"""Texts without a name: insights, and the hook, takeaway and summary of the episode."""

from __future__ import annotations

from podcards.deck import Insight
from podcards.errors import Location
from podcards.ingest.notes import Block, Skips, join


def paragraphs(blocks: list[Block]) -> str:
    """Hook, takeaway, summary: one paragraph per block (and per bullet), joined by newlines."""
    found: list[str] = []
    for block in blocks:
        current: list[str] = []
        for tok in block.toks:
            if tok.kind == "bullet" and current:
                found.append(join(current))
                current = []
            current.append(tok.body if tok.kind == "blockquote" else tok.raw)
        found.append(join(current))
    return "\n".join(p for p in found if p)


def insights(skips: Skips, blocks: list[Block]) -> tuple[Insight, ...]:
    bulleted = any(tok.kind == "bullet" for block in blocks for tok in block.toks)
    drafts: list[tuple[int, list[str]]] = []
    for block in blocks:
        if not bulleted:
            kinds = {tok.kind for tok in block.toks}
            if kinds <= {"text", "blockquote"}:
                drafts.append((block.toks[0].number, [tok.body for tok in block.toks]))
            else:
                skips.add_block(block)
            continue
        current: list[str] | None = None
        for tok in block.toks:
            if tok.kind == "bullet":
                current = [tok.body]
                drafts.append((tok.number, current))
            elif tok.kind == "text" and current is not None:
                current.append(tok.body)
            else:
                skips.add(tok)
    return tuple(
        Insight(text=join(lines), location=Location("", number))
        for number, lines in drafts
        if join(lines)
    )
