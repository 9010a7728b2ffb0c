"""Hostile input: every resource bound holds with a clear message, and nothing executes.

A grader runs files that students wrote. Each test here feeds one attack or one oversized input
through the command line, in-process, and states the exact message a user sees. Time is bounded
by construction (each bound is checked before the work it guards), so no test measures it;
memory is measured with tracemalloc where "never allocated" is the claim.
"""

from __future__ import annotations

import json
import tracemalloc
from pathlib import Path
from typing import Any

import pytest
import yaml
from typer.testing import CliRunner

from nncheck import expr
from nncheck.cli import app
from nncheck.engine.network import input_rows
from nncheck.errors import InputError, ProblemError
from nncheck.io.problems import load_problem
from nncheck.io.scalars import MAX_DEPTH
from nncheck.io.yaml import MAX_FILE_BYTES, read_document
from nncheck.words import clip

MiB = 1 << 20


def run(*args: Any) -> Any:
    """Invoke the CLI in-process."""
    return CliRunner().invoke(app, [str(a) for a in args])


def write(path: Path, text: str) -> Path:
    """Write a UTF-8 file under tmp_path."""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def dump(data: Any) -> str:
    """YAML text for data (long strings stay on one line)."""
    return yaml.safe_dump(data, sort_keys=False, allow_unicode=True, width=1 << 30)


@pytest.fixture
def bank(tmp_path: Path) -> Path:
    """A one-problem bank: `p.a` asks for a formula in n, `p.net` for a network design."""
    write(tmp_path / "bank" / "p.yaml", dump({
        "id": "p",
        "given": {"template": {"kind": "network", "inputs": ["x"], "activation": "step",
                               "layers": [["o"]]}},
        "parts": [
            {"id": "a", "ask": "formula", "reference": "n + 1",
             "symbols": {"n": {"integer": [1, 10]}}},
            {"id": "net", "ask": "realize", "template": "template", "target": "x"},
        ],
    }))
    return tmp_path / "bank"


def sheet(tmp_path: Path, answers: dict[str, Any]) -> Path:
    """A sheet answering problem `p` of the bank."""
    return write(tmp_path / "sheet.yaml", dump({"student": {"id": "s"}, "answers": {"p": answers}}))


def part_of(result: Any, part: str = "a") -> dict[str, Any]:
    """A part of the JSON report of `check`."""
    data = json.loads(result.stdout)
    return next(p for p in data["problems"][0]["parts"] if p["id"] == part)


def peak_bytes(fn: Any) -> int:
    """The peak of Python allocations while `fn` runs (its exception, if any, swallowed)."""
    tracemalloc.start()
    try:
        fn()
    except Exception:  # the refusal is the point; its message is checked elsewhere
        pass
    finally:
        peak = tracemalloc.get_traced_memory()[1]
        tracemalloc.stop()
    return peak


# --- YAML: alias bombs, size, nesting, numbers ---------------------------------------------------

BOMB = "\n".join([
    "student: {id: s}",
    'a: &a ["lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol"]',
    *(f"{b}: &{b} [{', '.join([f'*{a}'] * 9)}]" for a, b in zip("abcdefgh", "bcdefghi")),
    "answers: *i",
]) + "\n"  # nine levels of nine: 9^9, about 387 million strings once expanded


@pytest.mark.parametrize("command", [["validate"], ["check", "--problems", "{bank}"]],
                         ids=["validate", "check"])
def test_billion_laughs_is_refused_in_one_line(tmp_path, bank, command):
    path = write(tmp_path / "bomb.yaml", BOMB)
    args = [a.format(bank=bank) for a in command]
    result = run(args[0], path, *args[1:])
    assert result.exit_code == 2
    assert result.stderr == (
        f"error: {path}:2:50: too many nodes after expanding aliases (billion-laughs?) — at "
        "most 100,000 nodes (aliases of aliases multiply; write the values out, or use fewer "
        "levels)\n"
    )


