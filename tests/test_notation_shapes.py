"""Shapes and vectors as people write them (compare/notation.py), graded end to end.

The model: a 32×32×3 image through one Conv2D of 32 filters of size 4×4, valid padding,
stride 1 (Keras). By hand: the output is 32 - 4 + 1 = 29 wide and high, with 32 channels,
so its shape is [29, 29, 32] (Keras prints `(None, 29, 29, 32)`); its parameter count is
32 · (4 · 4 · 3) + 32 = 1536 + 32 = 1568. A Flatten after it gives [29 · 29 · 32] = [26912].
"""

from __future__ import annotations

import json
from typing import Any

import pytest
from typer.testing import CliRunner

from conftest import make_problem
from nncheck.cli import app
from nncheck.compare.notation import BATCH_ADDED, BATCH_MISSING
from nncheck.compare.numeric import read_exprs
from nncheck.compare.verdict import Status
from nncheck.grading import Bank, LoadedProblem, grade_sheet

CONV = {"kind": "model", "input": [32, 32, 3], "layers": [{"conv2d": {"filters": 32,
                                                                      "kernel": 4}}]}
FLAT = {"kind": "model", "input": [32, 32, 3],
        "layers": [{"conv2d": {"filters": 32, "kernel": 4}}, "flatten"]}
PROBLEM = {
    "id": "conv",
    "given": {"conv": CONV, "flat": FLAT},
    "parts": [
        {"id": "shape", "ask": "output_shape", "model": "conv"},
        {"id": "keras", "ask": "output_shape", "model": "conv", "batch_axis": True},
        {"id": "count", "ask": "param_count", "model": "conv"},
        {"id": "flat", "ask": "output_shape", "model": "flat"},
    ],
}
SHAPE = [29, 29, 32]  # by hand, above


def graded(part: str, claim: Any, problem: dict[str, Any] = PROBLEM) -> Any:
    loaded = make_problem(problem)
    bank = Bank({str(loaded.id): LoadedProblem(loaded, "conv.yaml")})
    result = grade_sheet(bank, {str(loaded.id): {part: claim}})
    return next(p for p in result.problems[0].parts if p.id == part)


def values(claim: Any, length: int | None) -> list[float]:
    return [float(e.evaluate({})) for e in read_exprs(claim, length=length, shape=True)]


SHAPES = [
    pytest.param("29x29x32", id="x"),
    pytest.param("29 X 29 X 32", id="capital-X-spaced"),
    pytest.param("29×29×32", id="times-sign"),
    pytest.param("29 × 29 × 32", id="times-sign-spaced"),
    pytest.param("29 * 29 * 32", id="star-as-many-as-expected"),
    pytest.param("(29, 29, 32)", id="tuple"),
    pytest.param("[29, 29, 32]", id="quoted-list"),
    pytest.param("29, 29, 32", id="bare-commas"),
    pytest.param("29; 29; 32", id="semicolons"),
    pytest.param("[29,29,32]", id="list-without-spaces"),
    pytest.param("[29, 29, 2*16]", id="element-expression"),
    pytest.param(["29", "2*14.5", "32"], id="yaml-list-of-expressions"),
]


@pytest.mark.parametrize("claim", SHAPES)
def test_a_shape_is_read_as_its_values(claim: Any) -> None:
    assert values(claim, 3) == SHAPE


@pytest.mark.parametrize("claim", SHAPES)
def test_a_shape_in_any_notation_is_graded_correct(claim: Any) -> None:
    assert graded("shape", claim).status is Status.CORRECT


@pytest.mark.parametrize("claim", [
    pytest.param("29x29x31", id="x"),
    pytest.param("29 × 30 × 32", id="times-sign"),
    pytest.param("(29, 29, 31)", id="tuple"),
    pytest.param("[28, 28, 32]", id="quoted-list"),
    pytest.param("29 * 29 * 3", id="star"),
])
def test_the_same_notation_with_a_wrong_value_is_wrong(claim: str) -> None:
    part = graded("shape", claim)
    assert part.status is Status.WRONG
    assert part.message.startswith("expected [29, 29, 32], got ")


def test_the_report_says_a_string_was_read_as_a_shape() -> None:
    assert graded("shape", "29x29x32").message == "read as the shape [29, 29, 32]"
    wrong = graded("shape", "29x29")
    assert wrong.message == "expected 3 values, found 2 (read as the shape [29, 29])"


def test_a_scalar_part_reads_the_same_string_as_a_product() -> None:
    # 1568 = 32 · 49 (by hand: 32 · 7 · 7): written with `x` it is a product where one count
    # is expected, and the report says so.
    assert values("32 x 7 x 7", None) == [1568.0]
    part = graded("count", "32 x 7 x 7")
    assert part.status is Status.CORRECT
    assert part.message == "read as the product 32 × 7 × 7"
    assert graded("count", "32 x 7 x 8").status is Status.WRONG  # 1792


def test_a_star_product_still_answers_a_one_element_shape() -> None:
    # [26912] is one value: `29*29*32` was and stays the product 26912 there.
    assert graded("flat", "29*29*32").status is Status.CORRECT
    assert graded("flat", "29*29*31").status is Status.WRONG


