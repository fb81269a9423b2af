"""What the lock remembers of past releases: when each note changed, retired, was purged.

The times let `retire` say when a note was retired, `build` and `diff` say what a purge
stopped shipping, and a release re-send the notes a late member on Anki 2.1.55 to 24.11 may
have skipped.
"""

from __future__ import annotations

import json
from typing import Any

import pytest
from click.testing import Result

from podcards.release import RECOVERY_RELEASES

from conftest import MINIMAL_DECK, Project

DAY = 86_400
FIRST = 1_760_000_000
HABIT = "habit/poetical-science/cloze"
EXTRA_REFERENCE = "  - name: Punched cards\n    text: Cards carry {{c1::programs}}.\n"


def at(project: Project, monkeypatch: pytest.MonkeyPatch, day: int, *args: str) -> Result:
    monkeypatch.setenv("SOURCE_DATE_EPOCH", str(FIRST + day * DAY))
    result = project.build(*args)
    assert result.exit_code == 0, result.output
    return result


def lock_entries(project: Project) -> list[dict[str, Any]]:
    lines = project.lock.read_text(encoding="utf-8").splitlines()
    return [json.loads(line) for line in lines if line.strip() and not line.startswith("#")]


def note(project: Project, key: str) -> dict[str, Any]:
    (found,) = [entry for entry in lock_entries(project) if entry.get("key") == key]
    return found


def releases(project: Project) -> list[int]:
    (found,) = [entry["releases"] for entry in lock_entries(project) if "releases" in entry]
    return list(found)


def habit_text(words: str) -> str:
    return MINIMAL_DECK.replace("Combine imagination with rigorous analysis.", words)


def test_a_release_records_its_time_and_what_changed_in_it(
    project: Project, monkeypatch: pytest.MonkeyPatch
) -> None:
    project.deck()
    at(project, monkeypatch, 0)
    assert releases(project) == [FIRST]
    assert "changed" not in note(project, HABIT)
    project.deck(habit_text("Combine imagination with careful analysis."))
    at(project, monkeypatch, 1)
    assert releases(project) == [FIRST, FIRST + DAY]
    entry = note(project, HABIT)
    assert (entry["mod"], entry["changed"], entry["changes"]) == (FIRST + DAY, FIRST + DAY, 1)


def test_a_build_that_changes_nothing_is_no_release(
    project: Project, monkeypatch: pytest.MonkeyPatch
) -> None:
    project.deck()
    at(project, monkeypatch, 0)
    lock = project.lock.read_bytes()
    result = at(project, monkeypatch, 5)
    assert project.lock.read_bytes() == lock
    assert "re-sent" not in result.output


