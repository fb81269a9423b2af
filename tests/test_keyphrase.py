"""The automatic cloze phrase: what a learner would see hidden on a card."""

from __future__ import annotations

import json
import os
import random
import re
import subprocess
import sys
from pathlib import Path

import pytest

import podcards
from podcards.keyphrase import find_key_phrase, pick_key_phrase

# The quotes and insights of the All-In episode with Elon Musk (the project's seed notes).
QUOTES = [
    "I believe Optimus is going to be the greatest product ever created by humanity.",
    "The government is basically unfixable.",
    "Your car is going to feel like it is sentient by the end of the year.",
    "I think we might have AI smarter than any single human at anything as soon as next year.",
    "The actions of the West are indistinguishable from suicide.",
    "I think having a child is an act of optimism about the future.",
    "I have a philosophy of curiosity of like I just want to know what's going on.",
    "If we can establish a self-sustaining city on Mars... the probable lifespan of"
    " consciousness is dramatically greater.",
    "Nature abhors a vacuum and if you take away religion then I think you actually get"
    " something in its place which is actually worse than what was there before.",
    "I think we need to maybe give people a sense of optimism and excitement about the future"
    " and a belief that the future will be better than the past and they'll be more interested"
    " in having kids.",
]
INSIGHTS = [
    "The development of humanoid robots represents one of the most challenging engineering"
    " problems ever attempted, requiring entirely new supply chains and components that don't"
    " exist today.",
    "AI development is following scaling laws that suggest continued improvement with more"
    " compute, potentially leading to superintelligence within years rather than decades.",
    "The convergence of AI, robotics, and space technology could transform human civilization"
    " within our lifetime, creating both unprecedented opportunities and challenges.",
    "Western civilization faces existential threats from declining birth rates and cultural"
    " fragmentation that may require a new philosophical framework to reverse.",
    "Making humanity multi-planetary is not just an ambitious goal but a necessary step for the"
    " long-term survival of consciousness in the face of potential Earth-bound catastrophes.",
    "The integration of satellite communications with consumer devices could eliminate"
    " connectivity gaps globally, fundamentally changing how we access information.",
    "The relationship between hardware and software development is becoming increasingly"
    " co-dependent, with advances in one driving advances in the other.",
    "Human intelligence may be plateauing or declining due to population trends, while"
    " artificial intelligence continues to scale exponentially.",
    "The window of opportunity to make life multi-planetary exists now for the first time in"
    " Earth's 4.5 billion year history, but may not remain open indefinitely.",
    "Having children represents an act of optimism about the future, and declining birth rates"
    " may reflect a broader pessimism about civilization's trajectory.",
]
OTHERS = [
    "Tesla's AI5 chip is expected to be 40 times better than AI4.",
    "The marginal cost could be around $20,000 per unit at a million units per year.",
    "Musk predicts AI will be smarter than the sum of all humans by 2030.",
    "The goal is making Mars self-sustaining within 25-30 years.",
    "Musk describes their approach of using inference compute to analyze training data.",
    "The upcoming Starship is a gigantic upgrade with Raptor 3 engines, delivering 100 tons.",
    "Douglas Adams' book is a deep book on philosophy disguised as humor.",
    "Self-driving safety is reaching 2-3 times human level, potentially 10 times.",
    "Starship, Starlink and Optimus are all products; none of them is cheap!",
    "He said “the rocket (Starship) isn’t ready” — then—it flew: 50% of tests passed?",
]
SENTENCES = QUOTES + INSIGHTS + OTHERS
# What a card of that episode shows around its cloze.
FRONT = "All-In Podcast · Elon Musk on DOGE, Optimus, Starlink Smartphones, Evolving with AI"

# Words no teacher would hide: a cloze must never be one of these, nor start or end with one.
STOPWORDS = {
    "a", "an", "and", "are", "as", "at", "be", "but", "by", "for", "he", "i", "in", "is", "it",
    "not", "of", "on", "or", "she", "so", "than", "that", "the", "then", "they", "this", "to",
    "we", "with", "you",
}  # fmt: skip
WORD = re.compile(r"[^\W_]+(?:['’.,-][^\W_]+)*")
BOUNDARY = re.compile(r"[;:!?—–\"“”‘()\[\]]|(?<!\d)[.,]|[.,](?!\d)")


