"""``--update``: the notes' deck, merged into the deck file it was made into before.

Items are matched by name (frameworks, components, habits, references) or by text, then
by text similarity, so rewording or reordering keeps an item's id. What the author added
to the deck file by hand is kept.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import replace
from datetime import date
from pathlib import Path
from typing import Any, TypeVar

from podcards.cloze import plain
from podcards.errors import Location, PodcardsError, Problem, Problems
from podcards.ingest.ids import with_ids
from podcards.ingest.model import (
    SECTIONS,
    Change,
    Component,
    Deck,
    DeckInfo,
    Episode,
    Extra,
    Framework,
    Item,
)
from podcards.ingest.notes import norm
from podcards.sources import EPISODE_KEYS, read_yaml
from podcards.sources import slug as build_slug

_WRITTEN = ("podcards", "deck", "episode", "hook", "takeaway", "summary", *SECTIONS)
"""The top-level keys ingest writes; the deck file's other keys are kept as they are."""
_WRITTEN_DECK = ("id", "name", "tags")
_SIMILAR = 0.6


def load_deck_file(path: Path) -> dict[str, object]:
    """The existing deck file's data, with its item sections checked to be lists of items.

    Read as the build reads it (``read_yaml``): a key given twice is an error, not the last
    one silently.
    """
    try:
        data, read_problems = read_yaml(path)
    except OSError as error:
        raise PodcardsError(
            [Problem(Location.of(path), f"cannot read: {error.strerror}")]
        ) from error
    if read_problems:
        raise PodcardsError(
            [Problem(p.location, f"cannot merge into it: {p.message}") for p in read_problems]
        )
    if not isinstance(data, dict):
        raise PodcardsError(
            [Problem(Location.of(path), "not a deck file: expected 'podcards: 1', 'deck', ...")]
        )
    problems = Problems()
    for key in SECTIONS:
        value = data.get(key)
        if value is not None and not (
            isinstance(value, list) and all(isinstance(v, dict) for v in value)
        ):
            where = Location.of(path, _line(data, key))
            problems.add(where, f"'{key}' must be a list of items to merge into")
    frameworks = data.get("frameworks")
    for framework in frameworks if isinstance(frameworks, list) else []:
        components = framework.get("components") if isinstance(framework, dict) else None
        if components is not None and not (
            isinstance(components, list) and all(isinstance(c, dict) for c in components)
        ):
            problems.add(
                Location.of(path, _line(framework, "components")),
                "a framework's 'components' must be a list of items",
            )
    problems.raise_if_any()
    return {str(key): value for key, value in data.items()}


def _line(mapping: object, key: str) -> int:
    """The line of a key of a mapping ``read_yaml`` read (0 when not known)."""
    lines = getattr(mapping, "key_lines", None)
    return int(lines.get(key, 0)) if isinstance(lines, dict) else 0


def merge(deck: Deck, old: Mapping[str, object]) -> tuple[Deck, list[Change]]:
    """The notes' deck, with the ids and hand-made additions of the existing deck file.

    Keys ingest does not write (``question``, ``at``, ``skip_cards``, ``cards``,
    ``description``...) are kept, and so are cloze markers added by hand to a text the
    notes did not change.
    """
    changes: list[Change] = []
    items: dict[str, Any] = {
        key: _merge_items(cls, getattr(deck, key), _items(old, key), changes)
        for key, cls in SECTIONS.items()
    }
    texts: dict[str, str] = {}
    for key in ("hook", "takeaway", "summary"):
        new, before = str(getattr(deck, key)), _text(old.get(key))
        texts[key] = _keep_cloze(new, before) if new else before
        if texts[key] != before:
            changes.append(Change("changed" if before else "new", key, "", texts[key]))
    old_ids = _all_old_ids(old)
    merged = replace(
        deck,
        info=_merge_info(deck.info, old.get("deck")),
        episode=_merge_episode(deck.episode, old.get("episode")),
        extra=tuple((k, v) for k, v in old.items() if k not in _WRITTEN),
        hook=texts["hook"],
        takeaway=texts["takeaway"],
        summary=texts["summary"],
        **items,
    )
    merged = with_ids(merged, old_ids)
    return merged, _new_items(merged, old_ids) + changes


def _text(value: object) -> str:
    return "" if value is None or isinstance(value, dict | list) else str(value)


def _comparable(text: str) -> str:
    """A text as compared between notes and deck file: cloze markers and case ignored."""
    return norm(plain(text)).casefold()


def _keep_cloze(new: str, old: object) -> str:
    """The deck file's text when it only adds cloze markers to the notes' text."""
    old_text = _text(old)
    return old_text if old_text and _comparable(old_text) == _comparable(new) else new


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


def _kept(
    old: Mapping[object, object], written: Iterable[str], *, unless: tuple[str, type] | None = None
) -> Extra:
    """The keys ingest does not write, and a written one whose value is not of its type."""
    known = set(written)
    extra = tuple((str(k), v) for k, v in old.items() if str(k) not in known)
    if unless is not None:
        key, kind = unless
        value = old.get(key)
        if value is not None and not isinstance(value, kind):
            extra += ((key, value),)
    return extra


