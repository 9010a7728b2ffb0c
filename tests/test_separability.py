"""`separable` and `min_units` against an exhaustive search written here.

The oracle lists every threshold function of n inputs by brute force over small integer
weights and half-integer thresholds (and checks the count against the known one, OEIS A000609:
4, 14, 104 for n = 1, 2, 3, so the list is complete), then builds, forward, every function a
two-layer design of k hidden units computes: g(h_1, ..., h_k) for every threshold g of k bits
and every choice of threshold h's. The least k whose set holds f is its answer (0: f is itself a
threshold function). Nothing here reads nncheck's search."""

from __future__ import annotations

import functools
import itertools

import numpy as np
import pytest

from conftest import context
from nncheck.compare.verdict import Status
from nncheck.engine import twolayer
from nncheck.solvers import solve

KNOWN_COUNTS = {1: 4, 2: 14, 3: 104}


def rows_of(n: int) -> list[tuple[int, ...]]:
    """Binary counting, the first input most significant."""
    return list(itertools.product((0, 1), repeat=n))


def oracle_threshold(n: int) -> list[int]:
    found = set()
    rows = rows_of(n)
    for w in itertools.product(range(-3, 4), repeat=n):
        for twice_b in range(-15, 16, 2):  # b = -7.5 ... 7.5: z is never 0
            found.add(sum(1 << r for r, x in enumerate(rows)
                          if 2 * sum(a * b for a, b in zip(w, x)) + twice_b > 0))
    assert len(found) == KNOWN_COUNTS[n]
    return sorted(found)


def oracle_reachable(n: int, k: int) -> set[int]:
    """Every f = g(h_1..h_k), g a threshold function of k bits, h's of n inputs (numpy)."""
    hs = np.array(oracle_threshold(n), dtype=np.int64)
    bits = (hs[:, None] >> np.arange(1 << n)) & 1  # (h, rows)
    gs = np.array(oracle_threshold(k), dtype=np.int64)
    g_bits = (gs[:, None] >> np.arange(1 << k)) & 1  # (g, codes)
    out = set()
    # The g's are closed under reordering their inputs: the first k - 1 h's in any one order.
    for chosen in itertools.combinations_with_replacement(range(len(hs)), k - 1):
        code = np.zeros(1 << n, dtype=np.int64)
        for i in chosen:
            code = code * 2 + bits[i]
        codes = code[None, :] * 2 + bits  # the last h, every choice at once: (h, rows)
        fs = g_bits[:, codes] @ (1 << np.arange(1 << n))  # every g at once: (g, h)
        out.update(np.unique(fs).tolist())
    return out


@functools.cache
def oracle_min_units(n: int) -> dict[int, int]:
    answer = {f: 0 for f in oracle_threshold(n)}
    k = 2
    while len(answer) < 1 << (1 << n):
        for f in oracle_reachable(n, k):
            answer.setdefault(f, k)
        k += 1
    return answer


@pytest.mark.parametrize("n", [1, 2, 3])
def test_min_units_matches_the_exhaustive_search_on_every_function(n):
    truth = oracle_min_units(n)
    assert len(truth) == 1 << (1 << n)
    mine = {f: twolayer.min_hidden_units(f, n) for f in truth}
    assert mine == truth


def test_the_oracle_knows_xor_and_parity():
    two = oracle_min_units(2)
    assert two[0b0110] == 2  # XOR: rows 01, 10 on
    assert two[0b1001] == 2  # XNOR
    three = oracle_min_units(3)
    parity = sum(1 << r for r, x in enumerate(rows_of(3)) if sum(x) % 2)
    assert three[parity] == 3
    assert max(three.values()) == 3


def test_four_inputs_witness_and_parity():
    # Parity of 4 needs 4 (it is the only function of 4 inputs, with its complement, that
    # 3 do not compute); the design found for 4 is checked here row by row.
    parity = sum(1 << r for r, x in enumerate(rows_of(4)) if sum(x) % 2)
    assert twolayer.min_hidden_units(parity, 4) == 4
    g, hs = twolayer.hidden_layer(parity, 4, 4)
    for r in range(16):
        code = 0
        for h in hs:
            code = code * 2 + ((h >> r) & 1)
        assert (g >> code) & 1 == (parity >> r) & 1
    assert all(h in oracle_threshold_4() for h in hs)


def oracle_threshold_4() -> set[int]:
    found = set()
    rows = rows_of(4)
    for w in itertools.product(range(-3, 4), repeat=4):
        for twice_b in range(-25, 26, 2):
            found.add(sum(1 << r for r, x in enumerate(rows)
                          if 2 * sum(a * b for a, b in zip(w, x)) + twice_b > 0))
    assert len(found) == 1882
    return found


