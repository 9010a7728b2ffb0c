"""Symbolic backpropagation: the key of a `form: formula` gradient part as text.

The backward pass of `engine.backprop` run on formulas: the gradient as a formula over the
network's symbols, so `solve --sheet` writes an answer that holds at every draw. The small text
algebra here (`add`, `mul`, `number`, `maximum`) also writes the loss derivatives of the loss
table. Nothing here imports numpy: texts are built from plain floats.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

from nncheck import expr
from nncheck.errors import ExprError

if TYPE_CHECKING:
    from nncheck.engine.network import Network

_ATOM = re.compile(r"^[\w.]+$")


def key_formula(
    net: Network, wrt: Sequence[str], seeds: Mapping[str, str | None], vector: bool
) -> Any:
    """A formula over the network's symbols that equals the gradient at every point.

    `seeds` are the objective's derivatives as texts. None when the formula would be longer
    than an answer may be (deep, wide networks): then the key is the value at the given point.
    """
    grads = symbolic_backprop(net, seeds)
    texts = [grads.get(w) or "0" for w in wrt]
    if any(len(t) > expr.MAX_LENGTH for t in texts):
        return None
    try:
        for t in texts:
            expr.parse(t)
    except ExprError:
        return None
    return texts if vector else texts[0]


def symbolic_backprop(net: Network, seeds: Mapping[str, str | None]) -> dict[str, str | None]:
    """`backprop` on formulas: each symbol's gradient as text (None for 0)."""
    grads: dict[str, str | None] = {}
    terms: dict[str, list[str | None]] = {}
    for name, text in seeds.items():
        terms.setdefault(name, []).append(text)
    for layer in reversed(net.layers):
        ga = {u.name: add(terms.get(u.name, [])) for u in layer.units}
        gz: dict[str, str | None] = {}
        if layer.softmax:
            inner = add([mul(u, g) for u, g in ga.items()])
            for u, g in ga.items():
                gz[u] = None if inner is None and g is None else \
                    mul(u, f"({g or '0'} - {inner or '0'})")
        else:
            for unit in layer.units:
                gz[unit.name] = mul(ga[unit.name], _derivative_text(unit.activation, unit.name))
        for unit in layer.units:
            u = unit.name
            g = add([gz[u], seeds.get(f"z_{u}")])
            grads[u], grads[f"z_{u}"], grads[f"b_{u}"] = ga[u], g, g
            for s in unit.sources:
                grads[f"w_{u}_{s}"] = mul(g, s)
                # Written as the chain rule reads, from the output back: δ_u · w_u_s.
                terms.setdefault(s, []).append(mul(g, f"w_{u}_{s}"))
    for x in net.inputs:
        grads[x] = add(terms.get(x, []))
    return grads


def _derivative_text(activation: str, unit: str) -> str | None:
    """da/dz of one unit as text (None for a step unit, whose derivative is refused)."""
    if activation == "sigmoid":
        return f"{unit}*(1 - {unit})"
    if activation == "tanh":
        return f"(1 - {unit}^2)"
    if activation == "relu":
        return f"(z_{unit} > 0)"
    if activation == "linear":
        return "1"
    return None


def add(terms: Sequence[str | None]) -> str | None:
    """The sum of texts, None (zero) terms left out; None when all are."""
    present = [t for t in terms if t is not None]
    if not present:
        return None
    if len(present) == 1:
        return present[0]
    return "(" + " + ".join(present) + ")"


def mul(*factors: str | None) -> str | None:
    """The product of texts: None (zero) when a factor is, factors of 1 left out."""
    # Every text built here is a name, a number, a product or parenthesised, so factors
    # join with `*` safely.
    kept = []
    for f in factors:
        if f is None:
            return None
        if f != "1":
            kept.append(f if _ATOM.match(f) or f.startswith("(") or "*" in f else f"({f})")
    return "*".join(kept) or "1"


def number(x: float) -> str:
    """A number as text, parenthesised when negative."""
    text = str(int(x)) if x == int(x) and abs(x) < 1e15 else repr(float(x))
    return f"({text})" if x < 0 else text


def maximum(names: Sequence[str]) -> str:
    """The max of texts (the text itself when there is one)."""
    return names[0] if len(names) == 1 else f"max({', '.join(names)})"
