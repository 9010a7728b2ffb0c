"""The `gradient` ask: hand-worked cases, the seed's Q7, known mistakes, and two oracles.

The oracles run the same random networks (depth 1-4, widths 1-4, sigmoid/tanh/relu/linear
units, softmax or sigmoid outputs under their losses) through the solver, re-draws included,
and compare every gradient with PyTorch's autograd (float64, where torch is installed) and,
always, with central finite differences of an independently written forward pass and loss.
"""

from __future__ import annotations

import functools
import math
from pathlib import Path
from typing import Any

import numpy as np
import pytest
import yaml

from nncheck.checking import Status
from nncheck.context import Context
from nncheck.errors import ProblemError
from nncheck.network import build
from nncheck.solvers.gradients import backprop, solve_gradient
from nncheck.spec.network import NetworkSpec
from nncheck.spec.problem import Problem

SEED = Path(__file__).resolve().parent.parent / "problems" / "seed-exam"
SIG_HALF = 0.6224593312018546  # σ(0.5) = 1 / (1 + e^-0.5)
DSIG_HALF = 0.2350037122015945  # σ'(0.5) = σ(0.5)(1 - σ(0.5))


def network(data: dict[str, Any]) -> Any:
    return build(NetworkSpec.model_validate({"kind": "network", **data}), name="net")


def solve(data: dict[str, Any], part: int = 0) -> Any:
    problem = Problem.model_validate({"id": "p", **data})
    return solve_gradient(problem.parts[part], Context(problem, problem.parts[part]))


# --- hand-worked -------------------------------------------------------------------------------

NEURON = {"inputs": ["x"], "activation": "sigmoid", "layers": [{"y": {"w": [0.5], "b": -0.5}}]}


def test_single_sigmoid_neuron_by_hand():
    # x = 2, w = 0.5, b = -0.5: z = 0.5·2 - 0.5 = 0.5, y = σ(0.5) = 0.62246, σ' = 0.23500.
    # dy/dw = σ'·x = 0.47001; dy/db = σ' = 0.23500; dy/dx = σ'·w = 0.11750; dy/dz = σ'.
    net = network(NEURON)
    env = net.forward({"x": 2.0})
    grads = backprop(net, env, {"y": 1.0})
    assert env["y"] == pytest.approx(SIG_HALF, rel=1e-15)
    assert grads["w_y_x"] == pytest.approx(0.470007424403189, rel=1e-15)
    assert grads["b_y"] == pytest.approx(DSIG_HALF, rel=1e-15)
    assert grads["z_y"] == pytest.approx(DSIG_HALF, rel=1e-15)
    assert grads["x"] == pytest.approx(0.11750185610079725, rel=1e-15)
    assert grads["y"] == 1.0


TWO_LAYER = {
    "inputs": ["x1", "x2"],
    "activation": "sigmoid",
    "layers": [
        {"h1": {"w": [0.5, -0.25], "b": 0}, "h2": {"w": [1, -0.5], "b": 0.5}},
        {"activation": "linear", "units": {"Y": {"w": [2, -1], "b": 0.1}}},
    ],
}


def test_two_layer_network_by_hand():
    # x = (1, 2): z_h1 = 0.5 - 0.5 = 0, h1 = 0.5, σ' = 0.25; z_h2 = 1 - 1 + 0.5 = 0.5,
    # h2 = 0.62246, σ' = 0.23500. Y = 2·h1 - h2 + 0.1 is linear, so ∂Y/∂h1 = 2, ∂Y/∂h2 = -1.
    # ∂Y/∂z_h1 = 2·0.25 = 0.5; ∂Y/∂z_h2 = -0.23500; ∂Y/∂w_h1_x2 = 0.5·x2 = 1;
    # ∂Y/∂x1 = 0.5·0.5 + (-0.23500)·1 = 0.014996; ∂Y/∂w_Y_h2 = h2.
    net = network(TWO_LAYER)
    grads = backprop(net, net.forward({"x1": 1.0, "x2": 2.0}), {"Y": 1.0})
    assert grads["z_h1"] == 0.5
    assert grads["z_h2"] == pytest.approx(-DSIG_HALF, rel=1e-15)
    assert grads["w_h1_x2"] == 1.0
    assert grads["x1"] == pytest.approx(0.014996287798405505, rel=1e-13)
    assert grads["w_Y_h2"] == pytest.approx(SIG_HALF, rel=1e-15)
    assert grads["h1"] == 2.0
    assert grads["b_Y"] == 1.0


