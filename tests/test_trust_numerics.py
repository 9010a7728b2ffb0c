"""Trust in the numbers: sample points a student cannot fit, exact counts, z = 0 decided exactly.

Each test states the truth by hand (or the documented rule) and the attack or the extreme it
stands for.
"""

from __future__ import annotations

import json
import math
import zlib
from pathlib import Path

import numpy as np
import pytest
import yaml
from typer.testing import CliRunner

from conftest import context
from nncheck.cli import app
from nncheck.compare.verdict import Status
from nncheck.engine.network import build
from nncheck.solvers.formula import solve_formula
from nncheck.solvers.models import solve_param_count
from nncheck.solvers.networks import solve_forward, solve_realize
from nncheck.spec.network import NetworkSpec

# --- sample points a student cannot fit ------------------------------------------------------

# One dense layer of 10 units on an input of n features: n·10 weights + 10 biases = 10n + 10.
DENSE = {"given": {"m": {"kind": "model", "framework": "keras", "input": ["n"],
                         "layers": [{"dense": 10}]}},
         "parts": [{"id": "count", "ask": "param_count", "model": "m"}]}


def public_points(problem_id: str, part_id: str, salt: str, k: int = 8) -> list[int]:
    """The points of a size in 1..1000 as anyone could compute them from the ids alone: the
    domain's ends, then distinct draws of a generator seeded by crc32 of the ids."""
    rng = np.random.default_rng([zlib.crc32(f"{problem_id}/{part_id}".encode()),
                                 zlib.crc32(salt.encode())])
    points = [1, 1000]
    while len(points) < k:
        value = int(rng.integers(1, 1001))
        if value not in points:
            points.append(value)
    return points


def vanishing(points: list[float]) -> str:
    """A product that is 0 at every one of the points: (n - p1)(n - p2)..."""
    return "".join(f"(n - {p!r})" for p in points)


def count_truth():
    ctx = context(DENSE)
    return solve_param_count(ctx.part, ctx)


def test_a_polynomial_through_the_public_points_is_wrong():
    # 10n + 10 plus a polynomial that vanishes at the 8 points computable from the ids: it
    # equals the count there, and nowhere else.
    claim = "10n + 10 + " + vanishing([float(p) for p in public_points("p", "count",
                                                                         "symbols of m")])
    verdict = count_truth().grade(claim)
    assert verdict.status is Status.WRONG


def test_a_polynomial_through_the_very_points_graded_at_is_wrong_by_its_degree():
    # The strongest attacker knows the points actually used (a leaked secret, say): the claim
    # matches the truth at all of them, but the count is of degree 1 in n and the claim of 8.
    truth = count_truth()
    points = [float(p) for p in truth.env["n"]]
    claim = "10n + 10 + " + vanishing(points)
    verdict = truth.grade(claim)
    assert verdict.status is Status.WRONG
    assert verdict.message == ("right at the sample points only: the answer has degree 1 in n, "
                               f"yours {len(points)}")


def test_a_lookup_through_the_very_points_graded_at_is_wrong_at_further_points():
    # Not a polynomial: (n == p)·(10p + 10) summed over the points. Right at every point
    # graded at, wrong anywhere else: the second round of points finds it.
    truth = count_truth()
    points = [int(p) for p in truth.env["n"]]
    claim = " + ".join(f"(n == {p})*{10 * p + 10}" for p in points)
    verdict = truth.grade(claim)
    assert verdict.status is Status.WRONG
    assert verdict.message.startswith("right at the sample points only: at n = ")


def test_the_same_count_written_otherwise_is_still_correct():
    truth = count_truth()
    for claim in ("10n + 10", "10(n + 1)", "(n + 1)*10", "n*10 + 10 + 0*n^9",
                  "(20n^2 + 20n)/(2n)"):  # the last is no polynomial: checked at more points
        assert truth.grade(claim).status is Status.CORRECT, claim


def test_a_formula_part_fitted_through_its_points_is_wrong():
    data = {"parts": [{"id": "f", "ask": "formula", "reference": "n^2 + 3n",
                       "symbols": {"n": {"integer": [1, 1000]}}}]}
    ctx = context(data)
    truth = solve_formula(ctx.part, ctx)
    claim = "n^2 + 3n + " + vanishing([float(p) for p in truth.env["n"]])
    assert truth.grade(claim).status is Status.WRONG
    assert truth.grade("n(n + 3)").status is Status.CORRECT


