"""Truth-table answers: the three written forms, listed rows, partial credit and messages."""

from __future__ import annotations

import pytest

from conftest import context
from nncheck.compare.tolerance import Tolerance
from nncheck.compare.verdict import Status
from nncheck.errors import ProblemError
from nncheck.solvers.networks import STRICT_MISTAKE, solve_truth_table

# y = m1 AND m2 (z = m1 + m2 - 2, step): on row 11, z = 0 exactly.
AND = {
    "given": {"net": {"kind": "network", "inputs": ["m1", "m2"], "activation": "step",
                      "layers": [{"y": {"w": [1, 1], "b": -2}}]}},
    "parts": [{"id": "t", "ask": "truth_table", "network": "net"}],
}


def grade(claimed, **part):
    data = {**AND, "parts": [{**AND["parts"][0], **part}]}
    return solve_truth_table(context(data).part, context(data)).grade(claimed)


@pytest.mark.parametrize(
    "claimed",
    [
        pytest.param({"y": [0, 0, 0, 1]}, id="canonical-list"),
        pytest.param({"y": "0001"}, id="bit-string"),
        pytest.param({"y": "00 01"}, id="bit-string-spaced"),
        pytest.param({"y": {"11": 1, "else": 0}}, id="pattern-else"),
        pytest.param({"y": {"1*": "off", "11": "on", "0*": "off"}}, id="wildcard-on-off"),
        pytest.param({"columns": ["y", "m2", "m1"], "rows": [[1, 1, 1], [0, 0, 0], [0, 1, 0],
                                                             [0, 0, 1]]}, id="rows-any-order"),
        pytest.param({"y": [False, False, False, True]}, id="booleans"),
    ],
)
def test_every_written_form_of_the_right_table_is_correct(claimed):
    assert grade(claimed).status is Status.CORRECT


def test_a_wrong_cell_names_the_row_and_value():
    verdict = grade({"y": "0000"})
    assert verdict.status is Status.WRONG
    assert verdict.message == "row 11: y is 0, not 1"
    # All-zero is exactly what a unit firing only for z > 0 gives.
    assert verdict.mistakes == (STRICT_MISTAKE,)


def test_missing_rows_fail_unless_listed():
    listed = {"columns": ["m1", "m2", "y"], "rows": [[1, 1, 1], [0, 1, 0]]}
    assert grade(listed).status is Status.WRONG
    assert "row 00 is missing" in grade(listed).message
    assert grade(listed, rows="listed").status is Status.CORRECT


def test_partial_credit_is_the_fraction_of_right_rows():
    verdict = grade({"y": "0011"}, partial=True)
    assert verdict.status is Status.WRONG
    assert verdict.fraction == pytest.approx(3 / 4)


def test_pre_activation_cells_compare_with_tolerance_and_off_means_negative():
    # z_y = m1 + m2 - 2: -2, -1, -1, 0. "on" means z >= 0.
    assert grade({"z_y": [-2, -1, -1, 0]}, columns=["z_y"]).status is Status.CORRECT
    assert grade({"z_y": {"11": 0, "else": "off"}}, columns=["z_y"]).status is Status.CORRECT
    assert grade({"z_y": {"11": "on", "else": "off"}}, columns=["z_y"]).status is Status.CORRECT
    wrong = grade({"z_y": {"11": "off", "else": "off"}}, columns=["z_y"])
    assert wrong.message == "row 11: z_y is off, not 0"


@pytest.mark.parametrize(
    ("claimed", "message"),
    [
        pytest.param({"y": {11: 1, "else": 0}}, 'quote bit patterns ("11")', id="unquoted"),
        pytest.param({"y": [0, 1]}, "2 cells for 4 rows", id="short-column"),
        pytest.param({"columns": ["m1", "m2", "y"], "rows": [[1, 1, 1], [1, 1, 0]]},
                     "disagree", id="contradicting-rows"),
        pytest.param({"q": [0, 0, 0, 1]}, "column `q` is not asked", id="unknown-column"),
        pytest.param({"columns": ["m1", "y"], "rows": [[1, 1]]}, "input column `m2`",
                     id="rows-without-inputs"),
        pytest.param([0, 0, 0, 1], "expected a table", id="a-list"),
    ],
)
def test_unreadable_tables_are_invalid_with_a_reason(claimed, message):
    verdict = grade(claimed)
    assert verdict.status is Status.INVALID
    assert message in verdict.message


def table(network, tolerance=None, **part):
    data = {"given": {"net": {"kind": "network", **network}},
            "parts": [{"id": "t", "ask": "truth_table", "network": "net", **part}]}
    ctx = context(data, tolerance=tolerance or Tolerance())  # the tolerance in force
    return solve_truth_table(ctx.part, ctx)


SIGMOID = {"inputs": ["a", "b"], "activation": "sigmoid", "layers": [{"Y": {"w": [1, 1], "b": -1}}]}


