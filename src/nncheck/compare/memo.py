"""Verdicts remembered across the sheets of a class, keyed by the answer exactly as written.

Grading is deterministic, and a class repeats few distinct answers: a truth grades each
distinct claim once. Two claims share a verdict only if the grader cannot tell them apart:
same types at every depth (dict keys included), same values, same key order.
"""

from __future__ import annotations

import marshal
from dataclasses import dataclass, field
from typing import Any

from nncheck.compare.verdict import Truth, Verdict
from nncheck.written import WrittenFloat

__all__ = ["MEMO_LIMIT", "Remembered", "exact_key", "written_key"]

MEMO_LIMIT = 4096  # verdicts remembered per truth: a class repeats few distinct answers


@dataclass
class Remembered:
    """A truth and the verdicts it gave, one per distinct written claim."""

    truth: Truth
    verdicts: dict[Any, Verdict] = field(default_factory=dict, repr=False)

    def grade(self, claimed: Any) -> Verdict:
        """The truth's verdict on a claim, computed once per distinct written value."""
        memo = exact_key(claimed)
        if memo is None:
            return self.truth.grade(claimed)
        verdict = self.verdicts.get(memo)
        if verdict is None:
            verdict = self.truth.grade(claimed)
            if len(self.verdicts) < MEMO_LIMIT:
                self.verdicts[memo] = verdict
        return verdict


_TAGS: dict[type, str] = {bool: "b", int: "i", str: "s", type(None): "n"}


def exact_key(value: Any) -> Any:
    """A written value as a hashable key that tells apart whatever the grader tells apart.

    The type of every value is part of the key, at every depth and for dict keys too: `111`
    and `"111"`, `1`, `1.0` and `true`, `0.0` and `-0.0`, a list and a tuple are different
    answers (JSON would write some of them alike). Key order is kept: it is part of what was
    written. None for a value of any other type: it is graded afresh, never memoised.
    """
    kind = type(value)
    tag = _TAGS.get(kind)
    if tag is not None:
        return (tag, value)
    if kind is float:
        return ("f", value.hex())  # -0.0 and 0.0 differ; every NaN is one key
    if kind is WrittenFloat:  # `18014398509481985.0`: its digits, not its float64, tell it
        return ("w", value.text)
    if kind is list or kind is tuple:
        items = tuple(exact_key(v) for v in value)
        return None if None in items else ("l" if kind is list else "t", items)
    if kind is dict:
        pairs = tuple((exact_key(k), exact_key(v)) for k, v in value.items())
        if any(k is None or v is None for k, v in pairs):
            return None
        return ("d", pairs)
    return None


def written_key(value: Any) -> Any:
    """`exact_key`'s distinctions, made faster for plain data: the value as marshal's version-2
    bytes, which write the exact type of every value (dict keys too, `True` apart from `1`,
    `-0.0` apart from `0.0`, a list apart from a tuple) and keep key order, with no references
    between equal objects (version 3 added them); equal bytes read back as the same value. A
    value marshal does not write (a `WrittenFloat`, any other subclass) is keyed by
    `exact_key`, whose tuples never equal bytes. None: it cannot be keyed."""
    try:
        return marshal.dumps(value, 2)
    except ValueError:
        return exact_key(value)
