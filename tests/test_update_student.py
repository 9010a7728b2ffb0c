"""`grade --student ID --update`: one student regraded into a class report, which then equals a
fresh run over the whole class; and a full run leaves no file of a student no longer graded."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from reportkit import assert_same_report, files_of, run, seed_copy

seed = pytest.fixture(seed_copy, name="seed")

def grade(klass: Path, bank: Path, out: Path, *more: object) -> tuple[int, str, str]:
    return run("grade", klass, "-p", bank, "-o", out, "-f", "text", *more)


def test_an_updated_student_gives_the_report_of_a_fresh_full_run(seed, tmp_path):
    bank, klass = seed
    report = tmp_path / "report"
    grade(klass, bank, report)
    before = (report / "feedback" / "s03.txt").read_bytes()
    # s03 changes method-2 of q4 from 505 (101 × 5: 100 weights and a bias, 5 times) to 500.
    sheet = klass / "s03-chen.yaml"
    text = sheet.read_text("utf-8")
    assert "    method-2: 505\n" in text
    sheet.write_text(text.replace("    method-2: 505\n", "    method-2: 500\n"), "utf-8")
    code, stdout, stderr = grade(klass, bank, report, "--student", "s03", "--update")
    assert (code, stderr) == (1, "")
    assert stdout.startswith(f"Graded 12 sheets: 9 failed, 2 pending, 1 error — report in "
                             f"{report}\n")
    grade(klass, bank, tmp_path / "fresh")
    assert_same_report(report, tmp_path / "fresh")
    assert (report / "feedback" / "s03.txt").read_bytes() != before
    rows = (report / "grades.csv").read_text("utf-8-sig").splitlines()
    assert len(rows) == 13  # the header and every sheet of the class, not one row


def test_a_sheet_that_became_unreadable_loses_its_files_in_an_update(seed, tmp_path):
    bank, klass = seed
    report = tmp_path / "report"
    grade(klass, bank, report)
    assert (report / "feedback" / "s05.txt").exists()
    (klass / "s05-elif.yaml").write_text("student: {id: s05\nanswers: {}\n", "utf-8")
    code, _, stderr = grade(klass, bank, report, "--student", "s05-elif", "--update")
    assert (code, stderr) == (1, "")
    assert not (report / "feedback" / "s05.txt").exists()
    assert not (report / "gradescope" / "s05.json").exists()
    grade(klass, bank, tmp_path / "fresh")
    assert_same_report(report, tmp_path / "fresh")


def test_an_override_for_the_updated_student_is_taken(seed, tmp_path):
    bank, klass = seed
    report = tmp_path / "report"
    overrides = tmp_path / "overrides.yaml"
    overrides.write_text("s02: {q3-transfer-learning: {a: {points: 1}}}\n", "utf-8")
    grade(klass, bank, report, "--overrides", overrides)
    overrides.write_text("s02: {q3-transfer-learning: {a: {points: 1}}}\n"
                         "s01: {q3-transfer-learning: {a: {points: 1, comment: ok}}}\n", "utf-8")
    code, _, stderr = grade(klass, bank, report, "--overrides", overrides,
                            "--student", "s01", "--update")
    assert (code, stderr) == (1, "")
    grade(klass, bank, tmp_path / "fresh", "--overrides", overrides)
    assert_same_report(report, tmp_path / "fresh")


def test_a_changed_override_of_another_student_is_refused(seed, tmp_path):
    bank, klass = seed
    report = tmp_path / "report"
    grade(klass, bank, report)
    overrides = tmp_path / "overrides.yaml"
    overrides.write_text("s02: {q3-transfer-learning: {a: {points: 1}}}\n", "utf-8")
    code, _, stderr = grade(klass, bank, report, "--overrides", overrides,
                            "--student", "s01", "--update")
    assert code == 2
    assert stderr == (f"error: the overrides of student `s02` changed since {report} was "
                      "written — grade the whole class, or --update that student\n")


def test_update_without_a_report_is_an_error(seed, tmp_path):
    bank, klass = seed
    code, stdout, stderr = grade(klass, bank, tmp_path / "none", "--student", "s03", "--update")
    assert (code, stdout) == (2, "")
    assert stderr == (f"error: {tmp_path / 'none'}: no report to update — --update with --out "
                      "DIR, a report of the whole class written by `nncheck grade`\n")
    assert not (tmp_path / "none").exists()


def test_update_into_a_report_of_another_bank_is_an_error(seed, tmp_path):
    bank, klass = seed
    report = tmp_path / "report"
    grade(klass, bank, report)
    saved = files_of(report)
    q6 = bank / "q6-linear-depth.yaml"
    q6.write_text(q6.read_text("utf-8") + "\n# edited\n", "utf-8")
    code, _, stderr = grade(klass, bank, report, "--student", "s03", "--update")
    assert code == 2
    assert stderr == (f"error: {report} was graded against other problems (problem_hashes "
                      "differ) than this run — --update into a report graded alike: the same "
                      "bank, nncheck version, options and class folder path (else grade the "
                      "whole class)\n")
    assert files_of(report) == saved  # left as it was


def test_update_into_a_one_student_report_or_without_student_is_an_error(seed, tmp_path):
    bank, klass = seed
    grade(klass, bank, tmp_path / "one", "--student", "s03")
    code, _, stderr = grade(klass, bank, tmp_path / "one", "--student", "s03", "--update")
    assert (code, stderr) == (2, f"error: {tmp_path / 'one'}: a report of one student — "
                                 "--update into a report of the whole class\n")
    code, _, stderr = grade(klass, bank, tmp_path / "one", "--update")
    assert (code, stderr) == (2, "error: --update regrades one student into a class report — "
                                 "--student ID --update --out REPORT\n")


def test_a_new_sheet_in_the_class_is_refused_by_an_update(seed, tmp_path):
    bank, klass = seed
    report = tmp_path / "report"
    grade(klass, bank, report)
    shutil.copy(klass / "s01-ada.yaml", klass / "s13.yaml")
    text = (klass / "s13.yaml").read_text("utf-8").replace("id: s01", "id: s13")
    (klass / "s13.yaml").write_text(text, "utf-8")
    code, _, stderr = grade(klass, bank, report, "--student", "s03", "--update")
    assert (code, stderr) == (2, f"error: {klass} has sheets that {report} does not: "
                                 "`s13.yaml` — grade the whole class again\n")


def test_without_update_student_writes_a_report_of_that_one_sheet(seed, tmp_path):
    bank, klass = seed
    grade(klass, bank, tmp_path / "one", "--student", "s03")
    rows = (tmp_path / "one" / "grades.csv").read_text("utf-8-sig").splitlines()
    assert [r.split(",")[0] for r in rows] == ["id", "s03"]
    summary = json.loads((tmp_path / "one" / "summary.json").read_text("utf-8"))
    assert (summary["student"], summary["sheets"]) == ("s03", 1)


def test_a_student_removed_from_the_class_leaves_no_file_after_a_full_run(seed, tmp_path):
    bank, klass = seed
    report = tmp_path / "report"
    grade(klass, bank, report)
    assert (report / "feedback" / "s11.txt").exists()
    (klass / "s11-kofi.yaml").unlink()
    grade(klass, bank, report)
    assert not (report / "feedback" / "s11.txt").exists()
    assert not (report / "gradescope" / "s11.json").exists()
    assert "s11" not in (report / "grades.csv").read_text("utf-8-sig")


def test_update_into_a_report_of_an_older_nncheck_is_an_error(seed, tmp_path):
    bank, klass = seed
    report = tmp_path / "report"
    grade(klass, bank, report)
    # A summary.json as nncheck wrote it before it recorded --rtol and the overrides.
    summary = json.loads((report / "summary.json").read_text("utf-8"))
    del summary["rtol"], summary["overrides"]
    (report / "summary.json").write_text(json.dumps(summary), "utf-8")
    code, _, stderr = grade(klass, bank, report, "--student", "s03", "--update")
    assert (code, stderr) == (2, f"error: {report}: its summary.json is not as this nncheck "
                                 "writes it — --update into a report written by this nncheck "
                                 "version (else grade the whole class)\n")
