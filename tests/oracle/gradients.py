"""Gradients against PyTorch's autograd: the cases (networks at points) and torch's gradients.

A case is a `gradient` part with `form: value`: one network with every weight and bias given,
one input point, and every symbol of the network in `wrt`. The random networks (depth 1-4,
widths 1-4, sigmoid/tanh/relu/linear units, softmax or sigmoid outputs under their losses) are
drawn by the tests' own seed; each is recorded at its given point and at two more points the
tests choose (inputs, weights and biases drawn in [-2, 2] to three decimals). The hand-made
categorical-hinge cases sit on that loss's kinks.

Nothing here reads nncheck: the networks are read from the format as written (FORMAT §3), and
both torch and the numpy forward pass below follow that reading.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np

ACTIVATIONS = ["sigmoid", "tanh", "relu", "linear"]
SMOOTH_LOSSES = ("cross_entropy", "binary_cross_entropy", "mse", "kl_divergence")
KINKED_LOSSES = ("mae", "hinge", "multiclass_hinge", "categorical_hinge")
LOG_LOSSES = ("cross_entropy", "binary_cross_entropy", "kl_divergence")
LOSSES = SMOOTH_LOSSES + KINKED_LOSSES
NETWORKS = 200
BATCHES = 8
EXTRA_POINTS = 1


@dataclass(frozen=True)
class GradientCase:
    """A network and a `gradient` part at one point, with `form: value`.

    `question` holds the part's `input`, `of` and `loss`, and its `wrt` only where that is not
    every symbol of the network: the rest of the part is the same for every case.
    """

    id: str
    net: dict[str, Any]  # `inputs` and `layers`
    question: dict[str, Any]

    @property
    def data(self) -> dict[str, Any]:
        """What the recorded file shows of the case."""
        return {"net": self.net, **self.question}

    @property
    def wrt(self) -> list[str]:
        """The symbols the part differentiates by."""
        return list(self.question.get("wrt", symbols(self.net)))

    @property
    def part(self) -> dict[str, Any]:
        """The `gradient` part."""
        return {"id": "d", "ask": "gradient", "network": "net", "form": "value",
                **self.question, "wrt": self.wrt}

    @property
    def problem(self) -> dict[str, Any]:
        """The case as a problem (without its id)."""
        return {"given": {"net": {"kind": "network", **self.net}}, "parts": [self.part]}


# --- reading a network, as FORMAT §3 writes one --------------------------------------------------

@dataclass(frozen=True)
class Layer:
    """A layer: the names it reads, and each unit's name, activation, weights and bias."""

    sources: list[str]
    units: list[tuple[str, str, list[float], float]]
    softmax: bool


def layers(net: Mapping[str, Any]) -> list[Layer]:
    """The layers of a network written with every weight and bias (and activation) given."""
    out = []
    sources = list(net["inputs"])
    for layer in net["layers"]:
        default = layer.get("activation") if "units" in layer else None
        units = [(name, unit.get("activation", default), unit["w"], unit["b"])
                 for name, unit in layer.get("units", layer).items()]
        out.append(Layer(sources, units, default == "softmax"))
        sources = [name for name, *_ in units]
    return out


def outputs(net: Mapping[str, Any]) -> list[str]:
    """The last layer's units."""
    return [name for name, *_ in layers(net)[-1].units]


def symbols(net: Mapping[str, Any]) -> list[str]:
    """Every symbol: inputs; z_<u> and <u> of each unit; then w_<u>_<s> and b_<u> of each."""
    read = layers(net)
    names = list(net["inputs"])
    names += [s for layer in read for u, *_ in layer.units for s in (f"z_{u}", u)]
    for layer in read:
        for u, *_ in layer.units:
            names += [f"w_{u}_{s}" for s in layer.sources] + [f"b_{u}"]
    return names


def leaves(net: Mapping[str, Any], part: Mapping[str, Any]) -> dict[str, float]:
    """The values of the inputs, weights and biases at the part's point."""
    out = {x: float(part["input"][x]) for x in net["inputs"]}
    for layer in layers(net):
        for u, _, w, b in layer.units:
            out.update({f"w_{u}_{s}": float(v) for s, v in zip(layer.sources, w)})
            out[f"b_{u}"] = float(b)
    return out


# --- the forward pass and the losses, in numpy ---------------------------------------------------

