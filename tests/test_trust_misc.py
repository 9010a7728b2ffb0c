"""Answers that must not earn marks without the work, truths that must be the true value, and
messages that must say what happened: a truth-table hint over a few rows, slips shown to
students, a loss whose sum overflows, Adam's 0/0, `grade --update` with other options."""

from __future__ import annotations

import json
import textwrap
from pathlib import Path
from typing import Any

import pytest
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


# --- 2. automatic slips are named to students only where the truth is shown --------------------

# By hand: cross-entropy of y_true [0, 0, 1, 0] against y_pred [..., 0.3, ...] is -ln(0.3) =
# 1.2039728. Its negation, -1.20397, is the slip "sign flipped"; 12.0397 is "off by a power of
# ten (×10)": both are the truth itself, transformed. -log10(0.3) = 0.5228787 is the loss's own
# catalogue mistake "log base 10 instead of e", which says nothing of the truth's digits.
LOSS = """
    id: q1
    parts:
      - {id: a, ask: loss, fn: cross_entropy, y_true: [0, 0, 1, 0], y_pred: [0.25, 0.25, 0.3, 0.2]}
    """
SLIPS = {"-1.20397": "sign flipped", "12.0397": "off by a power of ten (×10)"}


def grade_one(tmp_path: Path, answer: str, reveal: str) -> tuple[str, str, dict[str, Any]]:
    """feedback/s1.txt, gradescope/s1.json and the line of results.jsonl of a class of one."""
    bank = write(tmp_path / "bank" / "q1.yaml", LOSS).parent
    klass = write(tmp_path / "class" / "s1.yaml", f"""
        student: {{id: s1, name: S}}
        answers:
          q1: {{a: {answer}}}
        """).parent
    out = tmp_path / f"out-{reveal}"
    result = CliRunner().invoke(app, ["grade", str(klass), "-p", str(bank), "-o", str(out),
                                      "--reveal", reveal])
    assert result.exit_code == 1, result.output
    (line,) = (out / "results.jsonl").read_text("utf-8").splitlines()
    return ((out / "feedback" / "s1.txt").read_text("utf-8"),
            (out / "gradescope" / "s1.json").read_text("utf-8"), json.loads(line))


def test_a_slip_is_not_named_to_students_at_reveal_mistake(tmp_path):
    for answer, slip in SLIPS.items():
        feedback, scorecard, staff = grade_one(tmp_path / answer, answer, "mistake")
        assert slip not in feedback and slip not in scorecard
        assert "does not match the expected answer" in feedback
        (part,) = json.loads(scorecard)["tests"]
        assert part["tags"] == ["loss"] and part["extra_data"]["mistake"] is None
        # Staff keep it: results.jsonl names the slip.
        assert staff["problems"][0]["parts"][0]["mistakes"] == [slip]


def test_a_slip_is_named_to_students_at_reveal_expected(tmp_path):
    feedback, scorecard, _ = grade_one(tmp_path, "-1.20397", "expected")
    assert "known mistake: sign flipped" in feedback
    (part,) = json.loads(scorecard)["tests"]
    assert part["tags"] == ["loss", "sign flipped"]


def test_a_catalogue_mistake_is_still_named_at_reveal_mistake(tmp_path):
    feedback, scorecard, _ = grade_one(tmp_path, "0.5229", "mistake")
    assert "known mistake: log base 10 instead of e" in feedback
    assert json.loads(scorecard)["tests"][0]["tags"] == ["loss", "log base 10 instead of e"]


def test_gradescope_names_no_slip_at_reveal_mistake(tmp_path):
    bank = write(tmp_path / "bank" / "q1.yaml", LOSS).parent
    root = tmp_path / "autograder"
    write(root / "submission" / "answers.yaml", """
        student: {id: s1, name: S}
        answers:
          q1: {a: -1.20397}
        """)
    (root / "results").mkdir()
    result = CliRunner().invoke(app, ["gradescope", "-p", str(bank), "--root", str(root)])
    assert result.exit_code == 0, result.output
    doc = json.loads((root / "results" / "results.json").read_text("utf-8"))
    part = doc["tests"][-1]
    assert part["extra_data"]["part"] == "a"
    assert "sign flipped" not in json.dumps(doc, ensure_ascii=False)
    assert part["tags"] == ["loss"] and part["extra_data"]["mistake"] is None


