"""What a report shows, as plain data: the rich and text renderers both draw from this.

Every string here is inert (`words.inert`): a student's answer, id or key, and a problem's
title, reach a report as visible text on one line, never as a control sequence or a new line.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from nncheck.compare.numbers import format_value
from nncheck.compare.table_rows import TableRows
from nncheck.compare.tables import TableDetail
from nncheck.compare.verdict import Status, counted
from nncheck.grading import PartResult, ProblemResult, SheetResult
from nncheck.words import inert, one_line

MARK = {
    Status.CORRECT: "✓",
    Status.WRONG: "✗",
    Status.MISSING: "·",
    Status.INVALID: "!",
    Status.PENDING: "…",
    Status.GRADED: "✎",
}


@dataclass(frozen=True)
class Row:
    """One part's line in a problem's table."""

    part: str
    ask: str
    expected: str
    claimed: str
    status: Status
    points: str
    shown_only: bool  # `points: 0`: shown, not graded


@dataclass(frozen=True)
class Note:
    """What is said under a part that is not simply correct."""

    part: str
    lines: tuple[str, ...]
    table: tuple[tuple[str, ...], tuple[tuple[tuple[str, bool], ...], ...]] | None = None


def cell(value: Any) -> str:
    """A value in one inert line, never shortened: numbers, vectors and text in full, tables
    and networks summarised by their shape (`blocks` lays them out whole). Any value read from
    YAML is shown, whatever its shape; runs of white space become one space."""
    if value is None:
        return "—"
    if isinstance(value, dict):
        text = _summarise_mapping(value)
    elif isinstance(value, (list, tuple)):
        text = format_value(list(value)) if all(
            isinstance(v, (int, float)) and not isinstance(v, bool) for v in value
        ) else "[" + ", ".join("None" if v is None else cell(v) for v in value) + "]"
        # (None inside a list is Keras' batch axis `(None, 29, 29, 32)`, as written: not "—")
    elif isinstance(value, float) or (isinstance(value, int) and not isinstance(value, bool)):
        text = format_value(value)
    else:
        text = one_line(str(value))
    return inert(text)


def _summarise_mapping(value: dict[Any, Any]) -> str:
    """Tables and networks by their shape; small mappings in full."""
    if "columns" in value and "rows" in value and isinstance(value["rows"], (list, TableRows)):
        n = len(value["rows"])
        return f"table, {n} row{'s' * (n != 1)}"
    layers = value.get("layers")
    if isinstance(layers, (list, dict)) or (layers is None and "layers" in value):
        return f"network, {len(layers or [])} layers"
    if value and all(isinstance(v, dict) and ("w" in v or "b" in v) for v in value.values()):
        return "network: " + ", ".join(map(_key, value))
    if value and all(isinstance(v, (dict, list, str)) for v in value.values()) and any(
        isinstance(v, (dict, list)) for v in value.values()
    ):
        return "table: " + ", ".join(map(_key, value))
    return "{" + ", ".join(f"{_key(k)}: {cell(v)}" for k, v in value.items()) + "}"


def _key(key: Any) -> str:
    return inert(one_line(str(key)))


def verdict(row: Row) -> str:
    """`✓ correct`; a part shown, not graded, says so."""
    if row.shown_only and row.status is Status.MISSING:
        return "— shown, not graded"
    text = f"{MARK[row.status]} {row.status.value}"
    return text + " (not graded)" if row.shown_only else text


def points(part: PartResult) -> str:
    """`3/4`, or `—` for a part that is shown, not graded."""
    if part.max_points == 0:
        return "—"
    if part.status is Status.PENDING:
        return f"?/{_num(part.max_points)}"
    return f"{_num(part.points)}/{_num(part.max_points)}"


def _num(x: float) -> str:
    """Points as a person writes them: 6, 0.5, 1.33, and never `0.` for a sliver of credit."""
    if float(x).is_integer():
        return str(int(x))
    text = f"{x:.2f}".rstrip("0").rstrip(".")
    return text if text not in ("0", "-0") else f"{x:.2g}"


def rows(problem: ProblemResult) -> list[Row]:
    """The lines of a problem's table."""
    return [row(p) for p in problem.parts]


def row(p: PartResult) -> Row:
    """One part's line of its problem's table."""
    return Row(inert(p.id), inert(p.ask), cell(p.expected), cell(p.claimed), p.status,
               points(p), p.max_points == 0)


def notes(problem: ProblemResult, *, reveal: str = "expected") -> list[Note]:
    """What to say under parts that are wrong, invalid, pending, on the boundary or commented."""
    return [n for n in (note(p, reveal=reveal) for p in problem.parts) if n is not None]


def note(p: PartResult, *, reveal: str = "expected") -> Note | None:
    """What to say under one part (None: nothing)."""
    lines = []
    message = _message(p, reveal)
    if message:
        lines.append(message)
    lines += [f"known mistake: {m}" for m in mistakes(p, reveal)]
    if p.comment:
        lines.append(f"grader: {p.comment}")
    table = _table(p.detail) if reveal == "expected" else None
    if lines or table:
        return Note(inert(p.id), tuple(dict.fromkeys(map(inert, lines))), table)
    return None