NUMPY_ACTIVATIONS: dict[str, Callable[[Any], Any]] = {
    "sigmoid": lambda z: 1 / (1 + np.exp(-z)),
    "tanh": np.tanh,
    "relu": lambda z: np.maximum(z, 0.0),
    "linear": lambda z: z,
}


def forward(net: Mapping[str, Any], values: Mapping[str, Any],
            bumps: Mapping[str, Any] | None = None) -> dict[str, Any]:
    """Every unit's activation from the leaves' `values`; `bumps` adds to any z_<u> or <u>."""
    bumps = bumps or {}
    env = {x: values[x] for x in net["inputs"]}
    for layer in layers(net):
        zs = [sum(values[f"w_{u}_{s}"] * env[s] for s in layer.sources) + values[f"b_{u}"]
              + bumps.get(f"z_{u}", 0.0) for u, *_ in layer.units]
        if layer.softmax:
            top = np.max(zs, axis=0)
            e = [np.exp(z - top) for z in zs]
            acts = [v / sum(e) for v in e]
        else:
            acts = [NUMPY_ACTIVATIONS[act](z) for z, (_, act, _, _) in zip(zs, layer.units)]
        for (u, *_), a in zip(layer.units, acts):
            env[u] = a + bumps.get(u, 0.0)
    return env


def numpy_loss(loss: Mapping[str, Any], p: np.ndarray) -> np.ndarray:
    """The per-sample losses of FORMAT §4.5, written out (p: outputs × any batch shape)."""
    fn = loss["fn"]
    y = np.asarray(loss["y_true"], dtype=float).reshape((-1,) + (1,) * (p.ndim - 1))
    c = p.shape[0]
    base = math.log({"e": math.e, "2": 2.0, "10": 10.0}[str(loss.get("log", "e"))])
    if fn == "cross_entropy":
        terms = -y * np.log(p) / base
    elif fn == "kl_divergence":
        terms = np.where(y > 0, y * (np.log(np.where(y > 0, y, 1.0)) - np.log(p)), 0.0) / base
    elif fn == "binary_cross_entropy":
        terms = -(y * np.log(p) + (1 - y) * np.log(1 - p)) / base
    elif fn == "mse":
        terms = (y - p) ** 2
    elif fn == "mae":
        terms = np.abs(y - p)
    elif fn == "hinge":
        terms = np.maximum(1 - y * p, 0)
    elif fn == "categorical_hinge":  # Keras: max(0, max((1-y)·p) - Σ y·p + 1)
        return np.asarray(np.maximum(((1 - y) * p).max(axis=0) - (y * p).sum(axis=0) + 1, 0))
    else:  # multiclass_hinge: Σ_{j≠t} max(0, 1 + p_j - p_t)
        t = int(np.argmax(y.reshape(-1)))
        terms = np.maximum(1 + np.delete(p, t, axis=0) - p[t], 0)
    defaults = {"binary_cross_entropy": "mean", "mse": "mean", "mae": "mean", "hinge": "mean"}
    if loss.get("reduction", defaults.get(fn, "sum")) == "mean":
        return np.asarray(terms.sum(axis=0) / c)
    return np.asarray(terms.sum(axis=0))


# --- torch ---------------------------------------------------------------------------------------

def answer(torch: Any, case: GradientCase) -> list[float]:
    """Every gradient the part asks for, by torch.autograd in float64, in `wrt` order."""
    net, part = case.net, case.part
    point = leaves(net, part)
    grads_of: dict[str, tuple[Any, int]] = {}

    def leaf(names: list[str]) -> Any:
        return torch.tensor([point[n] for n in names], dtype=torch.float64, requires_grad=True)

    x = leaf(list(net["inputs"]))
    grads_of.update({n: (x, i) for i, n in enumerate(net["inputs"])})
    a = x
    fns = {"sigmoid": torch.sigmoid, "tanh": torch.tanh, "relu": torch.relu,
           "linear": lambda t: t}
    zs: dict[str, Any] = {}
    for layer in layers(net):
        names = [u for u, *_ in layer.units]
        m = len(layer.sources)
        w = leaf([f"w_{u}_{s}" for u in names for s in layer.sources])
        b = leaf([f"b_{u}" for u in names])
        z = w.reshape(len(names), m) @ a + b
        if layer.softmax:
            a = torch.softmax(z, dim=0)
        else:
            a = torch.stack([fns[act](z[i]) for i, (_, act, _, _) in enumerate(layer.units)])
        z.retain_grad()
        a.retain_grad()
        for i, u in enumerate(names):
            grads_of[u], grads_of[f"z_{u}"], grads_of[f"b_{u}"] = (a, i), (z, i), (b, i)
            zs[f"z_{u}"] = z[i]
            for j, s in enumerate(layer.sources):
                grads_of[f"w_{u}_{s}"] = (w, i * m + j)
    if part["of"] == "loss":
        objective = torch_loss(torch, part["loss"], a)
    elif part["of"] in zs:
        objective = zs[part["of"]]
    else:
        objective = a[outputs(net).index(part["of"])]
    objective.backward()
    out = []
    for symbol in case.wrt:
        tensor, i = grads_of[symbol]
        # no gradient reaches a tensor the objective does not read (a unit of the same layer)
        out.append(0.0 if tensor.grad is None else float(tensor.grad[i]))
    return out


