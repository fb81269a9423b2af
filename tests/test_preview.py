"""`podcards preview`: every card as Anki shows it, in the learner's order, writing no lock;
and podcards' own renderer gives Anki's HTML for every card."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest

from podcards import anki_engine, anki_html
from podcards.build import package_data, plan
from podcards.preview import render_ourselves

from anki_collection import Learner, new_card_queue
from conftest import MINIMAL_DECK, SHIPPED_DECKS, Project
from preview_pages import page_cards, words

# Every card podcards can make: the cards that are off by default switched on, a question on
# a quote, hints, several deletion numbers, and an empty and a <br> Extra.
EVERY_CARD_DECK = (
    MINIMAL_DECK.replace(
        "  tags: [test]\n",
        "  tags: [test]\n  add_cards: [insight/cloze, quote/who-said, component/meaning, "
        "component/name, habit/describe, habit/name, reference/what-is, takeaway/takeaway]\n",
    ).replace(
        "quotes:\n",
        """\
quotes:
  - id: second-speaker
    text: The engine {{c1::might act}} on other things besides number.
    speaker: Charles Babbage
    question: What might the engine do, besides arithmetic?
    context: "<br>"
""",
    )
    + """\
cards:
  - id: two-deletions
    cloze: "The {{c1::mill::part}} computes and the {{c2::store}} remembers, <b>&</b> more."
  - id: by-hand
    front: "Which engine is <this>?"
    back: The Analytical Engine
"""
)


@pytest.fixture
def learner(tmp_path: Path) -> Iterator[Learner]:
    member = Learner(tmp_path / "collection.anki2")
    yield member
    member.close()


def both_renderings(paths: list[Path]) -> tuple[anki_engine.Rendered, anki_engine.Rendered]:
    planned = plan(paths)
    ours = render_ourselves(planned)
    anki = anki_engine.render_packages([package_data(planned, deck) for deck in planned.decks])
    return ours, anki


def test_our_renderer_gives_ankis_html_for_every_shipped_card() -> None:
    ours, anki = both_renderings([SHIPPED_DECKS])
    lock_notes = SHIPPED_DECKS.joinpath("podcards.lock").read_text(encoding="utf-8")
    assert len(anki) == lock_notes.count('"note": ')  # every shipped card, one per note
    assert ours.keys() == anki.keys()
    for key, sides in anki.items():
        assert ours[key] == sides, key


def test_our_renderer_gives_ankis_html_for_every_kind_of_card(project: Project) -> None:
    project.deck(EVERY_CARD_DECK)
    ours, anki = both_renderings([project.decks])
    assert any(ordinal == 1 for _, ordinal in anki)  # the second deletion's card
    assert ours == anki


def test_anki_html_edge_cases_follow_ankis_rules() -> None:
    """What the shipped note types do not exercise: hints, nesting, sections, filters."""
    fields = {"Text": "a {{c1::b::hint}} {{c2::c {{c1::d}} e}} f}}", "Extra": "<br>", "X": "&nbsp;"}
    front, back = anki_html.render(
        "{{cloze:Text}}{{#Extra}}E{{/Extra}}{{^Extra}}no extra{{/Extra}}{{#X}}x{{/X}}",
        "{{FrontSide}}|{{text:Text}}|{{unknown:Text}}",
        fields,
        cloze=1,
    )
    assert front == (
        'a <span class="cloze" data-cloze="b" data-ordinal="1">[hint]</span> '
        '<span class="cloze-inactive" data-ordinal="2">c <span class="cloze" '
        'data-cloze="d" data-ordinal="1">[...]</span> e</span> f}}no extrax'
    )
    assert back.startswith(front + "|")
    assert back.endswith("|" + fields["Text"])
    assert anki_html.render("{{Front}}", "{{Back}}", {"Front": " <br> ", "Back": "b"})[
        1
    ].startswith("<div>The front of this card is blank.")
    assert (
        "No cloze \u20683\u2069 found" in anki_html.render("{{cloze:Text}}", "", fields, cloze=3)[0]
    )
    with pytest.raises(anki_html.TemplateError):
        anki_html.render("{{#Text}}open", "", fields, cloze=1)
    assert anki_html.is_empty("<div><br></div> ") and not anki_html.is_empty("&nbsp;")


# -- the pages ---------------------------------------------------------------------------------


def test_preview_shows_every_card_in_the_order_a_learner_meets_them(
    project: Project, learner: Learner, fixed_clock: None
) -> None:
    project.deck(EVERY_CARD_DECK)
    result = project.run("preview")
    assert result.exit_code == 0, result.output
    assert not project.lock.exists()
    page = (project.root / "preview/test-deck.html").read_text(encoding="utf-8")
    shown = [(card.guid, card.ord) for card in page_cards(page)]

    assert project.build().exit_code == 0
    learner.import_package(project.dist / "test-deck.apkg")
    assert shown == new_card_queue(learner, "Podcasts::Test::Episode One")


def test_every_card_shows_its_front_and_back_in_light_and_night(project: Project) -> None:
    project.deck(EVERY_CARD_DECK)
    assert project.run("preview").exit_code == 0
    cards = page_cards((project.root / "preview/test-deck.html").read_text(encoding="utf-8"))
    two = next(card for card in cards if card.key == "card/two-deletions/cloze" and card.ord == 1)
    assert "The mill computes and the [...] remembers, <b>&</b> more." in words(
        two.sides[("front", "light")]
    )
    assert "The mill computes and the store remembers" in words(two.sides[("back", "night")])
    for card in cards:
        assert set(card.sides) == {(s, m) for s in ("front", "back") for m in ("light", "night")}
        assert all(words(text) for text in card.sides.values()), card.key
        assert card.sides[("front", "light")] == card.sides[("front", "night")]
        assert card.classes[("back", "night")].split() == [
            "card",
            f"card{card.ord + 1}",
            "nightMode",
            "night_mode",
        ]
        assert "nightMode" not in card.classes[("back", "light")]


def test_each_card_carries_its_source_line_tags_and_warnings(project: Project) -> None:
    project.deck(
        MINIMAL_DECK
        + "cards:\n  - id: verb\n    cloze: Babbage {{c1::built}} the engine in London.\n"
    )
    assert project.run("preview").exit_code == 0
    cards = page_cards((project.root / "preview/test-deck.html").read_text(encoding="utf-8"))
    by_key = {card.key: words(" ".join(card.text)) for card in cards}
    verb = by_key["card/verb/cloze"]
    assert "decks/episode.yaml:37" in verb
    assert "podcards::card test" in verb
    assert "card 'verb': its cloze card hides 'built', a lone verb" in verb
    assert "warning" not in by_key["insight/engine-weaves/question"]


def test_guids_are_escaped_and_read_back_exactly(project: Project) -> None:
    """GUIDs use Anki's base-91 alphabet: quotes, <, > and & among them."""
    project.deck()
    assert project.run("preview").exit_code == 0
    cards = page_cards((project.root / "preview/test-deck.html").read_text(encoding="utf-8"))
    shipped = plan([project.decks]).release.shipped["test-deck"]
    assert {card.guid for card in cards} == {note.guid for note in shipped}


