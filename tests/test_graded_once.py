"""A class grades each distinct answer to a part once (`grading.Bank.graded`): a sheet's report
is byte for byte the report of that sheet graded alone, whatever the sheets before it wrote."""

from __future__ import annotations

import shutil
from pathlib import Path

from nncheck import classroom, grading
from nncheck.io.overrides import read_overrides

ROOT = Path(__file__).resolve().parents[1]
SEED = ROOT / "problems" / "seed-exam"

DESIGN_A = """\
    design:
      n1: {w: [1, 1, 1], b: -1.5}
      n2: {w: [1, 1, 1], b: -2.5}
      Y: {w: [1, -1], b: -1}
"""
DESIGN_B = """\
    design:
      n1: {w: [1, 1, 1], b: -0.5}
      n2: {w: [1, 1, 1], b: -2.5}
      Y: {w: [1, -1], b: -1}
"""
# The pre-activations of DESIGN_A: right for A, wrong for B (n1's bias is -0.5 there).
PRE_A = """\
    pre-activations:
      z_n1: [-1.5, -0.5, -0.5, 0.5, -0.5, 0.5, 0.5, 1.5]
      z_n2: [-2.5, -1.5, -1.5, -0.5, -1.5, -0.5, -0.5, 0.5]
"""


def sheet(sid: str, q1: str, q5: str, head: str = "") -> str:
    return (f"student: {{id: {sid}, name: Student {sid}}}\n{head}answers:\n"
            f"  q1-exactly-two:\n{q1}  q5-cross-entropy:\n    a: {q5}\n")


def write_class(tmp_path: Path, sheets: dict[str, str]) -> tuple[Path, Path]:
    bank = tmp_path / "bank"
    bank.mkdir()
    for name in ("q1-exactly-two.yaml", "q5-cross-entropy.yaml"):
        shutil.copy(SEED / name, bank / name)
    klass = tmp_path / "class"
    klass.mkdir()
    for sid, text in sheets.items():
        (klass / f"{sid}.yaml").write_text(text, encoding="utf-8")
    return klass, bank


def files(row: classroom.Row) -> tuple[object, ...]:
    return (row.status, row.score, row.result, row.feedback, row.gradescope, row.parts)


def assert_each_as_alone(klass: Path, bank: Path, options: classroom.Options
                         ) -> dict[str, classroom.Row]:
    whole = {r.student_id: r for r in classroom.grade_class(klass, bank, options).rows}
    for sid, row in whole.items():
        (alone,) = classroom.grade_class(
            klass, bank, classroom.Options(**{**options.__dict__, "student": sid})).rows
        assert files(row) == files(alone), sid
    return whole


def test_an_answer_graded_against_earlier_answers_is_keyed_by_them(tmp_path: Path) -> None:
    # s1 and s2 write the same pre-activations; s2's design makes them wrong. s3 repeats s2;
    # s4 is s1 with an answer to another part (which the pre-activations do not read).
    # Design A on the rows 000 ... 111: n1 fires on two or more inputs on, n2 on three, Y on
    # exactly two (n1 and not n2).
    outputs = ("    outputs: {n1: [0, 0, 0, 1, 0, 1, 1, 1], n2: [0, 0, 0, 0, 0, 0, 0, 1],\n"
               "              Y: [0, 0, 0, 1, 0, 1, 1, 0]}\n")
    klass, bank = write_class(tmp_path, {
        "s1": sheet("s1", DESIGN_A + PRE_A, "1.2039728043259361"),
        "s2": sheet("s2", DESIGN_B + PRE_A, "1.2039728043259361"),
        "s3": sheet("s3", DESIGN_B + PRE_A, "1.2039728043259361"),
        "s4": sheet("s4", DESIGN_A + PRE_A + outputs, "1.2039728043259361"),
    })
    rows = assert_each_as_alone(klass, bank, classroom.Options(jobs=1))
    status = {sid: {p.part: p.status for p in row.parts} for sid, row in rows.items()}
    assert status["s1"]["pre-activations"] == "correct"
    assert status["s2"]["pre-activations"] == "wrong"
    assert status["s3"]["pre-activations"] == "wrong"
    assert status["s4"]["pre-activations"] == "correct"
    assert status["s4"]["outputs"] == "correct"


def test_a_decimal_comma_is_read_only_on_the_sheet_that_declares_it(tmp_path: Path) -> None:
    # -ln(0.3) = 1.2039728...: `1,2039728` is that number only under `decimal_comma: true`.
    klass, bank = write_class(tmp_path, {
        "s1": sheet("s1", DESIGN_A, "'1,2039728'", head="decimal_comma: true\n"),
        "s2": sheet("s2", DESIGN_A, "'1,2039728'"),
        "s3": sheet("s3", DESIGN_A, "'1,2039728'", head="decimal_comma: true\n"),
    })
    rows = assert_each_as_alone(klass, bank, classroom.Options(jobs=1))
    status = {sid: {p.part: p.status for p in row.parts}["a"] for sid, row in rows.items()}
    assert status == {"s1": "correct", "s2": "invalid", "s3": "correct"}


