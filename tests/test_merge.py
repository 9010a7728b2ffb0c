"""`nncheck merge`: shard reports combined into exactly the report of one run over the class."""

from __future__ import annotations

import hashlib
import json
import os
import shutil
from pathlib import Path

import pytest
from typer.testing import CliRunner

from conftest import SEED
from nncheck.cli import app

REPORT_FILES = {"grades.csv", "results.jsonl", "summary.json", "feedback", "gradescope"}


def run(*args: object) -> tuple[int, str, str]:
    result = CliRunner().invoke(app, [str(a) for a in args])
    return result.exit_code, result.stdout, result.stderr


def shard_of(rel: str, n: int) -> int:
    """The shard (1-based) of a sheet, by the documented rule: the first 8 bytes of the
    SHA-256 of its path inside the class folder, big-endian, modulo N, plus one."""
    return int.from_bytes(hashlib.sha256(rel.encode()).digest()[:8], "big") % n + 1


def files_of(folder: Path) -> dict[str, bytes]:
    """Every file under a folder, by its path inside it, with its bytes."""
    return {p.relative_to(folder).as_posix(): p.read_bytes()
            for p in sorted(folder.rglob("*")) if p.is_file()}


def assert_same_report(merged: Path, single: Path) -> None:
    got, want = files_of(merged), files_of(single)
    assert sorted(got) == sorted(want)
    for name in want:
        assert got[name] == want[name], name


@pytest.fixture
def seed_class(tmp_path: Path) -> tuple[Path, Path]:
    """The seed exam and its example class, copied (so that outputs go beside them)."""
    bank = tmp_path / "bank"
    shutil.copytree(SEED, bank)
    return bank, bank / "class"


def grade_shards(klass: Path, bank: Path, where: Path, n: int, *more: object) -> list[Path]:
    outs = []
    for k in range(1, n + 1):
        out = where / f"shard-{k}"
        code, _, stderr = run("grade", klass, "-p", bank, "--shard", f"{k}/{n}", "-o", out,
                              "-j", "1", "-f", "text", *more)
        assert code in (0, 1), stderr
        outs.append(out)
    return outs


def test_the_example_class_split_three_ways_merges_into_one_run_byte_for_byte(
        seed_class, tmp_path):
    bank, klass = seed_class
    code, _, _ = run("grade", klass, "-p", bank, "-o", tmp_path / "single", "-f", "text")
    assert code == 1  # the example class has failed sheets and one that cannot be read
    shards = grade_shards(klass, bank, tmp_path, 3)
    # Every shard holds some of the class: the merge is not a copy of one report.
    sizes = [len((s / "results.jsonl").read_text("utf-8").splitlines()) for s in shards]
    assert sorted(sizes) == [3, 4, 5] and sum(sizes) == 12
    code, stdout, stderr = run("merge", tmp_path / "merged", shards[2], shards[0], shards[1],
                               "-f", "text")
    assert (code, stderr) == (1, "")
    assert stdout.splitlines()[0] == ("Graded 12 sheets: 9 failed, 2 pending, 1 error — "
                                      f"report in {tmp_path / 'merged'}")
    assert_same_report(tmp_path / "merged", tmp_path / "single")
    summary = json.loads((tmp_path / "merged" / "summary.json").read_text("utf-8"))
    # The median of the whole class (12 sheets, one not graded: the middle of 11 scores,
    # as docs/grading-a-class.md shows it), not a mean of the shards' medians.
    assert (summary["shard"], summary["sheets"], summary["scores"]["median"]) == (None, 12, 23)


Q = """\
id: q
title: Counting
parts:
  - {id: a, ask: formula, reference: "2*n + 2", points: 2}
  - {id: b, ask: choice, options: [A, B], key: A}
  - {id: c, ask: manual, rubric: says why, points: 1}
"""


def student(sid: str, a: str = "2*n + 2", b: str = "A", extra: str = "") -> str:
    return f"student: {{id: '{sid}', name: N{sid}}}\nanswers:\n  q: {{a: '{a}', b: {b}{extra}}}\n"


