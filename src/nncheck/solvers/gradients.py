"""The `gradient` ask (FORMAT §4.6): reverse-mode backpropagation through a network.

`backprop` differentiates one scalar objective (an output, or a loss of the outputs) with
respect to every symbol of the network at once: inputs, activations, pre-activations `z_<u>`,
weights `w_<to>_<from>` and biases `b_<u>`. It works layer by layer on stacked arrays
(units × points), so one call gives the truth at the given point and at every random re-draw
of a `form: formula` part: the points are a batch axis, never a Python loop.

A mistake is replayed, not hard-coded: a `Slip` changes one rule of backpropagation (an
activation derivative left out, `z` where the activation belongs, the input factor of a weight
gradient, an edge left out of the sum over paths), and the answer it gives is the answer of
that mistake at every point, so a formula written with the same slip is recognised by name.

Units whose derivative is 0 almost everywhere (step, step_strict, sign) stop backpropagation:
a gradient that would pass through one is refused rather than reported as 0.

The same backward pass run on text gives the key of a `form: formula` part: the gradient as a
formula over the network's symbols, so `solve --sheet` writes an answer that holds at every draw.
"""

from __future__ import annotations

import difflib
import functools
import math
import re
from collections.abc import Callable, Collection, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Literal

import numpy as np

from nncheck import expr
from nncheck.compare.numbers import format_number, to_json_value
from nncheck.compare.numeric import Known, NumericTruth
from nncheck.engine.network import THRESHOLD, Layer, Network
from nncheck.errors import ExprError, ProblemError
from nncheck.solvers.context import Context
from nncheck.solvers.losses import (
    CATEGORICAL,  # read a probability vector: the output layer must be a softmax
    CLASS_INDEX,
    DEFAULT_REDUCTION,
    LOG_BASES,
    loss_value,
)
from nncheck.spec.parts import GradientPart, LossSpec

DRAWS = 8  # random re-draws of a `form: formula` part, besides the given point
DRAW_RANGE = (-2.0, 2.0)  # FORMAT §3: drawn symbols are uniform in [-2, 2]
SHORT_VECTOR = 4  # vectors up to this long also get per-element known mistakes
STEP_REFUSAL = (
    "the derivative of a step unit is 0 almost everywhere and undefined at 0, so "
    "backpropagation cannot pass through `{unit}` ({activation}) to reach `{symbol}`"
)
DIFFERENTIABLE = "a gradient through differentiable units: sigmoid, tanh, relu, linear, softmax"



# --- backpropagation ---------------------------------------------------------------------------

@dataclass(frozen=True)
class Slip:
    """One rule of backpropagation done wrong, to replay a known mistake (default: none)."""

    skip_derivative: frozenset[str] = frozenset()  # units whose activation derivative is 1
    z_for_activation: bool = False  # σ'(z) as z(1-z) for a(1-a), tanh' as 1-z² for 1-a²
    weight_factor: Literal["input", "omit", "weight"] = "input"  # ∂z_u/∂w_u_s: s, 1, or w_u_s
    drop_edges: frozenset[tuple[str, str]] = frozenset()  # (to, from): left out of the sums


NO_SLIP = Slip()


def backprop(
    net: Network,
    env: Mapping[str, Any],
    seed_grads: Mapping[str, Any],
    *,
    wrt: Collection[str] | None = None,
    slip: Slip = NO_SLIP,
) -> dict[str, np.ndarray]:
    """Gradients of the objective whose gradient w.r.t. some symbols is `seed_grads`.

    `env` is a `Network.forward` result; arrays broadcast over a batch of points. Returns the
    gradient of every symbol. A gradient that passes through a step unit is undefined: it is
    a ProblemError when the symbol is in `wrt`, and left out of the result otherwise.
    """
    symbols = set(net.symbols())
    for name in seed_grads:
        if name not in symbols:
            raise ProblemError(f"`{name}` is not a symbol of network `{net.name}`")
    tape = _record(net, env)
    return _backprop(net, tape, _seeds(seed_grads, tape.shape), wrt, slip)


