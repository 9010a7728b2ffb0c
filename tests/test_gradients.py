"""The `gradient` ask: hand-worked cases, the seed's Q7, known mistakes, keys of random
networks. The two oracles, PyTorch's autograd (recorded) and finite differences of a forward
pass written out in numpy, are compared in test_oracle_gradients.py."""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any

import numpy as np
import pytest
import yaml

from nncheck.compare.verdict import Status
from nncheck.engine.backprop import backprop
from nncheck.engine.network import build
from nncheck.errors import ProblemError
from nncheck.solvers.context import Context
from nncheck.solvers.gradients import solve_gradient
from nncheck.spec.network import NetworkSpec
from nncheck.spec.problem import Problem
from oracle.gradients import (
    BATCHES,
    CATEGORICAL_KINKS,
    random_problems,
    relu_ties,
    scores_network,
)

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


# --- random networks: the key formula -------------------------------------------------------------

@pytest.mark.parametrize("batch", range(BATCHES))
def test_the_key_formula_passes_on_random_networks(batch):
    rng = np.random.default_rng([7, batch])
    for data in random_problems(batch)[:10]:
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

# The hand-worked table sits beside the autograd recording of the same cases (test_oracle_*).
KINKS = [pytest.param(y, scores, activation, expected, id=name)
         for name, (y, scores, activation, expected) in CATEGORICAL_KINKS.items()]


@pytest.mark.parametrize(("y_true", "scores", "activation", "expected"), KINKS)
def test_categorical_hinge_gradient_by_hand(y_true, scores, activation, expected):
    truth = solve(scores_network(y_true, scores, activation, form="formula"))
    assert truth.values[0, :len(scores)] == pytest.approx(expected, abs=1e-15)


@pytest.mark.parametrize(("y_true", "scores", "activation", "expected"), KINKS)
def test_categorical_hinge_key_holds_at_its_kinks(y_true, scores, activation, expected):
    truth = solve(scores_network(y_true, scores, activation, form="formula"))
    key = truth.key()
    assert all(isinstance(t, str) for t in key), key
    verdict = truth.grade(key)
    assert verdict.status is Status.CORRECT, (verdict.message, key)


def test_categorical_hinge_key_holds_where_relu_outputs_tie():
    # relu outputs sit at 0 at many draws, tying with each other and the true class's 0
    for y, scores in relu_ties():
        data = scores_network(y, scores, "relu", form="formula")
        truth = solve(data)
        verdict = truth.grade(truth.key())
        assert verdict.status is Status.CORRECT, (verdict.message, data)
