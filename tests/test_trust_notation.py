r"""Answers written in LaTeX and in school notation, read as their writer meant them.

Every value below is worked out by hand beside the answer; the rules are those of
docs/format.md ("What students may write", "LaTeX and subscripts"):

- LaTeX is read as a whole before it is split into values: the commas of `w_{F,g1}`, `\,`
  (a thin space) and `{,}` (a comma between digits) separate nothing.
- A function written without parentheses takes the factors after it, each with its power, up
  to the next operator: `\ln e^2` = ln(e²) = 2, `\log_2 8x` = log2(8x).
- `\sqrt[3]{x}` is the real cube root: (-2)³ = -8, so `\sqrt[3]{-8}` = -2.
- A number right before `\frac` (2½ at school, 2·½ to LaTeX) and a double superscript are
  refused as ambiguous.
- Thousands never start with a group `0`: `0,125` is a decimal comma written by mistake.
- One leading `≈` is dropped, not two.
- `g_1` is the name `g1` where the part binds `g1` and not `g_1`.
"""

from __future__ import annotations

import math
from typing import Any

import pytest

from conftest import SEED
from nncheck import expr, grading
from nncheck.compare import notation
from nncheck.compare.numeric import read_claim
from nncheck.compare.verdict import Status
from nncheck.errors import AnswerError, ExprError, NncheckError

ENV = {"x": 3.0, "y": 5.0, "g1": 0.25, "a21": 0.25, "w_F_g1": 2.0}
NAMES = frozenset(ENV)


def values(claim: Any, length: int | None = None, names: frozenset[str] = NAMES,
           env: dict[str, float] | None = None) -> list[float]:
    exprs, _ = read_claim(claim, length=length, names=names)
    return [float(e.evaluate(ENV if env is None else env)) for e in exprs]


@pytest.fixture(scope="module")
def seed_bank() -> grading.Bank:
    return grading.load_bank(SEED)


def _part(bank: grading.Bank, problem: str, part: str, answer: object) -> Any:
    result = grading.grade_sheet(bank, {problem: {part: answer}})
    found = next(p for p in result.problems if p.id == problem)
    return next(p for p in found.parts if p.id == part)


# --- 1. LaTeX is read before it is split at commas -----------------------------------------


def test_a_gradient_naming_a_weight_with_a_comma_subscript_is_correct(seed_bank) -> None:
    # Q7(i): δ1 = ω^3_1 · a^2_1 (1 - a^2_1); FORMAT §3 names ω^3_1 `w_F_g1`, which LaTeX writes
    # `w_{F,g1}`: one name, not two values.
    answer = r"w_{F,g1} \cdot a_{21}(1 - a_{21})"
    assert _part(seed_bank, "q7-backprop", "i", answer).status is Status.CORRECT


@pytest.mark.parametrize(
    ("claim", "expected"),
    [
        # `\,` is a thin space: x·y = 3 · 5 = 15
        pytest.param(r"x\,y", 15.0, id="thin-space-product"),
        # a thin space or `{,}` between digit groups groups thousands: 1000
        pytest.param(r"1\,000", 1000.0, id="thin-space-thousands"),
        pytest.param(r"1{,}000", 1000.0, id="braced-comma-thousands"),
        pytest.param(r"$1{,}000{,}000$", 1000000.0, id="braced-comma-millions"),
        # max(1, 2) = 2: the comma separates the arguments of \max, not two answers
        pytest.param(r"\max\{1,2\}", 2.0, id="max-braces"),
        # w_F_g1 · g1 = 2 · 0.25 = 0.5
        pytest.param(r"w_{F,g1}\,g_{1}", 0.5, id="comma-subscript-times-name"),
    ],
)
def test_latex_commas_and_spacing_do_not_separate_values(claim: str, expected: float) -> None:
    assert values(claim) == [expected]


