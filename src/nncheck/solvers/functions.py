"""Asks about a Boolean function of named inputs: `separable` (one threshold unit computes it:
`no`, or a witness checked on every row) and `min_units` (the fewest hidden units of a
two-layer threshold design, engine/twolayer.py)."""

from __future__ import annotations

import math
from fractions import Fraction
from typing import Any

import numpy as np

from nncheck import expr
from nncheck.compare.numeric import Known, NumericTruth
from nncheck.compare.tables import row_label
from nncheck.compare.truths import CustomTruth
from nncheck.compare.verdict import Status, Verdict
from nncheck.engine import exact, twolayer
from nncheck.engine.network import input_rows, levels
from nncheck.errors import ExprError, ProblemError
from nncheck.solvers import feasible
from nncheck.solvers.context import Context
from nncheck.spec.parts import MinUnitsPart, SeparablePart

NO = frozenset({"no", "false", "not separable", "n"})
YES = frozenset({"yes", "true", "separable", "y"})
SHOWN_ROWS = 3
# A witness is checked in int64 once scaled to integers: |w|s and |b| summed below this.
MAX_WITNESS = 1 << 62


def function_table(part: SeparablePart | MinUnitsPart, ctx: Context
                   ) -> tuple[np.ndarray, np.ndarray]:
    """Every input row (in the part's domain) and whether the function is on there."""
    rows = input_rows(len(part.inputs), part.domain)
    if part.table is not None:
        return rows, np.array([bool(v) for v in part.table])
    assert part.target is not None
    try:
        target = expr.parse(part.target, aliases=ctx.aliases)
    except ExprError as exc:
        raise ProblemError(f"part `{part.id}`: target: {exc}") from None
    unknown = target.names - set(part.inputs)
    if unknown:
        raise ProblemError(
            f"part `{part.id}`: the target uses `{sorted(unknown)[0]}`, which is not an input",
            expected=f"a boolean expression over {', '.join(part.inputs)}")
    env = {name: (rows[:, i] > 0).astype(float) for i, name in enumerate(part.inputs)}
    with np.errstate(all="ignore"):
        values = np.asarray(target.evaluate(env), dtype=float)
    return rows, np.broadcast_to(values, rows.shape[:1]) != 0


def solve_separable(part: SeparablePart, ctx: Context) -> CustomTruth:
    """Decided exactly (solvers/feasible.py); a `yes` is graded by its witness on every row."""
    rows, want = function_table(part, ctx)
    found = feasible.separate(rows, want)
    if found.separable is None:
        raise ProblemError(f"part `{part.id}`: nncheck could not decide within its bounds "
                           "whether one threshold unit computes this function",
                           expected="fewer inputs")
    inputs = list(part.inputs)
    if found.separable:
        # The witness separates strictly (z is never 0 on a row), so it serves every activation.
        key: Any = {"w": list(found.weights[:-1]), "b": found.weights[-1]}
        reason = None
    else:
        key = "no"
        reason = _reason(rows, want, found, part.domain)

    def grade(claimed: object) -> Verdict:
        if isinstance(claimed, (bool, str)):
            said = str(claimed).strip().casefold() if not isinstance(claimed, bool) else \
                ("yes" if claimed else "no")
            if said in NO:
                if found.separable:
                    return Verdict(Status.WRONG, 0.0, "it is linearly separable: one "
                                   f"{part.activation} unit computes it")
                return Verdict(Status.CORRECT, 1.0, reason)
            if said in YES:
                return Verdict(Status.WRONG, 0.0, "a yes needs its witness: "
                               "`{w: [...], b: ...}`, checked on every row")
        if not isinstance(claimed, dict):
            return Verdict(Status.INVALID, 0.0, "expected `no`, or a witness "
                           "`{w: [...], b: ...}` (one weight per input, and a bias)")
        return _check_witness(claimed, inputs, rows, want, part.activation, part.domain)

    return CustomTruth(expected=key, grader=grade, key_value=part.solution or key, note=None)


