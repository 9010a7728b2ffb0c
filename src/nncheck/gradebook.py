"""The class report, streamed into --out as the sheets are graded.

A sheet's feedback and Gradescope files are written as soon as it is graded, and so are its
grades.csv row, results.jsonl line and export rows (report.html's index of students and its
sections wait in spools until the top of the page is known). A sheet graded last can make an
earlier one a duplicate: then the tables are written again, whole, from the results.jsonl and
feedback written so far. With a roster (or Moodle's export, which matches against one), the
rows wait in a spool for the whole class instead. What the duplicate check and a roster's
matching need of each sheet waits on disk too (`roll`). Memory holds the statistics (a few
numbers a sheet) and 8 bytes a sheet for the duplicate check, so it stays nearly flat in the
size of the class.

What each file holds, and how a sheet's strings are made inert, is in `render.gradebook`; every
write goes through the report folder of `io.report`.
"""

from __future__ import annotations

import codecs
import contextlib
import csv
import json
import os
import pickle
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import replace
from typing import IO, Any

from nncheck import classroom, exports
from nncheck.classroom import Options, Progress, Row
from nncheck.compare.numbers import format_statistic as _num
from nncheck.frame import Frame
from nncheck.io.report import ReportFolder, cannot_write
from nncheck.render import gradebook as formats
from nncheck.render import html
from nncheck.roll import Roll


def grade_into(
    out: str | os.PathLike[str],
    class_dir: str | os.PathLike[str],
    problems: str | os.PathLike[str],
    options: Options | None = None,
    *,
    progress: Progress | None = None,
    overrides_file: str | os.PathLike[str] | None = None,
    extras: exports.Extras | None = None,
) -> dict[str, Any]:
    """Grade a class and write its report to `out` whole; return the class statistics.

    Bad input, and an `out` that cannot be written, raise NncheckError: the folder is checked
    before any sheet is graded, and a failure while writing leaves the previous report as it was.
    An `out` that is, holds or lies inside the class folder, the bank (or a problem file it
    links to) or `overrides_file` is refused: replacing it would delete them.
    """
    run = classroom.prepare(class_dir, problems, options or Options())
    folder = ReportFolder(out, class_inputs(run, class_dir, problems, overrides_file, extras))
    # The rows closed on the way out, whatever stops the run: the workers stop at once.
    with replacing(folder), contextlib.closing(classroom.graded_rows(run, progress)) as rows:
        summary = write_report(folder, Frame.of_run(run), rows, extras)
    return summary


def class_inputs(run: classroom.ClassRun, class_dir: str | os.PathLike[str],
                 problems: str | os.PathLike[str],
                 overrides_file: str | os.PathLike[str] | None,
                 extras: exports.Extras | None) -> list[tuple[str, str | os.PathLike[str] | None]]:
    """What a class run reads, each with what it is: `--out` may not be, hold or lie inside
    any of them."""
    inputs: list[tuple[str, str | os.PathLike[str] | None]] = [
        ("the class folder", class_dir), ("the problem bank", problems),
        ("the overrides file", overrides_file),
        ("the roster", extras.roster.path if extras and extras.roster else None)]
    inputs += [("the problem file", lp.path) for lp in run.bank.problems.values()]
    return inputs


@contextlib.contextmanager
def replacing(folder: ReportFolder) -> Iterator[None]:
    """Write a report into the folder's staging area, then put it in the place of `--out`;
    whatever stops it before (an error, Ctrl-C), the previous report stays as it was."""
    try:
        yield
        with _writing(folder):
            folder.commit()
    except BaseException:
        folder.discard()
        raise


def write_report(folder: ReportFolder, frame: Frame, rows: Iterable[Row],
                 extras: exports.Extras | None = None) -> dict[str, Any]:
    """Write every file of the report into the folder's staging area; return the statistics.

    The rows come in report order, each with its results.jsonl line (`result`; an error row's
    is made from its fields), feedback and Gradescope text: graded now, or read back from a
    saved report (`merging`), which gives the same bytes.

    Without a roster or a Moodle export, the tables are written as the rows come, while the
    rest of the class is graded; a sheet graded last can still make an earlier one a
    duplicate, and then they are written again from the results.jsonl and feedback written so
    far. With a roster (or Moodle's export, which matches against one), the rows wait in a
    spool for the whole class."""
    extras = extras or exports.Extras()
    with _files() as stack:
        with _writing(folder):
            roll = Roll(stack.enter_context(folder.spool()))  # the duplicate check's, roster's
            plan = exports.plan(extras, ()) if _streams(extras) else None
            spool = stack.enter_context(folder.spool())  # the rows, where they must wait
            tables = None if plan is None else stack.enter_context(
                _Tables(folder, frame, extras, plan))
        for row in rows:
            with _writing(folder):
                roll.add(row)
                if (stem := row.stem) is not None:
                    folder.write(f"feedback/{stem}.txt", row.feedback or "")
                    folder.write(f"gradescope/{stem}.json", row.gradescope or "")
                if tables is not None:
                    tables.add(row, {})
                else:
                    pickle.dump(replace(row, gradescope=None), spool,
                                protocol=pickle.HIGHEST_PROTOCOL)
        with _writing(folder):
            clash = roll.clashes()
            if plan is None:
                plan = exports.plan(extras, roll.contacts())
                varied = roll.varied() if extras.roster is not None else set()
                clash = {**exports.respelled(extras, plan, roll.contacts(), varied), **clash}
        with _writing(folder):  # written again, whole, now that every row is known
            if tables is None:
                tables = stack.enter_context(_Tables(folder, frame, extras, plan))
                for row in _spooled(spool):
                    tables.add(row, clash)
            elif clash:
                tables.close()
                with folder.set_aside("results.jsonl") as lines:
                    tables = stack.enter_context(_Tables(folder, frame, extras, plan))
                    for row in _written(folder, lines, clash):
                        tables.add(row, clash)
        with _writing(folder):
            summary = tables.finish()
            folder.write("summary.json", formats.json_text(summary))
            _write_page(folder, summary, tables.index, tables.sections)
            tables.close()  # a disk that fills up as the files are flushed is told here
    return summary


