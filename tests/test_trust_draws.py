"""Trust in the draws: a gradient formula or a network equivalence fitted through the very points
it is graded at is wrong, because a claim that passes is checked again at draws of its own.

The attacker here knows the points exactly (read from the truth, as eight resubmissions with
`--reveal expected` would show them): each claim below is a lookup that gives the truth at every
one of those points and 0 (or a constant) elsewhere.
"""

from __future__ import annotations

import json
import math
import re

import numpy as np
import pytest
import yaml
from typer.testing import CliRunner

from conftest import SEED, context
from nncheck.cli import app
from nncheck.compare.verdict import Status
from nncheck.solvers.equivalence import solve_equivalent
from nncheck.solvers.gradients import solve_gradient

SECRET = b"course secret of the term"
Q7 = yaml.safe_load((SEED / "q7-backprop.yaml").read_text(encoding="utf-8"))
Q2 = yaml.safe_load((SEED / "q2-logistic-softmax.yaml").read_text(encoding="utf-8"))
FIT = re.compile(r"right at the sample points only: at w31 = -?[0-9.e+-]+, expected "
                 r"-?[0-9.e+-]+, got 0")


def q7(part: str, secret: bytes = SECRET):
    ctx = context(Q7, part, secret=secret)
    return solve_gradient(ctx.part, ctx)


def lookup(name: str, keys: np.ndarray, values: np.ndarray) -> str:
    """Σ [name = key_i]·value_i: the value at each key, 0 anywhere else."""
    return " + ".join(f"(abs({name} - ({float(k)!r})) < 1e-9)*({float(v)!r})"
                      for k, v in zip(keys, values))


def sigmoid(z: float) -> float:
    return 1 / (1 + math.exp(-z))


# --- gradients ---------------------------------------------------------------------------------

def test_the_given_point_of_q7_i_is_the_hand_computed_error_term():
    # By hand at m = (0.8, -0.4): z_h1 = 0.5·0.8 - 0.3·(-0.4) + 0.1 = 0.62,
    # z_h2 = -0.4·0.8 + 0.7·(-0.4) - 0.2 = -0.8; z_g1 = 0.9·σ(0.62) - 0.6·σ(-0.8) + 0.05;
    # δ1 = ∂F/∂z_g1 = w31·a21(1 - a21) with w31 = 1.2.
    a21 = sigmoid(0.9 * sigmoid(0.62) - 0.6 * sigmoid(-0.8) + 0.05)
    truth = q7("i")
    assert truth.values[0] == pytest.approx(1.2 * a21 * (1 - a21), rel=1e-12)
    assert truth.env["w_F_g1"][0] == 1.2 and truth.points == 9  # the given point and 8 draws


def test_a_lookup_through_the_very_points_of_a_gradient_is_wrong():
    truth = q7("i")
    claim = lookup("w31", truth.env["w_F_g1"], truth.values)
    # The lookup is the truth at all 9 points graded at: the first round cannot tell.
    assert np.allclose(truth.evaluate_claim(claim), truth.values, rtol=1e-12)
    verdict = truth.grade(claim)
    assert verdict.status is Status.WRONG and verdict.fraction == 0.0
    assert FIT.fullmatch(verdict.message), verdict.message


def test_a_lookup_through_the_points_of_a_gradient_vector_is_wrong_and_says_which_element():
    truth = q7("ii")
    w31 = truth.env["w_F_g1"]
    # The first element looked up, the second (δ for z_g2 = w32·a22(1 - a22)) written right.
    claim = [lookup("w31", w31, truth.values[:, 0]), "w32 × a22(1 - a22)"]
    assert np.allclose(truth.evaluate_claim(claim), truth.values, rtol=1e-12)
    verdict = truth.grade(claim)
    assert verdict.status is Status.WRONG
    assert verdict.message.startswith("right at the sample points only: at w31 = ")
    assert verdict.message.endswith(", got 0 (element z_g1)")


def test_the_second_round_is_the_same_for_the_same_secret_and_claim_and_moves_with_either():
    claim = lookup("w31", q7("i").env["w_F_g1"], q7("i").values)
    first = q7("i").grade(claim).message
    assert q7("i").grade(claim).message == first  # a regrade: the same points, the same words
    # Another claim that fits the same points (a term that is 0 at each of them) moves them.
    other = q7("i").grade(claim + " + 0*w32").message
    assert other != first
    assert other.startswith("right at the sample points only: at w31 = ")


def test_the_seed_sheets_q7_formulas_stay_correct_under_a_secret():
    sheet = yaml.safe_load((SEED / "sheets" / "seed-student.yaml").read_text(encoding="utf-8"))
    answers = sheet["answers"]["q7-backprop"]
    for part in ("i", "ii", "iii"):  # (iv) on the sheet is the known slip, wrong by design
        assert q7(part).grade(answers[part]).status is Status.CORRECT, part
    # The same δ1 written other ways: w31·(a21 - a21²) and with the network's own names.
    for claim in ("w31*(a21 - a21^2)", "w_F_g1 * g1 * (1 - g1)",
                  "w31 * exp(-z21) / (1 + exp(-z21))^2"):
        assert q7("i").grade(claim).status is Status.CORRECT, claim


