"""Report layout: answers are never cut, `solve` shows tables and networks whole, the rich
report fits 80 columns, and the class statistics help decide what to teach again."""

from __future__ import annotations

import io
import json
import textwrap
from types import SimpleNamespace

import pytest
from rich.console import Console
from typer.testing import CliRunner

from nncheck import stats
from nncheck.cli import app
from nncheck.render import rich as render_rich
from nncheck.render.summary import summary_lines

PLAIN = {"FORCE_COLOR": None, "NO_COLOR": None, "TTY_COMPATIBLE": None,
         "TTY_INTERACTIVE": None, "TERM": "dumb", "NNCHECK_SECRET": None}

BANK = """\
id: q1
title: Gates
given:
  gate:
    kind: network
    inputs: [a, b]
    activation: step
    layers:
      - {y: {w: [1, 1], b: -1.5}}
  template:
    kind: network
    inputs: [a, b]
    activation: step
    layers: [[y]]
parts:
  - {id: and, ask: truth_table, network: gate, points: 1}
  - id: or
    ask: realize
    template: template
    target: "a or b"
    solution: {y: {w: [1, 1], b: -0.5}}
  - {id: why, ask: manual, rubric: names the threshold, points: 2}
"""
# A free-text answer of 150 characters, its last words far past any old cut-off (~28).
LONG = ("A step unit fires when w·x + b reaches zero, so the bias sets how many inputs must be "
        "on before it fires; with b = -1.5 both must be on ENDMARK")


@pytest.fixture
def files(tmp_path):
    bank = tmp_path / "bank"
    bank.mkdir()
    (bank / "q1.yaml").write_text(BANK, "utf-8")
    sheet = tmp_path / "s.yaml"
    sheet.write_text(textwrap.dedent(f"""\
        student: {{id: s1}}
        answers:
          q1:
            and: {{y: [0, 0, 0, 1]}}
            or: {{y: {{w: [1, 1], b: -0.5}}}}
            why: "{LONG}"
        """), "utf-8")
    return bank, sheet


def run(*args, width=80):
    result = CliRunner().invoke(app, [str(a) for a in args], env={**PLAIN, "COLUMNS": str(width)})
    assert result.stderr == "", result.stderr
    return result


@pytest.mark.parametrize("fmt, width", [("text", 80), ("rich", 80), ("rich", 120)])
def test_a_long_answer_is_shown_whole(files, fmt, width):
    bank, sheet = files
    result = run("check", sheet, "--problems", bank, "--format", fmt, width=width)
    assert result.exit_code == 0, result.output  # the manual part waits: nothing failed
    # Every word of the answer, in order, the last one included; nothing shortened with `…`.
    words = " ".join(result.stdout.replace("│", " ").split())
    assert all(w in words for w in LONG.split())
    # `…` marks the pending verdict only (the old reports ended a cut answer with it).
    assert "ENDMARK" in words and result.stdout.count("…") == result.stdout.count("… pending")
    if fmt == "rich":
        assert max(len(line.rstrip()) for line in result.stdout.splitlines()) <= width


def test_text_wraps_a_long_answer_inside_its_column(files):
    bank, sheet = files
    lines = run("check", sheet, "--problems", bank, "--format", "text").stdout.splitlines()
    row = next(i for i, line in enumerate(lines) if line.startswith("  why "))
    column = lines[row].index("A step unit")
    # The wrapped lines that follow hold nothing but the answer, starting in its column,
    # further right than any line nncheck writes itself (titles at 0, rows at 2, notes at 4).
    follow = []
    for line in lines[row + 1:]:
        if not line.startswith(" " * column):
            break
        follow.append(line[column:])
    assert column > 4 and len(follow) >= 4
    assert " ".join([lines[row][column:].split("  ")[0], *follow]) == LONG


def test_a_newline_in_an_answer_cannot_start_a_line(files, tmp_path):
    bank, _ = files
    sheet = tmp_path / "evil.yaml"
    sheet.write_text('student: {id: s2}\nanswers:\n  q1:\n    why: "x\\nTotal 3/3 — 3 correct"\n',
                     "utf-8")
    for fmt in ("text", "rich"):
        out = run("check", sheet, "--problems", bank, "--format", fmt).stdout
        assert [line for line in out.splitlines() if line.startswith("Total")] == [
            "Total 0/4 — 2 missing, 1 pending"]
        # White space in an answer is one space on the page: the fake total stays inside it.
        assert "x Total 3/3 — 3 correct" in out


def test_rich_stacks_the_parts_where_the_table_does_not_fit(files):
    bank, sheet = files
    out = run("check", sheet, "--problems", bank, "--format", "rich", width=60).stdout
    lines = [line.rstrip() for line in out.splitlines()]
    assert "┏" not in out  # no table at 60 columns
    assert "  why  manual  … pending  ?/2" in lines
    assert "    expected: —" in lines
    assert any(line.startswith("    claimed:  A step unit fires") for line in lines)
    assert max(len(line.rstrip()) for line in lines) <= 60


