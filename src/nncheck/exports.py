"""What a class report holds beyond its sheets' rows: a roster's students and the platforms'
imports (`canvas.csv`, `moodle.csv`), written row by row beside grades.csv.

With a roster, each sheet is matched to a roster row (`io.roster`); a roster student with no
sheet gets a grades.csv row with status `missing` (score 0, or empty with `missing="blank"`;
none in a run of part of the class, `--student` or `--shard`, which cannot tell who has none),
and a sheet that matches no row is graded as usual, listed in summary.json and left out of
the imports, since nothing says who it is on the platform. Without a roster, the Moodle import
names students by their sheet's email or id; Canvas needs the roster's ids. A student with no
score (a sheet not graded; no sheet, with `missing="blank"`) is left out of the imports: both
platforms read an empty grade as one to remove.

An import never holds two rows for one identifier: without a roster, the sheets that claim
one email (or id) are all left out and listed, as two sheets with one student id are errors.
What each file looks like is in `render.exports`.
"""

from __future__ import annotations

import csv
from collections.abc import Iterable, Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, field
from typing import IO, Any

from nncheck.classroom import Row
from nncheck.frame import Frame
from nncheck.io.roster import Matching, Roster, Student
from nncheck.render import exports as formats
from nncheck.render.gradebook import BOM
from nncheck.words import inert

MISSING = ("zero", "blank")


@dataclass(frozen=True)
class Extras:
    """The optional parts of a class report."""

    roster: Roster | None = None
    missing: str = "zero"  # a roster student with no sheet: score 0, or "blank"
    per_part: bool = False  # grades.csv: a column per part, `problem/part`
    canvas: bool = False
    moodle: bool = False
    title: str = "Exam"  # the assignment's title in the imports
    assignment_id: str | None = None  # Canvas' id of the assignment
    per_problem: bool = False  # canvas.csv: one assignment per problem
    moodle_id: str = "email"  # or "idnumber"

    @property
    def any(self) -> bool:
        return self.roster is not None or self.per_part or self.canvas or self.moodle


@dataclass(frozen=True)
class Plan:
    """What the whole class decides before any row is written: the roster's matching, and
    (without a roster) the identifiers that more than one sheet claims, with their sheets."""

    matching: Matching | None = None
    shared: dict[str, list[str]] = field(default_factory=dict)


@dataclass
class Tables:
    """The extra files of one report being written, and what they left out."""

    extras: Extras
    frame: Frame
    plan: Plan
    parts: list[tuple[str, str]] = field(default_factory=list)  # (problem, part), bank order
    canvas: Any = None  # csv writers, when the file is written
    moodle: Any = None
    left_out: list[dict[str, str | None]] = field(default_factory=list)

    def add(self, row: Row) -> None:
        """Write one graded (or not graded) sheet into the imports."""
        student = self._student(row.rel)
        if self.matching is not None and student is None:
            return  # an unmatched sheet: listed in summary.json, not imported
        score = None if row.status == "error" else row.score
        who = self._who(student, row)
        if score is None:
            return  # an empty grade would erase one entered by hand, on either platform
        if self.canvas is not None:
            self.canvas.writerow(formats.canvas_row(who, self._scores(row, score)))
        if self.moodle is not None:
            self._moodle(who, score, row.headline or "", row.sheet)

    def missing(self) -> Iterator[Row]:
        """A row for every roster student with no sheet (written into the imports too)."""
        if self.matching is None or self.extras.roster is None or self.partial:
            return
        students = self.extras.roster.students
        maximum = float(sum(m for _, m in self.frame.maxima))
        score = 0.0 if self.extras.missing == "zero" else None
        for i in self.matching.missing:
            student = students[i]
            row = Row(sheet="", rel="", name="", student_id=student.id,
                      student_name=student.name, status="missing", score=score,
                      max_score=maximum, student_email=student.email)
            if score is not None:
                who = self._who(student, row)
                if self.canvas is not None:
                    self.canvas.writerow(formats.canvas_row(who, self._scores(row, score)))
                if self.moodle is not None:
                    self._moodle(who, score, "no sheet handed in",
                                 f"roster line {student.line}")
            yield row

    @property
    def matching(self) -> Matching | None:
        return self.plan.matching

    @property
    def partial(self) -> bool:
        """Whether the run grades part of the class: it cannot tell a student with no sheet
        from one graded in another shard, or not asked for."""
        return self.frame.partial

    def summary(self) -> dict[str, Any]:
        """What summary.json says of the roster and the imports."""
        out: dict[str, Any] = {}
        roster, matching = self.extras.roster, self.matching
        if roster is not None and matching is not None:
            out["roster"] = {
                "file": roster.path,
                "students": len(roster.students),
                "matched": len(roster.students) - len(matching.missing),
                # None: a partial run (--student, --shard) cannot tell who has no sheet.
                "missing": None if self.partial else [_named(roster.students[i], roster.canvas)
                                                      for i in matching.missing],
                "unmatched_sheets": [{"sheet": s, "student": sid, "reason": why}
                                     for s, sid, why in matching.unmatched],
            }
        if self.left_out:
            out["imports_left_out"] = self.left_out
        return out

    def _student(self, rel: str) -> Student | None:
        if self.matching is None or self.extras.roster is None:
            return None
        i = self.matching.rows.get(rel)
        return None if i is None else self.extras.roster.students[i]

    def _who(self, student: Student | None, row: Row) -> formats.Who:
        if student is None:  # no roster: the sheet says who it is
            return formats.Who(name=row.student_name, email=row.student_email,
                               idnumber=row.student_id)
        assert self.extras.roster is not None
        return formats.Who(
            name=student.name or row.student_name,
            canvas_id=student.id if self.extras.roster.canvas else None,
            sis_user_id=student.sis_user_id, sis_login_id=student.sis_login_id,
            section=student.section, email=student.email,
            # Moodle's ID number is the school's: in a Canvas export, the SIS user id.
            idnumber=student.sis_user_id if self.extras.roster.canvas else student.id)

    def _scores(self, row: Row, score: float) -> list[float]:
        if not self.extras.per_problem:
            return [score]
        by_id = dict(row.scores)
        return [by_id.get(pid, 0.0) for pid, _ in self.frame.maxima]

    def _moodle(self, who: formats.Who, score: float, feedback: str, source: str) -> None:
        value = who.email if self.extras.moodle_id == "email" else who.idnumber
        if not value:
            self.left_out.append({"file": "moodle.csv", "source": source,
                                  "reason": f"no {self.extras.moodle_id}"})
            return
        key = value.casefold()
        shared = self.plan.shared.get(key)
        if shared is not None:  # as two sheets with one id: reported, never picked between
            others = ", ".join(sheet for sheet in shared if sheet != source)
            self.left_out.append({"file": "moodle.csv", "source": source,
                                  "reason": f"{self.extras.moodle_id} `{value}` is also on "
                                            f"{others}; neither is imported"})
            return
        self.moodle.writerow(formats.moodle_row(value, score, feedback))


