"""Batch normalization, layer normalization and inverted dropout, in training and evaluation.

Batch normalization of N×C (per channel, over the batch): in training, (x - mean) / √(var + ε)
with the batch's biased variance, then γ·x̂ + β; the running statistics move towards the
batch's. PyTorch: running = (1 - m)·running + m·batch, the batch variance unbiased (N - 1),
m = 0.1, ε = 1e-5. Keras: running = m·running + (1 - m)·batch, the variance biased, m = 0.99,
ε = 1e-3. In evaluation the running statistics normalise, and nothing moves.
Layer normalization normalises each sample over its last axis (biased variance), the same in
training and evaluation. Inverted dropout keeps x·mask/(1 - p) in training, x in evaluation.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

DEFAULTS = {"pytorch": {"eps": 1e-5, "momentum": 0.1}, "keras": {"eps": 1e-3, "momentum": 0.99}}


@dataclass(frozen=True)
class How:
    """How a normalisation is computed; a known mistake is the truth with one changed."""

    train: bool = True
    unbiased_norm: bool = False  # the mistake: N - 1 in the variance that normalises
    running_unbiased: bool = True  # PyTorch's running variance; Keras: False
    new_weight_is_momentum: bool = True  # PyTorch: running = (1-m)·running + m·batch
    batch_stats: bool | None = None  # None: the batch's in training, running ones in eval
    over_batch: bool = False  # layer norm mistake: over the batch axis (as batch norm)
    scaled: bool = True  # dropout: by 1/(1 - p)
    keep_scaled: bool = False  # dropout mistake: multiplied by (1 - p)


def batch_norm(x: np.ndarray, gamma: np.ndarray, beta: np.ndarray, eps: float,
               momentum: float, running_mean: np.ndarray, running_var: np.ndarray,
               how: How = How()) -> dict[str, np.ndarray]:
    """Output, batch statistics and the running statistics after the step (N×C input)."""
    mean = x.mean(axis=0)
    n = x.shape[0]
    var = x.var(axis=0)
    var_unbiased = x.var(axis=0, ddof=1) if n > 1 else np.full_like(var, np.nan)
    use_batch = how.train if how.batch_stats is None else how.batch_stats
    if use_batch:
        m, v = mean, (var_unbiased if how.unbiased_norm else var)
    else:
        m, v = running_mean, running_var
    out = gamma * (x - m) / np.sqrt(v + eps) + beta
    new = momentum if how.new_weight_is_momentum else 1.0 - momentum
    if how.train:
        update = var_unbiased if how.running_unbiased else var
        r_mean = (1.0 - new) * running_mean + new * mean
        r_var = (1.0 - new) * running_var + new * update
    else:
        r_mean, r_var = running_mean, running_var
    return {"output": out, "mean": mean, "var": var, "running_mean": r_mean,
            "running_var": r_var}


def layer_norm(x: np.ndarray, gamma: np.ndarray, beta: np.ndarray, eps: float,
               how: How = How()) -> dict[str, np.ndarray]:
    """Each sample (row) normalised over its last axis, then γ·x̂ + β."""
    axis = 0 if how.over_batch else -1
    mean = x.mean(axis=axis, keepdims=True)
    var = x.var(axis=axis, keepdims=True, ddof=1 if how.unbiased_norm else 0)
    return {"output": gamma * (x - mean) / np.sqrt(var + eps) + beta}


def dropout(x: np.ndarray, mask: np.ndarray, rate: float, how: How = How()
            ) -> dict[str, np.ndarray]:
    """Inverted dropout with a given keep mask (1 kept, 0 dropped)."""
    if not how.train:
        return {"output": x}
    kept = x * mask
    if how.keep_scaled:
        return {"output": kept * (1.0 - rate)}
    return {"output": kept / (1.0 - rate) if how.scaled else kept}
