"""``podcards preview``: every card the next release would ship, shown as Anki will show it,
in the order a learner meets it, on static pages that open from the file system.

The cards are rendered by Anki itself when the ``anki`` package is installed (the packages
imported into a throwaway collection), else by ``anki_html``, which gives the same HTML for
podcards' note types. Nothing is fetched: the pages carry their CSS and forbid any other
load. Nothing is released: the lock is read, never written.
"""

from __future__ import annotations

import bisect
from collections.abc import Iterable
from dataclasses import dataclass
from html import escape
from pathlib import Path

from podcards import anki_engine, anki_html
from podcards.build import Plan, package_data, plan
from podcards.check import warnings as check_warnings
from podcards.cloze import cloze_numbers
from podcards.deck import Deck, NoteKind
from podcards.errors import Location, Problem, UsageError, in_order
from podcards.files import write_together
from podcards.lockfile import LockedNote
from podcards.release import NoteStatus

ENGINES = ("auto", "anki", "podcards")
_ASSETS = Path(__file__).parent / "assets"
# No request leaves the page: not a font, not an image from a card's field.
_POLICY = "default-src 'none'; style-src 'unsafe-inline'; img-src data:"


@dataclass(frozen=True)
class ShownCard:
    """One card as a learner meets it, and what the author should know about it."""

    place: int  # 1 for the first card a learner meets
    guid: str
    ord: int  # Anki's card ordinal: 0, or N-1 for the deletion {{cN::...}}
    key: str
    question: str
    answer: str
    tags: tuple[str, ...]
    source: Location | None  # the item's line; None for a note no deck file has any more
    status: NoteStatus
    problems: tuple[Problem, ...]


@dataclass(frozen=True)
class PreviewReport:
    folder: Path
    index: Path
    pages: tuple[Path, ...]
    cards: int
    engine: str  # which renderer drew the cards
    warnings: tuple[Problem, ...]


def preview(
    paths: list[Path], output: Path, *, templates_dir: Path | None = None, engine: str = "auto"
) -> PreviewReport:
    """Plan the release as ``build`` would, render every card it ships, write the pages."""
    if engine not in ENGINES:
        raise UsageError(f"no renderer '{engine}'; choose one of {', '.join(ENGINES)}")
    if engine == "anki" and not anki_engine.available():
        raise UsageError("the anki package is not installed: pip install anki")
    planned = plan(paths, templates_dir=templates_dir)
    use_anki = engine == "anki" or (engine == "auto" and anki_engine.available())
    if use_anki:
        rendered = anki_engine.render_packages([package_data(planned, d) for d in planned.decks])
        engine_name = f"Anki {_version('anki')}"
    else:
        rendered = render_ourselves(planned)
        engine_name = "podcards' own renderer (install the anki package to render with Anki)"
    problems = in_order(check_warnings(planned))
    css = _note_type_css(planned)
    outputs: list[tuple[Path, bytes]] = []
    decks = []
    for deck in planned.decks:
        cards = shown_cards(planned, deck, rendered, problems)
        page = output / f"{deck.id}.html"
        loose = [
            p for p in problems if p.location.path == str(deck.path) and not _attached(p, cards)
        ]
        outputs.append((page, _deck_page(deck, cards, loose, css, engine_name).encode()))
        decks.append((deck, page, cards))
    claimed = {str(deck.path) for deck in planned.decks}
    elsewhere = [p for p in problems if p.location.path not in claimed]
    index = output / "index.html"
    outputs.append((index, _index_page(decks, elsewhere, engine_name).encode()))
    write_together(outputs)
    return PreviewReport(
        output,
        index,
        tuple(page for _, page, _ in decks),
        sum(len(cards) for _, _, cards in decks),
        engine_name,
        tuple(problems),
    )


def _version(name: str) -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version(name)
    except PackageNotFoundError:
        return "(unknown version)"


# -- what is shown --------------------------------------------------------------------------


def ordinals(note: LockedNote) -> list[int]:
    """The cards Anki makes of a note: one, or one per deletion number of a cloze."""
    if note.notetype is NoteKind.CLOZE:
        return sorted({int(number) - 1 for number in cloze_numbers(note.fields[0])})
    return [0]


