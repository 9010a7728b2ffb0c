"""`nncheck merge` and `grade --student --update` with a roster, the imports and per-part
columns: the same files, byte for byte, as one `grade` over the whole class with those options,
whatever the shards (or the report updated) were graded with."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest
from reportkit import assert_same_report, files_of, run, seed_copy

from conftest import SEED

ROSTER = SEED / "rosters" / "canvas-export.csv"
EXTRAS = ("--roster", ROSTER, "--export", "canvas", "--assignment", "Exam 1",
          "--assignment-id", "4521", "--per-part")


seed = pytest.fixture(seed_copy, name="seed")

def grade(klass: Path, bank: Path, out: Path, *more: object) -> tuple[int, str, str]:
    return run("grade", klass, "-p", bank, "-o", out, "-f", "text", "-j", "1", *more)


def shards_of(klass: Path, bank: Path, where: Path, n: int, *more: object) -> list[Path]:
    outs = []
    for k in range(1, n + 1):
        code, _, stderr = grade(klass, bank, where / f"shard-{k}", "--shard", f"{k}/{n}", *more)
        assert code in (0, 1), stderr
        outs.append(where / f"shard-{k}")
    return outs


def rows_of(table: Path) -> list[list[str]]:
    with table.open(encoding="utf-8-sig", newline="") as f:
        return list(csv.reader(f))


@pytest.mark.parametrize("shard_options", [(), ("--per-part",), EXTRAS],
                         ids=["plain-shards", "per-part-shards", "shards-with-every-option"])
def test_the_example_class_split_three_ways_merges_with_roster_canvas_and_per_part(
        seed, tmp_path, shard_options):
    bank, klass = seed
    code, _, single_err = grade(klass, bank, tmp_path / "single", *EXTRAS)
    assert code == 1
    shards = shards_of(klass, bank, tmp_path, 3, *shard_options)
    # Each shard holds some of the class (3, 4 and 5 sheets): no merge is a copy of one.
    sizes = [len((s / "results.jsonl").read_text("utf-8").splitlines()) for s in shards]
    assert sorted(sizes) == [3, 4, 5]
    code, _, stderr = run("merge", tmp_path / "merged", *shards, *EXTRAS, "-f", "text")
    assert code == 1
    assert stderr == single_err  # the roster's notes, as the single run gives them
    assert_same_report(tmp_path / "merged", tmp_path / "single")
    got = files_of(tmp_path / "merged")
    assert {"canvas.csv", "report.html"} <= set(got)
    # Written out from the roster and the class: 12 sheets, all matched, and per-part columns
    # `q1-exactly-two/...` right after the 7 problems' columns.
    header = rows_of(tmp_path / "merged" / "grades.csv")[0]
    assert header[:2] == ["id", "name"] and header[9].startswith("q1-exactly-two/")
    canvas = rows_of(tmp_path / "merged" / "canvas.csv")
    assert canvas[0][5] == "Exam 1 (4521)" and canvas[1][5] == "40"


def test_moodle_import_of_a_merge_carries_each_sheets_headline(seed, tmp_path):
    bank, klass = seed
    more = ("--export", "moodle", "--assignment", "Exam 1", "--moodle-id", "idnumber")
    grade(klass, bank, tmp_path / "single", *more)
    shards = shards_of(klass, bank, tmp_path, 2)
    code, _, _ = run("merge", tmp_path / "merged", *shards, *more, "-f", "text")
    assert code == 1
    assert_same_report(tmp_path / "merged", tmp_path / "single")
    moodle = rows_of(tmp_path / "merged" / "moodle.csv")
    # The feedback column is `Total <score>/<max> — ...`, the headline of each sheet.
    assert all(r[-1].startswith("Total ") and r[-1].split()[1].endswith("/40") for r in moodle[1:])


def test_merge_with_an_import_and_no_title_is_refused(seed, tmp_path):
    bank, klass = seed
    shards = shards_of(klass, bank, tmp_path, 2)
    code, _, stderr = run("merge", tmp_path / "merged", *shards, "--roster", ROSTER,
                          "--export", "canvas", "-f", "text")
    assert code == 2
    assert "--assignment TITLE" in stderr and "Traceback" not in stderr
    assert not (tmp_path / "merged").exists()


def test_an_update_with_roster_canvas_and_per_part_gives_a_fresh_run(seed, tmp_path):
    bank, klass = seed
    report = tmp_path / "report"
    grade(klass, bank, report)  # graded without them: the update's options are what count
    sheet = klass / "s03-chen.yaml"
    text = sheet.read_text("utf-8")
    assert "    method-2: 505\n" in text
    sheet.write_text(text.replace("    method-2: 505\n", "    method-2: 500\n"), "utf-8")
    code, _, stderr = grade(klass, bank, report, "--student", "s03", "--update", *EXTRAS)
    assert code == 1
    code, _, fresh_err = grade(klass, bank, tmp_path / "fresh", *EXTRAS)
    assert stderr == fresh_err
    assert_same_report(report, tmp_path / "fresh")
    # And back: updated without them, the report is a plain run's again.
    sheet.write_text(text, "utf-8")
    grade(klass, bank, report, "--student", "s03", "--update")
    grade(klass, bank, tmp_path / "plain")
    assert_same_report(report, tmp_path / "plain")


def test_per_part_columns_of_a_class_with_no_graded_sheet_come_from_per_part_shards(tmp_path):
    """No sheet could be read, so no line names the parts: shards graded with --per-part give
    them by their columns; plain shards cannot, and the merge says so."""
    bank = tmp_path / "bank"
    bank.mkdir()
    (bank / "q.yaml").write_text(
        "id: q\nparts:\n  - {id: a, ask: formula, reference: '2*n', points: 2}\n"
        "  - {id: b, ask: formula, reference: 'n', points: 1}\n", encoding="utf-8")
    klass = tmp_path / "class"
    klass.mkdir()
    for i in range(1, 7):
        (klass / f"s{i}.yaml").write_text("student: {id: s\n", encoding="utf-8")
    grade(klass, bank, tmp_path / "single", "--per-part")
    header = rows_of(tmp_path / "single" / "grades.csv")[0]
    assert header[2:5] == ["q", "q/a", "q/b"]  # the bank's parts, in its order
    plain = shards_of(klass, bank, tmp_path / "plain", 2)
    code, _, stderr = run("merge", tmp_path / "merged", *plain, "--per-part", "-f", "text")
    assert code == 2 and "shards graded with --per-part" in stderr
    assert not (tmp_path / "merged").exists()
    shards = shards_of(klass, bank, tmp_path / "per-part", 2, "--per-part")
    code, _, _ = run("merge", tmp_path / "merged", *shards, "--per-part", "-f", "text")
    assert code == 1
    assert_same_report(tmp_path / "merged", tmp_path / "single")
