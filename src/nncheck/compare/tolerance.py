"""How close a real-valued claim must be to the truth.

Three modes. Relative (the default): within `rel` of the truth, or within `abs` near zero.
Significant figures (`sigfigs`): within half a unit of the truth's last asked figure.
Rounded (`rounded`): the truth correctly rounded to the precision the answer was WRITTEN with
(`0.04` for 0.0351, `-0.20` for -0.1966), provided it was written with at least `min_sigfigs`
significant figures and `min_decimals` decimals, as STACK's NumSigFigs/NumDecPlaces and
PrairieLearn's `sigfig`/`decdig` comparisons ask for a stated precision:

- a truth exactly on a half (0.035 at two decimals) accepts both neighbours (0.03 and 0.04):
  a truth is a float64, its last bit decides which side of a half it lands, and both
  round-half-up and round-half-even are taught;
- no slack at the instructor's minimum precision: one unit there is up to the whole of the
  last asked figure (0.05 for 0.0351 is 42 % off); a digit written beyond the minimum may be
  one unit off (the bound is 1.5 units of that digit, at most 0.15 units of the last asked
  figure): the common slip of a result carried one step rounded;
- an integer written without a point (`800`) may end in zeros that are not significant: it is
  accepted when any reading of its zeros is;
- an answer equal to the truth is always accepted, whatever its figures (`0` for 0, `3` for 3);
- an expression shows no precision of its own (but scientific notation and percentages, see
  compare/figures.py): it is read as the decimal of its value, every digit, an integer's
  zeros not figures, so it never passes where that number written plainly would fail.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from nncheck.written import Precision, WrittenFloat, of_value, precision

NOISE = 1e-9  # relative: a truth computed in float64 lands a hair either side of a half
SMALLEST_PERCENT = 0.001  # a smaller relative error is said as `under 0.001 %`
SLACK = 1.5  # units of a surplus last digit (0.5 for the rounding, 1 for a digit off by one)


@dataclass(frozen=True)
class Tolerance:
    """How close a real-valued claim must be: relative with an absolute floor, significant
    figures, or the truth rounded as the claim was written (see the module's docstring)."""

    rel: float = 1e-2
    abs: float = 1e-9
    sigfigs: int | None = None
    rounded: bool = False
    min_sigfigs: int | None = None
    min_decimals: int | None = None

    def bound(self, expected: Any) -> np.ndarray:
        """Elementwise: how far a claim may be from `expected` (rounded mode: half a unit of
        the minimum precision; `close_written` compares a claim as it was written)."""
        e = np.abs(np.asarray(expected, dtype=float))
        with np.errstate(invalid="ignore", over="ignore", divide="ignore"):
            if self.sigfigs is not None or self.rounded:
                return 0.5 * 10.0 ** self._least_place(e)
            return np.maximum(self.rel * e, self.abs)

    def _least_place(self, magnitude: np.ndarray) -> np.ndarray:
        """The place of the last figure asked for, at each truth's magnitude."""
        figures = self.sigfigs if self.sigfigs is not None else self._figures()
        places = []
        if figures is not None:
            mag = np.floor(np.log10(np.where(magnitude == 0, 1.0, magnitude)))
            places.append(np.where(magnitude == 0, -float(figures), mag - figures + 1))
        if self.rounded and self.min_decimals is not None:
            places.append(np.full(magnitude.shape, -float(self.min_decimals)))
        return np.minimum.reduce(places) if len(places) > 1 else places[0]

    def _figures(self) -> int | None:
        """The significant figures rounded mode asks for: one unless decimals are asked."""
        if self.min_sigfigs is not None:
            return self.min_sigfigs
        return None if self.min_decimals is not None else 1

    def close(self, expected: Any, claimed: Any) -> np.ndarray:
        """Elementwise: is `claimed` within tolerance of `expected` (inf equals inf)."""
        e = np.asarray(expected, dtype=float)
        c = np.asarray(claimed, dtype=float)
        with np.errstate(invalid="ignore", over="ignore"):
            near = np.abs(c - e) <= self.bound(e) * (1 + NOISE if self.rounded else 1)
        return _finish(near, e, c)

    def close_written(self, expected: Any, claimed: Any,
                      written: Sequence[Precision | None]) -> np.ndarray:
        """Elementwise, in rounded mode: is `claimed` the truth rounded as it was written?

        `written` holds, per element of the claim (the last axis), the precision it was
        written with, or None for an element that shows none (an expression): that element is
        read at each point as the decimal of its value (`written.of_value`)."""
        e = np.asarray(expected, dtype=float)
        c = np.asarray(claimed, dtype=float)
        near = np.asarray(self.close(e, c), dtype=bool).copy()
        if not self.rounded:
            return near
        columns = [near] if near.ndim < 2 else [near[:, j] for j in range(near.shape[1])]
        for j, (column, made) in enumerate(zip(columns, written)):
            ee = e if e.ndim < 2 else e[:, j]
            cc = c if c.ndim < 2 else c[:, j]
            if made is not None:
                column[...] = self._as_written(ee, cc, made)
                continue
            for i in np.ndindex(cc.shape):  # an expression: the value it has at each point
                shown = of_value(float(cc[i]))
                column[i] = shown is not None and bool(
                    self._as_written(np.asarray(ee[i]), np.asarray(cc[i]), shown))
        return _finish(near, e, c)

    def _as_written(self, e: np.ndarray, c: np.ndarray, made: Precision) -> np.ndarray:
        with np.errstate(invalid="ignore", over="ignore"):
            diff = np.abs(c - e)
            ok = diff <= 4 * np.finfo(float).eps * np.abs(e)  # equal to the truth
            for k in range(made.ambiguous + 1):  # `800`: two, one or no trailing zero dropped
                place, figures = made.place + k, made.figures - k
                wanted = self._figures()
                if wanted is not None and figures < wanted:
                    continue
                if self.min_decimals is not None and -place < self.min_decimals:
                    continue
                surplus = ((wanted is None or figures > wanted)
                           and (self.min_decimals is None or -place > self.min_decimals))
                units = SLACK if surplus else 0.5
                ok |= diff <= units * 10.0 ** place * (1 + NOISE)
        return ok

    def short_of(self, made: Precision) -> str | None:
        """Rounded mode: the figures or decimals a plain decimal was written with when they
        are fewer than asked (`1 significant figure`), or None when some reading of it has
        the figures and decimals asked."""
        if not self.rounded:
            return None
        wanted = self._figures()
        for k in range(made.ambiguous + 1):
            figures, decimals = made.figures - k, -(made.place + k)
            if (wanted is None or figures >= wanted) and (
                    self.min_decimals is None or decimals >= self.min_decimals):
                return None
        if wanted is not None and made.figures < wanted:
            return f"{made.figures} significant figure{'s' * (made.figures != 1)}"
        shown = max(-made.place, 0)
        return f"{shown} decimal{'s' * (shown != 1)}"

    def describe(self) -> str:
        """Say the tolerance in words, for messages."""
        if self.sigfigs is not None:
            return f"{self.sigfigs} significant figures"
        if self.rounded:
            return f"rounded as written (at least {self._minimum()})"
        return f"relative {self.rel:g}"

    def shown(self, *, near_zero: bool = False) -> str:
        """The tolerance beside a miss: `tolerance 1 %`, `tolerance 3 significant figures`;
        `near_zero`, where the absolute floor holds a claim: `tolerance 0.001`."""
        if self.sigfigs is not None or self.rounded:
            return f"tolerance {self.describe()}"
        if near_zero or self.rel == 0:
            return f"tolerance {self.abs:g}"
        return f"tolerance {percent(self.rel)}"

    def _minimum(self) -> str:
        asks = []
        figures = self._figures()
        if figures is not None:
            asks.append(f"{figures} significant figure{'s' * (figures != 1)}")
        if self.min_decimals is not None:
            asks.append(f"{self.min_decimals} decimal{'s' * (self.min_decimals != 1)}")
        return " and ".join(asks)


def _finish(near: np.ndarray, e: np.ndarray, c: np.ndarray) -> np.ndarray:
    same_inf = np.isinf(e) & (e == c)
    # A NaN truth only arises as a known mistake ("0·log 0 taken as NaN"): NaN matches NaN.
    both_nan = np.isnan(e) & np.isnan(c)
    return np.asarray((near & np.isfinite(e)) | same_inf | both_nan, dtype=bool)


def written_precision(item: Any) -> Precision | None:
    """The precision a claimed number was written with: an int's digits, a float's text as
    read from the file (or its shortest decimal), a string holding a plain decimal; None for
    anything else (an expression has no written precision)."""
    if isinstance(item, bool):
        return None
    if isinstance(item, int):
        return precision(str(item)) if abs(item) < 10**300 else None
    if isinstance(item, WrittenFloat):
        return precision(item.text)
    if isinstance(item, float):
        return precision(repr(item)) if math.isfinite(item) else None
    if isinstance(item, str) and len(item) <= 400:
        return precision(item)
    return None


def percent(fraction: float, digits: int = 2) -> str:
    """A fraction as a percentage to `digits` significant figures (`2.8 %`, `1 %`, `0.05 %`),
    or whole from 100 % up (`125 %`); `under 0.001 %` below 0.001 %."""
    if not math.isfinite(fraction):
        return "inf %"
    if fraction * 100 < SMALLEST_PERCENT:
        return f"under {SMALLEST_PERCENT:g} %"
    value = fraction * 100
    if value >= 10 ** digits:  # 125 %, not 1.2e+02 %
        return f"{value:.0f} %"
    return f"{float(f'{value:.{digits}g}'):g} %"


EXACT = Tolerance(rel=0.0, abs=1e-9)
