"""Answer groups: one answer given by several students, scored once (`nncheck review`, then
`grade --overrides groups.yaml`)."""

from __future__ import annotations

import hashlib
import json

import pytest
import yaml
from reviewkit import make, parts, run, sheet

from conftest import SEED
from nncheck import groups
from nncheck.groups import Answer

# --- what counts as one answer ------------------------------------------------------------------

@pytest.mark.parametrize(("a", "b"), [
    pytest.param("0.50", 0.5, id="a number written as text is its value"),
    pytest.param("5e-1", 0.5, id="scientific notation"),
    pytest.param(1, 1.0, id="an integer and its float"),
    pytest.param("2n + 2", "2n+2", id="spaces in an expression"),
    pytest.param("5 × 101", "5*101", id="a times sign"),
    pytest.param("5·101", "5 * 101", id="a middle dot"),
    pytest.param("27,000", 27000, id="thousands separators"),
    pytest.param("12%", 0.12, id="a percentage is its value"),
    pytest.param({"b": [1, 2], "a": "x + 1"}, {"a": "x+1", "b": [1.0, 2]}, id="a table"),
])
def test_answers_the_grader_reads_alike_share_a_group(a, b):
    assert groups.answer_key("q", "p", a) == groups.answer_key("q", "p", b)


@pytest.mark.parametrize(("a", "b"), [
    pytest.param("W", "w", id="case counts in an expression"),
    pytest.param("0.5", "0.52", id="another value"),
    pytest.param("2n + 2", "2(n + 1)", id="an equal formula written otherwise"),
])
def test_different_answers_are_different_groups(a, b):
    assert groups.answer_key("q", "p", a) != groups.answer_key("q", "p", b)


def test_free_text_is_compared_without_case_final_stop_or_extra_spaces():
    key = groups.answer_key("q", "w", "Zero gradient.", free_text=True)
    assert key == groups.answer_key("q", "w", "  zero   GRADIENT ", free_text=True)
    assert key != groups.answer_key("q", "w", "Zero gradients.", free_text=True)


def test_the_key_is_sha256_of_problem_part_and_normalised_answer():
    # The documented rule: the first 16 hex digits of the SHA-256 of the JSON list
    # [problem, part, normalised answer]; "2n + 2" normalises to "2n+2".
    expected = hashlib.sha256(json.dumps(["q", "p", "2n+2"]).encode()).hexdigest()[:16]
    assert groups.answer_key("q", "p", "2n + 2") == expected


def test_groups_are_largest_first_in_part_order_with_their_students():
    answers = [
        Answer("s1", "q", "p", "loss", "correct", 1.2),
        Answer("s2", "q", "p", "loss", "wrong", 0.7),
        Answer("s3", "q", "p", "loss", "wrong", "0.5229"),
        Answer("s4", "q", "p", "loss", "wrong", 0.5229),
        Answer("s5", "q", "p", "loss", "missing", None),
        Answer("s1", "q", "w", "manual", "pending", "yes"),
    ]
    found = groups.build(answers, [("q", "w"), ("q", "p")])
    assert [(g.part, g.students) for g in found] == [
        ("w", ("s1",)), ("p", ("s3", "s4")), ("p", ("s2",))]
    assert found[1].answer == "0.5229"  # as the first student wrote it


def test_merge_keeps_what_a_person_set_and_groups_no_one_gives_now():
    old = [groups.Group("k1", "q", "p", "wrong", 0.7, ("s2",), 1.0, "close"),
           groups.Group("k0", "q", "p", "wrong", 0.1, ("s9",), 0.0, None)]
    new = [groups.Group("k1", "q", "p", "wrong", 0.7, ("s2", "s5")),
           groups.Group("k2", "q", "p", "wrong", 0.3, ("s6",))]
    merged = groups.merge(new, old)
    assert [(g.key, g.students, g.points, g.comment) for g in merged] == [
        ("k1", ("s2", "s5"), 1.0, "close"), ("k2", ("s6",), None, None),
        ("k0", ("s9",), 0.0, None)]


# --- review on a class ----------------------------------------------------------------------------

def load(path):
    return yaml.safe_load(path.read_text("utf-8"))["groups"]


