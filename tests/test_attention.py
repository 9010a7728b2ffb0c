"""The `layer_output` ask on attention: scaled dot-product attention and PyTorch's multi-head
attention against torch (recorded in tests/oracle/layer_values.json), and by hand."""

from __future__ import annotations

import math
from typing import Any

import pytest
from layerkit import cases, solve

from nncheck.compare.verdict import Status
from nncheck.errors import ProblemError
from oracle import data
from oracle.layer_values import LayerCase

RECORDED = data.answers("layer_values")


@pytest.mark.parametrize("case", cases("attention"))
def test_scaled_dot_product_attention_matches_torch(case: LayerCase) -> None:
    want = RECORDED[case.id]
    layer: dict[str, Any] = {"type": "attention"}
    if case.arrays["mask"] is not None:
        layer["mask"] = case.arrays["mask"]
    a = case.arrays
    for row, (out, weights) in enumerate(zip(want["output"], want["weights"])):
        got = solve(layer, a["q"], key=a["k"], value=a["v"], row=row)
        assert got.expected == pytest.approx(out, rel=1e-12, abs=1e-14)
        got = solve(layer, a["q"], key=a["k"], value=a["v"], row=row, of="weights")
        assert got.expected == pytest.approx(weights, rel=1e-12, abs=1e-14)


@pytest.mark.parametrize("case", cases("multihead_attention"))
def test_multi_head_attention_matches_torch(case: LayerCase) -> None:
    want = RECORDED[case.id]
    a = case.arrays
    layer = {"type": "multihead_attention", **{k: a[k] for k in (
        "num_heads", "in_proj_weight", "in_proj_bias", "out_proj_weight", "out_proj_bias")}}
    if a["mask"] is not None:
        layer["mask"] = a["mask"]
    for row, (out, weights) in enumerate(zip(want["output"], want["weights"])):
        got = solve(layer, a["q"], key=a["k"], value=a["v"], row=row)
        assert got.expected == pytest.approx(out, rel=1e-12, abs=1e-14)
        got = solve(layer, a["q"], key=a["k"], value=a["v"], row=row, of="weights")
        assert got.expected == pytest.approx(weights, rel=1e-12, abs=1e-14)


# By hand: one query q = (1, 1), keys k1 = (1, 0), k2 = (0, 1), k3 = (1, 1), values 1, 2, 3
# (one column). d_k = 2: scores q·k / √2 = (1, 1, 2)/√2.
Q, K, V = [[1.0, 1.0]], [[1.0, 0.0], [0.0, 1.0], [1.0, 1.0]], [[1.0], [2.0], [3.0]]


def softmax(scores: list[float]) -> list[float]:
    e = [math.exp(s) for s in scores]
    return [x / sum(e) for x in e]


def test_scores_weights_and_output_by_hand() -> None:
    r = math.sqrt(2)
    w = softmax([1 / r, 1 / r, 2 / r])
    assert solve({"type": "attention"}, Q, key=K, value=V, of="scores").expected == \
        pytest.approx([1 / r, 1 / r, 2 / r])
    assert solve({"type": "attention"}, Q, key=K, value=V, of="weights").expected == \
        pytest.approx(w)
    truth = solve({"type": "attention"}, Q, key=K, value=V)
    assert truth.expected == pytest.approx([w[0] + 2 * w[1] + 3 * w[2]])
    unscaled = softmax([1, 1, 2])
    verdict = truth.grade([unscaled[0] + 2 * unscaled[1] + 3 * unscaled[2]])
    assert verdict.status is Status.WRONG
    assert verdict.mistakes[0] == "the √d_k scaling left out"
    over_d = softmax([1 / 2, 1 / 2, 2 / 2])
    assert truth.grade([over_d[0] + 2 * over_d[1] + 3 * over_d[2]]).mistakes[0] == \
        "divided by d_k, not √d_k"


def test_softmax_over_the_queries_is_a_named_mistake() -> None:
    """Two queries (1, 0) and (0, 1) against themselves, d_k = 2: scores (1/√2)·I. Over the
    keys each row is softmax(1/√2, 0); over the queries (columns) the same numbers, so take
    a third key (1, 1): query rows (1/√2, 0, 1/√2) and (0, 1/√2, 1/√2)."""
    r = math.sqrt(2)
    q, k = [[1.0, 0.0], [0.0, 1.0]], [[1.0, 0.0], [0.0, 1.0], [1.0, 1.0]]
    truth = solve({"type": "attention"}, q, key=k, value=[[1.0], [2.0], [3.0]], of="weights",
                  row=0)
    assert truth.expected == pytest.approx(softmax([1 / r, 0, 1 / r]))
    # column j's softmax over the two queries, read at query 0
    col = [math.exp(1 / r) / (math.exp(1 / r) + 1), 1 / (1 + math.exp(1 / r)), 0.5]
    assert truth.grade(col).mistakes[0] == \
        "softmax over the wrong axis (over the queries, not the keys)"


def test_causal_mask_by_hand() -> None:
    """Self-attention of x1 = (1, 0), x2 = (1, 1) with a causal mask: query 1 sees key 1
    only (weight 1, output x1); query 2 sees both: scores (1, 2)/√2."""
    x = [[1.0, 0.0], [1.0, 1.0]]
    assert solve({"type": "attention", "mask": "causal"}, x, row=0).expected == [1, 0]
    r = math.sqrt(2)
    w = softmax([1 / r, 2 / r])
    truth = solve({"type": "attention", "mask": "causal"}, x, row=0, of="weights")
    assert truth.expected == [1, 0]
    assert truth.grade(softmax([1 / r, 1 / r])).mistakes == ("the mask left out",)
    assert solve({"type": "attention", "mask": "causal"}, x, row=1).expected == \
        pytest.approx([1.0, w[1]])


def test_multi_head_scale_is_the_head_size() -> None:
    """Two heads of size 1 on E = 2, identity projections: each head scales by 1/√1; a
    scale of 1/√2 (the embedding's) is the named mistake. Self-attention of x1 = (1, 0),
    x2 = (0, 2): head 1 scores for query 1 (1·1, 1·0) = (1, 0), head 2 (0, 0)."""
    eye3 = [[1.0, 0.0], [0.0, 1.0]] * 3
    layer = {"type": "multihead_attention", "num_heads": 2, "in_proj_weight": eye3,
             "out_proj_weight": [[1.0, 0.0], [0.0, 1.0]]}
    x = [[1.0, 0.0], [0.0, 2.0]]
    w1 = softmax([1.0, 0.0])  # head 1, query 1
    truth = solve(layer, x, row=0)
    assert truth.expected == pytest.approx([w1[0] * 1 + w1[1] * 0, 0.5 * 0 + 0.5 * 2])
    w1_wrong = softmax([1 / math.sqrt(2), 0.0])
    assert truth.grade([w1_wrong[0], 1.0]).mistakes[0] == \
        "scaled by √E (the embedding), not √(E/h) (a head's size)"


def test_a_mask_that_leaves_a_query_nothing_is_a_problem_error() -> None:
    with pytest.raises(ProblemError, match="leaves a query nothing to attend to"):
        solve({"type": "attention", "mask": [[0, 0], [1, 1]]}, [[1.0], [2.0]])