def _written(cls: type[Item]) -> tuple[str, ...]:
    """The keys ingest writes for an item of this kind."""
    return ("id", *cls.FIELDS, *(("components",) if cls is Framework else ()))


def _old_id(old: Mapping[object, object]) -> str:
    """An item's id in the deck file: given, or the one the build derives from its name."""
    given = old.get("id")
    if isinstance(given, str) and given:
        return given
    return build_slug(_text(old.get("name")))


def _items(data: Mapping[Any, object], key: str) -> list[dict[object, object]]:
    value = data.get(key)
    return [item for item in value if isinstance(item, dict)] if isinstance(value, list) else []


_I = TypeVar("_I", bound=Item)


def _merge_items(
    cls: type[_I], items: Sequence[_I], olds: list[dict[object, object]], changes: list[Change]
) -> tuple[_I, ...]:
    """Each item with the id of its match in the deck file, or no id when it is new."""
    fields = cls.FIELDS
    named = fields[0] == "name"
    body = fields[1] if named else fields[0]

    def keys(item: Mapping[Any, object]) -> tuple[str, str]:
        """What must be equal for a sure match, and what is compared for a likely one."""
        name, text = _text(item.get("name")), _text(item.get(body))
        return (name, f"{name} {text}") if named else (text, text)

    news = [{name: getattr(item, name) for name in fields} for item in items]
    pairs = _match([keys(n) for n in news], [keys(o) for o in olds])
    result: list[_I] = []
    for i, item in enumerate(items):
        updates: dict[str, Any] = {"id": ""}
        if isinstance(item, Framework):
            old_components = _items(olds[pairs[i]], "components") if i in pairs else []
            updates["components"] = _merge_items(
                Component, item.components, old_components, changes
            )
        if i in pairs:
            o = olds[pairs[i]]
            updates["id"] = _old_id(o)
            updates["extra"] = _kept(o, _written(cls))
            for name in fields:
                # a text the notes do not give (a summary, a speaker...) is the deck file's
                value = getattr(item, name)
                if not value:
                    updates[name] = _text(o.get(name))
                elif name == body:
                    updates[name] = _keep_cloze(value, o.get(name))
            after = replace(item, **updates)
            if any(getattr(after, name) != _text(o.get(name)) for name in fields):
                label = getattr(after, "name", "") or getattr(after, body)
                changes.append(Change("changed", cls.KIND, after.id, str(label)))
            result.append(after)
        else:
            result.append(replace(item, **updates))
    for j, o in enumerate(olds):
        if j not in pairs.values():
            label = _text(o.get("name")) or _text(o.get(body))
            changes.append(Change("removed", cls.KIND, _old_id(o), label))
            if cls is Framework:
                _merge_items(Component, (), _items(o, "components"), changes)
    return tuple(result)


def _new_items(deck: Deck, old_ids: set[str]) -> list[Change]:
    """The items the notes add: fresh ids are never ids of the deck file."""
    rows: list[tuple[str, str, str]] = []
    for framework in deck.frameworks:
        rows.append(("framework", framework.id, framework.name))
        rows += [("component", c.id, c.name or c.text) for c in framework.components]
    rows += [("insight", i.id, i.text) for i in deck.insights]
    rows += [("quote", q.id, q.text) for q in deck.quotes]
    rows += [("habit", h.id, h.name) for h in deck.habits]
    rows += [("reference", r.id, r.name) for r in deck.references]
    return [Change("new", kind, id_, label) for kind, id_, label in rows if id_ not in old_ids]


def _all_old_ids(old: Mapping[str, object]) -> set[str]:
    ids: set[str] = set()
    for key in (*SECTIONS, "cards"):
        for item in _items(old, key):
            ids.add(_old_id(item))
            ids.update(_old_id(c) for c in _items(item, "components"))
    ids.discard("")
    return ids


def _merge_info(info: DeckInfo, old: object) -> DeckInfo:
    """The deck's id and name are frozen once shared, and its tags are the author's: the
    existing file's win."""
    if not isinstance(old, dict):
        return info
    deck_id, name, tags = old.get("id"), old.get("name"), old.get("tags")
    return DeckInfo(
        id=deck_id if isinstance(deck_id, str) and deck_id else info.id,
        name=name if isinstance(name, str) and name else info.name,
        tags=tuple(str(tag) for tag in tags) if isinstance(tags, list) else (),
        extra=_kept(old, _WRITTEN_DECK, unless=("tags", list)),
    )


def _merge_episode(episode: Episode, old: object) -> Episode:
    """The notes' episode, completed with what only the deck file says (a date, a link)."""
    if not isinstance(old, dict):
        return episode
    old_date, hosts, guests = old.get("date"), old.get("hosts"), old.get("guests")
    return replace(
        episode,
        hosts=episode.hosts or (tuple(map(str, hosts)) if isinstance(hosts, list) else ()),
        guests=episode.guests or (tuple(map(str, guests)) if isinstance(guests, list) else ()),
        date=episode.date or (old_date if isinstance(old_date, date) else None),
        duration=episode.duration or _text(old.get("duration")),
        url=episode.url or _text(old.get("url")),
        extra=_kept(old, EPISODE_KEYS, unless=("date", date)),
    )
