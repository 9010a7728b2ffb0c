"""Polynomial fitting of symbolic sizes: a count or shape over symbols (`input: [n]`) is known
exactly as the polynomial that interpolates it.

The truth is known at POINTS points (the domain's ends and random values, seeded by the
caller), and shown as the polynomial through a lattice of integer nodes, in exact rational
arithmetic; a claim that passes the points must also be that polynomial (`identity.py`).
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Mapping, Sequence
from fractions import Fraction

import numpy as np

from nncheck.engine.exact import Poly, poly_value
from nncheck.errors import ProblemError

POINTS = 8  # points a symbolic truth is known at: the domain's ends and random values

Measure = Callable[[Mapping[str, int]], tuple[int, ...]]  # sizes -> the answer's components


def sample_points(names: Sequence[str], domains: Sequence[tuple[int, int]],
                  rng: np.random.Generator, k: int = POINTS) -> list[dict[str, int]]:
    """k points: every symbol at its domain's low end, then its high end, then random values
    (distinct per symbol while the domain allows), so no formula is right by coincidence."""
    columns = []
    for lo, hi in domains:
        if hi - lo + 1 <= k:
            column = list(range(lo, hi + 1))
            while len(column) < k:
                column.append(int(rng.integers(lo, hi + 1)))
        else:
            column = [lo, hi]
            while len(column) < k:
                value = int(rng.integers(lo, hi + 1))
                if value not in column:
                    column.append(value)
        columns.append(column)
    points: list[dict[str, int]] = []
    for row in zip(*columns):
        point = dict(zip(names, row))
        if point not in points:
            points.append(point)
    return points


def _max_degree(symbols: int) -> int:
    # Counts are polynomials of low degree (n·k, n² from an n×n input, n³ from a volume);
    # the bound keeps the number of interpolation nodes, C(s + d, d), near a hundred.
    return {1: 8, 2: 6, 3: 5, 4: 4}.get(symbols, 3)



def fit_each(
    at: Measure,
    names: Sequence[str],
    domains: Sequence[tuple[int, int]],
    points: Sequence[Mapping[str, int]],
    values: Sequence[tuple[int, ...]],
    ref: str,
) -> tuple[list[int | str], list[Poly]]:
    """Each component of model `ref`'s answer as a polynomial in the symbols (shown: an int
    when constant), and the polynomials themselves; `values` are the answer at `points`."""
    cache: dict[tuple[int, ...], tuple[int, ...]] = {}

    def at_node(node: tuple[int, ...]) -> tuple[int, ...]:
        if node not in cache:
            cache[node] = at(dict(zip(names, node)))
        return cache[node]

    out: list[int | str] = []
    polys: list[Poly] = []
    for component in range(len(values[0])):
        def component_at(node: tuple[int, ...], c: int = component) -> int:
            return at_node(node)[c]

        poly = fit_polynomial(component_at, domains, _max_degree(len(names)))
        for point, value in zip(points, values):
            if poly_value(poly, [point[n] for n in names]) != value[component]:
                symbols = ", ".join(names)
                raise ProblemError(
                    f"model `{ref}`: the answer is not a polynomial in {symbols} (at "
                    + ", ".join(f"{n} = {point[n]}" for n in names)
                    + f" it is {value[component]})",
                    hint="a stride, pooling or `same` padding divides a symbolic size; give "
                    "that size as a number",
                )
        out.append(format_polynomial(poly, names))
        polys.append(poly)
    return out, polys


def fit_polynomial(f: Callable[[tuple[int, ...]], int], domains: Sequence[tuple[int, int]],
                   degree: int) -> Poly:
    """The polynomial of total degree <= `degree` through f at a lattice of integer nodes.

    Nodes are lo, lo+1, ... per symbol, on the lower set {i : sum(i) <= degree}; successive
    divided differences along each axis give the Newton coefficients exactly (Fractions), which
    are then expanded into monomials {exponents: coefficient}.
    """
    caps = [min(degree, hi - lo) for lo, hi in domains]
    nodes = [[lo + m for m in range(cap + 1)] for (lo, _), cap in zip(domains, caps)]
    lattice = [i for i in itertools.product(*(range(c + 1) for c in caps)) if sum(i) <= degree]
    coef = {i: Fraction(f(tuple(nodes[a][i[a]] for a in range(len(i))))) for i in lattice}
    for axis in range(len(domains)):
        lines: dict[tuple[int, ...], list[tuple[int, ...]]] = {}
        for i in lattice:
            lines.setdefault(i[:axis] + i[axis + 1:], []).append(i)
        xs = nodes[axis]
        for members in lines.values():
            members.sort(key=lambda i: i[axis])
            vals = [coef[i] for i in members]
            for order in range(1, len(vals)):
                for m in range(len(vals) - 1, order - 1, -1):
                    vals[m] = (vals[m] - vals[m - 1]) / (xs[m] - xs[m - order])
            for i, v in zip(members, vals):
                coef[i] = v
    zero = (0,) * len(domains)
    poly: Poly = {}
    for i, c in coef.items():
        if c == 0:
            continue
        term: Poly = {zero: c}
        for axis, power in enumerate(i):
            for m in range(power):
                term = _times_linear(term, axis, -nodes[axis][m])
        for e, v in term.items():
            poly[e] = poly.get(e, Fraction(0)) + v
    return {e: v for e, v in poly.items() if v != 0}


def _times_linear(poly: Poly, axis: int, constant: int) -> Poly:
    """poly · (x_axis + constant)."""
    out: Poly = {}
    for e, v in poly.items():
        up = (*e[:axis], e[axis] + 1, *e[axis + 1:])
        out[up] = out.get(up, Fraction(0)) + v
        out[e] = out.get(e, Fraction(0)) + v * constant
    return out


def format_polynomial(poly: Poly, names: Sequence[str]) -> int | str:
    """`10*n + 10`, `n^2 - 3*n*k + 1/2`: highest degree first; a constant is an int."""
    if not poly:
        return 0
    if set(poly) == {(0,) * len(names)}:
        value = poly[(0,) * len(names)]
        if value.denominator == 1:
            return int(value)
    order = sorted(poly, key=lambda e: (-sum(e), [-p for p in e]))
    text = ""
    for position, e in enumerate(order):
        c = poly[e]
        sign = "-" if c < 0 else "+"
        c = abs(c)
        factors = [n if p == 1 else f"{n}^{p}" for n, p in zip(names, e) if p]
        if not factors:
            body = str(c.numerator) + (f"/{c.denominator}" if c.denominator != 1 else "")
        else:
            body = "*".join(factors)
            if c.numerator != 1:
                body = f"{c.numerator}*{body}"
            if c.denominator != 1:
                body = f"{body}/{c.denominator}"
        if position == 0:
            text = f"-{body}" if sign == "-" else body
        else:
            text += f" {sign} {body}"
    return text
