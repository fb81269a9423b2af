"""A corpus of hostile and broken inputs: each gives one exact message and changes nothing.

Every case starts from a project that has released a deck (packages and lock written), puts
its bad input in place, runs one command, and checks the exit status, one exact line of the
output, and that every file of the project (earlier packages, the lock, the decks, and no
temporary file beside them) is byte for byte what it was before the command.
"""

from __future__ import annotations

import errno
import json
import os
import re
import shutil
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from podcards import files

from conftest import MINIMAL_DECK, Project, time_limit

Setup = Callable[[Project], None]


@dataclass(frozen=True)
class Case:
    name: str
    message: str  # a line the output must hold exactly
    files: Mapping[str, str | bytes] = field(default_factory=dict)  # written over the release
    args: tuple[str, ...] = ("build",)
    exit: int = 1
    env: Mapping[str, str] = field(default_factory=dict)
    setup: Setup | None = None
    fault: Callable[[str], None] | None = None  # called before each step of a write
    charset: str = "utf-8"  # of the terminal


def deck(old: str, new: str, *, count: int = 1) -> dict[str, str]:
    """The released deck file with one edit."""
    assert old in MINIMAL_DECK, old
    return {"decks/episode.yaml": MINIMAL_DECK.replace(old, new, count)}


def deck_bytes(data: bytes) -> dict[str, bytes]:
    return {"decks/episode.yaml": data}


def alias_bomb(levels: int = 9) -> str:
    """A billion laughs: about 1.4 KB that a naive loader expands to 10**levels values."""
    lines = ["x-l0: &l0 [lol, lol, lol, lol, lol, lol, lol, lol, lol, lol]"]
    for level in range(1, levels):
        refs = ", ".join([f"*l{level - 1}"] * 10)
        lines.append(f"x-l{level}: &l{level} [{refs}]")
    return "\n".join(lines) + "\n"


def template(front: str, name: str = "quote/x.j2") -> dict[str, str]:
    """A user template beside the decks, as a shared deck repository may bring."""
    return {
        f"templates/{name}": f"{{% block front %}}{front}{{% endblock %}}"
        "{% block back %}b{% endblock %}"
    }


def link(path: str, target: str) -> Setup:
    def make(project: Project) -> None:
        where = project.root / path
        where.parent.mkdir(parents=True, exist_ok=True)
        os.symlink(target, where)

    return make


def damaged_lock(change: Callable[[list[str]], list[str]]) -> Setup:
    def damage(project: Project) -> None:
        lines = project.lock.read_text(encoding="utf-8").split("\n")
        project.lock.write_text("\n".join(change(lines)), encoding="utf-8")

    return damage


def first_note(change: Callable[[dict[str, object]], object]) -> Setup:
    def edit(lines: list[str]) -> list[str]:
        index = next(n for n, line in enumerate(lines) if line.startswith('{"note"'))
        entry = json.loads(lines[index])
        change(entry)
        return [*lines[:index], json.dumps(entry), *lines[index + 1 :]]

    return damaged_lock(edit)


def fail_at(step: str, error: int = errno.ENOSPC) -> Callable[[str], None]:
    def fault(name: str) -> None:
        if name.startswith(step):
            raise OSError(error, os.strerror(error))

    return fault


def folder(path: str) -> Setup:
    def make(project: Project) -> None:
        (project.root / path).mkdir(parents=True)

    return make


T = "templates/quote/x.j2"
L = "decks/podcards.lock"
RESTORE = "restore the file from git rather than editing it by hand"
NOTES = (
    "Podcast: Test Podcast\nTitle: Episode One\n\nInsights\n"
    "- The engine weaves algebraic patterns the way a loom weaves flowers.\n"
)
BOMB = alias_bomb()
TOO_MANY = "the file expands to more than 200000 values (aliases?)"