def test_billion_laughs_stops_within_bounded_memory(tmp_path):
    path = write(tmp_path / "bomb.yaml", BOMB)
    assert peak_bytes(lambda: read_document(path)) < 64 * MiB


def test_an_alias_that_contains_itself_is_refused(tmp_path):
    path = write(tmp_path / "loop.yaml", "student: {id: s}\nanswers: &a {p: *a}\n")
    result = run("validate", path)
    assert result.exit_code == 2
    assert result.stderr == (
        f"error: {path}:2:10: recursive alias: the node anchored here contains itself — "
        "aliases to nodes outside the alias\n"
    )


def test_a_file_over_one_mebibyte_is_refused(tmp_path):
    path = tmp_path / "big.yaml"
    path.write_bytes(b"student: {id: s}\n" + b"#" * MiB)
    result = run("validate", path)
    assert result.exit_code == 2
    assert result.stderr == (
        f"error: {path}: file is too large (1,048,593 bytes) — at most 1 MiB (1,048,576 bytes) "
        "(problem files and answer sheets are small; is this the right file?)\n"
    )


def test_a_file_of_exactly_one_mebibyte_is_read(tmp_path):
    head = b"student: {id: s}\n"
    path = tmp_path / "full.yaml"
    path.write_bytes(head + b"#" * (MAX_FILE_BYTES - len(head) - 1) + b"\n")
    assert path.stat().st_size == MAX_FILE_BYTES
    result = run("validate", path)
    assert result.exit_code == 0, result.stderr


def test_nesting_deeper_than_the_limit_is_refused(tmp_path):
    depth = MAX_DEPTH  # `answers` and `p` are two levels; the list adds the rest
    ok = write(tmp_path / "ok.yaml", "student: {id: s}\nanswers:\n  p:\n    a: "
               + "[" * (depth - 3) + "1" + "]" * (depth - 3) + "\n")
    deep = write(tmp_path / "deep.yaml", "student: {id: s}\nanswers:\n  p:\n    a: "
                 + "[" * (depth - 2) + "1" + "]" * (depth - 2) + "\n")
    assert run("validate", ok).exit_code == 0
    result = run("validate", deep)
    assert result.exit_code == 2
    assert result.stderr == (
        f"error: {deep}:4:{8 + depth - 2}: nested too deeply: more than 64 levels of lists "
        "and mappings — at most 64 levels\n"
    )


def test_ten_thousand_levels_of_yaml_are_refused_at_their_place(tmp_path, bank):
    path = write(tmp_path / "deep.yaml", "student: {id: s}\nanswers:\n  p:\n    a: "
                 + "[" * 10_000 + "1" + "]" * 10_000 + "\n")
    result = run("check", path, "--problems", bank)
    assert result.exit_code == 2
    # The YAML parser stops at its own limit, 1,000 levels (docs/limits.md shows this line).
    assert result.stderr == f"error: {path}:4:1005: exceeded maximum nesting depth — valid YAML\n"


def test_a_nested_answer_within_the_limit_is_graded_and_reported(tmp_path, bank):
    path = sheet(tmp_path, {"a": "[" * 60 + "1" + "]" * 60, "net": {"o": {"w": [[[[[1]]]]]}}})
    for fmt in ("json", "text", "rich"):
        result = run("check", path, "--problems", bank, "--format", fmt)
        assert result.exit_code == 1, result.output


def test_an_integer_of_five_thousand_digits_is_refused_at_its_place(tmp_path):
    path = write(tmp_path / "s.yaml", "student: {id: s}\nanswers:\n  p:\n    a: "
                 + "9" * 5000 + "\n")
    result = run("validate", path)
    assert result.exit_code == 2
    assert result.stderr == (
        f"error: {path}:4:8: number `99999999999999999999...` has 5,000 characters, too long — "
        "at most 4,300 digits\n"
    )


