"""Rendering cards from templates: wording, escaping, overrides, added cards, errors."""

from __future__ import annotations

from podcards.deck import Card
from podcards.render import RenderedDeck, Renderer, cloze_markup, mask, moment_url
from podcards.sources import load_deck

from conftest import MINIMAL_DECK, Project


def cards_of(project: Project, text: str = MINIMAL_DECK, user_dir: bool = False) -> list[Card]:
    return list(rendered(project, text, user_dir).cards)


def rendered(project: Project, text: str = MINIMAL_DECK, user_dir: bool = False) -> RenderedDeck:
    deck = load_deck(project.deck(text))
    renderer = Renderer([project.root / "templates"] if user_dir else [])
    return renderer.render_deck(deck)


def by_key(cards: list[Card]) -> dict[str, Card]:
    return {card.key: card for card in cards}


def with_item_keys(text: str, section_line: str, keys: str) -> str:
    """The deck text with ``keys`` (YAML lines) added under the item that ``section_line``
    starts."""
    assert section_line in text, section_line
    return text.replace(section_line, section_line + keys, 1)


def test_default_card_set_is_one_card_per_item(project: Project) -> None:
    """card-design.md: one card per item by default, its question where it has one."""
    keys = [card.key for card in cards_of(project)]
    assert keys == [
        "takeaway/takeaway/cloze",
        "insight/engine-weaves/question",  # it has a question: the question, no cloze
        "insight/symbols/cloze",  # no question: a cloze of its key phrase
        "framework/analytical-engine/about",  # a one-idea summary
        "component/analytical-engine/mill/cloze",  # named: a cloze, its name as cue
        "component/analytical-engine/store-holds/cloze",
        "quote/poetical-science/cloze",  # one speaker in the deck: no "who said this?"
        "habit/poetical-science/cloze",
        "reference/difference-engine/cloze",
    ]


def test_tags_and_note_types(project: Project) -> None:
    cards = by_key(cards_of(project))
    assert cards["component/analytical-engine/mill/cloze"].tags == ("podcards::framework", "test")
    assert cards["quote/poetical-science/cloze"].tags == ("podcards::quote", "test")
    assert cards["insight/symbols/cloze"].notetype == "cloze"
    assert cards["insight/engine-weaves/question"].notetype == "qa"


def test_user_text_is_escaped(project: Project) -> None:
    text = MINIMAL_DECK.replace(
        "text: Combine imagination with rigorous analysis.",
        'text: "Use <b>bold</b> & check \\"{{c1::quotes}}\\""',
    )
    (text_field, *_) = by_key(cards_of(project, text))["habit/poetical-science/cloze"].fields
    assert text_field == "Use &lt;b&gt;bold&lt;/b&gt; &amp; check &#34;{{c1::quotes}}&#34;"


def test_marked_key_phrase_is_the_deletion(project: Project) -> None:
    text = with_item_keys(MINIMAL_DECK, "  - id: engine-weaves\n", "    add_cards: [cloze]\n")
    card = by_key(cards_of(project, text))["insight/engine-weaves/cloze"]
    assert card.fields[0] == (
        "The engine weaves {{c1::algebraic patterns}} the way a loom weaves flowers."
    )


def test_unmarked_text_gets_a_key_phrase_from_its_own_text(project: Project) -> None:
    cards = by_key(cards_of(project))
    text = cards["insight/symbols/cloze"].fields[0]
    assert text.count("{{c1::") == 1
    hidden = text.split("{{c1::")[1].split("}}")[0]
    assert 1 <= len(hidden.split()) <= 4
    assert hidden.lower() not in {"the", "could", "upon", "other", "things", "act"}


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
    # the phrase that answers it first, then the sentence that says it
    assert back == (
        '<div class="pc-key">algebraic patterns</div><div class="pc-said">The engine weaves '
        "algebraic patterns the way a loom weaves flowers.</div>"
    )
    assert context == "Test Podcast · Ada Lovelace"
    assert source == "Test Podcast · Episode One · Ada Lovelace"


def test_an_author_can_ask_for_both_cards_of_an_insight(project: Project) -> None:
    text = with_item_keys(MINIMAL_DECK, "  - id: engine-weaves\n", "    add_cards: [cloze]\n")
    keys = [card.key for card in cards_of(project, text)]
    assert "insight/engine-weaves/question" in keys and "insight/engine-weaves/cloze" in keys


