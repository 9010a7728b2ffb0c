"""Item analysis of a class: every statistic against a hand computation written out below.

The class: six graded sheets (and one that could not be read, left out), four parts.

    student   A  B  C  D   total      A, B, C out of 1 point; D out of 2
    s1        1  1  0  2   4
    s2        1  1  0  1   3
    s3        1  0  0  2   3
    s4        0  1  1  0   2
    s5        0  0  1  0   1
    s6        0  0  0  0   0

Population variances (divided by N = 6) throughout.
"""

from __future__ import annotations

import json
import math

import pytest
from typer.testing import CliRunner

from conftest import SEED
from nncheck import items, stats
from nncheck.classroom import Options, PartStat, Row
from nncheck.cli import app
from nncheck.render.summary import summary_lines

A = [1, 1, 1, 0, 0, 0]
B = [1, 1, 0, 1, 0, 0]
C = [0, 0, 0, 1, 1, 0]
D = [2, 1, 2, 0, 0, 0]
MAX = {"A": 1.0, "B": 1.0, "C": 1.0, "D": 2.0}
NAMES = ["s1", "s2", "s3", "s4", "s5", "s6"]
# The wrong answers (canonical JSON) each student gave, by part; B is a choice part whose
# answers are also counted per option: s1 `Yes`, s2 `yes ` (the same option), s3 `no`,
# s4 `yes`, s5 `no`, s6 `no`.
WRONG = {
    "A": {"s4": "7", "s5": "7", "s6": "7"},
    "B": {"s3": "no", "s5": "no", "s6": "no"},
    "C": {"s1": "x", "s2": "x", "s3": "x", "s6": "y"},
    "D": {"s2": "1", "s4": "0", "s5": "0", "s6": "5"},
}
CHOICE = {"s1": "Yes", "s2": "yes ", "s3": "no", "s4": "yes", "s5": "no", "s6": "no"}
MISTAKE = {("B", "no"): "confused the two", ("D", "0"): "biases forgotten",
           ("D", "5"): "biases forgotten"}


def _rows() -> list[Row]:
    rows = []
    for i, name in enumerate(NAMES):
        parts = []
        for part, column in (("A", A), ("B", B), ("C", C), ("D", D)):
            points = float(column[i])
            answer = WRONG[part].get(name)
            parts.append(PartStat(
                "q", part, "wrong" if answer else "correct", points, MAX[part], True,
                points < MAX[part], json.dumps(answer) if answer else None, answer,
                MISTAKE.get((part, answer)), CHOICE[name] if part == "B" else None))
        total = sum(p.points for p in parts)
        rows.append(Row(f"{name}.yaml", f"{name}.yaml", name, name, status="failed",
                        score=total, max_score=5.0, scores=(("q", total),), parts=tuple(parts)))
    # A sheet that could not be read: no item statistic counts it.
    rows.insert(3, Row("bad.yaml", "bad.yaml", "bad", error="bad.yaml:1:1: not a sheet"))
    return rows


@pytest.fixture(scope="module")
def summary() -> dict:
    return stats.summarise(_rows(), [("q", 5.0)], {}, Options())


def _part(summary: dict, name: str) -> dict:
    return next(p for p in summary["parts"] if p["part"] == name)


def test_difficulty_is_mean_points_over_max(summary):
    # A: 3/6 = 0.5; B: 3/6 = 0.5; C: 2/6 = 0.3333; D: (2+1+2)/6 / 2 = 5/12 = 0.4167
    assert [_part(summary, p)["difficulty"] for p in "ABCD"] == [0.5, 0.5, 0.3333, 0.4167]


def test_standard_deviation_is_the_population_one(summary):
    # A, B: p = 1/2, var = p(1-p) = 1/4, sd = 0.5.  C: p = 1/3, var = 2/9, sd = 0.4714.
    # D: mean 5/6, E[x²] = (4+1+4)/6 = 3/2, var = 3/2 - 25/36 = 29/36, sd = 0.8975.
    assert [_part(summary, p)["stdev"] for p in "ABCD"] == [0.5, 0.5, 0.4714, 0.8975]


