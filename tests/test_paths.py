"""Where nncheck reads and writes: output paths (links, devices, `-`), `check` with several
sheets, and the file names a bank and a class folder accept (and the files they do not read)."""

from __future__ import annotations

import json
import os
import socket
import stat
from pathlib import Path

import pytest
from typer.testing import CliRunner

from nncheck.cli import app
from nncheck.errors import InputError
from nncheck.io.files import write_atomic

# A bank of two one-part problems, counted by hand: a dense layer of 2 units on 3 inputs has
# 3 * 2 weights + 2 biases = 8 parameters; one unit on 4 inputs, 4 + 1 = 5.
P1 = """\
id: p1
given:
  m: {kind: model, input: [3], layers: [{dense: 2}]}
parts:
  - {id: n, ask: param_count, model: m, points: 2}
"""
P2 = P1.replace("p1", "p2").replace("[3]", "[4]").replace("dense: 2", "dense: 1") \
    .replace("points: 2", "points: 3")
# The blank sheet of that bank, as `solve --blank` writes it.
BLANK = """\
student: {id: your-id, name: Your Name}
answers:
  p1: {n: null}
  p2: {n: null}
"""


def sheet(sid: str, p1: int = 8, p2: int = 5) -> str:
    """A sheet answering both problems (8 and 5 are right)."""
    return (f"student: {{id: {sid}, name: {sid.upper()}}}\n"
            f"answers: {{p1: {{n: {p1}}}, p2: {{n: {p2}}}}}\n")


def run(*args: object, input: str | None = None):
    return CliRunner().invoke(app, [str(a) for a in args], input=input)


@pytest.fixture
def bank(tmp_path: Path) -> Path:
    folder = tmp_path / "bank"
    folder.mkdir()
    (folder / "p1.yaml").write_text(P1, "utf-8")
    (folder / "p2.yaml").write_text(P2, "utf-8")
    return folder


# --- 1. output paths ---------------------------------------------------------------------------

def test_blank_through_a_link_writes_the_file_it_leads_to_and_keeps_the_link(tmp_path, bank):
    store = tmp_path / "store"
    store.mkdir()
    real = store / "real.yaml"
    real.write_text("old\n", "utf-8")
    link = tmp_path / "link.yaml"
    link.symlink_to(Path("store") / "real.yaml")
    result = run("solve", bank, "--blank", link, "-f", "json")
    assert result.exit_code == 0, result.output
    assert link.is_symlink() and os.readlink(link) == os.path.join("store", "real.yaml")
    assert real.read_text("utf-8") == BLANK
    # The temporary file was made beside the target, and is gone.
    assert sorted(p.name for p in store.iterdir()) == ["real.yaml"]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["bank", "link.yaml", "store"]


def test_blank_to_a_link_to_a_device_is_refused_and_the_device_stays(tmp_path, bank):
    # What `--blank /dev/stdout` meets: a link to a device (here /dev/null, harmless).
    link = tmp_path / "stdout"
    link.symlink_to("/dev/null")
    result = run("solve", bank, "--blank", link)
    assert result.exit_code == 2
    assert result.stderr == (f"error: {link}: will not write over a character device (it leads "
                             "to /dev/null) — the name of a regular file, or - for standard "
                             "output\n")
    assert link.is_symlink() and os.readlink(link) == "/dev/null"
    assert stat.S_ISCHR(os.stat("/dev/null").st_mode)
    assert result.stdout == ""  # refused before anything was solved or printed


def test_blank_to_a_link_to_a_fifo_is_refused(tmp_path, bank):
    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    link = tmp_path / "out.yaml"
    link.symlink_to(fifo)
    result = run("solve", bank, "--sheet", link)
    assert result.exit_code == 2
    assert result.stderr == (f"error: {link}: will not write over a named pipe (FIFO) (it "
                             f"leads to {fifo}) — the name of a regular file, or - for "
                             "standard output\n")
    assert link.is_symlink() and stat.S_ISFIFO(os.lstat(fifo).st_mode)


def _socket(path: Path) -> None:
    s = socket.socket(socket.AF_UNIX)
    try:
        s.bind(os.fspath(path))
    except OSError:
        pytest.skip("cannot bind a socket here (path too long?)")
    finally:
        s.close()