def test_a_real_formula_fitted_through_its_points_is_wrong():
    # Real symbols: the claim 2x + 10^9·Π(x - x_i) is 2x at every point drawn, not elsewhere.
    data = {"parts": [{"id": "f", "ask": "formula", "reference": "2x",
                       "symbols": {"x": {"real": [0, 1]}}}]}
    ctx = context(data)
    truth = solve_formula(ctx.part, ctx)
    claim = "2x + 1e9" + vanishing([float(p) for p in truth.env["x"]]).replace("n", "x")
    verdict = truth.grade(claim)
    assert verdict.status is Status.WRONG
    assert verdict.message.startswith("right at the sample points only: at x = ")


def test_a_course_secret_moves_the_points_and_the_same_secret_keeps_them():
    plain = count_truth().env["n"]
    one = context(DENSE, secret=b"course secret one")
    two = context(DENSE, secret=b"course secret two")
    a = solve_param_count(one.part, one).env["n"]
    again = solve_param_count(one.part, context(DENSE, secret=b"course secret one")).env["n"]
    b = solve_param_count(two.part, two).env["n"]
    # The ends of the domain are always points; the 6 drawn ones depend on the secret.
    assert list(a[:2]) == list(b[:2]) == [1, 1000]
    assert list(a) != list(plain) and list(a) != list(b)
    assert list(a) == list(again)


BANK = {"id": "p", **DENSE}
SHEET = {"student": {"id": "s1", "name": "S"}, "answers": {"p": {"count": "10n + 10"}}}


def write_bank(tmp_path: Path, secret: str | None = None) -> tuple[Path, Path]:
    bank = tmp_path / "bank"
    (bank / "class").mkdir(parents=True)
    (bank / "p.yaml").write_text(yaml.safe_dump(BANK), encoding="utf-8")
    (bank / "class" / "s1.yaml").write_text(yaml.safe_dump(SHEET), encoding="utf-8")
    if secret is not None:
        (bank / ".nncheck-secret").write_text(secret + "\n", encoding="utf-8")
    return bank, bank / "class" / "s1.yaml"


def check_json(bank: Path, sheet: Path) -> dict:
    result = CliRunner().invoke(app, ["check", str(sheet), "--problems", str(bank),
                                      "--format", "json"])
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def test_results_record_a_fingerprint_of_the_seed_not_the_secret(tmp_path, monkeypatch):
    monkeypatch.delenv("NNCHECK_SECRET", raising=False)
    bank, sheet = write_bank(tmp_path / "a", secret="s3cr3t-of-the-course")
    seed = check_json(bank, sheet)["seed"]
    assert seed["secret"] is True
    assert len(seed["fingerprint"]) == 16 and "s3cr3t" not in json.dumps(seed)
    # The same secret and bank: the same fingerprint; another secret (here from the
    # environment, which wins over the file) or none: another.
    bank2, sheet2 = write_bank(tmp_path / "b", secret="s3cr3t-of-the-course")
    assert check_json(bank2, sheet2)["seed"] == seed
    monkeypatch.setenv("NNCHECK_SECRET", "another")
    assert check_json(bank, sheet)["seed"]["fingerprint"] != seed["fingerprint"]
    monkeypatch.delenv("NNCHECK_SECRET")
    bank3, sheet3 = write_bank(tmp_path / "c")
    assert check_json(bank3, sheet3)["seed"]["secret"] is False


def test_an_empty_secret_file_is_bad_input(tmp_path, monkeypatch):
    monkeypatch.delenv("NNCHECK_SECRET", raising=False)
    bank, sheet = write_bank(tmp_path, secret="")
    result = CliRunner().invoke(app, ["check", str(sheet), "--problems", str(bank)])
    assert result.exit_code == 2
    assert result.stderr == (f"error: {bank / '.nncheck-secret'}: the secret is empty — "
                             "1 to 4096 bytes, e.g. a random line from `openssl rand -hex 32`\n")


def test_a_class_graded_with_a_secret_is_the_same_with_any_jobs(tmp_path, monkeypatch):
    monkeypatch.delenv("NNCHECK_SECRET", raising=False)
    bank, _ = write_bank(tmp_path, secret="course")
    for i, claim in enumerate(["10n + 10", "11n", "10n + 10 + (n - 1)(n - 1000)"]):
        sheet = {"student": {"id": f"t{i}", "name": "T"}, "answers": {"p": {"count": claim}}}
        (bank / "class" / f"t{i}.yaml").write_text(yaml.safe_dump(sheet), encoding="utf-8")
    outs = []
    for jobs in ("1", "2"):
        out = tmp_path / f"out{jobs}"
        result = CliRunner().invoke(app, ["grade", str(bank / "class"), "-p", str(bank),
                                          "-o", str(out), "--jobs", jobs])
        assert result.exit_code == 1, result.output
        outs.append((out / "results.jsonl").read_text(encoding="utf-8"))
    assert outs[0] == outs[1]
    lines = [json.loads(x) for x in outs[0].splitlines()]
    assert {x["seed"]["secret"] for x in lines} == {True}
    status = {x["student"]["id"]: x["problems"][0]["parts"][0]["status"] for x in lines}
    assert status == {"s1": "correct", "t0": "correct", "t1": "wrong", "t2": "wrong"}