@dataclass(frozen=True)
class _Tape:
    """The forward values backpropagation reads, stacked per layer as (units, *points)."""

    shape: tuple[int, ...]
    acts: tuple[np.ndarray, ...]
    zs: tuple[np.ndarray, ...]
    sources: tuple[np.ndarray, ...]  # the values each layer reads: (m, *points)
    weights: tuple[np.ndarray, ...]  # (n, m, *points)


def _record(net: Network, env: Mapping[str, Any]) -> _Tape:
    """Stack the forward values once, so replaying mistakes costs only the backward pass."""
    shape = _batch_shape(env, net)
    acts, zs, sources, weights = [], [], [], []
    for layer in net.layers:
        names = [u.name for u in layer.units]
        n, m = len(names), len(layer.sources)
        acts.append(_stack([env[u] for u in names], shape))
        zs.append(_stack([env[f"z_{u}"] for u in names], shape))
        sources.append(_stack([env[s] for s in layer.sources], shape))
        weights.append(_stack(
            [env[f"w_{u}_{s}"] for u in names for s in layer.sources], shape
        ).reshape((n, m, *shape)))
    return _Tape(shape, tuple(acts), tuple(zs), tuple(sources), tuple(weights))


def _seeds(seed_grads: Mapping[str, Any], shape: tuple[int, ...]) -> dict[str, np.ndarray]:
    return {k: _full(v, shape) for k, v in seed_grads.items()}


# A probability that underflowed to 0 meets an infinite loss gradient (0·inf): the nan is
# reported by the solver, not warned about here.
@np.errstate(invalid="ignore", over="ignore")
def _backprop(
    net: Network,
    tape: _Tape,
    seeds: Mapping[str, np.ndarray],
    wrt: Collection[str] | None,
    slip: Slip,
) -> dict[str, np.ndarray]:
    shape = tape.shape
    grads: dict[str, np.ndarray] = {}
    # A symbol's gradient is structurally nonzero ("reached") when a path leads from it to a
    # seed; `taint` names the step unit on such a path, if any.
    taint: dict[str, str] = {}
    carried: np.ndarray | None = None
    carried_reach: list[bool] = []
    carried_taint: list[str | None] = []
    for index in range(len(net.layers) - 1, -1, -1):
        layer = net.layers[index]
        names = [u.name for u in layer.units]
        n, m = len(names), len(layer.sources)
        ga = np.zeros((n, *shape)) if carried is None else carried
        reach_a = carried_reach or [False] * n
        taint_a: list[str | None] = carried_taint or [None] * n
        for i, name in enumerate(names):
            if name in seeds:
                ga[i] += seeds[name]
                reach_a[i] = True
        gz = _through_activation(layer, ga, tape.zs[index], tape.acts[index], slip)
        reach_z: list[bool] = []
        taint_z: list[str | None] = []
        for i, unit in enumerate(layer.units):
            seed = seeds.get(f"z_{unit.name}")
            if seed is not None:
                gz[i] += seed
            stopped = unit.name if unit.activation in THRESHOLD and reach_a[i] else None
            reach_z.append(reach_a[i] or seed is not None)
            taint_z.append(taint_a[i] or stopped)
        weights = tape.weights[index]
        if slip.weight_factor == "omit":
            gw = np.broadcast_to(gz[:, None], (n, m, *shape))
        elif slip.weight_factor == "weight":
            gw = gz[:, None] * weights
        else:
            gw = gz[:, None] * tape.sources[index][None, :]
        kept = np.array([[(u, s) not in slip.drop_edges for s in layer.sources] for u in names])
        if not kept.all():
            weights = weights * kept.reshape((n, m) + (1,) * len(shape))
        carried = np.einsum("ij...,i...->j...", weights, gz)
        for i, u in enumerate(names):
            grads[u] = ga[i]
            grads[f"z_{u}"] = gz[i]
            grads[f"b_{u}"] = gz[i] + seeds[f"b_{u}"] if f"b_{u}" in seeds else gz[i]
            for j, s in enumerate(layer.sources):
                w = f"w_{u}_{s}"
                grads[w] = gw[i, j] + seeds[w] if w in seeds else gw[i, j]
            above, here = taint_a[i], taint_z[i]
            if above:
                taint[u] = above
            if here:
                for sym in (f"z_{u}", f"b_{u}", *(f"w_{u}_{s}" for s in layer.sources)):
                    taint[sym] = here
        carried_reach = [any(reach_z[i] and kept[i, j] for i in range(n)) for j in range(m)]
        carried_taint = [
            next((taint_z[i] for i in range(n) if reach_z[i] and kept[i, j] and taint_z[i]),
                 None)
            for j in range(m)
        ]
    assert carried is not None
    for j, x in enumerate(net.inputs):
        grads[x] = carried[j] + seeds[x] if x in seeds else carried[j]
        stopped_at = carried_taint[j]
        if stopped_at:
            taint[x] = stopped_at
    for symbol in wrt or ():
        if symbol in taint:
            unit = net.unit(taint[symbol])
            raise ProblemError(
                STEP_REFUSAL.format(unit=unit.name, activation=unit.activation, symbol=symbol),
                expected=DIFFERENTIABLE,
            )
    for symbol in taint:
        grads.pop(symbol, None)
    return grads


