"""Rounding-aware grading: `tolerance: {rounded: true, min_sigfigs, min_decimals}` accepts the
truth correctly rounded to the precision the answer was written with.

Each expected verdict is worked out by hand from the rule in docs/format.md (Tolerance):
round the truth at the place of the answer's last written digit; a truth on a half accepts
both neighbours; a digit written beyond the minimum may be one unit off; the answer needs at
least `min_sigfigs` significant figures and `min_decimals` decimals.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from conftest import make_problem
from nncheck.cli import app
from nncheck.compare.verdict import Status
from nncheck.grading import Bank, LoadedProblem, grade_sheet


def grade(reference: str, tolerance: dict, claim, *, ask: dict | None = None):
    """Grade one claim against a part whose truth is the constant `reference`."""
    part = ask or {"id": "a", "ask": "formula", "reference": reference}
    problem = make_problem({"id": "p", "parts": [{**part, "tolerance": tolerance}]})
    bank = Bank({"p": LoadedProblem(problem, "p.yaml")})
    return grade_sheet(bank, {"p": {part["id"]: claim}}).problems[0].parts[0]


TWO_DECIMALS = {"rounded": True, "min_decimals": 2}


@pytest.mark.parametrize(
    ("text", "place", "figures", "ambiguous"),
    [
        pytest.param("0.0351", -4, 3, 0, id="leading-zeros-not-figures"),
        pytest.param("-0.20", -2, 2, 0, id="trailing-zero-after-the-point-counts"),
        pytest.param("8", 0, 1, 0, id="one-digit"),
        pytest.param("800", 0, 3, 2, id="integer-zeros-ambiguous"),
        pytest.param("800.", 0, 3, 0, id="a-point-makes-them-figures"),
        pytest.param("1.50e-3", -5, 3, 0, id="exponent"),
        pytest.param("0.00", -2, 0, 0, id="zero-has-no-figures"),
    ],
)
def test_the_precision_a_literal_was_written_with(text, place, figures, ambiguous):
    from nncheck.written import Precision, precision

    assert precision(text) == Precision(place, figures, ambiguous)


@pytest.mark.parametrize(
    ("reference", "tolerance", "claim", "status"),
    [
        # CS231n prints 2-decimal answers. 0.0351 at 2 decimals: the third decimal is 5, so
        # 0.03 rounds up to 0.04.
        pytest.param("0.0351", TWO_DECIMALS, 0.04, Status.CORRECT, id="cs231n-0.04"),
        # -0.1966 at 2 decimals: the third decimal is 6, so -0.19 becomes -0.20.
        pytest.param("-0.1966", TWO_DECIMALS, "-0.20", Status.CORRECT, id="cs231n--0.20"),
        pytest.param("-0.1966", {"rounded": True, "min_sigfigs": 2}, "-0.20", Status.CORRECT,
                     id="-0.20-has-two-figures"),
        # The default 1 % would refuse both: 0.04 is 14 % off 0.0351, -0.20 is 1.7 % off.
        pytest.param("0.0351", 0.01, 0.04, Status.WRONG, id="0.04-wrong-under-1%"),
        # 0.0351 at 2 decimals is 0.04, not 0.03 nor 0.05: no slack at the minimum precision.
        pytest.param("0.0351", TWO_DECIMALS, 0.03, Status.WRONG, id="0.03-refused"),
        pytest.param("0.0351", TWO_DECIMALS, 0.05, Status.WRONG, id="0.05-refused"),
        # Fewer decimals than asked: 0.0 (one decimal) though 0.0351 rounds to 0.0.
        pytest.param("0.0351", TWO_DECIMALS, "0.0", Status.WRONG, id="too-few-decimals"),
        # The quiz distractor: 8 has one significant figure, three are asked.
        pytest.param("8.0008", {"rounded": True, "min_sigfigs": 3}, 8, Status.WRONG,
                     id="8-for-8.0008-refused"),
        # 8.0008 to three figures is 8.00 (the fourth figure is 0).
        pytest.param("8.0008", {"rounded": True, "min_sigfigs": 3}, "8.00", Status.CORRECT,
                     id="8.00-for-8.0008"),
        # Under the default 1 %, 8 is 0.01 % off 8.0008: it passes.
        pytest.param("8.0008", 0.01, 8, Status.CORRECT, id="8-passes-under-1%"),
        # A truth exactly on a half (0.125, exact in binary) accepts both neighbours.
        pytest.param("0.125", TWO_DECIMALS, 0.12, Status.CORRECT, id="half-down"),
        pytest.param("0.125", TWO_DECIMALS, 0.13, Status.CORRECT, id="half-up"),
        pytest.param("0.125", TWO_DECIMALS, 0.11, Status.WRONG, id="half-not-further"),
        # A digit beyond the minimum may be one unit off: 0.03514 at three figures is 0.0351;
        # 0.0352 is one unit off in its fourth decimal (|0.0352 - 0.03514| = 0.00006, at
        # most 1.5 units of 0.0001); 0.0354 is 0.00026 away, more than 0.00015.
        pytest.param("0.03514", {"rounded": True, "min_sigfigs": 2}, "0.0352", Status.CORRECT,
                     id="surplus-digit-one-off"),
        pytest.param("0.03514", {"rounded": True, "min_sigfigs": 2}, "0.0354", Status.WRONG,
                     id="surplus-digit-three-off"),
        # At the minimum (two figures), 0.036 is one unit off 0.035: refused.
        pytest.param("0.03514", {"rounded": True, "min_sigfigs": 2}, "0.036", Status.WRONG,
                     id="minimum-digit-one-off"),
        # `800`: its zeros may or may not be figures. For 800.3 at three figures, the reading
        # 800 (units) is 800.3 rounded; for 803.2 it is not (803), and the one-figure reading
        # has too few figures; at one figure, 803.2 rounds to 800 at the hundreds.
        pytest.param("800.3", {"rounded": True, "min_sigfigs": 3}, 800, Status.CORRECT,
                     id="800-as-three-figures"),
        pytest.param("803.2", {"rounded": True, "min_sigfigs": 3}, 800, Status.WRONG,
                     id="800-not-803"),
        pytest.param("803.2", {"rounded": True, "min_sigfigs": 1}, 800, Status.CORRECT,
                     id="800-as-one-figure"),
        # An answer equal to the truth is never short of figures: 3 for 3 at three figures.
        pytest.param("3", {"rounded": True, "min_sigfigs": 3}, 3, Status.CORRECT,
                     id="exact-answer"),
        # An expression shows no figures: it is read as every digit of its value.
        # 1/28 = 0.0357142857..., 0.0006 from 0.0351: the decimal 0.0357142857... is wrong at
        # its own last digit; 1/20 = 0.05 (two decimals) is 0.0149 away.
        pytest.param("0.0351", TWO_DECIMALS, "1/28", Status.WRONG, id="expression-near"),
        pytest.param("0.0351", TWO_DECIMALS, "1/20", Status.WRONG, id="expression-far"),
    ],
)
def test_the_truth_rounded_as_the_answer_was_written(reference, tolerance, claim, status):
    assert grade(reference, tolerance, claim).status is status


def test_a_rounded_answer_short_of_the_figures_asked_says_so():
    part = grade("8.0008", {"rounded": True, "min_sigfigs": 3}, 8)
    assert part.message == (
        "expected 8.0008, got 8: 0.01 % off, tolerance rounded as written "
        "(at least 3 significant figures); written with 1 significant figure")


def test_a_miss_shows_the_digits_written_and_the_truth_at_that_precision(tmp_path):
    # 0.040 (three decimals) for 0.0351: |0.040 - 0.0351| / 0.0351 = 0.0049 / 0.0351 = 14 %;
    # 0.0351 at three decimals is 0.035.
    sheet, bank = write(tmp_path, BANK, "    dw: 0.040\n    db: -0.20\n")
    result = CliRunner().invoke(app, ["check", str(sheet), "-p", str(bank), "--format", "json"])
    parts = {p["id"]: p for p in json.loads(result.stdout)["problems"][0]["parts"]}
    assert parts["dw"]["message"] == (
        "expected 0.0351, got 0.040: 14 % off, tolerance rounded as written "
        "(at least 2 decimals); at 3 decimals the truth is 0.035")


def test_vectors_are_rounded_element_by_element():
    # [0.0351, -0.1966] at 2 decimals is [0.04, -0.20].
    network = {"kind": "network", "inputs": ["x"], "activation": "linear",
               "layers": [{"a": {"w": 0.0351, "b": 0}, "b": {"w": -0.1966, "b": 0}}]}
    part = {"id": "v", "ask": "forward", "network": "net", "input": {"x": 1}, "of": ["a", "b"]}
    problem = make_problem({"id": "p", "given": {"net": network},
                            "parts": [{**part, "tolerance": TWO_DECIMALS}]})
    bank = Bank({"p": LoadedProblem(problem, "p.yaml")})
    ok = grade_sheet(bank, {"p": {"v": [0.04, "-0.20"]}}).problems[0].parts[0]
    assert ok.status is Status.CORRECT
    off = grade_sheet(bank, {"p": {"v": [0.04, "-0.19"]}}).problems[0].parts[0]
    assert off.status is Status.WRONG


def test_integer_counts_stay_exact_under_rounding():
    # 10·10·1·5 + 5 = 505 parameters; at one figure 505 rounds to 500, but a count is exact.
    model = {"kind": "model", "input": [10, 10, 1], "layers": ["flatten", {"dense": 5}]}
    problem = make_problem({"id": "p", "given": {"m": model},
                            "tolerance": {"rounded": True, "min_sigfigs": 1},
                            "parts": [{"id": "n", "ask": "param_count", "model": "m"}]})
    bank = Bank({"p": LoadedProblem(problem, "p.yaml")})
    assert grade_sheet(bank, {"p": {"n": 500}}).problems[0].parts[0].status is Status.WRONG
    assert grade_sheet(bank, {"p": {"n": 505}}).problems[0].parts[0].status is Status.CORRECT


BANK = """\
id: cs231n
tolerance: {rounded: true, min_decimals: 2}
parts:
  - {id: dw, ask: formula, reference: "0.0351"}
  - {id: db, ask: formula, reference: "-0.1966"}
