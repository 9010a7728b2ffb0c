"""`ask: receptive_field` against a brute force: a linear 1-D stack run in numpy, and the input
positions whose change reaches one unit of the last layer (a one-hot perturbation of each
input position, propagated through the stack)."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest

from conftest import context
from nncheck.compare.verdict import Status
from nncheck.errors import ProblemError
from nncheck.solvers.convolution import solve_receptive_field

# A layer of a stack: (type, kernel, stride, dilation, padding)
Layer = tuple[str, int, int, int, int]


def _run(stack: list[Layer], x: np.ndarray, weights: list[np.ndarray]) -> np.ndarray:
    """The stack on a 1-D signal: each output y[i] = Σ_t w[t]·x[i·s + t·d - p] (zeros outside);
    a pooling window averages (it reads the same positions as max pooling)."""
    for (_kind, k, s, d, p), w in zip(stack, weights):
        padded = np.concatenate([np.zeros(p), x, np.zeros(p)])
        span = d * (k - 1) + 1
        n_out = (len(padded) - span) // s + 1
        x = np.array([sum(w[t] * padded[i * s + t * d] for t in range(k))
                      for i in range(n_out)])
    return x


def _brute_force(stack: list[Layer], n: int, unit: int) -> tuple[int, int]:
    """(receptive field, jump) of `unit` of the last layer: the span of the input positions
    that change it, and how far the span moves from `unit` to `unit + 1`."""
    rng = np.random.default_rng(0)
    weights = [rng.uniform(0.5, 1.5, k) if kind == "conv" else np.full(k, 1 / k)
               for kind, k, *_ in stack]
    base = _run(stack, np.zeros(n), weights)
    reached: dict[int, list[int]] = {unit: [], unit + 1: []}
    for j in range(n):
        one_hot = np.zeros(n)
        one_hot[j] = 1.0
        out = _run(stack, one_hot, weights) - base  # linear: the unit's weight on x[j]
        for u in reached:
            if out[u] != 0:
                reached[u].append(j)
    first, second = reached[unit], reached[unit + 1]
    return first[-1] - first[0] + 1, second[0] - first[0]


def _model(stack: list[Layer], n: int) -> list[Any]:
    layers: list[Any] = []
    for kind, k, s, d, p in stack:
        if kind == "conv":
            layers.append({"conv1d": {"filters": 2, "kernel": k, "stride": s, "dilation": d,
                                      "padding": p}})
        else:
            layers.append({"avg_pool1d": {"pool": k, "stride": s, "padding": p}})
    return layers


STACKS = {
    "three-3x3": [("conv", 3, 1, 1, 0)] * 3,
    "strided": [("conv", 3, 2, 1, 1), ("conv", 3, 2, 1, 1), ("conv", 3, 1, 1, 1)],
    "pooled": [("conv", 5, 1, 1, 2), ("pool", 2, 2, 1, 0), ("conv", 3, 1, 1, 1),
               ("pool", 3, 2, 1, 1), ("conv", 3, 1, 1, 0)],
    "dilated": [("conv", 3, 1, 1, 0), ("conv", 3, 1, 2, 0), ("conv", 3, 1, 4, 0)],
    "mixed": [("conv", 7, 2, 1, 3), ("pool", 3, 2, 1, 1), ("conv", 3, 1, 2, 2),
              ("conv", 2, 2, 1, 0)],
}


def _solve(layers: list[Any], n: int, **part: Any) -> Any:
    ctx = context({"given": {"m": {"kind": "model", "framework": "pytorch", "input": [1, n],
                                   "layers": layers}},
                   "parts": [{"id": "a", "ask": "receptive_field", "model": "m", **part}]})
    return solve_receptive_field(ctx.part, ctx)


@pytest.mark.parametrize("name", list(STACKS))
def test_field_and_jump_match_the_brute_force(name: str) -> None:
    stack = STACKS[name]
    n = 96
    size, jump = _brute_force(stack, n, unit=3)
    assert _solve(_model(stack, n), n).expected == size
    assert _solve(_model(stack, n), n, of="jump").expected == jump


def test_the_distill_recurrence_written_out() -> None:
    # Araujo et al. (Distill 2019), eq. (2) with r0 = 1: r = 1 + Σ (k_l - 1)·d_l·Π_{i<l} s_i.
    # conv 7/2, pool 3/2, conv 3 dilated 2, conv 2/2:
    # 1 + 6·1 + 2·2 + 2·2·4 + 1·4 = 31; jump 2·2·1·2 = 8.
    layers = _model(STACKS["mixed"], 96)
    assert _solve(layers, 96).expected == 31
    assert _solve(layers, 96, of="jump").expected == 8


def test_mistakes_are_named() -> None:
    # conv 3/2, conv 3/2, conv 3: truth 1 + 2 + 2·2 + 2·4 = 15.
    layers = _model(STACKS["strided"], 32)
    truth = _solve(layers, 32)
    # strides added to the jump: j = 1, 2, 3: 1 + 2 + 2·2 + 2·3 = 13
    verdict = truth.grade(13)
    assert verdict.status is Status.WRONG
    assert verdict.mistakes[0].startswith("stride applied to the receptive field additively")
    # strides ignored: 1 + 2 + 2 + 2 = 7
    assert truth.grade(7).mistakes[0].startswith("strides ignored")
    assert truth.grade(15).status is Status.CORRECT


def test_a_2d_model_with_one_kernel_per_axis_answers_a_vector() -> None:
    # 3×5 conv then 2×2 pool: rows 1 + 2 + 1 = 4, columns 1 + 4 + 1 = 6.
    ctx = context({"given": {"m": {"kind": "model", "input": [32, 32, 1], "layers": [
        {"conv2d": {"filters": 2, "kernel": [3, 5]}}, {"max_pool2d": 2}]}},
        "parts": [{"id": "a", "ask": "receptive_field", "model": "m"}]})
    truth = solve_receptive_field(ctx.part, ctx)
    assert truth.expected == [4, 6]
    assert truth.grade([4, 6]).status is Status.CORRECT


def test_a_layer_past_flatten_has_no_receptive_field() -> None:
    with pytest.raises(ProblemError, match=r"layer 1 \(flatten\) is not a convolution or a "
                       "pooling"):
        _solve([{"conv1d": {"filters": 2, "kernel": 3}}, "flatten", {"dense": 3}], 10)


def test_a_model_that_cannot_be_built_is_refused() -> None:
    # A kernel of 5 does not fit 4 positions: the model is refused before any field is given.
    with pytest.raises(ProblemError, match="does not fit an input of length 4"):
        _solve([{"conv1d": {"filters": 2, "kernel": 5}}], 4)


def test_defaults_for_other_asks_leave_the_own_keys_alone() -> None:
    # `of`, `count`, `input`, `output` mean other things on forward, param_count and equivalent
    # parts: a problem's defaults for those do not reach the convolution asks.
    ctx = context({"defaults": {"of": "Y", "input": {"a": 1}, "count": "trainable",
                                "output": "Y", "model": "m"},
                   "given": {"m": {"kind": "model", "input": [8, 1],
                                   "layers": [{"conv1d": {"filters": 2, "kernel": 3}}]}},
                   "parts": [{"id": "a", "ask": "receptive_field"},
                             {"id": "b", "ask": "padding", "input": 8, "kernel": 3},
                             {"id": "c", "ask": "macs"}, {"id": "d", "ask": "param_count"}]})
    a, b, c, d = ctx.problem.parts
    assert (a.of, b.output, c.count, d.count) == ("size", "same", None, "trainable")
    assert solve_receptive_field(a, ctx).expected == 3
