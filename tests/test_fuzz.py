"""Fuzzing: mutated problem files and sheets never crash `validate`, `check` or `grade`.

Every example starts from a real file of the seed exam, mutates its data (a key deleted, a
value swapped for one of another type, a huge number, NaN, deep nesting, unicode) or its text
(wrong indentation, truncation, a duplicated line), and runs the command in-process. The
property: exit code 0, 1 or 2 (3 is a bug in nncheck), never a traceback, and an error names
the file and the line. Examples are derandomized so that CI is reproducible; to hunt for bugs,
run with NNCHECK_FUZZ_EXAMPLES=2000 and NNCHECK_FUZZ_RANDOM=1 (a new sequence every run).
"""

from __future__ import annotations

import copy
import os
import re
import shutil
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from conftest import SEED
from nncheck.cli import app
from nncheck.errors import InputError
from nncheck.io.yaml import read_document

SCALE = float(os.environ.get("NNCHECK_FUZZ_EXAMPLES", "1"))
FUZZ = settings(
    max_examples=1,  # replaced per test by `examples`
    deadline=None,
    derandomize=not os.environ.get("NNCHECK_FUZZ_RANDOM"),
    database=None,  # tests write only under tmp_path
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow,
                           HealthCheck.data_too_large],
)


def examples(n: int) -> settings:
    """The fuzz settings with `n` examples (times NNCHECK_FUZZ_EXAMPLES when set)."""
    return settings(FUZZ, max_examples=max(1, int(n * SCALE)))


PROBLEM_FILES = sorted(SEED.glob("*.yaml"))
SHEET_FILES = sorted([*SEED.glob("sheets/*.yaml"), *SEED.glob("class/**/*.yaml")])
SEED_SHEET = SEED / "sheets" / "seed-student.yaml"


def _read(path: Path) -> Any:
    try:
        return read_document(path).data
    except InputError:  # the class holds broken sheets on purpose: text mutations only
        return None


DATA = {p: _read(p) for p in [*PROBLEM_FILES, *SHEET_FILES]}

# An error line on stderr: `error: <file>:<line>:` (a column may follow).
ERROR_LINE = re.compile(r"error: (?P<path>.+?\.yaml):(?P<line>\d+):(?:\d+:)? \S")


# --- values and mutations -----------------------------------------------------------------------

HOSTILE: list[Any] = [
    0, -1, 1, 2, 0.5, -0.0, 10**30, -(10**30), 10**400, 2**63, 2**64 + 1, 1e308, -1e308,
    5e-324, float("nan"), float("inf"), float("-inf"), True, False, None, "", " ", "~", "null",
    "x" * 3000, "9^9^9^9", "exp(exp(exp(10)))", "10^10^10", "((((1", "1)))", "(" * 150 + "1" +
    ")" * 150, "-" * 300 + "1", "1e999", "0/0", "log(0)", "-log(0)", "inf", "nan", "é", "\u202e",
    "😀", "٣٫٥", "۱۲", "2n", "w_F_g1", "answer.design", "answer.nope", "answer.",
    "__import__('os')", "().__class__", "open('x')", "on", "off", "yes", "011", "0x1F",
    "softmax", "step", "dense", "conv2d", [], {}, [[]], [[[[[[[[[[1]]]]]]]]]],
    {"a": {"b": {"c": None}}}, [1, 2, 3],
    [[1, 2], [3, 4]], [10**400], [float("nan")], {"w": [1, 1, 1], "b": -1.5}, {"repeat": 10**9},
    {"repeat": "10^9", "layers": [{"dense": 10}]}, {"dense": 10**12}, {"lstm": 10**9},
    {"kind": "network", "inputs": [f"x{i}" for i in range(40)], "layers": [["o"]]},
    {"kind": "model", "input": [10**6], "layers": [{"dense": 10**6}]},
    {"layers": 5}, {"layers": "x"}, {"columns": 1, "rows": 2}, {"columns": ["m1"], "rows": 5},
    "\x1b]52;c;aGk=\x07", "[/]", "a\nb", "\u202e1",
]
SCALARS = st.one_of(
    st.sampled_from(HOSTILE),
    st.integers(),
    st.floats(allow_nan=True, allow_infinity=True),
    st.text(max_size=12),
    st.booleans(),
    st.none(),
)
VALUES = st.recursive(
    SCALARS,
    lambda inner: st.one_of(
        st.lists(inner, max_size=4),
        st.dictionaries(st.text(min_size=1, max_size=8), inner, max_size=4),
    ),
    max_leaves=12,
).map(copy.deepcopy)  # HOSTILE's lists and dicts are mutated later: never share them


