r"""LaTeX and subscript digits in answers (FORMAT.md §6, docs/format.md "What students may write").

Each reading is written out by hand beside the LaTeX, and the seed exam's own parts grade
LaTeX answers end to end.
"""

from __future__ import annotations

import contextlib
import math

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from conftest import SEED
from nncheck import expr, grading
from nncheck.compare.verdict import Status
from nncheck.errors import ExprError

# --- each construct, with its reading -------------------------------------------------------


@pytest.mark.parametrize(
    ("source", "env", "expected"),
    [
        # 1/(1 + exp(-2)) = 1/(1 + 0.1353352832366127) = 0.8807970779778823
        pytest.param(r"\frac{1}{1+e^{-2}}", {}, 0.8807970779778823, id="frac-exp"),
        pytest.param(r"\dfrac{3}{4}", {}, 0.75, id="dfrac"),
        pytest.param(r"\tfrac{1}{8}", {}, 0.125, id="tfrac"),
        pytest.param(r"\frac12", {}, 0.5, id="frac-unbraced-digits"),
        # a fraction is one group: 2·(1/4) = 0.5 (`2\frac{1}{4}`, 2¼ at school, is refused)
        pytest.param(r"2 \cdot \frac{1}{4}", {}, 0.5, id="number-times-frac"),
        pytest.param(r"3 \cdot 4", {}, 12.0, id="cdot"),
        pytest.param(r"3 \times 4", {}, 12.0, id="times"),
        pytest.param(r"12 \div 4", {}, 3.0, id="div"),
        # 1.2·10^-3 = 0.0012
        pytest.param(r"1.2 \times 10^{-3}", {}, 0.0012, id="times-ten-power"),
        # sigmoid(0) = 1/(1 + 1) = 0.5
        pytest.param(r"\sigma(0)", {}, 0.5, id="sigma-paren"),
        pytest.param(r"\sigma\left(0\right)", {}, 0.5, id="sigma-left-right"),
        pytest.param(r"\sigma{0}", {}, 0.5, id="sigma-braces"),
        # ln 0.3 = -1.2039728043259361
        pytest.param(r"-\log(0.3)", {}, 1.2039728043259361, id="log-paren"),
        pytest.param(r"-\log 0.3", {}, 1.2039728043259361, id="log-bare-number"),
        pytest.param(r"-\ln 0.3", {}, 1.2039728043259361, id="ln"),
        pytest.param(r"-\log{0.3}", {}, 1.2039728043259361, id="log-braces"),
        # log2 8 = 3, log10 1000 = 3
        pytest.param(r"\log_2 8", {}, 3.0, id="log-base-2"),
        pytest.param(r"\log_{10}(1000)", {}, 3.0, id="log-base-10"),
        # ln(1/2) = -0.6931471805599453
        pytest.param(r"\ln \frac{1}{2}", {}, -0.6931471805599453, id="ln-of-frac"),
        # x ln x at x = 2: 2·0.6931471805599453 = 1.3862943611198906
        pytest.param(r"x\log(x)", {"x": 2.0}, 1.3862943611198906, id="name-before-log"),
        pytest.param(r"\log x", {"x": math.e}, 1.0, id="log-bare-name"),
        # exp(2) = 7.38905609893065, exp(-1) = 0.36787944117144233
        pytest.param(r"\exp(2)", {}, 7.38905609893065, id="exp"),
        pytest.param(r"\exp{-1}", {}, 0.36787944117144233, id="exp-braces"),
        pytest.param(r"e^{-x}", {"x": 1.0}, 0.36787944117144233, id="e-power-group"),
        pytest.param(r"x^{2}", {"x": 3.0}, 9.0, id="power-group"),
        # unbraced superscripts are read as the expression language reads them: 2^10 = 1024
        pytest.param(r"2^10 \cdot 1", {}, 1024.0, id="power-unbraced"),
        pytest.param(r"2^{-1}", {}, 0.5, id="power-negative"),
        pytest.param(r"\sqrt{16}", {}, 4.0, id="sqrt"),
        pytest.param(r"\sqrt2 \cdot \sqrt2", {}, 2.0000000000000004, id="sqrt-unbraced"),
        # 27^(1/3) = 3
        pytest.param(r"\sqrt[3]{27}", {}, 3.0, id="nth-root"),
        pytest.param(r"\left( 1 + 2 \right) \cdot 3", {}, 9.0, id="left-right-paren"),
        pytest.param(r"\left[ 1 + 2 \right]^{2}", {}, 9.0, id="left-right-bracket"),
        pytest.param(r"[1 + 2] \cdot 3", {}, 9.0, id="brackets"),
        pytest.param(r"\left| -2 \right|", {}, 2.0, id="abs-bars"),
        pytest.param(r"{1+2} \cdot 3", {}, 9.0, id="brace-group"),
        pytest.param(r"1\!+\;2\,+\:3\quad", {}, 6.0, id="spacing"),
        pytest.param(r"\pi", {}, math.pi, id="pi"),
        # 2π = 6.283185307179586
        pytest.param(r"2\,\pi", {}, 6.283185307179586, id="thin-space-pi"),
        pytest.param(r"\infty", {}, math.inf, id="infinity"),
        pytest.param(r"\mathrm{relu}(-3)", {}, 0.0, id="mathrm"),
        pytest.param(r"\operatorname{sigmoid}(0)", {}, 0.5, id="operatorname"),
        pytest.param(r"\tanh(0)", {}, 0.0, id="tanh"),
        pytest.param(r"\max(1, 3)", {}, 3.0, id="max"),
        pytest.param(r"\min(1, 3)", {}, 1.0, id="min"),
        pytest.param(r"$\frac{1}{4}$", {}, 0.25, id="dollars"),
        pytest.param(r" $$\frac{1}{4}$$ ", {}, 0.25, id="double-dollars"),
        pytest.param(r"\(\frac{1}{4}\)", {}, 0.25, id="paren-delimiters"),
        pytest.param(r"\[\frac{1}{4}\]", {}, 0.25, id="bracket-delimiters"),
        # x11 = 5
        pytest.param(r"x_{11}", {"x11": 5.0}, 5.0, id="subscript-digits"),
        pytest.param(r"$x_11$", {"x11": 5.0}, 5.0, id="subscript-unbraced-digits"),
        pytest.param(r"x_{1}y", {"x1": 2.0, "y": 7.0}, 14.0, id="subscript-ends-name"),
        # w_F_g1·g1(1 - g1) at 2, 0.5: 2·0.5·0.5 = 0.5
        pytest.param(r"w_{F,g1} \cdot g1(1 - g1)", {"w_F_g1": 2.0, "g1": 0.5}, 0.5,
                     id="subscript-commas"),
        pytest.param(r"w_F_g1 \cdot g1(1 - g1)", {"w_F_g1": 2.0, "g1": 0.5}, 0.5,
                     id="subscript-plain-name"),
        pytest.param(r"z_{g1} + 1", {"z_g1": 2.0}, 3.0, id="subscript-letter"),
        pytest.param(r"a \land b", {"a": 1.0, "b": 0.0}, 0.0, id="land"),
        pytest.param(r"a \lor \neg b", {"a": 0.0, "b": 0.0}, 1.0, id="lor-neg"),
        pytest.param(r"x \leq 1", {"x": 1.0}, 1.0, id="leq"),
        pytest.param(r"\alpha \beta", {"α": 2.0, "β": 3.0}, 6.0, id="greek"),
        # Unicode subscript digits join the name: w₁₁·a₂₁ = 2·3 = 6, in plain text too
        pytest.param("w₁₁·a₂₁", {"w11": 2.0, "a21": 3.0}, 6.0, id="unicode-subscripts"),
        pytest.param("x₀ + 1", {"x0": 4.0}, 5.0, id="unicode-subscript-zero"),
        pytest.param(r"w₁₁ \cdot 2", {"w11": 2.0}, 4.0, id="unicode-subscripts-in-latex"),
    ],
)
def test_latex_reading(source: str, env: dict[str, float], expected: float) -> None:
    assert expr.evaluate(source, env) == pytest.approx(expected, rel=1e-15, abs=1e-300)
    assert expr.parse(source).names == frozenset(env)


