"""Threshold and neuron networks: truth tables, designs that realise a function, forward passes."""

from __future__ import annotations

import functools
from collections.abc import Mapping

import numpy as np

from nncheck import expr
from nncheck.compare.numbers import to_json_value
from nncheck.compare.numeric import Known, NumericTruth
from nncheck.compare.table_rows import expected_table
from nncheck.compare.tables import (
    CellDiff,
    Column,
    LazyRows,
    RowDiff,
    TableDetail,
    TableTruth,
    row_label,
)
from nncheck.compare.truths import CustomTruth
from nncheck.compare.verdict import Status, Verdict
from nncheck.engine.design import fill
from nncheck.engine.network import THRESHOLD, Network, build, input_rows, levels
from nncheck.errors import AnswerError, DesignError, ExprError, ProblemError
from nncheck.solvers import designs, feasible
from nncheck.solvers.circular import circular_symbols
from nncheck.solvers.context import Context
from nncheck.solvers.listed import is_on, required_rows
from nncheck.solvers.losses import softmax_warning
from nncheck.spec.parts import ForwardPart, RealizePart, TruthTablePart
from nncheck.words import did_you_mean

STRICT_MISTAKE = "a step unit that fires only for z > 0 (step(0) is 1)"


def table_values(net: Network, columns: list[str], domain: str) -> np.ndarray:
    """The inputs, then each asked column, for every input row (vectorised over rows)."""
    n = len(net.inputs)
    # One array for the whole table, filled column by column (each write contiguous): at a
    # million rows, every extra copy of the table costs a noticeable part of a second.
    table = input_rows(n, domain, extra=len(columns))
    env = net.forward({name: table[:, i] for i, name in enumerate(net.inputs)})
    for j, c in enumerate(columns, n):
        table[:, j] = env[c]
    return table


def _resolve(
    net: Network, names: list[str], key: str, aliases: Mapping[str, str]
) -> list[str]:
    """The asked symbols as the network names them (a name may be one of the `aliases`)."""
    known = net.symbols()
    out = []
    for name in names:
        symbol = aliases.get(name, name)
        if symbol not in known:
            raise ProblemError(
                f"`{key}: {name}` is not a symbol of network `{net.name}`",
                expected="an input, a unit, or z_<unit>",
                hint=did_you_mean(name, [*known, *aliases]),
            )
        out.append(symbol)
    return out


def _column(net: Network, name: str, domain: str) -> Column:
    """How a table column is read: inputs by the domain, units by their activation."""
    if name.startswith("z_"):
        return Column(name, real=True, words="sign")
    if name in net.inputs:
        return Column.guess(name, domain)
    act = net.unit(name).activation
    if act in THRESHOLD:
        off, on = levels(act)
        return Column(name, off=off, on=on, activation=act)
    return Column(name, real=True, words="none", activation=act)


def solve_truth_table(part: TruthTablePart, ctx: Context) -> TableTruth:
    """The table of the asked columns over every input row; names the step/step_strict slip."""
    net = ctx.network(part.network)
    columns = _resolve(net, part.columns, "columns", ctx.aliases) if part.columns \
        else list(net.outputs)
    values = table_values(net, columns, part.domain)
    known = []
    if "step" in net.activations():
        # Only the asked columns: the inputs are the same rows (a known mistake's array may
        # hold just the asked columns, `TableTruth.known`).
        n = len(net.inputs)
        env = net.with_activation("step", "step_strict").forward(
            {name: values[:, i] for i, name in enumerate(net.inputs)})
        strict = np.empty((len(values), len(columns)), order="F")
        for j, c in enumerate(columns):
            strict[:, j] = env[c]
        if not np.array_equal(strict, values[:, n:]):
            known.append((STRICT_MISTAKE, strict))
    return TableTruth(
        inputs=net.inputs,
        columns=tuple(columns),
        values=values,
        domain=part.domain,
        rows=part.rows,
        partial=part.partial,
        tolerance=ctx.tolerance,
        kinds={c: _column(net, c, part.domain) for c in columns},
        known=tuple(known),
        aliases=ctx.aliases,
        required=required_rows(part, net, columns, values, ctx.aliases),
    )


