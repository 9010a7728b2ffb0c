"""Grading a class: error rows, duplicates, determinism, shards, exports, reveal, overrides."""

from __future__ import annotations

import csv
import hashlib
import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

import nncheck
from conftest import SEED
from nncheck import classroom, stats
from nncheck.cli import app

Q2 = """\
id: q2
title: Losses and choices
parts:
  - {id: a, ask: loss, fn: cross_entropy, y_true: [0, 0, 1, 0], y_pred: [0.25, 0.25, 0.3, 0.2]}
  - {id: pick, ask: choice, options: [A, B], key: A}
  - {id: why, ask: manual, rubric: names the secret rubric words, points: 2}
"""

DESIGN = "{n1: {w: [1, 1, 1], b: -1.5}, n2: {w: [1, 1, 1], b: -2.5}, Y: {w: [1, -1], b: -1}}"
ONE_INPUT = "{n1: {w: [1, 1, 1], b: -0.5}, n2: {w: [1, 1, 1], b: -2.5}, Y: {w: [1, -1], b: -1}}"
PRE = "{z_n1: [-1.5, -0.5, -0.5, 0.5, -0.5, 0.5, 0.5, 1.5], z_n2: {'111': 0.5, else: off}}"
COLUMNS = "{n1: '0001 0111', n2: '0000 0001', Y: '0001 0110'}"
# The tables of the design that fires on one input: right for it (error carried forward).
ONE_PRE = "{z_n1: [-0.5, 0.5, 0.5, 1.5, 0.5, 1.5, 1.5, 2.5], z_n2: {'111': 0.5, else: off}}"
ONE_COLUMNS = "{n1: '0111 1111', n2: '0000 0001', Y: '0111 1110'}"
STRICT = "{n1: '0001 0111', n2: '0000 0001', Y: '0000 0000'}"


def sheet(sid: str, name: str, *, design: str = DESIGN, pre: str = PRE, outputs: str = COLUMNS,
          loss: str = "-log(0.3)", pick: str = "A", why: str | None = "because") -> str:
    """An answer sheet for the test bank, as a student would write it."""
    lines = [
        f"student: {{id: {sid}, name: {name}}}",
        "answers:",
        "  q1-exactly-two:",
        f"    design: {design}",
        f"    pre-activations: {pre}",
        f"    outputs: {outputs}",
        "  q2:",
        f"    a: '{loss}'",
        f"    pick: {pick}",
    ]
    if why is not None:
        lines.append(f"    why: {why}")
    return "\n".join(lines) + "\n"


@pytest.fixture
def bank(tmp_path: Path) -> Path:
    """Q1 of the seed exam, and a problem with a loss, a choice and a manual part."""
    folder = tmp_path / "bank"
    folder.mkdir()
    q1 = (SEED / "q1-exactly-two.yaml").read_text(encoding="utf-8")
    (folder / "q1-exactly-two.yaml").write_text(q1, encoding="utf-8")
    (folder / "q2.yaml").write_text(Q2, encoding="utf-8")
    return folder


@pytest.fixture
def klass(tmp_path: Path) -> Path:
    """Five sheets: right, typical slips, a strict step, unreadable, one in a folder."""
    folder = tmp_path / "class"
    folder.mkdir()
    (folder / "s1.yaml").write_text(sheet("s1", "Ada"), encoding="utf-8")
    (folder / "s2.yaml").write_text(
        sheet("s2", "Babak", design=ONE_INPUT, pre=ONE_PRE, outputs=ONE_COLUMNS, loss="0.5229",
              pick="B"), encoding="utf-8")
    (folder / "s3.yaml").write_text(sheet("s3", "Chen", outputs=STRICT, loss="0.5229"),
                                    encoding="utf-8")
    (folder / "broken.yaml").write_text("student: {id: s4\nanswers: {}\n", encoding="utf-8")
    (folder / "s5").mkdir()
    (folder / "s5" / "answers.yaml").write_text(sheet("s5", "فرید", why=None), encoding="utf-8")
    (folder / ".s6.yaml.swp").write_text("not a sheet", encoding="utf-8")
    return folder


def grade(*args: object) -> tuple[int, str, str]:
    result = CliRunner().invoke(app, ["grade", *(str(a) for a in args)])
    return result.exit_code, result.stdout, result.stderr


def rows(out: Path) -> list[dict[str, str]]:
    with open(out / "grades.csv", encoding="utf-8-sig", newline="") as f:
        return list(csv.DictReader(f))


