"""Whether a `realize` part can be done: one threshold unit computes exactly the linearly
separable targets, and a part with no `solution:` is decided or flagged."""

from __future__ import annotations

import itertools
import json
from pathlib import Path

import numpy as np
import pytest
from typer.testing import CliRunner

from nncheck.cli import app
from nncheck.solvers.feasible import separate


def table(n: int, target, domain: str = "binary") -> tuple[np.ndarray, np.ndarray]:
    """Every input row (binary counting, first input most significant) and the target on it."""
    values = (0, 1) if domain == "binary" else (-1, 1)
    rows = np.array(list(itertools.product(values, repeat=n)), dtype=float)
    want = np.array([bool(target(*(int(v > 0) for v in row))) for row in rows])
    return rows, want


def fires(rows: np.ndarray, weights: tuple[int, ...]) -> np.ndarray:
    """Where z = w·x + b > 0, computed here in integers."""
    *w, b = weights
    return np.array([sum(int(wi) * int(xi) for wi, xi in zip(w, row)) + b > 0 for row in rows])


@pytest.mark.parametrize("n, target", [
    pytest.param(2, lambda a, b: a and b, id="and"),
    pytest.param(2, lambda a, b: a or b, id="or"),
    pytest.param(2, lambda a, b: not (a and b), id="nand"),
    pytest.param(3, lambda a, b, c: a + b + c >= 2, id="majority"),
    pytest.param(3, lambda a, b, c: a and (b or c), id="a-and-b-or-c"),
    pytest.param(2, lambda a, b: True, id="constant"),
])
@pytest.mark.parametrize("domain", ["binary", "bipolar"])
def test_separable_targets_get_a_witness_that_computes_them(n, target, domain):
    rows, want = table(n, target, domain)
    found = separate(rows, want)
    assert found.separable is True
    assert list(fires(rows, found.weights)) == list(want)


def test_a_and_b_or_c_by_hand():
    # w = (2, 1, 1), b = -3 computes a and (b or c) on all eight rows, with >= 0:
    #   a=1 and one of b, c: 2 + 1 - 3 = 0 (or 1) >= 0; a=1, b=c=0: -1; a=0: at most -1.
    rows, want = table(3, lambda a, b, c: a and (b or c))
    z = rows @ np.array([2, 1, 1]) - 3
    assert list(z >= 0) == list(want)
    assert separate(rows, want).separable is True


@pytest.mark.parametrize("target, on, off", [
    # (01 + 10)/2 = (00 + 11)/2 = (1/2, 1/2): no line puts the first two on one side and the
    # last two on the other. Every row is needed, so the proof is exactly these rows.
    pytest.param(lambda a, b: a != b, (1, 2), (0, 3), id="xor"),
    pytest.param(lambda a, b: a == b, (0, 3), (1, 2), id="xnor"),
])
def test_xor_and_xnor_are_not_separable_and_the_proof_names_all_four_rows(target, on, off):
    rows, want = table(2, target)
    found = separate(rows, want)
    assert (found.separable, found.on_rows, found.off_rows) == (False, on, off)


def test_exactly_two_of_three_is_not_separable_with_a_valid_proof():
    # By hand: (011 + 101 + 110)/3 = (2/3, 2/3, 2/3) = (2·111 + 000)/3, true rows against false.
    rows, want = table(3, lambda a, b, c: a + b + c == 2)
    found = separate(rows, want)
    assert found.separable is False
    assert all(want[i] for i in found.on_rows) and not any(want[i] for i in found.off_rows)
    assert found.on_rows and found.off_rows


# OEIS A000609: the number of threshold functions of n inputs (linearly separable boolean
# functions): 2, 4, 14, 104 for n = 0..3 (n = 0 has no rows to realise).
@pytest.mark.parametrize("n, count", [(1, 4), (2, 14), (3, 104)])
def test_counts_every_threshold_function_of_n_inputs(n, count):
    rows, _ = table(n, lambda *inputs: True)
    separable = 0
    for bits in range(2 ** len(rows)):
        want = np.array([bool(bits >> i & 1) for i in range(len(rows))])
        found = separate(rows, want)
        assert found.separable is not None
        if found.separable:
            assert list(fires(rows, found.weights)) == list(want)
        separable += found.separable
    assert separable == count


# --- validate --solve ----------------------------------------------------------------------------

