"""What a class run makes once and reuses across its sheets gives what making it afresh gives.

Each cache is checked against a value worked out here from the bank's files or by hand.
"""

from __future__ import annotations

import copy
import dataclasses
import json
import math
from pathlib import Path

import pytest

from conftest import SEED, VARIED_LOSS
from nncheck import classroom, grading, variants
from nncheck.compare.verdict import Status
from nncheck.io import problems as io_problems
from nncheck.render import gradebook, view
from nncheck.render import json as render_json
from nncheck.render.fragments import Fragments
from nncheck.spec.problem import Student

# --- the steps of a problem -------------------------------------------------------------------

def test_the_steps_of_a_problem_are_its_parts_with_the_answers_they_read():
    bank = grading.load_bank(SEED)
    loaded = bank.problems["q1-exactly-two"]
    cid, steps = bank.steps(loaded)
    assert cid == "q1-exactly-two"
    # q1-exactly-two.yaml: `design`, then `pre-activations` and `outputs`, both with
    # `network: answer.design` (graded against the sheet's own design).
    assert [(i, part.id, sources) for i, part, sources in steps] == [
        (0, "design", ()), (1, "pre-activations", ("design",)), (2, "outputs", ("design",))]
    assert all(step[1] is p for step, p in zip(steps, loaded.problem.parts))
    assert bank.steps(loaded) is bank.steps(loaded)  # made once


