"""Properties over generated decks (hypothesis): text as typed, stable GUIDs, same bytes.

Examples are few (each builds a deck, some import it into a real Anki collection), so the
whole file runs in seconds; hypothesis keeps the failing ones in its database for the
next run.
"""

from __future__ import annotations

import html
import itertools
import random
import shutil
import tempfile
import unicodedata
from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st
from test_text_as_typed import mathjax_strings

from podcards.build import plan
from podcards.cloze import scan
from podcards.deckfile import dump_yaml
from podcards.scaffold import is_placeholder

from anki_collection import Learner
from conftest import Project

FEW = settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)

MARKUP_LIKE = [
    "[sound:a.mp3]",
    "[anki:tts lang=en_US]hi[/anki:tts]",
    "\\(x^2\\)",
    "\\[y\\]",
    "[$]z[/$]",
    "[$$]w[/$$]",
    "[latex]v[/latex]",
    "<b>bold</b>",
    "<br>",
    "&amp;",
    "&lt;",
    "&#91;",
    "{{Front}}",
    "{{ item.text }}",
    "{% if 1 %}",
    "%s {0}",
    "}}",
    "::",
    "'",
    '"',
    "\\",
    "# not a comment",
    "- not a list",
    "key: value",
    "\u202eright to left\u202c",
    "שלום עולם",
    "مرحبا",
    "e\u0301\u0301",
    "👩\u200d👩\u200d👧",
    "\u200b",
    "\u00a0",
    "3.10",
    "010",
    "null",
    "~",
    "yes",
    "[…]",
]

TEXT = st.lists(
    st.one_of(
        st.sampled_from(MARKUP_LIKE),
        st.text(
            st.characters(
                blacklist_categories=("Cs", "Cc", "Co", "Cn"),
                blacklist_characters="\u2028\u2029\x85",
            ),
            min_size=1,
            max_size=12,
        ),
    ),
    min_size=1,
    max_size=6,
).map(" ".join)


def usable(text: str) -> str:
    """The text as the deck reader keeps it: stripped; no cloze markup in a plain field."""
    text = text.strip()
    assume(text)
    found = scan(text)
    assume(not found.deletions and not found.problems)
    assume(not is_placeholder(text))  # what `podcards new` writes is refused on purpose
    return text


def shown(field: str) -> str:
    """A field's text as the learner reads it: podcards' MathJax breaks out, entities read."""
    return html.unescape(field.replace("<span></span>", ""))


_counter = itertools.count()


@pytest.fixture(scope="module")
def learner(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Learner]:
    collection = Learner(tmp_path_factory.mktemp("learner") / "collection.anki2")
    yield collection
    collection.close()


@pytest.fixture(scope="module")
def workspace(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("examples")


def deck_with(text: str, number: int) -> dict[str, object]:
    return {
        "podcards": "1",
        "deck": {"id": f"prop-{number}", "name": f"Props::{number}"},
        "episode": {"podcast": text, "title": text},
        "quotes": [
            {
                "id": "said",
                "text": "Something {{c1::worth}} remembering.",
                "speaker": text,
                "context": text,
            }
        ],
        "cards": [{"id": "typed", "front": text, "back": text}],
    }


@FEW
@given(raw=TEXT)
def test_any_text_survives_build_and_import_as_typed(
    raw: str, learner: Learner, workspace: Path
) -> None:
    text = usable(raw)
    number = next(_counter)
    project = Project(Path(tempfile.mkdtemp(dir=workspace)))
    (project.decks / "deck.yaml").write_text(
        dump_yaml(deck_with(text, number)).replace("podcards: '1'", "podcards: 1"),
        encoding="utf-8",
    )
    result = project.build()
    assert result.exit_code == 0, result.output
    log = learner.import_package(project.dist / f"prop-{number}.apkg")
    assert log.new == log.found >= 2  # the quote's card(s) and the hand-written one
    notes = [learner.col.get_note(nid) for nid in learner.col.find_notes(f'"deck:Props::{number}"')]
    for note in notes:
        for card in note.cards():
            output = card.render_output()
            for side in (output.question_text, output.answer_text):
                assert "[anki:play" not in side  # no sound, no text to speech
                assert "latex-" not in side  # no LaTeX image
                for string in mathjax_strings(side):  # no MathJax
                    assert "\\(" not in string and "\\[" not in string
    fields = [{name: shown(value) for name, value in note.items()} for note in notes]
    text = unicodedata.normalize("NFC", text)  # how Anki keeps every text it imports
    hand_written = [f for f in fields if f.get("Front") == text and f.get("Back") == text]
    assert hand_written, "the hand-written card shows exactly the text, front and back"
    quoted = [f for f in fields if "Text" in f]
    assert quoted and all(text in f["Text"] for f in quoted)  # the quote's speaker
    assert all(f["Source"].startswith(f"{text} · {text}") for f in fields)  # podcast, title
    shutil.rmtree(project.root)


def reordered_deck(texts: list[str], order: list[int]) -> dict[str, object]:
    insights = [
        {"id": f"insight-{n}", "text": f"{texts[n]} has a {{{{c1::point}}}} here."}
        for n in range(len(texts))
    ]
    cards = [
        {"id": f"card-{n}", "front": texts[n], "back": texts[-1 - n]} for n in range(len(texts))
    ]
    return {
        "podcards": "1",
        "deck": {"id": "stable", "name": "Stable"},
        "episode": {"podcast": texts[0], "title": texts[-1]},
        "insights": [insights[n] for n in order],
        "cards": [cards[n] for n in order],
    }


def planned_guids(folder: Path, data: dict[str, object]) -> dict[str, str]:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "deck.yaml").write_text(
        dump_yaml(data).replace("podcards: '1'", "podcards: 1"), encoding="utf-8"
    )
    planned = plan([folder / "deck.yaml"])
    return {
        change.key: change.after.guid
        for changes in planned.release.changes.values()
        for change in changes.notes
    }


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    before=st.lists(TEXT, min_size=2, max_size=5),
    after=st.lists(TEXT, min_size=5, max_size=5),
    seed=st.integers(0, 10**6),
)
def test_guids_do_not_change_with_text_or_order(
    before: list[str], after: list[str], seed: int, tmp_path_factory: pytest.TempPathFactory
) -> None:
    first = [usable(text) for text in before]
    second = [usable(text) for text in after[: len(first)]]
    order = list(range(len(first)))
    random.Random(seed).shuffle(order)
    root = tmp_path_factory.mktemp("guids")
    old = planned_guids(root / "old", reordered_deck(first, list(range(len(first)))))
    new = planned_guids(root / "new", reordered_deck(second, order))
    assert old == new


@settings(max_examples=10, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(texts=st.lists(TEXT, min_size=1, max_size=4))
def test_the_same_sources_give_the_same_bytes(
    texts: list[str], tmp_path_factory: pytest.TempPathFactory
) -> None:
    kept = [usable(text) for text in texts]
    deck = dump_yaml(reordered_deck(kept, list(range(len(kept)))))
    outputs = []
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("SOURCE_DATE_EPOCH", "1760000000")
        for name in ("one", "two"):
            project = Project(tmp_path_factory.mktemp(name))
            project.write("decks/deck.yaml", deck.replace("podcards: '1'", "podcards: 1"))
            result = project.build()
            assert result.exit_code == 0, result.output
            outputs.append(((project.dist / "stable.apkg").read_bytes(), project.lock.read_bytes()))
    assert outputs[0] == outputs[1]
