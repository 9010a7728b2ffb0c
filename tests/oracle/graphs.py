"""Computational graphs against PyTorch's autograd: the cases (graphs at points) and torch's
gradient of the output w.r.t. every input and node.

A case is a graph written twice from one program: as nncheck reads it (`kind: graph`, each
node an expression or a vector gate) and as torch replays it (each node a gate applied to
earlier names), so torch never reads nncheck's expression language. The random graphs (2-4
inputs in [-2, 2] to three decimals, 2-6 nodes, every scalar gate) and the random layers
(W x, an elementwise gate and activation, then softmax, dot, sum or mean: every vector gate)
and every loss of the loss table as a node, written in torch as tests/oracle/gradients.py
writes it, are drawn by the tests' own seed; the CS231n circuits are the first cases. Gates
that would leave their domain take arguments that cannot (log(1 + a²), a divisor 1 + b², a
base 1 + σ(a)), so every case is defined.

Nothing here reads nncheck.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from oracle import gradients

GRAPHS = 120

# gate -> (arity, the expression as nncheck reads it, the same in torch)
GATES: dict[str, tuple[int, str, Callable[..., Any]]] = {
    "add": (2, "{0} + {1}", lambda t, a, b: a + b),
    "subtract": (2, "{0} - {1}", lambda t, a, b: a - b),
    "multiply": (2, "{0} * {1}", lambda t, a, b: a * b),
    "divide": (2, "{0} / (1 + {1}^2)", lambda t, a, b: a / (1 + b**2)),
    "max": (2, "max({0}, {1})", lambda t, a, b: t.maximum(a, b)),
    "min": (2, "min({0}, {1})", lambda t, a, b: t.minimum(a, b)),
    "exp": (1, "exp({0} / 4)", lambda t, a: t.exp(a / 4)),
    "log": (1, "log(1 + {0}^2)", lambda t, a: t.log(1 + a**2)),
    "pow": (2, "(1 + sigmoid({0}))^{1}", lambda t, a, b: (1 + t.sigmoid(a)) ** b),
    "square": (1, "{0}^2", lambda t, a: a**2),
    "abs": (1, "abs({0})", lambda t, a: t.abs(a)),
    "sigmoid": (1, "sigmoid({0})", lambda t, a: t.sigmoid(a)),
    "tanh": (1, "tanh({0})", lambda t, a: t.tanh(a)),
    "relu": (1, "relu({0})", lambda t, a: t.relu(a)),
    "neuron": (3, "sigmoid({0}*{1} + {2})", lambda t, a, b, c: t.sigmoid(a * b + c)),
}
# vector gates: written as a mapping, not an expression
VECTOR_GATES: dict[str, tuple[int, Callable[..., Any]]] = {
    "dot": (2, lambda t, a, b: t.dot(a, b)),
    "matvec": (2, lambda t, a, b: a @ b),
    "sum": (1, lambda t, a: a.sum()),
    "mean": (1, lambda t, a: a.mean()),
    "softmax": (1, lambda t, a: t.softmax(a, dim=0)),
}
VECTORS = 40
LOSS_CASES = 4  # per loss of the loss table, as a node


@dataclass(frozen=True)
class GraphCase:
    """A graph at its given inputs: the inputs' values and, per node, a gate and its args."""

    id: str
    inputs: dict[str, Any]  # a number, a vector or a matrix (lists)
    program: list[tuple[str, str, list[str]]]  # (node, gate, the names it reads)
    losses: dict[str, dict[str, Any]] = field(default_factory=dict)  # node -> its loss

    @property
    def nodes(self) -> dict[str, Any]:
        """Each node as nncheck reads it."""
        return {node: {"loss": {**self.losses[node], "y_pred": args[0]}} if gate == "loss"
                else _written(gate, args) for node, gate, args in self.program}

    @property
    def names(self) -> list[str]:
        """Every input and node: the order of the gradients in an answer."""
        return [*self.inputs, *(node for node, _, _ in self.program)]

    @property
    def data(self) -> dict[str, Any]:
        """What the recorded file shows of the case."""
        return {"inputs": self.inputs, "program": [list(p) for p in self.program],
                "nodes": self.nodes}

    @property
    def problem(self) -> dict[str, Any]:
        """The case as a problem: one `gradient` part by every input and node."""
        return {"given": {"g": {"kind": "graph", "inputs": self.inputs, "nodes": self.nodes}},
                "parts": [{"id": "d", "ask": "gradient", "graph": "g", "wrt": self.names}]}


def _written(gate: str, args: list[str]) -> Any:
    if gate in VECTOR_GATES:
        return {gate: args if len(args) > 1 else args[0]}
    return GATES[gate][1].format(*args)


def _draw(rng: np.random.Generator, *shape: int) -> Any:
    return rng.uniform(-2, 2, shape).round(3).tolist()


