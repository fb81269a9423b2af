"""The sandbox keeps what ordinary templates do, and blames the template that went too far."""

from __future__ import annotations

import jinja2
import pytest

from podcards.sandbox import MAX_STEPS, BoundedEnvironment, TemplateLimit

from conftest import MINIMAL_DECK, Project


def render(source: str, **variables: object) -> str:
    env = BoundedEnvironment(
        loader=jinja2.DictLoader({"t.j2": source}),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
    )
    return env.get_template("t.j2").render(**variables)


@pytest.mark.parametrize(
    ("source", "shown"),
    [
        ("{% for g in guests %}{{ loop.index }}. {{ g }}{% endfor %}", "1. Ada2. Bob"),
        ("{{ guests|join(', ') }}", "Ada, Bob"),
        ("{{ '%05.1f'|format(3.14159) }} {{ '%s!' % name }}", "003.1 A&amp;B!"),
        ("{{ '{:>5}'.format('x') }}", "    x"),
        ("{% macro b(t) %}<b>{{ t }}</b>{% endmacro %}{{ b(name) }}", "<b>A&amp;B</b>"),
        ("{{ name ~ '-' ~ 2 }} {{ name * 2 }} {{ 2 ** 10 }}", "A&amp;B-2 A&amp;BA&amp;B 1024"),
        ("{{ name|center(9) }}|{{ (name ~ '  ')|trim }}", "   A&amp;B   |A&amp;B"),
        (
            "{% set ns = namespace(n=0) %}{% for i in range(10) %}{% set ns.n = ns.n + i %}"
            "{% endfor %}{{ ns.n }}",
            "45",
        ),
    ],
)
def test_ordinary_templates_render_as_before(source: str, shown: str) -> None:
    assert render(source, guests=["Ada", "Bob"], name="A&B") == shown


def test_every_render_from_python_gets_a_fresh_budget() -> None:
    source = "{% for i in range(" + str(MAX_STEPS // 2) + ") %}{% endfor %}done"
    env = BoundedEnvironment(loader=jinja2.DictLoader({"t.j2": source}))
    for _ in range(5):
        assert env.get_template("t.j2").render() == "done"


def test_a_template_that_went_too_far_fails_at_once_after_that() -> None:
    source = "{% for i in range(99999) %}{% for j in range(99999) %}{% endfor %}{% endfor %}"
    env = BoundedEnvironment(loader=jinja2.DictLoader({"t.j2": source, "ok.j2": "fine"}))
    with pytest.raises(TemplateLimit, match="steps"):
        env.get_template("t.j2").render()
    with pytest.raises(TemplateLimit, match="steps"):
        env.get_template("t.j2")
    assert env.get_template("ok.j2").render() == "fine"


def test_a_runaway_card_template_is_reported_once_and_blames_only_itself(
    project: Project,
) -> None:
    project.deck(MINIMAL_DECK.replace("quotes:\n", "quotes:\n" + _more_quotes(30)))
    project.write(
        "templates/quote/x.j2",
        "{% block front %}{% for i in range(99999) %}{% for j in range(99999) %}"
        "{% endfor %}{% endfor %}{% endblock %}{% block back %}b{% endblock %}",
    )
    result = project.build()
    assert result.exit_code == 1
    lines = result.output.splitlines()
    assert len(lines) <= 2, result.output  # once, perhaps once more without a line number
    assert all(line.startswith("templates/quote/x.j2") for line in lines)
    assert " more)" in result.output  # the other quotes, counted


def _more_quotes(count: int) -> str:
    return "".join(
        f"  - id: q{n}\n    text: Quote number {n} about {{{{c1::engines}}}}.\n"
        "    speaker: Ada Lovelace\n"
        for n in range(count)
    )
