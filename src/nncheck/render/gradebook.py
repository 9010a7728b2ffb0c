"""The files of a class report, as text: grades.csv rows, results.jsonl lines, feedback and
Gradescope files. Nothing here touches the disk (`gradebook` writes what these return).

Outputs (under --out):
  grades.csv      UTF-8 with a byte-order mark (Excel needs it to read names as UTF-8; Canvas,
                  Moodle and Python's `utf-8-sig` accept it), CRLF line ends (RFC 4180). Columns:
                  id, name, one per problem (its score), total, max, status, error, sheet.
                  Scores are plain numbers (7, 2.5); an error row leaves them empty.
  results.jsonl   the FORMAT §8 object of each sheet plus `status`, `rel` (the sheet's path
                  inside the class folder: the report's order), `unknown_ids` (answers and
                  overrides to ids the bank does not have, as [what, problem, part,
                  suggestion]), `nncheck_version` and `problem_hashes` (SHA-256 of each
                  problem file's bytes); a sheet not graded is {sheet, student, status:
                  "error", error, rel, nncheck_version, problem_hashes}. Each line holds all
                  that summary.json counts of its sheet, so reports can be merged.
  feedback/<id>.txt and gradescope/<id>.json, at the --reveal level, for graded sheets only
                  (ids made safe as file names); summary.json, the class statistics.
No output holds a time stamp or an absolute path that the command line did not give.

Every string from a sheet is made inert on its way out: CSV cells through `words.csv_cell`
(never a formula, no control characters), JSON lines through `words.json_line` (no raw line
separators or bidirectional overrides), feedback text through `words.inert_lines`.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from typing import Any, NamedTuple, Protocol

from nncheck.compare.numbers import format_statistic as _num
from nncheck.compare.numbers import format_value
from nncheck.compare.verdict import Status
from nncheck.grading import SheetResult
from nncheck.render import json as render_json
from nncheck.render import text, view
from nncheck.words import CELL_ELLIPSIS, clip, csv_cell, inert, inert_lines, json_line

BOM = "\ufeff"  # Excel reads a CSV as UTF-8 only with it; Canvas and Moodle imports accept it
ANSWER_WIDTH = 60  # widest wrong answer shown in the statistics


class GradedRow(Protocol):
    """What the gradebook files need of a sheet's row (`classroom.Row`)."""

    @property
    def sheet(self) -> str: ...
    @property
    def rel(self) -> str: ...
    @property
    def student_id(self) -> str | None: ...
    @property
    def student_name(self) -> str | None: ...
    @property
    def status(self) -> str: ...
    @property
    def error(self) -> str | None: ...
    @property
    def score(self) -> float | None: ...
    @property
    def max_score(self) -> float | None: ...
    @property
    def scores(self) -> tuple[tuple[str, float], ...]: ...
    @property
    def result(self) -> str | None: ...


class SheetFiles(NamedTuple):
    """What a graded sheet puts in the report, as text."""

    result: str  # its results.jsonl line
    feedback: str  # feedback/<id>.txt
    gradescope: str  # gradescope/<id>.json


def sheet_files(result: SheetResult, *, status: str, audit: Mapping[str, Any], reveal: str,
                facts: Mapping[str, Any] | None = None) -> SheetFiles:
    """A graded sheet's results.jsonl line, feedback text and Gradescope file; `facts` are
    fields the line gains after its status (`rel`, `unknown_ids`)."""
    data = render_json.sheet_json(result)
    data["status"] = status
    data.update(facts or {})
    data.update(audit)
    return SheetFiles(
        result=json_line(data),
        feedback=inert_lines(text.render_sheet(result, reveal=reveal)),
        gradescope=gradescope_text(gradescope_json(result, reveal=reveal)),
    )


def csv_header(ids: Sequence[str]) -> list[str]:
    """The gradebook's columns: id, name, a score per problem, total, max, status, error, sheet."""
    return ["id", "name", *(csv_cell(pid) for pid in ids), "total", "max", "status", "error",
            "sheet"]


def csv_fields(row: GradedRow, ids: Sequence[str]) -> list[str]:
    """One sheet's gradebook row; every string from a file neutralised, the scores numbers."""
    if row.status == "error":
        scores = ["" for _ in ids]
        total = maximum = ""
    else:
        by_id = dict(row.scores)
        scores = [_num(by_id.get(pid, 0.0)) for pid in ids]
        total, maximum = _num(row.score or 0.0), _num(row.max_score or 0.0)
    return [csv_cell(row.student_id or ""), csv_cell(row.student_name or ""), *scores, total,
            maximum, row.status, csv_cell(row.error or ""), csv_cell(row.sheet)]


