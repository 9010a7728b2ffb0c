"""Networks of units: built from the spec, filled from answers, evaluated with numpy.

Evaluation is vectorised over a batch axis: every input, and every parameter, may be a
scalar or an array of one shape, so the same code computes a truth table (a batch of input
rows) and a set of random re-draws of the parameters (a batch of draws).
"""

from __future__ import annotations

import functools
import math
from collections.abc import Callable, Collection, Mapping
from dataclasses import dataclass, field, replace
from fractions import Fraction
from typing import Any

import numpy as np

from nncheck import expr
from nncheck.engine import exact, threshold
from nncheck.errors import NncheckError, ProblemError
from nncheck.spec.network import MAX_TABLE_INPUTS, NetworkSpec, UnitSpec
from nncheck.spec.wiring import unit_sources
from nncheck.words import did_you_mean

Param = float | expr.Expr | None  # a number, an expression over other symbols, or free


def step(z: np.ndarray) -> np.ndarray:
    """1 where z >= 0, else 0."""
    return (z >= 0).astype(float)


def step_strict(z: np.ndarray) -> np.ndarray:
    """1 where z > 0, else 0."""
    return (z > 0).astype(float)


def sign(z: np.ndarray) -> np.ndarray:
    """+1 where z >= 0, else -1."""
    return np.where(z >= 0, 1.0, -1.0)


def sigmoid(z: np.ndarray) -> np.ndarray:
    """The logistic function, without overflow for large |z|."""
    z = np.asarray(z, dtype=float)
    e = np.exp(-np.abs(z))
    return np.where(z >= 0, 1.0 / (1.0 + e), e / (1.0 + e))


ACTIVATIONS: dict[str, Callable[[Any], np.ndarray]] = {
    "step": step,
    "step_strict": step_strict,
    "sign": sign,
    "linear": lambda z: np.asarray(z, dtype=float),
    "sigmoid": sigmoid,
    "tanh": np.tanh,
    "relu": lambda z: np.maximum(z, 0.0),
}
THRESHOLD = frozenset({"step", "step_strict", "sign"})
BOUNDED = THRESHOLD | {"sigmoid", "tanh"}  # |activation| <= 1

def levels(activation: str) -> tuple[float, float]:
    """A unit's (off, on) values: 0/1 for step units, -1/+1 for sign (and tanh's range)."""
    return (-1.0, 1.0) if activation in ("sign", "tanh") else (0.0, 1.0)


def softmax(zs: list[np.ndarray]) -> list[np.ndarray]:
    """Softmax across a layer's units (each entry one unit's pre-activations over the batch)."""
    stacked = np.stack(np.broadcast_arrays(*zs))
    shifted = stacked - stacked.max(axis=0)
    ex = np.exp(shifted)
    out = ex / ex.sum(axis=0)
    return list(out)


@dataclass(frozen=True)
class Unit:
    """One unit: its incoming weights (one per source it reads), bias, activation."""

    name: str
    weights: tuple[Param, ...]
    bias: Param
    activation: str  # "softmax" for the units of a softmax layer
    # The bias and weights as written, exactly (0.7 is 7/10), where they are numbers: a
    # threshold unit decides z = 0 on these (threshold.py).
    exact: tuple[Fraction | None, ...] = ()
    # The names it reads, one per weight: the previous layer's units unless the network
    # wires it otherwise (spec/wiring.py: a skip connection reads an earlier layer).
    sources: tuple[str, ...] = ()


@dataclass(frozen=True)
class Layer:
    """A layer: its units and every name any of them reads (in network order)."""

    sources: tuple[str, ...]
    units: tuple[Unit, ...]
    softmax: bool = False


