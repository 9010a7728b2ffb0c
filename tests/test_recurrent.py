"""The `layer_output` ask on recurrent layers: RNN, LSTM and GRU hidden states against
PyTorch's modules (recorded in tests/oracle/layer_values.json), both frameworks' weight
layouts, and hand computations of one step."""

from __future__ import annotations

import math
from typing import Any

import pytest
from layerkit import cases, solve

from conftest import context
from nncheck.compare.verdict import Status
from nncheck.errors import ProblemError
from nncheck.solvers.sequence import solve_layer_output
from oracle import data
from oracle.layer_values import LayerCase, keras_weights

RECORDED = data.answers("layer_values")


def torch_layer(case: LayerCase) -> dict[str, Any]:
    layer = {"type": case.kind, **{k: case.arrays[k] for k in
                                   ("weight_ih", "weight_hh", "bias_ih", "bias_hh", "h0")}}
    if case.kind == "lstm":
        layer["c0"] = case.arrays["c0"]
    if case.kind == "rnn":
        layer["activation"] = case.arrays["activation"]
    return layer


@pytest.mark.parametrize("case", cases("rnn", "lstm", "gru"))
def test_hidden_states_match_torch(case: LayerCase) -> None:
    want = RECORDED[case.id]
    layer = torch_layer(case)
    x = case.arrays["x"]
    assert solve(layer, x).expected == pytest.approx(want["hidden"], rel=1e-12, abs=1e-14)
    for t, h_t in enumerate(want["output"]):
        got = solve(layer, x, of="output", row=t).expected
        assert got == pytest.approx(h_t, rel=1e-12, abs=1e-14)
    if case.kind == "lstm":
        assert solve(layer, x, of="cell").expected == pytest.approx(want["cell"], rel=1e-12,
                                                                    abs=1e-14)


@pytest.mark.parametrize("case", cases("rnn", "lstm", "gru"))
def test_keras_layout_of_the_same_weights_matches_torch(case: LayerCase) -> None:
    """Keras' kernel (I×G·H), gate order (LSTM i, f, c, o; GRU z, r, h) and one bias (a GRU
    with reset_after: two rows) give PyTorch's states for the same weights."""
    layer = {"type": case.kind, "convention": "keras", **keras_weights(case),
             "h0": case.arrays["h0"]}
    if case.kind == "lstm":
        layer["c0"] = case.arrays["c0"]
    if case.kind == "rnn":
        layer["activation"] = case.arrays["activation"]
    got = solve(layer, case.arrays["x"]).expected
    assert got == pytest.approx(RECORDED[case.id]["hidden"], rel=1e-12, abs=1e-14)


# One GRU unit, one input, h0 = 0, x = 1; weights W_i = (r, z, n) = (0.1, 0.2, 0.3),
# W_h = (0.4, 0.5, 0.6), biases b_h = (0.1, 0.1, 0.1), b_i = 0. Two steps, x = (1, -1).
GRU = {"type": "gru", "weight_ih": [[0.1], [0.2], [0.3]], "weight_hh": [[0.4], [0.5], [0.6]],
       "bias_hh": [0.1, 0.1, 0.1]}


def sigmoid(z: float) -> float:
    return 1 / (1 + math.exp(-z))


def gru_by_hand(reset_after: bool = True, swap_rz: bool = False) -> float:
    wi, wh, bh = [0.1, 0.2, 0.3], [0.4, 0.5, 0.6], [0.1, 0.1, 0.1]
    if swap_rz:
        wi, wh = [wi[1], wi[0], wi[2]], [wh[1], wh[0], wh[2]]
    h = 0.0
    for x in (1.0, -1.0):
        r = sigmoid(wi[0] * x + wh[0] * h + bh[0])
        z = sigmoid(wi[1] * x + wh[1] * h + bh[1])
        if reset_after:
            n = math.tanh(wi[2] * x + r * (wh[2] * h + bh[2]))
        else:
            n = math.tanh(wi[2] * x + wh[2] * (r * h) + bh[2])
        h = (1 - z) * n + z * h
    return h


def test_gru_by_hand_and_its_named_mistakes() -> None:
    truth = solve(GRU, [1, -1])
    assert truth.expected == pytest.approx([gru_by_hand()], rel=1e-12)
    before = truth.grade([gru_by_hand(reset_after=False)])
    assert before.status is Status.WRONG
    assert before.mistakes[0] == "reset gate applied before the matmul"
    swapped = truth.grade([gru_by_hand(swap_rz=True)])
    assert swapped.mistakes[0].startswith("reset and update gates swapped")


def test_keras_gru_reset_before_the_matmul() -> None:
    """Keras' reset_after: false applies r to h before W_hn: n = tanh(W_in x + W_hn (r ⊙ h)),
    the kernels' columns in Keras' order z, r, h; no bias."""
    layer = {"type": "gru", "convention": "keras", "reset_after": False,
             "kernel": [[0.2, 0.1, 0.3]], "recurrent_kernel": [[0.5, 0.4, 0.6]]}
    h = 0.0
    for x in (1.0, -1.0):  # by hand, no biases
        r, z = sigmoid(0.1 * x + 0.4 * h), sigmoid(0.2 * x + 0.5 * h)
        n = math.tanh(0.3 * x + 0.6 * (r * h))
        h = (1 - z) * n + z * h
    assert solve(layer, [1, -1]).expected == pytest.approx([h], rel=1e-12)


