"""The one Jinja environment: card templates to field HTML, user templates before built-ins."""

from __future__ import annotations

import difflib
import os
import re
import traceback
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

import jinja2
from markupsafe import Markup, escape

from podcards.ankimarkup import shown_as_typed
from podcards.cloze import deletions, has_deletion, is_blank, plain
from podcards.deck import Card, Deck, Framework, Item, Kind, NoteKind, Quote, format_moment
from podcards.errors import Location, PodcardsError, Problem, Severity
from podcards.keyphrase import pick_key_phrase
from podcards.lockfile import LockedNote
from podcards.notes_text import text_of
from podcards.notetypes import NoteType
from podcards.release import spread_siblings
from podcards.sandbox import BoundedEnvironment, TemplateLoader
from podcards.words import is_stopword

BUILTIN_TEMPLATES = Path(__file__).parent / "templates"
CARD_KINDS = tuple(kind.value for kind in Kind)
_MASK = "…"
_ONE_IDEA_WORDS = 35


class _NoKeyPhrase(ValueError):
    """The text has no phrase worth hiding; the author has to mark one."""


@dataclass(frozen=True)
class CardTemplate:
    """A template file that gives one card for every item of its kind."""

    name: str  # "<kind>/<stem>", part of every note's identity
    kind: Kind
    stem: str
    notetype: NoteKind
    path: str  # the file it comes from, as messages name it


@dataclass
class _Picks:
    """The key phrases podcards chose itself while rendering one card."""

    weak: list[str] = field(default_factory=list)
    chosen: list[str] = field(default_factory=list)


def cloze_markup(text: str, avoid: str = "", picks: _Picks | None = None) -> Markup:
    """Escape user text but keep its deletions; hide an automatic key phrase if none is marked.

    ``avoid`` is what the card shows around the text: a phrase from it would be no question.
    """
    if not has_deletion(text):
        chosen = pick_key_phrase(text, avoid)
        if chosen is None:
            raise _NoKeyPhrase(text)
        phrase = text[chosen.start : chosen.end]
        if picks is not None:
            picks.chosen.append(phrase)
            if not chosen.strong:
                picks.weak.append(phrase)
        text = f"{text[: chosen.start]}{{{{c1::{phrase}}}}}{text[chosen.end :]}"
    parts: list[str] = []
    last = 0
    for deletion in deletions(text):
        parts.append(escape(text[last : deletion.start]))
        hint = f"::{escape(deletion.hint)}" if deletion.hint is not None else ""
        parts.append(f"{{{{c{deletion.number}::{escape(deletion.answer)}{hint}}}}}")
        last = deletion.end
    parts.append(escape(text[last:]))
    return Markup("".join(parts))


def _text_of(value: object, name: str) -> str:
    """A filter's input as text; a template that passes nothing is the template's mistake."""
    if isinstance(value, jinja2.Undefined):
        return str(value)  # a StrictUndefined raises the template's own undefined error
    if not isinstance(value, str):
        raise jinja2.TemplateRuntimeError(
            f"the filter '{name}' needs text, not {type(value).__name__}; guard optional "
            "values with {% if ... %}"
        )
    return value


def _text_filter(function: Callable[..., Any]) -> Callable[..., Any]:
    def checked(value: object, *args: Any) -> Any:
        return function(_text_of(value, function.__name__), *args)

    return checked


@jinja2.pass_context
def _cloze_filter(context: jinja2.runtime.Context, text: object) -> Markup:
    picks = context.get("_picks")
    return cloze_markup(
        _text_of(text, "cloze"),
        str(context.get("_shown_cue", "")),
        picks if isinstance(picks, _Picks) else None,
    )


def highlight(text: str) -> Markup:
    """The text with its key phrase in bold, so an answer shows what matters."""
    try:
        marked = str(cloze_markup(text))
    except _NoKeyPhrase:
        return Markup(escape(plain(text)))
    parts: list[str] = []
    last = 0
    for deletion in deletions(marked):
        parts += [marked[last : deletion.start], f"<b>{deletion.answer}</b>"]
        last = deletion.end
    parts.append(marked[last:])
    return Markup("".join(parts))


