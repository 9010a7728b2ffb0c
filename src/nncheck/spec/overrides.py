"""Scores set by a person (FORMAT §5).

An overrides file is a mapping. Each key is a student id whose value maps problem -> part ->
`{points, comment}`; besides those, two keys whose value is a list (a student's value is never
one): `rules:`, changes for the whole class, and `groups:`, the answer groups `nncheck review`
writes, each scored once for every student who gave that answer.
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import Field, RootModel, model_validator

from nncheck.spec.common import Real, Strict, empty_list
from nncheck.spec.part_base import MAX_POINTS
from nncheck.spec.problem import Name

LIST_KEYS = ("rules", "groups")  # top-level keys that hold lists, not a student's overrides
MAX_SCALE = 100.0  # the largest factor `scale:` takes


class Override(Strict):
    """A person's score for one part, and what they say about it."""

    points: Real | None = Field(default=None, ge=0, le=MAX_POINTS, allow_inf_nan=False)
    comment: str | None = None


class Overrides(RootModel[dict[Name, dict[Name, dict[Name, Override]]]]):
    """Every per-student override, by student, problem and part."""

    def root_dict(self) -> dict[str, Any]:
        """Plain nested dicts, as grading takes them."""
        return {
            student: {
                problem: {part: o.model_dump(exclude_none=True) for part, o in parts.items()}
                for problem, parts in problems.items()
            }
            for student, problems in self.root.items()
        }


class Rule(Strict):
    """A change for the whole class on one part (`part: problem/part`) or one problem.

    `give: full` gives every student the part's points (a key that was wrong); `accept:` an
    answer graded as the part grades (its own comparison), earning `credit` of the points;
    `scale:` multiplies the points earned and available (0.5 counts the problem half).
    """

    part: str | None = Field(default=None, pattern=r"^[^/]+/[^/]+$")
    problem: Name | None = None
    give: Literal["full"] | None = None
    accept: Any = None
    credit: Real = Field(default=1.0, gt=0, le=1, allow_inf_nan=False)
    scale: Real | None = Field(default=None, ge=0, le=MAX_SCALE, allow_inf_nan=False)
    comment: str | None = None
    variant: int | None = Field(default=None, ge=1)  # an `accept:` for one variant only

    @model_validator(mode="after")
    def _one_change(self) -> Rule:
        if (self.part is None) == (self.problem is None):
            raise ValueError("a rule names either `part: problem/part` or `problem:`")
        changes = [k for k in ("give", "accept", "scale") if getattr(self, k) is not None]
        if len(changes) != 1:
            raise ValueError("a rule makes one change: `give: full`, `accept: ANSWER` or "
                             "`scale: FACTOR`")
        if self.accept is not None and self.part is None:
            raise ValueError("`accept:` is for one part: `part: problem/part`")
        if self.variant is not None and self.accept is None:
            raise ValueError("`variant:` is for an `accept:` rule")
        return self

    @property
    def target(self) -> tuple[str, str | None]:
        """(problem id, part id), the part None for a whole problem."""
        if self.part is not None:
            problem, part = self.part.split("/")
            return problem, part
        return str(self.problem), None


class Group(Strict):
    """One answer group: the students who gave one answer to one part, scored once."""

    key: str = Field(pattern=r"^[0-9a-f]{16}$")
    problem: Name
    part: Name
    status: str | None = None  # what the grader said of the answer (for people)
    answer: Any = None  # the answer as the first student wrote it (for people)
    students: list[Name] = Field(default_factory=empty_list)  # who gave it when review ran
    points: Real | None = Field(default=None, ge=0, le=MAX_POINTS, allow_inf_nan=False)
    comment: str | None = None


class ClassWide(Strict):
    """The list-valued keys of an overrides file."""

    rules: list[Rule] = Field(default_factory=empty_list)
    groups: list[Group] = Field(default_factory=empty_list)


def split_file(data: Any) -> tuple[Any, dict[str, Any]]:
    """An overrides file's data as (per-student part, class-wide part): `rules:` and `groups:`
    are class-wide when their value is a list."""
    if not isinstance(data, dict):
        return data, {}
    wide = {k: v for k, v in data.items() if k in LIST_KEYS and isinstance(v, list)}
    return {k: v for k, v in data.items() if k not in wide}, wide
