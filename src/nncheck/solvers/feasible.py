"""Whether a `realize` part can be done at all: one threshold unit and a linearly separable target.

One step unit (or `step_strict`, or `sign`) with free weights and bias computes a target
exactly when the target's on rows and off rows are *strictly* linearly separable: some w, b
with w·x + b > 0 on every on row and < 0 on every off row. (Given w·x + b >= 0 on the on rows
and < 0 on the off ones, raising b by half the smallest gap makes both strict; the converse is
plain.) Writing a_i = ±(x_i, 1), + for an on row, - for an off row, that is: some v with
a_i·v > 0 for every row.

By Farkas' lemma exactly one of two things holds: such a v exists, or some convex combination
of the a_i is 0 — a weighted average of on rows equals a weighted average of off rows (XOR:
(01 + 10)/2 = (00 + 11)/2). The second is a linear program: λ >= 0, Σ λ_i a_i = 0, Σ λ_i = 1.
It is solved exactly, in rationals, with the simplex method (phase one, Bland's rule, which
cannot cycle), over a few rows at a time (column generation): the duals of the rows solved so
far give a candidate v; v is checked on every row at once in numpy (exactly: integers below
2^53); rows it gets wrong join the program, and the next round starts. Either v is right on
every row (separable, with a witness), or the program finds λ (not separable, with the rows
that prove it). Rounds and rows are bounded; past the bounds the answer is "undecided".
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from fractions import Fraction

import numpy as np

from nncheck.compare.tables import row_label
from nncheck.engine.network import THRESHOLD
from nncheck.errors import ProblemError
from nncheck.spec.network import NetworkSpec
from nncheck.written import FLOAT_EXACT

MAX_ROUNDS = 60  # rounds of column generation
MAX_ROWS = 400  # rows in the exact program at most
ADD_PER_ROUND = 24  # rows added per round, the worst first


@dataclass(frozen=True)
class Separation:
    """The answer: separable (a witness w, b), not separable (the rows that prove it), or
    undecided within the bounds."""

    separable: bool | None
    weights: tuple[int, ...] = ()  # w then b, integers, when separable
    on_rows: tuple[int, ...] = ()  # row indices of the proof, when not separable
    off_rows: tuple[int, ...] = ()


SHOWN_ROWS = 4  # rows of each kind named in the proof of an impossible target


def check_design(part_id: str, template: NetworkSpec, activation: str, rows: np.ndarray,
                 want: np.ndarray, domain: str) -> str | None:
    """For a `realize` part with no `solution:`: raise ProblemError when no design exists
    (one free threshold unit, a target that is not linearly separable), or say why nothing
    was checked (None: a design exists)."""
    unit = _single_free_unit(template)
    if unit is None or activation not in THRESHOLD:
        return ("no `solution:`, so nncheck cannot check that the template can compute the "
                "target (it decides that only for one threshold unit with free weights and "
                "bias) — give a model answer")
    found = separate(rows, want)
    if found.separable is None:
        return ("no `solution:`, and nncheck could not decide within its bounds whether one "
                f"{activation} unit computes the target — give a model answer")
    if found.separable:
        return None

    def listed(idx: tuple[int, ...]) -> str:
        more = f" and {len(idx) - SHOWN_ROWS} more" if len(idx) > SHOWN_ROWS else ""
        return ", ".join(row_label(rows[i], domain) for i in idx[:SHOWN_ROWS]) + more

    raise ProblemError(
        f"part `{part_id}`: no single {activation} unit computes this target (it is not "
        "linearly separable)",
        expected="a target one unit can compute, or a template with a hidden layer",
        hint=f"a weighted average of the true rows {listed(found.on_rows)} equals a weighted "
             f"average of the false rows {listed(found.off_rows)}; z = w·x + b takes one value "
             "at that point, so it cannot be on for the one and off for the other",
    )


def _single_free_unit(template: NetworkSpec) -> str | None:
    """The unit of a template of one layer of one unit, every parameter free; else None."""
    if len(template.layers) != 1 or len(template.layers[0].units) != 1:
        return None
    units = template.layers[0].units
    if isinstance(units, list):
        return units[0]
    ((name, spec),) = units.items()
    return name if spec is None or (spec.w is None and spec.b is None) else None


def separate(rows: np.ndarray, want: np.ndarray) -> Separation:
    """Decide whether one threshold unit puts exactly the `want` rows on (rows: one per input
    row, the inputs' values; want: booleans)."""
    rows = np.asarray(rows, dtype=float)
    n_rows, n = rows.shape
    sign = np.where(want, 1.0, -1.0)
    if n_rows == 0:
        return Separation(True, (0,) * n + (1,))
    # A guess first: the Chow parameters (each input's correlation with the target) are the
    # weights of many exam targets (majority, weighted votes) up to scale.
    chow = [int(c) for c in (sign @ (2 * rows - rows.min() - rows.max())).round()]
    guess = _with_bias(rows, sign, [c // (math.gcd(*chow) or 1) for c in chow])
    if guess is not None:
        return Separation(True, tuple(guess))
    chosen: list[int] = _spread(want)
    program = _Farkas(n + 2)
    for _ in range(MAX_ROUNDS):
        for i in chosen[len(program.cost) - program.height:]:
            program.add(_column(rows[i], sign[i]))
        found = program.solve()
        if isinstance(found, dict):  # a convex combination equal to 0: not separable
            used = sorted(chosen[j] for j in found)
            return Separation(False, on_rows=tuple(i for i in used if want[i]),
                              off_rows=tuple(i for i in used if not want[i]))
        v = _integers(found)
        if v is None:
            return Separation(None)
        better = _with_bias(rows, sign, v[:-1])  # the direction may do with another bias
        if better is not None:
            return Separation(True, tuple(better))
        margin = sign * (rows @ np.asarray(v[:-1], dtype=float) + v[-1])
        wrong = np.flatnonzero(margin <= 0)
        worst = wrong[np.argsort(margin[wrong], kind="stable")[:ADD_PER_ROUND]]
        known = set(chosen)
        fresh = [int(i) for i in worst if int(i) not in known]
        if not fresh or len(chosen) + len(fresh) > MAX_ROWS:
            return Separation(None)
        chosen += fresh
    return Separation(None)


def _with_bias(rows: np.ndarray, sign: np.ndarray, w: list[int]) -> list[int] | None:
    """w and a bias that separate the rows along w, if one does (exactly: w·x is an integer
    below 2^53 on every row, or w is not tried)."""
    if sum(abs(i) for i in w) * max(1.0, float(np.abs(rows).max())) >= FLOAT_EXACT:
        return None
    z = rows @ np.asarray(w, dtype=float)
    on, off = z[sign > 0], z[sign < 0]
    if not len(on) or not len(off):
        return [0] * len(w) + [1 if len(on) else -1]
    low, high = on.min(), off.max()
    if high >= low:
        return None
    # Between the two, as integers: 2·w and the odd number between 2·high and 2·low.
    return [2 * i for i in w] + [-int(high + low)]


def _spread(want: np.ndarray) -> list[int]:
    """A few rows of each kind to start from: the first, the last and some between."""
    out: list[int] = []
    for kind in (True, False):
        idx = np.flatnonzero(want == kind)
        if len(idx):
            picks = np.unique(np.linspace(0, len(idx) - 1, num=min(len(idx), 4)).round())
            out += [int(idx[int(k)]) for k in picks]
    return out


def _column(x: np.ndarray, s: float) -> tuple[int, ...]:
    """A row's column of the program: s·(x, 1), then 1 (for Σ λ = 1)."""
    return (*(int(s * v) for v in x), int(s), 1)


class _Farkas:
    """Phase one of: λ >= 0 with Σ λ_j col_j = (0, ..., 0, 1), columns added as they come.

    The tableau keeps one artificial variable per row (variables 0..h-1, λ_j is h + j): their
    columns hold B⁻¹, so a new column enters as B⁻¹·col, with reduced cost -y·col, and the
    simplex goes on from the basis it had (the duals y = 1 - the artificials' reduced costs).
    """

    def __init__(self, height: int):
        self.height = height
        self.table = [[Fraction(int(k == r)) for k in range(height)] for r in range(height)]
        self.rhs = [Fraction(int(r == height - 1)) for r in range(height)]
        self.basis = list(range(height))
        self.cost = [Fraction(0)] * height  # reduced costs, artificials then λ
        self.value = Fraction(-1)  # minus the sum of the artificials

    def add(self, col: tuple[int, ...]) -> None:
        """One more column (a row of the table of the target)."""
        h = self.height
        for r in range(h):
            self.table[r].append(sum((self.table[r][k] * col[k] for k in range(h) if col[k]),
                                     Fraction(0)))
        y = self.duals()
        self.cost.append(-sum((y[k] * col[k] for k in range(h) if col[k]), Fraction(0)))

    def duals(self) -> list[Fraction]:
        """y: the reduced cost of artificial k is 1 - y_k."""
        return [1 - self.cost[k] for k in range(self.height)]

    def solve(self) -> dict[int, Fraction] | list[Fraction]:
        """λ (its positive entries, by column) when the program is feasible, else the duals y
        of the optimal phase one: y[-1] > 0 and y·col_j <= 0 for every column, so v = -y[:-1]
        has a_j·v >= y[-1] > 0 on every row of the program."""
        table, rhs, basis, h = self.table, self.rhs, self.basis, self.height
        while True:
            enter = next((j for j, c in enumerate(self.cost) if c < 0), None)
            if enter is None:
                break
            # Bland: the smallest ratio, then the smallest variable leaves.
            _, _, leave = min((rhs[r] / table[r][enter], basis[r], r)
                              for r in range(h) if table[r][enter] > 0)
            pivot = table[leave][enter]
            table[leave] = [v / pivot for v in table[leave]]
            rhs[leave] /= pivot
            for r in range(h):
                f = table[r][enter]
                if r != leave and f:
                    table[r] = [a - f * b for a, b in zip(table[r], table[leave])]
                    rhs[r] -= f * rhs[leave]
            f = self.cost[enter]
            self.cost = [a - f * b for a, b in zip(self.cost, table[leave])]
            self.value -= f * rhs[leave]
            basis[leave] = enter
        if self.value == 0:  # the artificials are all 0: λ solves the program
            return {basis[r] - h: rhs[r] for r in range(h) if basis[r] >= h and rhs[r] > 0}
        return self.duals()


def _integers(y: list[Fraction]) -> list[int] | None:
    """v = -y[:-1] as coprime integers (w then b), or None when a row's sum could overflow
    float64's exact integers."""
    v = [-f for f in y[:-1]]
    scale = math.lcm(*(f.denominator for f in v))
    ints = [int(f * scale) for f in v]
    common = math.gcd(*ints) or 1
    ints = [i // common for i in ints]
    return ints if sum(abs(i) for i in ints) < FLOAT_EXACT else None
