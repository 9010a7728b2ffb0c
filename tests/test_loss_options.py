"""Every loss's default against its framework, and the options exams use: the margin Δ of the
multiclass hinge, label smoothing and class weights of cross-entropy. Torch's values are
recorded in tests/oracle/loss_options.json (tests/oracle/loss_options.py says how); Keras'
are the documented examples, written out with their page."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest

from conftest import context
from nncheck.compare.verdict import Status
from nncheck.errors import ProblemError
from nncheck.solvers.losses import loss_mistakes, loss_value, solve_loss
from oracle import data
from oracle.loss_options import INDEX, Y_SIGNS, A, U, W, Z, sigmoid, softmax

TORCH = data.answers("loss_options")


# --- every default, against the framework ------------------------------------------------------

def test_cross_entropy_default_is_torchs() -> None:
    assert loss_value("cross_entropy", INDEX, logits=Z) == pytest.approx(
        TORCH["cross_entropy-default"], rel=1e-12)
    assert loss_value("cross_entropy", softmax(U), logits=Z) == pytest.approx(
        TORCH["cross_entropy-soft-default"], rel=1e-12)


def test_binary_cross_entropy_default_is_torchs() -> None:
    t = softmax(U)
    assert loss_value("binary_cross_entropy", t, sigmoid(Z)) == pytest.approx(
        TORCH["binary_cross_entropy-default"], rel=1e-9)
    assert loss_value("binary_cross_entropy", t, logits=Z) == pytest.approx(
        TORCH["binary_cross_entropy_with_logits-default"], rel=1e-12)


def test_mse_and_mae_defaults_are_torchs() -> None:
    assert loss_value("mse", A, Z) == pytest.approx(TORCH["mse-default"], rel=1e-12)
    assert loss_value("mae", A, Z) == pytest.approx(TORCH["l1-default"], rel=1e-12)


def test_kl_divergence_default_is_torchs_batchmean() -> None:
    # torch's own default reduction, 'mean', divides by N·C and warns that it is not the KL
    # divergence; 'batchmean' is the per-sample sum, as Keras' KLDivergence takes it
    assert loss_value("kl_divergence", softmax(U), softmax(Z)) == pytest.approx(
        TORCH["kl_div-batchmean"], rel=1e-9)


def test_multiclass_hinge_default_sums_and_its_mean_is_torchs() -> None:
    # CS231n's SVM loss sums over the other classes; torch's multi_margin_loss divides by C
    c = len(Z[0])
    assert loss_value("multiclass_hinge", INDEX, Z) == pytest.approx(
        TORCH["multi_margin-default"] * c, rel=1e-12)
    assert loss_value("multiclass_hinge", INDEX, Z, reduction="mean") == pytest.approx(
        TORCH["multi_margin-default"], rel=1e-12)


def test_binary_hinge_default_is_the_mean_over_the_outputs() -> None:
    # torch's two-class margin loss on (-s/2, s/2) is max(0, 1 - y·s)/2 per element, and its
    # mean over the elements; nncheck's default, the mean over outputs then over samples, is
    # the mean over the elements of max(0, 1 - y·s): twice torch's value
    assert loss_value("hinge", Y_SIGNS, Z) == pytest.approx(
        2 * TORCH["multi_margin-hinge-default"], rel=1e-12)


# Keras' documented examples (the class docs of tf.keras.losses, TensorFlow 2.x:
# https://www.tensorflow.org/versions/r2.15/api_docs/python/tf/keras/losses/Hinge and the
# pages of CategoricalHinge, KLDivergence, BinaryCrossentropy, CategoricalCrossentropy,
# MeanSquaredError, MeanAbsoluteError), each on y_true = [[0, 1], [0, 0]],
# y_pred = [[0.6, 0.4], [0.4, 0.6]] but categorical cross-entropy's, MSE's and MAE's.
KERAS_TRUE, KERAS_PRED = [[0.0, 1.0], [0.0, 0.0]], [[0.6, 0.4], [0.4, 0.6]]


@pytest.mark.parametrize(("fn", "documented"), [
    # Hinge: mean over the last axis of max(0, 1 - y·ŷ), y in ±1: (1.6 + 0.6)/2, (1.4 + 1.6)/2
    pytest.param("hinge", 1.3, id="hinge"),
    # CategoricalHinge: max(0, neg - pos + 1): 0.6 - 0.4 + 1, 0.6 - 0 + 1
    pytest.param("categorical_hinge", 1.4, id="categorical-hinge"),
    # KLDivergence: Σ y log(y/ŷ): log(1/0.4), 0
    pytest.param("kl_divergence", 0.458, id="kl-divergence"),
    pytest.param("binary_cross_entropy", 0.815, id="binary-cross-entropy"),
])
def test_keras_documented_examples(fn: str, documented: float) -> None:
    assert loss_value(fn, KERAS_TRUE, KERAS_PRED) == pytest.approx(documented, abs=5e-4)


@pytest.mark.parametrize("fn", ["mse", "mae"])
def test_keras_mse_and_mae_examples(fn: str) -> None:
    # MeanSquaredError and MeanAbsoluteError: y_pred [[1, 1], [1, 0]] → 0.5 each (one output
    # of two off by 1 in each sample: the mean over the outputs, 0.5)
    assert loss_value(fn, KERAS_TRUE, [[1.0, 1.0], [1.0, 0.0]]) == pytest.approx(0.5)


def test_keras_categorical_cross_entropy_example() -> None:
    # CategoricalCrossentropy: y_true [[0, 1, 0], [0, 0, 1]], y_pred [[0.05, 0.95, 0],
    # [0.1, 0.8, 0.1]] → 1.177 (-log 0.95 and -log 0.1, their mean)
    got = loss_value("cross_entropy", [[0, 1, 0], [0, 0, 1]], [[0.05, 0.95, 0], [0.1, 0.8, 0.1]])
    assert got == pytest.approx(1.177, abs=5e-4)


def test_the_binary_hinge_sum_is_a_named_mistake() -> None:
    # one sample, labels ±1: terms max(0, 1 - 0.5) = 0.5, max(0, 1 - 2) = 0, max(0, 1 - 3) = 0
    assert loss_value("hinge", [1, -1, 1], [0.5, -2, 3]) == pytest.approx(0.5 / 3)
    assert loss_value("hinge", [1, -1, 1], [0.5, -2, 3], reduction="sum") == pytest.approx(0.5)
    assert dict(loss_mistakes("hinge", [1, -1, 1], [0.5, -2, 3])) == {
        "sum instead of mean": pytest.approx(0.5)}


# --- the margin Δ --------------------------------------------------------------------------------

def test_cs231n_svm_example_with_margin_1_and_10() -> None:
    """CS231n's linear classification notes: scores cat 3.2, car 5.1, frog -1.7 for a cat
    image, Δ = 1: max(0, 5.1 - 3.2 + 1) + max(0, -1.7 - 3.2 + 1) = 2.9 + 0 = 2.9. With
    Δ = 10: max(0, 11.9) + max(0, 5.1) = 17."""
    assert loss_value("multiclass_hinge", 0, [3.2, 5.1, -1.7]) == pytest.approx(2.9)
    assert loss_value("multiclass_hinge", 0, [3.2, 5.1, -1.7], margin=10) == pytest.approx(17)
    known = dict(loss_mistakes("multiclass_hinge", 0, [3.2, 5.1, -1.7], margin=10))
    assert known["margin 1 instead of Δ = 10"] == pytest.approx(2.9)
    assert known["the true class's own term Δ counted in the sum"] == pytest.approx(27)


@pytest.mark.parametrize(("case", "margin", "rows"), [
    pytest.param("multi_margin-margin-10", 10.0, slice(None), id="10"),
    pytest.param("multi_margin-margin-10-sum", 10.0, slice(0, 1), id="10-one-sample"),
    pytest.param("multi_margin-margin-0.5", 0.5, slice(None), id="0.5"),
])
def test_margin_matches_torch(case: str, margin: float, rows: slice) -> None:
    z, index = Z[rows], INDEX[rows]
    got = loss_value("multiclass_hinge", index, z, reduction="mean", margin=margin)
    assert got == pytest.approx(TORCH[case], rel=1e-12)


# --- label smoothing and class weights ------------------------------------------------------------

@pytest.mark.parametrize(("case", "targets", "options"), [
    pytest.param("cross_entropy-smoothing", INDEX, {"label_smoothing": 0.1}, id="smoothing"),
    pytest.param("cross_entropy-smoothing-soft", "soft", {"label_smoothing": 0.2},
                 id="smoothing-soft"),
    pytest.param("cross_entropy-weight", INDEX, {"weight": W}, id="weight"),
    pytest.param("cross_entropy-weight-soft", "soft", {"weight": W}, id="weight-soft"),
    pytest.param("cross_entropy-weight-smoothing", INDEX, {"weight": W, "label_smoothing": 0.3},
                 id="weight-smoothing"),
    pytest.param("cross_entropy-weight-one-sample", INDEX[1:2], {"weight": W},
                 id="weight-one-sample"),
])
def test_cross_entropy_options_match_torch(case: str, targets: Any, options: dict[str, Any]
                                           ) -> None:
    z = Z[1:2] if case.endswith("one-sample") else Z
    t = softmax(U) if isinstance(targets, str) else targets
    assert loss_value("cross_entropy", t, logits=z, **options) == pytest.approx(
        TORCH[case], rel=1e-12)
    # the same targets one-hot: hard labels take the weighted mean too
    if not isinstance(targets, str):
        one_hot = np.eye(3)[targets]
        assert loss_value("cross_entropy", one_hot, logits=z, **options) == pytest.approx(
            TORCH[case], rel=1e-12)


def test_label_smoothing_by_hand() -> None:
    """ε = 0.1, C = 2, ŷ = (0.8, 0.2), class 0: targets (0.95, 0.05);
    loss = -0.95 log 0.8 - 0.05 log 0.2."""
    want = -0.95 * np.log(0.8) - 0.05 * np.log(0.2)
    assert loss_value("cross_entropy", 0, [0.8, 0.2], label_smoothing=0.1) == pytest.approx(want)
    known = dict(loss_mistakes("cross_entropy", 0, [0.8, 0.2], label_smoothing=0.1))
    assert known["label smoothing left out"] == pytest.approx(-np.log(0.8))
    # ε/(C-1) to the other class: targets (0.9, 0.1)
    assert known["ε spread over the other classes only, ε/(C-1)"] == pytest.approx(
        -0.9 * np.log(0.8) - 0.1 * np.log(0.2))


def test_class_weights_weighted_mean_by_hand() -> None:
    """Two samples, classes 0 and 1, ŷ = (0.5, 0.5) and (0.25, 0.75), weights (1, 3):
    (1·log 2 + 3·(-log 0.75)) / (1 + 3); divided by N = 2 instead: the named mistake."""
    num = np.log(2) - 3 * np.log(0.75)
    y_pred = [[0.5, 0.5], [0.25, 0.75]]
    assert loss_value("cross_entropy", [0, 1], y_pred, weight=[1, 3]) == pytest.approx(num / 4)
    known = dict(loss_mistakes("cross_entropy", [0, 1], y_pred, weight=[1, 3]))
    assert known["weighted sum divided by the number of samples, not by the sum of their "
                 "weights"] == pytest.approx(num / 2)
    assert known["class weights left out"] == pytest.approx((np.log(2) - np.log(0.75)) / 2)


def solve(**part: Any) -> Any:
    ctx = context({"parts": [{"id": "p", "ask": "loss", **part}]})
    return solve_loss(ctx.part, ctx)


def test_options_in_a_part() -> None:
    truth = solve(fn="multiclass_hinge", y_true=0, y_pred=[3.2, 5.1, -1.7], margin=10)
    assert truth.expected == pytest.approx(17)
    verdict = truth.grade(2.9)
    assert verdict.status is Status.WRONG and verdict.mistakes[0] == "margin 1 instead of Δ = 10"


@pytest.mark.parametrize(("part", "message"), [
    pytest.param({"fn": "mse", "y_true": [1], "y_pred": [1], "margin": 2},
                 "`margin:` does not apply to mse", id="margin-mse"),
    pytest.param({"fn": "cross_entropy", "y_true": 0, "y_pred": [0.5, 0.5], "weight": [1]},
                 "does not give one weight per class", id="weight-length"),
    pytest.param({"fn": "cross_entropy", "y_true": 0, "y_pred": [0.5, 0.5], "weight": [0, 1]},
                 "every true class has weight 0", id="weight-zero"),
    pytest.param({"fn": "binary_cross_entropy", "y_true": [1], "y_pred": [0.5],
                  "label_smoothing": 0.1}, "`label_smoothing:` does not apply", id="smoothing"),
])
def test_options_where_they_do_not_apply_are_problem_errors(part: dict[str, Any],
                                                           message: str) -> None:
    with pytest.raises(ProblemError, match=message):
        solve(**part)