def _batch_shape(env: Mapping[str, Any], net: Network) -> tuple[int, ...]:
    return np.broadcast_shapes(*(np.shape(env[s]) for s in net.symbols() if s in env))


def _full(value: Any, shape: tuple[int, ...]) -> np.ndarray:
    arr = np.asarray(value, dtype=float)
    return arr if arr.shape == shape else np.broadcast_to(arr, shape)


def _stack(arrays: Sequence[Any], shape: tuple[int, ...]) -> np.ndarray:
    return np.array([_full(a, shape) for a in arrays])


def _through_activation(
    layer: Layer, ga: np.ndarray, zs: np.ndarray, acts: np.ndarray, slip: Slip
) -> np.ndarray:
    """The gradient w.r.t. the pre-activations, from that w.r.t. the activations."""
    if layer.softmax:
        # The full Jacobian: ∂a_i/∂z_j = a_i(δ_ij - a_j), so gz_i = a_i(ga_i - Σ_j a_j ga_j).
        gz = acts * (ga - (acts * ga).sum(axis=0))
        for i, unit in enumerate(layer.units):
            if unit.name in slip.skip_derivative:
                gz[i] = ga[i]
        return gz
    gz = np.empty_like(ga)
    for i, unit in enumerate(layer.units):
        if unit.name in slip.skip_derivative:
            gz[i] = ga[i]
        else:
            gz[i] = ga[i] * _derivative(unit.activation, zs[i], acts[i], slip.z_for_activation)
    return gz


def _derivative(activation: str, z: np.ndarray, a: np.ndarray, z_for_a: bool) -> Any:
    """da/dz of one unit, from z and a (or, for the slip, from z where a belongs)."""
    x = z if z_for_a else a
    if activation == "sigmoid":
        return x * (1.0 - x)
    if activation == "tanh":
        return 1.0 - x * x
    if activation == "relu":
        return (z > 0).astype(float)  # 0 at z = 0, as the frameworks take it
    if activation == "linear":
        return 1.0
    if activation in THRESHOLD:
        return 0.0  # never reported: a gradient through a step unit is refused
    raise ProblemError(f"no derivative for activation `{activation}`")


# --- the truth ----------------------------------------------------------------------------------



# --- the part ----------------------------------------------------------------------------------