def render_ourselves(planned: Plan) -> anki_engine.Rendered:
    """Every card the plan ships, rendered by ``anki_html`` from the note types' look."""
    rendered: anki_engine.Rendered = {}
    for deck in planned.decks:
        for note in planned.release.shipped[deck.id]:
            notetype = planned.notetypes[note.notetype]
            look = planned.looks[note.notetype]
            fields = {
                "Tags": " ".join(note.tags),
                "Type": notetype.name,
                "Deck": deck.name,
                "Subdeck": deck.name.rsplit("::", 1)[-1],
                "Card": notetype.templates[0][0],
                "CardFlag": "flag0",
                **dict(zip(notetype.field_names, note.fields, strict=True)),
            }
            for ordinal in ordinals(note):
                cloze = ordinal + 1 if notetype.is_cloze else None
                try:
                    sides = anki_html.render(look.front, look.back, fields, cloze=cloze)
                except anki_html.TemplateError as error:
                    message = f"<div>Anki would show an error here: {escape(str(error))}</div>"
                    sides = (message, message)
                rendered[(note.guid, ordinal)] = sides
    return rendered


def shown_cards(
    planned: Plan, deck: Deck, rendered: anki_engine.Rendered, problems: list[Problem]
) -> list[ShownCard]:
    """The deck's cards in the order a learner meets them, each with its item's warnings.

    Anki's default new-card order is "card type, then order gathered": every note's first
    card in the order of the notes' queue positions (which podcards gives each note), then
    the second deletion's cards, and so on.
    """
    built = next(b for b in planned.built if b.deck_id == deck.id)
    sources = {card.key: card.location for card in built.notes}
    statuses = {change.key: change.status for change in planned.release.changes[deck.id].notes}
    about = _items_by_line(deck, problems)
    order = sorted(
        (ordinal, note.pos, note.key, note)
        for note in planned.release.shipped[deck.id]
        for ordinal in ordinals(note)
        if (note.guid, ordinal) in rendered  # else Anki makes no such card (a blank front)
    )
    shown: list[ShownCard] = []
    for ordinal, _, _, note in order:
        question, answer = rendered[(note.guid, ordinal)]
        shown.append(
            ShownCard(
                len(shown) + 1,
                note.guid,
                ordinal,
                note.key,
                question,
                answer,
                note.tags,
                sources.get(note.key),
                statuses.get(note.key, NoteStatus.UNCHANGED),
                tuple(about.get(note.key.rsplit("/", 1)[0], ())),
            )
        )
    return shown


def _items_by_line(deck: Deck, problems: list[Problem]) -> dict[str, list[Problem]]:
    """The deck file's problems by the item whose lines hold them (item key, as in note keys)."""
    starts = sorted(
        (
            item.location.line,
            f"{item.KIND}/{framework.id}/{item.id}" if framework else f"{item.KIND}/{item.id}",
        )
        for item, framework in deck.items()
        if item.location.line
    )
    lines = [line for line, _ in starts]
    found: dict[str, list[Problem]] = {}
    for problem in problems:
        if problem.location.path != str(deck.path) or not problem.location.line:
            continue
        index = bisect.bisect_right(lines, problem.location.line) - 1
        if index >= 0:
            found.setdefault(starts[index][1], []).append(problem)
    return found


def _attached(problem: Problem, cards: list[ShownCard]) -> bool:
    return any(problem in card.problems for card in cards)


def _note_type_css(planned: Plan) -> str:
    """The note types' CSS, each once, safe inside a <style> element."""
    styles = dict.fromkeys(look.css for look in planned.looks.values())
    return "\n".join(styles).replace("</", "<\\/")


# -- pages ----------------------------------------------------------------------------------