@pytest.fixture
def small(tmp_path: Path) -> tuple[Path, Path]:
    """A bank of one problem and a class of twelve: right, wrong in the same way, an answer to
    an unknown part, a manual part scored by an override, a sheet that cannot be read."""
    bank = tmp_path / "bank"
    bank.mkdir()
    (bank / "q.yaml").write_text(Q, encoding="utf-8")
    klass = tmp_path / "class"
    klass.mkdir()
    for i in range(1, 13):
        a = "2*n" if i % 3 == 0 else "2*n + 2"
        extra = ", d: 1" if i == 5 else ""
        (klass / f"s{i:02d}.yaml").write_text(student(f"s{i:02d}", a=a, extra=extra),
                                              encoding="utf-8")
    (klass / "s13.yaml").write_text("student: {id: s13\nanswers: {}\n", encoding="utf-8")
    (tmp_path / "overrides.yaml").write_text(
        "s01: {q: {c: {points: 1, comment: fine}}}\nghost: {q: {c: {points: 1}}}\n",
        encoding="utf-8")
    return bank, klass


@pytest.mark.parametrize("n", [2, 5])
def test_shards_with_overrides_warnings_and_errors_merge_into_one_run(small, tmp_path, n):
    bank, klass = small
    more = ("--overrides", tmp_path / "overrides.yaml")
    run("grade", klass, "-p", bank, "-o", tmp_path / "single", "-f", "text", *more)
    shards = grade_shards(klass, bank, tmp_path, n, *more)
    code, _, stderr = run("merge", tmp_path / "merged", *shards, "-f", "text")
    assert (code, stderr) == (1, "")
    assert_same_report(tmp_path / "merged", tmp_path / "single")
    summary = json.loads((tmp_path / "merged" / "summary.json").read_text("utf-8"))
    # Written out: `ghost` has overrides and no sheet; s05 answered part `d`, which q lacks;
    # s03, s06, s09, s12 answered 2n (the biases of 2n + 2 left out): one group of four.
    assert summary["unknown_override_students"] == ["ghost"]
    assert summary["unknown_ids"]["groups"][0]["sheets"] == ["s05"]
    wrong = summary["parts"][0]["wrong_answers"]
    assert [(w["answer"], w["count"]) for w in wrong] == [("2*n", 4)]


def test_a_student_id_in_two_shards_is_refused_naming_both(small, tmp_path):
    bank, klass = small
    # Two sheets with one id, one in each shard of two (by the rule written out above); the
    # id holds an escape sequence and a right-to-left override, shown escaped.
    names = [f"x{i}" for i in range(40)]
    first = next(m for m in names if shard_of(f"{m}.yaml", 2) == 1)
    second = next(m for m in names if shard_of(f"{m}.yaml", 2) == 2)
    for name in (first, second):
        (klass / f"{name}.yaml").write_text(
            'student: {id: "evil\\e[2J\\u202e"}\nanswers: {q: {b: A}}\n', encoding="utf-8")
    shards = grade_shards(klass, bank, tmp_path, 2)
    code, stdout, stderr = run("merge", tmp_path / "merged", *shards)
    assert (code, stdout) == (2, "")
    assert stderr == (f"error: student id `evil\\x1b[2J\\u202e` is in {shards[0]} and in "
                      f"{shards[1]} — one sheet per student: "
                      "remove one of the sheets and grade both shards again\n")
    assert not (tmp_path / "merged").exists()


def test_shards_graded_against_other_problems_are_refused(small, tmp_path):
    bank, klass = small
    first = grade_shards(klass, bank, tmp_path / "a", 2)[0]
    (bank / "q.yaml").write_text(Q.replace("points: 2", "points: 3"), encoding="utf-8")
    second = grade_shards(klass, bank, tmp_path / "b", 2)[1]
    code, _, stderr = run("merge", tmp_path / "merged", first, second)
    assert code == 2
    assert stderr == (f"error: {second} was graded against other problems (problem_hashes "
                      f"differ) than {first} — shards graded alike: one bank, one nncheck "
                      "version, the same options and class folder\n")