def solve_gradient(part: GradientPart, ctx: Context) -> NumericTruth:
    """The gradient a part asks for, at the given point (and re-draws), with known mistakes."""
    net = ctx.network(part.network)
    wrt = _resolve_wrt(part.wrt, net, ctx.aliases)
    of, loss = _resolve_of(part, net)
    formula = part.form == "formula"
    env = net.forward(_points(part, ctx, net, formula))
    tape = _record(net, env)
    shape = tape.shape
    target = None
    if loss is not None:
        target = _target(loss, net, ctx, env)
        seeds = _loss_seeds(loss, target, net, tape)
    else:
        seeds = {of: np.ones(shape)}
    grads = _backprop(net, tape, seeds, wrt, NO_SLIP)
    values = np.stack([grads[w] for w in wrt], axis=-1)
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
    key_formula = None
    if formula:
        key_formula = functools.cache(lambda: _key(net, wrt, of, loss, target, vector))
    return NumericTruth(
        expected=to_json_value(values[0] if vector else values[0, 0]),
        values=values if vector else values[:, 0],
        env={s: _full(env[s], shape) for s in net.symbols()},
        vector=vector,
        tolerance=ctx.tolerance,
        known=tuple(Known(name, v if vector else v[:, 0]) for name, v in known),
        aliases=ctx.aliases,
        key_value=part.solution,
        key_factory=key_formula,
        labels=list(part.wrt) if vector else None,
        point_names=net.inputs,
        given_first=True,
    )


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
    close = difflib.get_close_matches(name, candidates, n=1)
    return ProblemError(
        f"`{key}: {name}` is not a symbol of network `{net.name}`",
        expected="an input, a unit, z_<unit>, w_<to>_<from> or b_<unit>" if key == "wrt"
        else "an output unit (or any unit, or z_<unit>), or `loss`",
        hint=f"did you mean `{close[0]}`?" if close else None,
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
    given = ctx.point(part.input)
    missing = [x for x in net.inputs if x not in given]
    if missing:
        raise ProblemError(
            f"`input` has no value for `{missing[0]}`",
            expected=f"a value for each input: {', '.join(net.inputs)}",
        )
    extra = [x for x in given if x not in net.inputs]
    if extra:
        close = difflib.get_close_matches(extra[0], net.inputs, n=1)
        raise ProblemError(
            f"`input` names `{extra[0]}`, which is not an input of network `{net.name}`",
            expected=f"its inputs: {', '.join(net.inputs)}",
            hint=f"did you mean `{close[0]}`?" if close else None,
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
    if loss.fn in CATEGORICAL and not last.softmax:
        raise ProblemError(
            f"{loss.fn} takes probabilities, and network `{net.name}` has no softmax output layer",
            expected="an output layer `{activation: softmax, units: ...}`",
            hint="for sigmoid outputs use binary_cross_entropy",
        )
    if loss.fn == "binary_cross_entropy" and not last.softmax and any(
        u.activation != "sigmoid" for u in last.units
    ):
        raise ProblemError(
            f"binary_cross_entropy takes probabilities, and network `{net.name}` has outputs "
            "that are not sigmoid units",
            expected="sigmoid (or softmax) output units",
        )
    y = ctx.data(loss.y_true)
    if y.ndim == 0 and loss.fn in CLASS_INDEX:
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
    if loss.fn == "hinge" and np.all((y == 0) | (y == 1)):
        y = 2.0 * y - 1.0  # labels 0/1 are read as -1/1, as the loss ask does
    return y


def _loss_scale(loss: LossSpec, c: int) -> float:
    """The factor of the reduction over the outputs, and of the log base."""
    reduction = loss.reduction or DEFAULT_REDUCTION[loss.fn]
    scale = 1.0 / c if reduction == "mean" and loss.fn != "categorical_hinge" else 1.0
    if loss.fn in CATEGORICAL or loss.fn == "binary_cross_entropy":
        scale /= math.log(LOG_BASES[str(loss.log)])
    return scale


def _loss_seeds(loss: LossSpec, y: np.ndarray, net: Network, tape: _Tape) -> dict[str, np.ndarray]:
    """∂loss/∂output for each output unit, at every point."""
    outputs = net.outputs
    p = tape.acts[-1]
    t = y.reshape((-1,) + (1,) * len(tape.shape))
    scale = _loss_scale(loss, len(outputs))
    fn = loss.fn
    with np.errstate(divide="ignore", invalid="ignore"):
        if fn in CATEGORICAL:
            g = np.where(t == 0, 0.0, -t / p)
        elif fn == "binary_cross_entropy":
            g = np.where(t == 0, 0.0, -t / p) + np.where(t == 1, 0.0, (1 - t) / (1 - p))
        elif fn == "mse":
            g = 2.0 * (p - t)
        elif fn == "mae":
            g = np.sign(p - t)
        elif fn == "hinge":
            g = np.where(1.0 - t * p > 0, -t, 0.0) * np.ones_like(p)
        else:
            g = _class_hinge_grad(fn, t, p)
    g = g * scale
    return {o: g[i] for i, o in enumerate(outputs)}


def _class_hinge_grad(fn: str, t: np.ndarray, p: np.ndarray) -> np.ndarray:
    """∂/∂s of the multiclass hinge (Σ_{j≠y}, margin 1) and of Keras's categorical hinge."""
    if fn == "categorical_hinge":
        return _categorical_hinge_grad(t, p)
    true = int(np.argmax(t[:, 0] if t.ndim > 1 else t))
    s_true = p[true]
    others = np.arange(p.shape[0]) != true
    active = ((1.0 + p - s_true) > 0) & others.reshape((-1,) + (1,) * (p.ndim - 1))
    g = active.astype(float)
    g[true] = -active.sum(axis=0)
    return g


def _categorical_hinge_grad(t: np.ndarray, p: np.ndarray) -> np.ndarray:
    """∂/∂s_j of max(0, neg - pos + 1), neg = max_i (1-y_i)·s_i, pos = Σ_i y_i·s_i (Keras).

    At the kinks this is the subgradient torch autograd gives for the same expression written
    `torch.clamp(torch.max((1-y)*s, dim).values - (y*s).sum(dim) + 1, min=0)`: the max's
    gradient goes to the first of equal (1-y_i)·s_i (relu outputs at 0 tie with the true
    class's 0), and the clamp lets it through where neg - pos + 1 is exactly 0.
    """
    v = (1.0 - t) * p
    top = np.argmax(v, axis=0)  # the first of equal values, as torch.max(dim) picks
    first = np.arange(p.shape[0]).reshape((-1,) + (1,) * (p.ndim - 1)) == top[None]
    active = v.max(axis=0) - (t * p).sum(axis=0) + 1.0 >= 0
    return np.asarray(active * (first * (1.0 - t) - t), dtype=float)


# --- known mistakes ------------------------------------------------------------------------------

def _known_mistakes(
    net: Network,
    tape: _Tape,
    seeds: Mapping[str, np.ndarray],
    wrt: list[str],
    values: np.ndarray,
    ctx: Context,
    loss: LossSpec | None,
) -> list[tuple[str, np.ndarray]]:
    """The answers of the known mistakes (catalogue order) that differ at the given point."""
    kinds = _symbol_kinds(net)

    def rerun(slip: Slip) -> np.ndarray:
        grads = _backprop(net, tape, seeds, None, slip)
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
        candidates += _loss_mistakes(loss, len(net.outputs), values)
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
            for s in layer.sources:
                kinds[f"w_{u.name}_{s}"] = ("weight", u.name, s)
    return kinds


def _readers(net: Network, node: str) -> list[str]:
    """The units that read `node` (an input or a unit): the paths from it branch there."""
    for layer in net.layers:
        if node in layer.sources:
            return [u.name for u in layer.units]
    return []


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


def _loss_mistakes(loss: LossSpec, c: int, values: np.ndarray) -> list[tuple[str, np.ndarray]]:
    """The loss's conventions done wrong: the reduction over the outputs, the log base."""
    out = []
    reduction = loss.reduction or DEFAULT_REDUCTION[loss.fn]
    if c > 1 and loss.fn != "categorical_hinge":
        if reduction == "mean":
            out.append(("sum instead of mean over the outputs", values * c))
        else:
            out.append(("mean instead of sum over the outputs", values / c))
    base = str(loss.log)
    if base != "e" and (loss.fn in CATEGORICAL or loss.fn == "binary_cross_entropy"):
        out.append((f"natural log instead of log{base}", values * math.log(LOG_BASES[base])))
    return out


# --- the key: the gradient as a formula ----------------------------------------------------------

_ATOM = re.compile(r"^[\w.]+$")


def _key(
    net: Network, wrt: list[str], of: str, loss: LossSpec | None, target: np.ndarray | None,
    vector: bool,
) -> Any:
    """A formula over the network's symbols that equals the gradient at every point.

    None when it would be longer than an answer may be (deep, wide networks): then the key is
    the value at the given point.
    """
    seeds = _loss_texts(loss, target, net) if loss is not None and target is not None \
        else {of: "1"}
    grads = _symbolic_backprop(net, seeds)
    texts = [grads.get(w) or "0" for w in wrt]
    if any(len(t) > expr.MAX_LENGTH for t in texts):
        return None
    try:
        for t in texts:
            expr.parse(t)
    except ExprError:
        return None
    return texts if vector else texts[0]


def _symbolic_backprop(net: Network, seeds: Mapping[str, str | None]) -> dict[str, str | None]:
    """`backprop` on formulas: each symbol's gradient as text (None for 0)."""
    grads: dict[str, str | None] = {}
    terms: dict[str, list[str | None]] = {}
    for name, text in seeds.items():
        terms.setdefault(name, []).append(text)
    for layer in reversed(net.layers):
        ga = {u.name: _sum(terms.get(u.name, [])) for u in layer.units}
        gz: dict[str, str | None] = {}
        if layer.softmax:
            inner = _sum([_prod(u, g) for u, g in ga.items()])
            for u, g in ga.items():
                gz[u] = None if inner is None and g is None else \
                    _prod(u, f"({g or '0'} - {inner or '0'})")
        else:
            for unit in layer.units:
                gz[unit.name] = _prod(ga[unit.name], _derivative_text(unit.activation, unit.name))
        for unit in layer.units:
            u = unit.name
            g = _sum([gz[u], seeds.get(f"z_{u}")])
            grads[u], grads[f"z_{u}"], grads[f"b_{u}"] = ga[u], g, g
            for s in layer.sources:
                grads[f"w_{u}_{s}"] = _prod(g, s)
                # Written as the chain rule reads, from the output back: δ_u · w_u_s.
                terms.setdefault(s, []).append(_prod(g, f"w_{u}_{s}"))
    for x in net.inputs:
        grads[x] = _sum(terms.get(x, []))
    return grads


def _derivative_text(activation: str, unit: str) -> str | None:
    if activation == "sigmoid":
        return f"{unit}*(1 - {unit})"
    if activation == "tanh":
        return f"(1 - {unit}^2)"
    if activation == "relu":
        return f"(z_{unit} > 0)"
    if activation == "linear":
        return "1"
    return None


def _sum(terms: Sequence[str | None]) -> str | None:
    present = [t for t in terms if t is not None]
    if not present:
        return None
    if len(present) == 1:
        return present[0]
    return "(" + " + ".join(present) + ")"


def _prod(*factors: str | None) -> str | None:
    # Every text built here is a name, a number, a product or parenthesised, so factors
    # join with `*` safely.
    kept = []
    for f in factors:
        if f is None:
            return None
        if f != "1":
            kept.append(f if _ATOM.match(f) or f.startswith("(") or "*" in f else f"({f})")
    return "*".join(kept) or "1"


def _num(x: float) -> str:
    text = str(int(x)) if x == int(x) and abs(x) < 1e15 else repr(float(x))
    return f"({text})" if x < 0 else text


def _loss_texts(loss: LossSpec, y: np.ndarray, net: Network) -> dict[str, str | None]:
    """∂loss/∂output for each output unit, as formulas over the outputs."""
    outputs = net.outputs
    scale = _loss_scale(loss, len(outputs))
    fn = loss.fn
    out: dict[str, str | None] = {}
    if fn == "multiclass_hinge":
        return _class_hinge_texts(y, outputs, scale)
    if fn == "categorical_hinge":
        return _categorical_hinge_texts(y, outputs, scale)
    for o, t in zip(outputs, (float(v) for v in y)):
        if fn in CATEGORICAL:
            out[o] = None if t == 0 else f"({_num(-t * scale)}/{o})"
        elif fn == "binary_cross_entropy":
            out[o] = _sum([
                None if t == 0 else f"({_num(-t * scale)}/{o})",
                None if t == 1 else f"({_num((1 - t) * scale)}/(1 - {o}))",
            ])
        elif fn == "mse":
            out[o] = _prod(_num(2 * scale), f"({o} - {_num(t)})")
        elif fn == "mae":
            out[o] = _prod(_num(scale), f"(({o} > {_num(t)}) - ({o} < {_num(t)}))")
        else:  # hinge
            out[o] = _prod(_num(-t * scale), f"(1 - {_num(t)}*{o} > 0)")
    return out


def _class_hinge_texts(
    y: np.ndarray, outputs: Sequence[str], scale: float
) -> dict[str, str | None]:
    """The multiclass hinge's ∂loss/∂output: Σ_{j≠y} max(0, 1 + s_j - s_y)."""
    true = int(np.argmax(y))
    s_true = outputs[true]
    others = [o for i, o in enumerate(outputs) if i != true]
    out: dict[str, str | None] = dict.fromkeys(outputs)
    if not others:
        return out
    active = {o: f"(1 + {o} - {s_true} > 0)" for o in others}
    for o in others:
        out[o] = _prod(_num(scale), active[o])
    out[s_true] = _prod(_num(-scale), _sum(list(active.values())))
    return out


def _categorical_hinge_texts(
    y: np.ndarray, outputs: Sequence[str], scale: float
) -> dict[str, str | None]:
    """Keras's categorical hinge max(0, neg - pos + 1), as `_categorical_hinge_grad` has it.

    neg = max_j (1-y_j)·s_j, where a class with y_j = 1 counts as 0; pos = Σ_j y_j·s_j. The
    texts compute each quantity in the same order as the numeric truth, so they agree at ties.
    """
    targets = [float(v) for v in y]
    terms = [
        "0" if t == 1 else o if t == 0 else f"{_num(1 - t)}*{o}"
        for o, t in zip(outputs, targets)
    ]
    candidates = list(dict.fromkeys(terms))
    neg = _max(candidates)
    pos = _sum([o if t == 1 else _prod(_num(t), o) for o, t in zip(outputs, targets) if t != 0])
    active = f"({neg} - {pos} + 1 >= 0)" if pos is not None else f"({neg} + 1 >= 0)"
    out: dict[str, str | None] = {}
    for j, (o, t) in enumerate(zip(outputs, targets)):
        if t == 1:  # (1-y_j)·s_j is 0 whatever s_j: only pos depends on it
            out[o] = _prod(_num(-scale), active)
            continue
        if len(candidates) == 1:
            first = "1"
        else:
            # The max's gradient goes to the first of equal values (relu outputs at 0 tie
            # with the true class's 0), as torch.max(dim) gives it.
            earlier = list(dict.fromkeys(terms[:j]))
            first = f"({terms[j]} >= {neg})"
            if earlier:
                first += f"*({terms[j]} > {_max(earlier)})"
        if t == 0:
            out[o] = _prod(_num(scale), active, first)
        else:
            coefficient = _num(1 - t) if first == "1" else f"{_num(1 - t)}*{first}"
            out[o] = _prod(_num(scale), active, f"({coefficient} - {_num(t)})")
    return out


def _max(names: Sequence[str]) -> str:
    return names[0] if len(names) == 1 else f"max({', '.join(names)})"
