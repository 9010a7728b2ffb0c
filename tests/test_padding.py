"""`ask: padding` against the frameworks' documented rules, written out here.

PyTorch (nn.Conv1d's documentation): L_out = floor((L_in + 2·padding - dilation·(kernel - 1)
- 1) / stride + 1), the same padding on both sides. TensorFlow (tf.nn's "Notes on padding"):
with `SAME`, out = ceil(in / stride), pad_along = max((out - 1)·stride + filter - in, 0),
pad_before = pad_along // 2, pad_after = pad_along - pad_before (filter dilated: d·(k - 1) + 1).
"""

from __future__ import annotations

import itertools
from typing import Any

import pytest

from conftest import context
from nncheck.compare.verdict import Status
from nncheck.errors import ProblemError
from nncheck.solvers.convolution import solve_padding


def _solve(**part: Any) -> Any:
    ctx = context({"parts": [{"id": "a", "ask": "padding", **part}]})
    return solve_padding(ctx.part, ctx)


def _torch_length(n: int, p: int, k: int, s: int, d: int) -> int:
    return (n + 2 * p - d * (k - 1) - 1) // s + 1


def _tf_same(n: int, k: int, s: int, d: int) -> list[int]:
    out = -(-n // s)
    along = max((out - 1) * s + d * (k - 1) + 1 - n, 0)
    return [along // 2, along - along // 2]


GRID = [(n, k, s, d) for n, k, s, d in itertools.product((7, 13, 28, 32), (1, 2, 3, 5, 6),
                                                          (1, 2, 3), (1, 2)) if d * (k - 1) < n]


@pytest.mark.parametrize("n,k,s,d", GRID)
def test_pytorch_padding_is_the_smallest_that_gives_the_length(n: int, k: int, s: int,
                                                               d: int) -> None:
    # Every reachable output length: the smallest p of the documented formula that gives it.
    for out in range(1, n + 2):
        found = [p for p in range(0, 3 * n) if _torch_length(n, p, k, s, d) == out]
        if not found:
            with pytest.raises(ProblemError, match="no symmetric padding gives"):
                _solve(input=n, output=out, kernel=k, stride=s, dilation=d)
            continue
        assert _solve(input=n, output=out, kernel=k, stride=s, dilation=d).expected == found[0]


@pytest.mark.parametrize("n,k,s,d", GRID)
def test_keras_same_pads_as_tensorflow_documents(n: int, k: int, s: int, d: int) -> None:
    truth = _solve(framework="keras", input=n, kernel=k, stride=s, dilation=d)
    assert truth.expected == _tf_same(n, k, s, d)


def test_the_examples_of_cs231n_and_tensorflow() -> None:
    # CS231n: P = (F - 1)/2 = 2 keeps 32 with F = 5; AlexNet (227 - 11)/4 + 1 = 55 with P = 0.
    assert _solve(input=32, kernel=5).expected == 2
    assert _solve(input=227, output=55, kernel=11, stride=4).expected == 0
    # TensorFlow's notes: in 13, filter 6, stride 5: pad_along 3, 1 before and 2 after.
    assert _solve(framework="keras", input=13, kernel=6, stride=5).expected == [1, 2]


def test_mistakes_are_named() -> None:
    # 28 -> 14, k 3, s 2: p = 1 (floor(27/2) + 1 = 14). Without the + 1: 28 + 2p - 3 = 28,
    # p = 2 (rounded up).
    truth = _solve(input=28, output=14, kernel=3, stride=2)
    assert truth.grade(2).mistakes == ("output-size +1 forgotten",)
    # 32 kept with k = 5: total 4 zeros, 2 a side; the total counted once is 4.
    assert _solve(input=32, kernel=5).grade(4).mistakes == (
        "padding counted once (the total, not the zeros on each side)",)
    # TensorFlow's odd zero goes after: [2, 1] for [1, 2].
    assert _solve(framework="keras", input=13, kernel=6, stride=5).grade([2, 1]).mistakes[0] \
        .startswith("padding split with the extra zero on the left")
    assert _solve(input=32, kernel=5).grade("(5 - 1)/2").status is Status.CORRECT
