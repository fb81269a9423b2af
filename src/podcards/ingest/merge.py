"""``--update``: the notes' deck, merged into the deck file it was made into before.

Items are matched by name or by text, then by text similarity, so rewording or reordering
keeps an item's id. What the author added to the deck file by hand is kept: questions,
moments, card switches, hand-written cards, the deck's name and tags, and the key phrases
marked as {{c1::...}} wherever the notes still hold that phrase.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Sequence
from dataclasses import replace
from pathlib import Path
from typing import Any, TypeVar

from podcards.cloze import deletions, plain
from podcards.deck import (
    SECTIONS,
    CustomCard,
    Deck,
    Episode,
    Framework,
    Item,
    ValueType,
    keys_of,
)
from podcards.errors import PodcardsError, Problem
from podcards.ingest.ids import with_ids
from podcards.ingest.model import Change
from podcards.ingest.text import squash as norm
from podcards.sources import load_deck

_SIMILAR = 0.6
_HAND_KEYS = frozenset({"question", "at", "skip_cards", "add_cards"})
"""Keys the notes never give: what the deck file says is the author's."""


def load_deck_file(path: Path) -> Deck:
    """The existing deck file, read and checked as the build reads it."""
    try:
        return load_deck(path)
    except PodcardsError as error:
        raise PodcardsError(
            [Problem(p.location, f"cannot merge into it: {p.message}") for p in error.problems]
        ) from error


def merge(deck: Deck, old: Deck) -> tuple[Deck, list[Change]]:
    """The notes' deck, with the ids and hand-made additions of the existing deck file."""
    changes: list[Change] = []
    sections: dict[str, Any] = {
        name: _merge_items(getattr(deck, name), getattr(old, name), changes)
        for name in SECTIONS
        if name != "cards"
    }
    texts: dict[str, Any] = {}
    for name in ("hook", "summary"):
        new, before = getattr(deck, name), getattr(old, name)
        texts[name] = keep_marks(new, before) if new else before
        if texts[name] != before:
            changes.append(Change("changed" if before else "new", name, "", texts[name]))
    takeaway = old.takeaway
    if deck.takeaway is not None:
        takeaway = _merge_values(deck.takeaway, old.takeaway) if old.takeaway else deck.takeaway
        if old.takeaway is None or takeaway.text != old.takeaway.text:
            changes.append(
                Change("changed" if old.takeaway else "new", "takeaway", "", takeaway.text)
            )
    merged = replace(
        deck,
        deck=old.deck,  # the deck's id and name are frozen once shared; its tags are the author's
        episode=_merge_episode(deck.episode, old.episode),
        takeaway=takeaway,
        cards=_merge_cards(deck.cards, old.cards),
        **texts,
        **sections,
    )
    old_ids = _all_ids(old)
    merged = with_ids(merged, old_ids)
    return merged, _new_items(merged, old_ids) + changes


def _comparable(text: str) -> str:
    """A text as compared between notes and deck file: cloze marks and case ignored."""
    return norm(plain(text)).casefold()


def keep_marks(new: str, old: str | None) -> str:
    """The notes' text, with the key phrases the author marked in the deck file.

    The deck file's text when it only adds marks to the notes' text; else each marked phrase
    that the new text still holds once, marked again.
    """
    if not old or not deletions(old):
        return new
    if _comparable(old) == _comparable(new):
        return old
    marked = plain(new)  # the deck file's marks win over the emphasis of the notes
    kept = False
    for deletion in deletions(old):
        phrase = deletion.answer
        if phrase and marked.count(phrase) == 1:
            hint = f"::{deletion.hint}" if deletion.hint is not None else ""
            marked = marked.replace(phrase, f"{{{{c{deletion.number}::{phrase}{hint}}}}}")
            kept = True
    return marked if kept else new


def _words(text: str) -> list[str]:
    return re.findall(r"\w+", _comparable(text))


def _similarity(a: str, b: str) -> float:
    return difflib.SequenceMatcher(None, _words(a), _words(b), autojunk=False).ratio()


def _match(new: Sequence[tuple[str, str]], old: Sequence[tuple[str, str]]) -> dict[int, int]:
    """Pairs (new index -> old index): equal keys first, then the most similar texts."""
    pairs: dict[int, int] = {}
    used: set[int] = set()
    for i, (key, _) in enumerate(new):
        for j, (old_key, _) in enumerate(old):
            if j not in used and _words(key) and _words(key) == _words(old_key):
                pairs[i] = j
                used.add(j)
                break
    scored = sorted(
        (
            (_similarity(text, old_text), i, j)
            for i, (_, text) in enumerate(new)
            if i not in pairs
            for j, (_, old_text) in enumerate(old)
            if j not in used
        ),
        key=lambda t: (-t[0], t[1], t[2]),
    )
    for score, i, j in scored:
        if score >= _SIMILAR and i not in pairs and j not in used:
            pairs[i] = j
            used.add(j)
    return pairs


