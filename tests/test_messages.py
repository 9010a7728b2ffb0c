"""Messages in our own words: YAML syntax errors, every validation error of a file, a sheet
where a problem belongs, `validate --problems`, usage lines and the wording of pydantic's errors.
"""

from __future__ import annotations

import csv
import json

import pytest
import yaml
from typer.testing import CliRunner

import nncheck.io.yaml as nyaml
from conftest import SEED
from nncheck.cli import app
from nncheck.errors import InputError
from nncheck.io.problems import load_sheet
from nncheck.io.yaml import parse_document

# --- YAML syntax errors: where the construct started, where it failed, a hint per cause -------

_PURE = type("PureLoader", (yaml.SafeLoader,), {
    name: nyaml._Loader.__dict__[name]
    for name in ("resolve", "descend_resolver", "ascend_resolver")
})


@pytest.fixture(params=["libyaml", "python"])
def loader(request, monkeypatch):
    """Both PyYAML scanners: libyaml's and the pure-Python one word their errors differently."""
    if request.param == "python":
        monkeypatch.setattr(nyaml, "_Loader", _PURE)
    elif not yaml.__with_libyaml__:
        pytest.skip("PyYAML is built without libyaml")
    return request.param


def syntax(text: str) -> str:
    with pytest.raises(InputError) as info:
        parse_document(text, "s.yaml")
    return str(info.value)


SHEET_HEAD = "student:\n  id: s1\nanswers:\n  q1:\n"


@pytest.mark.parametrize(("text", "message"), [
    pytest.param(
        # The `"` is line 5, column 10 (`    a:   "`, counted from 1); nothing closes it,
        # and the file ends on line 6, column 1 (after the last newline).
        SHEET_HEAD + '    a:   "abc\n',
        "s.yaml:5:10: unclosed quoted string: opened at 5:10, the file ends at 6:1 — a closing "
        '`"` (close the string with `"`; inside double quotes, write a `"` as `\\"`)',
        id="unclosed-double-quote"),
    pytest.param(
        "a: 'abc\nb: 2\n",
        "s.yaml:1:4: unclosed quoted string: opened at 1:4, the file ends at 3:1 — a closing "
        "`'` (close the string with `'`; inside single quotes, write a `'` as `''`)",
        id="unclosed-single-quote"),
    pytest.param(
        # `[` at line 4, column 11; a `}` at column 19 where `,` or `]` must come.
        SHEET_HEAD[:-1] + " {a: [1, 2, 3}\n",
        "s.yaml:4:11: unclosed `[`: opened at 4:11, found `}` at 4:19 — `,` between items, or "
        "`]` to close the list (close it with `]`; a value that holds `[`, `,` or `]` goes in "
        "quotes)",
        id="unclosed-bracket"),
    pytest.param(
        "a: {b: 1, c: 2\nd: 3\n",
        "s.yaml:1:4: unclosed `{`: opened at 1:4, found `:` at 2:2 — `,` between items, or `}` "
        "to close the mapping (close it with `}`; a value that holds `{`, `,` or `}` goes in "
        "quotes)",
        id="unclosed-brace"),
    pytest.param(
        "a: [1, 2\n",
        "s.yaml:1:4: unclosed `[`: opened at 1:4, the file ends at 2:1 — `,` between items, or "
        "`]` to close the list (close it with `]`; a value that holds `[`, `,` or `]` goes in "
        "quotes)",
        id="bracket-to-the-end"),
    pytest.param(
        # `a` at line 5, column 5 opens the mapping; `b` at column 4 is neither its key nor a
        # value under it.
        SHEET_HEAD + "    a: 1\n   b: 2\n",
        "s.yaml:6:4: bad indentation: the block that starts at 4:3 has its entries at column 3 "
        "— a key (or `- ` item) at column 3, or a value indented under its key (indent every "
        "key of a mapping by the same number of spaces)",
        id="indentation"),
    pytest.param(
        SHEET_HEAD + "\ta: 1\n",
        "s.yaml:5:1: a tab character — indentation with spaces (YAML does not allow tabs)",
        id="tab"),
    pytest.param(
        SHEET_HEAD + "    a: the answer: yes\n",
        "s.yaml:5:18: a `: ` inside an unquoted value — a value without `: `, or a quoted one "
        '(put the value in quotes: `a: "the answer: yes"`)',
        id="colon-in-plain-value"),
    pytest.param(
        "a: b\n  c: d\n",
        "s.yaml:2:4: a key where a value was expected — a key at the column of the keys above "
        "it, or a value in quotes (check the indentation: a line indented more than the key "
        "above it continues that key's value)",
        id="key-indented-under-a-value"),
    pytest.param(
        'a: "x" y\n',
        "s.yaml:1:8: text after a quoted string — a line break or a comment (put the whole "
        "value in the quotes)",
        id="text-after-quotes"),
    pytest.param(
        'a: "\\sigma"\n',
        "s.yaml:1:5: unknown escape `\\s` in the double-quoted string opened at 1:4 — an escape "
        "such as `\\n`, `\\\\` or `\\\"` (write a backslash as `\\\\`, or put the value in "
        "single quotes)",
        id="unknown-escape"),
])
def test_a_syntax_error_names_its_cause_where_it_started_and_where_it_failed(
        loader, text, message):
    assert syntax(text) == message