@pytest.mark.parametrize(("make", "what"), [
    pytest.param(lambda p: os.mkfifo(p), "a named pipe (FIFO)", id="fifo"),
    pytest.param(_socket, "a socket", id="socket"),
    pytest.param(lambda p: p.mkdir(), "a folder", id="folder"),
])
def test_write_atomic_replaces_nothing_but_a_regular_file(tmp_path, make, what):
    target = tmp_path / "s"
    make(target)
    before = os.lstat(target)
    with pytest.raises(InputError) as caught:
        write_atomic(target, "student: x\n")
    assert str(caught.value) == (f"{target}: will not write over {what} — the name of a "
                                 "regular file, or - for standard output")
    after = os.lstat(target)
    assert (after.st_mode, after.st_ino) == (before.st_mode, before.st_ino)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["s"]  # no temporary file left


def test_blank_to_a_folder_is_bad_input_not_a_bug(tmp_path, bank):
    folder = tmp_path / "here"
    folder.mkdir()
    result = run("solve", bank, "--blank", folder)
    assert result.exit_code == 2
    assert result.stderr == (f"error: {folder}: will not write over a folder — the name of a "
                             "regular file, or - for standard output\n")


def test_blank_dash_is_standard_output_and_no_file_named_dash(tmp_path, bank, monkeypatch):
    monkeypatch.chdir(tmp_path)
    result = run("solve", bank, "--blank", "-", "-f", "text")
    assert result.exit_code == 0, result.output
    assert result.stdout == BLANK  # the sheet only: the report would spoil it
    assert not (tmp_path / "-").exists()


def test_sheet_dash_writes_the_key_to_standard_output(tmp_path, bank, monkeypatch):
    monkeypatch.chdir(tmp_path)
    result = run("solve", bank, "--sheet", "-")
    assert result.exit_code == 0, result.output
    assert result.stdout == ("student: {id: key, name: answer key}\nanswers:\n"
                             "  p1: {n: 8}\n  p2: {n: 5}\n")
    assert not (tmp_path / "-").exists()


def test_sheet_and_blank_cannot_both_be_standard_output(bank):
    result = run("solve", bank, "--sheet", "-", "--blank", "-")
    assert result.exit_code == 2
    assert result.stderr == ("error: --sheet and --blank are both `-` (standard output) — at "
                             "most one of them on standard output\n")


def test_check_dash_reads_the_sheet_from_standard_input(bank):
    result = run("check", "-", "-p", bank, "-f", "json", input=sheet("ann"))
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert (data["sheet"], data["student"]["id"], data["score"]) == ("<stdin>", "ann", 5.0)


def test_check_dash_keeps_the_size_limit(bank):
    big = sheet("ann") + "#" * (1 << 20)  # one MiB of comment past a valid sheet
    result = run("check", "-", "-p", bank, input=big)
    assert result.exit_code == 2
    assert result.stderr == ("error: <stdin>: file is too large (more than 1 MiB) — at most "
                             "1 MiB (1,048,576 bytes) (problem files and answer sheets are "
                             "small; is this the right file?)\n")


# --- 2. check with several sheets --------------------------------------------------------------

def test_check_grades_every_sheet_and_reports_each_bad_one(tmp_path, bank):
    a, broken, b = tmp_path / "a.yaml", tmp_path / "broken.yaml", tmp_path / "b.yaml"
    a.write_text(sheet("ann"), "utf-8")
    broken.write_text("student: {id: bob\n", "utf-8")  # the flow mapping is never closed
    b.write_text(sheet("cy", p1=6), "utf-8")  # 6: the biases forgotten, 0 of 2 points
    gone = tmp_path / "gone.yaml"
    result = run("check", a, broken, gone, b, "-p", bank, "-f", "json")
    assert result.exit_code == 2
    lines = [json.loads(line) for line in result.stdout.splitlines()]
    assert [line["sheet"] for line in lines] == [str(a), str(broken), str(gone), str(b)]
    assert [line.get("score") for line in lines] == [5.0, None, None, 3.0]
    errors = result.stderr.splitlines()
    assert len(errors) == 2
    assert errors[0].startswith(f"error: {broken}:") and lines[1]["error"] == errors[0][7:]
    assert errors[1] == (f"error: {gone}: cannot read the file: No such file or directory — "
                         "a readable file")
    assert lines[2] == {"sheet": str(gone), "error": errors[1][7:]}


def test_check_in_text_prints_the_good_sheets_after_a_bad_one(tmp_path, bank):
    b = tmp_path / "b.yaml"
    b.write_text(sheet("cy"), "utf-8")
    result = run("check", tmp_path / "gone.yaml", b, "-p", bank, "-f", "text")
    assert result.exit_code == 2
    assert result.stdout.splitlines()[0] == f"cy (CY) — {b}"
    assert result.stdout.splitlines()[-1] == "Total 5/5 — 2 correct"


