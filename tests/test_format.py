"""The deck format: declared once, read as typed, documented from its declaration."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from podcards.deck import Deck, ValueType, keys_of
from podcards.schema import REFERENCE_END, REFERENCE_START, json_schema_text, markdown_reference
from podcards.sources import load_deck

from conftest import Project

DOCS = Path(__file__).resolve().parent.parent / "docs"

# Every text key of the format, each a placeholder <path> to be replaced by a value.
FULL_DECK = """\
podcards: 1
deck:
  id: test-deck
  name: <deck.name>
  description: <deck.description>
episode:
  podcast: <episode.podcast>
  title: <episode.title>
  cue: <episode.cue>
  hosts: [<episode.hosts>]
  guests: [<episode.guests>]
  date: <episode.date>
  duration: <episode.duration>
  url: https://example.com/<episode.url>
hook: <hook>
summary: <summary>
takeaway:
  text: <takeaway.text>
  question: <takeaway.question>
insights:
  - id: one
    text: <insights.text>
    question: <insights.question>
frameworks:
  - id: frame
    name: <frameworks.name>
    summary: <frameworks.summary>
    question: <frameworks.question>
    components:
      - id: part
        name: <components.name>
        text: <components.text>
        question: <components.question>
quotes:
  - id: said
    text: <quotes.text>
    speaker: <quotes.speaker>
    context: <quotes.context>
    question: <quotes.question>
habits:
  - id: habit
    name: <habits.name>
    text: <habits.text>
    question: <habits.question>
references:
  - id: ref
    name: <references.name>
    text: <references.text>
    question: <references.question>
cards:
  - id: pair
    front: <cards.front>
    back: <cards.back>
  - id: gap
    cloze: Some {{c1::words}} and <cards.cloze>
"""
PLACES = re.findall(r"<([a-z.]+)>", FULL_DECK)


def _text_keys(cls: type, path: str) -> set[str]:
    found = set()
    for name, spec in keys_of(cls).items():
        if spec.type in (ValueType.TEXT, ValueType.TEXTS) and not spec.choices:
            found.add(f"{path}{name}")
        elif spec.of is not None:
            prefix = "" if cls is Deck and spec.type is ValueType.ITEMS else f"{path}{name}."
            if spec.type is ValueType.ITEMS:
                prefix = f"{name}."
            found |= _text_keys(
                spec.of, prefix if spec.type is not ValueType.MAPPING else f"{name}."
            )
    return found


def test_the_fixture_covers_every_text_key_the_format_declares() -> None:
    """A new text key in deck.py fails here until this test writes it too."""
    assert set(PLACES) == _text_keys(Deck, "")


def fill(typed: dict[str, str]) -> str:
    """The full deck, with ``typed`` at its places and a plain word at every other."""
    values = {place: f"Value-{n}" for n, place in enumerate(PLACES)} | typed
    return re.sub(r"<([a-z.]+)>", lambda match: values[match[1]], FULL_DECK)


def _value_at(deck: Deck, place: str) -> object:
    where, _, key = place.rpartition(".")
    owner: object = deck
    for step in where.split(".") if where else []:
        owner = {
            "deck": deck.deck,
            "episode": deck.episode,
            "takeaway": deck.takeaway,
            "insights": deck.insights[0] if deck.insights else None,
            "frameworks": deck.frameworks[0],
            "components": deck.frameworks[0].components[0],
            "quotes": deck.quotes[0],
            "habits": deck.habits[0],
            "references": deck.references[0],
            "cards": deck.cards[0] if key != "cloze" else deck.cards[1],
        }[step]
    return getattr(owner, key)


AS_TYPED = ["3.10", "1:30:00", "0x1F", "010", "yes", "null", "1_000", "12:30", "1e3", "NO", "~"]


@pytest.mark.parametrize("typed", AS_TYPED)
def test_every_text_key_keeps_what_was_typed(project: Project, typed: str) -> None:
    """YAML 1.1 would read 3.10 as 3.1, 1:30:00 as 5400, 010 as 8; podcards reads text."""
    for place in PLACES:
        deck = load_deck(project.deck(fill({place: typed})))
        value = _value_at(deck, place)
        if place == "episode.url":
            assert value == f"https://example.com/{typed}"
        elif place == "cards.cloze":
            assert value == "Some {{c1::words}} and " + typed
        elif isinstance(value, tuple):
            assert value == (typed,), place
        else:
            assert value == typed, place


def test_a_default_id_follows_the_name_as_typed(project: Project) -> None:
    text = fill({"habits.name": "1_000"}).replace("  - id: habit\n    name:", "  - name:")
    deck = load_deck(project.deck(text))
    assert deck.habits[0].id == "1-000"


def test_only_the_version_and_moments_are_numbers(project: Project) -> None:
    text = fill({}).replace("  - id: one\n", "  - id: one\n    at: 1:02:03\n")
    deck = load_deck(project.deck(text))
    assert deck.podcards == 1
    assert deck.insights[0].at == 3723


def test_the_reference_in_the_docs_is_the_declaration() -> None:
    """Regenerate with: podcards schema --markdown (between the markers of the file)."""
    text = (DOCS / "deck-format.md").read_text(encoding="utf-8")
    start, end = text.index(REFERENCE_START), text.index(REFERENCE_END) + len(REFERENCE_END)
    assert text[start:end] + "\n" == markdown_reference()


def test_the_json_schema_in_the_docs_is_the_declaration() -> None:
    """Regenerate with: podcards schema > docs/deck.schema.json"""
    assert (DOCS / "deck.schema.json").read_text(encoding="utf-8") == json_schema_text()


def test_the_schema_command_prints_the_declaration(project: Project) -> None:
    result = project.run("schema")
    assert result.exit_code == 0
    assert result.output == json_schema_text()
    assert '"additionalProperties": false' in result.output
