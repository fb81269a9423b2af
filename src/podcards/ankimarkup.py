"""Anki's own markup in the fields podcards writes: shown as typed unless a deck asks for it.

HTML escaping keeps ``<b>`` in a deck's text as text; Anki reads more than HTML in a field.
When a card is shown, ``[sound:x]`` and ``[anki:tts]...[/anki:tts]`` become play buttons,
``[latex]``, ``[$]`` and ``[$$]`` become LaTeX images (both found by matching the field's
raw text), and MathJax, in the card's web view, typesets ``\\(...\\)`` and ``\\[...\\]``
found in the page's text once entities are decoded. So ``[`` opening such markup is written
as ``&#91;`` (the same character on screen, invisible to Anki's matching), and an empty
``<span></span>`` goes between a backslash and its bracket: MathJax never matches a
delimiter across an element, and the learner sees the backslash and the bracket side by side.

A deck lists the markup its texts may use in ``deck.markup``; that markup is left alone.
Standard library only.
"""

from __future__ import annotations

from enum import StrEnum


class AnkiMarkup(StrEnum):
    """Markup a deck may ask Anki to interpret in its texts."""

    MATHJAX = "mathjax"  # \(...\) and \[...\]
    LATEX = "latex"  # [latex]...[/latex], [$]...[/$], [$$]...[/$$]
    SOUND = "sound"  # [sound:file]
    TTS = "tts"  # [anki:tts ...]...[/anki:tts]


_OPENERS = {
    # what follows "[" (compared in lower case) -> the markup it starts
    "sound:": AnkiMarkup.SOUND,
    "anki:": AnkiMarkup.TTS,
    "/anki:": AnkiMarkup.TTS,
    "latex]": AnkiMarkup.LATEX,
    "/latex]": AnkiMarkup.LATEX,
    "$": AnkiMarkup.LATEX,
    "/$": AnkiMarkup.LATEX,
}
_LONGEST = max(map(len, _OPENERS))
_MATHJAX_BRACKETS = frozenset("()[]")
_BREAK = "<span></span>"
_TAG_STARTS = frozenset("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ/!")


def shown_as_typed(html: str, allowed: frozenset[str] | tuple[str, ...] = ()) -> str:
    """Field HTML with every piece of Anki markup that the deck did not ask for made inert.

    One pass over the text, so it takes time in proportion to the field's length. Inside a
    tag (an attribute value) a ``[`` is written as ``&#91;`` too; no element is added there.
    """
    allowed = frozenset(allowed)
    if "[" not in html and ("\\" not in html or AnkiMarkup.MATHJAX in allowed):
        return html
    out: list[str] = []
    in_tag = False
    last = 0
    for index, char in enumerate(html):
        if char == "<" and html[index + 1 : index + 2] in _TAG_STARTS:
            in_tag = True
        elif char == ">":
            in_tag = False
        elif char == "[":
            kind = _markup_at(html, index + 1)
            if kind is not None and kind not in allowed:
                out += [html[last:index], "&#91;"]
                last = index + 1
        elif (
            char == "\\"
            and not in_tag
            and AnkiMarkup.MATHJAX not in allowed
            and index + 1 < len(html)
            and html[index + 1] in _MATHJAX_BRACKETS
        ):
            out += [html[last : index + 1], _BREAK]
            last = index + 1
    out.append(html[last:])
    return "".join(out)


def _markup_at(html: str, start: int) -> AnkiMarkup | None:
    """The markup a ``[`` just before ``start`` opens or closes, if any."""
    ahead = html[start : start + _LONGEST].lower()
    for opener, kind in _OPENERS.items():
        if ahead.startswith(opener):
            return kind
    return None
