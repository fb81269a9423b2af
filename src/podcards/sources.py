"""Reading deck YAML files into ``Deck``s, reporting every problem as ``path:line``."""

from __future__ import annotations

import datetime
import difflib
import re
import unicodedata
from collections.abc import Callable
from pathlib import Path
from typing import Any

import yaml

from podcards.cloze import DELETION, has_deletion, is_blank
from podcards.deck import (
    Component,
    CustomCard,
    Deck,
    Episode,
    Framework,
    Habit,
    Insight,
    Item,
    Quote,
    Reference,
    Takeaway,
)
from podcards.errors import Location, PodcardsError, Problem, Problems

FORMAT_VERSION = 1
ID_PATTERN = re.compile(r"[a-z0-9][a-z0-9-]*")
_MOMENT = re.compile(r"(?:(\d+):)?(\d{1,2}):(\d{2})")


class _LineDict(dict[str, Any]):
    """A YAML mapping that remembers its own line and the line of each key."""

    line: int
    key_lines: dict[str, int]


class _LineList(list[Any]):
    """A YAML sequence that remembers its own line and the line of each entry."""

    line: int
    item_lines: list[int]


class _LineLoader(yaml.SafeLoader):
    """SafeLoader that records lines and reports duplicate keys instead of keeping the last."""

    def __init__(self, stream: str) -> None:
        super().__init__(stream)
        self.duplicate_keys: list[tuple[int, str]] = []


def _construct_mapping(loader: _LineLoader, node: yaml.MappingNode) -> Any:
    mapping = _LineDict()
    mapping.line = node.start_mark.line + 1
    mapping.key_lines = {}
    yield mapping
    loader.flatten_mapping(node)
    for key_node, value_node in node.value:
        key = loader.construct_object(key_node, deep=True)
        if not isinstance(key, str):
            key = str(key)
        if key in mapping:
            loader.duplicate_keys.append((key_node.start_mark.line + 1, key))
        mapping[key] = loader.construct_object(value_node, deep=True)
        mapping.key_lines[key] = key_node.start_mark.line + 1


def _construct_sequence(loader: _LineLoader, node: yaml.SequenceNode) -> Any:
    sequence = _LineList()
    sequence.line = node.start_mark.line + 1
    sequence.item_lines = [child.start_mark.line + 1 for child in node.value]
    yield sequence
    sequence.extend(loader.construct_object(child, deep=True) for child in node.value)


_LineLoader.add_constructor("tag:yaml.org,2002:map", _construct_mapping)
_LineLoader.add_constructor("tag:yaml.org,2002:seq", _construct_sequence)


def read_yaml(path: Path) -> tuple[Any, list[Problem]]:
    """Parse one YAML file; undecodable bytes and syntax errors become problems."""
    try:
        raw = path.read_bytes()
    except OSError as error:
        return None, [Problem(Location.of(path), f"cannot read: {error.strerror or error}")]
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        line = raw[: error.start].count(b"\n") + 1
        return None, [Problem(Location.of(path, line), "the file is not UTF-8 text")]
    loader = _LineLoader(text)
    try:
        data = loader.get_single_data()
    except yaml.MarkedYAMLError as error:
        mark = error.problem_mark or error.context_mark
        line = mark.line + 1 if mark else 0
        what = error.problem or "invalid YAML"
        return None, [Problem(Location.of(path, line), f"YAML syntax error: {what}")]
    except yaml.YAMLError as error:
        return None, [Problem(Location.of(path), f"YAML error: {error}")]
    finally:
        loader.dispose()
    problems = [
        Problem(Location.of(path, line), f"'{key}' is given twice")
        for line, key in loader.duplicate_keys
    ]
    return data, problems


def slug(text: str) -> str:
    """A readable id from a name: "Schrödinger's Cat" -> "schrodingers-cat".

    This is the default identity of every named item: never change the rule.
    """
    joined = re.sub(r"(?<=\w)['’](?=\w)", "", text)  # "Musk's" -> "musks"
    ascii_text = unicodedata.normalize("NFKD", joined).encode("ascii", "ignore").decode()
    return "-".join(re.findall(r"[a-z0-9]+", ascii_text.lower()))[:60].strip("-")


