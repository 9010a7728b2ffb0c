"""Networks: building, filling templates, and vectorised evaluation over truth tables."""

from __future__ import annotations

import numpy as np
import pytest

from nncheck.engine.design import fill
from nncheck.engine.network import build, input_rows
from nncheck.errors import AnswerError, ProblemError
from nncheck.solvers.networks import table_values
from nncheck.spec.network import NetworkSpec


def net(data: dict) -> NetworkSpec:
    return NetworkSpec.model_validate({"kind": "network", **data})


def test_rows_are_binary_counting_first_input_most_significant():
    assert input_rows(3).tolist() == [
        [0, 0, 0], [0, 0, 1], [0, 1, 0], [0, 1, 1],
        [1, 0, 0], [1, 0, 1], [1, 1, 0], [1, 1, 1],
    ]
    assert input_rows(2, "bipolar").tolist() == [[-1, -1], [-1, 1], [1, -1], [1, 1]]


def test_xor_from_two_hidden_units():
    # h1 = OR (x1 + x2 - 0.5 >= 0), h2 = AND (x1 + x2 - 1.5 >= 0), y = h1 AND NOT h2.
    spec = net({
        "inputs": ["x1", "x2"], "activation": "step",
        "layers": [
            {"h1": {"w": [1, 1], "b": -0.5}, "h2": {"w": [1, 1], "b": -1.5}},
            {"y": {"w": {"h1": 1, "h2": -1}, "b": -0.5}},
        ],
    })
    table = table_values(build(spec), ["z_h1", "h1", "h2", "y"], "binary")
    # rows 00, 01, 10, 11: z_h1 = -0.5, 0.5, 0.5, 1.5; h1 = 0,1,1,1; h2 = 0,0,0,1; y = 0,1,1,0
    assert table[:, 2].tolist() == [-0.5, 0.5, 0.5, 1.5]
    assert table[:, 3].tolist() == [0, 1, 1, 1]
    assert table[:, 4].tolist() == [0, 0, 0, 1]
    assert table[:, 5].tolist() == [0, 1, 1, 0]


def test_and_unit_whose_top_row_sits_exactly_on_zero():
    # z = x1 + x2 - 2: on row 11, z = 0 exactly, so step fires and step_strict does not.
    spec = net({"inputs": ["x1", "x2"], "activation": "step",
                "layers": [{"y": {"w": 1, "b": -2}}]})
    network = build(spec)
    assert table_values(network, ["y"], "binary")[:, 2].tolist() == [0, 0, 0, 1]
    strict = network.with_activation("step", "step_strict")
    assert table_values(strict, ["y"], "binary")[:, 2].tolist() == [0, 0, 0, 0]


def test_seed_q1_design_fires_on_exactly_two():
    spec = net({"inputs": ["m1", "m2", "m3"], "activation": "step",
                "layers": [["n1", "n2"], ["Y"]]})
    design = {"n1": {"w": [1, 1, 1], "b": -1.5}, "n2": {"w": [1, 1, 1], "b": -2.5},
              "Y": {"w": [1, -1], "b": -1}}
    table = table_values(fill(spec, design), ["z_n1", "z_n2", "z_Y", "Y"], "binary")
    # z_n1 = sum - 1.5, z_n2 = sum - 2.5, written out for the 8 rows (sums 0,1,1,2,1,2,2,3)
    assert table[:, 3].tolist() == [-1.5, -0.5, -0.5, 0.5, -0.5, 0.5, 0.5, 1.5]
    assert table[:, 4].tolist() == [-2.5, -1.5, -1.5, -0.5, -1.5, -0.5, -0.5, 0.5]
    # Y's input: n1 - n2 - 1 = -1 (n1 off), 0 (n1 on, n2 off), -1 (both on)
    assert table[:, 5].tolist() == [-1, -1, -1, 0, -1, 0, 0, -1]
    assert table[:, 6].tolist() == [0, 0, 0, 1, 0, 1, 1, 0]


def test_layers_form_and_flat_form_fill_the_same_network():
    spec = net({"inputs": ["a"], "activation": "sign", "layers": [["h"], ["o"]]})
    flat = fill(spec, {"h": {"w": 2, "b": -1}, "o": {"w": [1], "b": 0}})
    layered = fill(spec, {"layers": [{"h": {"w": [2], "b": -1}}, {"o": {"w": [1]}}]})
    x = np.array([-1.0, 0.0, 0.5, 1.0])
    assert flat.forward({"a": x})["o"].tolist() == layered.forward({"a": x})["o"].tolist() \
        == [-1, -1, 1, 1]


def test_softmax_layer_and_sigmoid_match_hand_values():
    spec = net({"inputs": ["x"], "layers": [
        {"activation": "softmax", "units": {"s1": {"w": [1], "b": 0}, "s2": {"w": [2], "b": 1}}},
    ]})
    out = build(spec).forward({"x": 1.0})
    # z = (1, 3): softmax = (e^1, e^3) / (e^1 + e^3)
    assert out["s2"] == pytest.approx(np.e**3 / (np.e + np.e**3), rel=1e-12)
    assert out["s1"] + out["s2"] == pytest.approx(1.0)


