"""Computational graphs (`kind: graph`): the format's checks, forward values, gradients (full
chain and local) and the named mistakes, each value worked out by hand below.

The CS231n circuits (https://cs231n.github.io/optimization-2/):
- f = (x + y) z at x = -2, y = 5, z = -4: q = x + y = 3, f = q z = -12; the add gate passes
  its upstream gradient to both inputs (local gradient 1), the multiply gate gives each input
  the other: ∂f/∂q = z = -4, ∂f/∂z = q = 3, ∂f/∂x = ∂f/∂y = -4 · 1 = -4.
- f = σ(w0 x0 + w1 x1 + w2) at w = [2, -3, -3], x = [-1, -2]: z = -2 + 6 - 3 = 1,
  f = σ(1) = 1/(1 + e^-1) = 0.7310585786, σ'(1) = f(1 - f) = 0.1966119332;
  ∂f/∂w = σ'·[x0, x1, 1] = [-0.19661, -0.39322, 0.19661], ∂f/∂x = σ'·[w0, w1] = [0.39322,
  -0.58984].
"""

from __future__ import annotations

import math
from pathlib import Path

import pytest
from typer.testing import CliRunner

from conftest import PROBLEMS, context
from nncheck.cli import app
from nncheck.compare.tolerance import Tolerance
from nncheck.compare.verdict import Status
from nncheck.errors import ProblemError
from nncheck.solvers import solve

CIRCUIT = {"kind": "graph", "inputs": {"x": -2, "y": 5, "z": -4},
           "nodes": {"q": "x + y", "f": "q * z"}}
NEURON = {"kind": "graph", "inputs": {"w0": 2, "x0": -1, "w1": -3, "x1": -2, "w2": -3},
          "nodes": {"f": "sigmoid(w0*x0 + w1*x1 + w2)"}}
F1 = 1 / (1 + math.exp(-1))  # σ(1) = 0.7310585786300049
DS = F1 * (1 - F1)  # σ'(1) = 0.19661193324148185


def truth(graph, **part):
    """The truth of one part on `graph` (given as `g`)."""
    data = {"given": {"g": graph}, "parts": [{"id": "a", "graph": "g", **part}]}
    ctx = context(data)
    return solve(ctx.part, ctx)


# --- the format ----------------------------------------------------------------------------------

def validate(tmp_path: Path, text: str) -> tuple[int, str]:
    path = tmp_path / "p.yaml"
    path.write_text(text, encoding="utf-8")
    result = CliRunner().invoke(app, ["validate", str(path)])
    if result.exit_code == 0:
        return 0, result.stdout.strip()
    (line,) = result.stderr.strip().splitlines()
    return result.exit_code, line.removeprefix(f"error: {path}:")


GRAPH_FILE = """\
id: p
given:
  g:
    kind: graph
    inputs: {{x: 1, y: 2}}
    nodes:
{nodes}
parts:
  - {{id: a, ask: forward, graph: g}}
"""


def nodes(*lines: str) -> str:
    """Node lines under `nodes:` (the first node is on line 7, its value at column 10)."""
    return "\n".join(f"      {line}" for line in lines)


@pytest.mark.parametrize(("lines", "message"), [
    pytest.param(("q: x + f", "f: q * y"),
                 "7:10: node `q` reads `f`, which reads `q` — a cycle: q → f → q", id="cycle"),
    pytest.param(("q: x + q",), "7:10: node `q` reads itself — a cycle: q → q", id="self"),
    pytest.param(("q: x + f", "f: x * y"),
                 "7:10: node `q` reads `f`, which is defined below it — a node reads the inputs "
                 "and the nodes above it: move `f` above `q`", id="later"),
    pytest.param(("q: x + yy",),
                 "7:10: node `q` reads `yy`, which is neither an input nor a node — one of "
                 "`x`, `y` (did you mean `y`?)", id="unknown"),
    pytest.param(("q: x < y",),
                 "7:10: node `q` uses `<`, which has no derivative — a node is built of + - * "
                 "/ ^ and the functions of an expression", id="comparison"),
    pytest.param(("x: y + 1",),
                 "7:7: `x` is both an input and a node — names are unique within a graph",
                 id="twice"),
    pytest.param(("log: x + 1",), "7:7: `log` is reserved — choose another name", id="reserved"),
    # `e`, `pi` and `inf` may name a network's inputs, but a graph's expressions read them as
    # the constants: `f: pi * e` over nodes `pi` = 2, `e` = 3 must not be π·e = 8.54.
    pytest.param(("pi: x + 1",), "7:7: `pi` is a constant in a graph's expressions — choose "
                 "another name", id="constant"),
])
def test_a_node_reads_only_inputs_and_nodes_above_it(tmp_path, lines, message):
    assert validate(tmp_path, GRAPH_FILE.format(nodes=nodes(*lines))) == (2, message)


