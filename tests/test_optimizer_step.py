"""The `optimizer_step` ask: torch.optim's answers (recorded in tests/oracle/optimizers.json,
no torch needed here), steps worked by hand, the known mistakes replayed, and the problem
errors of a part that cannot be solved."""

from __future__ import annotations

import json
import math
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from pydantic import ValidationError
from typer.testing import CliRunner

from nncheck.cli import app
from nncheck.compare.verdict import Status
from nncheck.errors import ProblemError
from nncheck.solvers.context import Context
from nncheck.solvers.training import solve_optimizer_step
from nncheck.spec.problem import Problem
from oracle import data, optimizers
from oracle.optimizers import OptimizerCase

RECORDED = data.answers("optimizers")
# nncheck's `of:` -> the name of the same state in torch.optim, per optimizer
STATE_NAMES = {
    "momentum": {"velocity": "momentum_buffer"},
    "nesterov": {"velocity": "momentum_buffer"},
    "adagrad": {"v": "sum"},
    "rmsprop": {"v": "square_avg", "velocity": "momentum_buffer"},
    "adam": {"m": "exp_avg", "v": "exp_avg_sq"},
    "adamw": {"m": "exp_avg", "v": "exp_avg_sq"},
}


def solve(part: dict[str, Any], given: dict[str, Any] | None = None) -> Any:
    problem = Problem.model_validate({"id": "p", "given": given or {},
                                      "parts": [{"id": "a", "ask": "optimizer_step", **part}]})
    return solve_optimizer_step(problem.parts[0], Context(problem, problem.parts[0]))


def part_of(case: OptimizerCase, steps: int, of: str = "params") -> dict[str, Any]:
    names = [f"w{i + 1}" for i in range(len(case.w0))]
    part: dict[str, Any] = {"optimizer": case.optimizer, **case.options, "of": of}
    if case.grads is not None:
        return {**part, "params": case.w0, "grads": case.grads, "steps": steps}
    return {**part, "params": dict(zip(names, case.w0)), "loss": case.loss_text(names),
            "steps": steps}


@pytest.mark.parametrize("case", [pytest.param(c, id=c.id) for c in optimizers.CASES])
def test_every_step_matches_torch_optim(case: OptimizerCase) -> None:
    want = RECORDED[case.id]
    for k in range(1, case.steps + 1):
        truth = solve(part_of(case, k))  # one named parameter is a number, not a vector
        got = np.atleast_1d(truth.values[0])
        assert got == pytest.approx(want["params"][k - 1], rel=1e-9, abs=1e-12)
    for of, torch_name in STATE_NAMES.get(case.optimizer, {}).items():
        if torch_name not in want["state"]:
            continue  # RMSprop without momentum keeps no buffer
        truth = solve(part_of(case, case.steps, of))
        got = np.atleast_1d(truth.values[0])
        assert got == pytest.approx(want["state"][torch_name], rel=1e-9, abs=1e-12)


def test_the_oracle_covers_every_optimizer_with_both_gradient_sources() -> None:
    seen = {(c.optimizer, c.grads is None) for c in optimizers.CASES}
    assert seen == {(o, q) for o in optimizers.TORCH for q in (False, True)}


# --- by hand -----------------------------------------------------------------------------------

def test_one_adam_step_by_hand() -> None:
    # w = 1, g = 0.5, η = 0.1, β = (0.9, 0.999), ε = 1e-8:
    # m = 0.1·0.5 = 0.05, v = 0.001·0.25 = 0.00025; m̂ = 0.05/0.1 = 0.5, v̂ = 0.00025/0.001 = 0.25
    # w = 1 − 0.1·0.5/(√0.25 + 1e-8) = 1 − 0.05/0.50000001
    truth = solve({"optimizer": "adam", "lr": 0.1, "params": 1.0, "grads": [0.5]})
    assert truth.values[0] == pytest.approx(1 - 0.05 / 0.50000001, rel=1e-15)
    assert truth.expected == pytest.approx(0.90000000199999, rel=1e-12)
    m = solve({"optimizer": "adam", "lr": 0.1, "params": 1.0, "grads": [0.5], "of": "m"})
    v = solve({"optimizer": "adam", "lr": 0.1, "params": 1.0, "grads": [0.5], "of": "v"})
    assert (m.values[0], v.values[0]) == (pytest.approx(0.05), pytest.approx(0.00025))


