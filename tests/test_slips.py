"""Named numeric slips, found for every numeric ask after the solver's own catalogue.

Each slip is named on a concrete part, with its arithmetic written out.
"""

from __future__ import annotations

import numpy as np
import pytest

from conftest import make_problem
from nncheck.compare.numeric import Known, NumericTruth
from nncheck.compare.verdict import Status
from nncheck.grading import Bank, LoadedProblem, grade_sheet

# y = 2·x1 - x2 + 0.5 (a linear unit). At x = (1, 3): y = 2 - 3 + 0.5 = -0.5.
# At x = (0.1234, 0): y = 0.2468 + 0.5 = 0.7468.
NET = {"kind": "network", "inputs": ["x1", "x2"], "activation": "linear",
       "layers": [{"y": {"w": [2, -1], "b": 0.5}}]}

# Two dense models: a: 8·4 + 4 = 36 parameters; b: 4·2 + 2 = 10.
MODELS = {"a": {"kind": "model", "input": [8], "layers": [{"dense": 4}]},
          "b": {"kind": "model", "input": [4], "layers": [{"dense": 2}]},
          # 28×28×3 through 16 filters of 3×3, valid padding: 26×26×16.
          "c": {"kind": "model", "input": [28, 28, 3],
                "layers": [{"conv2d": {"filters": 16, "kernel": 3}}]}}


def bank(parts: list[dict], given: dict, **problem) -> Bank:
    made = make_problem({"id": "p", "given": given, "parts": parts, **problem})
    return Bank({"p": LoadedProblem(made, "p.yaml")})


def graded(b: Bank, answers: dict, part: str):
    result = grade_sheet(b, {"p": answers})
    return next(p for p in result.problems[0].parts if p.id == part)


FORWARD = [{"id": "y", "ask": "forward", "network": "net", "input": {"x1": 1, "x2": 3}}]


@pytest.mark.parametrize(
    ("claim", "slip"),
    [
        pytest.param(0.5, "sign flipped", id="sign"),  # -(-0.5)
        pytest.param(-5, "off by a power of ten (×10)", id="times-10"),  # -0.5 · 10
        pytest.param(-0.005, "off by a power of ten (÷100)", id="over-100"),  # -0.5 / 100
        pytest.param(-2, "reciprocal of the answer", id="reciprocal"),  # 1 / -0.5
    ],
)
def test_a_slip_of_a_real_value_is_named(claim, slip):
    part = graded(bank(FORWARD, {"net": NET}), {"y": claim}, "y")
    assert part.status is Status.WRONG
    assert part.mistakes == (slip,)
    assert part.points == 0


def test_rounded_too_early_is_a_few_tolerances_out():
    # 0.7468 within 1 % is 0.7468 ± 0.007468. 0.76 is 0.0132 off (1.8 %): out, but within
    # five tolerances (0.03734); 0.8 is 0.0532 off (7.1 %): more than five.
    parts = [{"id": "y", "ask": "forward", "network": "net", "input": {"x1": 0.1234, "x2": 0}}]
    b = bank(parts, {"net": NET})
    assert graded(b, {"y": 0.75}, "y").status is Status.CORRECT  # 0.43 % off
    assert graded(b, {"y": 0.76}, "y").mistakes == ("rounded too early",)
    assert graded(b, {"y": 0.8}, "y").mistakes == ()


def test_rounded_too_early_with_rounded_grading_is_the_last_digit_one_off():
    # 0.0351 at 2 decimals is 0.04; 0.05 and 0.03 are one unit of the second decimal off.
    parts = [{"id": "a", "ask": "formula", "reference": "0.0351",
              "tolerance": {"rounded": True, "min_decimals": 2}}]
    b = bank(parts, {})
    assert graded(b, {"a": 0.05}, "a").mistakes == ("rounded too early",)
    assert graded(b, {"a": 0.03}, "a").mistakes == ("rounded too early",)
    assert graded(b, {"a": 0.07}, "a").mistakes == ()  # three units off


PARAMS = [{"id": "pa", "ask": "param_count", "model": "a"},
          {"id": "pb", "ask": "param_count", "model": "b"},
          {"id": "shape", "ask": "output_shape", "model": "c"}]


def test_the_answer_to_a_neighbouring_part_is_named():
    # pa asks for model a's 36 parameters; 10 is model b's count, the answer to part pb.
    part = graded(bank(PARAMS, MODELS), {"pa": 10}, "pa")
    assert part.status is Status.WRONG
    assert part.mistakes == ("the answer to part `pb`",)


@pytest.mark.parametrize(
    ("claim", "slip"),
    [
        pytest.param(37, "off by one (one too many)", id="one-too-many"),  # 36 + 1
        pytest.param(35, "off by one (one too few)", id="one-too-few"),  # 36 - 1
        pytest.param(360, "off by a power of ten (×10)", id="times-10"),  # 36 · 10
    ],
)
def test_a_count_off_by_one_or_by_ten_is_named(claim, slip):
    part = graded(bank(PARAMS, MODELS), {"pa": claim}, "pa")
    assert part.mistakes == (slip,)


def test_a_shape_off_by_one_is_named():
    b = bank(PARAMS, MODELS)
    # (28 - 3)/1 + 1 = 26, written 27: height and width one too many.
    off = graded(b, {"shape": [27, 27, 16]}, "shape")
    assert off.mistakes == ("off by one at value 1, value 2 (one too many)",)
    # [26, 26, 16] written from the last axis to the first is also channels first: the
    # solver's catalogue names it, and the slip is not said twice.
    backwards = graded(b, {"shape": [16, 26, 26]}, "shape")
    assert backwards.mistakes == ("channels first and channels last swapped",)


def test_a_vector_in_reverse_order_is_named():
    # [0.5, 1.5, 2.5] read backwards is [2.5, 1.5, 0.5].
    truth = NumericTruth(expected=[0.5, 1.5, 2.5], values=np.array([[0.5, 1.5, 2.5]]),
                         vector=True)
    assert truth.grade([2.5, 1.5, 0.5]).mistakes == ("the values in reverse order",)


def test_a_transposed_matrix_is_named():
    # The gradient of a 2×2 weight matrix, w11 w12 w21 w22 = 1 2 3 4; transposed, the
    # list in the same label order reads w11 w21 w12 w22 = 1 3 2 4.
    truth = NumericTruth(expected=[1, 2, 3, 4], values=np.array([[1.0, 2.0, 3.0, 4.0]]),
                         vector=True, labels=["w11", "w12", "w21", "w22"])
    verdict = truth.grade([1, 3, 2, 4])
    assert verdict.status is Status.WRONG
    assert verdict.mistakes == ("the matrix transposed",)


def test_a_slip_never_repeats_the_catalogue_nor_gives_credit():
    # The catalogue already names -0.5's sign flip (with credit): the slip adds nothing.
    truth = NumericTruth(expected=-0.5, values=np.array([-0.5]),
                         known=(Known("a catalogued sign error", np.array([0.5]), 0.5),))
    verdict = truth.grade(0.5)
    assert verdict.mistakes == ("a catalogued sign error",)
    assert verdict.fraction == 0.5
    # A slip alone never gives credit: -5 is ten times the truth.
    assert truth.grade(-5).fraction == 0


def test_a_slip_that_gives_the_truth_is_no_slip():
    # For a truth of 1, its reciprocal is 1 and ten times less is 0.1: 1 is right, and
    # 0.1 is named only as a power of ten.
    truth = NumericTruth(expected=1, values=np.array([1.0]))
    assert truth.grade(1).status is Status.CORRECT
    assert truth.grade(0.1).mistakes == ("off by a power of ten (÷10)",)