def test_the_output_is_a_node_and_a_part_names_a_graph(tmp_path):
    text = GRAPH_FILE.format(nodes=nodes("q: x + y"))
    code, _ = validate(tmp_path, text)
    assert code == 0
    wrong = text.replace("graph: g}", "graph: gg}")
    assert validate(tmp_path, wrong) == (
        2, "9:34: no graph `gg` in `given` — one of `g` (did you mean `g`?)")
    both = text.replace("graph: g}", "graph: g, network: g}")
    code, message = validate(tmp_path, both)
    assert code == 2 and "`network:` or `graph:` names what is asked about, found both" in message
    out = text.replace("    nodes:", "    output: f\n    nodes:")
    assert validate(tmp_path, out) == (2, "6:13: output `f` is not a node — one of `q`")


# --- forward -------------------------------------------------------------------------------------

def test_forward_gives_every_node_and_the_output_by_default():
    assert truth(CIRCUIT, ask="forward").expected == -12  # (x + y) z = 3 · -4
    assert truth(CIRCUIT, ask="forward", of=["q", "f"]).expected == [3, -12]
    assert truth(CIRCUIT, ask="forward", input={"x": 1}).expected == -24  # (1 + 5) · -4
    assert truth(NEURON, ask="forward").expected == pytest.approx(F1, rel=1e-15)


def test_a_forward_answer_may_not_name_the_node_or_what_is_computed_from_it():
    t = truth(CIRCUIT, ask="forward", of="q")
    assert t.grade("x + y").status is Status.CORRECT
    for claim, why in (("q", "`q` is the value being asked"),
                       ("f / z", "`f` depends on `q`, the value being asked")):
        verdict = t.grade(claim)
        assert verdict.status is Status.INVALID
        assert verdict.message == f"{why}, so an answer may not use it"
    # q is computed from x and y alone: a node it does not read is barred as well
    twin = {**CIRCUIT, "nodes": {"q": "x + y", "r": "y + x", "f": "q * z"}}
    verdict = truth(twin, ask="forward", of="q").grade("r")
    assert verdict.message == "`r` is not a value that `q` is computed from, so an answer " \
        "may not use it"
    assert truth(CIRCUIT, ask="forward").grade("q*z").status is Status.CORRECT


# --- gradients -----------------------------------------------------------------------------------

def test_the_cs231n_circuit_gradients():
    assert truth(CIRCUIT, ask="gradient", wrt=["x", "y", "z"]).expected == [-4, -4, 3]
    assert truth(CIRCUIT, ask="gradient", wrt="q").expected == -4
    assert truth(CIRCUIT, ask="gradient", wrt="f").expected == 1
    # local gradients: the add gate's are 1, the multiply gate's the other input
    assert truth(CIRCUIT, ask="gradient", of="q", wrt=["x", "y"], local=True).expected == [1, 1]
    assert truth(CIRCUIT, ask="gradient", of="f", wrt=["q", "z"], local=True).expected == [-4, 3]


def test_the_cs231n_sigmoid_neuron_gradients():
    got = truth(NEURON, ask="gradient", wrt=["w0", "w1", "w2", "x0", "x1"]).expected
    want = [DS * -1, DS * -2, DS * 1, DS * 2, DS * -3]
    assert got == pytest.approx(want, rel=1e-12)