def test_momentum_on_a_quadratic_by_hand() -> None:
    # L = ½(w1² + 10·w2²): ∇L = (w1, 10·w2); η = 0.1, μ = 0.9, PyTorch's b = μb + g, w −= ηb
    # step 1: g = (1, 10), b = (1, 10), w = (0.9, 0)
    # step 2: g = (0.9, 0), b = (1.8, 9), w = (0.72, −0.9)
    # step 3: g = (0.72, −9), b = (2.34, −0.9), w = (0.486, −0.81)
    part = {"optimizer": "momentum", "momentum": 0.9, "lr": 0.1, "params": {"w1": 1, "w2": 1},
            "loss": "0.5*(w1^2 + 10*w2^2)", "steps": 3}
    assert solve(part).values[0] == pytest.approx([0.486, -0.81], rel=1e-12)
    assert solve({**part, "of": "velocity"}).values[0] == pytest.approx([2.34, -0.9])
    # the classic v = μv − ηg, w += v: the same parameters, v = −η·b
    classic = {**part, "convention": "classic"}
    assert solve(classic).values[0] == pytest.approx([0.486, -0.81], rel=1e-12)
    assert solve({**classic, "of": "velocity"}).values[0] == pytest.approx([-0.234, 0.09])
    assert solve(classic).labels == ["w1", "w2"]


def test_classic_nesterov_takes_the_gradient_at_the_look_ahead_point() -> None:
    # L = w², ∇L = 2w; η = 0.1, μ = 0.5, w = 1, v = 0:
    # step 1: look-ahead 1 + 0.5·0 = 1, g = 2, v = −0.2, w = 0.8
    # step 2: look-ahead 0.8 + 0.5·(−0.2) = 0.7, g = 1.4, v = −0.1 − 0.14 = −0.24, w = 0.56
    part = {"optimizer": "nesterov", "convention": "classic", "momentum": 0.5, "lr": 0.1,
            "params": {"w": 1}, "loss": "w^2", "steps": 2}
    assert solve(part).values[0] == pytest.approx(0.56, rel=1e-12)
    # PyTorch's form: b = g at step 1, then μb + g; w −= η(g + μb)
    # step 1: g = 2, b = 2, w = 1 − 0.1·(2 + 1) = 0.7
    # step 2: g = 1.4, b = 1 + 1.4 = 2.4, w = 0.7 − 0.1·(1.4 + 1.2) = 0.44
    assert solve({**part, "convention": "pytorch"}).values[0] == pytest.approx(0.44)


def test_one_gradient_is_the_gradient_of_every_step() -> None:
    # SGD with a constant gradient: w = 2 − 3·0.1·0.5 = 1.85
    truth = solve({"optimizer": "sgd", "lr": 0.1, "params": 2, "grads": 0.5, "steps": 3})
    assert truth.values[0] == pytest.approx(1.85, rel=1e-15)
    vec = solve({"optimizer": "sgd", "lr": 0.1, "params": [2, 1], "grads": [0.5, -1],
                 "steps": 2})
    assert vec.values[0] == pytest.approx([1.9, 1.2], rel=1e-15)


