"""Tests of the expression language (FORMAT.md §6): values worked out by hand, hostile input."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from nncheck import expr
from nncheck.errors import ExprError, NncheckError

# --- values ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("source", "env", "expected"),
    [
        # ln 0.3 = -1.2039728043259361 (natural log), so its negation is the cross-entropy.
        pytest.param("-log(0.3)", {}, 1.2039728043259361, id="neg-log"),
        pytest.param("-ln(0.3)", {}, 1.2039728043259361, id="ln-is-log"),
        pytest.param("2^10", {}, 1024.0, id="power"),
        pytest.param("2**10", {}, 1024.0, id="double-star-power"),
        pytest.param("101*5", {}, 505.0, id="times"),
        pytest.param("101×5", {}, 505.0, id="times-sign"),
        pytest.param("101·5", {}, 505.0, id="middle-dot"),
        pytest.param("101⋅5", {}, 505.0, id="dot-operator"),
        pytest.param("10 − 3", {}, 7.0, id="unicode-minus"),
        pytest.param("10 ÷ 4", {}, 2.5, id="division-sign"),
        # 10·7 + 10 = 80
        pytest.param("10n + 10", {"n": 7}, 80.0, id="implicit-number-name"),
        pytest.param("10 n + 10", {"n": 7}, 80.0, id="implicit-with-space"),
        # 0.25·(1 - 0.25) = 0.25·0.75 = 0.1875
        pytest.param("g1(1-g1)", {"g1": 0.25}, 0.1875, id="name-before-paren"),
        pytest.param("2(3+4)", {}, 14.0, id="number-before-paren"),
        # (5 + 3)(5 - 3) = 8·2 = 16
        pytest.param("(a+b)(a-b)", {"a": 5, "b": 3}, 16.0, id="paren-paren"),
        # 2·0.5·0.25·(1 - 0.25) = 0.1875
        pytest.param("w_F_g1 g1 (1 - g1)", {"w_F_g1": 2, "g1": 0.25}, 0.375, id="names-by-space"),
        pytest.param("2 pi", {}, 2 * math.pi, id="number-constant"),
        pytest.param("2π", {}, 2 * math.pi, id="pi-sign"),
        pytest.param("2e", {}, 2 * math.e, id="e-without-digits-is-euler"),
        pytest.param("2exp(1)", {}, 2 * math.e, id="number-before-function"),
        pytest.param("1e-3", {}, 0.001, id="exponent"),
        pytest.param("2.5E+2", {}, 250.0, id="exponent-upper"),
        pytest.param(".5", {}, 0.5, id="leading-point"),
        pytest.param("σ(0)", {}, 0.5, id="sigma-sign"),
        pytest.param("sigmoid(0)", {}, 0.5, id="sigmoid"),
        # 1/(1 + e^-2) = 1/1.1353352832366128 = 0.8807970779778823
        pytest.param("sigmoid(2)", {}, 0.8807970779778823, id="sigmoid-2"),
        pytest.param("sigmoid(-1000)", {}, 0.0, id="sigmoid-no-overflow"),
        pytest.param("sigmoid(1000)", {}, 1.0, id="sigmoid-saturates"),
        pytest.param("tanh(0)", {}, 0.0, id="tanh"),
        pytest.param("relu(-3) + relu(2)", {}, 2.0, id="relu"),
        pytest.param("abs(-3)", {}, 3.0, id="abs"),
        pytest.param("sqrt(16)", {}, 4.0, id="sqrt"),
        pytest.param("exp(0)", {}, 1.0, id="exp"),
        pytest.param("log2(8)", {}, 3.0, id="log2"),
        pytest.param("log10(1000)", {}, 3.0, id="log10"),
        pytest.param("min(3, 1, 2)", {}, 1.0, id="min"),
        pytest.param("max(3, 1, 2)", {}, 3.0, id="max"),
        pytest.param("inf", {}, math.inf, id="inf"),
        pytest.param("∞", {}, math.inf, id="infinity-sign"),
        pytest.param("-inf", {}, -math.inf, id="minus-inf"),
        pytest.param("-log(0)", {}, math.inf, id="log-zero-is-a-value"),
        pytest.param("۱۲٫۵", {}, 12.5, id="persian-digits"),
        pytest.param("١٢٫٥", {}, 12.5, id="arabic-indic-digits"),
        pytest.param("۲n", {"n": 3}, 6.0, id="persian-implicit"),
        # maths convention: the power binds tighter than the minus, and associates right
        pytest.param("-2^2", {}, -4.0, id="minus-power"),
        pytest.param("(-2)^2", {}, 4.0, id="parenthesised-base"),
        pytest.param("2^3^2", {}, 512.0, id="power-right-assoc"),
        pytest.param("(2^3)^2", {}, 64.0, id="power-left-parens"),
        pytest.param("2^-1", {}, 0.5, id="negative-exponent"),
        pytest.param("8 - 3 - 2", {}, 3.0, id="minus-left-assoc"),
        pytest.param("8 / 4 / 2", {}, 1.0, id="divide-left-assoc"),
        pytest.param("1 + 2*3", {}, 7.0, id="product-first"),
        # implicit multiplication binds like `*`: (1/2)·4
        pytest.param("1/2n", {"n": 4}, 2.0, id="implicit-like-times"),
        pytest.param("--3", {}, 3.0, id="double-minus"),
        pytest.param("+3", {}, 3.0, id="unary-plus"),
        pytest.param("exp(-1000)", {}, 0.0, id="underflow-is-zero"),
        pytest.param("  7  ", {}, 7.0, id="surrounding-space"),
        pytest.param("3 == 3", {}, 1.0, id="equal"),
        pytest.param("3 != 3", {}, 0.0, id="not-equal"),
        pytest.param("2 < 3", {}, 1.0, id="less"),
        pytest.param("3 <= 3", {}, 1.0, id="less-equal"),
        pytest.param("2 > 3", {}, 0.0, id="greater"),
        pytest.param("2 ≥ 3", {}, 0.0, id="greater-equal-sign"),
        pytest.param("1 and 0", {}, 0.0, id="and"),
        pytest.param("1 or 0", {}, 1.0, id="or"),
        pytest.param("1 xor 1", {}, 0.0, id="xor"),
        pytest.param("not 0", {}, 1.0, id="not"),
        pytest.param("1 & !1 | 1", {}, 1.0, id="symbol-logic"),
        pytest.param("NOT 1 OR 0", {}, 0.0, id="capital-keywords"),
        pytest.param("not 1 == 2", {}, 1.0, id="not-takes-comparison"),
        pytest.param("2 + 2 == 4 and 1 < 2", {}, 1.0, id="comparison-in-logic"),
    ],
)
def test_value(source: str, env: dict[str, float], expected: float) -> None:
    assert expr.evaluate(source, env) == pytest.approx(expected, rel=1e-12)


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        pytest.param(661, 661.0, id="int"),
        pytest.param(-0.5, -0.5, id="float"),
        pytest.param(math.inf, math.inf, id="inf"),
        pytest.param(np.float64(0.25), 0.25, id="numpy-float"),
        pytest.param(np.int64(3), 3.0, id="numpy-int"),
        pytest.param(True, 1.0, id="bool"),
    ],
)
def test_number_input(source: float, expected: float) -> None:
    e = expr.parse(source)
    assert e.names == frozenset()
    assert e.evaluate({}) == expected


def test_number_input_keeps_its_text() -> None:
    assert expr.parse(661).source == "661"
    assert expr.parse(np.float64(0.5)).source == "0.5"
    assert str(expr.parse(-2.5)) == "-2.5"


def test_scalar_result_is_a_python_float() -> None:
    assert type(expr.evaluate("2^10", {})) is float
    assert type(expr.evaluate("n", {"n": 7})) is float


# --- rendering -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("source", "canonical"),
    [
        pytest.param("10n + 10", "10*n + 10", id="implicit"),
        pytest.param("g1(1-g1)", "g1*(1 - g1)", id="name-paren"),
        pytest.param("w_F_g1 g1", "w_F_g1*g1", id="names"),
        pytest.param("(a+b)(a-b)", "(a + b)*(a - b)", id="paren-paren"),
        pytest.param("x ** 2", "x^2", id="double-star"),
        pytest.param("a×b÷c", "a*b/c", id="unicode-operators"),
        pytest.param("-2^2", "-2^2", id="minus-power"),
        pytest.param("(-2)^2", "(-2)^2", id="negative-base"),
        pytest.param("2^3^2", "2^3^2", id="right-assoc"),
        pytest.param("(2^3)^2", "(2^3)^2", id="left-parens"),
        pytest.param("a - (b - c)", "a - (b - c)", id="needed-parens"),
        pytest.param("((a - b)) - c", "a - b - c", id="redundant-parens"),
        pytest.param("a*(-b)", "a*(-b)", id="negated-factor"),
        pytest.param("σ(z) + ln(x)", "sigmoid(z) + log(x)", id="function-aliases"),
        pytest.param("2 π", "2*pi", id="pi"),
        pytest.param("max(a,b,  c)", "max(a, b, c)", id="arguments"),
        pytest.param("1e-3", "0.001", id="number"),
        pytest.param("(m1 and not m2) or m3", "m1 and not m2 or m3", id="logic"),
        pytest.param("(m1 or m2) and m3", "(m1 or m2) and m3", id="logic-parens"),
        pytest.param("!(a == b)", "not (a == b)", id="not-comparison"),
        pytest.param("m1 + m2 + m3 == 2", "m1 + m2 + m3 == 2", id="comparison"),
    ],
)
def test_canonical_rendering(source: str, canonical: str) -> None:
    e = expr.parse(source)
    assert str(e) == canonical
    assert e.source == source
    assert str(expr.parse(canonical)) == canonical


# --- names and aliases -----------------------------------------------------------------------


def test_names_exclude_functions_and_constants() -> None:
    e = expr.parse("w_F_g1 * g1(1 - g1) + log(z_n1) + e + pi + inf + x")
    assert e.names == {"w_F_g1", "g1", "z_n1", "x"}


def test_unicode_names() -> None:
    assert expr.evaluate("2ω + σ1", {"ω": 3, "σ1": 1}) == 7.0


def test_aliases_map_to_canonical_names() -> None:
    aliases = {"w31": "w_F_g1", "a21": "g1"}
    e = expr.parse("w31 * a21(1 - a21)", aliases=aliases)
    assert e.names == {"w_F_g1", "g1"}
    assert str(e) == "w_F_g1*g1*(1 - g1)"
    # 2·0.25·0.75 = 0.375
    assert e.evaluate({"w_F_g1": 2, "g1": 0.25}) == 0.375
    assert expr.evaluate("w31", {"w_F_g1": 4.0}, aliases=aliases) == 4.0


def test_alias_may_not_hide_a_function() -> None:
    with pytest.raises(ExprError, match="alias `log`"):
        expr.parse("log(2)", aliases={"log": "x"})


def test_unknown_name_suggests_a_function() -> None:
    with pytest.raises(ExprError) as info:
        expr.evaluate("lg(2)", {"x": 1.0})
    assert info.value.message == "unknown name `lg`"
    assert info.value.hint == "did you mean `log`?"


def test_unknown_name_suggests_a_bound_name() -> None:
    with pytest.raises(ExprError) as info:
        expr.evaluate("w_F_g2 * 2", {"w_F_g1": 1.0, "b_F": 0.0})
    assert info.value.hint == "did you mean `w_F_g1`?"


def test_unknown_name_lists_the_few_known_ones() -> None:
    with pytest.raises(ExprError) as info:
        expr.evaluate("q", {"m1": 1.0, "m2": 0.0})
    assert info.value.hint == "known names: `m1`, `m2`"


def test_expr_error_is_an_nncheck_error() -> None:
    assert issubclass(expr.ExprError, NncheckError)


# --- vectorised evaluation -------------------------------------------------------------------


def test_vectorised_evaluation() -> None:
    n = np.array([1.0, 2.0, 7.0])
    got = expr.parse("10n + 10").evaluate({"n": n})
    assert isinstance(got, np.ndarray)
    assert got.dtype == np.float64
    np.testing.assert_array_equal(got, [20.0, 30.0, 80.0])


def test_vectorised_mixes_arrays_and_scalars() -> None:
    g1 = np.array([0.0, 0.25, 0.5, 1.0])
    got = expr.evaluate("w g1(1 - g1)", {"g1": g1, "w": 2.0})
    # 2·g·(1 - g): 0, 0.375, 0.5, 0
    np.testing.assert_array_equal(got, [0.0, 0.375, 0.5, 0.0])


def test_constant_broadcasts_to_the_points() -> None:
    got = expr.evaluate("2^10", {"n": np.arange(3.0)})
    np.testing.assert_array_equal(got, [1024.0, 1024.0, 1024.0])


def test_result_does_not_alias_the_input() -> None:
    x = np.array([1.0, 2.0])
    got = expr.evaluate("x", {"x": x})
    assert got is not x
    got[0] = 99.0
    assert x[0] == 1.0


def test_integer_arrays_are_read_as_floats() -> None:
    got = expr.evaluate("x / 2", {"x": np.array([1, 3])})
    np.testing.assert_array_equal(got, [0.5, 1.5])


def test_one_bad_point_fails_the_evaluation() -> None:
    with pytest.raises(ExprError, match="division by zero"):
        expr.evaluate("1 / x", {"x": np.array([1.0, 0.0])})


# The 8 rows of three binary inputs in counting order (m1 most significant).
_ROWS = np.array([[(i >> 2) & 1, (i >> 1) & 1, i & 1] for i in range(8)], dtype=float)
_TABLE_ENV = {"m1": _ROWS[:, 0], "m2": _ROWS[:, 1], "m3": _ROWS[:, 2]}


@pytest.mark.parametrize(
    ("target", "column"),
    [
        # exactly two of three: rows 011, 101, 110
        pytest.param("m1 + m2 + m3 == 2", [0, 0, 0, 1, 0, 1, 1, 0], id="exactly-two"),
        # m3, plus the rows with m1=1, m2=0: 001 011 100 101 111
        pytest.param("(m1 and not m2) or m3", [0, 1, 0, 1, 1, 1, 0, 1], id="and-not-or"),
        pytest.param("(m1 & !m2) | m3", [0, 1, 0, 1, 1, 1, 0, 1], id="symbols"),
        # odd parity: 001 010 100 111
        pytest.param("m1 xor m2 xor m3", [0, 1, 1, 0, 1, 0, 0, 1], id="parity"),
        pytest.param("m1 + m2 + m3 >= 2", [0, 0, 0, 1, 0, 1, 1, 1], id="majority"),
    ],
)
def test_boolean_target_over_a_truth_table(target: str, column: list[int]) -> None:
    got = expr.evaluate(target, _TABLE_ENV)
    np.testing.assert_array_equal(got, np.array(column, dtype=float))


# --- errors ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("source", "message"),
    [
        pytest.param("", "empty expression at column 1", id="empty"),
        pytest.param("   ", "empty expression at column 1", id="blank"),
        pytest.param("1 + ", "unexpected end of the expression at column 5", id="trailing-op"),
        pytest.param("2 *", "unexpected end of the expression at column 4", id="trailing-times"),
        pytest.param("(1 + 2", "unclosed `(` at column 1", id="unclosed"),
        pytest.param("1 + 2)", "unbalanced `)` at column 6", id="unbalanced"),
        pytest.param("()", "unexpected `)` at column 2", id="empty-parens"),
        pytest.param("2 3", "unexpected number `3` at column 3", id="two-numbers"),
        pytest.param("(1, 2)", "unexpected `,` at column 3", id="tuple"),
        pytest.param("1, 2", "unexpected `,` at column 2", id="comma"),
        pytest.param("* 2", "unexpected `*` at column 1", id="leading-op"),
        pytest.param("and", "unexpected `and` at column 1", id="bare-keyword"),
        pytest.param("log 2", "`log` is a function and needs parentheses", id="call-no-parens"),
        pytest.param("log", "`log` is a function and needs parentheses", id="bare-function"),
        pytest.param("log()", "unexpected `)` at column 5", id="no-argument"),
        pytest.param("log(1, 2)", "`log` takes 1 argument, found 2", id="too-many-arguments"),
        pytest.param("max(1)", "`max` takes 2 or more arguments, found 1", id="max-one"),
        pytest.param("a < b < c", "comparisons cannot be chained", id="chained-comparison"),
        pytest.param("a = b", "unexpected character `=` at column 3", id="single-equals"),
        pytest.param("x²", "unexpected character `²` at column 2", id="superscript"),
        pytest.param("1e999", "number too large: `1e999` at column 1", id="huge-literal"),
        pytest.param("9" * 400, "number too large", id="huge-digits"),
        pytest.param("1\x00", "unexpected character U+0000 at column 2", id="control-char"),
    ],
)
def test_syntax_error(source: str, message: str) -> None:
    with pytest.raises(ExprError) as info:
        expr.parse(source)
    assert info.value.message.startswith(message)


def test_syntax_error_reads_as_what_is_wrong_then_what_was_expected() -> None:
    with pytest.raises(ExprError) as info:
        expr.parse("1 + ")
    assert str(info.value) == (
        "unexpected end of the expression at column 5 — expected a number, a name or `(`"
    )


@pytest.mark.parametrize(
    ("source", "hint"),
    [
        pytest.param("2 3", "write `*` to multiply", id="two-numbers"),
        pytest.param("1.2.3", "a number has at most one decimal point", id="two-points"),
        pytest.param("1,000", "commas only separate the arguments of a function, as in max(a, b)",
                     id="thousands-separator"),
        pytest.param("a = b", "write `==` to compare", id="single-equals"),
        pytest.param("x²", "write powers with `^`, e.g. `^2`", id="superscript"),
        pytest.param("log(8, 2)", "for another base write log2(x), log10(x) or log(x)/log(b)",
                     id="log-base"),
    ],
)
def test_syntax_error_hint(source: str, hint: str) -> None:
    with pytest.raises(ExprError) as info:
        expr.parse(source)
    assert info.value.hint == hint


@pytest.mark.parametrize(
    ("source", "message"),
    [
        pytest.param("9^9^9^9", "number too large", id="power-tower"),
        pytest.param("10^400", "number too large", id="power-overflow"),
        pytest.param("exp(1000)", "number too large", id="exp-overflow"),
        pytest.param("1e308 * 10", "number too large", id="product-overflow"),
        pytest.param("1/0", "division by zero", id="divide-by-zero"),
        pytest.param("0^-1", "division by zero", id="zero-negative-power"),
        pytest.param("0/0", "undefined result", id="zero-over-zero"),
        pytest.param("sqrt(-1)", "undefined result", id="sqrt-negative"),
        pytest.param("log(-1)", "undefined result", id="log-negative"),
        pytest.param("(-8)^(1/3)", "undefined result", id="fractional-power-of-negative"),
        pytest.param("inf - inf", "undefined result", id="inf-minus-inf"),
        pytest.param("0 * log(0)", "undefined result", id="zero-times-log-zero"),
    ],
)
def test_evaluation_error(source: str, message: str) -> None:
    e = expr.parse(source)  # these all parse; evaluation refuses them
    with pytest.raises(ExprError) as info:
        e.evaluate({})
    assert info.value.message.startswith(message)


def test_overflow_message_names_the_subexpression() -> None:
    with pytest.raises(ExprError) as info:
        expr.evaluate("1 + 9^9^9^9", {})
    # 9^9 = 387420489 is fine; 9^387420489 is where the float64 overflows
    assert info.value.message == "number too large: `9^9^9` overflows"


def test_errstate_is_restored_after_an_error() -> None:
    before = np.geterr()
    with pytest.raises(ExprError):
        expr.evaluate("1/0", {})
    assert np.geterr() == before


@pytest.mark.parametrize(
    ("source", "message"),
    [
        pytest.param("__import__('os')", "unexpected character `_` at column 1", id="import"),
        pytest.param("().__class__", "unexpected character `.` at column 3", id="dunder"),
        pytest.param("a.b", "unexpected character `.` at column 2", id="attribute"),
        pytest.param("os.system('ls')", "unexpected character `.` at column 3", id="call"),
        pytest.param('"x"', 'unexpected character `"` at column 1', id="string"),
        pytest.param("lambda: 1", "unexpected character `:` at column 7", id="lambda"),
        pytest.param("x[0]", "unexpected character `[` at column 2", id="subscript"),
        pytest.param("{}", "empty group `{}` at column 1", id="braces"),
        pytest.param("1; 2", "unexpected character `;` at column 2", id="statement"),
    ],
)
def test_hostile_input_is_refused_at_parse(source: str, message: str) -> None:
    with pytest.raises(ExprError) as info:
        expr.parse(source)
    assert info.value.message == message


def test_lambda_alone_is_just_an_unknown_name() -> None:
    e = expr.parse("lambda")
    assert e.names == {"lambda"}
    with pytest.raises(ExprError, match="unknown name `lambda`"):
        e.evaluate({})


def test_a_bound_name_before_parentheses_is_multiplication_not_a_call() -> None:
    # `foo(1)` with foo bound is foo·1: no name ever becomes callable
    assert expr.evaluate("foo(1)", {"foo": 3.0}) == 3.0


def test_ten_thousand_nested_parentheses() -> None:
    with pytest.raises(ExprError, match="too long"):
        expr.parse("(" * 10_000 + "1" + ")" * 10_000)


def test_nesting_within_the_length_bound() -> None:
    with pytest.raises(ExprError, match="too deeply nested"):
        expr.parse("(" * 500 + "1" + ")" * 500)


def test_nesting_at_the_bound_is_fine() -> None:
    depth = expr.MAX_DEPTH
    assert expr.evaluate("(" * depth + "1" + ")" * depth, {}) == 1.0


@pytest.mark.parametrize(
    "source",
    [
        pytest.param("-" * 1500 + "1", id="unary-minus"),
        pytest.param("not " * 400 + "1", id="not"),
        pytest.param("2^" * 900 + "2", id="power-tower"),
        pytest.param("-log(" * 60 + "1" + ")" * 60, id="calls"),
        pytest.param("1 + 2*(" * 90 + "1" + ")" * 90, id="operands"),
    ],
)
def test_deep_nesting_within_the_parentheses_bound(source: str) -> None:
    with pytest.raises(ExprError, match="too deeply nested"):
        expr.parse(source)


def test_deep_tree_from_few_parentheses() -> None:
    # each level adds six operators around its first operand but only one parenthesis
    source = "x"
    for _ in range(20):
        source = f"({source}*1 + 1 == 1 and 1 xor 1 or 1)"
    with pytest.raises(ExprError, match="too deeply nested"):
        expr.parse(source)


def test_long_flat_sum_is_not_nesting() -> None:
    assert expr.evaluate("+".join(["1"] * 999), {}) == 999.0


def test_hundred_thousand_characters() -> None:
    with pytest.raises(ExprError) as info:
        expr.parse("1+" * 50_000)
    assert info.value.message == "expression too long: 100000 characters"
    assert info.value.expected == f"expected at most {expr.MAX_LENGTH}"


@pytest.mark.parametrize(
    "source",
    [
        pytest.param(float("nan"), id="nan"),
        pytest.param(10**400, id="huge-int"),
        pytest.param([1, 2], id="list"),
        pytest.param(None, id="none"),
    ],
)
def test_bad_python_values(source: object) -> None:
    with pytest.raises(ExprError):
        expr.parse(source)  # type: ignore[arg-type]


# --- parse_number ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        pytest.param("661", 661.0, id="int"),
        pytest.param("-0.5", -0.5, id="negative"),
        pytest.param("+2", 2.0, id="plus"),
        pytest.param(" 1e-3 ", 0.001, id="exponent-spaces"),
        pytest.param("۱۲٫۵", 12.5, id="persian"),
        pytest.param("٣", 3.0, id="arabic-indic"),
        pytest.param("−1", -1.0, id="unicode-minus"),
        pytest.param("inf", math.inf, id="inf"),
        pytest.param("-inf", -math.inf, id="minus-inf"),
        pytest.param("∞", math.inf, id="infinity-sign"),
        pytest.param("2^10", None, id="expression"),
        pytest.param("10n", None, id="implicit"),
        pytest.param("1_000", None, id="python-underscore"),
        pytest.param("nan", None, id="nan"),
        pytest.param("infinity", None, id="python-infinity"),
        pytest.param("1e999", None, id="overflow"),
        pytest.param("", None, id="empty"),
        pytest.param("0x10", None, id="hex"),
    ],
)
def test_parse_number(text: str, expected: float | None) -> None:
    assert expr.parse_number(text) == expected


def test_parse_number_agrees_with_parse() -> None:
    for text in ["661", "-0.5", "1e-3", "۱۲٫۵", "inf", "-inf"]:
        assert expr.parse_number(text) == expr.evaluate(text, {})


# --- vocabulary ------------------------------------------------------------------------------


def test_reserved_vocabulary() -> None:
    functions = {"log", "ln", "log2", "log10", "exp", "sqrt", "cbrt", "abs", "sigmoid", "σ",
                 "tanh", "relu", "min", "max"}
    assert functions == expr.FUNCTIONS  # FORMAT section 6 lists these and no other
    assert functions | {"e", "pi", "inf", "and", "or", "not", "xor"} <= expr.RESERVED
    assert (expr.MAX_LENGTH, expr.MAX_DEPTH) == (2000, 100)  # the bounds docs/limits.md states


# --- properties ------------------------------------------------------------------------------

_ENV = {"x": 1.5, "y": -2.0, "n": 7.0, "m1": 1.0, "g1": 0.25}
_PIECES = [
    "0", "1", "2", "9", ".", "٫", "۳", "e", "E", "x", "y", "n", "m1", "g1", "pi", "π", "∞", "inf",
    "log", "ln", "exp", "sqrt", "σ", "max", "min", "(", ")", ",", "+", "-", "−", "*", "**", "/",
    "^", "×", "==", "<", ">=", "!", "&", "|", "and", "or", "not", "xor", " ", "_", "'", "[", ".",
]


def _check_only_expr_errors(source: str) -> None:
    try:
        e = expr.parse(source)
    except ExprError:
        return
    try:
        value = e.evaluate(_ENV)
    except ExprError:
        return
    assert isinstance(value, float)
    # the canonical rendering reads back as the same expression
    again = expr.parse(str(e))
    assert again.names == e.names
    assert again.evaluate(_ENV) == value


@settings(max_examples=300, database=None)
@given(st.text(max_size=80))
def test_any_text_raises_only_expr_error(source: str) -> None:
    _check_only_expr_errors(source)


@settings(max_examples=500, database=None)
@given(st.lists(st.sampled_from(_PIECES), max_size=25).map("".join))
def test_expression_like_text_raises_only_expr_error(source: str) -> None:
    _check_only_expr_errors(source)


# An independent oracle: each generated text carries the value Python computes for it.
_leaves = st.one_of(
    st.integers(0, 9).map(lambda k: (str(k), float(k))),
    st.sampled_from([("x", 1.5), ("y", -2.0), ("n", 7.0)]),
)


def _combine(children: st.SearchStrategy[tuple[str, float]]) -> st.SearchStrategy:
    return st.one_of(
        st.tuples(children, children).map(lambda p: (f"({p[0][0]}) + ({p[1][0]})",
                                                     p[0][1] + p[1][1])),
        st.tuples(children, children).map(lambda p: (f"({p[0][0]}) - ({p[1][0]})",
                                                     p[0][1] - p[1][1])),
        st.tuples(children, children).map(lambda p: (f"({p[0][0]}) * ({p[1][0]})",
                                                     p[0][1] * p[1][1])),
        st.tuples(children, children).map(lambda p: (f"({p[0][0]})({p[1][0]})",
                                                     p[0][1] * p[1][1])),
        children.map(lambda c: (f"-({c[0]})", -c[1])),
    )


@settings(database=None)
@given(st.recursive(_leaves, _combine, max_leaves=12))
def test_arithmetic_matches_python(case: tuple[str, float]) -> None:
    source, value = case
    e = expr.parse(source)
    assert e.evaluate(_ENV) == pytest.approx(value, rel=1e-12, abs=1e-12)
    assert expr.parse(str(e)).evaluate(_ENV) == pytest.approx(value, rel=1e-12, abs=1e-12)
