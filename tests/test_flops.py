"""`ask: flops` / `ask: macs` against ptflops (recorded in tests/oracle/flops.json: no torch or
ptflops needed here), and `ask: activation_memory` against counts written out by hand."""

from __future__ import annotations

from typing import Any

import pytest

from conftest import context
from nncheck.compare.verdict import Status
from nncheck.errors import ProblemError
from nncheck.solvers.convolution import solve_activation_memory, solve_flops
from oracle import data, flops

RECORDED = data.answers("flops")


def _solve(layers: list[Any], input: list[Any], framework: str = "pytorch",
           **part: Any) -> Any:
    ctx = context({"given": {"m": {"kind": "model", "framework": framework, "input": input,
                                   "layers": layers}},
                   "parts": [{"id": "a", "model": "m", **part}]})
    solver = solve_activation_memory if part["ask"] == "activation_memory" else solve_flops
    return solver(ctx.part, ctx)


@pytest.mark.parametrize("case", [pytest.param(c, id=c.id) for c in flops.CASES])
def test_macs_match_ptflops(case: flops.FlopsCase) -> None:
    # ptflops counts a bias add as one MAC at every output position (`bias: true`); the same
    # module without biases gives the count of `bias: false`. FLOPs are 2 × MACs.
    if case.id not in RECORDED:
        pytest.fail(f"case {case.id} is not recorded: run {data.RECORDED_BY}")
    want = RECORDED[case.id]
    assert _solve(case.layers, case.input, ask="macs").expected == want["macs"]
    assert _solve(case.layers, case.input, ask="macs", bias=False).expected == want["weights"]
    assert _solve(case.layers, case.input, ask="flops").expected == 2 * want["macs"]


def test_vgg16_has_the_published_count() -> None:
    # ptflops' table of torchvision models: vgg16, 15.48 GMac.
    assert round(RECORDED["vgg16"]["macs"] / 1e9, 2) == 15.48


def test_a_layer_and_a_batch() -> None:
    # conv 3×3, 3 -> 4 channels on 8×8 (channels last, valid): 6·6·4 outputs of 27 MACs + 1 add.
    layers = [{"conv2d": {"filters": 4, "kernel": 3}}, "flatten", {"dense": 10}]
    conv = _solve(layers, [8, 8, 3], "keras", ask="macs", layer=0)
    assert conv.expected == 6 * 6 * 4 * (27 + 1)
    batch = _solve(layers, [8, 8, 3], "keras", ask="flops", batch=5)
    assert batch.expected == 2 * 5 * (6 * 6 * 4 * 28 + 144 * 10 + 10)
    assert batch.grade(2 * (6 * 6 * 4 * 28 + 1450)).mistakes == ("batch size left out",)


def test_mistakes_are_named() -> None:
    layers = [{"conv2d": {"filters": 4, "kernel": 3}}]
    truth = _solve(layers, [8, 8, 3], "keras", ask="flops")  # 2·4032 = 8064
    assert truth.grade(4032).mistakes == ("MACs given for FLOPs (a MAC is two FLOPs)",)
    assert truth.grade(2 * 3888).mistakes == ("bias adds left out",)
    # input channels forgotten: 6·6·4·(9 + 1) = 1440 MACs
    assert truth.grade(2880).mistakes == ("input channels forgotten in a convolution",)


def test_a_rounded_figure_passes_within_the_parts_tolerance() -> None:
    vgg = RECORDED["vgg16"]["macs"]
    case = next(c for c in flops.CASES if c.id == "vgg16")
    exact = _solve(case.layers, case.input, ask="macs")
    assert exact.grade(15.48e9).status is Status.WRONG
    rounded = _solve(case.layers, case.input, ask="macs", tolerance={"rel": 0.01})
    assert rounded.grade(15.48e9).status is Status.CORRECT
    assert rounded.grade(vgg / 2).status is Status.WRONG


def test_layers_whose_cost_is_not_counted_are_refused() -> None:
    with pytest.raises(ProblemError, match=r"the multiply–adds of a `lstm` layer are not "
                       "counted"):
        _solve([{"lstm": 4}], [5, 3], ask="macs")


# --- activation memory ---------------------------------------------------------------------------