def test_the_defaults_are_torch_optims() -> None:
    # Adam's η = 0.001: one step of g = 2 from 0 moves by η·m̂/(√v̂ + ε) = 0.001·2/(2 + 1e-8)
    truth = solve({"optimizer": "adam", "params": 0, "grads": [2]})
    assert truth.values[0] == pytest.approx(-0.002 / (2 + 1e-8), rel=1e-15)
    # AdamW decays by ηλ = 0.001·0.01 first: w = 1·(1 − 1e-5), then the Adam step
    truth = solve({"optimizer": "adamw", "params": 1, "grads": [2]})
    assert truth.values[0] == pytest.approx(1 - 1e-5 - 0.002 / (2 + 1e-8), rel=1e-15)
    # Adagrad: η = 0.01, ε = 1e-10: w = −0.01·2/(2 + 1e-10)
    truth = solve({"optimizer": "adagrad", "params": 0, "grads": [2]})
    assert truth.values[0] == pytest.approx(-0.01 * 2 / (2 + 1e-10), rel=1e-15)
    # RMSprop: η = 0.01, α = 0.99: a = 0.01·4 = 0.04, w = −0.01·2/(0.2 + 1e-8)
    truth = solve({"optimizer": "rmsprop", "params": 0, "grads": [2]})
    assert truth.values[0] == pytest.approx(-0.02 / (0.2 + 1e-8), rel=1e-15)


def test_which_picks_parameters_by_name_or_index() -> None:
    part = {"optimizer": "sgd", "lr": 0.5, "params": {"a": 1, "b": 2, "c": 3},
            "grads": [[1, 2, 4]]}
    assert solve({**part, "which": "c"}).values[0] == pytest.approx(1.0)
    assert not solve({**part, "which": "c"}).vector
    assert solve({**part, "which": ["b", 0]}).values[0] == pytest.approx([1.0, 0.5])


@pytest.mark.parametrize("case", [pytest.param(c, id=c.id) for c in optimizers.CASES
                                  if len(c.w0) >= 3])
def test_parameters_asked_alone_are_those_of_the_whole_run(case: OptimizerCase) -> None:
    # torch's parameters after the last step, picked: a given gradient (or a loss without
    # products of two parameters) lets the solver step the parameters asked for alone
    want = RECORDED[case.id]["params"][-1]
    truth = solve({**part_of(case, case.steps), "which": [2, 0]})
    assert truth.values[0] == pytest.approx([want[2], want[0]], rel=1e-9, abs=1e-12)
    assert [k.values.shape for k in truth.known] == [(1, 2)] * len(truth.known)


# --- known mistakes, replayed --------------------------------------------------------------------

def named(truth: Any, claim: Any) -> tuple[Status, tuple[str, ...]]:
    verdict = truth.grade(claim)
    return verdict.status, verdict.mistakes