def test_backprop_is_vectorised_over_points():
    net = network(TWO_LAYER)
    points = {"x1": np.array([1.0, 0.0, -1.0]), "x2": np.array([2.0, 0.0, 3.0])}
    batch = backprop(net, net.forward(points), {"Y": 1.0})
    for k in range(3):
        one = backprop(net, net.forward({n: v[k] for n, v in points.items()}), {"Y": 1.0})
        for symbol, value in one.items():
            assert batch[symbol][k] == pytest.approx(value, rel=1e-15), symbol


def test_softmax_cross_entropy_gives_p_minus_y():
    # Two softmax units with zero logits: p = (0.5, 0.5); with y = (1, 0),
    # ∂L/∂z = p - y = (-0.5, 0.5) and ∂L/∂w_s1_x = (p1 - y1)·x = -0.5·3.
    data = {
        "given": {"net": {"kind": "network", "inputs": ["x"], "layers": [
            {"activation": "softmax",
             "units": {"s1": {"w": [0], "b": 0}, "s2": {"w": [0], "b": 0}}},
        ]}},
        "parts": [{"id": "d", "ask": "gradient", "network": "net", "input": {"x": 3},
                   "of": "loss", "loss": {"fn": "cross_entropy", "y_true": [1, 0]},
                   "wrt": ["z_s1", "z_s2", "w_s1_x", "s1"]}],
    }
    truth = solve(data)
    # ∂L/∂s1 = -y1/p1 = -2
    assert truth.expected == pytest.approx([-0.5, 0.5, -1.5, -2.0], rel=1e-15)


def one_unit(activation: str, loss: dict[str, Any], x: float = 1.0) -> dict[str, Any]:
    net = {"kind": "network", "inputs": ["x"], "activation": activation,
           "layers": [{"y": {"w": [2], "b": -2}}]}
    return {"given": {"net": net},
            "parts": [{"id": "d", "ask": "gradient", "network": "net", "input": {"x": x},
                       "of": "loss", "loss": loss, "wrt": ["z_y", "w_y_x", "y"]}]}


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        # z = 2·1 - 2 = 0, p = σ(0) = 0.5, y = 1: ∂L/∂p = -y/p = -2, ∂L/∂z = p - y = -0.5,
        # ∂L/∂w = -0.5·x = -0.5.
        pytest.param(one_unit("sigmoid", {"fn": "binary_cross_entropy", "y_true": [1]}),
                     [-0.5, -0.5, -2.0], id="bce-sigmoid"),
        # the same in bits: every term divided by ln 2
        pytest.param(one_unit("sigmoid", {"fn": "binary_cross_entropy", "y_true": [1],
                                          "log": 2}),
                     [-0.5 / math.log(2), -0.5 / math.log(2), -2.0 / math.log(2)],
                     id="bce-log2"),
        # x = 2: z = p = 2·2 - 2 = 2 (linear), target 0.5: ∂L/∂p = 2(p - y) = 3, ∂L/∂w = 3·2.
        pytest.param(one_unit("linear", {"fn": "mse", "y_true": [0.5]}, x=2.0),
                     [3.0, 6.0, 3.0], id="mse-linear"),
        # p = 2 > y = 0.5: ∂|y - p|/∂p = 1.
        pytest.param(one_unit("linear", {"fn": "mae", "y_true": [0.5]}, x=2.0),
                     [1.0, 2.0, 1.0], id="mae-linear"),
        # label -1, score 2: the margin 1 - (-1)(2) = 3 > 0, so ∂/∂s = -y = 1.
        pytest.param(one_unit("linear", {"fn": "hinge", "y_true": [-1]}, x=2.0),
                     [1.0, 2.0, 1.0], id="hinge"),
    ],
)
def test_loss_gradients_by_hand(data, expected):
    assert solve(data).expected == pytest.approx(expected, rel=1e-14)


def test_of_a_pre_activation_and_hints():
    data = {"given": {"net": {"kind": "network", **TWO_LAYER}},
            "parts": [{"id": "d", "ask": "gradient", "network": "net",
                       "input": {"x1": 1, "x2": 2}, "of": "z_Y", "wrt": "w_h1_x1",
                       "form": "formula",
                       "hints": [{"answer": "w_Y_h1 x1", "say": "σ' forgotten",
                                  "credit": 0.5}]}]}
    problem = Problem.model_validate({"id": "p", **data})
    part = problem.parts[0]
    truth = solve_gradient(part, Context(problem, part)).with_hints(part.hints)
    # ∂z_Y/∂w_h1_x1 = w_Y_h1 · σ'(z_h1) · x1 = 2 · 0.25 · 1
    assert truth.expected == 0.5
    verdict = truth.grade("w_Y_h1 x1")
    assert (verdict.status, verdict.fraction) == (Status.WRONG, 0.5)
    assert verdict.mistakes == (
        "the activation's derivative left out (∂h1/∂z_h1)", "σ' forgotten",
    )
    assert truth.grade("w_Y_h1 h1(1 - h1) x1").status is Status.CORRECT


