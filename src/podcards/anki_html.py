"""A card's question and answer HTML as Anki renders them, with the standard library only.

``render`` gives what Anki's ``card.render_output()`` gives as ``question_text`` and
``answer_text`` (the note type's CSS is in neither), for the template features podcards'
note types and their overrides use: fields, ``{{FrontSide}}``, sections ``{{#F}}`` and
``{{^F}}`` with Anki's notion of an empty field, the ``text`` and ``cloze`` filters (hints,
several numbers, nested deletions), comments, and Anki's messages for a blank front or a
missing cloze. Rules checked against the ``anki`` package (rslib ``template.rs``,
``cloze.rs``, ``text.rs``); ``tests/test_preview.py`` compares every shipped card.

Not covered, because podcards' cards do not use them: ``[sound:]`` and TTS tags, MathJax,
``[latex]``, the ``type``, ``hint``, ``furigana`` and ``cloze-only`` filters, and legacy
``{{=<% %>=}}`` delimiters. ``preview`` uses the real engine whenever ``anki`` is installed.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from html.entities import name2codepoint  # the HTML 4 names: the set Anki decodes

_EMPTY = re.compile(r"(?:[ \t\n\x0b\x0c\r]|</?(?:br|div) ?/?>)*", re.I)  # "&nbsp;" is not
_TOKEN = re.compile(r"\{\{(.*?)\}\}|<!--.*?-->", re.S)  # a tag ends at the first "}}"
_CLOZE_TOKEN = re.compile(r"\{\{c(\d+)::|\}\}")
_STRIPPED = re.compile(
    r"<!--.*?-->|<style.*?>.*?</style>|<script.*?>.*?</script>|<.*?>", re.S | re.I
)
_ENTITY = re.compile(r"&(?:([^#;&][^;&]*)|#(\d+)|#x([0-9a-fA-F]+));")
_CARD_KEY = re.compile(r"c\d+")  # {{#c2}}: true on card 2 only
_MAX_OPEN_CLOZES = 10

BLANK_FRONT = (
    "<div>The front of this card is blank.<br><a href='https://docs.ankiweb.net/"
    "templates/errors.html#front-of-card-is-blank'>More information</a></div>"
)
NO_CLOZE = (
    "<div>No cloze \u2068{}\u2069 found on card.\nPlease either add a cloze deletion, "
    "or use the Empty Cards tool.<br><a href='https://docs.ankiweb.net/templates/"
    "errors.html#no-cloze-filter-on-cloze-note-type'>More information</a></div>"
)


class TemplateError(ValueError):
    """Where Anki would show an error page instead of the card."""


def is_empty(value: str) -> bool:
    """Anki's empty field: only ASCII whitespace and <br> or <div> tags."""
    return _EMPTY.fullmatch(value) is not None


# -- templates: text, {{field}} and {{#section}}...{{/section}} -------------------------------


@dataclass
class _Field:
    name: str
    filters: list[str]  # in the order they apply: {{text:cloze:F}} applies cloze, then text


@dataclass
class _Section:
    name: str
    negated: bool
    children: list[_Node] = field(default_factory=list)


_Node = str | _Field | _Section


def _parse(template: str) -> list[_Node]:
    root: list[_Node] = []
    stack: list[tuple[str, list[_Node]]] = [("", root)]
    position = 0
    for match in _TOKEN.finditer(template):
        nodes = stack[-1][1]
        nodes.append(template[position : match.start()])
        position = match.end()
        if match.group(1) is None:
            nodes.append(match.group(0))  # a comment is copied, never read
            continue
        body = match.group(1).lstrip("{").strip()
        mark = body[0] if len(body) >= 2 and body[0] in "#^/" else ""
        name = body[1:].lstrip() if mark else body
        if mark == "/":
            if stack[-1][0] != name or len(stack) == 1:
                raise TemplateError(f"unexpected {{{{/{name}}}}}")
            stack.pop()
        elif mark:
            section = _Section(name, mark == "^")
            nodes.append(section)
            stack.append((name, section.children))
        else:
            *filters, name = body.split(":")
            nodes.append(_Field(name.strip(), [f.strip() for f in reversed(filters) if f.strip()]))
    if len(stack) > 1:
        raise TemplateError(f"missing {{{{/{stack[-1][0]}}}}}")
    root.append(template[position:])
    return root


@dataclass
class _Side:
    fields: dict[str, str]
    number: int  # the card's cloze number, or its template's ordinal + 1
    question: bool
    front: str = ""  # what {{FrontSide}} gives: nothing on the question side

    def shows(self, name: str) -> bool:
        if name in self.fields:
            return not is_empty(self.fields[name])
        return name == f"c{self.number}"


def _render(nodes: list[_Node], side: _Side) -> str:
    out = []
    for node in nodes:
        if isinstance(node, str):
            out.append(node)
        elif isinstance(node, _Field):
            if node.name == "FrontSide":
                out.append(side.front)
            elif node.name not in side.fields:
                raise TemplateError(f"no field '{node.name}'")
            else:
                out.append(_filtered(side.fields[node.name], node.filters, side))
        else:
            if node.name not in side.fields and not _CARD_KEY.fullmatch(node.name):
                raise TemplateError(f"no field '{node.name}'")
            inner = _render(node.children, side)  # errors count, shown or not
            if side.shows(node.name) != node.negated:
                out.append(inner)
    return "".join(out)


def _filtered(value: str, filters: list[str], side: _Side) -> str:
    for name in filters:
        if name == "cloze":
            value = _cloze(value, side.number, side.question)
        elif name == "text":
            value = _text(value)
        else:
            break  # Anki hands an unknown filter and the rest to add-ons: none, no change
    return value