def phrase_of(text: str, avoid: str = "") -> str | None:
    """The text a cloze would hide, or None."""
    span = find_key_phrase(text, avoid)
    return None if span is None else text[span[0] : span[1]]


def words_of(text: str) -> list[str]:
    return WORD.findall(text)


def test_the_optimus_quote_hides_its_subject_not_filler() -> None:
    phrase = phrase_of(QUOTES[0])
    assert phrase is not None
    assert "Optimus" in phrase or "greatest product" in phrase
    assert len(words_of(phrase)) <= 4


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Tesla's AI5 chip is expected to be 40 times better than AI4.", "40 times"),
        ("The marginal cost could be around $20,000 per unit at scale.", "$20,000"),
        ("The goal is making Mars self-sustaining within 25-30 years.", "25-30 years"),
        ("It is the first time in Earth's 4.5 billion year history.", "4.5 billion"),
        ("AI will be smarter than the sum of all humans by 2030.", "2030"),
        ("Tesla's AI5 chip achieves a 40x improvement over AI4.", "40x"),
        ("Production grew -5% in the quarter after the launch.", "-5%"),
    ],
)
def test_numbers_are_hidden_with_their_unit_or_sign(text: str, expected: str) -> None:
    assert phrase_of(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Douglas Adams' book is a deep book on philosophy disguised as humor.", "Douglas Adams"),
        ("The upcoming version is a gigantic upgrade with Raptor 3 engines.", "Raptor 3"),
        ("I believe Optimus is going to be the greatest product.", "Optimus"),
    ],
)
def test_names_are_hidden_whole(text: str, expected: str) -> None:
    assert phrase_of(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Musk uses inference compute to analyze and improve data.", "inference compute"),
        (INSIGHTS[0], "humanoid robots"),  # not "humanoid robots represents"
        (INSIGHTS[5], "connectivity gaps"),  # not "connectivity gaps globally"
        (QUOTES[1], "unfixable"),
    ],
)
def test_adjacent_rare_words_form_a_term_and_common_neighbours_do_not(
    text: str, expected: str
) -> None:
    assert phrase_of(text) == expected


def test_a_possessive_is_left_out_of_the_hidden_word() -> None:
    assert phrase_of("Musk's plan") == "Musk"
    assert phrase_of("Nobody doubted Musk’s plan") == "Musk"
    assert phrase_of("Tesla's AI5 chip was announced") == "AI5"


def test_a_year_takes_no_unit() -> None:
    assert phrase_of("By 2030 robots will outnumber humans on Earth.") == "2030"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Being right 85% vs 70% of the time matters.", "85%"),
        ("Being right 85% vs. 70% of the time matters.", "85%"),
        ("Being right 85% versus 70% of the time matters.", "85%"),
        ("The price is 5 plus tax for every order.", "5"),
        ("Last year 85% was kept, 70% has gone and 60% is left.", "85%"),
        ("It reached 85% this year.", "85%"),
        ("Tesla's AI5 makes every new car smarter than before.", "AI5"),  # a code, no quantity
    ],
)
def test_a_word_after_a_number_is_not_always_its_unit(text: str, expected: str) -> None:
    assert phrase_of(text) == expected


FILLERS = [
    "obviously", "basically", "totally", "actually", "really", "literally", "okay", "ok",
    "just", "think", "maybe", "probably", "simply", "honestly", "definitely",
]  # fmt: skip