@pytest.mark.parametrize(
    ("claim", "expected"),
    [
        # the weight w_F_g1 = 2, then 2
        pytest.param(r"w_{F,g1}, 2", [2.0, 2.0], id="comma-subscript-in-a-vector"),
        pytest.param(r"\left(1, 2\right)", [1.0, 2.0], id="left-right-parentheses"),
        pytest.param(r"$(1, 2)$", [1.0, 2.0], id="dollars-around-a-vector"),
        pytest.param(r"\left[\frac{1}{2}, 3\right]", [0.5, 3.0], id="left-right-brackets"),
    ],
)
def test_a_vector_in_latex_has_as_many_values_as_written(claim: str,
                                                         expected: list[float]) -> None:
    assert values(claim, length=2) == expected


def test_latex_values_where_one_number_is_expected_are_still_refused() -> None:
    with pytest.raises(AnswerError, match="2 values where one number is expected"):
        values(r"\left(1, 2\right)")


# --- 2. an unparenthesised function takes its argument's power and product -----------------


@pytest.mark.parametrize(
    ("claim", "expected"),
    [
        # ln(e²) = 2 ln e = 2, not (ln e)² = 1
        pytest.param(r"\ln e^2", 2.0, id="ln-e-squared"),
        # ln(e^{-2}) = -2
        pytest.param(r"\ln e^{-2}", -2.0, id="ln-e-braced-power"),
        # log(x²) at x = 3: ln 9 = 2 ln 3 = 2.1972245773362196, not (ln 3)² = 1.2069...
        pytest.param(r"\log x^2", 2 * math.log(3), id="log-x-squared"),
        # exp(x²) at x = 3: e⁹, not (e³)² = e⁶
        pytest.param(r"\exp x^2", math.exp(9), id="exp-x-squared"),
        # log2(8x) at x = 3: log2 24 = 3 + log2 3, not log2(8)·x = 9
        pytest.param(r"\log_2 8x", 3 + math.log2(3), id="log2-of-a-product"),
        # ln(2π): the constant is a factor of the argument
        pytest.param(r"\ln 2\pi", math.log(2 * math.pi), id="ln-two-pi"),
        # an operator ends the argument: ln(3)·5
        pytest.param(r"\ln x \cdot y", math.log(3) * 5, id="cdot-ends-the-argument"),
        # a function ends it too: ln 3 · ln 5
        pytest.param(r"\ln x \ln y", math.log(3) * math.log(5), id="function-ends-it"),
        # and a plus: ln(3) + 5
        pytest.param(r"\ln x + y", math.log(3) + 5, id="plus-ends-it"),
    ],
)
def test_an_unparenthesised_function_takes_the_usual_argument(claim: str,
                                                              expected: float) -> None:
    assert values(claim) == [pytest.approx(expected, rel=1e-12)]


def test_a_wrong_latex_answer_says_what_it_was_read_as(seed_bank) -> None:
    # Q7(i) with the sigmoid's derivative written 1 + a21: wrong, and the message quotes the
    # expression read, so a student sees how the LaTeX was understood.
    part = _part(seed_bank, "q7-backprop", "i", r"w_{F,g1} \cdot a_{21}(1 + a_{21})")
    assert part.status is Status.WRONG
    assert "read from LaTeX as `w_F_g1 * a21(1 + a21)`" in part.message


def test_a_correct_latex_answer_carries_no_reading_note(seed_bank) -> None:
    part = _part(seed_bank, "q7-backprop", "i", r"w_{F,g1} \cdot a_{21}(1 - a_{21})")
    assert "read from LaTeX" not in (part.message or "")


# --- 3. the real cube root -----------------------------------------------------------------


@pytest.mark.parametrize(
    ("claim", "expected"),
    [
        pytest.param(r"\sqrt[3]{-8}", -2.0, id="cube-root-of-minus-8"),  # (-2)³ = -8
        pytest.param(r"\sqrt[3]{27}", 3.0, id="cube-root-of-27"),  # 3³ = 27
        pytest.param(r"-\sqrt[3]{-0.125}", 0.5, id="cube-root-of-minus-eighth"),  # (-½)³
    ],
)
def test_a_cube_root_of_a_negative_number_is_real(claim: str, expected: float) -> None:
    assert values(claim) == [pytest.approx(expected, rel=1e-15)]


def test_an_even_root_of_a_negative_number_stays_undefined() -> None:
    with pytest.raises(NncheckError, match="undefined"):
        values(r"\sqrt[4]{-16}")