def key_phrase(text: str) -> Markup:
    """The phrase a text's answer turns on: its marked deletions, or the automatic pick; so
    that a question's answer comes first, before the sentence that says it."""
    try:
        marked = str(cloze_markup(text))
    except _NoKeyPhrase:
        return Markup(escape(plain(text)))
    return Markup(" … ".join(deletion.answer for deletion in deletions(marked)))


def mask(text: str, name: str) -> str:
    """Hide a name, its words and their other forms, so a reverse card does not give it away.

    "Cosmic compute" also hides "computation": a word is hidden by its first five letters.
    """
    masked = re.sub(re.escape(name), _MASK, text, flags=re.IGNORECASE)
    for word in re.findall(r"[^\W\d_]+", name):
        if len(word) >= 4 and not is_stopword(word):
            stem = re.escape(word[:5] if len(word) > 5 else word)
            masked = re.sub(rf"\b{stem}[\w'’-]*", _MASK, masked, flags=re.IGNORECASE)
    return re.sub(r"…(?:[\s-]+…)+", _MASK, masked)


def one_idea(text: object) -> bool:
    """Whether a summary states one idea: one sentence, not a list, short enough to recall."""
    if not isinstance(text, str):
        return False
    sentences = [s for s in re.split(r"(?<=[.!?])\s+", plain(text).strip()) if s]
    words = plain(text).split()
    listed = text.count(";") > 0 or text.count(",") >= 3 or "\n" in text.strip()
    return len(sentences) == 1 and len(words) <= _ONE_IDEA_WORDS and not listed


def moment_url(url: str | None, seconds: int | None) -> str | None:
    """Link to the moment: ``t=`` in the query for YouTube, a ``#t=`` fragment otherwise."""
    if not url or seconds is None:
        return None
    parts = urlsplit(url)
    host = parts.netloc.lower()
    if host.endswith("youtube.com") or host.endswith("youtu.be"):
        query = [(k, v) for k, v in parse_qsl(parts.query) if k != "t"] + [("t", str(seconds))]
        return urlunsplit(parts._replace(query=urlencode(query)))
    return urlunsplit(parts._replace(fragment=f"t={seconds}"))


def episode_cue(deck: Deck) -> str:
    """The short label on every card's front: the author's, or the podcast and its guests."""
    episode = deck.episode
    if episode.cue:
        return episode.cue
    guests = " & ".join(episode.guests[:2]) + (" et al." if len(episode.guests) > 2 else "")
    return f"{episode.podcast} · {guests}" if guests else episode.podcast


@dataclass(frozen=True)
class RenderedDeck:
    """A deck's cards in teaching order, and what the author should know about them."""

    cards: tuple[Card, ...]
    warnings: tuple[Problem, ...] = ()


