"""How far off a numeric miss is: its relative error (and, near zero, its absolute error)
beside the tolerance, for the message and for JSON's `error`."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from nncheck.compare.numbers import format_number
from nncheck.compare.tolerance import Tolerance, percent

MAX_DIGITS = 6  # a percentage shown to more figures only when it would read as the tolerance


@dataclass(frozen=True)
class Off:
    """The error of the worst element of a miss (the one furthest in tolerances)."""

    index: int  # which element of a vector (0 for a number)
    relative: float | None  # |got - expected| / |expected|; None for a zero truth
    absolute: float  # |got - expected|
    near_zero: bool  # the absolute floor is what the tolerance held it to
    tolerance: Tolerance

    def said(self, *, exact: bool = False, where: str = "") -> str:
        """`2.8 % off, tolerance 1 %`; near zero `off by 0.003, tolerance 0.001`; an exact
        ask (a count, a shape) `off by 1 (25 %)`, with no tolerance to give. `where` names
        the element of a vector: ` at w12`."""
        by = f"off by {format_number(self.absolute, 3)}{where}"
        if exact:
            return by if self.relative is None else f"{by} ({percent(self.relative)})"
        if self.near_zero or self.relative is None:
            return f"{by}, {self.tolerance.shown(near_zero=True)}"
        figure = _percent_beside(self.relative, self.tolerance)
        return f"{figure} off{where}, {self.tolerance.shown()}"

    def json(self) -> dict[str, float | None]:
        """FORMAT §8's `error`: `{"relative": 0.0275, "absolute": 3.679e-05}`."""
        return {"relative": self.relative, "absolute": self.absolute}


def how_far_off(expected: Any, got: Any, tolerance: Tolerance) -> Off | None:
    """The error of a miss at one point (a number or a vector), or None where there is no
    finite figure to give (an infinite or NaN value, a vector of another length)."""
    want = np.atleast_1d(np.asarray(expected, dtype=float))
    try:
        have = np.atleast_1d(np.asarray(got, dtype=float))
    except (TypeError, ValueError):
        return None
    if want.shape != have.shape:
        return None
    with np.errstate(all="ignore"):
        diff = np.abs(have - want)
        bound = np.asarray(tolerance.bound(want), dtype=float)
        finite = np.isfinite(diff) & np.isfinite(want) & (diff > 0)
        if not finite.any():
            return None
        score = np.where(finite, diff / np.where(bound > 0, bound, 1.0), -1.0)
    j = int(np.argmax(score))
    truth, absolute = float(want[j]), float(diff[j])
    relative = absolute / abs(truth) if truth != 0 else None
    relative_mode = tolerance.sigfigs is None and not tolerance.rounded
    near_zero = relative_mode and tolerance.rel * abs(truth) < tolerance.abs
    return Off(j, relative, absolute, near_zero, tolerance)


def _percent_beside(relative: float, tolerance: Tolerance) -> str:
    """The relative error as a percentage, to as many figures as tell it from the tolerance
    (1.004 % beside a tolerance of 1 % is not `1 %`)."""
    shown = percent(relative)
    if tolerance.sigfigs is not None or tolerance.rounded:
        return shown
    limit = percent(tolerance.rel)
    digits = 2
    while shown == limit and digits < MAX_DIGITS:
        digits += 1
        shown = percent(relative, digits)
    return shown