def test_a_float_tag_on_a_number_beyond_float64_is_refused(tmp_path):
    path = write(tmp_path / "s.yaml", "student: {id: s}\nanswers:\n  p:\n    a: !!float "
                 + "9" * 400 + "\n")
    result = run("validate", path)
    assert result.exit_code == 2
    assert result.stderr == (
        f"error: {path}:4:8: number `9999999999999999999999999999999999999...` is too large "
        "for a float — at most about 1.8e308\n"
    )


@pytest.mark.parametrize("fmt", ["json", "text", "rich"])
def test_an_answer_of_four_hundred_digits_is_invalid_and_reported(tmp_path, bank, fmt):
    path = write(tmp_path / "s.yaml", "student: {id: s}\nanswers:\n  p:\n    a: "
                 + "9" * 400 + "\n")
    result = run("check", path, "--problems", bank, "--format", fmt)
    assert result.exit_code == 1, result.output
    if fmt == "json":
        part = part_of(result)
        assert part["status"] == "invalid"
        assert part["claimed"] == 10**400 - 1  # as written, exactly
        assert part["message"] == "number too large: " + "9" * 57 + "..."
    else:
        assert "1e+400" in result.stdout  # 9.99...e+399, rounded to six figures


def test_a_yaml_number_beyond_float64_is_read_as_the_expression_language_reads_it(tmp_path, bank):
    path = write(tmp_path / "s.yaml", "student: {id: s}\nanswers:\n  p:\n    a: 1e999\n")
    result = run("check", path, "--problems", bank, "--format", "json")
    assert part_of(result)["message"] == \
        "number too large: `1e999` at column 1 — expected a number below 1.8e308"


# --- expressions: overflow, length, depth --------------------------------------------------------

OVERFLOW = "(a float64 holds at most about 1.8e308)"


@pytest.mark.parametrize("value, message", [
    pytest.param("9^9^9^9", f"number too large: `9^9^9` overflows {OVERFLOW}", id="tower"),
    pytest.param("10^10^10", f"number too large: `10^10^10` overflows {OVERFLOW}",
                 id="ten-tower"),
    pytest.param("exp(exp(exp(10)))", f"number too large: `exp(exp(10))` overflows {OVERFLOW}",
                 id="exp-exp-exp"),
    pytest.param("2^1024 - 2^1024", f"number too large: `2^1024` overflows {OVERFLOW}",
                 id="cancelling-overflow"),
    pytest.param("1" * 100_000, "expression too long: 100000 characters — expected at most 2000",
                 id="100k-characters"),
    pytest.param("(" * 10_000 + "1" + ")" * 10_000,
                 "expression too long: 20001 characters — expected at most 2000",
                 id="10k-parentheses"),
    pytest.param("-" * 10_000 + "1", "expression too long: 10001 characters — expected at most "
                 "2000", id="10k-minus-signs"),
    pytest.param("(" * 101 + "n" + ")" * 101,
                 "too deeply nested: more than 100 open parentheses at column 101",
                 id="101-parentheses"),
    pytest.param("-" * 150 + "n", "too deeply nested: more than 100 levels at column 102",
                 id="150-minus-signs"),
    pytest.param("2^" * 150 + "n", "too deeply nested: more than 100 levels at column 203",
                 id="150-powers"),
    pytest.param("n" * 1999, "unknown name `" + "n" * 57 + "...` (known names: `n`)",
                 id="1999-letter-name"),
])
def test_an_expression_that_explodes_is_an_invalid_part(tmp_path, bank, value, message):
    result = run("check", sheet(tmp_path, {"a": value}), "--problems", bank, "--format", "json")
    assert result.exit_code == 1
    part = part_of(result)
    assert (part["status"], part["message"]) == ("invalid", message)


