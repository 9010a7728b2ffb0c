"""The `gradient` ask (FORMAT §4.6): a derivative of an output or of a loss, by backpropagation.

The truth comes from `engine.backprop` at the given point and at every re-draw of a
`form: formula` part, whose key is the same backward pass run on text (`engine.symbolic`). A
loss's derivative and its conventions come from the loss table (`engine.losses`). The known
mistakes are replayed slips of backpropagation (`engine.backprop.Slip`) and the loss's
conventions done wrong. A formula that holds at every draw is checked once more at a second
round of points drawn for the claim itself, the gradient computed afresh there
(`compare.identity.redraw_check`), so a lookup fitted through the first round's points fails.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Mapping
from typing import Any

import numpy as np

from nncheck import expr
from nncheck.compare import identity
from nncheck.compare.numbers import format_number, to_json_value
from nncheck.compare.numeric import Known, NumericTruth
from nncheck.engine import backprop, symbolic
from nncheck.engine.backprop import NO_SLIP, Slip
from nncheck.engine.losses import LOSSES, gradient_mistakes, output_gradient
from nncheck.engine.network import Network
from nncheck.errors import ProblemError
from nncheck.solvers.context import Context
from nncheck.solvers.losses import loss_value
from nncheck.spec.parts import GradientPart, LossSpec
from nncheck.words import did_you_mean

DRAWS = 8  # random re-draws of a `form: formula` part, besides the given point
DRAW_RANGE = (-2.0, 2.0)  # FORMAT §3: drawn symbols are uniform in [-2, 2]
SHORT_VECTOR = 4  # vectors up to this long also get per-element known mistakes


# --- the part ----------------------------------------------------------------------------------

def solve_gradient(part: GradientPart, ctx: Context) -> NumericTruth:
    """The gradient a part asks for, at the given point (and re-draws), with known mistakes."""
    assert part.network is not None  # graph parts go to solvers.graphs
    net = ctx.network(part.network)
    wrt = _resolve_wrt(part.wrt, net, ctx.aliases)
    of, loss = _resolve_of(part, net)
    formula = part.form == "formula"
    env = net.forward(_points(part, ctx, net, formula))
    target = None if loss is None else _target(loss, net, ctx, env)
    tape, seeds, values = _backward(net, env, of, loss, target, wrt)
    shape = tape.shape
    undefined = np.flatnonzero(np.isnan(values).reshape(len(values), -1).any(axis=1))
    if len(undefined):
        where = "the given values" if undefined[0] == 0 else f"re-draw {undefined[0]}"
        raise ProblemError(
            f"the gradient is not a number at {where}: an output probability is exactly 0 "
            "or 1 there (a saturated softmax or sigmoid)",
            expected="weights and inputs that keep the outputs strictly between 0 and 1",
        )
    known = _known_mistakes(net, tape, seeds, wrt, values, ctx, loss)
    vector = isinstance(part.wrt, list)
    key_factory = None
    confirm = None
    if formula:
        def redraw(rng: np.random.Generator) -> tuple[dict[str, np.ndarray], np.ndarray]:
            """The gradient afresh at a second round of points (FORMAT §3 draws)."""
            names = [*net.inputs, *net.parameters()]
            drawn = rng.uniform(*DRAW_RANGE, size=(len(names), identity.SECOND_ROUND))
            at = net.forward(dict(zip(names, drawn)))
            again, _, got = _backward(net, at, of, loss, target, wrt)
            bound = {s: backprop.full(at[s], again.shape) for s in net.symbols()}
            return bound, got if vector else got[:, 0]

        confirm = identity.redraw_check(
            redraw, net.inputs, ctx.aliases, ctx.tolerance,
            lambda claim: ctx.claim_rng(claim, "gradient"),
            labels=list(part.wrt) if vector else None)
        def key() -> Any:
            """The gradient as a formula (built once, when a sheet's key is asked for)."""
            texts = {of: "1"} if loss is None or target is None else \
                _loss_texts(loss, target, net)
            return symbolic.key_formula(net, wrt, texts, vector)
        key_factory = functools.cache(key)
    return NumericTruth(
        expected=to_json_value(values[0] if vector else values[0, 0]),
        values=values if vector else values[:, 0],
        env={s: backprop.full(env[s], shape) for s in net.symbols()},
        vector=vector,
        tolerance=ctx.tolerance,
        known=tuple(Known(name, v if vector else v[:, 0]) for name, v in known),
        aliases=ctx.aliases,
        key_value=part.solution,
        key_factory=key_factory,
        labels=list(part.wrt) if vector else None,
        point_names=net.inputs,
        given_first=True,
        confirm=confirm,
    )


def _backward(
    net: Network, env: Mapping[str, Any], of: str, loss: LossSpec | None,
    target: np.ndarray | None, wrt: list[str],
) -> tuple[backprop.Tape, dict[str, np.ndarray], np.ndarray]:
    """The tape, the output seeds and the gradient w.r.t. each of `wrt` (last axis)."""
    tape = backprop.record(net, env)
    if loss is not None and target is not None:
        seeds = _loss_seeds(loss, target, net, tape)
    else:
        seeds = {of: np.ones(tape.shape)}
    grads = backprop.backprop_tape(net, tape, seeds, wrt, NO_SLIP)
    return tape, seeds, np.stack([grads[w] for w in wrt], axis=-1)


def _resolve_wrt(wrt: str | list[str], net: Network, aliases: Mapping[str, str]) -> list[str]:
    names = wrt if isinstance(wrt, list) else [wrt]
    if not names:
        raise ProblemError("`wrt` is an empty list", expected="one symbol or a list of symbols")
    symbols = net.symbols()
    out = []
    for name in names:
        symbol = aliases.get(name, name)
        if symbol not in symbols:
            raise _unknown_symbol(name, net, [*symbols, *aliases], "wrt")
        out.append(symbol)
    return out


def _unknown_symbol(name: str, net: Network, candidates: list[str], key: str) -> ProblemError:
    return ProblemError(
        f"`{key}: {name}` is not a symbol of network `{net.name}`",
        expected="an input, a unit, z_<unit>, w_<to>_<from> or b_<unit>" if key == "wrt"
        else "an output unit (or any unit, or z_<unit>), or `loss`",
        hint=did_you_mean(name, candidates),
    )


def _resolve_of(part: GradientPart, net: Network) -> tuple[str, LossSpec | None]:
    """The symbol differentiated (an activation or z_<unit>), or `loss` with its spec."""
    if part.of == "loss" or (part.of is None and part.loss is not None):
        if part.loss is None:
            raise ProblemError(
                "`of: loss` needs `loss:`", expected="`loss: {fn: ..., y_true: ...}` as in §4.5"
            )
        return "loss", part.loss
    if part.loss is not None:
        raise ProblemError(
            f"`loss:` is given but `of` is `{part.of}`", expected="`of: loss` (or no `loss:`)"
        )
    if part.of is None:
        if len(net.outputs) != 1:
            raise ProblemError(
                f"network `{net.name}` has {len(net.outputs)} outputs: `of` must say which",
                expected=f"`of:` one of {', '.join(net.outputs)}, or `of: loss`",
            )
        return net.outputs[0], None
    units = [u.name for u in net.units]
    if part.of not in units and part.of not in [f"z_{u}" for u in units]:
        raise _unknown_symbol(part.of, net, [*units, "loss"], "of")
    return part.of, None


def _points(
    part: GradientPart, ctx: Context, net: Network, formula: bool
) -> dict[str, np.ndarray]:
    """Inputs and parameters at the given point (index 0) and, for a formula, the re-draws."""
    given = ctx.point(part.input or {})
    missing = [x for x in net.inputs if x not in given]
    if missing:
        raise ProblemError(
            f"`input` has no value for `{missing[0]}`",
            expected=f"a value for each input: {', '.join(net.inputs)}",
        )
    extra = [x for x in given if x not in net.inputs]
    if extra:
        raise ProblemError(
            f"`input` names `{extra[0]}`, which is not an input of network `{net.name}`",
            expected=f"its inputs: {', '.join(net.inputs)}",
            hint=did_you_mean(extra[0], net.inputs),
        )
    params = net.parameters()
    names = [*net.inputs, *params]
    k = 1 + DRAWS if formula else 1
    # Free parameters have no given value: they are drawn at the given point too (FORMAT §3).
    drawn = ctx.rng("gradient").uniform(*DRAW_RANGE, size=(len(names), k))
    at_given: dict[str, Any] = {x: given[x] for x in net.inputs}
    for i, name in enumerate(names):
        value = params.get(name)
        if name in net.inputs or isinstance(value, expr.Expr):
            continue
        at_given[name] = drawn[i, 0] if value is None else value
    if any(isinstance(v, expr.Expr) for v in params.values()):
        first = net.forward(at_given)  # evaluates expression-valued parameters
        at_given = {name: first[name] for name in names}
    if not formula:
        return {name: np.array([float(at_given[name])]) for name in names}
    drawn[:, 0] = [float(at_given[name]) for name in names]
    return dict(zip(names, drawn))


# --- losses ------------------------------------------------------------------------------------

def _target(loss: LossSpec, net: Network, ctx: Context, env: Mapping[str, Any]) -> np.ndarray:
    """y_true as one value per output (a class index made one-hot), checked against the net."""
    outputs = net.outputs
    c = len(outputs)
    last = net.layers[-1]
    row = LOSSES[loss.fn]
    if row.prediction == "distribution" and not last.softmax:
        raise ProblemError(
            f"{loss.fn} takes probabilities, and network `{net.name}` has no softmax output layer",
            expected="an output layer `{activation: softmax, units: ...}`",
            hint="for sigmoid outputs use binary_cross_entropy",
        )
    if row.prediction == "probabilities" and not last.softmax and any(
        u.activation != "sigmoid" for u in last.units
    ):
        raise ProblemError(
            f"{loss.fn} takes probabilities, and network `{net.name}` has outputs "
            "that are not sigmoid units",
            expected="sigmoid (or softmax) output units",
        )
    y = ctx.data(loss.y_true)
    if y.ndim == 0 and row.class_index:
        if y != int(y) or not 0 <= y < c:
            raise ProblemError(
                f"y_true {format_number(float(y))} is not a class index",
                expected=f"an integer from 0 to {c - 1} (or a vector of {c})",
            )
        y = np.eye(c)[int(y)]
    y = np.atleast_1d(y)
    if y.ndim != 1 or y.shape[0] != c:
        raise ProblemError(
            f"y_true has shape {list(y.shape)}, and network `{net.name}` has {c} outputs "
            f"({', '.join(outputs)})",
            expected=f"one target per output: a vector of {c}",
        )
    given = [float(np.asarray(env[o], dtype=float).reshape(-1)[0]) for o in outputs]
    loss_value(loss.fn, y, y_pred=given, reduction=loss.reduction, log=loss.log)  # checks y
    return row.labels(y)  # as the loss ask reads them: 0/1 hinge labels as -1/1


def _loss_seeds(
    loss: LossSpec, y: np.ndarray, net: Network, tape: backprop.Tape
) -> dict[str, np.ndarray]:
    """∂loss/∂output for each output unit, at every point."""
    row = LOSSES[loss.fn]
    t = y.reshape((-1,) + (1,) * len(tape.shape))
    g = output_gradient(row, t, tape.acts[-1])
    g = g * row.scale(loss.reduction, loss.log, len(net.outputs))
    return {o: g[i] for i, o in enumerate(net.outputs)}


def _loss_texts(loss: LossSpec, y: np.ndarray, net: Network) -> dict[str, str | None]:
    """∂loss/∂output for each output unit, as formulas over the outputs."""
    row = LOSSES[loss.fn]
    scale = row.scale(loss.reduction, loss.log, len(net.outputs))
    return row.texts([float(v) for v in y], net.outputs, scale)


# --- known mistakes ------------------------------------------------------------------------------

def _known_mistakes(
    net: Network,
    tape: backprop.Tape,
    seeds: Mapping[str, np.ndarray],
    wrt: list[str],
    values: np.ndarray,
    ctx: Context,
    loss: LossSpec | None,
) -> list[tuple[str, np.ndarray]]:
    """The answers of the known mistakes (catalogue order) that differ at the given point."""
    kinds = _symbol_kinds(net)

    def rerun(slip: Slip) -> np.ndarray:
        grads = backprop.backprop_tape(net, tape, seeds, None, slip)
        return np.stack([grads[w] for w in wrt], axis=-1)

    candidates: list[tuple[str, np.ndarray]] = []
    skip = frozenset().union(*(_derivative_units(net, kinds[w]) for w in wrt))
    if skip:
        which = ", ".join(f"∂{u}/∂z_{u}" for u in sorted(skip))
        candidates.append((
            f"the activation's derivative left out ({which})",
            rerun(Slip(skip_derivative=skip)),
        ))
    used = net.activations()
    if used & {"sigmoid", "tanh"}:
        forms = []
        if "sigmoid" in used:
            forms.append("z(1 - z) for σ'(z) = a(1 - a)")
        if "tanh" in used:
            forms.append("1 - z² for tanh'(z) = 1 - a²")
        candidates.append((
            f"z used where the activation belongs ({'; '.join(forms)})",
            rerun(Slip(z_for_activation=True)),
        ))
    candidates.append(("the sign flipped", -values))
    weights = [kinds[w] for w in wrt if kinds[w][0] == "weight"]
    if weights:
        _, to, src = weights[0]
        what = f"∂z_{to}/∂w_{to}_{src} is {src}" + (", ..." if len(weights) > 1 else "")
        candidates.append((
            f"the input factor left out ({what})", rerun(Slip(weight_factor="omit")),
        ))
        candidates.append((
            f"the input factor replaced by a weight ({what}, not w_{to}_{src})",
            rerun(Slip(weight_factor="weight")),
        ))
    candidates += _missing_paths(net, kinds, wrt, values, rerun)
    if loss is not None:
        row = LOSSES[loss.fn]
        candidates += gradient_mistakes(row, loss.reduction, loss.log, len(net.outputs), values)
    out = []
    tol = ctx.tolerance
    for name, got in candidates:
        if np.all(np.isfinite(got)) and not tol.close(values[0], got[0]).all():
            out.append((name, got))
    return out


def _symbol_kinds(net: Network) -> dict[str, tuple[str, ...]]:
    """Each symbol as (kind, unit or input[, source]): input, act, z, bias or weight."""
    kinds: dict[str, tuple[str, ...]] = {x: ("input", x) for x in net.inputs}
    for layer in net.layers:
        for u in layer.units:
            kinds[u.name] = ("act", u.name)
            kinds[f"z_{u.name}"] = ("z", u.name)
            kinds[f"b_{u.name}"] = ("bias", u.name)
            for s in u.sources:
                kinds[f"w_{u.name}_{s}"] = ("weight", u.name, s)
    return kinds


def _readers(net: Network, node: str) -> list[str]:
    """The units that read `node` (an input or a unit): the paths from it branch there."""
    return [u.name for u in net.units if node in u.sources]


def _derivative_units(net: Network, kind: tuple[str, ...]) -> frozenset[str]:
    """Whose activation derivative a gradient w.r.t. this symbol takes first."""
    if kind[0] in ("z", "bias", "weight"):
        return frozenset({kind[1]})
    return frozenset(_readers(net, kind[1]))


def _missing_paths(
    net: Network, kinds: Mapping[str, tuple[str, ...]], wrt: list[str], values: np.ndarray,
    rerun: Callable[[Slip], np.ndarray],
) -> list[tuple[str, np.ndarray]]:
    """One path left out of the sum over paths, where a symbol's unit feeds several units."""
    nodes = {kinds[w][1] for w in wrt}
    branching = {node: _readers(net, node) for node in nodes}
    out = []
    for v in dict.fromkeys(r for readers in branching.values() if len(readers) > 1
                           for r in readers):
        edges = frozenset((v, node) for node, readers in branching.items() if v in readers)
        got = rerun(Slip(drop_edges=edges))
        name = f"the path through {v} left out of the sum"
        out.append((name, got))
        changed = np.flatnonzero((got != values).any(axis=0))
        # One element wrong is the likelier slip in a short vector; a long one would multiply
        # the catalogue for little gain.
        if len(changed) > 1 and len(wrt) <= SHORT_VECTOR:
            for i in map(int, changed):
                one = values.copy()
                one[:, i] = got[:, i]
                out.append((f"{name} for {wrt[i]}", one))
    return out