@pytest.mark.parametrize(("part", "claim", "mistake"), [
    # Adam, w = 1, g = 0.5, η = 0.1: m = 0.05, v = 0.00025 without the corrections:
    # w = 1 − 0.1·0.05/(√0.00025 + 1e-8) = 1 − 0.005/0.01581139834
    pytest.param({"optimizer": "adam", "lr": 0.1, "params": 1, "grads": [0.5]},
                 1 - 0.005 / (math.sqrt(0.00025) + 1e-8), "bias correction left out",
                 id="no-bias-correction"),
    # the sign: w = 1 + 0.1 = 1.1 (to float noise)
    pytest.param({"optimizer": "adam", "lr": 0.1, "params": 1, "grads": [0.5]},
                 1 + 0.05 / 0.50000001, "the update added instead of subtracted (the sign of "
                 "the step)", id="sign"),
    # RMSprop with ε = 0.01 inside: a = 0.01·4 = 0.04, w = −0.01·2/√(0.04 + 0.01)
    pytest.param({"optimizer": "rmsprop", "eps": 0.01, "params": 0, "grads": [2]},
                 -0.02 / math.sqrt(0.05), "ε inside the square root", id="eps-inside"),
    # AdamW (λ = 0.5, η = 0.1, w = 2, g = 1) with the decay added to the gradient instead:
    # g = 1 + 0.5·2 = 2, m̂ = 2, v̂ = 4: w = 2 − 0.1·2/(2 + 1e-8)
    pytest.param({"optimizer": "adamw", "lr": 0.1, "weight_decay": 0.5, "params": 2,
                  "grads": [1]}, 2 - 0.2 / (2 + 1e-8), "weight decay added to the gradient "
                 "(Adam's L2) instead of applied to the weights (AdamW)", id="decay-as-adam"),
    # Adam (λ = 0.5) with the decay applied to the weights: w = 2·(1 − 0.05) = 1.9, then
    # g = 1: w = 1.9 − 0.1·1/(1 + 1e-8)
    pytest.param({"optimizer": "adam", "lr": 0.1, "weight_decay": 0.5, "params": 2,
                  "grads": [1]}, 1.9 - 0.1 / (1 + 1e-8), "weight decay applied to the weights "
                 "(AdamW) instead of added to the gradient (Adam's L2)", id="decay-as-adamw"),
    # momentum's velocity asked in PyTorch's convention (b = g = 4 after one step of
    # η = 0.5), answered in the classic one: v = −ηg = −2
    pytest.param({"optimizer": "momentum", "momentum": 0.9, "lr": 0.5, "params": 1,
                  "grads": [4], "of": "velocity"}, -2.0, "momentum in the classic convention "
                 "(v = μv − ηg, w += v) instead of PyTorch's", id="convention"),
    # Adam, g = 1 at both of 2 steps from w = 0 (η = 0.1), the steps counted from 0: step 1
    # uncorrected (1 − β⁰ = 0 is no correction): m = 0.1, v = 0.001, w = −0.1·0.1/√0.001;
    # step 2 corrected as step 1: m = 0.19, v = 0.001999, m̂ = 1.9, v̂ = 1.999
    pytest.param({"optimizer": "adam", "lr": 0.1, "params": 0, "grads": 1, "steps": 2},
                 -0.01 / (math.sqrt(0.001) + 1e-8) - 0.19 / (math.sqrt(1.999) + 1e-8),
                 "the steps counted from 0 in the bias corrections (1 − βᵗ⁻¹ at step t)",
                 id="step-from-0"),
])
def test_a_replayed_mistake_is_named(part: dict[str, Any], claim: float, mistake: str) -> None:
    status, mistakes = named(solve(part), claim)
    assert status is Status.WRONG
    assert mistakes[:1] == (mistake,)


def test_a_mistake_that_gives_the_truth_is_not_offered() -> None:
    # the two momentum conventions reach the same parameters: no mistake to name there
    truth = solve({"optimizer": "momentum", "momentum": 0.9, "lr": 0.5, "params": 1,
                   "grads": [4, 2]})
    names = [k.name for k in truth.known]
    assert not any("convention" in n for n in names)
    assert "the update added instead of subtracted (the sign of the step)" in names


def test_a_mistake_carried_through_every_step_is_recognised_at_the_last() -> None:
    # SGD, η = 0.1, L = w²: the right steps halve nothing: w ← w − 0.2w = 0.8w, so after 3
    # steps 0.512; with the sign flipped every step w ← 1.2w: 1.728
    truth = solve({"optimizer": "sgd", "lr": 0.1, "params": {"w": 1}, "loss": "w^2",
                   "steps": 3})
    assert truth.values[0] == pytest.approx(0.512)
    assert named(truth, 1.728) == (Status.WRONG, (
        "the update added instead of subtracted (the sign of the step)",))
    assert named(truth, 0.512)[0] is Status.CORRECT


# --- problems that cannot be solved ------------------------------------------------------------

@pytest.mark.parametrize(("part", "message"), [
    pytest.param({"optimizer": "sgd", "betas": [0.9, 0.99], "params": 1, "grads": [1]},
                 "`betas` does not apply to `optimizer: sgd` — it is read by `adam`, `adamw`",
                 id="option-of-another"),
    pytest.param({"optimizer": "momentum", "params": 1, "grads": [1]},
                 "`optimizer: momentum` needs `momentum:` — the factor μ in (0, 1), e.g. 0.9",
                 id="momentum-missing"),
    pytest.param({"optimizer": "sgd", "params": 1, "grads": [1], "of": "m"},
                 "`optimizer: sgd` keeps no `m` — `of: m` is the state of `adam`, `adamw`",
                 id="state-not-kept"),
    pytest.param({"optimizer": "sgd", "params": 1},
                 "`grads:` (one gradient per step) or `loss:` (a quadratic in the parameters' "
                 "names) says where the gradients come from, found neither", id="no-gradients"),
    pytest.param({"optimizer": "sgd", "params": [1, 2], "loss": "w1^2", "steps": 1},
                 "with `loss:`, `params:` names each parameter", id="loss-unnamed"),
])
def test_a_part_that_says_too_little_or_too_much_is_refused(part: dict[str, Any],
                                                           message: str) -> None:
    with pytest.raises(ValidationError, match=None) as info:
        solve(part)
    assert message in str(info.value)


