"""What reaches a terminal: every string from a file is inert, and every answer shape renders.

A sheet is written by a student. Its ids, names, keys and answers may hold control characters
(YAML escapes such as `"\\e"`, `"\\a"`, `"\\r"`), bidirectional overrides, or text that rich would
read as markup. Each test feeds one such sheet (or problem file) through the command line,
in-process, in every output format, and states what a user sees: the character written as a
visible escape (`\\x1b`), the JSON value decoded unchanged, no line forged by a newline.
"""

from __future__ import annotations

import io
import json
import re
from pathlib import Path
from typing import Any

import pytest
import yaml
from rich.console import Console
from rich.text import Text
from typer.testing import CliRunner

from conftest import SEED
from nncheck import grading
from nncheck.cli import app
from nncheck.errors import InputError
from nncheck.io.yaml import read_document
from nncheck.render import json as render_json
from nncheck.render import rich as render_rich
from nncheck.render import text as render_text
from nncheck.spec.problem import Student

# What may never reach a stream raw, written out from the Unicode tables: C0 controls but the
# newline, DEL and the C1 controls (U+009B is CSI, an escape sequence of one character), the
# line and paragraph separators U+2028/U+2029, the bidirectional embeddings and overrides
# U+202A..U+202E and the isolates U+2066..U+2069.
RAW_CONTROL = re.compile("[\x00-\x09\x0b-\x1f\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069]")

ESC = "\x1b"
OSC52 = ESC + "]52;c;ZWNobyBoaQ==\x07"  # writes `echo hi` to the clipboard of the terminal
TITLE = ESC + "]0;pwned\x07"  # sets the window title
CLEAR = ESC + "[2J"  # clears the screen
LINK = ESC + "]8;;http://evil.example\x07click" + ESC + "]8;;\x07"  # an OSC 8 hyperlink
RLO = "\u202e"  # right-to-left override: `1.0` would be shown reversed


def run(*args: Any) -> Any:
    """Invoke the CLI in-process."""
    return CliRunner().invoke(app, [str(a) for a in args])