def problem(target: str, *, layers: str = "[[y]]", activation: str = "step",
            domain: str = "binary", solution: str | None = None) -> str:
    lines = [
        "id: gate",
        "given:",
        "  template:",
        "    kind: network",
        "    inputs: [a, b]",
        f"    activation: {activation}",
        f"    layers: {layers}",
        "parts:",
        "  - id: design",
        "    ask: realize",
        "    template: template",
        f'    target: "{target}"',
        f"    domain: {domain}",
    ]
    if solution is not None:
        lines.append(f"    solution: {solution}")
    return "\n".join(lines) + "\n"


def validate(tmp_path: Path, text: str, *extra: str) -> tuple[int, str, str]:
    path = tmp_path / "gate.yaml"
    path.write_text(text, encoding="utf-8")
    result = CliRunner().invoke(app, ["validate", "--solve", str(path), *extra])
    return result.exit_code, result.stdout, result.stderr


IMPOSSIBLE = ("{path}:9:5: part `design`: no single {unit} unit computes this target (it is "
              "not linearly separable) — a target one unit can compute, or a template with a "
              "hidden layer (a weighted average of the true rows {on} equals a weighted "
              "average of the false rows {off}; z = w·x + b takes one value at that point, so "
              "it cannot be on for the one and off for the other)")


@pytest.mark.parametrize("target, activation, domain, on, off", [
    pytest.param("a xor b", "step", "binary", "01, 10", "00, 11", id="xor-step"),
    pytest.param("not (a xor b)", "step", "binary", "00, 11", "01, 10", id="xnor-step"),
    pytest.param("a xor b", "sign", "bipolar", "-+, +-", "--, ++", id="xor-sign-bipolar"),
])
def test_validate_solve_refuses_an_impossible_single_unit_part(
        tmp_path, target, activation, domain, on, off):
    code, stdout, stderr = validate(tmp_path, problem(target, activation=activation,
                                                      domain=domain))
    assert code == 2
    assert stdout == ""
    want = IMPOSSIBLE.format(path=tmp_path / "gate.yaml", unit=activation, on=on, off=off)
    assert stderr.splitlines() == [f"error: {want}"]


@pytest.mark.parametrize("target", ["a and b", "a or b", "not a", "a and not b"])
def test_validate_solve_accepts_a_separable_single_unit_part_silently(tmp_path, target):
    code, stdout, stderr = validate(tmp_path, problem(target))
    assert (code, stderr) == (0, "")
    assert stdout.startswith("ok: ")


def test_a_part_with_a_hidden_layer_and_no_solution_is_flagged_as_unchecked(tmp_path):
    code, stdout, stderr = validate(tmp_path, problem("a xor b", layers="[[h1, h2], [y]]"))
    assert code == 0
    assert stdout.startswith("ok: ")
    assert stderr.splitlines() == [
        f"warning: {tmp_path / 'gate.yaml'}:9:5: part `design`: no `solution:`, so nncheck "
        "cannot check that the template can compute the target (it decides that only for one "
        "threshold unit with free weights and bias) — give a model answer"]
    code, stdout, _ = validate(tmp_path, problem("a xor b", layers="[[h1, h2], [y]]"),
                               "--format", "json")
    assert len(json.loads(stdout)["warnings"]) == 1


def test_a_part_with_a_solution_is_not_flagged(tmp_path):
    # The model answer proves a design exists: h1 = a or b, h2 = a and b, y = h1 and not h2.
    solution = ("{h1: {w: [1, 1], b: -1}, h2: {w: [1, 1], b: -2}, y: {w: [1, -1], b: -1}}")
    code, _, stderr = validate(tmp_path, problem("a xor b", layers="[[h1, h2], [y]]",
                                                 solution=solution))
    assert (code, stderr) == (0, "")


def test_check_refuses_a_bank_with_an_impossible_part(tmp_path):
    bank = tmp_path / "bank"
    bank.mkdir()
    (bank / "gate.yaml").write_text(problem("a xor b"), encoding="utf-8")
    sheet = tmp_path / "s.yaml"
    sheet.write_text("student: {id: s1}\nanswers:\n  gate:\n    design: {y: {w: [1, 1], b: -1}}\n",
                     encoding="utf-8")
    result = CliRunner().invoke(app, ["check", str(sheet), "-p", str(bank)])
    assert result.exit_code == 2
    assert "no single step unit computes this target" in result.stderr