def result_line(row: GradedRow, audit: Mapping[str, Any]) -> str:
    """One results.jsonl line (FORMAT §8, or `{sheet, student, error, ...}` for an error row)."""
    if row.status != "error" and row.result is not None:
        return row.result
    student = None if row.student_id is None else {"id": row.student_id,
                                                   "name": row.student_name}
    return json_line({"sheet": row.sheet, "student": student, "status": "error",
                      "error": row.error, "rel": row.rel, **audit})


def json_text(value: Any) -> str:
    """Indented JSON, Unicode kept, with the characters `words.json_line` escapes escaped."""
    text = json.dumps(value, ensure_ascii=False, indent=2) + "\n"
    if inert_lines(text) == text:  # json.dumps leaves no raw control but the newlines
        return text
    return "".join(json_line(c)[1:-1] if inert_lines(c) != c else c for c in text)


def gradescope_json(result: Any, *, reveal: str = "mistake") -> dict[str, Any]:
    """A sheet as Gradescope's autograder `results.json`: one test per part."""
    tests = []
    for i, prob in enumerate(result.problems, 1):
        notes = {n.part: n for n in view.notes(prob, reveal=reveal)}
        for j, p in enumerate(prob.parts, 1):
            row = view.Row(part=p.id, ask=p.ask, expected="", claimed="", status=p.status,
                           points="", shown_only=p.max_points == 0)
            lines = [view.verdict(row), f"your answer: {_answer(p.claimed)}"]
            if reveal == "expected":
                lines.append(f"expected: {_answer(p.expected)}")
            if p.id in notes:
                lines += text.note_lines(notes[p.id], indent=0)
            tests.append({
                "name": inert(f"{prob.id} / {p.id}"),
                "number": f"{i}.{j}",
                "score": p.points,
                "max_score": p.max_points,
                # A part waiting for a person has earned nothing yet: Gradescope knows no
                # third status, and "passed" would promise points that may not come.
                "status": "failed" if p.failed or p.status is Status.PENDING else "passed",
                "output": inert_lines("\n".join(lines)),  # shown to the student
            })
    head = view.summary(result)
    said = [head, *(f"warning: {w}" for w in result.warnings)]
    return {"score": result.score, "max_score": result.max_score,
            "output": inert_lines("\n".join(said)), "tests": tests}


WHOLE = 1 << 20  # a sheet holds at most 1 MiB, so no answer is cut at this width


def _answer(value: Any) -> str:
    """The student's answer as their Gradescope scorecard shows it: whole, in one line."""
    return "—" if value is None else inline(value, WHOLE)


def gradescope_text(data: Mapping[str, Any]) -> str:
    """A `results.json` with one test per line: readable, and written by the fast encoder."""
    # json.dumps with `indent` falls back to the pure-Python encoder, 10x slower per sheet.
    head = [f"  {json.dumps(k)}: {json.dumps(v, ensure_ascii=False)}," for k, v in data.items()
            if k != "tests"]
    tests = ",\n".join(f"    {json.dumps(t, ensure_ascii=False)}" for t in data["tests"])
    return "\n".join(["{", *head, '  "tests": [', tests, "  ]", "}"]) + "\n"


def inline(value: Any, width: int = ANSWER_WIDTH) -> str:
    """A written answer in one line, as YAML flow style would show it, shortened to `width`."""
    pieces: list[str] = []
    _flow(value, pieces, width + 1)
    text = "".join(pieces)
    return clip(text, width, CELL_ELLIPSIS)


def _flow(value: Any, out: list[str], room: int) -> int:
    """Append `value` in flow style to `out`; stop once `room` characters are spent."""
    if isinstance(value, (dict, list)):
        items = value.items() if isinstance(value, dict) else enumerate(value)
        out.append("{" if isinstance(value, dict) else "[")
        room -= 1
        for i, (k, v) in enumerate(items):
            if room <= 0:
                break  # a table of a thousand rows costs no more than its first line
            piece = (", " if i else "") + (f"{k}: " if isinstance(value, dict) else "")
            out.append(piece)
            room = _flow(v, out, room - len(piece))
        out.append("}" if isinstance(value, dict) else "]")
        return room - 1
    if isinstance(value, str):
        text = value
    elif isinstance(value, bool) or not isinstance(value, (int, float)):
        text = str(value)
    elif isinstance(value, int) and abs(value) < 10**15:
        text = str(value)  # what format_value writes, without its float round trip
    else:
        text = format_value(value)
    out.append(text)
    return room - len(text)


