"""The files of a class report, streamed into --out as the sheets are graded.

A sheet's feedback and Gradescope files are written as soon as it is graded; its gradebook row
and result line wait on disk (in a spool in the staging folder) until every sheet is graded,
since a sheet graded last can make an earlier one a duplicate. Memory holds only what the
statistics and the duplicate check need, so it stays flat in the size of the class.

Every string from a sheet is made inert on its way out: CSV cells through `words.csv_cell`
(never a formula, no control characters), JSON lines through `words.json_line` (no raw line
separators or bidirectional overrides), feedback text through `words.inert_lines`.
"""

from __future__ import annotations

import contextlib
import csv
import json
import os
import pickle
import tempfile
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import replace
from typing import IO, Any

from nncheck import classroom, stats
from nncheck.checking import format_number
from nncheck.classroom import ClassRun, Options, Progress, Row
from nncheck.io.report import ReportFolder, cannot_write
from nncheck.words import csv_cell, inert_lines, json_line

BOM = "\ufeff"  # Excel reads a CSV as UTF-8 only with it; Canvas and Moodle imports accept it


def grade_into(
    out: str | os.PathLike[str],
    class_dir: str | os.PathLike[str],
    problems: str | os.PathLike[str],
    options: Options | None = None,
    *,
    progress: Progress | None = None,
) -> dict[str, Any]:
    """Grade a class and write its report to `out` whole; return the class statistics.

    Bad input, and an `out` that cannot be written, raise NncheckError: the folder is checked
    before any sheet is graded, and a failure while writing leaves the previous report as it was.
    """
    run = classroom.prepare(class_dir, problems, options or Options())
    folder = None
    try:
        folder = ReportFolder(out)
        # Closed on the way out, whatever stops the run: the workers stop at once.
        with contextlib.closing(classroom.graded_rows(run, progress)) as rows:
            summary = write_class(folder, run, rows)
        with _writing(folder):
            folder.commit()
    except BaseException:
        if folder is not None:
            folder.discard()
        raise
    return summary


def write_class(folder: ReportFolder, run: ClassRun, rows: Iterable[Row]) -> dict[str, Any]:
    """Write every file of the report into the folder's staging area; return the statistics."""
    keys: list[tuple[str, str, str | None]] = []  # what the duplicate check needs of each row
    with _writing(folder):
        # Unbuffered: a full disk fails the write that fills it, not a close.
        spool = tempfile.TemporaryFile(dir=folder.staging, buffering=0)  # noqa: SIM115
    with spool:
        for row in rows:
            keys.append((row.rel, row.sheet, row.student_id))
            with _writing(folder):
                if row.status != "error" and row.student_id is not None:
                    stem = classroom.file_stem(row.student_id)
                    _write(folder, f"feedback/{stem}.txt", row.feedback or "")
                    _write(folder, f"gradescope/{stem}.json", row.gradescope or "")
                pickle.dump(replace(row, feedback=None, gradescope=None), spool,
                            protocol=pickle.HIGHEST_PROTOCOL)
        clash = classroom.clashes(keys)
        del keys
        tally = stats.Tally(run.maxima, run.options.overrides)
        with _writing(folder):
            spool.seek(0)
            _write_tables(folder, run, _spooled(spool), clash, tally)
    summary = tally.summary(run.audit, run.options, class_dir=run.class_dir)
    with _writing(folder):
        _write(folder, "summary.json", json_text(summary))
    return summary


def _write_tables(folder: ReportFolder, run: ClassRun, rows: Iterator[Row],
                  clash: Mapping[str, str], tally: stats.Tally) -> None:
    ids = [pid for pid, _ in run.maxima]
    with folder.open("results.jsonl") as results, folder.open("grades.csv", newline="") as table:
        table.write(BOM)
        writer = csv.writer(table, lineterminator="\r\n")  # RFC 4180, as spreadsheets write it
        writer.writerow(csv_header(ids))
        for row in rows:
            if row.rel in clash:
                if row.status != "error" and row.student_id is not None:
                    stem = classroom.file_stem(row.student_id)
                    for name in (f"feedback/{stem}.txt", f"gradescope/{stem}.json"):
                        with contextlib.suppress(FileNotFoundError):
                            os.unlink(folder.path(name))
                row = classroom.as_error(row, clash[row.rel])
            results.write(result_line(row, run.audit) + "\n")
            writer.writerow(csv_fields(row, ids))
            tally.add(row)


def csv_header(ids: Sequence[str]) -> list[str]:
    """The gradebook's columns: id, name, a score per problem, total, max, status, error, sheet."""
    return ["id", "name", *(csv_cell(pid) for pid in ids), "total", "max", "status", "error",
            "sheet"]


def csv_fields(row: Row, ids: Sequence[str]) -> list[str]:
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


def result_line(row: Row, audit: Mapping[str, Any]) -> str:
    """One results.jsonl line (FORMAT §8, or `{sheet, student, error, ...}` for an error row)."""
    if row.status != "error" and row.result is not None:
        return row.result
    student = None if row.student_id is None else {"id": row.student_id,
                                                   "name": row.student_name}
    return json_line({"sheet": row.sheet, "student": student, "status": "error",
                      "error": row.error, **audit})


def json_text(value: Any) -> str:
    """Indented JSON, Unicode kept, with the characters `words.json_line` escapes escaped."""
    text = json.dumps(value, ensure_ascii=False, indent=2) + "\n"
    if inert_lines(text) == text:  # json.dumps leaves no raw control but the newlines
        return text
    return "".join(json_line(c)[1:-1] if inert_lines(c) != c else c for c in text)


def _spooled(spool: IO[bytes]) -> Iterator[Row]:
    while True:
        try:
            yield pickle.load(spool)
        except EOFError:
            return


def _write(folder: ReportFolder, name: str, text: str) -> None:
    with folder.open(name) as f:
        f.write(text)


@contextlib.contextmanager
def _writing(folder: ReportFolder) -> Iterator[None]:
    """Turn an error of the disk (not writable, full, a file in the way) into bad input."""
    try:
        yield
    except OSError as exc:
        raise cannot_write(folder.out, exc, staging=folder.staging) from None


def _num(x: float) -> str:
    return format_number(x, 4)
