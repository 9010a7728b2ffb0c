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
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import Field, model_validator

from nncheck import expr
from nncheck.errors import ExprError
from nncheck.expr import _Chain, _Compare, _Node, _Not
from nncheck.spec.common import KEY, Number, Strict, located
from nncheck.spec.network import name_problem
from nncheck.words import listing, suggestion

# An exam's graph has a handful of nodes; the bound keeps a hostile file's evaluation (every
# node at every re-draw, forward and backward) small whatever the file's size.
MAX_GRAPH_NODES = 1000


class GraphSpec(Strict):
    """A given computational graph: input values, nodes in order, and the output."""

    kind: Literal["graph"] = "graph"
    inputs: dict[str, Number] = Field(min_length=1)
    nodes: dict[str, Number] = Field(min_length=1, max_length=MAX_GRAPH_NODES)
    output: str | None = None

    @model_validator(mode="after")
    def _check_nodes(self) -> GraphSpec:
        """Every name valid and used once; every node parses, is differentiable, and reads only
        the inputs and the nodes above it; the output is a node."""
        for where, names in (("inputs", self.inputs), ("nodes", self.nodes)):
            for name in names:
                problem = name_problem(name)
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
        if self.output is not None and self.output not in self.nodes:
            raise located(("output",), f"output `{self.output}` is not a node — one of "
                          f"{listing(order)}{suggestion(self.output, order)}", self.output)
        return self

    def _check_input(self, name: str, value: Any) -> None:
        try:
            names = expr.parse(value).names
        except ExprError as exc:
            raise located(("inputs", name), f"input `{name}`: {exc}", value) from None
        if names:
            raise located(("inputs", name), f"input `{name}` is given as `{value}`, which names "
                          f"`{sorted(names)[0]}` — an input's value is a number", value)

    def _check_node(self, name: str, source: Any, above: list[str]) -> None:
        where = ("nodes", name)
        try:
            parsed = expr.parse(source)
        except ExprError as exc:
            raise located(where, f"node `{name}`: {exc}", source) from None
        gate = _logic(parsed._tree)
        if gate is not None:
            raise located(where, f"node `{name}` uses `{gate}`, which has no derivative — a "
                          "node is built of + - * / ^ and the functions of an expression",
                          source)
        known = [*self.inputs, *above]
        for read in sorted(parsed.names):
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
                reads = expr.parse(self.nodes[path[-1]]).names
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
