"""Benchmark one `gradient` part end to end: seed Q7 (iv), a formula graded under re-draws.

Run with `python tests/bench/bench_gradients.py [N]`. Each run solves the part (the network,
the given point and 8 re-draws, backpropagation, every known mistake) and grades the seed
student's answer at all 9 points; the figure is the best of N runs (default 200), which the
issue asks to stay under 5 ms. The file is named bench_*.py so that pytest does not collect it.
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

from nncheck.compare.verdict import Status
from nncheck.io.yaml import read_document
from nncheck.solvers.context import Context
from nncheck.solvers.gradients import solve_gradient
from nncheck.spec.errors import validate
from nncheck.spec.problem import Problem

SEED = Path(__file__).resolve().parents[2] / "problems" / "seed-exam"
BUDGET_MS = 5.0


def main(runs: int = 200) -> float:
    """Print and return the best time, in ms, to solve and grade seed Q7 (iv)."""
    problem = validate(Problem, read_document(SEED / "q7-backprop.yaml"))
    sheet = read_document(SEED / "sheets" / "seed-student.yaml").data
    claim = sheet["answers"]["q7-backprop"]["iv"]
    part = next(p for p in problem.parts if p.id == "iv")
    best = float("inf")
    verdict = None
    for _ in range(runs):
        start = time.perf_counter()
        truth = solve_gradient(part, Context(problem, part))
        verdict = truth.grade(claim)
        best = min(best, time.perf_counter() - start)
    assert verdict is not None and verdict.status is Status.WRONG, verdict
    ms = best * 1e3
    print(f"seed Q7 (iv), form: formula, {truth.points} points, "
          f"{len(truth.known)} known mistakes: {ms:.2f} ms per part "
          f"(best of {runs}; budget {BUDGET_MS:g} ms)")
    print(f"  {verdict.message}")
    return ms


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 200)