def test_a_persons_override_stays_the_students_own(tmp_path: Path) -> None:
    # s1, s2 and s3 write the same wrong answer; only s2 has an override of it.
    klass, bank = write_class(tmp_path, {sid: sheet(sid, DESIGN_A, "0.5") for sid in
                                         ("s1", "s2", "s3")})
    overrides = tmp_path / "overrides.yaml"
    overrides.write_text("s2:\n  q5-cross-entropy:\n    a: {points: 0.5, comment: see me}\n",
                         encoding="utf-8")
    read = read_overrides(overrides)
    options = classroom.Options(jobs=1, overrides=read.students, regrade=read.regrade)
    rows = assert_each_as_alone(klass, bank, options)
    points = {sid: {p.part: p.points for p in row.parts}["a"] for sid, row in rows.items()}
    assert points == {"s1": 0.0, "s2": 0.5, "s3": 0.0}


def test_other_rules_grade_afresh(tmp_path: Path) -> None:
    # One bank, the same answer graded under no rules, then under a rule that gives it full
    # marks, then under none again: each time as those rules grade it.
    bank = grading.load_bank(SEED)
    bank.memo = True
    wrong = {"q5-cross-entropy": {"a": 0.5}}
    rules = tmp_path / "overrides.yaml"
    rules.write_text("rules:\n  - {part: q5-cross-entropy/a, give: full}\n", encoding="utf-8")
    overrides = read_overrides(rules)

    def points(regrade: object) -> float:
        result = grading.grade_sheet(bank, wrong, problems=["q5-cross-entropy"],
                                     regrade=regrade)  # type: ignore[arg-type]
        return {p.id: p.points for p in result.problems[0].parts}["a"]

    assert points(None) == 0.0
    assert points(overrides.regrade) == 1.0  # the part's points in the seed exam
    assert points(None) == 0.0


def test_a_repeated_answer_comes_back_as_the_same_graded_part() -> None:
    bank = grading.load_bank(SEED)
    bank.memo = True
    answers = {"q5-cross-entropy": {"a": 0.5, "b": "0.9"}}
    first = grading.grade_sheet(bank, answers, problems=["q5-cross-entropy"])
    again = grading.grade_sheet(bank, {"q5-cross-entropy": {"a": 0.5, "b": "0.9"}},
                                problems=["q5-cross-entropy"])
    assert [p is q for p, q in zip(first.problems[0].parts, again.problems[0].parts)] == [
        True] * len(first.problems[0].parts)
    # 0.5 and "0.5" are two answers: the part is graded for each.
    other = grading.grade_sheet(bank, {"q5-cross-entropy": {"a": "0.5", "b": "0.9"}},
                                problems=["q5-cross-entropy"])
    assert other.problems[0].parts[0] is not first.problems[0].parts[0]
    assert other.problems[0].parts[0].claimed == "0.5"
    # Without a memo (one sheet, as `check` grades it), nothing is kept.
    alone = grading.load_bank(SEED)
    grading.grade_sheet(alone, answers, problems=["q5-cross-entropy"])
    assert alone.graded == {}


def test_hostile_text_is_escaped_in_every_piece_of_every_file(tmp_path: Path) -> None:
    # Pieces are escaped as they are made and joined after: a remembered piece, a sheet's own
    # name and each problem's heading must all come out escaped, on the first sheet and after.
    hostile = "\\u202e\\x1b[31m\\u2028x\\x85"  # YAML escapes: RLO, ESC, LINE SEPARATOR, NEL
    text = sheet("s1", DESIGN_A, f'"{hostile}"').replace(
        "name: Student s1", f'name: "Eve {hostile}"')
    klass, bank = write_class(tmp_path, {
        "s1": text, "s2": text.replace("s1", "s2"), "s3": text.replace("s1", "s3")})
    rows = assert_each_as_alone(klass, bank, classroom.Options(jobs=1))
    raw = ["\u202e", "\x1b", "\u2028", "\x85"]
    for row in rows.values():
        for written in (row.result, row.feedback, row.gradescope):
            assert written is not None
            assert not any(ch in written for ch in raw), written
        assert "\\u202e" in row.result  # escaped in JSON: the same value when read back
        assert "\\u202e" in row.feedback and "\\x1b" in row.feedback  # visible in text


def test_the_written_key_tells_apart_whatever_the_grader_tells_apart() -> None:
    from nncheck.compare.memo import written_key
    from nncheck.written import WrittenFloat

    told_apart = [1, 1.0, True, "1", [1], (1,), None, {1: 1}, {"1": 1}, 0.0, -0.0,
                  WrittenFloat(18014398509481984.0, "18014398509481985.0"),
                  18014398509481984.0, {"a": 1, "b": 2}, {"b": 2, "a": 1}, [[1]], [1, 1]]
    keys = [written_key(v) for v in told_apart]
    assert len(set(keys)) == len(told_apart)
    # Equal values written apart share a key, however their objects are shared.
    word = "".join(["ab", "c"])
    assert written_key([word, word]) == written_key(["abc", "".join(["a", "bc"])])
    assert written_key({"w": [1, 1, 1], "b": -1.5}) == written_key({"w": [1, 1, 1], "b": -1.5})
    # A value of a type no key knows is never keyed.
    assert written_key([object()]) is None