def test_check_names_the_slip(tmp_path):
    write(tmp_path / "probs" / "q1.yaml", LOSS)
    sheet = write(tmp_path / "s.yaml", """
        student: {id: s1, name: S}
        answers:
          q1: {a: -1.20397}
        """)
    result = CliRunner().invoke(app, ["check", str(sheet), "--problems", str(tmp_path / "probs"),
                                      "--format", "text"])
    assert result.exit_code == 1
    assert "known mistake: sign flipped" in result.stdout


# --- 3. a loss whose sum overflows has its true, finite value ----------------------------------

def loss_part(tmp_path: Path, spec: str, answer: str) -> dict[str, Any]:
    return check_json(tmp_path, f"""
        id: p
        parts:
          - {{id: a, ask: loss, {spec}}}
        """, f"a: {answer}")


def test_mae_of_two_huge_errors_is_their_mean_not_inf(tmp_path):
    # By hand: |0 - 1e308| = |0 + 1e308| = 1e308; their mean is 1e308 (their sum, 2e308, is
    # beyond float64's largest 1.797e308, which is no reason for the mean to be).
    spec = "fn: mae, y_true: [0, 0], y_pred: [1e308, -1e308]"
    part = loss_part(tmp_path / "right", spec, "1e308")
    assert (part["status"], part["expected"]) == ("correct", 1e308)
    assert loss_part(tmp_path / "inf", spec, "inf")["status"] != "correct"


def test_mean_over_a_batch_of_huge_losses_is_finite(tmp_path):
    # By hand: two samples, each mse (1e154 - 0)² = 1e308; the batch mean is 1e308.
    spec = "fn: mse, y_true: [[0], [0]], y_pred: [[1e154], [-1e154]]"
    part = loss_part(tmp_path, spec, "1e308")
    assert part["status"] == "correct"
    assert part["expected"] == pytest.approx(1e308, rel=1e-12)


def test_a_loss_beyond_the_float_range_is_refused(tmp_path):
    # By hand: (1e200)² / 2 = 5e399, beyond float64 (1.797e308): no finite truth exists.
    path = write(tmp_path / "p.yaml", """
        id: p
        parts:
          - {id: a, ask: loss, fn: mse, y_true: [0, 0], y_pred: [1e200, 1]}
        """)
    result = CliRunner().invoke(app, ["validate", "--solve", str(path)])
    assert result.exit_code == 2, result.output
    assert result.stderr == (f"error: {path}:3:5: part `a`: the mse loss overflows: it is beyond "
                             "the largest float (about 1.79769e+308) — values whose loss is a "
                             "finite float\n")


# --- 4. messages that say what happened --------------------------------------------------------

def validate_error(tmp_path: Path, text: str) -> str:
    path = write(tmp_path / "p.yaml", text)
    result = CliRunner().invoke(app, ["validate", "--solve", str(path)])
    assert result.exit_code == 2, result.output
    prefix = f"error: {path}:"
    assert result.stderr.startswith(prefix) and result.stderr.count("\n") == 1, result.stderr
    return result.stderr[len(prefix):].rstrip("\n")


# By hand (PyTorch's Adam, eps 0): at step 1 with g = 0, m = (1 - β1)·0 = 0 and
# v = (1 - β2)·0² = 0, so the step m̂ / (√v̂ + 0) is 0/0; Adagrad's g / √(Σg²) likewise.
def test_adam_with_eps_zero_and_a_zero_gradient_says_zero_over_zero(tmp_path):
    assert validate_error(tmp_path, """
        id: p
        parts:
          - {id: a, ask: optimizer_step, optimizer: adam, lr: 0.1, eps: 0,
             params: {w1: 1, w2: 2}, grads: [[0, 1]], steps: 1}
        """) == ("3:5: part `a`: the step of `w1` is 0/0, not a number (eps is 0, and a gradient "
                 "of 0 leaves both the step's numerator and √v at 0) — an eps above 0 (PyTorch's "
                 "default is 1e-8), or gradients that are not 0")


def test_adagrad_with_eps_zero_and_a_zero_gradient_says_zero_over_zero(tmp_path):
    message = validate_error(tmp_path, """
        id: p
        parts:
          - {id: a, ask: optimizer_step, optimizer: adagrad, lr: 0.1, eps: 0,
             params: {w1: 1, w2: 2}, grads: [[1, 0], [1, 0]], steps: 2}
        """)
    assert message.startswith("3:5: part `a`: the step of `w2` is 0/0, not a number")
    assert "overflow" not in message