# One sigmoid unit under binary cross-entropy: by hand, ∂L/∂z = a - y, so ∂L/∂w = (a - y)·x.
BCE = {"given": {"n": {"kind": "network", "inputs": ["x"], "activation": "sigmoid",
                       "layers": [{"o": {"w": [0.5], "b": 0.1}}]}},
       "parts": [{"id": "g", "ask": "gradient", "network": "n", "input": {"x": 1.5},
                  "of": "loss", "loss": {"fn": "binary_cross_entropy", "y_true": 1},
                  "wrt": "w_o_x", "form": "formula"}]}


def test_a_loss_gradient_is_recomputed_at_the_second_round():
    ctx = context(BCE, secret=SECRET)
    truth = solve_gradient(ctx.part, ctx)
    a = sigmoid(0.5 * 1.5 + 0.1)
    assert truth.values[0] == pytest.approx((a - 1) * 1.5, rel=1e-12)
    assert truth.grade("(o - 1)*x").status is Status.CORRECT
    verdict = truth.grade(lookup("x", truth.env["x"], truth.values))
    assert verdict.status is Status.WRONG
    assert verdict.message.startswith("right at the sample points only: at x = ")


# --- equivalence -------------------------------------------------------------------------------

def q2_truth(secret: bytes = SECRET):
    ctx = context(Q2, "relation", secret=secret)
    return solve_equivalent(ctx.part, ctx)


def steps(name: str, keys: np.ndarray, values: np.ndarray) -> str:
    """A step function of `name` that is values[i] at keys[i]: v₁ + Σ (name > t_i)·d_i, with
    t_i the shortest decimal between neighbouring keys and d_i the step, each rounded so that
    the sum stays near the value (short enough for 64 points in one expression)."""
    order = np.argsort(keys)
    k, v = keys[order], values[order]
    total = float(f"{v[0]:.4g}")
    terms = [f"{total:.4g}"]
    for i in range(1, len(k)):
        t = next(x for d in range(1, 17) if k[i - 1] < (x := round(float(k[i - 1] + k[i]) / 2, d))
                 < k[i])
        step = float(f"{v[i] - total:.4g}")
        total += step
        terms.append(f"({name}>{t!r})*({step:.4g})")
    return "+".join(terms)


def test_weights_looked_up_at_the_very_draws_of_an_equivalence_are_wrong():
    # By hand: e^z2 / (e^z1 + e^z2) = σ(z2 - z1), so ŷ2 is a logistic unit with weight
    # w_s2_x - w_s1_x and bias b_s2 - b_s1. The attacker has those numbers at each draw only.
    truth = q2_truth()
    p = truth.env
    assert len(p["w_s1_x"]) == 64
    claim = {"o": {"w": [steps("w_s1_x", p["w_s1_x"], p["w_s2_x"] - p["w_s1_x"])],
                   "b": steps("w_s1_x", p["w_s1_x"], p["b_s2"] - p["b_s1"])}}
    verdict = truth.grade(claim)
    assert verdict.status is Status.WRONG
    # Only a claim that holds at every first-round draw reaches the second round.
    assert verdict.message.startswith("right at the sample points only: at x = "), \
        verdict.message
    assert "the reference's s2 is" in verdict.message and "your o is" in verdict.message


def test_the_seed_relation_stays_correct_under_a_secret():
    for claim in ({"o": {"w": ["w_s2_x - w_s1_x"], "b": "b_s2 - b_s1"}},
                  {"o": {"w": ["-(w_s1_x - w_s2_x)"], "b": "-b_s1 + b_s2"}}):
        assert q2_truth().grade(claim).status is Status.CORRECT


# --- the answer key --------------------------------------------------------------------------

def test_the_answer_key_of_the_seed_exam_earns_full_marks_under_a_secret(tmp_path, monkeypatch):
    monkeypatch.setenv("NNCHECK_SECRET", SECRET.decode())
    key = tmp_path / "key.yaml"
    solved = CliRunner().invoke(app, ["solve", str(SEED), "--sheet", str(key), "-f", "json"])
    assert solved.exit_code == 0, solved.output
    result = CliRunner().invoke(app, ["check", str(key), "-p", str(SEED), "-f", "json"])
    statuses = {(p["id"], part["id"]): part["status"]
                for p in json.loads(result.stdout)["problems"] for part in p["parts"]}
    for pid, part in [("q7-backprop", "i"), ("q7-backprop", "ii"), ("q7-backprop", "iii"),
                      ("q7-backprop", "iv"), ("q2-logistic-softmax", "relation"),
                      ("q6-linear-depth", "b-collapse")]:
        assert statuses[(pid, part)] == "correct", (pid, part)
