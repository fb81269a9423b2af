"""The text a learner reads on a card, from a note field's HTML: for diffs and exports.

Tags go, entities become characters, a link keeps its address where it differs from its
text, and a cloze deletion shows as ``[answer]``: the phrase a learner is asked for.
Standard library only.
"""

from __future__ import annotations

import html
import re
from html.parser import HTMLParser

from podcards.cloze import deletions

_TAG = re.compile(r"<[^<>]*>")
_BREAKS = frozenset({"br", "div", "p", "li", "blockquote", "hr", "tr"})


class _Reader(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.links: list[tuple[str, int]] = []  # (href, where its text starts)
        self.skipping = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in ("style", "script"):
            self.skipping += 1
        elif tag in _BREAKS:
            self.parts.append(" ")
        elif tag == "a":
            self.links.append((dict(attrs).get("href") or "", len(self.parts)))

    def handle_endtag(self, tag: str) -> None:
        if tag in ("style", "script"):
            self.skipping = max(0, self.skipping - 1)
        elif tag in _BREAKS:
            self.parts.append(" ")
        elif tag == "a" and self.links:
            href, start = self.links.pop()
            text = "".join(self.parts[start:]).strip()
            if href and href != text:
                self.parts.append(f" ({href})")

    def handle_data(self, data: str) -> None:
        if not self.skipping:
            self.parts.append(data)


def text_of(markup: str) -> str:
    """What a field shows as text, plainly: tags dropped, entities decoded, spaces joined."""
    return " ".join(html.unescape(_TAG.sub(" ", markup)).split())


def learner_text(field_html: str) -> str:
    """One line of plain text: what the card shows, cloze answers in brackets."""
    reader = _Reader()
    reader.feed(_bracket_deletions(field_html))
    reader.close()
    return " ".join("".join(reader.parts).split())


def _bracket_deletions(text: str) -> str:
    parts: list[str] = []
    last = 0
    for deletion in deletions(text):
        hint = f" ({deletion.hint})" if deletion.hint else ""
        parts += [text[last : deletion.start], f"[{deletion.answer}{hint}]"]
        last = deletion.end
    parts.append(text[last:])
    return "".join(parts)
