"""Grading a sheet against a bank: statuses, points, overrides, hints, tolerance, carry-forward."""

from __future__ import annotations

import json

import pytest
from typer.testing import CliRunner

from conftest import SEED, make_problem
from nncheck.cli import app
from nncheck.compare.verdict import Status
from nncheck.grading import Bank, LoadedProblem, grade_sheet

SEED_SHEET = SEED / "sheets" / "seed-student.yaml"


def bank(*problems: dict, rtol: float | None = None) -> Bank:
    loaded = [make_problem(p) for p in problems]
    return Bank({str(p.id): LoadedProblem(p, f"{p.id}.yaml") for p in loaded}, rtol=rtol)


def part_of(result, problem: str, part: str):
    prob = next(p for p in result.problems if p.id == problem)
    return next(p for p in prob.parts if p.id == part)


LOSS = {"id": "ce", "given": {"y": [0, 0, 1, 0]}, "parts": [
    {"id": "a", "ask": "loss", "fn": "cross_entropy", "y_true": "y",
     "y_pred": [0.25, 0.25, 0.3, 0.2], "points": 2},
]}


def test_statuses_and_points():
    b = bank(LOSS, {"id": "why", "parts": [{"id": "m", "ask": "manual", "rubric": "r"},
                                           {"id": "c", "ask": "choice", "options": ["A", "B"],
                                            "key": "B"}]})
    right = grade_sheet(b, {"ce": {"a": "-log(0.3)"}, "why": {"m": "text", "c": "b"}})
    assert part_of(right, "ce", "a").status is Status.CORRECT
    assert part_of(right, "ce", "a").points == 2
    assert part_of(right, "why", "m").status is Status.PENDING
    assert part_of(right, "why", "c").status is Status.CORRECT  # case-insensitive option
    assert right.passed  # pending parts do not count
    assert right.score == 3 and right.max_score == 4
    wrong = grade_sheet(b, {"ce": {"a": "-log10(0.3)"}})
    a = part_of(wrong, "ce", "a")
    assert a.status is Status.WRONG and a.mistake == "log base 10 instead of e"
    assert part_of(wrong, "why", "c").status is Status.MISSING
    assert not wrong.passed
    bad = part_of(grade_sheet(b, {"ce": {"a": "-lg(0.3)"}}), "ce", "a")
    assert bad.status is Status.INVALID and "did you mean `log`" in bad.message


def test_unknown_problems_and_parts_are_warnings_with_suggestions():
    result = grade_sheet(bank(LOSS), {"cee": {"a": 1}, "ce": {"b": 1}})
    assert result.warnings == (
        "answers to unknown problem `cee` (did you mean `ce`?)",
        "`ce`: answer to unknown part `b`",
    )


def test_hints_name_an_instructor_mistake_and_give_credit():
    problem = {**LOSS, "parts": [{**LOSS["parts"][0], "hints": [
        {"answer": "-log(0.25)", "say": "took the largest prediction, not the true class",
         "credit": 0.5}]}]}
    a = part_of(grade_sheet(bank(problem), {"ce": {"a": "-log(0.25)"}}), "ce", "a")
    assert a.status is Status.WRONG
    assert a.mistakes == ("took the largest prediction, not the true class",)
    assert a.points == 1.0  # half of 2