def test_free_parameters_are_drawn():
    data = {"given": {"net": {"kind": "network", "inputs": ["x"], "activation": "tanh",
                              "layers": [["y"]]}},
            "parts": [{"id": "d", "ask": "gradient", "network": "net", "input": {"x": 1},
                       "wrt": "b_y", "form": "formula"}]}
    truth = solve(data)
    assert truth.grade("1 - y^2").status is Status.CORRECT
    assert truth.grade("1 - tanh(w_y_x x + b_y)^2").status is Status.CORRECT


def test_a_vector_names_the_elements_that_differ(q7):
    verdict = q7_truth(q7, "ii").grade(["w31 a21(1 - a21)", "w32 a22"])
    assert verdict.status is Status.WRONG
    assert "(differs at z_g2)" in verdict.message


def test_value_form_takes_numbers_and_expressions():
    data = {"given": {"net": {"kind": "network", **NEURON}},
            "parts": [{"id": "d", "ask": "gradient", "network": "net", "input": {"x": 2},
                       "of": "y", "wrt": "w_y_x"}]}
    truth = solve(data)
    assert truth.expected == pytest.approx(0.470007424403189, rel=1e-15)
    assert truth.grade(0.47).status is Status.CORRECT
    assert truth.grade("y(1 - y) x").status is Status.CORRECT
    assert truth.grade("0.2350037 * 2").status is Status.CORRECT
    assert truth.grade(0.235).status is Status.WRONG


def test_a_number_fails_a_formula_part_at_a_draw():
    data = {"given": {"net": {"kind": "network", **NEURON}},
            "parts": [{"id": "d", "ask": "gradient", "network": "net", "input": {"x": 2},
                       "of": "y", "wrt": "w_y_x", "form": "formula"}]}
    truth = solve(data)
    assert truth.points == 9
    verdict = truth.grade(0.470007424403189)
    assert verdict.status is Status.WRONG
    assert verdict.message.startswith("at draw 1 of 8 (x = ")
    assert verdict.message.endswith(
        "a number holds at one point only: this part asks for a formula"
    )
    assert truth.grade("y(1 - y) x").status is Status.CORRECT
    # Right at the given point (x = 2) only by coincidence: 2·σ' = σ'·x there.
    assert truth.grade("2 y(1 - y)").status is Status.WRONG


# --- the seed exam, Q7 ----------------------------------------------------------------------------

@pytest.fixture(scope="module")
def q7() -> tuple[Problem, dict[str, Any]]:
    problem = Problem.model_validate(yaml.safe_load((SEED / "q7-backprop.yaml").read_text()))
    sheet = yaml.safe_load((SEED / "sheets" / "seed-student.yaml").read_text())
    return problem, sheet["answers"]["q7-backprop"]


def q7_truth(q7: tuple[Problem, dict[str, Any]], part_id: str) -> Any:
    problem, _ = q7
    part = next(p for p in problem.parts if p.id == part_id)
    return solve_gradient(part, Context(problem, part))


@pytest.mark.parametrize("part_id", ["i", "ii", "iii"])
def test_seed_q7_i_to_iii_are_correct(q7, part_id):
    verdict = q7_truth(q7, part_id).grade(q7[1][part_id])
    assert verdict.status is Status.CORRECT, verdict.message


def test_seed_q7_iv_fails_at_a_draw_with_the_weight_for_the_input(q7):
    truth = q7_truth(q7, "iv")
    verdict = truth.grade(q7[1]["iv"])
    assert verdict.status is Status.WRONG
    # Shown at a re-draw, in the exam's notation, with the given values' miss added.
    assert verdict.message.startswith("at draw 1 of 8 (w31 = ")
    assert "w11 = " in verdict.message
    assert "(at the given values too: expected 0.0374523, got 0.0234077)" in verdict.message
    assert verdict.mistakes == (
        "the input factor replaced by a weight (∂z_h1/∂w_h1_m1 is m1, not w_h1_m1)",
    )


def test_seed_q7_iv_with_m1_is_correct(q7):
    fixed = q7[1]["iv"].replace("w11", "m1")
    assert q7_truth(q7, "iv").grade(fixed).status is Status.CORRECT


@pytest.mark.parametrize("part_id", ["i", "ii", "iii", "iv"])
def test_seed_q7_key_is_a_formula_that_passes(q7, part_id):
    truth = q7_truth(q7, part_id)
    key = truth.key()
    assert isinstance(key, (str, list))
    assert truth.grade(key).status is Status.CORRECT


