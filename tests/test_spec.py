"""Problem files checked when they are read (`nncheck validate`): references, keys an ask would
ignore, defaults, strict booleans, choice options, layer keys, reserved names, duplicates and
formula symbols. Each error is one line, at the line and column of the value it is about."""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from typer.testing import CliRunner

from nncheck import expr
from nncheck.cli import app
from nncheck.spec import layers as model_spec
from nncheck.spec import network as network_spec

NET = "{kind: network, inputs: [a, b], activation: step, layers: [{h: {w: [1, 1], b: -1.5}}]}"
TEMPLATE = "{kind: network, inputs: [a, b], activation: step, layers: [[h]]}"


def write(tmp_path: Path, text: str, name: str = "p.yaml") -> Path:
    path = tmp_path / name
    path.write_text(textwrap.dedent(text).lstrip("\n"), encoding="utf-8")
    return path


def validate(tmp_path: Path, text: str) -> tuple[int, str]:
    """Exit code, and the one error line without `error: <path>:` (or the ok line)."""
    path = write(tmp_path, text)
    result = CliRunner().invoke(app, ["validate", str(path)])
    if result.exit_code == 0:
        return 0, result.stdout.strip()
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    prefix = f"error: {path}:"
    assert lines[0].startswith(prefix), lines[0]
    return result.exit_code, lines[0][len(prefix):]


def refused(tmp_path: Path, text: str) -> str:
    code, message = validate(tmp_path, text)
    assert code == 2, message
    return message


def accepted(tmp_path: Path, text: str) -> None:
    code, message = validate(tmp_path, text)
    assert code == 0, message


# --- 1. references are checked statically -------------------------------------------------------

def test_a_typo_in_an_answer_reference_is_a_problem_error_with_a_suggestion(tmp_path):
    assert refused(tmp_path, f"""
        given:
          tmpl: {TEMPLATE}
        parts:
          - {{id: design, ask: realize, template: tmpl, target: "a and b"}}
          - {{id: table, ask: truth_table, network: answer.desgn}}
        """) == ("5:44: no part `desgn` for `answer.desgn` — one of `tmpl`, `answer.design` "
                 "(did you mean `answer.design`?)")


def test_a_typo_in_a_network_name_is_a_problem_error_with_a_suggestion(tmp_path):
    assert refused(tmp_path, f"""
        given:
          net: {NET}
        parts:
          - {{id: out, ask: forward, network: nett, input: {{a: 1, b: 0}}}}
        """) == "4:38: no network `nett` in `given` — one of `net` (did you mean `net`?)"


def test_a_network_named_in_defaults_is_blamed_on_defaults(tmp_path):
    assert refused(tmp_path, f"""
        given:
          net: {NET}
        defaults: {{network: nett, input: {{a: 1, b: 0}}}}
        parts:
          - {{id: out, ask: forward}}
        """) == "3:21: no network `nett` in `given` — one of `net` (did you mean `net`?)"


def test_a_model_typo_and_a_given_of_the_wrong_kind(tmp_path):
    given = textwrap.dedent(f"""
        given:
          net: {NET}
          mlp: {{kind: model, input: [8], layers: [{{dense: 2}}]}}
          y: [0, 1]
        parts:
        """)
    assert refused(tmp_path, given + "  - {id: c, ask: param_count, model: mlpp}\n") == (
        "6:38: no model `mlpp` in `given` — one of `mlp` (did you mean `mlp`?)")
    assert refused(tmp_path, given + "  - {id: c, ask: param_count, model: net}\n") == (
        "6:38: `net` is a network, not a model — one of `mlp`")
    assert refused(tmp_path, given + "  - {id: t, ask: truth_table, network: mlp}\n") == (
        "6:40: `mlp` is a model, not a network — one of `net`")
    assert refused(tmp_path, given + "  - {id: t, ask: truth_table, network: y}\n") == (
        "6:40: `y` is data, not a network (a network in `given` says `kind: network`) — "
        "one of `net`")
    assert refused(tmp_path, given + "  - {id: c, ask: param_count, model: answer.net}\n") == (
        "6:38: `answer.net`: no part answers with a model — a model of `given`, one of `mlp`")