def test_an_exploding_reference_is_an_error_in_the_problem_file(tmp_path):
    path = write(tmp_path / "bank" / "p.yaml", dump({
        "id": "p", "parts": [{"id": "a", "ask": "formula", "reference": "9^9^9^9"}]}))
    result = run("solve", path)
    assert result.exit_code == 2
    assert result.stderr == (
        f"error: {path}:3:3: part `a`: `reference` cannot be evaluated on the symbols' domains: "
        f"number too large: `9^9^9` overflows {OVERFLOW} (declare each symbol's range with "
        "`symbols:`)\n"
    )


# --- tables and models: counted or refused, never allocated --------------------------------------

def _wide_network(inputs: int) -> dict[str, Any]:
    return {"kind": "network", "inputs": [f"x{i}" for i in range(inputs)], "activation": "step",
            "layers": [{"y": {"w": 1, "b": -inputs / 2}}]}


@pytest.mark.parametrize("command", ["validate", "solve"])
def test_a_truth_table_of_forty_inputs_is_refused_naming_the_limit(tmp_path, command):
    path = write(tmp_path / "t.yaml", dump({
        "id": "t", "given": {"net": _wide_network(40)},
        "parts": [{"id": "f", "ask": "forward", "network": "net",
                   "input": {f"x{i}": 1 for i in range(40)}},
                  {"id": "t", "ask": "truth_table", "network": "net"}],
    }))
    result = run(command, path)
    assert result.exit_code == 2
    lines = path.read_text(encoding="utf-8").splitlines()
    line = len(lines) - lines[::-1].index("  network: net")  # the table part's, the last
    assert result.stderr == (
        f"error: {path}:{line}:12: part `t`: a truth table of 40 inputs has 2^40 rows — at most "
        "20 inputs\n"
    )


def test_a_design_of_forty_inputs_is_refused_naming_the_limit(tmp_path):
    path = write(tmp_path / "r.yaml", dump({
        "id": "r", "parts": [{"id": "d", "ask": "realize", "template": _wide_network(40),
                              "target": "x0"}],
    }))
    result = run("validate", path)
    assert result.exit_code == 2
    assert "part `d`: a truth table of 40 inputs has 2^40 rows — at most 20 inputs" in \
        result.stderr


def test_a_forty_input_table_is_never_allocated(tmp_path):
    path = write(tmp_path / "t.yaml", dump({
        "id": "t", "given": {"net": _wide_network(40)},
        "parts": [{"id": "t", "ask": "truth_table", "network": "net"}],
    }))
    assert peak_bytes(lambda: load_problem(path)) < 16 * MiB
    assert peak_bytes(lambda: input_rows(40)) < MiB
    with pytest.raises(ProblemError, match=r"2\^40 rows"):
        input_rows(40)
    with pytest.raises(InputError, match="at most 20 inputs"):
        load_problem(path)


def test_a_model_of_a_trillion_parameters_is_counted_exactly(tmp_path):
    path = write(tmp_path / "m.yaml", dump({
        "id": "m",
        "given": {"huge": {"kind": "model", "input": [10**6], "layers": [{"dense": 10**6}]},
                  "rnn": {"kind": "model", "input": [10, 8], "layers": [{"lstm": "10^9"}]}},
        "parts": [{"id": "dense", "ask": "param_count", "model": "huge"},
                  {"id": "lstm", "ask": "param_count", "model": "rnn"}],
    }))
    memory = peak_bytes(lambda: run("solve", path, "--format", "json"))
    result = run("solve", path, "--format", "json")
    assert result.exit_code == 0, result.output
    parts = json.loads(result.stdout)["problems"][0]["parts"]
    assert parts[0]["expected"] == 10**12 + 10**6  # 10^6 x 10^6 weights, 10^6 biases
    # Keras' LSTM: four gates, each (units x (features + units)) weights and units biases.
    assert parts[1]["expected"] == 4 * (10**9 * (8 + 10**9) + 10**9)
    assert memory < 64 * MiB