# --- every validation error of a file, bounded; a sheet where a problem belongs ----------------

def run(*args: object):
    return CliRunner().invoke(app, [str(a) for a in args])


MULTI = """\
id: q5
title: Cross-entropy
given:
  y: [0, 0, 1, 0]
parts:
  - {id: a, ask: loss, fn: cross_entrpy, y_true: y, y_pred: [0.25, 0.25, 0.3, 0.2]}
  - {id: b, ask: loss, fn: cross_entropy, y_true: y, y_pred: [0, 0, 0.4, 0.6], points: "0.5"}
  - {id: c, ask: param_cnt, model: m}
  - {id: d, ask: manual, rubric: x, pints: 2}
  - {id: e, ask: manual, rubric: x, points: -1}
"""


def test_validate_reports_every_error_of_a_file_each_on_its_own_line(tmp_path):
    path = tmp_path / "q5.yaml"
    path.write_text(MULTI, encoding="utf-8")
    result = run("validate", path)
    assert result.exit_code == 2
    # Five mistakes, one per part, in the order of the file; columns counted by hand from 1.
    assert result.stderr.splitlines() == [
        f"error: {path}:6:28: unknown fn `cross_entrpy` — one of `cross_entropy`, "
        "`binary_cross_entropy`, `mse`, `mae`, `hinge`, `multiclass_hinge`, `categorical_hinge`, "
        "`kl_divergence` (did you mean `cross_entropy`?)",
        f"error: {path}:7:88: expected a number, found '0.5' (write the number without quotes: "
        "`points: 0.5`)",
        f"error: {path}:8:18: unknown ask `param_cnt` — one of `truth_table`, `realize`, "
        "`forward`, `param_count`, `output_shape`, `loss`, `gradient`, `equivalent`, ... "
        "(did you mean `param_count`?)",
        f"error: {path}:9:37: unknown key `pints` — one of `id`, `points`, `tolerance`, "
        "`solution`, `text`, `title`, `ask`, `rubric` (did you mean `points`?)",
        f"error: {path}:10:45: expected a number, 0 or more, found -1",
    ]


def test_check_reports_every_error_of_a_broken_bank_file(tmp_path):
    bank = tmp_path / "bank"
    bank.mkdir()
    (bank / "q5.yaml").write_text(MULTI, encoding="utf-8")
    result = run("check", SEED / "sheets" / "seed-student.yaml", "--problems", bank)
    assert result.exit_code == 2
    lines = result.stderr.splitlines()
    assert [line.split(": ")[1].split(":", 1)[1] for line in lines] == \
        ["6:28", "7:88", "8:18", "9:37", "10:45"]


def test_the_errors_of_a_file_are_bounded_with_a_count_of_the_rest(tmp_path):
    # 25 parts, each with `points: -1`: 25 errors, of which 20 are shown and 5 counted.
    rows = "".join(f"  - {{id: p{i:02d}, ask: manual, points: -1}}\n" for i in range(25))
    path = tmp_path / "many.yaml"
    path.write_text("id: many\nparts:\n" + rows, encoding="utf-8")
    result = run("validate", path)
    assert result.exit_code == 2
    lines = result.stderr.splitlines()
    assert len(lines) == 21
    # Part i is on line 3 + i; `-1` is at column 36 (after the 35 characters of
    # `  - {id: pNN, ask: manual, points: `).
    assert lines[0] == f"error: {path}:3:36: expected a number, 0 or more, found -1"
    assert lines[19] == f"error: {path}:22:36: expected a number, 0 or more, found -1"
    assert lines[20] == f"error: {path}: and 5 more errors"


