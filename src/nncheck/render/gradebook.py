"""The files of a class report, as text: grades.csv rows, results.jsonl lines, feedback and
Gradescope files. Nothing here touches the disk (`gradebook` writes what these return).

Outputs (under --out):
  grades.csv      UTF-8 with a byte-order mark (Excel needs it to read names as UTF-8; Canvas,
                  Moodle and Python's `utf-8-sig` accept it), CRLF line ends (RFC 4180). Columns:
                  id, name, one per problem (its score), with --per-part one per part
                  (`problem/part`), total, max, status, error, sheet. Scores are plain
                  numbers (7, 2.5); an error row leaves them empty. (A roster's `missing`
                  rows, and canvas.csv and moodle.csv, are in `exports`.)
  results.jsonl   the FORMAT §8 object of each sheet plus `status`, `rel` (the sheet's path
                  inside the class folder: the report's order), `unknown_ids` (answers and
                  overrides to ids the bank does not have, as [what, problem, part,
                  suggestion]), `nncheck_version` and `problem_hashes` (SHA-256 of each
                  problem file's bytes); a sheet not graded is {sheet, student, status:
                  "error", error, rel, nncheck_version, problem_hashes}. Each line holds all
                  that summary.json counts of its sheet, so reports can be merged.
  feedback/<id>.txt and gradescope/<id>.json (`render.autograder`), at the --reveal level,
                  for graded sheets only
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

from nncheck.compare.numbers import format_score
from nncheck.grading import PartResult, ProblemResult, SheetResult
from nncheck.render import autograder, text, view
from nncheck.render import json as render_json
from nncheck.render.answers import inline
from nncheck.render.fragments import Fragments, once
from nncheck.words import csv_cell, json_line, json_safe

__all__ = ["BOM", "GradedRow", "SheetFiles", "csv_fields", "csv_header", "inline", "json_text",
           "result_line", "sheet_files"]

BOM = "\ufeff"  # Excel reads a CSV as UTF-8 only with it; Canvas and Moodle imports accept it


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
    def student_email(self) -> str | None: ...
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
    def parts(self) -> Sequence[Any]: ...  # `classroom.PartStat`: problem, part, points
    @property
    def result(self) -> str | None: ...


class SheetFiles(NamedTuple):
    """What a graded sheet puts in the report, as text."""

    result: str  # its results.jsonl line
    feedback: str  # feedback/<id>.txt
    gradescope: str  # gradescope/<id>.json
    # Each problem's object of the line, as a reader of the line gets it back (`json.loads`).
    problems: tuple[dict[str, Any], ...] = ()
    # Each problem's parts' fragments (`render.fragments`): the caller may remember its own.
    fragments: tuple[tuple[dict[Any, Any], ...], ...] = ()
    # Each problem's own, remembered with its share of the files where that is remembered.
    wholes: tuple[dict[Any, Any], ...] = ()


_PARTS = '"parts": []'  # where a problem's parts go: only a key can be written so
_PROBLEMS = '"problems": []'  # where the line's problems go


def sheet_files(result: SheetResult, *, status: str, audit: Mapping[str, Any], reveal: str,
                facts: Mapping[str, Any] | None = None, cache: Fragments | None = None
                ) -> SheetFiles:
    """A graded sheet's results.jsonl line, feedback text and Gradescope file; `facts` are
    fields the line gains after its status (`rel`, `unknown_ids`). With `cache`, each part's
    fragments are made once per distinct graded part of the class (the JSON text of its
    object, its feedback row and note, its Gradescope test), and each problem's are joined
    from them once per distinct set of graded parts, as `json.dumps`, `text.problem_lines`
    and `autograder.results_text` join them."""
    cache = cache if cache is not None else Fragments(limit=0)
    settings = autograder.Settings(reveal=reveal)
    hashes = audit.get("problem_hashes") or {}
    entries, problems = [], []
    for i, p in enumerate(result.problems, 1):
        problem_hash = hashes.get(p.id)
        made, joined = cache.problem(p, (p.id, p.title, p.variant, reveal, i, problem_hash),
                                     _Problem.chars, _problem, p, i, cache, settings,
                                     problem_hash)
        entries.append(made)
        problems.append(joined)
    data = render_json.sheet_json(result, summarise=True, problems=[])
    data["status"] = status
    data.update(facts or {})
    data.update(audit)
    # In JSON text, a quote inside a string is escaped: the one `"problems": []` is the key's.
    line = json_line(data).replace(
        _PROBLEMS, f'"problems": [{", ".join(m.json for m in problems)}]', 1)
    return SheetFiles(
        result=line,
        feedback=text.render_sheet(result, reveal=reveal, texts=[m.text for m in problems]),
        gradescope=autograder.results_text(autograder.sheet_results(
            result, settings, hashes=hashes,
            extra={"nncheck_version": audit.get("nncheck_version")}, problems=[]),
            [t for m in problems for t in m.tests]),
        problems=tuple(m.read for m in problems),
        fragments=tuple(entries),
        wholes=tuple(m.mine for m in problems),
    )


class _Problem(NamedTuple):
    """A graded problem's share of a sheet's files, joined from its parts'."""

    json: str  # its object of the results line
    read: dict[str, Any]  # that object, as a reader of the line gets it back
    text: str  # its feedback
    tests: list[str]  # its Gradescope tests
    mine: dict[Any, Any]  # what the caller remembers of it (`SheetFiles.wholes`)

    def chars(self) -> int:
        """The characters joined for it (its tests are its parts' own strings)."""
        return len(self.json) + len(self.text)


