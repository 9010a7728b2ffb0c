"""Benchmark one `optimizer_step` part: 100 Adam steps on a 1,000-parameter vector.

Run with `python tests/bench/bench_training.py`. The part (L2 weight decay, so every step
depends on the parameters) is solved — the truth and every replayed mistake, side by side —
and a claim of one parameter graded; the figure is the best of repeated runs, which should
stay under 5 ms. (Every optimizer steps each parameter on its own gradient, so a part that
asks for one parameter of a given gradient steps that one only.)
The baseline, measured in the same run, is a bare numpy Adam loop over the same steps with no
mistakes: the ratio says what the replays and the grading cost on top. A claim of all 1,000
values is timed apart: reading that many expressions is the grading's own cost.
The file is named bench_*.py so that pytest does not collect it.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

import numpy as np

from nncheck.compare.verdict import Status
from nncheck.solvers.context import Context
from nncheck.solvers.training import solve_optimizer_step
from nncheck.spec.problem import Problem

BUDGET_MS = 5.0
SIZE, STEPS = 1_000, 100


def best(fn: Callable[[], object], seconds: float = 1.0) -> float:
    """The fastest of repeated runs, in seconds (the least disturbed by the machine)."""
    times = []
    deadline = time.perf_counter() + seconds
    while time.perf_counter() < deadline or len(times) < 5:
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return min(times)


def bare_adam(w0: np.ndarray, g: np.ndarray, lr: float, decay: float) -> np.ndarray:
    """Adam as a few numpy lines: the truth alone, no mistakes, no reading, no grading."""
    w, m, v = w0.copy(), np.zeros_like(w0), np.zeros_like(w0)
    for t in range(1, STEPS + 1):
        grad = g + decay * w
        m = 0.9 * m + 0.1 * grad
        v = 0.999 * v + 0.001 * grad * grad
        w = w - lr / (1 - 0.9**t) * m / (np.sqrt(v) / np.sqrt(1 - 0.999**t) + 1e-8)
    return w


def main() -> None:
    """Time the part solved and graded, against the bare loop, and print the figures."""
    rng = np.random.default_rng(0)
    w0, g = rng.normal(size=SIZE).round(4), rng.normal(size=SIZE).round(4)
    part: dict[str, Any] = {"id": "adam", "ask": "optimizer_step", "optimizer": "adam",
                            "lr": 0.01, "weight_decay": 0.01, "params": w0.tolist(),
                            "grads": g.tolist(), "steps": STEPS}
    want = bare_adam(w0, g, 0.01, 0.01)

    def solve_and_grade(which: dict[str, Any], claim: Any) -> None:
        truth = solve_optimizer_step(problem[str(which)].parts[0],
                                     Context(problem[str(which)], problem[str(which)].parts[0]))
        verdict = truth.grade(claim)
        assert verdict.status is Status.CORRECT, verdict

    # validated once, as a bank is read once; solving starts from the validated part
    problem = {str(w): Problem.model_validate({"id": "bench", "parts": [{**part, **w}]})
               for w in ({"which": 7}, {})}
    one = best(lambda: solve_and_grade({"which": 7}, float(want[7])))
    bare = best(lambda: bare_adam(w0, g, 0.01, 0.01))
    print(f"Adam, {STEPS} steps of {SIZE:,} parameters, solved (truth and every mistake) and "
          f"graded (a claim of one parameter): {one * 1e3:.2f} ms (best of runs; budget "
          f"{BUDGET_MS:g} ms: {'within' if one * 1e3 <= BUDGET_MS else 'OVER'})")
    print(f"  a bare numpy Adam loop, same steps: {bare * 1e3:.2f} ms; the part costs "
          f"{one / bare:.1f}× the bare loop")
    full = problem[str({})]
    solved = best(lambda: solve_optimizer_step(full.parts[0], Context(full, full.parts[0])))
    print(f"  all {SIZE:,} parameters asked: solved (truth and every mistake) in "
          f"{solved * 1e3:.2f} ms, {solved / bare:.1f}× the bare loop (each mistake is a run)")
    whole = best(lambda: solve_and_grade({}, want.tolist()), seconds=2.0)
    print(f"  the same part solved and graded against a claim of all {SIZE:,} values: "
          f"{whole * 1e3:.1f} ms, {(whole - solved) * 1e3:.1f} ms of it grading "
          f"({whole / one:.1f}× the one-value claim; budget 5 ms: "
          f"{'within' if whole <= 5e-3 else 'over'})")


if __name__ == "__main__":
    main()
