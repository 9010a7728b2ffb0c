"""A class report's per-sheet fragments are made once per distinct graded part, exactly; and
the parts themselves are graded once per distinct answer."""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path

import pytest

from nncheck import classroom, grading
from nncheck.render import json as render_json
from nncheck.render.fragments import Fragments, part_key

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


def test_a_repeated_answer_is_graded_and_rendered_once_per_class(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # Three sheets, every answer alike: 2 parts in the bank, so each part is graded once and
    # its object made once, not 3 sheets x 2 parts = 6 times.
    sheets, bank = write_class(tmp_path, ["'-log(0.3)'"] * 3)
    made: list[str] = []
    graded: list[str] = []
    real_json, real_grade = render_json.part_json, grading._grade_part

    def counted(part, **kw):  # type: ignore[no-untyped-def]
        made.append(part.id)
        return real_json(part, **kw)

    def grading_counted(bank, loaded, index, *args, **kw):  # type: ignore[no-untyped-def]
        graded.append(loaded.problem.parts[index].id)
        return real_grade(bank, loaded, index, *args, **kw)

    monkeypatch.setattr(render_json, "part_json", counted)
    monkeypatch.setattr(grading, "_grade_part", grading_counted)
    report = classroom.grade_class(sheets, bank, classroom.Options(jobs=1))
    assert sorted(made) == ["a", "p"]
    assert sorted(graded) == ["a", "p"]
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


def test_the_key_tells_apart_whatever_a_renderer_reads() -> None:
    # Every field of a graded part is in the key: a new field must be added to it.
    assert {f.name for f in dataclasses.fields(grading.PartResult)} == {
        "id", "ask", "status", "points", "max_points", "expected", "claimed", "message",
        "mistakes", "comment", "detail", "title", "error", "rule", "slips", "group"}
    same = part_key(part())
    assert same == part_key(part())
    for changed in [part(claimed=1.0), part(claimed=True), part(claimed="1"),
                    part(claimed=[1]), part(claimed=(1,)), part(points=0),
                    part(points=-0.0), part(max_points=1), part(comment="see me"),
                    part(message="off by one"), part(mistakes=("bias",)), part(rule="r1"),
                    part(group="0123456789abcdef"), part(id="b"), part(ask="choice"),
                    part(error={"abs": 1.0}), part(title="T"), part(slips=("s",)),
                    part(status=grading.Status.CORRECT), part(expected=[1.0])]:
        assert part_key(changed) != same, changed
    # A claim of a type the grader does not key is never remembered.
    assert part_key(part(claimed={1.5, 2.5})) is None


def test_parts_alike_of_two_problems_keep_their_own_fragments() -> None:
    cache = Fragments()
    cache.of("p", part())["json"] = "of p"
    assert cache.of("q", part()) == {}
    assert cache.of("p", part()) == {"json": "of p"}


def test_a_part_is_found_by_identity_and_kept_alive() -> None:
    cache = Fragments()
    first = part()
    made = cache.of("p", first)
    assert cache.of("p", first) is made
    assert cache.of("p", part()) is made  # another object, graded alike
    del first  # the entry keeps it: no new object can take its identity
    assert cache.of("p", part(claimed=2)) is not made


def test_fragments_are_bounded() -> None:
    cache = Fragments(limit=2)
    for claim in range(5):
        cache.of("p", part(claimed=claim))["json"] = str(claim)
    assert len(cache) == 2
    assert cache.of("p", part(claimed=1)) == {"json": "1"}
    assert cache.of("p", part(claimed=4)) == {}  # past the bound: made afresh


def test_fragments_are_bounded_in_characters() -> None:
    # A bound of 1 character: the first distinct part made is remembered (its text is only
    # known once made), then nothing more.
    cache = Fragments(chars=1)
    first = cache.of("p", part(claimed=1))
    first["json"] = "x"
    assert cache.is_new(first)
    cache.weigh(first, 1)
    assert not cache.is_new(first)
    assert cache.of("p", part(claimed=1)) is first
    cache.of("p", part(claimed=2))["json"] = "y"
    assert len(cache) == 1 and cache.of("p", part(claimed=2)) == {}
    # Text made for a part that is not remembered does not count.
    roomy = Fragments(chars=10)
    roomy.weigh(roomy.of("p", part(claimed={1.5})), 100)  # a claim that is never keyed
    assert roomy.chars == 10


def test_a_problem_is_joined_once_per_set_of_remembered_parts() -> None:
    cache = Fragments(joined=10)
    made = [cache.of("p", part(claimed=1)), cache.of("p", part(claimed=2))]
    calls: list[str] = []

    def join(text: str) -> str:
        calls.append(text)
        return text

    assert cache.joined("head", made, len, join, "ab") == "ab"
    assert cache.joined("head", made, len, join, "other") == "ab"  # remembered
    assert cache.joined("other head", made, len, join, "cd") == "cd"
    assert calls == ["ab", "cd"]
    # A part that is not remembered (its claim is never keyed): joined afresh each time.
    loose = [made[0], cache.of("p", part(claimed={1.5}))]
    cache.joined("head", loose, len, join, "x")
    cache.joined("head", loose, len, join, "x")
    assert calls == ["ab", "cd", "x", "x"]


def test_problems_joined_are_bounded_in_characters() -> None:
    cache = Fragments(joined=3)
    made = [cache.of("p", part())]
    cache.joined(1, made, len, str.upper, "abcd")  # 4 characters: remembered, then full
    calls: list[str] = []

    def join(text: str) -> str:
        calls.append(text)
        return text

    assert cache.joined(1, made, len, join, "new") == "ABCD"
    cache.joined(2, made, len, join, "ef")
    cache.joined(2, made, len, join, "ef")
    assert calls == ["ef", "ef"]  # past the bound: made afresh each time
