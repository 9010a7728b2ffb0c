"""The `loss` ask: values worked out by hand, known mistakes, problem errors. PyTorch's values,
recorded from torch, are compared in test_oracle_losses.py."""

from __future__ import annotations

import math
from typing import Any

import pytest

from nncheck.compare.verdict import Status
from nncheck.errors import ProblemError
from nncheck.solvers.context import Context
from nncheck.solvers.losses import loss_mistakes, loss_value, softmax_warning, solve_loss
from nncheck.spec.problem import Problem

LN2 = 0.6931471805599453
Y = [0, 0, 1, 0]  # seed Q5: (dog, cat, iguana, mouse), the true class is iguana
Q5A = [0.25, 0.25, 0.3, 0.2]
Q5B = [0, 0, 0.4, 0.6]


def value(fn: str, y_true: Any, y_pred: Any = None, **kw: Any) -> float:
    return loss_value(fn, y_true, y_pred, **kw)


def names(fn: str, y_true: Any, y_pred: Any = None, **kw: Any) -> dict[str, float]:
    return dict(loss_mistakes(fn, y_true, y_pred, **kw))


# --- values worked out by hand --------------------------------------------------------------------

@pytest.mark.parametrize(
    ("fn", "y_true", "y_pred", "kw", "expected"),
    [
        # seed Q5 (a): -(0·log .25 + 0·log .25 + 1·log .3 + 0·log .2) = -log 0.3
        pytest.param("cross_entropy", Y, Q5A, {}, 1.2039728043259361, id="ce-seed-q5a"),
        # seed Q5 (b): -(0·log 0 + 0·log 0 + 1·log .4 + 0·log .6) = -log 0.4, with 0·log 0 = 0
        pytest.param("cross_entropy", Y, Q5B, {}, 0.916290731874155, id="ce-seed-q5b"),
        # the true class as an index: the same as the one-hot target
        pytest.param("cross_entropy", 2, Q5A, {}, 1.2039728043259361, id="ce-class-index"),
        # soft target: -(0.5 log 0.25 + 0.5 log 0.75) = 0.5·1.3862943611 + 0.5·0.2876820725
        pytest.param("cross_entropy", [0.5, 0.5], [0.25, 0.75], {}, 0.8369882167858358,
                     id="ce-soft-target"),
        # mean over the 4 classes: 1.2039728043259361 / 4
        pytest.param("cross_entropy", Y, Q5A, {"reduction": "mean"}, 0.30099320108148403,
                     id="ce-mean"),
        # -log2 0.3 = 1.2039728043 / ln 2;  -log10 0.3 = 1.2039728043 / ln 10
        pytest.param("cross_entropy", Y, Q5A, {"log": 2}, 1.7369655941662063, id="ce-log2"),
        pytest.param("cross_entropy", Y, Q5A, {"log": "10"}, 0.5228787452803376,
                     id="ce-log10"),
        # the true class predicted at exactly 0: -log 0
        pytest.param("cross_entropy", Y, [0.5, 0.5, 0, 0], {}, math.inf, id="ce-inf"),
        # seed Q5 (c), (a): -[log .75 + log .75 + log .3 + log .8]
        #   = 0.2876820725 + 0.2876820725 + 1.2039728043 + 0.2231435513
        pytest.param("binary_cross_entropy", Y, Q5A, {"reduction": "sum"}, 2.0024805005437076,
                     id="bce-sum-seed-q5c-a"),
        # seed Q5 (c), (b): -[log 1 + log 1 + log .4 + log .4] = 2 · 0.916290731874155
        pytest.param("binary_cross_entropy", Y, Q5B, {"reduction": "sum"}, 1.83258146374831,
                     id="bce-sum-seed-q5c-b"),
        # per output, then the mean: (-log 0.8 - log 0.6) / 2 = (0.2231435513 + 0.5108256238) / 2
        pytest.param("binary_cross_entropy", [1, 0], [0.8, 0.4], {}, 0.3669845875401002,
                     id="bce-mean"),
        # one output: -log 0.8
        pytest.param("binary_cross_entropy", 1, 0.8, {}, 0.2231435513142097, id="bce-scalar"),
        # soft label 0.5 on 0.5: -(0.5 log 0.5 + 0.5 log 0.5) = ln 2
        pytest.param("binary_cross_entropy", [0.5], [0.5], {}, LN2, id="bce-soft-label"),
        # every term 0·log 0 or 1·log 1
        pytest.param("binary_cross_entropy", [1, 0], [1, 0], {}, 0.0, id="bce-certain-right"),
        pytest.param("binary_cross_entropy", [1, 0], [0, 0], {}, math.inf, id="bce-inf-1"),
        pytest.param("binary_cross_entropy", [1, 0], [1, 1], {}, math.inf, id="bce-inf-0"),
        # ((1-.5)² + (0-.5)² + (2-1)²) / 3 = (0.25 + 0.25 + 1) / 3
        pytest.param("mse", [1, 0, 2], [0.5, 0.5, 1], {}, 0.5, id="mse"),
        pytest.param("mse", [1, 0, 2], [0.5, 0.5, 1], {"reduction": "sum"}, 1.5, id="mse-sum"),
        # (0.5 + 0.5 + 1) / 3
        pytest.param("mae", [1, 0, 2], [0.5, 0.5, 1], {}, 2 / 3, id="mae"),
        pytest.param("mae", [1, 0, 2], [0.5, 0.5, 1], {"reduction": "sum"}, 2.0, id="mae-sum"),
        # max(0, 1 - 0.5), max(0, 1 - 2), max(0, 1 - 3) = 0.5, 0, 0: their mean, as Keras'
        # Hinge takes it (FORMAT §4.5); the sum with `reduction: sum`
        pytest.param("hinge", [1, -1, 1], [0.5, -2, 3], {}, 0.5 / 3, id="hinge"),
        pytest.param("hinge", [1, 0, 1], [0.5, -2, 3], {}, 0.5 / 3, id="hinge-0-1-labels"),
        pytest.param("hinge", [1, -1, 1], [0.5, -2, 3], {"reduction": "sum"}, 0.5,
                     id="hinge-sum"),
        # max(0, 1 - (-1)(0.3)) = 1.3
        pytest.param("hinge", -1, 0.3, {}, 1.3, id="hinge-scalar"),
        # CS231n's cat: max(0, 5.1 - 3.2 + 1) + max(0, -1.7 - 3.2 + 1) = 2.9 + 0
        pytest.param("multiclass_hinge", 0, [3.2, 5.1, -1.7], {}, 2.9, id="multiclass-hinge"),
        pytest.param("multiclass_hinge", [1, 0, 0], [3.2, 5.1, -1.7], {"reduction": "mean"},
                     2.9 / 3, id="multiclass-hinge-mean-as-torch"),
        # Keras's categorical hinge: neg = max_j (1-y_j)·s_j, pos = Σ_j y_j·s_j,
        # loss = max(0, neg - pos + 1).
        # neg = max(0·3.2, 5.1, -1.7) = 5.1, pos = 3.2: 5.1 - 3.2 + 1 = 2.9
        pytest.param("categorical_hinge", [1, 0, 0], [3.2, 5.1, -1.7], {}, 2.9,
                     id="categorical-hinge"),
        # the frog: neg = max(2.2, 2.5, 0·(-3.1)) = 2.5, pos = -3.1: 2.5 + 3.1 + 1 = 6.6;
        # one term per sample, so `reduction: mean` changes nothing
        pytest.param("categorical_hinge", 2, [2.2, 2.5, -3.1], {"reduction": "mean"}, 6.6,
                     id="categorical-hinge-one-term"),
        # the review's repro: neg = max(-1, 0·0.5, -2) = 0 (the true class's 0), pos = 0.5:
        # max(0, 0 - 0.5 + 1) = 0.5 (the max over the other classes only would give 0)
        pytest.param("categorical_hinge", [0, 1, 0], [-1.0, 0.5, -2.0], {}, 0.5,
                     id="categorical-hinge-review-repro"),
        pytest.param("categorical_hinge", 1, [-1.0, 0.5, -2.0], {}, 0.5,
                     id="categorical-hinge-class-index"),
        # every other score negative: neg = max(0·(-1), -3, -2) = 0, pos = -1: 0 + 1 + 1 = 2
        pytest.param("categorical_hinge", [1, 0, 0], [-1, -3, -2], {}, 2.0,
                     id="categorical-hinge-others-negative"),
        # a wide margin: neg = max(0.5, 0, -1) = 0.5, pos = 2: max(0, 0.5 - 2 + 1) = 0
        pytest.param("categorical_hinge", [0, 1, 0], [0.5, 2.0, -1.0], {}, 0.0,
                     id="categorical-hinge-zero"),
        # soft labels: (1-y)·s = (0.8·1, 0.2·2, 1·3) = (0.8, 0.4, 3), neg = 3;
        # pos = 0.2·1 + 0.8·2 = 1.8: 3 - 1.8 + 1 = 2.2
        pytest.param("categorical_hinge", [0.2, 0.8, 0], [1, 2, 3], {}, 2.2,
                     id="categorical-hinge-soft"),
        # soft labels, every score negative: (1-y)·s = (0.5·(-2), 0.5·(-4), -1) = (-1, -2, -1),
        # neg = -1; pos = 0.5·(-2) + 0.5·(-4) = -3: -1 + 3 + 1 = 3
        pytest.param("categorical_hinge", [0.5, 0.5, 0], [-2, -4, -1], {}, 3.0,
                     id="categorical-hinge-soft-negative"),
        # no true class: neg = max(-1, 0.5, -2) = 0.5, pos = 0: 0.5 + 1 = 1.5
        pytest.param("categorical_hinge", [0, 0, 0], [-1.0, 0.5, -2.0], {}, 1.5,
                     id="categorical-hinge-all-zero"),
        # 0.5 log(0.5/0.25) + 0.5 log(0.5/0.75) = 0.5 log(4/3)
        pytest.param("kl_divergence", [0.5, 0.5], [0.25, 0.75], {}, 0.14384103622589042,
                     id="kl"),
        # 1·log(1/0.5) + 0·log(0/0.5) = ln 2
        pytest.param("kl_divergence", [1, 0], [0.5, 0.5], {}, LN2, id="kl-zero-target"),
        pytest.param("kl_divergence", [0.5, 0.5], [1, 0], {}, math.inf, id="kl-inf"),
        # 0.5 log(4/3) / ln 2
        pytest.param("kl_divergence", [0.5, 0.5], [0.25, 0.75], {"log": 2},
                     0.14384103622589042 / LN2, id="kl-log2"),
    ],
)
def test_value_by_hand(fn: str, y_true: Any, y_pred: Any, kw: dict[str, Any], expected: float):
    assert value(fn, y_true, y_pred, **kw) == pytest.approx(expected, rel=1e-12)