def test_a_clock_set_back_still_stamps_a_newer_time(
    project: Project, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Anki updates a note only when the package's mod is strictly newer than its own."""
    project.deck()
    at(project, monkeypatch, 5)
    project.deck(habit_text("Combine imagination with careful analysis."))
    at(project, monkeypatch, 3)
    assert note(project, HABIT)["mod"] == FIRST + 5 * DAY + 1
    assert releases(project) == [FIRST + 5 * DAY, FIRST + 5 * DAY + 1]


def test_only_the_last_few_releases_are_kept(
    project: Project, monkeypatch: pytest.MonkeyPatch
) -> None:
    project.deck()
    for day in range(RECOVERY_RELEASES + 2):
        project.deck(habit_text(f"Combine imagination with analysis number {day}."))
        at(project, monkeypatch, day)
    assert releases(project) == [FIRST + day * DAY for day in range(2, RECOVERY_RELEASES + 2)]


def test_a_note_changed_again_is_re_sent_in_the_next_releases(
    project: Project, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A late member on Anki 2.1.55 to 24.11 skipped the second change: it goes out again."""
    project.deck()
    at(project, monkeypatch, 0)
    project.deck(habit_text("Combine imagination with careful analysis."))
    at(project, monkeypatch, 1)  # its first change: nobody can have skipped it
    project.deck(habit_text("Combine imagination with careful, patient analysis."))
    at(project, monkeypatch, 2)  # changed again: a late member's import stamped the first
    changed = note(project, HABIT)
    assert (changed["changed"], changed["changes"]) == (FIRST + 2 * DAY, 2)

    deck = habit_text("Combine imagination with careful, patient analysis.")
    for day in range(3, 3 + RECOVERY_RELEASES):
        # each release changes something else; the habit note rides along, unchanged
        project.deck(deck.replace("polynomial tables", f"polynomial tables ({day})"))
        result = at(project, monkeypatch, day)
        entry = note(project, HABIT)
        assert entry["mod"] == FIRST + day * DAY
        assert (entry["changed"], entry["fields"]) == (changed["changed"], changed["fields"])
        assert "re-sent 1 unchanged notes that changed again lately" in result.output
    project.deck(deck.replace("polynomial tables", "polynomial tables, at last"))
    result = at(project, monkeypatch, 10)
    assert note(project, HABIT)["mod"] == FIRST + (2 + RECOVERY_RELEASES) * DAY
    assert "re-sent" not in result.output


def test_a_note_changed_once_is_never_re_sent(
    project: Project, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Every copy of it carries its first release's mod: no import stamped it, none skips."""
    project.deck()
    at(project, monkeypatch, 0)
    project.deck(habit_text("Combine imagination with careful analysis."))
    at(project, monkeypatch, 1)
    project.deck(habit_text("Combine imagination with careful analysis.") + EXTRA_REFERENCE)
    result = at(project, monkeypatch, 2)
    assert note(project, HABIT)["mod"] == FIRST + DAY
    assert "re-sent" not in result.output


def test_retire_says_when_each_note_was_retired(
    project: Project, monkeypatch: pytest.MonkeyPatch
) -> None:
    project.deck()
    at(project, monkeypatch, 0)
    project.deck(
        MINIMAL_DECK.replace("habits:\n  - name: Poetical science\n", "habits:\n").replace(
            "    text: Combine imagination with rigorous analysis.\n", ""
        )
    )
    at(project, monkeypatch, 1)
    result = project.run("retire")
    assert result.exit_code == 0
    assert result.output.startswith(f"test-deck: {HABIT} (retired 2025-10-10; ")


def test_purging_says_what_it_purged_and_build_and_diff_report_it(
    project: Project, monkeypatch: pytest.MonkeyPatch
) -> None:
    project.deck()
    at(project, monkeypatch, 0)
    project.deck(
        MINIMAL_DECK.replace("habits:\n  - name: Poetical science\n", "habits:\n").replace(
            "    text: Combine imagination with rigorous analysis.\n", ""
        )
    )
    at(project, monkeypatch, 1)
    monkeypatch.setenv("SOURCE_DATE_EPOCH", str(FIRST + 2 * DAY))
    result = project.run("retire", "--purge", "habit/poetical-science")
    assert result.output == (
        f"purged test-deck: {HABIT} (retired 2025-10-10); the next build no longer ships it\n"
    )
    lock = project.lock.read_bytes()
    again = project.run("retire", "--purge", "habit/poetical-science")
    assert again.exit_code == 0
    assert again.output == (
        "nothing to purge for 'habit/poetical-science': it was purged on 2025-10-11\n"
    )
    assert project.lock.read_bytes() == lock

    diff = project.run("diff")
    assert f"  x {HABIT} (purged: no longer shipped; members keep their copy)" in diff.output
    built = at(project, monkeypatch, 3)
    assert "0 new, 0 changed, 1 purged)" in built.output
    assert f"  purged {HABIT}: no longer shipped; members keep their copy" in built.output
    # once released, the purge is history: the next build has nothing to say about it
    again_built = at(project, monkeypatch, 4)
    assert "purged" not in again_built.output
