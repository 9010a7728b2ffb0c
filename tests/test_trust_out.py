"""`grade --out` never deletes what it did not write.

The report takes the place of `--out` whole, so whatever lies inside `--out` goes with the old
report. The rules written out here are the sources of the expected values:
- `--out` may not be, hold, or lie inside the class folder, the problem bank, a problem file
  or the overrides file, compared as real paths (links resolved): replacing it would delete them.
- An existing `--out` holds only what nncheck writes: `grades.csv`, `results.jsonl`,
  `summary.json` (regular files), `feedback/` holding regular `*.txt` files and `gradescope/`
  holding regular `*.json` files (real folders, no subfolders, no links).
- A refused run exits with 2 and one line on stderr, grades no sheet, and leaves every file
  as it was (byte for byte) and no staging folder behind.
"""

from __future__ import annotations

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
"""
APART = ("--out DIR, a folder apart from the class folder, the problem bank and the overrides "
         "file (it is replaced whole)")
REPORT = "--out DIR, a new folder or an earlier report (it is replaced whole)"


def sheet(sid: str) -> str:
    return (f"student: {{id: {sid}, name: Student {sid}}}\n"
            f"answers:\n  q2: {{a: '-log(0.3)', pick: A}}\n")


def make_bank(folder: Path) -> Path:
    folder.mkdir(parents=True)
    (folder / "q2.yaml").write_text(BANK, encoding="utf-8")
    return folder


def make_class(folder: Path) -> Path:
    folder.mkdir(parents=True)
    for sid in ("s01", "s02", "s03"):
        (folder / f"{sid}.yaml").write_text(sheet(sid), encoding="utf-8")
    return folder


def snapshot(folder: Path) -> dict[str, bytes | None]:
    """Every file and folder under `folder`: a file's bytes, None for a folder or a link."""
    return {str(p.relative_to(folder)): (None if p.is_dir() or p.is_symlink() else p.read_bytes())
            for p in sorted(folder.rglob("*"))}


@pytest.fixture(autouse=True)
def no_grading(monkeypatch):
    """A refused run grades no sheet: grading one fails the test."""
    def never(sheet):
        raise AssertionError("a sheet was graded")

    monkeypatch.setattr(classroom, "_grade_file", never)


def grade(*args: object) -> tuple[int, str]:
    result = CliRunner().invoke(app, ["grade", *(str(a) for a in args), "-j", "1"])
    return result.exit_code, result.stderr


def refused(args: list[object], message: str, root: Path) -> None:
    """Run `grade ARGS`; it exits with 2, says `message` in one line and touches nothing."""
    before = snapshot(root)
    code, stderr = grade(*args)
    assert (code, stderr) == (2, f"error: {message}\n")
    assert snapshot(root) == before  # the victims byte for byte, and no staging folder


def test_a_class_folder_inside_out_is_refused(tmp_path):
    # The class folder named like a report folder, so the old check let --out replace it.
    out = tmp_path / "x"
    klass = make_class(out / "gradescope")
    bank = make_bank(tmp_path / "bank")
    refused([klass, "-p", bank, "-o", out],
            f"{out}: holds the class folder {klass} — {APART}", tmp_path)
    assert (klass / "s01.yaml").read_text(encoding="utf-8") == sheet("s01")


def test_a_bank_named_feedback_under_out_is_refused(tmp_path):
    out = tmp_path / "x"
    bank = make_bank(out / "feedback")
    klass = make_class(tmp_path / "class")
    refused([klass, "-p", bank, "-o", out],
            f"{out}: holds the problem bank {bank} — {APART}", tmp_path)
    assert (bank / "q2.yaml").read_text(encoding="utf-8") == BANK


def test_an_out_inside_the_class_folder_is_refused(tmp_path):
    klass = make_class(tmp_path / "class")
    bank = make_bank(tmp_path / "bank")
    out = klass / "report"
    refused([klass, "-p", bank, "-o", out],
            f"{out}: is inside the class folder {klass} — {APART}", tmp_path)
    assert not out.exists()


