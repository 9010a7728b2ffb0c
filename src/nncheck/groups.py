"""Answer groups: the students of a class who gave one answer to one part, scored once.

Every answer of a manual part, and every wrong or unreadable answer of a part graded here, is
normalised, and the answers that normalise alike form a group. What counts as alike:

- a number is its exact value: `0.5`, `0.50`, `"0.5"`, `5e-1`, `50%` and `1/2` are one answer
  (`1` and `1.0` too), and so is any expression of numbers alone (engine/exact);
- an expression or a vector is its text as the grader reads it (compare/notation: thousands
  separators, superscript powers, percentages, a leading `≈`; a sheet's decimal commas are
  read before), with `×`, `·` and `⋅` as `*` and `−` as `-`, and without the spaces next to
  an operator or a bracket: `2n + 2` and `2n+2` are one answer, `W` and `w` are not, nor are
  `x y` and `xy`, `0.5 1` and `0.51` (a space between two names or numbers is kept);
- a table or a design (a mapping) is its values by key, whatever the order of the keys; a cell
  or column written in bits (`0001 0110`) is its bits as written, not a number;
- the text of a manual part is compared without case, quotes, extra spaces or the sentence's
  final `.`, `!` or `?`: `Zero gradient.` and `zero   gradient` are one answer, but every
  other character counts (`dL/dw = -0.5`, `dL/dw = 0.5` and `dL/dw = 0,5` are three);
- a part graded against the student's own earlier answers (error carried forward) is also
  keyed by those answers: one table given for two different designs is two answers.

A group's key is the first 16 hex digits of the SHA-256 of its problem, part and normalised
answer (then the normalised answers it depends on, if any): the same on every run and every
machine, so scores set on a group survive a new run of `nncheck review` after more sheets
arrive. Pure: no disk, no numpy.
"""

from __future__ import annotations

import hashlib
import json
import re
import unicodedata
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from fractions import Fraction
from typing import Any

from nncheck.compare import notation
from nncheck.engine import exact as _exact
from nncheck.errors import AnswerError, ExprError

__all__ = ["GROUPED", "Answer", "Group", "answer_key", "build", "merge", "normalise"]

GROUPED = frozenset({"wrong", "invalid", "pending"})  # statuses whose answers are grouped
_TIMES = str.maketrans({"×": "*", "·": "*", "⋅": "*", "∗": "*", "−": "-"})
_SPACE = re.compile(r"\s+")
# A space next to anything but a letter, digit or point joins nothing: `2n + 2` is `2n+2`.
_LOOSE_SPACE = re.compile(r"\s+(?=[^\w.])|(?<=[^\w.\s])\s+")
_BITS = re.compile(r"^[01](?:\s*[01])+$")  # a table's column or cell in bits: `0001 0110`
_QUOTES = str.maketrans("", "", "\"'`\u2018\u2019\u201c\u201d\u00ab\u00bb\u2039\u203a")


@dataclass(frozen=True)
class Answer:
    """One student's answer to one part, as a class run graded it."""

    student: str
    problem: str
    part: str
    ask: str
    status: str
    claimed: Any
    variant: int | None = None  # the problem's variant, for a problem that varies
    key: str | None = None  # the group key as grading computed it (grading.PartResult.group)


@dataclass(frozen=True)
class Group:
    """The students who gave one (normalised) answer to one part."""

    key: str
    problem: str
    part: str
    status: str
    answer: Any  # as the first student (in report order) wrote it
    students: tuple[str, ...]
    points: float | None = None
    comment: str | None = None


def normalise(claimed: Any, *, free_text: bool = False, _cell: bool = False) -> Any:
    """An answer as grouping compares it (the module's docstring says how); `free_text` for
    the answer of a manual part."""
    if isinstance(claimed, bool) or claimed is None:
        return claimed
    if isinstance(claimed, (int, float)):
        return _number(claimed)
    if isinstance(claimed, str):
        if free_text:
            return _text(claimed)
        if _cell and _BITS.match(claimed.strip()):
            return "bits:" + "".join(claimed.split())  # as the table reader reads a column
        return _expression(claimed)
    if isinstance(claimed, (list, tuple)):
        return [normalise(v, free_text=free_text, _cell=_cell) for v in claimed]
    if isinstance(claimed, Mapping):
        return {str(k): normalise(v, free_text=free_text, _cell=True)
                for k, v in claimed.items()}
    return str(claimed)


