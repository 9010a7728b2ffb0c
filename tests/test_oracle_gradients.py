"""The `gradient` ask against two oracles, at points the tests chose (tests/oracle/gradients.py):
PyTorch's autograd, recorded in tests/oracle/gradients.json (no torch needed here), and central
finite differences of the forward pass and losses written out in numpy in that module.

Each case is a `form: value` part, so the solver evaluates it at the case's point only: the
given inputs, weights and biases of a random network, or the same network moved to a second
point the tests drew, or a categorical hinge on its kinks.
"""

from __future__ import annotations

import numpy as np
import pytest

from nncheck.context import Context
from nncheck.engine.network import build
from nncheck.solvers.gradients import solve_gradient
from nncheck.spec.network import NetworkSpec
from nncheck.spec.problem import Problem
from oracle import data
from oracle.gradients import (
    CASES,
    CATEGORICAL_KINKS,
    KINKED_LOSSES,
    LOG_LOSSES,
    GradientCase,
    forward,
    leaves,
    numpy_loss,
    outputs,
    symbols,
)

RECORDED = data.answers("gradients")
RANDOM = [c for c in CASES if c.id.startswith("net")]
KINKS = [c for c in CASES if not c.id.startswith("net")]


def solve(case: GradientCase) -> np.ndarray:
    """The solver's gradients for a case, in `wrt` order."""
    problem = Problem.model_validate({"id": "p", **case.problem})
    part = problem.parts[0]
    truth = solve_gradient(part, Context(problem, part))
    assert truth.points == 1  # the case's point, nothing drawn
    return np.asarray(truth.values[0], dtype=float)


def torch_said(case: GradientCase) -> np.ndarray:
    if case.id not in RECORDED:
        pytest.fail(f"case {case.id} is not recorded: run {data.RECORDED_BY}")
    return np.asarray(RECORDED[case.id], dtype=float)


def assert_close(mine: np.ndarray, oracle: np.ndarray, case: GradientCase,
                 rtol: float) -> None:
    """Each gradient within rtol of the oracle's, or of 1e-3 of the answer's scale."""
    scale = 1.0 + np.abs(oracle).max()
    bad = np.abs(mine - oracle) > rtol * np.maximum(np.abs(oracle), 1e-3 * scale)
    if bad.any():
        j = int(np.argmax(bad))
        raise AssertionError(
            f"∂/∂{case.wrt[j]}: {mine[j]!r} != {oracle[j]!r}\n{case.data}")


@pytest.mark.parametrize("case", [pytest.param(c, id=c.id) for c in RANDOM])
def test_every_gradient_matches_autograd(case: GradientCase) -> None:
    assert_close(solve(case), torch_said(case), case, rtol=1e-9)


def finite_differences(case: GradientCase) -> np.ndarray:
    """Every gradient by central differences of `forward`, all perturbations as one batch.

    A weight, bias or input is moved itself; a pre-activation z_u or an activation u is moved
    by adding the step where the forward pass computes it. An output that a log loss reads is
    moved by a step relative to it (a softmax output may be tiny, and the loss steep there).
    """
    net, part, wrt = case.net, case.part, case.wrt
    point = leaves(net, part)
    at = forward(net, point)
    fn = part.get("loss", {}).get("fn")
    rows = 2 * len(wrt)
    steps = np.full(len(wrt), 1e-6)
    bumps = {s: np.zeros(rows) for s in wrt}
    for j, symbol in enumerate(wrt):
        if symbol in outputs(net) and fn in LOG_LOSSES:
            p = float(at[symbol])  # a probability: stay inside (0, 1)
            steps[j] = 1e-4 * (min(p, 1 - p) if fn == "binary_cross_entropy" else p)
        bumps[symbol][2 * j], bumps[symbol][2 * j + 1] = steps[j], -steps[j]
    env = forward(net, {s: v + bumps.get(s, 0.0) for s, v in point.items()}, bumps)
    if part["of"] == "loss":
        p = np.stack([env[o] + np.zeros(rows) for o in outputs(net)])
        objective = numpy_loss(part["loss"], p)
    else:
        objective = env[part["of"]] + np.zeros(rows)
    return np.asarray((objective[0::2] - objective[1::2]) / (2 * steps))


SMOOTH = [c for c in RANDOM if c.part.get("loss", {}).get("fn") not in KINKED_LOSSES]


# A hinge or abs sits on its kink more often than chance suggests (relu outputs tie at 0,
# tanh saturates to exactly 1), and there central differences give the mean of the one-sided
# slopes: autograd checks those losses.
@pytest.mark.parametrize("case", [pytest.param(c, id=c.id) for c in SMOOTH])
def test_every_gradient_matches_finite_differences(case: GradientCase) -> None:
    assert_close(solve(case), finite_differences(case), case, rtol=1e-5)


def test_finite_differences_by_hand() -> None:
    # One sigmoid unit y = σ(0.5·x - 0.5) at x = 2: z = 0.5, σ' = σ(0.5)(1 - σ(0.5)) =
    # 0.2350037122; ∂y/∂x = 0.5·σ' = 0.1175018561, ∂y/∂w = 2σ' = 0.4700074244, ∂y/∂b = σ',
    # ∂y/∂z = σ', ∂y/∂y = 1.
    case = GradientCase("one", {"inputs": ["x"], "layers": [
        {"y": {"w": [0.5], "b": -0.5, "activation": "sigmoid"}}]}, {"input": {"x": 2}, "of": "y"})
    assert case.wrt == ["x", "z_y", "y", "w_y_x", "b_y"]
    want = [0.1175018561, 0.2350037122, 1.0, 0.4700074244, 0.2350037122]
    assert finite_differences(case) == pytest.approx(want, rel=1e-8)


def test_the_random_cases_cover_every_loss_and_activation() -> None:
    fns = {c.part.get("loss", {}).get("fn", "unit") for c in RANDOM}
    assert fns == {"unit", *LOG_LOSSES, "mse", *KINKED_LOSSES}
    acts = {unit.get("activation", layer.get("activation"))
            for c in RANDOM for layer in c.net["layers"]
            for unit in layer.get("units", layer).values()}
    assert acts == {"sigmoid", "tanh", "relu", "linear", "softmax"}


@pytest.mark.parametrize("case", [pytest.param(c, id=c.id) for c in RANDOM[:40]])
def test_the_oracles_name_every_symbol_nncheck_has(case: GradientCase) -> None:
    net = build(NetworkSpec.model_validate({"kind": "network", **case.net}))
    assert sorted(symbols(case.net)) == sorted(net.symbols())


# --- Keras's categorical hinge at its kinks ------------------------------------------------------

@pytest.mark.parametrize("case", [pytest.param(c, id=c.id) for c in KINKS])
def test_categorical_hinge_kinks_match_autograd(case: GradientCase) -> None:
    assert_close(solve(case), torch_said(case), case, rtol=1e-12)


@pytest.mark.parametrize("name", list(CATEGORICAL_KINKS))
def test_autograd_at_the_kinks_is_the_hand_worked_gradient(name: str) -> None:
    # The recorded oracle itself, against the hand-worked values: ∂loss/∂o comes first in wrt.
    _, scores, _, expected = CATEGORICAL_KINKS[name]
    oracle = RECORDED[f"kink-{name}"]
    assert oracle[:len(scores)] == pytest.approx(expected, abs=1e-15)


