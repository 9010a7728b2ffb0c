"""Rules and answer groups of an overrides file, applied to each graded part (FORMAT §5).

A part is regraded in one fixed order, so that the same files always give the same scores:

1. `accept:` rules: the answer is graded again as the part grades it, with the accepted answer
   among the part's own `accept:` entries; the better verdict stands;
2. `give: full` rules: the part's points, status `graded`;
3. the answer's group (`groups:`), when a person set its points: those points, status
   `graded` (only an answer that was wrong, unreadable or waiting for a person is in a group);
4. the student's own override (grading.py): it wins over the rules and the group before it;
5. `scale:` rules: the points earned and available, multiplied.

Every step that changes a part names itself in the part's `rule` (`give: full`, `accept: 0.25`,
`group: 3f2a9c1b0d4e5f60`, `scale: 0.5`, joined by `; `), and adds its comment to the part's.
Pure: no disk, no numpy (the truths come from the bank that is passed in).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING, Any

from nncheck import groups
from nncheck.compare.verdict import Status, TakesNoHints, Verdict
from nncheck.errors import AnswerError, ExprError, InputError, ProblemError
from nncheck.spec.common import Accept
from nncheck.words import clip, json_line

if TYPE_CHECKING:
    from nncheck.spec.overrides import Group, Rule

__all__ = ["Regrade", "apply", "check", "label", "scaled"]

Where = tuple[str, int, int]  # the file, line and column a rule or a group is at


@dataclass(frozen=True)
class Regrade:
    """The rules and the scored groups of an overrides file."""

    rules: tuple[tuple[Rule, Where], ...] = ()
    groups: tuple[tuple[Group, Where], ...] = ()
    _scores: dict[tuple[str, str, str], Group] = field(default_factory=dict, repr=False)

    def __post_init__(self) -> None:
        seen: dict[tuple[str, str, str], Where] = {}
        for g, where in self.groups:
            at = (str(g.problem), str(g.part), g.key)
            if at in seen:  # two scores for one answer: neither may win silently
                raise _error(where, f"group {g.key} of `{g.problem}/{g.part}` is in the file "
                                    f"twice, at lines {seen[at][1]} and {where[1]}",
                             "each group once: keep the entry with the score you mean")
            seen[at] = where
            if g.points is not None or g.comment is not None:
                self._scores[at] = g

    def __bool__(self) -> bool:
        return bool(self.rules or self._scores)

    def matching(self, problem: str, part: str, change: str) -> list[Rule]:
        """The rules making `change` (give, accept, scale) on a part, in file order."""
        return [r for r, _ in self.rules if getattr(r, change) is not None
                and r.target[0] == problem and r.target[1] in (None, part)]

    def accepted(self, problem: str, part: str, variant: int | None = None
                 ) -> tuple[Accept, ...]:
        """The `accept:` rules of a part as `accept:` entries of the part (for a problem that
        varies, those of its `variant`)."""
        return tuple(Accept(answer=r.accept, credit=r.credit, say=r.comment)
                     for r in self.accepting(problem, part, variant))

    def accepting(self, problem: str, part: str, variant: int | None) -> list[Rule]:
        """The `accept:` rules of a part, for one variant of a problem that varies."""
        return [r for r in self.matching(problem, part, "accept")
                if r.variant is None or r.variant == variant]

    def factor(self, problem: str, part: str) -> float:
        """What `scale:` rules multiply a part's points by (1: none)."""
        out = 1.0
        for r in self.matching(problem, part, "scale"):
            out *= float(r.scale or 0.0)
        return out

    def group(self, problem: str, part: str, key: str) -> Group | None:
        """The scored group of that key, if a person set its points or comment."""
        return self._scores.get((problem, part, key))


def label(rule: Rule) -> str:
    """A rule as a part's `rule` names it."""
    if rule.give is not None:
        return f"give: {rule.give}"
    if rule.scale is not None:
        return f"scale: {rule.scale:g}"
    return f"accept: {clip(json_line(rule.accept), 60)}"


def apply(result: Any, problem: str, regrade: Regrade,
          accepting: Callable[[Sequence[Accept]], Verdict] | None,
          variant: int | None = None) -> Any:
    """Steps 1 to 3: `accept:` rules, `give: full` rules and the answer's group, applied to a
    grading.PartResult; `accepting` grades the part's claim with more `accept:` entries;
    `variant` is the problem's variant where it varies (a group is one variant's answer)."""
    part = result.id
    extra = regrade.accepted(problem, part, variant)
    if extra and accepting is not None and result.claimed is not None \
            and result.status is not Status.CORRECT:
        verdict = accepting(extra)
        points = round(verdict.fraction * result.max_points, 6)
        if points > result.points:
            rule = _accepting_rule(regrade.accepting(problem, part, variant), verdict)
            result = _noted(replace(result, status=verdict.status, points=points,
                                    message=verdict.message, mistakes=verdict.mistakes,
                                    slips=verdict.slips),
                            label(rule), rule.comment)
    for rule in regrade.matching(problem, part, "give"):
        if result.points < result.max_points or result.status is not Status.CORRECT:
            result = _noted(replace(result, status=Status.GRADED, points=result.max_points),
                            label(rule), rule.comment)
    key = getattr(result, "group", None)  # set by grading, on the answer as it was read
    if result.status.value in groups.GROUPED and key is not None:
        found = regrade.group(problem, part, key)
        if found is not None:
            if found.points is not None:
                result = replace(result, status=Status.GRADED,
                                 points=min(float(found.points), result.max_points))
            result = _noted(result, f"group: {key}", found.comment)
    return result