class Renderer:
    """Renders every card of a deck with the templates found in the given folders."""

    def __init__(self, user_dirs: list[Path] | None = None) -> None:
        self.search_path = [*(user_dirs or []), BUILTIN_TEMPLATES]
        self.env = BoundedEnvironment(  # templates are untrusted: see sandbox.py
            loader=TemplateLoader(self.search_path),
            autoescape=True,
            undefined=jinja2.StrictUndefined,
            trim_blocks=True,
            lstrip_blocks=True,
        )
        self.env.filters.update(
            plain=_text_filter(plain),
            cloze=_cloze_filter,
            highlight=_text_filter(highlight),
            key_phrase=_text_filter(key_phrase),
            mask=_text_filter(mask),
        )
        self.env.tests["one_idea"] = one_idea
        self.templates = self._find_card_templates()

    def _find_card_templates(self) -> list[CardTemplate]:
        names = sorted(
            {
                f"{kind}/{path.stem}"
                for folder in self.search_path
                for kind in CARD_KINDS
                for path in (folder / kind).glob("*.j2")
            }
        )
        problems: list[Problem] = []
        found = []
        for name in names:
            try:
                blocks = self.env.get_template(f"{name}.j2").blocks
            except jinja2.TemplateSyntaxError as error:
                problems.append(_syntax_problem(error))
                continue
            kind, stem = name.split("/")
            path = self.template_path(name)
            if "text" in blocks:
                found.append(CardTemplate(name, Kind(kind), stem, NoteKind.CLOZE, path))
            elif "front" in blocks and "back" in blocks:
                found.append(CardTemplate(name, Kind(kind), stem, NoteKind.QA, path))
            else:
                problems.append(
                    Problem(
                        Location(path),
                        "a card template needs the blocks 'front' and 'back' (a question card) "
                        "or 'text' (a cloze card)",
                    )
                )
        if problems:
            raise PodcardsError(problems)
        return found

    def template_path(self, name: str) -> str:
        source = self.env.loader.get_source(self.env, f"{name}.j2")  # type: ignore[union-attr]
        return _shown(source[1] or name)

    def static(self, name: str) -> str:
        """A note type file (Anki's own HTML or CSS), overridable like card templates."""
        return self.env.loader.get_source(self.env, name)[0]  # type: ignore[union-attr]

    def partial(self, name: str) -> str:
        """A template of the project's own wording that needs no item, such as ``_retired.j2``."""
        return self.env.get_template(name).render().strip()

    def deck_description(self, deck: Deck, released: str) -> str:
        """What Anki shows on the deck's overview (``_description.j2``); a mistake in the
        user's copy of it is a ``path:line`` problem."""
        takeaway = plain(deck.takeaway.text) if deck.takeaway else ""
        try:
            template = self.env.get_template("_description.j2")
            shown = template.render(
                deck=deck, episode=deck.episode, takeaway=takeaway, released=released
            ).strip()
            return shown_as_typed(shown, deck.deck.markup)
        except jinja2.TemplateSyntaxError as error:
            raise PodcardsError([_syntax_problem(error)]) from None
        except Exception as error:
            if not _raised_by_template(error):
                raise
            where = next(
                (
                    Location(_shown(name), line)
                    for name, line in _frames(error)
                    if name.endswith(".j2")
                ),
                Location(self.static_path("_description.j2")),
            )
            raise PodcardsError([Problem(where, str(error) or type(error).__name__)]) from None

    def static_path(self, name: str) -> str:
        return _shown(self.env.loader.get_source(self.env, name)[1] or name)  # type: ignore[union-attr]

    def retired_fields(self, note: LockedNote, notetype: NoteType) -> tuple[str, ...]:
        """A removed note's last fields: the retired mark in front of its cue, and on its
        back (the Extra field) a line that says how to delete every removed card."""
        fields = list(note.fields)
        context = notetype.field_index("Context")
        fields[context] = f"{self.partial('_retired.j2')} {fields[context]}"
        extra = notetype.field_index("Extra")
        line = self.partial("_retired_back.j2")
        fields[extra] = f"{line}<br>{fields[extra]}" if fields[extra] else line
        return tuple(fields)

    def render_deck(self, deck: Deck) -> RenderedDeck:
        """Every card of the deck in teaching order; all template problems at once.

        Teaching order: every item's first card, in the order of the deck, before any
        item's second card, so that two cards of one item never come close together.
        """
        self._check_switches(deck)
        shared = _deck_variables(deck)  # the same for every card of the deck
        cards: list[tuple[tuple[int, int], Card]] = []
        problems: list[Problem] = []
        warnings: list[Problem] = []
        failures: dict[tuple[Location, str], list[Item]] = {}
        for position, (item, framework) in enumerate(deck.items()):
            sibling = 0
            for template in self.templates:
                if template.kind != item.KIND or self._skipped(deck, item, template):
                    continue
                picks = _Picks()
                try:
                    card = self._render(deck, shared, item, framework, template, picks)
                except _NoKeyPhrase:
                    warnings.append(_no_phrase(item, template))
                    continue
                except jinja2.TemplateSyntaxError as error:
                    problems.append(_syntax_problem(error))
                    continue
                except PodcardsError as error:
                    problems += error.problems
                    continue
                except Exception as error:
                    if not _raised_by_template(error):
                        raise  # a bug of ours, not the user's template: let it show
                    where, message = self._template_failure(template, error)
                    failures.setdefault((where, message), []).append(item)
                    continue
                warnings += [_weak_phrase(item, template, phrase) for phrase in picks.weak]
                if card is not None:
                    cards.append(((sibling, position), card))
                    sibling += 1
        # a broken template fails the same way for many items: say it once
        for (where, message), items in failures.items():
            first = items[0]
            more = f", and {len(items) - 1} more" if len(items) > 1 else ""
            problems.append(
                Problem(
                    where,
                    f"{message} (rendering {first.KIND} '{first.id}' at {first.location}{more})",
                )
            )
        if problems:
            raise PodcardsError(problems)
        in_rounds = [card for _, card in sorted(cards, key=lambda pair: pair[0])]
        ordered = spread_siblings(in_rounds, key=lambda card: card.key.rsplit("/", 1)[0])
        return RenderedDeck(tuple(ordered), tuple(warnings))

    def _check_switches(self, deck: Deck) -> None:
        known = {template.name for template in self.templates}
        problems = [
            Problem(deck.location, f"deck: {key}: no card template '{name}'")
            for key in ("skip_cards", "add_cards")
            for name in getattr(deck.deck, key)
            if name not in known
        ]
        for item, _ in deck.items():
            stems = {t.stem for t in self.templates if t.kind == item.KIND}
            problems += [
                Problem(
                    item.location,
                    f"{item.KIND} '{item.id}': {key}: no {item.KIND} card '{name}' "
                    f"(there are: {', '.join(sorted(stems))})",
                )
                for key in ("skip_cards", "add_cards")
                for name in getattr(item, key)
                if name not in stems
            ]
        if problems:
            raise PodcardsError(problems)

    @staticmethod
    def _skipped(deck: Deck, item: Item, template: CardTemplate) -> bool:
        return template.name in deck.deck.skip_cards or template.stem in item.skip_cards

    @staticmethod
    def _requested(deck: Deck, item: Item, template: CardTemplate) -> bool:
        return template.name in deck.deck.add_cards or template.stem in item.add_cards

    def _render(
        self,
        deck: Deck,
        shared: dict[str, Any],
        item: Item,
        framework: Framework | None,
        template: CardTemplate,
        picks: _Picks,
    ) -> Card | None:
        variables = {**shared, **_item_variables(deck, item, framework)}
        variables["requested"] = self._requested(deck, item, template)
        jinja_template = self.env.get_template(f"{template.name}.j2")
        context = jinja_template.new_context(variables)

        def block(name: str, default: str | None) -> str:
            if name in jinja_template.blocks:
                try:
                    return "".join(jinja_template.blocks[name](context)).strip()
                except Exception:
                    self.env.handle_exception()  # re-raises with template lines, as render() does
            if default is None:
                return ""
            return self.env.get_template(default).render(variables).strip()

        # The cue first: an automatic key phrase must not be one the cue already shows.
        cue = block("context", "_context.j2")
        context.vars["_shown_cue"] = text_of(cue)
        context.vars["_picks"] = picks
        # Then the prompt: a blank one means the template does not apply to this item.
        prompt = block("text" if template.notetype is NoteKind.CLOZE else "front", None)
        if is_blank(prompt):
            return None
        where = Location(template.path)
        if template.notetype is NoteKind.CLOZE:
            if not has_deletion(prompt):
                raise PodcardsError([Problem(where, f"gives {item.KIND} '{item.id}' no deletion")])
            main = [prompt]
        else:
            back = block("back", None)
            if is_blank(back):
                raise PodcardsError(
                    [Problem(where, f"gives {item.KIND} '{item.id}' a card with an empty back")]
                )
            main = [prompt, back]
        fields = tuple(  # Anki's own markup shows as typed unless the deck asks for it
            shown_as_typed(field, deck.deck.markup)
            for field in (*main, cue, block("source", "_source.j2"), block("extra", None))
        )
        item_path = f"{framework.id}/{item.id}" if framework else item.id
        return Card(
            deck_id=deck.id,
            key=f"{item.KIND}/{item_path}/{template.stem}",
            kind=item.KIND,
            notetype=template.notetype,
            fields=fields,
            tags=(item.KIND.tag, *deck.deck.tags),
            location=item.location,
        )

    def _template_failure(self, template: CardTemplate, error: Exception) -> tuple[Location, str]:
        path, line = template.path, 0
        for frame, lineno in _frames(error):
            if frame.endswith(".j2"):
                path, line = _shown(frame), lineno
                break
        return Location(path, line), str(error) or type(error).__name__


