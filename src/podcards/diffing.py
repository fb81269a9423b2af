"""What a release changes for members, in the words on their cards: `podcards diff` and
release notes.

Every changed field is shown whole, as the learner reads it (no HTML, cloze answers in
brackets), with a word-level diff; nothing is cut. Standard library and the core only.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Callable
from dataclasses import dataclass

from podcards.clock import day
from podcards.deck import NoteKind
from podcards.notes_text import learner_text
from podcards.notetypes import NoteTypes
from podcards.release import RETIRED_TAG, DeckChanges, NoteChange, NoteStatus

LATE_ANKI = "Anki 2.1.55 to 24.11"


@dataclass(frozen=True)
class FieldDiff:
    name: str
    before: str  # as the learner reads it
    after: str


@dataclass(frozen=True)
class NoteDiff:
    key: str
    status: NoteStatus
    text: str  # what the card asks, as the learner reads it ("" once purged)
    fields: tuple[FieldDiff, ...] = ()
    tags: tuple[str, str] | None = None  # before, after: space-separated


@dataclass(frozen=True)
class DeckDiff:
    deck_id: str
    name: str
    notes: tuple[NoteDiff, ...]  # every note that moves; unchanged ones are counted
    unchanged: int

    def of(self, status: NoteStatus) -> tuple[NoteDiff, ...]:
        return tuple(note for note in self.notes if note.status is status)

    def summary(self) -> str:
        parts = [f"{len(self.of(status))} {_WORDS[status]}" for status in _ORDER]
        return ", ".join(part for part in parts if not part.startswith("0 ")) or "empty"


_ORDER = (
    NoteStatus.NEW,
    NoteStatus.CHANGED,
    NoteStatus.RETIRED,
    NoteStatus.PURGED,
    NoteStatus.RESENT,
)
_WORDS = {
    NoteStatus.NEW: "new",
    NoteStatus.CHANGED: "changed",
    NoteStatus.RETIRED: "retired",
    NoteStatus.PURGED: "purged",
    NoteStatus.RESENT: "re-sent",
}


@dataclass(frozen=True)
class ReleaseDiff:
    decks: tuple[DeckDiff, ...]
    last_release: int  # the time of the release compared with; 0 before the first
    restyled: tuple[str, ...]  # note types whose templates or CSS change

    @property
    def empty(self) -> bool:
        return not self.restyled and not any(deck.notes for deck in self.decks)


def deck_diff(deck_id: str, name: str, changes: DeckChanges, notetypes: NoteTypes) -> DeckDiff:
    moving = [c for c in changes.notes if c.status is not NoteStatus.UNCHANGED]
    order = {status: place for place, status in enumerate(_ORDER)}
    moving.sort(key=lambda change: order[change.status])  # stable: the deck's own order
    return DeckDiff(
        deck_id,
        name,
        tuple(_note_diff(change, notetypes) for change in moving),
        len(changes.notes) - len(moving),
    )


def _note_diff(change: NoteChange, notetypes: NoteTypes) -> NoteDiff:
    after, before = change.after, change.before
    shown = before if change.status in (NoteStatus.RETIRED, NoteStatus.PURGED) else after
    text = _asks(shown.notetype, shown.fields) if shown and shown.fields else ""
    if change.status is not NoteStatus.CHANGED or before is None:
        return NoteDiff(after.key, change.status, text)
    names = notetypes[after.notetype].field_names
    fields = tuple(
        FieldDiff(name, learner_text(was), learner_text(now))
        for name, was, now in zip(names, before.fields, after.fields, strict=True)
        if was != now
    )
    tags = (" ".join(before.tags), " ".join(after.tags)) if before.tags != after.tags else None
    return NoteDiff(after.key, change.status, text, fields, tags)


def _asks(notetype: NoteKind, fields: tuple[str, ...]) -> str:
    """A question card's question and answer; a cloze card's text, answers in brackets."""
    if notetype is NoteKind.QA:
        return f"{learner_text(fields[0])} → {learner_text(fields[1])}"
    return learner_text(fields[0])


# -- word diffs ----------------------------------------------------------------------------


_TOKENS = re.compile(r"\w+(?:['’]\w+)*|\s+|[^\w\s]")


def word_diff(before: str, after: str) -> list[tuple[str, str]]:
    """(``=``, ``-`` or ``+``, text) spans of the whole text, changed word by word.

    Words and punctuation are compared apart, so that ``product.`` to ``product, too.``
    keeps ``product``; the spaces around a change stay outside it.
    """
    old, new = _TOKENS.findall(" ".join(before.split())), _TOKENS.findall(" ".join(after.split()))
    spans: list[tuple[str, str]] = []
    matcher = difflib.SequenceMatcher(None, old, new, autojunk=False)
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        removed, added = "".join(old[i1:i2]), "".join(new[j1:j2])
        if tag == "equal":
            spans.append(("=", removed))
            continue
        lead = _edge_space((removed, added), _LEADING)
        trail = _edge_space((removed[len(lead) :], added[len(lead) :]), _TRAILING)
        spans.append(("=", lead))
        spans.append(("-", removed[len(lead) : len(removed) - len(trail)]))
        spans.append(("+", added[len(lead) : len(added) - len(trail)]))
        spans.append(("=", trail))
    merged: list[tuple[str, str]] = []
    for op, text in spans:
        if not text:
            continue
        if op in ("-", "+") and not text.strip():  # a change of spaces alone
            op = "="
        if merged and merged[-1][0] == op:
            merged[-1] = (op, merged[-1][1] + text)
        else:
            merged.append((op, text))
    return merged


def _edge_space(texts: tuple[str, str], edge: re.Pattern[str]) -> str:
    """The spaces every non-empty text starts (or ends) with: they stay outside the marks."""
    found = [match.group() for text in texts if text and (match := edge.search(text))]
    return min(found, key=len, default="")


_LEADING, _TRAILING = re.compile(r"^\s*"), re.compile(r"\s*$")


def _marked(
    before: str, after: str, removed: str, added: str, escape: Callable[[str], str] = str
) -> str:
    marks = {"-": removed, "+": added}
    return "".join(
        marks[op].format(escape(text)) if op in marks else escape(text)
        for op, text in word_diff(before, after)
    )


# -- the two renderings --------------------------------------------------------------------


def as_text(diff: ReleaseDiff, lock_name: str) -> str:
    """For the terminal: every moving note under its deck, changes as ``[-old-]{+new+}``."""
    lines = [_compared(diff, lock_name), ""]
    for deck in diff.decks:
        lines.append(f"{deck.name} ({deck.deck_id}): {_counts(deck)}")
        for note in deck.notes:
            lines += _text_note(note)
    lines += [f"note type '{name}': new templates or CSS" for name in diff.restyled]
    return "\n".join(lines) + "\n"


def _text_note(note: NoteDiff) -> list[str]:
    if note.status is NoteStatus.NEW:
        return [f"  + {note.key}: {note.text}"]
    if note.status is NoteStatus.RETIRED:
        return [f"  - {note.key} (retired, tagged {RETIRED_TAG}): {note.text}"]
    if note.status is NoteStatus.PURGED:
        return [f"  x {note.key} (purged: no longer shipped; members keep their copy)"]
    if note.status is NoteStatus.RESENT:
        return [f"  = {note.key} (re-sent unchanged, for late members on {LATE_ANKI})"]
    lines = [f"  ~ {note.key}"]
    for field in note.fields:
        lines.append(
            f"      {field.name}: {_marked(field.before, field.after, '[-{}-]', '{{+{}+}}')}"
        )
    if note.tags:
        lines.append(f"      tags: {_marked(*note.tags, '[-{}-]', '{{+{}+}}')}")
    return lines


def as_markdown(diff: ReleaseDiff) -> str:
    """Release notes to paste into a group chat: what members get, deck by deck."""
    since = f" since the release of {day(diff.last_release)}" if diff.last_release else ""
    lines = [f"**What's new{since}**", ""]
    for deck in diff.decks:
        if not deck.notes:
            continue
        lines += [f"### {_md(deck.name)}", "", _counts(deck), ""]
        lines += _markdown_section(deck, NoteStatus.NEW, "New cards", _md_asks)
        lines += _markdown_section(deck, NoteStatus.CHANGED, "Changed", _md_changes)
        lines += _markdown_section(
            deck,
            NoteStatus.RETIRED,
            f"Removed (find them with `tag:{RETIRED_TAG}` in the Browser and delete them)",
            _md_asks,
        )
        lines += _markdown_section(
            deck, NoteStatus.PURGED, "No longer shipped (delete your copy if you like)", _md_key
        )
        lines += _markdown_section(
            deck,
            NoteStatus.RESENT,
            f"Sent again unchanged, for members on {LATE_ANKI} who imported a release late",
            _md_key,
        )
    if diff.restyled:
        lines += ["New look for the note types " + ", ".join(diff.restyled) + ".", ""]
    if diff.empty:
        lines += ["Nothing changes for members.", ""]
    return "\n".join(lines).rstrip("\n") + "\n"


def _markdown_section(
    deck: DeckDiff, status: NoteStatus, title: str, line: Callable[[NoteDiff], str]
) -> list[str]:
    notes = deck.of(status)
    return [f"**{title}**", *(line(note) for note in notes), ""] if notes else []


def _md_key(note: NoteDiff) -> str:
    return f"- `{note.key}`"


def _md_asks(note: NoteDiff) -> str:
    return f"- `{note.key}`: {_md(note.text)}"


def _md_changes(note: NoteDiff) -> str:
    parts = [
        f"{field.name}: {_marked(field.before, field.after, '~~{}~~', '**{}**', _md)}"
        for field in note.fields
    ]
    if note.tags:
        parts.append(f"tags: {_marked(*note.tags, '~~{}~~', '**{}**', _md)}")
    return f"- `{note.key}`: " + "; ".join(parts)


_MARKDOWN = re.compile(r"([\\`*_~])")  # what would turn words bold or struck out


def _md(text: str) -> str:
    return _MARKDOWN.sub(r"\\\1", text)


def _counts(deck: DeckDiff) -> str:
    unchanged = f"{deck.unchanged} unchanged"
    return f"{deck.summary()}, {unchanged}" if deck.notes else unchanged


def _compared(diff: ReleaseDiff, lock_name: str) -> str:
    if not diff.last_release:
        return f"Nothing released yet ({lock_name}): every note is new."
    return f"Compared with the last release, of {day(diff.last_release)} ({lock_name})."
