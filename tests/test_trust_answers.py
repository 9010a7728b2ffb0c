"""Answers that must not earn marks without the work, and files that would grade the key wrong:
a numeric answer that names the value it is asked for, a listed-rows table that leaves out the
rows that matter, choice options that an answer cannot tell apart."""

from __future__ import annotations

import json
import math
import textwrap
from pathlib import Path

import pytest
import yaml
from typer.testing import CliRunner

from conftest import context
from nncheck.checking import Status
from nncheck.cli import app
from nncheck.errors import ProblemError
from nncheck.solvers.gradients import solve_gradient
from nncheck.solvers.networks import solve_forward


def write(tmp_path: Path, text: str, name: str = "p.yaml") -> Path:
    path = tmp_path / name
    path.write_text(textwrap.dedent(text).lstrip("\n"), encoding="utf-8")
    return path


def refused(tmp_path: Path, text: str) -> str:
    """The one error line of `nncheck validate`, without `error: <path>:`; exit code 2."""
    path = write(tmp_path, text)
    result = CliRunner().invoke(app, ["validate", str(path)])
    assert result.exit_code == 2, result.output
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    prefix = f"error: {path}:"
    assert lines[0].startswith(prefix), lines[0]
    return lines[0][len(prefix):]


# --- choice options that fold alike -------------------------------------------------------------

# A claim is matched to an option with case and runs of spacing ignored (docs/format.md, choice):
# "A" and "a" fold to "a", "same" and " Same " to "same", "two words" and "Two  Words" to
# "two words". Two such options cannot both be told apart, so the key could be graded wrong.
# The error line shows each option as written, on one line (runs of spacing shown as one).
@pytest.mark.parametrize(("options", "named"), [
    pytest.param("[A, B, a]", "2:42: options `A` and `a`", id="case"),
    pytest.param("[same, A, ' Same ']", "2:45: options `same` and ` Same `", id="spacing-around"),
    pytest.param("['two words', B, 'Two  Words']", "2:52: options `two words` and `Two Words`",
                 id="spacing-inside"),
])
def test_choice_options_equal_after_folding_are_refused_naming_both(tmp_path, options, named):
    assert refused(tmp_path, f"""
        parts:
          - {{id: c, ask: choice, options: {options}, key: B}}
        """) == (f"{named} differ only in case or spacing — an answer could not tell them "
                 "apart; make every option differ in more than case or spacing")


def test_a_choice_option_given_twice_is_refused(tmp_path):
    # Column 39 is the second `A` of `options: [A, A]` on line 2.
    assert refused(tmp_path, """
        parts:
          - {id: c, ask: choice, options: [A, A], key: A}
        """) == ("2:39: option `A` is given twice — an answer could not tell them apart; "
                 "make every option differ in more than case or spacing")


def test_options_that_differ_in_more_than_case_still_validate_and_grade(tmp_path):
    path = write(tmp_path, """
        parts:
          - {id: c, ask: choice, options: [A, AA, 'A B'], key: 'A B'}
        answers: {c: ' a  b '}
        """)
    result = CliRunner().invoke(app, ["check", str(path), "--format", "json"])
    assert result.exit_code == 0, result.output


# --- a numeric answer may not name the value it is asked for -----------------------------------

# docs/format.md's network, worked by hand at x = (1, 0, 2):
#   h1 = relu(1 - 0 + 0.5·2)      = relu(2)    = 2
#   h2 = relu(2·1 - 2)            = relu(0)    = 0
#   h3 = tanh(1 + 0 + 2 - 1)      = tanh(2)    = 0.9640276
#   o  = sigmoid(2 + 0 + 0.9640276 - ln 2)     = sigmoid(2.2708804) = 0.9064365
LAYERS = """
given:
  net:
    kind: network
    inputs: [x1, x2, x3]
    activation: relu
    layers:
      - h1: {w: [1, -1, 0.5], b: 0}
        h2: {w: {x1: 2, x3: -1}}
        h3: {w: 1, b: -1, activation: tanh}
      - activation: sigmoid
        units:
          o: {w: [1, 1, 1], b: "-log(2)"}
aliases: {a3: o}
defaults: {network: net, input: {x1: 1, x2: 0, x3: 2}}
parts:
  - {id: hidden, ask: forward, of: [h1, h2, h3]}
  - {id: out, ask: forward, of: o}
"""
H3 = math.tanh(2)
OUT = 1 / (1 + math.exp(-(2 + H3 - math.log(2))))


def forward_truth(part_id: str, text: str = LAYERS):
    data = yaml.safe_load(text)
    ctx = context(data, part_id)
    return solve_forward(ctx.part, ctx)


def test_the_hand_values_are_the_truth():
    assert forward_truth("hidden").expected == pytest.approx([2, 0, H3])
    assert forward_truth("out").expected == pytest.approx(OUT)
    assert abs(OUT - 0.9064365) < 1e-7


@pytest.mark.parametrize(("claimed", "message"), [
    pytest.param("o", "`o` is the value being asked, so an answer may not use it", id="itself"),
    pytest.param("2*o - o", "`o` is the value being asked, so an answer may not use it",
                 id="itself-disguised"),
    pytest.param("a3", "`a3` (`o`) is the value being asked, so an answer may not use it",
                 id="by-alias"),
    pytest.param("sigmoid(z_o)", "`z_o` is the pre-activation of `o`, the value being asked, "
                 "so an answer may not use it", id="own-z"),
])
def test_an_answer_naming_the_asked_value_is_invalid(claimed, message):
    verdict = forward_truth("out").grade(claimed)
    assert (verdict.status, verdict.message) == (Status.INVALID, message)


