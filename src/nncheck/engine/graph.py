"""Computational graphs: forward values of every node and reverse mode through the gates.

A node is an expression (`expr`) of the inputs and of earlier nodes. `forward` evaluates every
node at k points at once (arrays of shape (k,): the points are a batch axis, never a Python
loop). `backward` is reverse mode over the parsed expressions: each gate (a sum, a product, a
power, a function call, `min`/`max`) passes its upstream gradient to its operands times its
local derivative, node by node from the last to the first, so one pass gives the gradient of
the objective w.r.t. every node and input.

As in `engine.backprop`, a mistake is replayed, not hard-coded: a `Slip` changes one rule of
reverse mode (a subtraction's sign, a max gate's routing, the sigmoid's derivative, the
output's outer gate), and the answer it gives is that mistake's answer at every point.
Conventions at kinks are PyTorch's: relu'(0) = 0, abs'(0) = 0, and equal arguments of `max` or
`min` share the gradient evenly.
"""

from __future__ import annotations

import math
import operator
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np

from nncheck import expr
from nncheck.engine.losses import LOG_BASES, LOSSES, Batch, Convention, Loss, output_gradient
from nncheck.errors import ExprError, ProblemError
from nncheck.expr import (
    _CONSTANT_VALUES,
    _Call,
    _Chain,
    _Const,
    _Name,
    _Neg,
    _Node,
    _Num,
    _Pow,
    _unary_functions,
    _variadic_functions,
)
from nncheck.spec.graph import GateLoss, GraphSpec, VectorGate

_OPS = {"+": operator.add, "-": operator.sub, "*": operator.mul, "/": operator.truediv}


@dataclass(frozen=True)
class Slip:
    """One rule of reverse mode done wrong, to replay a known mistake (default: none)."""

    subtract_sign: bool = False  # a subtraction passes +g to what it subtracts
    max_both: bool = False  # max and min pass the gradient to every argument
    sigmoid_as_s: bool = False  # σ'(x) taken as s, not s(1 - s)
    skip_outer: bool = False  # the seeded node's outermost gate passes g unchanged


NO_SLIP = Slip()


Source = expr.Expr | VectorGate  # what defines a node


@dataclass(frozen=True)
class Graph:
    """A graph ready to evaluate: inputs with their given values, nodes in order, the output.

    Values carry the points on their last axis: a scalar at k points is (k,), a vector of n
    is (n, k), a matrix (m, n, k), so an expression's scalars broadcast against vectors."""

    name: str
    inputs: tuple[str, ...]
    given: Mapping[str, np.ndarray]  # each input's value, of its shape
    nodes: tuple[tuple[str, Source], ...]
    output: str
    shapes: Mapping[str, tuple[int, ...]]

    @property
    def node_names(self) -> list[str]:
        """Every node, in order."""
        return [n for n, _ in self.nodes]

    @property
    def vector(self) -> bool:
        """Whether any value is a vector or a matrix."""
        return any(self.shapes.values())

    def symbols(self) -> list[str]:
        """Every name an answer may mean: the inputs, then the nodes."""
        return [*self.inputs, *self.node_names]

    def node(self, name: str) -> Source:
        """What defines a node."""
        return dict(self.nodes)[name]

    def reads(self, name: str) -> list[str]:
        """The inputs and nodes a node reads directly, in order of first use."""
        return _reads(self.node(name))

    def readers(self, name: str) -> list[str]:
        """The nodes that read `name` directly."""
        return [n for n, source in self.nodes if name in _reads(source)]

    def ancestors(self, name: str) -> set[str]:
        """Every input and node that `name` is computed from (directly or further back)."""
        found: set[str] = set()
        wanted = [name]
        nodes = dict(self.nodes)
        while wanted:
            current = wanted.pop()
            for read in _reads(nodes[current]) if current in nodes else ():
                if read not in found:
                    found.add(read)
                    if read not in self.inputs:
                        wanted.append(read)
        return found

    def descendants(self, name: str) -> list[str]:
        """The nodes computed from `name`, in order."""
        reached = {name}
        out = []
        for n, source in self.nodes:
            if reached.intersection(_reads(source)):
                reached.add(n)
                out.append(n)
        return out

    def at_given(self) -> dict[str, np.ndarray]:
        """The inputs at their given values, as one point."""
        return {x: self.given[x][..., None] for x in self.inputs}

    def forward(self, env: Mapping[str, Any]) -> dict[str, np.ndarray]:
        """Every input and node at the points `env` gives the inputs (points on the last axis).

        A value that is not a finite number is nan or inf here; the caller decides (the given
        point must be finite, a re-draw is dropped)."""
        values: dict[str, np.ndarray] = {x: np.asarray(env[x], dtype=float) for x in self.inputs}
        k = values[self.inputs[0]].shape[-1]
        with np.errstate(all="ignore"):
            for name, source in self.nodes:
                if isinstance(source, VectorGate):
                    got = _gate_value(source, values)
                else:
                    got = _value(source._tree, values, {})
                values[name] = np.array(np.broadcast_to(got, (*self.shapes[name], k)),
                                        dtype=float)
        return values

    def check_finite(self, values: Mapping[str, np.ndarray], where: str) -> None:
        """A ProblemError naming the first node that is not a finite number at point 0."""
        for name, source in self.nodes:
            if np.isfinite(values[name][..., 0]).all():
                continue
            reason = "it is infinite or undefined"
            if isinstance(source, expr.Expr) and not self.vector:
                point = {n: float(values[n][0]) for n in source.names}
                try:
                    source.evaluate(point)
                except ExprError as exc:
                    reason = exc.message
            raise ProblemError(f"node `{name}` of graph `{self.name}` is not a finite "
                               f"number at {where}: {reason}")