def test_review_groups_manual_and_wrong_answers(tmp_path):
    bank, klass = make(tmp_path)
    out = tmp_path / "groups.yaml"
    code, stdout, stderr = run("review", klass, "-p", bank, "--out", out, "--format", "text")
    assert (code, stderr) == (0, "")
    found = [(g["part"], g["students"], g["answer"], g["points"]) for g in load(out)]
    # p: s2 and s3 wrote the same value 0.5229 (a number, a string); s4 0.7; s1 is correct.
    # w: s1 and s2 wrote the same text but for case, spaces and the full stop; s4 none.
    assert found == [
        ("p", ["s2", "s3"], 0.5229, None), ("p", ["s4"], 0.7, None),
        ("w", ["s1", "s2"], "Zero gradient.", None), ("w", ["s3"], "It is not differentiable",
                                                      None)]
    assert stdout.splitlines()[0] == \
        f"4 answer groups on 2 parts from 4 sheets, 0 scored — written to {out}"
    assert "  2 students (wrong, to score): 0.5229 — s2, s3" in stdout.splitlines()


def test_a_scored_group_regrades_every_student_in_it(tmp_path):
    bank, klass = make(tmp_path)
    out = tmp_path / "groups.yaml"
    run("review", klass, "-p", bank, "--out", out)
    text = out.read_text("utf-8").replace(
        'students: ["s2", "s3"]\n  answer: 0.5229\n  points: null\n  comment: null',
        'students: ["s2", "s3"]\n  answer: 0.5229\n  points: 1\n  comment: "log base 10"')
    text = text.replace('students: ["s1", "s2"]\n  answer: "Zero gradient."\n  points: null',
                        'students: ["s1", "s2"]\n  answer: "Zero gradient."\n  points: 1')
    out.write_text(text, encoding="utf-8")
    report = tmp_path / "report"
    code, _, stderr = run("grade", klass, "-p", bank, "--overrides", out, "--out", report)
    assert stderr == ""
    got = parts(report)
    key = groups.answer_key("q", "p", 0.5229)
    for sid in ("s2", "s3"):
        assert (got[sid]["p"]["status"], got[sid]["p"]["points"]) == ("graded", 1)
        assert got[sid]["p"]["rule"] == f"group: {key}"
        assert got[sid]["p"]["comment"] == "log base 10"
    for sid in ("s1", "s2"):
        assert (got[sid]["w"]["status"], got[sid]["w"]["points"]) == ("graded", 1)
    assert got["s4"]["p"]["status"] == "wrong" and "rule" not in got["s4"]["p"]
    assert got["s3"]["w"]["status"] == "pending"
    assert got["s1"]["p"]["status"] == "correct" and "rule" not in got["s1"]["p"]
    assert code == 1  # s2, s3 (1 of 2 on p) and s4 still lost points


def test_a_students_own_override_wins_over_their_group(tmp_path):
    bank, klass = make(tmp_path)
    out = tmp_path / "groups.yaml"
    run("review", klass, "-p", bank, "--out", out)
    text = out.read_text("utf-8").replace("points: null", "points: 1", 1)  # the p/0.5229 group
    out.write_text(text + '"s3": {"q": {"p": {"points": 0.5, "comment": "own"}}}\n', "utf-8")
    report = tmp_path / "report"
    run("grade", klass, "-p", bank, "--overrides", out, "--out", report)
    got = parts(report)
    assert (got["s2"]["p"]["points"], got["s3"]["p"]["points"]) == (1, 0.5)
    assert got["s3"]["p"]["comment"] == "own" and "rule" not in got["s3"]["p"]


def test_review_again_after_more_sheets_keeps_the_scores_set(tmp_path):
    bank, klass = make(tmp_path)
    out = tmp_path / "groups.yaml"
    run("review", klass, "-p", bank, "--out", out)
    out.write_text(out.read_text("utf-8").replace(
        "points: null\n  comment: null", 'points: 1\n  comment: "set once"', 1), "utf-8")
    (klass / "s5.yaml").write_text(sheet("s5", {"p": " 0.5229 "}), encoding="utf-8")
    code, _, _ = run("review", klass, "-p", bank, "--out", out)
    assert code == 0
    first = load(out)[0]
    assert (first["students"], first["points"], first["comment"]) == (
        ["s2", "s3", "s5"], 1, "set once")