SMALL = [{"conv2d": {"filters": 4, "kernel": 3}}, "relu", "flatten", {"dense": 10}]


@pytest.mark.parametrize("part,want", [
    # input 8·8·3 = 192, conv 6·6·4 = 144, dense 10; the ReLU in place, flatten a view
    pytest.param({"unit": "values"}, 192 + 144 + 10, id="values"),
    pytest.param({}, 4 * 346, id="float32"),
    pytest.param({"dtype": "float64", "batch": 3}, 8 * 3 * 346, id="float64-batch"),
    pytest.param({"dtype": "bfloat16", "include_input": False}, 2 * 154, id="no-input"),
    pytest.param({"layer": 0, "unit": "values"}, 192 + 144, id="up-to-a-layer"),
])
def test_activation_memory(part: dict[str, Any], want: int) -> None:
    assert _solve(SMALL, [8, 8, 3], "keras", ask="activation_memory", **part).expected == want


def test_vgg16_activations_add_up_to_cs231n_rows() -> None:
    # CS231n's VGGNet table, row by row (input, conv blocks and pools, fc6-fc8).
    rows = (224 * 224 * 3 + 2 * 224 * 224 * 64 + 112 * 112 * 64 + 2 * 112 * 112 * 128
            + 56 * 56 * 128 + 3 * 56 * 56 * 256 + 28 * 28 * 256 + 3 * 28 * 28 * 512
            + 14 * 14 * 512 + 3 * 14 * 14 * 512 + 7 * 7 * 512 + 4096 + 4096 + 1000)
    case = next(c for c in flops.CASES if c.id == "vgg16")
    truth = _solve(case.layers, case.input, ask="activation_memory", unit="values")
    assert truth.expected == rows


def test_memory_mistakes_are_named() -> None:
    truth = _solve(SMALL, [8, 8, 3], "keras", ask="activation_memory")
    assert truth.grade(4 * 154).mistakes == ("the input left out",)
    assert truth.grade(32 * 346).mistakes == ("bits, not bytes",)
    # the ReLU's and the flatten's outputs counted: 346 + 144 + 144
    assert truth.grade(4 * 634).mistakes == (
        "activation, dropout and reshape layers counted as tensors of their own",)


def test_separable_and_depthwise_count_both_steps() -> None:
    # Keras, 8×8×4, 3×3 valid: 6×6 positions. Depthwise: 3·3·4 = 36 MACs a position; pointwise
    # to 8 filters: 4·8 = 32; the 8 biases (pointwise only): 8. (36 + 32 + 8)·36 = 2736.
    separable = _solve([{"separable_conv2d": {"filters": 8, "kernel": 3}}], [8, 8, 4], "keras",
                       ask="macs")
    assert separable.expected == (36 + 32 + 8) * 36
    # Depthwise alone, multiplier 2: 3·3·4·2 = 72 MACs and 8 biases a position.
    depthwise = _solve([{"depthwise_conv2d": {"kernel": 3, "depth_multiplier": 2}}],
                       [8, 8, 4], "keras", ask="macs")
    assert depthwise.expected == (72 + 8) * 36


def test_the_examples_grade_correct() -> None:
    from typer.testing import CliRunner

    from conftest import PROBLEMS
    from nncheck.cli import app

    bank = PROBLEMS / "conv-arithmetic"
    result = CliRunner().invoke(app, ["check", str(bank / "sheets" / "conv-student.yaml"),
                                      "--problems", str(bank), "--format", "text"])
    assert result.exit_code == 0, result.output
    assert "Total 11/11 — 11 correct" in result.output


def test_a_symbolic_size_gives_a_polynomial() -> None:
    # dense 10 on [n]: 10n MACs and 10 bias adds; 2(10n + 10) FLOPs; n + 10 values.
    macs = _solve([{"dense": 10}], ["n"], ask="macs")
    assert macs.expected == "10*n + 10"
    assert macs.grade("10n + 10").status is Status.CORRECT
    assert macs.grade("10n").mistakes == ("bias adds left out",)
    assert _solve([{"dense": 10}], ["n"], ask="flops").grade("20n + 20").status is \
        Status.CORRECT
    memory = _solve([{"dense": 10}], ["n"], ask="activation_memory", unit="values")
    assert memory.grade("n + 10").status is Status.CORRECT