"""


def write(tmp_path: Path, bank: str, answers: str) -> tuple[Path, Path]:
    (tmp_path / "bank").mkdir()
    (tmp_path / "bank" / "cs231n.yaml").write_text(bank, encoding="utf-8")
    sheet = tmp_path / "sheet.yaml"
    sheet.write_text("student: {id: s1}\nanswers:\n  cs231n:\n" + answers, encoding="utf-8")
    return sheet, tmp_path / "bank"


def statuses(out: str) -> dict[str, str]:
    data = json.loads(out)
    return {p["id"]: p["status"] for p in data["problems"][0]["parts"]}


def test_a_sheet_written_at_two_decimals_passes(tmp_path):
    sheet, bank = write(tmp_path, BANK, "    dw: 0.04\n    db: -0.20\n")
    result = CliRunner().invoke(app, ["check", str(sheet), "-p", str(bank), "--format", "json"])
    assert result.exit_code == 0, result.output
    assert statuses(result.stdout) == {"dw": "correct", "db": "correct"}


def test_a_trailing_zero_in_the_file_is_written_precision(tmp_path):
    # 0.040 has three decimals: 0.0351 at three decimals is 0.035, not 0.040. The YAML float
    # 0.040 must keep its written digits for this (as a float it is 0.04, which passes).
    # -0.200 likewise: -0.1966 at three decimals is -0.197.
    sheet, bank = write(tmp_path, BANK, "    dw: 0.040\n    db: -0.200\n")
    result = CliRunner().invoke(app, ["check", str(sheet), "-p", str(bank), "--format", "json"])
    assert result.exit_code == 1, result.output
    assert statuses(result.stdout) == {"dw": "wrong", "db": "wrong"}


def test_rounding_options_without_rounded_are_refused(tmp_path):
    bank = BANK.replace("{rounded: true, min_decimals: 2}", "{min_decimals: 2}")
    sheet, folder = write(tmp_path, bank, "    dw: 0.04\n")
    result = CliRunner().invoke(app, ["check", str(sheet), "-p", str(folder)])
    assert result.exit_code == 2
    assert "cs231n.yaml:2:" in result.output
    assert "`min_decimals` applies only with `rounded: true`" in result.output


def test_a_relative_tolerance_beside_rounded_is_refused(tmp_path):
    bank = BANK.replace("{rounded: true, min_decimals: 2}", "{rounded: true, rel: 0.01}")
    sheet, folder = write(tmp_path, bank, "    dw: 0.04\n")
    result = CliRunner().invoke(app, ["check", str(sheet), "-p", str(folder)])
    assert result.exit_code == 2
    assert "`rel` does not apply with `rounded: true`" in result.output


def test_a_tolerance_without_rounding_keeps_its_content_digest():
    # The sample points hang on a problem's validated content: a file that does not use the
    # rounding keys serialises as it did before they existed (rel, abs, sigfigs only).
    problem = make_problem({"id": "p", "tolerance": 0.01, "parts": [
        {"id": "a", "ask": "formula", "reference": "1", "tolerance": {"sigfigs": 3}}]})
    assert problem.model_dump()["tolerance"] == {"rel": 0.01, "abs": None, "sigfigs": None}
    assert problem.model_dump()["parts"][0]["tolerance"] == {"rel": None, "abs": None,
                                                             "sigfigs": 3}
    rounded = make_problem({"id": "p", "tolerance": {"rounded": True, "min_sigfigs": 2},
                            "parts": [{"id": "a", "ask": "formula", "reference": "1"}]})
    assert rounded.model_dump()["tolerance"] == {"rel": None, "abs": None, "sigfigs": None,
                                                 "rounded": True, "min_sigfigs": 2}
