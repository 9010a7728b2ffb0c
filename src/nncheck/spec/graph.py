"""The computational-graph format (`kind: graph`): inputs with values, nodes defined in order.

```yaml
circuit:
  kind: graph
  inputs: {x: -2, y: 5, z: -4}
  nodes:
    q: x + y
    f: q * z
  output: f            # default: the last node
```

A node is an expression (FORMAT §6) of the inputs and of the nodes above it: the order written
is the order computed, so a graph has no cycle by construction, and a node that reads a later
one is refused with the cycle (or the fix) named. Comparisons and logic have no derivative, so
a node may not use them.

An input may be a vector or a matrix (`w: [2, -3, -3]`). An expression then works elementwise
(a scalar with a vector of n is a vector of n; two vectors must have the same length), and a
node may be a vector gate instead: `{dot: [a, b]}`, `{matvec: [W, x]}`, `{sum: a}`,
`{mean: a}`, `{softmax: a}`, or a loss of the loss table, `{loss: {fn: cross_entropy, y_pred:
p, y_true: [0, 1]}}`. Every node's shape is known when the file is read.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import Discriminator, Field, Tag, model_validator

from nncheck import expr
from nncheck.engine.losses import LogBase, LossFn
from nncheck.errors import ExprError
from nncheck.expr import _Chain, _Compare, _Node, _Not
from nncheck.spec.common import KEY, Number, Strict, located
from nncheck.spec.network import name_problem
from nncheck.words import listing, suggestion

# An exam's graph has a handful of nodes; the bound keeps a hostile file's evaluation (every
# node at every re-draw, forward and backward) small whatever the file's size.
MAX_GRAPH_NODES = 1000


# Numbers in a graph's inputs and nodes, all elements counted: each is held at every sample
# point (up to 128 at once), so the bound keeps a graph's evaluation within a few megabytes.
MAX_GRAPH_ELEMENTS = 10_000

Shape = tuple[int, ...]  # () a scalar, (n,) a vector, (m, n) a matrix
Value = Number | list[Number] | list[list[Number]]


class GateLoss(Strict):
    """A loss of the loss table as a node: of a vector (or scalar) node against fixed targets."""

    fn: LossFn
    y_pred: str  # the node (or input) whose value is the prediction
    y_true: Number | list[Number]  # the targets, written out: a class index or a vector
    reduction: Literal["sum", "mean"] | None = None
    log: LogBase = "e"


class VectorGate(Strict):
    """A node computed from whole vectors: one of the keys, naming inputs or earlier nodes."""

    dot: tuple[str, str] | None = None  # a·b, two vectors of one length
    matvec: tuple[str, str] | None = None  # W x, W an m×n matrix and x a vector of n
    sum: str | None = None  # of a vector's (or a matrix's) elements
    mean: str | None = None
    softmax: str | None = None  # of a vector: a vector
    loss: GateLoss | None = None  # a scalar

    @model_validator(mode="after")
    def _check_one(self) -> VectorGate:
        given = [k for k in GATES if getattr(self, k) is not None]
        if len(given) != 1:
            found = " and ".join(f"`{k}`" for k in given) if given else "none of them"
            raise located((), f"a vector gate is one of {listing(list(GATES))}, found {found}")
        return self

    @property
    def op(self) -> str:
        """The gate: dot, matvec, sum, mean or softmax."""
        return next(k for k in GATES if getattr(self, k) is not None)

    @property
    def args(self) -> tuple[str, ...]:
        """The names it reads, in order."""
        if self.loss is not None:
            return (self.loss.y_pred,)
        value = getattr(self, self.op)
        return (value,) if isinstance(value, str) else tuple(value)


GATES = ("dot", "matvec", "sum", "mean", "softmax", "loss")


def _numbers(value: Any) -> bool:
    return isinstance(value, (int, float, str)) and not isinstance(value, bool)


def _node_form(value: Any) -> str:
    return "gate" if isinstance(value, (dict, VectorGate)) else "expression"


# An expression or a vector gate, told apart by the value's type, so that an error inside a
# gate is reported there, not as "expected a number".
Node = Annotated[
    Annotated[Number, Tag("expression")] | Annotated[VectorGate, Tag("gate")],
    Discriminator(_node_form),
]


class GraphSpec(Strict):
    """A given computational graph: input values, nodes in order, and the output."""

    kind: Literal["graph"] = "graph"
    inputs: dict[str, Value] = Field(min_length=1)
    nodes: dict[str, Node] = Field(min_length=1, max_length=MAX_GRAPH_NODES)
    output: str | None = None

    @model_validator(mode="after")
    def _check_nodes(self) -> GraphSpec:
        """Every name valid and used once; every node parses, is differentiable, and reads only
        the inputs and the nodes above it; the output is a node."""
        for where, names in (("inputs", self.inputs), ("nodes", self.nodes)):
            for name in names:
                problem = name_problem(name)
                if problem is None and name in expr.BINDABLE:
                    # A graph's expressions read `e`, `pi` and `inf` as the constants: a node or
                    # input of that name would be silently replaced by them.
                    problem = (f"`{name}` is a constant in a graph's expressions — choose "
                               "another name")
                if problem is not None:
                    raise located((where, name, KEY), problem, name)
        for name in self.nodes:
            if name in self.inputs:
                raise located(("nodes", name, KEY), f"`{name}` is both an input and a node — "
                              "names are unique within a graph", name)
        for name, value in self.inputs.items():
            self._check_input(name, value)
        order = list(self.nodes)
        for index, (name, source) in enumerate(self.nodes.items()):
            self._check_node(name, source, order[:index])
        total = 0
        for name, shape in self.shapes.items():  # the shapes fit, or the error names the node
            total += _size(shape)
            if total > MAX_GRAPH_ELEMENTS:
                raise located(("inputs" if name in self.inputs else "nodes", name, KEY),
                              f"graph holds more than {MAX_GRAPH_ELEMENTS} numbers by "
                              f"`{name}` (inputs and nodes, every element counted)", name)
        if self.output is not None and self.output not in self.nodes:
            raise located(("output",), f"output `{self.output}` is not a node — one of "
                          f"{listing(order)}{suggestion(self.output, order)}", self.output)
        return self

    def _check_input(self, name: str, value: Any) -> Shape:
        """An input's value: numbers (or expressions without names), its shape."""
        where: tuple[str | int, ...] = ("inputs", name)
        if isinstance(value, list):
            rows = value if value and all(isinstance(v, list) for v in value) else None
            if rows is not None:
                widths = {len(r) for r in rows}
                if len(widths) != 1 or 0 in widths:
                    raise located(where, f"input `{name}` is a matrix whose rows differ in "
                                  "length — every row has the same number of values", value)
                flat = [v for r in rows for v in r]
                shape: Shape = (len(rows), len(rows[0]))
            else:
                flat, shape = value, (len(value),)
            if not flat or len(flat) > MAX_GRAPH_ELEMENTS:
                raise located(where, f"input `{name}` has {len(flat)} values — a vector or "
                              f"matrix has 1 to {MAX_GRAPH_ELEMENTS}", value)
        else:
            flat, shape = [value], ()
        for item in flat:
            if not _numbers(item):
                raise located(where, f"input `{name}`: {item!r} is not a number", value)
            try:
                names = expr.parse(item).names
            except ExprError as exc:
                raise located(where, f"input `{name}`: {exc}", value) from None
            if names:
                raise located(where, f"input `{name}` is given as `{item}`, which names "
                              f"`{sorted(names)[0]}` — an input's value is a number", value)
        return shape

    def _check_node(self, name: str, source: Any, above: list[str]) -> None:
        where = ("nodes", name)
        if isinstance(source, VectorGate):
            self._check_reads(name, source.args, above, source)
            return
        try:
            parsed = expr.parse(source)
        except ExprError as exc:
            raise located(where, f"node `{name}`: {exc}", source) from None
        gate = _logic(parsed._tree)
        if gate is not None:
            raise located(where, f"node `{name}` uses `{gate}`, which has no derivative — a "
                          "node is built of + - * / ^ and the functions of an expression",
                          source)
        self._check_reads(name, sorted(parsed.names), above, source)

    def _check_reads(self, name: str, reads: Any, above: list[str], source: Any) -> None:
        """Every name a node reads is an input or a node above it (else: why not)."""
        where = ("nodes", name)
        known = [*self.inputs, *above]
        for read in reads:
            if read in known:
                continue
            if read == name:
                raise located(where, f"node `{name}` reads itself — a cycle: {name} → {name}",
                              source)
            if read in self.nodes:
                cycle = self._cycle(read, name)
                if cycle:
                    raise located(where, f"node `{name}` reads `{read}`, which reads `{name}` "
                                  f"— a cycle: {' → '.join(cycle)}", source)
                raise located(where, f"node `{name}` reads `{read}`, which is defined below it "
                              f"— a node reads the inputs and the nodes above it: move `{read}` "
                              f"above `{name}`", source)
            raise located(where, f"node `{name}` reads `{read}`, which is neither an input nor "
                          f"a node — one of {listing(known)}{suggestion(read, known)}", source)

    def _cycle(self, start: str, back_to: str) -> list[str] | None:
        """A path of reads from `back_to` through `start` back to `back_to`, or None."""
        stack = [[back_to, start]]
        seen = {start}
        while stack:
            path = stack.pop()
            try:
                reads = node_reads(self.nodes[path[-1]])
            except ExprError:
                continue
            if back_to in reads:
                return [*path, back_to]
            for read in sorted(reads, reverse=True):
                if read in self.nodes and read not in seen:
                    seen.add(read)
                    stack.append([*path, read])
        return None

    @property
    def output_node(self) -> str:
        """The node the graph computes: `output`, else the last node."""
        return self.output if self.output is not None else list(self.nodes)[-1]

    @property
    def shapes(self) -> dict[str, Shape]:
        """Each input's and node's shape: () a scalar, (n,) a vector, (m, n) a matrix."""
        shapes = {name: _input_shape(value) for name, value in self.inputs.items()}
        for name, source in self.nodes.items():
            shapes[name] = _node_shape(name, source, shapes)
        return shapes


