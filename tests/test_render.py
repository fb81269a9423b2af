"""Rendering cards from templates: wording, escaping, overrides, added cards, errors."""

from __future__ import annotations

from podcards.deck import Card
from podcards.render import Renderer, cloze_markup, mask, moment_url
from podcards.sources import load_deck

from conftest import MINIMAL_DECK, Project


def cards_of(project: Project, text: str = MINIMAL_DECK, user_dir: bool = False) -> list[Card]:
    deck = load_deck(project.deck(text))
    renderer = Renderer([project.root / "templates"] if user_dir else [])
    return renderer.render_deck(deck)


def by_key(cards: list[Card]) -> dict[str, Card]:
    return {card.key: card for card in cards}


def test_default_card_set(project: Project) -> None:
    keys = set(by_key(cards_of(project)))
    assert keys == {
        "takeaway/takeaway/takeaway",
        "insight/engine-weaves/cloze",
        "insight/engine-weaves/question",  # it has a question
        "insight/symbols/cloze",  # no question, so no question card
        "framework/analytical-engine/about",
        "component/analytical-engine/mill/meaning",
        "component/analytical-engine/mill/name",
        "component/analytical-engine/store-holds/cloze",  # no name: a cloze
        "quote/poetical-science/cloze",
        "quote/poetical-science/who-said",
        "habit/poetical-science/describe",
        "habit/poetical-science/name",
        "reference/difference-engine/what-is",
    }


def test_tags_and_note_types(project: Project) -> None:
    cards = by_key(cards_of(project))
    assert cards["component/analytical-engine/mill/name"].tags == ("podcards::framework", "test")
    assert cards["quote/poetical-science/cloze"].tags == ("podcards::quote", "test")
    assert cards["insight/symbols/cloze"].notetype == "cloze"
    assert cards["habit/poetical-science/describe"].notetype == "qa"


def test_user_text_is_escaped(project: Project) -> None:
    text = MINIMAL_DECK.replace(
        "text: Combine imagination with rigorous analysis.",
        'text: "Use <b>bold</b> & check \\"quotes\\""',
    )
    _front, back, *_ = by_key(cards_of(project, text))["habit/poetical-science/describe"].fields
    assert back == "Use &lt;b&gt;bold&lt;/b&gt; &amp; check &#34;quotes&#34;"


def test_marked_key_phrase_is_the_deletion(project: Project) -> None:
    card = by_key(cards_of(project))["insight/engine-weaves/cloze"]
    assert card.fields[0] == (
        "The engine weaves {{c1::algebraic patterns}} the way a loom weaves flowers."
    )


def test_unmarked_text_gets_a_key_phrase_from_its_own_text(project: Project) -> None:
    cards = by_key(cards_of(project))
    text = cards["insight/symbols/cloze"].fields[0]
    assert text.count("{{c1::") == 1
    hidden = text.split("{{c1::")[1].split("}}")[0]
    assert 1 <= len(hidden.split()) <= 4
    assert hidden.lower() not in {"the", "could", "upon", "other", "things"}


def test_key_phrase_does_not_depend_on_other_items(project: Project) -> None:
    before = by_key(cards_of(project))["insight/symbols/cloze"].fields[0]
    text = MINIMAL_DECK.replace(
        "insights:\n",
        "insights:\n  - id: extra\n    text: Numbers and machines and symbols everywhere.\n",
    )
    after = by_key(cards_of(project, text))["insight/symbols/cloze"].fields[0]
    assert after == before


def test_question_card_and_answer(project: Project) -> None:
    card = by_key(cards_of(project))["insight/engine-weaves/question"]
    front, back, context, source, _extra = card.fields
    assert front == "What does the engine weave, like a loom weaves flowers?"
    assert back == "The engine weaves <b>algebraic patterns</b> the way a loom weaves flowers."
    assert context == "Test Podcast · Episode One"
    assert source == "Test Podcast · Episode One · Ada Lovelace"


