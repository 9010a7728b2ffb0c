"""Truths whose answer is not a number: a choice, a person's grade, a solver's own grader."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import Any

from nncheck.compare.verdict import Status, TakesNoHints, Verdict, correct, invalid
from nncheck.errors import ProblemError
from nncheck.spec.common import fold_option


@dataclass(frozen=True)
class ChoiceTruth:
    """One of a part's options is the key."""

    expected: str
    options: tuple[str, ...]
    known: Mapping[str, str] = field(default_factory=dict)  # option -> why it is wrong
    # Instructor hints: option -> (what to say, credit); `accept`: option -> (credit, say).
    hints: Mapping[str, tuple[str, float]] = field(default_factory=dict)
    accepted: Mapping[str, tuple[float, str | None]] = field(default_factory=dict)

    def key(self) -> Any:
        """The keyed option."""
        return self.expected

    def grade(self, claimed: Any) -> Verdict:
        """Correct when the claim names the keyed option (case and spacing aside), or an
        accepted one; a hinted option earns the hint's credit."""
        if isinstance(claimed, (dict, list)) or claimed is None:
            return invalid(f"expected one of {', '.join(self.options)}")
        picked = self._pick(claimed)
        if picked is None:
            return invalid(
                f"`{claimed}` is not an option — expected one of {', '.join(self.options)}"
            )
        if picked == self.expected:
            return correct()
        message = f"expected {self.expected}, got {picked}"
        if picked in self.accepted:
            credit, say = self.accepted[picked]
            if credit >= 1:
                return correct(say)
            return Verdict(Status.WRONG, credit, message, (say,) if say else ())
        why = self.known.get(picked)
        hint = self.hints.get(picked)
        mistakes = tuple(w for w in (why, hint[0] if hint else None) if w)
        return Verdict(Status.WRONG, hint[1] if hint else 0.0, message, mistakes)

    def _pick(self, claimed: Any) -> str | None:
        norm = {_norm(o): o for o in self.options}
        return norm.get(_norm(str(claimed)))

    def with_hints(self, hints: Sequence[Any], accept: Sequence[Any] = ()) -> ChoiceTruth:
        """Hints (`answer`: an option, `say`, `credit`) and accepted options (`answer`,
        `credit`, `say`); the problem's validation checked that each names an option."""
        if not hints and not accept:
            return self
        said = dict(self.hints)
        for hint in hints:
            option = self._pick(hint.answer)
            if option is None or hint.when is not None:
                raise ProblemError(f"hint `{hint.say}`: its answer must be one of the options")
            said.setdefault(option, (hint.say, float(hint.credit or 0.0)))
        taken = dict(self.accepted)
        for entry in accept:
            option = self._pick(entry.answer)
            if option is None:
                raise ProblemError(f"`accept` answer {entry.answer!r} is not an option")
            taken.setdefault(option, (float(entry.credit), entry.say))
        return replace(self, hints=said, accepted=taken)


def _norm(text: str) -> str:
    return fold_option(text)


@dataclass(frozen=True)
class ManualTruth(TakesNoHints):
    """A part graded by a person: pending until an override scores it."""

    expected: Any  # the solution, or None
    rubric: str | None = None

    def key(self) -> Any:
        """The model answer, if the instructor wrote one."""
        return self.expected

    def grade(self, claimed: Any) -> Verdict:
        """Always pending: a person grades it."""
        return Verdict(Status.PENDING, 0.0, f"rubric: {self.rubric}" if self.rubric else None)


@dataclass(frozen=True)
class CustomTruth(TakesNoHints):
    """A truth graded by a function of the solver's (equivalence and the like)."""

    expected: Any
    grader: Callable[[Any], Verdict]
    key_value: Any = None
    # The draws the grader compares at first (for an audit); a claim that holds at all of
    # them is compared again at draws of its own.
    env: Mapping[str, Any] = field(default_factory=dict, compare=False, repr=False)
    note: str | None = None  # a warning about the part itself (`validate --solve` shows it)

    def key(self) -> Any:
        """The solver's model answer."""
        return self.key_value

    def grade(self, claimed: Any) -> Verdict:
        """Delegate to the solver's grading function."""
        return self.grader(claimed)
