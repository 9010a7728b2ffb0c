"""A sheet against a bank: every part of every problem, graded into frozen results.

The solving and numeric comparing modules (numpy) are imported where a part is graded, not
here: `nncheck validate` reaches this module only for `LoadedProblem`, and must start fast.
"""

from __future__ import annotations

import functools
import os
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

from nncheck import groups
from nncheck import regrade as regrading
from nncheck.compare.memo import MEMO_LIMIT, Remembered, exact_key, written_key
from nncheck.compare.notation import with_decimal_comma
from nncheck.compare.verdict import Status, Truth, Verdict, counted
from nncheck.errors import AnswerError, ExprError, InputError, NncheckError, ProblemError
from nncheck.io.problems import (
    LoadedProblem,
    bank_files,
    load_problem,
    read_secret,
)
from nncheck.spec.parts import ANSWER_PREFIX, NumericPart, PartBase
from nncheck.spec.problem import Problem, Student
from nncheck.unknown import UnknownId, unknown_ids, unknown_text

if TYPE_CHECKING:
    from nncheck.compare.tolerance import Tolerance

__all__ = [
    "Bank",
    "LoadedProblem",
    "PartResult",
    "ProblemResult",
    "SheetResult",
    "answer_sources",
    "grade_sheet",
    "graded_key",
    "load_bank",
    "make_bank",
]


@dataclass(frozen=True)
class PartResult:
    """One part of one sheet, graded."""

    id: str
    ask: str
    status: Status
    points: float
    max_points: float
    expected: Any
    claimed: Any = None
    message: str | None = None
    mistakes: tuple[str, ...] = ()
    comment: str | None = None
    detail: Any = None
    title: str | None = None
    error: Mapping[str, float | None] | None = None  # how far a numeric miss is off
    rule: str | None = None  # the class-wide rules or answer group that changed it (regrade.py)
    slips: tuple[str, ...] = ()  # the names among `mistakes` that are automatic slips
    group: str | None = None  # the key of the answer's group (groups.py), if it is grouped

    @property
    def mistake(self) -> str | None:
        """The most specific known mistake the answer matches (docs/format.md)."""
        return self.mistakes[0] if self.mistakes else None

    @property
    def counts(self) -> bool:
        """Whether this part decides the exit code (graded, and not waiting for a person)."""
        return self.max_points > 0 and self.status != "pending"

    @property
    def failed(self) -> bool:
        """A counted part that is not full marks."""
        if not self.counts:
            return False
        if self.status == "graded":
            return self.points < self.max_points
        return self.status != "correct"


@dataclass(frozen=True)
class ProblemResult:
    """One problem of one sheet."""

    id: str
    title: str | None
    parts: tuple[PartResult, ...]
    path: str | None = None
    variant: int | None = None  # the problem's variant (its `vary:`), None as written

    # Summed once: a report asks often. (The fields are frozen, so the sums stay true.)
    @functools.cached_property
    def score(self) -> float:
        """Points earned."""
        return sum(p.points for p in self.parts)

    @functools.cached_property
    def max_score(self) -> float:
        """Points available."""
        return sum(p.max_points for p in self.parts)

    @functools.cached_property
    def counted(self) -> dict[str, int]:
        """Its parts, counted by status as a sheet's summary line counts them (`counted`;
        `view.summary` adds up a sheet's problems)."""
        return counted((p.status.value, p.max_points) for p in self.parts)


@dataclass(frozen=True)
class SheetResult:
    """A whole sheet, graded."""

    sheet: str | None
    student: Student | None
    problems: tuple[ProblemResult, ...]
    warnings: tuple[str, ...] = ()
    seed: Mapping[str, Any] | None = None  # what the sample points were drawn from
    variant: int | None = None  # the exam variant graded against (variants.py)

    @functools.cached_property
    def score(self) -> float:
        """Points earned over every problem."""
        return sum(p.score for p in self.problems)

    @functools.cached_property
    def max_score(self) -> float:
        """Points available over every problem."""
        return sum(p.max_score for p in self.problems)

    @property
    def passed(self) -> bool:
        """Every counted part has full marks."""
        return not any(part.failed for prob in self.problems for part in prob.parts)


