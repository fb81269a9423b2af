"""Reading the preview's pages back: each card's element, in page order, and what it shows."""

from __future__ import annotations

from dataclasses import dataclass, field
from html.parser import HTMLParser


@dataclass
class PageCard:
    guid: str
    ord: int
    key: str
    sides: dict[tuple[str, str], str] = field(default_factory=dict)  # (side, mode) -> text
    classes: dict[tuple[str, str], str] = field(default_factory=dict)  # the .card's classes
    text: list[str] = field(default_factory=list)  # everything in the card's element


class _Cards(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.cards: list[PageCard] = []
        self.depth = 0  # elements open inside the current card's <section>
        self.side: tuple[str, str] | None = None
        self.side_depth = 0
        self.void = {"br", "hr", "img", "meta", "input", "link", "wbr"}
        self.caption = False  # the label above a side: "Front · night"

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        found = {name: value or "" for name, value in attrs}
        if tag == "section" and "data-guid" in found:
            self.cards.append(
                PageCard(found["data-guid"], int(found["data-ord"]), found["data-key"])
            )
            self.depth = 1
            return
        if not self.depth or tag in self.void:
            return
        self.depth += 1
        if tag == "figure" and "data-side" in found:
            self.side = (found["data-side"], found["data-mode"])
            self.side_depth = self.depth
            self.cards[-1].sides[self.side] = ""
        elif tag == "figcaption":
            self.caption = True
        elif self.side and "card" in found.get("class", "").split():
            self.cards[-1].classes[self.side] = found["class"]

    def handle_endtag(self, tag: str) -> None:
        if not self.depth or tag in self.void:
            return
        self.caption = self.caption and tag != "figcaption"
        if self.side and self.depth == self.side_depth:
            self.side = None
        self.depth -= 1

    def handle_data(self, data: str) -> None:
        if not self.depth:
            return
        self.cards[-1].text.append(data)
        if self.side and not self.caption:
            self.cards[-1].sides[self.side] += data


def page_cards(html: str) -> list[PageCard]:
    parser = _Cards()
    parser.feed(html)
    return parser.cards


def words(text: str) -> str:
    return " ".join(text.split())
