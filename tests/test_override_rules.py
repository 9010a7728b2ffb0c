"""Class-wide rules in an overrides file: `give: full`, `accept:` and `scale:`, each with a
comment in the feedback and its name in the part's `rule` (reviewkit.py has the hand-worked
scores of the class)."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from reviewkit import grades, make, parts, run


def grade_with(tmp_path, text: str, name: str = "report"):
    bank, klass = make(tmp_path)
    overrides = tmp_path / "overrides.yaml"
    overrides.write_text(text, encoding="utf-8")
    out = tmp_path / name
    code, _, stderr = run("grade", klass, "-p", bank, "--overrides", overrides,
                               "--out", out, "--format", "text")
    return code, stderr, out, overrides


def test_give_full_marks_every_student_on_the_part(tmp_path):
    code, stderr, out, _ = grade_with(
        tmp_path, "rules:\n  - {part: q/p, give: full, comment: the key was wrong}\n")
    assert stderr == ""
    got = parts(out)
    # s1 was correct already: unchanged, no rule. s2, s3, s4 were wrong: 2 of 2 now.
    assert (got["s1"]["p"]["status"], got["s1"]["p"]["points"]) == ("correct", 2)
    assert "rule" not in got["s1"]["p"]
    for sid in ("s2", "s3", "s4"):
        p = got[sid]["p"]
        assert (p["status"], p["points"], p["rule"], p["comment"]) == (
            "graded", 2, "give: full", "the key was wrong")
    feedback = (out / "feedback" / "s4.txt").read_text("utf-8")
    assert "    grader: the key was wrong" in feedback.splitlines()
    assert code == 1  # s4 did not answer w


def test_accept_grades_the_accepted_answer_through_the_parts_own_comparison(tmp_path):
    # The rule gives the expression; s2 and s3 wrote its value 0.5229 (-log10 0.3 = 0.5228787,
    # within the part's relative tolerance of 1e-2), not its text: equal strings would not do.
    _, stderr, out, _ = grade_with(tmp_path, (
        'rules:\n  - {part: q/p, accept: "-log10(0.3)", comment: "log base 10 accepted"}\n'))
    assert stderr == ""
    got = parts(out)
    for sid in ("s2", "s3"):
        p = got[sid]["p"]
        assert (p["status"], p["points"], p["rule"], p["comment"]) == (
            "correct", 2, 'accept: "-log10(0.3)"', "log base 10 accepted")
    assert (got["s4"]["p"]["status"], got["s4"]["p"]["points"]) == ("wrong", 0)  # 0.7
    assert "rule" not in got["s4"]["p"]


def test_accept_with_credit_gives_that_share_of_the_points(tmp_path):
    _, _, out, _ = grade_with(
        tmp_path, 'rules:\n  - {part: q/p, accept: "-log10(0.3)", credit: 0.5}\n')
    assert parts(out)["s2"]["p"]["points"] == 1  # half of 2


def test_scale_multiplies_points_earned_and_available(tmp_path):
    _, _, out, _ = grade_with(
        tmp_path, "rules:\n  - {problem: q, scale: 0.5, comment: counts half}\n")
    got, rows = parts(out), grades(out)
    # s1: p 2 of 2 -> 1 of 1; w (pending, 1 point) -> 0 of 0.5: total 1 of 1.5.
    assert (got["s1"]["p"]["points"], got["s1"]["p"]["max_points"]) == (1, 1)
    assert got["s1"]["w"]["max_points"] == 0.5
    assert got["s1"]["p"]["rule"] == "scale: 0.5"
    assert (rows["s1"]["total"], rows["s1"]["max"]) == ("1", "1.5")


def test_rules_apply_in_order_and_a_students_own_override_wins(tmp_path):
    _, _, out, _ = grade_with(tmp_path, (
        "rules:\n"
        "  - {part: q/p, give: full, comment: key}\n"
        "  - {problem: q, scale: 0.5}\n"
        "s4: {q: {p: {points: 1, comment: own}}}\n"))
    got = parts(out)
    # s2: full marks 2, then halved: 1 of 1, both rules named.
    assert (got["s2"]["p"]["points"], got["s2"]["p"]["rule"]) == (1, "give: full; scale: 0.5")
    # s4: its own override (1 of 2) wins over give: full; then the scale: 0.5 of 1.
    assert (got["s4"]["p"]["points"], got["s4"]["p"]["max_points"]) == (0.5, 1)
    assert (got["s4"]["p"]["rule"], got["s4"]["p"]["comment"]) == ("scale: 0.5", "own")


def test_regrading_twice_gives_the_same_bytes(tmp_path):
    text = ('rules:\n  - {part: q/p, accept: "-log10(0.3)"}\n  - {problem: q, scale: 2}\n')
    _, _, first, overrides = grade_with(tmp_path, text, "one")
    bank, klass = tmp_path / "bank", tmp_path / "class"
    run("grade", klass, "-p", bank, "--overrides", overrides, "--out", tmp_path / "two",
        "--jobs", "2")
    for name in ("results.jsonl", "grades.csv", "summary.json"):
        assert (first / name).read_bytes() == (tmp_path / "two" / name).read_bytes()


def test_per_student_overrides_keep_their_format(tmp_path):
    _, stderr, out, _ = grade_with(tmp_path, "s3: {q: {w: {points: 1, comment: fine}}}\n")
    assert stderr == ""
    w = parts(out)["s3"]["w"]
    assert (w["status"], w["points"], w["comment"]) == ("graded", 1, "fine")
    assert "rule" not in w


@pytest.mark.parametrize(("rules", "message"), [
    pytest.param("  - {part: q/pp, give: full}",
                 "{f}:2:5: unknown part `q/pp` — a part id of that problem (did you mean `p`?)",
                 id="an unknown part"),
    pytest.param("  - {problem: qq, scale: 0.5}",
                 "{f}:2:5: unknown problem `qq` — a problem id of the bank (did you mean `q`?)",
                 id="an unknown problem"),
    pytest.param("  - {part: q/p, accept: \"log(\"}",
                 "{f}:2:5: `accept:` for part `q/p`: ", id="an accepted answer it cannot read"),
    pytest.param("  - {part: q/p, give: full, scale: 2}",
                 "{f}:2:5: a rule makes one change", id="two changes"),
    pytest.param("  - {problem: q, accept: 1}",
                 "{f}:2:5: `accept:` is for one part", id="accept on a problem"),
])
def test_a_rule_the_bank_cannot_take_is_an_error_at_its_line(tmp_path, rules, message):
    code, stderr, out, overrides = grade_with(tmp_path, f"rules:\n{rules}\n")
    assert code == 2
    assert stderr.startswith("error: " + message.format(f=overrides)), stderr
    assert len(stderr.splitlines()) == 1
    assert not out.exists()


def test_check_applies_rules_too(tmp_path):
    bank, klass = make(tmp_path)
    overrides = tmp_path / "o.yaml"
    overrides.write_text("rules:\n  - {part: q/p, give: full, comment: key}\n", "utf-8")
    code, stdout, _ = run("check", klass / "s4.yaml", "-p", bank, "--overrides", overrides,
                          "--format", "json")
    p = json.loads(stdout)["problems"][0]["parts"][0]
    assert (p["status"], p["points"], p["rule"]) == ("graded", 2, "give: full")
    assert code == 1  # s4 did not answer w


def _rules_blocks():
    text = (Path(__file__).resolve().parents[1] / "docs" / "grading-a-class.md").read_text("utf-8")
    return re.findall(r"^```yaml rules\n(.*?)^```", text, flags=re.S | re.M)


@pytest.mark.parametrize("block", _rules_blocks())
def test_the_docs_rules_example_is_valid_for_the_example_exam(block):
    from conftest import SEED
    from nncheck import grading, regrade
    from nncheck.io.overrides import parse
    from nncheck.io.yaml import parse_document

    loaded = parse(parse_document(block, "docs/grading-a-class.md"))
    assert len(loaded.regrade.rules) == 3
    regrade.check(loaded.regrade, grading.load_bank(SEED))  # raises on an unknown id
