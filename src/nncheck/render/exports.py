"""The rows of a class report's imports for learning platforms: `canvas.csv` and `moodle.csv`.
Nothing here touches the disk (`exports` writes what these return).

canvas.csv  a Canvas gradebook import, laid out as Canvas' own gradebook export:
            `Student,ID,SIS User ID,SIS Login ID,Section,<title> (<assignment id>)` (or
            `<title>` with no id: Canvas then creates the assignment), a `Points Possible`
            row, then one row per student, with the ids from the roster. With `per_problem`,
            one assignment column per problem, `<title>: <problem id>`, each a new assignment.
            A student with no score is left out: Canvas' importer reads an empty cell as "no
            score", which removes a grade entered by hand; `EX` (excused) is never written.
moodle.csv  a Moodle grade import: the identifier column (`Email address` or `ID number`),
            the grade (`<title>`) and `Feedback`: the sheet's one-line summary. A student with
            no score is left out: Moodle's importer reads an empty grade as "no grade", which
            would erase one entered by hand.

Both files are UTF-8 with a byte-order mark and CRLF line ends, as grades.csv. Every string
from a sheet or the roster goes through `words.csv_cell` (inert, never a formula).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from nncheck.compare.numbers import format_score
from nncheck.errors import NncheckError
from nncheck.words import csv_cell, inert, one_line

CANVAS_STUDENT_COLUMNS = ("Student", "ID", "SIS User ID", "SIS Login ID", "Section")
POINTS_POSSIBLE = "Points Possible"
# Headers Canvas' importer drops as computed columns wherever they occur in a title (its
# NON_ASSIGNMENT_COLUMN_HEADERS), and the student-information headers it reserves.
CANVAS_COMPUTED = ("Current Score", "Current Points", "Current Grade", "Final Score",
                   "Final Points", "Final Grade", "Override Score", "Override Grade",
                   "Override Status")
CANVAS_RESERVED = (*CANVAS_STUDENT_COLUMNS, "Integration ID", "Root Account", "LastName",
                   "FirstName")
_TITLE_WITH_ID = re.compile(r"\A(.*)\s\((\d+)\)\Z", re.DOTALL)  # how Canvas splits a header

MOODLE_IDENTIFIERS = {"email": "Email address", "idnumber": "ID number"}
MOODLE_FEEDBACK = "Feedback"


@dataclass(frozen=True)
class Who:
    """A student as the platforms know them (from the roster, else from the sheet)."""

    name: str | None = None
    canvas_id: str | None = None  # Canvas' own user id: only a Canvas roster has it
    sis_user_id: str | None = None
    sis_login_id: str | None = None
    section: str | None = None
    email: str | None = None
    idnumber: str | None = None


def check_title(title: str, assignment_id: str | None, *, per_problem: bool) -> None:
    """Refuse an assignment title or id that Canvas would read otherwise than meant."""
    if not title.strip():
        raise NncheckError("--assignment is empty", expected="the assignment's title")
    if one_line(title) != title or inert(title) != title:
        raise NncheckError(f"--assignment `{inert(title)}` holds a line break or a control "
                           "character", expected="a title on one line")
    if assignment_id is not None:
        if not assignment_id.isascii() or not assignment_id.isdigit():
            raise NncheckError(f"--assignment-id `{inert(assignment_id)}`",
                               expected="Canvas' number of the assignment, e.g. 12345 (in its "
                                        "address: /assignments/12345)")
        if per_problem:
            raise NncheckError("--assignment-id names one assignment, but --per-problem makes "
                               "one per problem", expected="one of the two")
    computed = next((c for c in CANVAS_COMPUTED if c in title), None)
    if computed is not None:
        raise NncheckError(f"--assignment `{title}` holds `{computed}`",
                           expected="a title without it: Canvas' importer drops such a column "
                                    "as one it computes")
    if title.strip() in CANVAS_RESERVED:
        raise NncheckError(f"--assignment `{title}` is a column Canvas reserves",
                           expected="the assignment's title")
    match = _TITLE_WITH_ID.match(title)
    if match and assignment_id is None:
        raise NncheckError(
            f"--assignment `{title}` ends as an assignment id: Canvas would read it as "
            f"assignment {match[2]}", expected="--assignment-id N, or a title that does not "
                                               "end in a number in parentheses")


def canvas_header(title: str, assignment_id: str | None,
                  problems: Sequence[str] | None = None) -> list[str]:
    """Canvas' student-information columns, then the assignment (one per problem when
    `problems` is given)."""
    if problems is not None:
        columns = [f"{title}: {pid}" for pid in problems]
        for pid, column in zip(problems, columns):
            computed = next((c for c in CANVAS_COMPUTED if c in column), None)
            match = _TITLE_WITH_ID.match(column)
            if computed is not None:
                why = f"holds `{computed}`"
            elif match is not None:
                why = f"ends as an assignment id ({match[2]})"
            else:
                continue
            raise NncheckError(
                f"problem `{inert(pid)}`: its canvas.csv column `{inert(column)}` {why}, "
                "which Canvas would misread", expected="one assignment for the exam (no "
                                                       "--per-problem), or another id")
    else:
        columns = [title if assignment_id is None else f"{title} ({assignment_id})"]
    return [*CANVAS_STUDENT_COLUMNS, *(csv_cell(c) for c in columns)]


def canvas_points(maxima: Sequence[float]) -> list[str]:
    """The `Points Possible` row: the points of each assignment column."""
    return [POINTS_POSSIBLE, "", "", "", "", *(format_score(m) for m in maxima)]


def canvas_row(who: Who, scores: Sequence[float]) -> list[str]:
    """One student's row: who, then a score per assignment column."""
    ids = (who.name, who.canvas_id, who.sis_user_id, who.sis_login_id, who.section)
    return [*(csv_cell(v or "") for v in ids), *(format_score(s) for s in scores)]


def moodle_header(identifier: str, title: str) -> list[str]:
    """The identifier column, the grade and the feedback."""
    return [MOODLE_IDENTIFIERS[identifier], csv_cell(title), MOODLE_FEEDBACK]


def moodle_row(value: str, score: float, feedback: str) -> list[str]:
    """One student's row: identifier, grade, feedback on one line."""
    return [csv_cell(value), format_score(score), csv_cell(one_line(feedback))]
