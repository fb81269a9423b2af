"""Pick the phrase a cloze card hides when the author marked none, from the text alone.

What the card shows beside the text may be given too, so that the answer is not on it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from functools import lru_cache

from wordfreq import zipf_frequency

from podcards.words import STOPWORDS as _STOPWORDS

# A word: letters and digits, joined inside by hyphens, apostrophes, or the . and , of a
# number ("co-design", "Musk's", "4.5", "$20,000"); currency or sign before, % after.
_WORD = re.compile(r"(?:[$£€¥]|[+\-−](?=\d))?[^\W_]+(?:(?:['’\-]|(?<=\d)[.,](?=\d))[^\W_]+)*%?")
_POSSESSIVE = re.compile(r"(?<=\w)['’][sS]$")
_CONTRACTION = re.compile(r"'(?:t|ll|re|ve|m|d)$")
_SENTENCE_END = re.compile(r"[.!?:;…•\n]")
_YEAR = re.compile(r"1\d{3}|20\d{2}")
_UNIT_ATTACHED = re.compile(r"[$£€¥+\-−]\d.*|\d.*[^\W\d_]|.*%")  # "$5", "-5%", "40x", "5kg"
_ABBREVIATION = re.compile(r"[A-Z]{2,5}s?")
# Determiners and object pronouns: the word before one is an action ("reaches every phone").
_OBJECT_WORDS = frozenset(
    {"a", "an", "the", "every", "each", "its", "their", "his", "her", "your", "our", "my"}
    | {"this", "these", "those", "them", "him", "us", "me", "some"}
)
_MAGNITUDES = frozenset({"hundred", "thousand", "million", "billion", "trillion", "percent"})

_MAX_ZIPF = 8.0  # above the commonest English word ("the" is 7.7): rarity stays positive
_CAPITAL_BONUS = 2.0  # a capital mid-sentence marks a name: "Starship", "Douglas Adams"
_COMPOUND_BONUS = 1.0  # wordfreq rates "co-dependent" like its rarest part; the whole is rarer
_NUMBER_VALUE = 6.5  # a number is what a learner must recall, as much as a technical term
_JOIN_COST = 3.5  # what each extra word must add for a phrase to beat its best word
_TERM_RARITY = 4.0  # lowercase words this rare form a term together: "inference compute"
_UNIT_BONUS = 1.5  # "40 times" and "40x" say more than a bare "40" or a code like "AI5"
_UNIT_VALUE = _JOIN_COST + _UNIT_BONUS  # a unit word joins its number with this bonus
_MAX_PHRASE_WORDS = 4
_MAX_PHRASE_SHARE = 0.4  # never hide most of the sentence
_VERB_COST = 2.0  # an -ing verb hides an action; a noun, name or number hides a fact
# Below this nothing is worth hiding and the build asks the author to mark a phrase: 2.5 is a
# word rarer than Zipf 5.5, about 1 in 3,000 words. It drops "start" and "go" but keeps the
# common words aphorisms turn on ("never dead", "an argument"); names and numbers always pass.
_MIN_SCORE = 2.5

# Neighbours that make one phrase: "40 times", "Raptor 3", "Douglas Adams", "humanoid
# robots". A common word next to a term ("robots represents") does not join it.
_JOINS = frozenset({("number", "unit"), ("name", "number"), ("name", "name"), ("term", "term")})


@dataclass(frozen=True)
class _Word:
    """One word of the text, with what matters for picking phrases."""

    start: int
    end: int  # without a possessive "'s": the cloze hides "Musk" in "Musk's"
    key: str  # lowercase, without sign, currency or %: "musk", "20,000"
    kind: str  # stop, number, unit, name, term, or plain (a word that only stands alone)
    value: float  # how much hiding it tests recall
    joins_previous: bool  # only spaces since the previous word, so one phrase may hold both
    needs_left: bool = False  # a fragment of the term before it: "2.0" of "Software 2.0"
    needs_right: bool = False  # a fragment of the term after it: "ML" of "ML stack"


@dataclass(frozen=True)
class Pick:
    """The phrase chosen to hide: characters [start, end) of the text, and whether it is
    distinctive enough to test recall (else it is only the best the text has)."""

    start: int
    end: int
    strong: bool


def find_key_phrase(text: str, avoid: str = "") -> tuple[int, int] | None:
    """Character span [start, end) of text's most distinctive phrase of 1-4 words, or None.

    avoid is the text shown next to the cloze: a phrase whose words all appear in it would
    give the answer away, so the next best phrase is taken instead.
    """
    chosen = pick_key_phrase(text, avoid)
    return (chosen.start, chosen.end) if chosen and chosen.strong else None


def pick_key_phrase(text: str, avoid: str = "") -> Pick | None:
    """The best phrase to hide, strong or not; None only when no word can be hidden at all."""
    words = _words(text)
    max_length = min(_MAX_PHRASE_WORDS, max(1, int(len(words) * _MAX_PHRASE_SHARE)))
    shown = _keys(avoid)
    phrases = [
        (first, last)
        for first, last in _phrases(words, max_length)
        if not {word.key for word in words[first : last + 1]} <= shown
        and not words[first].needs_left
        and not words[last].needs_right
    ]
    if not phrases:
        return None
    # the highest score wins; on a tie, the earliest phrase, then the shortest
    first, last = min(phrases, key=lambda pair: (-_score(words[pair[0] : pair[1] + 1]), pair))
    strong = _score(words[first : last + 1]) >= _MIN_SCORE
    return Pick(words[first].start, words[last].end, strong)


def _words(text: str) -> list[_Word]:
    """The words of text in order, each classified and valued."""
    words: list[_Word] = []
    for match in _WORD.finditer(text):
        word = _POSSESSIVE.sub("", match.group())
        key = _key(word)
        # the gap keeps a possessive's "'s", so "Tesla's AI5" is never one phrase
        gap = text[words[-1].end : match.start()] if words else ""
        joins = gap.isspace() and "\n" not in gap
        initial = not words or _SENTENCE_END.search(gap) is not None
        # a number right after a capitalised word is part of its name: "Software 2.0"
        named_number = (
            joins
            and key[:1].isdigit()
            and text[words[-1].start].isupper()
            and not _YEAR.fullmatch(word)
        )
        after_number = joins and _is_quantity(words[-1], text)
        kind = _kind(word, key, after_number=after_number, initial=initial)
        value = _value(word, key, kind, initial=initial)
        words.append(
            _Word(
                match.start(),
                match.start() + len(word),
                key,
                kind,
                value,
                joins,
                needs_left=named_number,
            )
        )
    return _with_verbs_and_fragments(words, text)


def _with_verbs_and_fragments(words: list[_Word], text: str) -> list[_Word]:
    """What a word's neighbours say of it: a verb takes an object, an abbreviation a noun.

    "reaches every phone", "Automate the parts": a word followed by a determiner or object
    pronoun is an action, which hides no fact. "ML stack": an abbreviation before a noun, or
    one in brackets after its spelled-out term, is a fragment, never hidden alone.
    """
    refined = list(words)
    for index, word in enumerate(words):
        after = words[index + 1] if index + 1 < len(words) else None
        written = text[word.start : word.end]
        joined_after = after is not None and after.joins_previous
        if joined_after and after is not None and after.key in _OBJECT_WORDS:
            initial = index == 0 or _SENTENCE_END.search(text[words[index - 1].end : word.start])
            if word.kind in ("plain", "term") or (word.kind == "name" and initial):
                refined[index] = replace(refined[index], value=word.value - _VERB_COST)
        if _ABBREVIATION.fullmatch(written):
            brackets = text[word.start - 1 : word.start] + text[word.end : word.end + 1]
            comparative = index + 2 < len(words) and words[index + 2].key == "than"
            before_noun = (
                joined_after
                and after is not None
                and after.kind in ("plain", "term")
                and not comparative  # "AI smarter than humans": no compound noun
            )
            if brackets == "()" or before_noun:
                refined[index] = replace(refined[index], needs_right=True)
    return refined


def _key(word: str) -> str:
    """A word as it is compared: "$20,000" and "20,000", "Musk’s" and "musk's" are one."""
    return word.lower().replace("’", "'").lstrip("$£€¥+-−").rstrip("%")


def _keys(text: str) -> frozenset[str]:
    """The keys of text's words and of their hyphenated parts: "self-driving" shows "driving"."""
    keys = {_key(_POSSESSIVE.sub("", match.group())) for match in _WORD.finditer(text)}
    return frozenset(keys.union(*(key.split("-") for key in keys)))