def solve_realize(part: RealizePart, ctx: Context) -> CustomTruth:
    """The target's table; a design is correct when its output matches it on every row."""
    template = ctx.template(part.template)
    inputs = list(template.inputs)
    rows = input_rows(len(inputs), part.domain)
    try:
        target = expr.parse(part.target, aliases=ctx.aliases)
    except ExprError as exc:
        raise ProblemError(f"part `{part.id}`: target: {exc}") from None
    unknown = target.names - set(inputs)
    if unknown:
        raise ProblemError(
            f"part `{part.id}`: the target uses `{sorted(unknown)[0]}`, which is not an input",
            expected=f"a boolean expression over {', '.join(inputs)}",
        )
    env = {name: (rows[:, i] > 0).astype(float) for i, name in enumerate(inputs)}
    with np.errstate(all="ignore"):
        truth = np.broadcast_to(np.asarray(target.evaluate(env), dtype=float), rows.shape[:1])
    want = truth != 0
    output = template.layers[-1].units
    out_name = next(iter(output))
    if len(output) != 1:
        raise ProblemError(f"part `{part.id}`: the template must end in one output unit")
    # True and false are the output unit's own values (step: 1/0, sign: +1/-1), whatever the
    # domain: the domain is about the inputs.
    compiled = build(template, name=f"template of {part.id}")
    activation = compiled.unit(out_name).activation
    free = set(compiled.free_parameters())  # what the answer gives, held to the part's rules
    off, on = levels(activation)
    # No model answer proves a design exists: decide it where nncheck can, else say so.
    note = None if part.solution is not None else feasible.check_design(
        part.id, template, activation, rows, want, part.domain)
    shown = np.where(want, on, off)
    expected = expected_table([*inputs, out_name], np.column_stack([rows, shown]))

    def grade(claimed: object) -> Verdict:
        try:
            net = fill(template, claimed, name="design")
            broken = designs.broken_rule(part, net, free)
            if broken:
                return Verdict(Status.WRONG, 0.0, broken)
            env = net.forward({n: rows[:, i] for i, n in enumerate(inputs)})
        except DesignError as exc:
            return Verdict(Status.WRONG, 0.0, str(exc))
        except (AnswerError, ExprError) as exc:
            return Verdict(Status.INVALID, 0.0, str(exc))
        except ProblemError as exc:
            return Verdict(Status.INVALID, 0.0, str(exc))
        got = _is_on(net, env[out_name], rows.shape[:1])
        bad = np.flatnonzero(got != want)
        if len(bad) == 0:
            return Verdict(Status.CORRECT, 1.0, _boundary_note(net, env, rows, part.domain))

        def says(r: int) -> str:
            return f"row {row_label(rows[r], part.domain)} gives {_bit(got[r], off, on)}, " \
                f"not {_bit(want[r], off, on)}"

        more = f" (and {len(bad) - 3} more)" if len(bad) > 3 else ""
        message = f"{out_name} differs from the target on {len(bad)} of {len(rows)} rows: " \
            f"{'; '.join(says(r) for r in bad[:3])}{more}"
        detail = TableDetail((*inputs, out_name), len(rows), LazyRows(bad, functools.partial(
            _realize_row, rows, part.domain, out_name, want, got, (off, on))))
        return Verdict(Status.WRONG, 0.0, message, (), detail)

    return CustomTruth(expected=expected, grader=grade, key_value=part.solution, note=note)


def _is_on(net: Network, values: np.ndarray, shape: tuple[int, ...]) -> np.ndarray:
    """Whether the output is on, row by row: a threshold unit's on value (1, for step and
    sign alike), or a continuous output's class: from 0.5 up (sigmoid, softmax), above 0
    (relu, whose 0 is off), else from 0 up (tanh, linear)."""
    values = np.broadcast_to(np.asarray(values, dtype=float), shape)
    return is_on(net.unit(net.outputs[0]).activation, values)