def _problem(made: Sequence[dict[Any, Any]], p: ProblemResult, number: int, cache: Fragments,
             settings: autograder.Settings, problem_hash: str | None) -> _Problem:
    """The `number`th problem of a sheet, joined from its parts' fragments (each made once
    into its entry of `made`)."""
    reveal = settings.reveal
    pieces, tests = [], []
    for j, (part, mine) in enumerate(zip(p.parts, made), 1):
        part_text = once(mine, "json", _part_json, part)
        piece = once(mine, ("text", reveal), text.part_pieces, part, reveal)
        test = once(mine, ("test", reveal, number, j, problem_hash), _part_test, p.id, part,
                    f"{number}.{j}", settings, problem_hash)
        once(mine, "read", json.loads, part_text)
        pieces.append(piece)
        tests.append(test)
        if cache.is_new(mine):  # the text of a part made now counts, if remembered
            cache.weigh(mine, len(part_text) * 2 + len(test)
                        + sum(len(x) for cell in piece.cells for x in cell)
                        + sum(map(len, piece.said)))
    # Every piece is escaped as it is made, so the joined files need no second pass (`words`).
    # The problem's object but its parts is made once per problem, score and variant (the
    # numbers keyed as JSON writes them: 1 and 1.0 apart).
    head, read_head = cache.joined(("head", p.id, p.title, p.variant, repr(p.score),
                                    repr(p.max_score)), (), lambda h: len(h[0]), _head, p)
    read = dict(read_head)
    read["parts"] = [m["read"] for m in made]
    def row(j: int, widths: tuple[int, ...]) -> list[str]:
        """A part's row of the table, made once per column widths while the bound allows."""
        found = made[j].get(("row", reveal, widths))
        if found is None:
            found = text.row_lines(pieces[j], widths)
            if cache.spend(sum(map(len, found))):
                made[j][("row", reveal, widths)] = found
        return found

    return _Problem(head.replace(_PARTS, f'"parts": [{", ".join(m["json"] for m in made)}]', 1),
                    read, text.problem_text(p, reveal, pieces, row), tests, {})


def _head(p: ProblemResult) -> tuple[str, dict[str, Any]]:
    """A problem's object of the results line with no parts, as text and as read back."""
    head = json_line(render_json.problem_json(p, summarise=True, parts=[]))
    return head, json.loads(head)


def _part_json(part: PartResult) -> str:
    return json_line(render_json.part_json(part, summarise=True))  # large tables: summaries


def _part_test(problem_id: str, part: PartResult, number: str, settings: autograder.Settings,
               problem_hash: str | None) -> str:
    return autograder.test_text(autograder.part_test(
        problem_id, part, number, view.note(part, reveal=settings.reveal), settings,
        problem_hash))


def csv_header(ids: Sequence[str], parts: Sequence[tuple[str, str]] = ()) -> list[str]:
    """The gradebook's columns: id, name, a score per problem, with `parts` a score per part
    (`problem/part`, bank order), then total, max, status, error, sheet."""
    return ["id", "name", *(csv_cell(pid) for pid in ids),
            *(csv_cell(f"{pid}/{part}") for pid, part in parts), "total", "max", "status",
            "error", "sheet"]


def csv_fields(row: GradedRow, ids: Sequence[str], parts: Sequence[tuple[str, str]] = ()
               ) -> list[str]:
    """One sheet's gradebook row; every string from a file neutralised, the scores numbers.

    A row with no score (a sheet not graded, a student with no sheet under `--missing blank`)
    leaves the scores empty."""
    if row.status == "error" or row.score is None:
        scores = ["" for _ in (*ids, *parts)]
        total = ""
    else:
        by_id = dict(row.scores)
        by_part = {(p.problem, p.part): p.points for p in row.parts}
        scores = [*(format_score(by_id.get(pid, 0.0)) for pid in ids),
                  *(format_score(by_part.get(key, 0.0)) for key in parts)]
        total = format_score(row.score)
    maximum = "" if row.status == "error" or row.max_score is None else format_score(row.max_score)
    return [csv_cell(row.student_id or ""), csv_cell(row.student_name or ""), *scores, total,
            maximum, row.status, csv_cell(row.error or ""), csv_cell(row.sheet)]


def result_line(row: GradedRow, audit: Mapping[str, Any]) -> str:
    """One results.jsonl line (FORMAT §8, or `{sheet, student, error, ...}` for an error row):
    the row's own line where it has one (a row made an error has none)."""
    if row.result is not None:
        return row.result
    student = None if row.student_id is None else {"id": row.student_id,
                                                   "name": row.student_name}
    if student is not None and row.student_email is not None:
        student["email"] = row.student_email
    return json_line({"sheet": row.sheet, "student": student, "status": "error",
                      "error": row.error, "rel": row.rel, **audit})


def json_text(value: Any) -> str:
    """Indented JSON, Unicode kept, with the characters `words.json_line` escapes escaped."""
    return json_safe(json.dumps(value, ensure_ascii=False, indent=2) + "\n")