@pytest.mark.parametrize(("nodes_", "point", "wrt", "want"), [
    # f = x - y: ∂f/∂y = -1
    pytest.param({"f": "x - y"}, {"x": 3, "y": 1}, ["x", "y"], [1, -1], id="subtract"),
    # f = x / y at 3, 2: 1/y = 0.5, -x/y² = -0.75
    pytest.param({"f": "x / y"}, {"x": 3, "y": 2}, ["x", "y"], [0.5, -0.75], id="divide"),
    # f = max(x, y) at 3, 1: the gradient goes to the winner only
    pytest.param({"f": "max(x, y)"}, {"x": 3, "y": 1}, ["x", "y"], [1, 0], id="max"),
    pytest.param({"f": "min(x, y)"}, {"x": 3, "y": 1}, ["x", "y"], [0, 1], id="min"),
    # equal arguments share it evenly, as PyTorch's maximum does
    pytest.param({"f": "max(x, y)"}, {"x": 2, "y": 2}, ["x", "y"], [0.5, 0.5], id="max-tie"),
    # f = x^3 at 2: 3x² = 12; f = y^x at x = 2, y = 3: ∂/∂x = 9 ln 3, ∂/∂y = x y = 6
    pytest.param({"f": "x^3"}, {"x": 2, "y": 0}, ["x"], [12], id="power"),
    pytest.param({"f": "y^x"}, {"x": 2, "y": 3}, ["x", "y"], [9 * math.log(3), 6],
                 id="exponent"),
    # exp, log, abs, tanh, relu at hand-picked points
    pytest.param({"f": "exp(2x)"}, {"x": 0.5, "y": 0}, ["x"], [2 * math.e], id="exp"),
    pytest.param({"f": "log(x*y)"}, {"x": 2, "y": 4}, ["x", "y"], [0.5, 0.25], id="log"),
    pytest.param({"f": "abs(x)"}, {"x": -3, "y": 0}, ["x"], [-1], id="abs"),
    pytest.param({"f": "tanh(x)"}, {"x": 0.5, "y": 0}, ["x"], [1 - math.tanh(0.5) ** 2],
                 id="tanh"),
    pytest.param({"f": "relu(x) + relu(y)"}, {"x": 2, "y": -1}, ["x", "y"], [1, 0], id="relu"),
    # relu'(0) = 0, as the frameworks take it
    pytest.param({"f": "relu(x)"}, {"x": 0, "y": 0}, ["x"], [0], id="relu-at-0"),
    # a factor of 0: ∂(x y z)/∂x = y z = 6, the others 0
    pytest.param({"f": "x*y*z"}, {"x": 0, "y": 2, "z": 3}, ["x", "y", "z"], [6, 0, 0],
                 id="zero-factor"),
    # two paths: f = x·x + x at 3: 2x + 1 = 7
    pytest.param({"f": "x*x + x"}, {"x": 3, "y": 0}, ["x"], [7], id="paths"),
    # through nodes: a = x y, b = a + x, f = a b at 2, 3: a = 6, b = 8;
    # ∂f/∂a = b + a = 14 (directly and through b); ∂f/∂x = 14·y + a·1 = 48
    pytest.param({"a": "x*y", "b": "a + x", "f": "a*b"}, {"x": 2, "y": 3}, ["a", "b", "x"],
                 [14, 6, 48], id="nodes"),
])
def test_each_gate_passes_its_local_derivative(nodes_, point, wrt, want):
    graph = {"kind": "graph", "inputs": point, "nodes": nodes_}
    assert truth(graph, ask="gradient", wrt=wrt).expected == pytest.approx(want, rel=1e-12)
    # the key of the same part as a formula (what `solve --sheet` writes) holds at every draw
    t = truth(graph, ask="gradient", wrt=wrt, form="formula")
    key = t.key()
    assert all(isinstance(k, str) for k in key), key
    assert t.grade(key).status is Status.CORRECT, key


