"""How close a real-valued claim must be to the truth."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np


@dataclass(frozen=True)
class Tolerance:
    """How close a real-valued claim must be: relative with an absolute floor, or sig. figures."""

    rel: float = 1e-2
    abs: float = 1e-9
    sigfigs: int | None = None

    def close(self, expected: Any, claimed: Any) -> np.ndarray:
        """Elementwise: is `claimed` within tolerance of `expected` (inf equals inf)."""
        e = np.asarray(expected, dtype=float)
        c = np.asarray(claimed, dtype=float)
        with np.errstate(invalid="ignore", over="ignore"):
            if self.sigfigs is not None:
                mag = np.floor(np.log10(np.where(e == 0, 1.0, np.abs(e))))
                bound = 0.5 * 10.0 ** (mag - self.sigfigs + 1)
                bound = np.where(e == 0, 0.5 * 10.0 ** (-self.sigfigs), bound)
            else:
                bound = np.maximum(self.rel * np.abs(e), self.abs)
            near = np.abs(c - e) <= bound
        same_inf = np.isinf(e) & (e == c)
        # A NaN truth only arises as a known mistake ("0·log 0 taken as NaN"): NaN matches NaN.
        both_nan = np.isnan(e) & np.isnan(c)
        return np.asarray((near & np.isfinite(e)) | same_inf | both_nan, dtype=bool)

    def describe(self) -> str:
        """Say the tolerance in words, for messages."""
        if self.sigfigs is not None:
            return f"{self.sigfigs} significant figures"
        return f"relative {self.rel:g}"


EXACT = Tolerance(rel=0.0, abs=1e-9)


EXACT = Tolerance(rel=0.0, abs=1e-9)
