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
from nncheck.cli import app
from nncheck.compare.verdict import Status
from nncheck.errors import ProblemError
from nncheck.solvers.gradients import solve_gradient
from nncheck.solvers.networks import solve_forward, solve_truth_table


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


TWINS = """
given:
  net:
    kind: network
    inputs: [x]
    activation: sigmoid
    layers: [{h1: {w: [1], b: 0}, h2: {w: [1], b: 0}}]
parts:
  - {id: t, ask: forward, network: net, input: {x: 0}, of: [h1, h2]}
"""


def test_a_twin_of_the_asked_unit_is_not_an_answer():
    # h1 = h2 = sigmoid(0) = 0.5 by hand: each is right for the other, with no sigmoid worked out.
    t = forward_truth("t", TWINS)
    assert t.expected == [0.5, 0.5]
    verdict = t.grade(["h2", "h1"])
    assert (verdict.status, verdict.message) == (
        Status.INVALID,
        "value 1: `h2` is not a value that `h1` is computed from, so an answer may not use it")
    assert t.grade(["sigmoid(0)", "1/(1 + exp(0))"]).status is Status.CORRECT


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


# --- rows: listed must include the rows that matter ---------------------------------------------

SEED = Path(__file__).resolve().parents[1] / "problems" / "seed-exam"

# The exactly-two network by hand: n1 = step(m1+m2+m3 - 1.5) fires with two or more inputs on,
# n2 = step(m1+m2+m3 - 2.5) with three, Y = step(n1 - n2 - 1) with exactly two.
# Rows (m1 m2 m3: n1 n2 Y): 000: 0 0 0, 001: 0 0 0, 010: 0 0 0, 011: 1 0 1,
#                           100: 0 0 0, 101: 1 0 1, 110: 1 0 1, 111: 1 1 0.
TWO = """
given:
  net:
    kind: network
    inputs: [m1, m2, m3]
    activation: step
    layers:
      - n1: {w: [1, 1, 1], b: -1.5}
        n2: {w: [1, 1, 1], b: -2.5}
      - Y: {w: [1, -1], b: -1}
parts:
  - {id: t, ask: truth_table, network: net, columns: [n1, n2, Y], rows: listed}
"""
TRIVIAL = {"columns": ["m1", "m2", "m3", "n1", "n2", "Y"], "rows": [[0, 0, 0, 0, 0, 0]]}
FIRING = {"columns": ["m1", "m2", "m3", "n1", "n2", "Y"],
          "rows": [[0, 1, 1, 1, 0, 1], [1, 0, 1, 1, 0, 1], [1, 1, 0, 1, 0, 1]]}


def table_truth(text: str = TWO, **part):
    data = yaml.safe_load(text)
    data["parts"][0].update(part)
    ctx = context(data)
    return solve_truth_table(ctx.part, ctx)


def test_one_trivial_row_does_not_stand_for_the_rows_where_the_output_is_on():
    # The default: the rows where the output Y is on (011, 101, 110) must be given.
    verdict = table_truth().grade(TRIVIAL)
    assert verdict.status is Status.WRONG
    assert verdict.message == ("3 of 4 rows differ: row 011 is missing; row 101 is missing; "
                               "row 110 is missing — every row where `Y` is on is required")
    assert [d.row for d in verdict.detail.wrong_rows] == ["011", "101", "110"]
    assert table_truth().grade(FIRING).status is Status.CORRECT


def test_partial_credit_counts_a_missing_required_row_as_wrong():
    # Given 000 (right) and 011 (right); required 101 and 110 missing: 2 right of 4 graded rows.
    claimed = {"columns": TRIVIAL["columns"], "rows": [TRIVIAL["rows"][0], FIRING["rows"][0]]}
    verdict = table_truth(partial=True).grade(claimed)
    assert (verdict.status, verdict.fraction) == (Status.WRONG, 2 / 4)


def test_required_on_a_named_unit():
    # n1 is on at 011, 101, 110, 111: the three firing rows leave out 111.
    verdict = table_truth(required={"on": "n1"}).grade(FIRING)
    assert verdict.status is Status.WRONG
    assert verdict.message == "row 111 is missing — every row where `n1` is on is required"


def test_required_rows_by_pattern():
    # "1*1" is 101 and 111; the firing rows give 101 but not 111.
    verdict = table_truth(required={"rows": ["1*1"]}).grade(FIRING)
    assert (verdict.status, verdict.message) == (
        Status.WRONG, "row 111 is missing — the rows 1*1 are required")


def test_required_at_least_a_number_of_rows():
    assert table_truth(required={"at_least": 3}).grade(FIRING).status is Status.CORRECT
    verdict = table_truth(required={"at_least": 4}).grade(FIRING)
    assert (verdict.status, verdict.message) == (
        Status.WRONG, "3 rows given: at least 4 rows are required")
    # partial: 3 right rows out of the 4 required.
    assert table_truth(required={"at_least": 4}, partial=True).grade(FIRING).fraction == 3 / 4


def test_the_seed_problem_requires_the_rows_where_exactly_two_inputs_are_on(tmp_path):
    # problems/seed-exam/q1-exactly-two.yaml asks for "the rows the design is meant to detect":
    # a right design (n1 -1.5, n2 -2.5, Y -1) with only row 000 listed must not earn 2/2.
    sheet = write(tmp_path, """
        student: {id: s, name: S}
        answers:
          q1-exactly-two:
            design:
              n1: {w: [1, 1, 1], b: -1.5}
              n2: {w: [1, 1, 1], b: -2.5}
              Y: {w: [1, -1], b: -1}
            outputs:
              columns: [m1, m2, m3, n1, n2, Y]
              rows: [[0, 0, 0, 0, 0, 0]]
        """, "s.yaml")
    result = CliRunner().invoke(app, ["check", str(sheet), "--problems", str(SEED),
                                      "--format", "json"])
    problems = json.loads(result.stdout)["problems"]
    part = next(p for p in problems[0]["parts"] if p["id"] == "outputs")
    assert (part["status"], part["points"]) == ("wrong", 0)
    assert part["message"] == ("3 of 4 rows differ: row 011 is missing; row 101 is missing; "
                               "row 110 is missing — the rows 011, 101, 110 are required")


@pytest.mark.parametrize(("required", "message"), [
    pytest.param("{on: Y, at_least: 2}",
                 "6:15: `required` takes one of `on`, `rows`, `at_least`, found `on` and "
                 "`at_least`", id="two-at-once"),
    pytest.param("{rows: ['01a']}",
                 "6:23: `01a` is not a row pattern — bits 0/1 (or +/- in a bipolar table), * for "
                 "either, one per input: \"011\", \"1*0\"", id="bad-pattern"),
    pytest.param("{rows: [011]}",  # YAML 1.2: the integer 11
                 "6:23: row pattern 11 was read as a number — quote bit patterns (\"011\")",
                 id="unquoted-pattern"),
    pytest.param("{at_least: 0}", "6:26: expected a number, 1 or more, found 0",
                 id="at-least-zero"),
])
def test_a_malformed_required_is_refused_when_the_file_is_read(tmp_path, required, message):
    assert refused(tmp_path, f"""
        parts:
          - id: t
            ask: truth_table
            network: net
            rows: listed
            required: {required}
        """) == message


def test_required_needs_rows_listed(tmp_path):
    got = refused(tmp_path, """
        parts:
          - {id: t, ask: truth_table, network: net, required: {on: Y}}
        """)
    assert got.endswith("`required` says which listed rows must be given: it needs "
                        "`rows: listed` (with `rows: all` every row is graded)")