def test_a_class_run_keeps_one_line_per_broken_sheet_with_the_count_of_the_others(tmp_path):
    path = tmp_path / "s.yaml"
    path.write_text("student: {id: s1, nam: Ada}\nanswers: 3\n", encoding="utf-8")
    with pytest.raises(InputError) as info:
        load_sheet(path)
    # Two errors: the unknown key `nam` (line 1, column 19) and `answers: 3` (line 2, column 10).
    assert str(info.value) == (
        f"{path}:1:19: unknown key `nam` — one of `id`, `name`, `email` (did you mean `name`?) "
        "[and 1 more error in this file]")
    assert info.value.lines() == [
        f"{path}:1:19: unknown key `nam` — one of `id`, `name`, `email` (did you mean `name`?)",
        f"{path}:2:10: expected a mapping, found 3",
    ]


def test_an_answer_sheet_in_the_bank_folder_is_named_as_one(tmp_path):
    bank = tmp_path / "bank"
    bank.mkdir()
    (bank / "q5.yaml").write_text((SEED / "q5-cross-entropy.yaml").read_text(encoding="utf-8"),
                                  encoding="utf-8")
    key = bank / "key.yaml"  # what `solve --sheet bank/key.yaml` leaves there
    key.write_text("student: {id: key, name: answer key}\nanswers:\n  q5-cross-entropy: {a: 1}\n",
                   encoding="utf-8")
    expected = (f"error: {key}:1:1: this looks like an answer sheet (it has `student:` and "
                "`answers:`), not a problem file — a problem file: `parts:` and what they ask "
                "about (keep answer sheets out of the bank folder, e.g. in a `sheets/` folder "
                "inside it)\n")
    checked = run("check", SEED / "sheets" / "seed-student.yaml", "--problems", bank)
    assert (checked.exit_code, checked.stderr) == (2, expected)
    validated = run("validate", bank)
    assert (validated.exit_code, validated.stderr) == (2, expected)


# --- validate --problems: a sheet's answer ids against a bank ----------------------------------

def test_validate_with_a_bank_warns_of_unknown_answer_ids_at_their_place(tmp_path):
    sheet = tmp_path / "typo.yaml"
    sheet.write_text("student: {id: s9}\nanswers:\n  q5-cross-entropy: {a: 1, bb: 2, desing: 3}\n"
                     "  q6-linear-dept: {a: 1}\n  zzz: {}\n", encoding="utf-8")
    result = run("validate", "--problems", SEED, sheet)
    assert result.exit_code == 1  # valid, but some answers would not be graded
    assert result.stdout == f"ok: {sheet}: sheet of `s9`, 4 answers\n"
    # q5's parts are a, b, c-a, c-b, d, e: `bb` is close to `b`, `desing` to none of them.
    assert result.stderr.splitlines() == [
        f"warning: {sheet}:3:28: `q5-cross-entropy`: answer to unknown part `bb` (did you mean "
        "`b`?)",
        f"warning: {sheet}:3:35: `q5-cross-entropy`: answer to unknown part `desing`",
        f"warning: {sheet}:4:3: answers to unknown problem `q6-linear-dept` (did you mean "
        "`q6-linear-depth`?)",
        f"warning: {sheet}:5:3: answers to unknown problem `zzz`",
    ]
    as_json = json.loads(run("validate", "-p", SEED, sheet, "--format", "json").stdout)
    assert len(as_json["warnings"]) == 4 and as_json["errors"] == []


def test_validate_with_a_bank_passes_a_sheet_whose_ids_are_all_known():
    result = run("validate", "--problems", SEED, SEED / "sheets" / "seed-student.yaml")
    assert (result.exit_code, result.stderr) == (0, "")


# --- messages in our own words ----------------------------------------------------------------

@pytest.mark.parametrize(("command", "usage", "absent"), [
    pytest.param("check", "[OPTIONS] SHEET...", "{sheets}", id="check"),
    pytest.param("solve", "[OPTIONS] PROBLEM...", "{paths}", id="solve"),
    pytest.param("grade", "[OPTIONS] CLASS_DIR", "{class_dir}", id="grade"),
    pytest.param("validate", "[OPTIONS] PATH...", "{paths}", id="validate"),
    pytest.param("schema", "[OPTIONS] problem|sheet", "{which}", id="schema"),
])
def test_usage_lines_name_arguments_in_our_words(command, usage, absent):
    result = run(command, "--help")
    assert result.exit_code == 0
    first = result.stdout.splitlines()[0]
    assert first.endswith(f" {command} {usage}")
    for internal in (absent, "<list[Path]>", "<path>", "<int range>", "x>=1", "<str>", "<float>"):
        assert internal not in result.stdout


