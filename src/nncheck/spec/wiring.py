"""Which names each unit of a network reads: its wiring, checked for cycles (FORMAT §3).

By default a unit reads every unit of the layer before it (the inputs, in the first layer).
A unit may say otherwise: `reads: [x1, h1]` names what it reads, in the order of its weight
list; weights by name (`w: {x1: 1, h1: -2}`) may also name an input or a unit of any earlier
layer besides the previous layer's, which the unit then reads too (a skip connection). Reads
that lead round in a circle are refused with the circle named (`n2 -> n3 -> n2`); a unit that
reads a unit of its own or a later layer, without a circle, is told to move it to a later one.
No numpy: `nncheck validate` reads this.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from nncheck.spec.network import NetworkSpec


class WiringError(ValueError):
    """A unit reads a name it may not: `path` locates it within the network spec."""

    def __init__(self, message: str, path: tuple[str | int, ...]):
        super().__init__(message)
        self.path = path


def unit_sources(spec: NetworkSpec) -> dict[str, tuple[str, ...]]:
    """Each unit's sources, in the order its weights are written; WiringError when a unit
    reads an unknown name, itself, a circle of units or a unit not of an earlier layer."""
    inputs = list(spec.inputs)
    layer_of: dict[str, int] = {}
    for k, layer in enumerate(spec.layers):
        for name in layer.units:
            layer_of[name] = k
    known = set(inputs) | set(layer_of)
    out: dict[str, tuple[str, ...]] = {}
    where: dict[str, tuple[str | int, ...]] = {}
    previous: list[str] = inputs
    for k, layer in enumerate(spec.layers):
        given = layer.units if isinstance(layer.units, dict) else dict.fromkeys(layer.units)
        for name, unit in given.items():
            path: tuple[str | int, ...] = ("layers", k, "units", name)
            if unit is not None and unit.reads is not None:
                reads = list(unit.reads)
                where[name] = (*path, "reads")
                seen: set[str] = set()
                for i, src in enumerate(reads):
                    if src in seen:
                        raise WiringError(f"unit `{name}` reads `{src}` twice",
                                          (*path, "reads", i))
                    seen.add(src)
            else:
                reads = list(previous)
                where[name] = path
                if unit is not None and isinstance(unit.w, dict):
                    reads += [s for s in unit.w if s not in previous]
                    where[name] = (*path, "w")
            for src in reads:
                if src not in known:
                    raise WiringError(
                        f"unit `{name}` reads `{src}`, which is neither an input nor a unit — "
                        f"the inputs are {', '.join(inputs)}", where[name])
                if src == name:
                    raise WiringError(f"unit `{name}` reads itself — a network is feed-forward",
                                      where[name])
            out[name] = tuple(reads)
        previous = list(layer.units)
    cycle = find_cycle(out)
    if cycle:
        raise WiringError(
            "the units read each other in a circle: " + " -> ".join(cycle) +
            " — a network is feed-forward", where[cycle[0]])
    for name, wired in out.items():
        for src in wired:
            if src in layer_of and layer_of[src] >= layer_of[name]:
                raise WiringError(
                    f"unit `{name}` (layer {layer_of[name] + 1}) reads `{src}` of layer "
                    f"{layer_of[src] + 1} — a unit reads the inputs and units of earlier "
                    f"layers: move `{name}` to a layer after `{src}`'s", where[name])
    return out


def find_cycle(reads: dict[str, tuple[str, ...]]) -> list[str] | None:
    """A circle of reads among the units (`[n2, n3, n2]`: n2 reads n3, which reads n2),
    the first in written order, or None."""
    state: dict[str, int] = {}  # 1: on the current path, 2: done
    for start in reads:
        if state.get(start):
            continue
        path: list[str] = []
        stack = [(start, iter(reads[start]))]
        state[start] = 1
        path.append(start)
        while stack:
            node, pending = stack[-1]
            nxt = next((s for s in pending if s in reads and state.get(s) != 2), None)
            if nxt is None:
                state[node] = 2
                path.pop()
                stack.pop()
                continue
            if state.get(nxt) == 1:
                return [*path[path.index(nxt):], nxt]
            state[nxt] = 1
            path.append(nxt)
            stack.append((nxt, iter(reads[nxt])))
    return None
