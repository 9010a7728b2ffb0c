"""When several named mistakes match a wrong count, the most specific comes first: the one the
answer's own structure explains at changed sizes, then the one confined to fewer kinds of layer.

The counts are Keras' documented GRU formula, written out by hand: a GRU of `u` units on `f`
input features has 3 gates, each with an input kernel (f × u), a recurrent kernel (u × u) and a
bias of u; `reset_after=True` (the default) keeps two bias vectors, so
    reset_after=False: 3 × (u × (u + f) + u)
    reset_after=True:  3 × (u × (u + f) + u) + 3 × u.
"""

from __future__ import annotations

import json
from typing import Any

from nncheck.compare.verdict import Status
from nncheck.solvers.context import Context
from nncheck.solvers.models import solve_param_count
from nncheck.spec.problem import Problem

ONE_PER_INPUT = "one bias per input instead of one per unit"
TWO_VECTORS = "two bias vectors per recurrent layer (PyTorch's b_ih and b_hh)"
SINGLE_GRU = "GRU with one bias vector (Keras' reset_after=false)"


def gru_truth(units: int, features: int, reset_after: bool) -> Any:
    problem = Problem.model_validate({
        "id": "p",
        "given": {"m": {"kind": "model", "input": [10, features],
                        "layers": [{"gru": {"units": units, "reset_after": reset_after}}]}},
        "parts": [{"id": "a", "ask": "param_count", "model": "m"}],
    })
    return solve_param_count(problem.parts[0], Context(problem=problem, part=problem.parts[0]))


def test_gru_9408_is_the_second_bias_vector_not_a_bias_per_input() -> None:
    # GRU(32, reset_after=False) on 64 features: 3 × (32 × 96 + 32) = 9216 + 96 = 9312.
    truth = gru_truth(32, 64, reset_after=False)
    assert truth.expected == 3 * (32 * (32 + 64) + 32) == 9312
    # The answer 9408 = 9216 + 2 × 96: the count with reset_after=True's two bias vectors.
    # One bias per input feature gives 9216 + 3 × 64 = 9408 as well, but only because 64 = 2 × 32.
    assert 3 * 32 * 96 + 2 * 3 * 32 == 9408 == 3 * 32 * 96 + 3 * 64
    verdict = truth.grade(9408)
    assert verdict.status is Status.WRONG
    assert verdict.mistakes == (TWO_VECTORS, ONE_PER_INPUT)
    # With 20 input features the two part ways: 3 × 32 × 52 + 192 = 5184, against 4992 + 60 = 5052,
    # and only the real cause gives the answer written the same way.
    verdict = gru_truth(32, 20, reset_after=False).grade(3 * 32 * 52 + 192)
    assert 3 * 32 * 52 + 192 == 5184
    assert verdict.mistakes == (TWO_VECTORS,)


def test_keras_gru_single_bias_vector_before_one_bias_per_input() -> None:
    # GRU(32) (reset_after=True) on 16 features: 3 × (32 × 48 + 32) + 96 = 4704 + 96 = 4800.
    truth = gru_truth(32, 16, reset_after=True)
    assert truth.expected == 4800
    # One bias vector: 4608 + 96 = 4704; one bias per input, two vectors: 4608 + 2 × 3 × 16 =
    # 4704 as well (96 = 6 × 16 because 32 = 2 × 16).
    verdict = truth.grade(4704)
    assert verdict.mistakes == (SINGLE_GRU, ONE_PER_INPUT)


def test_the_answers_structure_decides_over_the_reach() -> None:
    # Written as 3 × 32 × (32 + 64) + 3 × 64 the answer adds one bias per input feature: at the
    # sizes changed to 65 units and 129 features it reads 3 × 65 × 194 + 3 × 129 = 38217, which
    # is what one bias per input gives there, not the two vectors (37830 + 390 = 38220).
    assert 3 * 65 * 194 + 3 * 129 == 38217 and 3 * 65 * 194 + 6 * 65 == 38220
    verdict = gru_truth(32, 64, reset_after=False).grade("3*32*(32 + 64) + 3*64")
    assert verdict.mistakes == (ONE_PER_INPUT, TWO_VECTORS)
    # Written with the bias vectors, the same number ranks the two vectors first.
    verdict = gru_truth(32, 64, reset_after=False).grade("3*(32*(32 + 64) + 32) + 3*32")
    assert verdict.mistakes == (TWO_VECTORS, ONE_PER_INPUT)


def test_json_names_the_best_match_first(tmp_path: Any) -> None:
    from typer.testing import CliRunner

    from nncheck.cli import main  # noqa: F401  (the command line registers its commands)
    from nncheck.cli.base import app

    (tmp_path / "bank").mkdir()
    (tmp_path / "bank" / "gru.yaml").write_text(
        "id: gru\ngiven:\n  m: {kind: model, input: [10, 64], layers: [{gru: {units: 32, "
        "reset_after: false}}]}\nparts:\n  - {id: a, ask: param_count, model: m}\n")
    sheet = tmp_path / "sheet.yaml"
    sheet.write_text("student: {id: s1}\nanswers:\n  gru: {a: 9408}\n")
    result = CliRunner().invoke(app, ["check", str(sheet), "--problems", str(tmp_path / "bank"),
                                      "--format", "json"])
    assert result.exit_code == 1, result.output
    part = json.loads(result.output)["problems"][0]["parts"][0]
    assert part["mistake"] == TWO_VECTORS
    assert part["mistakes"] == [TWO_VECTORS, ONE_PER_INPUT]