def mistakes(part: PartResult, reveal: str) -> tuple[str, ...]:
    """The known mistakes that may be named at a reveal level: none at `verdict`; at `mistake`,
    the catalogue's and the instructor's, not the automatic slips (the sign flipped, ×10, the
    answer to another part ... are the truth transformed: naming one gives the answer away)."""
    if reveal == "verdict":
        return ()
    if reveal == "expected":
        return part.mistakes
    return tuple(m for m in part.mistakes if m not in part.slips)


def _message(part: PartResult, reveal: str) -> str | None:
    """The part's message, or what may be said of it without giving the answer away."""
    # A wrong answer's message names the expected value, a pending part's is the rubric, and a
    # regraded part keeps the message of its first verdict: below `expected`, all three give
    # way. A correct answer's note and an unreadable answer's reason speak of the student's own.
    if not part.message or part.status is Status.MISSING:
        return None
    if reveal == "expected" or part.status in (Status.CORRECT, Status.INVALID):
        return part.message
    if part.status is Status.WRONG:
        return "does not match the expected answer"
    if part.status is Status.PENDING:
        return "waiting for a person to grade it"
    return None


def _table(detail: Any) -> Any:
    if not isinstance(detail, TableDetail) or not detail.wrong_rows:
        return None
    cols = [c.column for c in next((r.cells for r in detail.wrong_rows if r.cells), ())]
    header = ("row", *map(_key, cols))
    body = []
    for r in detail.wrong_rows[:8]:
        if r.missing:
            body.append(((inert(r.row), True), *((("missing", False),) * len(cols))))
            continue
        cells = [(inert(r.row), True)]
        for c in r.cells:
            shown = cell(c.claimed)
            text = shown if c.ok else f"{shown} (≠ {cell(c.expected)})"
            cells.append((text, c.ok))
        body.append(tuple(cells))
    if len(detail.wrong_rows) > 8:
        body.append(((f"… {len(detail.wrong_rows) - 8} more", True),) + (("", True),) * len(cols))
    return header, tuple(body)


def summary(result: SheetResult) -> str:
    """`Total 17/20 — 1 wrong, 2 pending`."""
    last = _SUMMARY[0]
    if last is not None and last[0] is result:  # a sheet's files ask for it in turn
        return last[1]
    counts: dict[str, int] = {}
    for prob in result.problems:  # each problem's counted once (a class shares its problems)
        for status, n in prob.counted.items():
            counts[status] = counts.get(status, 0) + n
    said = _headline(result.score, result.max_score, counts)
    _SUMMARY[0] = (result, said)
    return said


_SUMMARY: list[tuple[SheetResult, str] | None] = [None]  # the last sheet summed up (frozen)


def headline(score: float, max_score: float, parts: Iterable[tuple[str, float]]) -> str:
    """`Total 17/20 — 1 wrong, 2 pending` from the score and each part's (status, max points):
    from a result, or from its results.jsonl line."""
    return _headline(score, max_score, counted(parts))


_SAID = tuple(s.value for s in (Status.CORRECT, Status.WRONG, Status.MISSING, Status.INVALID,
                                Status.PENDING, Status.GRADED))  # in a headline, in this order


def _headline(score: float, max_score: float, counts: Mapping[str, int]) -> str:
    """`headline` from how many parts of each status it counts."""
    said = [f"{counts[s]} {s}" for s in _SAID if counts.get(s)]
    return f"Total {_num(score)}/{_num(max_score)} — " + ", ".join(said)


def heading(result: SheetResult) -> str:
    """Who and which file."""
    who = ""
    if result.student is not None:
        who = result.student.id + (f" ({result.student.name})" if result.student.name else "")
    where = result.sheet or ""
    variant = f"variant {result.variant}" if result.variant is not None else ""
    return inert(" — ".join(x for x in (who, where, variant) if x))


def title(problem: ProblemResult) -> str:
    """`q1 — Exactly two of three  [6/10]`: a problem's heading."""
    named = f"{problem.id}" + (f" — {problem.title}" if problem.title else "")
    return inert(f"{named}  [{_num(problem.score)}/{_num(problem.max_score)}]")


def warnings(result: SheetResult) -> list[str]:
    """The sheet's warnings, each one inert line."""
    return [inert(f"warning: {w}") for w in result.warnings]


def solved_title(problem: ProblemResult) -> str:
    """`q1 — Exactly two of three  [10 points]`: a problem's heading in `solve`."""
    named = f"{problem.id}" + (f" — {problem.title}" if problem.title else "")
    return inert(f"{named}  [{_num(problem.max_score)} point{'s' * (problem.max_score != 1)}]")


def solved_summary(result: SheetResult) -> str:
    """`Total 40 points in 24 parts`: the last line of `solve`."""
    n = sum(len(prob.parts) for prob in result.problems)
    return (f"Total {_num(result.max_score)} point{'s' * (result.max_score != 1)} "
            f"in {n} part{'s' * (n != 1)}")


def solved_points(part: PartResult) -> str:
    """A part's points in `solve`: `2`, or `—` for a part that is shown, not graded."""
    return "—" if part.max_points == 0 else _num(part.max_points)
