"""Reading deck files into ``Deck``s by the format's declaration, every problem as ``path:line``.

YAML is read without its implicit types: every scalar is the characters the user typed
(``3.10`` stays "3.10", ``010`` stays "010", ``yes`` stays "yes"), and the declaration says
which few keys are numbers. Aliases are expanded by us, within a budget, so that a small file
can never take long to read. The only module that imports PyYAML.
"""

from __future__ import annotations

import dataclasses
import difflib
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from podcards.cloze import has_deletion, scan
from podcards.deck import (
    DEVICE_NAMES,
    FORMAT_VERSION,
    MAX_ID_LENGTH,
    SECTIONS,
    CustomCard,
    Deck,
    DeckInfo,
    Episode,
    Framework,
    Item,
    Takeaway,
    ValueType,
    is_valid_id,
    keys_of,
    slug,
)
from podcards.errors import Location, PodcardsError, Problem, Problems

MAX_FILE_BYTES = 4 * 1024 * 1024
MAX_VALUES = 200_000  # what a file may expand to, aliases included
MAX_DEPTH = 60  # a deck nests four levels; anything deeper is a mistake or an attack
_MOMENT = re.compile(r"(?:(\d{1,2}):)?(\d{1,2}):(\d{2})")
_MAX_MOMENT = 100 * 3600
_NULLS = frozenset({"", "~", "null", "Null", "NULL"})
_STR, _SEQ, _MAP = (f"tag:yaml.org,2002:{name}" for name in ("str", "seq", "map"))


# -- YAML to a tree of values with lines ---------------------------------------------------


@dataclass(frozen=True)
class Scalar:
    text: str
    line: int
    plain: bool  # unquoted and not a block scalar: what YAML 1.1 would have typed


@dataclass(frozen=True)
class Sequence:
    items: tuple[Value, ...]
    line: int


@dataclass(frozen=True)
class Mapping:
    entries: dict[str, tuple[int, Value]]  # key -> (line of the key, value)
    line: int

    def line_of(self, key: str) -> int:
        return self.entries[key][0] if key in self.entries else self.line

    def get(self, key: str) -> Value | None:
        entry = self.entries.get(key)
        return entry[1] if entry else None


Value = Scalar | Sequence | Mapping


class _TooMuch(Exception):
    def __init__(self, line: int, message: str) -> None:
        self.line, self.message = line, message


@dataclass
class _TreeBuilder:
    """Turns composed YAML nodes into values, counting every value an alias expands to."""

    problems: list[tuple[int, str]] = field(default_factory=list)
    budget: int = MAX_VALUES

    def value(self, node: yaml.Node, depth: int = 0) -> Value:
        line = node.start_mark.line + 1
        self.budget -= 1
        if self.budget < 0:
            raise _TooMuch(line, f"the file expands to more than {MAX_VALUES} values (aliases?)")
        if depth > MAX_DEPTH:
            raise _TooMuch(line, f"values are nested more than {MAX_DEPTH} levels deep")
        default = {yaml.ScalarNode: _STR, yaml.SequenceNode: _SEQ, yaml.MappingNode: _MAP}
        if node.tag != default[type(node)]:
            tag = node.tag.replace("tag:yaml.org,2002:", "!!")
            self.problems.append(
                (line, f"the YAML tag '{tag}' is not used in deck files; write the value as text")
            )
        if isinstance(node, yaml.ScalarNode):
            return Scalar(node.value, line, plain=node.style is None)
        if isinstance(node, yaml.SequenceNode):
            return Sequence(tuple(self.value(child, depth + 1) for child in node.value), line)
        assert isinstance(node, yaml.MappingNode)
        return self.mapping(node, depth)

    def mapping(self, node: yaml.MappingNode, depth: int) -> Mapping:
        entries: dict[str, tuple[int, Value]] = {}
        merged: dict[str, tuple[int, Value]] = {}
        for key_node, value_node in node.value:
            key_line = key_node.start_mark.line + 1
            if not isinstance(key_node, yaml.ScalarNode):
                self.problems.append((key_line, "a key must be a word, not a list or mapping"))
                continue
            if key_node.value == "<<" and key_node.style is None:
                merged |= self._merged(value_node, depth)
                continue
            if key_node.value in entries:
                self.problems.append((key_line, f"'{_short(key_node.value)}' is given twice"))
                continue
            entries[key_node.value] = (key_line, self.value(value_node, depth + 1))
        # YAML's merge key: what the mapping says itself overrides what it merges in
        return Mapping({**merged, **entries}, node.start_mark.line + 1)

    def _merged(self, node: yaml.Node, depth: int) -> dict[str, tuple[int, Value]]:
        sources = node.value if isinstance(node, yaml.SequenceNode) else [node]
        merged: dict[str, tuple[int, Value]] = {}
        for source in reversed(sources):  # earlier mappings win, as YAML says
            value = self.value(source, depth + 1)
            if not isinstance(value, Mapping):
                self.problems.append((value.line, "'<<' merges mappings only"))
                continue
            merged |= value.entries
        return merged