def plan(extras: Extras, sheets: Iterable[tuple[str, str, str | None, str | None]]) -> Plan:
    """Match the sheets (relative path, path, student id, email) to the roster; without one,
    find the Moodle identifiers that several sheets claim."""
    if extras.roster is not None:
        return Plan(matching=extras.roster.match(sheets))
    claims: dict[str, list[str]] = {}
    if extras.moodle:
        for _, shown, student_id, email in sheets:
            value = email if extras.moodle_id == "email" else student_id
            if value:
                claims.setdefault(value.casefold(), []).append(shown)
    return Plan(shared={key: found for key, found in claims.items() if len(found) > 1})


def respelled(extras: Extras, plan: Plan, contacts: Iterable[tuple[str, str, str | None,
                                                                    str | None]],
              varied: set[str]) -> dict[str, str]:
    """Why each sheet graded against a variant (its relative path in `varied`) whose roster row
    gives another id is an error: a variant is drawn from the sheet's id as written, so an id
    matched only after folding case, by a SIS id or by email (`S042` for `s042`) would let a
    student choose their variant. The sheet must write the id its row hands out."""
    if extras.roster is None or plan.matching is None:
        return {}
    errors: dict[str, str] = {}
    for rel, shown, student_id, _ in contacts:
        i = plan.matching.rows.get(rel)
        if i is None or rel not in varied:
            continue
        student = extras.roster.students[i]
        if student_id != student.handout_id:
            errors[rel] = (f"{shown}: student id `{inert(student_id or '')}` is roster line "
                           f"{student.line}'s `{inert(student.handout_id)}` written otherwise "
                           "— in a bank that varies, a sheet writes its student's id as the "
                           "roster (and its blank sheet) does; not graded")
    return errors


@contextmanager
def opened(folder: Any, frame: Frame, extras: Extras, plan: Plan) -> Iterator[Tables]:
    """The report's extra files, open for writing in `folder` (an `io.report.ReportFolder`),
    their headers written; closed on the way out."""
    tables = Tables(extras, frame, plan)
    if extras.per_part:
        tables.parts = list(frame.parts)
    with ExitStack() as stack:
        if extras.canvas:
            tables.canvas = _writer(stack.enter_context(folder.open("canvas.csv", newline="")))
            problems = [pid for pid, _ in frame.maxima] if extras.per_problem else None
            tables.canvas.writerow(formats.canvas_header(extras.title, extras.assignment_id,
                                                         problems))
            maxima = [m for _, m in frame.maxima] if extras.per_problem else \
                [float(sum(m for _, m in frame.maxima))]
            tables.canvas.writerow(formats.canvas_points(maxima))
        if extras.moodle:
            tables.moodle = _writer(stack.enter_context(folder.open("moodle.csv", newline="")))
            tables.moodle.writerow(formats.moodle_header(extras.moodle_id, extras.title))
        yield tables


def _writer(stream: IO[str]) -> Any:
    stream.write(BOM)
    return csv.writer(stream, lineterminator="\r\n")  # RFC 4180, as grades.csv


def _named(student: Student, canvas: bool) -> dict[str, Any]:
    return {"line": student.line, "id": student.id, "email": student.email,
            "name": student.name, "label": student.sis_label if canvas else student.label}
