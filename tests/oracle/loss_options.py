"""Loss defaults and options against PyTorch: each loss with torch's default arguments, the
margin Δ of `multi_margin_loss`, `label_smoothing` and class `weight` of `cross_entropy`.

A handful of fixed small batches, written out here (scores to two decimals, class indices,
soft targets as a softmax of other scores); torch computes each value in float64.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

Z = [[3.2, 5.1, -1.7], [1.3, 4.9, 2.0], [2.2, 2.5, -3.1], [-0.5, 0.0, 0.5]]
U = [[0.1, -1.2, 2.0], [1.5, 0.3, -0.4], [0.0, 0.0, 1.0], [-2.0, 1.0, 0.5]]
INDEX = [0, 1, 2, 2]
W = [0.2, 1.0, 3.0]
Y_SIGNS = [[1.0, -1.0, 1.0], [-1.0, -1.0, 1.0], [1.0, 1.0, -1.0], [-1.0, 1.0, 1.0]]
A = [[0.5, -1.0, 2.0], [1.0, 0.0, -2.5], [3.0, 1.5, 0.25], [-0.75, 2.0, 1.0]]


@dataclass(frozen=True)
class OptionCase:
    """One question to torch: a function with its arguments."""

    id: str
    arrays: dict[str, Any]

    @property
    def data(self) -> dict[str, Any]:
        """What the recorded file shows of the case."""
        return self.arrays


def softmax(z: Any) -> np.ndarray:
    """Row-wise softmax, shifted by the row's maximum."""
    z = np.asarray(z, dtype=float)
    e = np.exp(z - z.max(axis=1, keepdims=True))
    return np.asarray(e / e.sum(axis=1, keepdims=True))


def sigmoid(z: Any) -> np.ndarray:
    """The logistic function of every element."""
    return np.asarray(1 / (1 + np.exp(-np.asarray(z, dtype=float))))


CASES = [
    # every loss with torch's default arguments
    OptionCase("cross_entropy-default", {"z": Z, "index": INDEX}),
    OptionCase("cross_entropy-soft-default", {"z": Z, "u": U}),
    OptionCase("binary_cross_entropy-default", {"z": Z, "u": U}),
    OptionCase("binary_cross_entropy_with_logits-default", {"z": Z, "u": U}),
    OptionCase("mse-default", {"z": Z, "a": A}),
    OptionCase("l1-default", {"z": Z, "a": A}),
    OptionCase("kl_div-batchmean", {"z": Z, "u": U}),
    OptionCase("multi_margin-default", {"z": Z, "index": INDEX}),
    OptionCase("multi_margin-hinge-default", {"s": Y_SIGNS, "z": Z}),
    # the margin Δ, CS231n's 1 and 10
    OptionCase("multi_margin-margin-10", {"z": Z, "index": INDEX, "margin": 10.0}),
    OptionCase("multi_margin-margin-10-sum", {"z": Z[:1], "index": INDEX[:1], "margin": 10.0}),
    OptionCase("multi_margin-margin-0.5", {"z": Z, "index": INDEX, "margin": 0.5}),
    # label smoothing and class weights
    OptionCase("cross_entropy-smoothing", {"z": Z, "index": INDEX, "label_smoothing": 0.1}),
    OptionCase("cross_entropy-smoothing-soft", {"z": Z, "u": U, "label_smoothing": 0.2}),
    OptionCase("cross_entropy-weight", {"z": Z, "index": INDEX, "weight": W}),
    OptionCase("cross_entropy-weight-soft", {"z": Z, "u": U, "weight": W}),
    OptionCase("cross_entropy-weight-smoothing",
               {"z": Z, "index": INDEX, "weight": W, "label_smoothing": 0.3}),
    OptionCase("cross_entropy-weight-one-sample", {"z": Z[1:2], "index": INDEX[1:2], "weight": W}),
]


def answer(torch: Any, case: OptionCase) -> float:
    """Torch's value of the case (float64, the function's defaults but for the case's options)."""
    f = torch.nn.functional
    a = case.arrays

    def t(value: Any) -> Any:
        return torch.tensor(np.asarray(value, dtype=float), dtype=torch.float64)

    kind = case.id.split("-")[0]
    options = {k: a[k] for k in ("label_smoothing", "margin") if k in a}
    if "weight" in a:
        options["weight"] = t(a["weight"])
    target = torch.tensor(a["index"]) if "index" in a else t(softmax(a["u"])) if "u" in a \
        else None
    if kind == "cross_entropy":
        return float(f.cross_entropy(t(a["z"]), target, **options))
    if kind == "binary_cross_entropy":
        return float(f.binary_cross_entropy(t(sigmoid(a["z"])), target))
    if kind == "binary_cross_entropy_with_logits":
        return float(f.binary_cross_entropy_with_logits(t(a["z"]), target))
    if kind == "mse":
        return float(f.mse_loss(t(a["z"]), t(a["a"])))
    if kind == "l1":
        return float(f.l1_loss(t(a["z"]), t(a["a"])))
    if kind == "kl_div":
        return float(f.kl_div(torch.log_softmax(t(a["z"]), dim=1), target,
                              reduction="batchmean"))
    if case.id == "multi_margin-hinge-default":
        # the binary hinge max(0, 1 - y·s) of every element, as the two-class margin loss on
        # scores (-s/2, s/2) (torch has no binary hinge): one row per element
        s = np.asarray(a["z"], dtype=float).reshape(-1)
        y = np.asarray(a["s"], dtype=float).reshape(-1)
        labels = torch.tensor(((y + 1) / 2).astype(np.int64))
        return float(f.multi_margin_loss(t(np.stack([-s / 2, s / 2], axis=1)), labels))
    assert kind == "multi_margin"
    return float(f.multi_margin_loss(t(a["z"]), target, **options))
