"""A class run trusts nothing it finds: verdicts kept per exact answer, odd names and files."""

from __future__ import annotations

import csv
import hashlib
import json
import os
import random
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from conftest import SEED
from nncheck import classroom
from nncheck.cli import app
from nncheck.compare.memo import Remembered

SEED_SHEET = (SEED / "sheets" / "seed-student.yaml").read_text(encoding="utf-8")

# Lines of the seed student's sheet, each replaced by a variant below.
Z_N1 = 'z_n1: {"011": 0.5, "101": 0.5, "110": 0.5, "111": 1.5, else: off}'
Z_N2 = 'z_n2: {"111": 0.5, else: off}'
N1 = "n1: {w: [1, 1, 1], b: -1.5}"
ROW = "- [0, 1, 1, 1, 0, 1]"
METHOD_1 = 'method-1: "101 × 5"'
B_ADVANTAGE = 'b-advantage: "no"'

# Answers that JSON writes alike but YAML (and the grader) reads differently, side by side
# with the ones they could be confused with. A row key must be a quoted bit string: `111` is
# the integer 111 and `011` the integer 11 (YAML 1.2), which nncheck refuses.
VARIANTS: dict[str, list[tuple[str, str]]] = {
    "as-written": [],
    "row-key-int": [(Z_N2, "z_n2: {111: 0.5, else: off}")],
    "row-key-str": [(Z_N2, 'z_n2: {"111": 0.5, else: off}')],
    "row-key-int-again": [(Z_N2, "z_n2: {111: 0.5, else: off}")],
    "octal-key-int": [(Z_N1, 'z_n1: {011: 0.5, "101": 0.5, "110": 0.5, "111": 1.5, else: off}')],
    "last-key-int": [(Z_N1, 'z_n1: {"011": 0.5, "101": 0.5, "110": 0.5, 111: 1.5, else: off}')],
    "cell-str": [(Z_N2, 'z_n2: {"111": "0.5", else: off}')],
    "cell-false": [(Z_N2, 'z_n2: {"111": 0.5, else: false}')],
    "bias-str": [(N1, 'n1: {w: [1, 1, 1], b: "-1.5"}')],
    "bias-int": [(N1, "n1: {w: [1, 1, 1], b: -1}")],
    "row-bools": [(ROW, "- [0, 1, 1, true, false, true]")],
    "row-strs": [(ROW, '- ["0", "1", "1", "1", "0", "1"]')],
    "count-int": [(METHOD_1, "method-1: 505")],
    "count-float": [(METHOD_1, "method-1: 505.0")],
    "count-str": [(METHOD_1, 'method-1: "505"')],
    "choice-bool": [(B_ADVANTAGE, "b-advantage: false")],
    "choice-plain": [(B_ADVANTAGE, "b-advantage: no")],
}


def variant_sheet(sid: str) -> str:
    """The seed student's sheet under another id, with one answer written another way."""
    text = SEED_SHEET.replace("id: seed-student", f"id: {sid}")
    for old, new in VARIANTS[sid]:
        assert old in text, old
        text = text.replace(old, new)
    return text


def verdicts(sheet: dict[str, Any]) -> dict[tuple[str, str], tuple[str, float]]:
    """(problem, part) -> (status, points) of a FORMAT §8 sheet object."""
    return {(prob["id"], part["id"]): (part["status"], part["points"])
            for prob in sheet["problems"] for part in prob["parts"]}


def run(*args: object) -> Any:
    return CliRunner().invoke(app, [str(a) for a in args])


def table(out: Path) -> list[dict[str, str]]:
    with open(out / "grades.csv", encoding="utf-8-sig", newline="") as f:
        return list(csv.DictReader(f))


# --- 1. the verdict memo ------------------------------------------------------------------------