_NO_CLAIM = written_key(None)  # the key of a part the sheet leaves unanswered
PARTS_REMEMBERED = MEMO_LIMIT * 4  # truths whose verdicts a memo keeps (per part and answers)


@dataclass
class Bank:
    """The problems a sheet is graded against, with truths cached across sheets.

    `truths` holds the truth of each part that does not read a sheet's answers, solved once.
    With `memo`, verdicts are remembered too, across the sheets of a class: one per distinct
    claim, per part (and, for a part graded against the sheet's own answers, per those answers),
    and so are the graded parts themselves (`graded`): a repeated answer is graded, grouped and
    ruled on once, and comes back as the same object; so does a problem answered alike
    (`graded_problems`).
    """

    problems: dict[str, LoadedProblem]
    rtol: float | None = None
    secret: bytes = field(default=b"", repr=False)  # seeds the sample points (seeding.py)
    memo: bool = False
    truths: dict[tuple[str, str], Truth] = field(default_factory=dict, repr=False)
    remembered: dict[tuple[str, int, Any], Remembered] = field(default_factory=dict, repr=False)
    graded: dict[Any, PartResult] = field(default_factory=dict, repr=False)
    # The problems graded, by their key and all that grading read of the sheet (`grade_sheet`).
    graded_problems: dict[Any, ProblemResult] = field(default_factory=dict, repr=False)
    _graded_under: Any = field(default=None, repr=False)  # the rules `graded` was graded under
    _sources: dict[tuple[str, int], tuple[str, ...]] = field(default_factory=dict, repr=False)
    _steps: dict[str, tuple[str, tuple[Any, ...]]] = field(default_factory=dict, repr=False)
    _variants: dict[tuple[str, int], LoadedProblem] = field(default_factory=dict, repr=False)

    @property
    def varied(self) -> bool:
        """Whether some problem draws its values per variant (`vary:`)."""
        return any(lp.problem.vary is not None for lp in self.problems.values())

    def variant(self, loaded: LoadedProblem, variant: int | None) -> LoadedProblem:
        """A problem as an exam variant draws it (drawn once per problem variant); the
        problem as written when it has no `vary:` or there is no variant."""
        vary = loaded.problem.vary
        if vary is None or variant is None:
            return loaded
        from nncheck import variants

        key = (str(loaded.problem.id), variants.problem_variant(vary, variant))
        found = self._variants.get(key)
        if found is None:
            found = self._variants[key] = variants.variant_problem(loaded, self.secret, key[1])
        return found

    @functools.cached_property
    def seed(self) -> dict[str, Any]:
        """What the sample points were drawn from, for the record: a public fingerprint of
        the secret and the problems' content, and whether there was a secret."""
        from nncheck.solvers import seeding
        from nncheck.solvers.context import problem_digest

        digests = [problem_digest(lp.problem) for lp in self.problems.values()]
        return {"fingerprint": seeding.fingerprint(self.secret, digests),
                "secret": bool(self.secret)}

    def dependent(self, loaded: LoadedProblem, index: int) -> bool:
        """Whether a part reads the sheet's own answers."""
        return bool(self.sources(loaded, index))

    def sources(self, loaded: LoadedProblem, index: int) -> tuple[str, ...]:
        """The ids of the earlier parts whose answers a part reads (looked up once per part):
        nothing else of a sheet decides its truth."""
        key = (str(loaded.problem.id), index)
        found = self._sources.get(key)
        if found is None:
            found = self._sources[key] = tuple(answer_sources(loaded.problem.parts[index]))
        return found

    def tolerance(self, problem: Problem, part: PartBase) -> Tolerance:
        """Default, then --rtol, then the problem's, then the part's: the most specific wins."""
        from nncheck.compare.tolerance import Tolerance

        tol = Tolerance()
        if self.rtol is not None:
            tol = Tolerance(rel=self.rtol)
        for spec in (problem.tolerance, part.tolerance):
            if spec is not None:
                tol = spec.over(tol)
        return tol

    def truth(
        self, loaded: LoadedProblem, index: int, answers: Mapping[str, Any] | None
    ) -> Truth:
        """The truth of a part; the same for every sheet unless it reads the sheet's answers."""
        from nncheck import solvers
        from nncheck.solvers.context import Context

        problem = loaded.problem
        part = problem.parts[index]
        dependent = self.dependent(loaded, index)
        key = (_cache_id(loaded), part.id)
        if not dependent and key in self.truths:
            return self.truths[key]
        ctx = Context(problem, part, self.tolerance(problem, part),
                      answers if dependent else None, secret=self.secret)
        try:
            truth = solvers.solve(part, ctx)
            hints, accept = getattr(part, "hints", ()), getattr(part, "accept", ())
            if hints or accept:  # only the asks that take them have them
                truth = truth.with_hints(hints, accept)
        except (ProblemError, AnswerError, ExprError) as exc:
            # Built on the student's own answer, the error is theirs (the part is invalid);
            # otherwise only the problem file was read (a `solution:` that does not fit, say).
            if dependent and answers is not None:
                raise AnswerError(str(exc)) from None
            line, col = loaded.locate(index)
            named = f"part `{part.id}`"
            message = exc.message if exc.message.startswith(named) else f"{named}: {exc.message}"
            if loaded.variant is not None:
                message = f"variant {loaded.variant} of the problem: {message}"
            raise InputError(
                message, path=loaded.path, line=line, col=col,
                expected=exc.expected, hint=exc.hint,
            ) from None
        adopt = getattr(truth, "with_siblings", None)  # a numeric truth: its neighbours
        if adopt is not None:  # name a slip (compare/slips.py)
            truth = adopt(functools.partial(self.siblings, loaded, index))
        if not dependent:
            self.truths[key] = truth
        return truth

    def siblings(self, loaded: LoadedProblem, index: int) -> dict[str, Any]:
        """The values of the problem's other numeric parts (those solved without a sheet), by
        part id: an answer to one of them, given here, is a named slip. Solved on a miss only."""
        found = {}
        for j, other in enumerate(loaded.problem.parts):
            if j == index or self.dependent(loaded, j):
                continue
            try:
                values = getattr(self.truth(loaded, j, None), "values", None)
            except NncheckError:
                continue  # a part that cannot be solved names no slip
            if values is not None:
                found[other.id] = values
        return found

    def grader(self, loaded: LoadedProblem, index: int, answers: Mapping[str, Any]) -> Remembered:
        """The part's truth for a sheet's answers, with the verdicts it gave (kept across
        sheets when the bank has a memo)."""
        if not self.memo:
            return Remembered(self.truth(loaded, index, answers))
        # Error carried forward: a truth built on the student's own answers (their design, say)
        # is keyed by those answers; any other truth is one per part.
        mine = None
        sources = self.sources(loaded, index)
        if sources:
            mine = exact_key({s: answers.get(s) for s in sources})
            if mine is None:  # answers of a type the key does not know: not memoised
                return Remembered(self.truth(loaded, index, answers))
        key = (_cache_id(loaded), index, mine)
        found = self.remembered.get(key)
        if found is None:
            found = Remembered(self.truth(loaded, index, answers))
            if len(self.remembered) < PARTS_REMEMBERED:
                self.remembered[key] = found
        return found

    def steps(self, loaded: LoadedProblem) -> tuple[str, tuple[Any, ...]]:
        """A problem's key (of its truths and verdicts) and each part's (index, part, `sources`):
        what grading a sheet reads of the problem, listed once per problem and variant."""
        cid = _cache_id(loaded)
        found = self._steps.get(cid)
        if found is None:
            found = self._steps[cid] = (cid, tuple(
                (i, part, self.sources(loaded, i)) for i, part in enumerate(loaded.problem.parts)))
        return found

    def graded_under(self, rules: Any) -> None:
        """Remember what is graded under the class-wide `rules` (the same for every sheet of
        a run); other rules start the memo afresh."""
        if rules is not self._graded_under:
            self.graded.clear()
            self.graded_problems.clear()
            self._graded_under = rules

    def written_answers(self, answers: Mapping[str, Any]) -> Any:
        """A sheet's answers to one problem as `graded_key` reads them: each answer's
        `written_key` by its part id (None: not memoised)."""
        if type(answers) is not dict:
            return None
        return {k: written_key(v) for k, v in answers.items() if type(k) is str}

    def accepting(self, loaded: LoadedProblem, index: int, extra: Sequence[Any]) -> Remembered:
        """The part's truth with the `accept:` entries of the class-wide rules (regrade.py)
        added to its own, built once per part (never for a part read against answers)."""
        key = (_cache_id(loaded), index, ("accepting",))
        found = self.remembered.get(key)
        if found is None:
            found = self.remembered[key] = Remembered(
                self.truth(loaded, index, None).with_hints((), extra))
        return found

    def solve_all(self, variants: bool = False) -> list[str]:
        """Solve every part that does not depend on a sheet, and check every `solution:`;
        return the warnings about parts that could not be checked, each located.

        Finds errors in the bank before any sheet is graded: a part that cannot be solved, or
        an instructor's model answer that would not earn full marks itself. Every variant of
        a problem that varies is drawn; with `variants`, solved too (`validate --solve`).
        """
        warnings = []
        for loaded in self.problems.values():
            vary = loaded.problem.vary
            for n in range(1, vary.variants + 1) if vary is not None else ():
                drawn = self.variant(loaded, n)  # every variant draws and validates
                for i in range(len(drawn.problem.parts)) if variants else ():
                    if not self.dependent(drawn, i):
                        self.truth(drawn, i, None)
            for i, part in enumerate(loaded.problem.parts):
                if self.dependent(loaded, i):
                    continue
                truth = self.truth(loaded, i, None)
                note = getattr(truth, "note", None)
                if note:
                    line, col = loaded.locate(i)
                    warnings.append(str(InputError(f"part `{part.id}`: {note}",
                                                   path=loaded.path, line=line, col=col)))
                if part.solution is None or part.ask == "manual":
                    continue
                verdict = truth.grade(_as_written(part.solution, loaded.problem, part, False))
                if verdict.status is not Status.CORRECT:
                    line, col = loaded.locate(i)
                    raise InputError(
                        f"part `{part.id}`: its `solution:` is {verdict.status.value}: "
                        f"{verdict.message}", path=loaded.path, line=line, col=col,
                        expected="a model answer that earns full marks",
                    )
        return warnings