def vector_case(rng: np.random.Generator, index: int) -> GraphCase:
    """A layer as a graph: h = W x, an elementwise gate with b, an activation, then a scalar
    by softmax, dot, sum or mean (with y), sometimes scaled by a scalar c."""
    m, n = int(rng.integers(1, 4)), int(rng.integers(1, 4))
    inputs = {"W": _draw(rng, m, n), "x": _draw(rng, n), "b": _draw(rng, m),
              "y": _draw(rng, m), "c": round(float(rng.uniform(-2, 2)), 3)}
    program = [("h", "matvec", ["W", "x"]),
               ("a", str(rng.choice(["add", "subtract", "multiply", "max"])), ["h", "b"]),
               ("u", str(rng.choice(["tanh", "sigmoid", "relu", "square", "abs", "exp"])),
                ["a"])]
    end = str(rng.choice(["softmax", "dot", "sum", "mean"]))
    if end == "softmax":
        program += [("p", "softmax", ["u"]), ("t", "multiply", ["p", "y"]),
                    ("s", "sum", ["t"])]
    elif end == "dot":
        program += [("s", "dot", ["u", "y"])]
    else:
        program += [("t", "multiply", ["u", "c"]), ("s", end, ["t"])]
    program.append(("f", "multiply", ["s", "c"]))
    return GraphCase(f"vector-{index:03d}", inputs, program)


def loss_case(rng: np.random.Generator, fn: str, index: int) -> GraphCase:
    """Scores h = W x, made probabilities where the loss takes them, then the loss node."""
    c = int(rng.integers(2, 5))
    n = int(rng.integers(1, 4))
    inputs = {"W": _draw(rng, c, n), "x": _draw(rng, n)}
    program = [("h", "matvec", ["W", "x"])]
    pred = "h"
    if fn in ("cross_entropy", "kl_divergence"):
        program.append(("p", "softmax", ["h"]))
        pred = "p"
    elif fn == "binary_cross_entropy":
        program.append(("p", "sigmoid", ["h"]))
        pred = "p"
    loss: dict[str, Any] = {"fn": fn, "y_true": gradients.random_target(rng, fn, c)}
    if rng.random() < 0.3:
        loss["reduction"] = str(rng.choice(["sum", "mean"]))
    if fn in gradients.LOG_LOSSES and rng.random() < 0.3:
        loss["log"] = str(rng.choice(["2", "10"]))
    program.append(("L", "loss", [pred]))
    return GraphCase(f"loss-{fn}-{index}", inputs, program, {"L": loss})


def random_case(rng: np.random.Generator, index: int) -> GraphCase:
    """A random graph: every node reads the names before it, the last node most likely."""
    inputs = {f"x{i + 1}": round(float(rng.uniform(-2, 2)), 3)
              for i in range(int(rng.integers(2, 5)))}
    names = list(inputs)
    program = []
    for k in range(int(rng.integers(2, 7))):
        gate = str(rng.choice(list(GATES)))
        arity = GATES[gate][0]
        recent = names[-1]
        args = [recent, *(str(rng.choice(names)) for _ in range(arity - 1))]
        rng.shuffle(args)
        node = f"n{k + 1}"
        program.append((node, gate, args))
        names.append(node)
    return GraphCase(f"graph-{index:03d}", inputs, program)


CS231N = [
    GraphCase("cs231n-circuit", {"x": -2.0, "y": 5.0, "z": -4.0},
              [("q", "add", ["x", "y"]), ("f", "multiply", ["q", "z"])]),
    GraphCase("cs231n-neuron", {"w0": 2.0, "x0": -1.0, "w1": -3.0, "x1": -2.0, "w2": -3.0},
              [("a", "multiply", ["w0", "x0"]), ("c", "add", ["a", "w2"]),
               ("f", "neuron", ["w1", "x1", "c"])]),
]


def _cases() -> list[GraphCase]:
    rng = np.random.default_rng([2026, 14])
    scalar = [random_case(rng, i) for i in range(GRAPHS)]
    rng = np.random.default_rng([2026, 15])
    vector = [vector_case(rng, i) for i in range(VECTORS)]
    rng = np.random.default_rng([2026, 16])
    losses = [loss_case(rng, fn, i) for fn in gradients.LOSSES for i in range(LOSS_CASES)]
    return CS231N + scalar + vector + losses


CASES = _cases()


# --- torch ----------------------------------------------------------------------------------------

def answer(torch: Any, case: GraphCase) -> list[float]:
    """∂(last node)/∂(every input and node) by torch.autograd in float64, in `names` order."""
    values: dict[str, Any] = {
        x: torch.tensor(v, dtype=torch.float64, requires_grad=True)
        for x, v in case.inputs.items()
    }
    for node, gate, args in case.program:
        if gate == "loss":  # the loss as the gradient oracle writes it in torch
            values[node] = gradients.torch_loss(torch, case.losses[node], values[args[0]])
        else:
            fn = VECTOR_GATES[gate][1] if gate in VECTOR_GATES else GATES[gate][2]
            values[node] = fn(torch, *(values[a] for a in args))
        values[node].retain_grad()
    values[case.program[-1][0]].backward()
    out: list[float] = []
    for n in case.names:  # each value's gradient, element by element (row by row)
        grad = values[n].grad
        out += [0.0] * values[n].numel() if grad is None else grad.reshape(-1).tolist()
    return out
