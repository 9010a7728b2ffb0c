"""How far off: every numeric miss says its relative error (near zero, its absolute error)
beside the tolerance, and JSON carries it as `error: {relative, absolute}`.

Figures are worked out by hand: relative = |got - expected| / |expected|, shown as a
percentage to two significant figures (more only where it would read as the tolerance).
"""

from __future__ import annotations

import json

import numpy as np
import pytest
from typer.testing import CliRunner

from conftest import make_problem
from nncheck.cli import app
from nncheck.compare.numeric import NumericTruth, scalar_truth
from nncheck.compare.tolerance import Tolerance
from nncheck.compare.verdict import Status
from nncheck.grading import Bank, LoadedProblem, grade_sheet


def test_a_rounded_too_early_answer_is_told_how_far_off():
    # |0.0013 - 0.00133679| / 0.00133679 = 0.00003679 / 0.00133679 = 0.02752: 2.8 %.
    verdict = scalar_truth(0.00133679).grade(0.0013)
    assert verdict.status is Status.WRONG
    assert verdict.message == "expected 0.00133679, got 0.0013: 2.8 % off, tolerance 1 %"
    assert verdict.error is not None
    assert verdict.error["relative"] == pytest.approx(0.00003679 / 0.00133679)
    assert verdict.error["absolute"] == pytest.approx(0.00003679)


def test_a_figure_that_would_read_as_the_tolerance_gets_more_digits():
    # |101.04 - 100| / 100 = 1.04 %: "1 %" beside "tolerance 1 %" would say nothing.
    verdict = scalar_truth(100.0).grade(101.04)
    assert verdict.message == "expected 100, got 101.04: 1.04 % off, tolerance 1 %"


def test_near_zero_the_absolute_error_is_said():
    # A truth of 0 has no relative error: 0.003 is 0.003 off, beside the floor 0.001.
    verdict = scalar_truth(0.0, tolerance=Tolerance(rel=0.01, abs=0.001)).grade(0.003)
    assert verdict.message == "expected 0, got 0.003: off by 0.003, tolerance 0.001"
    assert verdict.error == {"relative": None, "absolute": pytest.approx(0.003)}


def test_a_vector_names_its_worst_element():
    # b: |2.5 - 2| / 2 = 25 %, out; c: |3.03 - 3| = 0.03 <= 1 % of 3, in. The worst is b.
    truth = NumericTruth(expected=[1, 2, 3], values=np.array([[1.0, 2.0, 3.0]]), vector=True,
                         labels=["a", "b", "c"])
    verdict = truth.grade([1, 2.5, 3.03])
    assert verdict.message == ("expected [1, 2, 3], got [1, 2.5, 3.03] (differs at b): "
                               "25 % off at b, tolerance 1 %")
    assert verdict.error == {"relative": pytest.approx(0.25), "absolute": pytest.approx(0.5)}


def test_a_count_is_off_by_a_number():
    # 210 parameters, 200 claimed: off by 10, 10 / 210 = 4.76 %: 4.8 %.
    verdict = scalar_truth(210, exact=True).grade(200)
    assert verdict.message == "expected 210, got 200: off by 10 (4.8 %)"


def test_significant_figures_are_named_as_the_tolerance():
    # 1.203 against 1.20397 at 4 figures: |1.203 - 1.20397| / 1.20397 = 0.00081 -> 0.081 %.
    verdict = scalar_truth(1.20397, tolerance=Tolerance(sigfigs=4)).grade(1.203)
    assert verdict.message == ("expected 1.20397, got 1.203: 0.081 % off, "
                               "tolerance 4 significant figures")


def test_json_carries_the_error_of_a_miss_and_null_otherwise(tmp_path):
    bank = tmp_path / "bank"
    bank.mkdir()
    (bank / "p.yaml").write_text(
        'id: p\nparts:\n  - {id: r, ask: formula, reference: "0.00133679"}\n'
        '  - {id: s, ask: formula, reference: "2"}\n', encoding="utf-8")
    sheet = tmp_path / "s.yaml"
    sheet.write_text("student: {id: s1}\nanswers:\n  p:\n    r: 0.0013\n    s: 2\n",
                     encoding="utf-8")
    result = CliRunner().invoke(app, ["check", str(sheet), "-p", str(bank), "--format", "json"])
    assert result.exit_code == 1, result.output
    parts = {p["id"]: p for p in json.loads(result.stdout)["problems"][0]["parts"]}
    assert parts["r"]["error"] == {"relative": pytest.approx(0.00003679 / 0.00133679),
                                   "absolute": pytest.approx(0.00003679)}
    assert parts["r"]["message"] == "expected 0.00133679, got 0.0013: 2.8 % off, tolerance 1 %"
    assert parts["s"]["status"] == "correct" and parts["s"]["error"] is None


def test_a_formula_miss_is_told_how_far_off_at_the_point_shown():
    # 10n + 10 asked, 11n answered: at n = 1, 20 against 11: off by 9, 9 / 20 = 45 %.
    model = {"kind": "model", "input": ["n"], "layers": [{"dense": 10}],
             "symbols": {"n": {"integer": [1, 1]}}}
    problem = make_problem({"id": "p", "given": {"m": model},
                            "parts": [{"id": "a", "ask": "param_count", "model": "m"}]})
    bank = Bank({"p": LoadedProblem(problem, "p.yaml")})
    part = grade_sheet(bank, {"p": {"a": "11n"}}).problems[0].parts[0]
    assert part.status is Status.WRONG
    assert part.message is not None and part.message.endswith(
        "expected 20, got 11: off by 9 (45 %)")
