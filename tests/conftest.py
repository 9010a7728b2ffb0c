"""Shared fixtures: problems built from dicts, and the repository's problem folders."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from nncheck.solvers.context import Context
from nncheck.spec.problem import Problem

ROOT = Path(__file__).resolve().parent.parent
PROBLEMS = ROOT / "problems"
SEED = PROBLEMS / "seed-exam"

# A problem whose every variant is plain to compute by hand: y = (1, 0), so the loss is -ln p,
# and p is drawn from 0.1..0.9 but never 0.5 (the printed exam's -ln 0.5 is wrong in every
# variant).
VARIED_LOSS = """\
id: small
given:
  y: [1, 0]
  pred: [0.5, 0.5]
vary:
  variants: 5
  draw:
    p: {at: pred.0, range: [0.1, 0.9], step: 0.1}
    q: {at: pred.1, value: "1 - p", decimals: 1}
  where: ["p != 0.5"]
parts:
  - {id: a, ask: loss, fn: cross_entropy, y_true: y, y_pred: pred}
"""


def make_problem(data: dict[str, Any]) -> Problem:
    """A validated problem from a dict (id defaults to `p`)."""
    return Problem.model_validate({"id": "p", **data})


def context(data: dict[str, Any], part: int | str = 0, **kw: Any) -> Context:
    """The solver context of one part of a problem written as a dict."""
    problem = make_problem(data)
    if isinstance(part, str):
        chosen = next(p for p in problem.parts if p.id == part)
    else:
        chosen = problem.parts[part]
    return Context(problem, chosen, **kw)


@pytest.fixture
def seed_dir() -> Path:
    """The seed exam's problem bank."""
    return SEED
