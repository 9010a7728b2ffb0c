"""Exact arithmetic on expressions: rational values and polynomials, without rounding.

Counts and shapes are integers of any size the limits allow (a count near 10^17 is not a
float64), and a threshold unit's z = 0 is decided on the numbers as written (0.7 + 0.1 - 0.8
is 0). Both need an expression's value as a `Fraction`: numbers from the text a person wrote,
`+ - * /`, integer powers, `abs`, `min` and `max`. Anything else (`log`, `pi`, comparisons)
has no exact value here, and callers fall back to float64.

A size bound keeps every intermediate below MAX_BITS bits, so no input can make exact
arithmetic slow: past it an expression simply has no exact value.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from fractions import Fraction
from typing import Any

from nncheck import expr
from nncheck.errors import AnswerError
from nncheck.expr import _Call, _Chain, _Name, _Neg, _Node, _Num, _Pow
from nncheck.written import FLOAT_EXACT, MAX_BITS, WrittenFloat, decimal

# MAX_BITS (written.py): numerator or denominator of any intermediate value
MAX_DEGREE = 64  # of a polynomial read from an answer
MAX_TERMS = 2000  # monomials of a polynomial read from an answer
MAX_WORK = 100_000  # products of monomials in reading one answer as a polynomial

INEXACT_ABOVE = ("cannot be compared exactly above 2^53: the answer has no exact value (a "
                 "function such as sqrt or log, or a number of too many digits); write it "
                 "with integers and + - * / ^")

Poly = dict[tuple[int, ...], Fraction]  # exponents -> coefficient


class _Inexact(Exception):
    """The expression has no exact value (or polynomial form) here."""


def number(value: Any) -> Fraction | None:
    """The exact value of a number as written: an int's digits, a float read from a file as
    its text (`WrittenFloat`), any other float as its shortest decimal."""
    if isinstance(value, WrittenFloat):
        return decimal(value.text)
    if isinstance(value, bool):
        return Fraction(int(value))
    if isinstance(value, int):
        return Fraction(value)
    try:
        f = float(value)
    except (TypeError, ValueError, OverflowError):
        return None
    if not math.isfinite(f):
        return None
    return Fraction(repr(f))


def rational(source: Any, env: Mapping[str, Fraction | int] | None = None,
             aliases: Mapping[str, str] | None = None) -> Fraction | None:
    """The exact value of a number or expression at a point of rational names, or None."""
    if isinstance(source, (int, float)) and not isinstance(source, bool):
        return number(source)
    try:
        parsed = expr.parse(source, aliases=aliases)
    except expr.ExprError:
        return None
    return value_of(parsed, env or {})


def value_of(parsed: expr.Expr, env: Mapping[str, Fraction | int]) -> Fraction | None:
    """The exact value of a parsed expression at a point of rational names, or None."""
    try:
        return _value(parsed._tree, env)
    except (_Inexact, ZeroDivisionError, OverflowError):
        return None


def agree(exprs: Sequence[expr.Expr], truth: Sequence[Sequence[int]],
          env: Mapping[str, Any], got: Any) -> tuple[list[bool], list[list[Fraction | None]]]:
    """Whether a claim (one expression per component) equals an integer truth exactly at each
    point; with the claim's exact values, for messages. `env` binds each name to its values at
    the points (integers, as sizes are); `got` is the claim evaluated in float64, the fallback
    for an expression with no exact value (`sqrt`), which must then equal the truth exactly.

    Past 2^53 float64 no longer tells neighbouring integers apart (`sqrt(2^108) + 1` is 2^54
    in float64), so a component with no exact value whose float64 value is that large is not
    judged at all: AnswerError says how to write it."""
    ok, values = [], []
    for i, want in enumerate(truth):
        point = {n: Fraction(float(v[i])) for n, v in env.items()}
        row = []
        for j, e in enumerate(exprs):
            v = value_of(e, point) if e.names <= point.keys() else None
            if v is None:
                f = float(got[i, j] if got.ndim == 2 else got[i])
                if math.isfinite(f) and abs(f) >= FLOAT_EXACT:
                    where = f"value {j + 1}: " if len(exprs) > 1 else ""
                    raise AnswerError(f"{where}{INEXACT_ABOVE}")
                v = Fraction(f) if math.isfinite(f) else None
            row.append(v)
        values.append(row)
        ok.append(len(row) == len(want) and all(v is not None and v == w
                                                for v, w in zip(row, want)))
    return ok, values


def _checked(x: Fraction) -> Fraction:
    if x.numerator.bit_length() > MAX_BITS or x.denominator.bit_length() > MAX_BITS:
        raise _Inexact
    return x


def _literal(node: _Num) -> Fraction:
    if not node.text:
        return Fraction(node.value)
    value = decimal(node.text)  # bounded: `1e-99999999` has no exact value here
    if value is None:
        raise _Inexact
    return value


def _value(node: _Node, env: Mapping[str, Fraction | int]) -> Fraction:
    if isinstance(node, _Num):
        return _literal(node)
    if isinstance(node, _Name):
        if node.name not in env:
            raise _Inexact
        return Fraction(env[node.name])
    if isinstance(node, _Neg):
        return -_value(node.operand, env)
    if isinstance(node, _Pow):
        base, exponent = _value(node.base, env), _value(node.exponent, env)
        if exponent.denominator != 1:
            raise _Inexact
        bits = max(base.numerator.bit_length(), base.denominator.bit_length())
        if bits * abs(exponent.numerator) > MAX_BITS:
            raise _Inexact
        return _checked(base ** exponent.numerator)
    if isinstance(node, _Chain) and node.kind in ("sum", "product"):
        acc = _value(node.first, env)
        for op, child in node.rest:
            v = _value(child, env)
            if op == "+":
                acc = acc + v
            elif op == "-":
                acc = acc - v
            elif op == "*":
                acc = acc * v
            else:
                acc = acc / v  # ZeroDivisionError: no exact value
            acc = _checked(acc)
        return acc
    if isinstance(node, _Call) and node.function in ("abs", "min", "max"):
        args = [_value(a, env) for a in node.args]
        if node.function == "abs":
            return abs(args[0])
        return min(args) if node.function == "min" else max(args)
    raise _Inexact


def polynomial(source: Any, names: Sequence[str],
               aliases: Mapping[str, str] | None = None) -> Poly | None:
    """An expression as a polynomial in `names` with rational coefficients, or None when it is
    not written as one (a division by a name, a function, a name outside `names`)."""
    try:
        parsed = expr.parse(source, aliases=aliases)
    except expr.ExprError:
        return None
    return poly_of(parsed, names)


def poly_of(parsed: expr.Expr, names: Sequence[str]) -> Poly | None:
    """A parsed expression as a polynomial in `names`, or None (see `polynomial`)."""
    try:
        poly = _poly(parsed._tree, tuple(names), [MAX_WORK])
    except (_Inexact, ZeroDivisionError, OverflowError):
        return None
    return {e: c for e, c in poly.items() if c != 0}


def _poly(node: _Node, names: tuple[str, ...], budget: list[int]) -> Poly:
    zero = (0,) * len(names)
    if isinstance(node, _Num):
        return {zero: _literal(node)}
    if isinstance(node, _Name):
        if node.name not in names:
            raise _Inexact
        i = names.index(node.name)
        return {tuple(int(j == i) for j in range(len(names))): Fraction(1)}
    if isinstance(node, _Neg):
        return {e: -c for e, c in _poly(node.operand, names, budget).items()}
    if isinstance(node, _Pow):
        exponent = _value(node.exponent, {})
        if exponent.denominator != 1 or not 0 <= exponent <= MAX_DEGREE:
            raise _Inexact
        base = _poly(node.base, names, budget)
        out: Poly = {zero: Fraction(1)}
        for _ in range(int(exponent)):
            out = _times(out, base, budget)
        return out
    if isinstance(node, _Chain) and node.kind in ("sum", "product"):
        acc = _poly(node.first, names, budget)
        for op, child in node.rest:
            p = _poly(child, names, budget)
            if op in "+-":
                budget[0] -= len(p)
                sign = 1 if op == "+" else -1
                for e, c in p.items():
                    acc[e] = acc.get(e, Fraction(0)) + sign * c
            elif op == "*":
                acc = _times(acc, p, budget)
            else:
                divisor = p.get(zero, Fraction(0))
                if set(p) - {zero} or divisor == 0:
                    raise _Inexact  # a division by a name: not a polynomial
                acc = {e: _checked(c / divisor) for e, c in acc.items()}
        return acc
    raise _Inexact


def _times(a: Poly, b: Poly, budget: list[int]) -> Poly:
    budget[0] -= len(a) * len(b)
    if budget[0] < 0:
        raise _Inexact  # `(a + b + c + d)^60`: not worth expanding; checked at points instead
    out: Poly = {}
    for ea, ca in a.items():
        for eb, cb in b.items():
            e = tuple(x + y for x, y in zip(ea, eb))
            if sum(e) > MAX_DEGREE:
                raise _Inexact
            out[e] = _checked(out.get(e, Fraction(0)) + ca * cb)
    if len(out) > MAX_TERMS:
        raise _Inexact
    return out


def degrees(poly: Poly, count: int) -> tuple[int, ...]:
    """The degree of a polynomial in each of its `count` names (0 for the zero polynomial)."""
    return tuple(max((e[i] for e in poly), default=0) for i in range(count))


def poly_value(poly: Poly, point: Sequence[int]) -> Fraction:
    """The exact value of a polynomial at an integer point."""
    return sum((c * math.prod(x**p for x, p in zip(point, e)) for e, c in poly.items()),
               Fraction(0))
