"""Shared helpers: a project folder with deck files, the CLI, and a real Anki collection."""

from __future__ import annotations

import contextlib
import os
import signal
import textwrap
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from podcards.cli import main

SHIPPED_DECKS = Path(__file__).resolve().parent.parent / "decks"

MINIMAL_DECK = """\
podcards: 1
deck:
  id: test-deck
  name: "Podcasts::Test::Episode One"
  tags: [test]
episode:
  podcast: Test Podcast
  title: Episode One
  guests: [Ada Lovelace]
takeaway: The {{c1::engine}} can do more than arithmetic.
insights:
  - id: engine-weaves
    text: The engine weaves {{c1::algebraic patterns}} the way a loom weaves flowers.
    question: What does the engine weave, like a loom weaves flowers?
  - id: symbols
    text: The machine could act upon other things besides numbers.
quotes:
  - id: poetical-science
    text: "That brain of mine is something more than merely mortal."
    speaker: Ada Lovelace
    context: In a letter to Charles Babbage.
frameworks:
  - name: Analytical Engine
    summary: A general-purpose mechanical computer design.
    components:
      - name: Mill
        text: The part that performs the arithmetic operations.
      - id: store-holds
        text: The store holds {{c1::one thousand}} numbers of fifty digits.
habits:
  - name: Poetical science
    text: Combine imagination with rigorous analysis.
references:
  - name: Difference Engine
    text: Babbage's earlier calculator for polynomial tables.
"""


class Project:
    """A temporary podcards project: decks/, optional templates/, and the CLI run inside it."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.decks = root / "decks"
        self.dist = root / "dist"
        self.lock = self.decks / "podcards.lock"
        self.decks.mkdir(parents=True, exist_ok=True)

    def write(self, relative: str, text: str) -> Path:
        path = self.root / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(text), encoding="utf-8")
        return path

    def deck(self, text: str = MINIMAL_DECK, name: str = "episode.yaml") -> Path:
        return self.write(f"decks/{name}", text)

    def run(self, *args: str, charset: str = "utf-8") -> Result:
        old = Path.cwd()
        os.chdir(self.root)
        try:
            return CliRunner(charset=charset).invoke(main, list(args), catch_exceptions=False)
        finally:
            os.chdir(old)

    def build(self, *args: str) -> Result:
        return self.run("build", *args)

    def snapshot(self) -> dict[str, bytes]:
        """Every file under the project, to show that a failed build changed nothing."""
        return {
            str(path.relative_to(self.root)): path.read_bytes()
            for path in sorted(self.root.rglob("*"))
            if path.is_file()
        }


@contextlib.contextmanager
def time_limit(seconds: int) -> Iterator[None]:
    """Fail, rather than hang, when what runs inside takes longer than ``seconds``."""

    def expired(signum: int, frame: object) -> None:
        raise TimeoutError(f"still running after {seconds} s")

    previous = signal.signal(signal.SIGALRM, expired)
    signal.alarm(seconds)
    try:
        yield
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, previous)


@pytest.fixture
def project(tmp_path: Path) -> Project:
    return Project(tmp_path / "project")


@pytest.fixture
def fixed_clock(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1760000000")
    yield
