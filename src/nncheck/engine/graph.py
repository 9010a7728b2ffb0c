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
from nncheck.spec.graph import GraphSpec

_OPS = {"+": operator.add, "-": operator.sub, "*": operator.mul, "/": operator.truediv}


@dataclass(frozen=True)
class Slip:
    """One rule of reverse mode done wrong, to replay a known mistake (default: none)."""

    subtract_sign: bool = False  # a subtraction passes +g to what it subtracts
    max_both: bool = False  # max and min pass the gradient to every argument
    sigmoid_as_s: bool = False  # σ'(x) taken as s, not s(1 - s)
    skip_outer: bool = False  # the seeded node's outermost gate passes g unchanged


NO_SLIP = Slip()


@dataclass(frozen=True)
class Graph:
    """A graph ready to evaluate: inputs with their given values, nodes in order, the output."""

    name: str
    inputs: tuple[str, ...]
    given: Mapping[str, float]
    nodes: tuple[tuple[str, expr.Expr], ...]
    output: str

    @property
    def node_names(self) -> list[str]:
        """Every node, in order."""
        return [n for n, _ in self.nodes]

    def symbols(self) -> list[str]:
        """Every name an answer may mean: the inputs, then the nodes."""
        return [*self.inputs, *self.node_names]

    def node(self, name: str) -> expr.Expr:
        """The expression that defines a node."""
        return dict(self.nodes)[name]

    def reads(self, name: str) -> list[str]:
        """The inputs and nodes a node reads directly, in the order of its expression."""
        return list(self.node(name)._order)

    def readers(self, name: str) -> list[str]:
        """The nodes that read `name` directly."""
        return [n for n, e in self.nodes if name in e.names]

    def ancestors(self, name: str) -> set[str]:
        """Every input and node that `name` is computed from (directly or further back)."""
        found: set[str] = set()
        wanted = [name]
        nodes = dict(self.nodes)
        while wanted:
            current = wanted.pop()
            for read in nodes[current]._order if current in nodes else ():
                if read not in found:
                    found.add(read)
                    if read not in self.inputs:
                        wanted.append(read)
        return found

    def descendants(self, name: str) -> list[str]:
        """The nodes computed from `name`, in order."""
        reached = {name}
        out = []
        for n, e in self.nodes:
            if e.names & reached:
                reached.add(n)
                out.append(n)
        return out

    def forward(self, env: Mapping[str, Any]) -> dict[str, np.ndarray]:
        """Every input and node at the points `env` gives the inputs (arrays of one shape).

        A value that is not a finite number is nan or inf here; the caller decides (the given
        point must be finite, a re-draw is dropped)."""
        values: dict[str, np.ndarray] = {x: np.asarray(env[x], dtype=float) for x in self.inputs}
        with np.errstate(all="ignore"):
            for name, e in self.nodes:
                values[name] = np.asarray(_value(e._tree, values, {}), dtype=float) + \
                    np.zeros_like(values[self.inputs[0]])
        return values

    def check_finite(self, values: Mapping[str, np.ndarray], where: str) -> None:
        """A ProblemError naming the first node that is not a finite number at point 0."""
        for name, e in self.nodes:
            if not np.isfinite(values[name].reshape(-1)[0]):
                point = {x: float(values[x].reshape(-1)[0]) for x in self.inputs}
                point.update({n: float(values[n].reshape(-1)[0]) for n in self.node_names
                              if n != name})
                try:
                    e.evaluate({k: v for k, v in point.items() if k in e.names})
                    reason = "it is infinite"
                except ExprError as exc:
                    reason = exc.message
                raise ProblemError(f"node `{name}` of graph `{self.name}` is not a finite "
                                   f"number at {where}: {reason}")


def gates(graph: Graph) -> set[str]:
    """The functions and operators the nodes use (`-` for a subtraction, `*`, `log`, ...)."""
    found: set[str] = set()
    for _, e in graph.nodes:
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
            given[x] = float(expr.parse(value).evaluate({}))
        except ExprError as exc:
            raise ProblemError(f"graph `{name}`: input `{x}`: {exc}") from None
    nodes = tuple((n, expr.parse(source)) for n, source in spec.nodes.items())
    return Graph(name, tuple(spec.inputs), given, nodes, spec.output_node)


def backward(
    graph: Graph,
    values: Mapping[str, np.ndarray],
    seeds: Mapping[str, Any],
    slip: Slip = NO_SLIP,
) -> dict[str, np.ndarray]:
    """The gradient of the objective whose gradient w.r.t. some names is `seeds`, w.r.t.
    every input and node, at every point of `values` (a `forward` result)."""
    shape = values[graph.inputs[0]].shape
    grads = {n: np.zeros(shape) for n in graph.symbols()}
    for n, g in seeds.items():
        grads[n] = grads[n] + g
    with np.errstate(all="ignore"):
        for name, e in reversed(graph.nodes):
            g = grads[name]
            if not np.any(g):
                continue
            outer = slip.skip_outer and name in seeds
            _back(e._tree, g, values, grads, slip, {}, outer)
    return grads


def local(graph: Graph, values: Mapping[str, np.ndarray], of: str,
          slip: Slip = NO_SLIP) -> dict[str, np.ndarray]:
    """∂of/∂r for each name r that `of` reads directly, the others held fixed."""
    shape = values[graph.inputs[0]].shape
    grads = {n: np.zeros(shape) for n in graph.reads(of)}
    with np.errstate(all="ignore"):
        _back(graph.node(of)._tree, np.ones(shape), values, grads, slip, {}, False)
    return grads


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
        if node.name in grads:
            grads[node.name] = grads[node.name] + g
    elif isinstance(node, _Neg):
        _back(node.operand, -g, env, grads, slip, memo, False)
    elif isinstance(node, _Pow):
        base, power = _value(node.base, env, memo), _value(node.exponent, env, memo)
        local = 1.0 if outer else power * base ** (power - 1)
        _back(node.base, g * local, env, grads, slip, memo, False)
        if _has_names(node.exponent):
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
        if not _has_names(child):
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


def _has_names(node: _Node) -> bool:
    stack = [node]
    while stack:
        top = stack.pop()
        if isinstance(top, _Name):
            return True
        stack.extend(expr._children(top))
    return False
