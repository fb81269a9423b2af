"""What ``docs/card-design.md`` asks of a card, checked on the cards a deck renders to.

Every rule here gives warnings, never errors: a build goes ahead, ``podcards check``
reports them (``--strict`` fails on them) and the preview shows each one beside its card.
A rule judges what a learner will see (the rendered fields), so it holds for an author's
own templates as much as for the built-in ones.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, fields
from itertools import combinations

from podcards.cloze import deletions, plain
from podcards.deck import Card, CustomCard, Deck, Framework, Item, NoteKind
from podcards.errors import Location, Problem, Severity
from podcards.keyphrase import is_action_word, is_distinctive
from podcards.notes_text import text_of
from podcards.words import is_stopword

ANSWER_WORDS = 10  # recalled in a few seconds: a phrase, never a paragraph
FRONT_WORDS = 45  # read in a few seconds: a sentence or two and the cue
PARAGRAPH_WORDS = 50  # an item's text longer than this is a paragraph, not one idea
PARAGRAPH_SENTENCES = 3
MOST_OF_SENTENCE = 0.5  # a cloze hiding more than this share of its sentence asks too much
SAME_FACT = 0.75  # share of the shorter text's words the other also has: one fact twice
SAME_FACT_MIN_WORDS = 4  # fewer meaningful words than this say too little to compare
_SUMMARY_WORDS = 35  # as render.one_idea: a framework summary card states one idea

_WORD = re.compile(r"[^\W_]+(?:['’\-.,][^\W_]+)*%?")
_SENTENCE = re.compile(r"(?<=[.!?…])[\"”’)]*\s+")
_BOLD = re.compile(r"<b>(.*?)</b>(\s*:)?", re.S)
_DETERMINERS = frozenset(
    {"a", "an", "the", "this", "that", "these", "those", "its", "his", "her", "their", "our"}
    | {"your", "my"}
)
# "will {{grow}}"; not "to", which as often comes before a noun ("to {{orbit}}")
_BEFORE_A_VERB = frozenset(
    {"will", "would", "can", "could", "may", "might", "must", "shall", "should"}
    | {"do", "does", "did", "don't", "won't", "can't", "cannot"}
)
_OBJECT_WORDS = _DETERMINERS | {"it", "them", "him", "us", "me", "some", "every", "each"}


@dataclass(frozen=True)
class Face:
    """One card as a learner meets it: the cue and prompt on the front, what to recall."""

    card: Card
    ord: int  # Anki's ordinal: 0 for a question card, N-1 for cloze N
    cue: str  # the Context field, as text
    prompt: str  # the rest of the front, as text
    answer: str  # what the learner has to recall, as text
    name: str  # "question card", "cloze card", "cloze card c2"

    @property
    def front(self) -> str:
        return f"{self.cue} {self.prompt}".strip()


def review(deck: Deck, cards: Sequence[Card]) -> list[Problem]:
    """Every card-quality warning about a deck's items and cards, in file order."""
    items = {_item_key(item, framework): (item, framework) for item, framework in deck.items()}
    problems: list[Problem] = []
    faces: list[Face] = []
    for card in cards:
        item, _ = items[card.key.rsplit("/", 1)[0]]
        for face in card_faces(card):
            faces.append(face)
            problems += _face_problems(item, face)
        problems += _cloze_problems(item, card)
        problems += _none_shown(item, card)
    problems += _same_fronts(items, faces)
    for item, _ in items.values():
        problems += _item_problems(item)
    problems += _same_facts([item for item, _ in items.values()])
    return problems


