"""A formula that holds at the sample points must hold as a formula (FORMAT §4.3, §4.8).

Sample points are few and, without a course secret, computable; a polynomial of degree 7 can
be fitted through 8 of them. So a claim that passes every point is checked once more: written
as a polynomial in the symbols, it must be the truth's polynomial, term by term (a claim of
another degree is wrong, whatever it gives at the points); written otherwise (a lookup, a
division by a symbol, a function), it must also hold at a second round of points, drawn from
the part's seed and the claim's own text, so the points move whenever the claim does.
Where the truth is computed rather than written (a gradient by backpropagation), it is
computed afresh at that second round (`redraw_check`).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from fractions import Fraction
from typing import Any

import numpy as np

from nncheck.compare.numbers import format_number
from nncheck.compare.numeric import SHOWN_NAMES, read_exprs, written_names
from nncheck.compare.tolerance import Tolerance
from nncheck.engine import exact
from nncheck.errors import AnswerError, ExprError

SECOND_ROUND = 16  # further points for a claim not written as a polynomial

Confirm = Callable[[Any], str | None]


def polynomial_check(
    polys: Sequence[exact.Poly],
    names: Sequence[str],
    domains: Sequence[tuple[int, int]],
    aliases: Mapping[str, str],
    claim_rng: Callable[[Any], np.random.Generator],
    labels: Sequence[str] | None = None,
) -> Confirm:
    """A check that a claim (one expression per component) is the truth's polynomials."""

    def confirm(claimed: Any) -> str | None:
        try:
            exprs = read_exprs(claimed, aliases, names={*names, *aliases})
        except (AnswerError, ExprError):
            return None  # already graded at the points; nothing more to say
        rounds: list[dict[str, int]] | None = None
        for j, (e, truth) in enumerate(zip(exprs, polys)):
            where = f" (element {labels[j] if labels else j + 1})" if len(polys) > 1 else ""
            mine = exact.poly_of(e, names)
            if mine is not None:
                if mine != truth:
                    return _differs(truth, mine, names) + where
                continue
            if rounds is None:
                rng = claim_rng(claimed)
                rounds = [{n: int(rng.integers(lo, hi + 1)) for n, (lo, hi) in zip(names, domains)}
                          for _ in range(SECOND_ROUND)]
            for point in rounds:
                want = exact_value(truth, [point[n] for n in names])
                got = exact.value_of(e, point)
                if got is None:
                    got = _float_value(e, point)
                if got != want:
                    at = ", ".join(f"{n} = {v}" for n, v in point.items())
                    return (f"right at the sample points only: at {at}, expected "
                            f"{_show(want)}, got {_show(got)}{where}")
        return None

    return confirm


def exact_value(poly: exact.Poly, point: Sequence[int]) -> Fraction:
    """A polynomial's exact value at an integer point."""
    total = Fraction(0)
    for e, c in poly.items():
        term = c
        for x, p in zip(point, e):
            term *= x**p
        total += term
    return total


def value_check(
    reference: Any,
    names: Sequence[str],
    draw: Callable[[np.random.Generator], dict[str, np.ndarray]],
    aliases: Mapping[str, str],
    tolerance: Tolerance,
    claim_rng: Callable[[Any], np.random.Generator],
) -> Confirm:
    """A check of a real-valued formula at a second round of points drawn for the claim."""

    def confirm(claimed: Any) -> str | None:
        try:
            (e,) = read_exprs(claimed, aliases, names={*names, *aliases})
        except (AnswerError, ExprError, ValueError):
            return None
        env = draw(claim_rng(claimed))
        try:
            with np.errstate(all="ignore"):
                want = np.asarray(reference.evaluate(env), dtype=float)
                got = np.asarray(e.evaluate(env), dtype=float)
        except ExprError as exc:
            return f"right at the sample points only: at further points, {exc}"
        want, got = np.broadcast_arrays(want, got)
        bad = np.flatnonzero(~tolerance.close(want, got))
        if not len(bad):
            return None
        i = int(bad[0])
        at = ", ".join(f"{n} = {format_number(float(env[n][i]), 4)}" for n in names)
        return (f"right at the sample points only: at {at}, expected "
                f"{format_number(float(want[i]))}, got {format_number(float(got[i]))}")

    return confirm


Redraw = Callable[[np.random.Generator], tuple[Mapping[str, np.ndarray], np.ndarray]]


def redraw_check(
    redraw: Redraw,
    point_names: Sequence[str],
    aliases: Mapping[str, str],
    tolerance: Tolerance,
    claim_rng: Callable[[Any], np.random.Generator],
    labels: Sequence[str] | None = None,
) -> Confirm:
    """A check of a formula at a second round of points drawn for the claim, where `redraw`
    computes the truth afresh: (the names bound at each point, the truth, shape (k,) or (k, m)).

    A point where the truth is not a number (a saturated output) says nothing either way.
    """

    def confirm(claimed: Any) -> str | None:
        env, truth = redraw(claim_rng(claimed))
        try:
            exprs = read_exprs(claimed, aliases, names={*env, *aliases})
        except (AnswerError, ExprError):
            return None
        want = truth.reshape(len(truth), -1)
        if len(exprs) != want.shape[1]:
            return None  # already graded wrong at the points
        for j, e in enumerate(exprs):
            where = f" (element {labels[j] if labels else j + 1})" if len(exprs) > 1 else ""
            try:
                with np.errstate(all="ignore"):
                    got = np.broadcast_to(np.asarray(e.evaluate(env), dtype=float),
                                          want[:, j].shape)
            except ExprError as exc:
                return f"right at the sample points only: at further points, {exc}{where}"
            bad = np.flatnonzero(np.isfinite(want[:, j]) & ~tolerance.close(want[:, j], got))
            if len(bad):
                i = int(bad[0])
                mine = claimed[j] if isinstance(claimed, list) else claimed
                names = written_names(mine, aliases, env) or [(n, n) for n in point_names]
                at = ", ".join(f"{n} = {format_number(float(np.asarray(env[s])[i]), 4)}"
                               for n, s in names[:SHOWN_NAMES])
                more = ", ..." if len(names) > SHOWN_NAMES else ""
                return (f"right at the sample points only: at {at}{more}, expected "
                        f"{format_number(float(want[i, j]))}, got "
                        f"{format_number(float(got[i]))}{where}")
        return None

    return confirm


def _float_value(e: Any, point: Mapping[str, int]) -> Fraction | None:
    try:
        with np.errstate(all="ignore"):
            v = float(e.evaluate({n: float(x) for n, x in point.items()}))
    except (ExprError, KeyError):
        return None
    return Fraction(v) if np.isfinite(v) else None


def _differs(truth: exact.Poly, mine: exact.Poly, names: Sequence[str]) -> str:
    want, have = exact.degrees(truth, len(names)), exact.degrees(mine, len(names))
    changed = [(n, w, h) for n, w, h in zip(names, want, have) if w != h]
    if changed:
        said = "; ".join(f"degree {w} in {n}, yours {h}" for n, w, h in changed)
        return f"right at the sample points only: the answer has {said}"
    return "right at the sample points only: not the same polynomial in " + ", ".join(names)


def _show(value: Fraction | None) -> str:
    if value is None:
        return "no number"
    if value.denominator == 1:
        return str(value.numerator)
    return format_number(float(value))
