"""Logs that keep their limits: log 0 = -inf without warnings, and log-probabilities taken
in log space from logits, so huge logits give exact finite answers."""

from __future__ import annotations

import numpy as np


def log(x: np.ndarray) -> np.ndarray:
    """log x with log 0 = -inf and log of a negative = nan, without numpy's warnings."""
    positive = x > 0
    logs = np.log(np.where(positive, x, 1.0))
    return np.where(positive, logs, np.where(x == 0, -np.inf, np.nan))


def log1m(x: np.ndarray) -> np.ndarray:
    """log(1 - x), accurate for tiny x, with log 0 = -inf and nan above 1."""
    below = x < 1
    logs = np.log1p(-np.where(below, x, 0.0))
    return np.where(below, logs, np.where(x == 1, -np.inf, np.nan))


def xlog(x: np.ndarray, log_v: np.ndarray, zero_log_zero: float) -> np.ndarray:
    """x · log v with 0 · log v = 0 (or `zero_log_zero` where log v = -inf)."""
    product = x * np.where(x == 0, 0.0, log_v)  # 0 · -inf would be nan, with a warning
    if zero_log_zero == 0.0:
        return product
    return np.where((x == 0) & np.isneginf(log_v), zero_log_zero, product)


def log_sigmoid(z: np.ndarray) -> np.ndarray:
    """log σ(z) = -log(1 + e^-z), exact for any finite z (log(1 - σ(z)) is log σ(-z))."""
    return np.asarray(-np.logaddexp(0.0, -z))


def log_softmax(z: np.ndarray) -> np.ndarray:
    """log softmax(z) per row, from shifted logits so that two huge ones still give -log 2."""
    shifted = z - z.max(axis=1, keepdims=True)
    return np.asarray(shifted - np.log(np.exp(shifted).sum(axis=1, keepdims=True)))


def log_softmax_complement(z: np.ndarray) -> np.ndarray:
    """log(1 - softmax(z)_i) = log Σ_{j≠i} e^{z_j} - log Σ_j e^{z_j}, per entry."""
    c = z.shape[1]
    if c == 1:
        return np.full_like(z, -np.inf)
    shifted = z - z.max(axis=1, keepdims=True)
    total = np.log(np.exp(shifted).sum(axis=1, keepdims=True))
    out = np.empty_like(z)
    for i in range(c):
        others = np.delete(shifted, i, axis=1)
        top = others.max(axis=1, keepdims=True)
        # Every other logit may lie so far below that its shift overflowed to -inf: then
        # 1 - softmax_i is 0 in floating point and its log is -inf.
        finite_top = np.where(np.isfinite(top), top, 0.0)
        rest = finite_top + log(np.exp(others - finite_top).sum(axis=1, keepdims=True))
        out[:, i] = (rest - total)[:, 0]
    return out