def node_reads(source: Any) -> frozenset[str]:
    """The names a node reads."""
    if isinstance(source, VectorGate):
        return frozenset(source.args)
    return expr.parse(source).names


def _size(shape: Shape) -> int:
    size = 1
    for n in shape:
        size *= n
    return size


def _input_shape(value: Any) -> Shape:
    if not isinstance(value, list):
        return ()
    if value and isinstance(value[0], list):
        return (len(value), len(value[0]))
    return (len(value),)


def _describe(shape: Shape) -> str:
    if not shape:
        return "a scalar"
    if len(shape) == 1:
        return f"a vector of {shape[0]}"
    return f"a {shape[0]}×{shape[1]} matrix"


def _node_shape(name: str, source: Any, shapes: dict[str, Shape]) -> Shape:
    """A node's shape from what it reads (an error when the shapes do not fit)."""
    where = ("nodes", name)
    if not isinstance(source, VectorGate):
        found: dict[Shape, str] = {}
        for read in sorted(expr.parse(source).names):
            if shapes[read]:
                found.setdefault(shapes[read], read)
        if len(found) > 1:
            (a, sa), (b, sb) = [(n, s) for s, n in found.items()][:2]
            raise located(where, f"node `{name}` mixes `{a}` ({_describe(sa)}) and `{b}` "
                          f"({_describe(sb)}) — an expression works elementwise on values of "
                          "one shape (or scalars)", source)
        return next(iter(found), ())
    op, args = source.op, source.args
    got = [shapes[a] for a in args]
    if op == "dot" and len(got[0]) == 1 and got[0] == got[1]:
        return ()
    if op == "matvec" and len(got[0]) == 2 and len(got[1]) == 1 and got[0][1] == got[1][0]:
        return (got[0][0],)
    if op in ("sum", "mean") and got[0]:
        return ()
    if op == "softmax" and len(got[0]) == 1:
        return got[0]
    if op == "loss" and len(got[0]) <= 1:
        assert source.loss is not None
        targets = source.loss.y_true
        count = len(targets) if isinstance(targets, list) else None
        outputs = got[0][0] if got[0] else 1
        if count is None or count == outputs:
            return ()
        raise located(where, f"node `{name}`: the loss's `y_true` has {count} values and "
                      f"`{args[0]}` has {outputs}", None)
    wants = {"dot": "two vectors of one length", "matvec": "an m×n matrix and a vector of n",
             "sum": "a vector or a matrix", "mean": "a vector or a matrix",
             "softmax": "a vector", "loss": "a scalar or a vector (the predictions)"}[op]
    have = " and ".join(f"`{a}` ({_describe(s)})" for a, s in zip(args, got))
    raise located(where, f"node `{name}`: `{op}` takes {wants}, found {have}", None)


def _logic(tree: _Node) -> str | None:
    """The first comparison or logical operator in a tree, as written, or None."""
    stack = [tree]
    while stack:
        node = stack.pop()
        if isinstance(node, _Compare):
            return node.op
        if isinstance(node, _Not):
            return "not"
        if isinstance(node, _Chain) and node.kind in ("and", "or", "xor"):
            return node.kind
        stack.extend(expr._children(node))
    return None