def test_continuous_unit_cells_compare_with_the_parts_tolerance():
    # z = a + b - 1: -1, 0, 0, 1; σ(-1) = 0.268941, σ(0) = 0.5, σ(1) = 0.731059.
    truth = table(SIGMOID)
    assert truth.grade({"Y": [0.269, 0.5, 0.5, 0.731]}).status is Status.CORRECT  # within 1%
    wrong = truth.grade({"Y": [0.3, 0.5, 0.5, 0.731]})  # 0.3 is 11.5% off 0.268941
    assert wrong.message == "row 00: Y is 0.3, not 0.268941"
    strict = table(SIGMOID, Tolerance(sigfigs=4))  # 0.269 is not 0.2689
    assert strict.grade({"Y": [0.269, 0.5, 0.5, 0.731]}).status is Status.WRONG
    assert strict.grade({"Y": [0.2689, 0.5, 0.5, 0.7311]}).status is Status.CORRECT
    # A sigmoid has values, not on/off states.
    words = truth.grade({"Y": {"11": "on", "else": "off"}})
    assert words.status is Status.INVALID
    assert "sigmoid unit has values, not on/off" in words.message


def test_threshold_activation_cells_stay_exact():
    # y = step(m1 + m2 - 2): 0, 0, 0, 1. 0.999 is not 1, though within 1%.
    assert grade({"y": [0, 0, 0, 0.999]}).status is Status.WRONG
    assert grade({"y": [0, 0, 0, "3/3"]}).status is Status.CORRECT


STEP_AND = {"inputs": ["a", "b"], "activation": "step",
            "layers": [{"Y": {"w": [1, 1], "b": -1.5}}]}


def test_a_step_unit_in_the_bipolar_domain_is_off_at_zero():
    # Bipolar inputs, step unit: z = a + b - 1.5 = -3.5, -1.5, -1.5, 0.5 → 0, 0, 0, 1.
    truth = table(STEP_AND, domain="bipolar")
    assert truth.expected["rows"] == [[-1, -1, 0], [-1, 1, 0], [1, -1, 0], [1, 1, 1]]
    assert truth.grade({"Y": {"++": "on", "else": "off"}}).status is Status.CORRECT
    assert truth.grade({"Y": [False, False, False, True]}).status is Status.CORRECT
    assert truth.grade({"Y": "0001"}).status is Status.CORRECT
    # off is 0 for a step unit, so -1 cells are wrong.
    assert truth.grade({"Y": [-1, -1, -1, 1]}).message == \
        "3 of 4 rows differ: row --: Y is -1, not 0; row -+: Y is -1, not 0; " \
        "row +-: Y is -1, not 0"
    # Inputs written as rows are read in the domain: ±1, or on/off for +1/-1.
    rows = {"columns": ["a", "b", "Y"], "rows": [["off", "off", 0], [-1, 1, 0], [1, -1, "off"],
                                                  [1, "on", 1]]}
    assert truth.grade(rows).status is Status.CORRECT


def test_a_sign_unit_in_the_binary_domain_is_minus_one_when_off():
    # Binary inputs, sign unit: z = a + b - 1.5 = -1.5, -0.5, -0.5, 0.5 → -1, -1, -1, +1.
    truth = table({**STEP_AND, "activation": "sign"})
    assert truth.expected["rows"] == [[0, 0, -1], [0, 1, -1], [1, 0, -1], [1, 1, 1]]
    assert truth.grade({"Y": {"11": "on", "else": "off"}}).status is Status.CORRECT
    assert truth.grade({"Y": "---+"}).status is Status.CORRECT
    assert truth.grade({"Y": [-1, -1, -1, 1]}).status is Status.CORRECT
    assert truth.grade({"Y": "0001"}).message == \
        "3 of 4 rows differ: row 00: Y is 0, not -1; row 01: Y is 0, not -1; row 10: Y is 0, not -1"


def test_a_bit_string_read_as_a_number_says_to_quote_it():
    # YAML reads {Y: 0001} as the integer 1 (and 0110 as 110): the bits are padded back.
    verdict = grade({"y": 1})
    assert verdict.status is Status.INVALID
    assert verdict.message == ("column `y` was read as the number 1: a bit string written "
                               'without quotes is read as a number — quote it ("0001")')
    assert grade({"y": 110}).message.endswith('quote it ("0110")')
    assert grade({"y": 7}).message.endswith("quote it")  # not bits: no guess


