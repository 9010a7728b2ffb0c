"""Gradients on computational graphs against PyTorch's autograd, recorded in
tests/oracle/graphs.json (no torch needed here): the CS231n circuits and random graphs of every
gate, scalar and vector (tests/oracle/graphs.py), each a `gradient` part by every input and
node, element by element.
"""

from __future__ import annotations

import numpy as np
import pytest

from conftest import make_problem
from nncheck.solvers import solve
from nncheck.solvers.context import Context
from oracle import data
from oracle.graphs import CASES, GATES, VECTOR_GATES, GraphCase

RECORDED = data.answers("graphs")


def solved(case: GraphCase) -> np.ndarray:
    problem = make_problem(case.problem)
    truth = solve(problem.parts[0], Context(problem, problem.parts[0]))
    assert truth.points == 1
    return np.asarray(truth.values[0], dtype=float)


@pytest.mark.parametrize("case", [pytest.param(c, id=c.id) for c in CASES])
def test_every_gradient_matches_autograd(case: GraphCase) -> None:
    if case.id not in RECORDED:
        pytest.fail(f"case {case.id} is not recorded: run {data.RECORDED_BY}")
    oracle = np.asarray(RECORDED[case.id], dtype=float)
    mine = solved(case)
    scale = 1.0 + np.abs(oracle).max()
    bad = np.abs(mine - oracle) > 1e-9 * np.maximum(np.abs(oracle), 1e-3 * scale)
    assert not bad.any(), (
        f"element {int(np.argmax(bad))}: {mine.tolist()} != {oracle.tolist()}\n"
        f"{case.nodes}")


def test_the_cases_use_every_gate_and_the_cs231n_values():
    used = {gate for case in CASES for _, gate, _ in case.program}
    assert used == set(GATES) | set(VECTOR_GATES) | {"loss"}
    # CS231n publishes ∂f/∂x = ∂f/∂y = -4, ∂f/∂z = 3 for (x + y) z at -2, 5, -4
    assert RECORDED["cs231n-circuit"][:3] == [-4.0, -4.0, 3.0]
