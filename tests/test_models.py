"""Layer models: counts and shapes under Keras (its documented weight shapes, written out as
arithmetic), refusals, known mistakes, symbolic sizes, formula answers. PyTorch's counts and
shapes, recorded from torch, are compared in test_oracle_models.py."""

from __future__ import annotations

import copy
import itertools
from typing import Any

import numpy as np
import pytest
from pydantic import ValidationError

from nncheck.compare.verdict import Status
from nncheck.engine.layers import count_params, infer_layers
from nncheck.engine.polyfit import fit_polynomial, format_polynomial
from nncheck.errors import ProblemError
from nncheck.solvers.context import Context
from nncheck.solvers.formula import solve_formula
from nncheck.solvers.models import layer_index, solve_output_shape, solve_param_count
from nncheck.spec.layer_syntax import MAX_LAYERS
from nncheck.spec.model import ModelSpec
from nncheck.spec.problem import Problem
from oracle.models import FROZEN_LAYERS

# --- helpers -----------------------------------------------------------------------------------


def model(layers: list[Any], input: list[Any], framework: str = "keras", **kw: Any) -> ModelSpec:
    """A validated model."""
    return ModelSpec.model_validate({"input": input, "layers": layers, "framework": framework,
                                     **kw})


def records(layers: list[Any], input: list[Any], framework: str = "keras", **kw: Any) -> Any:
    """The per-layer records of a concrete model."""
    return infer_layers(model(layers, input, framework, **kw))


def count(layers: list[Any], input: list[Any], framework: str = "keras", which: str = "total",
          **kw: Any) -> int:
    """A concrete model's parameter count."""
    return count_params(records(layers, input, framework, **kw), which)


def shape(layers: list[Any], input: list[Any], framework: str = "keras", **kw: Any) -> list[int]:
    """A concrete model's output shape."""
    return list(records(layers, input, framework, **kw)[-1].output_shape)


def truth_of(given: dict[str, Any], part: dict[str, Any], problem_id: str = "p") -> Any:
    """Solve one part of a problem written as a dict, through the solver functions."""
    problem = Problem.model_validate({"id": problem_id, "given": given, "parts": [part]})
    ctx = Context(problem=problem, part=problem.parts[0])
    solver = {"param_count": solve_param_count, "output_shape": solve_output_shape,
              "formula": solve_formula}[part["ask"]]
    return solver(problem.parts[0], ctx)


def given_model(layers: list[Any], input: list[Any], framework: str = "keras",
                **kw: Any) -> dict[str, Any]:
    """A `given:` entry for a model."""
    return {"m": {"kind": "model", "input": input, "layers": layers, "framework": framework,
                  **kw}}