def test_a_quoted_one_element_list_is_the_vector() -> None:
    assert values("[26912]", 1) == [26912.0]
    assert graded("flat", "[26912]").status is Status.CORRECT
    assert graded("flat", "(26912)").status is Status.CORRECT
    wrong = graded("flat", "[26911]")
    # Off by 1: 1 / 26912 = 0.0037 %.
    assert wrong.status is Status.WRONG
    assert wrong.message == "expected [26912], got [26911]: off by 1 (0.0037 %)"


def test_a_shape_with_x_where_one_value_is_expected_is_a_shape_of_three() -> None:
    part = graded("flat", "29x29x32")
    assert part.status is Status.WRONG
    assert part.message == "expected 1 value, found 3 (read as the shape [29, 29, 32])"


@pytest.mark.parametrize("claim", [
    pytest.param("(None, 29, 29, 32)", id="keras-summary"),
    pytest.param("[None, 29, 29, 32]", id="brackets"),
    pytest.param([None, 29, 29, 32], id="yaml-null"),
])
def test_a_batch_axis_where_none_is_expected_is_a_named_mistake(claim: Any) -> None:
    part = graded("shape", claim)
    assert part.status is Status.WRONG
    assert part.message == "the sizes are right"
    assert part.mistakes == (BATCH_ADDED,)
    assert BATCH_ADDED == "the batch axis `None` is not part of this shape"


@pytest.mark.parametrize("claim", ["(None, 29, 29, 32)", [None, 29, 29, 32], "(none, 29,29,32)"])
def test_a_batch_axis_where_it_is_expected_is_correct(claim: Any) -> None:
    assert graded("keras", claim).status is Status.CORRECT


@pytest.mark.parametrize("claim", ["(29, 29, 32)", "29x29x32", [29, 29, 32]])
def test_a_batch_axis_left_out_where_it_is_expected_is_a_named_mistake(claim: Any) -> None:
    part = graded("keras", claim)
    assert part.status is Status.WRONG
    assert part.mistakes == (BATCH_MISSING,) and BATCH_MISSING == "the batch axis is missing"
    assert part.message.startswith("the sizes are right")


def test_a_batch_axis_and_a_wrong_size_are_both_reported() -> None:
    part = graded("shape", "(None, 29, 29, 31)")
    assert part.status is Status.WRONG
    # Off by 1 at the third value: 1 / 32 = 3.1 %.
    assert part.message == "expected [29, 29, 32], got [29, 29, 31]: off by 1 at value 3 (3.1 %)"
    # 31 = 32 - 1: the wrong size is also named, after the batch axis.
    assert part.mistakes == (BATCH_ADDED, "off by one at value 3 (one too few)")


def test_a_batch_axis_is_not_read_where_no_shape_is_asked() -> None:
    forward = {"id": "f", "given": {"net": {"kind": "network", "inputs": ["x"],
                                            "layers": [{"activation": "linear", "units": {
                                                "a": {"w": [2], "b": 0},
                                                "b": {"w": [3], "b": 0}}}]}},
               "parts": [{"id": "out", "ask": "forward", "network": "net", "input": {"x": 1}}]}
    # by hand: a = 2 · 1 = 2, b = 3 · 1 = 3
    assert graded("out", "(2, 3)", forward).status is Status.CORRECT
    assert graded("out", "2 x 3", forward).status is Status.CORRECT  # the vector [2, 3]
    star = graded("out", "2 * 3", forward)  # `*` splits a shape only: here it is 6
    assert star.status is Status.WRONG and star.message == "expected 2 values, found 1"
    batch = graded("out", "(None, 2, 3)", forward)  # `None` stays a value, not a batch axis
    assert batch.status is Status.WRONG and batch.mistakes == ()
    assert batch.message == "expected 2 values, found 3"


def test_the_expected_keras_shape_is_shown_with_its_batch_axis(tmp_path) -> None:
    problem = tmp_path / "conv.yaml"
    problem.write_text(json.dumps({**PROBLEM, "answers": {"keras": "(None, 29, 29, 32)",
                                                          "shape": "29 x 29 x 32"},
                                   "student": {"id": "s1"}}), encoding="utf-8")
    result = CliRunner().invoke(app, ["check", str(problem), "--format", "json"])
    data = json.loads(result.stdout)
    parts = {p["id"]: p for p in data["problems"][0]["parts"]}
    assert parts["keras"]["expected"] == [None, 29, 29, 32]
    assert parts["keras"]["status"] == "correct"
    assert parts["shape"]["status"] == "correct"
    assert parts["shape"]["message"] == "read as the shape [29, 29, 32]"
    assert parts["shape"]["claimed"] == "29 x 29 x 32"  # as written


def test_solve_writes_a_keras_shape_that_earns_full_marks(tmp_path) -> None:
    problem = tmp_path / "conv.yaml"
    problem.write_text(json.dumps(PROBLEM), encoding="utf-8")
    sheet = tmp_path / "sheets" / "key.yaml"
    sheet.parent.mkdir()
    solved = CliRunner().invoke(app, ["solve", str(problem), "--sheet", str(sheet)])
    assert solved.exit_code == 0, solved.output
    checked = CliRunner().invoke(app, ["check", str(sheet), "--problems", str(tmp_path),
                                       "--format", "json"])
    assert checked.exit_code == 0, checked.output
    assert "null" in sheet.read_text(encoding="utf-8")  # the batch axis, as YAML writes None
