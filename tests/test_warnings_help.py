"""Warnings a class run must not hide, and the help and completion of the command line."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
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


# --- help and completion -------------------------------------------------------------------------

COMMANDS = ("check", "solve", "grade", "gradescope", "merge", "review", "validate", "schema")


def test_top_level_help_lists_every_command_uncut_at_80_columns():
    result = CliRunner().invoke(app, ["--help"], env={"COLUMNS": "80"})
    assert result.exit_code == 0
    listing = result.stdout.split("Commands:\n", 1)[1].splitlines()
    # click cuts a description that does not fit to `...`; each must fit whole, on one line.
    assert listing == [
        "  check       Grade answer sheets: a pass/fail diff of every part.",
        "  solve       Print the true answers; write an answer key or a blank sheet.",
        "  grade       Grade a whole class; write the gradebook and statistics.",
        "  gradescope  Grade one Gradescope submission; write its autograder.",
        "  merge       Merge the reports of `grade --shard K/N` into one.",
        "  review      Group a class's answers to score each group once (groups.yaml).",
        "  validate    Check problem files and sheets without grading.",
        "  schema      Print the JSON Schema of problem files or sheets.",
        "  variants    Write each student's own problems, blank sheet and key.",
    ]


def command_options(name: str) -> set[str]:
    import typer.main

    command = typer.main.get_command(app).commands[name]  # type: ignore[attr-defined]
    return {opt for param in command.params for opt in param.opts}


@pytest.mark.parametrize("name", COMMANDS)
def test_every_command_help_ends_with_examples_that_use_its_own_options(name):
    result = CliRunner().invoke(app, [name, "--help"], env={"COLUMNS": "80"})
    assert result.exit_code == 0
    text = result.stdout.split("\n  Examples:\n\n", 1)[1]
    examples = [line.strip() for line in text.splitlines() if line.strip()]
    assert len(examples) >= 2
    for example in examples:
        assert example.startswith(f"nncheck {name} "), example
        used = {word.split("=")[0] for word in example.split() if word.startswith("-")}
        assert used <= command_options(name), example
    assert max(map(len, text.splitlines())) <= 80  # kept as written, and fits a terminal


def nncheck(*args: str, **env: str) -> subprocess.CompletedProcess[str]:
    """`python -m nncheck ARGS` in a fresh interpreter, with extra environment variables."""
    return subprocess.run([sys.executable, "-m", "nncheck", *args], capture_output=True,
                          text=True, timeout=120, env={**os.environ, **env})


# The line of each shell's script that registers the completion of `nncheck` (bash's
# `complete -F`, zsh's `#compdef` tag, fish's `complete --command`).
SCRIPTS = {
    "bash": "complete -o default -F _nncheck_completion nncheck",
    "zsh": "#compdef nncheck",
    "fish": "complete --command nncheck --no-files",
}


@pytest.mark.parametrize("shell", sorted(SCRIPTS))
def test_show_completion_prints_the_script_of_each_shell(shell):
    # Without detection the option takes the shell's name, as on a machine where the shell
    # cannot be found from the process tree.
    done = nncheck("--show-completion", shell, _TYPER_COMPLETE_TEST_DISABLE_SHELL_DETECTION="1")
    assert done.returncode == 0, done.stderr
    assert SCRIPTS[shell] in done.stdout
    assert "_NNCHECK_COMPLETE=complete_" + shell in done.stdout


def test_help_offers_install_and_show_completion():
    result = CliRunner().invoke(app, ["--help"])
    assert "--install-completion" in result.stdout
    assert "--show-completion" in result.stdout


def test_bash_completes_commands_and_fish_completes_choices():
    done = nncheck(_NNCHECK_COMPLETE="complete_bash", COMP_WORDS="nncheck va", COMP_CWORD="1")
    assert done.stdout.split() == ["validate", "variants"]
    done = nncheck(_NNCHECK_COMPLETE="complete_fish", _TYPER_COMPLETE_FISH_ACTION="get-args",
                   _TYPER_COMPLETE_ARGS="nncheck check --format ")
    assert done.stdout.split() == ["auto", "rich", "text", "json"]


def test_zsh_completion_shows_help_without_importing_rich_or_numpy():
    done = subprocess.run(
        [sys.executable, "-X", "importtime", "-m", "nncheck"], capture_output=True, text=True,
        timeout=120, env={**os.environ, "_NNCHECK_COMPLETE": "complete_zsh",
                          "_TYPER_COMPLETE_ARGS": "nncheck gr"})
    assert done.stdout.strip() == (
        "_arguments '*: :((\"grade\":\"Grade a whole class; write the gradebook and "
        "statistics.\"\n\"gradescope\":\"Grade one Gradescope submission; write its "
        "autograder.\"))'")
    imported = {line.rsplit("|", 1)[1].strip() for line in done.stderr.splitlines()
                if line.startswith("import time:") and "|" in line}
    assert "nncheck.cli" in imported  # the list was read
    assert not {name for name in imported if name.split(".")[0] in ("rich", "numpy")}
