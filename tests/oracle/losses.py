"""Losses against PyTorch: the cases (scores, targets, classes) and torch's loss values.

Every case is a small batch (1-4 samples, 2-5 classes) drawn once by the tests' own seed:
scores in [-30, 30] to three decimals, with exact 0s, ±1, ±30 and repeated values among them
(ties are where max and clamp choose), soft targets as a softmax of other scores, class
indices. Torch computes each loss in float64 with its own functions; Keras's categorical hinge,
which torch lacks, is Keras's formula written in torch.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

PER_FAMILY = 50
SPECIAL = (0.0, 1.0, -1.0, 0.5, -0.5, 30.0, -30.0, 0.001)
FAMILIES = ("cross_entropy", "binary_cross_entropy", "mse_mae", "kl_divergence",
            "multiclass_hinge", "hinge", "categorical_hinge", "categorical_hinge_index")


@dataclass(frozen=True)
class LossCase:
    """One batch for one family of losses: its arrays, as lists."""

    id: str
    family: str
    arrays: dict[str, Any]

    @property
    def data(self) -> dict[str, Any]:
        """What the recorded file shows of the case."""
        return self.arrays

    def array(self, name: str) -> np.ndarray:
        """One of the case's arrays."""
        return np.asarray(self.arrays[name], dtype=np.int64 if name == "index" else np.float64)

    @property
    def soft(self) -> np.ndarray:
        """Soft targets: the softmax of the case's `u` scores."""
        return softmax(self.array("u"))

    @property
    def one_hot(self) -> np.ndarray:
        """The class indices as one-hot rows."""
        return np.eye(len(self.arrays["z"][0]))[self.array("index")]

    @property
    def probabilities(self) -> np.ndarray:
        """σ(z), kept within [1e-9, 1 - 1e-9]: torch clamps log at -100, nncheck does not."""
        return np.clip(1 / (1 + np.exp(-self.array("z"))), 1e-9, 1 - 1e-9)


def softmax(z: np.ndarray) -> np.ndarray:
    """Row-wise softmax, shifted by the row's maximum."""
    e = np.exp(z - z.max(axis=1, keepdims=True))
    return np.asarray(e / e.sum(axis=1, keepdims=True))


def _reals(rng: np.random.Generator, shape: tuple[int, ...]) -> np.ndarray:
    x = rng.uniform(-30, 30, shape).round(3)
    x = np.where(rng.random(shape) < 0.2, rng.choice(SPECIAL, shape), x)
    flat = x.reshape(-1)
    for i in range(1, flat.size):
        if rng.random() < 0.1:
            flat[i] = flat[rng.integers(i)]  # a tie with an earlier score
    return flat.reshape(shape)


def _case(rng: np.random.Generator, family: str, k: int) -> LossCase:
    if family == "hinge":
        n = int(rng.integers(1, 6))
        return LossCase(f"{family}-{k:02d}", family, {
            "s": _reals(rng, (n,)).tolist(), "y": rng.choice([-1.0, 1.0], n).tolist()})
    shape = (int(rng.integers(1, 5)), int(rng.integers(2, 6)))
    z = _reals(rng, shape)
    index = rng.integers(0, shape[1], shape[0]).tolist()
    if family == "mse_mae":
        arrays = {"a": z.tolist(), "b": _reals(rng, shape).tolist()}
    elif family in ("cross_entropy", "binary_cross_entropy", "kl_divergence"):
        arrays = {"z": z.tolist(), "u": _reals(rng, shape).tolist(), "index": index}
    elif family == "categorical_hinge":
        z = np.where(np.abs(z) < 1, np.round(z, 1), z)  # near 0 the true class's 0 competes
        arrays = {"z": z.tolist(), "y": _targets(rng, shape, index).tolist()}
    else:
        arrays = {"z": z.tolist(), "index": index}
    return LossCase(f"{family}-{k:02d}", family, arrays)


def _targets(rng: np.random.Generator, shape: tuple[int, int], index: list[int]) -> np.ndarray:
    """Targets of every kind Keras's categorical hinge takes: one-hot, soft, zero, any."""
    kind = int(rng.integers(4))
    if kind == 0:
        return np.eye(shape[1])[index]
    if kind == 1:
        return softmax(_reals(rng, shape)).round(3)
    if kind == 2:
        return np.zeros(shape)
    y = rng.uniform(0, 1, shape).round(2)
    y[rng.random(shape) < 0.3] = 0.0
    y[rng.random(shape) < 0.2] = 1.0
    return y


def _cases() -> list[LossCase]:
    out = []
    for number, family in enumerate(FAMILIES):
        rng = np.random.default_rng([2026, 5, number])
        out += [_case(rng, family, k) for k in range(PER_FAMILY)]
    return out


CASES = _cases()


# --- torch ---------------------------------------------------------------------------------------

def answer(torch: Any, case: LossCase) -> dict[str, float]:
    """Torch's values of the losses a case's family compares (float64)."""
    f = torch.nn.functional

    def t(arr: np.ndarray) -> Any:
        return torch.tensor(arr, dtype=torch.float64)

    family = case.family
    if family == "hinge":
        s, y = case.array("s"), case.array("y")
        # a binary hinge on score s is the two-class margin loss on scores (-s/2, s/2):
        # max(0, 1 - y·s) = max(0, 1 + s_other - s_true)
        two_class = t(np.stack([-s / 2, s / 2], axis=1))
        labels = torch.tensor(((y + 1) / 2).astype(np.int64))
        return {"sum": f.multi_margin_loss(two_class, labels, reduction="sum").item()}
    if family == "mse_mae":
        a, b = t(case.array("a")), t(case.array("b"))
        return {"mse": f.mse_loss(b, a).item(), "mae": f.l1_loss(b, a).item()}
    z = t(case.array("z"))
    if family == "categorical_hinge":
        return {"mean": _keras_categorical_hinge(torch, t(case.array("y")), z)}
    index = torch.tensor(case.array("index"))
    if family == "categorical_hinge_index":
        return {"mean": _keras_categorical_hinge(torch, t(case.one_hot), z)}
    if family == "multiclass_hinge":
        return {"mean": f.multi_margin_loss(z, index).item()}
    soft = t(case.soft)
    if family == "cross_entropy":
        return {"soft": f.cross_entropy(z, soft).item(), "index": f.cross_entropy(z, index).item()}
    if family == "binary_cross_entropy":
        return {"logits": f.binary_cross_entropy_with_logits(z, soft).item(),
                "probabilities_sum": f.binary_cross_entropy(
                    t(case.probabilities), soft, reduction="sum").item()}
    log_q = torch.log_softmax(z, dim=1)
    return {"soft": f.kl_div(log_q, soft, reduction="batchmean").item(),
            "one_hot": f.kl_div(log_q, t(case.one_hot), reduction="batchmean").item()}


def _keras_categorical_hinge(torch: Any, y: Any, p: Any) -> float:
    """keras.losses.categorical_hinge written out in torch, then the mean over the samples."""
    per_sample = torch.clamp(torch.max((1 - y) * p, dim=-1).values - (y * p).sum(-1) + 1, min=0)
    return float(per_sample.mean())
