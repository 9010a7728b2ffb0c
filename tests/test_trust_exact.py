"""Trust in exact answers: counts beyond 2^53 judged on the digits written, and z = 0 decided
exactly on every row of a table, however many rows sit near it.

Each test states the truth by hand (or the documented rule) and the answer it stands for.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from conftest import context
from nncheck.cli import app
from nncheck.compare.verdict import Status
from nncheck.solvers.networks import solve_realize, solve_truth_table

# --- counts above 2^53 -----------------------------------------------------------------------

# dense(134217728) on 134217727 features: 134217727 · 134217728 weights + 134217728 biases
# = 134217728 · (134217727 + 1) = 2^27 · 2^27 = 2^54 = 18014398509481984. Float64 steps by 4
# there: 18014398509481985 is not a float64, and reads as 18014398509481984.
HUGE = """\
id: big
given:
  m: {kind: model, framework: keras, input: [134217727], layers: [{dense: 134217728}]}
parts:
  - {id: count, ask: param_count, model: m}
"""
TWO_TO_54 = 18014398509481984
assert TWO_TO_54 == 2**54 == 134217727 * 134217728 + 134217728
INEXACT = ("cannot be compared exactly above 2^53: the answer has no exact value (a function "
           "such as sqrt or log, or a number of too many digits); write it with integers and "
           "+ - * / ^")


def check(tmp_path: Path, bank_text: str, answer: str, problem: str = "big",
          part: str = "count") -> dict:
    """The JSON result of one part, the answer written into the sheet's YAML as is."""
    bank = tmp_path / "bank"
    bank.mkdir(exist_ok=True)
    (bank / f"{problem}.yaml").write_text(bank_text, encoding="utf-8")
    sheet = tmp_path / "s.yaml"
    sheet.write_text(f"student: {{id: s, name: S}}\nanswers:\n  {problem}:\n    {part}: {answer}\n",
                     encoding="utf-8")
    result = CliRunner().invoke(app, ["check", str(sheet), "-p", str(bank), "--format", "json"])
    assert result.exit_code in (0, 1), result.output
    return json.loads(result.stdout)["problems"][0]["parts"][0]


@pytest.mark.parametrize(("answer", "status"), [
    # One more than 2^54, as an unquoted float: the written digits, not the float64, count.
    pytest.param("18014398509481985.0", "wrong", id="unquoted-float-plus-one"),
    pytest.param("-18014398509481985.0", "wrong", id="unquoted-negative-float"),
    pytest.param("!!float 18014398509481985", "wrong", id="tagged-float-plus-one"),
    pytest.param('"18014398509481985.0"', "wrong", id="quoted-float-plus-one"),
    pytest.param("18014398509481985", "wrong", id="integer-plus-one"),
    # 2^54 itself, as an integer, an unquoted float or an integer expression: correct.
    pytest.param("18014398509481984", "correct", id="integer"),
    pytest.param("18014398509481984.0", "correct", id="unquoted-float"),
    pytest.param("1.8014398509481984e16", "correct", id="unquoted-exponent"),
    pytest.param('"2^54"', "correct", id="power"),
])
def test_a_count_above_2_to_the_53_is_judged_on_the_digits_written(tmp_path, answer, status):
    part = check(tmp_path, HUGE, answer)
    assert part["expected"] == TWO_TO_54
    assert part["status"] == status


@pytest.mark.parametrize("answer", [
    # sqrt(2^108) + 1 = 2^54 + 1, and 18014398509481985 + 0·log 2 = 2^54 + 1: both one too
    # many, and both 2^54 in float64. Neither has an exact value here (a function).
    pytest.param('"sqrt(2^108) + 1"', id="sqrt-plus-one"),
    pytest.param('"18014398509481985 + 0*log(2)"', id="plus-zero-log"),
    # Right in value, but no more provable than the two above: not judged either.
    pytest.param('"sqrt(2^108)"', id="sqrt-right-value"),
])
def test_an_answer_with_no_exact_value_above_2_to_the_53_is_not_judged(tmp_path, answer):
    part = check(tmp_path, HUGE, answer)
    assert (part["status"], part["message"]) == ("invalid", INEXACT)


def test_an_expression_with_a_digit_string_too_long_to_read_exactly_is_not_judged(tmp_path):
    # 1e-99999999 has a denominator of 10^99999999: not read exactly (that would take minutes),
    # so 2^54 + 1e-99999999, which float64 holds as 2^54, cannot be judged equal to 2^54.
    part = check(tmp_path, HUGE, '"18014398509481984 + 1e-99999999"')
    assert (part["status"], part["message"]) == ("invalid", INEXACT)


# dense(1000) on 1000 features: 1000 · 1000 + 1000 = 1001000, far below 2^53.
SMALL = HUGE.replace("[134217727]", "[1000]").replace("134217728", "1000")


