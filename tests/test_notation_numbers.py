"""Numbers as people write them (compare/notation.py), graded end to end.

Every truth below is worked out by hand:
- `big`: Dense(100) on 270,000 inputs (Keras) has 270000 · 100 + 100 = 27,000,100 parameters.
- `huge`: Dense(10^8) on 10^8 inputs has 10^8 · 10^8 + 10^8 = 10,000,000,100,000,000, past
  2^53 (9,007,199,254,740,992): float64 cannot tell it from its neighbour, exact integers can.
- `mse`: the mean squared error of the prediction 0.3 against 0 is 0.3² = 0.09 (9 %).
- `small`: of 0.04 against 0 it is 0.04² = 0.0016 = 1.6 × 10⁻³.
- `quarter`: of 0.5 against 0.25 it is 0.25² = 0.0625 (6.25 %).
- `pair`: a linear unit a = 1.5·x and b = 0.25·x at x = 1: [1.5, 0.25]; `digits`: [1, 5].
- `money`: a linear unit 1234.5·x at x = 1 is 1234.5.
"""

from __future__ import annotations

from typing import Any

import pytest
from typer.testing import CliRunner

from conftest import make_problem
from nncheck.cli import app
from nncheck.compare.numeric import read_exprs
from nncheck.compare.verdict import Status
from nncheck.grading import Bank, LoadedProblem, grade_sheet


def linear(**units: list[float]) -> dict[str, Any]:
    return {"kind": "network", "inputs": ["x"], "layers": [
        {"activation": "linear", "units": {n: {"w": w, "b": 0} for n, w in units.items()}}]}


PROBLEM: dict[str, Any] = {
    "id": "nums",
    "given": {
        "wide": {"kind": "model", "input": [270000], "layers": [{"dense": 100}]},
        "giant": {"kind": "model", "input": [100000000], "layers": [{"dense": 100000000}]},
        "pair": linear(a=[1.5], b=[0.25]),
        "digits": linear(a=[1], b=[5]),
        "money": linear(m=[1234.5]),
    },
    "parts": [
        {"id": "big", "ask": "param_count", "model": "wide"},
        {"id": "huge", "ask": "param_count", "model": "giant"},
        {"id": "mse", "ask": "loss", "fn": "mse", "y_true": [0], "y_pred": [0.3]},
        {"id": "small", "ask": "loss", "fn": "mse", "y_true": [0], "y_pred": [0.04]},
        {"id": "quarter", "ask": "loss", "fn": "mse", "y_true": [0.25], "y_pred": [0.5]},
        {"id": "pair", "ask": "forward", "network": "pair", "input": {"x": 1}},
        {"id": "digits", "ask": "forward", "network": "digits", "input": {"x": 1}},
        {"id": "money", "ask": "forward", "network": "money", "input": {"x": 1}},
    ],
}


def graded(part: str, claim: Any, problem: dict[str, Any] = PROBLEM, *,
           decimal_comma: bool = False) -> Any:
    loaded = make_problem(problem)
    bank = Bank({str(loaded.id): LoadedProblem(loaded, "nums.yaml")})
    result = grade_sheet(bank, {str(loaded.id): {part: claim}}, decimal_comma=decimal_comma)
    return next(p for p in result.problems[0].parts if p.id == part)


def value(claim: Any, names: frozenset[str] = frozenset()) -> float:
    (e,) = read_exprs(claim, names=names)
    return float(e.evaluate({}))


