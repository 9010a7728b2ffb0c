"""The registry: one solver per ask. A solver maps a validated part to its truth."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from nncheck.checking import Truth
from nncheck.context import Context
from nncheck.solvers import equivalence, formula, free, gradients, losses, models, networks

Solver = Callable[[Any, Context], Truth]

SOLVERS: dict[str, Solver] = {
    "truth_table": networks.solve_truth_table,
    "realize": networks.solve_realize,
    "forward": networks.solve_forward,
    "param_count": models.solve_param_count,
    "output_shape": models.solve_output_shape,
    "formula": formula.solve_formula,
    "loss": losses.solve_loss,
    "gradient": gradients.solve_gradient,
    "equivalent": equivalence.solve_equivalent,
    "choice": free.solve_choice,
    "manual": free.solve_manual,
}


def solve(part: Any, ctx: Context) -> Truth:
    """The truth of one part, by its ask."""
    return SOLVERS[part.ask](part, ctx)