def _kind(word: str, key: str, *, after_number: bool, initial: bool) -> str:
    """What part a word can play in a phrase."""
    if key in _STOPWORDS or _CONTRACTION.search(key):
        return "stop"
    if _is_adverb(key) and not _is_name(word, initial=initial):
        return "stop"  # "Obviously", "totally": they qualify a fact, never state one
    if any(char.isdigit() for char in key):
        return "number"
    if after_number and word.islower() and (key in _MAGNITUDES or key.endswith("s")):
        return "unit"  # "40 times", "4.5 billion", but not "AI5 chip" or "by 2030 robots"
    if any(char.isupper() for char in word):
        return "name"
    if _rarity(key) >= _TERM_RARITY:
        return "term"
    return "plain"


def _is_quantity(word: _Word, text: str) -> bool:
    """Whether a unit may follow a word: a number, but not a year, a code like "AI5", nor
    the number of a name like "Software 2.0"."""
    written = text[word.start : word.end]
    return (
        word.kind == "number"
        and not word.needs_left
        and not _YEAR.fullmatch(written)
        and not written[0].isalpha()
    )


def _value(word: str, key: str, kind: str, *, initial: bool) -> float:
    """How much hiding the word tests recall: rarity, more for names and numbers, less for verbs."""
    if kind == "stop":
        return 0.0
    if kind == "number":
        return _NUMBER_VALUE + (_UNIT_BONUS if _UNIT_ATTACHED.fullmatch(word) else 0.0)
    value = _rarity(key) + (_COMPOUND_BONUS if "-" in key else 0.0)
    if _is_name(word, initial=initial):
        value += _CAPITAL_BONUS
    elif _is_verb(key):
        value -= _VERB_COST
    return max(value, _UNIT_VALUE) if kind == "unit" else value