class _Reader:
    """Validates one file's data, collecting every problem before failing."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.problems = Problems()

    def at(self, line: int) -> Location:
        return Location.of(self.path, line)

    def problem(self, line: int, message: str) -> None:
        self.problems.add(self.at(line), message)

    # -- shapes ---------------------------------------------------------------

    def mapping(self, value: Any, line: int, what: str) -> _LineDict | None:
        if isinstance(value, _LineDict):
            return value
        self.problem(line, f"{what} must be a mapping of keys to values, not {_kind(value)}")
        return None

    def check_keys(
        self, data: _LineDict, allowed: tuple[str, ...], required: tuple[str, ...], what: str
    ) -> None:
        for key in data:
            if key not in allowed:
                hint = difflib.get_close_matches(key, allowed, n=1)
                suggestion = f" (did you mean '{hint[0]}'?)" if hint else ""
                allowed_list = ", ".join(allowed)
                self.problem(
                    data.key_lines[key],
                    f"{what}: unknown key '{key}'{suggestion}; allowed: {allowed_list}",
                )
        for key in required:
            if key not in data:
                self.problem(data.line, f"{what}: missing '{key}'")

    def line_of(self, data: _LineDict, key: str) -> int:
        return data.key_lines.get(key, data.line)

    def text(self, data: _LineDict, key: str, what: str, *, required: bool = False) -> str | None:
        """A text value: numbers are read as text, empty text is an error."""
        if key not in data:
            return None
        value = data[key]
        line = self.line_of(data, key)
        if value is None:
            if required:
                self.problem(line, f"{what}: '{key}' is empty")
            return None
        if isinstance(value, bool) or not isinstance(value, str | int | float | datetime.date):
            self.problem(line, f"{what}: '{key}' must be text, not {_kind(value)}")
            return None
        text = str(value).strip()
        if is_blank(text):
            self.problem(line, f"{what}: '{key}' is empty")
            return None
        return text

    def text_list(self, data: _LineDict, key: str, what: str) -> tuple[str, ...]:
        if key not in data or data[key] is None:
            return ()
        value = data[key]
        line = self.line_of(data, key)
        if not isinstance(value, _LineList):
            self.problem(line, f"{what}: '{key}' must be a list, e.g. [a, b]")
            return ()
        texts = []
        for entry, entry_line in zip(value, value.item_lines, strict=True):
            if isinstance(entry, bool) or not isinstance(entry, str | int | float):
                self.problem(entry_line, f"{what}: every entry of '{key}' must be text")
            elif not str(entry).strip():
                self.problem(entry_line, f"{what}: an entry of '{key}' is empty")
            else:
                texts.append(str(entry).strip())
        return tuple(texts)

    def tags(self, data: _LineDict, what: str) -> tuple[str, ...]:
        tags = self.text_list(data, "tags", what)
        for tag in tags:
            if re.search(r"\s", tag):
                fixed = re.sub(r"\s+", "-", tag)
                self.problem(
                    self.line_of(data, "tags"),
                    f"{what}: tag '{tag}' contains a space, which Anki tags cannot (use '{fixed}')",
                )
        return tuple(tag for tag in tags if not re.search(r"\s", tag))

    def identifier(self, data: _LineDict, what: str, name: str | None) -> str | None:
        """The item's id: given, or a slug of its name when it has one."""
        if "id" not in data:
            if name is None:
                self.problem(data.line, f"{what}: missing 'id' (an item without a name needs one)")
                return None
            if not slug(name):
                self.problem(
                    data.line,
                    f"{what}: the name {name!r} gives no id (it has no letters a-z or "
                    "digits); add an 'id'",
                )
                return None
            return slug(name)
        value = data["id"]
        line = self.line_of(data, "id")
        if not isinstance(value, str) or not ID_PATTERN.fullmatch(value):
            self.problem(
                line,
                f"{what}: id {value!r} must be lower-case letters, digits and hyphens "
                "(starting with a letter or digit), e.g. 'optimus-cost'",
            )
            return None
        return value

    def moment(self, data: _LineDict, what: str) -> int | None:
        """``at:`` as seconds: "12:34", "1:02:03", or YAML's own reading of them as an int."""
        if "at" not in data or data["at"] is None:
            return None
        value = data["at"]
        line = self.line_of(data, "at")
        if isinstance(value, int) and not isinstance(value, bool) and value >= 0:
            return value
        if isinstance(value, str) and (match := _MOMENT.fullmatch(value.strip())):
            hours, minutes, seconds = (int(part or 0) for part in match.groups())
            if minutes < 60 and seconds < 60:
                return hours * 3600 + minutes * 60 + seconds
        self.problem(line, f'{what}: \'at\' must be a moment like "12:34" or "1:02:03"')
        return None

    def skip_cards(self, data: _LineDict, what: str) -> tuple[str, ...]:
        return self.text_list(data, "skip_cards", what)

    def cloze_text(self, text: str | None, line: int, what: str) -> None:
        """Check deletions where Anki and genanki would disagree or show nothing."""
        for match in DELETION.finditer(text or ""):
            number, answer = match.group(1), match.group(2)
            if "," in number:
                self.problem(
                    line,
                    f"{what}: a deletion with several numbers ({{{{c{number}::...}}}}) is not "
                    "supported; give each deletion one number",
                )
            elif int(number) == 0:
                self.problem(line, f"{what}: deletions are numbered from 1, not {{{{c0::...}}}}")
            elif is_blank(answer):
                self.problem(line, f"{what}: the deletion {match.group(0)!r} hides nothing")


