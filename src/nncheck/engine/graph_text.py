"""A graph's gradient as a formula: the key of a `form: formula` part on a graph.

The reverse mode of `engine.graph`, run on text: each gate passes its upstream gradient times
its local derivative written over the inputs and nodes, so `solve --sheet` writes an answer
that holds at every draw. A node's own value is written by its name (σ'(z) at node `f =
sigmoid(z)` is `f*(1 - f)`). Nothing here imports numpy.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from nncheck import expr
from nncheck.engine.graph import has_names
from nncheck.engine.symbolic import add, mul
from nncheck.errors import ExprError
from nncheck.expr import _Call, _Chain, _Name, _Neg, _Node, _Pow, _render

if TYPE_CHECKING:
    from nncheck.engine.graph import Graph

_ATOM = re.compile(r"^[\w.]+$")
MAX_PRODUCT_TEXT = 16 * expr.MAX_LENGTH  # the text one product's derivatives may take in all


def key_formula(graph: Graph, of: str, wrt: Sequence[str], local: bool, vector: bool) -> Any:
    """∂of/∂w for each w of `wrt` as formulas (or None when one would be too long)."""
    terms: dict[str, list[str | None]] = {}
    if graph.vector or any(not isinstance(e, expr.Expr) for _, e in graph.nodes):
        return None  # vectors have no names in an answer: the key is the value
    try:
        if local:
            _back(_tree(graph.node(of)), "1", terms, of)
        else:
            terms[of] = ["1"]
            for name, e in reversed(graph.nodes):
                g = _bounded(add(terms.get(name, [])))
                if g is not None:
                    _back(_tree(e), g, terms, name)
        texts = [_bounded(add(terms.get(w, []))) or "0" for w in wrt]
        for text in texts:
            expr.parse(text)
    except (ExprError, _TooLong):
        return None
    return texts if vector else texts[0]


def _tree(source: Any) -> _Node:
    assert isinstance(source, expr.Expr)  # vector gates are refused above
    return source._tree


class _TooLong(Exception):
    """A formula longer than an answer may be: the key is then the value at the given point."""


def _bounded(text: str | None) -> str | None:
    """A text no longer than an answer may be (so no graph makes the key slow to build)."""
    if text is not None and len(text) > expr.MAX_LENGTH:
        raise _TooLong
    return text


def _text(node: _Node) -> str:
    """A subtree as a factor: a name or a number as it is, anything else parenthesised."""
    text = _render(node)
    return text if _ATOM.match(text) else f"({text})"


def _back(node: _Node, g: str | None, terms: dict[str, list[str | None]],
          root: str | None = None) -> None:
    """Pass `g` to the names under `node`; `root` names the node whose whole tree this is."""
    g = _bounded(g)
    if g is None:
        return
    if isinstance(node, _Name):
        terms.setdefault(node.name, []).append(g)
    elif isinstance(node, _Neg):
        _back(node.operand, mul("(-1)", g), terms)
    elif isinstance(node, _Pow):
        base, power = _text(node.base), _text(node.exponent)
        _back(node.base, mul(g, power, f"({base}^({power} - 1))"), terms)
        if has_names(node.exponent):
            _back(node.exponent, mul(g, f"({base}^{power})", f"log({base})"), terms)
    elif isinstance(node, _Chain) and node.kind == "sum":
        _back(node.first, g, terms)
        for op, child in node.rest:
            _back(child, g if op == "+" else mul("(-1)", g), terms)
    elif isinstance(node, _Chain):
        factors = [("*", node.first), *node.rest]
        texts = [_text(c) if o == "*" else f"(1/{_text(c)})" for o, c in factors]
        varying = [i for i, (_, c) in enumerate(factors) if has_names(c)]
        # each varying factor's derivative repeats every other factor: past this, the key
        # would be too long whatever follows
        if len(varying) * sum(map(len, texts)) > MAX_PRODUCT_TEXT:
            raise _TooLong
        for i in varying:
            op, child = factors[i]
            others = texts[:i] + texts[i + 1:]
            if op == "/":
                others.append(f"(-1/{_text(child)}^2)")
            _back(child, mul(g, *others), terms)
    elif isinstance(node, _Call):
        _back_call(node, g, terms, root)


def _back_call(node: _Call, g: str, terms: dict[str, list[str | None]],
               root: str | None) -> None:
    args = [_text(a) for a in node.args]
    if node.function in ("min", "max"):
        best = _text(node)
        # equal arguments share the gradient evenly, as in `engine.graph`
        ties = _bounded("(" + " + ".join(f"({a} == {best})" for a in args) + ")")
        for arg, text in zip(node.args, args):
            _back(arg, mul(g, f"(({text} == {best})/{ties})"), terms)
        return
    x = args[0]
    y = root if root is not None else _text(node)
    local = {
        "exp": y,
        "log": f"(1/{x})",
        "log2": f"(1/({x}*log(2)))",
        "log10": f"(1/({x}*log(10)))",
        "sqrt": f"(1/(2*{y}))",
        "abs": f"(({x} > 0) - ({x} < 0))",
        "sigmoid": f"({y}*(1 - {y}))",
        "tanh": f"(1 - {y}^2)",
        "relu": f"({x} > 0)",
    }[node.function]
    _back(node.args[0], mul(g, local), terms)