def test_the_asked_values_of_a_vector_are_each_barred_from_their_own_answer():
    verdict = forward_truth("hidden").grade(["h1", "h2", "h3"])
    assert verdict.status is Status.INVALID
    assert verdict.message == "value 1: `h1` is the value being asked, so an answer may not use it"
    # The work written out: relu(1 - 0 + 0.5·2), relu(2 - 2), tanh(2).
    assert forward_truth("hidden").grade(["relu(1 + 1)", "relu(2 - 2)", "tanh(2)"]).status \
        is Status.CORRECT


def test_a_unit_computed_from_the_asked_one_is_barred_too():
    # Asked h3, the answer names o = sigmoid(h1 + h2 + h3 - ln 2), so h3 = logit(o) - h1 - h2 +
    # ln 2: right by construction, with no tanh worked out.
    text = LAYERS.replace("of: o}", "of: h3}")
    verdict = forward_truth("out", text).grade("log(o/(1 - o)) - h1 - h2 + log(2)")
    assert verdict.status is Status.INVALID
    assert verdict.message == "`o` depends on `h3`, the value being asked, so an answer may not " \
        "use it"


def test_upstream_values_stay_usable_as_documented():
    # docs/format.md (forward): an answer may use the network's symbols at the given input; the
    # units the asked one reads, its weights and the inputs are not the asked value.
    assert forward_truth("out").grade("sigmoid(h1 + h2 + h3 - log(2))").status is Status.CORRECT
    assert forward_truth("out").grade("sigmoid(w_o_h1*h1 + h2 + tanh(x1 + x3 - 1) + b_o)").status \
        is Status.CORRECT


# softmax over z_s1 = x, z_s2 = -x at x = 1: s1 = e/(e + 1/e) = 1/(1 + e^-2) = 0.8807971,
# s2 = 1 - s1. Naming s2 gives s1 as `1 - s2`, with no softmax worked out.
SOFTMAX = """
given:
  net:
    kind: network
    inputs: [x]
    layers: [{activation: softmax, units: {s1: {w: [1], b: 0}, s2: {w: [-1], b: 0}}}]
parts:
  - {id: s, ask: forward, network: net, input: {x: 1}, of: s1}
"""


def test_a_softmax_neighbour_of_the_asked_unit_is_barred():
    t = forward_truth("s", SOFTMAX)
    assert t.expected == pytest.approx(1 / (1 + math.exp(-2)))
    verdict = t.grade("1 - s2")
    assert verdict.status is Status.INVALID
    assert verdict.message == "`s2` depends on `s1`, the value being asked, so an answer may not " \
        "use it"
    assert t.grade("1/(1 + exp(-2))").status is Status.CORRECT


def test_an_asked_pre_activation_bars_the_activation_computed_from_it():
    # z_h3 = 1 + 0 + 2 - 1 = 2, and h3 = tanh(z_h3): atanh(h3) would be z_h3 again.
    text = LAYERS.replace("of: o}", "of: z_h3}")
    t = forward_truth("out", text)
    assert t.expected == 2
    verdict = t.grade("0.5*log((1 + h3)/(1 - h3))")
    assert verdict.status is Status.INVALID
    assert verdict.message == "`h3` depends on `z_h3`, the value being asked, so an answer may " \
        "not use it"


def test_a_hint_that_names_the_asked_value_is_an_error_of_the_problem():
    text = LAYERS.replace("of: o}", "of: o, hints: [{answer: 'o', say: 'circular'}]}")
    with pytest.raises(ProblemError, match="`o` is the value being asked"):
        forward_truth("out", text).with_hints(context(yaml.safe_load(text), "out").part.hints)


def test_a_sheet_that_names_the_asked_values_earns_nothing(tmp_path):
    path = write(tmp_path, LAYERS + "answers: {hidden: [h1, h2, h3], out: o}\n", "layers.yaml")
    result = CliRunner().invoke(app, ["check", str(path), "--format", "json"])
    assert result.exit_code == 1, result.output
    parts = json.loads(result.stdout)["problems"][0]["parts"]
    assert [(p["id"], p["status"], p["points"]) for p in parts] == [
        ("hidden", "invalid", 0), ("out", "invalid", 0)]
    assert parts[1]["message"] == "`o` is the value being asked, so an answer may not use it"


def test_a_gradient_formula_may_still_name_the_unit_it_differentiates():
    # d sigmoid(z)/dz = s(1 - s): naming the differentiated unit is the formula, not a shortcut.
    # y = sigmoid(x) at x = 0: y = 0.5, dy/dz_y = 0.25.
    data = yaml.safe_load("""
        given:
          net: {kind: network, inputs: [x], activation: sigmoid, layers: [{y: {w: [1], b: 0}}]}
        parts:
          - {id: d, ask: gradient, network: net, input: {x: 0}, of: y, wrt: z_y, form: formula}
        """)
    ctx = context(data)
    t = solve_gradient(ctx.part, ctx)
    assert t.expected == pytest.approx(0.25)
    assert t.grade("y(1 - y)").status is Status.CORRECT
