"""Benchmark layer-model counting: VGG-16, and a 1,000-layer model against a 100-layer one;
VGG-16's FLOP count solved and graded, against a 5 ms target and against its parameter count.

Run with `python tests/bench/bench_models.py`. Counting and shape inference should take well
under a millisecond per layer, and ten times the layers should take about ten times as long.
The file is named bench_*.py so that pytest does not collect it.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

from nncheck.engine.layers import count_params, infer_layers
from nncheck.solvers.context import Context
from nncheck.solvers.convolution import solve_flops
from nncheck.solvers.models import solve_param_count
from nncheck.spec.model import ModelSpec
from nncheck.spec.problem import Problem


def vgg16() -> dict[str, Any]:
    """VGG-16 as Keras builds it: 138,357,544 parameters."""
    layers: list[Any] = []
    for filters, convs in ((64, 2), (128, 2), (256, 3), (512, 3), (512, 3)):
        layers.append({"repeat": convs, "layers": [
            {"conv2d": {"filters": filters, "kernel": 3, "padding": "same"}}]})
        layers.append({"max_pool2d": 2})
    layers += ["flatten", {"dense": 4096}, {"dense": 4096}, {"dense": 1000}]
    return {"kind": "model", "input": [224, 224, 3], "layers": layers}


def chain(length: int) -> dict[str, Any]:
    """A model of `length` layers whose shape never shrinks: conv, batch norm, relu, dropout."""
    block = [{"conv2d": {"filters": 16, "kernel": 3, "padding": "same"}}, "batch_norm", "relu",
             {"dropout": 0.1}]
    return {"kind": "model", "input": [32, 32, 16],
            "layers": [{"repeat": length // len(block), "layers": block}]}


def best(fn: Callable[[], object], seconds: float = 0.5) -> float:
    """The fastest of repeated runs, in seconds (the least disturbed by the machine)."""
    times = []
    deadline = time.perf_counter() + seconds
    while time.perf_counter() < deadline or len(times) < 5:
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return min(times)


def solve_time(given: dict[str, Any]) -> float:
    """Seconds to solve a param_count part end to end (the truth and every known mistake)."""
    problem = Problem.model_validate({"id": "bench", "given": {"m": given},
                                      "parts": [{"id": "n", "ask": "param_count", "model": "m"}]})
    ctx = Context(problem=problem, part=problem.parts[0])
    return best(lambda: solve_param_count(problem.parts[0], ctx))  # type: ignore[arg-type]


def report(label: str, given: dict[str, Any]) -> float:
    """Print the per-layer cost of validating, counting and solving one model; return counting."""
    model = ModelSpec.model_validate(given)
    layers = len(model.expanded)
    validate = best(lambda: ModelSpec.model_validate(given))
    count = best(lambda: count_params(infer_layers(model)))
    solve = solve_time(given)
    total = count_params(infer_layers(model))
    print(f"{label:<12} {layers:>6} layers {total:>13,} params | count "
          f"{count * 1e6 / layers:6.2f} µs/layer ({count * 1e3:7.3f} ms) | validate "
          f"{validate * 1e6 / layers:6.2f} µs/layer | solve with mistakes "
          f"{solve * 1e3:7.2f} ms")
    return count


FLOPS_TARGET = 5e-3  # seconds: VGG-16's FLOP count solved and graded


def flops_time(given: dict[str, Any]) -> float:
    """Seconds to solve a `flops` part end to end (truth and mistakes) and grade one claim."""
    problem = Problem.model_validate({"id": "bench", "given": {"m": given},
                                      "parts": [{"id": "f", "ask": "flops", "model": "m"}]})
    ctx = Context(problem=problem, part=problem.parts[0])

    def run() -> None:
        truth = solve_flops(problem.parts[0], ctx)  # type: ignore[arg-type]
        truth.grade("30.97e9")

    return best(run)


def main() -> None:
    """Time the three models in one run and print the scaling ratio."""
    report("VGG-16", vgg16())
    short = report("100 layers", chain(100))
    long = report("1000 layers", chain(1000))
    print(f"1000 / 100 layers: {long / short:.1f}× the time (linear: ~10×)")
    flops = flops_time(vgg16())
    params = solve_time(vgg16())
    print(f"VGG-16 flops solved and graded: {flops * 1e3:.2f} ms, {flops / FLOPS_TARGET:.2f}× "
          f"the {FLOPS_TARGET * 1e3:.0f} ms target, {flops / params:.1f}× its param_count "
          "solve")


if __name__ == "__main__":
    main()
