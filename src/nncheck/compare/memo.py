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


def exact_key(value: Any) -> str | None:
    """A written value as a hashable key that tells apart whatever the grader tells apart.

    The type of every value is part of the key, at every depth and for dict keys too: `111`
    and `"111"`, `1`, `1.0` and `true`, `0.0` and `-0.0`, a list and a tuple are different
    answers (JSON would write some of them alike). Key order is kept: it is part of what was
    written. None for a value of any other type: it is graded afresh, never memoised.

    The key is one string, a few characters a value (a class's memos hold thousands of them):
    each value is written as a tag and what follows it, so that its end can always be found,
    and two keys are equal only if the values are: `s<length>:<text>` a str, `i<hex>;` an int,
    `T`/`F` a bool, `n` None, `f<float.hex()>;` a float, `w<length>:<digits>` a float kept with
    the digits written, `l<count>[`/`t<count>[` a list/tuple and its items, `d<count>{` a dict
    and its keys and values in turn.
    """
    out: list[str] = []
    return "".join(out) if _written(value, out) else None


_SMALL = {i: f"i{i:x};" for i in range(-1, 256)}  # the keys of small ints, shared


def _written(value: Any, out: list[str]) -> bool:
    """Append the key of `value` to `out`; False for a value of a type the key does not know."""
    kind = type(value)
    if kind is str:
        out.append(f"s{len(value)}:{value}")
    elif kind is int:
        # hex: no limit on the digits of a long int; a small one's key made once
        out.append(_SMALL[value] if -1 <= value <= 255 else f"i{value:x};")
    elif kind is float:
        out.append(f"f{value.hex()};")  # -0.0 and 0.0 differ; every NaN is one key
    elif kind is bool:
        out.append("T" if value else "F")
    elif value is None:
        out.append("n")
    elif kind is WrittenFloat:  # `18014398509481985.0`: its digits, not its float64, tell it
        out.append(f"w{len(value.text)}:{value.text}")
    elif kind is list or kind is tuple:
        out.append(f"{'l' if kind is list else 't'}{len(value)}[")
        for v in value:
            if not _written(v, out):
                return False
    elif kind is dict:
        out.append(f"d{len(value)}{{")
        for k, v in value.items():
            if not (_written(k, out) and _written(v, out)):
                return False
    else:
        return False
    return True


def written_key(value: Any) -> Any:
    """`exact_key`'s distinctions, made faster for plain data: the value as marshal's version-2
    bytes, which write the exact type of every value (dict keys too, `True` apart from `1`,
    `-0.0` apart from `0.0`, a list apart from a tuple) and keep key order, with no references
    between equal objects (version 3 added them); equal bytes read back as the same value. A
    value marshal does not write (a `WrittenFloat`, any other subclass) is keyed by
    `exact_key`, whose strings never equal bytes. None: it cannot be keyed."""
    try:
        return marshal.dumps(value, 2)
    except ValueError:
        return exact_key(value)