def card_faces(card: Card) -> list[Face]:
    """The cards a note gives: one for a question note, one per deletion number of a cloze."""
    stem = card.key.rsplit("/", 1)[1]
    cue = text_of(card.fields[1 if card.notetype is NoteKind.CLOZE else 2])
    if card.notetype is NoteKind.QA:
        front, back = card.fields[0], card.fields[1]
        return [Face(card, 0, cue, text_of(front), _answer_of(back), f"{stem} card")]
    numbers = sorted({int(d.number) for d in deletions(card.fields[0]) if d.number.isdigit()})
    faces = []
    for number in numbers:
        prompt, answers = _hide(card.fields[0], number)
        name = f"{stem} card" + (f" c{number}" if len(numbers) > 1 else "")
        faces.append(Face(card, number - 1, cue, text_of(prompt), text_of(answers), name))
    return faces


_KEY = re.compile(r'<div class="pc-key">(.*?)</div>', re.DOTALL)


def _hide(text: str, number: int) -> tuple[str, str]:
    """The cloze text as card ``number`` shows it, and what that card hides."""
    shown: list[str] = []
    hidden: list[str] = []
    position = 0
    for deletion in deletions(text):
        shown.append(text[position : deletion.start])
        if deletion.number == str(number):
            shown.append(f"[{deletion.hint or '...'}]")
            hidden.append(deletion.answer)
        else:
            shown.append(deletion.answer)
        position = deletion.end
    shown.append(text[position:])
    return "".join(shown), " … ".join(hidden)


def _answer_of(back: str) -> str:
    """What a question card asks for: the key phrase the back puts first (``pc-key``), or
    its bold key phrase (a bold label before a colon names the subject, not the answer),
    else the whole back."""
    if key := _KEY.search(back):
        return text_of(key[1])
    marked = [match[1] for match in _BOLD.finditer(back) if not match[2]]
    return text_of(" … ".join(marked) if marked else back)


def _item_key(item: Item, framework: Framework | None) -> str:
    return f"{item.KIND}/{framework.id}/{item.id}" if framework else f"{item.KIND}/{item.id}"


def _about(item: Item) -> str:
    return f"{item.KIND} '{item.id}'"


def _warn(where: Location, code: str, message: str) -> Problem:
    return Problem(where, message, Severity.WARNING, code)


def _main_key(item: Item) -> str:
    """The key that holds what the item states."""
    if isinstance(item, Framework):
        return "summary"
    if isinstance(item, CustomCard):
        return "cloze" if item.cloze else "front"
    return "text"


def _where(item: Item, face: Face) -> Location:
    """The line at fault: the question where the item's own question is the front."""
    if face.card.notetype is NoteKind.QA and item.question and face.name.startswith("question"):
        return item.where("question")
    return item.where(_main_key(item))


# -- one card -------------------------------------------------------------------------------


def words(text: str) -> list[str]:
    return _WORD.findall(text)


def _stem(word: str) -> str:
    """A word as compared: case, possessive and plural aside ("Humans'" is "human")."""
    key = re.sub(r"['’]s?$", "", word.lower())
    return key[:-1] if len(key) > 3 and key.endswith("s") and not key.endswith("ss") else key


def _phrase(text: str) -> str:
    return " " + " ".join(_stem(word) for word in words(text)) + " "


def _face_problems(item: Item, face: Face) -> list[Problem]:
    where, about = _where(item, face), f"{_about(item)}: its {face.name}"
    problems = []
    if leak := _leak(face):
        problems.append(_warn(where, "answer-on-front", f"{about} {leak}"))
    answer_words = len(words(face.answer))
    if answer_words > ANSWER_WORDS:
        problems.append(
            _warn(
                where,
                "too-long",
                f"{about} asks for {answer_words} words: an answer recalled in a few seconds "
                f"has at most {ANSWER_WORDS}; mark a shorter key phrase",
            )
        )
    front_words = len(words(face.front))
    if front_words > FRONT_WORDS:
        problems.append(
            _warn(
                where,
                "too-long",
                f"{about} has {front_words} words on its front, more than can be read in a "
                f"few seconds ({FRONT_WORDS}); shorten the text or the cue",
            )
        )
    return problems


