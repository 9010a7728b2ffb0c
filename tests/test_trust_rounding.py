"""Rounded mode cannot be talked round: the figures a number shows are read however it is
typed, an expression is read as the decimal of its value, and the other answers that earn
credit (`accept`, credited hints) are compared as the truth is.

The rule, from docs/format.md (Rounded answers), written out per case below: an answer is
correct when it is the truth rounded at its last written digit and shows at least
`min_sigfigs` significant figures (and `min_decimals` decimals), or equals the truth.
8.0008 at three significant figures is 8.00; `8` shows one figure, so it is wrong.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from conftest import make_problem
from nncheck.cli import app
from nncheck.compare.verdict import Status
from nncheck.errors import InputError
from nncheck.grading import Bank, LoadedProblem, grade_sheet

THREE_FIGURES = {"rounded": True, "min_sigfigs": 3}
THREE_DECIMALS = {"rounded": True, "min_decimals": 3}


def graded(part: dict[str, Any], claim: Any) -> Any:
    """The one part of a one-part problem, graded for `claim`."""
    problem = make_problem({"parts": [{"id": "a", **part}]})
    bank = Bank({"p": LoadedProblem(problem, "p.yaml")})
    return grade_sheet(bank, {"p": {"a": claim}}).problems[0].parts[0]


def rounded(reference: str, tolerance: dict[str, Any], claim: Any, **extra: Any) -> Any:
    return graded({"ask": "formula", "reference": reference, "tolerance": tolerance, **extra},
                  claim)


# -8 shows one significant figure however its minus, spacing, digits or brackets are typed:
# fewer than the three asked, and -8 is not -8.0008 (so no equality either).
@pytest.mark.parametrize("claim", [
    pytest.param("\u22128", id="unicode-minus"),
    pytest.param("- 8", id="space-after-sign"),
    pytest.param("-\u0668", id="arabic-indic-digit"),
    pytest.param("\u2212\u06f8", id="unicode-minus-persian-digit"),
    pytest.param("-(8)", id="parenthesised"),
    pytest.param("$-8$", id="latex-dollars"),
])
def test_a_number_typed_otherwise_shows_the_figures_it_has(claim: str) -> None:
    assert rounded("0 - 8.0008", THREE_FIGURES, claim).status is Status.WRONG


# The same typings with three figures shown: -8.00 is -8.0008 at three figures.
@pytest.mark.parametrize("claim", [
    pytest.param("\u22128.00", id="unicode-minus"),
    pytest.param("- 8.00", id="space-after-sign"),
    pytest.param("-\u0668\u066b\u0660\u0660", id="arabic-indic-digits"),
    pytest.param("-(8.00)", id="parenthesised"),
    pytest.param("$-8.00$", id="latex-dollars"),
])
def test_the_same_typings_with_the_figures_asked_pass(claim: str) -> None:
    assert rounded("0 - 8.0008", THREE_FIGURES, claim).status is Status.CORRECT


# Each of these is 8 (one figure), 8.0008 at three figures is 8.00: wrong, as `8` is.
@pytest.mark.parametrize("claim", [
    pytest.param("8*1", id="product"),
    pytest.param("8+0", id="sum"),
    pytest.param("800%", id="percent-integer-zeros-not-figures"),
    pytest.param("8x10^0", id="scientific-one-figure"),
    pytest.param("8\u00d710^0", id="scientific-times-sign"),
    pytest.param("$8$", id="dollars"),
    pytest.param("{8}", id="braces"),
    pytest.param("(8)", id="parentheses"),
    pytest.param("\\frac{8}{1}", id="latex-fraction"),
    pytest.param("8*100/100", id="integer-zeros-of-a-value"),
])
def test_an_expression_cannot_pass_where_the_number_it_equals_fails(claim: str) -> None:
    assert rounded("8.0008", THREE_FIGURES, claim).status is Status.WRONG


@pytest.mark.parametrize("claim", [
    # Scientific notation and percentages show their mantissa's figures: 8.00 (three).
    pytest.param("8.00x10^0", id="scientific"),
    pytest.param("8.00 \\times 10^{0}", id="latex-scientific"),
    pytest.param("0.800\u00d710^1", id="scientific-shifted"),
    # 800.0 % is 8.000: four figures, its last digit (0.001) within 1.5 units of 8.0008.
    pytest.param("800.0%", id="percent"),
    # 2 * 4.0004 is 8.0008, the truth itself: correct whatever its figures.
    pytest.param("2*4.0004", id="equals-the-truth"),
])
def test_forms_that_show_the_figures_asked_pass(claim: str) -> None:
    assert rounded("8.0008", THREE_FIGURES, claim).status is Status.CORRECT


def test_the_reported_case_on_the_command_line(tmp_path: Path) -> None:
    bank = tmp_path / "probs"
    bank.mkdir()
    (bank / "r.yaml").write_text(
        "id: r\ntitle: t\ngiven: {g: {kind: graph, inputs: {x: 8.0008}, nodes: {f: 0 - x}}}\n"
        "parts: [{id: a, ask: forward, graph: g, "
        "tolerance: {rounded: true, min_sigfigs: 3}}]\n", encoding="utf-8")
    sheet = tmp_path / "s.yaml"
    sheet.write_text('student: {id: s1, name: S}\nanswers:\n  r: {a: "\u22128"}\n',
                     encoding="utf-8")
    result = CliRunner().invoke(app, ["check", str(sheet), "--problems", str(bank),
                                      "--format", "text"])
    assert result.exit_code == 1, result.output
    assert "written with 1 significant figure" in result.output


# `accept: [{answer: 0.04, credit: 0.5}]` under three decimals: 0.04 at three decimals is
# 0.040, at four 0.0400. 0.0395 (four decimals) is 5 units of its last digit off 0.0400.
ACCEPT_004 = {"accept": [{"answer": 0.04, "credit": 0.5}]}


@pytest.mark.parametrize(("claim", "points"), [
    pytest.param(0.0395, 0.0, id="five-units-off-at-its-own-digit"),
    pytest.param("3.95%", 0.0, id="percent-five-units-off"),
    pytest.param("0.0395*1", 0.0, id="expression-of-it"),
    pytest.param("0.040", 0.5, id="the-entry-at-three-decimals"),
])
def test_an_accepted_answer_is_compared_as_the_truth_is(claim: Any, points: float) -> None:
    part = rounded("0.0351", THREE_DECIMALS, claim, **ACCEPT_004)
    assert (part.status, part.points) == (Status.WRONG, points)


def test_a_credited_hint_is_compared_as_the_truth_is() -> None:
    hint = {"hints": [{"answer": 0.04, "credit": 0.5, "say": "rounded to two decimals"}]}
    assert rounded("0.0351", THREE_DECIMALS, 0.0395, **hint).points == 0.0
    assert rounded("0.0351", THREE_DECIMALS, "0.040", **hint).points == 0.5


# 10n + 10 over n in 1..100: 20 is its value at n = 1 only.
def sized(hint: dict[str, Any]) -> dict[str, Any]:
    return {"ask": "formula", "reference": "10n + 10", "symbols": {"n": {"integer": [1, 100]}},
            "hints": [hint]}


def test_a_credited_constant_hint_on_a_formula_part_is_refused() -> None:
    with pytest.raises(InputError, match=r"hint `guessed`: its answer 20 is a constant, where "
                       r"the part's answer is a formula"):
        graded(sized({"answer": 20, "credit": 0.5, "say": "guessed"}), "10n + 10")


def test_a_constant_hint_without_credit_still_names_the_answer() -> None:
    part = graded(sized({"answer": 20, "say": "the value at n = 1"}), 20)
    assert (part.status, part.points, part.mistakes) == (Status.WRONG, 0.0,
                                                         ("the value at n = 1",))
