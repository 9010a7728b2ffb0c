"""Networks with skip connections against PyTorch's autograd: each unit reads its own list of
inputs and earlier units (FORMAT §3, `reads:`), and torch computes it unit by unit, so nothing
here shares nncheck's layer-by-layer reading.

The cases: the hand-made ones (an input that also feeds the output unit; a three-layer net
whose output reads every earlier unit) and random wirings drawn by the tests' own seed, each
unit reading a random nonempty subset of the inputs and the units of earlier layers, with
sigmoid, tanh and linear units, asked for the output's gradient w.r.t. every symbol.
"""

from __future__ import annotations

import random
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

SMOOTH = ["sigmoid", "tanh", "linear"]
RANDOM_NETWORKS = 40


@dataclass(frozen=True)
class SkipCase:
    """A network, every parameter given, one input point, the gradient of one output."""

    id: str
    net: dict[str, Any]  # `inputs` and `layers`, every unit with `reads`, `w`, `b`, activation
    input: dict[str, float]
    of: str

    @property
    def data(self) -> dict[str, Any]:
        """What the recorded file shows of the case."""
        return {"net": self.net, "input": self.input, "of": self.of}

    @property
    def wrt(self) -> list[str]:
        """Every symbol: the inputs, then each unit's activation, z, bias and weights."""
        out = list(self.net["inputs"])
        for name, unit in units(self.net):
            out += [name, f"z_{name}", f"b_{name}", *(f"w_{name}_{s}" for s in unit["reads"])]
        return out

    @property
    def problem(self) -> dict[str, Any]:
        """The case as a problem: a `gradient` part by every symbol."""
        return {"given": {"net": {"kind": "network", **self.net}},
                "parts": [{"id": "d", "ask": "gradient", "network": "net", "form": "value",
                           "input": self.input, "of": self.of, "wrt": self.wrt}]}


def units(net: Mapping[str, Any]) -> list[tuple[str, dict[str, Any]]]:
    """Every unit, layer by layer, with its spec."""
    return [(name, unit) for layer in net["layers"] for name, unit in layer.items()]


def _hand_made() -> list[SkipCase]:
    # y = sigmoid(w_y_h * h + w_y_x1 * x1 + b_y), h = sigmoid(w_h_x1 x1 + w_h_x2 x2 + b_h):
    # the input x1 also feeds the output unit, with no pass-through unit.
    skip = {"inputs": ["x1", "x2"], "layers": [
        {"h": {"reads": ["x1", "x2"], "w": [0.5, -1.0], "b": 0.25, "activation": "sigmoid"}},
        {"y": {"reads": ["h", "x1"], "w": [2.0, -0.75], "b": 0.1, "activation": "sigmoid"}},
    ]}
    dense = {"inputs": ["x"], "layers": [
        {"a": {"reads": ["x"], "w": [1.5], "b": -0.5, "activation": "tanh"}},
        {"c": {"reads": ["a", "x"], "w": [0.8, -1.2], "b": 0.3, "activation": "sigmoid"}},
        {"o": {"reads": ["c", "a", "x"], "w": [1.1, -0.4, 0.6], "b": 0.0,
               "activation": "linear"}},
    ]}
    return [SkipCase("input-feeds-output", skip, {"x1": 1.0, "x2": -2.0}, "y"),
            SkipCase("output-reads-all", dense, {"x": 0.7}, "o")]


def _random(rng: random.Random, k: int) -> SkipCase:
    inputs = [f"x{i + 1}" for i in range(rng.randint(1, 3))]
    earlier = list(inputs)
    layers = []
    for depth in range(rng.randint(1, 3)):
        layer = {}
        for j in range(rng.randint(1, 3)):
            name = f"u{depth + 1}{j + 1}"
            reads = sorted(rng.sample(earlier, rng.randint(1, len(earlier))), key=earlier.index)
            layer[name] = {"reads": reads,
                           "w": [round(rng.uniform(-2, 2), 3) for _ in reads],
                           "b": round(rng.uniform(-2, 2), 3),
                           "activation": rng.choice(SMOOTH)}
        layers.append(layer)
        earlier += list(layer)
    last = layers[-1]
    return SkipCase(f"random-{k}", {"inputs": inputs, "layers": layers},
                    {x: round(rng.uniform(-2, 2), 3) for x in inputs}, rng.choice(list(last)))


def cases() -> list[SkipCase]:
    """The hand-made cases, then the random ones."""
    rng = random.Random(20261130)
    return _hand_made() + [_random(rng, k) for k in range(RANDOM_NETWORKS)]


CASES = cases()


def answer(torch: Any, case: SkipCase) -> list[float]:
    """d(output)/d(every symbol) by torch.autograd in float64, unit by unit, in `wrt` order."""
    leaves: dict[str, Any] = {}
    values: dict[str, Any] = {}

    def leaf(symbol: str, value: float) -> Any:
        t = torch.tensor(value, dtype=torch.float64, requires_grad=True)
        leaves[symbol] = t
        return t

    for x in case.net["inputs"]:
        values[x] = leaf(x, case.input[x])
    fns = {"sigmoid": torch.sigmoid, "tanh": torch.tanh, "linear": lambda t: t}
    for name, unit in units(case.net):
        z = leaf(f"b_{name}", unit["b"])
        for s, w in zip(unit["reads"], unit["w"]):
            z = z + leaf(f"w_{name}_{s}", w) * values[s]
        z.retain_grad()
        a = fns[unit["activation"]](z)
        a.retain_grad()
        values[f"z_{name}"], values[name] = z, a
    values[case.of].backward()
    out = []
    for symbol in case.wrt:
        t = leaves[symbol] if symbol in leaves else values[symbol]
        out.append(0.0 if t.grad is None else float(t.grad))
    return out