def test_a_gradient_formula_is_checked_at_redraws():
    t = truth(NEURON, ask="gradient", wrt="w0", form="formula")
    assert t.points == 9  # the given values and 8 re-draws
    assert t.grade("x0 * f * (1 - f)").status is Status.CORRECT
    assert t.grade("x0 * sigmoid(w0*x0 + w1*x1 + w2) * (1 - f)").status is Status.CORRECT
    wrong = t.grade(-0.19661193324148185)  # right at the given values only
    assert wrong.status is Status.WRONG
    assert "a number holds at one point only" in wrong.message
    circuit = truth(CIRCUIT, ask="gradient", wrt="x", form="formula")
    assert circuit.grade("z").status is Status.CORRECT
    assert circuit.grade("-4").status is Status.WRONG


def test_a_formula_part_draws_only_where_every_node_is_defined():
    # log(x) is defined only for x > 0: draws in [-2, 2] where it is not are dropped
    graph = {"kind": "graph", "inputs": {"x": 2, "y": 1}, "nodes": {"f": "y*log(x)"}}
    t = truth(graph, ask="gradient", wrt="x", form="formula")
    assert t.points == 9 and (t.env["x"] > 0).all()
    assert t.grade("y / x").status is Status.CORRECT


def test_a_long_product_is_differentiated_and_its_key_falls_back_to_the_value():
    # f = x^600 written as 600 factors: ∂f/∂x = 600 x^599 = 600 at x = 1. The formula, one
    # product of 599 factors per factor, is far longer than an answer may be (2000
    # characters), so the key is the value at the given point.
    graph = {"kind": "graph", "inputs": {"x": 1}, "nodes": {"f": "*".join(["x"] * 600)}}
    t = truth(graph, ask="gradient", wrt="x", form="formula")
    assert t.expected == 600
    assert t.key() == 600
    assert t.grade("600 x^599").status is Status.CORRECT


def test_a_local_gradient_names_only_what_the_gate_reads():
    with pytest.raises(ProblemError, match=r"`x` is not read by `f`, so `f` has no local "
                       r"gradient with respect to it"):
        truth(CIRCUIT, ask="gradient", of="f", wrt="x", local=True)


# --- named mistakes ------------------------------------------------------------------------------

def mistakes(graph, claim, **part):
    verdict = truth(graph, ask="gradient", **part).grade(claim)
    assert verdict.status is Status.WRONG
    return verdict.mistakes


def test_the_local_gradient_for_the_full_chain_is_named():
    # ∂f/∂x = -4; the add gate's local gradient alone is ∂q/∂x = 1
    assert mistakes(CIRCUIT, 1, wrt="x") == (
        "the local gradient given instead of the full chain (∂q/∂x for ∂f/∂x)",)
    # asked for the local gradient ∂q/∂x = 1, the full chain ∂f/∂x = -4 is the slip
    assert mistakes(CIRCUIT, -4, of="q", wrt="x", local=True) == (
        "the full chain given instead of the local gradient (∂f/∂x for ∂q/∂x)",)


def test_the_upstream_gradient_left_out_is_named():
    # ∂f/∂w0 = σ'(z)·x0 = -0.1966; without the sigmoid's local derivative: x0 = -1
    assert mistakes(NEURON, -1, wrt="w0") == (
        "the upstream gradient left out (the local derivative of the outer gate of `f` taken "
        "as 1)",)


def test_sigmoid_derivative_as_s_is_named():
    # σ' taken as σ(1) = 0.7311 instead of σ(1)(1 - σ(1)): ∂f/∂w0 = 0.7311 · -1
    assert mistakes(NEURON, -F1, wrt="w0") == ("σ'(x) written as σ(x), not σ(x)(1 - σ(x))",)


def test_a_sign_dropped_at_a_subtraction_is_named():
    graph = {"kind": "graph", "inputs": {"x": 3, "y": 1, "z": 2},
             "nodes": {"d": "x - y", "f": "d * z"}}
    # ∂f/∂y = z · -1 = -2; with the subtraction's sign dropped: +2 (also the sign flipped,
    # named once, under its first name)
    assert mistakes(graph, 2, wrt="y") == (
        "a sign dropped at a subtraction (∂(a - b)/∂b is -1)",)


def test_a_max_gate_routing_to_both_inputs_is_named():
    graph = {"kind": "graph", "inputs": {"x": 3, "y": 1, "z": 2},
             "nodes": {"m": "max(x, y)", "f": "m * z"}}
    # ∂f/∂y = 0 (x wins); routed to both: z = 2
    assert mistakes(graph, 2, wrt="y") == (
        "the max (or min) gate's gradient sent to every input, not only to the one that wins",)


