"""`podcards check`: what build validates plus card-design.md's warnings, each rule with a card
that breaks it and one that does not; no file written."""

from __future__ import annotations

import json
import textwrap

import pytest

from conftest import MINIMAL_DECK, SHIPPED_DECKS, Project

HEADER = """\
podcards: 1
deck:
  id: check-deck
  name: "Podcasts::Check"
episode:
  podcast: Test Podcast
  title: The Analytical Engine and what it could do
  cue: Test · Ada
  guests: [Ada Lovelace]
"""


def checked(project: Project, body: str, *args: str) -> list[dict[str, object]]:
    project.deck(HEADER + textwrap.dedent(body))
    result = project.run("check", "--format", "json", *args)
    assert result.exit_code in (0, 1), result.output
    report = json.loads(result.stdout)
    problems: list[dict[str, object]] = report["problems"]
    return problems


def codes(project: Project, body: str) -> set[str]:
    return {str(problem["code"]) for problem in checked(project, body)}


def one_insight(text: str, question: str = "") -> str:
    asked = f"\n    question: {question}" if question else ""
    return f"insights:\n  - id: it\n    text: {text}{asked}\n"


# -- each rule: a card that breaks it, and one that does not ----------------------------------

RULES = {
    "answer-on-front": (
        one_insight(
            "The engine weaves {{c1::algebraic patterns}}.",
            "What algebraic patterns does the engine weave?",
        ),
        one_insight(
            "The engine weaves {{c1::algebraic patterns}}.",
            "What does the engine weave, as a loom weaves flowers?",
        ),
    ),
    "too-long": (
        one_insight(
            "The engine {{c1::could do many things that no machine of its day could do}}, "
            "said Ada in her notes on the machine."
        ),
        one_insight("The engine {{c1::could weave patterns}}, said Ada in her notes."),
    ),
    "cloze-stopword": (
        one_insight("The engine is {{c1::the}} best of its kind."),
        one_insight("The engine is the {{c1::best}} of its kind."),
    ),
    "cloze-most": (
        one_insight('"{{c1::The engine weaves patterns}} quickly."'),
        one_insight("The engine weaves {{c1::patterns}} quickly."),
    ),
    "cloze-verb": (
        one_insight("Babbage {{c1::built}} the engine in London."),
        one_insight("Babbage built the engine in {{c1::London}}."),
    ),
    "paragraph": (
        one_insight("The engine reads cards. The mill computes. The store holds {{c1::numbers}}."),
        one_insight("The store holds {{c1::one thousand numbers}} of fifty digits."),
    ),
    "weak-key-phrase": (
        one_insight("We should start to go and see the big one."),
        one_insight("The store holds one thousand numbers of fifty digits."),
    ),
}


@pytest.mark.parametrize("code", sorted(RULES))
def test_each_rule_warns_on_a_bad_card_and_not_on_a_good_one(project: Project, code: str) -> None:
    bad, good = RULES[code]
    assert code in codes(project, bad)
    assert code not in codes(project, good)


@pytest.mark.parametrize(
    "text",
    [
        "Starship should carry 100 tons to {{c1::orbit}}.",
        "In {{c1::2030}} the robots outnumber people.",
        "{{c1::Babbage}} the inventor built it.",
        "The engine did its {{c1::weaving}} at night.",
    ],
)
def test_a_fact_is_no_lone_verb(project: Project, text: str) -> None:
    assert "cloze-verb" not in codes(project, one_insight(text))


@pytest.mark.parametrize(
    "text",
    [
        "Its arms will {{c1::grow}} every year.",
        "Engineers kept {{c1::building}} on old designs.",
    ],
)
def test_a_lone_verb(project: Project, text: str) -> None:
    assert "cloze-verb" in codes(project, one_insight(text))


def test_a_cloze_hiding_what_its_cue_shows(project: Project) -> None:
    bad = (
        "habits:\n  - name: Poetical science\n    text: Practise {{c1::poetical science}} daily.\n"
    )
    good = "habits:\n  - name: Poetical science\n    text: Practise it {{c1::every morning}}.\n"
    [problem] = [p for p in checked(project, bad) if p["code"] == "answer-on-front"]
    assert "which its cue shows" in str(problem["message"])
    assert "answer-on-front" not in codes(project, good)


def test_a_distinctive_word_of_the_answer_on_the_front(project: Project) -> None:
    bad = one_insight(
        "Babbage's engine read {{c1::punched cards}}.",
        "What punched things did Babbage's engine read?",
    )
    good = one_insight(
        "Babbage's engine read {{c1::punched cards}}.",
        "What did Babbage's engine read its program from?",
    )
    [problem] = [p for p in checked(project, bad) if p["code"] == "answer-on-front"]
    assert "shows 'punched'" in str(problem["message"])
    assert "answer-on-front" not in codes(project, good)


def test_two_cards_with_one_front(project: Project) -> None:
    cards = """\
    cards:
      - id: first
        front: What is the mill?
        back: The part that computes.
      - id: second
        front: What is the {0}?
        back: The arithmetic unit.
    """
    [problem] = [p for p in checked(project, cards.format("mill")) if p["code"] == "same-front"]
    assert "card/first/qa" in str(problem["message"])
    assert "same-front" not in codes(project, cards.format("store"))


