"""Losses against PyTorch at batches the tests chose, recorded from torch in
tests/oracle/losses.json (no torch needed here); tests/oracle/losses.py says how torch
computed each value."""

from __future__ import annotations

import numpy as np
import pytest

from nncheck.solvers.losses import loss_value
from oracle import data, losses
from oracle.losses import LossCase, softmax

RECORDED = data.answers("losses")


def cases(family: str) -> list[pytest.ParameterSet]:
    return [pytest.param(c, id=c.id) for c in losses.CASES if c.family == family]


def torch_said(case: LossCase) -> dict[str, float]:
    if case.id not in RECORDED:
        pytest.fail(f"case {case.id} is not recorded: run {data.RECORDED_BY}")
    return dict(RECORDED[case.id])


@pytest.mark.parametrize("case", cases("cross_entropy"))
def test_cross_entropy_matches_torch(case: LossCase) -> None:
    want = torch_said(case)
    z, soft, index = case.array("z"), case.soft, case.array("index")
    # torch's mean is over the samples: the per-sample sum, then the batch mean, as here
    assert loss_value("cross_entropy", soft, logits=z) == pytest.approx(want["soft"], rel=1e-9)
    assert loss_value("cross_entropy", soft, softmax(z)) == pytest.approx(want["soft"],
                                                                          rel=1e-6)
    assert loss_value("cross_entropy", index, logits=z) == pytest.approx(want["index"],
                                                                         rel=1e-9)


@pytest.mark.parametrize("case", cases("binary_cross_entropy"))
def test_binary_cross_entropy_matches_torch(case: LossCase) -> None:
    want = torch_said(case)
    z, soft = case.array("z"), case.soft
    # torch's mean is over every element; equal rows make it the mean of the per-sample means
    assert loss_value("binary_cross_entropy", soft, logits=z) == pytest.approx(want["logits"],
                                                                                rel=1e-9)
    got = loss_value("binary_cross_entropy", soft, case.probabilities, reduction="sum")
    assert got == pytest.approx(want["probabilities_sum"] / z.shape[0], rel=1e-9)


@pytest.mark.parametrize("case", cases("mse_mae"))
def test_mse_and_mae_match_torch(case: LossCase) -> None:
    want = torch_said(case)
    a, b = case.array("a"), case.array("b")
    assert loss_value("mse", a, b) == pytest.approx(want["mse"], rel=1e-9, abs=1e-12)
    assert loss_value("mae", a, b) == pytest.approx(want["mae"], rel=1e-9, abs=1e-12)


@pytest.mark.parametrize("case", cases("kl_divergence"))
def test_kl_divergence_matches_torch(case: LossCase) -> None:
    want = torch_said(case)
    z = case.array("z")
    # batchmean: the per-sample sum, then the mean over samples; with one-hot targets the
    # zero terms are 0·log 0 = 0 on both sides
    assert loss_value("kl_divergence", case.soft, logits=z) == pytest.approx(
        want["soft"], rel=1e-9, abs=1e-12)
    assert loss_value("kl_divergence", case.one_hot, logits=z) == pytest.approx(
        want["one_hot"], rel=1e-9, abs=1e-12)


@pytest.mark.parametrize("case", cases("multiclass_hinge"))
def test_multiclass_hinge_matches_torch(case: LossCase) -> None:
    want = torch_said(case)["mean"]
    z, index = case.array("z"), case.array("index")
    # multi_margin_loss divides each sample's sum over j ≠ y by C; the sum here does not
    assert loss_value("multiclass_hinge", index, z) == pytest.approx(want * z.shape[1],
                                                                     rel=1e-9, abs=1e-12)
    assert loss_value("multiclass_hinge", index, z, reduction="mean") == pytest.approx(
        want, rel=1e-9, abs=1e-12)


@pytest.mark.parametrize("case", cases("hinge"))
def test_binary_hinge_matches_torch(case: LossCase) -> None:
    # torch's two-class margin loss on (-s/2, s/2) divides each max(0, 1 - y·s) by C = 2
    want = torch_said(case)["sum"]
    s = case.array("s")
    assert loss_value("hinge", case.array("y"), s, reduction="sum") == pytest.approx(
        2 * want, rel=1e-9, abs=1e-12)
    # the default, Keras' mean over the outputs
    assert loss_value("hinge", case.array("y"), s) == pytest.approx(
        2 * want / s.size, rel=1e-9, abs=1e-12)


@pytest.mark.parametrize("case", cases("categorical_hinge"))
def test_categorical_hinge_matches_keras(case: LossCase) -> None:
    want = torch_said(case)["mean"]
    y, z = case.array("y"), case.array("z")
    assert loss_value("categorical_hinge", y, z) == pytest.approx(want, rel=1e-12, abs=1e-12)
    assert loss_value("categorical_hinge", y, logits=z) == pytest.approx(want, rel=1e-12,
                                                                         abs=1e-12)
    if y.shape[0] == 1:  # one sample as a vector
        assert loss_value("categorical_hinge", y[0], z[0]) == pytest.approx(want, rel=1e-12,
                                                                            abs=1e-12)


@pytest.mark.parametrize("case", cases("categorical_hinge_index"))
def test_categorical_hinge_of_class_indices_matches_keras(case: LossCase) -> None:
    want = torch_said(case)["mean"]
    assert loss_value("categorical_hinge", case.array("index"), case.array("z")) == (
        pytest.approx(want, rel=1e-12, abs=1e-12))


def test_the_cases_reach_the_edges() -> None:
    # Ties, exact zeros and the ends of [-30, 30] are where max, clamp and log-sum-exp choose.
    scores = [np.asarray(c.arrays.get("z", c.arrays.get("s", [])), dtype=float)
              for c in losses.CASES]
    assert sum(bool(np.any(s == 0)) for s in scores) >= 20
    assert sum(bool(np.any(np.abs(s) == 30)) for s in scores) >= 20
    assert sum(len(np.unique(s)) < s.size for s in scores) >= 50
    kinds = {tuple(np.unique(c.array("y"))) == (0.0,) for c in losses.CASES
             if c.family == "categorical_hinge"}
    assert kinds == {True, False}  # some targets all zero, some not
