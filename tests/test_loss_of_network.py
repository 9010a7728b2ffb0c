"""A `loss` part that reads a network's (or a graph's) outputs instead of copied values, for
one input and for a batch; every value worked out by hand below.

Matt Mazur, "A Step by Step Backpropagation Example"
(https://mattmazur.com/2015/03/17/a-step-by-step-backpropagation-example/): the 2-2-2 sigmoid
network at i = (0.05, 0.10) gives out_o1 = 0.75136507, out_o2 = 0.772928465, and against the
targets (0.01, 0.99) the total error Σ ½(t - o)² = 0.298371109 — `mse` with its default mean
over the two outputs.
"""

from __future__ import annotations

import math

import pytest

from conftest import context
from nncheck.compare.verdict import Status
from nncheck.errors import ProblemError
from nncheck.solvers import solve
from nncheck.spec.problem import Problem

NET = {"kind": "network", "inputs": ["i1", "i2"], "activation": "sigmoid",
       "layers": [{"h1": {"w": [0.15, 0.20], "b": 0.35}, "h2": {"w": [0.25, 0.30], "b": 0.35}},
                  {"o1": {"w": [0.40, 0.45], "b": 0.60}, "o2": {"w": [0.50, 0.55], "b": 0.60}}]}


def sigmoid(z: float) -> float:
    return 1 / (1 + math.exp(-z))


def mazur(i1: float, i2: float) -> tuple[float, float]:
    """The network's outputs, written out as Mazur's post computes them."""
    h1 = sigmoid(0.15 * i1 + 0.20 * i2 + 0.35)
    h2 = sigmoid(0.25 * i1 + 0.30 * i2 + 0.35)
    return sigmoid(0.40 * h1 + 0.45 * h2 + 0.60), sigmoid(0.50 * h1 + 0.55 * h2 + 0.60)


def truth(**part):
    data = {"given": {"net": NET}, "parts": [{"id": "a", "ask": "loss", **part}]}
    ctx = context(data)
    return solve(ctx.part, ctx)


def test_the_published_total_error():
    t = truth(fn="mse", of={"network": "net", "input": {"i1": 0.05, "i2": 0.10}},
              y_true=[0.01, 0.99])
    assert t.expected == pytest.approx(0.298371109, abs=1e-9)
    assert mazur(0.05, 0.10) == pytest.approx((0.75136507, 0.772928465), abs=1e-8)
    assert t.grade(0.298371109).status is Status.CORRECT


def test_a_batch_is_the_mean_of_the_samples_losses():
    o = mazur(0.05, 0.10), mazur(1, 0)
    t1, t2 = (0.01, 0.99), (0.99, 0.01)
    per_sample = [((t[0] - p[0]) ** 2 + (t[1] - p[1]) ** 2) / 2 for t, p in zip((t1, t2), o)]
    t = truth(fn="mse", of={"network": "net", "input": [{"i1": 0.05, "i2": 0.10},
                                                       {"i1": 1, "i2": 0}]},
              y_true=[list(t1), list(t2)])
    assert t.expected == pytest.approx(sum(per_sample) / 2, rel=1e-12)
    # the batch summed instead of averaged is a known mistake of the loss
    assert t.grade(sum(per_sample)).mistakes


def test_outputs_may_be_chosen_and_read_as_logits():
    # o1 alone against 1 with binary cross-entropy: -log(o1)
    o1, o2 = mazur(0.05, 0.10)
    t = truth(fn="binary_cross_entropy", y_true=[1],
              of={"network": "net", "input": {"i1": 0.05, "i2": 0.10}, "outputs": ["o1"]})
    assert t.expected == pytest.approx(-math.log(o1), rel=1e-12)
    # the outputs read as logits: softmax first, then -log of the true class's probability
    t = truth(fn="cross_entropy", y_true=[0, 1],
              of={"network": "net", "input": {"i1": 0.05, "i2": 0.10}, "logits": True})
    assert t.expected == pytest.approx(-math.log(math.exp(o2) / (math.exp(o1) + math.exp(o2))),
                                       rel=1e-12)