# --- 4. ambiguous LaTeX is refused ---------------------------------------------------------


@pytest.mark.parametrize(
    "claim",
    [r"2\frac{1}{2}x", r"2\frac{1}{2}", r"2 \frac12", r"1 + 2\tfrac{1}{2}", r"\ln 2\frac{1}{2}"],
)
def test_a_number_right_before_a_fraction_is_refused_as_a_mixed_number(claim: str) -> None:
    with pytest.raises(ExprError, match="followed by a fraction is ambiguous") as caught:
        values(claim)
    assert "2 + \\frac{1}{2}" in str(caught.value)


def test_a_number_times_a_fraction_written_with_a_sign_is_read() -> None:
    # 2 · ½ · x at x = 3 is 3; 2 + ½ is 2.5
    assert values(r"2 \cdot \frac{1}{2}x") == [3.0]
    assert values(r"2 + \frac{1}{2}") == [2.5]


def test_a_double_superscript_is_refused() -> None:
    with pytest.raises(ExprError, match="double superscript"):
        values(r"x^{2}^{3}")
    # with braces saying which is meant: x^(2^3) = 3⁸ = 6561, (x²)³ = 3⁶ = 729
    assert values(r"x^{2^{3}}") == [6561.0]
    assert values(r"{x^{2}}^{3}") == [729.0]


# --- 5. a leading group 0 is never thousands -----------------------------------------------


@pytest.mark.parametrize("claim", ["0,125", "0,500", "00,125"])
def test_a_leading_zero_group_is_read_as_a_decimal_comma_mistake(claim: str) -> None:
    with pytest.raises(AnswerError, match="has a comma inside a number") as caught:
        values(claim)
    assert "decimal_comma: true" in str(caught.value)


def test_thousands_with_a_nonzero_first_group_still_read() -> None:
    assert values("3,142") == [3142.0]  # 3 thousands and 142
    assert values("10,000") == [10000.0]


def test_a_braced_comma_is_a_decimal_comma_where_one_is_declared() -> None:
    assert notation.with_decimal_comma(r"1{,}5") == "1.5"


# --- 6. one leading approximation sign -----------------------------------------------------


def test_one_leading_approximation_sign_is_dropped_not_two() -> None:
    assert values("≈ 0.5") == [0.5]
    with pytest.raises(ExprError):
        values("≈≈0.5")
    with pytest.raises(ExprError):
        values("≈ ≈ 0.5")
    with pytest.raises(ExprError):
        values("≈≈0.5, 1", length=2)
    assert values("≈0.5, ≈1", length=2) == [0.5, 1.0]


# --- 7. g_1 as the bound g1 ----------------------------------------------------------------


def test_an_underscore_before_digits_joins_where_only_the_joined_name_is_bound() -> None:
    # g1 = 0.25: g1(1 - g1) = 0.1875
    assert values("g_1(1 - g_1)") == [0.1875]
    # x_11 where x11 is bound
    assert values("2 x_11", names=frozenset({"x11"}), env={"x11": 4.0}) == [8.0]


def test_an_underscored_name_the_part_binds_is_kept() -> None:
    # both bound: the name as written
    assert values("g_1", names=frozenset({"g_1", "g1"}), env={"g_1": 7.0, "g1": 1.0}) == [7.0]
    # letters after `_` are part of the name: w_F_g1 stays w_F_g1
    assert values("w_F_g1") == [2.0]


def test_an_underscored_name_with_nothing_bound_stays_unknown() -> None:
    with pytest.raises(ExprError, match="unknown name `h_1`"):
        values("h_1")
    assert expr.parse("g_1").names == {"g_1"}  # the expression language itself is unchanged


def test_an_error_names_the_latex_reading_only_for_a_value_written_in_latex() -> None:
    with pytest.raises(ExprError, match=r"read from LaTeX as `\(\(1\)/\(2\)\) 3`"):
        read_claim([r"\frac{1}{2} 3", "0.5"], length=2)
    with pytest.raises(ExprError) as caught:
        read_claim(["1 2", r"\frac12"], length=2)
    assert "read from LaTeX" not in str(caught.value)
