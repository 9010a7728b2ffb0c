"""Answers that must not earn marks without the work, truths that must be the true value, and
messages that must say what happened: a truth-table hint over a few rows, slips shown to
students, a loss whose sum overflows, Adam's 0/0, `grade --update` with other options."""

from __future__ import annotations

import json
import textwrap
from pathlib import Path
from typing import Any

from typer.testing import CliRunner

from nncheck.cli import app


def write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(textwrap.dedent(text).lstrip("\n"), encoding="utf-8")
    return path


def check_json(tmp_path: Path, problem: str, answer: str) -> dict[str, Any]:
    """The one part's JSON result of `nncheck check` of a sheet answering problem `p`."""
    write(tmp_path / "probs" / "p.yaml", problem)
    sheet = write(tmp_path / "s.yaml", f"""
        student: {{id: s1, name: S}}
        answers:
          p:
            {answer}
        """)
    result = CliRunner().invoke(app, ["check", str(sheet), "--problems", str(tmp_path / "probs"),
                                      "--format", "json"])
    assert result.exit_code in (0, 1), result.output
    parts = json.loads(result.stdout)["problems"][0]["parts"]
    assert len(parts) == 1
    return dict(parts[0])


# --- 1. a truth-table hint pays only for an answer that gives the hint's rows ------------------

# By hand: n1 = step(m1 + m2 + m3 - 1.5) is on with two or more inputs on (rows 011 101 110 111),
# n2 = step(m1 + m2 + m3 - 2.5) only at 111, Y = step(n1 - n2 - 1) is on where n1 is on and n2
# off (step(0) is 1): 0001 0110. The hint "Y is n1" is Y = 0001 0111.
TABLE = """
    id: p
    given: {{net: {{kind: network, inputs: [m1, m2, m3], activation: step,
      layers: [{{n1: {{w: [1,1,1], b: -1.5}}, n2: {{w: [1,1,1], b: -2.5}}}},
               {{Y: {{w: [1,-1], b: -1}}}}]}}}}
    parts: [{{id: c, ask: truth_table, network: net, columns: [n1, n2, Y]{rows},
      hints: [{{answer: {hint}, say: "Y is n1", credit: 0.5}}]}}]
    """
Y_IS_N1 = '{Y: "0001 0111"}'
# The whole table with Y = n1: the hint's table.
WHOLE_HINT = ("{columns: [m1,m2,m3,n1,n2,Y], rows: [[0,0,0,0,0,0],[0,0,1,0,0,0],[0,1,0,0,0,0],"
              "[0,1,1,1,0,1],[1,0,0,0,0,0],[1,0,1,1,0,1],[1,1,0,1,0,1],[1,1,1,1,1,1]]}")


def table_part(tmp_path: Path, answer: str, hint: str = Y_IS_N1, rows: str = "") -> dict[str, Any]:
    return check_json(tmp_path, TABLE.format(rows=rows, hint=hint), f"c: {answer}")


def test_table_hint_gives_no_credit_to_one_row_of_eight(tmp_path):
    # Row 111 alone, Y = 1 as the hint says there: 7 of the hint's 8 rows are not given.
    part = table_part(tmp_path, "{columns: [m1,m2,m3,n1,n2,Y], rows: [[1,1,1,0,0,1]]}")
    assert (part["status"], part["points"], part["mistakes"]) == ("wrong", 0.0, [])


def test_table_hint_gives_no_credit_to_one_row_in_pattern_form(tmp_path):
    part = table_part(tmp_path, '{n1: {"111": off}, n2: {"111": off}, Y: {"111": on}}')
    assert (part["status"], part["points"], part["mistakes"]) == ("wrong", 0.0, [])


def test_whole_table_hint_gives_no_credit_to_one_row(tmp_path):
    part = table_part(tmp_path, "{columns: [m1,m2,m3,n1,n2,Y], rows: [[1,1,1,1,1,1]]}",
                      hint=WHOLE_HINT)
    assert (part["status"], part["points"], part["mistakes"]) == ("wrong", 0.0, [])


def test_table_hint_still_pays_the_whole_matching_table(tmp_path):
    # Every row given, Y = n1: the hint's credit, 0.5 of 1 point.
    part = table_part(tmp_path, WHOLE_HINT)
    assert (part["status"], part["points"], part["mistakes"]) == ("wrong", 0.5, ["Y is n1"])


def test_listed_table_hint_needs_the_required_rows(tmp_path):
    # rows: listed requires every row where Y is on (011 101 110); 111 alone leaves them out.
    part = table_part(tmp_path, "{columns: [m1,m2,m3,n1,n2,Y], rows: [[1,1,1,1,1,1]]}",
                      rows=", rows: listed")
    assert (part["status"], part["points"], part["mistakes"]) == ("wrong", 0.0, [])


def test_listed_table_hint_pays_when_the_required_rows_are_given(tmp_path):
    part = table_part(tmp_path, "{columns: [m1,m2,m3,n1,n2,Y], rows: [[0,1,1,1,0,1],"
                      "[1,0,1,1,0,1],[1,1,0,1,0,1],[1,1,1,1,1,1]]}", rows=", rows: listed")
    assert (part["status"], part["points"], part["mistakes"]) == ("wrong", 0.5, ["Y is n1"])
