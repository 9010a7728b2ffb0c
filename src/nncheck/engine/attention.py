"""Scaled dot-product attention and PyTorch's multi-head attention, with given weights.

  scores  = Q Kᵀ · scale (scale 1/√d_k unless given); a masked position's score is -inf
  weights = softmax of each query's row of scores (over the keys)
  output  = weights V

A mask is `causal` (query i attends to keys 0..i) or a matrix of 0/1, 1 where a query may
attend, as PyTorch's boolean `attn_mask` of `scaled_dot_product_attention`. Multi-head
attention is `torch.nn.MultiheadAttention` (batch first, one sequence): Q, K, V projected by
the blocks of `in_proj_weight` (3E×E) and `in_proj_bias`, split into h heads of E/h, attended
each with 1/√(E/h), concatenated, projected by `out_proj`; its `weights` are the mean over
the heads, as PyTorch returns them by default.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True)
class How:
    """How attention is computed; a known mistake is the truth with one of these changed."""

    scaled: bool = True  # by 1/√d_k (or the scale given)
    root: bool = True  # √d_k, not d_k
    axis: int = -1  # the softmax over the keys; 0: the mistake of over the queries
    masked: bool = True  # the mask applied
    head_size: bool = True  # multi-head: √(E/h), not √E


def mask_matrix(mask: object, queries: int, keys: int) -> np.ndarray | None:
    """The boolean mask (True: may attend), from `causal`, a 0/1 matrix, or None."""
    if mask is None:
        return None
    if isinstance(mask, str):  # causal
        return np.tril(np.ones((queries, keys), dtype=bool))
    return np.asarray(mask, dtype=float) != 0


def attend(q: np.ndarray, k: np.ndarray, v: np.ndarray, mask: np.ndarray | None,
           scale: float | None = None, how: How = How()) -> dict[str, np.ndarray]:
    """Scores, weights and output of scaled dot-product attention (queries by rows)."""
    d_k = q.shape[-1]
    if scale is None:
        scale = 1.0 / (np.sqrt(d_k) if how.root else d_k)
    scores = q @ k.T * (scale if how.scaled else 1.0)
    if mask is not None and how.masked:
        scores = np.where(mask, scores, -np.inf)
    weights = _softmax(scores, how.axis)
    return {"scores": scores, "weights": weights, "output": weights @ v}


def _softmax(scores: np.ndarray, axis: int) -> np.ndarray:
    top = scores.max(axis=axis, keepdims=True)
    top = np.where(np.isfinite(top), top, 0.0)
    e = np.exp(scores - top)
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.asarray(e / e.sum(axis=axis, keepdims=True))


def multi_head(query: np.ndarray, key: np.ndarray, value: np.ndarray, heads: int,
               in_proj_weight: np.ndarray, in_proj_bias: np.ndarray,
               out_proj_weight: np.ndarray, out_proj_bias: np.ndarray,
               mask: np.ndarray | None, how: How = How()) -> dict[str, np.ndarray]:
    """PyTorch's multi-head attention: `output` L×E and `weights` L×S (the heads' mean)."""
    embed = query.shape[-1]
    w_q, w_k, w_v = np.split(in_proj_weight, 3)
    b_q, b_k, b_v = np.split(in_proj_bias, 3)
    q, k, v = query @ w_q.T + b_q, key @ w_k.T + b_k, value @ w_v.T + b_v
    size = embed // heads
    scale = 1.0 / np.sqrt(size if how.head_size else embed) if how.root else 1.0 / size
    outs, weights = [], []
    for j in range(heads):
        cols = slice(j * size, (j + 1) * size)
        one = attend(q[:, cols], k[:, cols], v[:, cols], mask, scale, how)
        outs.append(one["output"])
        weights.append(one["weights"])
    output = np.concatenate(outs, axis=1) @ out_proj_weight.T + out_proj_bias
    return {"output": output, "weights": np.mean(weights, axis=0)}
