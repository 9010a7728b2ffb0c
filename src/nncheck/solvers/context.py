"""What a solver sees of the problem, the part and (for error carried forward) the sheet."""

from __future__ import annotations

import functools
import json
import zlib
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np

from nncheck import expr
from nncheck.compare.tolerance import Tolerance
from nncheck.errors import AnswerError, ExprError, ProblemError
from nncheck.solvers import seeding
from nncheck.spec.graph import GraphSpec
from nncheck.spec.model import ModelSpec
from nncheck.spec.network import NetworkSpec, TemplateSpec
from nncheck.spec.parts import ANSWER_PREFIX, PartBase
from nncheck.spec.problem import Problem

if TYPE_CHECKING:
    from nncheck.engine.graph import Graph
    from nncheck.engine.network import Network



@dataclass(frozen=True)
class Context:
    """The problem and part being solved, the tolerance in force, and the student's answers.

    `answers` is the student's answers to this problem, or None when solving without a sheet
    (then `answer.<part-id>` means that part's `solution:`).
    """

    problem: Problem
    part: PartBase
    tolerance: Tolerance = Tolerance()
    answers: Mapping[str, Any] | None = None
    resolved: dict[str, Any] = field(default_factory=dict, compare=False)
    secret: bytes = field(default=b"", repr=False)  # the course secret (seeding.py)

    @functools.cached_property
    def seed(self) -> int:
        """The part's seed: the course secret, the problem's content and the part's id, so
        the points are reproducible and, with a secret, cannot be computed by a student."""
        digest = problem_digest(self.problem)
        return seeding.part_seed(self.secret, digest, str(self.problem.id), str(self.part.id))

    def rng(self, salt: str = "") -> np.random.Generator:
        """A generator seeded from the part's seed (and an optional salt)."""
        return np.random.default_rng([self.seed, zlib.crc32(salt.encode())])

    def claim_rng(self, claim: Any, salt: str = "") -> np.random.Generator:
        """A generator for a second round of points, seeded by the claim as written too."""
        # Written as JSON, as a class's verdicts are remembered: 1, 1.0 and "1" differ.
        text = json.dumps(claim, default=repr, ensure_ascii=False)
        seed = seeding.claim_seed(self.seed, f"{salt}\0{text}")
        return np.random.default_rng(seed)

    @property
    def aliases(self) -> Mapping[str, str]:
        """The problem's notation aliases, and the constants its networks bind as names."""
        return self.problem.notation

    def given(self, ref: str) -> Any:
        """A key of `given` (a ProblemError names the keys there are)."""
        try:
            return self.problem.given[ref]
        except KeyError:
            known = ", ".join(sorted(self.problem.given)) or "none"
            raise ProblemError(
                f"part `{self.part.id}` names `{ref}`, which is not in `given`",
                expected=f"one of: {known}",
            ) from None

    def model(self, ref: str) -> ModelSpec:
        """A given layer model."""
        value = self.given(ref)
        if not isinstance(value, ModelSpec):
            raise ProblemError(f"`{ref}` is not a model", expected="a given with `kind: model`")
        return value

    def template(self, ref: str | TemplateSpec) -> TemplateSpec | NetworkSpec:
        """A template written inline or named in `given`."""
        if not isinstance(ref, str):
            return ref
        value = self.given(ref)
        if not isinstance(value, NetworkSpec):
            raise ProblemError(
                f"`{ref}` is not a network", expected="a given with `kind: network`"
            )
        return value

    def network(self, ref: str) -> Network:
        """A given network, or the student's network answer to an earlier part."""
        from nncheck.engine import network

        if ref in self.resolved:
            return self.resolved[ref]
        if ref.startswith(ANSWER_PREFIX):
            result = self._answer_network(ref[len(ANSWER_PREFIX):])
        else:
            spec = self.given(ref)
            if not isinstance(spec, NetworkSpec):
                raise ProblemError(
                    f"`{ref}` is not a network", expected="a given with `kind: network`"
                )
            result = network.build(spec, name=ref)
        self.resolved[ref] = result
        return result

    def graph(self, ref: str) -> Graph:
        """A given computational graph."""
        from nncheck.engine import graph

        key = f"graph:{ref}"
        if key not in self.resolved:
            spec = self.given(ref)
            if not isinstance(spec, GraphSpec):
                raise ProblemError(f"`{ref}` is not a graph", expected="a given with `kind: graph`")
            self.resolved[key] = graph.build(spec, name=ref)
        found: Graph = self.resolved[key]
        return found

    def _answer_network(self, part_id: str) -> Network:
        from nncheck.engine import design as network

        source = next((p for p in self.problem.parts if p.id == part_id), None)
        template = getattr(source, "template", None)
        if source is None or template is None:
            raise ProblemError(
                f"`answer.{part_id}` names no part with a network answer",
                expected="the id of a `realize` or `equivalent` part",
            )
        spec = self.template(template)
        if self.answers is None:
            if source.solution is None:
                raise ProblemError(
                    f"part `{part_id}` has no `solution:`, so `answer.{part_id}` "
                    "cannot be solved without a sheet"
                )
            try:
                return network.fill(spec, source.solution, name=f"solution of {part_id}")
            except (AnswerError, ExprError) as exc:  # the instructor's, not a student's
                raise ProblemError(
                    f"depends on the `solution:` of `{part_id}`, which does not fit its "
                    f"template: {exc}"
                ) from None
        claimed = self.answers.get(part_id)
        if claimed is None:
            raise AnswerError(f"depends on your answer to `{part_id}`, which is missing")
        try:
            return network.fill(spec, claimed, name=f"answer to {part_id}")
        except (AnswerError, ExprError) as exc:
            raise AnswerError(
                f"depends on your answer to `{part_id}`, which cannot be read: {exc}"
            ) from None

    def data(self, value: Any) -> np.ndarray:
        """Numbers written inline or named in `given`, as a float array."""
        if isinstance(value, str) and value in self.problem.given:
            value = self.problem.given[value]
        try:
            return np.asarray(_numbers(value), dtype=float)
        except (ExprError, ValueError, TypeError) as exc:
            raise ProblemError(
                f"part `{self.part.id}`: cannot read {value!r} as numbers: {exc}"
            ) from None

    def point(self, values: Mapping[str, Any]) -> dict[str, float]:
        """Numbers of a mapping (e.g. an `input:`), each a number or an expression."""
        out = {}
        for name, v in values.items():
            try:
                out[name] = float(expr.parse(v).evaluate({}))
            except ExprError as exc:
                raise ProblemError(f"part `{self.part.id}`: `{name}`: {exc}") from None
        return out


def problem_digest(problem: Problem) -> bytes:
    """The digest of a problem's validated content (what its sample points depend on)."""
    return seeding.content_digest(problem.model_dump_json())


def _numbers(value: Any) -> Any:
    if isinstance(value, list):
        return [_numbers(v) for v in value]
    if isinstance(value, bool) or value is None or isinstance(value, dict):
        raise ValueError(f"{value!r} is not a number")
    return float(expr.parse(value).evaluate({}))