def test_question_is_accepted_on_every_kind_of_item(project: Project) -> None:
    text = MINIMAL_DECK.replace(
        "takeaway: The {{c1::engine}} can do more than arithmetic.",
        "takeaway:\n  text: The {{c1::engine}} can do more than arithmetic.\n"
        "  question: What can the engine do?",
    )
    for line, kind in [
        ("  - id: symbols\n", "insight/symbols"),
        ("  - id: poetical-science\n", "quote/poetical-science"),
        ("      - name: Mill\n", "component/analytical-engine/mill"),
        ("  - name: Poetical science\n", "habit/poetical-science"),
        ("  - name: Difference Engine\n", "reference/difference-engine"),
        ("  - name: Analytical Engine\n", "framework/analytical-engine"),
    ]:
        indent = " " * (len(line) - len(line.lstrip()) + 2)
        text = with_item_keys(text, line, f"{indent}question: About {kind}?\n")
    cards = by_key(cards_of(project, text))
    for kind in [
        "takeaway/takeaway",
        "insight/symbols",
        "quote/poetical-science",
        "component/analytical-engine/mill",
        "habit/poetical-science",
        "reference/difference-engine",
        "framework/analytical-engine",
    ]:
        assert f"{kind}/question" in cards, kind
        assert f"{kind}/cloze" not in cards and f"{kind}/about" not in cards, kind
    assert cards["takeaway/takeaway/question"].fields[0] == "What can the engine do?"


def test_who_said_only_where_the_deck_quotes_two_speakers(project: Project) -> None:
    keys = {card.key for card in cards_of(project)}
    assert not any(key.endswith("/who-said") for key in keys)
    text = MINIMAL_DECK.replace(
        "quotes:\n",
        "quotes:\n  - id: engine-pattern\n    text: The engine is a {{c1::pattern}} machine.\n"
        "    speaker: Charles Babbage\n",
    )
    cards = by_key(cards_of(project, text))
    front, back, context, _source, extra = cards["quote/poetical-science/who-said"].fields
    assert front.endswith("Who said this?")
    assert back == "Ada Lovelace"  # the speaker only: one answer
    assert extra == "In a letter to Charles Babbage."
    assert "Ada" not in front + context
    assert "quote/engine-pattern/who-said" in cards


def test_reverse_cards_are_off_until_asked_for_and_mask_the_name(project: Project) -> None:
    assert "habit/poetical-science/name" not in by_key(cards_of(project))
    text = MINIMAL_DECK.replace(
        "text: Combine imagination with rigorous analysis.",
        "text: Poetical science means combining imagination with scientific rigour.",
    )
    text = with_item_keys(text, "  - name: Poetical science\n", "    add_cards: [name]\n")
    cards = by_key(cards_of(project, text))
    front = cards["habit/poetical-science/name"].fields[0]
    assert "oetical" not in front and "cien" not in front
    assert cards["habit/poetical-science/name"].fields[1] == "Poetical science"
    deck_wide = MINIMAL_DECK.replace(
        "  tags: [test]\n", "  tags: [test]\n  add_cards: [habit/name]\n"
    )
    assert "habit/poetical-science/name" in by_key(cards_of(project, deck_wide))


def test_mask_hides_name_words_and_their_forms() -> None:
    assert mask("Start from physics up; physics-first wins.", "Physics-first thinking") == (
        "Start from … up; … wins."
    )
    assert mask("Computation will use the sun's power.", "Cosmic compute") == (
        "… will use the sun's power."
    )


def test_the_cue_is_short_and_the_title_is_on_the_back(project: Project) -> None:
    long_title = "Ada Lovelace on Engines, Looms, Poetry and the Future of Computing Machines"
    text = MINIMAL_DECK.replace("title: Episode One", f"title: {long_title}")
    for card in cards_of(project, text):
        front = card.fields[0] + card.fields[2 if card.notetype == "qa" else 1]
        assert long_title not in front, card.key
        assert long_title in card.fields[3 if card.notetype == "qa" else 2], card.key
    cue = MINIMAL_DECK.replace(
        "  guests: [Ada Lovelace]\n", "  guests: [Ada Lovelace]\n  cue: TP · Ada\n"
    )
    card = by_key(cards_of(project, cue))["insight/symbols/cloze"]
    assert card.fields[1] == "TP · Ada"


def test_named_items_show_their_name_as_the_cue(project: Project) -> None:
    cards = by_key(cards_of(project))
    assert cards["habit/poetical-science/cloze"].fields[1] == (
        "Test Podcast · Ada Lovelace · Poetical science"
    )
    assert cards["component/analytical-engine/mill/cloze"].fields[1] == (
        "Test Podcast · Ada Lovelace · Analytical Engine · Mill"
    )
    assert cards["framework/analytical-engine/about"].fields[0] == (
        "Analytical Engine: what is its core idea?"
    )


