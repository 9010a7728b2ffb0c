"""`grade --export moodle`: moodle.csv read as Moodle's CSV grade import reads it.

The import's rules, written out below from Moodle's "Grade import" page
(https://docs.moodle.org/405/en/Grade_import) and from its reader (moodle/moodle,
lib/csvlib.class.php `csv_import_reader::load_csv_content`, and
grade/import/csv/classes/load_data.php):

1. The file is decoded (UTF-8 by default), one leading byte-order mark is removed, CR LF and CR
   become LF, and spaces and newlines at the end are trimmed.
2. The first row names the columns. Every row must have exactly as many fields as the header,
   or the whole import is refused ("csvweirdcolumns").
3. The person importing maps one column to a user field: "Email address" to `useremail`, or
   "ID number" to `useridnumber`. A row whose user field is empty is skipped.
4. A column mapped to a grade item: an empty cell or `-` is "no grade" (and overwrites the
   grade there); anything else must read as a number, or the import fails ("badgrade").
5. A column mapped to the item's feedback is taken as text. Importing feedback overwrites the
   grade too, so the grade and its feedback are imported together.
"""

from __future__ import annotations

import csv
import io
from pathlib import Path
from typing import Any

import pytest
from classbook import grade, make_bank, make_class, sheet_text, summary


class Refused(Exception):
    """Moodle would not import the file."""


def moodle_import(data: bytes, *, user: str, grade_column: str, feedback: str
                  ) -> dict[str, Any]:
    """What Moodle's CSV grade import takes from a file, with the columns mapped as named."""
    text = data.decode("utf-8")
    if text.startswith("\ufeff"):  # Rule 1.
        text = text[1:]
    text = text.replace("\r\n", "\n").replace("\r", "\n").strip()
    rows = list(csv.reader(io.StringIO(text, newline="")))
    header = rows[0]
    if any(len(row) != len(header) for row in rows):  # Rule 2.
        raise Refused("csvweirdcolumns")
    at = {name: header.index(name) for name in (user, grade_column, feedback)}  # Rule 3.
    imported = {}
    for row in rows[1:]:
        who = row[at[user]].strip()
        if not who:
            continue
        cell = row[at[grade_column]].strip()  # Rule 4.
        if cell in ("", "-"):
            value: float | None = None
        else:
            try:
                value = float(cell)
            except ValueError:
                raise Refused(f"badgrade: {cell!r}") from None
        imported[who] = (value, row[at[feedback]])  # Rule 5.
    return imported


# p1/a is worth 2, p1/b 3, p2/c 1 (classbook.py): 6 points in all; the keys are A, B, C.
SHEETS = {
    "s1.yaml": sheet_text("s1", "Ada", "A", "B", "C", email="ada@example.edu"),  # 6
    "s2.yaml": sheet_text("s2", "Babak", "A", "A", "A", email="babak@example.edu"),  # 2
    "s3.yaml": "student: {id: s3\nanswers: {}\n",  # cannot be read
}


def run(tmp_path: Path, sheets: dict[str, str], *options: object) -> tuple[Path, int, str]:
    bank, klass = make_bank(tmp_path), make_class(tmp_path, sheets)
    out = tmp_path / "report"
    code, _, err = grade(klass, "-p", bank, "--out", out, "--export", "moodle",
                         "--assignment", "Exam 1", *options)
    return out, code, err


def test_the_checker_refuses_a_row_of_the_wrong_length():
    # Without this, a checker that accepts anything would pass the tests below.
    with pytest.raises(Refused):
        moodle_import(b"Email address,Exam 1,Feedback\r\na@x.org,3\r\n", user="Email address",
                      grade_column="Exam 1", feedback="Feedback")


def test_moodle_csv_imports_each_graded_sheet_by_email_with_one_line_feedback(tmp_path):
    out, code, _ = run(tmp_path, SHEETS)
    assert code == 1
    imported = moodle_import((out / "moodle.csv").read_bytes(), user="Email address",
                             grade_column="Exam 1", feedback="Feedback")
    # Ada: 3 parts right, 6 of 6. Babak: a right (2), b and c wrong. The unreadable sheet has
    # no score: it is left out rather than imported as "no grade", which would erase one.
    assert imported == {
        "ada@example.edu": (6.0, "Total 6/6 — 3 correct"),
        "babak@example.edu": (2.0, "Total 2/6 — 1 correct, 2 wrong"),
    }


def test_moodle_csv_is_utf8_with_a_bom_and_crlf(tmp_path):
    out, _, _ = run(tmp_path, SHEETS)
    assert (out / "moodle.csv").read_bytes().startswith(
        b"\xef\xbb\xbfEmail address,Exam 1,Feedback\r\nada@example.edu,6,")


