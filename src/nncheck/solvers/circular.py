"""Which symbols an answer may not name: the value asked for, and every value computed from it.

A numeric answer may be an expression over the network's symbols, evaluated at the given
input. Naming the asked value itself (`out: o`), or anything that holds it (`sigmoid(z_o)`,
`2*o - o`, a unit downstream of `o`), would earn the marks without the work. The symbols an
answer may still use are the inputs, the parameters (`w_…`, `b_…`) and the units whose values
do not depend on the asked one.
"""

from __future__ import annotations

from collections.abc import Sequence

from nncheck.network import Network


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
    return why


def _is_unit(net: Network, name: str) -> bool:
    return any(u.name == name for u in net.units)


def _depending_on(net: Network, roots: Sequence[str]) -> list[str]:
    """The symbols computed from any of `roots` (inputs, units or zs), in network order."""
    reached = set(roots)
    out = []
    for layer in net.layers:
        reads = any(s in reached for s in layer.sources)
        zs = [f"z_{u.name}" for u in layer.units]
        for z in zs:
            if reads and z not in reached:
                reached.add(z)
                out.append(z)
        any_z = any(z in reached for z in zs)
        for u, z in zip(layer.units, zs):
            # A softmax unit reads every z of its layer; any other unit only its own.
            if u.name not in reached and (z in reached or (layer.softmax and any_z)):
                reached.add(u.name)
                out.append(u.name)
    return out