@pytest.mark.parametrize(
    ("fn", "y_true", "y_pred", "expected"),
    [
        # samples Q5 (a) and (b): (1.2039728043259361 + 0.916290731874155) / 2
        pytest.param("cross_entropy", [Y, Y], [Q5A, Q5B], 1.0601317681000455, id="ce"),
        pytest.param("cross_entropy", [2, 2], [Q5A, Q5B], 1.0601317681000455,
                     id="ce-class-indices"),
        # rows (0 + 1) / 2 = 0.5 and (4 + 9) / 2 = 6.5, then the mean over the two samples
        pytest.param("mse", [[1, 2], [3, 4]], [[1, 1], [1, 1]], 3.5, id="mse"),
        # CS231n's cat 2.9, car 0 and frog max(0, 2.2+3.1+1) + max(0, 2.5+3.1+1) = 12.9
        pytest.param("multiclass_hinge", [0, 1, 2],
                     [[3.2, 5.1, -1.7], [1.3, 4.9, 2.0], [2.2, 2.5, -3.1]], 15.8 / 3,
                     id="multiclass-hinge"),
        # cat 2.9, car max(0, max(1.3, 0, 2.0) - 4.9 + 1) = 0, frog 6.6
        pytest.param("categorical_hinge", [0, 1, 2],
                     [[3.2, 5.1, -1.7], [1.3, 4.9, 2.0], [2.2, 2.5, -3.1]], 9.5 / 3,
                     id="categorical-hinge"),
        # the review's repro 0.5, soft labels 2.2, every other score negative 2.0, no true
        # class 1.5: (0.5 + 2.2 + 2.0 + 1.5) / 4 = 6.2 / 4
        pytest.param("categorical_hinge", [[0, 1, 0], [0.2, 0.8, 0], [1, 0, 0], [0, 0, 0]],
                     [[-1.0, 0.5, -2.0], [1, 2, 3], [-1, -3, -2], [-1.0, 0.5, -2.0]], 1.55,
                     id="categorical-hinge-keras"),
        # one sample at inf makes the batch mean inf
        pytest.param("cross_entropy", [Y, Y], [Q5A, [0.5, 0.5, 0, 0]], math.inf, id="ce-inf"),
    ],
)
def test_batch_is_mean_of_samples(fn: str, y_true: Any, y_pred: Any, expected: float):
    assert value(fn, y_true, y_pred) == pytest.approx(expected, rel=1e-12)