def jsonl(out: Path) -> list[dict]:
    return [json.loads(line) for line in (out / "results.jsonl").read_text("utf-8").splitlines()]


def files(out: Path) -> dict[str, bytes]:
    return {str(p.relative_to(out)): p.read_bytes() for p in sorted(out.rglob("*")) if p.is_file()}


# --- a class with a broken sheet ----------------------------------------------------------------

def test_a_broken_sheet_is_an_error_row_and_every_other_sheet_is_graded(bank, klass, tmp_path):
    out = tmp_path / "out"
    code, stdout, _ = grade(klass, "--problems", bank, "--out", out, "--format", "text")
    assert code == 1
    by_sheet = {Path(r["sheet"]).relative_to(klass).as_posix(): r for r in rows(out)}
    assert list(by_sheet) == ["broken.yaml", "s1.yaml", "s2.yaml", "s3.yaml", "s5/answers.yaml"]
    broken = by_sheet["broken.yaml"]
    assert (broken["id"], broken["status"], broken["total"]) == ("", "error", "")
    # `{id: s4` (line 1, column 10) is never closed: YAML stops at the `:` after `answers`.
    assert broken["error"] == (
        f"{klass / 'broken.yaml'}:1:10: unclosed `{{`: opened at 1:10, found `:` at 2:8 — `,` "
        "between items, or `}` to close the mapping (close it with `}`; a value that holds "
        "`{`, `,` or `}` goes in quotes)")
    assert [by_sheet[k]["status"] for k in ("s1.yaml", "s2.yaml", "s3.yaml", "s5/answers.yaml")] \
        == ["pending", "failed", "failed", "failed"]
    assert by_sheet["s1.yaml"]["total"] == "12" and by_sheet["s1.yaml"]["max"] == "14"
    assert stdout.splitlines()[0] == \
        f"Graded 5 sheets: 3 failed, 1 pending, 1 error — report in {out}"
    error_line = jsonl(out)[0]
    assert error_line["sheet"] == str(klass / "broken.yaml")
    assert error_line["error"] == broken["error"]
    assert error_line["status"] == "error"


def test_two_sheets_with_one_student_id_are_both_error_rows(bank, klass, tmp_path):
    (klass / "s1-again.yaml").write_text(sheet("s1", "Ada"), encoding="utf-8")
    out = tmp_path / "out"
    code, _, _ = grade(klass, "--problems", bank, "--out", out)
    assert code == 1
    dup = [r for r in rows(out) if r["id"] == "s1"]
    assert [r["status"] for r in dup] == ["error", "error"]
    first, second = (str(klass / n) for n in ("s1-again.yaml", "s1.yaml"))
    assert dup[0]["error"] == (f"{first}: student id `s1` is also used by {second} — "
                               "one sheet per student; nothing was merged")
    assert dup[1]["error"].endswith(f"is also used by {first} — "
                                    "one sheet per student; nothing was merged")
    assert not (out / "feedback" / "s1.txt").exists()
    assert (out / "feedback" / "s2.txt").exists()


def test_student_ids_that_share_a_file_name_are_reported_like_duplicates(bank, tmp_path):
    # Ids that differ in case only would share a file on a case-insensitive file system.
    folder = tmp_path / "c"
    folder.mkdir()
    (folder / "a.yaml").write_text(sheet("X_y", "A"), encoding="utf-8")
    (folder / "b.yaml").write_text(sheet("x_y", "B"), encoding="utf-8")
    report = classroom.grade_class(folder, bank, classroom.Options(jobs=1))
    assert [r.status for r in report.rows] == ["error", "error"]
    assert "student ids `X_y`, `x_y` share the file name `X_y`" in (report.rows[0].error or "")


# --- determinism and shards ---------------------------------------------------------------------

def test_one_job_and_two_jobs_write_byte_identical_files(bank, klass, tmp_path):
    for n in range(6, 12):
        (klass / f"s{n}.yaml").write_text(sheet(f"s{n}", f"S{n}", loss=str(n / 10)),
                                          encoding="utf-8")
    one, two = tmp_path / "one", tmp_path / "two"
    assert grade(klass, "-p", bank, "-o", one, "--jobs", "1")[0] == 1
    assert grade(klass, "-p", bank, "-o", two, "--jobs", "2")[0] == 1
    assert files(one) == files(two)
    # grades.csv, results.jsonl, summary.json, report.html; per graded sheet (10) two files
    assert len(files(one)) == 4 + 2 * 10
    assert not [p for p in (one).rglob("*") if p.name.endswith(".tmp")]


