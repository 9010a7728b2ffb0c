"""A hint's `when:` predicate: an expression over the claim and the truth (docs/format.md).

A predicate is written in the expression language (`expr.py`: comparisons, `and`, `or`, `not`,
`abs`, ...), never Python, and may name only:

- `claim`: the student's value, `truth`: the true value, at the same point and element;
- `tol`: how far the claim may be from the truth and still be right there (the part's
  tolerance as an absolute bound: rel × |truth| or abs, whichever is larger; under sigfigs, half
  a unit in the last significant figure; 1e-9 for an exact count or shape).

It is evaluated element by element (a vector's elements, a formula's points) and holds when it
is true (non-zero) at every one. A predicate whose evaluation fails (an overflow, a division by
zero) does not hold. It is read when the problem file is: at most MAX_LENGTH characters and
MAX_NESTING parentheses deep, it must read `claim` (else it would say the same of every answer),
and it cannot name anything else, so it cannot be slow (its work is its length times the
elements) or refer to itself.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from nncheck import expr
from nncheck.errors import ExprError

if TYPE_CHECKING:
    import numpy as np

    from nncheck.compare.tolerance import Tolerance

NAMES = ("claim", "truth", "tol")
MAX_LENGTH = 200
MAX_NESTING = 12  # parentheses, brackets and braces, however deep


def parse(text: Any) -> expr.Expr:
    """A predicate read and checked (raises ValueError with what is wrong)."""
    if not isinstance(text, str):
        raise ValueError("a predicate is a string, such as \"claim > truth\"")
    if len(text) > MAX_LENGTH:
        raise ValueError(f"a predicate is at most {MAX_LENGTH} characters, found {len(text)}")
    depth = deepest = 0
    for char in text:
        depth += (char in "([{") - (char in ")]}")
        deepest = max(deepest, depth)
    if deepest > MAX_NESTING:
        raise ValueError(f"a predicate is at most {MAX_NESTING} parentheses deep, found "
                         f"{deepest}")
    try:
        parsed = expr.parse(text)
    except ExprError as exc:
        raise ValueError(f"predicate `{text}`: {exc}") from None
    unknown = sorted(parsed.names - set(NAMES))
    if unknown:
        raise ValueError(f"predicate `{text}` names `{unknown[0]}` — a predicate may name only "
                         "`claim`, `truth` and `tol`")
    if "claim" not in parsed.names:
        raise ValueError(f"predicate `{text}` does not read `claim`, so it would say the same "
                         "of every answer")
    return parsed


def bound(tolerance: Tolerance, truth: np.ndarray) -> np.ndarray:
    """`tol`: the part's tolerance at each truth, as an absolute bound."""
    import numpy as np

    return np.asarray(tolerance.bound(np.asarray(truth, dtype=float)), dtype=float)


def holds(predicate: expr.Expr, claim: np.ndarray, truth: np.ndarray,
          tolerance: Tolerance) -> bool:
    """Whether the predicate is true at every element (False where it cannot be evaluated)."""
    import numpy as np

    c = np.asarray(claim, dtype=float).ravel()
    t = np.broadcast_to(np.asarray(truth, dtype=float), np.shape(claim)).ravel()
    if c.size == 0 or not (np.isfinite(c).all() and np.isfinite(t).all()):
        return False
    try:
        value = predicate.evaluate({"claim": c, "truth": t, "tol": bound(tolerance, t)})
    except ExprError:
        return False
    return bool(np.all(np.asarray(value) != 0))