# (part, as written, the value it reads as, by hand, a wrong value in the same notation)
NOTATIONS = [
    pytest.param("big", "27,000,100", 27000100, "27,000,101", id="comma-thousands"),
    pytest.param("big", "27 000 100", 27000100, "27 000 010", id="space-thousands"),
    pytest.param("big", "27\u00a0000\u00a0100", 27000100, "27\u00a0100\u00a0000",
                 id="no-break-space-thousands"),
    pytest.param("big", "27\u202f000\u202f100", 27000100, "27\u202f000\u202f000",
                 id="narrow-no-break-space-thousands"),
    pytest.param("big", "27\u2009000\u2009100", 27000100, "26\u2009000\u2009100",
                 id="thin-space-thousands"),
    pytest.param("big", "27_000_100", 27000100, "27_000_001", id="underscore-thousands"),
    pytest.param("big", "27٬000٬100", 27000100, "27٬000٬000", id="persian-thousands"),
    pytest.param("big", "۲۷٬۰۰۰٬۱۰۰", 27000100, "۲۷٬۰۰۰٬۰۰۰", id="persian-digits-thousands"),
    pytest.param("big", "270,001 × 100", 27000100, "270,000 × 100", id="thousands-in-product"),
    pytest.param("money", "1,234.5", 1234.5, "1,334.5", id="thousands-and-point"),
    pytest.param("mse", "9%", 0.09, "8%", id="percent"),
    pytest.param("quarter", "6.25 %", 0.0625, "6.5 %", id="percent-spaced"),
    pytest.param("mse", "٠٫٠٩", 0.09, "٠٫٠٨", id="arabic-decimal-separator"),
    pytest.param("mse", "۰٫۰۹", 0.09, "۰٫۹", id="persian-decimal-separator"),
    pytest.param("small", "1.6e-3", 0.0016, "1.6e-4", id="e"),
    pytest.param("small", "1.6E-3", 0.0016, "1.6E-2", id="capital-E"),
    pytest.param("small", "1.6×10^-3", 0.0016, "1.6×10^-4", id="times-sign-power"),
    pytest.param("small", "1.6*10^-3", 0.0016, "1.6*10^3", id="star-power"),
    pytest.param("small", "1.6x10^-3", 0.0016, "1.6x10^-2", id="x-power"),
    pytest.param("small", "1.6X10^-3", 0.0016, "6.1X10^-3", id="capital-X-power"),
    pytest.param("small", "1.6 · 10⁻³", 0.0016, "1.6 · 10⁻²", id="superscript-power"),
    pytest.param("small", "16 × 10⁻⁴", 0.0016, "16 × 10⁻³", id="superscript-two-digits"),
    pytest.param("small", "0.0000016 × 10⁺³", 0.0016, "0.0000016 × 10⁺⁴",
                 id="superscript-plus"),
    pytest.param("mse", "≈ 0.09", 0.09, "≈ 0.9", id="approx"),
    pytest.param("mse", "= 0.09", 0.09, "= 0.0009", id="equals"),
    pytest.param("mse", "~0.09", 0.09, "~0.08", id="tilde"),
    pytest.param("mse", "≃ 0.09", 0.09, "≃ 0.19", id="asymptotically-equal"),
]


@pytest.mark.parametrize(("part", "claim", "reads", "wrong"), NOTATIONS)
def test_a_number_is_read_as_written_by_hand(part: str, claim: str, reads: float,
                                              wrong: str) -> None:
    assert value(claim) == pytest.approx(reads, rel=1e-12)


@pytest.mark.parametrize(("part", "claim", "reads", "wrong"), NOTATIONS)
def test_a_number_in_any_notation_is_graded_correct(part: str, claim: str, reads: float,
                                                     wrong: str) -> None:
    result = graded(part, claim)
    assert result.status is Status.CORRECT, result.message


@pytest.mark.parametrize(("part", "claim", "reads", "wrong"), NOTATIONS)
def test_the_same_notation_with_a_wrong_value_is_graded_wrong(part: str, claim: str,
                                                              reads: float, wrong: str) -> None:
    assert graded(part, wrong).status is Status.WRONG