def _tf_same_length(n: int, k: int, s: int, d: int = 1) -> int:
    """Keras/TF `same` padding, emulated: pad to ceil(n/s) windows, then a valid conv."""
    out = -(-n // s)
    effective = d * (k - 1) + 1
    total = max((out - 1) * s + effective - n, 0)
    return (n + total - effective) // s + 1


# --- dense -------------------------------------------------------------------------------------


def test_dense_keras_acts_on_the_last_axis_of_any_input() -> None:
    # Keras Dense on [H, W, C]: kernel (C, units) + bias (units,), shape [H, W, units].
    recs = records([{"dense": 16}], [7, 7, 32])
    assert recs[-1].output_shape == (7, 7, 16)
    assert recs[-1].params == 32 * 16 + 16


def test_dense_on_a_feature_map_under_pytorch_is_refused() -> None:
    with pytest.raises(ProblemError, match=r"layer 1 \(dense\).*last axis.*\[8, 5, 5\]") as info:
        records([{"conv2d": {"filters": 8, "kernel": 3}}, {"dense": 10}], [3, 7, 7], "pytorch")
    assert "flatten" in str(info.value)


# --- convolutions ------------------------------------------------------------------------------


_KERAS_CONV = [
    (n, k, s, p, d)
    for n in (5, 8, 13)
    for k in (1, 2, 3, 5)
    for s in (1, 2, 3)
    for p in ("valid", "same")
    for d in (1, 2)
    if s == 1 or d == 1
]


@pytest.mark.parametrize("n,k,s,p,d", [pytest.param(*c, id="-".join(map(str, c)))
                                       for c in _KERAS_CONV])
def test_conv2d_keras_shapes_and_counts(n: int, k: int, s: int, p: str, d: int) -> None:
    effective = d * (k - 1) + 1
    if p == "valid":
        want = (n - effective) // s + 1 if n >= effective else None
    else:
        want = _tf_same_length(n, k, s, d)
        assert want == -(-n // s)  # Keras documents same as ceil(n / stride)
    layer = {"conv2d": {"filters": 7, "kernel": k, "stride": s, "padding": p, "dilation": d}}
    if want is None:
        with pytest.raises(ProblemError, match="does not fit"):
            records([layer], [n, n, 3])
        return
    recs = records([layer], [n, n, 3])
    assert recs[-1].output_shape == (want, want, 7)
    assert recs[-1].params == k * k * 3 * 7 + 7  # kernel (k, k, C, F) + bias (F,)


def test_keras_refuses_stride_with_dilation() -> None:
    with pytest.raises(ProblemError, match="Keras refuses stride 2×2 together with dilation 2×2"):
        records([{"conv2d": {"filters": 4, "kernel": 3, "stride": 2, "dilation": 2}}], [9, 9, 3])


def test_pytorch_same_padding_needs_stride_one() -> None:
    with pytest.raises(ProblemError, match="padding='same' only with stride 1"):
        records([{"conv2d": {"filters": 4, "kernel": 3, "stride": 2, "padding": "same"}}],
                [3, 9, 9], "pytorch")


def test_kernel_larger_than_input_names_layer_and_sizes() -> None:
    layers = [{"conv2d": {"filters": 4, "kernel": 3}}, {"max_pool2d": 2},
              {"conv2d": {"filters": 4, "kernel": 2}}, {"conv2d": {"filters": 4, "kernel": 3}}]
    with pytest.raises(ProblemError) as info:
        records(layers, [7, 7, 1])
    assert str(info.value) == ("model `model`, layer 3 (conv2d): a 3×3 kernel does not fit a "
                               "1×1 input")
    with pytest.raises(ProblemError, match=r"layer 0 \(conv2d\): a 3×3 kernel does not fit "
                                            r"a 2×2 input"):
        records([{"conv2d": {"filters": 1, "kernel": 3}}], [2, 2, 1])


def test_groups_must_divide_channels() -> None:
    with pytest.raises(ProblemError, match="groups = 4 must divide"):
        records([{"conv2d": {"filters": 8, "kernel": 1, "groups": 4}}], [5, 5, 6])


def test_separable_keras_counts_follow_weight_shapes() -> None:
    # depthwise kernel (3, 3, 16, 2), pointwise kernel (1, 1, 32, 64), bias (64,)
    recs = records([{"separable_conv2d": {"filters": 64, "kernel": 3, "depth_multiplier": 2,
                                          "padding": "same"}}], [32, 32, 16])
    assert recs[-1].params == 3 * 3 * 16 * 2 + 32 * 64 + 64
    assert recs[-1].output_shape == (32, 32, 64)
    dw = records([{"depthwise_conv2d": {"kernel": 5, "depth_multiplier": 3}}], [10, 10, 4])
    assert dw[-1].params == 5 * 5 * 4 * 3 + 12 and dw[-1].output_shape == (6, 6, 12)


@pytest.mark.parametrize("n,k,s,padding,output_padding,want", [
    # Keras infers the length without output_padding: valid n·s + max(k − s, 0), same n·s.
    pytest.param(5, 3, 2, "valid", None, 5 * 2 + 1, id="valid-k3-s2"),
    pytest.param(5, 2, 3, "valid", None, 5 * 3, id="valid-kernel-shorter-than-stride"),
    pytest.param(5, 3, 2, "same", None, 10, id="same-s2"),
    pytest.param(5, 4, 1, "same", None, 5, id="same-s1"),
    # With output_padding: (n − 1)·s + k − 2·pad + output_padding, pad = k // 2 for same.
    pytest.param(5, 3, 2, "same", 1, 4 * 2 + 3 - 2 + 1, id="same-op1"),
    pytest.param(5, 3, 2, "valid", 0, 4 * 2 + 3, id="valid-op0"),
])
def test_conv2d_transpose_keras_lengths(n: int, k: int, s: int, padding: str,
                                        output_padding: int | None, want: int) -> None:
    args: dict[str, Any] = {"filters": 2, "kernel": k, "stride": s, "padding": padding}
    if output_padding is not None:
        args["output_padding"] = output_padding
    recs = records([{"conv2d_transpose": args}], [n, n, 3])
    assert recs[-1].output_shape == (want, want, 2)
    assert recs[-1].params == k * k * 2 * 3 + 2  # kernel (k, k, F, C) + bias (F,)


# --- pooling, flatten, reshaping ---------------------------------------------------------------


@pytest.mark.parametrize("n,k,s,p", [
    pytest.param(n, k, s, p, id=f"n{n}-k{k}-s{s}-{p}")
    for n, k, s, p in itertools.product((4, 7, 10), (2, 3), (1, 2, 3), ("valid", "same"))
])
def test_pooling_keras_lengths(n: int, k: int, s: int, p: str) -> None:
    # Keras: valid floor((n − k) / s) + 1, same ceil(n / s); no parameters.
    want = (n - k) // s + 1 if p == "valid" else -(-n // s)
    recs = records([{"max_pool2d": {"pool": k, "stride": s, "padding": p}}], [n, n, 5])
    assert recs[-1].output_shape == (want, want, 5) and recs[-1].params == 0


def test_pooling_stride_defaults_to_window() -> None:
    assert shape([{"max_pool2d": 2}], [28, 28, 8]) == [14, 14, 8]
    assert shape([{"avg_pool1d": 3}], [10, 4]) == [3, 4]


def test_global_pooling_keras() -> None:
    assert shape(["global_avg_pool"], [7, 7, 512]) == [512]
    assert shape([{"global_max_pool": {"keepdims": True}}], [7, 7, 512]) == [1, 1, 512]
    assert shape(["global_avg_pool"], [100, 64]) == [64]  # GlobalAveragePooling1D


def test_reshape_refuses_a_size_mismatch() -> None:
    with pytest.raises(ProblemError, match=r"cannot reshape \[2, 3, 4\] \(24 values\)"):
        records([{"reshape": [5, 5]}], [2, 3, 4])


# --- normalisation and embeddings --------------------------------------------------------------


def test_batch_norm_keras_counts_moving_statistics_as_non_trainable() -> None:
    # gamma, beta (trainable) and moving_mean, moving_variance (non-trainable): 4·C.
    m = [{"batch_norm": None}]
    assert count(m, [8, 8, 32]) == 4 * 32
    assert count(m, [8, 8, 32], which="trainable") == 2 * 32
    assert count(m, [8, 8, 32], which="non_trainable") == 2 * 32
    assert count([{"batch_norm": {"center": False}}], [8, 8, 32]) == 3 * 32


def test_layer_norm_and_embedding_keras() -> None:
    assert count(["layer_norm"], [10, 64]) == 2 * 64
    assert count(["layer_norm"], [10, 64], which="non_trainable") == 0
    emb = records([{"embedding": {"input_dim": 10000, "output_dim": 32}}], [50])
    assert emb[-1].params == 10000 * 32 and emb[-1].output_shape == (50, 32)


# --- recurrent layers --------------------------------------------------------------------------


@pytest.mark.parametrize("kind,reset_after,want", [
    # Keras weight shapes: kernel (F, g·U), recurrent_kernel (U, g·U), bias (g·U,) — and for
    # GRU with reset_after, bias (2, 3·U).
    pytest.param("simple_rnn", True, lambda f, u: u * (f + u) + u, id="simple_rnn"),
    pytest.param("lstm", True, lambda f, u: 4 * (u * (f + u) + u), id="lstm"),
    pytest.param("gru", True, lambda f, u: 3 * (u * (f + u) + 2 * u), id="gru-reset_after"),
    pytest.param("gru", False, lambda f, u: 3 * (u * (f + u) + u), id="gru-reset_before"),
])
@pytest.mark.parametrize("features,units", [(1, 1), (13, 32), (100, 64)])
def test_recurrent_keras_counts(kind: str, reset_after: bool, want: Any, features: int,
                                units: int) -> None:
    args: dict[str, Any] = {"units": units}
    if kind == "gru":
        args["reset_after"] = reset_after
    assert count([{kind: args}], [20, features]) == want(features, units)
    bi = records([{"bidirectional": {kind: {**args, "return_sequences": True}}}], [20, features])
    assert bi[-1].params == 2 * want(features, units)
    assert bi[-1].output_shape == (20, 2 * units)


def test_keras_lstm_classic_example() -> None:
    # The Keras documentation's LSTM(32) on 100-dim inputs: 4·(32·(100 + 32) + 32) = 17,024.
    assert count([{"lstm": 32}], [10, 100]) == 17024
    assert count([{"bidirectional": {"layer": {"lstm": 32}, "merge_mode": "sum"}}],
                 [10, 100]) == 2 * 17024
    assert shape([{"bidirectional": {"layer": {"lstm": 32}, "merge_mode": "sum"}}],
                 [10, 100]) == [32]


def test_lstm_on_an_image_is_refused() -> None:
    with pytest.raises(ProblemError, match=r"layer 0 \(lstm\): lstm reads a sequence \[T, F\]"
                                           r".*got \[28, 28, 1\]") as info:
        records([{"lstm": 32}], [28, 28, 1])
    assert "reshape" in str(info.value)


def test_pytorch_gru_cannot_reset_before() -> None:
    with pytest.raises(ProblemError, match="reset gate"):
        records([{"gru": {"units": 4, "reset_after": False}}], [5, 3], "pytorch")


# --- attention ---------------------------------------------------------------------------------


def test_multi_head_attention_keras_weight_shapes() -> None:
    # query/key kernels (E, h, k), value kernel (E, h, v), output kernel (h, v, E);
    # biases (h, k), (h, k), (h, v), (E,).
    e, h, k, v = 64, 8, 16, 32
    want = 2 * (e * h * k + h * k) + (e * h * v + h * v) + (h * v * e + e)
    layer = {"multi_head_attention": {"num_heads": h, "key_dim": k, "value_dim": v}}
    assert count([layer], [10, e]) == want
    assert count([{"multi_head_attention": {"num_heads": 2, "key_dim": 2}}], [3, 16]) == (
        4 * (16 * 2 * 2 + 2 * 2) - 2 * 2 + 16)
    with pytest.raises(ProblemError, match="key_dim"):
        records([{"multi_head_attention": 4}], [10, 64])


# --- whole models ------------------------------------------------------------------------------

def _vgg16(framework: str) -> tuple[list[Any], list[int]]:
    layers: list[Any] = []
    for filters, convs in ((64, 2), (128, 2), (256, 3), (512, 3), (512, 3)):
        layers.append({"repeat": convs, "layers": [
            {"conv2d": {"filters": filters, "kernel": 3, "padding": "same" if framework ==
                        "keras" else 1, "activation": "relu"}}]})
        layers.append({"max_pool2d": 2})
    layers += ["flatten", {"dense": 4096}, {"dense": 4096}, {"dense": 1000}]
    return layers, [224, 224, 3] if framework == "keras" else [3, 224, 224]


def test_vgg16_keras() -> None:
    layers, input_shape = _vgg16("keras")
    recs = records(layers, input_shape)
    assert count_params(recs) == 138_357_544
    assert recs[-5].output_shape == (7, 7, 512)
    assert recs[-4].output_shape == (25088,)
    assert recs[-3].params == 25088 * 4096 + 4096


def _frozen_layers() -> list[Any]:
    return copy.deepcopy(FROZEN_LAYERS)  # the model the oracle records, too


def test_frozen_layers_keras() -> None:
    layers = _frozen_layers()
    conv, bn1, dense1, bn2, head = 3 * 3 * 3 * 16 + 16, 4 * 16, 8 * 8 * 16 * 32 + 32, 4 * 32, \
        32 * 10 + 10
    assert count(layers, [10, 10, 3]) == conv + bn1 + dense1 + bn2 + head
    # Frozen: the conv and its batch norm; the live batch norm's moving statistics too.
    assert count(layers, [10, 10, 3], which="non_trainable") == conv + bn1 + 2 * 32
    assert count(layers, [10, 10, 3], which="trainable") == dense1 + 2 * 32 + head


def test_repeat_block_can_be_frozen_and_names_are_numbered() -> None:
    m = model([{"dense": 8}, {"repeat": 2, "trainable": False,
                              "layers": [{"dense": 8, "name": "h"}]}], [4])
    assert [layer.display_name for layer in m.expanded] == ["dense", "h_1", "h_2"]
    recs = infer_layers(m)
    assert count_params(recs, "non_trainable") == 2 * (8 * 8 + 8)
    assert layer_index(m, "h_2") == 2 and layer_index(m, -1) == 2 and layer_index(m, 0) == 0


def test_huge_models_are_counted_exactly_with_python_ints() -> None:
    layers = [{"dense": 10**6}, {"dense": "10^6"}, {"repeat": 3, "layers": [{"dense": 10**9}]}]
    total = count(layers, [10**6])
    want = (10**12 + 10**6) * 2 + (10**6 * 10**9 + 10**9) + 2 * (10**18 + 10**9)
    assert total == want and isinstance(total, int)
    truth = truth_of(given_model([{"dense": 10**6}], [10**6]),
                     {"id": "a", "ask": "param_count", "model": "m"})
    assert truth.expected == 10**12 + 10**6
    assert truth.grade("10^12 + 10^6").status is Status.CORRECT


# --- the seed exam -----------------------------------------------------------------------------

SEED_GIVEN = {
    "mlp": {"kind": "model", "input": [20], "layers": [
        {"dense": 10}, {"repeat": 4, "layers": [{"dense": 10}]}, {"dense": 1}]},
    "fc": {"kind": "model", "input": [10, 10, 1], "layers": ["flatten", {"dense": 5}]},
    "cnn": {"kind": "model", "input": [10, 10, 1], "layers": [
        {"conv2d": {"filters": 5, "kernel": 10}}]},
    "head": {"kind": "model", "input": ["n"], "layers": [{"dense": 10}]},
}


def test_seed_q3d_mlp_is_661() -> None:
    truth = truth_of(SEED_GIVEN, {"id": "d", "ask": "param_count", "model": "mlp"}, "q3")
    # 20×10 + 10 + 4(10×10 + 10) + 10×1 + 1
    assert truth.expected == 20 * 10 + 10 + 4 * (10 * 10 + 10) + 10 * 1 + 1 == 661
    assert truth.grade(661).status is Status.CORRECT
    assert truth.grade("20×10 + 10 + 4(10×10 + 10) + 10×1 + 1").status is Status.CORRECT


@pytest.mark.parametrize("ref", ["fc", "cnn"])
def test_seed_q4_both_methods_are_505(ref: str) -> None:
    truth = truth_of(SEED_GIVEN, {"id": "c", "ask": "param_count", "model": ref}, "q4")
    assert truth.expected == 101 * 5 == 505
    assert truth.grade("101 × 5").status is Status.CORRECT
    assert truth.grade(500).mistakes == ("biases forgotten",)


def test_seed_q4_cnn_output_is_one_pixel_per_filter() -> None:
    truth = truth_of(SEED_GIVEN, {"id": "s", "ask": "output_shape", "model": "cnn"}, "q4")
    assert truth.expected == [1, 1, 5]
    assert truth.grade([1, 1, 5]).status is Status.CORRECT
    verdict = truth.grade([10, 10, 5])
    assert verdict.status is Status.WRONG
    assert verdict.mistakes == ("`same` and `valid` padding confused",)


def test_seed_q3b_head_is_a_polynomial_in_n() -> None:
    truth = truth_of(SEED_GIVEN, {"id": "b", "ask": "param_count", "model": "head"}, "q3")
    assert truth.expected == "10*n + 10"
    assert truth.key() == "10*n + 10"
    n = truth.env["n"]
    assert len(set(n.tolist())) >= 6 and 1 in n and 1000 in n
    np.testing.assert_array_equal(truth.values, 10 * n + 10)
    for right in ("10n + 10", "n×10 + 10", "10(n + 1)", "10*n+10"):
        assert truth.grade(right).status is Status.CORRECT, right


def test_seed_q3b_students_formula_is_wrong_with_the_mistake_named() -> None:
    truth = truth_of(SEED_GIVEN, {"id": "b", "ask": "param_count", "model": "head"}, "q3")
    verdict = truth.grade("n×10 + n")
    assert verdict.status is Status.WRONG
    assert verdict.mistakes == ("one bias per input instead of one per unit",)
    # The message names a point where the formulas differ, with both values.
    assert verdict.message is not None
    point = int(verdict.message.split("=")[1].split(":")[0])
    assert point != 10
    # Off by |11n - (10n + 10)| = |n - 10|, relative to 10n + 10.
    off = abs(point - 10)
    share = float(f"{100 * off / (10 * point + 10):.2g}")  # two significant figures
    assert verdict.message == (f"at n = {point}: expected {10 * point + 10}, got {11 * point}: "
                               f"off by {off} ({share:g} %)")
    # A plain number right at one point is still wrong.
    assert truth.grade(110).status is Status.WRONG


def test_seed_q3b_as_a_formula_part_with_a_hint() -> None:
    part = {"id": "b", "ask": "formula", "reference": "10n + 10",
            "symbols": {"n": {"integer": [1, 1000]}},
            "hints": [{"answer": "10n + n", "say": "one bias per output unit, not per input"}]}
    problem = Problem.model_validate({"id": "q3", "parts": [part]})
    truth = solve_formula(problem.parts[0], Context(problem=problem, part=problem.parts[0]))
    assert truth.expected == "10n + 10"
    assert truth.grade("n×10 + 10").status is Status.CORRECT
    hinted = truth.with_hints(problem.parts[0].hints)
    verdict = hinted.grade("n×10 + n")
    assert verdict.status is Status.WRONG
    assert verdict.mistakes == ("one bias per output unit, not per input",)


# --- known mistakes ----------------------------------------------------------------------------

def _mistakes(given_layers: list[Any], input: list[Any], claim: Any, framework: str = "keras",
              ask: str = "param_count", **part: Any) -> tuple[str, ...]:
    truth = truth_of(given_model(given_layers, input, framework),
                     {"id": "a", "ask": ask, "model": "m", **part})
    verdict = truth.grade(claim)
    assert verdict.status is Status.WRONG
    return verdict.mistakes


@pytest.mark.parametrize("layers,input,framework,claim,mistake", [
    pytest.param([{"dense": 10}], [20], "keras", 200, "biases forgotten", id="no-bias"),
    pytest.param([{"dense": 10}], [20], "keras", 220, "one bias per input instead of one per "
                 "unit", id="bias-per-input"),
    pytest.param([{"conv2d": {"filters": 8, "kernel": 3}}], [28, 28, 3], "keras", 3 * 3 * 8 + 8,
                 "input channels forgotten in a convolution", id="channels"),
    pytest.param([{"lstm": 32}], [10, 100], "keras", 4 * (32 * 132 + 64),
                 "two bias vectors per recurrent layer (PyTorch's b_ih and b_hh)",
                 id="keras-lstm-as-pytorch"),
    pytest.param([{"lstm": 32}], [10, 100], "pytorch", 4 * (32 * 132 + 32),
                 "one bias vector per recurrent layer (Keras' convention)",
                 id="pytorch-lstm-as-keras"),
    pytest.param([{"gru": 32}], [10, 100], "keras", 3 * (32 * 132 + 32),
                 "GRU with one bias vector (Keras' reset_after=false)", id="gru-reset-before"),
    pytest.param(["batch_norm"], [8, 8, 16], "keras", 32,
                 "batch-norm moving statistics left out (PyTorch keeps them as buffers)",
                 id="keras-bn-as-pytorch"),
    pytest.param(["batch_norm"], [16, 8, 8], "pytorch", 64,
                 "batch-norm running statistics counted as parameters (Keras' convention)",
                 id="pytorch-bn-as-keras"),
    pytest.param([{"conv2d": {"filters": 4, "kernel": 3}}, {"max_pool2d": 2}], [10, 10, 1],
                 "keras", 40 + 5 * 4, "pooling given parameters", id="pooling"),
    pytest.param([{"lstm": 8}], [5, 4], "keras", 4 * (8 * 4 + 8),
                 "recurrent (hidden-to-hidden) weights forgotten", id="recurrent-weights"),
    pytest.param([{"bidirectional": {"gru": 8}}], [5, 4], "keras", 3 * (8 * 12 + 16),
                 "bidirectional layer counted in one direction only", id="bidirectional"),
    pytest.param([{"conv2d": {"filters": 2, "kernel": 3}}, "flatten", {"dense": 1}],
                 [6, 6, 1], "keras", 20 + 6 * 6 * 2 + 1, "`same` and `valid` padding confused",
                 id="padding-in-a-count"),
])
def test_known_count_mistakes(layers: list[Any], input: list[Any], framework: str, claim: int,
                              mistake: str) -> None:
    assert mistake in _mistakes(layers, input, claim, framework)


def test_frozen_and_trainable_count_mistakes() -> None:
    layers = [{"dense": 10, "trainable": False}, "batch_norm", {"dense": 1}]
    total = 20 * 10 + 10 + 40 + 11
    assert "frozen layers ignored" in _mistakes(layers, [20], total - 20, count="trainable")
    assert _mistakes(layers, [20], total, count="trainable") == (
        "every parameter counted, not only the trainable ones",)
    assert "batch-norm moving statistics counted as trainable" in _mistakes(
        layers, [20], 40 + 11, count="trainable")
    assert "frozen layers ignored" in _mistakes(layers, [20], 20, count="non_trainable")


def test_mistakes_are_listed_most_specific_first() -> None:
    # A 1×1 convolution from 2 to 4 channels has 2·4 + 4 = 12 parameters; forgetting the
    # biases and forgetting the input channels both give 8, and both are named: the one that
    # only a convolution can make first (docs/format.md, "When several mistakes match").
    names = _mistakes([{"conv2d": {"filters": 4, "kernel": 1}}], [5, 5, 2], 8)
    assert names == ("input channels forgotten in a convolution", "biases forgotten")


def test_shape_mistakes() -> None:
    layers = [{"conv2d": {"filters": 8, "kernel": 3, "padding": "same"}}]
    assert _mistakes(layers, [28, 28, 1], [26, 26, 8], ask="output_shape") == (
        "`same` and `valid` padding confused",)
    assert _mistakes(layers, [28, 28, 1], [8, 28, 28], ask="output_shape") == (
        "channels first and channels last swapped",)
    assert _mistakes(layers, [28, 28, 1], [28, 28, 3], ask="output_shape") == ()


def test_a_mistake_that_gives_the_truth_is_simply_correct() -> None:
    # One input channel: forgetting the input channels changes nothing.
    truth = truth_of(given_model([{"conv2d": {"filters": 5, "kernel": 3}}], [8, 8, 1]),
                     {"id": "a", "ask": "param_count", "model": "m"})
    assert truth.grade(50).status is Status.CORRECT
    assert all(k.name != "input channels forgotten in a convolution" for k in truth.known)


# --- parts: layer selection, counts ------------------------------------------------------------

def test_param_count_of_one_layer_by_index_or_name() -> None:
    given = given_model([{"conv2d": {"filters": 4, "kernel": 3}, "name": "c1"},
                         {"max_pool2d": 2}, "flatten", {"dense": 10, "name": "out"}], [10, 10, 1])
    assert truth_of(given, {"id": "a", "ask": "param_count", "model": "m",
                            "layer": 0}).expected == 40
    assert truth_of(given, {"id": "a", "ask": "param_count", "model": "m",
                            "layer": "out"}).expected == 4 * 4 * 4 * 10 + 10
    assert truth_of(given, {"id": "a", "ask": "param_count", "model": "m",
                            "layer": "max_pool2d"}).expected == 0
    assert truth_of(given, {"id": "a", "ask": "output_shape", "model": "m",
                            "layer": 1}).expected == [4, 4, 4]
    with pytest.raises(ProblemError, match=r"no layer named `otu` — .* \(did you mean `out`\?\)"):
        truth_of(given, {"id": "a", "ask": "param_count", "model": "m", "layer": "otu"})
    with pytest.raises(ProblemError, match=r"`layer: 4` is past the end"):
        truth_of(given, {"id": "a", "ask": "param_count", "model": "m", "layer": 4})


def test_per_layer_records() -> None:
    recs = records([{"conv2d": {"filters": 4, "kernel": 3}, "name": "c1"}, {"max_pool2d": 2},
                    "flatten", {"dense": 10, "trainable": False}], [10, 10, 1])
    assert [(r.name, r.type, r.output_shape, r.params, r.trainable) for r in recs] == [
        ("c1", "conv2d", (8, 8, 4), 40, True),
        ("max_pool2d", "max_pool2d", (4, 4, 4), 0, True),
        ("flatten", "flatten", (64,), 0, True),
        ("dense", "dense", (10,), 650, False),
    ]
    assert recs[-1].trainable_params == 0 and recs[-1].non_trainable == 650


# --- symbolic sizes ----------------------------------------------------------------------------

def test_two_symbols_give_a_product() -> None:
    truth = truth_of(given_model([{"dense": "k"}], ["n"]),
                     {"id": "a", "ask": "param_count", "model": "m"})
    assert truth.expected == "n*k + k"
    assert truth.grade("k(n + 1)").status is Status.CORRECT
    assert truth.grade("n*k + n").mistakes == ("one bias per input instead of one per unit",)
    assert truth.grade("n*k").mistakes == ("biases forgotten",)


def test_symbolic_image_gives_a_quadratic_and_a_symbolic_shape() -> None:
    given = given_model([{"conv2d": {"filters": 8, "kernel": 3}}, "flatten", {"dense": 10}],
                        ["n", "n", 3], symbols={"n": {"integer": [3, 100]}})
    truth = truth_of(given, {"id": "a", "ask": "param_count", "model": "m"})
    # conv: 3·3·3·8 + 8; dense: 10·8·(n − 2)² + 10
    assert truth.expected == "80*n^2 - 320*n + 554"
    assert truth.grade("(3*3*3*8 + 8) + 10*8*(n-2)^2 + 10").status is Status.CORRECT
    conv_shape = truth_of(given, {"id": "b", "ask": "output_shape", "model": "m", "layer": 0})
    assert conv_shape.expected == ["n - 2", "n - 2", 8]
    assert conv_shape.grade(["n-2", "n-2", 8]).status is Status.CORRECT
    assert conv_shape.grade(["n", "n", 8]).mistakes == ("`same` and `valid` padding confused",)


def test_a_symbol_that_does_not_change_the_count_gives_an_integer() -> None:
    truth = truth_of(given_model([{"lstm": 4}], ["T", 3]),
                     {"id": "a", "ask": "param_count", "model": "m"})
    assert truth.expected == 4 * (4 * 7 + 4)
    assert truth.grade(128).status is Status.CORRECT


def test_symbolic_model_undefined_at_the_domain_end_is_a_problem_error() -> None:
    given = given_model([{"conv2d": {"filters": 8, "kernel": 3}}], ["n", "n", 3])
    with pytest.raises(ProblemError) as info:
        truth_of(given, {"id": "a", "ask": "param_count", "model": "m"})
    assert "at n = 1: model `m`, layer 0 (conv2d): a 3×3 kernel does not fit a 1×1 input" in (
        str(info.value))
    assert "symbols: {n: {integer: [1, 1000]}}" in str(info.value)


def test_a_count_that_is_not_polynomial_is_refused_clearly() -> None:
    given = given_model([{"max_pool1d": 2}, "flatten", {"dense": 1}], ["n", 4],
                        symbols={"n": [2, 1000]})
    with pytest.raises(ProblemError, match="not a polynomial in n"):
        truth_of(given, {"id": "a", "ask": "param_count", "model": "m"})


def test_symbolic_points_are_seeded_by_problem_and_part() -> None:
    given = given_model([{"dense": 10}], ["n"])
    part = {"id": "a", "ask": "param_count", "model": "m"}
    first = truth_of(given, part)
    again = truth_of(given, part)
    other = truth_of(given, {**part, "id": "b"})
    np.testing.assert_array_equal(first.env["n"], again.env["n"])
    assert first.env["n"].tolist() != other.env["n"].tolist()


@pytest.mark.parametrize("poly,names,text", [
    pytest.param(lambda n: 10 * n + 10, ["n"], "10*n + 10", id="linear"),
    pytest.param(lambda n: 3 * n * n - n, ["n"], "3*n^2 - n", id="quadratic"),
    pytest.param(lambda n: -n + 7, ["n"], "-n + 7", id="negative-lead"),
    pytest.param(lambda n: n * (n + 1) // 2, ["n"], "n^2/2 + n/2", id="fraction"),
    pytest.param(lambda n, k: n * k + k, ["n", "k"], "n*k + k", id="product"),
    pytest.param(lambda a, b, c: a * b * c + 2 * a * a, ["a", "b", "c"], "a*b*c + 2*a^2",
                 id="three-symbols"),
    pytest.param(lambda n: 42, ["n"], 42, id="constant"),
])
def test_fit_polynomial_recovers_exact_coefficients(poly: Any, names: list[str],
                                                    text: Any) -> None:
    fitted = fit_polynomial(lambda node: poly(*node), [(1, 1000)] * len(names), 6)
    assert format_polynomial(fitted, names) == text


# --- formula -----------------------------------------------------------------------------------

def _formula(reference: Any, symbols: dict[str, Any] | None = None, **part: Any) -> Any:
    return truth_of({}, {"id": "f", "ask": "formula", "reference": reference,
                         "symbols": symbols or {}, **part})


def test_formula_integer_domain_is_exact() -> None:
    truth = _formula("10n + 10", {"n": {"integer": [1, 1000]}})
    assert truth.exact
    assert truth.grade("10n + 9").status is Status.WRONG  # within 1% for large n
    assert truth.grade("10(n+1)").status is Status.CORRECT


def test_formula_real_domain_uses_the_tolerance() -> None:
    truth = _formula("sigmoid(z)(1 - sigmoid(z))", {"z": {"real": [-3, 3]}})
    assert not truth.exact
    assert len(set(truth.env["z"].tolist())) == 8
    assert truth.grade("exp(-z)/(1 + exp(-z))^2").status is Status.CORRECT
    assert truth.grade("sigmoid(z)").status is Status.WRONG
    assert truth.grade("0.25").status is Status.WRONG  # right at z = 0 only


def test_formula_undeclared_symbol_is_an_integer_in_1_to_1000() -> None:
    truth = _formula("n^2 + 1")
    n = truth.env["n"]
    assert n.min() == 1 and n.max() == 1000 and np.all(n == np.round(n))
    assert truth.grade("n*n + 1").status is Status.CORRECT


def test_formula_small_domain_uses_every_value() -> None:
    truth = _formula("2^k", {"k": {"integer": [0, 3]}})
    assert sorted(set(truth.env["k"].tolist())) == [0, 1, 2, 3]
    assert truth.grade("2^k").status is Status.CORRECT
    assert truth.grade("k + 1").status is Status.WRONG  # equal at k = 0 and k = 1 only


def test_formula_a_plain_number_and_an_unknown_name() -> None:
    truth = _formula(661)
    assert truth.expected == 661 and truth.grade("661").status is Status.CORRECT
    assert _formula("10n + 10").grade("10m + 10").status is Status.INVALID


def test_formula_reference_errors_are_problem_errors() -> None:
    with pytest.raises(ValidationError, match="`reference`: unexpected end"):  # when read
        _formula("10n +")
    with pytest.raises(ProblemError, match="cannot be evaluated"):
        _formula("log(x)", {"x": {"real": [-1, 1]}})
    with pytest.raises(ProblemError, match="needs one domain"):
        _formula("x", {"x": {}})


# --- validation --------------------------------------------------------------------------------

def _invalid(layers: list[Any], input: list[Any] | None = None, **kw: Any) -> str:
    with pytest.raises(ValidationError) as info:
        model(layers, input or [10], **kw)
    messages = [e["msg"] for e in info.value.errors()]
    assert len(messages) == 1 and "\n" not in messages[0]
    return messages[0]


@pytest.mark.parametrize("layers,message", [
    pytest.param([{"dense": 4}, {"dens": 3}], "layer 1: unknown layer type `dens` (did you "
                 "mean `dense`?)", id="unknown-type"),
    pytest.param(["flaten"], "layer 0: unknown layer type `flaten` (did you mean `flatten`?)",
                 id="bare-unknown"),
    pytest.param([{"conv2d": {"filters": 3, "kernal": 3}}], "layer 0 (conv2d): unknown "
                 "argument `kernal` — arguments: filters, kernel, stride, padding, dilation, "
                 "groups, bias, activation (did you mean `kernel`?)", id="unknown-argument"),
    pytest.param(["dense"], "layer 0 (dense): needs `units`", id="missing-argument"),
    pytest.param([{"dense": 0}], "layer 0 (dense): `units` must be a positive integer or a "
                 "symbol, not 0", id="bad-size"),
    pytest.param([{"conv2d": {"filters": 3, "kernel": [3, 3, 3]}}], "layer 0 (conv2d): "
                 "`kernel` needs 2 values (one per spatial axis), found 3", id="kernel-rank"),
    pytest.param([{"conv2d": 3, "kernel": 3, "padding": "full"}], "layer 0 (conv2d): "
                 "`padding` must be valid, same or a non-negative integer", id="padding"),
    pytest.param([{"dense": 2}, {"repeat": 2, "layers": [{"lstm": {}}]}],
                 "layer 1 (lstm, in a repeat block): needs `units`", id="inside-repeat"),
    pytest.param([{"bidirectional": {"dense": 3}}], "layer 0 (bidirectional): `bidirectional` "
                 "wraps one of gru, lstm, simple_rnn, not dense", id="bidirectional"),
    pytest.param([{"dropout": 1.5}], "layer 0 (dropout): `rate` must be a number in [0, 1)",
                 id="rate"),
    pytest.param([{"dense": 2, "name": "a"}, {"dense": 2, "name": "a"}],
                 "layer 1 `a` (dense): the name `a` is already layer 0's", id="duplicate-name"),
    pytest.param([{"flatten": None, "trainable": "no"}], "layer 0 (flatten): `trainable` must "
                 "be true or false", id="trainable"),
])
def test_layer_syntax_errors_are_one_line_and_name_the_layer(layers: list[Any],
                                                             message: str) -> None:
    assert message in _invalid(layers)


def test_repeat_beyond_the_bound_is_refused() -> None:
    message = _invalid([{"dense": 4}, {"repeat": "10^9", "layers": [{"dense": 4}]}])
    assert "layer 1 (repeat): `repeat: 1,000,000,000` of 1 layer expands to 1,000,000,000" in (
        message)
    assert f"{MAX_LAYERS:,}" in message
    assert len(model([{"repeat": MAX_LAYERS, "layers": [{"dense": 1}]}], [1]).expanded) == (
        MAX_LAYERS)


def test_layer_forms_and_aliases() -> None:
    m = model([
        {"conv2d": 32, "kernel_size": 3, "strides": 2, "activation": "relu"},
        {"conv2d": {"filters": 8, "kernel": [3, 1], "use_bias": False}},
        "relu",
        {"dense": 4, "name": "out"},
    ], [28, 28, 1])
    first = m.expanded[0].args
    assert first["filters"] == 32 and first["kernel"] == 3 and first["stride"] == 2
    assert m.expanded[1].args["kernel"] == (3, 1) and m.expanded[1].args["bias"] is False
    assert m.expanded[3].name == "out"


def test_symbols_validation() -> None:
    assert "symbol `k`: a model size is an integer" in _invalid(
        [{"dense": 2}], ["k"], symbols={"k": {"real": [1, 2]}})
    assert "must satisfy 1 <= lo <= hi" in _invalid([{"dense": 2}], ["k"],
                                                    symbols={"k": [0, 5]})
    assert "input size 0 must be a positive integer or a symbol" in _invalid(
        [{"dense": 2}], ["log"])
    m = model([{"dense": "u"}], ["n"], symbols={"n": [2, 9]})
    assert m.symbol_names == ("n", "u") and m.domain("n") == (2, 9)
    assert m.domain("u") == (1, 1000)


def test_model_spec_imports_no_numpy() -> None:
    import subprocess
    import sys

    code = "import sys, nncheck.spec.model; print('numpy' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True)
    assert out.stdout.strip() == "False"


def test_keras_mnist_convnet_example() -> None:
    # keras.io "Simple MNIST convnet": 34,826 parameters.
    recs = records([
        {"Conv2D": 32, "kernel_size": [3, 3], "activation": "relu"},
        {"MaxPooling2D": {"pool_size": [2, 2]}},
        {"Conv2D": 64, "kernel_size": [3, 3], "activation": "relu"},
        {"MaxPooling2D": {"pool_size": [2, 2]}},
        "Flatten",
        {"Dropout": 0.5},
        {"Dense": 10, "activation": "softmax"},
    ], [28, 28, 1])
    assert [r.output_shape for r in recs] == [(26, 26, 32), (13, 13, 32), (11, 11, 64),
                                              (5, 5, 64), (1600,), (1600,), (10,)]
    assert [r.params for r in recs] == [320, 0, 18496, 0, 0, 0, 16010]
    assert count_params(recs) == 34_826


def test_keras_bidirectional_lstm_imdb_example() -> None:
    # keras.io "Bidirectional LSTM on IMDB": 2,757,761 parameters, whatever the review length.
    truth = truth_of(given_model([
        {"embedding": {"input_dim": 20000, "output_dim": 128}},
        {"bidirectional": {"lstm": {"units": 64, "return_sequences": True}}},
        {"bidirectional": {"lstm": 64}},
        {"dense": 1, "activation": "sigmoid"},
    ], ["T"]), {"id": "a", "ask": "param_count", "model": "m"})
    assert truth.expected == 20000 * 128 + 2 * 2 * 4 * (64 * (128 + 64) + 64) + 129
    assert truth.expected == 2_757_761


def test_layer_type_spellings_of_both_frameworks() -> None:
    m = model(["Flatten", {"Linear": 4}, {"BatchNorm1d": None}, {"ReLU": None},
               {"LayerNormalization": None}], [2, 3], "pytorch")
    assert [layer.type for layer in m.expanded] == ["flatten", "dense", "batch_norm", "relu",
                                                   "layer_norm"]
    assert "unknown layer type `MaxPoling2D` (did you mean `max_pool2d`?)" in _invalid(
        [{"MaxPoling2D": 2}])
    assert "the input is not a layer" in _invalid([{"InputLayer": [28, 28, 1]}, {"dense": 2}])


def test_pytorch_input_written_channels_last_gets_a_hint() -> None:
    with pytest.raises(ProblemError, match=r"channels first: write the input as \[C, H, W\]"):
        records([{"conv2d": {"filters": 4, "kernel": 3}}], [28, 28, 1], "pytorch")


def test_framework_specific_refusals() -> None:
    with pytest.raises(ProblemError, match="no padding='same'"):
        records([{"conv2d_transpose": {"filters": 2, "kernel": 3, "padding": "same"}}],
                [3, 5, 5], "pytorch")
    with pytest.raises(ProblemError, match="pooling has no padding='same'"):
        records([{"max_pool2d": {"pool": 2, "padding": "same"}}], [3, 5, 5], "pytorch")
    with pytest.raises(ProblemError, match="ceil_mode"):
        records([{"max_pool2d": {"pool": 2, "ceil_mode": True}}], [5, 5, 3])
    with pytest.raises(ProblemError, match="merge_mode"):
        records([{"bidirectional": {"lstm": 4}, "merge_mode": "sum"}], [5, 3], "pytorch")
    # Keras' causal padding keeps a sequence's length (stride 1).
    assert shape([{"conv1d": {"filters": 4, "kernel": 3, "padding": "causal",
                              "dilation": 2}}], [10, 3]) == [10, 4]


def test_symbolic_keys_grade_as_correct() -> None:
    for layers, input, kw in [
        ([{"dense": 10}], ["n"], {}),
        ([{"dense": "k"}, {"dense": 1}], ["n"], {}),
        ([{"conv2d": {"filters": "f", "kernel": 3}}, "flatten", {"dense": 2}], ["n", "n", 3],
         {"symbols": {"n": [3, 50], "f": [1, 50]}}),
    ]:
        given = given_model(layers, input, **kw)
        for ask in ("param_count", "output_shape"):
            truth = truth_of(given, {"id": "a", "ask": ask, "model": "m"})
            assert truth.grade(truth.key()).status is Status.CORRECT, (layers, ask, truth.key())