# --- 3. file names: .yml, any case, submission.yaml, and what is not read -----------------------

def test_yml_and_upper_case_problem_files_are_in_the_bank(tmp_path):
    folder = tmp_path / "bank"
    folder.mkdir()
    (folder / "p1.yaml").write_text(P1, "utf-8")
    (folder / "p2.YML").write_text(P2, "utf-8")
    s = tmp_path / "s.yaml"
    s.write_text(sheet("ann"), "utf-8")
    result = run("check", s, "-p", folder, "-f", "json")
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert (data["score"], data["max_score"]) == (5.0, 5.0)  # 2 + 3 points, not 2


def test_two_problem_files_with_one_id_are_an_error(tmp_path):
    folder = tmp_path / "bank"
    folder.mkdir()
    (folder / "q.yaml").write_text(P1.replace("id: p1\n", ""), "utf-8")
    (folder / "q.yml").write_text(P2.replace("id: p2\n", ""), "utf-8")
    result = run("solve", folder)
    assert result.exit_code == 2
    assert result.stderr == (f"error: {folder / 'q.yml'}:1:1: problem id `q` is used twice — "
                             f"unique ids (also in {folder / 'q.yaml'})\n")


def grade(tmp_path: Path, folder: Path, bank: Path) -> tuple[object, dict]:
    out = tmp_path / "out"
    result = run("grade", folder, "-p", bank, "-o", out, "-f", "text", "-j", "1")
    return result, json.loads((out / "summary.json").read_text("utf-8"))


def test_every_common_spelling_of_a_sheet_is_graded(tmp_path, bank):
    folder = tmp_path / "class"
    folder.mkdir()
    (folder / "a.yml").write_text(sheet("a"), "utf-8")
    (folder / "B.YAML").write_text(sheet("b"), "utf-8")
    for name, rel in (("c", "submission.yaml"), ("d", "Answers.Yml"), ("e", "submission.yml")):
        (folder / name).mkdir()
        (folder / name / rel).write_text(sheet(name), "utf-8")
    result, summary = grade(tmp_path, folder, bank)
    assert result.exit_code == 0, result.output
    assert (summary["sheets"], summary["status"]["ok"]) == (5, 5)
    assert summary["files_not_read"] == [] and summary["files_not_read_count"] == 0


def test_two_spellings_of_one_sheet_are_an_error_row(tmp_path, bank):
    folder = tmp_path / "class"
    (folder / "e").mkdir(parents=True)
    (folder / "e" / "answers.yaml").write_text(sheet("e"), "utf-8")
    (folder / "e" / "submission.yml").write_text(sheet("e", p1=1), "utf-8")
    (folder / "f.yaml").write_text(sheet("f"), "utf-8")
    (folder / "f.yml").write_text(sheet("f", p1=1), "utf-8")
    (folder / "g.yaml").write_text(sheet("g"), "utf-8")
    result, summary = grade(tmp_path, folder, bank)
    assert result.exit_code == 1
    assert summary["status"] == {"ok": 1, "failed": 0, "pending": 0, "error": 2}
    e, f = folder / "e", folder
    assert summary["errors"] == [
        {"sheet": f"{e}/answers.yaml",
         "error": f"{e}/answers.yaml: two spellings of one sheet: {e}/answers.yaml and "
                  f"{e}/submission.yml — one sheet per student; neither was graded (keep one)"},
        {"sheet": f"{f}/f.yaml",
         "error": f"{f}/f.yaml: two spellings of one sheet: {f}/f.yaml and {f}/f.yml — one "
                  "sheet per student; neither was graded (keep one)"},
    ]


def test_files_not_read_are_named_in_the_summary_and_summary_json(tmp_path, bank):
    folder = tmp_path / "class"
    (folder / "c").mkdir(parents=True)
    (folder / "c" / "answer.yaml").write_text(sheet("c"), "utf-8")  # a typo of answers.yaml
    (folder / "a.yaml").write_text(sheet("a"), "utf-8")
    (folder / "notes.txt").write_text("to do\n", "utf-8")
    (folder / ".DS_Store").write_text("", "utf-8")  # hidden: not named
    (bank / "README.md").write_text("the exam\n", "utf-8")
    result, summary = grade(tmp_path, folder, bank)
    assert result.exit_code == 0, result.output
    named = [
        (f"{folder}/c", "a folder with no answers.yaml or submission.yaml"),
        (f"{folder}/c/answer.yaml", "not named answers.yaml or submission.yaml"),
        (f"{folder}/notes.txt", "not a YAML file"),
        (f"{bank}/README.md", "not a YAML file"),
    ]
    assert summary["files_not_read"] == [{"path": p, "reason": r} for p, r in named]
    assert summary["files_not_read_count"] == 4
    lines = result.stdout.splitlines()
    at = lines.index("Files not read:")
    assert lines[at + 1: at + 6] == [f"  {p} ({r})" for p, r in named] + [""]