# --- logits ------------------------------------------------------------------------------------

def test_logits_softmax_first():
    # softmax(0, ln 2, ln 5) = (1, 2, 5) / 8, so the loss at class 1 is -log(2/8) = ln 4
    z = [0.0, math.log(2), math.log(5)]
    assert value("cross_entropy", [0, 1, 0], logits=z) == pytest.approx(2 * LN2, rel=1e-12)


def test_logits_sigmoid_first():
    # σ(0) = 1/2 for every output: -log(1/2) per output, mean ln 2
    assert value("binary_cross_entropy", [1, 0], logits=[0, 0]) == pytest.approx(LN2)


@pytest.mark.parametrize(
    ("fn", "y_true", "logits", "expected"),
    [
        # two tied huge logits: softmax 1/2 each, whatever their size
        pytest.param("cross_entropy", [1, 0, 0], [5000, 5000, -5000], LN2, id="ce-tie"),
        # -log softmax_3 = log(2 e^5000 + e^-5000) + 5000 = 10000 + ln 2 (to double precision)
        pytest.param("cross_entropy", [0, 0, 1], [5000, 5000, -5000], 10000 + LN2,
                     id="ce-far-below"),
        pytest.param("cross_entropy", [1, 0], [1e300, 1e300], LN2, id="ce-tie-1e300"),
        # -log(1 - σ(1000)) = log(1 + e^1000) = 1000 to double precision; likewise y = 1
        pytest.param("binary_cross_entropy", [0, 1], [1000, -1000], 1000.0, id="bce-huge"),
        pytest.param("binary_cross_entropy", [1, 0], [1000, -1000], 0.0, id="bce-huge-right"),
        # KL of (1/2, 1/2) from softmax(1e4, 1e4) = (1/2, 1/2) is 0
        pytest.param("kl_divergence", [0.5, 0.5], [1e4, 1e4], 0.0, id="kl-tie"),
        # the hinges take the scores as they are
        pytest.param("multiclass_hinge", 0, [3.2, 5.1, -1.7], 2.9, id="hinge-scores"),
    ],
)
def test_huge_logits_are_exact(fn: str, y_true: Any, logits: Any, expected: float):
    got = loss_value(fn, y_true, logits=logits)
    assert math.isfinite(got)
    assert got == pytest.approx(expected, rel=1e-12, abs=1e-12)


