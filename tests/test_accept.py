"""`accept:` other answers that earn full or stated credit: on a number, on a formula (where an
accepted answer must be a formula too), on a choice; refused where no answer could match it."""

from __future__ import annotations

from typing import Any

import pytest

from conftest import make_problem
from nncheck.compare.verdict import Status
from nncheck.errors import InputError
from nncheck.grading import Bank, LoadedProblem, grade_sheet


def graded(problem: dict[str, Any], claim: Any) -> Any:
    """The one part of a one-part problem, graded for `claim`."""
    loaded = make_problem(problem)
    bank = Bank({str(loaded.id): LoadedProblem(loaded, "p.yaml")})
    return grade_sheet(bank, {"p": {"a": claim}}).problems[0].parts[0]


# MSE of y_pred [0.5, 0.5] against y_true [1, 0]: ((1 - 0.5)² + (0 - 0.5)²) / 2 = 0.25. Half of it,
# 0.125, is the ½·MSE convention some courses key; the sum, 0.5, is not averaged.
def mse(accept: list[dict[str, Any]]) -> dict[str, Any]:
    return {"parts": [{"id": "a", "ask": "loss", "fn": "mse", "y_true": [1, 0],
                       "y_pred": [0.5, 0.5], "points": 2, "accept": accept}]}


HALF = {"answer": 0.125, "say": "the ½·MSE convention"}
SUM = {"answer": "0.5", "credit": 0.5, "say": "summed, not averaged"}


def test_an_accepted_alternative_is_correct_with_its_word() -> None:
    part = graded(mse([HALF, SUM]), 0.125)
    assert (part.status, part.points, part.message) == (Status.CORRECT, 2.0,
                                                        "the ½·MSE convention")
    assert graded(mse([HALF, SUM]), 0.25).status is Status.CORRECT  # the truth itself


def test_an_accepted_answer_with_partial_credit_is_wrong_with_that_credit() -> None:
    part = graded(mse([HALF, SUM]), "1/2")
    assert (part.status, part.points, part.mistakes) == (Status.WRONG, 1.0,
                                                         ("summed, not averaged",))
    # How far off: |0.5 - 0.25| / 0.25 = 100 %.
    assert part.message == "expected 0.25, got 0.5: 100 % off, tolerance 1 %"
    assert graded(mse([HALF, SUM]), 0.3).points == 0.0  # neither


# A formula part: the number of pairs of n items, n(n - 1)/2. Courses that count ordered pairs
# halve nothing: n(n - 1), worth half.
def pairs(accept: list[dict[str, Any]]) -> dict[str, Any]:
    return {"parts": [{"id": "a", "ask": "formula", "reference": "n*(n - 1)/2",
                       "symbols": {"n": {"integer": [2, 100]}}, "accept": accept}]}


def test_an_accepted_formula_is_checked_at_every_point() -> None:
    ordered = {"answer": "n*(n - 1)", "credit": 0.5, "say": "ordered pairs"}
    part = graded(pairs([ordered]), "n^2 - n")
    assert (part.status, part.points, part.mistakes) == (Status.WRONG, 0.5, ("ordered pairs",))
    # 9900 is n(n - 1) at n = 100 only: no credit.
    assert graded(pairs([ordered]), 9900).points == 0.0


def test_a_constant_accepted_where_the_answer_is_a_formula_is_refused() -> None:
    # Accepting 4950 (the count at n = 100) would let one guessed number pass a formula part.
    with pytest.raises(InputError, match=r"`accept` answer 4950 is a constant, where the "
                       r"part's answer is a formula"):
        graded(pairs([{"answer": 4950}]), "n*(n - 1)/2")


def test_an_accepted_option_of_a_choice() -> None:
    problem = {"parts": [{"id": "a", "ask": "choice", "options": ["A", "B", "C"], "key": "A",
                          "accept": [{"answer": "c", "say": "also keyed: the 2019 notation"},
                                     {"answer": "B", "credit": 0.25}]}]}
    part = graded(problem, "C")
    assert (part.status, part.message) == (Status.CORRECT, "also keyed: the 2019 notation")
    part = graded(problem, "b")
    assert (part.status, part.points) == (Status.WRONG, 0.25)


def refusal(part: dict[str, Any]) -> str:
    from pydantic import ValidationError

    with pytest.raises(ValidationError) as info:
        make_problem({"parts": [part]})
    return str(info.value)


def test_accept_is_refused_where_it_cannot_apply() -> None:
    assert "`nope` is not an option — one of `A`, `B`" in refusal(
        {"id": "a", "ask": "choice", "options": ["A", "B"], "key": "A",
         "accept": [{"answer": "nope"}]})
    assert "greater than 0" in refusal(
        {"id": "a", "ask": "loss", "fn": "mse", "y_true": [1], "y_pred": [0],
         "accept": [{"answer": 1, "credit": 0}]})
    assert ("`accept` works only on parts with a numeric answer or a choice (forward, "
            "param_count, output_shape, loss, gradient, formula, choice, receptive_field, "
            "padding, activation_memory, layer_output, optimizer_step, perceptron, "
            "learning_rule, flops, macs), not on `manual`"
            ) in refusal({"id": "a", "ask": "manual", "accept": [{"answer": 1}]})


def test_a_file_without_the_new_keys_keeps_the_content_its_points_are_seeded_by() -> None:
    # The sample points are seeded by the validated problem as JSON: empty `accept`, a choice's
    # or a table's empty `hints` and a hint's absent `when` are left out of it.
    problem = make_problem({"parts": [
        {"id": "a", "ask": "choice", "options": ["A", "B"], "key": "A"},
        {"id": "b", "ask": "loss", "fn": "mse", "y_true": [1], "y_pred": [0],
         "hints": [{"answer": 1, "say": "x"}]}]})
    dumped = problem.model_dump_json()
    assert '"accept"' not in dumped and '"when"' not in dumped
    assert '"explain":{}}' in dumped and '"hints":[{"answer":1,"say":"x","credit":0.0}]' in dumped


def test_every_ask_leaves_out_the_keys_it_did_not_use() -> None:
    # One serializer for every ask: a forward, gradient or loss part (whose asks gained `graph`,
    # `local` and `of`) leaves out an empty `accept` as the others do, and the new keys at their
    # defaults, so the problem's sample points stay where they were.
    problem = make_problem({
        "given": {"net": {"kind": "network", "inputs": ["x"], "layers": [{"h": {"w": [1], "b": 0,
                                                              "activation": "sigmoid"}}]}},
        "parts": [
            {"id": "f", "ask": "forward", "network": "net", "input": {"x": 1}},
            {"id": "g", "ask": "gradient", "network": "net", "input": {"x": 1}, "wrt": "x"},
            {"id": "l", "ask": "loss", "fn": "mse", "y_true": [1], "y_pred": [0]}]})
    dumped = problem.model_dump_json()
    for key in ('"accept"', '"graph"', '"local"'):
        assert key not in dumped, key
    assert "of" not in problem.parts[2].model_dump()  # a loss's `of:` (a network's output)