def _streams(extras: exports.Extras) -> bool:
    """Whether the tables can be written as the rows come: no roster to match them against
    first (Moodle's export matches against one)."""
    return extras.roster is None and not extras.moodle


class _Tables:
    """grades.csv, results.jsonl and the export tables, written a row at a time, with the
    class statistics tallied and report.html's index of students (name, status, score) and
    their sections spooled, until the top of the page is known."""

    def __init__(self, folder: ReportFolder, frame: Frame, extras: exports.Extras,
                 plan: exports.Plan) -> None:
        self.folder, self.frame = folder, frame
        self._stack = contextlib.ExitStack()
        with self._stack as stack:  # closed at once if any file cannot be opened
            self.exports = stack.enter_context(exports.opened(folder, frame, extras, plan))
            self.results = stack.enter_context(folder.open("results.jsonl"))
            table = stack.enter_context(folder.open("grades.csv", newline=""))
            self.sections = stack.enter_context(folder.spool())
            self.index = stack.enter_context(folder.spool())
            self._stack = stack.pop_all()
        self.ids, self.parts = [pid for pid, _ in frame.maxima], self.exports.parts
        self.tally = frame.tally()
        table.write(formats.BOM)
        self.writer = csv.writer(table, lineterminator="\r\n")  # RFC 4180, as spreadsheets
        self.writer.writerow(formats.csv_header(self.ids, self.parts))  # write it

    def __enter__(self) -> _Tables:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        """Close every file and spool (a second time does nothing)."""
        self._stack.close()

    def add(self, row: Row, clash: Mapping[str, str]) -> None:
        """One row, made an error row if it is among the duplicates in `clash`."""
        if row.rel in clash:
            if (stem := row.stem) is not None:
                self.folder.remove(f"feedback/{stem}.txt")
                self.folder.remove(f"gradescope/{stem}.json")
            row = classroom.as_error(row, clash[row.rel])
        self.results.write(formats.result_line(row, self.frame.audit) + "\n")
        self.writer.writerow(formats.csv_fields(row, self.ids, self.parts))
        self.tally.add(row)
        self.exports.add(row)
        name = row.student_id if row.student_id is not None else row.rel
        score = "—" if row.score is None else f"{_num(row.score)}/{_num(row.max_score or 0)}"
        self.index.write((html.index_row(name, row.status, score) + "\n").encode())
        self.sections.write(html.student_section(
            name, row.student_name, row.status, score,
            row.feedback if row.status != "error" else None, row.error).encode())

    def finish(self) -> dict[str, Any]:
        """The roster's students with no sheet, in roster order; the class statistics."""
        for row in self.exports.missing():
            self.writer.writerow(formats.csv_fields(row, self.ids, self.parts))
        summary = self.frame.summary(self.tally)
        summary.update(self.exports.summary())
        return summary


def _write_page(folder: ReportFolder, summary: Mapping[str, Any], index: IO[bytes],
                sections: IO[bytes]) -> None:
    """report.html: the class statistics, then the index of students and their sections
    from their spools."""
    with folder.open("report.html") as page:
        page.write(html.page_top(summary))
        _copy(index, page)
        page.write(html.index_end())
        _copy(sections, page)
        page.write(html.page_end())


def _copy(spool: IO[bytes], page: IO[str]) -> None:
    """A spool of UTF-8 text, from its start, onto the end of a page."""
    spool.seek(0)
    decode = codecs.getincrementaldecoder("utf-8")()
    while chunk := spool.read(1 << 16):
        page.write(decode.decode(chunk))
    page.write(decode.decode(b"", final=True))


def _spooled(spool: IO[bytes]) -> Iterator[Row]:
    spool.seek(0)
    while True:
        try:
            yield pickle.load(spool)
        except EOFError:
            return


def _written(folder: ReportFolder, lines: IO[str], clash: Mapping[str, str]) -> Iterator[Row]:
    """The rows of the tables written so far, from their results.jsonl lines, each with the
    feedback that report.html holds (a duplicate's is not read: it becomes an error row)."""
    for line in lines:
        line = line.removesuffix("\n")
        row = classroom.row_of(json.loads(line), line)
        if (stem := row.stem) is not None and row.rel not in clash:
            row = replace(row, feedback=folder.read(f"feedback/{stem}.txt"))
        yield row


@contextlib.contextmanager
def _files() -> Iterator[contextlib.ExitStack]:
    """The files a report is written through, closed on the way out. After a failure the
    report is discarded: an error closing them (the same full disk) does not hide the first."""
    with contextlib.ExitStack() as stack:
        try:
            yield stack
        except BaseException:
            with contextlib.suppress(OSError):
                stack.close()
            raise


@contextlib.contextmanager
def _writing(folder: ReportFolder) -> Iterator[None]:
    """Turn an error of the disk (not writable, full, a file in the way) into bad input."""
    try:
        yield
    except OSError as exc:
        raise cannot_write(folder.out, exc, staging=folder.staging) from None