def _cache_id(loaded: LoadedProblem) -> str:
    """The key of a problem's truths and verdicts: its id, and its variant when drawn."""
    pid = str(loaded.problem.id)
    return pid if loaded.variant is None else f"{pid}\0{loaded.variant}"


def answer_sources(part: PartBase) -> list[str]:
    """The ids of the earlier parts whose answers this part is graded against."""
    refs = (getattr(part, "network", None), getattr(part, "model", None))
    return [r[len(ANSWER_PREFIX):] for r in refs
            if isinstance(r, str) and r.startswith(ANSWER_PREFIX)]


Overrides = Mapping[str, Mapping[str, Mapping[str, Any]]]  # problem -> part -> {points, comment}


def grade_sheet(
    bank: Bank,
    answers: Mapping[str, Mapping[str, Any] | None],
    *,
    sheet: str | None = None,
    student: Student | None = None,
    overrides: Overrides | None = None,
    problems: Iterable[str] | None = None,
    decimal_comma: bool = False,
    regrade: regrading.Regrade | None = None,
    variant: int | None = None,
    check: str | None = None,
    unknown: Sequence[UnknownId] | None = None,
) -> SheetResult:
    """Grade a sheet's answers (problem id -> part id -> value) against every bank problem;
    with `decimal_comma`, the sheet writes `1,5` for 1.5; `regrade` holds the class-wide rules
    and answer groups of the overrides file. With problems that vary, the sheet is graded
    against the student's variant (`variant` and `check`: what the sheet writes, see
    variants.py), and an NncheckError says why a sheet cannot be. `unknown`: the sheet's
    `unknown_ids`, where the caller has found them already."""
    if unknown is None:
        unknown = unknown_ids(bank, answers, overrides)
    warnings = [unknown_text(u) for u in unknown]
    exam_variant = None
    if bank.varied and student is not None:
        from nncheck.variants import sheet_variant

        try:
            exam_variant = sheet_variant(bank.secret, student.id, variant, check)
        except NncheckError as exc:  # the sheet's own fault: named by its file
            raise InputError(exc.message, path=sheet, expected=exc.expected,
                             hint=exc.hint) from None
    results = []
    if bank.memo:
        bank.graded_under(regrade)
    for pid in problems if problems is not None else bank.problems:
        loaded = bank.variant(bank.problems[pid], exam_variant)
        mine = answers.get(pid) or {}
        mine_overrides = (overrides or {}).get(pid, {})
        # With a memo, each distinct answer is graded once and comes back as the same object;
        # a part a person overrode for this student is the student's own, graded afresh.
        cid, steps = bank.steps(loaded)
        # So does a problem answered exactly as an earlier sheet answered it (the answers
        # keyed whole), overridden in none of its parts: all that grading reads of the sheet.
        seen = None
        if bank.memo and not mine_overrides and type(mine) is dict:
            whole = written_key(mine)
            seen = None if whole is None else (cid, decimal_comma, whole)
            found = bank.graded_problems.get(seen) if seen is not None else None
            if found is not None:
                results.append(found)
                continue
        written = bank.written_answers(mine) if bank.memo else None
        parts = []
        for i, part, sources in steps:
            override = mine_overrides.get(part.id)
            key = None if override is not None or written is None else graded_key(
                cid, i, part.id, sources, written, decimal_comma)
            graded = bank.graded.get(key) if key is not None else None
            if graded is None:
                graded = _grade_part(bank, loaded, i, mine, override,
                                     student=student.id if student is not None else None,
                                     decimal_comma=decimal_comma, regrade=regrade)
                if key is not None and len(bank.graded) < PARTS_REMEMBERED:
                    bank.graded[key] = graded
            parts.append(graded)
        result = ProblemResult(pid, loaded.problem.title, tuple(parts), loaded.path,
                               variant=loaded.variant)
        if seen is not None and len(bank.graded_problems) < PARTS_REMEMBERED:
            bank.graded_problems[seen] = result
        results.append(result)
    return SheetResult(sheet, student, tuple(results), tuple(warnings), bank.seed,
                       variant=exam_variant)