# --- known mistakes ------------------------------------------------------------------------------

def test_mistakes_of_seed_q5b():
    known = names("cross_entropy", Y, Q5B)
    # -log10 0.4 = 0.916290731874155 / ln 10; -log2 0.4 = 0.916290731874155 / ln 2
    assert known["log base 10 instead of e"] == pytest.approx(0.3979400086720376)
    assert known["log base 2 instead of e"] == pytest.approx(1.3219280948873622)
    assert known["mean instead of sum"] == pytest.approx(0.916290731874155 / 4)
    # exactly the seed Q5 (c) quantity: -[log 1 + log 1 + log .4 + log .4]
    assert known["the (1-y)·log(1-ŷ) terms added"] == pytest.approx(1.83258146374831)
    assert math.isnan(known["0·log 0 taken as NaN"])
    assert list(known) == [
        "log base 10 instead of e", "log base 2 instead of e", "mean instead of sum",
        "the (1-y)·log(1-ŷ) terms added", "0·log 0 taken as NaN",
    ]


def test_no_zero_no_nan_mistake():
    assert "0·log 0 taken as NaN" not in names("cross_entropy", Y, Q5A)


def test_mistakes_of_bce():
    known = names("binary_cross_entropy", [1, 0], [0.8, 0.4])
    # the sum: -log 0.8 - log 0.6; the positive terms only: -log 0.8 / 2 (0·log 0.4 = 0)
    assert known["sum instead of mean"] == pytest.approx(0.7339691750802004)
    assert known["the (1-y)·log(1-ŷ) terms left out"] == pytest.approx(0.2231435513142097 / 2)
    assert "mean instead of sum" not in known