# --- counts are exact integers ---------------------------------------------------------------

# dense(10^9) on 10^8 features: 10^8 · 10^9 weights + 10^9 biases = 100,000,001,000,000,000,
# above 2^53 (about 9.007e15), where float64 steps by 16.
BIG = {"id": "big", "given": {"m": {"kind": "model", "framework": "keras",
                                    "input": [100_000_000], "layers": [{"dense": 10**9}]}},
       "parts": [{"id": "count", "ask": "param_count", "model": "m"}]}
BIG_COUNT = 10**8 * 10**9 + 10**9


def big_truth():
    ctx = context(BIG)
    return solve_param_count(ctx.part, ctx)


def test_a_count_above_2_to_the_53_is_compared_exactly():
    truth = big_truth()
    assert truth.expected == BIG_COUNT and isinstance(truth.expected, int)
    assert truth.grade(BIG_COUNT).status is Status.CORRECT
    assert truth.grade(BIG_COUNT + 8).status is Status.WRONG
    assert truth.grade(BIG_COUNT - 1).status is Status.WRONG


def test_an_integer_expression_is_evaluated_exactly():
    truth = big_truth()
    assert truth.grade("100000001 * 10**9").status is Status.CORRECT
    assert truth.grade("100000001 * 10^9 + 8").status is Status.WRONG
    assert truth.grade("1e17 + 1e9").status is Status.CORRECT  # decimal literals, exactly
    assert truth.grade("1.00000001e17").status is Status.CORRECT


def test_the_report_shows_every_digit_of_a_big_count(tmp_path):
    bank = tmp_path / "bank"
    bank.mkdir()
    (bank / "big.yaml").write_text(yaml.safe_dump(BIG), encoding="utf-8")
    sheet = tmp_path / "s.yaml"
    sheet.write_text(yaml.safe_dump({"student": {"id": "s", "name": "S"},
                                     "answers": {"big": {"count": BIG_COUNT + 8}}}),
                     encoding="utf-8")
    text = CliRunner().invoke(app, ["check", str(sheet), "-p", str(bank), "--format", "text"])
    assert text.exit_code == 1
    assert "expected 100000001000000000, got 100000001000000008" in text.stdout
    assert "e+17" not in text.stdout
    data = json.loads(CliRunner().invoke(app, ["check", str(sheet), "-p", str(bank),
                                               "--format", "json"]).stdout)
    part = data["problems"][0]["parts"][0]
    assert (part["expected"], part["claimed"], part["status"]) == (BIG_COUNT, BIG_COUNT + 8,
                                                                   "wrong")


def test_an_integer_formula_beyond_2_to_the_53_is_exact():
    # n^6 for n in 1000..10000 reaches 10^24: n^6 + 1 is another integer, so it is wrong.
    data = {"parts": [{"id": "f", "ask": "formula", "reference": "n^6",
                       "symbols": {"n": {"integer": [1000, 10000]}}}]}
    ctx = context(data)
    truth = solve_formula(ctx.part, ctx)
    assert truth.grade("n^6 + 1").status is Status.WRONG
    assert truth.grade("n^3 * n^3").status is Status.CORRECT


# --- z = 0 decided exactly at any scale ------------------------------------------------------

TEMPLATE = {"kind": "network", "inputs": ["a", "b", "c"], "activation": "step",
            "layers": [["Y"]]}
AND3 = {"given": {"tpl": TEMPLATE},
        "parts": [{"id": "r", "ask": "realize", "template": "tpl", "target": "a and b and c"}]}


def realize_truth():
    ctx = context(AND3)
    return solve_realize(ctx.part, ctx)


def test_a_design_of_huge_weights_that_never_fires_is_wrong():
    # z = 1e9(a + b + c) - 3000000001: on 111 it is -1, so step gives 0 there (and everywhere):
    # never a and b and c. Not "on the boundary": -1 is not 0 at any scale.
    verdict = realize_truth().grade({"Y": {"w": [1e9, 1e9, 1e9], "b": -3000000001}})
    assert verdict.status is Status.WRONG
    assert verdict.message == "Y differs from the target on 1 of 8 rows: row 111 gives 0, not 1"


def test_a_correct_design_scaled_to_5e307_is_correct_without_a_warning():
    # z = 5e307(a + b + c) - 1.25e308 = 5e307·(k - 2.5) with k ones: negative for k <= 2,
    # positive for k = 3; so Y = a and b and c. (Σ|w| + |b| is 2.75e308, beyond float64.)
    # pytest turns warnings into errors: a RuntimeWarning would fail this test.
    verdict = realize_truth().grade({"Y": {"w": [5e307, 5e307, 5e307], "b": -1.25e308}})
    assert (verdict.status, verdict.message) == (Status.CORRECT, None)