class _Loader(yaml.BaseLoader):
    """YAML's structure only: no implicit types, so every scalar is text as typed.

    Stops composing past ``MAX_VALUES`` nodes: a file of a million tiny values would
    otherwise take a minute before the tree builder's own count could say so.
    """

    composed = 0

    def compose_node(self, parent: Any, index: Any) -> Any:
        self.composed += parent is None or index is not None  # values, not mapping keys
        if self.composed > MAX_VALUES:
            line = self.peek_event().start_mark.line + 1  # type: ignore[no-untyped-call]
            raise _TooMuch(line, f"the file expands to more than {MAX_VALUES} values (aliases?)")
        return super().compose_node(parent, index)


def read_tree(path: Path) -> tuple[Value | None, list[Problem]]:
    """Parse one YAML file into values with lines; what is wrong becomes problems."""
    try:
        with path.open("rb") as stream:
            raw = stream.read(MAX_FILE_BYTES + 1)
    except OSError as error:
        return None, [Problem(Location.of(path), f"cannot read: {error.strerror or error}")]
    if len(raw) > MAX_FILE_BYTES:
        limit = MAX_FILE_BYTES // (1024 * 1024)
        return None, [Problem(Location.of(path), f"the file is larger than {limit} MB")]
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        line = raw[: error.start].count(b"\n") + 1
        return None, [Problem(Location.of(path, line), "the file is not UTF-8 text")]
    return parse_tree(text, path)


def parse_tree(text: str, path: Path | str) -> tuple[Value | None, list[Problem]]:
    """Parse YAML text into values with lines."""
    builder = _TreeBuilder()
    try:
        node = yaml.compose(text, Loader=_Loader)
        tree = builder.value(node) if node is not None else None
    except yaml.MarkedYAMLError as error:
        mark = error.problem_mark or error.context_mark
        line = mark.line + 1 if mark else 0
        what = error.problem or "invalid YAML"
        if "mapping values are not allowed" in what:
            what += (
                " (a text with ': ' in it must be quoted, \"like: this\", or written on the "
                "next lines after >-)"
            )
        return None, [Problem(Location.of(path, line), f"YAML syntax error: {what}")]
    except yaml.reader.ReaderError as error:  # a character YAML does not allow, such as NUL
        line = text.count("\n", 0, error.position) + 1
        what = f"the character U+{error.character:04X} is not allowed in YAML; remove it"
        if isinstance(error.character, str):
            what = f"the character U+{ord(error.character):04X} is not allowed in YAML; remove it"
        return None, [Problem(Location.of(path, line), what)]
    except yaml.YAMLError as error:
        return None, [Problem(Location.of(path), f"YAML error: {str(error).splitlines()[0]}")]
    except _TooMuch as error:
        return None, [Problem(Location.of(path, error.line), error.message)]
    except RecursionError:
        return None, [Problem(Location.of(path), "values are nested too deeply")]
    problems = [Problem(Location.of(path, line), message) for line, message in builder.problems]
    return tree, problems


# -- values to the declared classes --------------------------------------------------------


def _short(text: str, width: int = 40) -> str:
    """A value as messages quote it: never so long that a message becomes the problem."""
    return text if len(text) <= width else text[: width - 1] + "…"