@pytest.mark.parametrize("filler", FILLERS)
def test_a_filler_or_hedge_is_never_hidden(filler: str) -> None:
    for text in (f"{filler.capitalize()}, it went on.", f"It went on, {filler}."):
        phrase = phrase_of(text)
        assert phrase is None or filler not in phrase.lower().split(), text


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Obviously the best way is to just start.", None),
        ("That is totally the wrong approach here.", "approach"),
        ("We said Okay and moved on.", "moved"),  # a filler, even with a capital
        ("I think so.", None),
    ],
)
def test_the_fact_is_hidden_not_the_filler(text: str, expected: str | None) -> None:
    assert phrase_of(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "The projection that this scaling will continue until harnessing most of the power"
            " of the sun and eventually the galaxy for computation",
            "computation",
        ),
        ("Harnessing the sun powers the whole galaxy.", "galaxy"),
        ("Identifying and correcting falsehoods, half-truths, and missing data", "half-truths"),
        (INSIGHTS[7], "plateauing"),  # an -ing verb still wins when no noun comes close
    ],
)
def test_a_noun_is_hidden_rather_than_an_ing_verb(text: str, expected: str) -> None:
    assert phrase_of(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        "Obviously the best way is to just start.",
        "I think we should go.",
        "Okay, so this is the way.",
    ],
)
def test_no_phrase_when_every_word_is_common(text: str) -> None:
    assert find_key_phrase(text) is None


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("The past is never dead. It's not even past.", "dead"),
        ("History is not a list of facts — it is an argument about them.", "argument"),
        ("It was basically a disaster for everyone.", "disaster"),
    ],
)
def test_a_common_word_an_aphorism_turns_on_is_still_hidden(text: str, expected: str) -> None:
    assert phrase_of(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (QUOTES[0], "humanity"),  # not "Optimus"
        (QUOTES[3], "smarter"),  # not "AI"
        (INSIGHTS[2], "convergence"),  # not "AI"
        (OTHERS[8], "Starship"),  # not "Starlink", nor "Optimus"
        (INSIGHTS[0], "humanoid robots"),  # nothing shown: the same pick as without
    ],
)
def test_a_phrase_the_card_already_shows_is_not_hidden(text: str, expected: str) -> None:
    assert phrase_of(text, FRONT) == expected


@pytest.mark.parametrize(
    ("text", "avoid", "expected"),
    [
        ("Musk's plan", "ELON musk", "plan"),  # case does not matter
        ("Nobody doubted Musk's plan", "Musk’s episode", "doubted"),  # nor a possessive
        ("Tesla's AI5 chip was announced", "AI", "AI5"),  # whole words: "AI" is not "AI5"
        ("The robots are self-driving now.", "Self-Driving Cars", "robots"),
        ("The robots are self-driving now.", "driving", "self-driving"),  # "self" is not shown
        ("Douglas Adams' book is a deep book.", "Adams", "Douglas Adams"),
        ("It costs $20,000 per unit.", "$20,000", "unit"),
        ("Starship", "Starship", None),
        ("Starship", "", "Starship"),
    ],
)
def test_only_a_phrase_whose_words_are_all_shown_is_avoided(
    text: str, avoid: str, expected: str | None
) -> None:
    assert phrase_of(text, avoid) == expected


@pytest.mark.parametrize("text", SENTENCES)
def test_an_avoid_that_shares_no_word_changes_nothing(text: str) -> None:
    assert find_key_phrase(text, "Lovelace · Babbage") == find_key_phrase(text)


@pytest.mark.parametrize("text", SENTENCES)
def test_the_phrase_is_a_short_meaningful_part_of_one_clause(text: str) -> None:
    span = find_key_phrase(text)
    assert span is not None
    start, end = span
    phrase = text[start:end]
    words = words_of(phrase)
    assert 1 <= len(words) <= 4
    assert len(words) <= 0.4 * len(words_of(text))
    assert words[0].lower() not in STOPWORDS and words[-1].lower() not in STOPWORDS
    assert phrase == phrase.strip()
    assert not BOUNDARY.search(phrase), f"{phrase!r} crosses a clause boundary"
    # whole words only: the phrase neither starts nor ends inside a word
    assert start == 0 or not text[start - 1].isalnum()
    assert end == len(text) or not text[end].isalnum()