def test_corrected_item_total_correlation(summary):
    # r(item, total - item), sums of deviations products / sqrt(product of sums of squares):
    # A: rest = [3,2,2,2,1,0] (mean 5/3); Sxy = 0.5·(4/3+1/3+1/3) - 0.5·(1/3-2/3-5/3) = 2,
    #    Sxx = 1.5, Syy = (16+1+1+1+4+25)/9 = 48/9; r = 2/sqrt(8) = 0.7071
    # B: rest = [3,2,3,1,1,0]; Sxy = 1, Syy = 66/9; r = 1/sqrt(11) = 0.3015
    # C: rest = [4,3,3,1,0,0] (mean 11/6); Sxy = -5/6 - 11/6 = -8/3, Sxx = 4/3,
    #    Syy = (169+49+49+25+121+121)/36 = 534/36; r = -(8/3)/sqrt(4/3 · 534/36) = -0.5996
    # D: rest = [2,2,1,2,1,0] (mean 4/3); Sxy = 2·2/3 + 1·2/3 + 2·(-1/3) = 4/3,
    #    Sxx = 29/6, Syy = 30/9; r = (4/3)/sqrt(29/6 · 10/3) = 0.3322
    assert [_part(summary, p)["item_rest"] for p in "ABCD"] == [0.7071, 0.3015, -0.5996, 0.3322]


def test_upper_lower_index_shares_places_among_ties(summary):
    # n = round(0.27 · 6) = round(1.62) = 2 students a group. Totals 4, 3, 3, 2, 1, 0.
    # Upper: s1 (4) has weight 1; s2 and s3 tie at the cut (3) for the one place left:
    #   weight 1/2 each. Lower: s6 (0) and s5 (1), weight 1 each.
    # A: (1 + 0.5 + 0.5 - 0) / (2 · 1) = 1.0;  B: (1 + 0.5 - 0) / 2 = 0.75
    # C: (0 - 1) / 2 = -0.5;  D: (2 + 0.5·1 + 0.5·2 - 0) / (2 · 2) = 0.875
    assert [_part(summary, p)["upper_lower"] for p in "ABCD"] == [1.0, 0.75, -0.5, 0.875]
    assert summary["items"]["group_size"] == 2


def test_cronbach_alpha_and_sem(summary):
    # var(total): mean 13/6, E[X²] = (16+9+9+4+1+0)/6 = 39/6, var = 39/6 - 169/36 = 65/36.
    # Σ var(item) = 9/36 + 9/36 + 8/36 + 29/36 = 55/36.
    # α = 4/3 · (1 - 55/65) = 4/3 · 2/13 = 8/39 = 0.2051
    # SEM = sqrt(65/36) · sqrt(1 - 8/39) = sqrt(65/36 · 31/39) = 1.1980
    whole = summary["items"]
    assert whole["students"] == 6  # the unreadable sheet is not one of them
    assert whole["items"] == 4
    assert whole["alpha"] == 0.2051
    assert whole["sem"] == pytest.approx(1.198, abs=1e-4)
    assert whole["total_stdev"] == 1.3437  # sqrt(65/36)
    assert whole["kr20"] is None  # D has a score of 1 out of 2: not all or nothing


def test_kr20_when_every_part_is_all_or_nothing():
    # Parts A, B, C only: totals [2,2,1,2,1,0], mean 4/3, E[X²] = 14/6, var = 14/6 - 16/9 = 5/9.
    # Σ p(1-p) = 1/4 + 1/4 + 2/9 = 13/18.  KR-20 = 3/2 · (1 - (13/18)/(10/18)) = -0.45
    # (negative: the parts do not measure one thing). SEM = sqrt(5/9 · 1.45) = 0.8975
    _, whole = items.analyse([(A, 1.0), (B, 1.0), (C, 1.0)])
    assert whole["kr20"] == -0.45
    assert whole["alpha"] == -0.45
    assert whole["sem"] == 0.8975


def test_flags(summary):
    # C: a negative corrected correlation: its key may be wrong.
    assert [_part(summary, p)["flags"] for p in "ABCD"] == [[], [], ["check-key"], []]
    # Everyone right: difficulty 1 > 0.95; no one right: 0 < 0.1; neither varies (no r).
    found, _ = items.analyse([([1, 1, 1, 1], 1.0), ([0, 0, 0, 0], 1.0), ([1, 0, 1, 0], 1.0)])
    assert [f["flags"] for f in found] == [["very-easy"], ["very-hard"], []]
    assert found[0]["item_rest"] is None