def torch_loss(torch: Any, loss: Mapping[str, Any], p: Any) -> Any:
    """The loss of FORMAT §4.5 in torch, of the output vector p."""
    fn = loss["fn"]
    y = torch.tensor(loss["y_true"], dtype=torch.float64)
    base = math.log({"e": math.e, "2": 2.0, "10": 10.0}[str(loss.get("log", "e"))])
    if fn == "cross_entropy":
        terms = -y * torch.log(p) / base
    elif fn == "kl_divergence":
        terms = torch.where(y > 0, y * (torch.log(torch.where(y > 0, y, 1.0)) - torch.log(p)),
                            torch.zeros_like(p)) / base
    elif fn == "binary_cross_entropy":
        terms = -(y * torch.log(p) + (1 - y) * torch.log(1 - p)) / base
    elif fn == "mse":
        terms = (y - p) ** 2
    elif fn == "mae":
        terms = torch.abs(y - p)
    elif fn == "hinge":
        terms = torch.clamp(1 - y * p, min=0)
    elif fn == "categorical_hinge":
        # keras.losses.categorical_hinge: its subgradient at the kinks is the oracle's
        return torch.clamp(torch.max((1 - y) * p, dim=-1).values - (y * p).sum(-1) + 1, min=0)
    else:
        t = int(torch.argmax(y))
        terms = torch.clamp(1 + torch.cat([p[:t], p[t + 1:]]) - p[t], min=0)
    defaults = {"binary_cross_entropy": "mean", "mse": "mean", "mae": "mean", "hinge": "mean"}
    if loss.get("reduction", defaults.get(fn, "sum")) == "mean":
        return terms.sum() / p.shape[0]
    return terms.sum()


# --- random networks -----------------------------------------------------------------------------

def random_problem(rng: np.random.Generator, losses: tuple[str, ...] = LOSSES
                   ) -> dict[str, Any]:
    """A random network (depth 1-4, widths 1-4) and a formula part for every gradient."""
    inputs = [f"x{i + 1}" for i in range(int(rng.integers(1, 5)))]
    depth = int(rng.integers(1, 5))
    objective = str(rng.choice(["unit", *losses]))
    sources = inputs
    net_layers = []
    for index in range(depth):
        last = index == depth - 1
        width = int(rng.integers(2 if last and objective in ("cross_entropy", "kl_divergence",
                                                               "multiclass_hinge",
                                                               "categorical_hinge") else 1, 5))
        names = [f"u{index + 1}n{j + 1}" for j in range(width)]
        softmax = last and objective in ("cross_entropy", "kl_divergence")
        units = {}
        for name in names:
            unit: dict[str, Any] = {"w": rng.uniform(-2, 2, len(sources)).round(3).tolist(),
                                    "b": round(float(rng.uniform(-2, 2)), 3)}
            if not softmax:
                unit["activation"] = "sigmoid" if last and objective == "binary_cross_entropy" \
                    else str(rng.choice(ACTIVATIONS))
            units[name] = unit
        net_layers.append({"activation": "softmax", "units": units} if softmax else units)
        sources = names
    c = len(sources)
    part: dict[str, Any] = {"id": "d", "ask": "gradient", "network": "net", "form": "formula",
                            "input": {x: round(float(rng.uniform(-2, 2)), 3) for x in inputs}}
    if objective == "unit":
        part["of"] = str(rng.choice(sources))
    else:
        part["of"] = "loss"
        part["loss"] = {"fn": objective, "y_true": random_target(rng, objective, c)}
        if rng.random() < 0.3:
            part["loss"]["reduction"] = str(rng.choice(["sum", "mean"]))
        if objective in LOG_LOSSES and rng.random() < 0.3:
            part["loss"]["log"] = str(rng.choice(["2", "10"]))
    net = {"kind": "network", "inputs": inputs, "layers": net_layers}
    part["wrt"] = symbols(net)
    return {"given": {"net": net}, "parts": [part]}


