"""The command line: options, exit codes and printing. The work lives in the library."""

from __future__ import annotations

import contextlib
import sys
import unicodedata
from collections.abc import Callable
from functools import wraps
from pathlib import Path
from typing import Any, TypeVar

import click

from podcards import __version__, files, interrupts
from podcards.errors import PodcardsError, Problem, UsageError
from podcards.words import plural

F = TypeVar("F", bound=Callable[..., Any])
_ALLOWANCE_FLAGS = {"schema_change": "--allow-schema-change", "rename": "--allow-rename"}


_templates_option = click.option(
    "--templates",
    type=click.Path(file_okay=False, path_type=Path),
    help="Folder of card templates, as for build.",
)


def _user_errors(command: F) -> F:
    """Turn the library's exceptions into one-line messages and exit codes."""

    @wraps(command)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        _never_fail_to_print()
        mark = files.written_count()
        try:
            with interrupts.as_exceptions():  # SIGTERM and SIGHUP clean up as Ctrl-C does
                return command(*args, **kwargs)
        except PodcardsError as error:
            for problem in error.problems:
                _echo(str(problem), err=True)
            allowances: frozenset[str] = getattr(error, "allowances", frozenset())
            flags = " ".join(_ALLOWANCE_FLAGS[name] for name in sorted(allowances))
            if flags:
                _echo(f"to release it anyway, knowing the cost: podcards build {flags}", err=True)
            sys.exit(1)
        except UsageError as error:
            raise click.UsageError(str(error)) from error
        except KeyboardInterrupt as error:
            written = files.written_since(mark)
            if written:
                done = ", ".join(str(path) for path in written)
                _echo(f"interrupted after writing {done}: that write is complete", err=True)
            else:
                _echo("interrupted: nothing was changed", err=True)
            sys.exit(128 + interrupts.signal_number(error))
        except MemoryError:
            _echo("error: out of memory; nothing was changed", err=True)
            sys.exit(1)

    return wrapper  # type: ignore[return-value]


_BIDI = frozenset("\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")


def _echo(message: str, *, err: bool = False, nl: bool = True) -> None:
    """Print, with control characters and bidi overrides in deck text made visible.

    A deck file is someone else's text: an escape sequence in a deck name must not drive
    the terminal, nor a right-to-left override reorder a message.
    """
    if any(_unsafe(char) for char in message):
        message = "".join(repr(char)[1:-1] if _unsafe(char) else char for char in message)
    click.echo(message, err=err, nl=nl)


def _data(text: str) -> None:
    """What a command writes as its result (CSV, a release note): exact when redirected,
    made safe for a terminal when shown on one."""
    if sys.stdout.isatty():
        _echo(text, nl=False)
    else:
        click.echo(text, nl=False)


def _unsafe(char: str) -> bool:
    return (unicodedata.category(char) == "Cc" and char not in "\n\t") or char in _BIDI


def _never_fail_to_print() -> None:
    """A terminal that cannot show a character gets an escape, not a traceback."""
    for stream in (sys.stdout, sys.stderr):
        reconfigure = getattr(stream, "reconfigure", None)
        if reconfigure is not None:
            with contextlib.suppress(ValueError, OSError):
                reconfigure(errors="backslashreplace")


def _print_versions(context: click.Context, _: click.Parameter, value: bool) -> None:
    """The version, and those of what the bytes of a package depend on."""
    if not value or context.resilient_parsing:
        return
    import sqlite3
    import zlib
    from importlib.metadata import PackageNotFoundError, version

    found = []
    for name in ("genanki", "wordfreq", "Jinja2", "MarkupSafe"):
        try:
            found.append(f"{name} {version(name)}")
        except PackageNotFoundError:
            found.append(f"{name} (not installed)")
    found += [f"SQLite {sqlite3.sqlite_version}", f"zlib {zlib.ZLIB_RUNTIME_VERSION}"]
    _echo(f"podcards {__version__} (packages built with {', '.join(found)})")
    context.exit()


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.option(
    "--version",
    is_flag=True,
    expose_value=False,
    is_eager=True,
    callback=_print_versions,
    help="Show the version, and those that packages' bytes depend on, and exit.",
)
def main() -> None:
    """Turn podcast episode notes into Anki decks that update cleanly.

    Write one YAML file per episode in decks/, run `podcards build`, and import
    the .apkg files from dist/ into Anki.
    """