@pytest.mark.parametrize(
    ("part_id", "claim", "mistake"),
    [
        pytest.param("i", "w31", "the activation's derivative left out (∂g1/∂z_g1)",
                     id="derivative-left-out"),
        pytest.param("i", "w31 z21(1 - z21)",
                     "z used where the activation belongs (z(1 - z) for σ'(z) = a(1 - a))",
                     id="z-for-activation"),
        pytest.param("i", "-w31 a21(1 - a21)", "the sign flipped", id="sign"),
        pytest.param("iv", "(w31 a21(1 - a21) w2_11 + w32 a22(1 - a22) w2_21) a11(1 - a11)",
                     "the input factor left out (∂z_h1/∂w_h1_m1 is m1)", id="input-left-out"),
        pytest.param("iii", ["w31 a21(1 - a21) w2_11 a11(1 - a11)",
                             "w32 a22(1 - a22) w2_22 a12(1 - a12)"
                             " + w31 a21(1 - a21) w2_12 a12(1 - a12)"],
                     "the path through g2 left out of the sum for z_h1", id="path-missing"),
        pytest.param("iii", ["w31 a21(1 - a21) w2_11 a11(1 - a11)",
                             "w31 a21(1 - a21) w2_12 a12(1 - a12)"],
                     "the path through g2 left out of the sum", id="path-missing-both"),
    ],
)
def test_seed_q7_known_mistakes_are_named(q7, part_id, claim, mistake):
    verdict = q7_truth(q7, part_id).grade(claim)
    assert verdict.status is Status.WRONG
    assert mistake in verdict.mistakes


def test_aliases_name_the_symbols_in_wrt(q7):
    problem, _ = q7
    part = problem.parts[0].model_copy(update={"wrt": "z21"})
    truth = solve_gradient(part, Context(problem, part))
    assert truth.expected == q7_truth(q7, "i").expected


# --- problems that cannot be solved -------------------------------------------------------------

STEP_NET = {"kind": "network", "inputs": ["x"], "activation": "step",
            "layers": [{"n1": {"w": [1], "b": -0.5}}, {"activation": "linear",
                                                       "units": {"Y": {"w": [2], "b": 0}}}]}


STEP_NET_SPEC = NetworkSpec.model_validate(STEP_NET)


def gradient_problem(**part: Any) -> dict[str, Any]:
    return {"given": {"net": STEP_NET, "soft": {"kind": "network", **TWO_LAYER}},
            "parts": [{"id": "d", "ask": "gradient", "network": "net", "input": {"x": 1},
                       **part}]}


def test_a_gradient_through_a_step_unit_is_refused():
    with pytest.raises(ProblemError) as exc:
        solve(gradient_problem(wrt="w_n1_x"))
    assert str(exc.value) == (
        "the derivative of a step unit is 0 almost everywhere and undefined at 0, so "
        "backpropagation cannot pass through `n1` (step) to reach `w_n1_x` — a gradient "
        "through differentiable units: sigmoid, tanh, relu, linear, softmax"
    )


def test_a_gradient_that_stops_before_a_step_unit_is_fine():
    # ∂Y/∂w_Y_n1 = n1 = step(1 - 0.5) = 1
    assert solve(gradient_problem(wrt="w_Y_n1")).expected == 1
    # Asked for every gradient, backprop leaves out the ones past the step unit.
    net = build(STEP_NET_SPEC, name="net")
    grads = backprop(net, net.forward({"x": 1.0}), {"Y": 1.0})
    assert sorted(grads) == ["Y", "b_Y", "n1", "w_Y_n1", "z_Y"]


def test_an_unknown_symbol_suggests_one():
    with pytest.raises(ProblemError) as exc:
        solve(gradient_problem(wrt="w_n1_y"))
    assert exc.value.message == "`wrt: w_n1_y` is not a symbol of network `net`"
    assert exc.value.hint == "did you mean `w_n1_x`?"


@pytest.mark.parametrize(
    ("part", "message"),
    [
        pytest.param({"of": "loss", "wrt": "x"}, "`of: loss` needs `loss:`", id="no-loss"),
        pytest.param({"network": "soft", "input": {"x1": 1, "x2": 2}, "of": "loss", "wrt": "x1",
                      "loss": {"fn": "cross_entropy", "y_true": [1]}},
                     "cross_entropy takes probabilities, and network `soft` has no softmax "
                     "output layer", id="ce-without-softmax"),
        pytest.param({"input": {"y": 1}, "wrt": "x"},
                     "`input` has no value for `x`", id="missing-input"),
        pytest.param({"network": "soft", "input": {"x1": 1, "x2": 2}, "of": "h3", "wrt": "x1"},
                     "`of: h3` is not a symbol of network `soft`", id="unknown-of"),
    ],
)
def test_problem_errors(part, message):
    with pytest.raises(ProblemError) as exc:
        solve(gradient_problem(**part))
    assert exc.value.message == message