def write(path: Path, data: Any) -> Path:
    """A YAML file under tmp_path (PyYAML writes control characters as `"\\e"`-style escapes)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    text = data if isinstance(data, str) else yaml.safe_dump(
        data, sort_keys=False, allow_unicode=True, width=1 << 30)
    path.write_text(text, encoding="utf-8")
    return path


@pytest.fixture
def bank(tmp_path: Path) -> Path:
    """One problem `p`: `a` a choice (key A), `b` a formula `n + 1`."""
    write(tmp_path / "bank" / "p.yaml", {
        "id": "p",
        "title": "Two parts",
        "parts": [
            {"id": "a", "ask": "choice", "options": ["A", "B"], "key": "A"},
            {"id": "b", "ask": "formula", "reference": "n + 1",
             "symbols": {"n": {"integer": [1, 10]}}},
        ],
    })
    return tmp_path / "bank"


HOSTILE_SHEET = {
    "student": {"id": "s" + TITLE + "1", "name": "Eve" + CLEAR + RLO + "\x9b31m"},
    "answers": {"p": {"a": OSC52 + "B", "b": LINK + "\r\b\x00n"}},
}


# --- item: terminal escapes ---------------------------------------------------------------------


@pytest.mark.parametrize("fmt", ["text", "rich"])
def test_control_characters_in_a_sheet_are_shown_as_visible_escapes(tmp_path, bank, fmt):
    path = write(tmp_path / "s.yaml", HOSTILE_SHEET)
    result = run("check", path, "--problems", bank, "--format", fmt)
    assert result.exit_code == 1, result.output
    assert RAW_CONTROL.search(result.stdout) is None
    # The heading names the student as written, each control character as its escape.
    assert result.stdout.startswith(r"s\x1b]0;pwned\x071 (Eve\x1b[2J\u202e\x9b31m) — ")
    # The choice's message quotes the answer in full: `\x1b]52;c;...` is text, not a command.
    assert r"`\x1b]52;c;ZWNobyBoaQ==\x07B` is not an option" in result.stdout


def test_control_characters_are_escaped_in_json_and_decode_unchanged(tmp_path, bank):
    path = write(tmp_path / "s.yaml", HOSTILE_SHEET)
    result = run("check", path, "--problems", bank, "--format", "json")
    assert result.exit_code == 1, result.output
    assert RAW_CONTROL.search(result.stdout) is None
    assert r'"name": "Eve\u001b[2J\u202e\u009b31m"' in result.stdout  # JSON's own escapes
    data = json.loads(result.stdout)
    assert data["student"] == HOSTILE_SHEET["student"]
    claimed = [part["claimed"] for part in data["problems"][0]["parts"]]
    assert claimed == [OSC52 + "B", LINK + "\r\b\x00n"]


def test_a_newline_in_an_answer_cannot_forge_a_report_line(tmp_path, bank):
    # The choice's message quotes the answer; a raw newline there would start a line of its own.
    forged = "B\nTotal 2/2 — 2 correct"
    path = write(tmp_path / "s.yaml", {"student": {"id": "s"}, "answers": {"p": {"a": forged}}})
    result = run("check", path, "--problems", bank, "--format", "text")
    assert result.exit_code == 1, result.output
    totals = [line for line in result.stdout.splitlines() if line.startswith("Total")]
    assert totals == ["Total 0/2 — 1 missing, 1 invalid"]
    assert r"    `B\nTotal 2/2 — 2 correct` is not an option — expected one of A, B" \
        in result.stdout.splitlines()


@pytest.mark.parametrize("title", ["Markup [/] closes nothing", "[i]hidden[/i] and [bold]x"])
def test_a_problem_title_is_never_read_as_rich_markup(tmp_path, title):
    path = write(tmp_path / "p.yaml", {
        "id": "p", "title": title,
        "parts": [{"id": "a", "ask": "choice", "options": ["A", "B"], "key": "A"}],
        "answers": {"a": "A"},
    })
    result = run("check", path, "--format", "rich")
    assert result.exit_code == 0, result.output
    assert f"p — {title}  [1/1]" in [line.rstrip() for line in result.stdout.splitlines()]


def test_a_problem_title_with_control_characters_is_inert(tmp_path):
    path = write(tmp_path / "p.yaml", {
        "id": "p", "title": "Q" + TITLE,
        "parts": [{"id": "a", "ask": "choice", "options": ["A", "B"], "key": "A"}],
        "answers": {"a": "A"},
    })
    for fmt in ("text", "rich"):
        result = run("check", path, "--format", fmt)
        assert result.exit_code == 0, result.output
        assert r"p — Q\x1b]0;pwned\x07  [1/1]" in \
            [line.rstrip() for line in result.stdout.splitlines()]


def test_the_rich_boundary_escapes_what_a_renderable_draws_and_keeps_the_colours():
    # Whatever reaches the console through `Inert` is escaped, even text no cell escaped first;
    # rich's own colour codes are styles, not text, and still reach a colour terminal.
    out = io.StringIO()
    console = Console(file=out, width=80, force_terminal=True, color_system="standard")
    console.print(render_rich.Inert(Text("a" + CLEAR + RLO + "b", style="red")))
    assert out.getvalue() == "\x1b[31ma\\x1b[2J\\u202eb\x1b[0m\n"


def test_an_error_that_quotes_a_students_key_is_one_inert_line(tmp_path, bank):
    path = write(tmp_path / "s.yaml", 'student: {id: s, "nam\\e]0;x\\a\\ne": 1}\nanswers: {}\n')
    result = run("check", path, "--problems", bank)
    assert result.exit_code == 2
    assert result.stderr == (
        f"error: {path}:1:18: unknown key `nam\\x1b]0;x\\x07\\ne` — one of `id`, `name`, "
        "`email`\n")


def test_a_warning_that_quotes_an_unknown_key_is_inert(tmp_path, bank):
    path = write(tmp_path / "s.yaml", {"student": {"id": "s"},
                                       "answers": {"p": {"a": "A", "z" + CLEAR: 1}}})
    for fmt in ("text", "rich"):
        result = run("check", path, "--problems", bank, "--format", fmt)
        assert result.exit_code == 1, result.output
        assert r"warning: `p`: answer to unknown part `z\x1b[2J`" in \
            [line.rstrip() for line in result.stdout.splitlines()]
        assert RAW_CONTROL.search(result.stdout) is None


def test_validate_names_a_sheet_of_a_hostile_id_inertly(tmp_path):
    path = write(tmp_path / "s.yaml", {"student": {"id": "s" + CLEAR}, "answers": {}})
    result = run("validate", path)
    assert result.exit_code == 0
    assert result.stdout == f"ok: {path}: sheet of `s\\x1b[2J`, 0 answers\n"


@pytest.mark.parametrize("fmt", ["text", "rich", "json"])
def test_the_class_summary_of_grade_is_inert(tmp_path, bank, fmt):
    # An unreadable sheet's error quotes its key; the summary lists it under "Sheets not graded".
    bad = write(tmp_path / "class" / "bad.yaml",
                'student: {id: b, "x\\u202e\\e[2J": 1}\nanswers: {}\n')
    write(tmp_path / "class" / "good.yaml", {"student": {"id": "g"}, "answers": {"p": {"a": "A"}}})
    result = run("grade", tmp_path / "class", "--problems", bank, "--out", tmp_path / "out",
                 "--format", fmt)
    assert result.exit_code == 1, result.output
    assert RAW_CONTROL.search(result.stdout) is None
    if fmt == "json":
        assert "x\\u202e\\u001b[2J" in result.stdout
        errors = json.loads(result.stdout)["errors"]
        assert [e["error"] for e in errors] == [
            f"{bad}:1:18: unknown key `x{RLO}{CLEAR}` — one of "
            "`id`, `name`, `email`"]
    else:
        assert "unknown key `x\\u202e\\x1b[2J`" in result.stdout


# --- item: every answer shape renders -------------------------------------------------------------

SHAPES: dict[str, Any] = {
    "int": 7,
    "negative float": -0.5,
    "huge int": 10**400,
    "string with controls": "x" + OSC52 + "\n" + RLO + "\x9b",
    "markup string": "[/][bold]x[/bold] :smile:",
    "true": True,
    "false": False,
    "null": None,
    "empty list": [],
    "list": [1, 2, 3],
    "nested list": [[1, [2]], [], ["a", None]],
    "empty dict": {},
    "dict": {"a": 1, "b": "two"},
    "dict of dicts": {"a": {"b": {"c": 1}}, "d": {"e": [1]}},
    "layers five": {"layers": 5},
    "layers string": {"layers": "many"},
    "layers dict": {"layers": {"a": 1}},
    "columns and rows numbers": {"columns": 1, "rows": 2},
    "columns and rows lists": {"columns": ["m1"], "rows": [[0], [1, 2], "x"]},
    "table-like": {"Y": "0101", "n1": [0, 1]},
    "network-like": {"n1": {"w": "x", "b": [1]}, "Y": {"w": None}},
    "odd keys": {2: 2, None: 3, True: [1], 0.5: {"w": 1}, "k" + ESC: "v"},
}
SEED_BANK = grading.load_bank(SEED)


def _answers(value: Any) -> dict[str, dict[str, Any]]:
    return {pid: {part.id: value for part in lp.problem.parts}
            for pid, lp in SEED_BANK.problems.items()}


def _render(result: grading.SheetResult, fmt: str) -> str:
    if fmt == "text":
        return render_text.render_sheet(result)
    if fmt == "json":
        return render_json.dumps(render_json.sheet_json(result))
    out = io.StringIO()
    Console(file=out, width=80, color_system=None).print(render_rich.render_sheet(result))
    return out.getvalue()


@pytest.mark.parametrize("fmt", ["text", "rich", "json"])
@pytest.mark.parametrize("shape", list(SHAPES), ids=list(SHAPES))
def test_every_answer_shape_to_every_seed_part_renders(shape, fmt):
    """Exhaustive: each shape answers every part of the seed exam, in every format."""
    value = SHAPES[shape]
    result = grading.grade_sheet(SEED_BANK, _answers(value), sheet="s.yaml",
                                 student=Student(id="s" + ESC, name=RLO))
    rendered = _render(result, fmt)
    assert RAW_CONTROL.search(rendered) is None
    if fmt == "json":
        data = json.loads(rendered)
        assert data["student"] == {"id": "s" + ESC, "name": RLO}
        n_parts = sum(len(lp.problem.parts) for lp in SEED_BANK.problems.values())
        assert len([p for prob in data["problems"] for p in prob["parts"]]) == n_parts


@pytest.mark.parametrize("fmt", ["text", "rich"])
def test_an_answer_of_layers_five_is_shown_as_written(tmp_path, fmt):
    # `{layers: 5}` is not a network (no list of layers): shown as the mapping it is.
    path = write(tmp_path / "p.yaml", {
        "id": "p",
        "parts": [{"id": "a", "ask": "choice", "options": ["A", "B"], "key": "A"}],
        "answers": {"a": {"layers": 5}},
    })
    result = run("check", path, "--format", fmt)
    assert result.exit_code == 1, result.output
    assert "{layers: 5}" in result.stdout


# --- item: integer literals are bounded ---------------------------------------------------------

HEX_4000 = "0x" + "f" * 4000  # 16^4000 - 1: about 10^4816, over 4,300 decimal digits


def _hex_error(path: Path, line: int, col: int) -> str:
    return (f"error: {path}:{line}:{col}: number `0xffffffffffffffffff...` (4,002 characters) is "
            "too large — an integer of at most 4,300 digits, below 10^4300\n")


@pytest.mark.parametrize(("where", "text", "line", "col"), [
    ("student id", f"student: {{id: {HEX_4000}}}\nanswers: {{}}\n", 1, 15),
    ("answer", f"student: {{id: s}}\nanswers:\n  p: {{a: {HEX_4000}}}\n", 3, 10),
    ("key", f"student: {{id: s}}\nanswers:\n  p:\n    ? {HEX_4000}\n    : 1\n", 4, 7),
])
def test_a_hex_integer_of_thousands_of_digits_is_refused_at_its_place(
        tmp_path, bank, where, text, line, col):
    path = write(tmp_path / "s.yaml", text)
    for fmt in ("text", "json"):
        result = run("check", path, "--problems", bank, "--format", fmt)
        assert result.exit_code == 2, (where, result.output)
        assert result.stderr == _hex_error(path, line, col)


def test_a_hex_integer_in_an_override_is_refused_at_its_place(tmp_path, bank):
    sheet = write(tmp_path / "s.yaml", {"student": {"id": "s"}, "answers": {"p": {"a": "A"}}})
    overrides = write(tmp_path / "o.yaml", f"s:\n  p:\n    a: {{points: {HEX_4000}}}\n")
    result = run("check", sheet, "--problems", bank, "--overrides", overrides)
    assert result.exit_code == 2, result.output
    assert result.stderr == _hex_error(overrides, 3, 17)


def test_grade_reports_a_sheet_with_a_huge_hex_integer_and_grades_the_others(tmp_path, bank):
    bad = write(tmp_path / "class" / "bad.yaml", f"student: {{id: {HEX_4000}}}\nanswers: {{}}\n")
    write(tmp_path / "class" / "good.yaml", {"student": {"id": "g"}, "answers": {"p": {"a": "A"}}})
    out = tmp_path / "out"
    result = run("grade", tmp_path / "class", "--problems", bank, "--out", out, "--format", "json")
    assert result.exit_code == 1, result.output  # `b` of `g` is missing; nothing crashed
    summary = json.loads(result.stdout)
    assert [e["error"] for e in summary["errors"]] == [_hex_error(bad, 1, 15)[len("error: "):-1]]
    rows = [json.loads(line) for line in (out / "results.jsonl").read_text().splitlines()]
    assert sorted(r["student"]["id"] for r in rows if r.get("student")) == ["g"]


# The rule: at most 4,300 digits (Python's limit for decimal ones) and a value below 10^4300, so
# that every integer read can be written back in decimal, whatever base it was written in.
@pytest.mark.parametrize(("literal", "ok"), [
    pytest.param(hex(10**4300 - 1), True, id="hex-just-below-the-value"),  # 3,572 digits
    pytest.param(hex(10**4300), False, id="hex-at-the-value"),
    pytest.param("0o" + "7" * 4300, True, id="octal-4300-digits"),  # 8^4300 - 1 < 10^3884
    pytest.param("0o" + "7" * 4301, False, id="octal-4301-digits"),
    pytest.param("0x" + "0" * 4299 + "1", True, id="hex-4300-digits-value-1"),
    pytest.param("0x" + "0" * 4300 + "1", False, id="hex-4301-digits-value-1"),
    pytest.param("9" * 4300, True, id="decimal-4300-digits"),
])
def test_the_integer_bound_is_ten_to_the_4300(tmp_path, literal, ok):
    path = write(tmp_path / "s.yaml", f"student: {{id: s}}\nanswers:\n  p: {{a: {literal}}}\n")
    if ok:
        doc = read_document(path)
        assert doc.data["answers"]["p"]["a"] == int(literal, 0)
    else:
        with pytest.raises(InputError, match=r"at most 4,300 digits"):
            read_document(path)


# --- item: with a bank, a problem file is a sheet -----------------------------------------------


def _own_problem(tmp_path: Path, pid: str) -> Path:
    """A problem file that answers its own one-point question, and nothing of the bank."""
    return write(tmp_path / "own.yaml", {
        "id": pid, "student": {"id": "s"},
        "parts": [{"id": "a", "ask": "choice", "options": ["yes", "no"], "key": "yes",
                   "points": 1000000}],
        "answers": {"a": "yes"},
    })


def test_check_with_a_bank_never_grades_a_problem_file_against_itself(tmp_path, bank):
    path = _own_problem(tmp_path, "own")
    result = run("check", path, "--problems", bank, "--format", "json")
    assert result.exit_code == 1, result.output
    data = json.loads(result.stdout)
    # The bank's `p` (two parts, 1 point each) is unanswered: 0 of 2.
    assert (data["score"], data["max_score"]) == (0.0, 2.0)
    assert [p["id"] for p in data["problems"]] == ["p"]
    assert data["warnings"] == ["answers to unknown problem `own`"]


def test_check_and_grade_agree_on_a_problem_file_in_place_of_a_sheet(tmp_path, bank):
    path = _own_problem(tmp_path, "own")
    checked = json.loads(run("check", path, "--problems", bank, "--format", "json").stdout)
    (tmp_path / "class").mkdir()
    path.rename(tmp_path / "class" / "own.yaml")
    graded = run("grade", tmp_path / "class", "--problems", bank, "--out", tmp_path / "out",
                 "--format", "json")
    assert graded.exit_code == 1, graded.output
    row = json.loads((tmp_path / "out" / "results.jsonl").read_text().splitlines()[0])
    assert (checked["score"], checked["max_score"]) == (row["score"], row["max_score"]) == (0, 2)


def test_check_with_a_bank_grades_a_problem_file_of_a_bank_id_by_the_banks_parts(tmp_path, bank):
    # The file calls itself `p` and claims its `a` has key `B`; the bank's `p.a` has key A.
    path = write(tmp_path / "own.yaml", {
        "id": "p", "student": {"id": "s"},
        "parts": [{"id": "a", "ask": "choice", "options": ["A", "B"], "key": "B"}],
        "answers": {"a": "B"},
    })
    result = run("check", path, "--problems", bank, "--format", "json")
    assert result.exit_code == 1, result.output
    part = json.loads(result.stdout)["problems"][0]["parts"][0]
    assert (part["id"], part["status"], part["expected"]) == ("a", "wrong", "A")


def test_check_without_a_bank_still_grades_a_problem_file_by_its_own_parts(tmp_path):
    path = _own_problem(tmp_path, "own")
    result = run("check", path, "--format", "json")
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["score"] == 1000000.0