def test_who_said_does_not_give_the_speaker_away(project: Project) -> None:
    text = MINIMAL_DECK.replace("title: Episode One", "title: Ada Lovelace on engines")
    front, back, context, source, _ = by_key(cards_of(project, text))[
        "quote/poetical-science/who-said"
    ].fields
    assert "Ada" not in front + context
    assert back == "Ada Lovelace: In a letter to Charles Babbage."
    assert "Ada Lovelace" in source


def test_reverse_cards_mask_the_name(project: Project) -> None:
    text = MINIMAL_DECK.replace(
        "text: Combine imagination with rigorous analysis.",
        "text: Poetical science means combining imagination with science.",
    )
    cards = by_key(cards_of(project, text))
    front = cards["habit/poetical-science/name"].fields[0]
    assert "oetical" not in front and "cience" not in front
    assert "[…]" in front
    assert cards["habit/poetical-science/name"].fields[1] == "Poetical science"


def test_mask_hides_name_words_not_other_words() -> None:
    assert mask("Think from physics up; physics-first wins.", "Physics-first thinking") == (
        "Think from […] up; […] wins."
    )


def test_moment_is_shown_and_linked(project: Project) -> None:
    text = MINIMAL_DECK.replace(
        "  guests: [Ada Lovelace]\n",
        "  guests: [Ada Lovelace]\n  url: https://www.youtube.com/watch?v=abc\n",
    ).replace("  - id: symbols\n", "  - id: symbols\n    at: 12:34\n")
    source = by_key(cards_of(project, text))["insight/symbols/cloze"].fields[2]
    assert '<a href="https://www.youtube.com/watch?v=abc&amp;t=754">12:34</a>' in source


def test_moment_links_for_other_hosts() -> None:
    assert moment_url("https://example.com/ep1", 3723) == "https://example.com/ep1#t=3723"
    assert moment_url("https://youtu.be/xyz?t=5", 60) == "https://youtu.be/xyz?t=60"
    assert moment_url(None, 60) is None


def test_cloze_markup_escapes_but_keeps_deletions() -> None:
    assert str(cloze_markup("a < b & {{c1::x>y::hint}}")) == "a &lt; b &amp; {{c1::x&gt;y::hint}}"


def test_skip_cards_on_item_and_deck(project: Project) -> None:
    text = MINIMAL_DECK.replace(
        "    context: In a letter to Charles Babbage.\n",
        "    context: In a letter to Charles Babbage.\n    skip_cards: [cloze]\n",
    ).replace("  tags: [test]\n", "  tags: [test]\n  skip_cards: [habit/name]\n")
    keys = set(by_key(cards_of(project, text)))
    assert "quote/poetical-science/cloze" not in keys
    assert "quote/poetical-science/who-said" in keys
    assert "habit/poetical-science/name" not in keys


def test_unknown_skip_name_is_an_error(project: Project) -> None:
    text = MINIMAL_DECK.replace(
        "    context: In a letter to Charles Babbage.\n",
        "    context: In a letter to Charles Babbage.\n    skip_cards: [clozee]\n",
    )
    project.deck(text)
    result = project.build()
    assert result.exit_code == 1
    assert result.output.strip() == (
        "decks/episode.yaml:18: quote 'poetical-science': skip_cards: no quote card 'clozee' "
        "(there are: cloze, who-said)"
    )


def test_user_template_overrides_a_built_in_one(project: Project) -> None:
    project.write(
        "templates/reference/what-is.j2",
        """\
        {% block front %}Define {{ item.name }}.{% endblock %}
        {% block back %}{{ item.text }}{% endblock %}
        """,
    )
    card = by_key(cards_of(project, user_dir=True))["reference/difference-engine/what-is"]
    assert card.fields[0] == "Define Difference Engine."


def test_user_template_adds_a_card_for_every_item_of_a_kind(project: Project) -> None:
    project.write(
        "templates/insight/reverse.j2",
        """\
        {% block front %}{{ item.text | plain }}{% endblock %}
        {% block back %}{{ item.question or "?" }}{% endblock %}
        """,
    )
    keys = set(by_key(cards_of(project, user_dir=True)))
    assert {"insight/engine-weaves/reverse", "insight/symbols/reverse"} <= keys


