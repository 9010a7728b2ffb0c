"""`grade --roster`: the class list read, sheets matched to it, students with no sheet."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from classbook import csv_rows, grade, make_bank, make_class, sheet_text, summary

from nncheck.errors import InputError
from nncheck.io.roster import parse_roster, read_roster

# p1/a is worth 2, p1/b 3, p2/c 1 (classbook.py): A, B, C are the keys.
SHEETS = {
    "s1.yaml": sheet_text("s1", "Ada", "A", "B", "C"),  # 2 + 3 + 1 = 6
    "s2.yaml": sheet_text("s2", "Babak", "A", "A", "A", email="Babak@Example.edu"),  # 2
    "s9.yaml": sheet_text("s9", "Stray", "B", "B", "B"),  # 3, and on no roster
}


def write(tmp_path: Path, data: bytes, name: str = "roster.csv") -> Path:
    path = tmp_path / name
    path.write_bytes(data)
    return path


# --- reading ------------------------------------------------------------------------------------

def test_columns_are_found_by_name_ignoring_case_spaces_and_underscores(tmp_path):
    # A byte-order mark, CRLF line ends, and every header spelt otherwise than ALIASES does.
    data = ("\ufeff Student_ID ,Full  Name,E-Mail,SECTION,Notes\r\n"
            "s1,Ada Lindqvist,ada@example.edu,A,first row\r\n"
            "s2,\"Rahimi, Babak\",,B,\r\n").encode("utf-8")
    roster = read_roster(write(tmp_path, data))
    assert [(s.line, s.id, s.name, s.email, s.section) for s in roster.students] == [
        (2, "s1", "Ada Lindqvist", "ada@example.edu", "A"),
        (3, "s2", "Rahimi, Babak", None, "B"),
    ]
    assert not roster.canvas


def test_a_canvas_gradebook_export_is_a_roster_and_its_points_row_is_skipped(tmp_path):
    # As Canvas' exporter writes it: the points row starts with spaces, and "(read only)" cells.
    data = (b"Student,ID,SIS User ID,SIS Login ID,Section,Exam 1 (4521),Current Score\r\n"
            b"    Points Possible,,,,,40,(read only)\r\n"
            b"\"Lindqvist, Ada\",10101,s1,ada.l,NN 101 A,,\r\n")
    roster = read_roster(write(tmp_path, data))
    assert roster.canvas
    assert [(s.line, s.name, s.id, s.sis_user_id, s.sis_login_id, s.section)
            for s in roster.students] == [(3, "Lindqvist, Ada", "10101", "s1", "ada.l",
                                           "NN 101 A")]


def test_a_row_spanning_lines_keeps_the_line_it_starts_on(tmp_path):
    data = b'id,name\n"s1","Ada\nLindqvist"\ns2,Babak\n'
    assert [s.line for s in read_roster(write(tmp_path, data)).students] == [2, 4]


@pytest.mark.parametrize(("data", "message"), [
    pytest.param(b"name,section\nAda,A\n",
                 "{p}:1: no column for the student's id or email — a header naming `id` (or "
                 "`student id`, `username`) or `email` (or `e-mail`, `email address`)",
                 id="no-id-column"),
    pytest.param(b"id,name\ns1,Ada\nS1,Babak\n",
                 "{p}:3: id `S1` is also on line 2 — one row per student", id="duplicate-id"),
    pytest.param(b"id,email\ns1,a@x.org\ns2,A@X.org\n",
                 "{p}:3: email `A@X.org` is also on line 2 — one row per student",
                 id="duplicate-email"),
    pytest.param(b"id,name\ns1,Ada\ns2,Ren\xe9e\n",
                 "{p}:3: the roster is not valid UTF-8 (byte 0xe9) — UTF-8 text (save it as "
                 "CSV UTF-8)", id="latin-1"),
    pytest.param("id,name\ns1,Ada\n".encode("utf-16"),
                 "{p}:1: the roster is not valid UTF-8 (byte 0xff) — UTF-8 text (the file looks "
                 "like UTF-16; save it as CSV UTF-8)", id="utf-16"),
    pytest.param(b"id,name\n,Ada\n", "{p}:2: a row with no id or email — every student's id "
                                     "or email", id="row-without-id"),
    pytest.param(b"id,email,e-mail\n", "{p}:1: two columns for the student's email: `email` "
                                       "and `e-mail` — one column for each", id="two-columns"),
    pytest.param(b"", "{p}: the roster is empty — a CSV file whose first line names its "
                      "columns", id="empty"),
    pytest.param(b'id,name\ns1,"Ada\n', "{p}:2: not a CSV row: unexpected end of data — "
                                        "comma-separated cells, quoted with `\"`",
                 id="open-quote"),
])
def test_a_bad_roster_is_one_located_line_and_exit_2(tmp_path, data, message):
    path = write(tmp_path, data)
    with pytest.raises(InputError) as caught:
        read_roster(path)
    assert str(caught.value) == message.format(p=path)
    bank, klass = make_bank(tmp_path), make_class(tmp_path, SHEETS)
    code, out, err = grade(klass, "-p", bank, "--out", tmp_path / "r", "--roster", path)
    assert (code, out, err) == (2, "", f"error: {message.format(p=path)}\n")
    assert not (tmp_path / "r").exists()  # refused before anything was graded or written


def test_a_folder_as_roster_is_refused_as_a_csv_file(tmp_path):
    with pytest.raises(InputError, match="not a regular file: a folder — a CSV file"):
        read_roster(tmp_path)


# --- matching -----------------------------------------------------------------------------------

def test_sheets_match_by_id_then_sis_ids_then_email_ignoring_case():
    roster = parse_roster(
        "id,email,sis user id\n"
        "s1,ada@example.edu,\n"  # line 2: by id
        "s2,babak@example.edu,\n"  # line 3: by email only (the sheet's id is not s2)
        "10103,chen@example.edu,u-chen\n"  # line 4: by SIS user id
        "s4,dana@example.edu,\n", "r.csv")  # line 5: no sheet
    matching = roster.match([
        ("a.yaml", "c/a.yaml", "S1", None),
        ("b.yaml", "c/b.yaml", "babak", "BABAK@example.EDU"),
        ("c.yaml", "c/c.yaml", "U-Chen", None),
        ("x.yaml", "c/x.yaml", "s9", "nobody@example.edu"),
        ("y.yaml", "c/y.yaml", None, None),  # could not be read
    ])
    assert matching.rows == {"a.yaml": 0, "b.yaml": 1, "c.yaml": 2}
    assert matching.missing == [3]
    assert matching.unmatched == [
        ("c/x.yaml", "s9", "no roster row has its id or email"),
        ("c/y.yaml", None, "it could not be read, so it names no student"),
    ]


def test_an_email_never_takes_a_row_another_sheet_matched_by_id():
    # Sheet m.yaml claims Ada's email, but Ada's own sheet (z.yaml, later in report order)
    # matches her row by id, which comes first.
    roster = parse_roster("id,email\ns1,ada@example.edu\n", "r.csv")
    matching = roster.match([("m.yaml", "c/m.yaml", "mallory", "ada@example.edu"),
                             ("z.yaml", "c/z.yaml", "s1", None)])
    assert matching.rows == {"z.yaml": 0}
    assert matching.unmatched == [
        ("c/m.yaml", "mallory", "it matches roster line 2 (`s1`), already matched by c/z.yaml")]


# --- the report ---------------------------------------------------------------------------------

def test_roster_students_with_no_sheet_get_a_missing_row_and_stray_sheets_are_warned(tmp_path):
    bank, klass = make_bank(tmp_path), make_class(tmp_path, SHEETS)
    roster = write(tmp_path, b"id,name,email\ns1,Ada L.,ada@example.edu\n"
                             b"x2,Babak R.,babak@example.edu\ns3,Chen W.,chen@example.edu\n")
    out = tmp_path / "report"
    code, _, err = grade(klass, "-p", bank, "--out", out, "--roster", roster, "--format", "json")
    assert code == 1  # s2 and s9 lost points
    rows = csv_rows(out / "grades.csv")
    assert rows[0] == ["id", "name", "p1", "p2", "total", "max", "status", "error", "sheet"]
    # The sheets' rows as without a roster (their own id and name), then s3 with no sheet:
    # 0 on each problem, 0 of 6 (2 + 3 + 1 points).
    assert [r[:7] for r in rows[1:]] == [
        ["s1", "Ada", "5", "1", "6", "6", "ok"],
        ["s2", "Babak", "2", "0", "2", "6", "failed"],
        ["s9", "Stray", "3", "0", "3", "6", "failed"],
        ["s3", "Chen W.", "0", "0", "0", "6", "missing"],
    ]
    assert rows[-1][7:] == ["", ""]  # no error, no sheet
    said = summary(out)["roster"]
    assert said["students"] == 3 and said["matched"] == 2
    assert [m["id"] for m in said["missing"]] == ["s3"]
    assert said["unmatched_sheets"] == [{"sheet": str(klass / "s9.yaml"), "student": "s9",
                                         "reason": "no roster row has its id or email"}]
    assert err == (f"warning: 1 sheet matches no roster student (graded, and left out of any "
                   f"import): {klass / 's9.yaml'}: no roster row has its id or email\n"
                   "note: 1 roster student with no sheet (status `missing`): s3\n")


def test_missing_blank_leaves_the_scores_of_a_student_with_no_sheet_empty(tmp_path):
    bank, klass = make_bank(tmp_path), make_class(tmp_path, {"s1.yaml": SHEETS["s1.yaml"]})
    roster = write(tmp_path, b"id\ns1\ns3\n")
    out = tmp_path / "report"
    grade(klass, "-p", bank, "--out", out, "--roster", roster, "--missing", "blank")
    assert csv_rows(out / "grades.csv")[-1] == ["s3", "", "", "", "", "6", "missing", "", ""]


def test_roster_strings_are_inert_in_grades_csv(tmp_path):
    bank, klass = make_bank(tmp_path), make_class(tmp_path, {"s1.yaml": SHEETS["s1.yaml"]})
    roster = write(tmp_path, 'id,name\ns1,Ada\n=cmd|\'/c calc\'!A1,"\x1b]0;pwned\x07\u202eX"\n'
                   .encode("utf-8"))
    out = tmp_path / "report"
    grade(klass, "-p", bank, "--out", out, "--roster", roster)
    # OWASP: a leading ' keeps a formula as text; controls and bidi overrides become escapes.
    assert csv_rows(out / "grades.csv")[-1][:2] == ["'=cmd|'/c calc'!A1",
                                                    "\\x1b]0;pwned\\x07\\u202eX"]


def test_without_a_roster_grades_csv_and_summary_are_as_before(tmp_path):
    bank, klass = make_bank(tmp_path), make_class(tmp_path, SHEETS)
    out = tmp_path / "report"
    grade(klass, "-p", bank, "--out", out)
    assert "roster" not in summary(out)
    assert [r[6] for r in csv_rows(out / "grades.csv")[1:]] == ["ok", "failed", "failed"]


def test_missing_without_a_roster_is_a_usage_error(tmp_path):
    bank, klass = make_bank(tmp_path), make_class(tmp_path, SHEETS)
    code, _, err = grade(klass, "-p", bank, "--out", tmp_path / "r", "--missing", "blank")
    assert (code, err) == (2, "error: --missing says what a roster student with no sheet "
                              "scores — --roster FILE\n")


def test_a_sheets_email_is_in_its_results_line(tmp_path):
    bank, klass = make_bank(tmp_path), make_class(tmp_path, SHEETS)
    out = tmp_path / "report"
    grade(klass, "-p", bank, "--out", out)
    students = [json.loads(line)["student"]
                for line in (out / "results.jsonl").read_text("utf-8").splitlines()]
    assert students == [{"id": "s1", "name": "Ada"},
                        {"id": "s2", "name": "Babak", "email": "Babak@Example.edu"},
                        {"id": "s9", "name": "Stray"}]


def test_a_run_of_part_of_the_class_names_no_student_missing(tmp_path):
    # Grading s1 alone (or one shard) cannot tell a student with no sheet from one graded in
    # another run: the roster's other students are not `missing`.
    bank, klass = make_bank(tmp_path), make_class(tmp_path, SHEETS)
    roster = write(tmp_path, b"id\ns1\ns2\ns3\n")
    out = tmp_path / "report"
    code, _, err = grade(klass, "-p", bank, "--out", out, "--roster", roster, "--student", "s1")
    assert code == 0
    assert [r[0] for r in csv_rows(out / "grades.csv")[1:]] == ["s1"]
    assert summary(out)["roster"]["missing"] is None
    assert err == ""
