"""A sheet's report fragments remembered across the sheets of a class, per problem.

A class repeats few distinct answers, and the truths remember one verdict per distinct answer
(`compare.memo`): most problems of most sheets come out graded exactly as on an earlier sheet.
Such a problem's results.jsonl object, feedback lines and Gradescope tests are made once and
looked up after. Two problems share their fragments only if nothing the renderers read can
tell them apart: every string, number and claim is keyed by `memo.exact_key` (type at every
depth); an expected value and a verdict's detail by identity (the truths and their verdicts
are remembered, so a repeated answer brings back the same objects, and the entry keeps them
alive, so that no other object can take their identity). A problem with a claim that cannot be
keyed is rendered afresh, never remembered.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from nncheck.compare.memo import exact_key
from nncheck.grading import PartResult, ProblemResult

__all__ = ["FRAGMENT_CHARS", "FRAGMENT_LIMIT", "Fragments", "once", "problem_key"]

FRAGMENT_LIMIT = 1024  # distinct graded problems remembered in a run; then made afresh
FRAGMENT_CHARS = 2_000_000  # characters of text remembered at most (a diff of a large table
# in every feedback is long): past it, nothing more is remembered

T = TypeVar("T")


class Fragments:
    """Fragments made once per distinct graded problem (and whatever else they are made of)."""

    def __init__(self, limit: int = FRAGMENT_LIMIT, chars: int = FRAGMENT_CHARS) -> None:
        self.limit = limit
        self.chars = chars  # what is left of the characters that may be remembered
        self._new: dict[Any, Any] | None = None  # the entry `of` made last, not yet weighed
        # problem key → (the problem, kept alive for its identities; its fragments by kind)
        self._made: dict[Any, tuple[ProblemResult, dict[Any, Any]]] = {}

    def __len__(self) -> int:
        return len(self._made)

    def of(self, problem: ProblemResult) -> dict[Any, Any]:
        """The fragments made so far of a problem graded exactly like `problem`, by kind (a
        kind names all else a fragment is made of): fill it with what is missing. Empty and
        not remembered when the problem cannot be keyed, or the limit is reached."""
        key = problem_key(problem)
        if key is None:
            return {}
        found = self._made.get(key)
        if found is not None:
            return found[1]
        made: dict[Any, Any] = {}
        if len(self._made) < self.limit and self.chars > 0:
            self._made[key] = (problem, made)
            self._new = made
        return made

    def weigh(self, made: dict[Any, Any], chars: int) -> None:
        """Count the `chars` characters of the fragments just made into `made` against the
        bound, if they are remembered."""
        if made is self._new:
            self.chars -= chars
            self._new = None


def once(made: dict[Any, Any], kind: Any, make: Callable[..., T], *args: Any) -> T:
    """`made[kind]`, made as `make(*args)` if it is not there yet."""
    found = made.get(kind)
    if found is None:
        found = made[kind] = make(*args)
    return found


def problem_key(problem: ProblemResult) -> Any:
    """What tells a graded problem apart from any other, as a key (None: it cannot be keyed)."""
    parts = tuple(_part_key(p) for p in problem.parts)
    if None in parts:
        return None
    return (problem.id, problem.title, problem.path, exact_key(problem.variant), parts)


def _part_key(part: PartResult) -> Any:
    # The strings are the bank's and the truths' own (str or None); numbers and the claim
    # keyed with their types.
    claimed = exact_key(part.claimed)
    if claimed is None:
        return None
    error = None if part.error is None else exact_key(dict(part.error))
    return (part.status, id(part.expected), id(part.detail), claimed, part.id, part.ask,
            exact_key(part.points), exact_key(part.max_points), part.message, part.mistakes,
            part.comment, part.title, error, part.rule, part.slips, part.group)