def test_shards_partition_the_class(bank, klass, tmp_path):
    for n in range(6, 20):
        (klass / f"s{n}.yaml").write_text(sheet(f"s{n}", f"S{n}"), encoding="utf-8")
    grade(klass, "-p", bank, "-o", tmp_path / "all", "-j", "1")
    grade(klass, "-p", bank, "-o", tmp_path / "k1", "-j", "1", "--shard", "1/2")
    grade(klass, "-p", bank, "-o", tmp_path / "k2", "-j", "1", "--shard", "2/2")
    every = [r["sheet"] for r in rows(tmp_path / "all")]
    first = [r["sheet"] for r in rows(tmp_path / "k1")]
    second = [r["sheet"] for r in rows(tmp_path / "k2")]
    assert first and second
    assert not set(first) & set(second)
    assert sorted(first + second) == sorted(every)
    assert json.loads((tmp_path / "k2" / "summary.json").read_text("utf-8"))["shard"] == "2/2"


@pytest.mark.parametrize("text", ["0/2", "3/2", "1", "a/b", "1/0"])
def test_a_bad_shard_is_a_usage_error(bank, klass, tmp_path, text):
    code, _, stderr = grade(klass, "-p", bank, "-o", tmp_path / "out", "--shard", text)
    assert code == 2
    assert stderr.strip() == f"error: --shard `{text}` — K/N with 1 <= K <= N, e.g. 1/4"


def test_student_picks_one_sheet_by_id_or_by_file_name(bank, klass, tmp_path):
    grade(klass, "-p", bank, "-o", tmp_path / "a", "--student", "s2")
    grade(klass, "-p", bank, "-o", tmp_path / "b", "--student", "s5")
    assert [r["id"] for r in rows(tmp_path / "a")] == ["s2"]
    assert [r["name"] for r in rows(tmp_path / "b")] == ["فرید"]
    code, _, stderr = grade(klass, "-p", bank, "-o", tmp_path / "c", "--student", "nobody")
    assert code == 2
    assert stderr == (f"error: no sheet of student `nobody` in {klass} — a student id, "
                      "or a sheet's file or folder name\n")


# --- the files ---------------------------------------------------------------------------------

def test_grades_csv_has_a_bom_crlf_and_the_gradebook_columns(bank, klass, tmp_path):
    out = tmp_path / "out"
    grade(klass, "-p", bank, "-o", out)
    raw = (out / "grades.csv").read_bytes()
    assert raw.startswith(b"\xef\xbb\xbfid,name,")
    assert raw.count(b"\r\n") == 6
    table = rows(out)
    assert list(table[0]) == ["id", "name", "q1-exactly-two", "q2", "total", "max", "status",
                              "error", "sheet"]
    s2 = next(r for r in table if r["id"] == "s2")
    assert (s2["q1-exactly-two"], s2["q2"], s2["total"], s2["max"]) == ("4", "0", "4", "14")
    assert {r["status"] for r in table} <= set(stats.STATUSES)


def test_every_json_output_parses_and_carries_the_audit_fields(bank, klass, tmp_path):
    out = tmp_path / "out"
    grade(klass, "-p", bank, "-o", out)
    lines = jsonl(out)
    assert len(lines) == 5
    digest = hashlib.sha256((bank / "q2.yaml").read_bytes()).hexdigest()
    for line in lines:
        assert line["nncheck_version"] == nncheck.__version__
        assert line["problem_hashes"]["q2"] == digest
    graded = [line for line in lines if "error" not in line]
    assert {"sheet", "student", "score", "max_score", "problems", "warnings", "status"} \
        <= set(graded[0])
    for path in [*(out / "gradescope").glob("*.json"), out / "summary.json"]:
        json.loads(path.read_text("utf-8"))


