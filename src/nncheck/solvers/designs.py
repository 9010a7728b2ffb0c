"""The rules a `realize` design keeps besides its output (FORMAT §4.2): the values its weights
and biases may take (`weights: {in: [-1, 0, 1]}`, `integer: true`; the same for `biases:`) and
the hidden units it may use (`max_hidden:`). Values the template fixes are the problem's own
and are not held to the rules; a unit counts as used when a nonzero weight carries it, directly
or through other used units, to the output."""

from __future__ import annotations

from fractions import Fraction

from nncheck.compare.numbers import format_number
from nncheck.engine import exact
from nncheck.engine.network import Network
from nncheck.spec.functions import WeightRule
from nncheck.spec.parts import RealizePart
from nncheck.words import listing


def broken_rule(part: RealizePart, net: Network, free: set[str]) -> str | None:
    """Why the filled design `net` breaks a rule of the part, or None (`free`: the parameter
    symbols the answer gave, those the template leaves free)."""
    for u in net.units:
        values = [(f"b_{u.name}", u.bias, u.exact[0] if u.exact else None, part.biases)]
        values += [(f"w_{u.name}_{s}", w, u.exact[1 + i] if len(u.exact) > 1 + i else None,
                    part.weights) for i, (s, w) in enumerate(zip(u.sources, u.weights))]
        for symbol, value, written, rule in values:
            if rule is None or symbol not in free:
                continue
            number = written if written is not None else \
                exact.number(value) if isinstance(value, float) else None
            why = _outside(number, rule)
            if why:
                shown = format_number(value) if isinstance(value, float) else f"`{value}`"
                return f"`{symbol}` is {shown}, and the problem allows {why}"
    if part.max_hidden is not None:
        used = used_hidden(net)
        if len(used) > part.max_hidden:
            return (f"the design uses {len(used)} hidden units ({', '.join(used)}), and the "
                    f"problem allows at most {part.max_hidden}")
    return None


def _outside(value: Fraction | None, rule: WeightRule) -> str | None:
    """What the rule allows, when the value is not among it (None: allowed)."""
    if rule.integer:
        return None if value is not None and value.denominator == 1 else "integers only"
    allowed = [exact.rational(v) for v in rule.allowed or ()]
    if value is not None and value in allowed:
        return None
    return "only " + listing([str(v) for v in rule.allowed or ()])


def used_hidden(net: Network) -> list[str]:
    """The hidden units a nonzero weight carries to an output, in network order."""
    outputs = set(net.outputs)
    used = set(outputs)
    for u in reversed(net.units):
        if u.name not in used:
            continue
        for s, w in zip(u.sources, u.weights):
            if not (isinstance(w, float) and w == 0.0):
                used.add(s)
    return [u.name for u in net.units if u.name in used and u.name not in outputs]