def test_logits_used_as_probabilities():
    # truth: -log softmax(1, 2, 4)_3 = log(e + e² + e⁴) - 4; the mistake: -log 4
    z = [1.0, 2.0, 4.0]
    truth = loss_value("cross_entropy", [0, 0, 1], logits=z)
    assert truth == pytest.approx(math.log(math.e + math.e**2 + math.e**4) - 4)
    known = names("cross_entropy", [0, 0, 1], logits=z)
    assert known["logits used as probabilities"] == pytest.approx(-math.log(4))
    assert "0·log 0 taken as NaN" not in known


def test_logits_as_probabilities_skipped_where_not_computable():
    # log of a negative logit taken as a probability: no answer to compare with
    assert "logits used as probabilities" not in names("cross_entropy", [1, 0], logits=[-1, 2])


def test_natural_log_when_the_base_is_2():
    known = names("cross_entropy", Y, Q5A, log=2)
    assert known["natural log instead of base 2"] == pytest.approx(1.2039728043259361)
    assert "log base 10 instead of e" not in known


def test_no_log_mistakes_without_logs():
    assert list(names("mse", [1, 0, 2], [0.5, 0.5, 1])) == ["sum instead of mean"]
    assert names("categorical_hinge", [1, 0, 0], [3.2, 5.1, -1.7]) == {}


def test_sum_over_samples():
    known = names("mse", [[1, 2], [3, 4]], [[1, 1], [1, 1]])
    assert known["sum over the samples instead of the mean"] == pytest.approx(7.0)


def test_categorical_hinge_over_the_other_classes_only_is_a_named_mistake():
    # the textbook max(0, 1 + max_{j≠y} s_j - s_y), which nncheck once computed: the review's
    # repro gives max(0, 1 + max(-1, -2) - 0.5) = 0 where Keras gives 0.5
    mistake = "the max over the other classes only, not over (1-y)·s"
    assert names("categorical_hinge", [0, 1, 0], [-1.0, 0.5, -2.0]) == {mistake: 0.0}
    # max(0, 1 + max(-3, -2) - (-1)) = 0 where Keras gives 2
    assert names("categorical_hinge", [1, 0, 0], [-1, -3, -2]) == {mistake: 0.0}
    # a batch: (0 + 0) / 2, and the sum over the samples 0.5 + 2
    known = names("categorical_hinge", [1, 0], [[-1.0, 0.5, -2.0], [-1, -3, -2]])
    assert known == {mistake: 0.0, "sum over the samples instead of the mean": 2.5}
    # no class with y = 1: nothing to leave out, so no such mistake
    assert names("categorical_hinge", [0.2, 0.8, 0], [1, 2, 3]) == {}


def test_summed_binary_hinge_is_a_named_mistake():
    # Keras takes the mean over the outputs, 0.5 / 3; the sum 0.5 is the mistake
    assert names("hinge", [1, 0, 1], [0.5, -2, 3]) == {"sum instead of mean": 0.5}


# --- the problem file in error ------------------------------------------------------------------

