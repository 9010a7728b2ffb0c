"""The `layer_output` ask on batch and layer normalisation and inverted dropout, against
PyTorch's modules (recorded in tests/oracle/layer_values.json) and by hand."""

from __future__ import annotations

import math

import pytest
from layerkit import cases, solve

from nncheck.compare.verdict import Status
from nncheck.errors import ProblemError
from oracle import data
from oracle.layer_values import LayerCase

RECORDED = data.answers("layer_values")


@pytest.mark.parametrize("case", cases("batchnorm"))
def test_batch_norm_matches_torch_in_training_and_evaluation(case: LayerCase) -> None:
    want, a = RECORDED[case.id], case.arrays
    layer = {"type": "batchnorm", **{k: a[k] for k in (
        "gamma", "beta", "running_mean", "running_var", "momentum")}}
    for row, out in enumerate(want["train"]):
        assert solve(layer, a["x"], row=row).expected == pytest.approx(out, rel=1e-12,
                                                                       abs=1e-14)
    for row, out in enumerate(want["eval"]):
        got = solve({**layer, "mode": "eval"}, a["x"], row=row).expected
        assert got == pytest.approx(out, rel=1e-12, abs=1e-14)
    for of in ("running_mean", "running_var"):
        assert solve(layer, a["x"], of=of).expected == pytest.approx(want[of], rel=1e-12)


@pytest.mark.parametrize("case", cases("layernorm"))
def test_layer_norm_matches_torch(case: LayerCase) -> None:
    want, a = RECORDED[case.id], case.arrays
    layer = {"type": "layernorm", "gamma": a["gamma"], "beta": a["beta"]}
    for row, out in enumerate(want["output"]):
        assert solve(layer, a["x"], row=row).expected == pytest.approx(out, rel=1e-12,
                                                                       abs=1e-14)


@pytest.mark.parametrize("case", cases("dropout"))
def test_dropout_scales_as_torch_does(case: LayerCase) -> None:
    """Torch keeps a unit as x/(1 - p) in training (its recorded scale), x in evaluation."""
    want, a = RECORDED[case.id], case.arrays
    layer = {"type": "dropout", "rate": a["rate"], "mask": a["mask"]}
    for row, (x, keep) in enumerate(zip(a["x"], a["mask"])):
        expected = [v * k * want["train_scale"] for v, k in zip(x, keep)]
        assert solve(layer, a["x"], row=row).expected == pytest.approx(expected, rel=1e-12)
        got = solve({**layer, "mode": "eval"}, a["x"], row=row).expected
        assert got == pytest.approx(want["eval"][row])


# By hand: one channel, batch x = (1, 2, 3): mean 2, biased variance 2/3, unbiased 1.
X = [1.0, 2.0, 3.0]


def test_batch_norm_by_hand_and_its_mistakes() -> None:
    eps = 1e-5
    truth = solve({"type": "batchnorm"}, X, row=2)
    assert truth.expected == pytest.approx([1 / math.sqrt(2 / 3 + eps)])
    unbiased = truth.grade([1 / math.sqrt(1 + eps)])
    assert unbiased.status is Status.WRONG
    assert unbiased.mistakes[0] == "unbiased variance (N - 1) in the normalisation"
    # running statistics from 0 and 1, momentum 0.1: 0.9·0 + 0.1·2; 0.9·1 + 0.1·1 (unbiased)
    assert solve({"type": "batchnorm"}, X, of="running_mean").expected == pytest.approx([0.2])
    running_var = solve({"type": "batchnorm"}, X, of="running_var")
    assert running_var.expected == pytest.approx([1.0])
    assert running_var.grade([0.9 + 0.1 * 2 / 3]).mistakes[0] == \
        "biased batch variance in the running update (PyTorch uses N - 1)"
    swapped = solve({"type": "batchnorm"}, X, of="running_mean").grade([0.9 * 2])
    assert swapped.mistakes[0] == "momentum convention swapped: the batch weighted by m, not 1 - m"


def test_keras_batch_norm_momentum_and_eps() -> None:
    """Keras: running = 0.99·running + 0.01·batch, biased variance, ε = 1e-3."""
    layer = {"type": "batchnorm", "convention": "keras"}
    assert solve(layer, X, of="running_mean").expected == pytest.approx([0.01 * 2])
    assert solve(layer, X, of="running_var").expected == pytest.approx([0.99 + 0.01 * 2 / 3])
    assert solve(layer, X, row=0).expected == pytest.approx([-1 / math.sqrt(2 / 3 + 1e-3)])


def test_eval_mode_normalises_with_the_running_statistics() -> None:
    layer = {"type": "batchnorm", "mode": "eval", "running_mean": [1.0], "running_var": [4.0],
             "eps": 0}
    truth = solve(layer, X, row=2)
    assert truth.expected == pytest.approx([(3 - 1) / 2])
    assert truth.grade([1 / math.sqrt(2 / 3)]).mistakes[0] == "eval mode using batch statistics"


def test_layer_norm_by_hand() -> None:
    """One sample (1, 2, 3): normalised over its features, the same numbers as above."""
    truth = solve({"type": "layernorm", "eps": 0}, X)
    r = math.sqrt(2 / 3)
    assert truth.expected == pytest.approx([-1 / r, 0, 1 / r])
    assert truth.grade([-1, 0, 1]).mistakes[0] == "unbiased variance (N - 1) in the normalisation"


def test_dropout_by_hand_and_its_mistakes() -> None:
    layer = {"type": "dropout", "rate": 0.5, "mask": [1, 0, 1]}
    truth = solve(layer, X)
    assert truth.expected == [2, 0, 6]  # kept units ×1/(1 - 0.5)
    assert truth.grade([1, 0, 3]).mistakes[0] == "dropout not scaled by 1/(1 - p)"
    assert truth.grade([0.5, 0, 1.5]).mistakes[0] == "multiplied by 1 - p, not divided"
    assert solve({**layer, "mode": "eval"}, X).expected == [1, 2, 3]


def test_batch_norm_of_one_sample_in_training_is_a_problem_error() -> None:
    with pytest.raises(ProblemError, match="needs more than one sample"):
        solve({"type": "batchnorm"}, [[1.0, 2.0]])
