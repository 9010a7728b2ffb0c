"""What grading one claim gives: a status, a credit fraction and the words explaining it.

A solver returns a *truth*: the expected value (as JSON shows it), a way to grade a claim
against it, and a key (a claim that earns full marks). This module holds no numpy, so that
grading and rendering can name statuses and verdicts at start-up.
"""

from __future__ import annotations

import enum
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Protocol, TypeVar

from nncheck.errors import ProblemError


class Status(str, enum.Enum):
    """What became of one part of a sheet."""

    CORRECT = "correct"
    WRONG = "wrong"
    MISSING = "missing"
    INVALID = "invalid"
    PENDING = "pending"
    GRADED = "graded"


def counted(parts: Iterable[tuple[str, float]]) -> dict[str, int]:
    """How many parts have each status (by value), from each part's (status value, max
    points): a part counts if it is worth points or waits for a person. What a sheet's
    summary line counts."""
    counts: dict[str, int] = {}
    for status, max_points in parts:
        if max_points > 0 or status == Status.PENDING.value:
            counts[status] = counts.get(status, 0) + 1
    return counts


@dataclass(frozen=True)
class Verdict:
    """The outcome of grading one claim: status, credit fraction and the explanation."""

    status: Status
    fraction: float = 0.0
    message: str | None = None
    mistakes: tuple[str, ...] = ()
    detail: Any = None  # ask-specific detail for the renderers (e.g. a table diff)
    # How far a numeric miss is off: {"relative": float or None (a zero truth), "absolute"}.
    error: Mapping[str, float | None] | None = None
    # The names among `mistakes` that are automatic slips (compare/slips.py): exact transforms
    # of the truth (its negation, ×10, ...), shown to students only where the truth is.
    slips: tuple[str, ...] = ()


def correct(message: str | None = None, detail: Any = None) -> Verdict:
    """A verdict of full credit."""
    return Verdict(Status.CORRECT, 1.0, message, (), detail)


def invalid(message: str) -> Verdict:
    """A verdict for a value that could not be read."""
    return Verdict(Status.INVALID, 0.0, message)


class Truth(Protocol):
    """What a solver returns for one part."""

    @property
    def expected(self) -> Any:
        """The true answer, JSON-able, as FORMAT §8 shows it."""

    def grade(self, claimed: Any) -> Verdict:
        """Grade a student's claimed value (as written in the sheet)."""

    def key(self) -> Any:
        """A value that, written in a sheet, earns full marks (None: nothing to write)."""

    def with_hints(self, hints: Sequence[Any], accept: Sequence[Any] = ()) -> Truth:
        """The truth with instructor hints (`answer` or `when`, `say`, `credit`) as named wrong
        answers, and `accept` entries as other answers that earn their credit."""


_T = TypeVar("_T")


class TakesNoHints:
    """A truth whose ask takes no `hints` (the problem's validation refuses them first)."""

    def with_hints(self: _T, hints: Sequence[Any], accept: Sequence[Any] = ()) -> _T:
        """Itself: hints name wrong answers, and this ask's answer is graded otherwise."""
        if hints or accept:
            raise ProblemError("`hints` work only on parts with a numeric answer")
        return self
