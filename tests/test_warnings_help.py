"""Warnings a class run must not hide, and the help and completion of the command line."""

from __future__ import annotations

import json
from pathlib import Path

from typer.testing import CliRunner

from nncheck.cli import app

# Two choice parts: a sheet that answers them is graded without any numerics.
BANK = """\
id: q1-exactly-two
title: Exactly two
parts:
  - {id: design, ask: choice, options: [A, B], key: A}
  - {id: total, ask: choice, options: [A, B], key: B}
"""


def sheet(sid: str, answers: str) -> str:
    return f'student: {{id: "{sid}"}}\nanswers:\n  q1-exactly-two: {answers}\n'


def grade(tmp_path: Path, sheets: dict[str, str], *extra: str) -> tuple[int, list[str], dict]:
    """Grade a class of sheets (file stem -> text) in text format; the exit code, the
    terminal summary's lines and summary.json."""
    bank = tmp_path / "bank"
    bank.mkdir()
    (bank / "q1.yaml").write_text(BANK, encoding="utf-8")
    klass = tmp_path / "class"
    klass.mkdir()
    for stem, text in sheets.items():
        (klass / f"{stem}.yaml").write_text(text, encoding="utf-8")
    out = tmp_path / "out"
    result = CliRunner().invoke(app, ["grade", str(klass), "-p", str(bank), "-o", str(out),
                                      "--format", "text", "--jobs", "1", *extra])
    summary = json.loads((out / "summary.json").read_text("utf-8"))
    return result.exit_code, result.stdout.splitlines(), summary


RIGHT = "{design: A, total: B}"
TYPO = "{desing: A, total: B}"  # `design` misspelt: dropped, so the part is missing


def test_grade_summary_groups_unknown_part_ids_with_a_suggestion(tmp_path):
    sheets = {f"s{k:02}": sheet(f"s{k:02}", TYPO if k in (1, 4, 9) else RIGHT)
              for k in range(1, 10)}
    code, lines, summary = grade(tmp_path, sheets)
    assert code == 1  # three sheets miss `design`
    # One line for the three sheets, in report order, with difflib's closest known id.
    want = ("  `q1-exactly-two`: answers to unknown part `desing` (did you mean `design`?) "
            "in 3 sheets: s01, s04, s09")
    assert want in lines
    assert lines[lines.index(want) - 1] == "Not graded (ids the problems do not have):"
    assert summary["unknown_ids"] == {"groups": [
        {"what": "answer", "problem": "q1-exactly-two", "part": "desing",
         "suggestion": "design", "count": 3, "sheets": ["s01", "s04", "s09"]}], "more": 0}


def test_grade_summary_shows_unknown_problems_and_override_ids(tmp_path):
    sheets = {"s1": sheet("s1", RIGHT) + "  q9: {a: 1}\n", "s2": sheet("s2", RIGHT)}
    overrides = tmp_path / "overrides.yaml"
    overrides.write_text("s1: {q1-exactly-two: {totl: {points: 1}}}\n"
                         "s2: {q1-exactly-two: {totl: {points: 1}}}\n", encoding="utf-8")
    code, lines, _ = grade(tmp_path, sheets, "--overrides", str(overrides))
    assert code == 0
    assert "  answers to unknown problem `q9` in 1 sheet: s1" in lines
    assert ("  `q1-exactly-two`: overrides to unknown part `totl` (did you mean `total`?) "
            "for 2 students: s1, s2") in lines


def test_grade_summary_of_unknown_ids_is_bounded(tmp_path):
    # Eight sheets share one typo: five are named, the rest counted.
    sheets = {f"s{k}": sheet(f"s{k}", TYPO) for k in range(1, 9)}
    # One sheet answers twelve parts that do not exist: ten lines, then a count.
    sheets["x"] = sheet("x", "{" + ", ".join(f"zz{k:02}: 1" for k in range(12)) + "}")
    _, lines, summary = grade(tmp_path, sheets)
    start = lines.index("Not graded (ids the problems do not have):")
    shown = lines[start + 1:lines.index("", start)]
    assert shown[0] == ("  `q1-exactly-two`: answers to unknown part `desing` (did you mean "
                        "`design`?) in 8 sheets: s1, s2, s3, s4, s5, … (3 more)")
    assert len(shown) == 1 + 10  # the title line is before; 10 groups, then the rest counted
    assert lines[start + 11] == "  … and 3 more in summary.json"
    assert len(summary["unknown_ids"]["groups"]) == 13


def test_grade_summary_shows_student_ids_inert_and_clipped(tmp_path):
    long_id = "p" * 100
    sheets = {"s1": sheet("s1\\e]0;pwned\\a", "{" + long_id + ": A}"),
              "s2": sheet("s2", '{"\\e[2Jdesign": A}')}
    _, lines, _ = grade(tmp_path, sheets)
    text = "\n".join(lines)
    assert "\x1b" not in text and "\x07" not in text
    assert ("  `q1-exactly-two`: answers to unknown part `\\x1b[2Jdesign` (did you mean "
            "`design`?) in 1 sheet: s2") in lines
    # 40 characters at most: 39 of the id and an ellipsis.
    assert (f"  `q1-exactly-two`: answers to unknown part `{'p' * 39}…` in 1 sheet: "
            "s1\\x1b]0;pwned\\x07") in lines