def test_idnumber_names_students_by_their_roster_id_and_a_student_with_no_sheet_scores_0(
        tmp_path):
    roster = tmp_path / "roster.csv"
    roster.write_text("id,Email\ns1,ada.lindqvist@school.edu\ns2,babak@school.edu\n"
                      "s4,dana@school.edu\n", encoding="utf-8")
    out, _, _ = run(tmp_path, SHEETS, "--roster", roster, "--moodle-id", "idnumber")
    imported = moodle_import((out / "moodle.csv").read_bytes(), user="ID number",
                             grade_column="Exam 1", feedback="Feedback")
    assert imported == {"s1": (6.0, "Total 6/6 — 3 correct"),
                        "s2": (2.0, "Total 2/6 — 1 correct, 2 wrong"),
                        "s4": (0.0, "no sheet handed in")}


def test_a_student_with_no_sheet_is_left_out_with_missing_blank(tmp_path):
    roster = tmp_path / "roster.csv"
    roster.write_text("id,Email\ns1,ada@example.edu\ns4,dana@school.edu\n", encoding="utf-8")
    out, _, _ = run(tmp_path, SHEETS, "--roster", roster, "--missing", "blank")
    imported = moodle_import((out / "moodle.csv").read_bytes(), user="Email address",
                             grade_column="Exam 1", feedback="Feedback")
    assert imported == {"ada@example.edu": (6.0, "Total 6/6 — 3 correct")}


def test_with_a_roster_the_email_comes_from_the_roster_not_the_sheet(tmp_path):
    roster = tmp_path / "roster.csv"
    roster.write_text("id,email\ns1,ada.lindqvist@school.edu\ns2,babak@school.edu\n",
                      encoding="utf-8")
    out, _, _ = run(tmp_path, SHEETS, "--roster", roster)
    imported = moodle_import((out / "moodle.csv").read_bytes(), user="Email address",
                             grade_column="Exam 1", feedback="Feedback")
    assert set(imported) == {"ada.lindqvist@school.edu", "babak@school.edu"}


def test_two_sheets_with_one_email_import_neither(tmp_path):
    # Mallory writes Ada's email: picking the first sheet would give Ada Mallory's grade.
    sheets = {"s1.yaml": SHEETS["s1.yaml"],
              "s5.yaml": sheet_text("s5", "Mallory", "B", "B", "B", email="ADA@example.edu")}
    out, _, err = run(tmp_path, sheets)
    assert (out / "moodle.csv").read_bytes() == b"\xef\xbb\xbfEmail address,Exam 1,Feedback\r\n"
    s1, s5 = tmp_path / "class" / "s1.yaml", tmp_path / "class" / "s5.yaml"
    assert summary(out)["imports_left_out"] == [
        {"file": "moodle.csv", "source": str(s1),
         "reason": f"email `ada@example.edu` is also on {s5}; neither is imported"},
        {"file": "moodle.csv", "source": str(s5),
         "reason": f"email `ADA@example.edu` is also on {s1}; neither is imported"}]
    assert f"warning: moodle.csv leaves out {s1}: email" in err


def test_a_sheet_without_the_identifier_is_left_out_and_listed(tmp_path):
    out, _, _ = run(tmp_path, {"s7.yaml": sheet_text("s7", "Gita", "A", "B", "C")})
    assert (out / "moodle.csv").read_bytes() == b"\xef\xbb\xbfEmail address,Exam 1,Feedback\r\n"
    assert summary(out)["imports_left_out"][0]["reason"] == "no email"


def test_feedback_and_identifiers_are_inert_and_on_one_line(tmp_path):
    sheets = {"s1.yaml": sheet_text("s1", "Ada", "A", "B", "C", email="=1+1\u2028@x.org")}
    out, _, _ = run(tmp_path, sheets)
    lines = (out / "moodle.csv").read_bytes().decode("utf-8-sig").split("\r\n")
    assert lines[1] == "'=1+1\\u2028@x.org,6,Total 6/6 — 3 correct"
    assert lines[2:] == [""]


def test_from_a_canvas_roster_the_id_number_is_the_sis_user_id(tmp_path):
    # Moodle's ID number is the school's id: a Canvas export holds it as SIS User ID, while
    # its ID column is Canvas' own.
    roster = tmp_path / "canvas.csv"
    roster.write_text("Student,ID,SIS User ID,SIS Login ID,Section\n"
                      "\"Lindqvist, Ada\",10101,s1,ada.l,A\n", encoding="utf-8")
    out, _, _ = run(tmp_path, SHEETS, "--roster", roster, "--moodle-id", "idnumber")
    imported = moodle_import((out / "moodle.csv").read_bytes(), user="ID number",
                             grade_column="Exam 1", feedback="Feedback")
    assert imported == {"s1": (6.0, "Total 6/6 — 3 correct")}


def test_a_roster_with_no_email_cannot_name_students_by_email(tmp_path):
    roster = tmp_path / "roster.csv"
    roster.write_text("id,name\ns1,Ada\n", encoding="utf-8")
    out, code, err = run(tmp_path, SHEETS, "--roster", roster)
    assert (code, err) == (2, f"error: {roster}:1: no student has an email, which --moodle-id "
                              "email names students by — --moodle-id idnumber, or a roster "
                              "with that column\n")
    assert not out.exists()
