"""Errors a user can fix, formatted as ``path:line: message``."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True, order=True)
class Location:
    """Where a value came from: a file and a 1-based line (0 when unknown)."""

    path: str
    line: int = 0

    def __str__(self) -> str:
        return f"{self.path}:{self.line}" if self.line else self.path

    @classmethod
    def of(cls, path: Path | str, line: int = 0) -> Location:
        return cls(str(path), line)


@dataclass(frozen=True)
class Problem:
    """One thing wrong with the user's input."""

    location: Location
    message: str

    def __str__(self) -> str:
        return f"{self.location}: {self.message}" if self.location.path else self.message


class PodcardsError(Exception):
    """A mistake in the user's input; the CLI prints it and exits 1."""

    def __init__(self, problems: list[Problem] | str) -> None:
        if isinstance(problems, str):
            problems = [Problem(Location(""), problems)]
        self.problems = sorted(problems, key=lambda p: (p.location.path, p.location.line))
        super().__init__("\n".join(self.lines()))

    def lines(self) -> list[str]:
        return [str(problem) for problem in self.problems]


class UsageError(Exception):
    """A misuse of the command line; the CLI prints it and exits 2."""


class Problems:
    """Collects every problem of a file so the user can fix them in one go."""

    def __init__(self) -> None:
        self.items: list[Problem] = []

    def add(self, location: Location, message: str) -> None:
        self.items.append(Problem(location, message))

    def __bool__(self) -> bool:
        return bool(self.items)

    def raise_if_any(self) -> None:
        if self.items:
            raise PodcardsError(self.items)
