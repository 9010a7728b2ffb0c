"""A problem may name an input or unit `e`, `pi` or `inf`: the name wins inside that problem, and
the constant is then written `exp(1)`, `π` or `∞` (FORMAT.md §3, docs/format.md)."""

from __future__ import annotations

import math
from pathlib import Path

import pytest
from typer.testing import CliRunner

from conftest import make_problem
from nncheck import expr
from nncheck.cli import app
from nncheck.compare.verdict import Status
from nncheck.errors import ExprError
from nncheck.grading import Bank, LoadedProblem, grade_sheet

INPUTS = list("abcdefghij")
AT = {name: (1 if name in "ae" else 0) for name in INPUTS}  # a = e = 1, every other input 0

# One sigmoid unit Y over ten inputs named a … j, as an exam writes them:
# z_Y = 1·a + 2·e - 1, so at a = e = 1: z_Y = 2 and Y = 1/(1 + exp(-2)) = 0.8807970779778823.
TEN = {
    "id": "ten",
    "given": {"net": {"kind": "network", "inputs": INPUTS, "activation": "sigmoid",
                      "layers": [{"Y": {"w": {"a": 1, "e": 2}, "b": -1}}]},
              # Y = step(d + e - 2), that is d AND e
              "gate": {"kind": "network", "inputs": ["d", "e"], "activation": "step",
                       "layers": [{"Y": {"w": [1, 1], "b": -2}}]}},
    "parts": [
        {"id": "fwd", "ask": "forward", "network": "net", "input": AT, "of": "Y"},
        # ∂Y/∂w_Y_e = Y(1 - Y)·e: the input e, checked at re-drawn values of every symbol
        {"id": "grad", "ask": "gradient", "network": "net", "input": AT, "of": "Y",
         "wrt": "w_Y_e", "form": "formula"},
        # a AND e: one step unit, w = (1, 1), b = -1.5
        {"id": "and", "ask": "realize", "target": "a and e",
         "template": {"kind": "network", "inputs": ["a", "e"], "activation": "step",
                      "layers": [["Y"]]}},
        {"id": "table", "ask": "truth_table", "network": "gate"},
    ],
}

TEN_YAML = """\
id: ten
given:
  net:
    kind: network
    inputs: [a, b, c, d, e, f, g, h, i, j]
    activation: sigmoid
    layers:
      - {Y: {w: {a: 1, e: 2}, b: -1}}
parts:
  - {id: fwd, ask: forward, network: net, of: Y,
     input: {a: 1, b: 0, c: 0, d: 0, e: 1, f: 0, g: 0, h: 0, i: 0, j: 0}}
"""


def grade(answers: dict) -> dict:
    problem = make_problem(TEN)
    bank = Bank({"ten": LoadedProblem(problem, "ten.yaml")})
    result = grade_sheet(bank, {"ten": answers})
    return {part.id: part for part in result.problems[0].parts}


def test_a_problem_with_inputs_a_to_j_validates_and_solves(tmp_path: Path) -> None:
    path = tmp_path / "ten.yaml"
    path.write_text(TEN_YAML, "utf-8")
    validated = CliRunner().invoke(app, ["validate", str(path)])
    assert validated.exit_code == 0, validated.output
    solved = CliRunner().invoke(app, ["solve", str(path), "--format", "json"])
    assert solved.exit_code == 0, solved.output
    assert "0.880797" in solved.output  # 1/(1 + exp(-2)), worked out above


def test_the_inputs_e_of_the_problem_are_the_inputs_in_every_answer() -> None:
    parts = grade({
        "fwd": "1/(1 + exp(-2))",       # the constant written exp(1)'s way
        "grad": "e*Y*(1 - Y)",          # e the input
        "and": {"Y": {"w": [1, 1], "b": -1.5}},
        "table": {"columns": ["d", "e", "Y"],
                  "rows": [[0, 0, 0], [0, 1, 0], [1, 0, 0], [1, 1, 1]]},
    })
    assert {pid: p.status for pid, p in parts.items()} == {
        "fwd": Status.CORRECT, "grad": Status.CORRECT, "and": Status.CORRECT,
        "table": Status.CORRECT,
    }


def test_writing_the_constant_where_the_input_is_meant_is_wrong() -> None:
    parts = grade({
        # e is the input, 1 here: 1/(1 + 1^-2) = 1/2, not 0.8807970779778823
        "fwd": "1/(1 + e^(-2))",
        # exp(1)·Y(1 - Y) is not e·Y(1 - Y) once e is re-drawn
        "grad": "exp(1)*Y*(1 - Y)",
        # a OR e: w = (1, 1), b = -0.5 is on at rows 01 and 10, where a AND e is off
        "and": {"Y": {"w": [1, 1], "b": -0.5}},
    })
    assert parts["fwd"].status is Status.WRONG
    # How far off: |0.5 - 0.880797| / 0.880797 = 0.380797 / 0.880797 = 43 %.
    assert parts["fwd"].message == ("expected 0.880797, got 0.5: 43 % off, tolerance 1 %; `e` "
                                    "here names the problem's input or unit `e`; the constant "
                                    "is `exp(1)`")
    assert parts["grad"].status is Status.WRONG
    assert parts["and"].status is Status.WRONG