def part(ask: str, **kw) -> object:
    ctx = context({"parts": [{"id": "q", "ask": ask, **kw}]})
    return solve(ctx.part, ctx)


def test_xor_is_not_separable_and_needs_two_hidden_units():
    sep = part("separable", inputs=["x1", "x2"], target="x1 xor x2")
    assert sep.expected == "no"
    verdict = sep.grade("no")
    assert verdict.status is Status.CORRECT
    # The reason names the rows: (01 + 10)/2 = (00 + 11)/2.
    assert "true rows 01, 10" in verdict.message and "false rows 00, 11" in verdict.message
    assert part("min_units", inputs=["x1", "x2"], target="x1 xor x2").grade(2).status \
        is Status.CORRECT
    assert part("min_units", inputs=["x1", "x2"], table=[0, 1, 1, 0]).grade(1).status \
        is Status.WRONG


def test_a_no_to_a_separable_function_does_not_pass():
    sep = part("separable", inputs=["a", "b", "c"], target="a and (b or c)")
    for claim in ("no", "No", False, "not separable"):
        assert sep.grade(claim).status is Status.WRONG
    assert sep.grade("yes").status is Status.WRONG  # a yes without its witness
    # 2a + b + c - 2.5: on at 101, 110, 111 (>= 0.5), off elsewhere (100: -0.5; 011: -0.5).
    assert sep.grade({"w": [2, 1, 1], "b": -2.5}).status is Status.CORRECT
    assert sep.grade({"w": {"a": 2, "b": 1, "c": 1}, "b": "-5/2"}).status is Status.CORRECT


def test_a_witness_is_checked_on_every_row():
    sep = part("separable", inputs=["a", "b", "c"], target="a and (b or c)")
    # a + b + c - 2 is on at 011 too (0 + 1 + 1 - 2 = 0 >= 0): one wrong row of eight.
    verdict = sep.grade({"w": [1, 1, 1], "b": -2})
    assert verdict.status is Status.WRONG
    assert verdict.message == "the witness differs from the function on 1 of 8 rows: " \
        "row 011 gives 1, not 0"
    # A witness for a non-separable function fails somewhere, whatever it is.
    xor = part("separable", inputs=["x1", "x2"], target="x1 xor x2")
    for w1, w2, b in itertools.product((-2, -1, 0, 1, 2), repeat=3):
        assert xor.grade({"w": [w1, w2], "b": b}).status is Status.WRONG


def test_the_key_witness_realises_the_function():
    sep = part("separable", inputs=["a", "b", "c", "d"], table=[0] * 15 + [1])  # AND of 4
    key = sep.expected
    assert isinstance(key, dict)
    assert sep.grade(key).status is Status.CORRECT


def test_step_strict_fires_only_above_zero():
    sep = part("separable", inputs=["a", "b"], target="a and b", activation="step_strict")
    # a + b - 2: z = 0 at 11, where step_strict gives 0.
    assert sep.grade({"w": [1, 1], "b": -2}).status is Status.WRONG
    assert sep.grade({"w": [1, 1], "b": -1}).status is Status.CORRECT  # 11: 1 > 0; 01: 0


def test_malformed_witnesses_are_invalid():
    sep = part("separable", inputs=["a", "b"], target="a or b")
    for claim in ({"w": [1], "b": 0}, {"w": [1, 1]}, {"w": [1, "a"], "b": 0},
                  {"w": {"c": 1}, "b": 0}, [1, 1, 0], {"w": [1, 1], "b": 0, "x": 1}):
        assert sep.grade(claim).status is Status.INVALID


@pytest.mark.parametrize(("kw", "message"), [
    ({"inputs": ["a", "b"]}, "`target:` .* or `table:`"),
    ({"inputs": ["a", "b"], "table": [0, 1, 1]}, "3 outputs for 4 rows"),
    ({"inputs": ["a", "b"], "table": [0, 1, 2, 0]}, "`2` is not 0 or 1"),
])
def test_a_function_is_given_one_way(kw, message):
    from pydantic import ValidationError

    with pytest.raises(ValidationError, match=message):
        part("separable", **kw)


def test_min_units_is_bounded_to_four_inputs():
    from pydantic import ValidationError

    with pytest.raises(ValidationError, match="at most 4 inputs"):
        part("min_units", inputs=["a", "b", "c", "d", "e"], target="a")


def test_the_threshold_logic_examples_grade_correct_by_hand():
    from typer.testing import CliRunner

    from conftest import PROBLEMS
    from nncheck.cli import app

    folder = PROBLEMS / "threshold-logic"
    result = CliRunner().invoke(app, ["check", str(folder / "sheets" / "by-hand.yaml"),
                                      "--problems", str(folder), "--format", "text"])
    assert result.exit_code == 0, result.stdout
    assert "Total 13/13 — 13 correct" in result.stdout
