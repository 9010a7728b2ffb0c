"""Threshold units exactly at z = 0 with decimal weights, and what true and false are in `realize`.

0.7·1 + 0.1·1 - 0.8 is 0 in the exam's arithmetic but -8.3e-17 in floating point: every ask
must see 0 (so step(0) = 1), and report 0.
"""

from __future__ import annotations

import pytest

from conftest import context
from nncheck.compare.verdict import Status
from nncheck.solvers.networks import solve_forward, solve_realize, solve_truth_table

DECIMAL = {"kind": "network", "inputs": ["a", "b"], "activation": "step",
           "layers": [{"Y": {"w": [0.7, 0.1], "b": -0.8}}]}
TEMPLATE = {"kind": "network", "inputs": ["a", "b"], "activation": "step", "layers": [["Y"]]}
# The repro of the review, part by part.
REPRO = {
    "given": {"net": DECIMAL, "tpl": TEMPLATE},
    "parts": [
        {"id": "t", "ask": "truth_table", "network": "net", "columns": ["z_Y", "Y"]},
        {"id": "f", "ask": "forward", "network": "net", "input": {"a": 1, "b": 1},
         "of": ["z_Y", "Y"]},
        {"id": "r", "ask": "realize", "template": "tpl", "target": "a and b"},
    ],
}


def solve(data, part, solver):
    ctx = context(data, part)
    return solver(ctx.part, ctx)


def test_a_table_of_decimal_weights_sits_exactly_at_zero():
    truth = solve(REPRO, "t", solve_truth_table)
    # z_Y = 0.7a + 0.1b - 0.8: -0.8, -0.7, -0.1, 0 (row 11, exactly); Y = step: 0, 0, 0, 1.
    rows = truth.expected["rows"]
    assert [r[2] for r in rows] == pytest.approx([-0.8, -0.7, -0.1, 0.0])
    assert rows[3] == [1, 1, 0, 1]  # 0 itself, not -8.3e-17
    assert [r[3] for r in rows] == [0, 0, 0, 1]
    assert truth.grade({"z_Y": {"11": 0, "else": "off"}, "Y": "0001"}).status is Status.CORRECT


def test_forward_at_the_boundary_reports_zero_and_fires():
    truth = solve(REPRO, "f", solve_forward)
    assert truth.expected == [0, 1]  # z_Y = 0.7 + 0.1 - 0.8 = 0; step(0) = 1
    assert truth.grade([0, 1]).status is Status.CORRECT


def test_a_decimal_design_on_the_boundary_is_correct_with_the_note():
    verdict = solve(REPRO, "r", solve_realize).grade({"Y": {"w": [0.7, 0.1], "b": -0.8}})
    assert verdict.status is Status.CORRECT
    assert verdict.message == ("correct, on the boundary: Y sits exactly at z = 0 on 11 "
                               "(it relies on step(0) = 1)")


def test_a_design_clear_of_the_boundary_has_no_note():
    # z = a + b - 1.5: -1.5, -0.5, -0.5, 0.5: never 0.
    verdict = solve(REPRO, "r", solve_realize).grade({"Y": {"w": [1, 1], "b": -1.5}})
    assert (verdict.status, verdict.message) == (Status.CORRECT, None)


def realize(activation, domain, target="a and b"):
    tpl = {**TEMPLATE, "activation": activation}
    data = {"given": {"tpl": tpl},
            "parts": [{"id": "r", "ask": "realize", "template": "tpl", "target": target,
                       "domain": domain}]}
    return solve(data, "r", solve_realize)


def test_a_step_template_realises_in_the_bipolar_domain():
    truth = realize("step", "bipolar")
    # Inputs ±1; a step output is 0 or 1 whatever the domain: only ++ is true.
    assert truth.expected["rows"] == [[-1, -1, 0], [-1, 1, 0], [1, -1, 0], [1, 1, 1]]
    # z = a + b - 1.5: -3.5, -1.5, -1.5, 0.5 → 0, 0, 0, 1.
    assert truth.grade({"Y": {"w": [1, 1], "b": -1.5}}).status is Status.CORRECT
    # z = a + b + 0.5 fires on all but --: wrong on -+ and +-.
    wrong = truth.grade({"Y": {"w": [1, 1], "b": 0.5}})
    assert wrong.message == ("Y differs from the target on 2 of 4 rows: "
                             "row -+ gives 1, not 0; row +- gives 1, not 0")


def test_a_sign_template_realises_in_the_binary_domain():
    truth = realize("sign", "binary")
    # A sign output is -1 for false, whatever the domain.
    assert truth.expected["rows"] == [[0, 0, -1], [0, 1, -1], [1, 0, -1], [1, 1, 1]]
    # z = a + b - 1.5: -1.5, -0.5, -0.5, 0.5 → -1, -1, -1, +1.
    assert truth.grade({"Y": {"w": [1, 1], "b": -1.5}}).status is Status.CORRECT
    # z = a + b - 0.5 is OR: +1 on 01 and 10, where the target is false (-1).
    wrong = truth.grade({"Y": {"w": [1, 1], "b": -0.5}})
    assert wrong.message == ("Y differs from the target on 2 of 4 rows: "
                             "row 01 gives 1, not -1; row 10 gives 1, not -1")


def test_a_sign_template_in_the_bipolar_domain():
    truth = realize("sign", "bipolar", "a or b")
    assert truth.expected["rows"] == [[-1, -1, -1], [-1, 1, 1], [1, -1, 1], [1, 1, 1]]
    # z = a + b + 1: -1, 1, 1, 3 → -1, +1, +1, +1.
    assert truth.grade({"Y": {"w": [1, 1], "b": 1}}).status is Status.CORRECT


def test_a_sigmoid_output_keeps_its_class_reading():
    truth = realize("sigmoid", "bipolar")
    # The class of a sigmoid is 1 from 0.5 up; its off value is 0.
    assert truth.expected["rows"] == [[-1, -1, 0], [-1, 1, 0], [1, -1, 0], [1, 1, 1]]
    # z = a + b - 1: -3, -1, -1, 1 → σ < 0.5 but on ++.
    assert truth.grade({"Y": {"w": [1, 1], "b": -1}}).status is Status.CORRECT


def test_a_sign_design_on_the_boundary_names_sign_of_zero():
    truth = realize("sign", "binary")
    # z = 0.7a + 0.1b - 0.8 is 0 on row 11 (by hand; -8.3e-17 in floats): sign(0) = +1.
    verdict = truth.grade({"Y": {"w": [0.7, 0.1], "b": -0.8}})
    assert verdict.status is Status.CORRECT
    assert verdict.message == ("correct, on the boundary: Y sits exactly at z = 0 on 11 "
                               "(it relies on sign(0) = 1)")