def test_a_saturated_softmax_is_a_problem_error():
    # Logits ±1000: softmax gives exactly (1, 0), and -y/p meets p = 0 in the Jacobian.
    net = {"kind": "network", "inputs": ["x"], "layers": [{"activation": "softmax", "units": {
        "s1": {"w": [1000], "b": 0}, "s2": {"w": [-1000], "b": 0}}}]}
    data = {"given": {"net": net},
            "parts": [{"id": "d", "ask": "gradient", "network": "net", "input": {"x": 1},
                       "of": "loss", "loss": {"fn": "cross_entropy", "y_true": 1},
                       "wrt": "z_s1"}]}
    with pytest.raises(ProblemError) as exc:
        solve(data)
    assert exc.value.message.startswith("the gradient is not a number at the given values")


# --- random networks: the oracles -----------------------------------------------------------------

ACTIVATIONS = ["sigmoid", "tanh", "relu", "linear"]
SMOOTH_LOSSES = ("cross_entropy", "binary_cross_entropy", "mse", "kl_divergence")
KINKED_LOSSES = ("mae", "hinge", "multiclass_hinge", "categorical_hinge")
LOG_LOSSES = ("cross_entropy", "binary_cross_entropy", "kl_divergence")
NETWORKS = 200
BATCHES = 8


def random_problem(rng: np.random.Generator, losses: tuple[str, ...]) -> dict[str, Any]:
    """A random network (depth 1-4, widths 1-4) and a formula part for every gradient."""
    inputs = [f"x{i + 1}" for i in range(int(rng.integers(1, 5)))]
    depth = int(rng.integers(1, 5))
    objective = str(rng.choice(["unit", *losses]))
    sources = inputs
    layers = []
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
        layers.append({"activation": "softmax", "units": units} if softmax else units)
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
        if objective in ("cross_entropy", "binary_cross_entropy", "kl_divergence") \
                and rng.random() < 0.3:
            part["loss"]["log"] = str(rng.choice(["2", "10"]))
    net = {"kind": "network", "inputs": inputs, "layers": layers}
    part["wrt"] = build(NetworkSpec.model_validate(net)).symbols()
    return {"given": {"net": net}, "parts": [part]}


def random_target(rng: np.random.Generator, fn: str, c: int) -> list[float]:
    if fn == "categorical_hinge" and rng.random() < 0.5:
        # Keras's formula takes any targets in [0, 1]: soft labels, exact 0s and 1s, and
        # rows with no 1 (all zero, or several 1s)
        y = rng.uniform(0, 1, c).round(2)
        y[rng.random(c) < 0.3] = 0.0
        y[rng.random(c) < 0.2] = 1.0
        return y.tolist()
    if fn in ("cross_entropy", "multiclass_hinge", "categorical_hinge"):
        return np.eye(c)[int(rng.integers(c))].tolist()
    if fn == "kl_divergence":
        y = rng.uniform(0, 1, c) * (rng.random(c) < 0.7)
        y[int(rng.integers(c))] += 0.5
        return (y / y.sum()).tolist()
    if fn == "binary_cross_entropy":
        return rng.uniform(0, 1, c).round(3).tolist()
    if fn == "hinge":
        return rng.choice([-1.0, 1.0], c).tolist()
    return rng.normal(0, 1, c).round(3).tolist()