def test_two_items_stating_one_fact_across_sections(project: Project) -> None:
    body = """\
    insights:
      - id: loom
        text: The analytical engine weaves {{c1::algebraic patterns}} as a loom weaves flowers.
    quotes:
      - id: loom-quote
        text: "QUOTE"
        speaker: Ada Lovelace
    """
    same = "The Analytical Engine weaves algebraic patterns just as the loom weaves flowers."
    other = "That brain of mine is something more than merely mortal, as time will show."
    [problem] = [
        p for p in checked(project, body.replace("QUOTE", same)) if p["code"] == "same-fact"
    ]
    assert str(problem["message"]).startswith("quote 'loom-quote' states what insight 'loom'")
    assert "same-fact" not in codes(project, body.replace("QUOTE", other))


@pytest.mark.parametrize(
    ("summary", "reason"),
    [
        ("The mill, the store, the reader, and the printer.", "is a list"),
        ("It computes. It also prints.", "has 2 sentences"),
    ],
)
def test_a_framework_summary_that_is_no_one_idea(
    project: Project, summary: str, reason: str
) -> None:
    body = """\
    frameworks:
      - name: Engine Parts
        summary: SUMMARY
        components:
          - name: Mill
            text: The part that performs the {{c1::arithmetic}}.
    """
    [problem] = [
        p for p in checked(project, body.replace("SUMMARY", summary)) if p["code"] == "summary-list"
    ]
    assert reason in str(problem["message"])
    good = body.replace("SUMMARY", "A general-purpose mechanical computer design.")
    assert "summary-list" not in codes(project, good)


def test_the_weak_phrase_warning_names_the_phrase(project: Project) -> None:
    [problem] = [
        p for p in checked(project, RULES["weak-key-phrase"][0]) if p["code"] == "weak-key-phrase"
    ]
    assert "hides 'big'" in str(problem["message"]) or "hides '" in str(problem["message"])
    assert "mark a better one" in str(problem["message"])


def test_a_template_printing_none(project: Project) -> None:
    project.write(
        "templates/quote/speaker-first.j2",
        "{% block front %}What did {{ item.speaker }} say?{% endblock %}\n"
        "{% block back %}{{ item.text }}{% endblock %}\n",
    )
    quotes = "quotes:\n  - id: q\n    text: More than merely {{c1::mortal}}.\n"
    assert "shows-none" in codes(project, quotes)
    assert "shows-none" not in codes(project, quotes + "    speaker: Ada Lovelace\n")


# -- output, exit codes, and no writes -------------------------------------------------------


def test_text_output_names_path_line_severity_and_item(project: Project) -> None:
    project.deck(HEADER + RULES["cloze-verb"][0])
    result = project.run("check")
    assert result.exit_code == 0
    assert result.stdout.splitlines() == [
        "decks/episode.yaml:12: warning: insight 'it': its cloze card hides 'built', a lone "
        "verb: hide the fact (a term, a number, a name) instead"
    ]
    assert "checked 1 deck, 1 card: 0 errors, 1 warning" in result.stderr


def test_strict_makes_warnings_fail(project: Project) -> None:
    project.deck(HEADER + RULES["cloze-verb"][0])
    result = project.run("check", "--strict")
    assert result.exit_code == 1
    assert "(--strict: warnings fail)" in result.stderr


def test_errors_are_all_reported_at_once_and_fail(project: Project) -> None:
    project.deck(HEADER + "insights:\n  - id: Bad Id\n    text: x {{c1::y}\n  - text: no id here\n")
    result = project.run("check")
    assert result.exit_code == 1
    errors = [line for line in result.stdout.splitlines() if ": error: " in line]
    assert len(errors) >= 3, result.output
    assert all(line.startswith("decks/episode.yaml:") for line in errors)


def test_json_reports_errors_too(project: Project) -> None:
    problems = checked(project, "insights:\n  - text: no id here\n")
    assert problems and all(p["severity"] == "error" for p in problems)
    assert {"path", "line", "severity", "code", "message"} <= set(problems[0])


def test_check_validates_what_build_refuses_against_the_lock(project: Project) -> None:
    project.deck()
    assert project.build().exit_code == 0
    project.deck(MINIMAL_DECK.replace("Podcasts::Test::Episode One", "Podcasts::Renamed"))
    result = project.run("check")
    assert result.exit_code == 1
    assert "is now named 'Podcasts::Renamed'" in result.stdout


def test_check_writes_nothing(project: Project) -> None:
    project.deck()
    before = project.snapshot()
    assert project.run("check").exit_code == 0
    assert project.snapshot() == before
    assert not project.lock.exists()


def test_misuse_is_exit_2(project: Project) -> None:
    assert project.run("check", "--format", "xml").exit_code == 2
    assert project.run("check", "decks/missing.yaml").exit_code == 2


def test_the_shipped_deck_is_clean_under_strict(project: Project) -> None:
    result = project.run("check", "--strict", str(SHIPPED_DECKS))
    assert result.exit_code == 0, result.output
    assert result.stdout == ""