def answer_key(problem: str, part: str, claimed: Any, *, free_text: bool = False,
               variant: int | None = None, given: Mapping[str, Any] | None = None) -> str:
    """The stable key of an answer's group: 16 hex digits of a SHA-256. For a problem that
    varies, the variant is part of it: one answer to two variants is two answers. `given`:
    the student's own earlier answers the part is graded against (part id -> answer), part
    of the key too: one answer on two different earlier answers is two answers."""
    where: list[Any] = [problem, part] if variant is None else [problem, part, variant]
    answer = [normalise(claimed, free_text=free_text)]
    if given:
        answer.append({str(k): normalise(v) for k, v in given.items()})
    text = json.dumps([*where, *answer],
                      sort_keys=True, ensure_ascii=False, default=str)
    return hashlib.sha256(text.encode("utf-8", errors="surrogatepass")).hexdigest()[:16]


def build(answers: Iterable[Answer], parts: Sequence[tuple[str, str]]) -> list[Group]:
    """The groups of a class's answers: parts in `parts` order (problem id, part id), in each
    the largest group first (ties: the group whose first student comes first). Only answers
    whose status is wrong, invalid or pending are grouped; answers come in report order."""
    found: dict[tuple[str, str], dict[str, list[Answer]]] = {}
    for a in answers:
        if a.status not in GROUPED:
            continue
        key = a.key or answer_key(a.problem, a.part, a.claimed, free_text=a.ask == "manual",
                                  variant=a.variant)
        found.setdefault((a.problem, a.part), {}).setdefault(key, []).append(a)
    out = []
    for where in parts:
        by_key = found.get(where, {})
        ranked = sorted(by_key.items(), key=lambda kv: -len(kv[1]))  # stable: first seen first
        for key, members in ranked:
            first = members[0]
            status = first.status if all(m.status == first.status for m in members) else "wrong"
            out.append(Group(key, first.problem, first.part, status, first.claimed,
                             tuple(m.student for m in members)))
    return out


def merge(new: Sequence[Group], old: Sequence[Group]) -> list[Group]:
    """New groups with the points and comments already set on the same keys kept; an old group
    no answer has now is kept too (after the others), as it was: nothing set is lost."""
    kept = {(g.problem, g.part, g.key): g for g in old}
    out = []
    for g in new:
        before = kept.pop((g.problem, g.part, g.key), None)
        out.append(g if before is None else replace(g, points=before.points,
                                                     comment=before.comment))
    return out + list(kept.values())


def _number(value: float) -> Any:
    exact = _exact.number(value)
    return str(float(value)) if exact is None else _fraction(exact)


def _fraction(value: Fraction) -> str:
    """A value as one text for every way of writing it: `1/2` for 0.5, `5e-1` and `50%`."""
    return str(value.numerator) if value.denominator == 1 else \
        f"{value.numerator}/{value.denominator}"


def _expression(text: str) -> Any:
    try:
        items = notation.read(text).items
        read = items[0] if len(items) == 1 and isinstance(items[0], str) else text
    except (AnswerError, ExprError):
        read = text
    # After the reading: NFKC would turn a superscript power `10⁻³` into `10-3`.
    read = _SPACE.sub(" ", unicodedata.normalize("NFKC", read).translate(_TIMES)).strip()
    read = _LOOSE_SPACE.sub("", read)
    try:
        exact = _exact.rational(read)  # numbers only, `+ - * / ^`: None where a name is
    except (AnswerError, ExprError):
        exact = None
    return read if exact is None else _fraction(exact)


def _text(text: str) -> str:
    """Free text without case, quotes, runs of spaces (or other invisible characters) and
    the sentence's final `.`, `!` or `?`; every other character counts: `-0.5` is not `0.5`,
    nor `1/2` `1.2`."""
    text = unicodedata.normalize("NFKC", text).casefold().translate(_QUOTES)
    kept = "".join(" " if unicodedata.category(ch)[0] in "ZC" else ch for ch in text)
    return " ".join(kept.split()).rstrip(".!? ")