def test_subscripts_name_the_symbols_of_format_section_3() -> None:
    assert expr.parse(r"x_{11} + w_{F,g1} + z_{g1} + a_21").names == {
        "x11", "w_F_g1", "z_g1", "a21"
    }
    assert expr.parse("w₁₁ + x₀").names == {"w11", "x0"}


def test_pi_is_the_constant_where_a_problem_binds_pi() -> None:
    # With `pi` a bound name, `\pi` is still π: 2π = 6.283185307179586.
    assert expr.evaluate(r"2\pi", {"pi": 10.0}, aliases={"pi": "pi"}) == 6.283185307179586
    assert expr.evaluate("2 pi", {"pi": 10.0}, aliases={"pi": "pi"}) == 20.0


# --- what cannot be read -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("source", "message"),
    [
        pytest.param(r"\sigm{0}", "unknown LaTeX command `\\sigm` at column 1 "
                     "(did you mean `\\sigma`?)", id="near-sigma"),
        pytest.param(r"1 + \fracc{1}{2}", "unknown LaTeX command `\\fracc` at column 5 "
                     "(did you mean `\\frac`?)", id="near-frac"),
        pytest.param(r"\frac{1}", "`\\frac` needs an argument at the end — expected `{...}` "
                     "after `\\frac`", id="missing-argument"),
        pytest.param(r"\frac{1}{}", "empty group `{}` at column 9 — expected something "
                     "inside `{}`", id="empty-group"),
        pytest.param(r"{1 + 2", "unclosed `{` — expected `}` before the end (column 7)",
                     id="unclosed"),
        pytest.param(r"1 + 2}", "unbalanced `}` at column 6 — expected no `}` without `{`",
                     id="unbalanced"),
        pytest.param(r"$1$ + $2$", "unexpected `$` at column 3 — expected `$...$` around "
                     "the whole answer or not at all", id="dollar-inside"),
        pytest.param(r"x_{1+2}", "unreadable subscript at column 2 — expected letters and "
                     "digits in braces, parts separated by commas: `x_{11}`, `w_{F,g1}`",
                     id="subscript-expression"),
        pytest.param(r"\log_3 9", "unknown logarithm base `3` at column 1 — expected "
                     "`\\log_2`, `\\log_{10}`, `\\log_e` or `\\log` (for another base write "
                     "\\frac{\\log x}{\\log b})", id="log-base"),
        pytest.param(r"\left< x \right>", "`\\left` at column 1 is not followed by a "
                     "delimiter — expected one of ( ) [ ] | . after `\\left` or `\\right`",
                     id="left-angle"),
        pytest.param("\\", "unknown LaTeX command ``\\` at the end` at column 1", id="lone"),
        # An error of the expression read says what text it was read as.
        pytest.param(r"\frac{1}{2} 3", "unexpected number `3` at column 11 — expected an "
                     "operator or the end (write `*` to multiply; read from LaTeX as "
                     "`((1)/(2)) 3`)", id="read-as"),
    ],
)
def test_unreadable_latex_is_refused_with_a_message(source: str, message: str) -> None:
    with pytest.raises(ExprError) as info:
        expr.parse(source)
    assert str(info.value) == message