@pytest.mark.parametrize(
    ("answer", "message"),
    [
        pytest.param({"h": {"w": [1, 2], "b": 0}}, "2 weights for 1 incoming", id="length"),
        pytest.param({"h": {"w": [1], "b": 0}, "q": {"w": 1}}, "no unit `q`", id="extra-unit"),
        pytest.param({}, "unit `h` is missing", id="missing-unit"),
        pytest.param({"h": {"w": ["lg(2)"], "b": 0}}, "lg", id="bad-expression"),
        pytest.param([1, 2], "expected a network", id="not-a-mapping"),
    ],
)
def test_unreadable_answers_say_why(answer, message):
    spec = net({"inputs": ["a"], "activation": "step", "layers": [["h"]]})
    with pytest.raises(AnswerError, match=message):
        fill(spec, answer)


def test_unit_without_activation_and_wide_tables_are_refused():
    with pytest.raises(ProblemError, match="no activation"):
        build(net({"inputs": ["a"], "layers": [{"h": {"w": 1}}]}))
    with pytest.raises(ProblemError, match="at most 20 inputs"):
        input_rows(40)


@pytest.mark.parametrize(
    ("name", "message"),
    [
        pytest.param("w_1", "no underscores", id="underscore"),
        pytest.param("log", "reserved", id="reserved"),
        pytest.param("m1", "used twice", id="duplicate"),
    ],
)
def test_bad_names_are_refused(name, message):
    with pytest.raises(ValueError, match=message):
        net({"inputs": ["m1"], "activation": "step", "layers": [{name: {"w": 1}}]})


def test_a_threshold_unit_at_zero_by_decimal_weights_is_exactly_zero():
    # 0.7·1 + 0.1·1 - 0.8 = 0 by hand, -8.3e-17 in floats: z is reported 0 and step(0) = 1.
    spec = net({"inputs": ["a", "b"], "activation": "step",
                "layers": [{"Y": {"w": [0.7, 0.1], "b": -0.8}}]})
    network = build(spec)
    out = network.forward({"a": 1.0, "b": 1.0})
    assert float(out["z_Y"]) == 0.0
    assert float(out["Y"]) == 1.0
    assert float(network.with_activation("step", "step_strict").forward(
        {"a": 1.0, "b": 1.0})["Y"]) == 0.0  # step_strict(0) = 0
    sign = fill(net({"inputs": ["a", "b"], "activation": "sign", "layers": [["Y"]]}),
                {"Y": {"w": [0.7, 0.1], "b": -0.8}})
    assert float(sign.forward({"a": 1.0, "b": 1.0})["Y"]) == 1.0  # sign(0) = 1
    # Over a table: z = -0.8, -0.7, -0.1, 0; only the boundary is rounded to 0.
    table = table_values(network, ["z_Y", "Y"], "binary")
    assert table[:, 2].tolist() == pytest.approx([-0.8, -0.7, -0.1, 0.0])
    assert table[3, 2] == 0.0
    assert table[:, 3].tolist() == [0, 0, 0, 1]


def test_continuous_units_and_real_nonzero_z_keep_their_values():
    # A linear unit with the same weights keeps z as computed (the gradient oracle compares
    # with torch at 1e-9): 0.7 + 0.1 - 0.8 = -8.3e-17 in floats.
    linear = build(net({"inputs": ["a", "b"], "activation": "linear",
                        "layers": [{"Y": {"w": [0.7, 0.1], "b": -0.8}}]}))
    z = float(linear.forward({"a": 1.0, "b": 1.0})["z_Y"])
    assert z == -0.8 + 0.7 * 1.0 + 0.1 * 1.0 != 0.0  # bias first, then the weights in order
    # A step unit 1e-6 below zero is below zero: 1 + 1 - 2.000001 = -1e-6, so step gives 0.
    close = build(net({"inputs": ["a", "b"], "activation": "step",
                       "layers": [{"Y": {"w": [1, 1], "b": -2.000001}}]}))
    out = close.forward({"a": 1.0, "b": 1.0})
    assert float(out["z_Y"]) == pytest.approx(-1e-6)
    assert float(out["Y"]) == 0.0


def test_the_boundary_scales_with_the_weights():
    # The boundary is relative to the terms summed: with weights of 1e-12, row 11 gives
    # 2e-12 - 2.5e-12 = -5e-13 (below zero: step 0) and 2e-12 - 1.5e-12 = 5e-13 (above: 1),
    # however small. An absolute 1e-9 would call both 0, and fire on both.
    tiny = build(net({"inputs": ["a", "b"], "activation": "step",
                      "layers": [{"Y": {"w": [1e-12, 1e-12], "b": -2.5e-12}}]}))
    assert table_values(tiny, ["Y"], "binary")[:, 2].tolist() == [0, 0, 0, 0]
    tiny = build(net({"inputs": ["a", "b"], "activation": "step",
                      "layers": [{"Y": {"w": [1e-12, 1e-12], "b": -1.5e-12}}]}))
    assert table_values(tiny, ["Y"], "binary")[:, 2].tolist() == [0, 0, 0, 1]