def _kind(value: Any) -> str:
    if isinstance(value, dict):
        return "a mapping"
    if isinstance(value, list):
        return "a list"
    if value is None:
        return "nothing"
    if isinstance(value, bool):
        return "true/false"
    if isinstance(value, int | float):
        return "a number"
    return "text"


DECK_KEYS = ("id", "name", "description", "tags", "skip_cards")
EPISODE_KEYS = ("podcast", "title", "hosts", "guests", "date", "duration", "url")
TOP_KEYS = (
    "podcards",
    "deck",
    "episode",
    "hook",
    "takeaway",
    "summary",
    "insights",
    "frameworks",
    "quotes",
    "habits",
    "references",
    "cards",
)
ITEM_KEYS = ("id", "at", "skip_cards")


def load_deck(path: Path) -> Deck:
    """Read and validate one deck file; raise ``PodcardsError`` with all its problems."""
    data, problems = read_yaml(path)
    reader = _Reader(path)
    for problem in problems:
        reader.problems.add(problem.location, problem.message)
    if data is None and not problems:
        reader.problem(1, "the file is empty; a deck needs 'podcards: 1', 'deck', 'episode'")
    if data is None or reader.problems:
        reader.problems.raise_if_any()
    deck = _read_deck(reader, data)
    reader.problems.raise_if_any()
    assert deck is not None
    return deck


def _read_deck(reader: _Reader, data: Any) -> Deck | None:
    top = reader.mapping(data, 1, "the deck file")
    if top is None:
        return None
    reader.check_keys(top, TOP_KEYS, ("podcards", "deck", "episode"), "the deck file")
    if "podcards" in top and top["podcards"] != FORMAT_VERSION:
        reader.problem(
            reader.line_of(top, "podcards"),
            f"'podcards: {top['podcards']}' is not a format this version reads "
            f"(expected 'podcards: {FORMAT_VERSION}')",
        )

    deck_data = reader.mapping(top.get("deck"), reader.line_of(top, "deck"), "deck")
    deck_id = name = description = None
    tags: tuple[str, ...] = ()
    deck_skips: tuple[str, ...] = ()
    if deck_data is not None:
        reader.check_keys(deck_data, DECK_KEYS, ("id", "name"), "deck")
        if "id" in deck_data:
            deck_id = reader.identifier(deck_data, "deck", None)
        name = reader.text(deck_data, "name", "deck", required=True)
        if name is not None and any(not part.strip() for part in name.split("::")):
            reader.problem(
                reader.line_of(deck_data, "name"), f"deck: name {name!r} has an empty part"
            )
        description = reader.text(deck_data, "description", "deck")
        tags = reader.tags(deck_data, "deck")
        deck_skips = reader.skip_cards(deck_data, "deck")

    episode = _read_episode(reader, top)
    hook = reader.text(top, "hook", "hook")
    summary = reader.text(top, "summary", "summary")
    takeaway_text = reader.text(top, "takeaway", "takeaway")
    takeaway = None
    if takeaway_text:
        reader.cloze_text(takeaway_text, reader.line_of(top, "takeaway"), "takeaway")
        takeaway = Takeaway(
            id="takeaway", location=reader.at(reader.line_of(top, "takeaway")), text=takeaway_text
        )

    sections = {
        key: _read_section(reader, top, key, reader_of)
        for key, reader_of in _SECTION_READERS.items()
    }
    if not takeaway and not any(sections.values()):
        reader.problem(
            top.line,
            "the deck has no items: add insights, frameworks, quotes, habits, references, "
            "cards or a takeaway",
        )
    if reader.problems or deck_id is None or name is None or episode is None:
        return None
    return Deck(
        id=deck_id,
        name=name,
        path=reader.path,
        location=reader.at(reader.line_of(top, "deck")),
        episode=episode,
        description=description,
        tags=tags,
        skip_cards=deck_skips,
        hook=hook,
        summary=summary,
        takeaway=takeaway,
        insights=sections["insights"],  # type: ignore[arg-type]
        frameworks=sections["frameworks"],  # type: ignore[arg-type]
        quotes=sections["quotes"],  # type: ignore[arg-type]
        habits=sections["habits"],  # type: ignore[arg-type]
        references=sections["references"],  # type: ignore[arg-type]
        cards=sections["cards"],  # type: ignore[arg-type]
    )


