"""Skip connections: a unit reads any input or unit of an earlier layer (`reads:`, or weights
by name). Forward values by hand, gradients against PyTorch's autograd (tests/oracle/skips.py,
recorded in skips.json), truth tables and designs with a skip, and circles of reads refused."""

from __future__ import annotations

import math

import numpy as np
import pytest

from conftest import context, make_problem
from nncheck.compare.verdict import Status
from nncheck.engine.design import fill
from nncheck.engine.network import build
from nncheck.errors import InputError
from nncheck.solvers import solve
from nncheck.solvers.context import Context
from nncheck.solvers.networks import solve_forward, solve_realize, solve_truth_table
from nncheck.spec.network import NetworkSpec
from oracle import data
from oracle.skips import CASES, SkipCase

RECORDED = data.answers("skips")


def sigmoid(z: float) -> float:
    return 1.0 / (1.0 + math.exp(-z))


# XOR with one hidden unit and a skip: y = step(x1 + x2 - 2 h - 0.5), h = step(x1 + x2 - 1.5)
# (h is AND). Rows 00, 01, 10, 11: h = 0, 0, 0, 1; z_y = -0.5, 0.5, 0.5, 2 - 2 - 0.5 = -0.5;
# y = 0, 1, 1, 0.
XOR_SKIP = {
    "inputs": ["x1", "x2"], "activation": "step",
    "layers": [
        {"h": {"w": [1, 1], "b": -1.5}},
        {"y": {"reads": ["x1", "x2", "h"], "w": [1, 1, -2], "b": -0.5}},
    ],
}


def test_an_input_feeds_the_output_unit_without_a_pass_through_unit():
    spec = NetworkSpec.model_validate(XOR_SKIP)
    net = build(spec)
    assert net.unit("y").sources == ("x1", "x2", "h")
    assert set(net.parameters()) == {"w_h_x1", "w_h_x2", "b_h", "w_y_x1", "w_y_x2", "w_y_h",
                                     "b_y"}
    ctx = context({"given": {"n": {"kind": "network", **XOR_SKIP}},
                   "parts": [{"id": "t", "ask": "truth_table", "network": "n"}]})
    table = solve_truth_table(ctx.part, ctx)
    assert table.values[:, -1].tolist() == [0, 1, 1, 0]


def test_weights_by_name_from_an_earlier_layer_read_it_too():
    # The output reads h (its previous layer) and, by naming it, x1: w_y_x2 does not exist.
    spec = NetworkSpec.model_validate({
        "inputs": ["x1", "x2"], "activation": "linear",
        "layers": [{"h": {"w": [1, 2], "b": 0}}, {"y": {"w": {"h": 3, "x1": -1}, "b": 1}}],
    })
    net = build(spec)
    assert net.unit("y").sources == ("h", "x1")
    # x1 = 2, x2 = 1: h = 2 + 2 = 4; y = 3*4 - 2 + 1 = 11
    assert float(net.forward({"x1": 2.0, "x2": 1.0})["y"]) == 11.0


def test_a_forward_pass_through_a_skip_by_hand():
    case = CASES[0]  # input-feeds-output, at x1 = 1, x2 = -2
    ctx = context({"given": {"net": {"kind": "network", **case.net}},
                   "parts": [{"id": "f", "ask": "forward", "network": "net",
                              "input": case.input, "of": "y"}]})
    # z_h = 0.5*1 - 1*(-2) + 0.25 = 2.75; h = σ(2.75)
    # z_y = 2 h - 0.75*1 + 0.1
    h = sigmoid(2.75)
    y = sigmoid(2 * h - 0.75 + 0.1)
    truth = solve_forward(ctx.part, ctx)
    assert truth.values[0] == pytest.approx(y, rel=1e-12)
    assert truth.grade(round(y, 6)).status is Status.CORRECT
    # Forgetting the skip (z_y = 2 h + 0.1) is wrong.
    assert truth.grade(round(sigmoid(2 * h + 0.1), 6)).status is Status.WRONG


def test_the_gradient_through_a_skip_by_hand():
    case = CASES[0]
    h = sigmoid(2.75)
    y = sigmoid(2 * h - 0.65)
    dy = y * (1 - y)
    # Two paths from x1 to y: directly (w_y_x1 = -0.75) and through h (w_y_h * σ'(z_h) * 0.5).
    by_hand = dy * (-0.75 + 2.0 * h * (1 - h) * 0.5)
    problem = make_problem(case.problem)
    truth = solve(problem.parts[0], Context(problem, problem.parts[0]))
    got = dict(zip(case.wrt, np.asarray(truth.values[0], dtype=float)))
    assert got["x1"] == pytest.approx(by_hand, rel=1e-12)
    assert got["w_y_x1"] == pytest.approx(dy * 1.0, rel=1e-12)  # times x1 = 1


@pytest.mark.parametrize("case", [pytest.param(c, id=c.id) for c in CASES])
def test_every_gradient_matches_autograd(case: SkipCase) -> None:
    if case.id not in RECORDED:
        pytest.fail(f"case {case.id} is not recorded: run {data.RECORDED_BY}")
    oracle = np.asarray(RECORDED[case.id], dtype=float)
    problem = make_problem(case.problem)
    truth = solve(problem.parts[0], Context(problem, problem.parts[0]))
    mine = np.asarray(truth.values[0], dtype=float)
    scale = 1.0 + np.abs(oracle).max()
    bad = np.abs(mine - oracle) > 1e-9 * np.maximum(np.abs(oracle), 1e-3 * scale)
    assert not bad.any(), f"{case.wrt[int(np.argmax(bad))]}: {mine.tolist()} != {oracle.tolist()}"