@pytest.fixture
def small(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> grading.Bank:
    monkeypatch.setenv("NNCHECK_SECRET", "course secret of the cache tests")
    (tmp_path / "small.yaml").write_text(VARIED_LOSS, encoding="utf-8")
    bank = grading.load_bank(tmp_path)
    bank.memo = True
    return bank


def _p(bank: grading.Bank, student: str) -> float:
    n = variants.exam_variant(bank.secret, student)
    return float(bank.variant(bank.problems["small"], n).problem.given["pred"][0])


def test_each_variant_has_its_own_steps_and_memo(small):
    first = "s1"
    second = next(f"s{n}" for n in range(2, 200) if _p(small, f"s{n}") != _p(small, first))
    for student in (first, second):
        drawn = small.variant(small.problems["small"], variants.exam_variant(small.secret,
                                                                              student))
        cid, steps = small.steps(drawn)
        assert cid == f"small\0{drawn.variant}"
        assert steps[0][1] is drawn.problem.parts[0]
    # Both write the loss of the first student's p, -ln p: right for the first only, though
    # the answer is written alike (a memo keyed by the problem alone would say `correct`).
    loss = round(-math.log(_p(small, first)), 6)
    graded = [grading.grade_sheet(small, {"small": {"a": loss}}, student=Student(id=s))
              for s in (first, second)]
    assert [r.problems[0].parts[0].status for r in graded] == [Status.CORRECT, Status.WRONG]


# --- a problem graded into parts already seen ---------------------------------------------------

Q1, Q5 = "q1-exactly-two", "q5-cross-entropy"


def _q5(bank: grading.Bank, student: str, a: object, b: object,
        overrides: dict | None = None, decimal_comma: bool = False) -> grading.ProblemResult:
    return grading.grade_sheet(bank, {Q5: {"a": a, "b": b}}, student=Student(id=student),
                               problems=[Q5], overrides=overrides,
                               decimal_comma=decimal_comma).problems[0]


def _said(p: grading.ProblemResult) -> str:
    return render_json.dumps(render_json.problem_json(p))


def test_a_problem_graded_into_the_same_parts_is_one_result_that_says_the_same():
    memo, fresh = grading.load_bank(SEED), grading.load_bank(SEED)
    memo.memo = True
    first = _q5(memo, "s1", "-log(0.3)", 0.5)
    # (a) is -ln 0.3, right; (b) is -ln 0.4 = 0.916..., so 0.5 is wrong. Parts are worth 1
    # point unless they say (docs/format.md); c-a, c-b (0 points), d and e (manual) unanswered.
    assert [(p.id, p.status, p.points) for p in first.parts[:2]] == [
        ("a", Status.CORRECT, 1.0), ("b", Status.WRONG, 0.0)]
    assert (first.score, first.max_score) == (1.0, 4.0)
    again = _q5(memo, "s2", "-log(0.3)", 0.5)
    other = _q5(memo, "s3", "-log(0.3)", "-log(0.4)")
    assert again is first
    assert other is not first and (other.score, other.max_score) == (2.0, 4.0)
    for made, a, b in ((first, "-log(0.3)", 0.5), (again, "-log(0.3)", 0.5),
                       (other, "-log(0.3)", "-log(0.4)")):
        assert _said(made) == _said(_q5(fresh, "s9", a, b))


def test_a_problem_with_a_part_a_person_scored_is_the_student_s_own():
    memo = grading.load_bank(SEED)
    memo.memo = True
    first = _q5(memo, "s1", "-log(0.3)", 0.5)
    scored = _q5(memo, "s2", "-log(0.3)", 0.5, overrides={Q5: {"b": {"points": 0.5}}})
    assert scored is not first
    assert (scored.parts[1].status, scored.parts[1].points, scored.score) == (
        Status.GRADED, 0.5, 1.5)
    assert (first.parts[1].points, first.score) == (0.0, 1.0)  # unchanged by the override
    assert _q5(memo, "s3", "-log(0.3)", 0.5) is first


# --- a problem's report fragments, found by its result ------------------------------------------

def _part(claimed: object) -> grading.PartResult:
    return grading.PartResult(id="a", ask="loss", status=Status.WRONG, points=0.0,
                              max_points=1.0, expected=None, claimed=claimed)


def test_a_problem_result_seen_again_brings_back_its_parts_entries_and_its_whole():
    cache = Fragments()
    result = grading.ProblemResult("p", None, (_part(1), _part(2)))
    calls: list[str] = []

    def join(made: tuple[dict, ...], text: str) -> str:
        calls.append(text)
        return text

    made, whole = cache.problem(result, "head", len, join, "ab")
    assert made[0] is cache.of("p", result.parts[0]) and made[1] is cache.of("p", result.parts[1])
    assert made[0] is not made[1]
    assert whole == "ab"
    again = cache.problem(result, "head", len, join, "something else")
    assert again[0] is made and again[1] == "ab"
    assert cache.problem(result, "another head", len, join, "cd")[1] == "cd"
    # The same parts in another result object: the parts' entries, and so the joined whole,
    # are found by what the parts are.
    alike = grading.ProblemResult("p", None, (_part(1), _part(2)))
    assert cache.problem(alike, "head", len, join, "ef") == (made, "ab")
    assert calls == ["ab", "cd"]


def test_a_problem_not_remembered_whole_is_joined_afresh_each_time():
    calls: list[str] = []

    def join(made: tuple[dict, ...], text: str) -> str:
        calls.append(text)
        return text

    # A part whose claim is never keyed (a set): no entry, so no whole.
    loose = grading.ProblemResult("p", None, (_part(1), _part({1.5})))
    cache = Fragments()
    assert [cache.problem(loose, "head", len, join, "x")[1] for _ in range(2)] == ["x", "x"]
    # No characters left for joined problems: each sheet joins its own.
    full = Fragments(joined=0)
    result = grading.ProblemResult("p", None, (_part(1),))
    assert [full.problem(result, "head", len, join, "y")[1] for _ in range(2)] == ["y", "y"]
    assert calls == ["x", "x", "y", "y"]


# --- a whole class: each sheet's row is the row of the sheet graded alone -----------------------

def test_sheets_that_repeat_whole_problems_get_the_rows_they_get_alone(tmp_path: Path):
    seed = (SEED / "sheets" / "seed-student.yaml").read_text(encoding="utf-8")
    klass = tmp_path / "class"
    klass.mkdir()
    # s1, s2, s4: the seed sheet as written; s3 answers q5 (a) with 1.5, not -ln 0.3 = 1.204.
    for n in (1, 2, 3, 4):
        text = seed.replace("id: seed-student", f"id: s{n}")
        if n == 3:
            text = text.replace('a: "-log(0.3)"', "a: 1.5")
        (klass / f"s{n}.yaml").write_text(text, encoding="utf-8")
    report = classroom.grade_class(klass, SEED, classroom.Options(jobs=1))
    rows = {r.student_id: r for r in report.rows}
    q5 = [next(s for s in rows[f"s{n}"].parts if (s.problem, s.part) == (Q5, "a")).status
          for n in (1, 2, 3, 4)]
    assert q5 == ["correct", "correct", "wrong", "correct"]
    for n in (1, 2, 3, 4):
        (alone,) = classroom.grade_class(klass, SEED, classroom.Options(
            jobs=1, student=f"s{n}")).rows
        mine = rows[f"s{n}"]
        assert (mine.result, mine.feedback, mine.gradescope, mine.parts, mine.headline) == (
            alone.result, alone.feedback, alone.gradescope, alone.parts, alone.headline)


# --- a sheet's summary line, counted problem by problem ------------------------------------------

def test_the_summary_line_counts_parts_worth_points_or_waiting_for_a_person():
    def made(status: Status, points: float, max_points: float) -> grading.PartResult:
        return dataclasses.replace(_part(1), status=status, points=points,
                                   max_points=max_points)

    # Counted: parts worth points, and parts waiting for a person even at 0 points
    # (docs: `Total 17/20 — 1 wrong, 2 pending`); a 0-point part shown, not counted.
    first = grading.ProblemResult("p", None, (
        made(Status.CORRECT, 1.0, 1.0), made(Status.WRONG, 0.0, 1.0),
        made(Status.PENDING, 0.0, 1.0), made(Status.WRONG, 0.0, 0.0),
        made(Status.PENDING, 0.0, 0.0)))
    second = grading.ProblemResult("q", None, (made(Status.CORRECT, 2.0, 2.0),
                                               made(Status.MISSING, 0.0, 1.0)))
    assert first.counted == {"correct": 1, "wrong": 1, "pending": 2}
    sheet = grading.SheetResult("s.yaml", None, (first, second, first))  # 1+1+2 of 3+3+3
    line = "Total 4/9 — 3 correct, 2 wrong, 1 missing, 4 pending"
    assert view.summary(sheet) == line
    # As merge says it from each part's (status, max points) in a results line.
    assert view.headline(4.0, 9.0, [(p.status.value, p.max_points) for prob in sheet.problems
                                    for p in prob.parts]) == line


# --- a problem's object in the results line, made once per what it writes ------------------------

def test_sheets_whose_problems_write_alike_share_a_head_and_write_their_own_numbers():
    def sheet(points: float, variant: int | None = None) -> grading.SheetResult:
        part = dataclasses.replace(_part(1), points=points)
        return grading.SheetResult("s.yaml", None, (
            grading.ProblemResult("p", "P", (part,), variant=variant),))

    # 1.0 and 1 are written `1.0` and `1`: each its own line. (A score is a sum from 0, so a
    # part's -0.0 points make a score of 0.0.)
    sheets = [sheet(1.0), sheet(1), sheet(0.0), sheet(-0.0), sheet(1.0, variant=2), sheet(1.0)]
    cache = Fragments()
    lines = []
    for result in sheets:
        shared = gradebook.sheet_files(result, status="failed", audit={}, reveal="mistake",
                                       cache=cache)
        alone = gradebook.sheet_files(result, status="failed", audit={}, reveal="mistake")
        assert (shared.result, shared.feedback, shared.gradescope, shared.problems) == (
            alone.result, alone.feedback, alone.gradescope, alone.problems)
        lines.append(json.loads(shared.result)["problems"][0])
    assert [(repr(p["score"]), p.get("variant")) for p in lines] == [
        ("1.0", None), ("1", None), ("0.0", None), ("0.0", None), ("1.0", 2), ("1.0", None)]


# --- a part's row of its problem's table, once per column widths ---------------------------------

def test_a_part_s_row_is_aligned_to_each_table_it_sits_in():
    def sheet(b: object) -> grading.SheetResult:
        b_part = dataclasses.replace(_part(b), id="b")
        return grading.SheetResult("s.yaml", None, (
            grading.ProblemResult("p", None, (_part(1), b_part)),))

    # Part `a` (claim 1) sits in a table whose `claimed` column is 1 character wide, then in
    # one widened by b's 20-character claim, then in the first again.
    sheets = [sheet(2), sheet("twenty characters ab"), sheet(2)]
    cache = Fragments()
    texts = []
    for result in sheets:
        shared = gradebook.sheet_files(result, status="failed", audit={}, reveal="verdict",
                                       cache=cache)
        alone = gradebook.sheet_files(result, status="failed", audit={}, reveal="verdict")
        assert shared.feedback == alone.feedback
        texts.append(shared.feedback)
    # The row of `a`: part, ask, claimed, verdict, points, two spaces apart, each column as
    # wide as its widest line (the header's `claimed` is 7 wide, b's claim 20; the verdict
    # `✗ wrong` is 7 wide, `verdict` too).
    assert "  a     loss  1        ✗ wrong  0/1\n" in texts[0]
    assert "  a     loss  1                     ✗ wrong  0/1\n" in texts[1]
    assert texts[2] == texts[0]


def test_rows_made_count_against_the_bound_on_characters():
    cache = Fragments(chars=10)
    assert cache.spend(6) and cache.spend(6)  # the bound is passed by the last one made
    assert not cache.spend(1)


# --- a problem answered as an earlier sheet answered it ------------------------------------------

def test_a_problem_is_looked_up_by_all_that_grading_reads_of_the_sheet():
    memo, fresh = grading.load_bank(SEED), grading.load_bank(SEED)
    memo.memo = True
    # With `decimal_comma: true`, `1,204` is 1.204 = -ln 0.3 to the tolerance: right; without
    # it, the same text is not read as 1.204: wrong.
    comma = [_q5(memo, "s1", "1,204", 0.5, decimal_comma=True), _q5(memo, "s2", "1,204", 0.5)]
    assert [r.parts[0].status for r in comma] == [Status.CORRECT, Status.WRONG]
    assert _q5(memo, "s3", "1,204", 0.5, decimal_comma=True) is comma[0]
    # The same answers written in another order: graded alike.
    turned = grading.grade_sheet(memo, {Q5: {"b": 0.5, "a": "-log(0.3)"}},
                                 student=Student(id="s4"), problems=[Q5]).problems[0]
    assert _said(turned) == _said(_q5(fresh, "s9", "-log(0.3)", 0.5))


def test_a_part_graded_against_an_earlier_answer_is_looked_up_with_it():
    memo, fresh = grading.load_bank(SEED), grading.load_bank(SEED)
    memo.memo = True
    seed = io_problems.load_sheet(SEED / "sheets" / "seed-student.yaml").answers[Q1]
    # Another design, the same pre-activations written: n1's bias -0.5 instead of -1.5 makes
    # z(n1) on row 001 equal 0.5, which the seed's table leaves `off`.
    other = copy.deepcopy(seed)
    other["design"]["n1"]["b"] = -0.5
    results = []
    for n, answers in enumerate((seed, other, seed, other)):
        results.append(grading.grade_sheet(memo, {Q1: answers}, student=Student(id=f"s{n}"),
                                           problems=[Q1]).problems[0])
        assert _said(results[-1]) == _said(grading.grade_sheet(
            fresh, {Q1: answers}, problems=[Q1]).problems[0])
    assert results[0].parts[1].id == "pre-activations"
    assert [r.parts[1].status for r in results[:2]] == [Status.CORRECT, Status.WRONG]
    assert results[2] is results[0] and results[3] is results[1]