def _leak(face: Face) -> str:
    """How the front gives the answer away, or ""."""
    answer = _phrase(face.answer)
    if all(is_stopword(word) for word in words(face.answer)):
        return ""  # nothing to give away (and cloze-stopword says what is wrong)
    cloze = face.card.notetype is NoteKind.CLOZE
    hides = f"hides '{face.answer}'" if cloze else f"asks for '{face.answer}'"
    if answer in _phrase(face.cue):
        return f"{hides}, which its cue shows: the answer is on the front"
    if answer in _phrase(face.prompt):
        return f"{hides}, which the front shows: the answer is on the front"
    if len(words(face.answer)) > ANSWER_WORDS:
        return ""  # a word shared with a long answer gives nothing away
    shown = {_stem(word) for word in words(face.front)}
    given = [
        word
        for word in words(face.answer)
        if len(word) >= 3 and is_distinctive(word) and _stem(word) in shown
    ]
    if given:
        place = "cue" if _stem(given[0]) in {_stem(w) for w in words(face.cue)} else "front"
        return (
            f"{hides}, but its {place} shows '{given[0]}': a distinctive word of the answer "
            "is on the front"
        )
    return ""


def _cloze_problems(item: Item, card: Card) -> list[Problem]:
    if card.notetype is not NoteKind.CLOZE:
        return []
    text = card.fields[0]
    where = item.where(_main_key(item))
    about = f"{_about(item)}: its {card.key.rsplit('/', 1)[1]} card"
    problems = []
    for deletion in deletions(text):
        answer = text_of(deletion.answer)
        hidden = words(answer)
        sentence = _sentence_around(text, deletion.start, deletion.end)
        if not hidden or all(is_stopword(word) for word in hidden):
            message = f"hides '{answer}', a word that carries no meaning of its own"
            problems.append(_warn(where, "cloze-stopword", f"{about} {message}"))
        elif len(hidden) / max(1, len(words(sentence))) > MOST_OF_SENTENCE:
            message = (
                f"hides '{answer}', {len(hidden)} of the {len(words(sentence))} words of its "
                "sentence: hide the one phrase that carries the meaning"
            )
            problems.append(_warn(where, "cloze-most", f"{about} {message}"))
        elif len(hidden) == 1 and _is_lone_verb(text, deletion.start, deletion.end):
            message = (
                f"hides '{answer}', a lone verb: hide the fact (a term, a number, a name) instead"
            )
            problems.append(_warn(where, "cloze-verb", f"{about} {message}"))
    return problems


def _sentence_around(text: str, start: int, end: int) -> str:
    """The revealed sentence that holds the deletion at [start, end)."""
    before = text_of(plain(text[:start]))
    after = text_of(plain(text[end:]))
    head = _SENTENCE.split(before)[-1] if before else ""
    tail = _SENTENCE.split(after)[0] if after else ""
    return f"{head} {text_of(plain(text[start:end]))} {tail}"


def _is_lone_verb(text: str, start: int, end: int) -> bool:
    """A one-word deletion that reads as an action: after a modal ("will {{grow}}"), before
    an object ("{{builds}} the robot"), or an -ing form not used as a noun. Names and
    numbers ("in {{2030}} the robots") are facts wherever they stand."""
    previous = words(text_of(plain(text[:start])))[-1:]
    following = words(text_of(plain(text[end:])))[:1]
    word = words(text_of(plain(text[start:end])))[0]
    if not (word.isalpha() and word.islower()):
        return False
    after_marker = bool(previous) and previous[0].lower() in _BEFORE_A_VERB
    before_object = bool(following) and following[0].lower() in _OBJECT_WORDS
    as_noun = bool(previous) and previous[0].lower() in _DETERMINERS
    return after_marker or before_object or (is_action_word(word) and not as_noun)