# --- the example folder --------------------------------------------------------------------------

def test_the_published_cs231n_values_grade_correct():
    folder = PROBLEMS / "cs231n-circuit"
    result = CliRunner().invoke(app, ["check", str(folder / "sheets" / "published.yaml"),
                                      "--problems", str(folder), "--format", "text"])
    assert result.exit_code == 0, result.stdout
    assert "Total 13/13 — 13 correct" in result.stdout


def test_the_examples_tolerance_accepts_two_decimals_and_no_more():
    # ∂f/∂w0 = -0.19661: -0.2 (rounded) is within 0.005, -0.21 (a slip in the second
    # decimal) is not
    data = {"given": {"g": NEURON},
            "parts": [{"id": "a", "graph": "g", "ask": "gradient", "wrt": "w0"}]}
    ctx = context(data, tolerance=Tolerance(rel=0, abs=0.005))
    t = solve(ctx.part, ctx)
    assert t.grade(-0.2).status is Status.CORRECT
    assert t.grade(-0.21).status is Status.WRONG


# --- vectors -------------------------------------------------------------------------------------

def test_the_sigmoid_neuron_with_vectors():
    # z = w·x = 2·-1 + -3·-2 = 4, f = σ(z + b) = σ(1): ∂f/∂w = σ'(1)·x, ∂f/∂x = σ'(1)·w
    graph = {"kind": "graph", "inputs": {"w": [2, -3], "x": [-1, -2], "b": -3},
             "nodes": {"z": {"dot": ["w", "x"]}, "f": "sigmoid(z + b)"}}
    assert truth(graph, ask="forward").expected == pytest.approx(F1, rel=1e-15)
    t = truth(graph, ask="gradient", wrt=["w", "b"])
    assert t.expected == pytest.approx([-DS, -2 * DS, DS], rel=1e-12)
    assert t.labels == ["w[1]", "w[2]", "b"]
    assert truth(graph, ask="gradient", wrt="x").expected == pytest.approx([2 * DS, -3 * DS])
    # a formula over the scalars still works at re-draws of every element
    t = truth(graph, ask="gradient", wrt="b", form="formula")
    assert t.grade("f(1 - f)").status is Status.CORRECT


def test_a_layer_with_softmax_as_a_graph():
    # h = W x = [1·1 + 2·-1, 3·1 + 4·-1] = [-1, -1]; p = softmax(h) = [0.5, 0.5];
    # t = p y = [0, 0.5]; s = Σ t = 0.5; L = -log s.
    # Backward: ∂L/∂s = -1/s = -2, ∂L/∂p = -2·y = [0, -2];
    # ∂L/∂h = p(g - Σ p g) = 0.5·([0, -2] - (-1)) = [0.5, -0.5];
    # ∂L/∂W = ∂L/∂h ⊗ x = [[0.5, -0.5], [-0.5, 0.5]]; ∂L/∂x = Wᵀ ∂L/∂h = [-1, -1].
    graph = {"kind": "graph", "inputs": {"W": [[1, 2], [3, 4]], "x": [1, -1], "y": [0, 1]},
             "nodes": {"h": {"matvec": ["W", "x"]}, "p": {"softmax": "h"}, "t": "p * y",
                       "s": {"sum": "t"}, "L": "-log(s)"}}
    assert truth(graph, ask="forward", of="h").expected == [-1, -1]
    assert truth(graph, ask="forward").expected == pytest.approx(math.log(2))
    assert truth(graph, ask="gradient", wrt="W").expected == pytest.approx(
        [0.5, -0.5, -0.5, 0.5])
    assert truth(graph, ask="gradient", wrt=["x", "h"]).expected == pytest.approx(
        [-1, -1, 0.5, -0.5])
    # mean: s = (0 + 0.5)/2 = 0.25, ∂L/∂s = -1/s = -4, ∂s/∂t = 1/2 each: [-2, -2]
    mean = {**graph, "nodes": {**graph["nodes"], "s": {"mean": "t"}}}
    assert truth(mean, ask="gradient", wrt="t").expected == pytest.approx([-2, -2])
    with pytest.raises(ProblemError, match=r"`p` is not a scalar, so it has no gradient"):
        truth(graph, ask="gradient", of="p", wrt="x")
    # the same loss from the loss table: cross-entropy of p against class 1 (0-based) is
    # -log p[2] = log 2, with the same gradients
    table = {**graph, "nodes": {"h": {"matvec": ["W", "x"]}, "p": {"softmax": "h"},
                                "L": {"loss": {"fn": "cross_entropy", "y_pred": "p",
                                               "y_true": 1}}}}
    assert truth(table, ask="forward").expected == pytest.approx(math.log(2))
    assert truth(table, ask="gradient", wrt=["x", "h"]).expected == pytest.approx(
        [-1, -1, 0.5, -0.5])
    # summed over the two classes by default: the mean's gradient is half of it, a named
    # mistake (∂L/∂h = [0.5, -0.5] → [0.25, -0.25])
    assert mistakes(table, [0.25, -0.25], wrt="h") == ("mean instead of sum over the outputs",)
    # in bits: log2(2) = 1
    bits = {**table, "nodes": {**table["nodes"], "L": {"loss": {
        "fn": "cross_entropy", "y_pred": "p", "y_true": [0, 1], "log": 2}}}}
    assert truth(bits, ask="forward").expected == pytest.approx(1.0)