CASES = [
    # -- YAML: text is text, and nothing a small file says can take long --------------------
    Case(
        "alias bomb as deck.id",
        f"decks/episode.yaml:1: {TOO_MANY}",
        {"decks/episode.yaml": BOMB + MINIMAL_DECK.replace("id: test-deck", "id: *l8")},
    ),
    Case(
        "alias bomb as podcards:",
        f"decks/episode.yaml:1: {TOO_MANY}",
        {"decks/episode.yaml": BOMB + MINIMAL_DECK.replace("podcards: 1", "podcards: *l8")},
    ),
    Case(
        "alias bomb as a mapping key",
        f"decks/episode.yaml:1: {TOO_MANY}",
        {"decks/episode.yaml": BOMB + MINIMAL_DECK + "? *l8\n: x\n"},
    ),
    Case(
        "alias bomb in diff",
        f"decks/episode.yaml:1: {TOO_MANY}",
        {"decks/episode.yaml": BOMB + MINIMAL_DECK.replace("podcards: 1", "podcards: *l8")},
        args=("diff",),
    ),
    Case(
        "5,000-deep nesting",
        "decks/episode.yaml: values are nested too deeply",
        {"decks/episode.yaml": MINIMAL_DECK + "hook: " + "[" * 5000 + "]" * 5000 + "\n"},
    ),
    Case(
        "5,000-deep flow mappings",
        "decks/episode.yaml: values are nested too deeply",
        {"decks/episode.yaml": MINIMAL_DECK + "hook: " + "{a: " * 5000 + "b" + "}" * 5000},
    ),
    Case(
        "NUL in a deck",
        "decks/episode.yaml:8: the character U+0000 is not allowed in YAML; remove it",
        deck("title: Episode One", "title: Episode\x00One"),
    ),
    Case(
        "ESC in a deck",
        "decks/episode.yaml:8: the character U+001B is not allowed in YAML; remove it",
        deck("title: Episode One", "title: Episode\x1bOne"),
    ),
    Case(
        "!!int abc",
        "decks/episode.yaml:8: the YAML tag '!!int' is not used in deck files; "
        "write the value as text",
        deck("title: Episode One", "title: !!int abc"),
    ),
    Case(
        "!!binary",
        "decks/episode.yaml:8: the YAML tag '!!binary' is not used in deck files; "
        "write the value as text",
        deck("title: Episode One", "title: !!binary aGVsbG8="),
    ),
    Case(
        "!!python/object",
        "decks/episode.yaml:8: the YAML tag '!!python/object/apply:os.system' is not used in "
        "deck files; write the value as text",
        deck("title: Episode One", "title: !!python/object/apply:os.system [echo hi]"),
    ),
    Case(
        "podcards: true",
        "decks/episode.yaml:1: 'podcards: true' is not a format this version reads "
        "(expected 'podcards: 1', the number, unquoted)",
        deck("podcards: 1", "podcards: true"),
    ),
    Case(
        "podcards: 1.0",
        "decks/episode.yaml:1: 'podcards: 1.0' is not a format this version reads "
        "(expected 'podcards: 1', the number, unquoted)",
        deck("podcards: 1", "podcards: 1.0"),
    ),
    Case(
        "malformed YAML",
        "decks/episode.yaml:8: YAML syntax error: mapping values are not allowed here (a text "
        "with ': ' in it must be quoted, \"like: this\", or written on the next lines after >-)",
        deck("title: Episode One", "title: Episode: One: [x"),
    ),
    Case(
        "a tab for indentation",
        "decks/episode.yaml:8: YAML syntax error: found character '\\t' that cannot start "
        "any token",
        deck("  title: Episode One", "\ttitle: Episode One"),
    ),
    Case(
        "wrong type: a list for a text",
        "decks/episode.yaml:8: episode: 'title' must be text, not a list",
        deck("title: Episode One", "title: [Episode, One]"),
    ),
    Case(
        "wrong type: text for the items",
        "decks/episode.yaml:11: 'insights' must be a list of items",
        deck("insights:\n", "insights: many\nx-insights:\n"),
    ),
    Case(
        "not UTF-8",
        "decks/episode.yaml:8: the file is not UTF-8 text",
        deck_bytes(MINIMAL_DECK.replace("Episode One\n", "Episode \xe9\n", 1).encode("latin-1")),
    ),
    Case(
        "UTF-16 without a mark",
        "decks/episode.yaml:1: the character U+0000 is not allowed in YAML; remove it",
        deck_bytes(MINIMAL_DECK.encode("utf-16-le")),
    ),
    Case(
        "a file over 4 MB",
        "decks/episode.yaml: the file is larger than 4 MB",
        {"decks/episode.yaml": MINIMAL_DECK + "# " + "x" * (4 * 1024 * 1024) + "\n"},
    ),
    Case(
        "an empty file",
        "decks/episode.yaml:1: the file is empty; a deck needs 'podcards: 1', 'deck', 'episode'",
        {"decks/episode.yaml": ""},
    ),
    Case(
        "a deck file that is a list",
        "decks/episode.yaml:1: the deck file must be a mapping of keys to values, not a list",
        {"decks/episode.yaml": "- podcards: 1\n"},
    ),
    Case(
        "an id with a slash",
        "decks/episode.yaml:12: insights[1]: id 'a/b' must be lower-case letters, digits and "
        "hyphens (starting with a letter or digit, at most 80), e.g. 'optimus-cost'",
        deck("id: engine-weaves", "id: a/b"),
    ),
    Case(
        "an id with ..",
        "decks/episode.yaml:3: deck: id '..' must be lower-case letters, digits and hyphens "
        "(starting with a letter or digit, at most 80), e.g. 'optimus-cost'",
        deck("id: test-deck", "id: '..'"),
    ),
    Case(
        "a deck id with a drive letter",
        "decks/episode.yaml:3: deck: id 'C:evil' must be lower-case letters, digits and "
        "hyphens (starting with a letter or digit, at most 80), e.g. 'optimus-cost'",
        deck("id: test-deck", "id: 'C:evil'"),
    ),
    Case(
        "a deck id in upper case",
        "decks/episode.yaml:3: deck: id 'Test-Deck' must be lower-case letters, digits and "
        "hyphens (starting with a letter or digit, at most 80), e.g. 'optimus-cost'",
        deck("id: test-deck", "id: Test-Deck"),
    ),
    # -- the clock, moments and cloze numbers ---------------------------------------------------
    Case(
        "SOURCE_DATE_EPOCH=1e23",
        "Error: SOURCE_DATE_EPOCH must be whole seconds since 1970 (before the year 3000), "
        "not '1e23'",
        exit=2,
        env={"SOURCE_DATE_EPOCH": "1e23"},
    ),
    Case(
        "SOURCE_DATE_EPOCH of a superscript digit",
        "Error: SOURCE_DATE_EPOCH must be whole seconds since 1970 (before the year 3000), not '²'",
        exit=2,
        env={"SOURCE_DATE_EPOCH": "²"},
    ),
    Case(
        "SOURCE_DATE_EPOCH of 5,000 digits",
        "Error: SOURCE_DATE_EPOCH must be whole seconds since 1970 (before the year 3000), "
        f"not '{'9' * 40}'",
        exit=2,
        env={"SOURCE_DATE_EPOCH": "9" * 5000},
    ),
    Case(
        "a moment of a superscript digit",
        'decks/episode.yaml:14: insights[1]: \'at\' must be a moment like "12:34" or "1:02:03"',
        deck("    question: What does", '    at: "²"\n    question: What does'),
    ),
    Case(
        "a cloze number past Anki's 500",
        "decks/episode.yaml:13: insights[1]: deletions are numbered from 1 to 500 (Anki's "
        "limit), not '{{c501::algebraic patterns}}'",
        deck("{{c1::algebraic patterns}}", "{{c501::algebraic patterns}}"),
    ),
    Case(
        "a cloze number of 5,000 digits",
        "decks/episode.yaml:13: insights[1]: 'aves {{c9999999999999999' looks like a cloze "
        "deletion but is "
        "not one: write {{c1::phrase}} (two braces, c and a number, two colons)",
        deck("{{c1::algebraic patterns}}", "{{c" + "9" * 5000 + "::algebraic patterns}}"),
    ),
    Case(
        "a cloze number in Arabic-Indic digits",
        "decks/episode.yaml:13: insights[1]: 'aves {{c١::algebraic pat' looks like a cloze "
        "deletion but is not one: write {{c1::phrase}} (two braces, c and a number, two colons)",
        deck("{{c1::algebraic patterns}}", "{{c١::algebraic patterns}}"),
    ),
    Case(
        "a nested cloze",
        "decks/episode.yaml:13: insights[1]: deletions cannot be nested ('{{c1::outer "
        "{{c2::inner}}'); give each phrase its own {{cN::...}}",
        deck("{{c1::algebraic patterns}}", "{{c1::outer {{c2::inner}} phrase}}"),
    ),
    Case(
        "an unclosed cloze",
        "decks/episode.yaml:13: insights[1]: the deletion '{{c1::algebraic patterns t' is "
        "never closed; end it with '}}'",
        deck("{{c1::algebraic patterns}}", "{{c1::algebraic patterns"),
    ),
    # -- templates: sandboxed, bounded, and every unreadable file a message -------------------
    Case(
        "a template calling os.system",
        f"{T}:1: access to attribute '__init__' of 'type' object is unsafe. "
        "(rendering quote 'poetical-science' at decks/episode.yaml:18)",
        template("{{ cycler.__init__.__globals__.os.system('touch PWNED') }}"),
    ),
    Case(
        "a template calling os.system in diff",
        f"{T}:1: access to attribute '__init__' of 'type' object is unsafe. "
        "(rendering quote 'poetical-science' at decks/episode.yaml:18)",
        template("{{ cycler.__init__.__globals__.os.system('touch PWNED') }}"),
        args=("diff",),
    ),
    Case(
        "a template writing a file through deck.path",
        f"{T}:1: access to attribute 'parent' of 'PosixPath' object is unsafe. "
        "(rendering quote 'poetical-science' at decks/episode.yaml:18)",
        template("{{ deck.path.parent.joinpath('PWNED').write_text('x') }}"),
    ),
    Case(
        "a template reaching __subclasses__",
        f"{T}:1: access to attribute '__class__' of 'str' object is unsafe. "
        "(rendering quote 'poetical-science' at decks/episode.yaml:18)",
        template("{{ ''.__class__.__mro__[1].__subclasses__() }}"),
    ),
    Case(
        "range(10**12)",
        f"{T}:1: safe_range: the number 1000000000000 is larger than 4000000 "
        "(rendering quote 'poetical-science' at decks/episode.yaml:18)",
        template("{% for i in range(10**12) %}{% endfor %}x"),
    ),
    Case(
        "nested loops",
        f"{T}:1: the template takes more than 100000 steps (loop rounds, calls, operators) for "
        "one card (rendering quote 'poetical-science' at decks/episode.yaml:18)",
        template("{% for i in range(99999) %}{% for j in range(99999) %}{% endfor %}{% endfor %}"),
    ),
    Case(
        "a text repeated 10**10 times",
        f"{T}:1: the repeated text would be longer than 4000000 characters "
        "(rendering quote 'poetical-science' at decks/episode.yaml:18)",
        template("{{ 'x' * 10**10 }}"),
    ),
    Case(
        "a huge format width",
        f"{T}:1: a width or precision in a format is larger than 10000 "
        "(rendering quote 'poetical-science' at decks/episode.yaml:18)",
        template("{{ '%999999999d' % 1 }}"),
    ),
    Case(
        "a text doubled in a loop",
        f"{T}:1: the joined text would be longer than 4000000 characters "
        "(rendering quote 'poetical-science' at decks/episode.yaml:18)",
        template(
            "{% set ns = namespace(s='x') %}{% for i in range(99) %}"
            "{% set ns.s = ns.s ~ ns.s %}{% endfor %}{{ ns.s }}"
        ),
    ),
    Case(
        "template text repeated by a loop",
        f"{T}:1: the template writes more than 4000000 characters for one card "
        "(rendering quote 'poetical-science' at decks/episode.yaml:18)",
        template("{% for i in range(99999) %}" + "x" * 100 + "{% endfor %}"),
    ),
    Case(
        "a macro calling itself",
        f"{T}:1: the template includes or calls itself too deeply "
        "(rendering quote 'poetical-science' at decks/episode.yaml:18)",
        template("{% macro f() %}{{ f() }}{% endmacro %}{{ f() }}"),
    ),
    Case(
        "a filter failing inside Jinja",
        f"{T}:1: format: not all arguments converted during string formatting "
        "(rendering quote 'poetical-science' at decks/episode.yaml:18)",
        template("{{ item.text|format(1) }}"),
    ),
    Case(
        "a method failing inside Python",
        f"{T}:1: substring not found (rendering quote 'poetical-science' at decks/episode.yaml:18)",
        template("{{ item.text.index('no such words') }}"),
    ),
    Case(
        "a whole-number division by zero",
        f"{T}:1: integer division or modulo by zero (rendering quote 'poetical-science' at "
        "decks/episode.yaml:18)",
        template("{{ 1 // 0 }}"),
    ),
    Case(
        "a template including itself",
        f"{T}: the template includes or calls itself too deeply "
        "(rendering quote 'poetical-science' at decks/episode.yaml:18)",
        template("{% include 'quote/x.j2' %}"),
    ),
    Case(
        "a template nested 3,000 deep",
        f"{T}:1: template syntax error: the template is nested too deeply",
        template("{% if 1 %}" * 3000 + "{% endif %}" * 3000),
    ),
    Case(
        "a template that is not UTF-8",
        f"{T}:2: is not UTF-8 text; save it as UTF-8",
        {T: b"{% block front %}\n\xff{% endblock %}"},
    ),
    Case(
        "a folder named *.j2",
        f"{T}: is a folder, not a template file",
        setup=folder(T),
    ),
    Case(
        "a dangling symbolic link as a template",
        f"{T}: is a symbolic link to nothing; remove it or fix it",
        setup=link(T, "/nonexistent/podcards"),
    ),
    Case(
        "a template linking to a private file",
        f"{T}: links to a file outside templates; a template must be a file of its folder",
        setup=link(T, "/etc/hostname"),
    ),
    Case(
        "a note type style linking to a private file",
        "templates/notetype/style.css: links to a file outside templates; a template must be "
        "a file of its folder",
        setup=link("templates/notetype/style.css", "/etc/hostname"),
    ),
    Case(
        "a huge template",
        f"{T}: is larger than 256 KB; templates are small",
        {T: "x" * 300_000},
    ),
    Case(
        "a template with a syntax error",
        f"{T}:1: template syntax error: Expected an expression, got 'end of statement block'",
        template("{% if %}x{% endif %}"),
    ),
    Case(
        "a template without blocks",
        f"{T}: a card template needs the blocks 'front' and 'back' (a question card) or 'text' "
        "(a cloze card)",
        {T: "just text"},
    ),
    Case(
        "--templates naming a file",
        "Error: Invalid value for '--templates': Directory 'decks/episode.yaml' is a file.",
        args=("build", "--templates", "decks/episode.yaml"),
        exit=2,
    ),
    # -- more of the deck format ------------------------------------------------------------
    Case(
        "a key given twice",
        "decks/episode.yaml:9: 'title' is given twice",
        deck("  guests: [Ada Lovelace]", "  title: Again\n  guests: [Ada Lovelace]"),
    ),
    Case(
        "a tag with a space",
        "decks/episode.yaml:5: deck: tag 'a b' contains a space, which Anki tags cannot "
        "(use 'a-b')",
        deck("tags: [test]", "tags: [test, a b]"),
    ),
    Case(
        "a moment of 99:99",
        'decks/episode.yaml:14: insights[1]: \'at\' must be a moment like "12:34" or "1:02:03"',
        deck("    question: What does", '    at: "99:99"\n    question: What does'),
    ),
    Case(
        "a javascript: url",
        "decks/episode.yaml:10: episode: url must start with https:// or http://",
        deck("  guests: [Ada Lovelace]", "  guests: [Ada Lovelace]\n  url: javascript:alert(1)"),
    ),
    Case(
        "a deck name with an empty part",
        "decks/episode.yaml:4: deck: name 'Podcasts::::Episode One' has an empty part",
        deck('name: "Podcasts::Test::Episode One"', 'name: "Podcasts::::Episode One"'),
    ),
    Case(
        "two deck files with one id",
        "decks/second.yaml:2: deck id 'test-deck' is already used by decks/episode.yaml:2; "
        "every deck needs its own permanent id",
        {"decks/second.yaml": MINIMAL_DECK},
    ),
    Case(
        "two deck names that differ only in case",
        "decks/second.yaml:2: deck name 'podcasts::test:: episode one' is, to Anki, the name "
        "of deck 'test-deck' at decks/episode.yaml:2 (Anki ignores case and spaces around "
        "'::'): the two decks would be one",
        {
            "decks/second.yaml": MINIMAL_DECK.replace("id: test-deck", "id: second").replace(
                '"Podcasts::Test::Episode One"', '"podcasts::test:: episode one"'
            )
        },
    ),
    # -- the lock: damage is a message in build, diff and retire ----------------------------
    Case(
        "a lock that is not UTF-8",
        f"{L}:1: the lock is not UTF-8 text; {RESTORE}",
        setup=lambda project: project.lock.write_bytes(b"\xff\xfe{}"),
    ),
    Case(
        "a lock that is a folder, in diff",
        f"{L}: is a folder, not a lock file",
        args=("diff",),
        setup=lambda project: project.lock.unlink() or project.lock.mkdir(),
    ),
    Case(
        "a lock entry without fields, in retire",
        f"{L}:8: unreadable lock entry: it has no 'fields'; {RESTORE}",
        args=("retire",),
        setup=first_note(lambda entry: entry.pop("fields")),
    ),
    Case(
        "a lock mod of 10**30",
        f"{L}:8: unreadable lock entry: 'mod' is out of range; {RESTORE}",
        setup=first_note(lambda entry: entry.update(mod=10**30)),
    ),
    Case(
        "a lock entry of an unknown note type",
        f"{L}:8: unreadable lock entry: unknown note type 'basic' (known: qa, cloze); {RESTORE}",
        setup=first_note(lambda entry: entry.update(type="basic")),
    ),
    Case(
        "a lock line nested 100,000 deep",
        f"{L}:7: unreadable lock entry: maximum recursion depth exceeded while decoding a JSON "
        f"array from a unicode string; {RESTORE}",
        setup=damaged_lock(lambda lines: [*lines[:6], "[" * 100_000, *lines[7:]]),
    ),
    # -- the release: a write that fails is undone --------------------------------------------
    Case(
        "a package path that is a folder",
        "dist/test-deck.apkg: cannot write: it is a folder; nothing was changed",
        deck("rigorous analysis", "careful analysis"),
        setup=lambda project: (
            (project.dist / "test-deck.apkg").unlink() or (project.dist / "test-deck.apkg").mkdir()
        ),
    ),
    Case(
        "an output folder that is a file",
        "Error: Invalid value for '-o' / '--output': Directory 'out' is a file.",
        {"out": "a file"},
        args=("build", "-o", "out"),
        exit=2,
    ),
    Case(
        "an output folder under a file",
        "out/anki/test-deck.apkg: cannot write: Not a directory; nothing was changed",
        {"out": "a file"},
        args=("build", "-o", "out/anki"),
    ),
    Case(
        "a full disk at the lock",
        "decks/podcards.lock: cannot write: No space left on device; nothing was changed",
        deck("rigorous analysis", "careful analysis"),
        fault=fail_at("move decks/podcards.lock"),
    ),
    Case(
        "a read-only file system at the second package",
        "dist/test-deck.apkg: cannot write: Read-only file system; nothing was changed",
        deck("rigorous analysis", "careful analysis"),
        fault=fail_at("move dist/test-deck.apkg", errno.EROFS),
    ),
    Case(
        "an I/O error writing a package",
        "dist/test-deck.apkg: cannot write: Input/output error; nothing was changed",
        deck("rigorous analysis", "careful analysis"),
        fault=fail_at("write dist/test-deck.apkg", errno.EIO),
    ),
    Case(
        "purging a key two decks share",
        "Error: 'takeaway/takeaway' names notes of 2 decks (second, test-deck); say which: "
        "second:takeaway/takeaway, test-deck:takeaway/takeaway",
        args=("retire", "--purge", "takeaway/takeaway"),
        exit=2,
        setup=lambda project: _second_deck_released(project),
    ),
    # -- ingest: bounded reading, and podcards' own outputs are never its target ----------------
    Case(
        "ingest --force over the lock",
        f"{L}: a deck file's name ends in .yaml or .yml; podcards writes nothing else; nothing "
        "was written",
        {"notes.md": NOTES},
        args=("ingest", "notes.md", "-o", L, "--force"),
    ),
    Case(
        "ingest --force over a package",
        "dist/test-deck.apkg: a deck file's name ends in .yaml or .yml; podcards writes "
        "nothing else; nothing was written",
        {"notes.md": NOTES},
        args=("ingest", "notes.md", "-o", "dist/test-deck.apkg", "--force"),
    ),
    Case(
        "ingest into the build's output folder",
        "dist/deck.yaml: is in the build's output folder (dist/); write deck files to decks/; "
        "nothing was written",
        {"notes.md": NOTES},
        args=("ingest", "notes.md", "-o", "dist/deck.yaml"),
    ),
    Case(
        "ingest into a hidden file",
        "decks/.x.yaml: a hidden file is not read by the build; give the deck file a plain "
        "name; nothing was written",
        {"notes.md": NOTES},
        args=("ingest", "notes.md", "-o", "decks/.x.yaml"),
    ),
    Case(
        "ingest /dev/zero",
        "/dev/zero: is larger than 4 MB: too large to be notes",
        args=("ingest", "/dev/zero", "-o", "decks/zero.yaml"),
    ),
    Case(
        "ingest a 20,000-character line",
        "notes.md:6: the line is longer than 10000 characters; break it into paragraphs",
        {"notes.md": NOTES + "- " + "word " * 4000 + "\n"},
        args=("ingest", "notes.md", "-o", "decks/new.yaml"),
    ),
    Case(
        "ingest binary data",
        "notes.md:3: binary data, not text notes: nothing to ingest",
        {"notes.md": b"\x89PNG\r\n\x1a\n\x00\x00"},
        args=("ingest", "notes.md", "-o", "decks/new.yaml"),
    ),
    Case(
        "ingest --update into a deck holding an alias bomb",
        f"decks/episode.yaml:1: cannot merge into it: {TOO_MANY}",
        {"notes.md": NOTES, "decks/episode.yaml": BOMB + MINIMAL_DECK},
        args=("ingest", "notes.md", "-o", "decks/episode.yaml", "--update"),
    ),
    Case(
        "ingest --force over a deck file that is a folder",
        "decks/dir.yaml/test-podcast-episode-one.yaml: cannot write: it is a folder; nothing "
        "was changed",
        {"notes.md": NOTES},
        args=("ingest", "notes.md", "-o", "decks/dir.yaml", "--force"),
        setup=folder("decks/dir.yaml/test-podcast-episode-one.yaml"),
    ),
    Case(
        "a deck id that names a Windows device",
        "decks/episode.yaml:3: deck: id 'con' names a device on Windows, where the package "
        "con.apkg could not be written; choose another id",
        deck("id: test-deck", "id: con"),
    ),
    Case(
        "a lock that is a pipe",
        f"{L}: is not a file, not a lock file",
        args=("diff",),
        setup=lambda project: project.lock.unlink() or os.mkfifo(project.lock),
    ),
    Case(
        "a template that is a pipe",
        f"{T}: is not a file, not a template file",
        setup=lambda project: (
            (project.root / T).parent.mkdir(parents=True) or os.mkfifo(project.root / T)
        ),
    ),
    Case(
        "export over the lock",
        f"{L}: is podcards' own record: an export never replaces it; nothing was written",
        args=("export", "--format", "csv", "-o", L),
    ),
    Case(
        "export over a package",
        "dist/test-deck.apkg: is a package or a deck file: an export never replaces it; "
        "nothing was written",
        args=("export", "--format", "tsv", "-o", "dist/test-deck.apkg"),
    ),
    Case(
        "podcards new with a device name",
        "Error: 'con' names a device on Windows; choose another deck id",
        args=("new", "con"),
        exit=2,
    ),
    # -- the terminal -------------------------------------------------------------------------
    Case(
        "an escape sequence in a deck name, in a message",
        "decks/episode.yaml:4: deck: name 'Podcasts::\\x1b]0;owned\\x07::' has an empty part",
        deck('name: "Podcasts::Test::Episode One"', 'name: "Podcasts::\\e]0;owned\\a::"'),
    ),
]