def test_an_answer_reference_names_an_earlier_part_with_a_network_answer(tmp_path):
    head = textwrap.dedent(f"""
        given:
          net: {NET}
          tmpl: {TEMPLATE}
        parts:
        """)
    design = '  - {id: design, ask: realize, template: tmpl, target: "a and b"}\n'
    table = "  - {id: table, ask: truth_table, network: answer.design}\n"
    accepted(tmp_path, head + design + table)
    assert refused(tmp_path, head + table + design) == (
        "5:44: `answer.design` names a later part: a part may use the answer to an earlier "
        "part only — one of `net`, `tmpl`")
    assert refused(tmp_path, head + "  - {id: t, ask: truth_table, network: answer.t}\n") == (
        "5:40: `answer.t` is this part's own answer: `answer.<part-id>` names an earlier part")
    assert refused(tmp_path, head + "  - {id: f, ask: forward, network: net, input: {a: 1}}\n"
                   "  - {id: t, ask: truth_table, network: answer.f}\n") == (
        "6:40: part `f` asks `forward`, so its answer is not a network — `answer.<part-id>` "
        "names an earlier `realize` or `equivalent` part")


def test_a_template_is_a_given_network_or_inline(tmp_path):
    head = textwrap.dedent(f"""
        given:
          tmpl: {TEMPLATE}
        parts:
        """)
    assert refused(tmp_path, head + '  - {id: d, ask: realize, template: tmpll, target: a}\n') == (
        "4:37: no network `tmpll` in `given` — one of `tmpl` (did you mean `tmpl`?)")
    assert refused(tmp_path, head + '  - {id: d, ask: realize, template: answer.x, target: a}\n'
                   ) == ("4:37: `answer.x`: a template is a network of `given` or written "
                         "inline, not an answer — one of `tmpl`")


# --- 2. keys an ask would ignore are refused -----------------------------------------------------

@pytest.mark.parametrize("part", [
    "{id: t, ask: realize, template: tmpl, target: a, hints: []}",
    "{id: t, ask: equivalent, network: net, template: tmpl, hints: []}",
    "{id: t, ask: manual, hints: []}",
])
def test_hints_are_refused_where_the_ask_ignores_them(tmp_path, part):
    ask = part.split("ask: ")[1].split(",")[0]
    message = refused(tmp_path, f"""
        given:
          net: {NET}
          tmpl: {TEMPLATE}
        parts:
          - {part}
        """)
    column = part.index("hints") + 5
    assert message == (f"5:{column}: `hints` works only on parts with a numeric answer, a choice "
                       "or a truth table (truth_table, forward, param_count, output_shape, loss, "
                       "gradient, formula, choice, receptive_field, padding, activation_memory, "
                       f"layer_output, flops, macs), not on `{ask}`")


def test_partial_is_refused_except_on_truth_tables(tmp_path):
    assert refused(tmp_path, """
        parts:
          - {id: c, ask: choice, options: [A, B], key: A, partial: true}
        """) == "2:51: `partial` works only on `truth_table` parts, not on `choice`"
    accepted(tmp_path, f"""
        given:
          net: {NET}
        parts:
          - {{id: t, ask: truth_table, network: net, partial: true}}
          - {{id: f, ask: formula, reference: "10n", hints: [{{answer: "11n", say: "no"}}]}}
        """)


def test_defaults_give_hints_and_partial_only_to_asks_that_take_them(tmp_path):
    accepted(tmp_path, f"""
        given:
          net: {NET}
        defaults: {{partial: true, hints: [{{answer: 0, say: "zero"}}], network: net}}
        parts:
          - {{id: t, ask: truth_table}}
          - {{id: f, ask: forward, input: {{a: 1, b: 1}}}}
          - {{id: m, ask: manual}}
        """)


# --- 3. choice options and key may be numbers ---------------------------------------------------

def test_choice_options_and_key_may_be_numbers(tmp_path):
    path = write(tmp_path, """
        parts:
          - {id: c, ask: choice, options: [1, 2, 3], key: 2, explain: {3: "one too many"}}
        answers: {c: 2}
        """)
    assert CliRunner().invoke(app, ["validate", str(path)]).exit_code == 0
    result = CliRunner().invoke(app, ["check", str(path), "--format", "json"])
    assert result.exit_code == 0, result.output
    part = json.loads(result.stdout)["problems"][0]["parts"][0]
    assert (part["status"], part["expected"]) == ("correct", "2")


def test_a_choice_key_that_is_not_an_option_is_refused(tmp_path):
    assert refused(tmp_path, """
        parts:
          - {id: c, ask: choice, options: [same, A, B], key: sam}
        """) == "2:54: key `sam` is not an option — one of `same`, `A`, `B` (did you mean `same`?)"


# --- 4. unknown keys under defaults -------------------------------------------------------------

def test_an_unknown_key_under_defaults_is_refused_with_a_suggestion(tmp_path):
    assert refused(tmp_path, f"""
        given:
          net: {NET}
        defaults:
          network: net
          inptu: {{a: 1, b: 0}}
        parts:
          - {{id: out, ask: forward, input: {{a: 1, b: 0}}}}
        """) == "5:3: unknown key `inptu` in `defaults:` — no ask takes it (did you mean `input`?)"


