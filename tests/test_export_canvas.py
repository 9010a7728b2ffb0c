"""`grade --export canvas`: canvas.csv read as Canvas' gradebook importer reads it.

The importer's rules, written out below from Canvas' guide "How do I import grades in the
Gradebook?" (https://community.canvaslms.com/t5/Instructor-Guide/How-do-I-import-grades-in-the-Gradebook/ta-p/807)
and from the importer itself (instructure/canvas-lms, app/models/gradebook_importer.rb, and
Assignment.title_and_id in app/models/assignment.rb):

1. The first row is the header. It is accepted only if it has more than 3 columns, its first
   header contains "Student" and its second contains "ID".
2. The student-information columns are Student, ID, then either `SIS Login ID`, or `SIS User
   ID` followed by `SIS Login ID` (then, optionally, `Integration ID` and `Root Account`), and
   the last of them must contain "Section". Anything else is refused ("Invalid header row").
3. Of the columns after them, one whose header contains a computed column's name (`Current
   Score`, `Final Grade`, ...; NON_ASSIGNMENT_COLUMN_HEADERS) is dropped; every other column
   is an assignment. A header `Title (123)` (regex `\\A(.*)\\s\\((\\d+)\\)\\z`) names
   assignment 123; any other header is looked up by title, and created as a new assignment
   when none has it.
4. A row whose first cell contains "Points Possible" gives the assignments' points; it is not
   a student.
5. A student row names the student by ID (Canvas' user id), else by SIS User ID, else by SIS
   Login ID, else by name.
6. A grade cell that is empty or `-` is "no score": it changes nothing where the student had
   no grade, and removes the grade they had (the review page highlights it as a removal:
   `updateWillRemoveGrade` in ui/features/gradebook_uploads/jquery/index.js). `EX` (any
   case) marks the submission excused. Anything else is a score. A student not in the file
   keeps every grade.
"""

from __future__ import annotations

import csv
import io
import re
from pathlib import Path
from typing import Any

import pytest
from classbook import csv_rows, grade, make_bank, make_class, sheet_text, summary

COMPUTED = ("Current Score", "Current Points", "Current Grade", "Final Score", "Final Points",
            "Final Grade", "Override Score", "Override Grade", "Override Status")
TITLE_AND_ID = re.compile(r"\A(.*)\s\((\d+)\)\Z")


class Refused(Exception):
    """Canvas would not import the file."""


def canvas_import(data: bytes) -> dict[str, Any]:
    """What Canvas' gradebook importer takes from a file, by the rules above."""
    text = data.decode("utf-8")  # a BOM stays on the first header, which still contains Student
    rows = list(csv.reader(io.StringIO(text, newline="")))
    header = rows[0]
    # Rule 1.
    if not (len(header) > 3 and "Student" in header[0] and "ID" in header[1]):
        raise Refused("Invalid header row")
    # Rule 2.
    info = 3
    if re.search(r"SIS\s+Login\s+ID", header[2]):
        info += 1
    elif re.search(r"SIS\s+User\s+ID", header[2]) and re.search(r"SIS\s+Login\s+ID", header[3]):
        info += 2
        if re.search(r"Integration\s+ID", header[4]):
            info += 1
    if "Section" not in header[info - 1]:
        raise Refused("Invalid header row")
    columns = {}
    for i, name in enumerate(header[info:], info):  # Rule 3.
        if any(c in name for c in COMPUTED):
            continue
        match = TITLE_AND_ID.match(name)
        columns[i] = {"title": match[1], "id": match[2]} if match else {"title": name,
                                                                          "id": None}
    points: dict[str, str] = {}
    students = []
    for row in rows[1:]:
        if "Points Possible" in row[0]:  # Rule 4.
            points = {columns[i]["title"]: row[i] for i in columns}
            continue
        sis_user = row[2] if info >= 5 else None
        sis_login = row[info - 2] if info >= 4 else None
        key = next(k for k in (("ID", row[1]), ("SIS User ID", sis_user),
                                ("SIS Login ID", sis_login), ("name", row[0])) if k[1])
        grades = {}
        for i, column in columns.items():  # Rule 6.
            cell = row[i].strip()
            if cell in ("", "-"):
                grades[column["title"]] = "no score"  # removes a grade entered by hand
            elif cell.casefold() == "ex":
                grades[column["title"]] = "excused"
            else:
                grades[column["title"]] = float(cell)
        students.append({"by": key, "grades": grades})
    return {"assignments": list(columns.values()), "points": points, "students": students}


# A Canvas gradebook export as the roster: Ada, Babak and Chen (who handed in no sheet).
ROSTER = ("Student,ID,SIS User ID,SIS Login ID,Section,Old Quiz (77),Current Score\r\n"
          "    Points Possible,,,,,10,(read only)\r\n"
          "\"Lindqvist, Ada\",10101,s1,ada.l,NN 101 A,9,90\r\n"
          "\"Rahimi, Babak\",10102,s2,babak.r,NN 101 B,7,70\r\n"
          "\"Wei, Chen\",10103,s3,chen.w,NN 101 B,8,80\r\n")