@dataclass(frozen=True)
class Network:
    """A compiled network."""

    name: str
    inputs: tuple[str, ...]
    layers: tuple[Layer, ...]

    @property
    def outputs(self) -> tuple[str, ...]:
        """The last layer's unit names."""
        return tuple(u.name for u in self.layers[-1].units)

    @property
    def units(self) -> tuple[Unit, ...]:
        """Every unit, layer by layer."""
        return tuple(u for layer in self.layers for u in layer.units)

    def unit(self, name: str) -> Unit:
        """The unit of that name."""
        for u in self.units:
            if u.name == name:
                return u
        raise KeyError(name)

    def parameters(self) -> dict[str, Param]:
        """Every parameter symbol (`w_<to>_<from>`, `b_<unit>`) and its value (None: free)."""
        out: dict[str, Param] = {}
        for layer in self.layers:
            for u in layer.units:
                for src, w in zip(u.sources, u.weights):
                    out[f"w_{u.name}_{src}"] = w
                out[f"b_{u.name}"] = u.bias
        return out

    def bind(self, scope: Mapping[str, Any]) -> dict[str, Any]:
        """This network's parameters evaluated against another's symbols (e.g. a reference's).

        The result binds this network's own symbols, so names the two networks share cannot
        be confused during `forward`.
        """
        out: dict[str, Any] = {}
        for symbol, value in self.parameters().items():
            if isinstance(value, expr.Expr):
                out[symbol] = value.evaluate(scope)
            elif value is not None:
                out[symbol] = value
        return out

    def free_parameters(self) -> list[str]:
        """The parameter symbols with no value (to be filled by a student or drawn)."""
        return [k for k, v in self.parameters().items() if v is None]

    def symbols(self) -> list[str]:
        """Every symbol an expression over this network may use."""
        names = list(self.inputs)
        for u in self.units:
            names += [f"z_{u.name}", u.name]
        return names + list(self.parameters())

    def activations(self) -> set[str]:
        """The activations used by the units."""
        return {u.activation for u in self.units}

    def with_activation(self, old: str, new: str) -> Network:
        """The same network with every `old` activation replaced (for known mistakes)."""
        layers = tuple(
            replace(layer, units=tuple(
                replace(u, activation=new) if u.activation == old else u for u in layer.units
            ))
            for layer in self.layers
        )
        return replace(self, layers=layers)

    def forward(self, values: Mapping[str, Any]) -> dict[str, np.ndarray]:
        """Every symbol's value, given the inputs (and any free or overridden parameters).

        `values` binds each input, and may bind parameter symbols (free ones must be bound)
        and any names that expression-valued parameters use. Arrays broadcast together.
        """
        env: dict[str, Any] = dict(values)
        for name in self.inputs:
            if name not in env:
                raise ProblemError(f"network `{self.name}`: no value for input `{name}`")
        scratch: np.ndarray | None = None  # for w * x, reused across the whole pass
        sources = _Sources(env)  # max |x| and integrality of each source, for threshold units
        for layer in self.layers:
            zs = []
            for u in layer.units:
                if not layer.softmax and u.activation in THRESHOLD:
                    zs.append(self._threshold_z(u, env, values, sources))
                    continue
                z = self._param(env, f"b_{u.name}", u.bias)
                owned = False  # whether z is an array made here, safe to add into
                for src, w in zip(u.sources, u.weights):
                    weight = self._param(env, f"w_{u.name}_{src}", w)
                    x = env[src]
                    # In place once z is ours: the same products and sums in the same order,
                    # without two new arrays per weight, which over a million rows cost more
                    # than the arithmetic.
                    if owned and np.ndim(weight) == 0 and isinstance(x, np.ndarray) \
                            and x.shape == z.shape and x.dtype == np.float64:
                        if scratch is None or scratch.shape != z.shape:
                            scratch = np.empty_like(z)
                        np.multiply(weight, x, out=scratch)
                        z += scratch
                        continue
                    term = weight * x
                    if owned and np.broadcast_shapes(z.shape, np.shape(term)) == z.shape:
                        z += term
                    else:
                        z = z + term
                        owned = isinstance(z, np.ndarray) and z.dtype == np.float64
                zs.append(np.asarray(z, dtype=float))
            acts = softmax(zs) if layer.softmax else [
                ACTIVATIONS[u.activation](z) for u, z in zip(layer.units, zs)
            ]
            for u, z, a in zip(layer.units, zs, acts):
                env[f"z_{u.name}"] = z
                env[u.name] = a
                if layer.softmax or u.activation in BOUNDED:
                    sources.largest[u.name] = 1.0  # no need to look: |a| <= 1
                if u.activation in THRESHOLD and not layer.softmax:
                    sources.integral[u.name] = True  # 0, 1 or ±1
        return env

    def _threshold_z(self, u: Unit, env: dict[str, Any],
                     given: Mapping[str, Any], sources: _Sources) -> np.ndarray:
        """A threshold unit's z with z = 0 decided exactly (see threshold.py)."""
        symbols = [f"b_{u.name}", *(f"w_{u.name}_{src}" for src in u.sources)]
        params = [self._param(env, symbols[0], u.bias),
                  *(self._param(env, sym, w) for sym, w in zip(symbols[1:], u.weights))]
        xs = [env[src] for src in u.sources]
        largest = [sources.max_abs(src) for src in u.sources]
        # Each parameter's exact value: as written in the spec, unless the caller bound it.
        exacts: list[Fraction | None] = []
        for i, (sym, value) in enumerate(zip(symbols, params)):
            written = u.exact[i] if len(u.exact) == len(symbols) and sym not in given else None
            exacts.append(written if written is not None else
                          exact.number(value) if np.ndim(value) == 0 else None)
        if all(e is not None for e in exacts) and all(map(sources.is_integral, u.sources)):
            z = threshold.scaled_z(exacts[0], exacts[1:], xs, largest)  # type: ignore[arg-type]
            if z is not None:
                return z
        with np.errstate(over="ignore", invalid="ignore"):
            z = params[0] + sum((w * x for w, x in zip(params[1:], xs)), start=0.0)
            magnitude = np.abs(params[0]) + sum(
                (np.abs(w) * m for w, m in zip(params[1:], largest)), start=0.0)
        z = np.asarray(z, dtype=float)

        def at(row: int) -> Fraction | None:
            total = Fraction(0)
            for i, value in enumerate(params):
                p = exacts[i] if exacts[i] is not None else _row_fraction(value, row, z.shape)
                x = Fraction(1) if i == 0 else _row_fraction(xs[i - 1], row, z.shape)
                if p is None or x is None:
                    return None
                total += p * x
            return total

        # Integer inputs and parameters of known value: every near row in integers, at once.
        values = [e if e is not None else exact.number(p) if np.ndim(p) == 0 else None
                  for e, p in zip(exacts, params)]
        known = [v for v in values if v is not None]
        exact_rows = None
        if len(known) == len(values) and all(map(sources.is_integral, u.sources)):
            exact_rows = functools.partial(threshold.integer_z, known, xs, z.shape)
        try:
            return threshold.settle(z, magnitude, at, exact_rows)
        except threshold.TooManyNearRows as exc:
            raise ProblemError(
                f"network `{self.name}`: unit `{u.name}`: z is within rounding of 0 on "
                f"{exc.rows:,} rows, too many to decide exactly which are 0",
                expected=f"at most {threshold.MAX_EXACT_ROWS:,} such rows; weights written "
                         "as numbers, on integer inputs, are decided on every row",
            ) from None

    def _param(self, env: dict[str, Any], symbol: str, value: Param) -> Any:
        if symbol in env:
            return env[symbol]
        if value is None:
            raise ProblemError(
                f"network `{self.name}`: `{symbol}` is a free parameter with no value"
            )
        v = value.evaluate(env) if isinstance(value, expr.Expr) else value
        env[symbol] = v
        return v