@pytest.mark.parametrize(
    ("problem_tol", "part_tol", "rtol", "claim", "status"),
    [
        # truth -log(0.3) = 1.20397...; 1.19 is 1.2 % off, 1.2 is 0.33 % off.
        pytest.param(None, None, None, 1.2, Status.CORRECT, id="default-1%"),
        pytest.param(None, None, None, 1.19, Status.WRONG, id="default-1%-too-far"),
        pytest.param(None, None, 0.02, 1.19, Status.CORRECT, id="rtol"),
        pytest.param(0.001, None, 0.02, 1.2, Status.WRONG, id="problem-beats-rtol"),
        pytest.param(0.001, {"sigfigs": 2}, None, 1.2, Status.CORRECT, id="part-beats-problem"),
        pytest.param(None, {"sigfigs": 4}, None, 1.204, Status.CORRECT, id="sigfigs-4"),
        pytest.param(None, {"sigfigs": 4}, None, 1.203, Status.WRONG, id="sigfigs-4-off"),
    ],
)
def test_the_most_specific_tolerance_wins(problem_tol, part_tol, rtol, claim, status):
    part = {**LOSS["parts"][0], **({"tolerance": part_tol} if part_tol else {})}
    problem = {**LOSS, "parts": [part], **({"tolerance": problem_tol} if problem_tol else {})}
    result = grade_sheet(bank(problem, rtol=rtol), {"ce": {"a": claim}})
    assert part_of(result, "ce", "a").status is status


def test_points_zero_parts_are_shown_not_graded():
    problem = {**LOSS, "parts": [{**LOSS["parts"][0], "points": 0}]}
    result = grade_sheet(bank(problem), {"ce": {"a": 5}})
    a = part_of(result, "ce", "a")
    assert a.status is Status.WRONG and a.max_points == 0
    assert result.passed


def test_error_carried_forward_grades_the_table_against_the_students_own_design():
    q1 = json.loads(json.dumps({
        "id": "q1",
        "given": {"t": {"kind": "network", "inputs": ["a", "b"], "activation": "step",
                        "layers": [["y"]]}},
        "parts": [
            {"id": "design", "ask": "realize", "template": "t", "target": "a and b",
             "solution": {"y": {"w": [1, 1], "b": -1.5}}},
            {"id": "table", "ask": "truth_table", "network": "answer.design"},
        ],
    }))
    b = bank(q1)
    # An OR unit is the wrong design; its own table (0, 1, 1, 1) earns the table's point.
    design = {"y": {"w": [1, 1], "b": -0.5}}
    result = grade_sheet(b, {"q1": {"design": design, "table": {"y": "0111"}}})
    assert part_of(result, "q1", "design").status is Status.WRONG
    assert part_of(result, "q1", "table").status is Status.CORRECT
    # Without a readable design the table cannot be checked: invalid, and says why.
    result = grade_sheet(b, {"q1": {"design": "and", "table": {"y": "0001"}}})
    table = part_of(result, "q1", "table")
    assert table.status is Status.INVALID
    assert table.message == (  # a network is written in one of the two forms of the format
        "depends on your answer to `design`, which cannot be read: expected a network: "
        "`{unit: {w: [...], b: ...}, ...}` or `{layers: [...]}`")


def test_overrides_score_manual_parts_and_regrade_others(tmp_path):
    overrides = tmp_path / "grades.yaml"
    overrides.write_text(
        "seed-student:\n"
        "  q5-cross-entropy:\n"
        "    d: {points: 1, comment: names non-differentiability}\n"
        "    e: {points: 0.5}\n"
        "  q6-linear-depth:\n"
        "    b-collapse: {points: 1, comment: 'regrade — reasoning right, no weights'}\n",
        encoding="utf-8",
    )
    runner = CliRunner()
    before = json.loads(runner.invoke(app, ["check", str(SEED_SHEET), "--problems", str(SEED),
                                            "--format", "json"]).stdout)
    after = json.loads(runner.invoke(app, ["check", str(SEED_SHEET), "--problems", str(SEED),
                                           "--overrides", str(overrides),
                                           "--format", "json"]).stdout)

    def find(data, problem, part):
        prob = next(p for p in data["problems"] if p["id"] == problem)
        return next(p for p in prob["parts"] if p["id"] == part)

    assert find(before, "q5-cross-entropy", "d")["status"] == "pending"
    d = find(after, "q5-cross-entropy", "d")
    assert (d["status"], d["points"]) == ("graded", 1.0)
    assert d["comment"] == "names non-differentiability"
    assert find(after, "q5-cross-entropy", "e")["points"] == 0.5
    assert find(after, "q6-linear-depth", "b-collapse")["status"] == "graded"
    assert after["score"] == pytest.approx(before["score"] + 2.5)
    text = runner.invoke(app, ["check", str(SEED_SHEET), "--problems", str(SEED),
                               "--overrides", str(overrides), "--format", "text"]).stdout
    assert "    grader: regrade — reasoning right, no weights" in text.splitlines()


