"""``podcards check``: everything a build validates, and what card-design.md asks of every
card, all at once and without writing anything (no package, no lock)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from podcards.build import Plan, plan
from podcards.errors import Location, PodcardsError, Problem, Severity, in_order
from podcards.quality import card_faces, review


@dataclass(frozen=True)
class CheckReport:
    decks: int
    cards: int
    problems: tuple[Problem, ...]  # errors and warnings, by file and line

    @property
    def errors(self) -> tuple[Problem, ...]:
        return tuple(problem for problem in self.problems if problem.is_error)

    @property
    def warnings(self) -> tuple[Problem, ...]:
        return tuple(problem for problem in self.problems if not problem.is_error)


def check(paths: list[Path], *, templates_dir: Path | None = None) -> CheckReport:
    """Plan the release as ``build`` would, then judge every card it would ship."""
    try:
        planned = plan(paths, templates_dir=templates_dir)
    except PodcardsError as error:
        return CheckReport(0, 0, tuple(error.problems))
    return CheckReport(
        len(planned.decks),
        sum(len(card_faces(card)) for built in planned.built for card in built.notes),
        tuple(in_order(warnings(planned))),
    )


def warnings(planned: Plan) -> list[Problem]:
    """What the author should know about a planned release: the build's warnings and the
    card-quality ones."""
    found = list(planned.warnings)
    for deck, built in zip(planned.decks, planned.built, strict=True):
        found += review(deck, built.notes)
    found += [
        Problem(
            Location(str(planned.lock_path)),
            f"deck '{deck_id}' ({name}) was released from here, but no deck file has it now: "
            "it is no longer updated, and learners keep its notes; restore its file to go on "
            "updating it",
            Severity.WARNING,
            "orphaned-deck",
        )
        for deck_id, name in planned.orphaned
    ]
    return found