# p1/a is worth 2, p1/b 3, p2/c 1 (classbook.py): 6 points in all; the keys are A, B, C.
SHEETS = {
    "s1.yaml": sheet_text("s1", "Ada", "A", "B", "C"),  # 2 + 3 + 1 = 6
    "s2.yaml": sheet_text("s2", "Babak", "A", "A", "A"),  # 2 + 0 + 0 = 2
    "s9.yaml": sheet_text("s9", "Stray", "B", "B", "C"),  # on no roster: not imported
}


@pytest.fixture
def graded(tmp_path: Path):
    """Grade the class with the Canvas roster; return (report folder, class folder, run)."""
    def run(*options: object) -> tuple[Path, Path, tuple[int, str, str]]:
        bank, klass = make_bank(tmp_path), make_class(tmp_path, SHEETS)
        roster = tmp_path / "canvas-roster.csv"
        roster.write_text(ROSTER, encoding="utf-8")
        out = tmp_path / "report"
        result = grade(klass, "-p", bank, "--out", out, "--roster", roster, "--export",
                       "canvas", *options)
        return out, klass, result
    return run


def test_the_checker_refuses_todays_grades_csv(graded):
    # Without this, a checker that accepts anything would pass the tests below.
    out, _, _ = graded("--assignment", "Exam 1")
    with pytest.raises(Refused):
        canvas_import((out / "grades.csv").read_bytes())


def test_canvas_csv_imports_one_assignment_with_its_points_and_each_student(graded):
    out, _, (code, _, _) = graded("--assignment", "Exam 1", "--assignment-id", "4521")
    assert code == 1
    imported = canvas_import((out / "canvas.csv").read_bytes())
    assert imported == {
        "assignments": [{"title": "Exam 1", "id": "4521"}],
        "points": {"Exam 1": "6"},
        "students": [
            {"by": ("ID", "10101"), "grades": {"Exam 1": 6.0}},
            {"by": ("ID", "10102"), "grades": {"Exam 1": 2.0}},
            {"by": ("ID", "10103"), "grades": {"Exam 1": 0.0}},  # no sheet: --missing zero
        ],
    }


def test_canvas_csv_has_the_header_canvas_exports_and_a_bom_with_crlf(graded):
    out, _, _ = graded("--assignment", "Exam 1", "--assignment-id", "4521")
    data = (out / "canvas.csv").read_bytes()
    assert data.startswith(b"\xef\xbb\xbfStudent,ID,SIS User ID,SIS Login ID,Section,"
                           b"Exam 1 (4521)\r\nPoints Possible,,,,,6\r\n")
    assert csv_rows(out / "canvas.csv")[2] == ["Lindqvist, Ada", "10101", "s1", "ada.l",
                                               "NN 101 A", "6"]


def test_without_an_id_canvas_reads_the_title_as_a_new_assignment(graded):
    out, _, _ = graded("--assignment", "Exam 1")
    assert canvas_import((out / "canvas.csv").read_bytes())["assignments"] == [
        {"title": "Exam 1", "id": None}]


def test_a_student_with_no_score_is_left_out_never_blank_nor_excused(graded, tmp_path):
    # Chen has no sheet and --missing blank; a sheet that cannot be read has no score either.
    (tmp_path / "class").mkdir()
    (tmp_path / "class" / "s4.yaml").write_text("student: {id: s2\n", encoding="utf-8")
    out, _, _ = graded("--assignment", "Exam 1", "--missing", "blank")
    students = canvas_import((out / "canvas.csv").read_bytes())["students"]
    # An empty cell would remove a grade Chen has in Canvas; a student not in the file keeps
    # every grade (rule 6).
    assert students == [{"by": ("ID", "10101"), "grades": {"Exam 1": 6.0}},
                        {"by": ("ID", "10102"), "grades": {"Exam 1": 2.0}}]


def test_per_problem_makes_one_assignment_per_problem(graded):
    out, _, _ = graded("--assignment", "Exam 1", "--per-problem")
    imported = canvas_import((out / "canvas.csv").read_bytes())
    assert imported["assignments"] == [{"title": "Exam 1: p1", "id": None},
                                       {"title": "Exam 1: p2", "id": None}]
    assert imported["points"] == {"Exam 1: p1": "5", "Exam 1: p2": "1"}  # 2 + 3, and 1
    assert [s["grades"] for s in imported["students"]] == [
        {"Exam 1: p1": 5.0, "Exam 1: p2": 1.0},
        {"Exam 1: p1": 2.0, "Exam 1: p2": 0.0},
        {"Exam 1: p1": 0.0, "Exam 1: p2": 0.0},
    ]


def test_a_sheet_on_no_roster_is_left_out_and_warned(graded):
    out, klass, (_, _, err) = graded("--assignment", "Exam 1")
    names = [s["by"] for s in canvas_import((out / "canvas.csv").read_bytes())["students"]]
    assert ("ID", "10109") not in names and len(names) == 3
    assert f"{klass / 's9.yaml'}: no roster row has its id or email" in err
    assert summary(out)["roster"]["unmatched_sheets"][0]["student"] == "s9"