def test_gradescope_has_one_test_per_part(bank, klass, tmp_path):
    out = tmp_path / "out"
    grade(klass, "-p", bank, "-o", out)
    data = json.loads((out / "gradescope" / "s2.json").read_text("utf-8"))
    # Gradescope's results.json has no top-level max_score: it is kept in extra_data.
    assert set(data) == {"score", "output", "output_format", "extra_data", "tests"}
    assert (data["score"], data["extra_data"]["max_score"]) == (4.0, 14.0)
    assert [t["name"] for t in data["tests"]] == [
        "q1-exactly-two / design", "q1-exactly-two / pre-activations", "q1-exactly-two / outputs",
        "q2 / a", "q2 / pick", "q2 / why"]
    for t in data["tests"]:
        assert set(t) == {"name", "number", "score", "max_score", "status", "output",
                          "output_format", "tags", "extra_data"}
        assert t["status"] in ("passed", "failed")
    outputs = next(t for t in data["tests"] if t["name"] == "q1-exactly-two / outputs")
    assert (outputs["score"], outputs["status"]) == (2.0, "passed")  # error carried forward
    why = next(t for t in data["tests"] if t["name"] == "q2 / why")
    assert (why["score"], why["max_score"], why["status"]) == (0.0, 2.0, "failed")
    assert "waiting for a person" in why["output"]


def test_feedback_at_reveal_expected_is_what_check_prints(bank, klass, tmp_path):
    out = tmp_path / "out"
    grade(klass, "-p", bank, "-o", out, "--reveal", "expected")
    checked = CliRunner().invoke(app, ["check", str(klass / "s2.yaml"), "--problems", str(bank),
                                       "--format", "text"])
    assert (out / "feedback" / "s2.txt").read_text("utf-8") == checked.stdout


# --- what students see --------------------------------------------------------------------------

def feedback(bank: Path, klass: Path, out: Path, reveal: str, sid: str) -> tuple[str, str]:
    grade(klass, "-p", bank, "-o", out, "--reveal", reveal)
    scorecard = json.loads((out / "gradescope" / f"{sid}.json").read_text("utf-8"))
    text = (out / "feedback" / f"{sid}.txt").read_text("utf-8")
    return text, "\n".join(t["output"] for t in scorecard["tests"])


@pytest.mark.parametrize("reveal", ["verdict", "mistake", "expected"])
def test_reveal_levels_hide_what_they_should(bank, klass, tmp_path, reveal):
    for shown in feedback(bank, klass, tmp_path / reveal, reveal, "s3"):
        leaks = ["expected 1.20397", "Y is 0, not 1", "(≠ 1)", "names the secret rubric words"]
        mistake = "known mistake: log base 10 instead of e"
        if reveal == "expected":
            assert all(leak in shown for leak in leaks[:2])
            assert mistake in shown
        else:
            assert not [leak for leak in leaks if leak in shown]
            assert "does not match the expected answer" in shown
            assert (mistake in shown) is (reveal == "mistake")
            assert ("step unit that fires only for z > 0" in shown) is (reveal == "mistake")


def test_a_wrong_realize_design_shows_no_rows_below_expected(bank, klass, tmp_path):
    text, tests = feedback(bank, klass, tmp_path / "out", "mistake", "s2")
    for shown in (text, tests):
        assert "differs from the target" not in shown
        assert "row 001" not in shown


def test_a_regraded_part_keeps_its_first_message_hidden(bank, klass, tmp_path):
    overrides = tmp_path / "overrides.yaml"
    overrides.write_text("s3: {q2: {a: {points: 0.5, comment: half credit for the method}}}\n",
                         encoding="utf-8")
    out = tmp_path / "out"
    grade(klass, "-p", bank, "-o", out, "--overrides", overrides, "--reveal", "verdict")
    text = (out / "feedback" / "s3.txt").read_text("utf-8")
    assert "grader: half credit for the method" in text
    assert "expected 1.20397" not in text


# --- overrides and exit codes -------------------------------------------------------------------

def test_overrides_score_manual_parts_and_appear_in_feedback(bank, tmp_path):
    folder = tmp_path / "c"
    folder.mkdir()
    (folder / "s1.yaml").write_text(sheet("s1", "Ada"), encoding="utf-8")
    overrides = tmp_path / "overrides.yaml"
    overrides.write_text(
        "s1: {q2: {why: {points: 2, comment: well argued}}}\n"
        "ghost: {q2: {why: {points: 1}}}\n", encoding="utf-8")
    out = tmp_path / "out"
    code, stdout, _ = grade(folder, "-p", bank, "-o", out, "--overrides", overrides,
                            "--format", "text")
    assert code == 0
    (row,) = rows(out)
    assert (row["status"], row["total"], row["max"]) == ("ok", "14", "14")
    feedback = (out / "feedback" / "s1.txt").read_text("utf-8").splitlines()
    assert "  why   manual  because    ✎ graded   2/2" in feedback
    assert "    grader: well argued" in feedback
    assert "Overrides for students with no sheet: ghost" in stdout.splitlines()
    summary = json.loads((out / "summary.json").read_text("utf-8"))
    assert summary["unknown_override_students"] == ["ghost"]


