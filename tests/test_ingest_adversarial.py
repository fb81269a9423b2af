"""No line of notes can make `podcards ingest` slow: every pattern of ours is linear.

Each function that holds a regular expression is run on 100 KB lines built to make a
backtracking pattern go quadratic (an unclosed bracket, a run of spaces, a thousand
quotation marks...); linear code takes milliseconds, quadratic code minutes. Then the
same lines, shorter, go through the whole of ingest in every kind of section.
"""

from __future__ import annotations

import contextlib
import time
from collections.abc import Callable

import pytest

from podcards.errors import PodcardsError
from podcards.ingest import episode, items, markdown, moments, named, parse, plaintext, quotes
from podcards.ingest import sections as sections_module
from podcards.ingest.text import Span, Text, with_key_phrase

N = 100_000
BAD = {
    "an unclosed bracket": "[" + "a" * N,
    "brackets": "[" * N,
    "parentheses": "(" * N,
    "an unclosed quotation": '"' + "a " * (N // 2),
    "quotation marks": '"' * N,
    "quotations and dashes": '"a" - ' * (N // 6),
    "a quotation and spaces": '"a"' + " " * N + "x",
    "colons": "a: " * (N // 3),
    "dashes": "a - " * (N // 4),
    "bys": "A by B " * (N // 7),
    "moments": "[12:34] " * (N // 8),
    "clock-like": "1:2:3:" * (N // 6),
    "asterisks": "*a " * (N // 3),
    "highlights": "==a " * (N // 4),
    "wiki links": "[[a|" * (N // 4),
    "emoji": "🎧 " * (N // 2),
    "spaces": "a" + " " * N + "b",
    "a label and spaces": "Podcast" + " " * N + ": x",
    "closing brackets": "a)" * (N // 2),
    "a field and spaces": "a" * 30 + "::" + " " * N,
    "comment marks": "%%" * (N // 2),
    "curly quotes": "“" + "a”b" * (N // 3),
    "hashtags": "#a " * (N // 3),
    "questions": "Q: " * (N // 3),
    "capitals": "on the " + "A" * N + " podcast",
    "names": "Ab " * (N // 3) + "interviews",
    "links": "[a](http://x " * (N // 13),
}
PATTERNS: dict[str, Callable[[str], object]] = {
    "moment": lambda s: moments.moment(Text.of(s)),
    "alone": moments.alone,
    "is_chapter": moments.is_chapter,
    "split_quotation": lambda s: quotes.split_quotation(s, strict=True),
    "quotation": lambda s: quotes.quotation(Text.of(s), strict=False),
    "speaker_and_context": quotes.speaker_and_context,
    "split_name": lambda s: named.split_name(Text.of(s)),
    "is_name": named.is_name,
    "classify": sections_module.classify,
    "label": lambda s: episode._label(Text.of(s)),
    "title_parts": episode.title_parts,
    "people": episode.people,
    "prose": lambda s: [p.search(s) for p in (episode._PROSE, episode._HOST, episode._GUEST)],
    "key phrase": lambda s: with_key_phrase(Text((Span(s, "strong"), Span(s)))),
    "highlights and wiki links": lambda s: markdown._marks(Span(s)),
    "to_markdown": plaintext.to_markdown,
    "items": lambda s: [
        p.match(s) for p in (items._NOTE, items._METADATA, items._BOOK, items._QUESTION)
    ],
    "deck file": lambda s: parse._DECK_FILE.search(s),
}


@pytest.mark.parametrize("pattern", PATTERNS)
def test_every_pattern_is_linear_on_long_adversarial_lines(pattern: str) -> None:
    function = PATTERNS[pattern]
    for name, line in BAD.items():
        start = time.perf_counter()
        function(line)
        assert time.perf_counter() - start < 1.0, name


CONTEXTS = (
    "{x}\n\n## Insights\n- One thing.\n",
    "Podcast: P\nTitle: T\n\n## Insights\n- {x}\n\n{x}\n\n> {x}\n",
    "Podcast: P\nTitle: T\n\n## Quotes\n- {x}\n> {x}\n— {x}\n",
    "Podcast: P\nTitle: T\n\n## Habits\n- {x}\n\n## References\n{x}\n- {x}\n",
    "Podcast: P\nTitle: T\n\n## Frameworks\n{x}\n- {x}\n\n## FAQ\n{x}\n",
    "## Podcast information\n{x}\n\n## Summary\n{x}\n\n## {x}\n- One thing.\n",
    "{x}\n- One thing.\n",
)


@pytest.mark.parametrize("name", BAD)
def test_ingest_takes_adversarial_lines_in_every_kind_of_section(name: str) -> None:
    line = BAD[name][:4000]
    start = time.perf_counter()
    for context in CONTEXTS:
        # "no items found" is a fine answer; a traceback or a long wait is not
        with contextlib.suppress(PodcardsError):
            parse.parse_notes(context.replace("{x}", line))
    assert time.perf_counter() - start < 5.0