def test_a_framework_card_only_where_the_summary_is_one_idea(project: Project) -> None:
    listed = MINIMAL_DECK.replace(
        "summary: A general-purpose mechanical computer design.",
        "summary: A mill, a store, punched cards, a printer and a bell; all steam-driven.",
    )
    assert "framework/analytical-engine/about" not in by_key(cards_of(project, listed))


def test_no_phrase_to_hide_is_a_warning_not_a_failed_build(project: Project) -> None:
    text = MINIMAL_DECK.replace(
        "text: The machine could act upon other things besides numbers.", "text: Yes, I think so."
    )
    result = rendered(project, text)
    assert "insight/symbols/cloze" not in {card.key for card in result.cards}
    (warning,) = result.warnings
    assert "insight 'symbols' gets no cloze card: nothing in its text is worth hiding" in str(
        warning
    )
    project.deck(text)
    build = project.build()
    assert build.exit_code == 0
    assert "warning: insight 'symbols' gets no cloze card" in build.output


def test_a_weak_phrase_is_hidden_with_a_warning(project: Project) -> None:
    text = MINIMAL_DECK.replace(
        "text: The machine could act upon other things besides numbers.",
        "text: I think we should go.",
    )
    result = rendered(project, text)
    card = by_key(list(result.cards))["insight/symbols/cloze"]
    assert card.fields[0] == "I think we should {{c1::go}}."
    assert any("hides 'go', the best phrase podcards could find" in str(w) for w in result.warnings)


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
    ).replace("  tags: [test]\n", "  tags: [test]\n  skip_cards: [habit/cloze]\n")
    keys = set(by_key(cards_of(project, text)))
    assert "quote/poetical-science/cloze" not in keys
    assert "habit/poetical-science/cloze" not in keys
    assert "insight/symbols/cloze" in keys


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
        "(there are: cloze, question, who-said)"
    )


def test_user_template_overrides_a_built_in_one(project: Project) -> None:
    project.write(
        "templates/reference/what-is.j2",
        """\
        {% block front %}Define {{ item.name }}.{% endblock %}
        {% block back %}{{ item.text }}{% endblock %}
        """,
    )
    text = with_item_keys(
        MINIMAL_DECK, "  - name: Difference Engine\n", "    add_cards: [what-is]\n"
    )
    card = by_key(cards_of(project, text, user_dir=True))["reference/difference-engine/what-is"]
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
        "templates/habit/question.j2",
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
    assert "templates/habit/question.j2:3: " in message
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
        "house-style/takeaway/cloze.j2",
        """\
        {% block text %}The takeaway of this episode: {{ item.text | cloze }}{% endblock %}
        """,
    )
    assert project.build("--templates", "house-style").exit_code == 0
    lock = project.lock.read_text(encoding="utf-8")
    assert "The takeaway of this episode: The {{c1::engine}}" in lock
    assert project.build("--templates", "missing").exit_code == 2


def test_a_framework_without_summary_gives_no_about_card(project: Project) -> None:
    text = MINIMAL_DECK.replace("    summary: A general-purpose mechanical computer design.\n", "")
    keys = set(by_key(cards_of(project, text)))
    assert "framework/analytical-engine/about" not in keys
    assert "component/analytical-engine/mill/cloze" in keys


def test_reference_answer_shows_its_text_unmasked(project: Project) -> None:
    text = MINIMAL_DECK.replace(
        "text: Babbage's earlier calculator for polynomial tables.",
        "text: The Difference Engine tabulated polynomials.",
    )
    text = with_item_keys(text, "  - name: Difference Engine\n", "    add_cards: [what-is]\n")
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
    text = MINIMAL_DECK.replace(
        "  guests: [Ada Lovelace]\n",
        "  guests: [Ada Lovelace]\n  cue: Loom patterns and the Engine\n",
    )
    text = text.replace(
        "text: The machine could act upon other things besides numbers.",
        "text: The Jacquard loom inspired the punched cards of the engine.",
    )
    card = by_key(cards_of(project, text))["insight/symbols/cloze"]
    hidden = card.fields[0].split("{{c1::")[1].split("}}")[0]
    assert card.fields[1] == "Loom patterns and the Engine"
    assert "loom" not in hidden.lower() and "engine" not in hidden.lower()
