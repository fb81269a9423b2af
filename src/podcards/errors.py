"""Problems a user can fix, formatted as ``path:line: message``; errors and warnings."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from enum import StrEnum
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


class Severity(StrEnum):
    ERROR = "error"
    WARNING = "warning"


@dataclass(frozen=True)
class Problem:
    """One thing wrong with the user's input: an error stops the command, a warning does not."""

    location: Location
    message: str
    severity: Severity = Severity.ERROR
    code: str = ""  # which rule found it, for editors and `check --format json`

    def __str__(self) -> str:
        label = "warning: " if self.severity is Severity.WARNING else ""
        if not self.location.path:
            return f"{label or 'error: '}{self.message}"
        return f"{self.location}: {label}{self.message}"

    @property
    def is_error(self) -> bool:
        return self.severity is Severity.ERROR


def in_order(problems: Iterable[Problem]) -> list[Problem]:
    """By file and line, so that a user can work down the list; each problem once."""
    unique = dict.fromkeys(problems)
    return sorted(unique, key=lambda p: (p.location.path, p.location.line))


class PodcardsError(Exception):
    """A mistake in the user's input; the CLI prints it and exits 1."""

    def __init__(self, problems: list[Problem] | str) -> None:
        if isinstance(problems, str):
            problems = [Problem(Location(""), problems)]
        self.problems = in_order(problems)
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

    def extend(self, problems: Iterable[Problem]) -> None:
        self.items.extend(problems)

    @property
    def errors(self) -> list[Problem]:
        return [problem for problem in self.items if problem.is_error]

    def __bool__(self) -> bool:
        return bool(self.errors)

    def raise_if_any(self) -> None:
        if self.errors:
            raise PodcardsError(self.errors)