def test_every_order_and_job_count_gives_each_sheet_the_verdicts_of_check(tmp_path):
    ids = list(VARIANTS)
    alone = tmp_path / "alone"
    alone.mkdir()
    expected = {}
    for sid in ids:
        path = alone / f"{sid}.yaml"
        path.write_text(variant_sheet(sid), encoding="utf-8")
        checked = run("check", path, "--problems", SEED, "--format", "json")
        assert checked.exit_code in (0, 1), checked.output
        expected[sid] = verdicts(json.loads(checked.stdout))
    # The rule the memo once broke: a row key written 111 is refused, "111" is right.
    row = ("q1-exactly-two", "pre-activations")
    assert expected["row-key-int"][row] == ("invalid", 0)
    assert expected["row-key-str"][row] == ("correct", 2)
    assert expected["octal-key-int"][row][0] == "invalid"

    shuffled = ids[:]
    random.Random(10).shuffle(shuffled)
    for n, order in enumerate([ids, ids[::-1], shuffled]):
        folder = tmp_path / f"class-{n}"
        folder.mkdir()
        for position, sid in enumerate(order):  # the file names decide the grading order
            (folder / f"{position:02d}-{sid}.yaml").write_text(variant_sheet(sid), "utf-8")
        for jobs in (1, 2):
            report = classroom.grade_class(folder, SEED, classroom.Options(jobs=jobs))
            assert [r.student_id for r in report.rows] == order
            for r in report.rows:
                assert r.result is not None, r.error
                assert verdicts(json.loads(r.result)) == expected[r.student_id], \
                    (n, jobs, r.student_id)


class Recorder:
    """A truth that records every claim it grades."""

    expected = 1

    def __init__(self) -> None:
        self.graded: list[Any] = []

    def grade(self, claimed: Any) -> str:
        self.graded.append(claimed)
        return f"verdict {len(self.graded)}"


@pytest.mark.parametrize("first, second", [
    pytest.param({111: 0.5}, {"111": 0.5}, id="int and str key"),
    pytest.param({True: 1}, {"true": 1}, id="bool and str key"),
    pytest.param({None: 1}, {"null": 1}, id="null and str key"),
    pytest.param({1.5: 0}, {"1.5": 0}, id="float and str key"),
    pytest.param([1, 2], (1, 2), id="list and tuple"),
    pytest.param({"a": [{2: 1}]}, {"a": [{"2": 1}]}, id="nested key"),
])
def test_answers_that_json_writes_alike_are_graded_apart(first, second):
    truth = Recorder()
    memo = Remembered(truth)
    assert memo.grade(first) == "verdict 1"
    assert memo.grade(second) == "verdict 2"
    assert truth.graded == [first, second]


def test_the_same_answer_is_graded_once():
    truth = Recorder()
    memo = Remembered(truth)
    assert [memo.grade({"111": [0.5, "off"]}) for _ in range(3)] == ["verdict 1"] * 3
    assert truth.graded == [{"111": [0.5, "off"]}]


# --- 13. file names from ids, and odd sheet names ----------------------------------------------

def test_long_ids_get_short_distinct_file_names(tmp_path):
    folder = tmp_path / "class"
    folder.mkdir()
    long_a = "界" * 79  # 237 bytes in UTF-8: with `.json`, too long for most file systems
    long_b = "界" * 78 + "x"  # the same first 100 bytes
    (folder / "a.yaml").write_text(variant_sheet("as-written").replace(
        "id: as-written", f"id: {long_a}"), "utf-8")
    (folder / "b.yaml").write_text(variant_sheet("as-written").replace(
        "id: as-written", f"id: {long_b}"), "utf-8")
    out = tmp_path / "out"
    result = run("grade", folder, "--problems", SEED, "--out", out, "--format", "text")
    assert result.exit_code == 1, result.output  # the seed student loses points
    assert [r["status"] for r in table(out)] == ["failed", "failed"]
    # 33 characters of 3 bytes fit in 100 bytes; then `~` and 12 hex digits of the id's SHA-256.
    for sid in (long_a, long_b):
        stem = "界" * 33 + "~" + hashlib.sha256(sid.encode("utf-8")).hexdigest()[:12]
        assert len(f"{stem}.json".encode()) == 99 + 1 + 12 + 5
        feedback = (out / "feedback" / f"{stem}.txt").read_text("utf-8")
        assert feedback.startswith(f"{sid} (Seed Student)")
        assert (out / "gradescope" / f"{stem}.json").exists()


