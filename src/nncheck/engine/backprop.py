"""Numeric reverse-mode backpropagation through a network.

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
"""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Literal

import numpy as np

from nncheck.engine.network import THRESHOLD, Layer, Network
from nncheck.errors import ProblemError

STEP_REFUSAL = (
    "the derivative of a step unit is 0 almost everywhere and undefined at 0, so "
    "backpropagation cannot pass through `{unit}` ({activation}) to reach `{symbol}`"
)
DIFFERENTIABLE = "a gradient through differentiable units: sigmoid, tanh, relu, linear, softmax"


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
    tape = record(net, env)
    return backprop_tape(net, tape, _seeds(seed_grads, tape.shape), wrt, slip)


@dataclass(frozen=True)
class Tape:
    """The forward values backpropagation reads, stacked per layer as (units, *points)."""

    shape: tuple[int, ...]
    acts: tuple[np.ndarray, ...]
    zs: tuple[np.ndarray, ...]
    sources: tuple[np.ndarray, ...]  # the values each layer reads: (m, *points)
    weights: tuple[np.ndarray, ...]  # (n, m, *points)


def record(net: Network, env: Mapping[str, Any]) -> Tape:
    """Stack the forward values once, so replaying mistakes costs only the backward pass."""
    shape = _batch_shape(env, net)
    acts, zs, sources, weights = [], [], [], []
    for layer in net.layers:
        names = [u.name for u in layer.units]
        n, m = len(names), len(layer.sources)
        acts.append(_stack([env[u] for u in names], shape))
        zs.append(_stack([env[f"z_{u}"] for u in names], shape))
        sources.append(_stack([env[s] for s in layer.sources], shape))
        # A unit that does not read one of its layer's sources has weight 0 from it.
        weights.append(_stack(
            [env[f"w_{u.name}_{s}"] if s in u.sources else 0.0
             for u in layer.units for s in layer.sources], shape
        ).reshape((n, m, *shape)))
    return Tape(shape, tuple(acts), tuple(zs), tuple(sources), tuple(weights))


def _seeds(seed_grads: Mapping[str, Any], shape: tuple[int, ...]) -> dict[str, np.ndarray]:
    return {k: full(v, shape) for k, v in seed_grads.items()}


# A probability that underflowed to 0 meets an infinite loss gradient (0·inf): the nan is
# reported by the solver, not warned about here.
@np.errstate(invalid="ignore", over="ignore")
def backprop_tape(
    net: Network,
    tape: Tape,
    seeds: Mapping[str, np.ndarray],
    wrt: Collection[str] | None,
    slip: Slip,
) -> dict[str, np.ndarray]:
    """`backprop` from recorded forward values and seeds already shaped like the points."""
    shape = tape.shape
    grads: dict[str, np.ndarray] = {}
    # A symbol's gradient is structurally nonzero ("reached") when a path leads from it to a
    # seed; `taint` names the step unit on such a path, if any.
    taint: dict[str, str] = {}
    # What flows back to each input and unit from the units that read it (a skip connection
    # reads an earlier layer than the previous one): summed over its readers.
    carried: dict[str, np.ndarray] = {}
    carried_reach: dict[str, bool] = {}
    carried_taint: dict[str, str] = {}
    for index in range(len(net.layers) - 1, -1, -1):
        layer = net.layers[index]
        names = [u.name for u in layer.units]
        n, m = len(names), len(layer.sources)
        ga = np.zeros((n, *shape))
        for i, name in enumerate(names):
            if name in carried:
                ga[i] += carried[name]
        reach_a = [carried_reach.get(name, False) for name in names]
        taint_a: list[str | None] = [carried_taint.get(name) for name in names]
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
        kept = np.array([[s in u.sources and (u.name, s) not in slip.drop_edges
                          for s in layer.sources] for u in layer.units])
        if not kept.all():
            weights = weights * kept.reshape((n, m) + (1,) * len(shape))
        back = np.einsum("ij...,i...->j...", weights, gz)
        for i, unit in enumerate(layer.units):
            u = unit.name
            grads[u] = ga[i]
            grads[f"z_{u}"] = gz[i]
            grads[f"b_{u}"] = gz[i] + seeds[f"b_{u}"] if f"b_{u}" in seeds else gz[i]
            for j, s in enumerate(layer.sources):
                if s not in unit.sources:
                    continue
                w = f"w_{u}_{s}"
                grads[w] = gw[i, j] + seeds[w] if w in seeds else gw[i, j]
            above, here = taint_a[i], taint_z[i]
            if above:
                taint[u] = above
            if here:
                for sym in (f"z_{u}", f"b_{u}", *(f"w_{u}_{s}" for s in unit.sources)):
                    taint[sym] = here
        for j, s in enumerate(layer.sources):
            carried[s] = carried[s] + back[j] if s in carried else back[j]
            readers = [i for i in range(n) if reach_z[i] and kept[i, j]]
            if readers:
                carried_reach[s] = True
            stopped_at = next((taint_z[i] for i in readers if taint_z[i]), None)
            if stopped_at and s not in carried_taint:
                carried_taint[s] = stopped_at
    zero = np.zeros(shape)
    for x in net.inputs:
        flowed = carried.get(x, zero)
        grads[x] = flowed + seeds[x] if x in seeds else flowed
        if x in carried_taint:
            taint[x] = carried_taint[x]
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


def full(value: Any, shape: tuple[int, ...]) -> np.ndarray:
    """`value` as an array of the points' shape (broadcast, not copied)."""
    arr = np.asarray(value, dtype=float)
    return arr if arr.shape == shape else np.broadcast_to(arr, shape)


def _stack(arrays: Sequence[Any], shape: tuple[int, ...]) -> np.ndarray:
    return np.array([full(a, shape) for a in arrays])


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

