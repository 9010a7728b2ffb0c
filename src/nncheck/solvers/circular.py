"""Which symbols a `forward` answer may not name: all but what the asked value is computed from.

A numeric answer may be an expression over the network's symbols, evaluated at the given
input. Naming the asked value itself (`out: o`), or anything that holds it (`sigmoid(z_o)`,
`2*o - o`, a unit downstream of `o`), would earn the marks without the work; so would a unit
that merely happens to equal it (a twin of `h1` with the same weights, asked as `h1`). An
answer may use the inputs, the parameters (`w_…`, `b_…`) and the values the asked one is
computed from (the units before it that it reads, directly or further back), except its own
pre-activation.
"""

from __future__ import annotations

from collections.abc import Sequence

from nncheck.engine.network import Network


def circular_symbols(net: Network, symbol: str, shown: str | None = None) -> dict[str, str]:
    """Each symbol an answer for `symbol` may not name, with why, worded to follow the name
    (`shown` is the asked symbol as the part writes it, e.g. by an alias)."""
    name = f"`{shown or symbol}`"
    why = {symbol: "is the value being asked"}
    roots = [symbol]
    if _is_unit(net, symbol):
        # An activation is a function of its own z (`sigmoid(z_o)` is `o`), and so is every unit
        # of a softmax layer a function of the z of each of its units (`1 - s2` is `s1`).
        roots.append(f"z_{symbol}")
        why[f"z_{symbol}"] = f"is the pre-activation of {name}, the value being asked"
    for later in _depending_on(net, roots):
        why.setdefault(later, f"depends on {name}, the value being asked")
    allowed = _computed_from(net, symbol)
    for other in _values(net):
        if other not in allowed:
            why.setdefault(other, f"is not a value that {name} is computed from")
    return why


def _is_unit(net: Network, name: str) -> bool:
    return any(u.name == name for u in net.units)


def _values(net: Network) -> list[str]:
    """The symbols that vary with the input: inputs, each unit's z and activation."""
    return [*net.inputs, *(s for u in net.units for s in (f"z_{u.name}", u.name))]


def _depending_on(net: Network, roots: Sequence[str]) -> list[str]:
    """The symbols computed from any of `roots` (inputs, units or zs), in network order."""
    reached = set(roots)
    out = []
    for layer in net.layers:
        zs = [f"z_{u.name}" for u in layer.units]
        for u, z in zip(layer.units, zs):
            if any(s in reached for s in u.sources) and z not in reached:
                reached.add(z)
                out.append(z)
        any_z = any(z in reached for z in zs)
        for u, z in zip(layer.units, zs):
            # A softmax unit reads every z of its layer; any other unit only its own.
            if u.name not in reached and (z in reached or (layer.softmax and any_z)):
                reached.add(u.name)
                out.append(u.name)
    return out


def _computed_from(net: Network, symbol: str) -> set[str]:
    """The inputs, and the units and zs that `symbol` is computed from (directly or further
    back); every input, since an input is given."""
    found: set[str] = set(net.inputs)
    wanted = {symbol}
    for layer in reversed(net.layers):
        zs = {f"z_{u.name}" for u in layer.units}
        for u in layer.units:
            if u.name in wanted:  # a softmax unit reads every z of its layer
                wanted |= zs if layer.softmax else {f"z_{u.name}"}
        for u in layer.units:
            if f"z_{u.name}" in wanted:
                found.add(f"z_{u.name}")
                if u.name in wanted:
                    found.add(u.name)
                wanted |= set(u.sources)
                found |= set(u.sources)
    found.discard(symbol)
    return found
