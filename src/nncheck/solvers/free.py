"""Parts with no computation: a choice among options, and free text for a person."""

from __future__ import annotations

from nncheck.compare.truths import ChoiceTruth, ManualTruth
from nncheck.errors import ProblemError
from nncheck.solvers.context import Context
from nncheck.spec.parts import ChoicePart, ManualPart


def solve_choice(part: ChoicePart, ctx: Context) -> ChoiceTruth:
    """The keyed option; `explain` says why each wrong option is wrong."""
    if part.key not in part.options:
        raise ProblemError(
            f"part `{part.id}`: key `{part.key}` is not an option",
            expected=f"one of {', '.join(part.options)}",
        )
    return ChoiceTruth(expected=part.key, options=tuple(part.options), known=part.explain)


def solve_manual(part: ManualPart, ctx: Context) -> ManualTruth:
    """Nothing to compute: a person grades it against the rubric."""
    return ManualTruth(expected=part.solution, rubric=part.rubric)
