"""A member who imports a release late, after the next one was built, on any Anki.

Anki 2.1.55 to 24.11 stamp every note an import updates with the time of the import, so
such a member skips the next release's change to those notes ("up-to-date copy"). podcards
re-sends a note changed again in the releases that follow, with their own time: the member
gets the change one release later. The releases here are built at times around the real
clock, because that is what the old importer stamps; CI runs this file against anki 24.11
as well as the newest.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import Result

from anki_collection import STAMPS_IMPORT_TIME, Learner
from conftest import MINIMAL_DECK, Project

pytestmark = pytest.mark.anki

DAY = 86_400
HABIT_TEXT = "Combine imagination with rigorous analysis."


@pytest.fixture
def learner(tmp_path: Path) -> Iterator[Learner]:
    member = Learner(tmp_path / "collection.anki2")
    yield member
    member.close()


def build_at(project: Project, monkeypatch: pytest.MonkeyPatch, epoch: int, deck: str) -> Result:
    project.deck(deck)
    monkeypatch.setenv("SOURCE_DATE_EPOCH", str(epoch))
    result = project.build()
    assert result.exit_code == 0, result.output
    return result


def habit(learner: Learner) -> str:
    (note_id,) = learner.col.find_notes("tag:podcards::habit")
    return str(learner.col.get_note(note_id)["Text"])


def test_a_late_member_gets_a_skipped_change_with_the_next_release(
    project: Project, learner: Learner, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    now = int(time.time())
    package = project.dist / "test-deck.apkg"
    kept: dict[str, Path] = {}

    def keep(name: str) -> Path:
        kept[name] = tmp_path / f"{name}.apkg"
        kept[name].write_bytes(package.read_bytes())
        return kept[name]

    build_at(project, monkeypatch, now - 3 * DAY, MINIMAL_DECK)
    learner.import_package(keep("first"))
    careful = MINIMAL_DECK.replace("rigorous analysis", "careful analysis")
    build_at(project, monkeypatch, now - 2 * DAY, careful)
    keep("second")
    patient = MINIMAL_DECK.replace("rigorous analysis", "patient analysis")
    build_at(project, monkeypatch, now - DAY, patient)  # changed again
    keep("third")

    # the member imports the second release only now: after the third was built
    log = learner.import_package(kept["second"])
    assert log.updated == 1
    log = learner.import_package(kept["third"])
    if STAMPS_IMPORT_TIME:
        assert log.updated == 0, "the old importer skips the third release's change"
        assert "careful analysis" in habit(learner)
    else:
        assert log.updated == 1
        assert "patient analysis" in habit(learner)

    # the next release changes something else, a moment after the member's import
    epoch = int(time.time()) + 1
    other = patient.replace("polynomial tables", "tables of polynomials")
    result = build_at(project, monkeypatch, epoch, other)
    assert "re-sent 1 unchanged notes that changed again lately" in result.output
    log = learner.import_package(package)
    assert log.updated == 2  # the reference that changed, and the habit re-sent
    assert "patient analysis" in habit(learner)
    assert (log.new, log.conflicting) == (0, 0)


def test_a_member_who_imports_on_time_sees_a_re_sent_note_as_updated_only(
    project: Project, learner: Learner, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The cost of the recovery for everyone else: an update with the text they have."""
    decks = [
        MINIMAL_DECK,
        MINIMAL_DECK.replace("rigorous analysis", "careful analysis"),
        MINIMAL_DECK.replace("rigorous analysis", "patient analysis"),
        MINIMAL_DECK.replace("rigorous analysis", "patient analysis").replace(
            "polynomial tables", "tables of polynomials"
        ),
    ]
    logs = []
    for deck in decks:
        # on time: each release is built after the member's last import
        build_at(project, monkeypatch, int(time.time()) + 1, deck)
        logs.append(learner.import_package(project.dist / "test-deck.apkg"))
    assert [log.updated for log in logs] == [0, 1, 1, 2]
    assert "patient analysis" in habit(learner)
    assert learner.note_count() == 9