def test_a_count_with_separators_is_compared_exactly() -> None:
    off = graded("big", "27,000,101")
    # Off by 1: 1 / 27000100 = 0.0000037 %, under the 0.001 % a percentage is shown to.
    assert off.message == "expected 27000100, got 27000101: off by 1 (under 0.001 %)"
    # Past 2^53, float64 holds 10^16 + 10^8 and 10^16 + 10^8 + 1 as one number.
    assert float(10**16 + 10**8) == float(10**16 + 10**8 + 1)
    assert graded("huge", "10,000,000,100,000,000").status is Status.CORRECT
    one_more = graded("huge", "10 000 000 100 000 001")
    assert one_more.status is Status.WRONG
    assert one_more.message == "expected 10000000100000000, got 10000000100000001"


def test_a_count_written_with_x_is_read_as_a_product_with_a_note() -> None:
    # 27,000,100 = 270,001 · 100
    part = graded("big", "270001 x 100")
    assert part.status is Status.CORRECT
    assert part.message == "read as the product 270001 × 100"


@pytest.mark.parametrize(("claim", "message"), [
    pytest.param("27,00,100", "the digit groups of `27,00,100` are not thousands (groups of 3)",
                 id="groups-of-two"),
    pytest.param("2,70,00,100", "the digit groups of `2,70,00,100` are not thousands (groups "
                 "of 3)", id="lakh-grouping"),
    pytest.param("27000,100", "`27000,100` has a comma inside a number", id="long-first-group"),
])
def test_digit_groups_that_are_not_thousands_are_invalid_with_a_hint(claim: str,
                                                                    message: str) -> None:
    part = graded("big", claim)
    assert part.status is Status.INVALID
    assert part.message.startswith(message)


@pytest.mark.parametrize("claim", ["0,09", "1,5", "1,00"])
def test_a_decimal_comma_not_declared_is_invalid_and_says_how_to_declare_it(claim: str) -> None:
    part = graded("mse", claim)
    assert part.status is Status.INVALID
    plain = claim.replace(",", ".")
    assert part.message == (
        f"`{claim}` has a comma inside a number — `{plain}` with a decimal point, or a list "
        "for several values (a decimal comma is read only where the problem or the sheet "
        "declares `decimal_comma: true`)")


def test_in_a_vector_a_comma_separates_values() -> None:
    assert [float(e.evaluate({})) for e in read_exprs("1,5", length=2)] == [1.0, 5.0]
    assert graded("digits", "1,5").status is Status.CORRECT
    assert graded("digits", "(1,5)").status is Status.CORRECT
    assert graded("digits", "1,6").status is Status.WRONG


def test_a_decimal_comma_declared_by_the_problem() -> None:
    problem = {**PROBLEM, "decimal_comma": True}
    assert graded("mse", "0,09", problem).status is Status.CORRECT
    assert graded("mse", "0,08", problem).status is Status.WRONG
    assert graded("pair", "1,5; 0,25", problem).status is Status.CORRECT
    assert graded("pair", "(1,5; 0,25)", problem).status is Status.CORRECT
    assert graded("pair", ["1,5", "0,25"], problem).status is Status.CORRECT
    assert graded("pair", "1,5; 0,35", problem).status is Status.WRONG
    assert graded("money", "1 234,5", problem).status is Status.CORRECT
    assert graded("mse", "0.09", problem).status is Status.CORRECT  # a point still reads


def test_a_decimal_comma_declared_by_the_sheet() -> None:
    assert graded("mse", "0,09", decimal_comma=True).status is Status.CORRECT
    assert graded("mse", "0,9", decimal_comma=True).status is Status.WRONG
    assert graded("pair", "1,5; 0,25", decimal_comma=True).status is Status.CORRECT


