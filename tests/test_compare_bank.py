"""The bank's caches: truths solved once per part, verdicts remembered per distinct answer."""

from __future__ import annotations

import math
import subprocess
import sys
from typing import Any

import numpy as np
import pytest

from conftest import make_problem
from nncheck import solvers
from nncheck.compare.numeric import NumericTruth
from nncheck.compare.truths import CustomTruth, ManualTruth
from nncheck.compare.verdict import Status, Truth, Verdict, correct
from nncheck.errors import ProblemError
from nncheck.grading import Bank, LoadedProblem, grade_sheet
from nncheck.spec.common import Hint

LOSS = {"id": "ce", "given": {"y": [0, 0, 1, 0]}, "parts": [
    {"id": "a", "ask": "loss", "fn": "cross_entropy", "y_true": "y",
     "y_pred": [0.25, 0.25, 0.3, 0.2], "points": 2},
]}

# A design part, and a table graded against the student's own design (error carried forward).
DESIGN = {
    "id": "q1",
    "given": {"t": {"kind": "network", "inputs": ["a", "b"], "activation": "step",
                    "layers": [["y"]]}},
    "parts": [
        {"id": "design", "ask": "realize", "template": "t", "target": "a and b",
         "solution": {"y": {"w": [1, 1], "b": -1.5}}},
        {"id": "table", "ask": "truth_table", "network": "answer.design"},
    ],
}
OR_UNIT = {"y": {"w": [1, 1], "b": -0.5}}  # fires when a + b > 0.5: table 0, 1, 1, 1
AND_UNIT = {"y": {"w": [1, 1], "b": -1.5}}  # fires when a + b > 1.5: table 0, 0, 0, 1


def make_bank(*problems: dict[str, Any], memo: bool = False) -> Bank:
    loaded = [make_problem(p) for p in problems]
    return Bank({str(p.id): LoadedProblem(p, f"{p.id}.yaml") for p in loaded}, memo=memo)


class Counting:
    """A truth that counts the claims it grades, and otherwise is the truth it wraps."""

    def __init__(self, truth: Truth) -> None:
        self.truth = truth
        self.graded: list[Any] = []

    @property
    def expected(self) -> Any:
        return self.truth.expected

    def grade(self, claimed: Any) -> Verdict:
        self.graded.append(claimed)
        return self.truth.grade(claimed)

    def key(self) -> Any:
        return self.truth.key()

    def with_hints(self, hints: Any) -> Truth:
        return self.truth.with_hints(hints)


def test_solving_the_bank_fills_its_public_truth_cache():
    bank = make_bank(LOSS, DESIGN)
    bank.solve_all()
    # The table reads each sheet's own design: it has no truth of its own to cache.
    assert set(bank.truths) == {("ce", "a"), ("q1", "design")}
    # Cross-entropy of a one-hot target is -ln of the true class's prediction: -ln 0.3.
    assert bank.truths[("ce", "a")].expected == pytest.approx(-math.log(0.3), rel=1e-12)


@pytest.mark.parametrize(("memo", "graded"), [
    pytest.param(True, ["-log(0.3)", 1.2], id="memo-once-per-distinct-claim"),
    pytest.param(False, ["-log(0.3)", "-log(0.3)", 1.2], id="no-memo-every-claim"),
])
def test_a_memo_grades_each_distinct_claim_once(memo, graded):
    bank = make_bank(LOSS, memo=memo)
    bank.solve_all()
    counting = Counting(bank.truths[("ce", "a")])
    bank.truths[("ce", "a")] = counting
    statuses = [grade_sheet(bank, {"ce": {"a": claim}}).problems[0].parts[0].status
                for claim in ("-log(0.3)", "-log(0.3)", 1.2)]
    # -ln 0.3 = 1.20397...; 1.2 is 0.33 % off, within the default 1 %.
    assert statuses == [Status.CORRECT] * 3
    assert counting.graded == graded


@pytest.mark.parametrize(("memo", "solved"), [
    pytest.param(True, 2, id="memo-once-per-distinct-design"),
    pytest.param(False, 3, id="no-memo-once-per-sheet"),
])
def test_a_truth_built_on_a_sheets_answers_is_solved_once_per_distinct_answers(
    monkeypatch, memo, solved
):
    calls: list[str] = []
    solve = solvers.solve

    def counting_solve(part: Any, ctx: Any) -> Truth:
        calls.append(part.id)
        return solve(part, ctx)

    monkeypatch.setattr(solvers, "solve", counting_solve)
    bank = make_bank(DESIGN, memo=memo)
    sheets = [{"design": OR_UNIT, "table": {"y": "0111"}},
              {"design": OR_UNIT, "table": {"y": "0111"}},
              {"design": AND_UNIT, "table": {"y": "0001"}}]
    for answers in sheets:
        table = grade_sheet(bank, {"q1": answers}).problems[0].parts[1]
        assert table.status is Status.CORRECT  # each table is its own design's
    assert calls.count("table") == solved
    assert calls.count("design") == 1  # the design's truth is the same for every sheet


HINT = Hint.model_validate({"answer": "1", "say": "a named slip", "credit": 0.5})
NO_HINT_TRUTHS = [
    pytest.param(ManualTruth(expected=None), id="manual"),
    pytest.param(CustomTruth(expected=1, grader=lambda claimed: correct()), id="custom"),
]


@pytest.mark.parametrize("truth", NO_HINT_TRUTHS)
def test_a_truth_whose_ask_takes_no_hints_refuses_them(truth):
    assert truth.with_hints([]) is truth
    with pytest.raises(ProblemError, match=r"^`hints` work only on parts with a numeric answer$"):
        truth.with_hints([HINT])


def test_a_hint_on_a_numeric_truth_is_a_known_answer_with_its_credit():
    truth = NumericTruth(expected=2, values=np.array([2.0]))
    hinted = truth.with_hints([HINT])
    verdict = hinted.grade("1")
    assert (verdict.status, verdict.fraction, verdict.mistakes) == \
        (Status.WRONG, 0.5, ("a named slip",))
    assert truth.grade("1").mistakes == ()  # the truth hinted is a new one


def test_every_ask_of_the_registry_names_a_solver():
    for ask in solvers.SOLVERS:
        found = solvers.solver(ask)
        assert callable(found), ask
        assert found.__module__.startswith("nncheck.solvers."), ask


def test_verdicts_the_bank_and_the_seeding_load_without_numpy():
    code = ("import sys, nncheck.compare.verdict, nncheck.compare.memo, nncheck.grading, "
            "nncheck.solvers.seeding; print(sorted(m for m in sys.modules if m == 'numpy'))")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          timeout=120, check=True)
    assert done.stdout == "[]\n"
