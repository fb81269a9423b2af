"""`podcards diff`: what members get, in the words on the cards, whole, word by word."""

from __future__ import annotations

import pytest

from podcards.diffing import word_diff
from podcards.notes_text import learner_text

from conftest import MINIMAL_DECK, Project

LONG = (
    "The engine weaves {{c1::algebraic patterns}} the way a loom weaves flowers, and it does "
    "so from punched cards that hold the whole pattern before the first thread moves."
)


DECK = MINIMAL_DECK.replace(
    "The engine weaves {{c1::algebraic patterns}} the way a loom weaves flowers.", LONG
)


@pytest.fixture
def released(project: Project) -> Project:
    project.deck(DECK)
    assert project.build().exit_code == 0
    return project


def test_a_change_at_the_end_of_a_long_text_shows_whole(released: Project) -> None:
    released.deck(DECK.replace("first thread moves", "first thread is pulled"))
    result = released.run("diff")
    assert result.exit_code == 0
    assert (
        "      Back: algebraic patterns The engine weaves algebraic patterns the way a loom "
        "weaves flowers, and it "
        "does so from punched cards that hold the whole pattern before the first thread "
        "[-moves-]{+is pulled+}."
    ) in result.output.splitlines()


def test_the_text_is_what_the_card_shows_never_html(released: Project) -> None:
    released.deck(DECK.replace("Combine imagination", "Combine <imagination> & wit"))
    result = released.run("diff")
    assert "Combine {+<+}imagination{+> & wit+}" in result.output
    assert "&amp;" not in result.output and "&lt;" not in result.output
    # a retired note reads as it did, without the mark podcards puts on its cards
    released.deck(DECK.replace("  - name: Poetical science\n", "  - name: Other\n"))
    result = released.run("diff")
    assert "pc-retired" not in result.output and "<span" not in result.output
    assert "  - habit/poetical-science/cloze (retired, tagged podcards::retired): " in result.output


def test_the_item_id_names_every_note(released: Project) -> None:
    released.deck(DECK.replace("rigorous analysis", "careful analysis"))
    lines = released.run("diff").output.splitlines()
    assert "  ~ habit/poetical-science/cloze" in lines


def test_markdown_release_notes(released: Project) -> None:
    edited = DECK.replace("rigorous analysis", "careful_analysis *now*")
    edited += "  - name: Punched cards\n    text: Cards carry {{c1::programs}}.\n"
    released.deck(edited)
    result = released.run("diff", "--format", "markdown")
    assert result.exit_code == 0
    text = result.output
    assert text.startswith("**What's new since the release of ")
    assert "### Podcasts::Test::Episode One\n\n1 new, 1 changed, 8 unchanged\n" in text
    assert "**New cards**\n- `reference/punched-cards/cloze`: Cards carry [programs].\n" in text
    # markdown in the learner's text is shown, not applied
    assert "~~[rigorous]~~**careful\\_analysis** ~~analysis~~**\\*now\\***" in text


def test_no_changes(released: Project) -> None:
    assert "no changes: the next build would ship exactly what was released" in (
        released.run("diff").output
    )
    assert "Nothing changes for members." in released.run("diff", "--format", "markdown").output


def test_before_the_first_release_everything_is_new(project: Project) -> None:
    project.deck()
    result = project.run("diff")
    assert result.output.startswith("Nothing released yet (decks/podcards.lock): every note")
    assert "(test-deck): 9 new" in result.output


@pytest.mark.parametrize(
    ("before", "after", "spans"),
    [
        ("a b c", "a c", [("=", "a "), ("-", "b"), ("=", " c")]),
        ("one two.", "one two, too.", [("=", "one two"), ("+", ", too"), ("=", ".")]),
        ("x", "x", [("=", "x")]),
        ("", "new", [("+", "new")]),
    ],
)
def test_word_diff(before: str, after: str, spans: list[tuple[str, str]]) -> None:
    assert word_diff(before, after) == spans


@pytest.mark.parametrize(
    ("html", "text"),
    [
        ("A &amp; B &lt;3", "A & B <3"),
        ("Hides {{c1::this}} and {{c2::that::hint}}", "Hides [this] and [that (hint)]"),
        ('<span class="pc-retired">Retired</span> cue', "Retired cue"),
        ('Show · <a href="https://x.test/?t=1">listen</a>', "Show · listen (https://x.test/?t=1)"),
        ("line<br>next", "line next"),
        ("<blockquote>said</blockquote>— X", "said — X"),
    ],
)
def test_learner_text(html: str, text: str) -> None:
    assert learner_text(html) == text