def test_an_out_that_is_the_class_folder_is_refused(tmp_path):
    # A student folder of CLASS_DIR/<student>/answers.yaml sheets is named like a report file.
    klass = tmp_path / "class"
    (klass / "feedback").mkdir(parents=True)
    (klass / "feedback" / "answers.yaml").write_text(sheet("s01"), encoding="utf-8")
    bank = make_bank(tmp_path / "bank")
    refused([klass, "-p", bank, "-o", klass],
            f"{klass}: is the class folder {klass} — {APART}", tmp_path)


def test_an_out_inside_the_bank_is_refused(tmp_path):
    bank = make_bank(tmp_path / "bank")
    klass = make_class(tmp_path / "class")
    out = bank / "report"
    refused([klass, "-p", bank, "-o", out],
            f"{out}: is inside the problem bank {bank} — {APART}", tmp_path)


def test_paths_are_compared_after_resolving_links(tmp_path):
    # --out names a link to the folder that holds the class: the real folders are compared.
    real = tmp_path / "real"
    klass = make_class(real / "gradescope")
    bank = make_bank(tmp_path / "bank")
    link = tmp_path / "link"
    link.symlink_to(real, target_is_directory=True)
    refused([klass, "-p", bank, "-o", link],
            f"{link}: holds the class folder {klass} — {APART}", tmp_path)
    # And the class named through a link that leads inside --out.
    other = tmp_path / "to-class"
    other.symlink_to(klass, target_is_directory=True)
    refused([other, "-p", bank, "-o", real],
            f"{real}: holds the class folder {other} — {APART}", tmp_path)


def test_an_overrides_file_inside_out_is_refused(tmp_path):
    out = tmp_path / "x"
    out.mkdir()
    overrides = out / "summary.json"  # named like a report file, so the old check let it go
    overrides.write_text('{"s01": {"q2": {"a": {"points": 1, "comment": "ok"}}}}\n',
                         encoding="utf-8")
    klass = make_class(tmp_path / "class")
    bank = make_bank(tmp_path / "bank")
    refused([klass, "-p", bank, "-o", out, "--overrides", overrides],
            f"{out}: holds the overrides file {overrides} — {APART}", tmp_path)


def test_a_problem_file_linked_from_inside_out_is_refused(tmp_path):
    # The bank is apart, but one of its files is a link to a feedback file of --out.
    out = tmp_path / "x"
    (out / "feedback").mkdir(parents=True)
    target = out / "feedback" / "q2.txt"
    target.write_text(BANK, encoding="utf-8")
    bank = tmp_path / "bank"
    bank.mkdir()
    (bank / "q2.yaml").symlink_to(target)
    klass = make_class(tmp_path / "class")
    refused([klass, "-p", bank, "-o", out],
            f"{out}: holds the problem file {bank / 'q2.yaml'} — {APART}", tmp_path)


@pytest.mark.parametrize(("make", "listed"), [
    pytest.param({"feedback/old/s01.txt": "kept\n"}, "`feedback/old/`", id="subfolder"),
    pytest.param({"feedback/notes.md": "mine\n"}, "`feedback/notes.md`", id="foreign-file"),
    pytest.param({"gradescope/s01.txt": "mine\n"}, "`gradescope/s01.txt`", id="txt-in-gradescope"),
    pytest.param({"feedback/s01.txt": "a\n", "feedback/s02.yaml": "b\n", "gradescope/x/y": "c\n",
                  "gradescope/s01.json": "{}\n"},
                 "`feedback/s02.yaml`, `gradescope/x/`", id="two-listed"),
])
def test_what_nncheck_did_not_write_inside_the_report_folders_is_refused(tmp_path, make, listed):
    out = tmp_path / "out"
    for name, text in make.items():
        (out / name).parent.mkdir(parents=True, exist_ok=True)
        (out / name).write_text(text, encoding="utf-8")
    (out / "grades.csv").write_text("id\n", encoding="utf-8")
    klass = make_class(tmp_path / "class")
    bank = make_bank(tmp_path / "bank")
    which = "which are" if ", " in listed else "which is"
    refused([klass, "-p", bank, "-o", out],
            f"{out}: holds {listed}, {which} not part of a report — {REPORT}", tmp_path)


