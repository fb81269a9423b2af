"""A damaged lock is a `path:line` message in build, diff and retire: never a traceback."""

from __future__ import annotations

import json

import pytest

from conftest import Project


def released(project: Project) -> list[str]:
    project.deck()
    assert project.build().exit_code == 0
    return project.lock.read_text(encoding="utf-8").splitlines()


def first_note(lines: list[str]) -> int:
    return next(n for n, line in enumerate(lines) if line.startswith('{"note"'))


def damage(lines: list[str], change: dict[str, object], drop: str = "") -> list[str]:
    index = first_note(lines)
    entry = json.loads(lines[index]) | change
    entry.pop(drop, None)
    return [*lines[:index], json.dumps(entry), *lines[index + 1 :]]


@pytest.mark.parametrize(
    ("change", "drop", "message"),
    [
        ({}, "fields", "unreadable lock entry: it has no 'fields'"),
        ({"mod": 10**30}, "", "unreadable lock entry: 'mod' is out of range"),
        ({"mod": "soon"}, "", "unreadable lock entry: 'mod' is not a whole number"),
        ({"type": "basic"}, "", "unreadable lock entry: unknown note type 'basic'"),
        ({"fields": ["x"]}, "", "unreadable lock entry: its hash does not match its fields"),
        ({"retired": "yes"}, "", "unreadable lock entry: 'retired' is not a time"),
    ],
)
@pytest.mark.parametrize("command", [["build"], ["diff"], ["retire"]])
def test_a_damaged_entry_names_its_line(
    project: Project, change: dict[str, object], drop: str, message: str, command: list[str]
) -> None:
    lines = released(project)
    project.lock.write_text("\n".join(damage(lines, change, drop)) + "\n", encoding="utf-8")
    before = project.snapshot()
    result = project.run(*command)
    assert result.exit_code == 1, result.output
    assert "Traceback" not in result.output
    line = first_note(lines) + 1
    assert result.output.startswith(f"decks/podcards.lock:{line}: {message}")
    assert "restore the file from git" in result.output
    assert project.snapshot() == before


@pytest.mark.parametrize("command", [["build"], ["diff"], ["retire"]])
def test_a_lock_that_is_not_utf8_or_not_a_file(project: Project, command: list[str]) -> None:
    lines = released(project)
    project.lock.write_bytes(("\n".join(lines[:3]) + "\n\xff\xfe garbage\n").encode("latin-1"))
    result = project.run(*command)
    assert result.exit_code == 1
    assert result.output.startswith("decks/podcards.lock:4: the lock is not UTF-8 text")
    project.lock.unlink()
    project.lock.mkdir()
    result = project.run(*command)
    assert result.exit_code == 1
    assert result.output.strip() == "decks/podcards.lock: is a folder, not a lock file"


def test_an_entry_that_is_not_an_object(project: Project) -> None:
    lines = released(project)
    project.lock.write_text("\n".join([*lines, "[1, 2]", "{"]) + "\n", encoding="utf-8")
    result = project.build()
    assert result.exit_code == 1
    found = result.output.strip().splitlines()
    assert found[0] == (
        f"decks/podcards.lock:{len(lines) + 1}: unreadable lock entry: not a JSON object; "
        "restore the file from git rather than editing it by hand"
    )
    assert found[1].startswith(f"decks/podcards.lock:{len(lines) + 2}: unreadable lock entry")