def _read_episode(reader: _Reader, top: _LineDict) -> Episode | None:
    data = reader.mapping(top.get("episode"), reader.line_of(top, "episode"), "episode")
    if data is None:
        return None
    reader.check_keys(data, EPISODE_KEYS, ("podcast", "title"), "episode")
    podcast = reader.text(data, "podcast", "episode", required=True)
    title = reader.text(data, "title", "episode", required=True)
    url = reader.text(data, "url", "episode")
    if url and not re.match(r"https?://", url):
        reader.problem(reader.line_of(data, "url"), "episode: url must start with https://")
    if podcast is None or title is None:
        return None
    return Episode(
        podcast=podcast,
        title=title,
        hosts=reader.text_list(data, "hosts", "episode"),
        guests=reader.text_list(data, "guests", "episode"),
        date=reader.text(data, "date", "episode"),
        duration=reader.text(data, "duration", "episode"),
        url=url,
    )


ItemReader = Callable[[_Reader, _LineDict, str], Item | None]


def _read_section(
    reader: _Reader, top: _LineDict, key: str, read_item: ItemReader
) -> tuple[Item, ...]:
    if key not in top or top[key] is None:
        return ()
    entries = top[key]
    if not isinstance(entries, _LineList):
        reader.problem(reader.line_of(top, key), f"'{key}' must be a list of items")
        return ()
    return _read_items(reader, entries, key, read_item)


def _read_items(
    reader: _Reader, entries: _LineList, section: str, read_item: ItemReader
) -> tuple[Item, ...]:
    items: list[Item] = []
    first_line_of_id: dict[str, int] = {}
    for index, (entry, line) in enumerate(zip(entries, entries.item_lines, strict=True)):
        what = f"{section}[{index + 1}]"
        data = reader.mapping(entry, line, what)
        if data is None:
            continue
        item = read_item(reader, data, what)
        if item is None:
            continue
        if item.id in first_line_of_id:
            reader.problem(
                item.location.line,
                f"{what}: id '{item.id}' is already used in {section} "
                f"(line {first_line_of_id[item.id]}); ids are permanent keys and must be unique",
            )
            continue
        first_line_of_id[item.id] = item.location.line
        items.append(item)
    return tuple(items)


def _common(reader: _Reader, data: _LineDict, what: str) -> dict[str, Any]:
    return {
        "location": reader.at(data.line),
        "at": reader.moment(data, what),
        "skip_cards": reader.skip_cards(data, what),
    }


def _read_insight(reader: _Reader, data: _LineDict, what: str) -> Item | None:
    reader.check_keys(data, (*ITEM_KEYS, "text", "question"), ("id", "text"), what)
    text = reader.text(data, "text", what, required=True)
    reader.cloze_text(text, reader.line_of(data, "text"), what)
    question = reader.text(data, "question", what)
    item_id = reader.identifier(data, what, None) if "id" in data else None
    if text is None or item_id is None:
        return None
    return Insight(id=item_id, text=text, question=question, **_common(reader, data, what))


def _read_quote(reader: _Reader, data: _LineDict, what: str) -> Item | None:
    reader.check_keys(data, (*ITEM_KEYS, "text", "speaker", "context"), ("id", "text"), what)
    text = reader.text(data, "text", what, required=True)
    reader.cloze_text(text, reader.line_of(data, "text"), what)
    speaker = reader.text(data, "speaker", what)
    context = reader.text(data, "context", what)
    item_id = reader.identifier(data, what, None) if "id" in data else None
    if text is None or item_id is None:
        return None
    return Quote(
        id=item_id, text=text, speaker=speaker, context=context, **_common(reader, data, what)
    )