def _no_phrase(item: Item, template: CardTemplate) -> Problem:
    return Problem(
        item.location,
        f"{item.KIND} '{item.id}' gets no {template.stem} card: nothing in its text is worth "
        "hiding; mark the key phrase as {{c1::...}} or give it a question",
        Severity.WARNING,
        "no-key-phrase",
    )


def _weak_phrase(item: Item, template: CardTemplate, phrase: str) -> Problem:
    return Problem(
        item.location,
        f"{item.KIND} '{item.id}': its {template.stem} card hides '{phrase}', the best phrase "
        "podcards could find; mark a better one as {{c1::...}}",
        Severity.WARNING,
        "weak-key-phrase",
    )


def _raised_by_template(error: Exception) -> bool:
    """Whether a template's own code failed (a Jinja error, or ``{{ 1 / 0 }}``): the user's."""
    if isinstance(error, jinja2.TemplateError):
        return True
    frames = traceback.extract_tb(error.__traceback__)
    return bool(frames) and frames[-1].filename.endswith(".j2")


def _frames(error: Exception) -> Iterator[tuple[str, int]]:
    for frame in reversed(traceback.extract_tb(error.__traceback__)):
        yield frame.filename, frame.lineno or 0


def _shown(path: str) -> str:
    """A template's path as the user would type it: relative when under the current folder."""
    relative = os.path.relpath(path)
    return path if relative.startswith("..") else relative