def _page(title: str, css: str, body: str) -> str:
    own = (_ASSETS / "preview.css").read_text(encoding="utf-8")
    return (
        '<!DOCTYPE html>\n<html lang="en">\n<head>\n<meta charset="utf-8">\n'
        f'<meta http-equiv="Content-Security-Policy" content="{_POLICY}">\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        f"<title>{escape(title)}</title>\n"
        f"<style>\n{css}\n</style>\n<style>\n{own}</style>\n</head>\n"
        f'<body class="pv">\n{body}</body>\n</html>\n'
    )


def _problem_list(problems: Iterable[Problem], extra_class: str = "") -> str:
    items = "".join(
        f"<li>{escape(str(problem.location))}: <b>{problem.severity}</b>: "
        f"{escape(problem.message)}</li>\n"
        for problem in problems
    )
    return f'<ul class="pv-problems {extra_class}">\n{items}</ul>\n' if items else ""


def _side(label: str, html: str, ordinal: int, night: bool) -> str:
    # Anki's reviewer gives the card's body these classes; night mode adds the last two.
    classes = f"card card{ordinal + 1}" + (" nightMode night_mode" if night else "")
    mode = "night" if night else "light"
    return (
        f'<figure class="pv-side pv-{mode}" data-side="{label.lower()}" data-mode="{mode}">'
        f"<figcaption>{label} · {mode}</figcaption>"
        f'<div class="{classes}">{html}</div></figure>\n'
    )


def _card(card: ShownCard) -> str:
    source = escape(str(card.source)) if card.source else "no longer in the deck file"
    tags = " ".join(f'<span class="pv-tag">{escape(tag)}</span>' for tag in card.tags)
    sides = "".join(
        _side(label, html, card.ord, night)
        for night in (False, True)
        for label, html in (("Front", card.question), ("Back", card.answer))
    )
    return (
        f'<section class="pv-card" id="card-{card.place}" data-guid="{escape(card.guid)}" '
        f'data-ord="{card.ord}" data-key="{escape(card.key)}">\n'
        f'<div class="pv-meta"><a class="pv-n" href="#card-{card.place}">#{card.place}</a>'
        f"<code>{escape(card.key)}</code><span>{source}</span>"
        f'<span class="pv-status pv-status-{card.status}">{card.status}</span>{tags}</div>\n'
        f'<div class="pv-sides">\n{sides}</div>\n{_problem_list(card.problems)}</section>\n'
    )


def _deck_page(
    deck: Deck, cards: list[ShownCard], loose: list[Problem], css: str, engine: str
) -> str:
    warned = sum(1 for card in cards if card.problems)
    summary = f"{len(cards)} cards in the order a learner meets them; " + (
        f"{warned} with warnings." if warned else "no warnings."
    )
    body = (
        '<header class="pv-top"><p><a href="index.html">All decks</a></p>\n'
        f"<h1>{escape(deck.name)}</h1>\n"
        f"<p><code>{escape(deck.id)}</code> · {escape(str(deck.path))} · {summary}</p>\n"
        f"<p>Rendered by {escape(engine)}, with the note types' own HTML and CSS, "
        "in light and night mode.</p></header>\n"
        f"{_problem_list(loose, 'pv-top-problems')}" + "".join(_card(card) for card in cards)
    )
    return _page(f"{deck.name} · podcards preview", css, body)


def _index_page(
    decks: list[tuple[Deck, Path, list[ShownCard]]], problems: list[Problem], engine: str
) -> str:
    rows = []
    for deck, page, cards in decks:
        warned = sum(1 for card in cards if card.problems)
        note = f"{warned} with warnings" if warned else '<span class="pv-clean">no warnings</span>'
        rows.append(
            f'<li><a href="{escape(page.name)}">{escape(deck.name)}</a><br>'
            f"<code>{escape(deck.id)}</code> · {escape(str(deck.path))} · "
            f"{len(cards)} cards · {note}</li>\n"
        )
    body = (
        '<header class="pv-top"><h1>podcards preview</h1>\n'
        f"<p>Every card of the next release, rendered by {escape(engine)}. "
        "Nothing has been released: build when the cards are right.</p></header>\n"
        f"{_problem_list(problems, 'pv-top-problems')}"
        f'<ul class="pv-decks">\n{"".join(rows)}</ul>\n'
    )
    return _page("podcards preview", "", body)
