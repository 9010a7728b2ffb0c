"""The registry: one solver per ask. A solver maps a validated part to its truth.

A solver module (numpy) is imported when a part of its ask is first solved: this package also
holds the context and the seeding of the sample points, which loading a bank reads without
numpy, so that `nncheck validate` starts fast.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from nncheck.compare.verdict import Truth
    from nncheck.solvers.context import Context

Solver = Callable[[Any, "Context"], "Truth"]

# ask -> (module of nncheck.solvers, function)
SOLVERS: dict[str, tuple[str, str]] = {
    "truth_table": ("networks", "solve_truth_table"),
    "realize": ("networks", "solve_realize"),
    "forward": ("networks", "solve_forward"),
    "param_count": ("models", "solve_param_count"),
    "output_shape": ("models", "solve_output_shape"),
    "formula": ("formula", "solve_formula"),
    "loss": ("losses", "solve_loss"),
    "gradient": ("gradients", "solve_gradient"),
    "equivalent": ("equivalence", "solve_equivalent"),
    "receptive_field": ("convolution", "solve_receptive_field"),
    "padding": ("convolution", "solve_padding"),
    "flops": ("convolution", "solve_flops"),
    "macs": ("convolution", "solve_flops"),
    "activation_memory": ("convolution", "solve_activation_memory"),
    "choice": ("free", "solve_choice"),
    "manual": ("free", "solve_manual"),
    "layer_output": ("sequence", "solve_layer_output"),
    "optimizer_step": ("training", "solve_optimizer_step"),
    "perceptron": ("learning", "solve_perceptron"),
    "learning_rule": ("learning", "solve_learning_rule"),
    "separable": ("functions", "solve_separable"),
    "min_units": ("functions", "solve_min_units"),
}


# The asks a part may put to a computational graph (`graph:` instead of `network:`).
GRAPH_SOLVERS: dict[str, tuple[str, str]] = {
    "forward": ("graphs", "solve_graph_forward"),
    "gradient": ("graphs", "solve_graph_gradient"),
}


def solver(ask: str, graph: bool = False) -> Solver:
    """The solver of an ask, its module imported on first use."""
    module, name = GRAPH_SOLVERS[ask] if graph else SOLVERS[ask]
    found: Solver = getattr(importlib.import_module(f"{__name__}.{module}"), name)
    return found


def solve(part: Any, ctx: Context) -> Truth:
    """The truth of one part, by its ask."""
    return solver(part.ask, getattr(part, "graph", None) is not None)(part, ctx)