def graded_key(cid: str, index: int, part_id: str, sources: tuple[str, ...],
               written: Mapping[str, Any], decimal_comma: bool) -> Any:
    """What a part's grading reads of a sheet, as a key of `Bank.graded` (None: not memoised):
    the part, its claim exactly as written (`written`: as `Bank.written_answers` keys them),
    how the sheet writes decimals and the earlier answers it is graded against (`sources`)."""
    claim = written.get(part_id, _NO_CLAIM)
    mine = tuple(written.get(s, _NO_CLAIM) for s in sources) if sources else ()
    if claim is None or None in mine:
        return None
    return (cid, index, claim, decimal_comma, mine)


def _grade_part(
    bank: Bank,
    loaded: LoadedProblem,
    index: int,
    answers: Mapping[str, Any],
    override: Mapping[str, Any] | None,
    *,
    student: str | None = None,
    decimal_comma: bool = False,
    regrade: regrading.Regrade | None = None,
) -> PartResult:
    part = loaded.problem.parts[index]
    claimed = answers.get(part.id)
    expected: Any = None
    if claimed is None:
        verdict = Verdict(Status.MISSING, 0.0, "no answer")
        if not bank.dependent(loaded, index):
            expected = bank.truth(loaded, index, None).expected
    else:
        try:
            graded = bank.grader(loaded, index, answers)
            expected = graded.truth.expected
            verdict = graded.grade(_as_written(claimed, loaded.problem, part, decimal_comma))
        except (AnswerError, ExprError) as exc:
            verdict = Verdict(Status.INVALID, 0.0, str(exc))
    result = PartResult(
        id=part.id,
        ask=part.ask,
        status=verdict.status,
        points=round(verdict.fraction * part.points, 6),
        max_points=part.points,
        expected=expected,
        claimed=claimed,
        message=verdict.message,
        mistakes=verdict.mistakes,
        slips=verdict.slips,
        detail=verdict.detail,
        title=part.title,
        error=verdict.error,
    )
    written = _as_written(claimed, loaded.problem, part, decimal_comma)
    if verdict.status.value in groups.GROUPED and claimed is not None:
        # Keyed by the answer as it was read, and by the earlier answers it was graded against.
        given = {s: answers.get(s) for s in answer_sources(part)}
        result = replace(result, group=groups.answer_key(
            str(loaded.problem.id), part.id, written, free_text=part.ask == "manual",
            variant=loaded.variant, given=given))
    if regrade:
        accepting = None if bank.dependent(loaded, index) else (  # regrade.check says why
            lambda extra: bank.accepting(loaded, index, extra).grade(written))
        result = regrading.apply(result, str(loaded.problem.id), regrade, accepting,
                                 loaded.variant)
    if override is not None:
        points = float(override.get("points", result.points))
        if points > part.points:
            # A person's score the part cannot hold: the sheet is not graded until the
            # overrides file is fixed, and the message says whose override it is.
            whose = f" for student `{student}`" if student is not None else ""
            raise NncheckError(
                f"the override{whose} gives `{loaded.problem.id}` part `{part.id}` "
                f"{points:g} points",
                expected=f"at most the part's {part.points:g}",
                hint="fix it in the --overrides file",
            )
        # The student's own override wins over the rules and groups before it.
        result = replace(result, status=Status.GRADED, points=points,
                         comment=override.get("comment", result.comment),
                         rule=None if "points" in override else result.rule)
    if regrade:
        result = regrading.scaled(result, str(loaded.problem.id), regrade)
    return result