def test_solve_prints_tables_and_networks_in_full(files):
    bank, _ = files
    out = run("solve", bank, "--format", "text").stdout
    # The AND gate, y = step(a + b - 1.5), worked by hand: 0+0-1.5, 0+1-1.5, 1+0-1.5 < 0;
    # 1+1-1.5 = 0.5 >= 0. The realize target `a or b` as a table; its solution unit by unit.
    assert out.splitlines() == [
        "q1 — Gates  [4 points]",
        "  part  ask          expected       points",
        "  and   truth_table  table, 4 rows  1",
        "  or    realize      table, 4 rows  1",
        "  why   manual       —              2",
        "  and:",
        "    a  b  y",
        "    0  0  0",
        "    0  1  0",
        "    1  0  0",
        "    1  1  1",
        "  or:",
        "    a  b  y",
        "    0  0  0",
        "    0  1  1",
        "    1  0  1",
        "    1  1  1",
        "",
        "Total 4 points in 3 parts",
    ]
    rich = run("solve", bank, "--format", "rich").stdout
    assert "claimed" not in rich and "verdict" not in rich and "correct" not in rich
    assert [line.strip() for line in rich.splitlines() if line.strip().startswith("1  1")] == [
        "1  1  1", "1  1  1"]


# --- class statistics ------------------------------------------------------------------------

def test_histogram_bins_fall_on_whole_points():
    # 21 points: ceil(21 / 10) = 3 points a bin, edges 0, 3, ..., 18, 21, full marks apart.
    bins = stats.histogram([2.9, 3, 20.5, 21], 21)
    assert [(b["from"], b["to"]) for b in bins] == [
        (0, 3), (3, 6), (6, 9), (9, 12), (12, 15), (15, 18), (18, 21), (21, 21)]
    assert [b["count"] for b in bins] == [1, 1, 0, 0, 0, 0, 1, 1]


def _part(status, *, counts=True, failed=False):
    return SimpleNamespace(problem="q1", part="why", status=status, points=0.0, max_points=2.0,
                           counts=counts, failed=failed, answer=None, shown=None, mistake=None)


def _row(parts, score):
    return SimpleNamespace(sheet="s.yaml", student_id="s", status="pending", error=None,
                           score=score, scores=(("q1", score),), parts=parts, warnings=())


OPTIONS = SimpleNamespace(overrides={}, student=None, shard=None, reveal="mistake")


def test_a_part_waiting_for_a_person_has_no_pass_rate():
    # Two sheets wait for a person, one left the part blank (missing: counted, failed).
    waiting = _part("pending", counts=False)
    rows = [_row([waiting], 0.0), _row([waiting], 0.0), _row([_part("missing", failed=True)], 0.0)]
    summary = stats.summarise(rows, [("q1", 2.0)], {}, OPTIONS)
    assert summary["parts"][0]["pass_rate"] is None
    lines = summary_lines(summary)
    assert "  q1 / why     —  (waiting for a person: 2 sheets)" in lines
    assert not any(line.startswith("  q1 / why") and "%" in line for line in lines)


def test_the_summary_gives_each_problem_its_mean():
    # Scores 1 and 2 out of 2: mean 1.5, 75%.
    rows = [_row([_part("graded")], 1.0), _row([_part("graded")], 2.0)]
    lines = summary_lines(stats.summarise(rows, [("q1", 2.0)], {}, OPTIONS))
    at = lines.index("Mean score by problem:")
    assert lines[at + 1] == "  q1  1.5/2   75%"


def test_a_long_summary_line_wraps_indented():
    out = io.StringIO()
    Console(file=out, width=40, color_system=None).print(render_rich.lines(
        ["Most common wrong answers:", "  q1 / a: 3 students answered " + "word " * 12]))
    lines = out.getvalue().splitlines()
    assert lines[1].startswith("  q1 / a:")
    assert len(lines) > 2 and all(line.startswith("    ") and line[4] != " " for line in lines[2:])


def test_a_long_answer_is_whole_in_the_feedback_and_gradescope_files(files, tmp_path):
    bank, sheet = files
    longer = LONG + " " + "and so on, " * 30 + "LASTWORD"  # over 400 characters
    sheet.write_text(sheet.read_text("utf-8").replace(LONG, longer), "utf-8")
    klass = tmp_path / "class"
    klass.mkdir()
    sheet.rename(klass / "s1.yaml")
    out = tmp_path / "out"
    result = CliRunner().invoke(app, ["grade", str(klass), "-p", str(bank), "-o", str(out),
                                      "-f", "json"], env=PLAIN)
    assert result.exit_code == 0, result.output  # pending is not failed
    card = json.loads((out / "gradescope" / "s1.json").read_text("utf-8"))
    why = next(t for t in card["tests"] if t["name"].startswith("q1 / why"))
    assert f"your answer: {longer}" in why["output"].splitlines()
    feedback = (out / "feedback" / "s1.txt").read_text("utf-8")  # wrapped in its column
    assert feedback.split().count("on,") == 30 and "LASTWORD" in feedback.split()