def _syntax_problem(error: jinja2.TemplateSyntaxError) -> Problem:
    if isinstance(error, PodcardsError):  # a template file that cannot be read
        return error.problems[0]
    return Problem(
        Location(_shown(error.filename or error.name or "template"), error.lineno or 0),
        f"template syntax error: {error.message}",
    )


def _deck_variables(deck: Deck) -> dict[str, Any]:
    return {
        "deck": deck,
        "episode": deck.episode,
        "speakers": deck.speakers(),
        "cue": episode_cue(deck),
    }


def _item_variables(deck: Deck, item: Item, framework: Framework | None) -> dict[str, Any]:
    # A quote names its own speaker; anything else was said by the episode's guests.
    speaker = item.speaker if isinstance(item, Quote) else ", ".join(deck.episode.guests) or None
    return {
        "item": item,
        "framework": framework,
        "speaker": speaker,
        "label": None,
        "requested": False,
        "moment": format_moment(item.at) if item.at is not None else None,
        "moment_url": moment_url(deck.episode.url, item.at),
    }


def stray_template_files(folder: Path) -> list[Problem]:
    """Files in a templates folder that podcards would never use, each a warning naming it:
    a folder that is no kind (``qoute/``), a card template not ending in ``.j2``."""
    kinds = ", ".join(CARD_KINDS)
    known = "; the kinds are " + kinds + ", and notetype/ holds the note types' HTML and CSS"
    notetype_files = sorted(path.name for path in (BUILTIN_TEMPLATES / "notetype").iterdir())
    problems = []
    for path in sorted(folder.iterdir()):
        if path.name.startswith("."):
            continue  # editors' and systems' own files
        where = Location(_shown(str(path)))
        if path.is_dir() and path.name == "notetype":
            problems += [
                Problem(
                    Location(_shown(str(inner))),
                    f"not a note type file, so never used; they are {', '.join(notetype_files)}",
                    Severity.WARNING,
                    "stray-template",
                )
                for inner in sorted(path.iterdir())
                if inner.name not in notetype_files and not inner.name.startswith(".")
            ]
        elif path.is_dir() and path.name in CARD_KINDS:
            problems += [
                Problem(
                    Location(_shown(str(inner))),
                    f"not a card template, so never used: card templates are files ending in "
                    f".j2{_rename_hint(inner)}",
                    Severity.WARNING,
                    "stray-template",
                )
                for inner in sorted(path.iterdir())
                if not (inner.is_file() and inner.suffix == ".j2")
                and not inner.name.startswith(".")
            ]
        elif path.is_dir():
            close = difflib.get_close_matches(path.name, [*CARD_KINDS, "notetype"], n=1)
            hint = f" (did you mean '{close[0]}'?)" if close else ""
            problems.append(
                Problem(
                    where,
                    f"'{path.name}' is not a kind of item, so its templates are never used"
                    f"{hint}{known}",
                    Severity.WARNING,
                    "stray-template",
                )
            )
        elif path.suffix != ".j2" and not path.name.lower().startswith("readme"):
            problems.append(
                Problem(
                    where,
                    f"not used: templates are .j2 files in a kind's folder{known}",
                    Severity.WARNING,
                    "stray-template",
                )
            )
    return problems


def _rename_hint(path: Path) -> str:
    return f"; rename it {path.stem}.j2 to use it" if path.is_file() else ""
