"""A vector answered with plain YAML numbers is graded without reading each number as an
expression, and gets exactly the verdict the expression reader gives the same numbers."""

from __future__ import annotations

import numpy as np
import pytest

from nncheck.compare.numeric import Known, NumericTruth
from nncheck.compare.tolerance import Tolerance

TRUTH = NumericTruth(
    expected=[0.25, -1.5, 3.0],
    values=np.array([[0.25, -1.5, 3.0]]),
    vector=True,
    known=(Known("the sign of every element flipped", np.array([[-0.25, 1.5, -3.0]])),),
    labels=["w1", "w2", "b"],
)


@pytest.mark.parametrize("claim", [
    [0.25, -1.5, 3.0],              # the truth
    [0.2501, -1.5, 3],              # within 1 %: 0.0001 / 0.25 = 0.04 %
    [0.26, -1.5, 3.0],              # 4 % off at w1
    [-0.25, 1.5, -3.0],             # the named mistake
    [float("inf"), -1.5, 3.0],      # inf is read as inf by the reader too
    [10**30, 0, 1],                 # a large integer, as a float64
    [0.25, -1.5],                   # too short: the reader says so
    [0.25, float("nan"), 3.0],      # NaN: the reader refuses it
    [True, -1.5, 3.0],              # a boolean is not a number
])
def test_plain_numbers_get_the_readers_verdict(claim, monkeypatch):
    fast = TRUTH.grade(claim)
    # Without the shortcut, each element goes through the notation reader and the parser.
    monkeypatch.setattr(NumericTruth, "_plain_vector", lambda self, claimed: None)
    slow = TRUTH.grade(claim)
    assert (fast.status, fast.fraction, fast.mistakes) == (slow.status, slow.fraction,
                                                           slow.mistakes)
    assert fast.message == slow.message


def test_the_fast_path_is_taken_only_where_it_reads_alike():
    assert TRUTH._plain_vector([0.25, -1.5, 3.0]) is not None
    assert TRUTH._plain_vector(["0.25", -1.5, 3.0]) is None       # text: the reader decides
    assert TRUTH._plain_vector([0.25, float("nan"), 3.0]) is None
    rounded = NumericTruth(expected=[0.25], values=np.array([[0.25]]), vector=True,
                           tolerance=Tolerance(rounded=True, min_sigfigs=2))
    assert rounded._plain_vector([0.25]) is None                  # digits as written count
