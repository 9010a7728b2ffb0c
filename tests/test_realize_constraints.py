"""Rules a `realize` design keeps: a weight the template fixes is named when the answer
changes it (it used to be replaced silently), the values weights and biases may take, and the
hidden units a design may use. Expected verdicts worked out by hand in each test."""

from __future__ import annotations

import pytest

from conftest import context
from nncheck.compare.verdict import Status
from nncheck.solvers.networks import solve_realize


def realize(template: dict, target: str, **rules) -> object:
    ctx = context({"given": {"t": {"kind": "network", **template}},
                   "parts": [{"id": "r", "ask": "realize", "template": "t", "target": target,
                              **rules}]})
    return solve_realize(ctx.part, ctx)


# The template fixes both weights at 1 and leaves the threshold free (FORMAT §4.2).
FIXED = {"inputs": ["x1", "x2"], "activation": "step", "layers": [{"y": {"w": [1, 1]}}]}


def test_a_free_threshold_under_fixed_weights_is_graded():
    truth = realize(FIXED, "x1 and x2")
    # x1 + x2 + b >= 0 only on 11: 2 + b >= 0 > 1 + b, so -2 <= b < -1.
    assert truth.grade({"y": {"b": -1.5}}).status is Status.CORRECT
    assert truth.grade({"y": {"b": -2}}).status is Status.CORRECT
    assert truth.grade({"y": {"b": -1}}).status is Status.WRONG  # 01 gives 1


def test_an_answer_that_repeats_the_fixed_weights_is_graded_as_written():
    truth = realize(FIXED, "x1 and x2")
    assert truth.grade({"y": {"w": [1, 1], "b": -1.5}}).status is Status.CORRECT
    assert truth.grade({"y": {"w": {"x1": 1.0, "x2": 1}, "b": -1.5}}).status is Status.CORRECT


def test_a_changed_fixed_weight_is_named_not_replaced():
    # w = [2, 2], b = -3 is AND too; but the problem fixes both weights at 1. Before, the
    # fixed [1, 1] silently replaced the answer's, and 1 + 1 - 3 < 0 on 11 was graded as the
    # student's design; now the answer is refused by name.
    truth = realize(FIXED, "x1 and x2")
    verdict = truth.grade({"y": {"w": [2, 2], "b": -3}})
    assert verdict.status is Status.WRONG
    assert verdict.message == ("weight `w_y_x1` is fixed at 1 by the problem, and the answer "
                               "gives 2")


def test_a_changed_fixed_weight_is_named_even_when_the_fixed_value_would_pass():
    # With the fixed [1, 1], b = -1.5 is AND: before, this answer was `correct` though the
    # student wrote w_y_x2 = 5 (5*x2 - 1.5 is on at 01: not AND).
    truth = realize(FIXED, "x1 and x2")
    verdict = truth.grade({"y": {"w": [1, 5], "b": -1.5}})
    assert verdict.status is Status.WRONG
    assert "weight `w_y_x2` is fixed at 1 by the problem" in (verdict.message or "")


def test_a_changed_fixed_bias_is_named():
    template = {"inputs": ["x1", "x2"], "activation": "step",
                "layers": [{"y": {"b": -1.5}}]}
    truth = realize(template, "x1 and x2")
    assert truth.grade({"y": {"w": [1, 1]}}).status is Status.CORRECT
    verdict = truth.grade({"y": {"w": [1, 1], "b": -1}})
    assert verdict.status is Status.WRONG
    assert "bias `b_y` is fixed at -1.5 by the problem" in (verdict.message or "")


FREE = {"inputs": ["x1", "x2"], "activation": "step", "layers": [["y"]]}


@pytest.mark.parametrize(("answer", "status", "says"), [
    ({"y": {"w": [1, 1], "b": -1.5}}, Status.CORRECT, None),  # b is not a weight
    ({"y": {"w": [2, 2], "b": -3}}, Status.WRONG, "`w_y_x1` is 2, and the problem allows only "
                                                  "`-1`, `0`, `1`"),
    ({"y": {"w": [1, 0.5], "b": -1.2}}, Status.WRONG, "`w_y_x2` is 0.5"),
])
def test_weights_from_a_list(answer, status, says):
    truth = realize(FREE, "x1 and x2", weights={"in": [-1, 0, 1]})
    verdict = truth.grade(answer)
    assert verdict.status is status
    if says:
        assert says in (verdict.message or "")


def test_integer_weights_and_biases():
    truth = realize(FREE, "x1 and x2", weights={"integer": True}, biases={"integer": True})
    # 2 x1 + 2 x2 - 3: on only at 11 (2 + 2 - 3 = 1 >= 0; 2 - 3 < 0).
    assert truth.grade({"y": {"w": [2, 2], "b": -3}}).status is Status.CORRECT
    assert truth.grade({"y": {"w": ["4/2", 2], "b": -3}}).status is Status.CORRECT  # 2 exactly
    verdict = truth.grade({"y": {"w": [1, 1], "b": -1.5}})
    assert verdict.status is Status.WRONG
    assert verdict.message == "`b_y` is -1.5, and the problem allows integers only"


def test_fixed_values_are_not_held_to_the_rules():
    template = {"inputs": ["x1", "x2"], "activation": "step",
                "layers": [{"y": {"w": [0.5, 0.5]}}]}
    truth = realize(template, "x1 and x2", weights={"integer": True}, biases={"integer": True})
    # 0.5 + 0.5 - 1 = 0 >= 0 at 11; 0.5 - 1 < 0 elsewhere.
    assert truth.grade({"y": {"b": -1}}).status is Status.CORRECT


WIDE = {"inputs": ["x1", "x2"], "activation": "step", "layers": [["h1", "h2", "h3"], ["y"]]}


def test_at_most_two_hidden_units():
    truth = realize(WIDE, "x1 xor x2", max_hidden=2)
    # h1 = OR, h2 = NAND, y = AND(h1, h2); h3 read with weight 0 is not used.
    two = {"h1": {"w": [1, 1], "b": -0.5}, "h2": {"w": [-1, -1], "b": 1.5},
           "h3": {"w": [1, 1], "b": -1.5}, "y": {"w": [1, 1, 0], "b": -1.5}}
    assert truth.grade(two).status is Status.CORRECT
    # Reading h3 with any weight uses it: three hidden units. y = h1 + h2 - 0.25 h3 - 1.5:
    # 01, 10: 1 + 1 - 0 - 1.5 >= 0; 00: 0 + 1 - 1.5 < 0; 11: 1 + 0 - 0.25 - 1.5 < 0 (XOR).
    three = {**two, "y": {"w": [1, 1, -0.25], "b": -1.5}}
    verdict = truth.grade(three)
    assert verdict.status is Status.WRONG
    assert verdict.message == ("the design uses 3 hidden units (h1, h2, h3), and the problem "
                               "allows at most 2")


def test_a_weight_rule_needs_one_of_its_forms():
    from pydantic import ValidationError

    with pytest.raises(ValidationError, match="`in: \\[values\\]` or `integer: true`"):
        realize(FREE, "x1", weights={})