# --- bounds ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "source",
    [
        pytest.param("\\frac{" * 150 + "1" + "}{2}" * 150, id="frac-nest"),
        pytest.param("{" * 999 + "1" + "}" * 999, id="brace-nest"),
        pytest.param("\\sqrt" * 399 + "2", id="sqrt-chain"),
        pytest.param("\\frac" * 400, id="frac-chain"),
        pytest.param("\\log" * 500, id="log-chain"),
        pytest.param("2^{" * 450 + "2" + "}" * 450, id="power-nest"),
        pytest.param("\\left(" * 300 + "1", id="left-chain"),
        pytest.param("\\sqrt[" * 330, id="root-index-nest"),
    ],
)
def test_a_hostile_nest_is_refused_not_a_recursion_error(source: str) -> None:
    assert len(source) <= expr.MAX_LENGTH
    with pytest.raises(ExprError) as info:
        expr.parse(source)
    assert "too deeply nested" in str(info.value)


def test_the_length_bound_holds_before_latex_is_read() -> None:
    with pytest.raises(ExprError) as info:
        expr.parse("\\," * 1000 + "1")
    assert str(info.value) == "expression too long: 2001 characters — expected at most 2000"


# --- graded end to end through the seed exam ----------------------------------------------


@pytest.fixture(scope="module")
def seed_bank() -> grading.Bank:
    return grading.load_bank(SEED)


