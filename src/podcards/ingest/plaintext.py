"""Plain-text notes brought into Markdown, line for line, before the parser reads them.

Notes copied from web pages and note apps mark their structure as people type it: a section
name on a line of its own (UPPERCASE, with a colon, after an emoji), bullets typed as "•" or
an emoji, tab indents, Notion's ``<aside>``, Obsidian's ``%% comments %%``. Every line stays
on its line, so the line numbers the parser gives are those of the notes.
"""

from __future__ import annotations

import re

from podcards.ingest.model import Skipped
from podcards.ingest.sections import classify
from podcards.ingest.text import glyph_length, squash

_NEWLINE = re.compile(r"\r\n|\r|\n")
_FENCE = re.compile(r" {0,3}(`{3,}|~{3,})")
_SETEXT = re.compile(r" {0,3}(=+|-+)[ \t]*$")
_MARKDOWN = re.compile(r"#|>|\||[-*+][ \t]|\d{1,9}[.)][ \t]|<|\[!|!?\[")
_BOLD = re.compile(r"(\*\*|__)(?P<inner>[^*_].*)(\*\*|__):?$")
_NUMBERED = re.compile(r"\d{1,2}[.)][ \t]+")
_GLYPH_BULLET = "•◦▪▫‣●○■□➤►▸▹→·✓✔✗➢➜⁃∙"


def to_markdown(text: str) -> tuple[str, list[Skipped]]:
    """The notes as Markdown, and the lines left out on the way (comments)."""
    lines = _NEWLINE.split(text.removeprefix("\ufeff"))
    out: list[str] = []
    skipped: list[Skipped] = []
    start = _front_matter_end(lines)
    out += lines[:start]
    fence = ""
    comment = False
    bulleted = False  # the line before was a bullet made from a glyph
    for n in range(start, len(lines)):
        line = lines[n]
        if fence or _FENCE.match(line):
            opened = _FENCE.match(line)
            if opened and (not fence or opened[1].startswith(fence)):
                fence = "" if fence else opened[1][:3]
            out.append(line)
            continue
        if comment or line.lstrip().startswith("%%"):
            if not comment:
                skipped.append(Skipped(n + 1, squash(line), "an Obsidian comment"))
            comment = comment != (line.count("%%") % 2 == 1)
            out.append("")
            continue
        stripped = line.strip()
        if not stripped or stripped in ("<aside>", "</aside>"):
            out.append("")
            bulleted = False
            continue
        lead = len(line) - len(line.lstrip(" \t"))
        indent = line[:lead].replace("\t", "  ")
        body = line[lead:].rstrip()
        blank_before = not out or not out[-1].strip() or out[-1].lstrip().startswith("#")
        if _is_heading(body, lead, blank_before, lines[n + 1 : n + 2]):
            out.append("## " + body)
            bulleted = False
            continue
        glyphs = glyph_length(body)
        if glyphs and (body[0] in _GLYPH_BULLET or blank_before or bulleted):
            out.append(f"{indent}- {body[glyphs:]}")
            bulleted = True
            continue
        bulleted = False
        out.append(indent + body)
    return "\n".join(out), skipped


def _front_matter_end(lines: list[str]) -> int:
    if not lines or lines[0].rstrip() != "---":
        return 0
    for n in range(1, len(lines)):
        if lines[n].rstrip() in ("---", "..."):
            return n + 1
    return 0


def _is_heading(body: str, indent: int, blank_before: bool, after: list[str]) -> bool:
    """A section name on a line of its own: "INSIGHTS", "Key points:", "**Quotes**"."""
    if indent > 3 or not blank_before or len(body) > 80 or (after and _SETEXT.match(after[0])):
        return False
    text = body[glyph_length(body) :]
    if (numbered := _NUMBERED.match(text)) and (not after or not after[0].strip()):
        text = text[numbered.end() :]  # "1. References" over a blank line
    bold = _BOLD.fullmatch(text)
    if bold:
        text = bold["inner"]
    elif _MARKDOWN.match(text):
        return False
    text = text.strip().rstrip(":—–-").strip()
    upper = text == text.upper() and sum(ch.isalpha() for ch in text) >= 3
    if classify(text, strict=not upper) is not None:
        return True
    return upper and not bold and (not after or not after[0].strip())
