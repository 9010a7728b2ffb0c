"""Numbers of a problem read as arrays: a number as written is taken as is, an expression is
evaluated, and the message of a bad value names the part and the key it is under."""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from nncheck import expr
from nncheck.errors import ExprError, ProblemError
from nncheck.solvers.context import Context
from nncheck.written import WrittenFloat


def read_array(ctx: Context, value: Any, key: str, *, ndim: tuple[int, ...]) -> np.ndarray:
    """The numbers of `key` (inline, or a name of `given`) as a float array of one of the
    allowed numbers of dimensions; every value finite."""
    if isinstance(value, str) and value in ctx.problem.given:
        value = ctx.problem.given[value]
    try:
        arr = np.asarray(_floats(value), dtype=float)
    except (ExprError, ValueError, TypeError) as exc:
        raise ProblemError(f"part `{ctx.part.id}`: `{key}` cannot be read as numbers: {exc}",
                           expected=_shapes(ndim)) from None
    if arr.ndim not in ndim:
        raise ProblemError(f"part `{ctx.part.id}`: `{key}` has {arr.ndim} dimensions",
                           expected=_shapes(ndim))
    if arr.size == 0:
        raise ProblemError(f"part `{ctx.part.id}`: `{key}` is empty",
                           expected="at least one value")
    if not np.all(np.isfinite(arr)):
        raise ProblemError(f"part `{ctx.part.id}`: `{key}` holds a number that is not finite",
                           expected="finite numbers")
    return arr


def read_number(ctx: Context, value: Any, key: str) -> float:
    """One finite number of the part (a number, or an expression that evaluates to one)."""
    return float(read_array(ctx, value, key, ndim=(0,)))


def _shapes(ndim: tuple[int, ...]) -> str:
    words = {0: "a number", 1: "a vector", 2: "a matrix (a list of rows of equal length)"}
    return " or ".join(words[n] for n in ndim)


_FLOATS = {float, WrittenFloat}


def _floats(value: Any) -> Any:
    # Numbers as written are the common case (and a long gradient list is many of them): they
    # skip the expression parser.
    if isinstance(value, list):
        if set(map(type, value)) <= _FLOATS:
            return value  # floats as they are: numpy reads them
        return [_floats(v) for v in value]
    if isinstance(value, bool) or value is None or isinstance(value, dict):
        raise ValueError(f"{value!r} is not a number")
    if isinstance(value, (int, float)):
        if isinstance(value, int) and abs(value) > 2**1023:
            return math.inf
        return float(value)
    return float(expr.parse(value).evaluate({}))