def _read_named(
    reader: _Reader, data: _LineDict, what: str, cls: type[Habit] | type[Reference]
) -> Item | None:
    reader.check_keys(data, (*ITEM_KEYS, "name", "text"), ("name", "text"), what)
    name = reader.text(data, "name", what, required=True)
    text = reader.text(data, "text", what, required=True)
    reader.cloze_text(text, reader.line_of(data, "text"), what)
    item_id = reader.identifier(data, what, name) if name or "id" in data else None
    if name is None or text is None or item_id is None:
        return None
    return cls(id=item_id, name=name, text=text, **_common(reader, data, what))


def _read_habit(reader: _Reader, data: _LineDict, what: str) -> Item | None:
    return _read_named(reader, data, what, Habit)


def _read_reference(reader: _Reader, data: _LineDict, what: str) -> Item | None:
    return _read_named(reader, data, what, Reference)


def _read_component(reader: _Reader, data: _LineDict, what: str) -> Item | None:
    reader.check_keys(data, (*ITEM_KEYS, "name", "text"), ("text",), what)
    name = reader.text(data, "name", what)
    text = reader.text(data, "text", what, required=True)
    reader.cloze_text(text, reader.line_of(data, "text"), what)
    item_id = reader.identifier(data, what, name)
    if text is None or item_id is None:
        return None
    return Component(id=item_id, name=name, text=text, **_common(reader, data, what))


def _read_framework(reader: _Reader, data: _LineDict, what: str) -> Item | None:
    reader.check_keys(
        data, (*ITEM_KEYS, "name", "summary", "components"), ("name", "components"), what
    )
    name = reader.text(data, "name", what, required=True)
    summary = reader.text(data, "summary", what)
    item_id = reader.identifier(data, what, name) if name or "id" in data else None
    components: tuple[Item, ...] = ()
    entries = data.get("components")
    if "components" in data and not isinstance(entries, _LineList):
        reader.problem(reader.line_of(data, "components"), f"{what}: 'components' must be a list")
    elif isinstance(entries, _LineList):
        if not entries:
            reader.problem(reader.line_of(data, "components"), f"{what}: 'components' is empty")
        components = _read_items(reader, entries, f"{what}.components", _read_component)
    if name is None or item_id is None:
        return None
    return Framework(
        id=item_id,
        name=name,
        summary=summary,
        components=components,  # type: ignore[arg-type]
        **_common(reader, data, what),
    )


def _read_card(reader: _Reader, data: _LineDict, what: str) -> Item | None:
    reader.check_keys(data, (*ITEM_KEYS, "front", "back", "cloze"), ("id",), what)
    front = reader.text(data, "front", what, required=True)
    back = reader.text(data, "back", what, required=True)
    cloze = reader.text(data, "cloze", what, required=True)
    item_id = reader.identifier(data, what, None) if "id" in data else None
    has_pair = "front" in data or "back" in data
    if has_pair and "cloze" in data:
        reader.problem(data.line, f"{what}: give either 'front' and 'back', or 'cloze', not both")
    elif has_pair and ("front" not in data or "back" not in data):
        missing = "back" if "front" in data else "front"
        reader.problem(data.line, f"{what}: missing '{missing}'")
    elif not has_pair and "cloze" not in data:
        reader.problem(data.line, f"{what}: a card needs 'front' and 'back', or 'cloze'")
    if cloze is not None:
        if not has_deletion(cloze):
            reader.problem(
                reader.line_of(data, "cloze"),
                f"{what}: the cloze has no deletion; mark the hidden part as {{{{c1::...}}}}",
            )
        reader.cloze_text(cloze, reader.line_of(data, "cloze"), what)
    if item_id is None:
        return None
    return CustomCard(
        id=item_id, front=front, back=back, cloze=cloze, **_common(reader, data, what)
    )


_SECTION_READERS: dict[str, ItemReader] = {
    "insights": _read_insight,
    "frameworks": _read_framework,
    "quotes": _read_quote,
    "habits": _read_habit,
    "references": _read_reference,
    "cards": _read_card,
}


def load_decks(paths: list[Path]) -> list[Deck]:
    """Load every file, then check what spans files; report all problems at once."""
    decks: list[Deck] = []
    problems: list[Problem] = []
    for path in paths:
        try:
            decks.append(load_deck(path))
        except PodcardsError as error:
            problems += error.problems
    first_file_of_id: dict[str, Deck] = {}
    for deck in decks:
        other = first_file_of_id.setdefault(deck.id, deck)
        if other is not deck:
            problems.append(
                Problem(
                    deck.location,
                    f"deck id '{deck.id}' is already used by {other.location}; "
                    "every deck needs its own permanent id",
                )
            )
    if problems:
        raise PodcardsError(problems)
    return decks