class _Sources:
    """What a threshold unit needs of each source, found once per forward pass."""

    def __init__(self, env: Mapping[str, Any]):
        self.env = env
        self.largest: dict[str, float] = {}
        self.integral: dict[str, bool] = {}

    def max_abs(self, name: str) -> float:
        """The largest finite |x| of a source over the batch."""
        if name not in self.largest:
            self.largest[name] = _largest(self.env[name])
        return self.largest[name]

    def is_integral(self, name: str) -> bool:
        """Whether every value of a source is a finite integer (the inputs of a table)."""
        if name not in self.integral:
            a = np.asarray(self.env[name], dtype=float)
            top = float(max(a.max(), -a.min())) if a.size else 0.0  # inf or nan: not integral
            self.integral[name] = math.isfinite(top) and bool(np.array_equal(a, np.rint(a)))
        return self.integral[name]


def _row_fraction(value: Any, row: int, shape: tuple[int, ...]) -> Fraction | None:
    """The exact value of a number, or of an array's element at `row` of the batch: its
    shortest decimal, as a number written in a problem (an input of 0.1 is 1/10)."""
    v = float(np.broadcast_to(value, shape).flat[row]) if np.ndim(value) else float(value)
    return exact.number(v)


def _largest(x: Any) -> float:
    """The largest finite |x| over a batch (0 for none): two passes, no new array."""
    a = np.asarray(x, dtype=float)
    if a.size == 0:
        return 0.0
    m = float(max(a.max(), -a.min()))
    if not np.isfinite(m):  # an inf or nan row: bound the others (its own z is not finite)
        m = float(np.max(np.abs(a), where=np.isfinite(a), initial=0.0))
    return m


def input_rows(inputs: int, domain: str = "binary", extra: int = 0) -> np.ndarray:
    """Every input row in canonical order (binary counting, first input most significant).

    The array is laid out by column (Fortran order), since evaluation reads one input column
    at a time; `extra` columns are left for the caller to fill (a truth table's outputs).
    """
    if inputs > MAX_TABLE_INPUTS:
        raise ProblemError(
            f"a truth table of {inputs} inputs has 2^{inputs} rows",
            expected=f"at most {MAX_TABLE_INPUTS} inputs",
        )
    # Input i is off for 2^(n-1-i) rows, then on as long, and so on: each (contiguous) column
    # is filled as blocks of a view, with no per-row arithmetic.
    rows = np.empty((1 << inputs, inputs + extra), order="F")
    off = -1.0 if domain == "bipolar" else 0.0
    for i in range(inputs):
        blocks = rows[:, i].reshape(1 << i, 2, 1 << (inputs - 1 - i))
        blocks[:, 0, :] = off
        blocks[:, 1, :] = 1.0
    return rows