def test_the_seed_notes_get_the_phrases_a_teacher_would_hide() -> None:
    # Read and approved one by one; if scoring changes, judge the new picks before updating.
    picked = [phrase_of(text) for text in QUOTES + INSIGHTS]
    assert picked == [
        "Optimus",
        "unfixable",
        "sentient",
        "AI",
        "indistinguishable",
        "optimism",
        "curiosity",
        "Mars",
        "vacuum",
        "optimism",
        "humanoid robots",
        "superintelligence",
        "AI",
        "fragmentation",
        "multi-planetary",
        "connectivity gaps",
        "co-dependent",
        "plateauing",
        "4.5 billion",
        "pessimism",
    ]


def test_the_same_text_gives_the_same_span_in_another_process() -> None:
    here = [find_key_phrase(text, avoid) for text in SENTENCES for avoid in ("", FRONT)]
    code = (
        "import json, sys\n"
        "from podcards.keyphrase import find_key_phrase\n"
        f"avoids = ('', {FRONT!r})\n"
        "texts = json.load(sys.stdin)\n"
        "print(json.dumps([find_key_phrase(t, a) for t in texts for a in avoids]))\n"
    )
    src = str(Path(podcards.__file__).parent.parent)
    for seed in ("1", "4242"):
        env = {**os.environ, "PYTHONHASHSEED": seed}
        env["PYTHONPATH"] = os.pathsep.join(filter(None, [src, env.get("PYTHONPATH")]))
        result = subprocess.run(
            [sys.executable, "-c", code],
            input=json.dumps(SENTENCES),
            capture_output=True,
            text=True,
            env=env,
            check=True,
        )
        there = [tuple(span) if span else None for span in json.loads(result.stdout)]
        assert there == here


def test_a_text_gets_the_same_span_whatever_was_picked_before() -> None:
    first = {
        (text, avoid): find_key_phrase(text, avoid) for text in SENTENCES for avoid in ("", FRONT)
    }
    later = {
        (text, avoid): find_key_phrase(text, avoid)
        for avoid in (FRONT, "")
        for text in reversed(SENTENCES)
    }
    assert later == first


@pytest.mark.parametrize("text", ["", "...", "the and of", "  \n\t ", "?!", "— – “” ()", "___"])
def test_no_phrase_when_there_is_nothing_worth_hiding(text: str) -> None:
    assert find_key_phrase(text) is None


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Starship", "Starship"),
        ("  Starship!  ", "Starship"),
        ("the Starship", "Starship"),
        ("Optimus rocks", "Optimus"),
        ("<b>&amp; Optimus</b>", "Optimus"),
        ("It costs £5 per m² — “cheap”, they’re saying", "£5"),
        ("Straße und Maß", "Straße"),
    ],
)
def test_short_and_unusual_texts(text: str, expected: str) -> None:
    assert phrase_of(text) == expected


def test_never_crashes_and_always_returns_a_span_inside_the_text() -> None:
    alphabet = "ab AB 12$%.,;:-'’—–\"“()<>&\n\t²£é🐺_"
    rng = random.Random(0)
    for _ in range(3000):
        text = "".join(rng.choice(alphabet) for _ in range(rng.randint(0, 40)))
        span = find_key_phrase(text)
        if span is not None:
            start, end = span
            assert 0 <= start < end <= len(text)
            assert text[start:end] == text[start:end].strip()


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # an action is no fact: the word before a determiner or object is a verb
        ("The signal reaches every phone on the planet.", "signal"),
        ("Automate the boring parts of your week first.", "parts"),
        # a number or abbreviation that is part of a longer term is hidden with it, or not
        ("Software 2.0 replaces hand-written code with learned weights.", "Software 2.0"),
        ("Karpathy calls it Software 2.0.", "Software 2.0"),
        ("Tesla trains its ML stack on video from millions of cars.", "ML stack"),
        ("Machine learning (ML) is eating software.", "software"),
    ],
)
def test_never_a_lone_verb_nor_a_fragment_of_a_term(text: str, expected: str) -> None:
    span = find_key_phrase(text)
    assert span is not None
    assert text[span[0] : span[1]] == expected


def test_a_weak_best_phrase_is_offered_but_marked_weak() -> None:
    chosen = pick_key_phrase("I think we should go.")
    assert chosen is not None and not chosen.strong
    assert find_key_phrase("I think we should go.") is None
    assert pick_key_phrase("Yes, I think so.") is None