def test_a_student_can_answer_a_trillion(tmp_path):
    path = write(tmp_path / "m.yaml", dump({
        "id": "m",
        "given": {"huge": {"kind": "model", "input": [10**6], "layers": [{"dense": 10**6}]}},
        "parts": [{"id": "dense", "ask": "param_count", "model": "huge"}],
        "answers": {"dense": "10^12 + 10^6"},
    }))
    result = run("check", path, "--format", "json")
    assert result.exit_code == 0, result.output


def test_repeat_a_billion_times_is_refused_with_the_limit(tmp_path):
    path = write(tmp_path / "m.yaml", dump({
        "id": "m",
        "given": {"long": {"kind": "model", "input": [4],
                           "layers": [{"repeat": "10^9", "layers": [{"dense": 4}]}]}},
        "parts": [{"id": "n", "ask": "param_count", "model": "long"}],
    }))
    result = run("validate", path)
    assert result.exit_code == 2
    assert result.stderr == (
        f"error: {path}:8:5: layer 0 (repeat): `repeat: 1,000,000,000` of 1 layer expands to "
        "1,000,000,000 layers, more than the 10,000 a model may have (ask about a long model "
        "as a formula instead)\n"
    )


@pytest.mark.parametrize("field, value, message", [
    pytest.param("points", float("inf"), "expected a finite number, found inf", id="points-inf"),
    pytest.param("points", 2e6, "expected a number, at most 1000000, found "
                 "2000000.0", id="points-huge"),
    pytest.param("symbols", {"n": {"real": [-1e308, 1e308]}},
                 "a symbol's bound must lie within ±1e300, found -1e+308", id="real-range"),
    pytest.param("symbols", {"n": {"integer": [1, 10**30]}},
                 "a symbol's bound must lie within ±2^53, found 1e+30", id="integer-range"),
])
def test_numbers_that_would_overflow_the_grading_are_refused(tmp_path, field, value, message):
    path = write(tmp_path / "p.yaml", dump({
        "id": "p", "parts": [{"id": "a", "ask": "formula", "reference": "n", field: value}]}))
    result = run("validate", path)
    assert result.exit_code == 2
    assert result.stderr.startswith(f"error: {path}:")
    assert result.stderr.splitlines()[0].endswith(message)


# --- nothing executes ----------------------------------------------------------------------------

TAGS = [
    pytest.param("!!python/object/apply:os.system ['touch {sentinel}']",
                 "!!python/object/apply:os.system", id="apply-os-system"),
    pytest.param("!!python/object/new:subprocess.Popen [['touch', '{sentinel}']]",
                 "!!python/object/new:subprocess.Popen", id="new-popen"),
    pytest.param("!!python/name:os.system", "!!python/name:os.system", id="name"),
    pytest.param("!!python/module:os", "!!python/module:os", id="module"),
    pytest.param("!!python/object:builtins.open {{}}", "!!python/object:builtins.open",
                 id="object"),
    pytest.param("!!binary aGVsbG8=", "!!binary", id="binary"),
    pytest.param("!!timestamp 2001-12-14", "!!timestamp", id="timestamp"),
    pytest.param("!!set {{a: null}}", "!!set", id="set"),
    pytest.param("!custom thing", "!custom", id="local-tag"),
]


@pytest.mark.parametrize("command", ["validate", "check"])
@pytest.mark.parametrize("payload, tag", TAGS)
def test_no_yaml_tag_constructs_an_object(tmp_path, bank, payload, tag, command):
    sentinel = tmp_path / "PWNED"
    path = write(tmp_path / "s.yaml", "student: {id: s}\nanswers:\n  p:\n    a: "
                 + payload.format(sentinel=sentinel) + "\n")
    extra = ["--problems", bank] if command == "check" else []
    result = run(command, path, *extra)
    assert result.exit_code == 2
    assert result.stderr == (
        f"error: {path}:4:8: tag `{tag}` is not allowed — only the tags !!str, !!int, !!float, "
        "!!bool, !!null, !!seq and !!map (remove the tag; nncheck never constructs objects from "
        "a file)\n"
    )
    assert not sentinel.exists()


