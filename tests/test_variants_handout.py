"""`nncheck variants`: each student's problems, blank sheet and key; the keys earn full marks."""

from __future__ import annotations

import json
import math
from pathlib import Path

import yaml
from test_variants import SECRET, VARIED, small_bank
from typer.testing import CliRunner

from nncheck import variants
from nncheck.cli import app

ROSTER = "Student ID,Name\nada,Ada\nbo,Bo \u202eevil\nstaff,Staff Member\n"


def handout(tmp_path: Path, bank: Path) -> Path:
    roster = tmp_path / "roster.csv"
    roster.write_text(ROSTER, encoding="utf-8")
    out = tmp_path / "handout"
    result = CliRunner().invoke(app, ["variants", str(bank), "--roster", str(roster),
                                      "--out", str(out)])
    assert result.exit_code == 0, result.stderr
    return out


def test_keys_written_by_variants_earn_full_marks(tmp_path, monkeypatch):
    monkeypatch.setenv("NNCHECK_SECRET", SECRET)
    out = handout(tmp_path, VARIED)
    report = tmp_path / "report"
    result = CliRunner().invoke(app, ["grade", str(out / "staff"), "-p", str(VARIED),
                                      "--out", str(report)])
    lines = [json.loads(x) for x in (report / "results.jsonl").read_text("utf-8").splitlines()]
    assert sorted(r["student"]["id"] for r in lines) == ["ada", "bo", "staff"]
    for r in lines:
        assert r["variant"] == variants.exam_variant(SECRET.encode(), r["student"]["id"])
        for problem in r["problems"]:
            for part in problem["parts"]:
                if part["ask"] != "manual":  # a person grades those: no key
                    assert part["status"] == "correct", (r["student"], problem["id"], part)
    assert result.exit_code == 1  # the manual parts are unanswered


def test_each_student_gets_their_numbers_code_and_a_blank_sheet(tmp_path, monkeypatch):
    monkeypatch.setenv("NNCHECK_SECRET", SECRET)
    bank = small_bank(tmp_path)
    out = handout(tmp_path, bank)
    for sid in ("ada", "bo", "staff"):
        v = variants.exam_variant(SECRET.encode(), sid)
        code = variants.check_code(SECRET.encode(), sid, v)
        sheet = yaml.safe_load((out / "students" / sid / "answers.yaml").read_text("utf-8"))
        assert sheet["variant"] == v and sheet["check"] == code
        assert sheet["answers"] == {"small": {"a": None}}
        text = (out / "students" / sid / "problems.md").read_text("utf-8")
        assert f"variant {v} · code {code}" in text
        key = yaml.safe_load((out / "staff" / f"{sid}.yaml").read_text("utf-8"))
        # The key's loss is -ln p for the p the problem text shows this student.
        p = float(text.split("ŷ = (")[1].split(",")[0])
        assert key["answers"]["small"]["a"] == __import__("pytest").approx(-math.log(p))
    # A student called `staff` does not land among the keys; a roster name is shown inert.
    assert sorted(f.name for f in (out / "staff").iterdir()) == ["ada.yaml", "bo.yaml",
                                                                  "staff.yaml"]
    assert "\u202e" not in (out / "students" / "bo" / "problems.md").read_text("utf-8")


def test_a_blank_sheet_handed_in_by_another_student_is_reported(tmp_path, monkeypatch):
    monkeypatch.setenv("NNCHECK_SECRET", SECRET)
    bank = small_bank(tmp_path)
    out = handout(tmp_path, bank)
    copied = (out / "students" / "ada" / "answers.yaml").read_text("utf-8")
    sheet = tmp_path / "bo.yaml"
    sheet.write_text(copied.replace("id: ada", "id: bo").replace("a: null", "a: 1"),
                     encoding="utf-8")
    result = CliRunner().invoke(app, ["check", str(sheet), "-p", str(bank), "--format", "text"])
    assert result.exit_code == 2
    assert "check code does not match" in result.stderr
