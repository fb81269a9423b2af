"""Markdown to an outline of blocks, read by a CommonMark parser: the only module that imports
markdown-it-py (and mdit-py-plugins, for YAML front matter).

Indented code blocks are off (notes indent text, not code) and so are HTML entities
(``R&amp;D`` in notes is those characters); raw HTML stays text. ``==highlight==`` and
Obsidian's ``[[Page|alias]]`` are read here too, so that readers see one kind of text.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from markdown_it import MarkdownIt
from markdown_it.tree import SyntaxTreeNode
from mdit_py_plugins.front_matter import front_matter_plugin

from podcards.ingest.text import Span, Text, join

_PARSER = (
    MarkdownIt("commonmark", {"html": True})
    .disable(["code", "entity", "html_inline"])
    .enable("table")
    .use(front_matter_plugin)
)
_MARK = re.compile(r"==([^=\s](?:[^=]*[^=\s])?)==")
_WIKI = re.compile(r"(!?)\[\[([^\[\]|\n]+)(?:\|([^\[\]\n]+))?\]\]")
_RANK = {"strong": 3, "mark": 2, "em": 1, "": 0}


@dataclass(frozen=True)
class Line:
    number: int
    text: Text


@dataclass(frozen=True)
class Block:
    """A heading, a paragraph, a list item, a block quote, or something else ("html", "rule",
    "code"); an item's ``lines`` are those of its first paragraph, the rest its children."""

    kind: str
    line: int
    end: int
    lines: tuple[Line, ...] = ()
    children: tuple[Block, ...] = ()
    level: int = 0
    task: bool = False
    raw: str = ""

    @property
    def text(self) -> Text:
        return join(line.text for line in self.lines)


def under(blocks: list[Block], start: int, heading: Block, *, nested: bool) -> int:
    """Where the blocks under ``heading`` (from ``start``) end: at the next heading, or, when
    deeper headings belong to it (``nested``), at the next one of its level or higher."""
    end = start
    while end < len(blocks) and not (
        blocks[end].kind == "heading" and (not nested or blocks[end].level <= heading.level)
    ):
        end += 1
    return end


@dataclass(frozen=True)
class Outline:
    blocks: tuple[Block, ...]
    front_matter: str | None = None


def outline(markdown: str) -> Outline:
    root = SyntaxTreeNode(_PARSER.parse(markdown))
    front = next((n for n in root.children if n.type == "front_matter"), None)
    blocks = _folded([b for node in root.children for b in _blocks(node)])
    if front is None:
        return Outline(blocks)
    return Outline(blocks, front.content)


def _blocks(node: SyntaxTreeNode) -> list[Block]:
    start, end = (node.map[0] + 1, node.map[1]) if node.map else (0, 0)
    if node.type in ("bullet_list", "ordered_list"):
        return [b for item in node.children for b in _blocks(item)]
    if node.type == "heading":
        return [Block("heading", start, end, _lines(node, start), level=int(node.tag[1:]))]
    if node.type == "paragraph":
        return [Block("para", start, end, _lines(node, start))]
    if node.type == "list_item":
        inner = _folded([b for child in node.children for b in _blocks(child)])
        if inner and inner[0].kind == "heading":  # Logseq: "- ## Key insights" over its bullets
            return list(inner)
        lines: tuple[Line, ...] = ()
        if inner and inner[0].kind == "para" and inner[0].line == start:
            lines, inner = inner[0].lines, inner[1:]
        task = bool(lines) and re.match(r"\[[ xX]\]\s", lines[0].text.plain) is not None
        if task:
            lines = (Line(lines[0].number, lines[0].text.cut(4)), *lines[1:])
        end = max([start, *(line.number for line in lines), *(b.end for b in inner)])
        return [Block("item", start, end, lines, inner, task=task)]
    if node.type == "blockquote":
        inner = _folded([b for child in node.children for b in _blocks(child)])
        return [Block("quote", start, end, children=inner)]
    if node.type == "front_matter":
        return []
    if node.type == "table":  # each row an item: "Name — what it is"
        rows = [row for part in node.children if part.type == "tbody" for row in part.children]
        return [_row(row) for row in rows]
    kind = {"html_block": "html", "hr": "rule"}.get(node.type, "code")
    return [Block(kind, start, end, raw=node.content)]


