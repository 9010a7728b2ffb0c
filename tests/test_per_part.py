"""`grade --per-part`: a grades.csv column per part, `problem/part`, in bank order."""

from __future__ import annotations

from pathlib import Path

from classbook import csv_rows, grade, make_bank, make_class, sheet_text

# p1/a is worth 2, p1/b 3, p2/c 1 (classbook.py); the keys are A, B, C.
SHEETS = {
    "s1.yaml": sheet_text("s1", "Ada", "A", "B", "C"),  # a 2, b 3, c 1: 6
    "s2.yaml": sheet_text("s2", "Babak", "A", "A", "C"),  # a 2, b 0, c 1: 3
    "s3.yaml": "student: {id: s3\nanswers: {}\n",  # cannot be read
}


def run(tmp_path: Path, name: str, *options: object) -> Path:
    bank = tmp_path / "bank"
    if not bank.exists():
        make_bank(tmp_path)
        make_class(tmp_path, SHEETS)
    out = tmp_path / name
    grade(tmp_path / "class", "-p", bank, "--out", out, *options)
    return out


def test_per_part_adds_a_column_per_part_after_the_problem_columns(tmp_path):
    out = run(tmp_path, "report", "--per-part")
    rows = csv_rows(out / "grades.csv")
    assert rows[0] == ["id", "name", "p1", "p2", "p1/a", "p1/b", "p2/c", "total", "max",
                       "status", "error", "sheet"]
    assert [r[:10] for r in rows[1:3]] == [
        ["s1", "Ada", "5", "1", "2", "3", "1", "6", "6", "ok"],
        ["s2", "Babak", "2", "1", "2", "0", "1", "3", "6", "failed"],
    ]
    assert rows[3][2:10] == ["", "", "", "", "", "", "", "error"]  # no scores at all


def test_without_per_part_grades_csv_is_byte_for_byte_what_it_was(tmp_path):
    plain = (run(tmp_path, "plain") / "grades.csv").read_bytes()
    klass = tmp_path / "class"
    # The file as the gradebook has always written it: BOM, CRLF, these columns; the
    # unreadable sheet's row has no scores and the reader's message.
    assert plain.decode("utf-8").startswith(
        "\ufeffid,name,p1,p2,total,max,status,error,sheet\r\n"
        f"s1,Ada,5,1,6,6,ok,,{klass / 's1.yaml'}\r\n"
        f"s2,Babak,2,1,3,6,failed,,{klass / 's2.yaml'}\r\n,,,,,,error,")
    assert plain.endswith(f",{klass / 's3.yaml'}\r\n".encode())
    assert plain.count(b"\r\n") == 4
    # And the per-part file is the same file with the part columns added, and nothing else.
    per_part = csv_rows(run(tmp_path, "per-part", "--per-part") / "grades.csv")
    assert [row[:4] + row[7:] for row in per_part] == csv_rows(tmp_path / "plain" / "grades.csv")


def test_per_part_columns_follow_the_bank_and_a_missing_student_scores_0_on_each(tmp_path):
    roster = tmp_path / "roster.csv"
    roster.write_text("id\ns1\ns2\ns3\ns4\n", encoding="utf-8")
    rows = csv_rows(run(tmp_path, "report", "--per-part", "--roster", roster) / "grades.csv")
    assert rows[-1][:10] == ["s4", "", "0", "0", "0", "0", "0", "0", "6", "missing"]
