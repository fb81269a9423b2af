"""Starting points: a project of one's own (``podcards init``) and a commented deck file
with every section and key (``podcards new``), both written from the format's declaration.

A new deck file holds placeholders (``TODO(podcards new): ...`` texts, ``todo-id-...``
ids) where the author has to write something. Loading refuses them
(``placeholder_problems``), so that no build can release a deck named "TODO" and freeze
that name for learners.
"""

from __future__ import annotations

import json
import textwrap
from dataclasses import dataclass, field
from pathlib import Path

from podcards.deck import (
    DEVICE_NAMES,
    FORMAT_VERSION,
    CustomCard,
    Deck,
    DeckInfo,
    Item,
    Kind,
    Spec,
    ValueType,
    is_valid_id,
    keys_of,
)
from podcards.errors import Location, PodcardsError, Problem, UsageError
from podcards.files import write_together

TEXT_PLACEHOLDER = "TODO(podcards new):"
ID_PLACEHOLDER = "todo-id-"
SCHEMA_NAME = "deck.schema.json"
_WIDTH = 92
_BUILTIN_TEMPLATES = Path(__file__).parent / "templates"
# Keys a new deck's items show without being required: a hand-written card needs its sides.
_SHOWN: dict[type, tuple[str, ...]] = {CustomCard: ("front", "back")}
_HEADER = """\
A podcards deck: the cards of one podcast episode.
Replace every TODO (`podcards check` lists those left), delete the items you do not need,
uncomment the keys you want. `podcards preview` shows the cards as Anki will; `podcards
build` releases them. Every key is described by `podcards schema --markdown`.\
"""


# -- podcards new ----------------------------------------------------------------------------


def deck_text(deck_id: str, *, schema: str | None = None) -> str:
    """A deck file with every section (one placeholder item each) and every key, each
    explained where it first appears; optional keys commented out."""
    head = [f"# yaml-language-server: $schema={schema}"] if schema else []
    head += [f"# {line}".rstrip() for line in _HEADER.splitlines()]
    writer = _Writer(deck_id)
    return "\n".join([*head, *writer.keys(Deck, 0)]) + "\n"


@dataclass
class _Writer:
    deck_id: str
    explained: set[str] = field(default_factory=set)  # docs written once are not repeated

    def keys(self, cls: type, indent: int) -> list[str]:
        return [line for group in self.groups(cls, indent) for line in group]

    def groups(self, cls: type, indent: int) -> list[list[str]]:
        """Each key's lines: its explanation (the first time), then the key."""
        pad = " " * indent
        groups: list[list[str]] = []
        for name, spec in keys_of(cls).items():
            lines = [""] if indent == 0 and groups else []  # blank lines between sections
            if spec.doc not in self.explained:
                self.explained.add(spec.doc)
                lines += _comment(spec.doc, pad)
            groups.append(lines + self.entry(cls, name, spec, pad))
        return groups

    def entry(self, cls: type, name: str, spec: Spec, pad: str) -> list[str]:
        indent = len(pad)
        if spec.type is ValueType.MAPPING:
            return [f"{pad}{name}:", *self.keys(spec.of, indent + 2)]
        if spec.type is ValueType.ITEMS:
            # one item: its first written key after "- ", explained above the dash
            groups = self.groups(spec.of, indent + 4)
            first = next(g for g in groups if not g[-1].lstrip().startswith("#"))
            rest = [line for group in groups if group is not first for line in group]
            dash = [line[2:] for line in first[:-1]] + [f"{pad}  - {first[-1].lstrip()}"]
            return [f"{pad}{name}:", *dash, *rest]
        if spec.type is ValueType.ITEM:
            return [f"{pad}{name}: {_placeholder(keys_of(spec.of)['text'])}"]
        if name == "podcards":
            return [f"{pad}{name}: {FORMAT_VERSION}"]
        if cls is DeckInfo and name == "id":
            return [f"{pad}id: {self.deck_id}"]
        if name == "id" and issubclass(cls, Item):
            written = f"id: {ID_PLACEHOLDER}{cls.KIND}"
            return [f"{pad}{written}" if not cls.NAMED else f"{pad}# {written}"]
        named = name == "name" and issubclass(cls, Item) and cls.NAMED  # its id comes from it
        if spec.required or named or name in _SHOWN.get(cls, ()):
            return [f"{pad}{name}: {_placeholder(spec)}"]
        example = spec.example if spec.type is not ValueType.TEXT else ""
        return [f"{pad}# {name}: {example or _placeholder(spec)}"]


def _comment(doc: str, pad: str) -> list[str]:
    return textwrap.wrap(
        doc, _WIDTH - len(pad), initial_indent=f"{pad}# ", subsequent_indent=f"{pad}# "
    )


def _placeholder(spec: Spec) -> str:
    what = spec.doc.split(";")[0].rstrip(".")
    if spec.cloze and "{{c1::" not in what:
        what += ", its key phrase marked as {{c1::key phrase}}"
    text = json.dumps(f"{TEXT_PLACEHOLDER} {what}", ensure_ascii=False)
    return f"[{text}]" if spec.type is ValueType.TEXTS else text