def _row(row: SyntaxTreeNode) -> Block:
    line = row.map[0] + 1 if row.map else 0
    cells = [join(one.text for one in _lines(cell, line)) for cell in row.children]
    text = join([cell for cell in cells if cell], " — ")
    return Block("item", line, line, (Line(line, text),))


def _folded(blocks: list[Block]) -> tuple[Block, ...]:
    """The blocks, with everything between ``<details>`` and ``</details>`` as one block: what
    the author folded away (a transcript) is not part of the notes' items."""
    found: list[Block] = []
    opened: Block | None = None
    for block in blocks:
        if opened is None and block.kind == "html" and block.raw.lstrip().startswith("<details"):
            opened = block
        if opened is None:
            found.append(block)
        elif block.kind == "html" and "</details>" in block.raw:
            found.append(Block("html", opened.line, block.end, raw="<details>"))
            opened = None
    if opened is not None:
        found.append(Block("html", opened.line, blocks[-1].end, raw="<details>"))
    return tuple(found)


def _lines(node: SyntaxTreeNode, first: int) -> tuple[Line, ...]:
    spans: list[list[Span]] = [[]]
    for inline in node.children:
        _inline(inline, "", "", spans)
    found = []
    for n, line in enumerate(spans):
        text = Text(tuple(s for span in line for s in _marks(span))).squash()
        found.append(Line(first + n, text))
    return tuple(found)


def _inline(node: SyntaxTreeNode, style: str, href: str, spans: list[list[Span]]) -> None:
    for n, child in enumerate(node.children):
        kind = child.type
        if kind in ("softbreak", "hardbreak"):
            spans.append([])
        elif kind in ("strong", "em") and _literal(node.children, n):
            spans[-1].append(Span(child.markup, style, href))
            _inline(child, style, href, spans)
            spans[-1].append(Span(child.markup, style, href))
        elif kind in ("strong", "em"):
            stronger = kind if _RANK[kind] > _RANK[style] else style
            _inline(child, stronger, href, spans)
        elif kind == "link":
            _inline(child, style, str(child.attrs.get("href", "")), spans)
        elif kind == "image":
            spans[-1].append(Span(child.content, "image", str(child.attrs.get("src", ""))))
        elif kind == "code_inline":
            spans[-1].append(Span(child.content, "code", href))
        elif child.children:
            _inline(child, style, href, spans)
        else:
            spans[-1].append(Span(child.content, style, href))


def _literal(siblings: list[SyntaxTreeNode], n: int) -> bool:
    """Whether emphasis markers are characters after all: between two word characters
    ("2*3*4", "x**y**z") or inside a bare link ("https://x.org/_a_/")."""
    before = siblings[n - 1].content if n and siblings[n - 1].type == "text" else ""
    after = (
        siblings[n + 1].content if n + 1 < len(siblings) and siblings[n + 1].type == "text" else ""
    )
    word = before[-1:].isalnum() and after[:1].isalnum()
    return word or "://" in before.rsplit(" ", 1)[-1] or "www." in before.rsplit(" ", 1)[-1]


def _marks(span: Span) -> list[Span]:
    """A span with its ``==highlights==`` and ``[[wiki links]]`` read."""
    if span.style in ("code", "image") or ("==" not in span.text and "[[" not in span.text):
        return [span]
    found: list[Span] = []
    position = 0
    text = span.text
    for match in sorted([*_MARK.finditer(text), *_WIKI.finditer(text)], key=lambda m: m.start()):
        if match.start() < position:
            continue
        found.append(Span(text[position : match.start()], span.style, span.href))
        if match.re is _MARK:
            style = span.style if _RANK[span.style] > _RANK["mark"] else "mark"
            found.append(Span(match[1], style, span.href))
        elif match[1]:
            found.append(Span(match[3] or match[2], "image", match[2]))
        else:
            found.append(Span(match[3] or match[2], span.style, f"[[{match[2]}]]"))
        position = match.end()
    found.append(Span(text[position:], span.style, span.href))
    return [s for s in found if s.text]