def build(spec: NetworkSpec, name: str = "network") -> Network:
    """Compile a given network; a unit with no activation set anywhere is a ProblemError."""
    return compile_spec(spec, [layer.units for layer in spec.layers], name, ProblemError,
                        Scope())


def compile_spec(
    spec: NetworkSpec, layers: list[Any], name: str, error: type[NncheckError],
    scope: Scope,
) -> Network:
    wiring = unit_sources(spec)
    order = {name: i for i, name in enumerate([*spec.inputs, *spec.units])}
    out = []
    for i, (layer_spec, units) in enumerate(zip(spec.layers, layers)):
        items = units.items() if isinstance(units, dict) else ((u, None) for u in units)
        softmax_layer = layer_spec.activation == "softmax"
        compiled = []
        for unit_name, unit in items:
            act = (unit.activation if unit is not None and unit.activation else None) \
                or layer_spec.activation or spec.activation
            if act is None:
                raise ProblemError(
                    f"network `{name}`: unit `{unit_name}` has no activation",
                    expected="`activation:` on the unit, its layer or the network",
                )
            if act == "softmax" and not softmax_layer:
                raise ProblemError(
                    f"network `{name}`: unit `{unit_name}`: softmax exists only at layer level",
                    expected="`{activation: softmax, units: ...}`",
                )
            where = f"layer {i + 1}, unit `{unit_name}`"
            sources = wiring[unit_name]
            weights, bias = unit_params(unit, sources, where, error, scope)
            compiled.append(Unit(unit_name, weights, bias, "softmax" if softmax_layer else act,
                                 _unit_exact(unit, sources, scope), sources))
        read = sorted({s for u in compiled for s in u.sources}, key=order.__getitem__)
        out.append(Layer(tuple(read), tuple(compiled), softmax_layer))
    return Network(name, tuple(spec.inputs), tuple(out))


def unit_params(
    unit: UnitSpec | None, sources: tuple[str, ...], where: str, error: type[NncheckError],
    scope: Scope,
) -> tuple[tuple[Param, ...], Param]:
    if unit is None or (unit.w is None and unit.b is None):
        return (None,) * len(sources), None
    bias: Param = _value(unit.b, where, error, scope) if unit.b is not None else 0.0
    w = unit.w
    if w is None:
        return (None,) * len(sources), bias
    if isinstance(w, list):
        if len(w) != len(sources):
            raise error(
                f"{where}: {len(w)} weights for {len(sources)} incoming units",
                expected=f"one weight for each of {', '.join(sources)}",
            )
        return tuple(_value(x, where, error, scope) for x in w), bias
    if isinstance(w, dict):
        unknown = [k for k in w if k not in sources]
        if unknown:
            raise error(
                f"{where}: weight from `{unknown[0]}`, which this unit does not read",
                expected=f"one of {', '.join(sources)}",
            )
        return tuple(_value(w.get(s, 0.0), where, error, scope) for s in sources), bias
    return (_value(w, where, error, scope),) * len(sources), bias


def _unit_exact(unit: UnitSpec | None, sources: tuple[str, ...], scope: Scope
                ) -> tuple[Fraction | None, ...]:
    """The exact bias and weights of a unit whose `_unit_params` succeeded (None: not a
    number, e.g. free or an expression over other symbols)."""
    if unit is None or unit.w is None:
        return ()
    w = unit.w
    if isinstance(w, list):
        raw = list(w)
    elif isinstance(w, dict):
        raw = [w.get(s, 0) for s in sources]
    else:
        raw = [w] * len(sources)
    return tuple(exact.rational(v, aliases=scope.aliases)
                 for v in [unit.b if unit.b is not None else 0, *raw])


@dataclass(frozen=True)
class Scope:
    """The names a network's weights may use, and the notation they may be written in."""

    names: Collection[str] = ()
    aliases: Mapping[str, str] = field(default_factory=dict)


def _value(value: Any, where: str, error: type[NncheckError], scope: Scope) -> Param:
    try:
        e = expr.parse(value, aliases=scope.aliases)
    except expr.ExprError as exc:
        raise error(f"{where}: {exc}") from None
    unknown = sorted(e.names - set(scope.names))
    if unknown:
        known = [*scope.names, *scope.aliases, *expr.FUNCTIONS]
        raise error(
            f"{where}: unknown name `{unknown[0]}`",
            expected="an expression over the reference's symbols" if scope.names else "numbers",
            hint=did_you_mean(unknown[0], known),
        )
    if not e.names:
        try:
            return float(e.evaluate({}))
        except expr.ExprError as exc:
            raise error(f"{where}: {exc}") from None
    return e