@pytest.mark.parametrize(("option", "why"), [
    (("--reveal", "expected"), "graded with another --reveal"),
    (("--rtol", "0.1"), "graded with another --rtol"),
    (("--overrides", "OVERRIDES"), "graded with other --overrides"),
])
def test_shards_graded_with_other_options_are_refused(small, tmp_path, option, why):
    bank, klass = small
    first = grade_shards(klass, bank, tmp_path / "a", 2)[0]
    option = tuple(str(tmp_path / "overrides.yaml") if o == "OVERRIDES" else o for o in option)
    second = grade_shards(klass, bank, tmp_path / "b", 2, *option)[1]
    code, _, stderr = run("merge", tmp_path / "merged", first, second)
    assert code == 2
    assert stderr.startswith(f"error: {second} was {why} than {first} — ")


def test_shards_of_another_nncheck_version_are_refused(small, tmp_path):
    bank, klass = small
    first, second = grade_shards(klass, bank, tmp_path, 2)
    summary = json.loads((second / "summary.json").read_text("utf-8"))
    summary["nncheck_version"] = "0.0.1"
    (second / "summary.json").write_text(json.dumps(summary), encoding="utf-8")
    code, _, stderr = run("merge", tmp_path / "merged", first, second)
    assert code == 2
    assert stderr.startswith(f"error: {second} was graded by another nncheck version than "
                             f"{first} — ")


def test_a_missing_or_repeated_shard_and_a_whole_report_are_refused(small, tmp_path):
    bank, klass = small
    shards = grade_shards(klass, bank, tmp_path, 3)
    code, _, stderr = run("merge", tmp_path / "merged", shards[0], shards[2])
    assert (code, stderr) == (2, "error: shard 2/3 missing — every shard of the split, K/N "
                                 "for K = 1 … N\n")
    code, _, stderr = run("merge", tmp_path / "merged", *shards, shards[1])
    assert (code, stderr) == (2, f"error: {shards[1]} and {shards[1]} are both shard 2/3 — "
                                 "each shard once\n")
    run("grade", klass, "-p", bank, "-o", tmp_path / "whole", "-f", "text")
    code, _, stderr = run("merge", tmp_path / "merged", tmp_path / "whole")
    assert (code, stderr) == (2, f"error: {tmp_path / 'whole'}: not a shard report (graded "
                                 "whole) — reports of `nncheck grade --shard K/N --out DIR`\n")


def test_the_merged_report_is_checked_as_grade_checks_out(small, tmp_path):
    bank, klass = small
    shards = grade_shards(klass, bank, tmp_path, 2)
    out = tmp_path / "merged"
    out.mkdir()
    (out / "notes.txt").write_text("mine", encoding="utf-8")
    code, _, stderr = run("merge", out, *shards)
    assert (code, stderr) == (2, f"error: {out}: holds `notes.txt`, which is not part of a "
                                 "report — --out DIR, a new folder or an earlier report (it is "
                                 "replaced whole)\n")
    assert (out / "notes.txt").read_text("utf-8") == "mine"
    # Nor may it be a shard: replacing it would delete what is being merged.
    code, _, stderr = run("merge", shards[0], *shards)
    assert code == 2 and stderr.startswith(f"error: {shards[0]}: is the shard report ")


def test_a_tampered_row_is_an_error_naming_the_file_and_line(small, tmp_path):
    bank, klass = small
    shards = grade_shards(klass, bank, tmp_path, 2)
    lines = (shards[1] / "results.jsonl").read_text("utf-8").splitlines(keepends=True)
    lines[1] = "{not json\n"
    (shards[1] / "results.jsonl").write_text("".join(lines), encoding="utf-8")
    code, _, stderr = run("merge", tmp_path / "merged", *shards)
    assert code == 2
    assert stderr.startswith(f"error: {shards[1] / 'results.jsonl'}:2: not JSON (")
    assert not (tmp_path / "merged").exists()