def test_a_bad_overrides_file_is_an_input_error(tmp_path):
    overrides = tmp_path / "grades.yaml"
    overrides.write_text("s1:\n  q1:\n    a: {pts: 1}\n", encoding="utf-8")
    result = CliRunner().invoke(app, ["check", str(SEED_SHEET), "--problems", str(SEED),
                                      "--overrides", str(overrides)])
    assert result.exit_code == 2
    assert result.stderr == (f"error: {overrides}:3:9: unknown key `pts` — "
                             "one of `points`, `comment` (did you mean `points`?)\n")


def test_an_override_above_the_parts_points_is_refused(tmp_path):
    overrides = tmp_path / "grades.yaml"
    overrides.write_text(
        "seed-student:\n  q3-transfer-learning:\n    b-new: {points: 5}\n"
        "  q9: {x: {points: 1}}\n", encoding="utf-8")
    result = CliRunner().invoke(app, ["check", str(SEED_SHEET), "--problems", str(SEED),
                                      "--overrides", str(overrides)])
    assert result.exit_code == 2
    assert result.stderr.strip() == (
        "error: the override for student `seed-student` gives `q3-transfer-learning` part "
        "`b-new` 5 points — at most the part's 2 (fix it in the --overrides file)"
    )


def test_overrides_for_unknown_problems_and_parts_are_warnings(tmp_path):
    overrides = tmp_path / "grades.yaml"
    overrides.write_text(
        "seed-student:\n  q5-cross-entropy:\n    dd: {points: 1}\n  q9: {x: {points: 1}}\n",
        encoding="utf-8")
    result = CliRunner().invoke(app, ["check", str(SEED_SHEET), "--problems", str(SEED),
                                      "--overrides", str(overrides), "--format", "json"])
    assert json.loads(result.stdout)["warnings"] == [
        "`q5-cross-entropy`: override to unknown part `dd` (did you mean `d`?)",
        "overrides to unknown problem `q9`",
    ]


@pytest.mark.parametrize("rtol", ["nan", "-0.1", "inf"])
def test_a_tolerance_that_is_not_one_is_a_usage_error(rtol):
    result = CliRunner().invoke(app, ["check", str(SEED_SHEET), "--problems", str(SEED),
                                      "--rtol", rtol])
    assert result.exit_code == 2
    assert result.stderr == \
        f"error: --rtol {rtol} is not a tolerance — a finite number, 0 or more\n"


def test_an_instructor_solution_that_is_wrong_is_a_problem_error(tmp_path):
    path = tmp_path / "p.yaml"
    path.write_text(
        "given:\n"
        "  tpl: {kind: network, inputs: [a, b], activation: step, layers: [[Y]]}\n"
        "parts:\n"
        "  - {id: r, ask: realize, template: tpl, target: a and b,\n"
        "     solution: {Y: {w: [1, 1], b: -0.5}}}\n", encoding="utf-8")
    # OR, not AND: rows 01 and 10 fire; z = 1·a + 1·b - 0.5 is 0.5 there.
    result = CliRunner().invoke(app, ["validate", "--solve", str(path)])
    assert result.exit_code == 2
    assert result.stderr.strip() == (
        f"error: {path}:4:5: part `r`: its `solution:` is wrong: Y differs from the target on "
        "2 of 4 rows: row 01 gives 1, not 0; row 10 gives 1, not 0 — a model answer that "
        "earns full marks"
    )


def test_every_ask_has_a_solver_and_every_solver_an_ask():
    from nncheck.solvers import SOLVERS
    from nncheck.spec.parts import PART_MODELS

    assert set(SOLVERS) == set(PART_MODELS)