def _reads(source: Source) -> list[str]:
    if isinstance(source, VectorGate):
        return list(dict.fromkeys(source.args))
    return list(source._order)


def gates(graph: Graph) -> set[str]:
    """The functions and operators the nodes use (`-` for a subtraction, `*`, `log`, ...)."""
    found: set[str] = set()
    for _, e in graph.nodes:
        if isinstance(e, VectorGate):
            found.add(e.op)
            continue
        stack: list[_Node] = [e._tree]
        while stack:
            node = stack.pop()
            if isinstance(node, _Call):
                found.add(node.function)
            elif isinstance(node, _Chain):
                found.update(op for op, _ in node.rest)
            stack.extend(expr._children(node))
    return found


def build(spec: GraphSpec, name: str = "graph") -> Graph:
    """A graph from its spec, the inputs' given values evaluated."""
    given = {}
    for x, value in spec.inputs.items():
        try:
            given[x] = np.array(_numbers(value), dtype=float)
        except ExprError as exc:
            raise ProblemError(f"graph `{name}`: input `{x}`: {exc}") from None
    nodes = tuple((n, source if isinstance(source, VectorGate) else expr.parse(source))
                  for n, source in spec.nodes.items())
    return Graph(name, tuple(spec.inputs), given, nodes, spec.output_node, spec.shapes)


def _numbers(value: Any) -> Any:
    if isinstance(value, list):
        return [_numbers(v) for v in value]
    return float(expr.parse(value).evaluate({}))


def backward(
    graph: Graph,
    values: Mapping[str, np.ndarray],
    seeds: Mapping[str, Any],
    slip: Slip = NO_SLIP,
) -> dict[str, np.ndarray]:
    """The gradient of the objective whose gradient w.r.t. some names is `seeds`, w.r.t.
    every input and node, at every point of `values` (a `forward` result)."""
    grads = {n: np.zeros(values[n].shape) for n in graph.symbols()}
    for n, g in seeds.items():
        grads[n] = grads[n] + g
    with np.errstate(all="ignore"):
        for name, source in reversed(graph.nodes):
            g = grads[name]
            if not np.any(g):
                continue
            if isinstance(source, VectorGate):
                _gate_back(source, g, values, values[name], grads)
                continue
            outer = slip.skip_outer and name in seeds
            _back(source._tree, g, values, grads, slip, {}, outer)
    return grads


def local(graph: Graph, values: Mapping[str, np.ndarray], of: str,
          slip: Slip = NO_SLIP) -> dict[str, np.ndarray]:
    """∂of/∂r for each name r that `of` reads directly, the others held fixed."""
    grads = {n: np.zeros(values[n].shape) for n in graph.reads(of)}
    source = graph.node(of)
    with np.errstate(all="ignore"):
        if isinstance(source, VectorGate):
            _gate_back(source, np.ones(values[of].shape), values, values[of], grads)
        else:
            _back(source._tree, np.ones(values[of].shape), values, grads, slip, {}, False)
    return grads


# --- vector gates ---------------------------------------------------------------------------------

def _gate_value(gate: VectorGate, values: Mapping[str, np.ndarray]) -> np.ndarray:
    a = values[gate.args[0]]
    if gate.loss is not None:
        return _loss_value(gate.loss, a)
    if gate.op == "dot":
        return np.asarray((a * values[gate.args[1]]).sum(axis=0))
    if gate.op == "matvec":
        return np.einsum("mnk,nk->mk", a, values[gate.args[1]])
    if gate.op in ("sum", "mean"):
        flat = a.reshape(-1, a.shape[-1])
        return np.asarray(flat.sum(axis=0) if gate.op == "sum" else flat.mean(axis=0))
    e = np.exp(a - a.max(axis=0))  # softmax, shifted so that no exp overflows
    return np.asarray(e / e.sum(axis=0))