def test_the_random_cases_have_real_skips():
    # Not only layer-to-layer wiring: some unit reads past its previous layer.
    skipping = 0
    for case in CASES:
        earlier = set(case.net["inputs"])
        for layer in case.net["layers"]:
            previous = earlier
            for unit in layer.values():
                if not set(unit["reads"]) <= previous or len(case.net["layers"]) == 1:
                    skipping += 1
                    break
            earlier = set(layer)
    assert skipping >= 10


def test_a_design_with_a_skip_is_graded():
    template = {"kind": "network", "inputs": ["x1", "x2"], "activation": "step",
                "layers": [["h"], {"y": {"reads": ["x1", "x2", "h"]}}]}
    ctx = context({"given": {"t": template},
                   "parts": [{"id": "r", "ask": "realize", "template": "t",
                              "target": "x1 xor x2"}]})
    truth = solve_realize(ctx.part, ctx)
    good = {"h": {"w": [1, 1], "b": -1.5}, "y": {"w": [1, 1, -2], "b": -0.5}}
    assert truth.grade(good).status is Status.CORRECT
    # OR, the skip weight of h left at 0: row 11 gives 1, not 0.
    assert truth.grade({"h": {"w": [1, 1], "b": -1.5},
                        "y": {"w": [1, 1, 0], "b": -0.5}}).status is Status.WRONG
    # The answer cannot rewire the unit.
    rewired = {"h": {"w": [1, 1], "b": -1.5}, "y": {"reads": ["h"], "w": [1], "b": -0.5}}
    verdict = truth.grade(rewired)
    assert verdict.status is Status.INVALID and "reads x1, x2, h" in (verdict.message or "")


def test_an_answer_weight_from_a_name_the_unit_does_not_read_is_refused():
    spec = NetworkSpec.model_validate({"inputs": ["x1", "x2"], "activation": "step",
                                       "layers": [["h"], {"y": {"reads": ["h", "x1"]}}]})
    with pytest.raises(Exception, match="`x2`, which this unit does not read"):
        fill(spec, {"h": {"w": [1, 1], "b": 0}, "y": {"w": {"x2": 1}, "b": 0}})


@pytest.mark.parametrize(("layers", "message"), [
    pytest.param([{"n1": {"w": [1]}}, {"n2": {"reads": ["n1", "n3"]}, "n3": {"reads": ["n2"]}}],
                  "in a circle: n2 -> n3 -> n2", id="two-units"),
    pytest.param([{"n1": {"reads": ["n1"]}}], "`n1` reads itself", id="itself"),
    pytest.param([{"n1": {"reads": ["x", "n2"]}}, {"n2": {"reads": ["x"]}}],
                 r"unit `n1` \(layer 1\) reads `n2` of layer 2", id="later-layer"),
    pytest.param([{"n1": {"reads": ["x", "q"]}}], "reads `q`, which is neither an input nor",
                 id="unknown"),
    pytest.param([{"n1": {"reads": ["x", "x"]}}], "reads `x` twice", id="twice"),
])
def test_bad_wiring_is_refused_by_name(layers, message):
    from pydantic import ValidationError

    with pytest.raises(ValidationError, match=message):
        NetworkSpec.model_validate({"inputs": ["x"], "activation": "linear", "layers": layers})


def test_a_circle_is_refused_at_its_line(tmp_path):
    from nncheck.io.problems import load_problem

    path = tmp_path / "p.yaml"
    path.write_text(
        "id: p\n"
        "given:\n"
        "  n:\n"
        "    kind: network\n"
        "    inputs: [x]\n"
        "    activation: linear\n"
        "    layers:\n"
        "      - {a: {w: [1]}}\n"
        "      - b: {reads: [a, c]}\n"
        "        c: {reads: [b]}\n"
        "parts:\n"
        "  - {id: f, ask: forward, network: n, input: {x: 1}}\n", encoding="utf-8")
    with pytest.raises(InputError) as caught:
        load_problem(path)
    text = str(caught.value)
    assert "p.yaml:9" in text and "b -> c -> b" in text


def test_a_reference_with_a_skip_collapses_for_equivalence():
    from nncheck.solvers.equivalence import solve_equivalent

    # y = 2 x1 + h, h = x1 + x2 (linear): y = 3 x1 + x2.
    ctx = context({
        "given": {
            "ref": {"kind": "network", "inputs": ["x1", "x2"], "activation": "linear",
                    "layers": [{"h": {"w": [1, 1], "b": 0}},
                               {"y": {"reads": ["x1", "h"], "w": [2, 1], "b": 0}}]},
            "one": {"kind": "network", "inputs": ["x1", "x2"], "activation": "linear",
                    "layers": [["y"]]},
        },
        "parts": [{"id": "e", "ask": "equivalent", "network": "ref", "template": "one"}]})
    truth = solve_equivalent(ctx.part, ctx)
    assert truth.grade({"y": {"w": [3, 1], "b": 0}}).status is Status.CORRECT
    assert truth.grade({"y": {"w": [1, 1], "b": 0}}).status is Status.WRONG  # skip forgotten