@main.command()
@click.argument("paths", nargs=-1, type=click.Path(path_type=Path))
@click.option(
    "-o",
    "--output",
    type=click.Path(file_okay=False, path_type=Path),
    default=Path("dist"),
    show_default=True,
    help="Folder for the .apkg files.",
)
@click.option(
    "--templates",
    type=click.Path(file_okay=False, path_type=Path),
    help="Folder of card templates that override or add to the built-in ones "
    "[default: templates/ beside the decks folder, if present].",
)
@click.option(
    "--allow-schema-change",
    is_flag=True,
    help="Release a note type whose fields or templates changed (learners need "
    "'Merge note types', which forces a full sync).",
)
@click.option(
    "--allow-rename",
    is_flag=True,
    help="Release a deck under a new Anki name (learners' old cards stay under the old name).",
)
@click.option(
    "--bundle",
    metavar="NAME",
    help="Write one package, OUTPUT/NAME.apkg, with every deck in it, instead of one per deck.",
)
@_user_errors
def build(
    paths: tuple[Path, ...],
    output: Path,
    templates: Path | None,
    allow_schema_change: bool,
    allow_rename: bool,
    bundle: str | None,
) -> None:
    """Build one Anki package per deck file.

    PATHS are deck files or folders of them (default: decks/*.yaml). Writes
    OUTPUT/<deck-id>.apkg for each deck (or, with --bundle, OUTPUT/NAME.apkg with all
    of them) and keeps decks/podcards.lock, which records what was released so that
    later releases update learners' notes in place. Commit the lock with the decks.
    """
    from podcards.build import build as build_decks
    from podcards.release import Allowances

    report = build_decks(
        list(paths),
        output,
        templates_dir=templates,
        allow=Allowances(schema_change=allow_schema_change, rename=allow_rename),
        bundle=bundle,
    )
    if bundle is not None and report.decks:
        first = report.decks[0]
        status = "wrote" if first.written else "unchanged"
        notes = sum(deck.notes for deck in report.decks)
        cards = sum(deck.cards for deck in report.decks)
        decks = plural(len(report.decks), "deck")
        _echo(f"{status} {first.package}: {decks} ({notes} notes, {cards} cards)")
        changed = any(deck.changes.new or deck.changes.changed for deck in report.decks)
        if changed:
            _echo(
                "  per-deck packages were not rewritten: run `podcards build` too before "
                "sharing them"
            )
    for deck in report.decks:
        changes = deck.changes
        parts = [f"{len(changes.new)} new", f"{len(changes.changed)} changed"]
        for name, keys in (
            ("retired", changes.retired),
            ("re-sent", changes.resent),
            ("purged", changes.purged),
        ):
            if keys:
                parts.append(f"{len(keys)} {name}")
        status = "  " if bundle is not None else f"{'wrote' if deck.written else 'unchanged'} "
        where = "" if bundle is not None else f"{deck.package}: "
        _echo(
            f"{status}{where}{deck.name} ({deck.notes} notes, {deck.cards} cards; "
            f"{', '.join(parts)})"
        )
        for key in changes.retired:
            _echo(f"  retired {key}: it still ships, tagged podcards::retired")
        for key in changes.purged:
            _echo(f"  purged {key}: no longer shipped; members keep their copy")
        if changes.resent:
            _echo(
                f"  re-sent {len(changes.resent)} unchanged notes that changed again lately, "
                "for members on Anki 2.1.55 to 24.11 who imported a release late"
            )
    for name in report.restyled:
        _echo(f"note type '{name}' has new templates or CSS; learners get them in place")
    _warn(report.warnings)
    _warn_orphaned(report.orphaned)
    _warn_recovered(report.recovered)
    if report.lock_written:
        _echo(f"updated {report.lock} (commit it with the deck files)")


def _warn(warnings: tuple[Problem, ...]) -> None:
    for warning in warnings:
        _echo(str(warning), err=True)


def _warn_recovered(recovered: tuple[Path, ...]) -> None:
    if recovered:
        _echo(
            "warning: an earlier write was stopped part way (killed?); put back as they "
            f"were before it: {', '.join(str(path) for path in recovered)}",
            err=True,
        )


def _warn_orphaned(orphaned: tuple[tuple[str, str], ...]) -> None:
    for deck_id, name in orphaned:
        _echo(
            f"warning: deck '{deck_id}' ({name}) was released from here, but no deck file has "
            "it now: it is no longer updated, and learners keep its notes. Restore its file "
            "to go on updating it.",
            err=True,
        )


