"""Layer-model mistakes of real answers: each wrong shape or count worked out by hand and
named (FORMAT §4.3; the output length is floor((n + 2p - k) / s) + 1)."""

from __future__ import annotations

from typing import Any

import pytest

from conftest import context
from nncheck.compare.verdict import Status
from nncheck.solvers.models import solve_output_shape, solve_param_count

SWAPPED = "channels first and channels last swapped"
PLUS_ONE = "output-size +1 forgotten (floor((n + 2p − k) / s), not + 1)"
ONE_SIDE = "padding counted on one side only (n + p, not n + 2p)"
DEPTH = "input depth kept as the output depth (the filters set it)"
HALVED = "channels divided by the pooling stride along with the size"


def _grade(layers: list[Any], input: list[int], claim: Any, framework: str = "keras",
           ask: str = "output_shape", **part: Any) -> Any:
    ctx = context({"given": {"m": {"kind": "model", "framework": framework, "input": input,
                                   "layers": layers}},
                   "parts": [{"id": "a", "ask": ask, "model": "m", **part}]})
    solver = solve_output_shape if ask == "output_shape" else solve_param_count
    return solver(ctx.part, ctx).grade(claim)


@pytest.mark.parametrize("layers,input,framework,claim,mistake", [
    # conv1d 128 filters, kernel 5 on 1000 steps: 1000 - 5 + 1 = 996 -> [996, 128]
    pytest.param([{"conv1d": {"filters": 128, "kernel": 5}}], [1000, 1], "keras", [128, 996],
                 SWAPPED, id="1d-layout"),
    # PyTorch [C, L]: [128, 996]; a Keras habit writes [996, 128]
    pytest.param([{"conv1d": {"filters": 128, "kernel": 5}}], [1, 1000], "pytorch",
                 [996, 128], SWAPPED, id="1d-layout-pytorch"),
    # 28 - 3 = 25 without the + 1
    pytest.param([{"conv2d": {"filters": 8, "kernel": 3}}], [28, 28, 1], "keras", [25, 25, 8],
                 PLUS_ONE, id="plus-one"),
    # pool 3, stride 2 on 13: floor(10/2) + 1 = 6; without + 1: 5
    pytest.param([{"max_pool2d": {"pool": 3, "stride": 2}}], [13, 13, 4], "keras", [5, 5, 4],
                 PLUS_ONE, id="plus-one-pool"),
    # k 5, padding 2 on 32: 32 + 4 - 5 + 1 = 32; one side: 32 + 2 - 5 + 1 = 30
    pytest.param([{"conv2d": {"filters": 6, "kernel": 5, "padding": 2}}], [3, 32, 32],
                 "pytorch", [6, 30, 30], ONE_SIDE, id="pad-once"),
    # 3 input channels kept instead of the 8 filters
    pytest.param([{"conv2d": {"filters": 8, "kernel": 3}}], [28, 28, 3], "keras", [26, 26, 3],
                 DEPTH, id="depth-kept"),
    # pool 2 halves 26 to 13; the 8 channels halved to 4 with it
    pytest.param([{"conv2d": {"filters": 8, "kernel": 3}}, {"max_pool2d": 2}], [28, 28, 1],
                 "keras", [13, 13, 4], HALVED, id="channels-halved"),
])
def test_shape_mistakes_are_named(layers: list[Any], input: list[int], framework: str,
                                  claim: Any, mistake: str) -> None:
    verdict = _grade(layers, input, claim, framework)
    assert verdict.status is Status.WRONG
    assert verdict.mistakes == (mistake,)


def test_a_dense_count_after_a_forgotten_plus_one() -> None:
    # conv 3×3 (8 filters) on 28×28×1: 26·26·8 = 5408 inputs to dense 10: 80 + 54090 = 54170.
    # Without the + 1: 25·25·8 = 5000 inputs, 80 + 50010 = 50090.
    layers = [{"conv2d": {"filters": 8, "kernel": 3}}, "flatten", {"dense": 10}]
    assert _grade(layers, [28, 28, 1], 54170, ask="param_count").status is Status.CORRECT
    assert _grade(layers, [28, 28, 1], 50090, ask="param_count").mistakes == (PLUS_ONE,)


def test_a_mistake_that_changes_nothing_is_not_named() -> None:
    # `same` padding: no + 1 to forget and no zeros to count; [28, 28, 8] is simply right.
    layers = [{"conv2d": {"filters": 8, "kernel": 3, "padding": "same"}}]
    assert _grade(layers, [28, 28, 1], [28, 28, 8]).status is Status.CORRECT
    # No catalogue mistake; only the slip every count and shape is checked for: 27 = 28 - 1.
    assert _grade(layers, [28, 28, 1], [27, 27, 8]).mistakes == (
        "off by one at value 1, value 2 (one too few)",)
