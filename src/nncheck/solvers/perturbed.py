"""Which of several named mistakes an answer about a layer model most likely made.

When a wrong count or shape matches more than one mistake of the catalogue, the most specific
comes first (docs/format.md, "When several mistakes match"):

1. The answer's structure. For a model of concrete sizes, every size the model writes as a
   number of at least SMALLEST is changed (n -> 2n + 1, then n -> 3n + 2) and the answer is read
   again with each integer in it that equals such a size changed the same way. A mistake that
   still gives the re-read answer at a changed size explains how the answer was built; one that
   matched only because two conventions give the same number at the given sizes does not. The
   more changed sizes a mistake explains, the earlier it comes. An answer with no size in it
   (a bare 9408) explains no mistake this way, and the next rule decides.
2. The mistake's reach: one that can be made on fewer kinds of layer (the GRU's single bias
   vector: GRU layers only) comes before one that can be made on any layer (one bias per input).
3. The catalogue's order.

A symbolic model needs no first rule: its answers are already compared at eight drawn sizes,
where a coincidence does not survive.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Protocol

from nncheck.errors import AnswerError, ExprError, ProblemError

# Sizes below this are left alone: 1 to 4 are also the counts an answer multiplies by (gates,
# bias vectors, directions), so an answer's 3 may not be a kernel's 3.
SMALLEST = 5
PERTURBATIONS: tuple[Callable[[int], int], ...] = (lambda n: 2 * n + 1, lambda n: 3 * n + 2)

# A number as written: an integer in it is changed only when written on its own (not `1.5`,
# `9,408`, `1e32` or part of a name such as `w32`; `x` between sizes is a product: `29x29x32`).
_NUMBER = re.compile(r"[0-9]+(?:[.,][0-9]+)*(?:[eE][+-]?[0-9]+)?")
_NAME_CHARS = re.compile(r"[^\W0-9xX]")

Resize = Callable[[int], int]  # a size written as a number -> the size used instead


class Resized(Protocol):
    """A count or shape at some sizes, the sizes written as numbers changed by `resize`."""

    def __call__(self, sizes: Mapping[str, int],
                 resize: Resize | None = None) -> tuple[int, ...]: ...


@dataclass(frozen=True)
class Candidate:
    """A named mistake of the catalogue: how it counts at changed sizes, and how many kinds of
    layer it can be made on."""

    name: str
    measure: Resized
    reach: int


def ranker(truth: Resized, candidates: Sequence[Candidate], concrete: bool
           ) -> Callable[[Any, Sequence[str]], tuple[str, ...]]:
    """A function that orders the mistakes a claim matched, most specific first (names not in
    the catalogue, instructor hints, keep their place after the catalogue's)."""
    by_name = {c.name: (k, c) for k, c in enumerate(candidates)}

    def order(claimed: Any, matched: Sequence[str]) -> tuple[str, ...]:
        ours = [name for name in matched if name in by_name]
        rest = [name for name in matched if name not in by_name]
        if len(ours) < 2:
            return tuple(ours + rest)
        hits = dict.fromkeys(ours, 0)
        if concrete:
            for change in PERTURBATIONS:
                for name in explained(truth, [by_name[n][1] for n in ours], claimed, change):
                    hits[name] += 1
        ours.sort(key=lambda n: (-hits[n], by_name[n][1].reach, by_name[n][0]))
        return tuple(ours + rest)

    return order


def explained(truth: Resized, candidates: Sequence[Candidate], claimed: Any,
              change: Callable[[int], int]) -> list[str]:
    """The candidates that give the claim, re-read at sizes changed by `change`."""
    sizes: set[int] = set()

    def resize(n: int) -> int:
        if n < SMALLEST:
            return n
        sizes.add(n)
        return change(n)

    try:
        truth({}, resize)  # which sizes the model writes as numbers
        reread = _reread(claimed, {n: change(n) for n in sizes})
    except (ProblemError, AnswerError, ExprError):
        return []
    if reread is None:
        return []
    found = []
    for candidate in candidates:
        try:
            if candidate.measure({}, resize) == reread:
                found.append(candidate.name)
        except ProblemError:
            continue
    return found


def _reread(claimed: Any, changed: Mapping[int, int]) -> tuple[int, ...] | None:
    """The claim with every integer that equals a changed size changed, evaluated; None when
    the claim names no such size (or does not give whole numbers)."""
    from nncheck.compare.numeric import read_exprs

    items = claimed if isinstance(claimed, list) else [claimed]
    if any(isinstance(item, bool) or not isinstance(item, (int, str)) for item in items):
        return None
    swapped = [_swap_sizes(str(item), changed) for item in items]
    if not any(touched for _, touched in swapped):
        return None
    texts = [text for text, _ in swapped]
    values = []
    for e in read_exprs(texts if isinstance(claimed, list) else texts[0]):
        value = float(e.evaluate({}))
        if not value.is_integer():
            return None
        values.append(int(value))
    return tuple(values)


def _swap_sizes(text: str, changed: Mapping[int, int]) -> tuple[str, bool]:
    """The text with each integer written on its own that `changed` maps replaced."""
    touched = False

    def swap(found: re.Match[str]) -> str:
        nonlocal touched
        word, start, end = found.group(), found.start(), found.end()
        before = text[start - 1] if start else " "
        after = text[end] if end < len(text) else " "
        if not word.isdigit() or _NAME_CHARS.match(before) or _NAME_CHARS.match(after):
            return word
        if int(word) in changed:
            touched = True
            return str(changed[int(word)])
        return word

    return _NUMBER.sub(swap, text), touched