@main.command()
@click.argument("paths", nargs=-1, type=click.Path(path_type=Path))
@_templates_option
@click.option(
    "--format",
    "output_format",
    type=click.Choice(["text", "markdown"]),
    default="text",
    show_default=True,
    help="markdown: release notes to paste into a group chat.",
)
@_user_errors
def diff(paths: tuple[Path, ...], templates: Path | None, output_format: str) -> None:
    """Show what the next build would change for members; write nothing.

    Compares the deck files with the last release recorded in decks/podcards.lock (no
    dist/ needed), deck by deck: notes new, changed (word by word, as the cards read),
    retired, purged, re-sent and unchanged, and restyled note types.
    """
    from podcards.build import diff as diff_decks
    from podcards.diffing import as_markdown, as_text

    result = diff_decks(list(paths), templates_dir=templates)
    if output_format == "markdown":
        _data(as_markdown(result.changes))
    else:
        _data(as_text(result.changes, str(result.lock)))
        if result.changes.empty:
            _echo("no changes: the next build would ship exactly what was released")
    _warn(result.warnings)
    _warn_orphaned(result.orphaned)
    _warn_recovered(result.recovered)


@main.command()
@click.argument("paths", nargs=-1, type=click.Path(path_type=Path))
@click.option(
    "--packages",
    "packages_dir",
    type=click.Path(file_okay=False, path_type=Path),
    default=Path("dist"),
    show_default=True,
    help="Folder of the last release's packages; rebuilt from the lock where not there.",
)
@_templates_option
@click.option(
    "--allow-schema-change", is_flag=True, help="See what a note type schema change does."
)
@click.option("--allow-rename", is_flag=True, help="See what a deck rename does.")
@_user_errors
def verify(
    paths: tuple[Path, ...],
    packages_dir: Path,
    templates: Path | None,
    allow_schema_change: bool,
    allow_rename: bool,
) -> None:
    """Import the last release and the next build into a throwaway Anki collection.

    Uses the real Anki engine (pip install 'podcards[anki]') with a member's default
    options, then again with "Merge note types" on, and as a late member on Anki
    2.1.55 to 24.11; prints what Anki says and checks it against `podcards diff`.
    Exits 1 if anything would duplicate, conflict, add a second note type, force a
    full sync, or differ from the diff. Writes nothing.
    """
    from podcards.build import verify as verify_release
    from podcards.release import Allowances

    report = verify_release(
        list(paths),
        packages_dir,
        templates_dir=templates,
        allow=Allowances(schema_change=allow_schema_change, rename=allow_rename),
    )
    for line in report.lines():
        _echo(line)
    if report.problems:
        sys.exit(1)


@main.command("export")
@click.argument("paths", nargs=-1, type=click.Path(path_type=Path))
@click.option(
    "--format",
    "file_format",
    type=click.Choice(["csv", "tsv"]),
    default="csv",
    show_default=True,
    help="Comma- or tab-separated.",
)
@click.option(
    "-o",
    "--output",
    type=click.Path(dir_okay=False, path_type=Path),
    help="File to write [default: standard output].",
)
@_templates_option
@_user_errors
def export_command(
    paths: tuple[Path, ...], file_format: str, output: Path | None, templates: Path | None
) -> None:
    """Write every note as one CSV or TSV file, for Anki's text import or a spreadsheet.

    A row per note: GUID, note type, deck, tags and fields (HTML), under the headers
    Anki reads, so that importing it into a collection that holds the decks from an
    .apkg updates those same notes. Prefer the .apkg to share decks: Anki's text import
    overwrites a learner's own edits and cannot create podcards' note types.
    """
    from podcards.build import export
    from podcards.files import refuse_podcards_files, write_text

    if output is not None:
        refuse_podcards_files(output, "an export")
    result = export(list(paths), file_format, templates_dir=templates)
    if output is None:
        _data(result.text)
    else:
        write_text(output, result.text)
        _echo(f"wrote {output}: {result.notes} notes", err=True)
    if result.unreleased:
        _echo(
            "note: the deck files changed since the last build; this is the next release: "
            "run `podcards build` so that the lock records it",
            err=True,
        )


