"""The loss table (nncheck.engine.losses): one statement of each loss's conventions, read by
spec, the `loss` ask and the `gradient` ask alike."""

from __future__ import annotations

import math
from typing import Any

import pydantic
import pytest

from nncheck.compare.verdict import Status
from nncheck.engine import losses as table
from nncheck.solvers.context import Context
from nncheck.solvers.gradients import solve_gradient
from nncheck.solvers.losses import loss_mistakes, loss_value
from nncheck.spec.parts import LossPart
from nncheck.spec.problem import Problem

# FORMAT §4.5 lists the losses `fn:` takes.
DOCUMENTED = ("cross_entropy", "binary_cross_entropy", "mse", "mae", "hinge",
              "multiclass_hinge", "categorical_hinge", "kl_divergence")


def loss_part(fn: str) -> dict[str, Any]:
    return {"id": "a", "ask": "loss", "fn": fn, "y_true": [1, 0], "y_pred": [0.5, 0.5]}


@pytest.mark.parametrize("fn", DOCUMENTED)
def test_spec_takes_every_documented_loss(fn):
    assert LossPart.model_validate(loss_part(fn)).fn == fn


def test_spec_takes_no_other_loss():
    with pytest.raises(pydantic.ValidationError):
        LossPart.model_validate(loss_part("cross_entropi"))


def test_the_table_has_a_row_per_documented_loss():
    assert sorted(table.LOSSES) == sorted(DOCUMENTED)


def sigmoid_bce(log: Any) -> Any:
    # One sigmoid unit y = σ(w·x + b) with w = 2, b = -2, x = 1: z = 0, p = 0.5; target 1.
    problem = Problem.model_validate({"id": "p", "given": {"net": {
        "kind": "network", "inputs": ["x"], "activation": "sigmoid",
        "layers": [{"y": {"w": [2], "b": -2}}]}},
        "parts": [{"id": "d", "ask": "gradient", "network": "net", "input": {"x": 1},
                   "of": "loss", "loss": {"fn": "binary_cross_entropy", "y_true": [1],
                                          "log": log},
                   "wrt": "w_y_x"}]})
    part = problem.parts[0]
    return solve_gradient(part, Context(problem, part))


def test_gradient_names_the_natural_log_mistake_as_the_loss_ask_does():
    # In bits, L = -log2 p, so ∂L/∂w = -(1 - p)·x / ln 2 = -0.5 / ln 2; a student who takes
    # natural logs answers -(1 - p)·x = -0.5.
    truth = sigmoid_bce(2)
    assert truth.expected == pytest.approx(-0.5 / math.log(2), rel=1e-15)
    verdict = truth.grade(-0.5)
    assert verdict.status is Status.WRONG
    assert verdict.mistakes == ("natural log instead of base 2",)
    # The loss ask names the same mistake the same way: -log2 0.5 = 1 in bits, ln 2 in nats.
    assert loss_value("binary_cross_entropy", [1], [0.5], log=2) == pytest.approx(1.0)
    assert loss_mistakes("binary_cross_entropy", [1], [0.5], log=2) == [
        ("natural log instead of base 2", pytest.approx(math.log(2)))]


def test_gradient_in_base_10_names_base_10():
    # -(1 - p)·x / ln 10 in base 10; natural logs give -0.5.
    truth = sigmoid_bce(10)
    assert truth.expected == pytest.approx(-0.5 / math.log(10), rel=1e-15)
    assert truth.grade(-0.5).mistakes == ("natural log instead of base 10",)


def test_the_old_gradient_wording_is_gone():
    names = [k.name for k in sigmoid_bce(2).known]
    assert "natural log instead of log2" not in names
    assert "natural log instead of base 2" in names


# --- adding a loss is one row ----------------------------------------------------------------

def _squared_hinge(batch: table.Batch, conv: table.Convention) -> Any:
    import numpy as np

    s = batch.y_pred if batch.y_pred is not None else batch.logits
    return np.maximum(0.0, 1.0 - batch.y_true * s) ** 2


def _squared_hinge_gradient(t: Any, p: Any) -> Any:
    import numpy as np

    return -2.0 * t * np.maximum(0.0, 1.0 - t * p)


def _squared_hinge_texts(y: list[float], outputs: Any, scale: float) -> dict[str, str | None]:
    return {o: f"({-2 * t * scale})*max(0, 1 - {t}*{o})" for o, t in zip(outputs, y)}


SQUARED_HINGE = table.Loss("squared_hinge", "scores", "signs", "sum", _squared_hinge,
                           _squared_hinge_gradient, _squared_hinge_texts)


def test_a_new_row_is_a_new_loss(monkeypatch):
    monkeypatch.setitem(table.LOSSES, "squared_hinge", SQUARED_HINGE)
    # Labels 0/1 read as -1/1 (the row says "signs"): y = (1, -1), s = (0.5, 0.5):
    # max(0, 1 - 0.5)² + max(0, 1 + 0.5)² = 0.25 + 2.25 = 2.5, summed (the row's default).
    assert loss_value("squared_hinge", [1, 0], [0.5, 0.5]) == pytest.approx(2.5)
    # its mistakes come from the same row: the mean over the 2 outputs is 1.25
    assert loss_mistakes("squared_hinge", [1, 0], [0.5, 0.5]) == [
        ("mean instead of sum", pytest.approx(1.25))]