def test_grade_help_names_its_values():
    text = run("grade", "--help").stdout
    for option in ("-p, --problems DIR", "-o, --out DIR", "-j, --jobs N", "--student ID",
                   "--overrides FILE", "--reveal verdict|mistake|expected", "--rtol X"):
        assert option in text


@pytest.mark.parametrize(("args", "message"), [
    pytest.param(["check", "s.yaml", "--format", "xml"],
                 "Invalid value for '--format' / '-f': `xml` is not one of auto, rich, text, json",
                 id="format"),
    pytest.param(["check", "s.yaml", "--format", "jsn"],
                 "Invalid value for '--format' / '-f': `jsn` is not one of auto, rich, text, "
                 "json (did you mean `json`?)", id="format-typo"),
    pytest.param(["check", "s.yaml", "--rtol", "abc"],
                 "Invalid value for '--rtol': expected a number, found `abc`", id="rtol"),
    pytest.param(["grade", "c", "--jobs", "0"],
                 "Invalid value for '--jobs' / '-j': expected a whole number, 1 or more, "
                 "found `0`", id="jobs"),
    pytest.param(["grade", "c", "--reveal", "all"],
                 "Invalid value for '--reveal': `all` is not one of verdict, mistake, expected",
                 id="reveal"),
])
def test_option_errors_are_in_our_words(args, message):
    result = run(*args)
    assert result.exit_code == 2
    assert result.stderr.splitlines()[-1] == f"Error: {message}"
    assert "Value error" not in result.stderr and "Input should" not in result.stderr


def overrides_check(tmp_path, text: str):
    path = tmp_path / "overrides.yaml"
    path.write_text(text, encoding="utf-8")
    return path, run("check", SEED / "sheets" / "seed-student.yaml", "--problems", SEED,
                     "--overrides", path)


def test_a_bare_number_for_an_override_gets_the_points_hint(tmp_path):
    path, result = overrides_check(tmp_path, "seed-student:\n  q3-transfer-learning:\n"
                                   "    a: 0.5\n")
    assert result.exit_code == 2
    # `0.5` is at line 3, column 8; an override is a mapping {points, comment}.
    assert result.stderr == (f"error: {path}:3:8: expected a mapping, found 0.5 (a score is "
                             "written `{points: 0.5}`)\n")


def test_quoted_points_get_the_hint_to_drop_the_quotes(tmp_path):
    path, result = overrides_check(tmp_path, "seed-student:\n  q3-transfer-learning:\n"
                                   "    a: {points: \"0.5\"}\n")
    assert result.exit_code == 2
    assert result.stderr == (f"error: {path}:3:17: expected a number, found '0.5' (write the "
                             "number without quotes: `points: 0.5`)\n")


def test_an_override_above_the_part_names_the_student_in_the_class_run(tmp_path):
    klass = tmp_path / "class"
    klass.mkdir()
    for name in ("s01-ada.yaml", "s02-babak.yaml"):
        (klass / name).write_text((SEED / "class" / name).read_text(encoding="utf-8"),
                                  encoding="utf-8")
    overrides = tmp_path / "overrides.yaml"
    # q3-transfer-learning part a is worth 1 point (problems/seed-exam/q3-transfer-learning.yaml).
    overrides.write_text("s01:\n  q3-transfer-learning:\n    a: {points: 5}\n", encoding="utf-8")
    out = tmp_path / "out"
    result = run("grade", klass, "--problems", SEED, "--overrides", overrides, "--out", out,
                 "--format", "text")
    assert result.exit_code == 1
    with open(out / "grades.csv", encoding="utf-8-sig", newline="") as f:
        rows = {row["id"]: row for row in csv.DictReader(f)}
    assert rows["s01"]["status"] == "error"
    assert rows["s01"]["error"] == (
        "the override for student `s01` gives `q3-transfer-learning` part `a` 5 points — at "
        "most the part's 1 (fix it in the --overrides file)")
    assert rows["s02"]["status"] != "error"
