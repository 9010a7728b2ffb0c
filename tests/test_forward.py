"""The `forward` ask: values inside a network for one input, worked out by hand."""

from __future__ import annotations

import math

import pytest

from conftest import context
from nncheck.compare.verdict import Status
from nncheck.errors import ProblemError
from nncheck.solvers.networks import STRICT_MISTAKE, solve_forward

# h = sigmoid(0.5·x1 - x2 + 0.25); y = 2h - 1 (linear). At x = (1, 0.5): z_h = 0.25, h = σ(0.25).
NET = {
    "given": {"net": {"kind": "network", "inputs": ["x1", "x2"], "activation": "sigmoid",
                      "layers": [{"h": {"w": [0.5, -1], "b": 0.25}},
                                 {"activation": "linear", "units": {"y": {"w": 2, "b": -1}}}]}},
    "parts": [{"id": "f", "ask": "forward", "network": "net", "input": {"x1": 1, "x2": 0.5}}],
}
H = 1 / (1 + math.exp(-0.25))  # 0.5621765008857981


def truth(**part):
    data = {**NET, "parts": [{**NET["parts"][0], **part}]}
    ctx = context(data)
    return solve_forward(ctx.part, ctx)


def test_the_output_by_default_and_any_symbol_on_request():
    assert truth().expected == pytest.approx(2 * H - 1)
    assert truth(of=["z_h", "h", "y"]).expected == pytest.approx([0.25, H, 2 * H - 1])


def test_expressions_over_the_networks_symbols_are_answers():
    t = truth(of="y")
    assert t.grade("2σ(0.25) - 1").status is Status.CORRECT
    assert t.grade("2h - 1").status is Status.CORRECT  # h is bound at the given input
    assert t.grade("2*z_h - 1").status is Status.WRONG  # z_h = 0.25: 2·0.25 - 1 = -0.5


def test_z_given_for_the_activation_is_named():
    verdict = truth(of="h").grade(0.25)
    assert verdict.status is Status.WRONG
    assert verdict.mistakes == ("the pre-activation z given where the activation belongs",)
    # How far off: |0.25 - 0.562177| / 0.562177 = 0.312177 / 0.562177 = 0.555 -> 56 %.
    assert verdict.message == "expected 0.562177, got 0.25: 56 % off, tolerance 1 %"


def test_a_step_unit_on_the_boundary_names_the_strict_mistake():
    data = {"given": {"net": {"kind": "network", "inputs": ["a", "b"], "activation": "step",
                              "layers": [{"y": {"w": [1, 1], "b": -2}}]}},
            "parts": [{"id": "f", "ask": "forward", "network": "net",
                       "input": {"a": 1, "b": 1}, "of": "y"}]}
    ctx = context(data)
    t = solve_forward(ctx.part, ctx)
    assert t.expected == 1  # z = 0 and step(0) = 1
    # 0 is both z itself and what a unit firing only for z > 0 gives: every match is named.
    assert t.grade(0).mistakes == (
        "the pre-activation z given where the activation belongs", STRICT_MISTAKE,
    )


def test_an_exact_zero_or_one_claimed_for_a_softmax_output_earns_a_warning():
    data = {"given": {"net": {"kind": "network", "inputs": ["x"], "layers": [
        {"activation": "softmax", "units": {"s1": {"w": [1], "b": 0}, "s2": {"w": [-1], "b": 0}}},
    ]}}, "parts": [{"id": "f", "ask": "forward", "network": "net", "input": {"x": 10},
                    "of": ["s1", "s2"]}]}
    ctx = context(data)
    t = solve_forward(ctx.part, ctx)
    # softmax(10, -10) = (1/(1+e^-20), e^-20/(1+e^-20)) = (0.999999998, 2.06e-9)
    e20 = math.exp(-20)
    assert t.expected == pytest.approx([1 / (1 + e20), e20 / (1 + e20)])
    verdict = t.grade([1, 0])
    assert "no softmax can output exactly 0 or 1" in verdict.message


def test_of_may_name_symbols_by_the_problems_aliases():
    data = {**NET, "aliases": {"a11": "h", "z11": "z_h"}}
    ctx = context({**data, "parts": [{**NET["parts"][0], "of": ["z11", "a11", "y"]}]})
    t = solve_forward(ctx.part, ctx)
    assert t.expected == pytest.approx([0.25, H, 2 * H - 1])
    assert t.labels == ["z_h", "h", "y"]  # the network's own names
    assert t.grade(["0.25", "σ(0.25)", "2a11 - 1"]).status is Status.CORRECT
    ctx = context({**data, "parts": [{**NET["parts"][0], "of": "a11"}]})
    assert solve_forward(ctx.part, ctx).expected == pytest.approx(H)


def test_an_unknown_of_symbol_is_named_with_a_suggestion():
    data = {**NET, "aliases": {"a11": "h"},
            "parts": [{**NET["parts"][0], "of": ["a12", "y"]}]}
    ctx = context(data)
    with pytest.raises(ProblemError) as exc:
        solve_forward(ctx.part, ctx)
    assert str(exc.value) == ("`of: a12` is not a symbol of network `net` — an input, a unit, "
                              "or z_<unit> (did you mean `a11`?)")


def test_a_decimal_threshold_unit_at_zero_fires():
    # 0.7·1 + 0.1·1 - 0.8 = 0 by hand (-8.3e-17 in floats): z is 0 and step(0) = 1.
    data = {"given": {"net": {"kind": "network", "inputs": ["a", "b"], "activation": "step",
                              "layers": [{"Y": {"w": [0.7, 0.1], "b": -0.8}}]}},
            "parts": [{"id": "f", "ask": "forward", "network": "net",
                       "input": {"a": 1, "b": 1}, "of": ["z_Y", "Y"]}]}
    ctx = context(data)
    t = solve_forward(ctx.part, ctx)
    assert t.expected == [0, 1]
    assert t.grade([0, 1]).status is Status.CORRECT