def _none_shown(item: Item, card: Card) -> list[Problem]:
    """A template that printed an optional value the item does not have."""
    written = " ".join(
        value for value in (getattr(item, f.name) for f in fields(item)) if isinstance(value, str)
    )
    if "None" in words(written):
        return []
    if any("None" in words(text_of(field)) for field in card.fields):
        return [
            _warn(
                item.location,
                "shows-none",
                f"{_about(item)}: its {card.key.rsplit('/', 1)[1]} card shows 'None': its "
                "template prints a value this item does not have; guard it with {% if ... %}",
            )
        ]
    return []


def _same_fronts(
    items: dict[str, tuple[Item, Framework | None]], faces: list[Face]
) -> list[Problem]:
    first: dict[str, Face] = {}
    problems = []
    for face in faces:
        other = first.setdefault(_phrase(face.front), face)
        if other is not face:
            item, _ = items[face.card.key.rsplit("/", 1)[0]]
            problems.append(
                _warn(
                    _where(item, face),
                    "same-front",
                    f"{_about(item)}: its {face.name} has the same front as "
                    f"{other.card.key} ({other.card.location}): a learner cannot tell "
                    "which answer is asked for",
                )
            )
    return problems


# -- one item, and items together ------------------------------------------------------------


def stated(item: Item) -> str:
    """What an item states, as text: its text, summary, or a hand-written card's sides."""
    if isinstance(item, CustomCard):
        parts = [item.cloze or "", item.front or "", item.back or ""]
        return " ".join(plain(part) for part in parts if part).strip()
    return plain(str(getattr(item, _main_key(item), None) or ""))


def _item_problems(item: Item) -> list[Problem]:
    problems = []
    text = stated(item)
    sentences = [s for s in _SENTENCE.split(text.strip()) if s]
    count = len(words(text))
    key = _main_key(item)
    if count > PARAGRAPH_WORDS or len(sentences) >= PARAGRAPH_SENTENCES:
        problems.append(
            _warn(
                item.where(key),
                "paragraph",
                f"{_about(item)}: its {key} is a paragraph ({count} words, {len(sentences)} "
                "sentences): a card tests one idea; split it into items, one fact each",
            )
        )
    summary = item.summary if isinstance(item, Framework) and not item.question else None
    if summary and (why := _not_one_idea(summary)):
        problems.append(
            _warn(
                item.where("summary"),
                "summary-list",
                f"{_about(item)}: its summary {why}, so it gets no card; state its core "
                "idea in one short sentence (its components carry the parts)",
            )
        )
    return problems


def _not_one_idea(summary: str) -> str:
    """Why a framework summary is no one-idea card (as ``render.one_idea`` decides), or ""."""
    text = plain(summary).strip()
    if ";" in text or text.count(",") >= 3 or "\n" in text or re.match(r"[-*•]\s", text):
        return "is a list"
    sentences = [s for s in _SENTENCE.split(text) if s]
    if len(sentences) > 1:
        return f"has {len(sentences)} sentences"
    if len(words(text)) > _SUMMARY_WORDS:
        return f"has {len(words(text))} words (a one-idea summary has at most {_SUMMARY_WORDS})"
    return ""


def _meaningful(text: str) -> frozenset[str]:
    return frozenset(_stem(word) for word in words(text) if not is_stopword(word))


def _same_facts(items: list[Item]) -> Iterator[Problem]:
    """Two items whose texts share most of their words state one fact: the second card
    would be answered from short-term memory of the first."""
    meaning = {id(item): _meaningful(stated(item)) for item in items}
    for first, second in combinations(items, 2):
        a, b = meaning[id(first)], meaning[id(second)]
        smaller = min(len(a), len(b))
        if smaller >= SAME_FACT_MIN_WORDS and len(a & b) / smaller >= SAME_FACT:
            yield _warn(
                second.where(_main_key(second)),
                "same-fact",
                f"{_about(second)} states what {_about(first)} ({first.location}) states: "
                "one fact, one card; keep the better one, or make each say something different",
            )