def test_an_answer_in_latex_reads_e_as_the_input_too() -> None:
    parts = grade({"grad": r"e \cdot Y\left(1 - Y\right)", "fwd": r"\frac{1}{1+\exp(-2)}"})
    assert parts["grad"].status is Status.CORRECT
    assert parts["fwd"].status is Status.CORRECT


def test_where_no_input_is_named_e_it_is_the_constant() -> None:
    problem = make_problem({"id": "ten", "given": {"net": {
        **TEN["given"]["net"], "inputs": ["a", "b", "c", "d", "x"],
        "layers": [{"Y": {"w": {"a": 1, "x": 2}, "b": -1}}]}},
        "parts": [{"id": "fwd", "ask": "forward", "network": "net", "of": "Y",
                   "input": {"a": 1, "b": 0, "c": 0, "d": 0, "x": 1}}]})
    assert problem.notation == {}
    bank = Bank({"ten": LoadedProblem(problem, "ten.yaml")})
    result = grade_sheet(bank, {"ten": {"fwd": "1/(1 + e^(-2))"}})
    assert result.problems[0].parts[0].status is Status.CORRECT


def test_the_problem_binds_the_names_its_networks_use() -> None:
    assert make_problem(TEN).notation == {"e": "e"}


@pytest.mark.parametrize(
    ("source", "env", "expected"),
    [
        # bound e = 5: 2e = 10, e + exp(1) = 5 + 2.718281828459045
        pytest.param("2e", {"e": 5.0}, 10.0, id="implicit"),
        pytest.param("e + exp(1)", {"e": 5.0}, 5.0 + math.e, id="exp-1-is-the-constant"),
        # a number's exponent stays a number: 2e-3 = 0.002
        pytest.param("2e-3", {}, 0.002, id="exponent"),
        pytest.param("2 e - 3", {"e": 5.0}, 7.0, id="spaced"),
        # bound pi = 10: π stays 3.141592653589793
        pytest.param("pi + π", {"pi": 10.0}, 10.0 + math.pi, id="pi"),
        pytest.param("inf - ∞ + 1", {"inf": 3.0}, -math.inf, id="inf"),
    ],
)
def test_a_bound_constant_reads_as_a_name(source, env, expected) -> None:
    aliases = {name: name for name in ("e", "pi", "inf")}
    assert expr.evaluate(source, env, aliases=aliases) == expected


def test_an_alias_still_cannot_hide_a_constant_or_function(tmp_path: Path) -> None:
    with pytest.raises(ExprError, match="alias `e` would hide"):
        expr.parse("e", aliases={"e": "x"})
    with pytest.raises(ExprError, match="alias `log` would hide"):
        expr.parse("log", aliases={"log": "log"})


@pytest.mark.parametrize("name", ["log", "relu", "sigmoid", "and"])
def test_functions_and_keywords_stay_reserved(tmp_path: Path, name: str) -> None:
    path = tmp_path / "p.yaml"
    path.write_text(TEN_YAML.replace("[a, b, c, d, e,", f"[a, b, c, d, {name},"), "utf-8")
    result = CliRunner().invoke(app, ["validate", str(path)])
    assert result.exit_code == 2
    assert f"`{name}` is reserved — choose another name" in result.output


def test_an_answer_naming_the_input_e_where_e_is_asked_says_so() -> None:
    problem = make_problem({**TEN, "parts": [
        {"id": "ze", "ask": "forward", "network": "net", "input": AT, "of": ["z_Y", "e"]}]})
    bank = Bank({"ten": LoadedProblem(problem, "ten.yaml")})

    def graded(answer: list[str]):
        return grade_sheet(bank, {"ten": {"ze": answer}}).problems[0].parts[0]

    # z_Y = a + 2e - 1 = 1 + 2 - 1 = 2 at a = e = 1, and e = 1
    assert graded(["a + 2e - 1", "1"]).status is Status.CORRECT
    barred = graded(["a + 2e - 1", "e"])
    assert barred.status is Status.INVALID
    assert barred.message == "value 2: `e` is the value being asked, so an answer may not use it"


def test_a_wrong_formula_names_the_input_e_where_it_was_drawn() -> None:
    # 2·Y(1 - Y)·e is twice ∂Y/∂w_Y_e = Y(1 - Y)·e: wrong at every draw, and the message
    # locates the draw by the values of the names the answer uses, e among them.
    part = grade({"grad": "2*e*Y*(1 - Y)"})["grad"]
    assert part.status is Status.WRONG
    assert part.message.startswith("at draw 1 of 8 (e = ")