def _realize_row(
    rows: np.ndarray, domain: str, out_name: str, want: np.ndarray, got: np.ndarray,
    values: tuple[float, float], r: int,
) -> RowDiff:
    return RowDiff(row_label(rows[r], domain),
                   (CellDiff(out_name, _bit(want[r], *values), _bit(got[r], *values), False),))


def _bit(on: bool, off_value: float, on_value: float) -> str:
    return str(int(on_value if on else off_value))


# What a unit exactly at z = 0 relies on.
AT_ZERO = {"step": "step(0) = 1", "step_strict": "step_strict(0) = 0", "sign": "sign(0) = 1"}


def _boundary_note(net: Network, env: dict, rows: np.ndarray, domain: str) -> str | None:
    """Say where a correct design relies on the value at z = 0, the exam's favourite trap.

    `Network.forward` has already set a threshold unit's z to exactly 0 wherever it is 0 in
    exact arithmetic (`threshold.py`, the one rule for both), so `z == 0` here is that rule.
    """
    notes = []
    relies = []
    for u in net.units:
        if u.activation not in THRESHOLD:
            continue
        z = np.broadcast_to(env[f"z_{u.name}"], rows.shape[:1])
        at_zero = np.flatnonzero(z == 0)
        if len(at_zero):
            where = ", ".join(row_label(rows[r], domain) for r in at_zero[:4])
            more = f" (and {len(at_zero) - 4} more)" if len(at_zero) > 4 else ""
            notes.append(f"{u.name} sits exactly at z = 0 on {where}{more}")
            relies.append(AT_ZERO[u.activation])
    if not notes:
        return None
    return "correct, on the boundary: " + "; ".join(notes) + \
        f" (it relies on {' and '.join(dict.fromkeys(relies))})"


def solve_forward(part: ForwardPart, ctx: Context) -> NumericTruth:
    """Values of the asked symbols for one input; names the z-for-activation slip."""
    assert part.network is not None and part.input is not None  # the spec requires them
    net = ctx.network(part.network)
    point = ctx.point(part.input)
    missing = [name for name in net.inputs if name not in point]
    if missing:
        raise ProblemError(f"part `{part.id}`: `input` has no value for `{missing[0]}`")
    env = net.forward(point)
    # Default: the outputs; a single output is a number, like `of: <that unit>`.
    of = part.of if part.of is not None else (
        net.outputs[0] if len(net.outputs) == 1 else list(net.outputs))
    vector = isinstance(of, list)
    written = of if isinstance(of, list) else [of]
    names = _resolve(net, written, "of", ctx.aliases)
    values = np.array([[float(env[n]) for n in names]])
    known = []
    swapped = [f"z_{n}" if f"z_{n}" in env else n for n in names]
    if swapped != names:
        known.append(Known(
            "the pre-activation z given where the activation belongs",
            np.array([[float(env[n]) for n in swapped]]),
        ))
    if "step" in net.activations():
        strict = net.with_activation("step", "step_strict").forward(point)
        known.append(Known(STRICT_MISTAKE, np.array([[float(strict[n]) for n in names]])))
    softmax_units = {u.name for layer in net.layers if layer.softmax for u in layer.units}
    remark = softmax_warning if softmax_units & set(names) else None
    shaped = values if vector else values[:, 0]
    return NumericTruth(
        expected=to_json_value(shaped[0]),
        values=shaped,
        env={k: np.atleast_1d(np.asarray(v, dtype=float)) for k, v in env.items()
             if not isinstance(v, expr.Expr)},
        vector=vector,
        tolerance=ctx.tolerance,
        known=tuple(Known(k.name, k.values if vector else k.values[:, 0]) for k in known),
        aliases=ctx.aliases,
        point_names=tuple(net.inputs),
        labels=names if vector else None,
        remark=remark,
        barred=tuple(circular_symbols(net, n, w) for n, w in zip(names, written)),
    )