def test_a_template_with_a_typo_names_its_line(project: Project) -> None:
    project.deck()
    project.write(
        "templates/habit/describe.j2",
        """\
        {% block front %}Describe {{ item.name }}.{% endblock %}
        {% block back %}
        {{ item.txet }}
        {% endblock %}
        """,
    )
    result = project.build()
    assert result.exit_code == 1
    message = result.output.strip()
    assert "templates/habit/describe.j2:3: " in message
    assert "'txet'" in message
    assert "habit 'poetical-science'" in message


def test_a_template_syntax_error_names_its_line(project: Project) -> None:
    project.deck()
    project.write("templates/habit/describe.j2", "{% block front %}{{ item.name {% endblock %}\n")
    result = project.build()
    assert result.exit_code == 1
    assert "templates/habit/describe.j2:1: template syntax error" in result.output
    assert "Traceback" not in result.output


def test_a_template_without_blocks_is_refused(project: Project) -> None:
    project.deck()
    project.write("templates/habit/plain.j2", "Just text\n")
    result = project.build()
    assert result.exit_code == 1
    assert "templates/habit/plain.j2: a card template needs the blocks" in result.output


def test_templates_option_points_the_build_at_another_folder(project: Project) -> None:
    project.deck()
    project.write(
        "house-style/takeaway/takeaway.j2",
        """\
        {% block front %}The takeaway of this episode, in one sentence?{% endblock %}
        {% block back %}{{ item.text | plain }}{% endblock %}
        """,
    )
    assert project.build("--templates", "house-style").exit_code == 0
    lock = project.lock.read_text(encoding="utf-8")
    assert "The takeaway of this episode, in one sentence?" in lock
    assert project.build("--templates", "missing").exit_code == 2


def test_a_framework_without_summary_gives_no_about_card(project: Project) -> None:
    text = MINIMAL_DECK.replace("    summary: A general-purpose mechanical computer design.\n", "")
    keys = set(by_key(cards_of(project, text)))
    assert "framework/analytical-engine/about" not in keys
    assert "component/analytical-engine/mill/meaning" in keys


def test_reference_answer_shows_its_text_unmasked(project: Project) -> None:
    text = MINIMAL_DECK.replace(
        "text: Babbage's earlier calculator for polynomial tables.",
        "text: The Difference Engine tabulated polynomials.",
    )
    card = by_key(cards_of(project, text))["reference/difference-engine/what-is"]
    assert card.fields[1] == "The Difference Engine tabulated polynomials."


def test_a_template_failing_for_every_item_is_reported_once(project: Project) -> None:
    project.deck()
    project.write(
        "templates/insight/cloze.j2", "{% block text %}{{ item.txet | cloze }}{% endblock %}\n"
    )
    result = project.build()
    assert result.exit_code == 1
    (line,) = result.output.strip().splitlines()
    assert line.startswith("templates/insight/cloze.j2:1: ")
    assert "(rendering insight 'engine-weaves' at decks/episode.yaml:12, and 1 more)" in line


def test_a_note_type_template_that_would_give_no_cards_is_refused(project: Project) -> None:
    project.deck()
    project.write("templates/notetype/qa-front.html", "<div>{{Frnt}}</div>\n")
    result = project.build()
    assert result.exit_code == 1
    assert result.output.splitlines() == [
        "templates/notetype/qa-front.html: '{{Frnt}}' names no field of podcards Q/A "
        "(Front, Back, Context, Source, Extra)",
        "templates/notetype/qa-front.html: the front needs '{{Front}}', or notes get no card",
    ]
    assert not project.dist.exists()


def test_an_automatic_key_phrase_is_not_one_the_cue_already_shows(project: Project) -> None:
    text = MINIMAL_DECK.replace("title: Episode One", "title: Loom patterns and the Engine")
    text = text.replace(
        "text: The machine could act upon other things besides numbers.",
        "text: The Jacquard loom inspired the punched cards of the engine.",
    )
    card = by_key(cards_of(project, text))["insight/symbols/cloze"]
    hidden = card.fields[0].split("{{c1::")[1].split("}}")[0]
    assert card.fields[1] == "Test Podcast · Loom patterns and the Engine"
    assert "loom" not in hidden.lower() and "engine" not in hidden.lower()