def _part(bank: grading.Bank, problem: str, part: str, answer: object):
    result = grading.grade_sheet(bank, {problem: {part: answer}})
    found = next(p for p in result.problems if p.id == problem)
    return next(p for p in found.parts if p.id == part)


@pytest.mark.parametrize(
    "answer",
    [
        # Q5(a): the cross-entropy with true class iguana, -ln 0.3 = 1.2039728043259361
        r"-\log(0.3)",
        r"$-\ln 0.3$",
        r"-\log\left(\frac{3}{10}\right)",
        r"\ln\frac{10}{3}",
    ],
)
def test_a_loss_written_in_latex_is_correct(seed_bank, answer) -> None:
    assert _part(seed_bank, "q5-cross-entropy", "a", answer).status is Status.CORRECT


def test_a_wrong_loss_in_latex_is_wrong_with_its_named_mistake(seed_bank) -> None:
    # -log10 0.3 = 0.5228787452803376: the base-10 slip of the loss table.
    part = _part(seed_bank, "q5-cross-entropy", "a", r"-\log_{10}(0.3)")
    assert part.status is Status.WRONG
    assert part.mistake == "log base 10 instead of e"


@pytest.mark.parametrize(
    "answer",
    [
        # Q7(i): δ1 = ω^3_1 × a^2_1(1 - a^2_1), the exam's w31 and a21 (its aliases)
        r"w_{31} \cdot a_{21}\left(1 - a_{21}\right)",
        r"$w_{31} \times a_{21} (1 - a_{21})$",
        "w₃₁ × a₂₁(1 - a₂₁)",
        r"w_{F,g1} \, g1 (1 - g1)",
    ],
)
def test_a_gradient_formula_in_latex_is_correct(seed_bank, answer) -> None:
    assert _part(seed_bank, "q7-backprop", "i", answer).status is Status.CORRECT


def test_a_wrong_gradient_formula_in_latex_is_wrong(seed_bank) -> None:
    # Without the sigmoid's derivative a21(1 - a21): δ1 would be ω^3_1 alone.
    part = _part(seed_bank, "q7-backprop", "i", r"w_{31}")
    assert part.status is Status.WRONG
    wrong_factor = _part(seed_bank, "q7-backprop", "i", r"w_{32} \cdot a_{21}(1 - a_{21})")
    assert wrong_factor.status is Status.WRONG


def test_an_unknown_command_is_an_invalid_answer_with_a_suggestion(seed_bank) -> None:
    part = _part(seed_bank, "q7-backprop", "i", r"w_{31} \cdot \sigm(z_{21})")
    assert part.status is Status.INVALID
    assert "unknown LaTeX command `\\sigm`" in part.message
    assert "did you mean `\\sigma`?" in part.message


# --- any text at all -----------------------------------------------------------------------

_PIECES = [
    "\\frac", "\\sqrt", "\\log", "\\log_", "\\left", "\\right", "\\sigma", "\\cdot", "\\pi",
    "\\mathrm", "\\,", "\\", "{", "}", "[", "]", "(", ")", "|", "^", "_", "$", ",", ".", " ",
    "1", "2", "0", "e", "x", "y1", "w", "₁", "-", "+", "/", "'",
]


@settings(max_examples=400, deadline=None)
@given(st.lists(st.sampled_from(_PIECES), max_size=40))
def test_any_latex_is_read_or_refused_with_an_expr_error(pieces: list[str]) -> None:
    source = "".join(pieces)
    with contextlib.suppress(ExprError):  # any other exception fails the test
        expr.parse(source).evaluate({"x": 0.5, "y1": 2.0, "w": 3.0, "w1": 1.0, "x1": 1.0})