def _reason(rows: np.ndarray, want: np.ndarray, found: feasible.Separation, domain: str
            ) -> str:
    def listed(idx: tuple[int, ...]) -> str:
        more = f" and {len(idx) - 4} more" if len(idx) > 4 else ""
        return ", ".join(row_label(rows[i], domain) for i in idx[:4]) + more

    return (f"not separable: a weighted average of the true rows {listed(found.on_rows)} "
            f"equals a weighted average of the false rows {listed(found.off_rows)}, where "
            "w·x + b takes one value")


def _check_witness(claimed: dict[Any, Any], inputs: list[str], rows: np.ndarray,
                   want: np.ndarray, activation: str, domain: str) -> Verdict:
    """A witness realises the function when its unit is on exactly on the true rows, every row
    checked in exact integers."""
    extra = set(claimed) - {"w", "b"}
    if extra or "w" not in claimed or "b" not in claimed:
        return Verdict(Status.INVALID, 0.0, "a witness is `{w: [...], b: ...}`: one weight "
                       "per input, and a bias")
    w = claimed["w"]
    if isinstance(w, dict):
        unknown = [k for k in w if k not in inputs]
        if unknown:
            return Verdict(Status.INVALID, 0.0, f"`w` names `{unknown[0]}`, which is not an "
                           f"input — the inputs are {', '.join(inputs)}")
        w = [w.get(name, 0) for name in inputs]
    if not isinstance(w, list) or len(w) != len(inputs):
        return Verdict(Status.INVALID, 0.0, f"`w` needs one weight for each of "
                       f"{', '.join(inputs)}")
    values = [exact.rational(v) if isinstance(v, (int, float, str)) and not isinstance(v, bool)
              else None for v in [*w, claimed["b"]]]
    if any(v is None for v in values):
        return Verdict(Status.INVALID, 0.0, "every weight and the bias must be a number")
    fracs: list[Fraction] = values  # type: ignore[assignment]
    scale = math.lcm(*(v.denominator for v in fracs))
    ints = [int(v * scale) for v in fracs]
    if sum(abs(i) for i in ints) >= MAX_WITNESS:
        return Verdict(Status.INVALID, 0.0, "the weights and bias are too large, or written "
                       "too finely, to check exactly")
    z = rows.astype(np.int64) @ np.array(ints[:-1], dtype=np.int64) + ints[-1]
    on = z > 0 if activation == "step_strict" else z >= 0
    bad = np.flatnonzero(on != want)
    if not len(bad):
        return Verdict(Status.CORRECT, 1.0)
    off_value, on_value = levels(activation)

    def says(r: int) -> str:
        return f"row {row_label(rows[r], domain)} gives {int(on_value if on[r] else off_value)}"\
            f", not {int(on_value if want[r] else off_value)}"

    more = f" (and {len(bad) - SHOWN_ROWS} more)" if len(bad) > SHOWN_ROWS else ""
    return Verdict(Status.WRONG, 0.0, f"the witness differs from the function on {len(bad)} "
                   f"of {len(rows)} rows: {'; '.join(says(r) for r in bad[:SHOWN_ROWS])}{more}")


def solve_min_units(part: MinUnitsPart, ctx: Context) -> NumericTruth:
    """The exhaustive search of engine/twolayer.py, on the function's table."""
    _, want = function_table(part, ctx)
    table = sum(1 << r for r in np.flatnonzero(want).tolist())
    k = twolayer.min_hidden_units(table, len(part.inputs))
    return NumericTruth(
        expected=k,
        values=np.array([float(k)]),
        tolerance=ctx.tolerance,
        exact=True,
        integers=((k,),),
        key_value=k if part.solution is None else part.solution,
        known=(Known("the output unit counted with the hidden ones" if k else
                     "one unit reading the inputs computes it: no hidden unit is needed",
                     np.array([float(k + 1)])),),
    )

