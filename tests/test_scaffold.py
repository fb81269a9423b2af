"""`podcards init` and `podcards new`: a project of one's own, and a deck file with every
section and key of the declaration, which builds once its placeholders are replaced."""

from __future__ import annotations

import re
from pathlib import Path

from podcards.deck import Deck, keys_of
from podcards.scaffold import templates_readme
from podcards.schema import json_schema_text
from podcards.sources import load_deck

from conftest import Project

ROOT = Path(__file__).resolve().parent.parent
_DECLARED_KEY = re.compile(r"^(\s*)# ((?:- )?)([a-z_]+): ")


def fill_placeholders(text: str) -> str:
    """What an author does: write a text for every TODO and an id for every todo-id."""
    counter = iter(range(1, 1000))

    def text_for(match: re.Match[str]) -> str:
        number = next(counter)
        if "{{c1::" in match.group(0):
            return f'"Fact {number} of the episode is about {{{{c1::topic {number}}}}}."'
        return f'"Written text {number}"'

    text = re.sub(r'"TODO\(podcards new\): [^"]*"', text_for, text)
    return re.sub(r"todo-id-([a-z]+)", lambda m: f"first-{m.group(1)}", text)


def every_declared_key() -> set[str]:
    found: set[str] = set()

    def visit(cls: type) -> None:
        for name, spec in keys_of(cls).items():
            found.add(name)
            if spec.of is not None:
                visit(spec.of)

    visit(Deck)
    return found


def test_init_makes_a_project_without_a_lock(project: Project) -> None:
    result = project.run("init", "mine")
    assert result.exit_code == 0, result.output
    root = project.root / "mine"
    assert (root / "decks").is_dir() and not list((root / "decks").iterdir())
    assert (root / "templates/README.md").read_text(encoding="utf-8") == templates_readme()
    assert (root / "deck.schema.json").read_text(encoding="utf-8") == json_schema_text()
    assert (root / ".gitignore").read_text(encoding="utf-8").splitlines() == ["/dist/", "/preview/"]
    assert not list(root.rglob("podcards.lock"))
    assert "next: podcards new <deck-id>" in result.output


def test_init_keeps_what_is_there_and_adds_missing_ignores(project: Project) -> None:
    project.write("templates/README.md", "mine\n")
    project.write(".gitignore", "*.pyc\n/dist/")
    result = project.run("init")
    assert result.exit_code == 0, result.output
    assert "kept templates/README.md" in result.output
    assert "created .gitignore (ignores /preview/)" in result.output
    assert (project.root / "templates/README.md").read_text(encoding="utf-8") == "mine\n"
    assert (project.root / ".gitignore").read_text(encoding="utf-8") == "*.pyc\n/dist/\n/preview/\n"
    again = project.run("init")
    assert "created" not in again.output


def test_a_new_deck_builds_once_its_placeholders_are_replaced(project: Project) -> None:
    assert project.run("init").exit_code == 0
    result = project.run("new", "my-episode")
    assert result.exit_code == 0, result.output
    path = project.decks / "my-episode.yaml"
    text = path.read_text(encoding="utf-8")
    assert text.startswith("# yaml-language-server: $schema=../deck.schema.json\n")

    refused = project.build()
    assert refused.exit_code == 1
    assert "decks/my-episode.yaml:15: deck: name still holds a placeholder" in refused.output
    assert not project.lock.exists()

    path.write_text(fill_placeholders(text), encoding="utf-8")
    built = project.build()
    assert built.exit_code == 0, built.output
    assert "wrote dist/my-episode.apkg" in built.output
    # the takeaway and one item of every section; a framework without a summary gives none
    assert "(7 notes, 7 cards;" in built.output


def test_a_new_deck_has_every_section_and_key_explained(project: Project) -> None:
    assert project.run("new", "my-episode").exit_code == 0
    text = (project.decks / "my-episode.yaml").read_text(encoding="utf-8")
    written = set(re.findall(r"^\s*(?:# )?(?:- )?([a-z_]+):", text, flags=re.M))
    assert every_declared_key() <= written
    for name, spec in keys_of(Deck).items():
        assert f"# {spec.doc.split()[0]}" in text, name


def test_uncommenting_every_key_gives_a_deck_that_reads(project: Project) -> None:
    """Commented keys sit where they belong: uncommented, they load (templates aside)."""
    assert project.run("new", "my-episode").exit_code == 0
    path = project.decks / "my-episode.yaml"
    keys = every_declared_key() - {"cloze"}  # a card has front and back, or a cloze
    lines = []
    for line in path.read_text(encoding="utf-8").splitlines():
        match = _DECLARED_KEY.match(line)
        lines.append(line.replace("# ", "", 1) if match and match.group(3) in keys else line)
    text = fill_placeholders("\n".join(lines)).replace("[name]", "[]").replace("[cloze]", "[]")
    text = text.replace('"12:34"', '"1:02"').replace('url: "Written', 'url: "https://x.test/')
    path.write_text(text, encoding="utf-8")
    deck = load_deck(path)
    assert deck.episode.url and deck.frameworks[0].summary and deck.quotes[0].speaker


def test_new_never_overwrites_and_wants_an_id(project: Project) -> None:
    project.deck(name="taken.yaml")
    before = project.snapshot()
    result = project.run("new", "taken")
    assert result.exit_code == 1
    assert "decks/taken.yaml already exists" in result.output
    assert project.snapshot() == before
    assert project.run("new", "Not An Id").exit_code == 2
    assert project.run("new", "other", "--decks", "elsewhere").exit_code == 0
    assert (project.root / "elsewhere/other.yaml").is_file()


def test_the_projects_templates_readme_is_the_one_init_writes() -> None:
    assert (ROOT / "templates/README.md").read_text(encoding="utf-8") == templates_readme()


def test_help_for_every_new_command(project: Project) -> None:
    for command in ("check", "preview", "new", "init"):
        result = project.run(command, "--help")
        assert result.exit_code == 0
        assert f"Usage: main {command}" in result.output or "Usage:" in result.output
        assert len(result.output.splitlines()) > 6