def test_a_tag_in_a_problem_file_is_refused_too(tmp_path):
    sentinel = tmp_path / "PWNED"
    path = write(tmp_path / "p.yaml", "id: p\nparts:\n  - id: a\n    ask: formula\n"
                 f"    reference: !!python/object/apply:os.system ['touch {sentinel}']\n")
    result = run("solve", path)
    assert result.exit_code == 2
    assert result.stderr == (  # the tag starts at line 5, column 16
        f"error: {path}:5:16: tag `!!python/object/apply:os.system` is not allowed — only the tags "
        "!!str, !!int, !!float, !!bool, !!null, !!seq and !!map (remove the tag; nncheck never "
        "constructs objects from a file)\n")
    assert not sentinel.exists()


def _f_string_read(sentinel: Path) -> str:
    return "f'(open(\"" + str(sentinel) + "\", \"w\"))'"


INJECTIONS = [
    pytest.param("__import__('os').system('touch {sentinel}')",
                 "unexpected character `_` at column 1 — expected a number, a name, an operator "
                 "or a parenthesis (a name starts with a letter)", id="import"),
    pytest.param("().__class__.__bases__",
                 "unexpected character `.` at column 3 — expected a number, a name, an operator "
                 "or a parenthesis (attribute access is not part of the expression language)",
                 id="class"),
    pytest.param("n.__dict__",
                 "unexpected character `.` at column 2 — expected a number, a name, an operator "
                 "or a parenthesis (attribute access is not part of the expression language)",
                 id="attribute"),
    pytest.param("exec(\"open('{sentinel}', 'w')\")",
                 "unexpected character `\"` at column 6 — expected a number, a name, an operator "
                 "or a parenthesis (strings are not part of the expression language)",
                 id="exec"),
    pytest.param("eval(n)", "unknown name `eval` (known names: `n`)", id="eval"),
    pytest.param("open(n)", "unknown name `open` (known names: `n`)", id="open"),
    pytest.param("getattr(n, n)", "unexpected `,` at column 10 — expected `)`", id="getattr"),
    pytest.param("lambda: open('{sentinel}', 'w')",
                 "unexpected character `:` at column 7 — expected a number, a name, an operator "
                 "or a parenthesis", id="lambda"),
    # Braces make it LaTeX, where `{...}` groups: the quote is refused in the text it is read
    # as, f'(open("<sentinel>", "w"))', which the message shows (clipped, as messages are).
    pytest.param("f'{{open(\"{sentinel}\", \"w\")}}'",
                 lambda sentinel: "unexpected character `'` at column 2 — expected a number, a "
                 "name, an operator or a parenthesis (strings are not part of the expression "
                 f"language; read from LaTeX as `{clip(_f_string_read(sentinel), 60)}`)",
                 id="f-string"),
    pytest.param("\\x6f\\x73", "unknown LaTeX command `\\x` at column 1 (did you mean "
                 "`\\xi`?)", id="backslash"),
    pytest.param("[n for n in ().__class__.__mro__]",
                 "unexpected character `[` at column 1 — expected a number, a name, an operator "
                 "or a parenthesis (write a list as a YAML list, not inside an expression)",
                 id="comprehension"),
    pytest.param("import os", "unknown name `import` (known names: `n`)", id="import-statement"),
]


@pytest.mark.parametrize("payload, message", INJECTIONS)
def test_no_expression_reaches_python(tmp_path, bank, payload, message):
    sentinel = tmp_path / "PWNED"
    result = run("check", sheet(tmp_path, {"a": payload.format(sentinel=sentinel)}),
                 "--problems", bank, "--format", "json")
    assert result.exit_code == 1, result.output
    part = part_of(result)
    expected = message(sentinel) if callable(message) else message
    assert (part["status"], part["message"]) == ("invalid", expected)
    assert not sentinel.exists()


