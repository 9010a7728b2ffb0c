"""The truth of every part, as `solve` prints it, and an answer key that scores full marks."""

from __future__ import annotations

from typing import Any

from nncheck.compare.verdict import Status
from nncheck.grading import (
    Bank,
    LoadedProblem,
    PartResult,
    ProblemResult,
    SheetResult,
    answer_sources,
)

__all__ = ["answer_key", "solve_bank"]


def solve_bank(bank: Bank, variant: int | None = None) -> SheetResult:
    """Every part's truth, as a result with no student (what `solve` prints); with `variant`,
    the truths of that exam variant.

    A part graded against the student's own earlier answer has no truth of its own when that
    earlier part has no `solution:`; it is shown with no expected value and says why.
    """
    problems = []
    for pid, written in bank.problems.items():
        loaded = bank.variant(written, variant)
        parts = []
        for i, part in enumerate(loaded.problem.parts):
            expected, message = _solved(bank, loaded, i)
            parts.append(PartResult(part.id, part.ask, Status.CORRECT,
                                    part.points, part.points, expected, message=message,
                                    title=part.title))
        problems.append(ProblemResult(pid, loaded.problem.title, tuple(parts), loaded.path,
                                      variant=loaded.variant))
    return SheetResult(None, None, tuple(problems), variant=variant if bank.varied else None)


def _solved(bank: Bank, loaded: LoadedProblem, index: int) -> tuple[Any, str | None]:
    if _unsolvable(loaded, index):
        return None, "depends on each sheet: the part it reads has no `solution:`"
    return bank.truth(loaded, index, None).expected, None


def _unsolvable(loaded: LoadedProblem, index: int) -> bool:
    """A part graded against an earlier answer whose part has no `solution:` to stand in."""
    sources = answer_sources(loaded.problem.parts[index])
    return any(p.id in sources and p.solution is None for p in loaded.problem.parts)


def answer_key(bank: Bank, variant: int | None = None
               ) -> tuple[dict[str, dict[str, Any]], list[str]]:
    """A sheet's answers that score full marks (for an exam variant, with `variant`), and the
    parts it cannot answer (and why).

    Manual parts get their `solution:` when there is one, and are never reported missing.
    """
    key: dict[str, dict[str, Any]] = {}
    unanswered = []
    for pid, written in bank.problems.items():
        loaded = bank.variant(written, variant)
        key[pid] = {}
        for i, part in enumerate(loaded.problem.parts):
            if _unsolvable(loaded, i):
                value, why = None, "the part it reads has no `solution:`"
            else:
                truth = bank.truth(loaded, i, None)
                value, why = truth.key(), "no `solution:`"
                if value is not None and part.ask != "manual" and \
                        truth.grade(value).status.value != "correct":
                    # e.g. a gradient formula too long to write out: its value at one point
                    value, why = None, "no formula short enough to write: give a `solution:`"
            if value is not None:
                key[pid][part.id] = value
            elif part.ask != "manual":  # a person grades those
                unanswered.append(f"`{pid}` part `{part.id}`: {why}")
    return key, unanswered