@pytest.mark.parametrize(("part", "message"), [
    pytest.param({"optimizer": "sgd", "params": {"w": 1}, "loss": "w^3", "steps": 1},
                 "part `a`: `loss: w^3` is not a quadratic — a polynomial of degree at most 2 "
                 "in the parameters", id="cubic"),
    pytest.param({"optimizer": "sgd", "params": {"w": 1}, "loss": "exp(w)", "steps": 1},
                 "part `a`: `loss: exp(w)` is not a polynomial in the parameters w",
                 id="not-polynomial"),
    pytest.param({"optimizer": "sgd", "params": [1, 2], "grads": [[1, 2]], "steps": 2},
                 "part `a`: `steps: 2` but `grads` gives 1 — one gradient per step (or a "
                 "single gradient, used at every step)", id="too-few-gradients"),
    pytest.param({"optimizer": "sgd", "params": [1, 2], "grads": [[1, 2, 3]]},
                 "part `a`: a gradient has 3 values but there are 2 parameters", id="sizes"),
    pytest.param({"optimizer": "sgd", "lr": 1e6, "params": {"w": 1}, "loss": "w^2",
                  "steps": 200}, "part `a`: the steps overflow", id="overflow"),
    pytest.param({"optimizer": "sgd", "params": [1, 2], "grads": [[1, 2]], "which": 2},
                 "part `a`: `which: 2` is no parameter's index — an index from 0 to 1",
                 id="which"),
])
def test_a_part_that_cannot_be_solved_is_a_problem_error(part: dict[str, Any],
                                                         message: str) -> None:
    with pytest.raises(ProblemError) as info:
        solve(part)
    assert str(info.value).startswith(message)


def test_the_loss_gradient_is_exact_not_a_finite_difference() -> None:
    # L = x² + xy + 2y² − x: ∇L = (2x + y − 1, x + 4y); at (1, 1): (2, 5), η = 0.1 → (0.8, 0.5)
    truth = solve({"optimizer": "sgd", "lr": 0.1, "params": {"x": 1, "y": 1},
                   "loss": "x^2 + x*y + 2*y^2 - x", "steps": 1})
    assert truth.values[0].tolist() == [0.8, 0.5]
    np.testing.assert_array_equal(truth.values[0], [1 - 0.1 * 2, 1 - 0.1 * 5])


# --- the command line ----------------------------------------------------------------------------

TRAINING = Path(__file__).resolve().parent.parent / "problems" / "training"


def test_the_published_answers_of_the_training_examples_are_graded_correct() -> None:
    # every answer of problems/training/sheets/published.yaml is the one its source prints
    result = CliRunner().invoke(app, ["check", str(TRAINING / "sheets" / "published.yaml"),
                                      "--problems", str(TRAINING), "--format", "json"])
    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout)
    statuses = [p["status"] for problem in report["problems"] for p in problem["parts"]]
    assert statuses == ["correct"] * 12


def test_an_option_of_another_optimizer_is_one_line_with_exit_code_2(tmp_path: Path) -> None:
    bank = tmp_path / "p.yaml"
    bank.write_text("id: p\nparts:\n  - {id: a, ask: optimizer_step, optimizer: sgd, "
                    "betas: [0.9, 0.99], params: 1, grads: [1]}\n", encoding="utf-8")
    result = CliRunner().invoke(app, ["validate", str(bank)])
    assert result.exit_code == 2
    assert result.stderr == (f"error: {bank}:3:50: `betas` does not apply to `optimizer: sgd` "
                             "— it is read by `adam`, `adamw`\n")