def test_a_sheet_name_that_is_not_utf8_is_graded_and_shown_escaped(tmp_path):
    folder = tmp_path / "class"
    folder.mkdir()
    odd = os.path.join(os.fsencode(folder), b"s\xff\x1b.yaml")
    with open(odd, "wb") as f:
        f.write(variant_sheet("as-written").encode("utf-8"))
    (folder / "b.yaml").write_text(variant_sheet("row-key-str"), "utf-8")
    out = tmp_path / "out"
    result = run("grade", folder, "--problems", SEED, "--out", out, "--format", "text")
    assert result.exit_code == 1, result.output
    rows = table(out)
    assert [(r["id"], r["status"]) for r in rows] == [
        ("row-key-str", "failed"), ("as-written", "failed")]
    assert rows[1]["sheet"] == f"{folder}/s\\xff\\x1b.yaml"
    summary = json.loads((out / "summary.json").read_text("utf-8"))
    assert summary["warnings"][0]["warning"] == (
        f"{folder}/s\\xff\\x1b.yaml: the file name holds bytes that are not UTF-8, "
        "or control characters; it is shown escaped")


# --- 14. unreadable entries and files that are not regular --------------------------------------

def test_an_unsearchable_folder_is_an_error_row_and_the_rest_is_graded(tmp_path, monkeypatch):
    folder = tmp_path / "class"
    (folder / "s06").mkdir(parents=True)
    (folder / "s06" / "answers.yaml").write_text(variant_sheet("row-key-str"), "utf-8")
    (folder / "a.yaml").write_text(variant_sheet("as-written"), "utf-8")
    locked = os.fspath(folder / "s06") + os.sep

    # What a folder without the x (search) bit does, for root too: every look inside fails.
    def refuse(real: Any) -> Any:
        def call(path: Any, *args: Any, **kwargs: Any) -> Any:
            if isinstance(path, (str, os.PathLike)) and os.fspath(path).startswith(locked):
                raise PermissionError(13, "Permission denied", os.fspath(path))
            return real(path, *args, **kwargs)
        return call

    for name in ("stat", "lstat", "open", "scandir", "listdir"):
        monkeypatch.setattr(os, name, refuse(getattr(os, name)))
    report = classroom.grade_class(folder, SEED, classroom.Options(jobs=1))
    assert [(r.rel, r.status) for r in report.rows] == [
        ("a.yaml", "failed"), ("s06/answers.yaml", "error")]
    assert report.rows[1].error == (f"{folder}/s06/answers.yaml: cannot read it: "
                                    "Permission denied — not graded")


def test_a_fifo_in_the_class_is_an_error_row_and_never_opened(tmp_path):
    folder = tmp_path / "class"
    folder.mkdir()
    os.mkfifo(folder / "pipe.yaml")  # opened for reading, it would wait for a writer forever
    (folder / "a.yaml").write_text(variant_sheet("as-written"), "utf-8")
    report = classroom.grade_class(folder, SEED, classroom.Options(jobs=1))
    assert [(r.rel, r.status) for r in report.rows] == [
        ("a.yaml", "failed"), ("pipe.yaml", "error")]
    assert report.rows[1].error == (f"{folder}/pipe.yaml: not a regular file: a named pipe "
                                    "(FIFO) — not read")