def scaled(result: Any, problem: str, regrade: Regrade) -> Any:
    """Step 5: the part's points earned and available multiplied by its `scale:` rules."""
    for rule in regrade.matching(problem, result.id, "scale"):
        factor = float(rule.scale or 0.0)
        result = _noted(replace(result, points=round(result.points * factor, 6),
                                max_points=round(result.max_points * factor, 6)),
                        label(rule), rule.comment)
    return result


def _accepting_rule(rules: Sequence[Rule], verdict: Verdict) -> Rule:
    """The `accept:` rule that earned the credit: the one whose comment the verdict says (the
    comment is the entry's `say:`), else the first."""
    for r in rules:
        if r.comment and verdict.message and r.comment in verdict.message:
            return r
    return rules[0]


def _noted(result: Any, rule: str, comment: str | None) -> Any:
    rules = f"{result.rule}; {rule}" if result.rule else rule
    if comment and comment != result.comment:
        comment = f"{result.comment}; {comment}" if result.comment else comment
    else:
        comment = result.comment
    return replace(result, rule=rules, comment=comment)


def check(regrade: Regrade, bank: Any) -> None:
    """Refuse a rule or group the bank cannot take, at its place in the file: an unknown problem
    or part, an `accept:` answer the part cannot read, a group's points above the part's."""
    for rule, where in regrade.rules:
        problem, part = rule.target
        loaded = _problem(bank, problem, where)
        index = _part(loaded, problem, part, where)
        if rule.accept is None or index is None:
            continue
        if bank.dependent(loaded, index):
            raise _error(where, f"`accept:` on part `{problem}/{part}`, which is graded "
                                "against each student's own earlier answer",
                         "a part with one truth for the whole class")
        vary = loaded.problem.vary
        if vary is not None:
            if rule.variant is None:
                raise _error(where, f"`accept:` on part `{problem}/{part}` of a problem that "
                                    "varies: an accepted answer differs per variant: score "
                                    "the groups of each variant instead",
                             f"the rule for one variant: `variant: N` (1 to {vary.variants})")
            if rule.variant > vary.variants:
                raise _error(where, f"`variant: {rule.variant}` on `{problem}/{part}`",
                             f"a variant of the problem, 1 to {vary.variants}")
            loaded = bank.variant(loaded, rule.variant)
        elif rule.variant is not None:
            raise _error(where, f"`variant: {rule.variant}` on `{problem}/{part}`, a problem "
                                "that does not vary", "no `variant:` in the rule")
        ask = loaded.problem.parts[index].ask
        if ask == "manual":
            raise _error(where, f"`accept:` on part `{problem}/{part}`, a manual part: no "
                                "answer of it is graded, so none can be accepted",
                         "`give: full`, or the points of its answer groups "
                         "(nncheck review)")
        try:
            truth = bank.truth(loaded, index, None)
            if isinstance(truth, TakesNoHints):
                raise _error(where, f"`accept:` on part `{problem}/{part}` (ask: {ask}), whose "
                                    "answer is graded otherwise than against a list of answers",
                             "`give: full`, or the points of its answer groups")
            truth.with_hints((), [Accept(answer=rule.accept)])
        except (ProblemError, AnswerError, ExprError) as exc:
            raise _error(where, f"`accept:` for part `{problem}/{part}`: {exc}",
                         "an answer the part can grade") from None
    for g, where in regrade.groups:
        loaded = _problem(bank, str(g.problem), where)
        index = _part(loaded, str(g.problem), str(g.part), where)
        assert index is not None
        most = loaded.problem.parts[index].points
        if g.points is not None and g.points > most:
            raise _error(where, f"group {g.key} gives `{g.problem}` part `{g.part}` "
                                f"{g.points:g} points", f"at most the part's {most:g}")


def _problem(bank: Any, problem: str, where: Where) -> Any:
    from nncheck.words import did_you_mean

    if problem not in bank.problems:
        raise _error(where, f"unknown problem `{problem}`", "a problem id of the bank",
                     did_you_mean(problem, bank.problems))
    return bank.problems[problem]


def _part(loaded: Any, problem: str, part: str | None, where: Where) -> int | None:
    from nncheck.words import did_you_mean

    if part is None:
        return None
    ids = [p.id for p in loaded.problem.parts]
    if part not in ids:
        raise _error(where, f"unknown part `{problem}/{part}`", "a part id of that problem",
                     did_you_mean(part, ids))
    return ids.index(part)


def _error(where: Where, message: str, expected: str, hint: str | None = None) -> InputError:
    path, line, col = where
    return InputError(message, path=path, line=line, col=col, expected=expected, hint=hint)