def test_a_design_exactly_on_the_boundary_at_huge_scale_still_relies_on_step_of_zero():
    # z = 1e300(a + b + c) - 3e300 is exactly 0 on 111: correct, on the boundary.
    verdict = realize_truth().grade({"Y": {"w": [1e300, 1e300, 1e300], "b": -3e300}})
    assert verdict.status is Status.CORRECT
    assert verdict.message == ("correct, on the boundary: Y sits exactly at z = 0 on 111 "
                               "(it relies on step(0) = 1)")


def test_tiny_weights_on_the_boundary_and_just_off_it():
    # 1e-300·(a + b + c) - 3e-300 is 0 on 111; with a bias of -3.000000001e-300 it is
    # -1e-309 there, which is not 0, so Y never fires.
    on = realize_truth().grade({"Y": {"w": [1e-300] * 3, "b": -3e-300}})
    off = realize_truth().grade({"Y": {"w": [1e-300] * 3, "b": -3.000000001e-300}})
    assert on.status is Status.CORRECT
    assert off.status is Status.WRONG


def forward_of(net: dict, inputs: dict, of: list[str]):
    data = {"given": {"net": net},
            "parts": [{"id": "f", "ask": "forward", "network": "net", "input": inputs,
                       "of": of}]}
    ctx = context(data)
    return solve_forward(ctx.part, ctx)


def test_real_inputs_at_huge_scale_are_decided_exactly():
    # With inputs 0.5 (not integers), z = 2e9·0.5 - 1000000001 = -1: step gives 0.
    net = {"kind": "network", "inputs": ["a"], "activation": "step",
           "layers": [{"Y": {"w": [2e9], "b": -1000000001}}]}
    assert forward_of(net, {"a": 0.5}, ["z_Y", "Y"]).expected == [-1, 0]
    # z = 5e307·(0.5 + 0.5 + 1) - 1.1e308 = -1e307 (the terms sum past float64): step gives 0.
    wide = {"kind": "network", "inputs": ["a", "b", "c"], "activation": "step",
            "layers": [{"Y": {"w": [5e307, 5e307, 5e307], "b": -1.1e308}}]}
    assert forward_of(wide, {"a": 0.5, "b": 0.5, "c": 1}, ["Y"]).expected == [0]


def test_decimal_inputs_and_weights_sit_exactly_on_the_boundary():
    # 0.7·0.1 + 0.1·0.1 - 0.08 = 0.07 + 0.01 - 0.08 = 0 by hand: step(0) = 1, z reported 0.
    net = {"kind": "network", "inputs": ["a", "b"], "activation": "step",
           "layers": [{"Y": {"w": [0.7, 0.1], "b": -0.08}}]}
    assert forward_of(net, {"a": 0.1, "b": 0.1}, ["z_Y", "Y"]).expected == [0, 1]


def test_a_third_written_as_a_fraction_sits_on_the_boundary():
    # w = 1/3 each and b = -1: on 111, z = 3·(1/3) - 1 = 0 exactly, so step fires there only.
    net = NetworkSpec.model_validate({"inputs": ["a", "b", "c"], "activation": "step",
                                      "layers": [{"Y": {"w": ["1/3"] * 3, "b": -1}}]})
    rows = np.array([[a, b, c] for a in (0, 1) for b in (0, 1) for c in (0, 1)], dtype=float)
    env = build(net).forward({n: rows[:, i] for i, n in enumerate("abc")})
    assert env["Y"].tolist() == [0, 0, 0, 0, 0, 0, 0, 1]
    assert env["z_Y"][7] == 0.0
    assert math.isclose(env["z_Y"][0], -1.0)


@pytest.mark.parametrize("scale", [1.0, 1e-200, 1e200])
def test_the_rule_is_the_same_at_every_scale(scale):
    # 0.7a + 0.1b - 0.8, times any power of ten: 0 exactly on 11 (a and b), by hand.
    data = {"given": {"tpl": {"kind": "network", "inputs": ["a", "b"], "activation": "step",
                              "layers": [["Y"]]}},
            "parts": [{"id": "r", "ask": "realize", "template": "tpl", "target": "a and b"}]}
    ctx = context(data)
    truth = solve_realize(ctx.part, ctx)
    w = [float(f"{0.7 * scale:.1e}"), float(f"{0.1 * scale:.1e}")]
    verdict = truth.grade({"Y": {"w": w, "b": float(f"{-0.8 * scale:.1e}")}})
    assert verdict.status is Status.CORRECT
    assert verdict.message is not None and "on the boundary" in verdict.message