def test_student_strings_are_escaped_data_in_the_file_and_inert_in_the_terminal(tmp_path):
    evil = "yes\u202e\x1b[2Jtxet: x\n- key: injected"
    bank, klass = make(tmp_path, {"s1": {"w": evil}})
    out = tmp_path / "groups.yaml"
    code, stdout, _ = run("review", klass, "-p", bank, "--out", out, "--format", "text")
    assert code == 0
    raw = out.read_text("utf-8")
    assert "\u202e" not in raw and "\x1b" not in raw and "\\u202e" in raw
    (group,) = load(out)
    assert group["answer"] == evil  # read back, the very same string
    assert "\x1b" not in stdout and "\u202e" not in stdout
    assert "\\u202e\\x1b[2J" in stdout


def test_groups_file_in_the_class_folder_is_refused(tmp_path):
    bank, klass = make(tmp_path)
    code, _, stderr = run("review", klass, "-p", bank, "--out", klass / "groups.yaml")
    assert code == 2
    assert stderr.startswith(f"error: --out {klass / 'groups.yaml'} is in the class folder")
    assert not (klass / "groups.yaml").exists()


def test_a_group_above_the_parts_points_is_an_error_at_its_line(tmp_path):
    bank, klass = make(tmp_path)
    out = tmp_path / "groups.yaml"
    run("review", klass, "-p", bank, "--out", out)
    out.write_text(out.read_text("utf-8").replace("points: null", "points: 5", 1), "utf-8")
    code, _, stderr = run("grade", klass, "-p", bank, "--overrides", out, "--out",
                          tmp_path / "r")
    assert code == 2
    key = groups.answer_key("q", "p", 0.5229)
    # The header is 5 comment lines; `groups:` is line 6, the first group's `- key:` line 7.
    assert stderr == (f"error: {out}:7:3: group {key} gives `q` part `p` 5 points — at most "
                      "the part's 2\n")


def test_on_the_example_class_a_filled_group_regrades_each_of_its_students(tmp_path):
    # The seed class: s02, s09 and s11 answer q3(d) with 610 (the 661 parameters without the
    # 51 biases: 10 + 4·10 + 1); their group gets 1 of the part's 2 points.
    seed = SEED
    out = tmp_path / "groups.yaml"
    code, _, _ = run("review", seed / "class", "-p", seed, "--out", out)
    assert code == 0
    found = yaml.safe_load(out.read_text("utf-8"))["groups"]
    (d,) = [g for g in found if (g["problem"], g["part"]) == ("q3-transfer-learning", "d")]
    assert (d["students"], d["answer"]) == (["s02", "s09", "s11"], 610)
    key = f'key: "{d["key"]}"'
    text = out.read_text("utf-8")
    start = text.index(key)
    end = text.index("comment: null", start) + len("comment: null")
    out.write_text(text[:start] + text[start:end].replace("points: null", "points: 1")
                   .replace("comment: null", 'comment: "biases forgotten"') + text[end:],
                   "utf-8")
    report = tmp_path / "report"
    run("grade", seed / "class", "-p", seed, "--overrides", out, "--out", report)
    for line in (report / "results.jsonl").read_text("utf-8").splitlines():
        row = json.loads(line)
        if row["student"] is None:
            continue
        (q3,) = [p for p in row["problems"] if p["id"] == "q3-transfer-learning"]
        (part,) = [p for p in q3["parts"] if p["id"] == "d"]
        if row["student"]["id"] in ("s02", "s09", "s11"):
            assert (part["status"], part["points"], part["comment"]) == (
                "graded", 1, "biases forgotten")
        else:
            assert part["status"] != "graded"


def test_a_long_answer_is_written_clipped_and_its_group_still_applies(tmp_path):
    long = "because the gradient is zero " * 150  # 4350 characters
    bank, klass = make(tmp_path, {"s1": {"w": long}, "s2": {"w": long.upper()}})
    out = tmp_path / "groups.yaml"
    run("review", klass, "-p", bank, "--out", out)
    (group,) = load(out)
    assert group["students"] == ["s1", "s2"]
    assert len(group["answer"]) <= 2000 and long.startswith(group["answer"][:1900])
    out.write_text(out.read_text("utf-8").replace("points: null", "points: 1"), "utf-8")
    report = tmp_path / "report"
    run("grade", klass, "-p", bank, "--overrides", out, "--out", report)
    got = parts(report)
    assert [got[s]["w"]["points"] for s in ("s1", "s2")] == [1, 1]