@pytest.mark.parametrize(
    ("kw", "message"),
    [
        pytest.param({"fn": "cross_entropy", "y_true": Y, "y_pred": [0.5, 0.6, 0, 0]},
                     "y_pred [0.5, 0.6, 0, 0] is not a probability vector (sums to 1.1)",
                     id="sum"),
        pytest.param({"fn": "cross_entropy", "y_true": [1, 0], "y_pred": [1.2, -0.2]},
                     "y_pred [1.2, -0.2] is not a probability vector (1.2 is outside [0, 1])",
                     id="outside"),
        pytest.param({"fn": "kl_divergence", "y_true": [[1, 0], [0, 1]],
                      "y_pred": [[0.5, 0.5], [0.5, 0.6]]},
                     "y_pred row 2 [0.5, 0.6] is not a probability vector (sums to 1.1)",
                     id="kl-row"),
        pytest.param({"fn": "binary_cross_entropy", "y_true": [1, 0], "y_pred": [0.5, 1.5]},
                     "y_pred [0.5, 1.5] is not a probability per output (1.5 is outside [0, 1])",
                     id="binary"),
        pytest.param({"fn": "cross_entropy", "y_true": Y, "y_pred": [0.5, 0.5]},
                     "y_true is a vector of 4 but y_pred is a vector of 2", id="shape"),
        pytest.param({"fn": "mse", "y_true": [[1, 2]], "y_pred": [1, 2]},
                     "y_true is a 1×2 matrix but y_pred is a vector of 2", id="shape-batch"),
        pytest.param({"fn": "cross_entropy", "y_true": 4, "y_pred": Q5A},
                     "y_true 4 is not a class index", id="class-index"),
        pytest.param({"fn": "cross_entropy", "y_true": Y},
                     "cross_entropy needs one of `y_pred` and `logits`", id="no-pred"),
        pytest.param({"fn": "cross_entropy", "y_true": Y, "y_pred": Q5A, "logits": Q5A},
                     "cross_entropy needs one of `y_pred` and `logits`", id="both"),
        pytest.param({"fn": "mse", "y_true": [1], "logits": [2]},
                     "`logits:` does not apply to mse", id="logits-mse"),
        pytest.param({"fn": "hinge", "y_true": [1, 2], "y_pred": [1, 1]},
                     "hinge labels [1, 2] are not ±1", id="hinge-labels"),
        pytest.param({"fn": "multiclass_hinge", "y_true": [1, 1, 0], "y_pred": [1, 2, 3]},
                     "y_true [1, 1, 0] is not one-hot", id="one-hot"),
        pytest.param({"fn": "binary_cross_entropy", "y_true": [2, 0], "y_pred": [0.5, 0.5]},
                     "y_true [2, 0] has 2, outside [0, 1]", id="target"),
        pytest.param({"fn": "categorical_hinge", "y_true": [0, 2, 0], "y_pred": [1, 2, 3]},
                     "y_true [0, 2, 0] has 2, outside [0, 1]", id="categorical-hinge-target"),
        pytest.param({"fn": "categorical_hinge", "y_true": [[1, 0], [-0.5, 1]],
                      "y_pred": [[1, 2], [3, 4]]},
                     "y_true row 2 [-0.5, 1] has -0.5, outside [0, 1]",
                     id="categorical-hinge-target-row"),
        pytest.param({"fn": "categorical_hinge", "y_true": 3, "y_pred": [1, 2, 3]},
                     "y_true 3 is not a class index", id="categorical-hinge-index"),
        pytest.param({"fn": "categorical_hinge", "y_true": 1, "y_pred": 0.5},
                     "y_pred 0.5 is a single number", id="categorical-hinge-scalar"),
        pytest.param({"fn": "cross_entropy", "y_true": 1, "y_pred": 0.5},
                     "y_pred 0.5 is a single number", id="scalar-categorical"),
        pytest.param({"fn": "cross_entropy", "y_true": Y, "y_pred": Q5A, "log": 3},
                     "`log: 3` is not a log base", id="log-base"),
        pytest.param({"fn": "mse", "y_true": [[[1]]], "y_pred": [[[1]]]},
                     "y_true has 3 dimensions", id="dimensions"),
    ],
)
def test_problem_errors(kw: dict[str, Any], message: str):
    with pytest.raises(ProblemError) as info:
        loss_value(**kw)
    assert info.value.message == message


def test_no_numpy_warnings_at_zero():
    # pytest turns warnings into errors, so these pass only if log 0 and 0·log 0 stay quiet
    assert loss_value("cross_entropy", Y, [0.5, 0.5, 0, 0]) == math.inf
    names("binary_cross_entropy", [1, 0], [0, 1])
    names("kl_divergence", [0, 1], [1, 0])


# --- softmax warning ------------------------------------------------------------------------------