def _kind(value: Value) -> str:
    if isinstance(value, Mapping):
        return "a mapping"
    if isinstance(value, Sequence):
        return "a list"
    return "text"


class _Reader:
    """Reads one file's values into the declared classes, collecting every problem."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.problems = Problems()

    def at(self, line: int) -> Location:
        return Location.of(self.path, line)

    def problem(self, line: int, message: str) -> None:
        self.problems.add(self.at(line), message)

    def mapping(self, value: Value | None, line: int, what: str) -> Mapping | None:
        if isinstance(value, Mapping):
            return value
        shown = "nothing" if value is None or _is_null(value) else _kind(value)
        self.problem(line, f"{what} must be a mapping of keys to values, not {shown}")
        return None

    def fields(
        self, cls: type, data: Mapping, what: str, *, skip: tuple[str, ...] = ()
    ) -> dict[str, Any]:
        """Every declared key of ``cls`` read from ``data``; unknown and missing keys reported."""
        specs = {name: spec for name, spec in keys_of(cls).items() if name not in skip}
        misspelt: set[str] = set()  # keys a typo stands for: their "missing" is that typo
        for name, (line, _) in data.entries.items():
            if name not in specs:
                hint = difflib.get_close_matches(name, list(specs), n=1)
                misspelt.update(hint)
                suggestion = f" (did you mean '{hint[0]}'?)" if hint else ""
                self.problem(
                    line,
                    f"{what}: unknown key '{_short(name)}'{suggestion}; allowed: "
                    f"{', '.join(specs)}",
                )
        values: dict[str, Any] = {}
        for name, spec in specs.items():
            value = data.get(name)
            line = data.line_of(name)
            if value is None:
                if spec.required and spec.type is not ValueType.ITEMS and name not in misspelt:
                    self.problem(data.line, f"{what}: missing '{name}'")
                continue
            if _is_nothing(value, spec.type):
                if spec.required and spec.type is not ValueType.ITEMS:
                    self.problem(line, f"{what}: '{name}' is empty")
                continue
            read = self.value(spec.type, spec.of, value, line, what, name)
            if read is not None:
                values[name] = read
            for choice in read if spec.choices and isinstance(read, tuple) else ():
                if choice not in spec.choices:
                    self.problem(
                        line,
                        f"{what}: '{name}' cannot hold '{_short(choice)}' (it holds: "
                        f"{', '.join(spec.choices)})",
                    )
            if spec.cloze is False and isinstance(read, str) and scan(read).deletions:
                self.problem(
                    line,
                    f"{what}: '{name}' cannot hide a phrase; mark the key phrase in the text "
                    "with {{c1::...}} instead",
                )
            elif spec.cloze and isinstance(read, str):
                for message in scan(read).problems:
                    self.problem(line, f"{what}: {message}")
        values["lines"] = {name: line for name, (line, _) in data.entries.items()}
        return values

    def value(
        self, type_: ValueType, of: type | None, value: Value, line: int, what: str, name: str
    ) -> Any:
        if type_ is ValueType.TEXT:
            return self.text(value, line, what, name)
        if type_ in (ValueType.TEXTS, ValueType.TAGS, ValueType.CARD_NAMES):
            texts = self.texts(value, line, what, name)
            return self.tags(texts, line, what) if type_ is ValueType.TAGS else texts
        if type_ is ValueType.ID:
            return self.identifier(value, line, what)
        if type_ is ValueType.MOMENT:
            return self.moment(value, line, what)
        if type_ is ValueType.VERSION:
            return self.version(value, line)
        assert of is not None
        if type_ is ValueType.MAPPING:
            data = self.mapping(value, line, name)
            return None if data is None else self.declared(of, data, name)
        if type_ is ValueType.ITEM:
            return self.takeaway(value, line)
        where = name if what == "the deck file" else f"{what}.{name}"
        return self.items(of, value, line, where, name)

    def text(self, value: Value, line: int, what: str, name: str) -> str | None:
        """A text value, exactly as typed (but for the whitespace around it)."""
        if not isinstance(value, Scalar):
            self.problem(line, f"{what}: '{name}' must be text, not {_kind(value)}")
            return None
        text = value.text.strip()
        if not text:
            self.problem(line, f"{what}: '{name}' is empty")
            return None
        return text

    def texts(self, value: Value, line: int, what: str, name: str) -> tuple[str, ...] | None:
        if not isinstance(value, Sequence):
            self.problem(line, f"{what}: '{name}' must be a list, e.g. [a, b]")
            return None
        texts = []
        for entry in value.items:
            if not isinstance(entry, Scalar):
                self.problem(entry.line, f"{what}: every entry of '{name}' must be text")
            elif not entry.text.strip():
                self.problem(entry.line, f"{what}: an entry of '{name}' is empty")
            else:
                texts.append(entry.text.strip())
        return tuple(texts)

    def tags(self, tags: tuple[str, ...] | None, line: int, what: str) -> tuple[str, ...] | None:
        if tags is None:
            return None
        for tag in tags:
            if re.search(r"\s", tag):
                fixed = re.sub(r"\s+", "-", tag)
                self.problem(
                    line,
                    f"{what}: tag '{_short(tag)}' contains a space, which Anki tags cannot "
                    f"(use '{_short(fixed)}')",
                )
        return tuple(tag for tag in tags if not re.search(r"\s", tag))

    def identifier(self, value: Value, line: int, what: str) -> str | None:
        if isinstance(value, Scalar) and is_valid_id(value.text):
            return value.text
        shown = repr(_short(value.text)) if isinstance(value, Scalar) else _kind(value)
        self.problem(
            line,
            f"{what}: id {shown} must be lower-case letters, digits and hyphens (starting "
            f"with a letter or digit, at most {MAX_ID_LENGTH}), e.g. 'optimus-cost'",
        )
        return None

    def moment(self, value: Value, line: int, what: str) -> int | None:
        """``at:`` as seconds: "12:34", "1:02:03", or a number of seconds."""
        text = value.text.strip() if isinstance(value, Scalar) else ""
        seconds: int | None = None
        if text.isascii() and text.isdigit() and len(text) <= 7:
            seconds = int(text)
        elif match := _MOMENT.fullmatch(text):
            hours, minutes, secs = (int(part or 0) for part in match.groups())
            if minutes < 60 and secs < 60:
                seconds = hours * 3600 + minutes * 60 + secs
        if seconds is None or seconds > _MAX_MOMENT:
            self.problem(line, f'{what}: \'at\' must be a moment like "12:34" or "1:02:03"')
            return None
        return seconds

    def version(self, value: Value, line: int) -> int | None:
        text = value.text.strip() if isinstance(value, Scalar) else ""
        if isinstance(value, Scalar) and value.plain and text == str(FORMAT_VERSION):
            return FORMAT_VERSION
        shown = _short(text) if isinstance(value, Scalar) else _kind(value)
        if isinstance(value, Scalar) and text == str(FORMAT_VERSION):
            shown = repr(text)  # quoted: text, not the number
        self.problem(
            line,
            f"'podcards: {shown}' is not a format this version reads "
            f"(expected 'podcards: {FORMAT_VERSION}', the number, unquoted)",
        )
        return None

    # -- declared classes -----------------------------------------------------------------

    def declared(self, cls: type, data: Mapping, what: str) -> Any:
        values = self.fields(cls, data, what)
        if cls is DeckInfo:
            self.deck_rules(data, values)
        if cls is Episode:
            self.episode_rules(data, values)
        missing = [name for name in _required(cls) if name not in values]
        if missing:
            return None
        return _construct(cls, values)

    def deck_rules(self, data: Mapping, values: dict[str, Any]) -> None:
        deck_id = values.get("id")
        if deck_id in DEVICE_NAMES:
            self.problem(
                data.line_of("id"),
                f"deck: id '{deck_id}' names a device on Windows, where the package "
                f"{deck_id}.apkg could not be written; choose another id",
            )
        name = values.get("name")
        if name is not None and any(not part.strip() for part in name.split("::")):
            self.problem(data.line_of("name"), f"deck: name {_short(name)!r} has an empty part")

    def episode_rules(self, data: Mapping, values: dict[str, Any]) -> None:
        url = values.get("url")
        if url and not re.match(r"https?://", url):
            self.problem(data.line_of("url"), "episode: url must start with https:// or http://")

    def takeaway(self, value: Value, line: int) -> Takeaway | None:
        """The takeaway: its text alone, or a mapping of its keys."""
        if isinstance(value, Scalar):
            text = self.text(value, line, "takeaway", "takeaway")
            for message in scan(text or "").problems:
                self.problem(line, f"takeaway: {message}")
            if text is None:
                return None
            return Takeaway(text=text, location=self.at(line), lines={"text": line})
        data = self.mapping(value, line, "takeaway")
        if data is None:
            return None
        values = self.fields(Takeaway, data, "takeaway")
        if "text" not in values:
            return None
        return Takeaway(**{**values, "location": self.at(data.line)})

    def items(
        self, cls: type, value: Value, line: int, what: str, name: str
    ) -> tuple[Item, ...] | None:
        if not isinstance(value, Sequence):
            self.problem(line, f"'{name}' must be a list of items")
            return None
        items: list[Item] = []
        first_line_of_id: dict[str, int] = {}
        for index, entry in enumerate(value.items):
            where = f"{what}[{index + 1}]"
            data = self.mapping(entry, entry.line, where)
            if data is None:
                continue
            item = self.item(cls, data, where)
            if item is None:
                continue
            if item.id in first_line_of_id:
                self.problem(
                    item.location.line,
                    f"{where}: id '{item.id}' is already used in {name} "
                    f"(line {first_line_of_id[item.id]}); ids are permanent keys and must be "
                    "unique",
                )
                continue
            first_line_of_id[item.id] = item.location.line
            items.append(item)
        return tuple(items)

    def item(self, cls: type, data: Mapping, what: str) -> Item | None:
        values = self.fields(cls, data, what)
        values["location"] = self.at(data.line)
        item_id = self.default_id(cls, data, values, what)
        if cls is Framework:
            self.framework_rules(data, values, what)
        if cls is CustomCard:
            self.card_rules(data, values, what)
        if item_id is None or any(name not in values for name in _required(cls)):
            return None
        item: Item = _construct(cls, {**values, "id": item_id})
        return item

    def default_id(self, cls: type, data: Mapping, values: dict[str, Any], what: str) -> str | None:
        """The given id, or for a named item a slug of its name."""
        if "id" in data.entries:
            return values.get("id")
        name = values.get("name")
        named = getattr(cls, "NAMED", False)
        if not named or (name is None and "name" not in data.entries):
            self.problem(data.line, f"{what}: missing 'id' (an item without a name needs one)")
            return None
        if name is None:
            return None
        if not slug(name):
            self.problem(
                data.line,
                f"{what}: the name {_short(name)!r} gives no id (it has no letters a-z or "
                "digits); add an 'id'",
            )
            return None
        return slug(name)

    def framework_rules(self, data: Mapping, values: dict[str, Any], what: str) -> None:
        components = data.get("components")
        if components is None:
            self.problem(data.line, f"{what}: missing 'components'")
        elif isinstance(components, Sequence) and not components.items:
            self.problem(data.line_of("components"), f"{what}: 'components' is empty")

    def card_rules(self, data: Mapping, values: dict[str, Any], what: str) -> None:
        given = set(data.entries)
        has_pair = bool({"front", "back"} & given)
        if has_pair and "cloze" in given:
            self.problem(data.line, f"{what}: give either 'front' and 'back', or 'cloze', not both")
        elif has_pair and not {"front", "back"} <= given:
            missing = "back" if "front" in given else "front"
            self.problem(data.line, f"{what}: missing '{missing}'")
        elif not has_pair and "cloze" not in given:
            self.problem(data.line, f"{what}: a card needs 'front' and 'back', or 'cloze'")
        cloze = values.get("cloze")
        if cloze is not None and not has_deletion(cloze) and not scan(cloze).problems:
            self.problem(
                data.line_of("cloze"),
                f"{what}: the cloze has no deletion; mark the hidden part as {{{{c1::...}}}}",
            )


def _is_null(value: Value) -> bool:
    return isinstance(value, Scalar) and value.plain and value.text in _NULLS


def _is_nothing(value: Value, type_: ValueType) -> bool:
    """A key written with no value; for keys that are not text, YAML's null too.

    Where text is expected, ``null`` is the word the user typed.
    """
    if not isinstance(value, Scalar) or not value.plain:
        return False
    return value.text == "" or (type_ is not ValueType.TEXT and value.text in _NULLS)


def _required(cls: type) -> list[str]:
    return [
        name
        for name, spec in keys_of(cls).items()
        if spec.required and spec.type is not ValueType.ITEMS
    ]


def _construct(cls: type, values: dict[str, Any]) -> Any:
    known = {f.name for f in dataclasses.fields(cls)}
    return cls(**{name: value for name, value in values.items() if name in known})


# -- decks ---------------------------------------------------------------------------------


def load_deck(path: Path) -> Deck:
    """Read and validate one deck file; raise ``PodcardsError`` with all its problems."""
    tree, problems = read_tree(path)
    return _deck_from_tree(path, tree, problems)


def load_deck_text(text: str, path: Path) -> Deck:
    """Read a deck from text, as if it were the file at ``path`` (for what ingest writes)."""
    tree, problems = parse_tree(text, path)
    return _deck_from_tree(path, tree, problems)


def _deck_from_tree(path: Path, tree: Value | None, problems: list[Problem]) -> Deck:
    reader = _Reader(path)
    reader.problems.extend(problems)
    if tree is None and not problems:
        reader.problem(1, "the file is empty; a deck needs 'podcards: 1', 'deck', 'episode'")
    reader.problems.raise_if_any()
    assert tree is not None
    top = reader.mapping(tree, 1, "the deck file")
    deck: Deck | None = None
    if top is not None:
        values = reader.fields(Deck, top, "the deck file")
        if not any(_written_items(top, name) for name in (*SECTIONS, "takeaway")):
            reader.problem(
                top.line,
                "the deck has no items: add insights, frameworks, quotes, habits, references, "
                "cards or a takeaway",
            )
        if all(name in values for name in _required(Deck)):
            values |= {"path": path, "location": reader.at(top.line_of("deck"))}
            deck = Deck(**values)
    reader.problems.raise_if_any()
    assert deck is not None
    return deck


def _written_items(top: Mapping, name: str) -> bool:
    """Whether a section is written at all: its own problems then say what is wrong."""
    value = top.get(name)
    if isinstance(value, Sequence):
        return bool(value.items)
    return value is not None and not _is_nothing(value, ValueType.ITEMS)


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
    first_of_name: dict[str, Deck] = {}
    for deck in decks:
        other = first_of_name.setdefault(_anki_deck_key(deck.name), deck)
        if other is not deck and other.id != deck.id:
            problems.append(
                Problem(
                    deck.location,
                    f"deck name '{_short(deck.name)}' is, to Anki, the name of deck "
                    f"'{other.id}' at {other.location} (Anki ignores case and spaces around "
                    "'::'): the two decks would be one",
                )
            )
    if problems:
        raise PodcardsError(problems)
    return decks


def _anki_deck_key(name: str) -> str:
    """How Anki tells deck names apart: by each '::' part, trimmed, whatever the case."""
    return "::".join(part.strip().casefold() for part in name.split("::"))


def plain_data(value: Value | None) -> object:
    """Values as plain Python data (text, lists, dicts): what a deck file says, typed as text."""
    if value is None:
        return None
    if isinstance(value, Scalar):
        return value.text
    if isinstance(value, Sequence):
        return [plain_data(item) for item in value.items]
    return {key: plain_data(entry) for key, (_, entry) in value.entries.items()}


def read_data(text: str) -> object:
    """YAML text as plain data, read as deck files are: every scalar is the text typed."""
    tree, problems = parse_tree(text, "<text>")
    if problems:
        raise PodcardsError(problems)
    return plain_data(tree)
