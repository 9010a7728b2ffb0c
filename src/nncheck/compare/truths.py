"""Truths whose answer is not a number: a choice, a person's grade, a solver's own grader."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from nncheck.compare.verdict import Status, TakesNoHints, Verdict, correct, invalid
from nncheck.spec.common import fold_option


@dataclass(frozen=True)
class ChoiceTruth(TakesNoHints):
    """One of a part's options is the key."""

    expected: str
    options: tuple[str, ...]
    known: Mapping[str, str] = field(default_factory=dict)  # option -> why it is wrong

    def key(self) -> Any:
        """The keyed option."""
        return self.expected

    def grade(self, claimed: Any) -> Verdict:
        """Correct when the claim names the keyed option (case and spacing aside)."""
        if isinstance(claimed, (dict, list)) or claimed is None:
            return invalid(f"expected one of {', '.join(self.options)}")
        norm = {_norm(o): o for o in self.options}
        picked = norm.get(_norm(str(claimed)))
        if picked is None:
            return invalid(
                f"`{claimed}` is not an option — expected one of {', '.join(self.options)}"
            )
        if picked == self.expected:
            return correct()
        why = self.known.get(picked)
        return Verdict(Status.WRONG, 0.0, f"expected {self.expected}, got {picked}",
                       (why,) if why else ())


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