@main.command()
@click.option(
    "--purge",
    "selectors",
    multiple=True,
    metavar="KEY",
    help="Stop shipping a retired note: its key (e.g. quote/old-id) or GUID. Repeatable.",
)
@click.option(
    "--decks",
    "deck_folder",
    type=click.Path(file_okay=False, exists=True, path_type=Path),
    default=Path("decks"),
    show_default=True,
    help="Folder of the deck files and podcards.lock.",
)
@_user_errors
def retire(selectors: tuple[str, ...], deck_folder: Path) -> None:
    """List retired notes, or stop shipping some of them.

    An item removed from a deck file keeps shipping, tagged podcards::retired, so
    learners can find it (search tag:podcards::retired) and delete or suspend it.
    Once they have had the chance, `podcards retire --purge quote/old-id` drops it.
    """
    from podcards.build import purge_retired, retired_notes
    from podcards.clock import day

    if not selectors:
        notes = retired_notes(deck_folder)
        for note in notes:
            _echo(f"{note.deck_id}: {note.key} (retired {day(note.retired)}; {note.guid})")
        if not notes:
            _echo("no retired notes")
        return
    for done in purge_retired(deck_folder, list(selectors)):
        for note in done.purged:
            _echo(
                f"purged {note.deck_id}: {note.key} (retired {day(note.retired)}); "
                "the next build no longer ships it"
            )
        if not done.purged:
            dates = sorted({day(note.purged) for note in done.earlier if note.purged > 1})
            when = f" on {', '.join(dates)}" if dates else " before"
            _echo(f"nothing to purge for '{done.selector}': it was purged{when}")


@main.command()
@click.option(
    "--markdown", is_flag=True, help="The reference as Markdown, as in docs/deck-format.md."
)
def schema(markdown: bool) -> None:
    """Print the deck format as a JSON Schema, for editors.

    The YAML language server reads it from a `# yaml-language-server: $schema=FILE`
    line at the top of a deck file:

    \b
      podcards schema > deck.schema.json
    """
    from podcards.schema import json_schema_text, markdown_reference

    _echo(markdown_reference() if markdown else json_schema_text(), nl=False)


