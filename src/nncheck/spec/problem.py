"""Problem files and answer sheets (FORMAT §1)."""

from __future__ import annotations

from typing import Annotated, Any

from pydantic import Discriminator, Field, Tag, model_validator

from nncheck.spec.common import Name, Strict, Tolerance
from nncheck.spec.model import ModelSpec
from nncheck.spec.network import MAX_TABLE_INPUTS, NetworkSpec
from nncheck.spec.parts import ANSWER_PREFIX, PART_MODELS, Part, RealizePart, TruthTablePart


def _given_kind(value: Any) -> str:
    if isinstance(value, dict) and "kind" in value:
        return str(value["kind"])
    return "data"


Given = Annotated[
    Annotated[NetworkSpec, Tag("network")]
    | Annotated[ModelSpec, Tag("model")]
    | Annotated[Any, Tag("data")],
    Discriminator(_given_kind),
]


class Student(Strict):
    """Who wrote a sheet."""

    id: Name = Field(min_length=1)
    name: str | None = None
    email: str | None = None


class Problem(Strict):
    """One problem: what is given, and the parts asked about it."""

    id: Name | None = None
    title: str | None = None
    text: str | None = None
    given: dict[str, Given] = Field(default_factory=dict)
    defaults: dict[str, Any] = Field(default_factory=dict)
    aliases: dict[str, str] = Field(default_factory=dict)
    tolerance: Tolerance | None = None
    parts: list[Part] = Field(min_length=1)
    student: Student | None = None
    answers: dict[Name, Any] | None = None

    @model_validator(mode="before")
    @classmethod
    def _apply_defaults(cls, data: Any) -> Any:
        """Copy `defaults:` into every part that accepts the key and does not set it."""
        if not isinstance(data, dict):
            return data
        defaults = data.get("defaults")
        parts = data.get("parts")
        if not isinstance(defaults, dict) or not defaults or not isinstance(parts, list):
            return data
        merged = []
        for part in parts:
            ask = part.get("ask") if isinstance(part, dict) else None
            model = PART_MODELS.get(ask) if isinstance(ask, str) else None
            if model is None:
                merged.append(part)
                continue
            fields = model.model_fields
            extra = {k: v for k, v in defaults.items() if k in fields and k not in part}
            merged.append({**part, **extra} if extra else part)
        return {**data, "parts": merged}

    @model_validator(mode="after")
    def _check_ids(self) -> Problem:
        seen: set[str] = set()
        for part in self.parts:
            if part.id in seen:
                raise ValueError(f"duplicate part id `{part.id}`")
            seen.add(part.id)
        return self


class Sheet(Strict):
    """A student's answer sheet: problem id -> part id -> value."""

    student: Student
    answers: dict[Name, dict[Name, Any] | None] = Field(default_factory=dict)


def oversized_table(problem: Problem) -> tuple[int, str, int] | None:
    """The first part whose table would have more than MAX_TABLE_INPUTS inputs: its index, the
    key that names the network, and the number of inputs (None when every table fits).

    Checked when the file is read, so that `validate` refuses what solving would refuse.
    """
    for index, part in enumerate(problem.parts):
        if isinstance(part, TruthTablePart):
            key, net = "network", _table_network(problem, part.network)
        elif isinstance(part, RealizePart):
            key, net = "template", _table_network(problem, part.template)
        else:
            continue
        if net is not None and len(net.inputs) > MAX_TABLE_INPUTS:
            return index, key, len(net.inputs)
    return None


def _table_network(problem: Problem, ref: Any, follow: bool = True) -> NetworkSpec | None:
    """The network spec a table part reads: inline, in `given`, or an earlier part's template."""
    if isinstance(ref, NetworkSpec):
        return ref
    if not isinstance(ref, str):
        return None
    if ref.startswith(ANSWER_PREFIX):
        source = next((p for p in problem.parts if p.id == ref[len(ANSWER_PREFIX):]), None)
        template = getattr(source, "template", None)
        return _table_network(problem, template, follow=False) if follow else None
    found = problem.given.get(ref)
    return found if isinstance(found, NetworkSpec) else None