def test_the_files_not_read_are_bounded(tmp_path, bank):
    folder = tmp_path / "class"
    folder.mkdir()
    (folder / "a.yaml").write_text(sheet("a"), "utf-8")
    for k in range(1005):
        (folder / f"n{k:04}.txt").touch()
    result, summary = grade(tmp_path, folder, bank)
    assert result.exit_code == 0, result.output
    assert len(summary["files_not_read"]) == 1000  # the bound of summary.json
    assert summary["files_not_read_count"] == 1005
    lines = result.stdout.splitlines()
    at = lines.index("Files not read:")
    assert lines[at + 20] == f"  {folder}/n0019.txt (not a YAML file)"  # 20 in the terminal
    assert lines[at + 21] == "  … and 985 more (summary.json names up to 1000)"


def test_a_class_of_other_files_only_says_what_it_found(tmp_path, bank):
    folder = tmp_path / "class"
    folder.mkdir()
    (folder / "a.json").write_text("{}", "utf-8")
    result = run("grade", folder, "-p", bank, "-o", tmp_path / "out")
    assert result.exit_code == 2
    assert result.stderr == (f"error: {folder}: no answer sheets — CLASS_DIR/*.yaml or "
                             "CLASS_DIR/<student>/answers.yaml (or submission.yaml; .yml too) "
                             f"(1 file not read, e.g. {folder}/a.json (not a YAML file))\n")


# --- outputs never replace the problems they come from ---------------------------------------

def test_an_answer_key_never_replaces_the_problem_file_it_solves(tmp_path, bank):
    problem = bank / "p1.yaml"
    result = run("solve", problem, "--sheet", problem)
    assert result.exit_code == 2
    assert result.stderr == (f"error: --sheet {problem} is a problem file being solved — a file "
                             "apart from the problems\n")
    assert problem.read_text("utf-8") == P1


def test_an_answer_key_never_lands_in_the_bank_folder(tmp_path, bank):
    result = run("solve", bank, "--blank", bank / "blank.yaml")
    assert result.exit_code == 2
    assert result.stderr == (f"error: --blank {bank / 'blank.yaml'} is inside the problem bank "
                             f"{bank} — a file outside the bank folder (a sheet there would be "
                             "read as a problem)\n")
    assert sorted(p.name for p in bank.iterdir()) == ["p1.yaml", "p2.yaml"]


def test_the_key_and_the_blank_sheet_are_two_files(tmp_path, bank):
    out = tmp_path / "s.yaml"
    result = run("solve", bank, "--sheet", out, "--blank", out)
    assert result.exit_code == 2
    assert result.stderr == (f"error: --sheet and --blank are one file, {out} — two files, or "
                             "only one of the options\n")
    assert not out.exists()


def test_a_problem_file_on_standard_input_must_say_its_id(bank):
    answers = P1.replace("id: p1\n", "") + "student: {id: ann}\nanswers: {n: 8}\n"
    result = run("check", "-", "-p", bank, input=answers)
    assert result.exit_code == 2
    assert result.stderr == ("error: <stdin>:1:1: a problem file on standard input has no "
                             "`id:` — `id:` (a file's name stands in for it, standard input has "
                             "none)\n")
    named = "id: p1\n" + answers
    result = run("check", "-", "-p", bank, "-f", "json", input=named)
    assert result.exit_code == 1, result.output  # p2 is missing
    assert json.loads(result.stdout)["score"] == 2.0  # p1 answered right


def test_a_problem_file_with_answers_on_standard_input_must_name_its_student(bank):
    result = run("check", "-", input=P1 + "answers: {n: 8}\n")
    assert result.exit_code == 2
    assert result.stderr == ("error: <stdin>:1:1: a problem file with answers on standard input "
                             "names no student — `student: {id: ...}` (a file's name stands in "
                             "for it, standard input has none)\n")
