"""The `perceptron` and `learning_rule` asks: the published tables worked by hand, a plain
loop written out here (numpy, one example at a time) at random data, the known mistakes, and
the problems that cannot be solved."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest
from pydantic import ValidationError

from nncheck.compare.verdict import Status
from nncheck.errors import ProblemError
from nncheck.solvers.context import Context
from nncheck.solvers.learning import solve_learning_rule, solve_perceptron
from nncheck.spec.problem import Problem

AND_X = [[0, 0], [0, 1], [1, 0], [1, 1]]
AND_D = [0, 0, 0, 1]
# Negnevitsky, Table 6.3: θ = 0.2 fixed, α = 0.1, w = (0.3, -0.1), Y = 1 where w·x - θ >= 0
NEGNEVITSKY = {"inputs": AND_X, "targets": AND_D, "weights": [0.3, -0.1], "bias": "none",
               "threshold": 0.2, "lr": 0.1}


def solve(part: dict[str, Any]) -> Any:
    problem = Problem.model_validate({"id": "p", "parts": [{"id": "a", **part}]})
    solver = solve_perceptron if part["ask"] == "perceptron" else solve_learning_rule
    return solver(problem.parts[0], Context(problem, problem.parts[0]))


def perceptron(**part: Any) -> Any:
    return solve({"ask": "perceptron", **part})


def rule(**part: Any) -> Any:
    return solve({"ask": "learning_rule", **part})


# --- the published examples, by hand ----------------------------------------------------------

@pytest.mark.parametrize(("after", "weights"), [
    # epoch 1: (0,0) z = -0.2 → 0 ✓; (0,1) z = -0.3 → 0 ✓; (1,0) z = 0.1 → 1 ✗ (e = -1):
    # w = (0.2, -0.1); (1,1) z = -0.1 → 0 ✗ (e = 1): w = (0.3, 0.0)
    (3, [0.2, -0.1]), (4, [0.3, 0.0]),
    # epoch 2: (1,0) z = 0.1 → 1 ✗: w = (0.2, 0.0); (1,1) z = 0.2 - 0.2 = 0 → 1 ✓
    (8, [0.2, 0.0]),
    # epoch 3: (1,0) z = 0 → 1 ✗: w = (0.1, 0.0); (1,1) z = -0.1 → 0 ✗: w = (0.2, 0.1)
    (12, [0.2, 0.1]),
    # epoch 4: (0,1) z = -0.1 ✓; (1,0) z = 0 → 1 ✗: w = (0.1, 0.1); (1,1) z = 0 → 1 ✓
    (16, [0.1, 0.1]),
    (20, [0.1, 0.1]),  # epoch 5: no error
])
def test_negnevitskys_perceptron_table(after: int, weights: list[float]) -> None:
    truth = perceptron(**NEGNEVITSKY, after=after)
    assert truth.values[0] == pytest.approx(weights, abs=1e-15)


def test_negnevitskys_perceptron_converges_in_five_epochs() -> None:
    # errors per epoch: 2, 1, 2, 1, 0 — five passes, the fifth without an error; 6 updates
    assert perceptron(**NEGNEVITSKY, count="epochs").values[0] == 5
    assert perceptron(**NEGNEVITSKY, count="epochs_with_updates").values[0] == 4
    assert perceptron(**NEGNEVITSKY, count="updates").values[0] == 6
    truth = perceptron(**NEGNEVITSKY, count="epochs")
    assert truth.grade(4).mistakes == ("the last pass, the one without errors, not counted",)


def test_w_x_equal_to_the_threshold_is_decided_exactly() -> None:
    # w·x = 0.3 - 0.1 - 0.2 is 0 as written (float64 gives -2.8e-17): the output is at_zero = 1,
    # the target 1, so no update; as floats it would be 0, an error, and w + x = (1.3, 0.9, 0.8)
    truth = perceptron(inputs=[[1, 1, 1]], targets=[1], weights=[0.3, -0.1, -0.2], bias="none",
                       after=1)
    assert truth.values[0] == pytest.approx([0.3, -0.1, -0.2], abs=1e-15)
    # at_zero: 0 makes it an error: w = (1.3, 0.9, 0.8)
    truth = perceptron(inputs=[[1, 1, 1]], targets=[1], weights=[0.3, -0.1, -0.2], bias="none",
                       after=1, at_zero=0)
    assert truth.values[0] == pytest.approx([1.3, 0.9, 0.8], abs=1e-15)


def test_hagans_lms_example() -> None:
    # Hagan et al., ch. 10: η = 2α = 0.4, W(0) = 0; p1 = (1, -1, -1), t1 = -1: a = 0, e = -1,
    # W(1) = -0.4·p1 = (-0.4, 0.4, 0.4); p2 = (1, 1, -1), t2 = 1: a = -0.4 + 0.4 - 0.4 = -0.4,
    # e = 1.4, W(2) = W(1) + 0.56·p2 = (0.16, 0.96, -0.16)
    part = {"rule": "delta", "inputs": [[1, -1, -1], [1, 1, -1]], "targets": [-1, 1],
            "bias": "none", "lr": 0.4}
    assert rule(**part, after=1).values[0] == pytest.approx([-0.4, 0.4, 0.4], abs=1e-15)
    assert rule(**part, after=2).values[0] == pytest.approx([0.16, 0.96, -0.16], abs=1e-15)


def test_fausetts_hebb_net_for_and() -> None:
    # Fausett §2.2, bipolar AND, Δw = x·t, Δb = t from 0: after (1,1,+1): w = (1, 1), b = 1;
    # (1,-1,-1): (0, 2), 0; (-1,1,-1): (1, 1), -1; (-1,-1,-1): (2, 2), -2
    part = {"rule": "hebb", "inputs": [[1, 1], [1, -1], [-1, 1], [-1, -1]],
            "targets": [1, -1, -1, -1], "bias": "last"}
    assert rule(**part, after=2).values[0] == pytest.approx([0, 2, 0])
    truth = rule(**part, epochs=1)
    assert truth.values[0] == pytest.approx([2, 2, -2])
    assert truth.labels == ["w1", "w2", "b"]


# --- a plain loop at random data ----------------------------------------------------------------

def plain_loop(kind: str, x: np.ndarray, t: np.ndarray, w: np.ndarray, lr: float,
               presentations: int, *, bipolar: bool = False) -> np.ndarray:
    """The three rules as a textbook writes them, the bias a column of ones in front."""
    w = w.astype(float).copy()
    xb = np.hstack([np.ones((x.shape[0], 1)), x])
    for k in range(presentations):
        xi, ti = xb[k % len(xb)], t[k % len(xb)]
        net = float(xi @ w)
        if kind == "hebb":
            w += lr * ti * xi
        elif kind == "delta":
            w += lr * (ti - net) * xi
        else:
            y = (1.0 if net >= 0 else (-1.0 if bipolar else 0.0))
            if y != ti:
                w += lr * (ti - y) * xi
    return w


@pytest.mark.parametrize("seed", range(12))
@pytest.mark.parametrize("kind", ["perceptron", "delta", "hebb"])
def test_each_rule_agrees_with_a_plain_loop(kind: str, seed: int) -> None:
    rng = np.random.default_rng(seed)
    n, d = int(rng.integers(2, 6)), int(rng.integers(1, 4))
    bipolar = kind != "delta" and seed % 2 == 1
    # integers and halves: every sum is exact in float64, so z = 0 means the same to both
    x = rng.integers(-3, 4, (n, d)).astype(float)
    t = rng.choice([-1.0, 1.0] if bipolar else [0.0, 1.0], n)
    w = rng.integers(-2, 3, d + 1) / 2
    lr = 0.5 if kind != "delta" else 0.0625
    presentations = int(rng.integers(1, 3 * n + 1))
    want = plain_loop(kind, x, t, w, lr, presentations, bipolar=bipolar)
    part = {"inputs": x.tolist(), "targets": t.tolist(), "weights": w.tolist(), "lr": lr,
            "after": presentations}
    if kind == "perceptron":
        got = perceptron(**part, labels="bipolar" if bipolar else "binary")
    else:
        got = rule(**part, rule=kind)
    assert got.values[0] == pytest.approx(want, rel=1e-12, abs=1e-12)


# --- known mistakes ---------------------------------------------------------------------------

def test_the_perceptrons_mistakes_are_named() -> None:
    # OR from w = (b, w1, w2) = (0, 0, 0), η = 1, step(0) = 1, one epoch:
    # (0,0,t=0): z = 0 → 1 ✗: w = (-1, 0, 0); (0,1,1): z = -1 → 0 ✗: w = (0, 0, 1);
    # (1,0,1): z = 0 → 1 ✓; (1,1,1): z = 1 → 1 ✓ — the truth (0, 0, 1)
    part = {"inputs": AND_X, "targets": [0, 1, 1, 1], "epochs": 1}
    truth = perceptron(**part)
    assert truth.values[0].tolist() == [0, 0, 1]
    # updated on correct examples too, as though wrong: then (1,0,1) adds (1, 1, 0) and
    # (1,1,1) adds (1, 1, 1): (2, 2, 2)
    assert truth.grade([2, 2, 2]).mistakes == (
        "the weights updated on correctly classified examples too",)
    # y − t: (0,0,0): z = 0 → 1, error 1: w = (1, 0, 0); (0,1,1): z = 1 → 1 ✓;
    # (1,0,1): z = 1 ✓; (1,1,1) ✓ — (1, 0, 0)
    assert truth.grade([1, 0, 0]).mistakes == (
        "target and output swapped in the error (y − t instead of t − y)",)
    # bias input 0: (0,0,0): z = 0 → 1 ✗, x = 0 changes nothing; (0,1,1): z = 0 → 1 ✓;
    # (1,0,1) ✓; (1,1,1) ✓ — (0, 0, 0)
    assert truth.grade([0, 0, 0]).mistakes == ("the bias input left out",)
    assert truth.grade([0, 0, 1]).status is Status.CORRECT


def test_the_delta_rules_mistakes_are_named() -> None:
    # one example x = (1, 2) with the bias first, t = 1, w = 0, η = 0.1: y = 0, e = 1,
    # w = 0.1·(1, 1, 2) = (0.1, 0.1, 0.2)
    part = {"rule": "delta", "inputs": [[1, 2]], "targets": [1], "lr": 0.1, "after": 1}
    truth = rule(**part)
    assert truth.values[0] == pytest.approx([0.1, 0.1, 0.2])
    assert truth.grade([-0.1, -0.1, -0.2]).mistakes == (
        "target and output swapped in the error (y − t instead of t − y)",)
    assert truth.grade([0, 0.1, 0.2]).mistakes == ("the bias input left out",)
    # thresholded: step(0) = 1 = t, no error: w stays 0
    truth2 = rule(**{**part, "weights": [0, 0, 0]})
    assert truth2.grade([0, 0, 0]).mistakes == (
        "the thresholded output in the error (the perceptron rule, not the delta rule)",)


# --- problems that cannot be solved ------------------------------------------------------------

def test_a_perceptron_that_does_not_converge_is_a_problem_error() -> None:
    # XOR: no line separates it
    with pytest.raises(ProblemError) as info:
        perceptron(inputs=AND_X, targets=[0, 1, 1, 0], count="epochs", max_epochs=50)
    assert str(info.value) == (
        "part `a`: the perceptron does not converge within 50 epochs (a pass over the "
        "examples without an error) — data a line (a hyperplane) separates, or a larger "
        "`max_epochs`")


def test_the_work_of_a_part_is_bounded() -> None:
    # 50,000 presentations × weights a run: XOR's 4 examples × 3 weights are 12 an epoch, so
    # at most 50,000 // 12 = 4,166 epochs of the 10,000 asked for are tried
    with pytest.raises(ProblemError) as info:
        perceptron(inputs=AND_X, targets=[0, 1, 1, 0], count="epochs", max_epochs=10_000)
    assert str(info.value).startswith(
        "part `a`: the perceptron does not converge within 4166 epochs (the most nncheck runs "
        "for this data: 50,000 presentations × weights)")
    with pytest.raises(ProblemError) as info:
        perceptron(inputs=AND_X, targets=AND_D, after=20_000)
    assert str(info.value) == ("part `a`: 20000 presentations of 3 weights is too much work — "
                               "at most 50,000 (presentations × weights)")


@pytest.mark.parametrize(("part", "message"), [
    pytest.param({"inputs": AND_X, "targets": AND_D, "weights": [0, 0], "after": 1},
                 "part `a`: 2 initial weights for 2 inputs — 3 weights, the bias first",
                 id="weights-size"),
    pytest.param({"inputs": AND_X, "targets": [0, 0, 1], "after": 1},
                 "part `a`: 4 examples but 3 targets — one target per example",
                 id="targets-size"),
    pytest.param({"inputs": AND_X, "targets": [0, 0, 0, 2], "after": 1},
                 "part `a`: target 2 of example 4 is no output of a binary unit — 0 or 1 "
                 "(`labels: bipolar` for -1 and 1)", id="target-label"),
])
def test_a_part_that_cannot_be_solved_is_a_problem_error(part: dict[str, Any],
                                                         message: str) -> None:
    with pytest.raises(ProblemError) as info:
        perceptron(**part)
    assert str(info.value) == message


@pytest.mark.parametrize(("part", "message"), [
    pytest.param({"ask": "perceptron", "inputs": AND_X, "targets": AND_D},
                 "one of `after`, `epochs`, `count` says what is asked, found none of them",
                 id="nothing-asked"),
    pytest.param({"ask": "perceptron", "inputs": AND_X, "targets": AND_D, "after": 1,
                  "epochs": 1},
                 "one of `after`, `epochs`, `count` says what is asked, found `after` and "
                 "`epochs`", id="two-asked"),
    pytest.param({"ask": "perceptron", "inputs": AND_X, "targets": AND_D, "after": 1,
                  "at_zero": -1}, "`at_zero: -1` is no output of a binary unit",
                 id="at-zero"),
    pytest.param({"ask": "perceptron", "inputs": AND_X, "targets": AND_D, "after": 1,
                  "max_epochs": 5}, "`max_epochs` bounds the passes of `count:`",
                 id="max-epochs-without-count"),
    pytest.param({"ask": "learning_rule", "rule": "delta", "inputs": AND_X,
                  "targets": AND_D, "count": "epochs"}, "count", id="no-count-for-delta"),
])
def test_a_part_that_says_too_little_or_too_much_is_refused(part: dict[str, Any],
                                                           message: str) -> None:
    with pytest.raises(ValidationError) as info:
        solve(part)
    assert message in str(info.value)