def random_target(rng: np.random.Generator, fn: str, c: int) -> list[float]:
    """A target for a loss over c outputs, of the kinds that loss takes."""
    if fn == "categorical_hinge" and rng.random() < 0.5:
        # Keras's formula takes any targets in [0, 1]: soft labels, exact 0s and 1s, and
        # rows with no 1 (all zero, or several 1s)
        y = rng.uniform(0, 1, c).round(2)
        y[rng.random(c) < 0.3] = 0.0
        y[rng.random(c) < 0.2] = 1.0
        return [float(v) for v in y]
    if fn in ("cross_entropy", "multiclass_hinge", "categorical_hinge"):
        return [float(v) for v in np.eye(c)[int(rng.integers(c))]]
    if fn == "kl_divergence":
        y = rng.uniform(0, 1, c) * (rng.random(c) < 0.7)
        y[int(rng.integers(c))] += 0.5
        return [float(v) for v in y / y.sum()]
    if fn == "binary_cross_entropy":
        return [float(v) for v in rng.uniform(0, 1, c).round(3)]
    if fn == "hinge":
        return [float(v) for v in rng.choice([-1.0, 1.0], c)]
    return [float(v) for v in rng.normal(0, 1, c).round(3)]


def random_problems(batch: int) -> list[dict[str, Any]]:
    """One batch of the random networks, each with a formula part for every gradient."""
    rng = np.random.default_rng([2026, batch])
    return [random_problem(rng) for _ in range(NETWORKS // BATCHES)]


def moved(net: Mapping[str, Any], part: Mapping[str, Any], rng: np.random.Generator
          ) -> tuple[dict[str, Any], dict[str, Any]]:
    """The same network and part at another point: inputs, weights and biases in [-2, 2]."""
    def draw(n: int) -> list[float]:
        return [float(v) for v in rng.uniform(-2, 2, n).round(3)]

    new_layers = []
    for layer in net["layers"]:
        units = layer.get("units", layer)
        new = {u: {**unit, "w": draw(len(unit["w"])), "b": draw(1)[0]}
               for u, unit in units.items()}
        new_layers.append({**layer, "units": new} if "units" in layer else new)
    values = draw(len(net["inputs"]))
    return ({**net, "layers": new_layers},
            {**part, "input": dict(zip(net["inputs"], values))})


def _question(part: Mapping[str, Any]) -> dict[str, Any]:
    return {k: part[k] for k in ("input", "of", "loss") if k in part}


def _random_cases() -> list[GradientCase]:
    out = []
    for batch in range(BATCHES):
        for i, problem in enumerate(random_problems(batch)):
            net = {k: v for k, v in problem["given"]["net"].items() if k != "kind"}
            part = problem["parts"][0]
            name = f"net{batch}-{i:02d}"
            out.append(GradientCase(f"{name}-p0", net, _question(part)))
            # A stream of its own: trailing zeros in a seed sequence can repeat another's.
            rng = np.random.default_rng([31, batch, i])
            for k in range(1, EXTRA_POINTS + 1):
                at, part_at = moved(net, part, rng)
                out.append(GradientCase(f"{name}-p{k}", at, _question(part_at)))
    return out


# --- Keras's categorical hinge at its kinks -------------------------------------------------------

def scores_network(y_true: list[float], scores: list[float], activation: str = "linear",
                   form: str = "value") -> dict[str, Any]:
    """Output units o1, o2, ... whose values at the given point are `scores` (w = 0, b = s)."""
    units = {f"o{i + 1}": {"w": [0], "b": s} for i, s in enumerate(scores)}
    net = {"kind": "network", "inputs": ["x"],
           "layers": [{"activation": activation, "units": units}]}
    wrt = [*units, *(f"z_{u}" for u in units), *(f"b_{u}" for u in units)]
    return {"given": {"net": net},
            "parts": [{"id": "d", "ask": "gradient", "network": "net", "form": form,
                       "input": {"x": 1}, "of": "loss",
                       "loss": {"fn": "categorical_hinge", "y_true": y_true}, "wrt": wrt}]}


# ∂loss/∂o at the given point, worked from Keras's neg = max((1-y)·o), pos = Σ y·o,
# loss = max(0, neg - pos + 1), with autograd's choices at ties: torch.max(dim) sends the
# gradient to the first of equal values, torch.clamp(min=0) lets it through at exactly 0.
# name: (y_true, scores, activation, ∂loss/∂o by hand)
CATEGORICAL_KINKS: dict[str, tuple[list[float], list[float], str, list[float]]] = {
    # the review's repro: neg = max(-1, 0, -2) = 0 is the true class's 0, pos = 0.5,
    # loss 0.5: only pos moves, ∂/∂o2 = -1
    "repro": ([0, 1, 0], [-1.0, 0.5, -2.0], "linear", [0, -1, 0]),
    # every other score negative: neg = 0, pos = -1, loss 2
    "others-negative": ([1, 0, 0], [-1.0, -3.0, -2.0], "linear", [-1, 0, 0]),
    # relu outputs (0, 0.5, 0): (1-y)·o = (0, 0, 0) ties three ways, the first (o1) takes
    # the max's gradient: (1, -1, 0)
    "relu-tie": ([0, 1, 0], [-1.0, 0.5, -2.0], "relu", [1, -1, 0]),
    # (1-y)·o = (0, 0, -1): the true class o1 is the first of the tie, and its factor
    # 1 - y1 = 0; neg - pos + 1 = 0 - 1 + 1 = 0 exactly, where the clamp passes: (-1, 0, 0)
    "tie-at-zero-loss": ([1, 0, 0], [1.0, 0.0, -1.0], "linear", [-1, 0, 0]),
    # neg = 0.5 (o1), pos = 1.5: the loss is 0 exactly, and the clamp passes: (1, -1, 0)
    "zero-loss-passes": ([0, 1, 0], [0.5, 1.5, -1.0], "linear", [1, -1, 0]),
    # clearly inside the margin: loss max(0, 0.5 - 2 + 1) = 0, no gradient
    "zero-loss": ([0, 1, 0], [0.5, 2.0, -1.0], "linear", [0, 0, 0]),
    # soft labels: (1-y)·o = (0.8, 0.4, 3), neg = o3, pos = 0.2·o1 + 0.8·o2: (-0.2, -0.8, 1)
    "soft": ([0.2, 0.8, 0], [1.0, 2.0, 3.0], "linear", [-0.2, -0.8, 1]),
    # no true class: neg = max(o) = o2, pos = 0: (0, 1, 0)
    "all-zero": ([0, 0, 0], [-1.0, 0.5, -2.0], "linear", [0, 1, 0]),
    # relu outputs all 0, y = (0.5, 1, 0): (1-y)·o ties at 0, o1 first: 0.5·1 - 0.5 = 0,
    # o2: -1, o3: 0
    "soft-relu-tie": ([0.5, 1, 0], [-1.0, -1.0, -1.0], "relu", [0, -1, 0]),
}


def relu_ties() -> list[tuple[list[float], list[float]]]:
    """Targets and scores where relu outputs sit at 0, tying with each other and y's 0s."""
    rng = np.random.default_rng(11)
    out = []
    for _ in range(40):
        c = int(rng.integers(2, 5))
        y = [float(v) for v in rng.choice([0.0, 0.0, 1.0, 0.25, 0.5], c)]
        scores = [float(v) for v in rng.choice([-1.0, 0.0, 0.5, 1.0], c)]
        out.append((y, scores))
    return out


def _kink_cases() -> list[GradientCase]:
    problems = {f"kink-{name}": scores_network(y, scores, activation)
                for name, (y, scores, activation, _) in CATEGORICAL_KINKS.items()}
    problems.update({f"relu-tie-{k:02d}": scores_network(y, s, "relu")
                     for k, (y, s) in enumerate(relu_ties())})
    return [GradientCase(name, {k: v for k, v in p["given"]["net"].items() if k != "kind"},
                         {**_question(p["parts"][0]), "wrt": p["parts"][0]["wrt"]})
            for name, p in problems.items()]


CASES = _random_cases() + _kink_cases()