@pytest.mark.parametrize("payload", [p.values[0] for p in INJECTIONS])
def test_no_expression_in_a_network_answer_reaches_python(tmp_path, bank, payload):
    sentinel = tmp_path / "PWNED"
    answer = {"o": {"w": [payload.format(sentinel=sentinel)], "b": -0.5}}
    result = run("check", sheet(tmp_path, {"net": answer}), "--problems", bank, "--format", "json")
    assert result.exit_code == 1, result.output
    assert part_of(result, "net")["status"] == "invalid"
    assert not sentinel.exists()


def test_the_expression_language_has_no_door_to_python():
    # The parser's whole vocabulary: a name is a symbol, a function of this list, or a constant.
    assert {"log", "ln", "log2", "log10", "exp", "sqrt", "cbrt", "abs", "sigmoid", "σ", "tanh",
            "relu", "min", "max"} == expr.FUNCTIONS
    with pytest.raises(expr.ExprError, match="unknown name `__builtins__`"):
        expr.evaluate("x", {"y": 1.0}, aliases={"x": "__builtins__"})


# --- messages keep their place -------------------------------------------------------------------

def test_an_error_on_line_100_keeps_its_line_number(tmp_path):
    # Line 99 and line 100 both say `answers:`: the duplicate is at line 100, column 1.
    path = write(tmp_path / "s.yaml",
                 "student: {id: s}\n" + "#\n" * 97 + "answers: {}\nanswers: {}\n")
    result = run("validate", path)
    assert result.exit_code == 2
    assert result.stderr == (f"error: {path}:100:1: duplicate key `answers` — each key once in "
                             "a mapping (first at line 99)\n")


# --- regressions found by the fuzzing suite ------------------------------------------------------

@pytest.mark.parametrize("unit", [{}, {"b": 1}], ids=["empty", "bias-only"])
def test_a_network_answer_without_weights_is_an_invalid_part(tmp_path, bank, unit):
    # Once an exit 2 with no file or line: the unit's weights stayed free parameters.
    result = run("check", sheet(tmp_path, {"net": {"o": unit}}), "--problems", bank,
                 "--format", "json")
    assert result.exit_code == 1, result.output
    part = part_of(result, "net")
    assert (part["status"], part["message"]) == \
        ("invalid", "unit `o` has no weights — `{w: [...], b: ...}`")


def test_an_equivalence_answer_without_weights_is_an_invalid_part(tmp_path, seed_dir):
    path = write(tmp_path / "s.yaml", dump({
        "student": {"id": "s"}, "answers": {"q2-logistic-softmax": {"relation": {"o": {}}}}}))
    result = run("check", path, "--problems", seed_dir, "--format", "json")
    assert result.exit_code == 1, result.output
    q2 = next(p for p in json.loads(result.stdout)["problems"] if p["id"] == "q2-logistic-softmax")
    part = next(p for p in q2["parts"] if p["id"] == "relation")
    assert (part["status"], part["message"]) == \
        ("invalid", "unit `o` has no weights — `{w: [...], b: ...}`")


def test_a_solution_that_does_not_fit_its_template_is_an_error_at_its_part(tmp_path):
    # Once an exit 2 with no file or line: the solution's error was taken for a student's.
    path = write(tmp_path / "p.yaml", dump({
        "id": "p",
        "given": {"template": {"kind": "network", "inputs": ["x"], "activation": "step",
                               "layers": [["o"]]}},
        "parts": [
            {"id": "design", "ask": "realize", "template": "template", "target": "x",
             "solution": {"n9": {"w": [1], "b": -0.5}}},
            {"id": "table", "ask": "truth_table", "network": "answer.design"},
        ],
    }))
    result = run("solve", path)
    assert result.exit_code == 2
    assert result.stderr == (
        f"error: {path}:11:3: part `design`: its `solution:` is invalid: unit `o` is missing "
        "from the answer — a model answer that earns full marks\n"
    )