def test_pages_fetch_nothing_and_index_links_every_deck(project: Project) -> None:
    project.deck()
    project.deck(MINIMAL_DECK.replace("test-deck", "other-deck").replace("One", "Two"), "b.yaml")
    assert project.run("preview", "-o", "site").exit_code == 0
    index = (project.root / "site/index.html").read_text(encoding="utf-8")
    assert 'href="test-deck.html"' in index and 'href="other-deck.html"' in index
    for page in (project.root / "site").iterdir():
        html = page.read_text(encoding="utf-8")
        assert "Content-Security-Policy" in html and "default-src 'none'" in html
        assert not re.search(r"<(?:script|link|img|iframe)\b", html)
        assert not re.search(r"\bsrc=|url\(\s*['\"]?(?:https?:)?//", html)


def test_preview_writes_no_lock_and_nothing_outside_its_folder(project: Project) -> None:
    project.deck()
    assert project.build().exit_code == 0
    project.deck(MINIMAL_DECK.replace("The engine weaves", "The engine knits"))
    before = project.snapshot()
    assert project.run("preview").exit_code == 0
    after = {k: v for k, v in project.snapshot().items() if not k.startswith("preview/")}
    assert after == before


def test_a_changed_and_a_retired_note_are_marked(project: Project) -> None:
    project.deck()
    assert project.build().exit_code == 0
    changed = MINIMAL_DECK.replace("weaves {{c1::algebraic", "knits {{c1::algebraic")
    project.deck(changed.replace("  - name: Poetical science\n", "  - name: Poetical art\n"))
    assert project.run("preview").exit_code == 0
    cards = page_cards((project.root / "preview/test-deck.html").read_text(encoding="utf-8"))
    status = {card.key: words(" ".join(card.text)) for card in cards}
    assert " changed " in status["insight/engine-weaves/question"]
    retired = status["habit/poetical-science/cloze"]
    assert "retired" in retired and "no longer in the deck file" in retired
    assert " new " in status["habit/poetical-art/cloze"]


def test_our_renderer_is_used_without_anki(
    project: Project, monkeypatch: pytest.MonkeyPatch
) -> None:
    project.deck()
    assert project.run("preview", "-o", "with-anki").exit_code == 0
    monkeypatch.setattr(anki_engine, "available", lambda: False)
    result = project.run("preview", "-o", "without")
    assert result.exit_code == 0
    assert "rendered by podcards' own renderer" in result.output
    assert project.run("preview", "--engine", "anki").exit_code == 2

    def cards(folder: str) -> list[object]:
        html = (project.root / folder / "test-deck.html").read_text(encoding="utf-8")
        return [vars(card) for card in page_cards(html)]

    assert cards("without") == cards("with-anki")


def test_errors_are_reported_and_nothing_is_written(project: Project) -> None:
    project.deck(MINIMAL_DECK.replace("id: engine-weaves", "id: Engine Weaves"))
    result = project.run("preview")
    assert result.exit_code == 1
    assert "decks/episode.yaml:" in result.output
    assert not (project.root / "preview").exists()
