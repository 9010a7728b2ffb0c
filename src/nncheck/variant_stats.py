"""Class statistics per variant of a problem that varies (`vary:`), with unfair draws flagged.

A variant is flagged `unfair` when its mean score on the problem differs from the mean of the
other sheets (every other variant together) by more than FLAG_SE standard errors of that
difference, SE = sqrt(s_v^2 / n_v + s_rest^2 / n_rest) with s the sample standard deviation;
when SE is 0 (every sheet on each side scored alike), any difference is flagged. A variant with
fewer than MIN_SHEETS sheets, or a rest with fewer, is never flagged: too few to tell.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from typing import Any

FLAG_SE = 2.0
MIN_SHEETS = 2


def variant_summary(scores: Mapping[tuple[str, int], Sequence[float]]) -> list[dict[str, Any]]:
    """Per problem and variant (sorted): sheets, mean, the mean of the rest, and whether the
    mean stands out. The rest is taken from per-problem sums: linear in the sheets."""
    totals: dict[str, tuple[int, float, float]] = {}
    for (pid, _), values in scores.items():
        n, s, q = totals.get(pid, (0, 0.0, 0.0))
        totals[pid] = (n + len(values), s + math.fsum(values), q + math.fsum(v * v for v in values))
    out = []
    for (pid, variant) in sorted(scores):
        mine = _moments(scores[(pid, variant)])
        n, s, q = totals[pid]
        rest = (n - mine[0], s - mine[1], q - mine[2])
        out.append({"problem": pid, "variant": variant, "sheets": mine[0],
                    "mean": round(mine[1] / mine[0], 4),
                    "rest_mean": round(rest[1] / rest[0], 4) if rest[0] else None,
                    "unfair": unfair(mine, rest)})
    return out


def _moments(values: Sequence[float]) -> tuple[int, float, float]:
    return len(values), math.fsum(values), math.fsum(v * v for v in values)


def _variance(m: tuple[int, float, float]) -> float:
    """The sample variance from count, sum and sum of squares (never below 0 by rounding)."""
    n, s, q = m
    return max(0.0, (q - s * s / n) / (n - 1))


def unfair(mine: tuple[int, float, float], rest: tuple[int, float, float]) -> bool:
    """Whether the mean of one variant (count, sum, sum of squares) differs from that of the
    rest by more than FLAG_SE standard errors (see the module's docstring)."""
    if mine[0] < MIN_SHEETS or rest[0] < MIN_SHEETS:
        return False
    gap = abs(mine[1] / mine[0] - rest[1] / rest[0])
    se = math.sqrt(_variance(mine) / mine[0] + _variance(rest) / rest[0])
    return gap > FLAG_SE * se if se > 1e-12 else gap > 1e-9