@pytest.mark.parametrize(("options", "message"), [
    pytest.param(("--assignment", "Quiz (2)"),
                 "--assignment `Quiz (2)` ends as an assignment id: Canvas would read it as "
                 "assignment 2 — --assignment-id N, or a title that does not end in a number "
                 "in parentheses", id="title-ends-as-id"),
    pytest.param(("--assignment", "Final Grade bonus"),
                 "--assignment `Final Grade bonus` holds `Final Grade` — a title without it: "
                 "Canvas' importer drops such a column as one it computes", id="computed-name"),
    pytest.param(("--assignment", "Exam", "--assignment-id", "12a"),
                 "--assignment-id `12a` — Canvas' number of the assignment, e.g. 12345 (in its "
                 "address: /assignments/12345)", id="id-not-a-number"),
    pytest.param(("--assignment", "Exam", "--assignment-id", "1", "--per-problem"),
                 "--assignment-id names one assignment, but --per-problem makes one per "
                 "problem — one of the two", id="id-and-per-problem"),
    pytest.param(("--assignment", "Section"),
                 "--assignment `Section` is a column Canvas reserves — the assignment's title",
                 id="reserved"),
])
def test_a_title_canvas_would_misread_is_refused(graded, options, message):
    out, _, result = graded(*options)
    assert result == (2, "", f"error: {message}\n")
    assert not out.exists()


def test_canvas_needs_a_roster(tmp_path):
    bank, klass = make_bank(tmp_path), make_class(tmp_path, SHEETS)
    code, _, err = grade(klass, "-p", bank, "--out", tmp_path / "r", "--export", "canvas")
    assert (code, err) == (2, "error: --export canvas needs --roster FILE — the class list with "
                              "the students' Canvas or SIS ids: the gradebook Canvas exports "
                              "will do\n")


def test_a_roster_student_canvas_cannot_find_is_refused(tmp_path):
    # A plain list (no Canvas export): its ids are the school's, not Canvas' user ids, and
    # Canvas would fall back on the name, which two students may share.
    bank, klass = make_bank(tmp_path), make_class(tmp_path, SHEETS)
    roster = tmp_path / "plain.csv"
    roster.write_text("id,name,sis user id\ns1,Ada,s1\ns2,Babak,\n", encoding="utf-8")
    code, _, err = grade(klass, "-p", bank, "--out", tmp_path / "r", "--roster", roster,
                         "--export", "canvas")
    assert (code, err) == (2, f"error: {roster}:3: student `s2` has no Canvas ID, SIS user id "
                              "or SIS login id — one of them for every student: Canvas finds "
                              "students by them (the gradebook Canvas exports has them all)\n")


def test_roster_names_are_inert_in_canvas_csv(tmp_path):
    bank, klass = make_bank(tmp_path), make_class(tmp_path, {"s1.yaml": SHEETS["s1.yaml"]})
    roster = tmp_path / "r.csv"
    roster.write_text("Student,ID,SIS User ID,SIS Login ID,Section\n"
                      "\"=HYPERLINK(\"\"http://x\"\")\",1,s1,a,\"@SUM(1)\u202e\"\n",
                      encoding="utf-8")
    out = tmp_path / "report"
    grade(klass, "-p", bank, "--out", out, "--roster", roster, "--export", "canvas",
          "--assignment", "Exam")
    assert csv_rows(out / "canvas.csv")[2] == ["'=HYPERLINK(\"http://x\")", "1", "s1", "a",
                                               "'@SUM(1)\\u202e", "6"]


def test_a_problem_id_canvas_would_misread_as_an_assignment_id_stops_per_problem(tmp_path):
    bank, klass = make_bank(tmp_path), make_class(tmp_path, {"s1.yaml": SHEETS["s1.yaml"]})
    # Problem id `p (2)`: its column `Exam: p (2)` would be Canvas' assignment 2 (rule 3).
    (bank / "p2.yaml").write_text(
        "id: p (2)\nparts:\n  - {id: c, ask: choice, options: [A, B, C], key: C}\n",
        encoding="utf-8")
    (klass / "s1.yaml").write_text(
        "student: {id: s1}\nanswers:\n  p1: {a: A, b: B}\n  p (2): {c: C}\n", encoding="utf-8")
    roster = tmp_path / "r.csv"
    roster.write_text(ROSTER, encoding="utf-8")
    out = tmp_path / "report"
    result = grade(klass, "-p", bank, "--out", out, "--roster", roster, "--export", "canvas",
                   "--assignment", "Exam", "--per-problem")
    assert result[0] == 2
    assert result[2] == ("error: problem `p (2)`: its canvas.csv column `Exam: p (2)` ends as "
                         "an assignment id (2), which Canvas would misread — one assignment "
                         "for the exam (no --per-problem), or another id\n")
    assert not out.exists()