@main.command("ingest")
@click.argument("notes", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option(
    "-o",
    "--output",
    type=click.Path(path_type=Path),
    help="Deck file to write (or a folder for it).  [default: decks/<deck-id>.yaml]",
)
@click.option(
    "--sections",
    metavar="NAMES",
    help="Take only these sections, comma-separated, e.g. insights,quotes (Fabric's ideas, "
    "facts and recommendations are insights you may leave out).  [default: all]",
)
@click.option("--force", is_flag=True, help="Replace OUTPUT if it exists (every id made anew).")
@click.option(
    "--update",
    is_flag=True,
    help="Merge revised notes into the existing OUTPUT, keeping the ids of its items.",
)
@_user_errors
def ingest_command(
    notes: Path, output: Path | None, sections: str | None, force: bool, update: bool
) -> None:
    """Turn an episode's summary notes into a deck file.

    NOTES is plain text or Markdown (Obsidian, Notion, Snipd, Readwise, a blog post,
    show notes, a Fabric summary) with sections such as Insights, Key takeaways,
    Frameworks, Quotes, Habits, References, FAQ, One-sentence takeaway, Summary; or a
    plain list of bullets. Every item gets a readable id; what was guessed and what was
    left out is said line by line. Check the file, then run `podcards build`. An
    existing file is never overwritten unless you ask: --update edits it in place and
    keeps its ids, comments and hand edits; --force replaces it.

    \b
    Examples (the files in podcards' own examples/ folder, in a clone of it):
      podcards ingest examples/plain-text-notes.txt
      podcards ingest examples/obsidian-notes.md
      podcards ingest examples/fabric-summary.md --sections insights,quotes
      podcards ingest notes/musk.md -o decks/musk.yaml --update
    """
    from podcards.ingest import SECTION_NAMES, ingest

    if force and update:
        raise UsageError("--force and --update cannot be used together")
    only = None
    if sections is not None:
        only = frozenset(name.strip().casefold() for name in sections.split(",") if name.strip())
        if not only or not only <= set(SECTION_NAMES):
            unknown = ", ".join(sorted(only - set(SECTION_NAMES))) or "none"
            raise UsageError(
                f"--sections: unknown {unknown}; choose from {', '.join(SECTION_NAMES)}"
            )
    report = ingest(
        notes, output, mode="update" if update else "force" if force else "create", sections=only
    )
    for line in report.lines():
        _echo(line)


@main.command("check")
@click.argument("paths", nargs=-1, type=click.Path(path_type=Path))
@_templates_option
@click.option("--strict", is_flag=True, help="Fail (exit 1) on warnings too, as on errors.")
@click.option(
    "--format",
    "output_format",
    type=click.Choice(["text", "json"]),
    default="text",
    show_default=True,
    help="text: one `path:line: error|warning: message` line each; json: for editors and CI.",
)
@_user_errors
def check_command(
    paths: tuple[Path, ...], templates: Path | None, strict: bool, output_format: str
) -> None:
    """Check deck files and judge every card, writing nothing.

    Everything `podcards build` validates, without writing packages or the lock,
    plus warnings about cards that are hard to learn from: an answer on its front,
    an answer too long to recall, a cloze hiding a stopword, a lone verb or most
    of its sentence, two cards with one front, two items stating one fact, a
    framework summary that is a list, a weak automatic key phrase, a paragraph as
    an item. Exit 0 without errors, 1 with errors (or warnings, with --strict).
    """
    import json

    from podcards.check import check

    report = check(list(paths), templates_dir=templates)
    if output_format == "json":
        problems = [
            {
                "path": problem.location.path,
                "line": problem.location.line,
                "severity": str(problem.severity),
                "code": problem.code,
                "message": problem.message,
            }
            for problem in report.problems
        ]
        summary = {
            "decks": report.decks,
            "cards": report.cards,
            "errors": len(report.errors),
            "warnings": len(report.warnings),
        }
        _echo(json.dumps({**summary, "problems": problems}, indent=2, ensure_ascii=False))
    else:
        for problem in report.problems:
            where = f"{problem.location}: " if problem.location.path else ""
            _echo(f"{where}{problem.severity}: {problem.message}")
        counts = f"{plural(len(report.errors), 'error')}, {plural(len(report.warnings), 'warning')}"
        if report.errors:
            _echo(f"{counts}: fix the errors, then check again", err=True)
        else:
            cards = f"{plural(report.decks, 'deck')}, {plural(report.cards, 'card')}"
            failing = " (--strict: warnings fail)" if strict and report.warnings else ""
            _echo(f"checked {cards}: {counts}{failing}", err=True)
    if report.errors or (strict and report.warnings):
        sys.exit(1)


@main.command("preview")
@click.argument("paths", nargs=-1, type=click.Path(path_type=Path))
@click.option(
    "-o",
    "--output",
    type=click.Path(file_okay=False, path_type=Path),
    default=Path("preview"),
    show_default=True,
    help="Folder for the HTML pages.",
)
@_templates_option
@click.option(
    "--engine",
    type=click.Choice(["auto", "anki", "podcards"]),
    default="auto",
    show_default=True,
    help="Who renders the cards: Anki itself (needs the anki package), podcards' own "
    "renderer, or Anki when it is installed.",
)
@_user_errors
def preview_command(
    paths: tuple[Path, ...], output: Path, templates: Path | None, engine: str
) -> None:
    """See every card before anyone imports it; release nothing.

    Writes OUTPUT/index.html and a page per deck with every card the next build
    would ship, front and back, in light and night mode, rendered with the note
    types' own HTML and CSS as Anki shows them, in the order a learner meets
    them, with the item's line, its tags and its warnings. The pages open from
    the file system and fetch nothing. The lock is read, never written.
    """
    from podcards.preview import preview

    report = preview(list(paths), output, templates_dir=templates, engine=engine)
    for warning in report.warnings:
        _echo(str(warning), err=True)
    pages = plural(len(report.pages), "deck page")
    _echo(
        f"wrote {report.index} and {pages}: {plural(report.cards, 'card')}, "
        f"rendered by {report.engine.split(' (')[0]}"
    )


@main.command("new")
@click.argument("name")
@click.option(
    "--decks",
    "deck_folder",
    type=click.Path(file_okay=False, path_type=Path),
    default=Path("decks"),
    show_default=True,
    help="Folder of the deck files.",
)
@_user_errors
def new_command(name: str, deck_folder: Path) -> None:
    """Start a deck file: DECKS/NAME.yaml, every section and key explained.

    NAME is the deck's permanent id (lower-case letters, digits, hyphens), e.g.
    all-in-elon-musk-2025. The file holds one placeholder item per section: replace
    every TODO (`podcards check` lists those left; no build releases them), delete
    what you do not need. An existing file is never overwritten.
    """
    from podcards.scaffold import new_deck

    path = new_deck(name, deck_folder)
    _echo(f"wrote {path}: replace its TODOs, then `podcards check` and `podcards preview`")


@main.command("init")
@click.argument("folder", type=click.Path(path_type=Path), default=Path("."))
@_user_errors
def init_command(folder: Path) -> None:
    """Start a podcards project of your own in FOLDER (default: here).

    Creates decks/ for the deck files, templates/ with a README on changing the
    cards, deck.schema.json for editors, and a .gitignore for dist/ and preview/.
    Keeps whatever is there already; writes no lock (the first build starts it).
    """
    from podcards.scaffold import init_project

    for created in init_project(folder):
        status = "created" if created.written else "kept"
        _echo(f"{status} {created.path}{' ' + created.note if created.note else ''}")
    _echo("next: podcards new <deck-id>")
