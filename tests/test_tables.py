"""Truth-table answers: the three written forms, listed rows, partial credit and messages."""

from __future__ import annotations

import pytest

from conftest import context
from nncheck.checking import Status
from nncheck.solvers.networks import STRICT_MISTAKE, solve_truth_table
from nncheck.tables import read_table

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


def test_bipolar_domain_reads_on_off_as_plus_minus_one():
    cells = read_table({"y": {"++": "on", "else": "off"}}, ["a", "b"], ["y"], "bipolar")
    assert [cells[r]["y"] for r in range(4)] == [-1.0, -1.0, -1.0, 1.0]