def test_softmax_warning():
    assert softmax_warning(Q5B) == (
        "no softmax can output exactly 0 or 1 (found 0 in [0, 0, 0.4, 0.6])"
    )
    assert softmax_warning([1, 0]) is not None
    assert softmax_warning(["0.4", "1.0"]) is not None
    assert softmax_warning(Q5A) is None
    # an expression may round to 1 without the student claiming an exact 1
    assert softmax_warning(["1 - 1e-20", "1e-20"]) is None


# --- the ask end to end ---------------------------------------------------------------------------

def seed_q5(**part: Any) -> Context:
    problem = Problem.model_validate({
        "id": "q5",
        "given": {"y": Y},
        "parts": [{"id": "a", "ask": "loss", "y_true": "y", **part}],
    })
    return Context(problem=problem, part=problem.parts[0])


def test_solve_seed_q5a():
    ctx = seed_q5(fn="cross_entropy", y_pred=Q5A)
    truth = solve_loss(ctx.part, ctx)  # type: ignore[arg-type]
    assert truth.expected == pytest.approx(1.2039728043259361)
    assert truth.grade(1.204).status is Status.CORRECT
    verdict = truth.grade(0.5229)
    assert verdict.status is Status.WRONG
    assert verdict.mistakes == ("log base 10 instead of e",)


def test_solve_seed_q5b_added_terms():
    ctx = seed_q5(fn="cross_entropy", y_pred=Q5B)
    truth = solve_loss(ctx.part, ctx)  # type: ignore[arg-type]
    assert truth.grade(0.9163).status is Status.CORRECT
    assert truth.grade(1.8326).mistakes == ("the (1-y)·log(1-ŷ) terms added",)


def test_solve_seed_q5c():
    ctx = seed_q5(fn="binary_cross_entropy", reduction="sum", y_pred=Q5A)
    truth = solve_loss(ctx.part, ctx)  # type: ignore[arg-type]
    assert truth.expected == pytest.approx(2.0024805005437076)
    assert truth.grade(2.0025).status is Status.CORRECT
    # the mean over the 4 outputs: 2.0024805 / 4
    assert truth.grade(0.5006).mistakes == ("mean instead of sum",)


def test_solve_inf_is_an_answer():
    ctx = seed_q5(fn="cross_entropy", y_pred=[0.5, 0.5, 0, 0])
    truth = solve_loss(ctx.part, ctx)  # type: ignore[arg-type]
    assert truth.expected == "inf"
    assert truth.grade(math.inf).status is Status.CORRECT
    assert truth.grade(100).status is Status.WRONG


def test_solve_logits_as_probabilities():
    ctx = seed_q5(fn="cross_entropy", logits=[1, 2, 4, 3])
    truth = solve_loss(ctx.part, ctx)  # type: ignore[arg-type]
    # -log softmax(1, 2, 4, 3)_3 = log(e + e² + e⁴ + e³) - 4
    assert truth.expected == pytest.approx(
        math.log(math.e + math.e**2 + math.e**4 + math.e**3) - 4
    )
    assert truth.grade(-math.log(4)).mistakes == ("logits used as probabilities",)


def test_solve_reads_expressions_and_grades_them():
    problem = Problem.model_validate({
        "id": "q5",
        "given": {"y": Y, "p": ["1/4", "1/4", "3/10", "1/5"]},
        "parts": [{"id": "a", "ask": "loss", "fn": "cross_entropy", "y_true": "y",
                   "y_pred": "p"}],
    })
    ctx = Context(problem=problem, part=problem.parts[0])
    truth = solve_loss(ctx.part, ctx)  # type: ignore[arg-type]
    assert truth.grade("-log(0.3)").status is Status.CORRECT
    assert truth.grade("log2(1/0.3)").mistakes == ("log base 2 instead of e",)


def test_solve_names_the_part():
    ctx = seed_q5(fn="cross_entropy", y_pred=[0.5, 0.6, 0, 0])
    with pytest.raises(ProblemError) as info:
        solve_loss(ctx.part, ctx)  # type: ignore[arg-type]
    assert info.value.message == (
        "part `a`: y_pred [0.5, 0.6, 0, 0] is not a probability vector (sums to 1.1)"
    )
