"""podcards: podcast episode notes to Anki decks whose updates merge cleanly."""

__version__ = "0.1.0"
