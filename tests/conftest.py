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
