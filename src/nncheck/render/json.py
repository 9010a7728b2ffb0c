"""Results as the stable JSON of FORMAT §8."""

from __future__ import annotations

import secrets
from typing import Any

from nncheck.compare.numbers import to_json_value
from nncheck.compare.table_rows import Ready, TableRows
from nncheck.compare.verdict import Status
from nncheck.grading import PartResult, ProblemResult, SheetResult
from nncheck.words import json_line


def part_json(part: PartResult, *, solved: bool = False, summarise: bool = False
              ) -> dict[str, Any]:
    """One part: status, points, expected, claimed, message, mistakes, how far off.

    With `summarise`, a large expected table is written as its summary (docs/format.md,
    "Large tables"): a class report repeats it on every line."""
    out: dict[str, Any] = {"id": part.id, "ask": part.ask}
    if not solved:
        out.update(status=part.status.value, points=part.points)
    out["max_points"] = part.max_points
    out["expected"] = _summary(part) if summarise else None
    if out["expected"] is None:
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


def problem_json(problem: ProblemResult, *, solved: bool = False, summarise: bool = False,
                 parts: list[Any] | None = None) -> dict[str, Any]:
    """One problem and its parts (`parts`: what to write for them, where already made)."""
    out: dict[str, Any] = {"id": problem.id, "title": problem.title}
    if not solved:
        out["score"] = problem.score
    out["max_score"] = problem.max_score
    out["parts"] = parts if parts is not None else [
        part_json(p, solved=solved, summarise=summarise) for p in problem.parts]
    if problem.variant is not None:  # added only where the problem varies
        out["variant"] = problem.variant
    return out


def sheet_json(result: SheetResult, *, solved: bool = False, summarise: bool = False,
               problems: list[dict[str, Any]] | None = None) -> dict[str, Any]:
    """A whole sheet (or, with `solved`, the truths with no student fields); `summarise`
    writes large expected tables as their summaries (a class report's lines); `problems`:
    each problem's `problem_json`, where they are already made."""
    out: dict[str, Any] = {}
    if not solved:
        student = result.student
        out["sheet"] = result.sheet
        out["student"] = None if student is None else {"id": student.id, "name": student.name}
        if student is not None and student.email is not None:  # added only where written
            out["student"]["email"] = student.email
        out["score"] = result.score
    out["max_score"] = result.max_score
    out["problems"] = problems if problems is not None else [
        problem_json(p, solved=solved, summarise=summarise) for p in result.problems]
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
    # The rows of a large table are written straight from their array: json.dumps writes a
    # stand-in string, unguessable by a sheet, which their text then replaces.
    tables: list[TableRows] = []
    mark = f"\x00table-rows-{secrets.token_hex(8)}-"

    def stand_in(value: Any) -> str:
        if not isinstance(value, TableRows):
            raise TypeError(f"{type(value).__name__} is not JSON serializable")
        tables.append(value)
        return f"{mark}{len(tables) - 1}"

    text = json_line(data, allow_nan=False, default=stand_in)
    for k, rows in enumerate(tables):
        text = text.replace(json_line(f"{mark}{k}"), rows.json_text(), 1)
    return text


def _summary(part: PartResult) -> dict[str, Any] | None:
    """A large expected table's summary: its columns, row count and SHA-256, and the expected
    rows where the answer differs (the first few); None for any other expected value."""
    expected = part.expected
    if not isinstance(expected, dict) or not isinstance(expected.get("rows"), TableRows):
        return None
    wrong = getattr(part.detail, "wrong_rows", None)
    differing = getattr(wrong, "indices", None)
    if differing is None and part.status is Status.CORRECT:
        differing = ()  # a right design (`realize`) keeps no rows
    return expected["rows"].summary(expected["columns"], differing)


def _plain(value: Any) -> Any:
    """Make a value JSON-safe: numpy numbers and infinities become what FORMAT §8 writes."""
    if type(value) is Ready or isinstance(value, TableRows):
        return value  # already what FORMAT §8 writes
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
