"""Answer groups that may be trusted: one group is one answer as the grader read it, on the
same earlier answers, and a rule or a group is refused where it would score other answers."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
import yaml
from reviewkit import make, parts, run

from conftest import VARIED_LOSS
from nncheck import groups, variants

ROOT = Path(__file__).resolve().parents[1]
Q1 = ROOT / "problems" / "seed-exam" / "q1-exactly-two.yaml"


def review(bank: Path, klass: Path, out: Path) -> list[dict]:
    code, stdout, stderr = run("review", klass, "-p", bank, "--out", out, "--format", "json")
    assert code == 0, stderr
    return json.loads(stdout)["groups"]


def write_sheets(klass: Path, problem: str, sheets: dict[str, dict]) -> None:
    klass.mkdir()
    for sid, answers in sheets.items():
        text = json.dumps({"student": {"id": sid, "name": sid.upper()},
                           "answers": {problem: answers}})
        (klass / f"{sid}.yaml").write_text(text + "\n", encoding="utf-8")


# --- 1. parts graded against the student's own earlier answer ----------------------------------

# Alice's design is the model answer (n1 fires on two or more inputs: z_n1 = m1+m2+m3 - 1.5);
# Bob's n1 has bias -0.5, so his z_n1 is m1+m2+m3 - 0.5. Both paste one table: z_n1 on every
# row "off", z_n2 "off" but on 111, where it is 3 - 2.5 = 0.5. For Alice, z_n1 on 011 is
# 2 - 1.5 = 0.5 (not off); for Bob, z_n1 on 001 is 1 - 0.5 = 0.5: the table is wrong for both,
# in different rows, and a person scoring it for one design has not scored it for the other.
ALICE = {"n1": {"w": [1, 1, 1], "b": -1.5}, "n2": {"w": [1, 1, 1], "b": -2.5},
         "Y": {"w": [1, -1], "b": -1}}
BOB = {"n1": {"w": [1, 1, 1], "b": -0.5}, "n2": {"w": [1, 1, 1], "b": -2.5},
       "Y": {"w": [1, -1], "b": -1}}
TABLE = {"z_n1": {"else": "off"}, "z_n2": {"111": 0.5, "else": "off"}}


def q1_class(tmp_path: Path) -> tuple[Path, Path]:
    bank = tmp_path / "bank"
    bank.mkdir()
    shutil.copy(Q1, bank / Q1.name)
    write_sheets(tmp_path / "class", "q1-exactly-two", {
        "alice": {"design": ALICE, "pre-activations": TABLE},
        "bob": {"design": BOB, "pre-activations": TABLE},
        "carol": {"design": BOB, "pre-activations": TABLE},
    })
    return bank, tmp_path / "class"


def test_one_table_on_two_designs_is_two_groups(tmp_path):
    bank, klass = q1_class(tmp_path)
    found = review(bank, klass, tmp_path / "groups.yaml")
    pre = [g for g in found if g["part"] == "pre-activations"]
    assert sorted(g["students"] for g in pre) == [["alice"], ["bob", "carol"]]


def test_scoring_the_group_of_one_design_does_not_score_the_other(tmp_path):
    bank, klass = q1_class(tmp_path)
    out = tmp_path / "groups.yaml"
    review(bank, klass, out)
    data = yaml.safe_load(out.read_text("utf-8"))
    for g in data["groups"]:
        if g["part"] == "pre-activations" and g["students"] == ["alice"]:
            g["points"] = 2
    out.write_text(yaml.safe_dump(data), encoding="utf-8")
    code, _, stderr = run("grade", klass, "-p", bank, "--overrides", out,
                          "--out", tmp_path / "report", "--format", "text")
    assert code == 1, stderr
    got = parts(tmp_path / "report")
    assert got["alice"]["pre-activations"]["points"] == 2
    assert got["bob"]["pre-activations"]["points"] == 0
    assert got["carol"]["pre-activations"]["points"] == 0


# --- 2. manual answers: only case, spaces, quotes and the final stop fold ------------------------

@pytest.mark.parametrize(("a", "b"), [
    ("dL/dw = -0.5", "dL/dw = 0.5"),
    ("dL/dw = 0.5", "dL/dw = 0,5"),
    ("1/2", "1.2"), ("1.2", "1,2"), ("1,2", "1-2"), ("1/2", "1-2"),
    ("x < 0", "x > 0"), ("(a+b)^2", "a+b^2"), ("2*x", "2+x"),
])
def test_manual_answers_that_differ_in_a_sign_are_different_groups(a, b):
    assert groups.answer_key("q", "w", a, free_text=True) != \
        groups.answer_key("q", "w", b, free_text=True)


@pytest.mark.parametrize(("a", "b"), [
    ("Zero gradient.", "zero   gradient"),
    ("Zero gradient!", "ZERO GRADIENT"),
    ('"zero gradient"', "zero gradient?"),
    ("dL/dw = -0.5.", "dl/dw  =  -0.5"),
])
def test_manual_answers_alike_but_for_case_spaces_quotes_and_final_stop_share_a_group(a, b):
    assert groups.answer_key("q", "w", a, free_text=True) == \
        groups.answer_key("q", "w", b, free_text=True)


# --- 3. other answers: as the grader reads them ----------------------------------------------

@pytest.mark.parametrize(("a", "b"), [
    ("0.5 1", "0.51"),   # two numbers, unreadable as one, are not the number 0.51
    ("1 2 3", "123"),
    ("x y", "xy"),        # two names are not one name
    ({"Y": "0001 0110"}, {"Y": "1 0110"}),   # a column's bits: leading zeros count
    ({"Y": "0001 0110"}, {"Y": "10110"}),
])
def test_answers_the_grader_reads_differently_are_different_groups(a, b):
    assert groups.answer_key("q", "p", a) != groups.answer_key("q", "p", b)


def test_a_bit_column_is_read_as_the_table_reader_reads_it():
    # The table reader drops the spaces in a column of bits: `0001 0110` is `00010110`.
    assert groups.answer_key("q", "p", {"Y": "0001 0110"}) == \
        groups.answer_key("q", "p", {"Y": "00010110"})


def test_a_sheets_decimal_comma_is_read_before_grouping(tmp_path):
    # With `decimal_comma: true`, "1,000" is one (1.000) and groups with 1; without, it is
    # the thousand 1000. Cross-entropy -ln 0.3 = 1.204, so 1, "1,000" and 1000 are all wrong.
    bank, klass = make(tmp_path, {})
    for sid, answer, comma in (("s1", "1,000", True), ("s2", 1, False),
                               ("s3", 1000, False)):
        data = {"student": {"id": sid, "name": sid}, "answers": {"q": {"p": answer}}}
        if comma:
            data["decimal_comma"] = True
        (klass / f"{sid}.yaml").write_text(json.dumps(data) + "\n", encoding="utf-8")
    found = review(bank, klass, tmp_path / "groups.yaml")
    p = sorted(g["students"] for g in found if g["part"] == "p")
    assert p == [["s1", "s2"], ["s3"]]


# --- 4. `accept:` on a problem that varies -----------------------------------------------------

SECRET = "course secret of the trusted groups tests"


def varied_class(tmp_path: Path, monkeypatch, rule: str):
    monkeypatch.setenv("NNCHECK_SECRET", SECRET)
    bank = tmp_path / "bank"
    bank.mkdir()
    (bank / "small.yaml").write_text(VARIED_LOSS, encoding="utf-8")
    seen: dict[int, str] = {}
    for n in range(50):  # two students of different variants
        sid = f"s{n}"
        v = 1 + (variants.exam_variant(SECRET.encode(), sid) - 1) % 5
        seen.setdefault(v, sid)
        if len(seen) == 2:
            break
    (one, first), (_, second) = sorted(seen.items())
    write_sheets(tmp_path / "class", "small", {first: {"a": 0.6931}, second: {"a": 0.6931}})
    overrides = tmp_path / "rules.yaml"
    overrides.write_text(f"rules:\n  - {rule.format(variant=one)}\n", encoding="utf-8")
    code, _, stderr = run("grade", tmp_path / "class", "-p", bank, "--overrides", overrides,
                          "--out", tmp_path / "report", "--format", "text")
    return code, stderr, overrides, first, second


def test_accept_on_a_problem_that_varies_is_refused(tmp_path, monkeypatch):
    code, stderr, overrides, _, _ = varied_class(
        tmp_path, monkeypatch, "{{part: small/a, accept: 0.6931}}")
    assert code == 2
    assert stderr.startswith(f"error: {overrides}:2:5: `accept:` on part `small/a` of a "
                             "problem that varies: an accepted answer differs per variant: "
                             "score the groups of each variant instead"), stderr
    assert len(stderr.splitlines()) == 1


def test_accept_for_one_variant_credits_that_variant_only(tmp_path, monkeypatch):
    code, stderr, _, first, second = varied_class(
        tmp_path, monkeypatch, "{{part: small/a, accept: 0.6931, variant: {variant}}}")
    assert code == 1, stderr
    got = parts(tmp_path / "report")
    assert (got[first]["a"]["status"], got[first]["a"]["points"]) == ("correct", 1)
    assert (got[second]["a"]["status"], got[second]["a"]["points"]) == ("wrong", 0)


# --- 5. one group twice in the file ------------------------------------------------------------

def test_a_group_written_twice_is_an_error_naming_both_lines(tmp_path):
    bank, klass = make(tmp_path)
    overrides = tmp_path / "groups.yaml"
    key = groups.answer_key("q", "p", 0.7)  # s4's wrong answer
    overrides.write_text(
        "groups:\n"
        f"  - {{key: \"{key}\", problem: q, part: p, points: 0}}\n"
        f"  - {{key: \"{key}\", problem: q, part: p, points: 2}}\n", encoding="utf-8")
    code, _, stderr = run("grade", klass, "-p", bank, "--overrides", overrides,
                          "--out", tmp_path / "report", "--format", "text")
    assert code == 2
    assert stderr.startswith(f"error: {overrides}:3:5: group {key} of `q/p` is in the file "
                             "twice, at lines 2 and 3"), stderr
    assert len(stderr.splitlines()) == 1


# --- 6. words ------------------------------------------------------------------------------------

def test_accept_on_a_manual_part_says_what_is_wrong_in_terms_of_rules(tmp_path):
    bank, klass = make(tmp_path)
    overrides = tmp_path / "rules.yaml"
    overrides.write_text("rules:\n  - {part: q/w, accept: zero gradient}\n", encoding="utf-8")
    code, _, stderr = run("grade", klass, "-p", bank, "--overrides", overrides,
                          "--out", tmp_path / "report", "--format", "text")
    assert code == 2
    assert stderr.startswith(f"error: {overrides}:2:5: `accept:` on part `q/w`, a manual "
                             "part"), stderr
    assert "hints" not in stderr


def test_review_counts_the_sheets_it_could_not_read(tmp_path):
    bank, klass = make(tmp_path)
    (klass / "broken.yaml").write_text("student: {id: s9\n", encoding="utf-8")
    code, stdout, stderr = run("review", klass, "-p", bank, "--out", tmp_path / "g.yaml",
                               "--format", "text")
    assert code == 0, stderr
    first = stdout.splitlines()[0]
    assert " from 4 sheets (1 could not be read), " in first, first