@functools.cache
def cases(batch: int, losses: tuple[str, ...]) -> list[tuple[dict[str, Any], Any]]:
    """The solver's truths for a batch of random networks (shared by the oracles)."""
    rng = np.random.default_rng([2026, batch])
    out = []
    for _ in range(NETWORKS // BATCHES):
        data = random_problem(rng, losses)
        out.append((data, solve(data)))
    return out


def assert_close(mine: np.ndarray, oracle: np.ndarray, symbols: list[str], data: Any,
                 rtol: float) -> None:
    scale = 1.0 + np.abs(oracle).max(axis=1, keepdims=True)
    bad = np.abs(mine - oracle) > rtol * np.maximum(np.abs(oracle), 1e-3 * scale)
    if bad.any():
        k, j = np.argwhere(bad)[0]
        raise AssertionError(
            f"∂/∂{symbols[j]} at point {k}: {mine[k, j]!r} != {oracle[k, j]!r}\n{data}"
        )


def torch_gradients(torch: Any, data: dict[str, Any], env: dict[str, np.ndarray]) -> np.ndarray:
    """Every gradient by torch.autograd at every point of the truth (a batch axis).

    Each layer is one weight tensor (to × from × points) and one bias tensor, and each unit's
    activation is picked by a mask, so autograd sees a few tensors per layer.
    """
    part = data["parts"][0]
    net = build(NetworkSpec.model_validate(data["given"]["net"]))

    def leaf(names: list[str]) -> Any:
        return torch.tensor(np.array([env[n] for n in names]), dtype=torch.float64,
                            requires_grad=True)

    x = leaf(list(net.inputs))
    grads_of: dict[str, tuple[Any, int]] = {n: (x, i) for i, n in enumerate(net.inputs)}
    a = x
    for layer in net.layers:
        names = [u.name for u in layer.units]
        w = leaf([f"w_{u}_{s}" for u in names for s in layer.sources])
        b = leaf([f"b_{u}" for u in names])
        z = torch.einsum("ijk,jk->ik", w.reshape(len(names), len(layer.sources), -1), a) + b
        if layer.softmax:
            a = torch.softmax(z, dim=0)
        else:
            fns = {"sigmoid": torch.sigmoid, "tanh": torch.tanh, "relu": torch.relu,
                   "linear": lambda t: t}
            a = torch.zeros_like(z)
            for act, fn in fns.items():
                mask = torch.tensor([u.activation == act for u in layer.units])[:, None]
                a = torch.where(mask, fn(z), a)
        z.retain_grad()
        a.retain_grad()
        for i, u in enumerate(names):
            grads_of[u], grads_of[f"z_{u}"], grads_of[f"b_{u}"] = (a, i), (z, i), (b, i)
            for j, s in enumerate(layer.sources):
                grads_of[f"w_{u}_{s}"] = (w, i * len(layer.sources) + j)
    if part["of"] == "loss":
        objective = torch_loss(torch, part["loss"], a)
    else:
        objective = a[net.outputs.index(part["of"])]
    objective.sum().backward()  # the points are independent: the sum keeps each gradient
    return np.stack([grads_of[s][0].grad[grads_of[s][1]].numpy() for s in part["wrt"]],
                    axis=-1)


def torch_loss(torch: Any, loss: dict[str, Any], p: Any) -> Any:
    """The per-sample losses of FORMAT §4.5 in torch (p: outputs × points)."""
    fn = loss["fn"]
    y = torch.tensor(loss["y_true"], dtype=torch.float64)[:, None]
    c = p.shape[0]
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
        return torch_categorical_hinge(torch, y.T, p.T)  # samples × classes, as Keras has it
    else:
        t = int(torch.argmax(y[:, 0]))
        others = torch.cat([p[:t], p[t + 1:]])
        terms = torch.clamp(1 + others - p[t], min=0)
    defaults = {"binary_cross_entropy": "mean", "mse": "mean", "mae": "mean"}
    if loss.get("reduction", defaults.get(fn, "sum")) == "mean":
        return terms.sum(dim=0) / c
    return terms.sum(dim=0)


def torch_categorical_hinge(torch: Any, y: Any, p: Any) -> Any:
    """keras.losses.categorical_hinge, one value per row: its subgradient is the oracle's."""
    return torch.clamp(torch.max((1 - y) * p, dim=-1).values - (y * p).sum(-1) + 1, min=0)


@pytest.mark.torch
@pytest.mark.parametrize("batch", range(BATCHES))
def test_every_gradient_matches_autograd(batch):
    torch = pytest.importorskip("torch")
    for data, truth in cases(batch, SMOOTH_LOSSES + KINKED_LOSSES):
        oracle = torch_gradients(torch, data, truth.env)
        assert_close(truth.values, oracle, data["parts"][0]["wrt"], data, rtol=1e-9)


def numpy_loss(loss: dict[str, Any], p: np.ndarray) -> np.ndarray:
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
        return np.maximum(((1 - y) * p).max(axis=0) - (y * p).sum(axis=0) + 1, 0)
    else:
        t = int(np.argmax(y.reshape(-1)))
        others = np.delete(p, t, axis=0)
        terms = np.maximum(1 + others - p[t], 0)
    defaults = {"binary_cross_entropy": "mean", "mse": "mean", "mae": "mean"}
    if loss.get("reduction", defaults.get(fn, "sum")) == "mean":
        return terms.sum(axis=0) / c
    return terms.sum(axis=0)


def finite_differences(data: dict[str, Any], env: dict[str, np.ndarray]) -> np.ndarray:
    """Every gradient by central differences, all perturbations at all points as one batch.

    A pre-activation z_u moves exactly as its bias does; an activation a_s moves every z it
    feeds by w·h, so it is perturbed through those biases; an output activation that a loss
    reads is perturbed in the loss itself, by a step relative to it (a softmax output may be
    tiny, and the loss steep there).
    """
    part = data["parts"][0]
    net = build(NetworkSpec.model_validate(data["given"]["net"]))
    wrt = part["wrt"]
    fn = part.get("loss", {}).get("fn")
    readers = {s: [(u.name, f"w_{u.name}_{s}") for u in layer.units]
               for layer in net.layers for s in layer.sources}
    leaves = [*net.inputs, *net.parameters()]
    k, rows = len(env[leaves[0]]), 2 * len(wrt)
    values = {s: np.repeat(env[s][:, None], rows, axis=1) for s in leaves}  # points × rows
    direct = np.zeros((len(net.outputs), k, rows))  # perturbations of the outputs themselves
    steps = np.full((k, len(wrt)), 1e-6)
    for j, symbol in enumerate(wrt):
        if symbol in net.outputs and fn in LOG_LOSSES:
            p = env[symbol]  # a probability: stay inside (0, 1)
            steps[:, j] = 1e-4 * (np.minimum(p, 1 - p) if fn == "binary_cross_entropy" else p)
            # A whole number of p's ulps, so p ± h is exact: near p = 1 a step of 1e-12 would
            # itself be rounded by 1e-4, and the quotient with it.
            steps[:, j] = np.maximum(np.round(steps[:, j] / np.spacing(p)), 1) * np.spacing(p)
        for r, sign in ((2 * j, 1.0), (2 * j + 1, -1.0)):
            h = sign * steps[:, j]
            if symbol in values:
                values[symbol][:, r] += h
            elif symbol.startswith("z_"):
                values[f"b_{symbol[2:]}"][:, r] += h
            elif symbol in readers:
                for to, w in readers[symbol]:
                    values[f"b_{to}"][:, r] += h * env[w]
            else:
                direct[net.outputs.index(symbol), :, r] = h
    forward = net.forward(values)
    outputs = np.stack([forward[o] for o in net.outputs]) + direct
    if part["of"] == "loss":
        objective = numpy_loss(part["loss"], outputs)
    else:
        objective = outputs[net.outputs.index(part["of"])]
    return (objective[:, 0::2] - objective[:, 1::2]) / (2 * steps)


@pytest.mark.parametrize("batch", range(BATCHES))
def test_every_gradient_matches_finite_differences(batch):
    for data, truth in cases(batch, SMOOTH_LOSSES + KINKED_LOSSES):
        if data["parts"][0].get("loss", {}).get("fn") in KINKED_LOSSES:
            # A hinge or abs sits on its kink more often than chance suggests (relu outputs
            # tie at 0, tanh saturates to exactly 1), and there central differences give the
            # mean of the one-sided slopes: autograd checks these losses.
            continue
        oracle = finite_differences(data, truth.env)
        assert_close(truth.values, oracle, data["parts"][0]["wrt"], data, rtol=1e-5)


@pytest.mark.parametrize("batch", range(BATCHES))
def test_the_key_formula_passes_on_random_networks(batch):
    rng = np.random.default_rng([7, batch])
    for data, _ in cases(batch, SMOOTH_LOSSES + KINKED_LOSSES)[:10]:
        part = data["parts"][0]
        # A few symbols, not all: the key of each is a formula that grows with the depth.
        wrt = [str(s) for s in rng.choice(part["wrt"], size=min(3, len(part["wrt"])),
                                          replace=False)]
        small = {**data, "parts": [{**part, "wrt": wrt}]}
        truth = solve(small)
        key = truth.key()
        if not all(isinstance(t, str) for t in key):
            # Longer than an answer may be: the key falls back to the value (deep and wide
            # networks only, where each layer multiplies the formula's length).
            assert len(data["given"]["net"]["layers"]) > 2, small
            continue
        verdict = truth.grade(key)
        assert verdict.status is Status.CORRECT, (verdict.message, key, small)


# --- Keras's categorical hinge at its kinks ------------------------------------------------------

def scores_network(y_true: list[float], scores: list[float], activation: str = "linear",
                   ) -> dict[str, Any]:
    """Output units o1, o2, ... whose values at the given point are `scores` (w = 0, b = s)."""
    units = {f"o{i + 1}": {"w": [0], "b": s} for i, s in enumerate(scores)}
    net = {"kind": "network", "inputs": ["x"],
           "layers": [{"activation": activation, "units": units}]}
    wrt = [*units, *(f"z_{u}" for u in units), *(f"b_{u}" for u in units)]
    return {"given": {"net": net},
            "parts": [{"id": "d", "ask": "gradient", "network": "net", "form": "formula",
                       "input": {"x": 1}, "of": "loss",
                       "loss": {"fn": "categorical_hinge", "y_true": y_true}, "wrt": wrt}]}


# ∂loss/∂o at the given point, worked from Keras's neg = max((1-y)·o), pos = Σ y·o,
# loss = max(0, neg - pos + 1), with autograd's choices at ties: torch.max(dim) sends the
# gradient to the first of equal values, torch.clamp(min=0) lets it through at exactly 0.
CATEGORICAL_KINKS = [
    # the review's repro: neg = max(-1, 0, -2) = 0 is the true class's 0, pos = 0.5,
    # loss 0.5: only pos moves, ∂/∂o2 = -1
    pytest.param([0, 1, 0], [-1.0, 0.5, -2.0], "linear", [0, -1, 0], id="repro"),
    # every other score negative: neg = 0, pos = -1, loss 2
    pytest.param([1, 0, 0], [-1.0, -3.0, -2.0], "linear", [-1, 0, 0], id="others-negative"),
    # relu outputs (0, 0.5, 0): (1-y)·o = (0, 0, 0) ties three ways, the first (o1) takes
    # the max's gradient: (1, -1, 0)
    pytest.param([0, 1, 0], [-1.0, 0.5, -2.0], "relu", [1, -1, 0], id="relu-tie"),
    # (1-y)·o = (0, 0, -1): the true class o1 is the first of the tie, and its factor
    # 1 - y1 = 0; neg - pos + 1 = 0 - 1 + 1 = 0 exactly, where the clamp passes: (-1, 0, 0)
    pytest.param([1, 0, 0], [1.0, 0.0, -1.0], "linear", [-1, 0, 0], id="tie-at-zero-loss"),
    # neg = 0.5 (o1), pos = 1.5: the loss is 0 exactly, and the clamp passes: (1, -1, 0)
    pytest.param([0, 1, 0], [0.5, 1.5, -1.0], "linear", [1, -1, 0], id="zero-loss-passes"),
    # clearly inside the margin: loss max(0, 0.5 - 2 + 1) = 0, no gradient
    pytest.param([0, 1, 0], [0.5, 2.0, -1.0], "linear", [0, 0, 0], id="zero-loss"),
    # soft labels: (1-y)·o = (0.8, 0.4, 3), neg = o3, pos = 0.2·o1 + 0.8·o2: (-0.2, -0.8, 1)
    pytest.param([0.2, 0.8, 0], [1.0, 2.0, 3.0], "linear", [-0.2, -0.8, 1], id="soft"),
    # no true class: neg = max(o) = o2, pos = 0: (0, 1, 0)
    pytest.param([0, 0, 0], [-1.0, 0.5, -2.0], "linear", [0, 1, 0], id="all-zero"),
    # relu outputs all 0, y = (0.5, 1, 0): (1-y)·o ties at 0, o1 first: 0.5·1 - 0.5 = 0,
    # o2: -1, o3: 0
    pytest.param([0.5, 1, 0], [-1.0, -1.0, -1.0], "relu", [0, -1, 0], id="soft-relu-tie"),
]


@pytest.mark.parametrize(("y_true", "scores", "activation", "expected"), CATEGORICAL_KINKS)
def test_categorical_hinge_gradient_by_hand(y_true, scores, activation, expected):
    truth = solve(scores_network(y_true, scores, activation))
    assert truth.values[0, :len(scores)] == pytest.approx(expected, abs=1e-15)


@pytest.mark.torch
@pytest.mark.parametrize(("y_true", "scores", "activation", "expected"), CATEGORICAL_KINKS)
def test_categorical_hinge_kinks_match_autograd(y_true, scores, activation, expected):
    torch = pytest.importorskip("torch")
    data = scores_network(y_true, scores, activation)
    truth = solve(data)
    oracle = torch_gradients(torch, data, truth.env)
    assert_close(truth.values, oracle, data["parts"][0]["wrt"], data, rtol=1e-12)
    assert oracle[0, :len(scores)] == pytest.approx(expected, abs=1e-15)


@pytest.mark.parametrize(("y_true", "scores", "activation", "expected"), CATEGORICAL_KINKS)
def test_categorical_hinge_key_holds_at_its_kinks(y_true, scores, activation, expected):
    truth = solve(scores_network(y_true, scores, activation))
    key = truth.key()
    assert all(isinstance(t, str) for t in key), key
    verdict = truth.grade(key)
    assert verdict.status is Status.CORRECT, (verdict.message, key)


@pytest.mark.torch
def test_categorical_hinge_relu_ties_match_autograd():
    # relu outputs sit at 0 at many draws, tying with each other and the true class's 0
    torch = pytest.importorskip("torch")
    rng = np.random.default_rng(11)
    for _ in range(40):
        c = int(rng.integers(2, 5))
        y = [float(v) for v in rng.choice([0.0, 0.0, 1.0, 0.25, 0.5], c)]
        scores = [float(v) for v in rng.choice([-1.0, 0.0, 0.5, 1.0], c)]
        data = scores_network(y, scores, "relu")
        truth = solve(data)
        oracle = torch_gradients(torch, data, truth.env)
        assert_close(truth.values, oracle, data["parts"][0]["wrt"], data, rtol=1e-12)
        verdict = truth.grade(truth.key())
        assert verdict.status is Status.CORRECT, (verdict.message, data)