def new_deck(name: str, deck_folder: Path) -> Path:
    """Write ``<deck_folder>/<name>.yaml``; never over an existing file."""
    deck_id = name.removesuffix(".yaml")
    if not is_valid_id(deck_id):
        raise UsageError(
            f"'{name}' is not a deck id: use lower-case letters, digits and hyphens, "
            "e.g. all-in-elon-musk-2025 (it names the deck for good)"
        )
    if deck_id in DEVICE_NAMES:
        raise UsageError(f"'{deck_id}' names a device on Windows; choose another deck id")
    path = deck_folder / f"{deck_id}.yaml"
    if path.exists():
        raise PodcardsError(f"{path} already exists; podcards new never overwrites a deck file")
    schema = deck_folder.parent / SCHEMA_NAME
    text = deck_text(deck_id, schema=f"../{SCHEMA_NAME}" if schema.is_file() else None)
    write_together([(path, text.encode("utf-8"))])
    return path


# -- placeholders left --------------------------------------------------------------------------


def is_placeholder(value: str) -> bool:
    return value.startswith((TEXT_PLACEHOLDER, ID_PLACEHOLDER))


def placeholder_problems(deck: Deck) -> list[Problem]:
    """Every value of a deck still holding a placeholder from ``podcards new``."""
    problems: list[Problem] = []
    path = deck.location.path

    def visit(value: object, what: str) -> None:
        lines = getattr(value, "lines", {})
        for name, spec in keys_of(type(value)).items():
            held = getattr(value, name)
            if spec.type in (ValueType.MAPPING, ValueType.ITEM) and held is not None:
                visit(held, name)
            elif spec.type is ValueType.ITEMS:
                for item in held:
                    visit(item, f"{item.KIND} '{item.id}'")
            texts = (
                [held] if isinstance(held, str) else held if spec.type is ValueType.TEXTS else ()
            )
            if any(is_placeholder(text) for text in texts):
                problems.append(
                    Problem(
                        Location(path, lines.get(name, 0)),
                        f"{what}: {name} still holds a placeholder ({_short(texts)}); write "
                        "yours, or delete what you do not need",
                    )
                )

    visit(deck, "deck file")
    return problems


def _short(texts: object) -> str:
    text = " ".join(texts) if isinstance(texts, list | tuple) else str(texts)
    return repr(text if len(text) <= 50 else text[:49] + "…")


# -- podcards init --------------------------------------------------------------------------


@dataclass(frozen=True)
class Created:
    path: Path
    written: bool  # False: it was there already and was kept as it is
    note: str = ""


GITIGNORED = ("/dist/", "/preview/")


def init_project(root: Path) -> list[Created]:
    """A fresh project: decks/, templates/ with a README, .gitignore, the deck schema.

    What is there already is kept; .gitignore only gets the lines it lacks. No lock: the
    first build of a deck starts it.
    """
    if root.exists() and not root.is_dir():
        raise UsageError(f"{root} is a file, not a folder")
    decks = root / "decks"
    report = [Created(decks, not decks.is_dir())]
    outputs: list[tuple[Path, bytes]] = []
    planned = {
        root / "templates" / "README.md": templates_readme(),
        root / SCHEMA_NAME: _schema_text(),
    }
    for path, text in planned.items():
        report.append(Created(path, not path.exists()))
        if not path.exists():
            outputs.append((path, text.encode("utf-8")))
    ignore = root / ".gitignore"
    present = ignore.read_text(encoding="utf-8") if ignore.is_file() else ""
    missing = [line for line in GITIGNORED if line not in present.splitlines()]
    if missing:
        joined = present + ("\n" if present and not present.endswith("\n") else "")
        outputs.append((ignore, (joined + "\n".join(missing) + "\n").encode("utf-8")))
    added = f"(ignores {', '.join(missing)})" if missing else ""
    report.append(Created(ignore, bool(missing), added))
    decks.mkdir(parents=True, exist_ok=True)
    write_together(outputs)
    return report


def _schema_text() -> str:
    from podcards.schema import json_schema_text

    return json_schema_text()


def templates_readme() -> str:
    """The README of a project's templates/ folder, listing the built-in card templates."""
    kinds = []
    for kind in Kind:
        names = sorted(path.stem for path in (_BUILTIN_TEMPLATES / kind).glob("*.j2"))
        kinds.append(f"- `{kind}/`: {', '.join(f'`{name}`' for name in names)}")
    return _TEMPLATES_README.format(kinds="\n".join(kinds))


_TEMPLATES_README = """\
# Your card templates

podcards looks here (the `templates/` folder beside `decks/`) before its built-in
templates. Put a file here to change how a card reads, or to add a card for every item of
a kind; nothing here is needed for the built-in cards.

- Override: copy a built-in template to the same path here, e.g.
  `templates/quote/who-said.j2`, and edit it. The built-in ones ship inside podcards:
  `python -c "import podcards.render as r; print(r.BUILTIN_TEMPLATES)"` shows where.
- Add: create a new file in a kind's folder, e.g. `templates/insight/reverse.j2`, with
  blocks `front` and `back` (a question card) or `text` (a cloze card).
- Style: `templates/notetype/style.css` replaces the note types' CSS, and
  `notetype/qa-front.html` (and `qa-back`, `cloze-front`, `cloze-back`) their HTML;
  learners get them in place on their next import.

A folder here must be a kind (or `notetype`), and a card template must end in `.j2`:
podcards warns about anything else, which it would otherwise never use. The kinds, with
their built-in templates:

{kinds}

A template's file name is part of each of its notes' identity: rename it and learners get
new notes. `podcards check` and `podcards preview` show what a template gives every item
before anything is released. See "Templates" in podcards' README.
"""
