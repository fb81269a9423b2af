"""Every pattern build, diff and retire run on a user's text, on long adversarial text.

Each input is the shape that makes a backtracking pattern slow (an opener that never
closes, a run that almost matches), at a length where quadratic work would take minutes;
each must finish in a couple of seconds.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import replace

import pytest

from podcards import cloze, deck, keyphrase, notes_text, notetypes, release, render, sources
from podcards.ankimarkup import shown_as_typed
from podcards.deck import NoteKind
from podcards.lockfile import LockedNote

N = 200_000


def note(text: str) -> LockedNote:
    return LockedNote("g", "d", "insight/x/cloze", NoteKind.CLOZE, (text,), (), 0)


CASES: dict[str, Callable[[], object]] = {
    "cloze: openers that never close": lambda: cloze.scan("{{c1::" * (N // 6)),
    "cloze: an opener, then a long answer": lambda: cloze.scan("{{c1::" + "a" * N),
    "cloze: numbers and commas": lambda: cloze.scan("{{c" + "1," * (N // 2)),
    "cloze: almost a deletion": lambda: cloze.scan("{ c 1 " * (N // 6)),
    "cloze: c1:: without braces": lambda: cloze.scan("c1:" * (N // 3)),
    "cloze: deletions and braces": lambda: cloze.scan("{{c1::x}}{" * (N // 10)),
    "cloze: blank check on <<<": lambda: cloze.is_blank("<" * N),
    "the cue's text, tags on <<<": lambda: notes_text.text_of("<" * N),
    "render: mask a long name": lambda: render.mask("word " * (N // 5), "word " * 2000),
    "render: mask runs of masks": lambda: render.mask("[…] " * (N // 4) + "x", "x"),
    "render: highlight": lambda: render.highlight("Ab1 x-y " * (N // 8)),
    "keyphrase: one long hyphenated word": lambda: keyphrase.find_key_phrase("ab-" * (N // 3)),
    "keyphrase: digits and dots": lambda: keyphrase.find_key_phrase("1.1" * (N // 3)),
    "keyphrase: many words": lambda: keyphrase.find_key_phrase("word " * (N // 5)),
    "keyphrase: percent signs": lambda: keyphrase.find_key_phrase("1%" * (N // 2)),
    "deck: slug of apostrophes": lambda: deck.slug("a'" * (N // 2)),
    "deck: a long id": lambda: deck.is_valid_id("a" * N),
    "sources: a long moment": lambda: sources._MOMENT.fullmatch("1" * N + ":"),
    "notetypes: references that never close": lambda: notetypes._REFERENCE.findall(
        "{{" + "a" * N + "}"
    ),
    "release: likeness of two long texts": lambda: release._likeness(
        note("w1 w2 w3 " * (N // 9)), note("w2 w3 w1 " * (N // 9))
    ),
    "ankimarkup: brackets and backslashes": lambda: shown_as_typed("[\\(<" * (N // 4)),
}


@pytest.mark.parametrize("run", CASES.values(), ids=list(CASES))
def test_a_pattern_on_long_adversarial_text_is_quick(run: Callable[[], object]) -> None:
    start = time.perf_counter()
    run()
    assert time.perf_counter() - start < 3


def test_many_retired_and_new_items_are_not_compared_pair_by_pair() -> None:
    def change(status: release.NoteStatus, key: str) -> release.NoteChange:
        return release.NoteChange(status, replace(note(f"text of {key} " * 50), key=key))

    changes = release.DeckChanges(
        "d",
        tuple(change(release.NoteStatus.RETIRED, f"insight/old-{n}/cloze") for n in range(300))
        + tuple(change(release.NoteStatus.NEW, f"insight/new-{n}/cloze") for n in range(300)),
    )
    start = time.perf_counter()
    assert changes.renamed_items() == []
    assert time.perf_counter() - start < 3
