"""The command line: options, exit codes and printing. The work lives in the library."""

from __future__ import annotations

import sys
from collections.abc import Callable
from functools import wraps
from pathlib import Path
from typing import Any, TypeVar

import click

from podcards import __version__
from podcards.errors import PodcardsError, Problem, UsageError

F = TypeVar("F", bound=Callable[..., Any])
_ALLOWANCE_FLAGS = {"schema_change": "--allow-schema-change", "rename": "--allow-rename"}


def _user_errors(command: F) -> F:
    """Turn the library's exceptions into one-line messages and exit codes."""

    @wraps(command)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return command(*args, **kwargs)
        except PodcardsError as error:
            for problem in error.problems:
                click.echo(str(problem), err=True)
            allowances: frozenset[str] = getattr(error, "allowances", frozenset())
            flags = " ".join(_ALLOWANCE_FLAGS[name] for name in sorted(allowances))
            if flags:
                click.echo(
                    f"to release it anyway, knowing the cost: podcards build {flags}", err=True
                )
            sys.exit(1)
        except UsageError as error:
            raise click.UsageError(str(error)) from error
        except KeyboardInterrupt:
            click.echo("interrupted: nothing was changed", err=True)
            sys.exit(130)

    return wrapper  # type: ignore[return-value]


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
    click.echo(f"podcards {__version__} (packages built with {', '.join(found)})")
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
@_user_errors
def build(
    paths: tuple[Path, ...],
    output: Path,
    templates: Path | None,
    allow_schema_change: bool,
    allow_rename: bool,
) -> None:
    """Build one Anki package per deck file.

    PATHS are deck files or folders of them (default: decks/*.yaml). Writes
    OUTPUT/<deck-id>.apkg for each deck and keeps decks/podcards.lock, which records
    what was released so that later releases update learners' notes in place.
    Commit the lock with the decks.
    """
    from podcards.build import build as build_decks
    from podcards.release import Allowances

    report = build_decks(
        list(paths),
        output,
        templates_dir=templates,
        allow=Allowances(schema_change=allow_schema_change, rename=allow_rename),
    )
    for deck in report.decks:
        changes = deck.changes
        parts = [f"{len(changes.new)} new", f"{len(changes.changed)} changed"]
        if changes.retired:
            parts.append(f"{len(changes.retired)} retired")
        status = "wrote" if deck.written else "unchanged"
        click.echo(
            f"{status} {deck.package}: {deck.name} ({deck.notes} notes, {deck.cards} cards; "
            f"{', '.join(parts)})"
        )
        for key in changes.retired:
            click.echo(f"  retired {key}: it still ships, tagged podcards::retired")
        for old, new in changes.renamed_items():
            click.echo(
                f"  hint: {old} was retired and {new} is new; if it is the same item renamed, "
                f"give it `id: {old.split('/')[-1]}` so learners keep its review history"
            )
    for name in report.restyled:
        click.echo(f"note type '{name}' has new templates or CSS; learners get them in place")
    _warn(report.warnings)
    _warn_orphaned(report.orphaned)
    if report.lock_written:
        click.echo(f"updated {report.lock} (commit it with the deck files)")


def _warn(warnings: tuple[Problem, ...]) -> None:
    for warning in warnings:
        click.echo(str(warning), err=True)


def _warn_orphaned(orphaned: tuple[tuple[str, str], ...]) -> None:
    for deck_id, name in orphaned:
        click.echo(
            f"warning: deck '{deck_id}' ({name}) was released from here, but no deck file has "
            "it now: it is no longer updated, and learners keep its notes. Restore its file "
            "to go on updating it.",
            err=True,
        )


def _shorten(text: str, width: int = 90) -> str:
    text = " ".join(text.split())
    return text if len(text) <= width else text[: width - 1] + "…"


@main.command()
@click.argument("paths", nargs=-1, type=click.Path(path_type=Path))
@click.option(
    "--templates",
    type=click.Path(file_okay=False, path_type=Path),
    help="Folder of card templates, as for build.",
)
@_user_errors
def diff(paths: tuple[Path, ...], templates: Path | None) -> None:
    """Show what the next build would change for learners; write nothing.

    Compares the deck files with decks/podcards.lock (no dist/ needed): notes that
    would be new, changed (field by field) or retired, and restyled note types.
    """
    from podcards.build import diff as diff_decks

    result = diff_decks(list(paths), templates_dir=templates)
    marks = {"new": "+", "changed": "~", "retired": "-"}
    for change in result.notes:
        click.echo(f"{marks[change.status]} {change.deck_id}: {change.key} ({change.status})")
        for field in change.fields:
            click.echo(f"    {field.name}: {_shorten(field.before)!r}")
            click.echo(f"    {' ' * len(field.name)}→ {_shorten(field.after)!r}")
        if change.tags:
            click.echo(f"    tags: {' '.join(change.tags[0])} → {' '.join(change.tags[1])}")
    for name in result.restyled:
        click.echo(f"~ note type '{name}': new templates or CSS")
    _warn(result.warnings)
    _warn_orphaned(result.orphaned)
    if not result.notes and not result.restyled and not result.orphaned:
        click.echo("no changes: the next build would ship exactly what was released")


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

    if not selectors:
        notes = retired_notes(deck_folder)
        for note in notes:
            click.echo(f"{note.deck_id}: {note.key} ({note.guid})")
        if not notes:
            click.echo("no retired notes")
        return
    for note in purge_retired(deck_folder, list(selectors)):
        click.echo(f"purged {note.deck_id}: {note.key}; the next build no longer ships it")


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

    click.echo(markdown_reference() if markdown else json_schema_text(), nl=False)


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
    Examples (files in the project's examples/ folder):
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
        click.echo(line)
