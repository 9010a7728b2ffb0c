"""A threshold unit's z, with z = 0 decided exactly (step(0) = 1 and sign(0) = +1 rely on it).

0.7·1 + 0.1·1 - 0.8 is 0 in the exam's arithmetic but -8.3e-17 in float64, and a relative
tolerance cannot tell that rounding from a real z at every scale (weights of 10^9 leave a true
z of -1 inside any such bound; weights of 5e307 overflow it). So z = 0 is decided exactly:

- Fast path (a truth table, a forward pass on integer inputs): every weight and bias has an
  exact rational value (the number as written: `0.7` is 7/10, `"1/3"` is 1/3) and every input
  is an integer. Then w = S·W with integers W and one positive rational scale S, and
  z/S = B + Σ W·x is a sum of integers, exact in float64 while its terms stay below 2^53. It is
  computed vectorised, as z itself was, and its sign is z's: z = (z/S)·S.
- Otherwise (inputs that are real activations, weights drawn at random or beyond that bound),
  z is computed in float64 and every row where it is within rounding of 0 is computed again
  exactly. With integer inputs and weights of known value (beyond the bound: `1e17`), that is
  B + Σ W·x in Python integers on those rows only, vectorised over numpy object arrays, for
  any number of rows. Otherwise each such row is summed in rational arithmetic on the exact
  values (the inputs' float values, taken as exact), at most MAX_EXACT_ROWS of them: past that
  `TooManyNearRows` is raised, never a table with rows left undecided.
"""

from __future__ import annotations

import functools
import math
from collections.abc import Sequence
from fractions import Fraction
from typing import Any

import numpy as np

EXACT_SUM = 2.0**53  # integers below this add exactly in float64
ROUNDING = 2.0**-40  # |z| below this times Σ|terms| may be rounding: decided exactly
MAX_EXACT_ROWS = 1 << 16  # rows decided in rational arithmetic one by one, at most
_INT64_SAFE = 2.0**62  # integral floats below this convert to int64 exactly


class TooManyNearRows(ValueError):
    """More rows sit within rounding of z = 0 than rational arithmetic decides one by one."""

    def __init__(self, rows: int):
        super().__init__(rows)
        self.rows = rows


@functools.lru_cache(maxsize=1024)
def scale(values: tuple[Fraction, ...]) -> tuple[Fraction, tuple[int, ...]]:
    """Rationals as S·W: a positive scale S and coprime integers W (all 0: S = 1)."""
    denominator = math.lcm(*(v.denominator for v in values)) if values else 1
    numerators = [int(v * denominator) for v in values]
    common = math.gcd(*numerators) if numerators else 0
    if common == 0:
        return Fraction(1), (0,) * len(values)
    return Fraction(common, denominator), tuple(n // common for n in numerators)


def scaled_z(bias: Fraction, weights: Sequence[Fraction], xs: Sequence[Any],
             largest: Sequence[float]) -> np.ndarray | None:
    """z on the fast path, or None when it does not apply (see the module's docstring).

    `xs` are the inputs (integer-valued arrays or numbers), `largest` their max |x|."""
    s, ints = scale((bias, *weights))
    b, ws = ints[0], ints[1:]
    if all(np.ndim(x) == 0 for x in xs):  # one point: Python integers, of any size
        total = b + sum(w * int(x) for w, x in zip(ws, xs))
        return np.asarray(_to_float(total * s))
    if abs(b) + sum(abs(w) * m for w, m in zip(ws, largest)) >= EXACT_SUM:
        return None
    shape = np.broadcast_shapes(*(np.shape(x) for x in xs))
    z = np.full(shape, float(b))
    scratch = np.empty(shape)
    for w, x in zip(ws, xs):
        if w:  # in place: two new arrays per weight cost more than the arithmetic
            np.multiply(float(w), x, out=scratch)
            z += scratch
    if s == 1:
        return z
    factor = _to_float(s)
    with np.errstate(over="ignore", under="ignore", invalid="ignore"):
        out = z * factor
    # A nonzero z/S never becomes 0 or nan by scaling: keep its sign at float64's ends.
    tiny = (out == 0) & (z != 0)
    if tiny.any():
        out = np.where(tiny, np.copysign(5e-324, z), out)
    return np.where(z == 0, 0.0, out)


def _to_float(x: Fraction) -> float:
    """The nearest float, ±inf beyond float64, and never 0 for a nonzero x."""
    if x == 0:
        return 0.0
    try:
        v = float(x)
    except OverflowError:
        return math.copysign(math.inf, x)
    return v if v != 0 else math.copysign(5e-324, x)


def integer_z(values: Sequence[Fraction], xs: Sequence[Any], shape: tuple[int, ...],
              rows: np.ndarray) -> tuple[Fraction, np.ndarray]:
    """The exact z at some rows of a batch, as S and the integers z/S (an object array):
    `values` are the bias and weights, `xs` the inputs (integer-valued arrays or numbers)."""
    s, ints = scale(tuple(values))
    total = np.full(len(rows), ints[0], dtype=object)
    for w, x in zip(ints[1:], xs):
        if w:
            column = np.broadcast_to(np.asarray(x, dtype=float), shape).flat[rows]
            total += w * _as_ints(column)
    return s, total


def _as_ints(column: np.ndarray) -> np.ndarray:
    """Integral floats as Python integers in an object array."""
    if not len(column) or float(np.abs(column).max()) < _INT64_SAFE:
        return column.astype(np.int64).astype(object)
    return np.array([int(v) for v in column], dtype=object)


def settle(z: np.ndarray, magnitude: Any, exact_at: Any, exact_rows: Any = None) -> np.ndarray:
    """z computed in float64, with every row near 0 decided exactly: 0 where it is 0, its sign
    where rounding flipped it. `exact_rows(rows)` gives the exact z of many rows at once as
    (S, integers z/S), when the inputs allow it (`integer_z`); else `exact_at(row)` gives one
    row's (a Fraction or None), for at most MAX_EXACT_ROWS rows (TooManyNearRows past it)."""
    with np.errstate(over="ignore", invalid="ignore"):
        bound = ROUNDING * np.asarray(magnitude, dtype=float)
        near = ~(np.abs(z) > bound)  # nan or inf magnitudes: decide exactly too
    rows = np.flatnonzero(np.broadcast_to(near, z.shape))
    if not len(rows):
        return z
    out = np.array(z, dtype=float)
    if exact_rows is not None:
        s, ints = exact_rows(rows)
        positive = np.asarray(ints > 0, dtype=bool)
        zero = ~positive & ~np.asarray(ints < 0, dtype=bool)
        flat = out.reshape(-1)
        now = flat[rows]
        flat[rows[zero]] = 0.0
        flipped = ~zero & ((positive != (now > 0)) | (now == 0))
        for row, value in zip(rows[flipped], ints[flipped]):
            flat[row] = _to_float(value * s)
        return out
    if len(rows) > MAX_EXACT_ROWS:
        raise TooManyNearRows(len(rows))
    for row in rows:
        exact = exact_at(int(row))
        if exact is None:
            continue
        if exact == 0:
            out.flat[row] = 0.0
        elif (exact > 0) != (out.flat[row] > 0) or out.flat[row] == 0:
            out.flat[row] = _to_float(exact)
    return out
