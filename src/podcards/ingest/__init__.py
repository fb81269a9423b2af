"""Episode notes to a deck file: parse the notes, give every item an id, merge, write.

Every text of the notes is kept character for character; only white space is normalized,
and inline Markdown (links, emphasis, code) is markup, not text. What is not taken is
reported, never dropped silently; what the notes do not say is guessed, and said so.
Where each step lives: ``parse`` (reading the file, the whole deck), ``plaintext`` (plain
text to Markdown), ``markdown`` (the parser: Markdown to an outline), ``text`` (inline
text and the author's emphasis), ``sections``, ``episode``, ``items`` (insights, takeaway,
FAQ cards), ``frameworks``, ``quotes``, ``named`` (habits, references), ``moments``
(timestamps), ``ids``, ``merge`` (``--update``), ``roundtrip`` (editing the deck file in
place), ``model`` (what is reported).
"""

from __future__ import annotations

from contextlib import nullcontext
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Literal

from podcards.clock import release_time
from podcards.deck import Deck
from podcards.deckfile import document, render_deck
from podcards.errors import PodcardsError, Problem
from podcards.files import JOURNAL_NAME, recover, write_text
from podcards.ingest.merge import load_deck_file, merge
from podcards.ingest.model import Change, Parsed, Skipped, counts, refused
from podcards.ingest.parse import SECTION_NAMES, parse_notes, read_notes
from podcards.ingest.roundtrip import edit_in_place
from podcards.projectlock import project_lock
from podcards.sources import load_deck_text

__all__ = [
    "SECTION_NAMES",
    "Change",
    "Mode",
    "Parsed",
    "Report",
    "Skipped",
    "ingest",
    "parse_notes",
    "read_notes",
]

Mode = Literal["create", "force", "update"]
_CHANGE_ORDER = ("new", "changed", "removed")


@dataclass(frozen=True)
class Report:
    path: Path
    action: Literal["wrote", "overwrote", "updated", "unchanged"]
    deck: Deck
    skipped: tuple[Skipped, ...] = ()
    changes: tuple[Change, ...] | None = None
    notes: tuple[str, ...] = ()  # what was guessed, and which key to check

    def lines(self) -> list[str]:
        verb = {
            "wrote": f"wrote {self.path}",
            "overwrote": f"overwrote {self.path}",
            "updated": f"updated {self.path}",
            "unchanged": f"{self.path} is up to date",
        }[self.action]
        lines = [f"{verb}: {counts(self.deck)}"]
        if self.changes is not None:
            tally = {what: sum(c.what == what for c in self.changes) for what in _CHANGE_ORDER}
            if self.changes:
                lines.append("changes: " + ", ".join(f"{n} {what}" for what, n in tally.items()))
            elif self.action == "updated":
                lines.append("changes: none to the items (order or formatting only)")
            else:
                lines.append("changes: none")
            lines += [
                f"  {c.what} {c.kind}{' ' + c.id if c.id else ''}: {_clip(c.label)}"
                for c in sorted(self.changes, key=lambda c: _CHANGE_ORDER.index(c.what))
            ]
        lines += self.notes
        lines += [str(skipped) for skipped in self.skipped]
        return lines


def _clip(text: str, width: int = 70) -> str:
    text = " ".join(text.split())
    return f'"{text}"' if len(text) <= width else f'"{text[: width - 1].rstrip()}…"'


def ingest(
    notes: Path,
    output: Path | None = None,
    *,
    mode: Mode = "create",
    now: datetime | None = None,
    sections: frozenset[str] | None = None,
) -> Report:
    """Read the notes and write (or, with ``mode="update"``, merge into) a deck file.

    The header says when: ``now``, else the build's release time (``SOURCE_DATE_EPOCH``
    when set, which must then be whole seconds: ``UsageError`` otherwise).
    """
    parsed = parse_notes(read_notes(notes), str(notes), only=sections)
    deck = parsed.deck
    target = output if output is not None else Path("decks") / f"{deck.id}.yaml"
    if target.is_dir():
        target = target / f"{deck.id}.yaml"
    if target.exists() and notes.resolve() == target.resolve():
        raise refused(target, "is the notes file itself")
    _refuse_what_podcards_writes(target)
    when = now if now is not None else datetime.fromtimestamp(release_time(), UTC)
    # the deck file is read (for --update) and written holding the project lock
    folder = target.parent
    lock = project_lock(folder, "podcards ingest") if folder.is_dir() else nullcontext()
    with lock:
        if folder.is_dir():
            recover(folder / JOURNAL_NAME)
        return _write(notes, target, mode, when, parsed)