def _as_written(claimed: Any, problem: Problem, part: PartBase, decimal_comma: bool) -> Any:
    """A numeric claim with its decimal commas read as points where the problem or the sheet
    declares them (`decimal_comma: true`); any other claim as it is."""
    if not (decimal_comma or problem.decimal_comma) or not isinstance(part, NumericPart):
        return claimed
    return with_decimal_comma(claimed)


# --- banks -------------------------------------------------------------------------------------

def load_bank(directory: str | os.PathLike[str], *, rtol: float | None = None) -> Bank:
    """Every problem of a bank, validated; two problems with one id are an error."""
    return make_bank([load_problem(p) for p in bank_files(directory)], rtol=rtol,
                     where=str(directory))


def make_bank(problems: Sequence[LoadedProblem], *, rtol: float | None = None,
              where: str = "the bank") -> Bank:
    """A bank of loaded problems, refusing duplicate ids."""
    found: dict[str, LoadedProblem] = {}
    for loaded in problems:
        pid = str(loaded.problem.id)
        if pid in found:
            raise InputError(
                f"problem id `{pid}` is used twice", path=loaded.path, line=1, col=1,
                expected=f"unique ids (also in {found[pid].path})",
            )
        found[pid] = loaded
    if not found:
        raise InputError(f"{where}: no problem files (*.yaml)", expected="a problem bank")
    folders = {Path(loaded.path).parent for loaded in found.values()}
    return Bank(found, rtol=rtol, secret=read_secret(folders.pop() if len(folders) == 1
                                                     else None))