def _match_keys(item: Item) -> tuple[str, str]:
    """What must be equal for a sure match, and what is compared for a likely one."""
    name = getattr(item, "name", None) or ""
    text = getattr(item, "text", None) or getattr(item, "front", None) or ""
    text = text or getattr(item, "cloze", None) or ""
    return (name, f"{name} {text}") if name else (text, text)


def _label(item: Item) -> str:
    name, text = _match_keys(item)
    return name or text


_V = TypeVar("_V")


def _merge_values(new: _V, old: _V) -> _V:
    """One item: the notes' texts (with the author's marks), the deck file's hand keys."""
    changes: dict[str, Any] = {"id": old.id} if hasattr(old, "id") else {}
    for name, spec in keys_of(type(new)).items():
        mine, theirs = getattr(new, name), getattr(old, name)
        if name == "id" or spec.type is ValueType.ITEMS:
            continue
        if name in _HAND_KEYS:
            changes[name] = theirs if theirs not in (None, ()) else mine
        elif mine in (None, (), ""):
            changes[name] = theirs  # a text the notes do not give is the deck file's
        elif spec.cloze and isinstance(mine, str):
            changes[name] = keep_marks(mine, theirs)
    return replace(new, **changes)  # type: ignore[type-var]


_I = TypeVar("_I", bound=Item)


def _merge_items(items: Sequence[_I], olds: Sequence[_I], changes: list[Change]) -> tuple[_I, ...]:
    """Each item with the id of its match in the deck file, or no id when it is new."""
    pairs = _match([_match_keys(n) for n in items], [_match_keys(o) for o in olds])
    result: list[_I] = []
    for i, item in enumerate(items):
        if i not in pairs:
            fresh = replace(item, id="")
            if isinstance(fresh, Framework):
                fresh = replace(
                    fresh, components=tuple(replace(c, id="") for c in fresh.components)
                )
            result.append(fresh)
            continue
        old = olds[pairs[i]]
        after = _merge_values(item, old)
        if isinstance(after, Framework) and isinstance(item, Framework):
            assert isinstance(old, Framework)
            components = _merge_items(item.components, old.components, changes)
            after = replace(after, components=components)
        if _texts(after) != _texts(old):
            changes.append(Change("changed", str(item.KIND), after.id, _label(after)))
        result.append(after)
    for j, old in enumerate(olds):
        if j not in pairs.values():
            changes.append(Change("removed", str(old.KIND), old.id, _label(old)))
            if isinstance(old, Framework):
                _merge_items((), old.components, changes)
    return tuple(result)


def _texts(item: Item) -> tuple[object, ...]:
    return tuple(
        getattr(item, name)
        for name, spec in keys_of(type(item)).items()
        if spec.type is ValueType.TEXT
    )


def _merge_cards(cards: Sequence[CustomCard], olds: Sequence[CustomCard]) -> tuple[CustomCard, ...]:
    """Hand-written cards are the author's: every one stays; the notes' new ones are added."""
    pairs = _match([_match_keys(c) for c in cards], [_match_keys(o) for o in olds])
    added = [replace(card, id="") for i, card in enumerate(cards) if i not in pairs]
    return (*olds, *added)


def _merge_episode(episode: Episode, old: Episode) -> Episode:
    """The notes' episode, completed with what only the deck file says (a date, a link)."""
    return replace(
        episode,
        **{
            name: getattr(old, name)
            for name in keys_of(Episode)
            if getattr(episode, name) in (None, (), "")
        },
    )


def _new_items(deck: Deck, old_ids: set[str]) -> list[Change]:
    """The items the notes add: fresh ids are never ids of the deck file."""
    items: list[Item] = []
    for framework in deck.frameworks:
        items += [framework, *framework.components]
    items += [*deck.insights, *deck.quotes, *deck.habits, *deck.references, *deck.cards]
    return [
        Change("new", str(item.KIND), item.id, _label(item))
        for item in items
        if item.id not in old_ids
    ]


def _all_ids(old: Deck) -> set[str]:
    ids = {item.id for item, _ in old.items()}
    ids |= {c.id for f in old.frameworks for c in f.components}
    ids.discard("takeaway")
    return ids
