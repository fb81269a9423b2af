"""Loading deck files: every mistake is one `path:line: message`, all of a file at once."""

from __future__ import annotations

import re

import pytest

from podcards.errors import PodcardsError
from podcards.sources import load_deck

from conftest import MINIMAL_DECK, Project


def errors_of(project: Project, text: str) -> list[str]:
    """Build the deck through the CLI and return its error lines (exit status 1)."""
    project.deck(text)
    result = project.build()
    assert result.exit_code == 1, result.output
    assert "Traceback" not in result.output
    return result.output.strip().splitlines()


def test_minimal_deck_loads_every_section(project: Project) -> None:
    deck = load_deck(project.deck())
    assert deck.id == "test-deck"
    assert deck.name == "Podcasts::Test::Episode One"
    assert [i.id for i in deck.insights] == ["engine-weaves", "symbols"]
    assert deck.insights[0].question == "What does the engine weave, like a loom weaves flowers?"
    assert deck.quotes[0].speaker == "Ada Lovelace"
    framework = deck.frameworks[0]
    assert framework.id == "analytical-engine"  # a slug of its name
    assert [(c.id, c.name) for c in framework.components] == [
        ("mill", "Mill"),
        ("store-holds", None),
    ]
    assert deck.habits[0].id == "poetical-science"
    assert deck.references[0].id == "difference-engine"
    assert deck.takeaway is not None and "engine" in deck.takeaway.text
    assert deck.insights[1].location.line == 15


def test_every_problem_of_a_file_is_reported_at_once(project: Project) -> None:
    text = MINIMAL_DECK.replace("quotes:", "qoutes:").replace(
        "  - id: symbols\n", "  - id: Symbols!\n"
    )
    text = text.replace("tags: [test]", "tags: [test, two words]")
    lines = errors_of(project, text)
    assert len(lines) == 3, lines
    assert all(re.match(r"decks/episode\.yaml:\d+: ", line) for line in lines), lines
    joined = "\n".join(lines)
    assert "unknown key 'qoutes' (did you mean 'quotes'?)" in joined
    assert "id 'Symbols!' must be lower-case" in joined
    assert "tag 'two words' contains a space" in joined


def test_yaml_syntax_error_names_the_line(project: Project) -> None:
    lines = errors_of(project, "podcards: 1\ndeck:\n  id: x\n  name: [unclosed\n")
    assert len(lines) == 1
    assert lines[0].startswith("decks/episode.yaml:")
    assert "YAML syntax error" in lines[0]


def test_missing_keys_and_empty_text(project: Project) -> None:
    text = MINIMAL_DECK.replace("  podcast: Test Podcast\n", "").replace(
        "text: Combine imagination with rigorous analysis.", "text: '   '"
    )
    lines = errors_of(project, text)
    assert "decks/episode.yaml:7: episode: missing 'podcast'" in lines
    assert any(line.endswith("habits[1]: 'text' is empty") for line in lines), lines


def test_whitespace_only_text_is_empty_but_markup_is_text(project: Project) -> None:
    text = MINIMAL_DECK.replace(
        "text: Babbage's earlier calculator for polynomial tables.", 'text: "\\u00a0\\t "'
    )
    lines = errors_of(project, text)
    assert lines == ["decks/episode.yaml:35: references[1]: 'text' is empty"]
    # text is text: markup a user types shows as typed, so it is not empty
    text = MINIMAL_DECK.replace(
        "text: Babbage's earlier calculator for polynomial tables.", "text: '<br> &nbsp;'"
    )
    deck = load_deck(project.deck(text))
    assert deck.references[0].text == "<br> &nbsp;"


def test_wrong_types(project: Project) -> None:
    text = MINIMAL_DECK.replace("guests: [Ada Lovelace]", "guests: Ada Lovelace").replace(
        "insights:\n", "insights:\n  - just a string\n"
    )
    lines = errors_of(project, text)
    assert "decks/episode.yaml:9: episode: 'guests' must be a list, e.g. [a, b]" in lines
    assert any("insights[1] must be a mapping" in line for line in lines), lines


def test_duplicate_ids_within_a_section(project: Project) -> None:
    text = MINIMAL_DECK.replace("  - id: symbols\n", "  - id: engine-weaves\n")
    lines = errors_of(project, text)
    assert lines == [
        "decks/episode.yaml:15: insights[2]: id 'engine-weaves' is already used in insights "
        "(line 12); ids are permanent keys and must be unique"
    ]


def test_the_same_id_in_two_sections_is_fine(project: Project) -> None:
    text = MINIMAL_DECK.replace("  - name: Poetical science\n", "  - name: Mill\n")
    text = text.replace("  - name: Difference Engine\n", "  - name: Analytical Engine\n")
    project.deck(text)
    assert project.build().exit_code == 0


def test_same_deck_id_in_two_files(project: Project) -> None:
    project.deck(name="a.yaml")
    project.deck(name="b.yaml")
    result = project.build()
    assert result.exit_code == 1
    assert "decks/b.yaml:2: deck id 'test-deck' is already used by decks/a.yaml:2;" in (
        result.output
    )