def _gate_back(gate: VectorGate, g: np.ndarray, values: Mapping[str, np.ndarray],
               result: np.ndarray, grads: dict[str, Any]) -> None:
    """Pass a vector gate's upstream gradient `g` (shaped like its value) to what it reads."""
    a = values[gate.args[0]]
    if gate.loss is not None:
        _accumulate(grads, gate.args[0], g * _loss_gradient(gate.loss, a))
    elif gate.op == "dot":
        b = values[gate.args[1]]
        _accumulate(grads, gate.args[0], g * b)
        _accumulate(grads, gate.args[1], g * a)
    elif gate.op == "matvec":
        x = values[gate.args[1]]
        _accumulate(grads, gate.args[0], g[:, None, :] * x[None, :, :])
        _accumulate(grads, gate.args[1], np.einsum("mnk,mk->nk", a, g))
    elif gate.op in ("sum", "mean"):
        count = a[..., 0].size if gate.op == "mean" else 1
        _accumulate(grads, gate.args[0], np.broadcast_to(g / count, a.shape))
    else:  # softmax: ∂s_i/∂a_j = s_i(δ_ij - s_j)
        _accumulate(grads, gate.args[0], result * (g - (result * g).sum(axis=0)))


def _loss_parts(spec: GateLoss, p: np.ndarray) -> tuple[Loss, np.ndarray, np.ndarray]:
    """The loss's row, the targets (C, 1) as it reads them, the predictions (C, k)."""
    row = LOSSES[spec.fn]
    preds = p.reshape(-1, p.shape[-1])
    count = preds.shape[0]
    y = np.array(_numbers(spec.y_true), dtype=float)
    if y.ndim == 0:
        if row.class_index:
            if y != int(y) or not 0 <= y < count:
                raise ProblemError(f"the loss's y_true {y:g} is not a class index",
                                   expected=f"an integer from 0 to {count - 1}")
            y = np.eye(count)[int(y)]
        else:
            y = np.full(count, float(y))
    return row, row.labels(y).reshape(-1, 1), preds


def _loss_value(spec: GateLoss, p: np.ndarray) -> np.ndarray:
    """The loss at every point (the loss table's terms, reduced over the outputs)."""
    row, t, preds = _loss_parts(spec, p)
    batch = Batch(row, np.broadcast_to(t.T, preds.T.shape), preds.T, None)
    conv = Convention(base=LOG_BASES[str(spec.log)], reduction=spec.reduction)
    terms = row.terms(batch, conv)
    if row.logarithmic:
        terms = terms / math.log(conv.base)
    if row.reduces(spec.reduction) == "sum" or row.one_term:
        return np.asarray(terms.sum(axis=1))
    return np.asarray(terms.mean(axis=1))


def _loss_gradient(spec: GateLoss, p: np.ndarray) -> np.ndarray:
    """∂loss/∂prediction at every point, shaped like the prediction."""
    row, t, preds = _loss_parts(spec, p)
    g = output_gradient(row, t, preds) * row.scale(spec.reduction, spec.log, preds.shape[0])
    return np.asarray(g).reshape(p.shape)


def _accumulate(grads: dict[str, Any], name: str, g: Any) -> None:
    """Add `g` to a name's gradient, summed over the elements a scalar was broadcast to."""
    if name not in grads:
        return
    shape = np.shape(grads[name])
    g = np.asarray(g)
    while g.ndim > len(shape):
        g = g.sum(axis=0)
    grads[name] = grads[name] + g


# --- one expression: values and reverse mode over its tree ---------------------------------------

def _value(node: _Node, env: Mapping[str, Any], memo: dict[int, Any]) -> Any:
    """A subtree's value at the points (numpy errors off: the caller checks finiteness)."""
    key = id(node)
    if key in memo:
        return memo[key]
    result: Any
    if isinstance(node, _Num):
        result = np.float64(node.value)
    elif isinstance(node, _Const):
        result = np.float64(_CONSTANT_VALUES[node.name])
    elif isinstance(node, _Name):
        result = env[node.name]
    elif isinstance(node, _Neg):
        result = -_value(node.operand, env, memo)
    elif isinstance(node, _Pow):
        result = _value(node.base, env, memo) ** _value(node.exponent, env, memo)
    elif isinstance(node, _Chain):
        result = _value(node.first, env, memo)
        for op, child in node.rest:
            result = _OPS[op](result, _value(child, env, memo))
    elif isinstance(node, _Call) and node.function in ("min", "max"):
        combine = _variadic_functions()[node.function]
        result = _value(node.args[0], env, memo)
        for arg in node.args[1:]:
            result = combine(result, _value(arg, env, memo))
    elif isinstance(node, _Call):
        result = _unary_functions()[node.function](_value(node.args[0], env, memo))
    else:  # comparisons and logic: refused when the graph is read (spec.graph)
        raise ProblemError("a comparison or logical operator has no derivative")
    memo[key] = result
    return result