def test_a_part_id_cannot_be_a_default(tmp_path):
    assert refused(tmp_path, """
        defaults: {id: x}
        parts:
          - {ask: manual}
        """) == "1:12: `id` cannot be a default: every part gives its own `id`"


# --- 5. strict booleans -------------------------------------------------------------------------

@pytest.mark.parametrize(("value", "found"), [("yes", "'yes'"), ('"False"', "'False'"),
                                              ("1", "1"), ("off", "'off'")])
def test_partial_is_true_or_false_only(tmp_path, value, found):
    assert refused(tmp_path, f"""
        given:
          net: {NET}
        parts:
          - {{id: t, ask: truth_table, network: net, partial: {value}}}
        """) == f"4:54: expected true or false, found {found}"


@pytest.mark.parametrize(("layer", "word"), [
    ("{dense: 4, trainable: no}", "no"), ("{dense: {units: 4, bias: off}}", "off"),
])
def test_layer_booleans_are_true_or_false_only(tmp_path, layer, word):
    code, message = validate(tmp_path, f"""
        given:
          m: {{kind: model, input: [8], layers: [{layer}]}}
        parts:
          - {{id: c, ask: param_count, model: m}}
        """)
    assert code == 2 and f"must be true or false, not '{word}'" in message


# --- 6. a layer's name and trainable inside its arguments ---------------------------------------

def test_name_and_trainable_may_stand_among_a_layers_arguments(tmp_path):
    path = write(tmp_path, """
        given:
          m:
            kind: model
            input: [8]
            layers:
              - dense: {units: 4, trainable: false, name: head}
              - dense: {units: 2, name: out}
                name: out
        parts:
          - {id: trainable, ask: param_count, model: m, count: trainable}
          - {id: head, ask: param_count, model: m, layer: head}
        """)
    assert CliRunner().invoke(app, ["validate", str(path)]).exit_code == 0
    result = CliRunner().invoke(app, ["solve", str(path), "--format", "json"])
    assert result.exit_code == 0, result.output
    parts = json.loads(result.stdout)["problems"][0]["parts"]
    assert [p["expected"] for p in parts] == [10, 36]


def test_name_or_trainable_in_both_places_must_agree(tmp_path):
    assert refused(tmp_path, """
        given:
          m:
            kind: model
            input: [8]
            layers:
              - dense: {units: 4, trainable: false}
                trainable: true
        parts:
          - {id: c, ask: param_count, model: m}
        """) == ("6:7: layer 0 (dense): `trainable` is given twice, as true beside `dense` and "
                 "as false inside it")


# --- 7. one list of reserved names --------------------------------------------------------------

@pytest.mark.parametrize("name", ["π", "AND", "Not", "xor", "sigmoid", "σ", "loss", "rπ"])
def test_the_expression_languages_names_cannot_name_an_input(tmp_path, name):
    assert refused(tmp_path, f"""
        given:
          net: {{kind: network, inputs: [a, "{name}"], activation: step, layers: [[h]]}}
        parts:
          - {{id: t, ask: manual}}
        """) == f"2:36: `{name}` is reserved — choose another name"


def test_a_unit_named_like_a_keyword_in_capitals_is_reserved(tmp_path):
    assert refused(tmp_path, """
        given:
          net:
            kind: network
            inputs: [a, b]
            activation: step
            layers:
              - h: {w: 1}
                Or: {w: 1}
        parts:
          - {id: t, ask: manual}
        """) == "8:9: `Or` is reserved — choose another name"


@pytest.mark.parametrize("name", ["AND", "Or", "pi", "Same"])
def test_a_model_size_symbol_cannot_be_reserved(tmp_path, name):
    assert refused(tmp_path, f"""
        given:
          m: {{kind: model, input: [n], symbols: {{{name}: [1, 9]}}, layers: [{{dense: 2}}]}}
        parts:
          - {{id: t, ask: manual}}
        """) == (f"2:42: symbol `{name}`: a symbol is a name such as n or k (letters, digits, _; "
                 "not a function, constant or keyword)")


def test_reserved_names_have_one_source():
    for name in ("π", "∞", "pi", "inf", "log", "ln", "σ", "and", "AND", "Xor", "nOT"):
        assert expr.is_reserved(name), name
        assert model_spec.is_reserved(name), name
        # A network may name an input `e`, `pi` or `inf`: the name wins inside its problem.
        assert network_spec.is_reserved(name) == (name not in expr.BINDABLE), name
    for name in ("x1", "Log", "PI", "E", "n", "sigma"):
        assert not expr.is_reserved(name), name
    assert network_spec.is_reserved("loss") and not model_spec.is_reserved("loss")
    assert model_spec.is_reserved("SAME") and not network_spec.is_reserved("same")
    assert expr.RESERVED - expr.BINDABLE <= network_spec.RESERVED
    assert expr.RESERVED <= model_spec.RESERVED
    assert {"π", "∞"} <= expr.CONSTANTS