def test_odd_file_names_and_empty_shards_merge_into_one_run(small, tmp_path):
    bank, klass = small
    # A file name that is not UTF-8 (graded, shown escaped, with a warning in summary.json),
    # and a class of few sheets cut into more shards than it fills.
    for path in list(klass.iterdir()):
        if path.name not in ("s01.yaml", "s03.yaml"):
            path.unlink()
    odd = klass / os.fsdecode(b"s\xff.yaml")
    odd.write_text(student("s14", a="2*n"), encoding="utf-8")
    run("grade", klass, "-p", bank, "-o", tmp_path / "single", "-f", "text")
    shards = grade_shards(klass, bank, tmp_path, 6)
    assert sum(not (s / "feedback").exists() for s in shards) >= 3  # 3 sheets, 6 shards
    code, _, stderr = run("merge", tmp_path / "merged", *shards, "-f", "text")
    assert (code, stderr) == (1, "")
    assert_same_report(tmp_path / "merged", tmp_path / "single")
    summary = json.loads((tmp_path / "merged" / "summary.json").read_text("utf-8"))
    assert [w["sheet"] for w in summary["warnings"]] == [f"{klass}/s\\xff.yaml"]


def test_ids_that_differ_only_in_case_in_two_shards_are_refused(small, tmp_path):
    bank, klass = small
    names = [f"y{i}" for i in range(40)]
    first = next(m for m in names if shard_of(f"{m}.yaml", 2) == 1)
    second = next(m for m in names if shard_of(f"{m}.yaml", 2) == 2)
    (klass / f"{first}.yaml").write_text(student("Kim"), encoding="utf-8")
    (klass / f"{second}.yaml").write_text(student("kim"), encoding="utf-8")
    shards = grade_shards(klass, bank, tmp_path, 2)
    code, _, stderr = run("merge", tmp_path / "merged", *shards)
    assert code == 2
    assert stderr == (f"error: student id `kim` is in {shards[0]} (as `Kim`) and in "
                      f"{shards[1]} — one sheet per student: remove one of the sheets and "
                      "grade both shards again\n")


def test_rows_and_files_not_as_grade_writes_them_are_refused(small, tmp_path):
    bank, klass = small
    shards = grade_shards(klass, bank, tmp_path, 2)
    table = shards[0] / "grades.csv"
    kept = table.read_bytes()
    # A score raised by hand in grades.csv: the row no longer says what results.jsonl says.
    rows = kept.decode("utf-8").split("\r\n")
    cells = rows[1].split(",")
    cells[2] = "99"
    rows[1] = ",".join(cells)
    table.write_bytes("\r\n".join(rows).encode("utf-8"))
    code, _, stderr = run("merge", tmp_path / "merged", *shards)
    assert code == 2
    assert stderr.startswith(f"error: {table}:2: not the row of ")
    table.write_bytes(kept)
    # A raw right-to-left override in a line: valid JSON, but nncheck writes it escaped.
    results = shards[0] / "results.jsonl"
    text = results.read_text("utf-8")
    results.write_text(text.replace('"name": "Ns', '"name": "\u202eNs', 1), "utf-8")
    code, _, stderr = run("merge", tmp_path / "merged", *shards)
    assert (code, stderr) == (2, f"error: {results}:1: not written as nncheck writes it — "
                                 "a report as `nncheck grade` wrote it\n")
    results.write_text(text, "utf-8")
    # An escape sequence in a feedback file, which nncheck writes inert.
    feedback = sorted((shards[0] / "feedback").iterdir())[0]
    feedback.write_text("\x1b[2J" + feedback.read_text("utf-8"), "utf-8")
    code, _, stderr = run("merge", tmp_path / "merged", *shards)
    assert (code, stderr) == (2, f"error: {feedback}: holds control or bidirectional "
                                 "characters — a report as `nncheck grade` wrote it\n")
    assert not (tmp_path / "merged").exists()


def test_a_file_of_a_shard_that_is_a_link_is_not_followed(small, tmp_path):
    bank, klass = small
    shards = grade_shards(klass, bank, tmp_path, 2)
    secret = tmp_path / "secret.txt"
    secret.write_text("the key\n", "utf-8")
    feedback = sorted((shards[1] / "feedback").iterdir())[0]
    feedback.unlink()
    feedback.symlink_to(secret)
    code, _, stderr = run("merge", tmp_path / "merged", *shards)
    assert (code, stderr) == (2, f"error: {feedback}: cannot read the file: a link — a shard "
                                 "report: a folder written by `nncheck grade --out`\n")
    assert not (tmp_path / "merged").exists()