@pytest.mark.parametrize("command", [
    pytest.param(["check", "{fifo}", "--problems", "{seed}"], id="check"),
    pytest.param(["validate", "{fifo}"], id="validate"),
    pytest.param(["solve", "{fifo}"], id="solve"),
    pytest.param(["check", "{sheet}", "--problems", "{seed}", "--overrides", "{fifo}"],
                 id="overrides"),
])
def test_a_fifo_on_the_command_line_is_refused_at_once(tmp_path, command):
    fifo = tmp_path / "answers.yaml"
    os.mkfifo(fifo)
    args = [a.format(fifo=fifo, seed=SEED, sheet=SEED / "sheets" / "seed-student.yaml")
            for a in command]
    # A separate process: the code as it was would wait for a writer; the timeout only stops it.
    try:
        done = subprocess.run([sys.executable, "-m", "nncheck", *args], capture_output=True,
                              text=True, timeout=60, stdin=subprocess.DEVNULL)
    except subprocess.TimeoutExpired:
        pytest.fail(f"`nncheck {' '.join(command)}` waits on the FIFO")
    assert done.returncode == 2
    said = done.stderr.strip().splitlines()
    assert f"{fifo}: not a regular file: a named pipe (FIFO) — a YAML file" in said[-1]
    assert "Traceback" not in done.stderr


# --- 18. --jobs is capped at the usable cores ---------------------------------------------------

def test_jobs_beyond_the_usable_cores_are_capped_with_a_note(tmp_path, monkeypatch):
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    assert cores
    folder = tmp_path / "class"
    folder.mkdir()
    for k in range(cores + 2):  # more sheets than cores: the sheets do not cap the pool
        (folder / f"s{k}.yaml").write_text(variant_sheet("as-written").replace(
            "id: as-written", f"id: s{k}"), "utf-8")
    started: list[int] = []
    real = classroom.workers.Workers

    def Workers(context: Any, jobs: int, *args: Any) -> Any:
        started.append(jobs)
        return real(context, jobs, *args)

    monkeypatch.setattr(classroom.workers, "Workers", Workers)
    out = tmp_path / "out"
    result = run("grade", folder, "--problems", SEED, "--out", out, "--jobs", "1000",
                 "--format", "json")
    assert result.exit_code == 1
    assert started == ([cores] if cores > 1 else [])
    assert result.stderr == (f"note: --jobs 1000 is more than the {cores} usable "
                             f"core{'s' * (cores != 1)}; grading with {cores}\n")
    assert json.loads(result.stdout)["sheets"] == cores + 2  # stdout holds the JSON only


# --- 20. links out of the class folder ---------------------------------------------------------

def test_links_out_of_the_class_folder_are_reported_and_not_read(tmp_path):
    folder = tmp_path / "class"
    (folder / "store").mkdir(parents=True)
    elsewhere = tmp_path / "elsewhere"
    (elsewhere / "s9").mkdir(parents=True)
    # A valid sheet outside the class: were it read, `outsider` would be graded.
    outsider = variant_sheet("as-written").replace("id: as-written", "id: outsider")
    (elsewhere / "sheet.yaml").write_text(outsider, "utf-8")
    (elsewhere / "s9" / "answers.yaml").write_text(outsider, "utf-8")
    (folder / "passwd.yaml").symlink_to("/etc/passwd")
    (folder / "status.yaml").symlink_to("/proc/self/status")
    (folder / "up.yaml").symlink_to(Path("..") / "elsewhere" / "sheet.yaml")
    (folder / "s9").symlink_to(elsewhere / "s9")
    # A link that stays inside the class folder is read.
    (folder / "store" / "kept.yml").write_text(variant_sheet("row-key-str"), "utf-8")
    (folder / "inside.yaml").symlink_to(Path("store") / "kept.yml")
    out = tmp_path / "out"
    result = run("grade", folder, "--problems", SEED, "--out", out, "--format", "text")
    assert result.exit_code == 1, result.output
    rows = {r["sheet"]: r for r in table(out)}
    assert rows.pop(f"{folder}/inside.yaml")["id"] == "row-key-str"
    out_of_folder = "a link out of the class folder — not read"
    assert sorted(rows) == [f"{folder}/{n}" for n in
                            ("passwd.yaml", "s9/answers.yaml", "status.yaml", "up.yaml")]
    for sheet, row in rows.items():
        assert (row["id"], row["status"]) == ("", "error")
        assert row["error"].startswith(f"{sheet}: {out_of_folder}")
    written = (out / "results.jsonl").read_text("utf-8") + (out / "grades.csv").read_text("utf-8")
    assert "root:" not in written and "outsider" not in written and "VmRSS" not in written
