"""Hints beyond a literal wrong number: a `when:` predicate over the claim and the truth, hints
on a choice's options, hints on a truth table (a whole table, or some of its columns); and the
predicates a problem file may not hold."""

from __future__ import annotations

from typing import Any

import pytest
from pydantic import ValidationError

from conftest import make_problem
from nncheck.compare.verdict import Status
from nncheck.grading import Bank, LoadedProblem, grade_sheet


def graded(problem: dict[str, Any], claim: Any) -> Any:
    """The one part of a one-part problem, graded for `claim`."""
    loaded = make_problem(problem)
    bank = Bank({str(loaded.id): LoadedProblem(loaded, "p.yaml")})
    return grade_sheet(bank, {"p": {"a": claim}}).problems[0].parts[0]


SIGN = {"when": "abs(abs(claim) - abs(truth)) <= tol and claim != truth", "say": "check the sign"}
HIGH = {"when": "claim > truth", "say": "too large: did you sum instead of averaging?"}


# MSE of y_pred [0.5, 0.5] against y_true [1, 0]: ((1 - 0.5)² + (0 - 0.5)²) / 2 = 0.25.
def mse(hints: list[dict[str, Any]]) -> dict[str, Any]:
    return {"parts": [{"id": "a", "ask": "loss", "fn": "mse", "y_true": [1, 0],
                       "y_pred": [0.5, 0.5], "points": 2, "hints": hints}]}


def test_a_sign_predicate_names_a_flipped_sign_within_tolerance() -> None:
    # -0.2502 is within 1 % of -0.25 (tol = 0.0025 at the truth 0.25).
    part = graded(mse([SIGN, HIGH]), -0.2502)
    assert (part.status, part.mistakes) == (Status.WRONG, ("check the sign",))
    assert graded(mse([SIGN, HIGH]), -0.3).mistakes == ()  # 0.3 is 20 % off: not the sign


def test_an_order_predicate_and_its_credit() -> None:
    # 0.5 = 0.25 + 0.25, the sum: the loss's own catalogue names it first, then the hint.
    part = graded(mse([SIGN, dict(HIGH, credit=0.25)]), 0.5)
    assert (part.status, part.points, part.mistakes) == (
        Status.WRONG, 0.5, ("sum instead of mean", "too large: did you sum instead of averaging?"))
    assert graded(mse([HIGH]), 0.1).mistakes == ()  # below the truth
    assert graded(mse([HIGH]), 0.25).status is Status.CORRECT  # a right answer is never hinted


def test_a_predicate_holds_on_a_vector_only_at_every_element() -> None:
    # y = [2a, 3a] at a = 1: [2, 3].
    problem = {"given": {"net": {"kind": "network", "inputs": ["a"], "activation": "linear",
                                 "layers": [{"y1": {"w": [2], "b": 0}, "y2": {"w": [3], "b": 0}}]}},
               "parts": [{"id": "a", "ask": "forward", "network": "net", "input": {"a": 1},
                          "of": ["y1", "y2"], "hints": [{"when": "claim == -truth",
                                                          "say": "every sign flipped"}]}]}
    assert graded(problem, [-2, -3]).mistakes == ("every sign flipped",)
    assert graded(problem, [-2, 3]).mistakes == ()


def test_a_choice_hint_names_the_option_and_gives_its_credit() -> None:
    problem = {"parts": [{"id": "a", "ask": "choice", "options": ["A", "B", "C"], "key": "A",
                          "hints": [{"answer": "b", "say": "B holds only for a linear unit",
                                     "credit": 0.5}]}]}
    part = graded(problem, "B")
    assert (part.status, part.points, part.mistakes) == (
        Status.WRONG, 0.5, ("B holds only for a linear unit",))
    assert graded(problem, "C").mistakes == ()


# g1 = step(0.5 - a - b) fires only at a = b = 0 (NOR: 1000), g2 = step(a + b - 1.5) only at
# a = b = 1 (AND: 0001), y = step(g1 + g2 - 0.5) at either (XNOR: 1001). Rows 00, 01, 10, 11.
XNOR = {"kind": "network", "inputs": ["a", "b"], "activation": "step",
        "layers": [{"g1": {"w": [-1, -1], "b": 0.5}, "g2": {"w": [1, 1], "b": -1.5}},
                   {"y": {"w": [1, 1], "b": -0.5}}]}
