"""Network equivalence: identities under random draws, and exact affine collapse."""

from __future__ import annotations

import numpy as np
import pytest

from conftest import context
from nncheck.compare.verdict import Status
from nncheck.solvers.equivalence import solve_equivalent

SOFTMAX2 = {
    "given": {"softmax2": {"kind": "network", "inputs": ["x"],
                           "layers": [{"activation": "softmax", "units": ["s1", "s2"]}]}},
    "parts": [{"id": "relation", "ask": "equivalent", "network": "softmax2", "output": "s2",
               "template": {"inputs": ["x"], "activation": "sigmoid", "layers": [["o"]]}}],
}

# B: 3→4→2 linear. Collapsed by hand: W = W2·W1, b = W2·b1 + b2.
#   y1 = h1 - h2 + 2·h4 = (x1 - x3 + 1) - (2·x2 + x3) + 2·(-x1 + 2·x3 + 0.5) = -x1 - 2·x2 + 2·x3 + 2
#   y2 = h2 + h3 - h4 - 1 = (2·x2 + x3) + (x1 + x2 + x3 - 1) - (-x1 + 2·x3 + 0.5) - 1
#      = 2·x1 + 3·x2 - 2.5
LINEAR = {
    "given": {
        "B": {"kind": "network", "inputs": ["x1", "x2", "x3"], "activation": "linear",
              "layers": [
                  {"h1": {"w": [1, 0, -1], "b": 1}, "h2": {"w": [0, 2, 1], "b": 0},
                   "h3": {"w": [1, 1, 1], "b": -1}, "h4": {"w": [-1, 0, 2], "b": 0.5}},
                  {"y1": {"w": [1, -1, 0, 2], "b": 0}, "y2": {"w": [0, 1, 1, -1], "b": -1}},
              ]},
        "A": {"kind": "network", "inputs": ["x1", "x2", "x3"], "activation": "linear",
              "layers": [["y1", "y2"]]},
    },
    "parts": [{"id": "collapse", "ask": "equivalent", "network": "B", "template": "A"}],
}
COLLAPSED = {"y1": {"w": [-1, -2, 2], "b": 2}, "y2": {"w": [2, 3, 0], "b": -2.5}}


def truth(data):
    ctx = context(data)
    return solve_equivalent(ctx.part, ctx)


def test_the_seed_relation_holds_for_every_draw():
    verdict = truth(SOFTMAX2).grade({"o": {"w": ["w_s2_x - w_s1_x"], "b": "b_s2 - b_s1"}})
    assert verdict.status is Status.CORRECT


def test_a_sign_flipped_relation_fails_and_shows_the_point():
    verdict = truth(SOFTMAX2).grade({"o": {"w": ["w_s1_x - w_s2_x"], "b": "b_s1 - b_s2"}})
    assert verdict.status is Status.WRONG
    assert verdict.message.startswith("at x = ")
    for name in ("w_s1_x", "b_s1", "w_s2_x", "b_s2"):
        assert f"{name} = " in verdict.message
    assert "the reference's s2 is" in verdict.message and "your o is" in verdict.message


def test_the_students_own_names_are_not_in_scope():
    verdict = truth(SOFTMAX2).grade({"o": {"w": ["w_o_x"], "b": 0}})
    assert verdict.status is Status.INVALID
    assert "unknown name `w_o_x`" in verdict.message


def test_the_hand_collapsed_linear_network_is_equivalent():
    assert truth(LINEAR).grade(COLLAPSED).status is Status.CORRECT


def test_a_collapse_that_forgets_the_first_bias_fails():
    # b = b2 alone, without W2·b1: y1's bias 0 (not 2), y2's -1 (not -2.5).
    forgot = {"y1": {"w": [-1, -2, 2], "b": 0}, "y2": {"w": [2, 3, 0], "b": -1}}
    verdict = truth(LINEAR).grade(forgot)
    assert verdict.status is Status.WRONG
    assert "the reference's y1 is" in verdict.message


def test_the_affine_collapse_names_the_coefficient_that_differs():
    from nncheck.compare.tolerance import Tolerance
    from nncheck.engine.design import fill
    from nncheck.engine.network import build
    from nncheck.solvers.equivalence import _affine_gap
    from nncheck.spec.network import NetworkSpec

    spec = {k: NetworkSpec.model_validate(v) for k, v in LINEAR["given"].items()}
    near = {"y1": {"w": [-1, -2, 2], "b": 2}, "y2": {"w": [2, 3, 0.0005], "b": -2.5}}
    point = {"x1": np.array([0.5]), "x2": np.array([1.0]), "x3": np.array([-1.0])}
    gap = _affine_gap(build(spec["B"]), "y2", fill(spec["A"], near), "y2", point, Tolerance())
    assert gap == "collapsed to one affine map, y2's weight of `x3` is 0.0005, not 0"


def test_the_key_of_a_concrete_linear_reference_is_its_collapse():
    key = truth(LINEAR).key()
    assert key == {"y1": {"w": [-1.0, -2.0, 2.0], "b": 2.0},
                   "y2": {"w": [2.0, 3.0, 0.0], "b": -2.5}}


def test_outputs_must_match_by_name_without_output():
    data = {**LINEAR, "given": {**LINEAR["given"], "A": {
        "kind": "network", "inputs": ["x1", "x2", "x3"], "activation": "linear",
        "layers": [["p", "q"]]}}}
    from nncheck.errors import ProblemError

    with pytest.raises(ProblemError, match="outputs are not the reference's"):
        truth(data)
