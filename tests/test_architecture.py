"""Dependencies point one way: a core of the standard library, one module per library."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import pytest

SOURCE = Path(__file__).resolve().parent.parent / "src" / "podcards"
CORE = {
    *("deck", "errors", "cloze", "clock", "words", "notetypes", "lockfile", "release"),
    *("notes_text", "diffing", "export"),  # what a release means to members, in words
    "ankimarkup",
}
# Jinja has two owners: render (templates to fields) and sandbox (what a template may do)
LIBRARIES = {
    "click": {"cli"},
    "yaml": {"sources"},
    "jinja2": {"render", "sandbox"},
    "genanki": {"anki"},
    "anki": {"anki_engine"},
    "markdown_it": {"ingest.markdown"},  # notes are read by a CommonMark parser
    "mdit_py_plugins": {"ingest.markdown"},
    "ruamel": {"ingest.roundtrip"},  # --update edits a deck file, comments kept
}


def imports_of(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    found = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.add(node.module)
            if node.module == "podcards":
                found |= {f"podcards.{alias.name}" for alias in node.names}
    return found


def modules() -> dict[str, set[str]]:
    return {
        ".".join(path.relative_to(SOURCE).with_suffix("").parts): imports_of(path)
        for path in SOURCE.rglob("*.py")
    }


def test_the_core_imports_nothing_but_the_standard_library_and_the_core() -> None:
    for name in CORE:
        for imported in modules()[name]:
            top = imported.split(".")[0]
            if top == "podcards":
                assert imported.split(".")[1] in CORE, (name, imported)
            else:
                assert top in sys.stdlib_module_names, (name, imported)


def test_each_library_is_imported_by_its_owners_only() -> None:
    for library, owners in LIBRARIES.items():
        importers = {
            name
            for name, found in modules().items()
            if any(i.split(".")[0] == library for i in found)
        }
        assert importers == owners, library


# Commands that build on the build's plan (check and preview judge and show what a build
# would ship); nothing below them may depend on the orchestration.
COMMANDS = {"cli", "check", "preview"}


def test_nothing_but_the_commands_import_build() -> None:
    importers = {name for name, found in modules().items() if "podcards.build" in found}
    assert "cli" in importers
    assert importers <= COMMANDS


@pytest.mark.parametrize(
    "args",
    [
        ["--help"],
        ["ingest", "--help"],
        ["schema"],
        ["check", "--help"],
        ["preview", "--help"],
        ["new", "--help"],
        ["init", "--help"],
    ],
)
def test_light_commands_load_no_heavy_library(args: list[str]) -> None:
    code = (
        "import sys\nfrom podcards.cli import main\n"
        "try:\n    main(sys.argv[1:])\nexcept SystemExit:\n    pass\n"
        "heavy = sorted(m for m in ('genanki', 'jinja2', 'wordfreq') if m in sys.modules)\n"
        "print('heavy:' + ','.join(heavy))\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code, *args], capture_output=True, text=True, check=True
    )
    assert result.stdout.strip().splitlines()[-1] == "heavy:"


def test_ingest_loads_no_heavy_library(tmp_path: Path) -> None:
    notes = tmp_path / "notes.md"
    notes.write_text(
        "Podcast: P\nTitle: T\n\nInsights\n- Slow is smooth and smooth is fast.\n",
        encoding="utf-8",
    )
    code = (
        "import sys\nfrom podcards.cli import main\n"
        "try:\n    main(['ingest', sys.argv[1], '-o', sys.argv[2]])\nexcept SystemExit:\n    pass\n"
        "heavy = sorted(m for m in ('genanki', 'jinja2', 'wordfreq') if m in sys.modules)\n"
        "print('heavy:' + ','.join(heavy))\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code, str(notes), str(tmp_path / "deck.yaml")],
        capture_output=True,
        text=True,
        check=True,
        cwd=tmp_path,
    )
    assert (tmp_path / "deck.yaml").is_file(), result.stdout + result.stderr
    assert result.stdout.strip().splitlines()[-1] == "heavy:"


def test_ci_runs_the_test_command_the_readme_shows() -> None:
    root = SOURCE.parent.parent
    readme = (root / "README.md").read_text(encoding="utf-8")
    commands = [
        line for line in readme.splitlines() if line.startswith("python3 -m venv .venv && ")
    ]
    assert len(commands) == 2
    assert commands[0].endswith("&& podcards build")
    assert commands[1].endswith("&& python -m pytest")
    ci = (root / ".ci" / "run").read_text(encoding="utf-8").splitlines()
    assert commands[1] in ci
