"""A sheet's report fragments remembered across the sheets of a class, per graded part.

A class repeats few distinct answers: the bank grades each distinct answer to a part once and
hands back the same graded part for it (`grading.Bank.graded`). Such a part's results.jsonl
object, feedback row and note, Gradescope test and statistics are made once and looked up
after; a problem's and a sheet's are joined from its parts' (joining costs little, and a
class repeats a part's answer far more often than a whole problem's). A problem answered as
an earlier sheet answered it comes back as the same result (`grading.Bank.graded_problems`):
its parts' entries and its joined share are then found by that result at once.

A part is found by identity first (the entry keeps it alive, so no other object can take its
identity), then by what tells it apart: two parts share fragments only if nothing the renderers
read can tell them apart. Every string, number and claim is keyed by `memo.exact_key` (type at
every depth); an expected value and a verdict's detail by identity (the truths and their
verdicts are remembered, so a repeated answer brings back the same objects, and the entry keeps
them alive too). A part with a claim that cannot be keyed is rendered afresh, never remembered.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any, TypeVar

from nncheck.compare.memo import exact_key
from nncheck.grading import PartResult, ProblemResult

__all__ = ["FRAGMENT_CHARS", "FRAGMENT_LIMIT", "JOINED_CHARS", "Fragments", "once", "part_key"]

FRAGMENT_LIMIT = 8192  # distinct graded parts remembered in a run; then made afresh
FRAGMENT_CHARS = 2_000_000  # characters of text remembered at most (a diff of a large table
# in every feedback is long): past it, nothing more is remembered
JOINED_CHARS = 2_000_000  # characters of problems joined from their parts remembered at most:
# a class repeats a whole problem's answers less often than a part's, so there are more

T = TypeVar("T")


class Fragments:
    """Fragments made once per distinct graded part (and whatever else they are made of)."""

    def __init__(self, limit: int = FRAGMENT_LIMIT, chars: int = FRAGMENT_CHARS,
                 joined: int = JOINED_CHARS) -> None:
        self.limit = limit
        self.chars = chars  # what is left of the characters that may be remembered
        self.joined_chars = joined  # and of those of problems joined from their parts
        self._new: dict[Any, Any] | None = None  # the entry `of` made last, not yet weighed
        # part key → (the part, kept alive for its identities; its fragments by kind)
        self._made: dict[Any, tuple[PartResult, dict[Any, Any]]] = {}
        self._same: dict[int, dict[Any, Any]] = {}  # the same entries, by their part's identity
        self._kept: set[int] = {id(made) for _, made in self._made.values()}
        # What is made of a problem whole, by the problem and its parts' entries (`joined`).
        self._joined: dict[Any, Any] = {}
        # A graded problem's (result, parts' entries, joined), by its identity (`problem`).
        self._problems: dict[Any, tuple[ProblemResult, tuple[dict[Any, Any], ...], Any]] = {}

    def __len__(self) -> int:
        return len(self._made)

    def of(self, problem: str, part: PartResult) -> dict[Any, Any]:
        """The fragments made so far of a part of `problem` graded exactly like `part`, by kind
        (a kind names all else a fragment is made of): fill it with what is missing. Empty and
        not remembered when the part cannot be keyed, or a bound is reached."""
        same = self._same.get(id(part))
        if same is not None:
            return same
        key = part_key(part)
        if key is None:
            return {}
        key = (problem, key)
        found = self._made.get(key)
        if found is not None:
            return found[1]
        made: dict[Any, Any] = {}
        if len(self._made) < self.limit and self.chars > 0:
            self._made[key] = (part, made)
            self._same[id(part)] = made
            self._kept.add(id(made))
            self._new = made
        return made

    def joined(self, head: Any, made: Sequence[dict[Any, Any]], weight: Callable[[T], int],
               make: Callable[..., T], *args: Any) -> T:
        """What is made of a problem whole, as `make(*args)` makes it: remembered by `head`
        (all else it is made of) and by which entries of `of` its parts have, when every part
        has a remembered entry (its identity is then its own); `weight(it)`: the characters
        it holds, counted against the bound."""
        key = self._joined_key(head, made)
        if key is None:
            return make(*args)
        found = self._joined.get(key)
        if found is None:
            found = make(*args)
            if len(self._joined) < self.limit and self.joined_chars > 0:
                self._joined[key] = found
                self.joined_chars -= weight(found)
        return found

    def _joined_key(self, head: Any, made: Sequence[dict[Any, Any]]) -> Any:
        if not all(id(m) in self._kept for m in made):
            return None
        return (head, tuple(map(id, made)))

    def problem(self, problem: ProblemResult, head: Any, weight: Callable[[T], int],
                make: Callable[..., T], *args: Any) -> tuple[tuple[dict[Any, Any], ...], T]:
        """A graded problem's parts' entries (`of`) and what is made of it whole (`joined`,
        as `make(entries, *args)` makes it), looked up at once when the same result comes
        back for another sheet (`grading.Bank.graded_problems`) and both are remembered."""
        key = (id(problem), head)
        found = self._problems.get(key)
        if found is not None:
            return found[1], found[2]
        made = tuple(self.of(problem.id, part) for part in problem.parts)
        whole = self.joined(head, made, weight, make, made, *args)
        joined = self._joined_key(head, made)
        if joined is not None and self._joined.get(joined) is whole \
                and len(self._problems) < self.limit:
            # The entry keeps the result alive: no other object can take its identity.
            self._problems[key] = (problem, made, whole)
        return made, whole

    def is_new(self, made: dict[Any, Any]) -> bool:
        """Whether `made` is the entry `of` made last, remembered and not yet weighed."""
        return made is self._new

    def spend(self, chars: int) -> bool:
        """Whether `chars` more characters may be remembered (counted against the bound)."""
        if self.chars <= 0:
            return False
        self.chars -= chars
        return True

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


def part_key(part: PartResult) -> Any:
    """What tells a graded part apart from any other, as a key (None: it cannot be keyed)."""
    # The strings are the bank's and the truths' own (str or None); numbers and the claim
    # keyed with their types.
    claimed = exact_key(part.claimed)
    if claimed is None:
        return None
    error = None if part.error is None else exact_key(dict(part.error))
    return (part.status, id(part.expected), id(part.detail), claimed, part.id, part.ask,
            exact_key(part.points), exact_key(part.max_points), part.message, part.mistakes,
            part.comment, part.title, error, part.rule, part.slips, part.group)