@pytest.mark.parametrize(("answer", "status"), [
    pytest.param("1001000.0", "correct", id="float"),
    pytest.param('"sqrt(1001000^2)"', "correct", id="sqrt"),
    pytest.param('"1001000 + 0*log(2)"', "correct", id="log"),
    pytest.param('"sqrt(1001001^2)"', "wrong", id="sqrt-wrong"),
])
def test_below_2_to_the_53_a_float_equal_to_the_count_is_still_fine(tmp_path, answer, status):
    part = check(tmp_path, SMALL, answer)
    assert (part["expected"], part["status"]) == (1001000, status)


def test_a_class_tells_apart_two_floats_that_float64_cannot(tmp_path):
    # Two sheets in one class, 2^54 and 2^54 + 1 as unquoted floats: the same float64, but
    # not the same answer; the verdict of the first may not be reused for the second.
    bank = tmp_path / "bank"
    bank.mkdir()
    (bank / "big.yaml").write_text(HUGE, encoding="utf-8")
    sheets = tmp_path / "class"
    sheets.mkdir()
    for sid, answer in (("a", "18014398509481984.0"), ("b", "18014398509481985.0")):
        (sheets / f"{sid}.yaml").write_text(
            f"student: {{id: {sid}, name: S}}\nanswers:\n  big:\n    count: {answer}\n",
            encoding="utf-8")
    out = tmp_path / "out"
    result = CliRunner().invoke(app, ["grade", str(sheets), "-p", str(bank), "-o", str(out),
                                      "--jobs", "1"])
    assert result.exit_code == 1, result.output
    lines = [json.loads(x) for x in (out / "results.jsonl").read_text().splitlines()]
    status = {x["student"]["id"]: x["problems"][0]["parts"][0]["status"] for x in lines}
    assert status == {"a": "correct", "b": "wrong"}


# --- z = 0 decided on every row, however many sit near it ------------------------------------

# 18 inputs x1..x18; Y = step(1e17·x1 + 0.7·x2 + 0.1·x3 - 0.8·x4 - 1e17), x5..x18 unused.
# x1 = 0: z = -1e17 + at most 0.8, so Y = 0. x1 = 1: z = 0.7·x2 + 0.1·x3 - 0.8·x4, by hand
#   x2 x3 x4 = 000: 0     -> 1     100:  0.7 -> 1
#              001: -0.8  -> 0     101: -0.1 -> 0
#              010:  0.1  -> 1     110:  0.8 -> 1
#              011: -0.7  -> 0     111:  0   -> 1 (step(0) = 1)
# so Y = x1 and (not x4 or (x2 and x3)). In float64 every x1 = 1 row is within rounding of 0
# (1e17 - 1e17 cancels, the rest is below 1e17's last bit): 2^17 = 131,072 rows to decide.
INPUTS = [f"x{i}" for i in range(1, 19)]
WIDE = {"kind": "network", "inputs": INPUTS, "activation": "step",
        "layers": [{"Y": {"w": [1e17, 0.7, 0.1, -0.8] + [0] * 14, "b": -1e17}}]}
WIDE_TARGET = "x1 and (not x4 or (x2 and x3))"


def by_hand(row: int) -> int:
    """Y on a row numbered in binary counting, x1 the most significant of 18 bits."""
    x1, x2, x3, x4 = ((row >> (17 - i)) & 1 for i in range(4))
    return int(bool(x1 and (not x4 or (x2 and x3))))


def test_a_table_with_more_near_zero_rows_than_the_row_by_row_bound_is_exact():
    data = {"given": {"net": WIDE}, "parts": [{"id": "t", "ask": "truth_table",
                                               "network": "net"}]}
    ctx = context(data)
    rows = solve_truth_table(ctx.part, ctx).expected["rows"]
    assert len(rows) == 2**18
    # Row 212992 = 2^17 + 2^16 + 2^14: inputs 1,1,0,1,0,...: z = 0.7 - 0.8 = -0.1, Y = 0.
    assert rows[212992][:4] == [1, 1, 0, 1] and rows[212992][-1] == 0
    assert [r[-1] for r in rows] == [by_hand(i) for i in range(2**18)]


def test_a_design_with_more_near_zero_rows_than_the_bound_is_graded_exactly():
    data = {"given": {"tpl": {"kind": "network", "inputs": INPUTS, "activation": "step",
                              "layers": [["Y"]]}},
            "parts": [{"id": "r", "ask": "realize", "template": "tpl", "target": WIDE_TARGET}]}
    ctx = context(data)
    truth = solve_realize(ctx.part, ctx)
    design = WIDE["layers"][0]
    assert truth.grade(design).status is Status.CORRECT
    # The same but with x4's weight -0.7: on x1 x2 x3 x4 = 1101, z = 0.7 - 0.7 = 0 and Y = 1,
    # which the target says is 0; on every other row z keeps its sign. So exactly the rows
    # 1101* (2^14 of them) differ.
    off = {"Y": {"w": [1e17, 0.7, 0.1, -0.7] + [0] * 14, "b": -1e17}}
    verdict = truth.grade(off)
    assert verdict.status is Status.WRONG
    assert verdict.message.startswith(f"Y differs from the target on {2**14} of {2**18} rows")