@pytest.mark.parametrize(("inputs", "node", "message"), [
    pytest.param("{a: [1, 2], b: [1, 2, 3]}", "f: a + b",
                 "node `f` mixes `a` (a vector of 2) and `b` (a vector of 3) — an expression "
                 "works elementwise on values of one shape (or scalars)", id="mixed"),
    pytest.param("{a: [[1, 2], [3, 4]], b: [1, 2, 3]}", "f: {matvec: [a, b]}",
                 "node `f`: `matvec` takes an m×n matrix and a vector of n, found `a` (a 2×2 "
                 "matrix) and `b` (a vector of 3)", id="matvec"),
    pytest.param("{a: 1, b: 2}", "f: {softmax: a}",
                 "node `f`: `softmax` takes a vector, found `a` (a scalar)", id="softmax"),
    pytest.param("{a: [[1, 2], [3]], b: 1}", "f: b",
                 "input `a` is a matrix whose rows differ in length — every row has the same "
                 "number of values", id="ragged"),
    pytest.param("{a: [1, 2], b: 1}", "f: {loss: {fn: mse, y_pred: a, y_true: [1, 2, 3]}}",
                 "node `f`: the loss's `y_true` has 3 values and `a` has 2", id="loss"),
    pytest.param("{a: [1, 2], b: 1}", "f: {sum: a, mean: a}",
                 "a vector gate is one of `dot`, `matvec`, `sum`, `mean`, `softmax`, `loss`, "
                 "found `sum` and `mean`", id="two-gates"),
])
def test_shapes_are_checked_when_the_file_is_read(tmp_path, inputs, node, message):
    text = GRAPH_FILE.format(nodes=nodes(node)).replace("{x: 1, y: 2}", inputs)
    code, got = validate(tmp_path, text)
    assert code == 2
    assert got.split(": ", 1)[1] == message


def test_a_graph_holds_at_most_ten_thousand_numbers(tmp_path):
    # x has 5000 elements, y = 2x another 5000: 10 000 in all, the most a graph may hold;
    # z = 3x would be 15 000
    text = GRAPH_FILE.format(nodes=nodes("y: 2 * x")).replace(
        "{x: 1, y: 2}", "{x: [" + ", ".join(["1"] * 5000) + "]}")
    assert validate(tmp_path, text)[0] == 0
    text = GRAPH_FILE.format(nodes=nodes("y: 2 * x", "z: 3 * x")).replace(
        "{x: 1, y: 2}", "{x: [" + ", ".join(["1"] * 5000) + "]}")
    assert validate(tmp_path, text) == (
        2, "8:7: graph holds more than 10000 numbers by `z` (inputs and nodes, every element "
        "counted)")