def test_an_alias_cannot_hide_a_keyword(tmp_path):
    assert refused(tmp_path, """
        aliases: {And: g1}
        parts:
          - {id: t, ask: manual}
        """) == ("1:11: alias `And` would hide a function, a constant or a keyword of the "
                 "expression language")


# --- 8. duplicates are located ------------------------------------------------------------------

def test_a_duplicate_part_id_points_at_the_second_id(tmp_path):
    assert refused(tmp_path, """
        parts:
          - id: a
            ask: manual
          - id: b
            ask: manual
          - id: a
            ask: manual
        """) == "6:9: duplicate part id `a` — each part of a problem has its own id"


def test_a_duplicate_unit_points_at_the_second_one(tmp_path):
    assert refused(tmp_path, """
        given:
          net:
            kind: network
            inputs: [a, b]
            activation: step
            layers:
              - h: {w: [1, 1], b: -1}
                k: {w: 1}
              - h: {w: [1, 1]}
        parts:
          - {id: t, ask: manual}
        """) == ("9:9: `h` is used twice, for a unit of layer 1 and for a unit of layer 2 — "
                 "names are unique within a network")


def test_a_unit_named_like_an_input_points_at_the_unit(tmp_path):
    assert refused(tmp_path, """
        given:
          net: {kind: network, inputs: [a, b], activation: step, layers: [[h, b]]}
        parts:
          - {id: t, ask: manual}
        """) == ("2:71: `b` is used twice, for an input and for a unit of layer 1 — names are "
                 "unique within a network")


def test_a_duplicate_in_an_inline_template_points_at_it(tmp_path):
    assert refused(tmp_path, """
        parts:
          - id: d
            ask: realize
            target: "a and b"
            template:
              inputs: [a, a]
              activation: step
              layers: [[h]]
        """) == ("6:19: `a` is used twice, for an input and for an input — names are unique "
                 "within a network")


# --- 9. formula references ----------------------------------------------------------------------

def test_a_formula_with_symbols_declares_every_name_of_its_reference(tmp_path):
    assert refused(tmp_path, """
        parts:
          - id: f
            ask: formula
            reference: "10 lg(n) + n"
            symbols: {n: {integer: [1, 1000]}}
        """) == ("4:16: `reference` uses `lg`, which `symbols:` does not declare — one of `n` "
                 "(did you mean `log`?)")


def test_a_formula_without_symbols_keeps_the_default_domain(tmp_path):
    accepted(tmp_path, """
        parts:
          - {id: f, ask: formula, reference: "10 lg(n) + n"}
        """)


def test_a_formula_reference_that_does_not_parse_is_refused_at_validation(tmp_path):
    assert refused(tmp_path, """
        parts:
          - {id: f, ask: formula, reference: "10n +"}
        """) == ("2:38: `reference`: unexpected end of the expression at column 6 — expected a "
                 "number, a name or `(`")


def test_a_formula_symbol_cannot_be_reserved(tmp_path):
    assert refused(tmp_path, """
        parts:
          - {id: f, ask: formula, reference: "2 pi r", symbols: {pi: {real: [3, 4]}}}
        """) == ("2:58: symbol `pi` is reserved: the expression language reads it as a function, "
                 "a constant or a keyword")


def test_validating_a_formula_imports_no_numpy(tmp_path):
    path = write(tmp_path, """
        parts:
          - {id: f, ask: formula, reference: "10n + log(n)", symbols: {n: {integer: [1, 10]}}}
        """)
    done = subprocess.run([sys.executable, "-X", "importtime", "-m", "nncheck", "validate",
                           str(path)], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr[-2000:]
    assert "nncheck.expr" in done.stderr
    assert "| numpy" not in done.stderr


@pytest.mark.parametrize(
    ("value", "found"),
    [pytest.param("true", "true", id="boolean"),
     pytest.param('"2"', "'2' (write the number without quotes: `points: 2`)", id="quoted")],
)
def test_points_are_numbers_written_as_numbers(tmp_path, value, found):
    code, message = validate(tmp_path, f"parts:\n  - {{id: a, ask: manual, points: {value}}}\n")
    assert code == 2
    assert message == f"2:34: expected a number, found {found}"