def test_a_sheet_file_declares_its_decimal_comma(tmp_path) -> None:
    bank = tmp_path / "bank"
    bank.mkdir()
    (bank / "nums.yaml").write_text(
        "id: nums\ngiven: {}\nparts:\n"
        "  - {id: mse, ask: loss, fn: mse, y_true: [0], y_pred: [0.3]}\n", encoding="utf-8")
    sheet = tmp_path / "s.yaml"
    sheet.write_text("student: {id: s1}\ndecimal_comma: true\nanswers:\n  nums: {mse: '0,09'}\n",
                     encoding="utf-8")
    result = CliRunner().invoke(app, ["check", str(sheet), "--problems", str(bank),
                                      "--format", "text"])
    assert result.exit_code == 0, result.output
    plain = tmp_path / "plain.yaml"
    plain.write_text("student: {id: s2}\nanswers:\n  nums: {mse: '0,09'}\n", encoding="utf-8")
    result = CliRunner().invoke(app, ["check", str(plain), "--problems", str(bank),
                                      "--format", "text"])
    assert result.exit_code == 1
    assert "decimal_comma: true" in result.stdout


def test_a_decimal_comma_is_a_sheet_and_problem_key_in_the_schema() -> None:
    from nncheck.spec.schema import problem_schema, sheet_schema

    assert sheet_schema()["properties"]["decimal_comma"]["type"] == "boolean"
    assert problem_schema()["properties"]["decimal_comma"]["type"] == "boolean"


FORMULA = {"id": "f", "parts": [
    {"id": "twice", "ask": "formula", "reference": "2*x", "symbols": {"x": {"integer": [1, 9]}}},
    {"id": "sub", "ask": "formula", "reference": "2*x3",
     "symbols": {"x3": {"integer": [1, 9]}}},
    {"id": "six", "ask": "formula", "reference": "6*n", "symbols": {"n": {"integer": [1, 9]}}},
]}


def test_x_next_to_a_bound_name_is_the_name_not_a_times_sign() -> None:
    assert graded("twice", "2x", FORMULA).status is Status.CORRECT
    assert graded("twice", "2 x", FORMULA).status is Status.CORRECT
    # `x3` is bound: `2x3` is 2·x3, not 2·3 = 6
    assert graded("sub", "2x3", FORMULA).status is Status.CORRECT
    assert graded("sub", "6", FORMULA).status is Status.WRONG
    # no `x` bound: between two numbers it is a times sign, so 2x3n is 2·3·n = 6n
    assert graded("six", "2x3n", FORMULA).status is Status.CORRECT
    assert graded("six", "2x4n", FORMULA).status is Status.WRONG


def test_x_between_numbers_is_read_only_where_no_name_is_bound() -> None:
    assert value("2x3") == 6.0
    with pytest.raises(Exception, match="unknown name `x3`"):
        read_exprs("2x3", names={"x3"})[0].evaluate({})


@pytest.mark.parametrize(("claim", "message"), [
    pytest.param("(1000, 2000)", "2 values where one number is expected — one number or "
                 "expression", id="tuple"),
    pytest.param("1000; 2000", "2 values where one number is expected — one number or "
                 "expression", id="semicolons"),
    pytest.param("[27000100]", "a list where one number is expected — the number alone, "
                 "without brackets", id="bracketed"),
    pytest.param("27.000.100", "`27.000.100` has more than one decimal point — `27000100` "
                 "(or `27,000,100`) if the points group thousands", id="dotted-thousands"),
])
def test_a_claim_unreadable_as_one_number_says_what_was_likely_meant(claim: str,
                                                                     message: str) -> None:
    part = graded("big", claim)
    assert part.status is Status.INVALID
    assert part.message == message


def test_superscript_powers_in_a_formula() -> None:
    square = {"id": "sq", "parts": [{"id": "s", "ask": "formula", "reference": "x^2 + 1",
                                     "symbols": {"x": {"integer": [1, 9]}}}]}
    assert value("3²") == 9.0 and value("2⁻¹") == 0.5 and value("10⁺²") == 100.0
    assert graded("s", "x² + 1", square).status is Status.CORRECT
    assert graded("s", "x³ + 1", square).status is Status.WRONG
