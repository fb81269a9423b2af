"""Anki's own markup in a deck's text shows as typed, in a real Anki collection, unless asked for.

Anki finds ``[sound:]``, ``[anki:tts]`` and LaTeX in a field's raw text when it renders a
card (``render_output`` shows it); MathJax finds ``\\(`` and ``\\[`` in the card's page, in
text that no element interrupts. Both are checked here on what Anki itself renders.
"""

from __future__ import annotations

import html
import time
from html.parser import HTMLParser
from pathlib import Path

import pytest

from podcards.ankimarkup import shown_as_typed

from anki_collection import Learner
from conftest import MINIMAL_DECK, Project

MARKUP = {
    "sound": "[sound:intro.mp3]",
    "tts": "[anki:tts lang=en_US]read me[/anki:tts]",
    "latex": "[latex]x^2[/latex] [$]y^2[/$] [$$]z^2[/$$] [LaTeX]w[/LaTeX]",
    "mathjax": "\\(a^2\\) and \\[b^2\\]",
}
TYPED = " · ".join(MARKUP.values())


def mathjax_strings(page: str) -> list[str]:
    """The texts MathJax 3 searches for delimiters (``HTMLDomStrings.find``).

    Text nodes join into one string; ``<br>``, ``<wbr>`` and comments join too; any other
    element ends the string; script, style and the like are skipped.
    """

    class Strings(HTMLParser):
        def __init__(self) -> None:
            super().__init__(convert_charrefs=True)
            self.strings, self.current, self.skipping = [], "", 0

        def handle_data(self, data: str) -> None:
            if not self.skipping:
                self.current += data

        def handle_starttag(self, tag: str, attrs: object) -> None:
            if tag in ("br", "wbr"):
                self.current += "\n" if tag == "br" else ""
                return
            self.end_string()
            if tag in ("script", "noscript", "style", "textarea", "pre", "code"):
                self.skipping += 1

        def handle_endtag(self, tag: str) -> None:
            self.end_string()
            if tag in ("script", "noscript", "style", "textarea", "pre", "code"):
                self.skipping = max(0, self.skipping - 1)

        def end_string(self) -> None:
            self.strings.append(self.current)
            self.current = ""

    parser = Strings()
    parser.feed(page)
    parser.close()
    return [*parser.strings, parser.current]


def visible(page: str) -> str:
    return html.unescape(HTMLParserText.text(page))


class HTMLParserText(HTMLParser):
    @classmethod
    def text(cls, page: str) -> str:
        parser = cls(convert_charrefs=False)
        parser.parts = []
        parser.feed(page)
        return "".join(parser.parts)

    def handle_data(self, data: str) -> None:
        self.parts.append(data)

    def handle_entityref(self, name: str) -> None:
        self.parts.append(f"&{name};")

    def handle_charref(self, name: str) -> None:
        self.parts.append(f"&#{name};")


def card_deck(markup: str = "") -> str:
    deck = MINIMAL_DECK.replace("  tags: [test]\n", f"  tags: [test]\n{markup}")
    return deck + f'cards:\n  - id: typed\n    front: "{_yaml(TYPED)}"\n    back: plain\n'


def _yaml(text: str) -> str:
    return text.replace("\\", "\\\\").replace('"', '\\"')


def rendered_front(tmp_path: Path, deck_text: str) -> tuple[str, str]:
    project = Project(tmp_path / "project")
    project.deck(deck_text)
    result = project.build()
    assert result.exit_code == 0, result.output
    learner = Learner(tmp_path / "collection.anki2")
    try:
        learner.import_package(project.dist / "test-deck.apkg")
        nid = learner.col.db.scalar("select id from notes where flds like ?", "%read me%")
        note = learner.col.get_note(nid)
        output = note.cards()[0].render_output()
        return note.fields[0], output.question_text
    finally:
        learner.close()


def test_anki_markup_in_text_shows_as_typed(tmp_path: Path) -> None:
    field, question = rendered_front(tmp_path, card_deck())
    assert "[anki:play" not in question  # no sound, no text to speech
    assert "<img" not in question and "latex-" not in question  # no LaTeX image
    assert TYPED in visible(question)
    assert visible(field) == TYPED
    for text in mathjax_strings(question):
        assert "\\(" not in text and "\\[" not in text, text


def test_a_deck_that_asks_for_anki_markup_gets_it(tmp_path: Path) -> None:
    asked = "  markup: [sound, tts, latex, mathjax]\n"
    _, question = rendered_front(tmp_path, card_deck(asked))
    assert question.count("[anki:play:q:") == 2  # the sound and the text to speech
    assert question.count("latex-") == 4
    assert any("\\(a^2\\)" in text for text in mathjax_strings(question))


def test_markup_a_deck_does_not_know_is_refused(project: Project) -> None:
    project.deck(card_deck("  markup: [mathjax, html]\n"))
    result = project.build()
    assert result.exit_code == 1
    assert (
        "decks/episode.yaml:6: deck: 'markup' cannot hold 'html' (it holds: mathjax, latex, "
        "sound, tts)"
    ) in result.output.splitlines()


@pytest.mark.parametrize(
    ("typed", "written"),
    [
        ("[sound:a.mp3]", "&#91;sound:a.mp3]"),
        ("[Sound:a.mp3] [x] [1] [$5]", "&#91;Sound:a.mp3] [x] [1] &#91;$5]"),
        ("\\(x\\) \\\\", "\\<span></span>(x\\<span></span>) \\\\"),
        (
            '<a href="https://x.test/[sound:a]">\\(</a>',
            '<a href="https://x.test/&#91;sound:a]">\\<span></span>(</a>',
        ),
        ("[…] masked", "[…] masked"),
    ],
)
def test_what_is_written_for_anki_markup(typed: str, written: str) -> None:
    assert shown_as_typed(typed) == written


def test_the_check_takes_time_in_proportion_to_the_text() -> None:
    text = "[\\(" * 400_000
    start = time.perf_counter()
    shown_as_typed(text)
    assert time.perf_counter() - start < 2