def _second_deck_released(project: Project) -> None:
    """Two released decks, each with a takeaway that the next release retired."""
    second = MINIMAL_DECK.replace("id: test-deck", "id: second").replace(
        'Episode One"', 'Episode Two"'
    )
    project.write("decks/second.yaml", second)
    assert project.build().exit_code == 0
    for name, text in (("second.yaml", second), ("episode.yaml", MINIMAL_DECK)):
        project.write(f"decks/{name}", re.sub(r"takeaway: .*\n", "", text))
    result = project.build()
    assert result.exit_code == 0, result.output


@pytest.fixture(scope="module")
def released(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A project that has released the minimal deck: packages and lock in place."""
    project = Project(tmp_path_factory.mktemp("released") / "project")
    project.deck()
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("SOURCE_DATE_EPOCH", "1760000000")
        assert project.build().exit_code == 0
    return project.root


@pytest.fixture
def from_release(released: Path, tmp_path: Path) -> Iterator[Project]:
    root = tmp_path / "project"
    shutil.copytree(released, root, symlinks=True)
    yield Project(root)


@pytest.mark.parametrize("case", CASES, ids=[case.name for case in CASES])
def test_hostile_input(case: Case, from_release: Project, monkeypatch: pytest.MonkeyPatch) -> None:
    project = from_release
    for path, content in case.files.items():
        target = project.root / path
        target.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, bytes):
            target.write_bytes(content)
        else:
            target.write_text(content, encoding="utf-8")
    if case.setup:
        case.setup(project)
    for name, value in case.env.items():
        monkeypatch.setenv(name, value)
    before = project.snapshot()
    with time_limit(10), files.faults(case.fault or (lambda name: None)):
        result = project.run(*case.args, charset=case.charset)
    assert result.exit_code == case.exit, result.output
    assert case.message in result.output.splitlines(), result.output
    assert "Traceback" not in result.output
    assert project.snapshot() == before
    assert not (project.root / "PWNED").exists()


def test_the_corpus_is_large_enough() -> None:
    assert len(CASES) >= 60


# -- inputs that are fine, and were once refused or misreported --------------------------------


def test_a_byte_order_mark_changes_nothing(from_release: Project) -> None:
    before = from_release.snapshot()
    deck_file = from_release.decks / "episode.yaml"
    deck_file.write_bytes(b"\xef\xbb\xbf" + MINIMAL_DECK.encode("utf-8"))
    result = from_release.build()
    assert result.exit_code == 0, result.output
    assert "unchanged dist/test-deck.apkg" in result.output
    after = from_release.snapshot()
    assert {k: v for k, v in after.items() if k != "decks/episode.yaml"} == {
        k: v for k, v in before.items() if k != "decks/episode.yaml"
    }


def test_a_merge_key_may_override_an_id(project: Project) -> None:
    project.deck(
        MINIMAL_DECK.replace(
            "  - id: symbols\n    text: The machine could act upon other things besides numbers.\n",
            "  - &base\n    id: symbols\n    text: The machine could act upon other things.\n"
            "  - <<: *base\n    id: symbols-too\n",
        )
    )
    result = project.build()
    assert result.exit_code == 0, result.output


def test_markup_only_text_is_text_not_empty(project: Project) -> None:
    project.deck(MINIMAL_DECK + "cards:\n  - id: tags\n    front: <br>\n    back: <img>\n")
    result = project.build()
    assert result.exit_code == 0, result.output


def test_replacing_many_items_gives_no_pairing_of_each_with_each(project: Project) -> None:
    many = "".join(
        f"  - id: old-{n}\n    text: Old {{{{c1::idea}}}} number {n}.\n" for n in range(30)
    )
    project.deck(MINIMAL_DECK.replace("insights:\n", "insights:\n" + many))
    assert project.build().exit_code == 0
    new = "".join(
        f"  - id: new-{n}\n    text: A {{{{c1::fresh}}}} claim about topic {n * 7}.\n"
        for n in range(30)
    )
    project.deck(MINIMAL_DECK.replace("insights:\n", "insights:\n" + new))
    result = project.build()
    assert result.exit_code == 0, result.output
    assert result.output.count("hint:") <= 30


def test_a_deck_name_cannot_drive_the_terminal(project: Project) -> None:
    project.deck(MINIMAL_DECK.replace('Episode One"', 'Episode \\e[2J\\u202eOne"', 1))
    result = project.build()
    assert result.exit_code == 0, result.output
    assert "\x1b" not in result.output and "\u202e" not in result.output
    assert "Podcasts::Test::Episode \\x1b[2J\\u202eOne (" in result.output


def test_a_build_to_a_cp1252_terminal_reports_and_exits_0(project: Project) -> None:
    """It used to write everything, then crash on the deck name and exit 1."""
    project.deck(MINIMAL_DECK.replace('Episode One"', 'Episode → One 🎙"', 1))
    result = project.run("build", charset="cp1252")
    assert result.exit_code == 0, result.output
    assert "Podcasts::Test::Episode \\u2192 One \\U0001f399 (" in result.output


def test_a_diff_to_a_cp1252_terminal_escapes_what_it_cannot_show(project: Project) -> None:
    """It used to crash on the first character cp1252 has not (an arrow)."""
    project.deck()
    assert project.build().exit_code == 0
    project.deck(MINIMAL_DECK.replace("rigorous analysis", "rigorous → analysis 🎙"))
    result = project.run("diff", charset="cp1252")
    assert result.exit_code == 0, result.output
    assert "\\u2192" in result.output and "\\U0001f399" in result.output