OR_NOT_NOR = {"answer": {"g1": "0111"}, "say": "g1's weights are negative: it is a NOR"}
XOR = {"answer": {"g1": "1000", "y": "0110"}, "say": "XOR, not XNOR", "credit": 0.5}


def table(hints: list[dict[str, Any]]) -> dict[str, Any]:
    return {"given": {"net": XNOR}, "parts": [
        {"id": "a", "ask": "truth_table", "network": "net", "columns": ["g1", "y"],
         "hints": hints}]}


def test_a_table_hint_on_one_column() -> None:
    part = graded(table([OR_NOT_NOR, XOR]), {"g1": "0111", "y": "0111"})
    assert (part.status, part.mistakes) == (Status.WRONG, ("g1's weights are negative: it is "
                                                           "a NOR",))
    assert graded(table([OR_NOT_NOR]), {"g1": "1000", "y": "0111"}).mistakes == ()


def test_a_whole_table_hint_with_credit() -> None:
    part = graded(table([OR_NOT_NOR, XOR]), {"g1": "1000", "y": "0110"})
    assert (part.status, part.points, part.mistakes) == (Status.WRONG, 0.5, ("XOR, not XNOR",))
    assert graded(table([XOR]), {"g1": "1000", "y": "1001"}).status is Status.CORRECT


def refusal(hints: list[dict[str, Any]], part: dict[str, Any] | None = None) -> str:
    with pytest.raises(ValidationError) as info:
        make_problem(part or mse(hints))
    return str(info.value)


@pytest.mark.parametrize(("when", "why"), [
    pytest.param("x > truth", "names `x` — a predicate may name only `claim`, `truth` and `tol`",
                 id="unknown-name"),
    pytest.param("__import__('os')", "predicate `__import__('os')`: unexpected", id="python"),
    pytest.param("truth > 0", "does not read `claim`, so it would say the same of every answer",
                 id="no-claim"),
    pytest.param("claim > " + "+".join(["truth"] * 40), "at most 200 characters, found 247",
                 id="too-long"),
    pytest.param("(" * 13 + "claim" + ")" * 13, "at most 12 parentheses deep", id="deep"),
    pytest.param("claim >", "predicate `claim >`", id="unreadable"),
])
def test_a_predicate_that_could_not_be_safe_is_refused_when_the_file_is_read(when: str,
                                                                            why: str) -> None:
    assert why in refusal([{"when": when, "say": "x"}])


def test_a_hint_gives_an_answer_or_a_predicate() -> None:
    assert "a hint gives `answer` (a wrong answer) or `when`" in refusal(
        [{"answer": 1, "when": "claim > truth", "say": "x"}])
    assert "a hint gives `answer` (a wrong answer) or `when`" in refusal([{"say": "x"}])
    choice = {"parts": [{"id": "a", "ask": "choice", "options": ["A", "B"], "key": "A",
                         "hints": [{"when": "claim > truth", "say": "x"}]}]}
    assert "a `when` predicate compares numbers" in refusal([], choice)


def test_a_predicate_that_overflows_does_not_hold() -> None:
    # 10^(10^claim) overflows float64 at claim = 3: the hint does not match, nothing fails.
    part = graded(mse([{"when": "10^(10^claim) > 0", "say": "huge"}]), 3)
    assert (part.status, part.mistakes) == (Status.WRONG, ())


def test_default_hints_go_to_the_numeric_asks_only() -> None:
    # A default hint names a number: copied into a choice it would not be an option.
    problem = make_problem({"defaults": {"hints": [{"when": "claim > truth", "say": "too big"}]},
                            "parts": [{"id": "a", "ask": "loss", "fn": "mse", "y_true": [1],
                                       "y_pred": [0]},
                                      {"id": "b", "ask": "choice", "options": ["A", "B"],
                                       "key": "A"}]})
    assert [len(part.hints) for part in problem.parts] == [1, 0]