def test_pending_parts_alone_exit_0(bank, tmp_path):
    folder = tmp_path / "c"
    folder.mkdir()
    (folder / "s1.yaml").write_text(sheet("s1", "Ada"), encoding="utf-8")
    code, _, _ = grade(folder, "-p", bank, "-o", tmp_path / "out")
    assert code == 0
    assert rows(tmp_path / "out")[0]["status"] == "pending"


def test_a_broken_bank_exits_2_before_any_sheet_is_graded(bank, klass, tmp_path):
    (bank / "q3.yaml").write_text("id: q3\nparts: [{id: a, ask: choice, options: [A], key: B}]\n",
                                  encoding="utf-8")
    code, _, stderr = grade(klass, "-p", bank, "-o", tmp_path / "out")
    assert code == 2
    # `options: [A]` starts at line 2, column 39; a choice needs two options.
    assert stderr == (f"error: {bank / 'q3.yaml'}:2:39: "
                      "expected at least 2 items, found a list ['A']\n")
    assert not (tmp_path / "out").exists()


@pytest.mark.parametrize("args, message", [
    ([], "error: which problems does this class answer? — "
         "--problems DIR (a folder of problem files)"),
    (["-p", "nowhere"], "error: nowhere: not a folder — a folder of problem files"),
])
def test_usage_errors_exit_2(klass, tmp_path, args, message):
    code, _, stderr = grade(klass, *args, "-o", tmp_path / "out")
    assert code == 2
    assert stderr == message + "\n"


def test_a_missing_class_folder_exits_2(bank, tmp_path):
    code, _, stderr = grade(tmp_path / "nope", "-p", bank, "-o", tmp_path / "out")
    assert code == 2
    assert stderr == (f"error: {tmp_path / 'nope'}: not a folder — "
                      "a folder of answer sheets (*.yaml, <student>/answers.yaml or "
                      "<student>/submission.yaml)\n")


def test_ctrl_c_stops_without_writing_anything(bank, klass, tmp_path, monkeypatch):
    def interrupt(sheet):
        raise KeyboardInterrupt

    monkeypatch.setattr(classroom, "_grade_file", interrupt)
    code, _, stderr = grade(klass, "-p", bank, "-o", tmp_path / "out", "-j", "1")
    assert code == 130
    assert stderr == "interrupted\n"
    assert not (tmp_path / "out").exists()


def test_a_bug_in_one_sheet_is_an_error_row_unless_debugging(bank, klass, monkeypatch):
    from nncheck import grading

    real = grading.grade_sheet

    def flaky(bank_, answers, **kw):
        if kw["student"].id == "s2":
            raise ZeroDivisionError("boom")
        return real(bank_, answers, **kw)

    monkeypatch.setattr(grading, "grade_sheet", flaky)
    report = classroom.grade_class(klass, bank, classroom.Options(jobs=1))
    s2 = next(r for r in report.rows if r.student_id == "s2")
    assert s2.error == "internal error: ZeroDivisionError: boom (please report it)"
    with pytest.raises(ZeroDivisionError):
        classroom.grade_class(klass, bank, classroom.Options(jobs=1, debug=True))


# --- statistics ---------------------------------------------------------------------------------