def test_option_and_mistake_counts(summary):
    b = _part(summary, "B")
    # `Yes`, `yes ` and `yes` are one option (case and spacing aside), first written `Yes`.
    assert b["options"] == {"Yes": 3, "no": 3}
    assert b["mistakes"] == {"confused the two": 3}
    assert _part(summary, "D")["mistakes"] == {"biases forgotten": 3}
    assert _part(summary, "A")["options"] is None  # not a choice part


def test_shared_rare_wrong_answers(summary):
    # Rare: given by at most 3 of the 6. Pairs sharing 2 or more of them:
    # s4, s5: A `7` (3 students) and D `0` (2): ln(6/3) + ln(6/2) = ln 6 = 1.7918
    # s5, s6: A `7` (3) and B `no` (3): ln 2 + ln 2 = ln 4 = 1.3863
    # (s3, s5 share only B `no`; s1, s2, s3 only C `x`; s6's C `y` is given by no one else.)
    shared = summary["shared_rare_wrong_answers"]
    assert [(p["students"], p["score"]) for p in shared["pairs"]] == [
        (["s4", "s5"], round(math.log(6), 4)), (["s5", "s6"], round(math.log(4), 4))]
    assert [(a["part"], a["shown"], a["count"]) for a in shared["pairs"][0]["answers"]] == [
        ("A", "7", 3), ("D", "0", 2)]
    assert shared["more"] == 0


def test_only_rare_answers_make_pairs():
    # With "rare" at most 2 students, A `7` and B `no` (3 students each) no longer count:
    # s4, s5 share only D `0`, which is below the 2 shared answers a pair needs.
    answers = [("q", "A", "7", 3, ["s4", "s5", "s6"]), ("q", "B", "no", 3, ["s3", "s5", "s6"]),
               ("q", "D", "0", 2, ["s4", "s5"])]
    assert items.shared_rare(answers, 6, rare=2)["pairs"] == []
    assert len(items.shared_rare(answers, 6, rare=3)["pairs"]) == 2


def test_terminal_summary_lists_items_and_flags(summary):
    lines = summary_lines(summary)
    text = "\n".join(lines)
    assert "Cronbach's α 0.2051" in text
    assert any("q / C" in line and "check the key" in line for line in lines)


def test_sort_by_difficulty_orders_hardest_first(summary):
    lines = summary_lines(summary, sort="difficulty")
    start = lines.index("Item analysis (hardest first):")
    order = [line.split()[0] + line.split()[2] for line in lines[start + 2:start + 6]]
    # Difficulties: C 0.3333 < D 0.4167 < A 0.5 = B 0.5 (ties in bank order).
    assert order == ["qC", "qD", "qA", "qB"]


def test_grade_sort_difficulty_on_the_seed_class(tmp_path):
    # The seed class (problems/seed-exam/class: 12 sheets, s07 unreadable, so 11 students).
    # q6 / b-collapse is the hardest: s01, s02, s06 and s12 collapse B into A (2 points each),
    # the rest leave it out or get it wrong: 8/(11·2) = 0.36 (tied with q7 / iv, bank order).
    # q4 / method-2 the easiest: all but s05 (blank) and s08 (wrong) count it: 9/11 = 0.82.
    result = CliRunner().invoke(app, ["grade", str(SEED / "class"), "--problems", str(SEED),
                                      "--out", str(tmp_path / "out"), "--sort", "difficulty",
                                      "--format", "text"])
    assert result.exit_code == 1  # some students lost points
    lines = result.stdout.splitlines()
    start = lines.index("Item analysis (hardest first):")
    assert lines[start + 2].split()[:4] == ["q6-linear-depth", "/", "b-collapse", "0.36"]
    assert lines[start + 21].split()[:4] == ["q4-dense-vs-conv", "/", "method-2", "0.82"]
    assert (tmp_path / "out" / "report.html").is_file()


def test_grade_sort_refuses_an_unknown_order(tmp_path):
    result = CliRunner().invoke(app, ["grade", str(SEED / "class"), "--problems", str(SEED),
                                      "--out", str(tmp_path / "out"), "--sort", "hardness"])
    assert result.exit_code == 2
    assert "`hardness` is not one of bank, difficulty" in result.stderr