def test_a_wide_table_counts_every_wrong_row_and_builds_few():
    # Y = AND of 16 inputs (z = Σx - 15.5): 1 only on the last of 65536 rows.
    names = [f"x{i}" for i in range(16)]
    truth = table({"inputs": names, "activation": "step",
                   "layers": [{"Y": {"w": 1, "b": -15.5}}]}, partial=True)
    verdict = truth.grade({"Y": {"else": 1}})
    assert verdict.message == (
        "65535 of 65536 rows differ: row 0000000000000000: Y is 1, not 0; "
        "row 0000000000000001: Y is 1, not 0; row 0000000000000010: Y is 1, not 0 "
        "(and 65532 more)")
    assert verdict.fraction == 1 / 65536
    assert len(verdict.detail.wrong_rows) == 65535
    assert verdict.detail.wrong_rows[-1].row == "1111111111111110"
    # A pattern with wildcards matches its rows: 1*** ... fixes x0 = 1, so 32768 rows; with
    # the last row given 1 by a later pattern, the 32767 others of 1*... are wrong.
    half = truth.grade({"Y": {"1" + "*" * 15: 1, "1" * 16: 1, "else": 0}})
    assert half.message == (  # the first three of them in counting order, then the rest
        "32767 of 65536 rows differ: row 1000000000000000: Y is 1, not 0; "
        "row 1000000000000001: Y is 1, not 0; row 1000000000000010: Y is 1, not 0 "
        "(and 32764 more)")
    assert half.fraction == pytest.approx(32769 / 65536)
    assert truth.grade({"Y": {"1" * 16: 1, "else": 0}}).status is Status.CORRECT
    assert truth.grade({"Y": "0" * 65535 + "1"}).status is Status.CORRECT
    missing = truth.grade({"Y": {"1" * 16: 1}})
    assert missing.message == (
        "65535 of 65536 rows differ: row 0000000000000000 is missing; "
        "row 0000000000000001 is missing; row 0000000000000010 is missing (and 65532 more)")


ALIASED = {
    "aliases": {"a11": "h1", "a21": "Y"},
    "given": {"net": {"kind": "network", "inputs": ["a", "b"], "activation": "step",
                      "layers": [{"h1": {"w": [1, 1], "b": -0.5}}, {"Y": {"w": 1, "b": -1}}]}},
    "parts": [{"id": "t", "ask": "truth_table", "network": "net", "columns": ["a11", "z_Y", "Y"]}],
}


def test_columns_may_be_named_by_the_problems_aliases():
    ctx = context(ALIASED)
    truth = solve_truth_table(ctx.part, ctx)
    # h1 = OR: 0, 1, 1, 1; z_Y = h1 - 1: -1, 0, 0, 0; Y = step: 0, 1, 1, 1.
    assert truth.expected["columns"] == ["a", "b", "h1", "z_Y", "Y"]
    assert truth.expected["rows"] == [[0, 0, 0, -1, 0], [0, 1, 1, 0, 1], [1, 0, 1, 0, 1],
                                      [1, 1, 1, 0, 1]]
    assert truth.grade({"a11": "0111", "z_Y": [-1, 0, 0, 0], "a21": "0111"}).status \
        is Status.CORRECT
    rows = {"columns": ["a", "b", "h1", "z_Y", "a21"],
            "rows": [[0, 0, 0, -1, 0], [0, 1, 1, 0, 1], [1, 0, 1, 0, 1], [1, 1, 1, 0, 1]]}
    assert truth.grade(rows).status is Status.CORRECT
    twice = truth.grade({"a11": "0111", "h1": "0111", "z_Y": [-1, 0, 0, 0], "Y": "0111"})
    assert (twice.status, twice.message) == \
        (Status.INVALID, "column `h1` is given twice (as `a11` and `h1`)")


def test_an_unknown_column_is_named_with_a_suggestion():
    data = {**ALIASED, "parts": [{**ALIASED["parts"][0], "columns": ["h11"]}]}
    ctx = context(data)
    with pytest.raises(ProblemError) as exc:
        solve_truth_table(ctx.part, ctx)
    assert str(exc.value) == ("`columns: h11` is not a symbol of network `net` — an input, "
                              "a unit, or z_<unit> (did you mean `h1`?)")


def test_a_relu_output_realises_a_target_with_its_zero_as_off():
    # y = relu(a + b - 1.5): 0, 0, 0, 0.5 on rows 00, 01, 10, 11: AND, with relu's 0 as off.
    from nncheck.solvers.networks import solve_realize

    data = {"given": {"t": {"kind": "network", "inputs": ["a", "b"], "activation": "relu",
                            "layers": [["y"]]}},
            "parts": [{"id": "r", "ask": "realize", "template": "t", "target": "a and b"}]}
    ctx = context(data)
    truth = solve_realize(ctx.part, ctx)
    assert truth.grade({"y": {"w": [1, 1], "b": -1.5}}).status is Status.CORRECT
    assert truth.grade({"y": {"w": [1, 1], "b": -0.5}}).status is Status.WRONG  # OR


def test_points_never_show_as_a_bare_point():
    from nncheck.render.view import _num

    assert [_num(x) for x in (6, 0.5, 4 / 3, 1 / 1048576)] == ["6", "0.5", "1.33", "9.5e-07"]