def test_a_graphs_output_at_its_given_inputs():
    # the CS231n neuron: f = σ(1) = 0.7311; binary cross-entropy against 1 is -log σ(1)
    graph = {"kind": "graph", "inputs": {"w0": 2, "x0": -1, "w1": -3, "x1": -2, "w2": -3},
             "nodes": {"f": "sigmoid(w0*x0 + w1*x1 + w2)"}}
    data = {"given": {"g": graph},
            "parts": [{"id": "a", "ask": "loss", "fn": "binary_cross_entropy", "y_true": [1],
                       "of": {"graph": "g"}},
                      {"id": "b", "ask": "loss", "fn": "mse", "y_true": [[1], [0]],
                       "of": {"graph": "g", "input": [{}, {"x0": 1}]}}]}
    ctx = context(data, "a")
    assert solve(ctx.part, ctx).expected == pytest.approx(-math.log(sigmoid(1)), rel=1e-12)
    # x0 = 1: z = 2 + 6 - 3 = 5; mean of (1 - σ(1))² and (0 - σ(5))²
    ctx = context(data, "b")
    want = ((1 - sigmoid(1)) ** 2 + sigmoid(5) ** 2) / 2
    assert solve(ctx.part, ctx).expected == pytest.approx(want, rel=1e-12)


def test_a_missing_input_and_a_wrong_name_are_problem_errors():
    with pytest.raises(ProblemError, match=r"`of: input` has no value for `i2`"):
        truth(fn="mse", of={"network": "net", "input": {"i1": 1}}, y_true=[0, 1])
    with pytest.raises(ProblemError, match=r"`of: input` names `i3`, which is not an input"):
        truth(fn="mse", of={"network": "net", "input": {"i1": 1, "i2": 0, "i3": 0}},
              y_true=[0, 1])
    with pytest.raises(ProblemError, match=r"y_true is a vector of 3 but y_pred is a vector "
                       r"of 2"):
        truth(fn="mse", of={"network": "net", "input": {"i1": 1, "i2": 0}}, y_true=[0, 1, 0])


def test_the_spec_refuses_two_sources_of_predictions():
    base = {"id": "p", "given": {"net": NET}}
    with pytest.raises(ValueError, match=r"`y_pred:` and `of:` both give the predictions"):
        Problem.model_validate({**base, "parts": [
            {"id": "a", "ask": "loss", "fn": "mse", "y_true": [0, 1], "y_pred": [0, 1],
             "of": {"network": "net", "input": {"i1": 1, "i2": 0}}}]})
    with pytest.raises(ValueError, match=r"`input:` is required with `network:`"):
        Problem.model_validate({**base, "parts": [
            {"id": "a", "ask": "loss", "fn": "mse", "y_true": [0, 1], "of": {"network": "net"}}]})
    with pytest.raises(ValueError, match=r"no network `nett` in `given`"):
        Problem.model_validate({**base, "parts": [
            {"id": "a", "ask": "loss", "fn": "mse", "y_true": [0, 1],
             "of": {"network": "nett", "input": {"i1": 1, "i2": 0}}}]})


def test_a_graphs_vector_output_over_a_batch():
    # h = c x, p = softmax(h). c = 1: h = [1, -1], p1 = e/(e + 1/e) = σ(2); c = 0: p = [½, ½].
    # cross-entropy against [1, 0] and [0, 1]: -log σ(2) and log 2, then their mean.
    graph = {"kind": "graph", "inputs": {"x": [1, -1], "c": 1},
             "nodes": {"h": "c * x", "p": {"softmax": "h"}}}
    data = {"given": {"g": graph},
            "parts": [{"id": "a", "ask": "loss", "fn": "cross_entropy",
                       "y_true": [[1, 0], [0, 1]],
                       "of": {"graph": "g", "input": [{}, {"c": 0}]}}]}
    ctx = context(data)
    want = (-math.log(sigmoid(2)) + math.log(2)) / 2
    assert solve(ctx.part, ctx).expected == pytest.approx(want, rel=1e-12)