def _write(notes: Path, target: Path, mode: Mode, when: datetime, parsed: Parsed) -> Report:
    deck = parsed.deck
    said = tuple(f"guessed: {guess}" for guess in parsed.guesses)
    changes: tuple[Change, ...] | None = None
    if mode == "update":
        if not target.is_file():
            raise refused(
                target,
                "does not exist, so there is nothing to update; run without --update to "
                "create it, or give the deck file with -o",
            )
        old = load_deck_file(target)
        deck, change_list = merge(deck, old)
        changes = tuple(change_list)
        if document(deck) == document(old):
            return Report(target, "unchanged", deck, parsed.skipped, changes, said)
        action: Literal["wrote", "overwrote", "updated"] = "updated"
    elif target.exists():
        if mode != "force":
            raise refused(
                target,
                "already exists; use --update to merge the notes into it (keeping its ids) "
                "or --force to replace it",
            )
        action = "overwrote"
    else:
        action = "wrote"
    verb = "Updated" if mode == "update" else "Written"
    text = render_deck(deck, header=_header(verb, notes, when))
    if mode == "update":
        edited = edit_in_place(target.read_text(encoding="utf-8"), render_deck(deck))
        if edited is not None and _reads_back_as(edited, target, deck):
            text = edited
        else:
            said += (f"note: {target} was written anew; its comments could not be kept",)
    _refuse_what_build_refuses(text, target)
    write_text(target, text, target.parent / JOURNAL_NAME)
    return Report(target, action, deck, parsed.skipped, changes, said)


def _reads_back_as(text: str, target: Path, deck: Deck) -> bool:
    """Whether the build reads the edited file as exactly the merged deck."""
    try:
        return document(load_deck_text(text, target)) == document(deck)
    except PodcardsError:
        return False


def _refuse_what_podcards_writes(target: Path) -> None:
    """Never write a deck file over the lock, a package or a build's output, even with --force.

    A deck file ends in .yaml or .yml and is not hidden (the build reads no other), and it
    is not in a dist/ folder beside the deck folder or in the current one (where the build
    writes its packages by default).
    """
    problem = None
    if target.suffix not in (".yaml", ".yml"):
        problem = "a deck file's name ends in .yaml or .yml; podcards writes nothing else"
    elif target.name.startswith("."):
        problem = "a hidden file is not read by the build; give the deck file a plain name"
    else:
        where = target.resolve()
        outputs = {Path("dist").resolve(), where.parent.parent / "dist"}
        if any(where.is_relative_to(folder) for folder in outputs):
            problem = "is in the build's output folder (dist/); write deck files to decks/"
    if problem:
        raise refused(target, f"{problem}; nothing was written")


def _refuse_what_build_refuses(text: str, target: Path) -> None:
    """Read the deck file about to be written as the build will: never write one it refuses."""
    try:
        load_deck_text(text, target)
    except PodcardsError as error:
        raise PodcardsError(
            [
                Problem(
                    problem.location,
                    f"the deck file ingest would write does not build: {problem.message}; "
                    "nothing was written",
                )
                for problem in error.problems
            ]
        ) from error


def _header(verb: str, notes: Path, when: datetime) -> str:
    source = " ".join(str(notes).split())
    stamp = when.astimezone(UTC).strftime("%Y-%m-%d %H:%M UTC")
    return (
        f"# {verb} by `podcards ingest` from {source} on {stamp}.\n"
        "# Edit freely, then run `podcards build`. Never change an `id:` once the deck is\n"
        "# shared: it is the identity of the cards people study. To bring in revised notes,\n"
        "# run `podcards ingest NOTES -o THIS-FILE --update`: it keeps the ids.\n"
    )
