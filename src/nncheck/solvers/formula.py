"""The `formula` ask (FORMAT §4.8): a reference expression at seeded random points of its
symbols' domains.

A symbol that `symbols:` does not declare is an integer in 1..1000, the convention of model
sizes.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from nncheck import expr
from nncheck.compare import identity
from nncheck.compare.numeric import NumericTruth
from nncheck.engine.exact import poly_of as exact_poly_of
from nncheck.engine.exact import value_of as exact_value_of
from nncheck.engine.polyfit import POINTS, sample_points
from nncheck.errors import ExprError, ProblemError
from nncheck.solvers.context import Context
from nncheck.spec.model import DEFAULT_DOMAIN
from nncheck.spec.parts import Domain, FormulaPart


def solve_formula(part: FormulaPart, ctx: Context) -> NumericTruth:
    """A reference expression at seeded random points of its symbols' domains.

    An undeclared symbol is an integer in 1..1000 (as model sizes are). An integer-valued
    reference over integer symbols is compared exactly unless a tolerance is set, since
    `10n + 9` is within 1% of `10n + 10` wherever n is large.
    """
    source = part.reference
    try:
        reference = expr.parse(source, aliases=ctx.aliases)
    except ExprError as exc:
        raise ProblemError(f"`reference`: {exc}") from None
    names = list(part.symbols) + sorted(reference.names - set(part.symbols))
    domains = {n: _formula_domain(n, part.symbols.get(n)) for n in names}
    rng = ctx.rng("formula")
    integer_names = [n for n in names if isinstance(domains[n][0], int)]
    points = sample_points(integer_names, [domains[n] for n in integer_names], rng)
    k = max(len(points), POINTS if len(integer_names) < len(names) else 1)
    env: dict[str, np.ndarray] = {}
    for n in names:
        lo, hi = domains[n]
        if n in integer_names:
            env[n] = np.array([float(points[i % len(points)][n]) for i in range(k)])
        else:
            env[n] = rng.uniform(float(lo), float(hi), size=k)
    try:
        values = np.broadcast_to(np.asarray(reference.evaluate(env), dtype=float), (k,)).copy()
    except ExprError as exc:
        raise ProblemError(f"`reference` cannot be evaluated on the symbols' domains: {exc}",
                           hint="declare each symbol's range with `symbols:`") from None
    all_integer = len(integer_names) == len(names)
    # Exact values where the reference has them (integers beyond 2^53 too).
    found = [exact_value_of(reference, {n: int(env[n][i]) for n in names})
             for i in range(k)] if all_integer else []
    rationals = [r for r in found if r is not None]
    if found and len(rationals) == len(found):
        integral = all(r.denominator == 1 for r in rationals)
    else:  # no exact value (`sqrt`, `log`): as float64
        rationals = []
        integral = bool(np.all(np.abs(values) < 2.0**53) and np.all(values == np.round(values)))
    exact = (all_integer and integral and part.tolerance is None
             and ctx.problem.tolerance is None)
    poly = exact_poly_of(reference, names) if exact else None
    confirm: identity.Confirm
    if poly is not None:
        confirm = identity.polynomial_check(
            [poly], names, [domains[n] for n in names], ctx.aliases,
            lambda claim: ctx.claim_rng(claim, "formula"))
    else:
        def draw(rng: np.random.Generator) -> dict[str, np.ndarray]:
            size = identity.SECOND_ROUND
            return {n: (rng.integers(domains[n][0], domains[n][1] + 1, size=size).astype(float)
                        if n in integer_names else rng.uniform(*domains[n], size=size))
                    for n in names}

        confirm = identity.value_check(reference, names, draw, ctx.aliases,
                                       ctx.tolerance, lambda c: ctx.claim_rng(c, "formula"))
    return NumericTruth(
        integers=tuple((int(r),) for r in rationals) if exact and rationals else None,
        confirm=confirm,
        expected=source,
        values=values,
        env=env,
        tolerance=ctx.tolerance,
        exact=exact,
        aliases=ctx.aliases,
        point_names=tuple(names),
        key_value=source,
    )


def _formula_domain(name: str, domain: Domain | None) -> tuple[Any, Any]:
    if domain is None:
        return DEFAULT_DOMAIN
    if (domain.integer is None) == (domain.real is None):
        raise ProblemError(f"symbol `{name}` needs one domain",
                           expected="`{integer: [lo, hi]}` or `{real: [lo, hi]}`")
    lo, hi = domain.integer if domain.integer is not None else domain.real  # type: ignore[misc]
    if lo > hi:
        raise ProblemError(f"symbol `{name}`: the range [{lo}, {hi}] is empty",
                           expected="lo <= hi")
    if domain.integer is not None:
        return int(lo), int(hi)
    return float(lo), float(hi)