def test_links_and_misplaced_kinds_in_a_report_are_refused(tmp_path):
    # A link is not a file nncheck writes (even one named like a report file), a report's
    # folder is a real folder and a report's file a regular file.
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    (elsewhere / "keep.txt").write_text("keep\n", encoding="utf-8")
    out = tmp_path / "out"
    (out / "gradescope").mkdir(parents=True)
    (out / "feedback").symlink_to(elsewhere, target_is_directory=True)
    (out / "gradescope" / "s01.json").symlink_to(elsewhere / "keep.txt")
    (out / "grades.csv").mkdir()
    (out / "grades.csv" / "mine.txt").write_text("mine\n", encoding="utf-8")
    (out / "results.jsonl").symlink_to(elsewhere / "keep.txt")
    klass = make_class(tmp_path / "class")
    bank = make_bank(tmp_path / "bank")
    refused([klass, "-p", bank, "-o", out],
            f"{out}: holds `feedback`, `grades.csv/`, `gradescope/s01.json`, `results.jsonl`, "
            f"which are not part of a report — {REPORT}", tmp_path)


def test_many_foreign_entries_are_listed_five_then_counted(tmp_path):
    out = tmp_path / "out"
    (out / "feedback").mkdir(parents=True)
    for n in range(1, 8):
        (out / "feedback" / f"n{n}.md").write_text(f"note {n}\n", encoding="utf-8")
    klass = make_class(tmp_path / "class")
    bank = make_bank(tmp_path / "bank")
    refused([klass, "-p", bank, "-o", out],
            f"{out}: holds `feedback/n1.md`, `feedback/n2.md`, `feedback/n3.md`, "
            f"`feedback/n4.md`, `feedback/n5.md` and 2 more, which are not part of a report "
            f"— {REPORT}", tmp_path)


def test_an_earlier_report_is_still_replaced(tmp_path, monkeypatch):
    monkeypatch.undo()  # this run grades
    out = tmp_path / "out"
    (out / "feedback").mkdir(parents=True)
    (out / "gradescope").mkdir()
    (out / "feedback" / "gone.txt").write_text("old\n", encoding="utf-8")
    (out / "feedback" / ".DS_Store").write_bytes(b"\0")
    (out / "gradescope" / "gone.json").write_text("{}\n", encoding="utf-8")
    (out / "grades.csv").write_text("old\n", encoding="utf-8")
    klass = make_class(tmp_path / "class")
    bank = make_bank(tmp_path / "bank")
    code, stderr = grade(klass, "-p", bank, "-o", out)
    # Every sheet right: the cross-entropy of [0, 0, 1, 0] against p = 0.3 is -log(0.3).
    assert (code, stderr) == (0, "")
    assert sorted(p.name for p in (out / "feedback").iterdir()) == ["s01.txt", "s02.txt",
                                                                    "s03.txt"]
    assert sorted(p.name for p in (out / "gradescope").iterdir()) == ["s01.json", "s02.json",
                                                                      "s03.json"]


def test_a_folder_put_into_feedback_while_grading_is_refused_at_the_swap(tmp_path, monkeypatch):
    # --out is checked again just before the new report takes its place.
    monkeypatch.undo()  # this run grades
    klass = make_class(tmp_path / "class")
    bank = make_bank(tmp_path / "bank")
    out = tmp_path / "out"
    assert grade(klass, "-p", bank, "-o", out)[0] == 0
    graded = classroom._grade_file

    def meanwhile(sheet):
        (out / "feedback" / "drafts").mkdir(exist_ok=True)
        (out / "feedback" / "drafts" / "s01.md").write_text("draft\n", encoding="utf-8")
        return graded(sheet)

    monkeypatch.setattr(classroom, "_grade_file", meanwhile)
    before = snapshot(out)
    code, stderr = grade(klass, "-p", bank, "-o", out)
    assert (code, stderr) == (
        2, f"error: {out}: holds `feedback/drafts/`, which is not part of a report — {REPORT}\n")
    added = {"feedback/drafts": None, "feedback/drafts/s01.md": b"draft\n"}
    assert snapshot(out) == {**before, **added}
    assert sorted(p.name for p in tmp_path.iterdir()) == ["bank", "class", "out"]
