"""Results as the stable JSON of FORMAT §8."""

from __future__ import annotations

from typing import Any

from nncheck.compare.numbers import to_json_value
from nncheck.grading import PartResult, ProblemResult, SheetResult
from nncheck.words import json_line


def part_json(part: PartResult, *, solved: bool = False) -> dict[str, Any]:
    """One part: status, points, expected, claimed, message, mistakes, how far off."""
    out: dict[str, Any] = {"id": part.id, "ask": part.ask}
    if not solved:
        out.update(status=part.status.value, points=part.points)
    out["max_points"] = part.max_points
    out["expected"] = _plain(part.expected)
    if not solved:
        out.update(
            claimed=_plain(part.claimed),
            message=part.message,
            mistake=part.mistake,
            mistakes=list(part.mistakes),
            comment=part.comment,
        )
        out["error"] = dict(part.error) if part.error is not None else None
        if part.rule is not None:  # written only where a rule or an answer group applied
            out["rule"] = part.rule
    return out


def problem_json(problem: ProblemResult, *, solved: bool = False) -> dict[str, Any]:
    """One problem and its parts."""
    out: dict[str, Any] = {"id": problem.id, "title": problem.title}
    if not solved:
        out["score"] = problem.score
    out["max_score"] = problem.max_score
    out["parts"] = [part_json(p, solved=solved) for p in problem.parts]
    if problem.variant is not None:  # added only where the problem varies
        out["variant"] = problem.variant
    return out


def sheet_json(result: SheetResult, *, solved: bool = False) -> dict[str, Any]:
    """A whole sheet (or, with `solved`, the truths with no student fields)."""
    out: dict[str, Any] = {}
    if not solved:
        student = result.student
        out["sheet"] = result.sheet
        out["student"] = None if student is None else {"id": student.id, "name": student.name}
        if student is not None and student.email is not None:  # added only where written
            out["student"]["email"] = student.email
        out["score"] = result.score
    out["max_score"] = result.max_score
    out["problems"] = [problem_json(p, solved=solved) for p in result.problems]
    if not solved:
        out["passed"] = result.passed
        out["warnings"] = list(result.warnings)
    if result.seed is not None:
        out["seed"] = dict(result.seed)
    if result.variant is not None:  # added only where problems vary
        out["variant"] = result.variant
    return out


def dumps(data: Any) -> str:
    """Compact, key-order-stable JSON on one line (byte-identical for the same results).

    Unicode is kept, but every control, bidirectional override and line separator is written as
    `\\uXXXX`: a terminal or a JSON Lines reader sees it as text; the decoded value is the same.
    """
    return json_line(data, allow_nan=False)


def _plain(value: Any) -> Any:
    """Make a value JSON-safe: numpy numbers and infinities become what FORMAT §8 writes."""
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        if all(type(v) is int for v in value):
            return list(value)  # the common case (table rows, shapes): nothing to convert
        return [_plain(v) for v in value]
    if isinstance(value, bool) or value is None or isinstance(value, str):
        return value
    if isinstance(value, (int, float)) or hasattr(value, "dtype"):
        return to_json_value(value)
    return str(value)