def _is_name(word: str, *, initial: bool) -> bool:
    """A capital says "name" unless it only starts a sentence; "AI" and "SpaceX" always do."""
    head = word.rsplit("-", 1)[-1]  # "Earth-bound" is no name, "Rolls-Royce" is
    return any(char.isupper() for char in head[1:]) or (
        head[0].isupper() and not (initial and head == word)
    )


def _is_adverb(key: str) -> bool:
    """An -ly word built on a known word: "globally", "basically", "easily"."""
    stems = [key[:-2], key[:-4] if key.endswith("ically") else "", key[:-3] + "y"]
    return key.endswith("ly") and _is_known_stem(stems)


def _is_verb(key: str) -> bool:
    """An -ing word built on a known word: "harnessing", "declining", "planning"."""
    stem = key[:-3]
    doubled = stem[:-1] if len(stem) > 1 and stem[-1] == stem[-2] else ""
    return key.endswith("ing") and _is_known_stem([stem, stem + "e", doubled])


def _is_known_stem(stems: list[str]) -> bool:
    """Whether a stem is a common word, and long enough not to be chance ("ear" in "early").

    A compound is no stem: "walk-daily" and "self-sustaining" name things.
    """
    return any(len(stem) >= 4 and stem.isalpha() and _zipf(stem) >= 3.0 for stem in stems)


def _rarity(key: str) -> float:
    """How rare a word is in English: 0 for "the", 8 for a word wordfreq has never seen."""
    return max(0.0, _MAX_ZIPF - _zipf(key))


@lru_cache(maxsize=65536)
def _zipf(key: str) -> float:
    """wordfreq's Zipf frequency, cached: the same words come back in every card."""
    return float(zipf_frequency(key, "en"))


def _phrases(words: list[_Word], max_length: int) -> list[tuple[int, int]]:
    """Index pairs (first, last) of every phrase: a run of neighbours that join."""
    phrases: list[tuple[int, int]] = []
    for first, word in enumerate(words):
        if word.kind == "stop":
            continue
        last = first
        phrases.append((first, last))
        while last - first + 1 < max_length and last + 1 < len(words) and _join(words, last):
            last += 1
            phrases.append((first, last))
    return phrases


def _join(words: list[_Word], index: int) -> bool:
    """Whether words[index] and the next word belong to one phrase."""
    left, right = words[index], words[index + 1]
    if not right.joins_previous:
        return False
    return (left.kind, right.kind) in _JOINS or right.needs_left or left.needs_right


def _score(phrase: list[_Word]) -> float:
    """The words' values, less a cost per extra word, so a phrase must beat its best word."""
    return sum(word.value for word in phrase) - _JOIN_COST * (len(phrase) - 1)


# -- judging a phrase someone else chose (``podcards check``) ------------------------------

_DISTINCTIVE_ZIPF = 4.5  # rarer than about 1 word in 30,000: "robot", "decline", "Musk"


def is_distinctive(word: str) -> bool:
    """Whether a word on the front would give its answer away: a number, an abbreviation,
    or a word rarer than everyday English; never a stopword."""
    key = _key(_POSSESSIVE.sub("", word))
    if not key or key in _STOPWORDS:
        return False
    if any(char.isdigit() for char in key) or _ABBREVIATION.fullmatch(word):
        return True
    return _zipf(key) < _DISTINCTIVE_ZIPF


def is_action_word(word: str) -> bool:
    """An -ing form of a common verb ("reversing", "planning"): an action, not a fact."""
    return _is_verb(_key(word))
