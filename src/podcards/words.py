"""Words: those that carry no meaning of their own (never a cloze answer, a mask or an id
word: one list for the key phrase picker, name masks and ingest's ids), and counting.
"""

from __future__ import annotations

# Function words: never a cloze answer alone, nor at the edge of one.
_FUNCTION_WORDS = """
    a about above across after again against all almost along already also although always am
    among an and another any are around as at be because been before being below beside between
    both but by can cannot could did do does doing down during each either else even ever every
    few for from further had has have having he her here hers herself him himself his how however
    i if in indeed into is it its itself just least less let like many may maybe me might more
    most much must my myself neither never no nor not now of off often on once only onto or other
    others our ours ourselves out over own per perhaps quite rather really same shall she should
    since so some still such than that the their theirs them themselves then there therefore these
    they this those though through thus to too toward towards under unless until up upon us very
    via was we well were what whatever when where whether which while who whom whose why will with
    within without would yet you your yours yourself yourselves
"""
# Fillers of speech and hedges, which transcripts are full of: they carry no fact. The -ly
# adverbs ("obviously", "totally") are found by _is_adverb; these are the others.
_FILLER_WORDS = """
    anyway anyways going gonna gotta guess hmm kinda know mean oh ok okay possibly probably simply
    sorta suppose think uh um wanna yeah yep yes
"""
# Words that link two numbers or things, never a unit nor an answer: "85% vs 70%", "5 plus tax".
_LINK_WORDS = "besides minus plus versus vs"
STOPWORDS = frozenset(_FUNCTION_WORDS.split() + _FILLER_WORDS.split() + _LINK_WORDS.split())


def plural(count: int, noun: str) -> str:
    """ "1 card", "2 cards": how podcards counts things in what it prints."""
    return f"{count} {noun}" if count == 1 else f"{count} {noun}s"


def is_stopword(word: str) -> bool:
    """A word that carries no meaning of its own: never worth hiding or masking."""
    return word.lower() in STOPWORDS