def test_lstm_one_step_by_hand() -> None:
    """One unit, c0 = h0 = 0: i, f, g, o = σ(0.5), σ(-0.5), tanh(1), σ(0.25) at x = 1;
    c = i·g (f·c0 = 0), h = o·tanh(c)."""
    layer = {"type": "lstm", "weight_ih": [[0.5], [-0.5], [1.0], [0.25]],
             "weight_hh": [[0.0], [0.0], [0.0], [0.0]]}
    c = sigmoid(0.5) * math.tanh(1.0)
    h = sigmoid(0.25) * math.tanh(c)
    assert solve(layer, [1]).expected == pytest.approx([h], rel=1e-12)
    assert solve(layer, [1], of="cell").expected == pytest.approx([c], rel=1e-12)
    assert solve(layer, [1]).grade([sigmoid(0.25) * c]).mistakes[0] == \
        "tanh of the cell state left out"


def test_rnn_relu_and_the_activation_mistake() -> None:
    # h1 = relu(2·1) = 2, h2 = relu(2·(-1) + 0.5·2) = relu(-1) = 0; tanh instead: by hand
    layer = {"type": "rnn", "activation": "relu", "weight_ih": [[2.0]], "weight_hh": [[0.5]]}
    truth = solve(layer, [1, -1])
    assert truth.expected == [0]
    h1 = math.tanh(2.0)
    assert truth.grade([math.tanh(-2.0 + 0.5 * h1)]).mistakes[0] == "tanh instead of relu"


@pytest.mark.parametrize(("layer", "part", "message"), [
    pytest.param({"type": "rnn", "weight_ih": [[1.0]], "weight_hh": [[1.0]]},
                 {"of": "output"}, "`of: output` is a 2×1 matrix", id="matrix-needs-row"),
    pytest.param({"type": "rnn", "weight_ih": [[1.0]], "weight_hh": [[1.0, 2.0]]},
                 {}, "`weight_hh` holds 2 number", id="weight-hh-size"),
    pytest.param({"type": "rnn", "weight_ih": [[1.0]], "weight_hh": [[1.0]]},
                 {"of": "output", "row": 5}, "`row: 5` is past the last row", id="row"),
])
def test_ill_posed_layers_are_problem_errors(layer: dict[str, Any], part: dict[str, Any],
                                              message: str) -> None:
    with pytest.raises(ProblemError, match=message.replace("(", r"\(")):
        solve(layer, [1, 2], **part)


def test_keras_weights_under_the_pytorch_convention_are_refused() -> None:
    from pydantic import ValidationError

    from nncheck.spec.layer_values import LayerValues

    with pytest.raises(ValidationError,
                       match="`kernel` is not a weight of `type: rnn` under `convention: pytorch`"):
        LayerValues.model_validate({"type": "rnn", "kernel": [[1]], "weight_ih": [[1]],
                                    "weight_hh": [[1]]})


def test_the_example_bank_grades_its_worked_sheet_correct() -> None:
    """problems/sequence-layers: every problem validates and solves, and the sheet worked by
    hand (each value written out there) earns every point."""
    import json

    from typer.testing import CliRunner

    from conftest import PROBLEMS
    from nncheck.cli import app

    bank = PROBLEMS / "sequence-layers"
    result = CliRunner().invoke(app, ["validate", str(bank), "--solve"])
    assert result.exit_code == 0, result.output
    result = CliRunner().invoke(app, ["check", str(bank / "sheets" / "worked.yaml"),
                                      "--problems", str(bank), "--format", "json"])
    assert result.exit_code == 0, result.output
    report = json.loads(result.output)
    assert report["score"] == report["max_score"] == 15



def test_bounds_keep_a_layer_small() -> None:
    """At most 1,000 time steps and 10,000 numbers in one array: exam layers are tiny."""
    layer = {"type": "rnn", "weight_ih": [[0.5]], "weight_hh": [[0.5]]}
    assert solve(layer, [0.0] * 1000).expected == [0]
    with pytest.raises(ProblemError, match="`input` has 1,001 time steps"):
        solve(layer, [0.0] * 1001)
    with pytest.raises(ProblemError, match="`input` has 10,001 numbers"):
        solve(layer, [[0.0]] * 10_001)
    with pytest.raises(ProblemError, match="`weight_ih` holds 2 number"):
        solve({"type": "gru", "weight_ih": [[1.0], [1.0]], "weight_hh": [[1.0]] * 3}, [1])


def test_a_layer_named_in_given_is_read_and_checked() -> None:
    """The same RNN as above, given by name: h_2 = relu(2·(-1) + 0.5·2) = 0; a layer there
    that is not a layer is a problem error naming it."""
    layer = {"type": "rnn", "activation": "relu", "weight_ih": [[2.0]], "weight_hh": [[0.5]]}
    ctx = context({"given": {"cell": layer},
                   "parts": [{"id": "p", "ask": "layer_output", "layer": "cell",
                              "input": [1, -1]}]})
    assert solve_layer_output(ctx.part, ctx).expected == [0]
    ctx = context({"given": {"cell": {**layer, "c0": [0.0]}},
                   "parts": [{"id": "p", "ask": "layer_output", "layer": "cell",
                              "input": [1, -1]}]})
    with pytest.raises(ProblemError, match="layer `cell` c0: `c0` does not apply to `type: rnn`"):
        solve_layer_output(ctx.part, ctx)