def _paths(data: Any, prefix: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    """Every path to a value inside `data` (the root is ())."""
    out = [prefix]
    if isinstance(data, dict):
        for key, value in data.items():
            out += _paths(value, (*prefix, key))
    elif isinstance(data, list):
        for index, value in enumerate(data):
            out += _paths(value, (*prefix, index))
    return out


def _get(data: Any, path: tuple[Any, ...]) -> Any:
    for item in path:
        data = data[item]
    return data


def _nest(value: Any, depth: int) -> Any:
    for _ in range(depth):
        value = [value]
    return value


@st.composite
def mutated_data(draw: st.DrawFn, data: Any) -> Any:
    """The data with one to three mutations at random places."""
    data = copy.deepcopy(data)
    for _ in range(draw(st.integers(1, 3))):
        paths = [p for p in _paths(data) if p]
        if not paths:
            return draw(VALUES)
        path = draw(st.sampled_from(paths))
        parent, key = _get(data, path[:-1]), path[-1]
        old = parent[key]
        action = draw(st.sampled_from(
            ["delete", "replace", "swap", "wrap", "nest", "rename", "copy"]))
        if action == "delete":
            del parent[key]
        elif action == "replace":
            parent[key] = draw(VALUES)
        elif action == "swap":  # the same content as another type
            parent[key] = draw(st.sampled_from([
                [old], {"x": old}, str(old), list(old) if isinstance(old, dict) else old,
                dict(enumerate(old)) if isinstance(old, list) else {old: old}
                if isinstance(old, (str, int, float)) else None,
            ]))
        elif action == "wrap":
            parent[key] = {draw(st.text(max_size=6)): old}
        elif action == "nest":
            parent[key] = _nest(old, draw(st.integers(1, 60)))
        elif action == "rename" and isinstance(parent, dict):
            new = draw(st.one_of(st.text(max_size=10), st.sampled_from(
                [str(key) + "x", str(key)[:-1], str(key).upper(), "ask", "id", "<<"])))
            parent[new] = parent.pop(key)
        elif action == "copy":  # a value from elsewhere in the same file
            parent[key] = copy.deepcopy(_get(data, draw(st.sampled_from(_paths(data)))))
    return data


def _dump(data: Any) -> str:
    return yaml.safe_dump(data, sort_keys=False, allow_unicode=True, width=100)


@st.composite
def mutated_text(draw: st.DrawFn, text: str) -> str:
    """The text with one to three line- or character-level mutations."""
    for _ in range(draw(st.integers(1, 3))):
        lines = text.split("\n")
        i = draw(st.integers(0, max(0, len(lines) - 1)))
        action = draw(st.sampled_from(
            ["indent", "dedent", "duplicate", "delete", "truncate", "insert", "tab"]))
        if action == "indent":
            lines[i] = " " * draw(st.integers(1, 5)) + lines[i]
        elif action == "dedent":
            lines[i] = lines[i][draw(st.integers(1, 4)):]
        elif action == "duplicate":  # a duplicated key, most of the time
            lines.insert(i, lines[i])
        elif action == "delete":
            del lines[i]
        elif action == "tab":
            lines[i] = "\t" + lines[i].lstrip(" ")
        text = "\n".join(lines)
        if action == "truncate":
            text = text[: draw(st.integers(0, len(text)))]
        elif action == "insert":
            at = draw(st.integers(0, len(text)))
            piece = draw(st.one_of(
                st.sampled_from([":", "- ", "{", "[", "&a ", "*a", "!!python/name:os.system ",
                                 "\u0000", "\ufeff", "#", "'", '"', "|", ">", "<<: ", "\r"]),
                st.text(max_size=4),
            ))
            text = text[:at] + piece + text[at:]
    return text


def mutated_file(source: Path) -> st.SearchStrategy[str]:
    """The text of `source` mutated as data, as text, or both."""
    data = DATA[source]
    raw = source.read_text(encoding="utf-8")
    if data is None:
        return mutated_text(raw)
    as_data = mutated_data(data).map(_dump)
    return st.one_of(
        as_data,
        mutated_text(raw),
        as_data.flatmap(mutated_text),
    )


# --- running and the property -------------------------------------------------------------------


def run(*args: Any) -> Any:
    """Invoke the CLI in-process."""
    return CliRunner().invoke(app, [str(a) for a in args])


def assert_clean(result: Any, files: list[Path]) -> None:
    """Exit 0, 1 or 2, no traceback, and every error names one of `files` and a line."""
    shown = f"exit {result.exit_code}\nstdout:\n{result.stdout[-2000:]}\nstderr:\n{result.stderr}"
    assert result.exception is None or isinstance(result.exception, SystemExit), shown
    assert result.exit_code in (0, 1, 2), shown
    assert "Traceback" not in result.output, shown
    assert "internal error" not in result.output, shown
    names = {str(f) for f in files}
    errors = [line for line in result.stderr.splitlines() if line.startswith("error:")]
    if result.exit_code == 2:
        assert errors, shown
    for line in errors:
        match = ERROR_LINE.match(line)
        assert match, f"error without file and line: {line}\n{shown}"
        assert match["path"] in names, f"error names another file: {line}\n{shown}"


def write(path: Path, text: str) -> Path:
    """Write a test file (always UTF-8, as students' editors mostly do)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def bank_with(tmp_path: Path, source: Path, text: str) -> tuple[Path, Path]:
    """A copy of the seed bank in which `source` is replaced by `text`."""
    bank = tmp_path / "bank"
    if bank.exists():
        shutil.rmtree(bank)
    bank.mkdir()
    for p in PROBLEM_FILES:
        if p != source:
            shutil.copy(p, bank / p.name)
    return bank, write(bank / source.name, text)


# --- the tests ----------------------------------------------------------------------------------


@examples(100)
@given(st.data())
def test_validate_never_crashes_on_mutated_files(tmp_path, data):
    source = data.draw(st.sampled_from([*PROBLEM_FILES, *SHEET_FILES]))
    path = write(tmp_path / source.name, data.draw(mutated_file(source)))
    assert_clean(run("validate", path, "--format", "text"), [path])


@examples(80)
@given(st.data())
def test_check_never_crashes_on_mutated_sheets(tmp_path, data):
    source = data.draw(st.sampled_from(SHEET_FILES))
    path = write(tmp_path / "sheet.yaml", data.draw(mutated_file(source)))
    fmt = data.draw(st.sampled_from(["text", "json"]))
    assert_clean(run("check", path, "--problems", SEED, "--format", fmt), [path])


@examples(80)
@given(st.data())
def test_check_never_crashes_on_mutated_problem_files(tmp_path, data):
    source = data.draw(st.sampled_from(PROBLEM_FILES))
    bank, path = bank_with(tmp_path, source, data.draw(mutated_file(source)))
    sheet = data.draw(st.sampled_from([s for s in SHEET_FILES if DATA[s] is not None]))
    fmt = data.draw(st.sampled_from(["text", "json"]))
    result = run("check", sheet, "--problems", bank, "--format", fmt)
    assert_clean(result, [path, *(bank / p.name for p in PROBLEM_FILES)])


@examples(60)
@given(st.data())
def test_solve_and_validate_a_mutated_problem_alone(tmp_path, data):
    source = data.draw(st.sampled_from(PROBLEM_FILES))
    path = write(tmp_path / source.name, data.draw(mutated_file(source)))
    assert_clean(run("solve", path, "--format", "json"), [path])


@examples(60)
@given(text=st.text(max_size=300))
def test_arbitrary_text_is_refused_cleanly(tmp_path, text):
    path = write(tmp_path / "any.yaml", text)
    assert_clean(run("validate", path), [path])
    assert_clean(run("check", path, "--problems", SEED, "--format", "json"), [path])


@examples(16)
@given(st.data())
def test_grade_never_crashes_on_a_class_with_a_mutated_sheet(tmp_path, data):
    commands = {c.name or c.callback.__name__ for c in app.registered_commands}
    if "grade" not in commands:
        pytest.skip("`nncheck grade` does not exist yet")
    source = data.draw(st.sampled_from(SHEET_FILES))
    klass = tmp_path / "class"
    if klass.exists():
        shutil.rmtree(klass)
    # The good sheet has its own student id: two sheets of one student are an error row.
    good = SEED_SHEET.read_text(encoding="utf-8").replace("id: seed-student", "id: fuzz-good")
    write(klass / "good.yaml", good)
    bad = write(klass / "bad.yaml", data.draw(mutated_file(source)))
    out = tmp_path / "out"
    result = run("grade", klass, "--problems", SEED, "--out", out, "--jobs", "1",
                 "--format", "json")
    assert_clean(result, [bad])
    assert result.exit_code in (0, 1), result.output  # a bad sheet is a row, not a stop
    summary = (out / "summary.json").read_text(encoding="utf-8")
    assert "internal error" not in summary
    import json

    for error in json.loads(summary)["errors"]:
        assert re.match(rf"{re.escape(str(bad))}:\d+:", error["error"]), error
