"""Named numeric slips, found for every numeric ask after the solver's own catalogue.

Looked for only when a claim misses, named only, never credited. A slip is named when the
claim matches it (within the part's tolerance at every point) and it differs from the truth
and from every entry of the catalogue (so that it never hides nor repeats a solver's name):

- `sign flipped`: the truth negated;
- `off by a power of ten (×10)` ... `(÷1000)`: the truth times 10^±1..±3;
- `reciprocal`: one over the truth (real-valued asks);
- `the values in reverse order`: a vector of two or more, read backwards (a shape written
  channels-first, a transposed row); `the matrix transposed`: a vector whose labels name a
  full matrix (`w11 w12 w21 w22`), read column by column;
- `the answer to part `b``: the value of another numeric part of the same problem, of the
  same shape;
- `off by one (one too many)` / `(one too few)`: a count, or a shape whose every wrong
  element is one off the same way (`off by one at value 1, value 2 (one too many)`), when
  nothing else explains it;
- `rounded too early`: a real-valued miss by at most ROUNDED_TOO_EARLY times the tolerance
  (with `rounded: true`, a plain decimal whose last written digit is one off), when nothing
  else explains it.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence
from typing import TYPE_CHECKING, Any

import numpy as np

from nncheck.compare import figures
from nncheck.compare.tolerance import EXACT, NOISE, SLACK
from nncheck.predicate import holds
from nncheck.written import FLOAT_EXACT

if TYPE_CHECKING:
    from nncheck.compare.numeric import NumericTruth

ROUNDED_TOO_EARLY = 5  # times the tolerance: a miss this close is a rounding, not a method
POWERS = (1, 2, 3, -1, -2, -3)
_INDEXED = re.compile(r"(.*?)_?([0-9])([0-9])")  # `w11`, `w2_12`: row and column of a matrix

SIGN = "sign flipped"
RECIPROCAL = "reciprocal of the answer"
REVERSED = "the values in reverse order"
TRANSPOSED = "the matrix transposed"
ROUNDED = "rounded too early"


def matched(truth: NumericTruth, got: np.ndarray, claimed: Any,
            found: Sequence[str] = ()) -> list[str]:
    """The slips a missing claim matches, in the order of the module's docstring (`found`:
    the catalogue's names it already matches)."""
    catalogue = [known.values for known in truth.known if known.when is None]
    # A predicate hint (`when:`) has no value of its own: a slip it holds for is its.
    predicates = [known.when for known in truth.known if known.when is not None]
    tolerance = EXACT if truth.exact else truth.tolerance
    names: list[str] = []
    for name, values in candidates(truth):
        if name in names or values.shape != truth.values.shape:
            continue
        if not np.isfinite(values).all() and np.isfinite(truth.values).all():
            continue
        if not truth._close(got, values).all():
            continue
        if truth._close(values, truth.values).all():
            continue  # the slip gives the right answer: it is no slip here
        if any(v.shape == values.shape and truth._close(values, v).all() for v in catalogue):
            continue
        if any(holds(when, values, truth.values, tolerance) for when in predicates):
            continue
        names.append(name)
    if not names and not found:
        counted = _off_by_one(truth, got)
        if counted is not None:
            names.append(counted)
        elif _rounded_too_early(truth, got, claimed):
            names.append(ROUNDED)
    return names


def candidates(truth: NumericTruth) -> Iterator[tuple[str, np.ndarray]]:
    """Every slip's value at the truth's points, named."""
    values = np.asarray(truth.values, dtype=float)
    exact = truth.exact or truth.integers is not None
    with np.errstate(all="ignore"):
        yield SIGN, -values
        for power in POWERS:
            word = f"×{10 ** power}" if power > 0 else f"÷{10 ** -power}"
            yield f"off by a power of ten ({word})", values * 10.0 ** power
        if not exact and (values != 0).all():
            yield RECIPROCAL, 1.0 / values
    if truth.vector and values.shape[1] >= 2:
        grid = _grid(truth.labels, values.shape[1])
        if grid is not None:
            rows, cols = grid
            yield TRANSPOSED, values.reshape(-1, rows, cols).transpose(0, 2, 1).reshape(
                values.shape)
        yield REVERSED, values[:, ::-1]
    if truth.siblings is not None:
        for part, sibling in truth.siblings().items():
            yield f"the answer to part `{part}`", np.asarray(sibling, dtype=float)


def _off_by_one(truth: NumericTruth, got: np.ndarray) -> str | None:
    """A count or shape whose every wrong element is one off, all the same way, at every
    point: `off by one (one too many)`, `off by one at value 1, value 2 (one too few)`."""
    if not (truth.exact or truth.integers is not None):
        return None
    want = np.asarray(truth.values, dtype=float)
    with np.errstate(all="ignore"):
        step = np.asarray(got, dtype=float) - want
    if not np.isfinite(step).all() or not np.isin(step, (-1.0, 0.0, 1.0)).all():
        return None
    if (np.abs(want) >= FLOAT_EXACT).any():
        return None  # beyond float64's integers a difference of one is not seen
    moved = {float(x) for x in step.ravel() if x != 0}
    if len(moved) != 1:
        return None
    word = "one too many" if moved == {1.0} else "one too few"
    if not truth.vector:
        return f"off by one ({word})"
    columns = np.flatnonzero((step != 0).any(axis=0))
    where = ", ".join(str(truth.labels[int(j)]) if truth.labels else f"value {j + 1}"
                      for j in columns)
    return f"off by one at {where} ({word})"


def _grid(labels: Any, width: int) -> tuple[int, int] | None:
    """The rows and columns of a matrix whose elements the labels name in row order
    (`w11 w12 w13 w21 w22 w23`: 2 by 3), or None."""
    if not labels or len(labels) != width:
        return None
    found = [_INDEXED.fullmatch(str(label)) for label in labels]
    if any(f is None for f in found):
        return None
    stems = {f.group(1) for f in found if f is not None}
    index = [(int(f.group(2)), int(f.group(3))) for f in found if f is not None]
    rows = len({i for i, _ in index})
    cols = len({j for _, j in index})
    if len(stems) != 1 or rows < 2 or cols < 2 or rows * cols != width:
        return None
    first_row, first_col = index[0]
    expected = [(first_row + i, first_col + j) for i in range(rows) for j in range(cols)]
    return (rows, cols) if index == expected else None


def _rounded_too_early(truth: NumericTruth, got: np.ndarray, claimed: Any) -> bool:
    """A real-valued miss within a few tolerances (rounded mode: a plain decimal's last
    written digit one off); never for exact asks, where no rounding is allowed."""
    if truth.exact or truth.integers is not None:
        return False
    tolerance = truth.tolerance
    want = np.asarray(truth.values, dtype=float)
    have = np.asarray(got, dtype=float)
    with np.errstate(all="ignore"):
        diff = np.abs(have - want)
        limit = ROUNDED_TOO_EARLY * tolerance.bound(want)
        if tolerance.rounded:
            items = claimed if isinstance(claimed, list) else [claimed]
            for j, item in enumerate(items):
                made = figures.of_claim(item)
                if made is None:
                    continue
                digit = SLACK * 10.0 ** made.place * (1 + NOISE)
                if limit.ndim > 1:
                    limit[:, j] = digit
                else:
                    limit = np.full(limit.shape, digit)
        return bool(np.isfinite(diff).all() and (diff <= limit).all())