def test_cloze_card_without_a_deletion(project: Project) -> None:
    text = MINIMAL_DECK + "cards:\n  - id: bare\n    cloze: Nothing is hidden here.\n"
    lines = errors_of(project, text)
    assert lines == [
        "decks/episode.yaml:38: cards[1]: the cloze has no deletion; "
        "mark the hidden part as {{c1::...}}"
    ]


def test_a_deletion_with_several_numbers_is_refused(project: Project) -> None:
    text = MINIMAL_DECK.replace("{{c1::algebraic patterns}}", "{{c1,2::algebraic patterns}}")
    lines = errors_of(project, text)
    assert len(lines) == 1 and "give each deletion one number" in lines[0]


def test_file_that_is_not_utf8(project: Project) -> None:
    path = project.deck()
    path.write_bytes(path.read_bytes().replace(b"Episode One\n", b"Episode \xe9\n", 1))
    result = project.build()
    assert result.exit_code == 1
    assert result.output.strip() == "decks/episode.yaml:8: the file is not UTF-8 text"


def test_unknown_format_version(project: Project) -> None:
    lines = errors_of(project, MINIMAL_DECK.replace("podcards: 1", "podcards: 2"))
    assert lines == [
        "decks/episode.yaml:1: 'podcards: 2' is not a format this version reads "
        "(expected 'podcards: 1', the number, unquoted)"
    ]


def test_a_deck_with_no_items_is_an_error(project: Project) -> None:
    text = MINIMAL_DECK.split("takeaway:")[0]
    lines = errors_of(project, text)
    assert len(lines) == 1 and "the deck has no items" in lines[0]


def test_an_id_is_required_where_the_item_has_no_name(project: Project) -> None:
    text = MINIMAL_DECK.replace("      - id: store-holds\n        text:", "      - text:")
    lines = errors_of(project, text)
    assert lines == [
        "decks/episode.yaml:28: frameworks[1].components[2]: missing 'id' "
        "(an item without a name needs one)"
    ]


def test_duplicate_yaml_keys_are_reported(project: Project) -> None:
    text = MINIMAL_DECK.replace("  tags: [test]\n", "  tags: [test]\n  tags: [other]\n")
    lines = errors_of(project, text)
    assert lines == ["decks/episode.yaml:6: 'tags' is given twice"]


@pytest.mark.parametrize(
    ("written", "seconds"),
    [('"12:34"', 754), ("12:34", 754), ('"1:02:03"', 3723), ("90", 90)],
)
def test_moments_quoted_or_not(project: Project, written: str, seconds: int) -> None:
    text = MINIMAL_DECK.replace("  - id: symbols\n", f"  - id: symbols\n    at: {written}\n")
    deck = load_deck(project.deck(text))
    assert deck.insights[1].at == seconds


def test_a_bad_moment(project: Project) -> None:
    text = MINIMAL_DECK.replace("  - id: symbols\n", "  - id: symbols\n    at: soon\n")
    with pytest.raises(PodcardsError) as caught:
        load_deck(project.deck(text))
    assert [str(p) for p in caught.value.problems] == [
        f"{project.decks / 'episode.yaml'}:16: insights[2]: 'at' must be a moment like "
        '"12:34" or "1:02:03"'
    ]


def test_default_ids_fold_accents_and_apostrophes(project: Project) -> None:
    text = MINIMAL_DECK.replace("  - name: Poetical science\n", "  - name: Ada's café\n")
    assert load_deck(project.deck(text)).habits[0].id == "adas-cafe"


def test_a_name_that_gives_no_id_is_reported_not_dropped(project: Project) -> None:
    text = MINIMAL_DECK.replace("  - name: Poetical science\n", "  - name: 日本語\n")
    lines = errors_of(project, text)
    assert lines == [
        "decks/episode.yaml:31: habits[1]: the name '日本語' gives no id "
        "(it has no letters a-z or digits); add an 'id'"
    ]


@pytest.mark.parametrize(
    ("deletion", "message"),
    [
        ("{{c0::algebraic patterns}}", "deletions are numbered from 1, not {{c0::...}}"),
        ("{{c1::}}", "the deletion '{{c1::}}' hides nothing"),
        ("{{c1::\u00a0}}", "the deletion '{{c1::\\xa0}}' hides nothing"),
    ],
)
def test_deletions_that_would_show_nothing(project: Project, deletion: str, message: str) -> None:
    text = MINIMAL_DECK.replace("{{c1::algebraic patterns}}", deletion)
    assert errors_of(project, text) == [f"decks/episode.yaml:13: insights[1]: {message}"]


def test_a_misspelt_required_key_is_one_problem_not_two(project: Project) -> None:
    lines = errors_of(
        project, MINIMAL_DECK.replace("  podcast: Test Podcast", "  podcst: Test Podcast")
    )
    assert lines == [
        "decks/episode.yaml:7: episode: unknown key 'podcst' (did you mean 'podcast'?); "
        "allowed: podcast, title, cue, hosts, guests, date, duration, url"
    ]
    # a required key that is simply missing is still reported
    lines = errors_of(project, MINIMAL_DECK.replace("  podcast: Test Podcast\n", ""))
    assert lines == ["decks/episode.yaml:7: episode: missing 'podcast'"]