def _back(node: _Node, g: Any, env: Mapping[str, Any], grads: dict[str, Any], slip: Slip,
          memo: dict[int, Any], outer: bool) -> None:
    """Pass the upstream gradient `g` of `node` to the names below it (`outer`: this gate's
    local derivative is taken as 1, the slip of the upstream gradient left out)."""
    if isinstance(node, _Name):
        _accumulate(grads, node.name, g)
    elif isinstance(node, _Neg):
        _back(node.operand, -g, env, grads, slip, memo, False)
    elif isinstance(node, _Pow):
        base, power = _value(node.base, env, memo), _value(node.exponent, env, memo)
        local = 1.0 if outer else power * base ** (power - 1)
        _back(node.base, g * local, env, grads, slip, memo, False)
        if has_names(node.exponent):
            _back(node.exponent, g * (1.0 if outer else base**power * np.log(base)),
                  env, grads, slip, memo, False)
    elif isinstance(node, _Chain) and node.kind == "sum":
        _back(node.first, g, env, grads, slip, memo, False)
        for op, child in node.rest:
            sign = g if op == "+" or slip.subtract_sign else -g
            _back(child, sign, env, grads, slip, memo, False)
    elif isinstance(node, _Chain):
        _back_product(node, g, env, grads, slip, memo, outer)
    elif isinstance(node, _Call):
        _back_call(node, g, env, grads, slip, memo, outer)


def _back_product(node: _Chain, g: Any, env: Mapping[str, Any], grads: dict[str, Any],
                  slip: Slip, memo: dict[int, Any], outer: bool) -> None:
    """x1 * x2 / x3 ...: each factor's local derivative is the product of the others (times
    -1/x² for a divisor), from running products before and after it (linear in the factors,
    where dividing the whole by a factor would fail at a factor of 0)."""
    terms = [("*", node.first), *node.rest]
    values = [_value(child, env, memo) for _, child in terms]
    factors = [v if op == "*" else 1.0 / v for (op, _), v in zip(terms, values)]
    before: list[Any] = [1.0]
    for f in factors[:-1]:
        before.append(before[-1] * f)
    after: list[Any] = [1.0]
    for f in reversed(factors[1:]):
        after.append(after[-1] * f)
    after.reverse()
    for i, (op, child) in enumerate(terms):
        if not has_names(child):
            continue
        if outer:
            _back(child, g, env, grads, slip, memo, False)
            continue
        others = before[i] * after[i]
        local = others if op == "*" else -others / values[i] ** 2
        _back(child, g * local, env, grads, slip, memo, False)


def _back_call(node: _Call, g: Any, env: Mapping[str, Any], grads: dict[str, Any],
               slip: Slip, memo: dict[int, Any], outer: bool) -> None:
    if node.function in ("min", "max"):
        values = [_value(arg, env, memo) for arg in node.args]
        best = _value(node, env, memo)
        wins = [(v == best) * 1.0 for v in values]
        ties = sum(wins)  # equal arguments share the gradient evenly, as PyTorch's do
        for i, arg in enumerate(node.args):
            share = 1.0 if outer or slip.max_both else wins[i] / ties
            _back(arg, g * share, env, grads, slip, memo, False)
        return
    (arg,) = node.args
    if outer:
        _back(arg, g, env, grads, slip, memo, False)
        return
    x, y = _value(arg, env, memo), _value(node, env, memo)
    local = _derivative(node.function, x, y, slip)
    _back(arg, g * local, env, grads, slip, memo, False)


def _derivative(function: str, x: Any, y: Any, slip: Slip) -> Any:
    """The local derivative of a unary function at x, where its value is y."""
    if function == "exp":
        return y
    if function == "log":
        return 1.0 / x
    if function == "log2":
        return 1.0 / (x * math.log(2.0))
    if function == "log10":
        return 1.0 / (x * math.log(10.0))
    if function == "sqrt":
        return 0.5 / y
    if function == "abs":
        return np.sign(x)
    if function == "sigmoid":
        return y if slip.sigmoid_as_s else y * (1.0 - y)
    if function == "tanh":
        return 1.0 - y * y
    if function == "relu":
        return (np.asarray(x) > 0) * 1.0  # 0 at 0, as the frameworks take it
    raise ProblemError(f"no derivative for `{function}`")


def has_names(node: _Node) -> bool:
    """Whether an expression tree reads any name (else it is a constant)."""
    stack = [node]
    while stack:
        top = stack.pop()
        if isinstance(top, _Name):
            return True
        stack.extend(expr._children(top))
    return False
