"""Scores set by a person (FORMAT §5): student -> problem -> part -> {points, comment}."""

from __future__ import annotations

from typing import Any

from pydantic import Field, RootModel

from nncheck.spec.common import Real, Strict
from nncheck.spec.part_base import MAX_POINTS
from nncheck.spec.problem import Name


class Override(Strict):
    """A person's score for one part, and what they say about it."""

    points: Real | None = Field(default=None, ge=0, le=MAX_POINTS, allow_inf_nan=False)
    comment: str | None = None


class Overrides(RootModel[dict[Name, dict[Name, dict[Name, Override]]]]):
    """Every override, by student, problem and part."""

    def root_dict(self) -> dict[str, Any]:
        """Plain nested dicts, as grading takes them."""
        return {
            student: {
                problem: {part: o.model_dump(exclude_none=True) for part, o in parts.items()}
                for problem, parts in problems.items()
            }
            for student, problems in self.root.items()
        }
