"""A class report's per-sheet fragments are made once per distinct graded problem, exactly."""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path

import pytest

from nncheck import classroom, grading
from nncheck.render import json as render_json
from nncheck.render.fragments import Fragments, problem_key

LOSS = """\
id: loss
title: A loss
parts:
  - {id: a, ask: loss, fn: cross_entropy, y_true: [0, 0, 1, 0], y_pred: [0.25, 0.25, 0.3, 0.2]}
"""
PICK = """\
id: pick
parts:
  - {id: p, ask: choice, options: [A, B], key: A}
"""


def write_class(tmp_path: Path, answers: list[str]) -> tuple[Path, Path]:
    """A bank of two problems and one sheet per answer to `loss/a` (all pick `A`)."""
    bank = tmp_path / "bank"
    bank.mkdir()
    (bank / "loss.yaml").write_text(LOSS)
    (bank / "pick.yaml").write_text(PICK)
    sheets = tmp_path / "class"
    sheets.mkdir()
    for i, answer in enumerate(answers):
        (sheets / f"s{i}.yaml").write_text(
            f"student: {{id: s{i}, name: Student {i}}}\n"
            f"answers:\n  loss: {{a: {answer}}}\n  pick: {{p: A}}\n")
    return sheets, bank


def lines_by_student(report: classroom.ClassReport) -> dict[str, dict]:
    return {r.student_id: json.loads(r.result) for r in report.rows if r.result is not None}


def test_a_repeated_problem_is_rendered_once_per_class(tmp_path: Path,
                                                        monkeypatch: pytest.MonkeyPatch) -> None:
    # Three sheets, every answer alike: 2 problems in the bank, so 2 problem objects made,
    # not 3 sheets x 2 problems = 6; and 2 feedback blocks.
    sheets, bank = write_class(tmp_path, ["'-log(0.3)'"] * 3)
    made: list[str] = []
    real_json = render_json.problem_json

    def counted(problem, **kw):  # type: ignore[no-untyped-def]
        made.append(problem.id)
        return real_json(problem, **kw)

    monkeypatch.setattr(render_json, "problem_json", counted)
    report = classroom.grade_class(sheets, bank, classroom.Options(jobs=1))
    assert sorted(made) == ["loss", "pick"]
    # Each sheet's line still names its own student, with the shared problems.
    lines = lines_by_student(report)
    assert sorted(lines) == ["s0", "s1", "s2"]
    for sid, line in lines.items():
        assert line["student"] == {"id": sid, "name": f"Student {sid[1]}"}
        assert [p["id"] for p in line["problems"]] == ["loss", "pick"]
        assert line["problems"][0]["parts"][0]["claimed"] == "-log(0.3)"
        assert line["problems"][0]["parts"][0]["status"] == "correct"


def test_answers_told_apart_by_type_keep_their_own_fragments(tmp_path: Path) -> None:
    # YAML `1`, `'1'`, `true` and `[1]` are four answers (an int, a string, a bool, a list):
    # each sheet's line writes the claim as its sheet wrote it, and each sheet's three files
    # are those of the sheet graded alone (a run of one sheet remembers nothing of another).
    written = ["1", "'1'", "true", "[1]", "1", "'1'"]
    sheets, bank = write_class(tmp_path, written)
    report = classroom.grade_class(sheets, bank, classroom.Options(jobs=1))
    rows = {r.student_id: r for r in report.rows}
    claimed = [json.loads(rows[f"s{i}"].result or "")["problems"][0]["parts"][0]["claimed"]
               for i in range(6)]
    assert claimed == [1, "1", True, [1], 1, "1"]
    assert [type(c) for c in claimed] == [int, str, bool, list, int, str]
    for i in range(6):
        alone = classroom.grade_class(sheets, bank, classroom.Options(jobs=1, student=f"s{i}"))
        (row,) = alone.rows
        mine = rows[f"s{i}"]
        assert (mine.result, mine.feedback, mine.gradescope, mine.parts) == (
            row.result, row.feedback, row.gradescope, row.parts)


def part(**changes: object) -> grading.PartResult:
    base = grading.PartResult(id="a", ask="loss", status=grading.Status.WRONG, points=0.0,
                              max_points=1.0, expected=None, claimed=1)
    return dataclasses.replace(base, **changes)


def problem(*parts: grading.PartResult) -> grading.ProblemResult:
    return grading.ProblemResult("p", None, parts)


def test_the_key_tells_apart_whatever_a_renderer_reads() -> None:
    # Every field of a graded part is in the key: a new field must be added to it.
    assert {f.name for f in dataclasses.fields(grading.PartResult)} == {
        "id", "ask", "status", "points", "max_points", "expected", "claimed", "message",
        "mistakes", "comment", "detail", "title", "error", "rule", "slips", "group"}
    same = problem_key(problem(part()))
    assert same == problem_key(problem(part()))
    for changed in [part(claimed=1.0), part(claimed=True), part(claimed="1"),
                    part(claimed=[1]), part(claimed=(1,)), part(points=0),
                    part(points=-0.0), part(max_points=1), part(comment="see me"),
                    part(message="off by one"), part(mistakes=("bias",)), part(rule="r1"),
                    part(group="0123456789abcdef"),
                    part(error={"abs": 1.0}), part(title="T"), part(slips=("s",)),
                    part(status=grading.Status.CORRECT), part(expected=[1.0])]:
        assert problem_key(problem(changed)) != same, changed
    # A claim of a type the grader does not key is never remembered.
    assert problem_key(problem(part(claimed={1.5, 2.5}))) is None


def test_fragments_are_bounded() -> None:
    cache = Fragments(limit=2)
    for claim in range(5):
        cache.of(problem(part(claimed=claim)))["json"] = str(claim)
    assert len(cache) == 2
    assert cache.of(problem(part(claimed=1))) == {"json": "1"}
    assert cache.of(problem(part(claimed=4))) == {}  # past the bound: made afresh


def test_fragments_are_bounded_in_characters() -> None:
    # A bound of 1 character: the first distinct problem made is remembered (its text is
    # only known once made), then nothing more.
    cache = Fragments(chars=1)
    first = cache.of(problem(part(claimed=1)))
    first["json"] = "x"
    cache.weigh(first, 1)
    assert cache.of(problem(part(claimed=1))) is first
    cache.of(problem(part(claimed=2)))["json"] = "y"
    assert len(cache) == 1 and cache.of(problem(part(claimed=2))) == {}
    # Text made for a problem that is not remembered does not count.
    roomy = Fragments(chars=10)
    roomy.weigh(roomy.of(problem(part(claimed={1.5}))), 100)  # a claim that is never keyed
    assert roomy.chars == 10