def _text(value: str) -> str:
    """Tags dropped; entities decoded only where every "&" starts an HTML 4 entity or a
    character reference, else none is (Anki's strict decoder gives up)."""
    stripped = _STRIPPED.sub("", value)
    if "&" not in stripped:
        return stripped
    decoded = _ENTITY.sub(_character, stripped)
    return stripped if "&" in _ENTITY.sub("", stripped) or "\x00" in decoded else decoded


def _character(match: re.Match[str]) -> str:
    name, decimal, hexadecimal = match.groups()
    if name is not None:
        return chr(name2codepoint[name]).replace("\xa0", " ") if name in name2codepoint else "\x00"
    number = int(decimal) if decimal is not None else int(hexadecimal, 16)
    valid = number <= 0x10FFFF and not 0xD800 <= number <= 0xDFFF
    return chr(number).replace("\xa0", " ") if valid else "\x00"


def _renders_something(nodes: list[_Node], side: _Side) -> bool:
    """Anki's blank-front test: would a non-empty field show?"""
    for node in nodes:
        if isinstance(node, _Field) and side.shows(node.name) and node.name in side.fields:
            return True
        if isinstance(node, _Section) and (
            side.shows(node.name) != node.negated and _renders_something(node.children, side)
        ):
            return True
    return False


# -- cloze -------------------------------------------------------------------------------------


@dataclass
class _Deletion:
    number: int
    hint: str | None = None
    children: list[str | _Deletion] = field(default_factory=list)


def _deletions(text: str) -> list[str | _Deletion]:
    """Text and {{cN::answer::hint}} deletions, nested; one never closed is dropped with its
    text, as Anki drops it."""
    out: list[str | _Deletion] = []
    opened: list[_Deletion] = []
    position = 0
    for match in _CLOZE_TOKEN.finditer(text):
        _add_text(text[position : match.start()], out, opened)
        position = match.end()
        if match.group(1) is not None:
            if len(opened) < _MAX_OPEN_CLOZES:
                opened.append(_Deletion(int(match.group(1))))
        elif opened:
            closed = opened.pop()
            (opened[-1].children if opened else out).append(closed)
        else:
            out.append("}}")
    _add_text(text[position:], out, opened)
    return out


def _add_text(chunk: str, out: list[str | _Deletion], opened: list[_Deletion]) -> None:
    if not chunk:
        return
    if not opened:
        out.append(chunk)
        return
    if "::" in chunk:
        chunk, opened[-1].hint = chunk.split("::", 1)
    opened[-1].children.append(chunk)


def _attribute(text: str) -> str:
    """htmlescape's attribute encoding: Latin-1 punctuation and spaces as &#xHH;."""
    named = {'"': "&quot;", "&": "&amp;", "'": "&#x27;", "<": "&lt;", ">": "&gt;"}
    return "".join(
        named.get(char)
        or (f"&#x{ord(char):02X};" if ord(char) < 256 and not _ascii_alnum(char) else char)
        for char in text
    )


def _ascii_alnum(char: str) -> bool:
    return char.isascii() and char.isalnum()


def _shown(nodes: list[str | _Deletion], number: int, question: bool, found: list[bool]) -> str:
    out = []
    for node in nodes:
        if isinstance(node, str):
            out.append(node)
            continue
        inner = _shown(node.children, number, question, found)
        if node.number != number:
            out.append(f'<span class="cloze-inactive" data-ordinal="{node.number}">{inner}</span>')
        elif question:
            found.append(True)
            hint = "..." if node.hint is None else node.hint
            out.append(
                f'<span class="cloze" data-cloze="{_attribute(inner)}" '
                f'data-ordinal="{node.number}">[{hint}]</span>'
            )
        else:
            found.append(True)
            out.append(f'<span class="cloze" data-ordinal="{node.number}">{inner}</span>')
    return "".join(out)


def _cloze(text: str, number: int, question: bool) -> str:
    found: list[bool] = []
    shown = _shown(_deletions(text), number, question, found)
    return shown if found else ""  # no deletion of this card: the field shows nothing


def cloze_numbers(text: str) -> set[int]:
    def walk(nodes: list[str | _Deletion]) -> set[int]:
        found: set[int] = set()
        for node in nodes:
            if isinstance(node, _Deletion) and node.number:
                found |= {node.number} | walk(node.children)
        return found

    return walk(_deletions(text))


# -- a card ------------------------------------------------------------------------------------


def render(
    front: str, back: str, fields: dict[str, str], *, cloze: int | None = None, ordinal: int = 0
) -> tuple[str, str]:
    """The question and answer HTML of one card, as ``card.render_output()`` gives them.

    ``fields`` are the note's fields by name (add Anki's special fields, such as ``Tags``
    or ``Deck``, where the templates use them). ``cloze`` is the card's deletion number N
    on a cloze note type (Anki's ordinal + 1); otherwise ``ordinal`` is the template's.
    """
    number = cloze if cloze is not None else ordinal + 1
    question_nodes = _parse(front)
    question = _render(question_nodes, _Side(fields, number, question=True))
    if cloze is not None:
        missing = cloze not in set().union(*map(cloze_numbers, fields.values()))
        blank = NO_CLOZE.format(cloze) if missing else None
    else:
        blank = (
            None if _renders_something(question_nodes, _Side(fields, number, True)) else BLANK_FRONT
        )
    if blank is not None:
        return question + blank, blank
    return question, _render(_parse(back), _Side(fields, number, question=False, front=question))