def test_statistics_name_the_common_wrong_answers_and_pending_parts(bank, klass, tmp_path):
    out = tmp_path / "out"
    _, stdout, _ = grade(klass, "-p", bank, "-o", out, "--format", "text")
    lines = stdout.splitlines()
    # log10(1/0.3) = 0.52288 (s2 and s3); s3's Y is 0 on 011, 101, 110, where z_Y is exactly 0.
    assert "  q2 / a: 2 students answered 0.5229: log base 10 instead of e" in lines
    assert ("  q1-exactly-two / outputs: 1 student answered {n1: 0001 0111, n2: 0000 0001, "
            "Y: 0000 0000}: a step unit that fires only for z > 0 (step(0) is 1)") in lines
    # s1, s2 and s3 answered `why`; s5 left it out (missing, not pending).
    assert "\n\nWaiting for a person:\n  q2 / why: 3 sheets\n\n" in stdout
    summary = json.loads((out / "summary.json").read_text("utf-8"))
    part = next(p for p in summary["parts"] if (p["problem"], p["part"]) == ("q2", "a"))
    assert part["wrong_answers"] == [
        {"answer": "0.5229", "shown": "0.5229", "count": 2, "mistake": "log base 10 instead of e"}]
    assert (part["graded"], part["passed"], part["pass_rate"]) == (4, 2, 0.5)
    assert summary["status"] == {"ok": 0, "failed": 3, "pending": 1, "error": 1}
    assert summary["pending"] == [{"problem": "q2", "part": "why", "count": 3}]
    assert [e["sheet"] for e in summary["errors"]] == [str(klass / "broken.yaml")]


def test_json_format_prints_the_summary(bank, klass, tmp_path):
    code, stdout, _ = grade(klass, "-p", bank, "-o", tmp_path / "out", "--format", "json")
    assert code == 1
    assert json.loads(stdout) == json.loads((tmp_path / "out" / "summary.json").read_text("utf-8"))


def test_rich_format_prints_the_statistics(bank, klass, tmp_path):
    code, stdout, _ = grade(klass, "-p", bank, "-o", tmp_path / "out", "--format", "rich")
    assert code == 1
    assert "Pass rate by part:" in stdout.splitlines()
    assert "  q2 / a                             50%  (2/4)" in stdout.splitlines()


@pytest.mark.parametrize("scores, top, counts", [
    pytest.param([0, 3, 3, 3.5, 4], 4, [1, 0, 0, 3, 1], id="one bin per point"),
    # Ten bins of 5 points, full marks apart: 0 and 4.9 in [0, 5), 5 in [5, 10), 49.9 in [45, 50).
    pytest.param([0, 4.9, 5, 49.9, 50], 50, [2, 1, 0, 0, 0, 0, 0, 0, 0, 1, 1], id="ten bins"),
])
def test_histogram_bins(scores, top, counts):
    assert [b["count"] for b in stats.histogram(scores, top)] == counts


# An id changed to be safe ends in `~` and the first 12 hex digits of its SHA-256, e.g.
# sha256(b"../etc/passwd") = 7fef78f53440...
@pytest.mark.parametrize("student_id, stem", [
    ("s042", "s042"), ("../etc/passwd", "_etc_passwd~7fef78f53440"),
    ("Sara Ahmadi", "Sara_Ahmadi~4c8e31411cce"), ("سارا", "سارا"), ("...", "_~ab5df625bc76"),
])
def test_file_stem_keeps_feedback_inside_its_folder(student_id, stem):
    assert classroom.file_stem(student_id) == stem


# --- the example class --------------------------------------------------------------------------

def test_the_example_class_grades_with_one_unreadable_sheet(tmp_path):
    out = tmp_path / "out"
    code, _, _ = grade(SEED / "class", "-p", SEED, "-o", out, "--format", "text")
    assert code == 1
    table = rows(out)
    assert len(table) == 12  # s01 ... s12, s06 a folder with answers.yaml
    errors = [r for r in table if r["status"] == "error"]
    assert [Path(r["sheet"]).name for r in errors] == ["s07-gita.yaml"]
    assert errors[0]["error"] == (  # line 10 of s07 is indented with a tab
        f"{SEED / 'class' / 's07-gita.yaml'}:10:1: a tab character "
        "— indentation with spaces (YAML does not allow tabs)")
    summary = json.loads((out / "summary.json").read_text("utf-8"))
    assert summary["warnings"] == [{
        "sheet": str(SEED / "class" / "s08-hana.yaml"),
        "warning": "`q1-exactly-two`: answer to unknown part `desing` (did you mean `design`?)"}]
    for sid in ("s01", "s06"):
        assert next(r for r in table if r["id"] == sid)["status"] == "pending"


def test_without_fork_the_workers_rebuild_the_bank_and_agree(bank, klass, tmp_path, monkeypatch):
    forked = classroom.grade_class(klass, bank, classroom.Options(jobs=2))
    monkeypatch.setattr(classroom.multiprocessing, "get_all_start_methods", lambda: ["spawn"])
    spawned = classroom.grade_class(klass, bank, classroom.Options(jobs=2))
    assert spawned.rows == forked.rows
