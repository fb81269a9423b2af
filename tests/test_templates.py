"""Templates fail loudly: files podcards would never use are warnings that name them; the
README's example templates and every built-in one render for every item, never "None"."""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import pytest

from podcards.deck import Card, Kind
from podcards.render import BUILTIN_TEMPLATES, Renderer
from podcards.sources import load_decks

from conftest import MINIMAL_DECK, SHIPPED_DECKS, Project

ROOT = Path(__file__).resolve().parent.parent
EVERY_CARD = (
    "[takeaway/takeaway, insight/cloze, quote/who-said, component/meaning, component/name, "
    "habit/describe, habit/name, reference/what-is]"
)

# Every kind of item with nothing but what it must have: optional values are all absent.
BARE_DECK = f"""\
podcards: 1
deck:
  id: bare
  name: Bare
  add_cards: {EVERY_CARD}
episode:
  podcast: A Show
  title: An Episode
takeaway: Small teams ship {{{{c1::faster}}}}.
insights:
  - id: one
    text: Latency hides in {{{{c1::queues}}}}.
frameworks:
  - name: Flywheel
    components:
      - id: unnamed
        text: Each turn {{{{c1::compounds}}}}.
quotes:
  - id: q
    text: Ship {{{{c1::weekly}}}}.
habits:
  - id: h
    text: Write {{{{c1::postmortems}}}}.
references:
  - id: r
    text: The book argues for {{{{c1::slack}}}}.
cards:
  - id: c
    front: Why?
    back: Because.
"""

# The same kinds with every optional value given, and questions on every item.
FULL_DECK = (
    MINIMAL_DECK.replace("  tags: [test]\n", f"  tags: [test]\n  add_cards: {EVERY_CARD}\n")
    .replace("  guests: [Ada Lovelace]\n", "  guests: [Ada Lovelace]\n  url: https://x.test/e\n")
    .replace(
        "    speaker: Ada Lovelace\n",
        "    speaker: Ada Lovelace\n    question: Which brain was more than mortal?\n"
        '    at: "1:02"\n',
    )
    .replace(
        "  - name: Poetical science\n",
        "  - name: Poetical science\n    question: What did Ada combine with analysis?\n",
    )
    .replace(
        "    summary: A general-purpose mechanical computer design.\n",
        "    summary: A general-purpose mechanical computer design.\n"
        "    question: What was the Analytical Engine?\n",
    )
)

# What the two decks above leave out: the cards of questions on the other kinds, a framework
# card, a hand-written cloze.
QUESTIONS_DECK = """\
podcards: 1
deck:
  id: questions
  name: Questions
episode:
  podcast: A Show
  title: An Episode
takeaway:
  text: Small teams ship {{c1::faster}}.
  question: How do small teams ship?
frameworks:
  - name: Flywheel
    summary: Momentum {{c1::compounds}}.
    components:
      - name: Turn
        text: Each turn {{c1::compounds}}.
        question: What does each turn do?
references:
  - name: Slack
    text: The book argues for {{c1::slack}}.
    question: What does the book argue for?
cards:
  - id: c
    cloze: A {{c1::cloze}} by hand.
"""


def render_all(project: Project, *decks: str) -> list[Card]:
    for number, text in enumerate(decks):
        project.deck(text, f"deck{number}.yaml")
    templates = project.root / "templates"
    renderer = Renderer([templates] if templates.is_dir() else [])
    loaded = load_decks(sorted(project.decks.glob("*.yaml")))
    return [card for deck in loaded for card in renderer.render_deck(deck).cards]


def assert_well_rendered(cards: list[Card]) -> None:
    for card in cards:
        for field in card.fields:
            assert not re.search(r"\bNone\b", field), (card.key, field)
        assert card.fields[0].strip(), card.key


def test_no_built_in_template_prints_none_for_an_absent_value(project: Project) -> None:
    cards = render_all(project, BARE_DECK, FULL_DECK, QUESTIONS_DECK)
    assert_well_rendered(cards)
    used = {"/".join([card.key.split("/")[0], card.key.rsplit("/", 1)[1]]) for card in cards}
    built_in = {
        f"{path.parent.name}/{path.stem}"
        for path in BUILTIN_TEMPLATES.glob("*/*.j2")
        if path.parent.name in {kind.value for kind in Kind}
    }
    assert built_in <= used, f"never rendered: {sorted(built_in - used)}"


def readme_templates() -> list[tuple[str, str]]:
    """(path under templates/, text) of every ```jinja example in the README."""
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    found = []
    for match in re.finditer(r"```jinja\n(.*?)```", readme, flags=re.S):
        paths = re.findall(r"`templates/([a-z]+/[a-z0-9-]+\.j2)`", readme[: match.start()])
        assert paths, "a README template example must say where the file goes"
        found.append((paths[-1], match.group(1)))
    return found


@pytest.mark.parametrize(("path", "text"), readme_templates())
def test_readme_example_templates_render_for_every_item(
    project: Project, path: str, text: str
) -> None:
    project.write(f"templates/{path}", text)
    shipped = (SHIPPED_DECKS / "all-in-elon-musk.yaml").read_text(encoding="utf-8")
    without = BARE_DECK.replace(
        "Ship {{c1::weekly}}.", "Ship {{c1::weekly}}.\n    context: On pace."
    )
    second = without.replace("bare", "bare2").replace("name: Bare", "name: Bare 2")
    cards = render_all(project, shipped, BARE_DECK, FULL_DECK, second)
    ours = [card for card in cards if card.key.endswith("/" + Path(path).stem)]
    assert ours, "the example gives no card for any item"
    assert_well_rendered(ours)


def test_a_folder_that_is_no_kind_is_a_warning_naming_it(project: Project) -> None:
    project.deck()
    project.write("templates/qoute/speaker-first.j2", "{% block front %}x{% endblock %}")
    result = project.build()
    assert result.exit_code == 0, result.output
    assert (
        "templates/qoute: warning: 'qoute' is not a kind of item, so its templates are never "
        "used (did you mean 'quote'?); the kinds are takeaway, insight, framework, component, "
        "quote, habit, reference, card" in result.stderr
    )


def test_a_template_not_ending_in_j2_is_a_warning_naming_it(project: Project) -> None:
    project.deck()
    project.write("templates/quote/speaker-first.jinja", "{% block front %}x{% endblock %}")
    project.write("templates/notetype/styles.css", ".card {}")
    project.write("templates/style.css", ".card {}")
    project.write("templates/quote/.speaker-first.j2.swp", "")
    project.run("check", "--format", "json")
    result = project.run("check", "--format", "json")
    problems = {p["path"]: p["message"] for p in json.loads(result.stdout)["problems"]}
    assert "rename it speaker-first.j2" in problems["templates/quote/speaker-first.jinja"]
    assert "style.css" in problems["templates/notetype/styles.css"]
    assert "templates are .j2 files" in problems["templates/style.css"]
    assert not any(".swp" in path for path in problems)


def test_a_copied_built_in_set_gives_no_warning(project: Project) -> None:
    project.deck()
    shutil.copytree(BUILTIN_TEMPLATES, project.root / "templates")
    project.write("templates/README.md", "notes\n")
    result = project.run("check", "--strict")
    assert result.exit_code == 0, result.output
