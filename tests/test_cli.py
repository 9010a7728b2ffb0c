"""The command line, in-process: exit codes, exact messages, JSON shape, golden text reports."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import typer.main
import yaml
from typer.testing import CliRunner

from conftest import PROBLEMS, ROOT, SEED
from nncheck.cli import app

DATA = Path(__file__).parent / "data"
GOLDEN = Path(__file__).parent / "golden"
Q1 = DATA / "q1bank"
SEED_SHEET = SEED / "sheets" / "seed-student.yaml"


def run(*args: str):
    return CliRunner().invoke(app, [str(a) for a in args])


def test_seed_sheet_passes_every_q1_part():
    result = run("check", SEED_SHEET, "--problems", SEED, "--format", "json")
    data = json.loads(result.stdout)
    q1 = next(p for p in data["problems"] if p["id"] == "q1-exactly-two")
    assert [(p["id"], p["status"]) for p in q1["parts"]] == [
        ("design", "correct"), ("pre-activations", "correct"), ("outputs", "correct"),
    ]
    assert q1["score"] == q1["max_score"] == 10


def test_one_changed_bias_turns_design_wrong_and_lists_the_rows():
    result = run("check", DATA / "wrong-bias.yaml", "--problems", Q1, "--format", "text")
    assert result.exit_code == 1
    # n1 = step(m1 + m2 + m3 - 0.5) fires on one input, n2 on three: Y = step(n1 - n2 - 1) is
    # 1 on the rows with exactly one input on, too.
    assert "    Y differs from the target on 3 of 8 rows: row 001 gives 1, not 0; " \
        "row 010 gives 1, not 0; row 100 gives 1, not 0" in result.stdout.splitlines()


@pytest.mark.parametrize("name", ["wrong-bias"])
def test_text_report_matches_the_golden_file(name):
    result = run("check", DATA / f"{name}.yaml", "--problems", Q1, "--format", "text")
    got = result.stdout.replace(str(DATA), "tests/data").splitlines()
    want = (GOLDEN / f"{name}.txt").read_text(encoding="utf-8").splitlines()
    for i, (g, w) in enumerate(zip(got, want)):
        assert g == w, f"line {i + 1} differs"
    assert len(got) == len(want)


def test_invalid_sheet_names_file_line_and_column_with_exit_2():
    result = run("check", DATA / "bad-key.yaml", "--problems", Q1)
    assert result.exit_code == 2
    assert result.stderr.strip() == (
        f"error: {DATA / 'bad-key.yaml'}:6:1: unknown key `studnet` — "
        "one of `student`, `answers`, `decimal_comma`, `variant`, `check` (did you mean `student`?)"
    )
    assert "Traceback" not in result.output


def test_debug_shows_the_traceback():
    result = run("check", DATA / "bad-key.yaml", "--problems", Q1, "--debug")
    assert result.exit_code == 2
    assert "Traceback" in result.stderr


def test_json_has_the_stable_fields_of_format_section_8():
    result = run("check", DATA / "wrong-bias.yaml", "--problems", Q1, "--format", "json")
    assert result.exit_code == 1
    data = json.loads(result.stdout)
    assert {"sheet", "student", "score", "max_score", "problems", "warnings"} <= set(data)
    assert data["student"] == {"id": "s001", "name": "Sara"}
    assert data["warnings"] == [
        "`q1-exactly-two`: answer to unknown part `desing` (did you mean `design`?)"
    ]
    part = data["problems"][0]["parts"][0]
    assert {"id", "status", "points", "max_points", "expected", "claimed", "message",
            "mistake", "mistakes"} <= set(part)
    assert part["status"] == "wrong" and part["points"] == 0 and part["max_points"] == 6
    assert part["expected"]["columns"] == ["m1", "m2", "m3", "Y"]
    assert part["expected"]["rows"][3] == [0, 1, 1, 1]
    assert part["claimed"]["n1"] == {"w": [1, 1, 1], "b": -0.5}


def test_missing_bank_is_a_usage_error():
    result = run("check", DATA / "wrong-bias.yaml")
    assert result.exit_code == 2
    assert result.stderr == (f"error: {DATA / 'wrong-bias.yaml'}: which problems does this "
                             "sheet answer? — --problems DIR (a folder of problem files)\n")


def test_validate_reports_each_file():
    ok = run("validate", Q1, DATA / "wrong-bias.yaml")
    assert ok.exit_code == 0
    assert ok.stdout.splitlines() == [
        f"ok: {Q1 / 'q1-exactly-two.yaml'}: problem `q1-exactly-two`, 3 parts",
        f"ok: {DATA / 'wrong-bias.yaml'}: sheet of `s001`, 4 answers",
    ]
    bad = run("validate", DATA / "bad-key.yaml")
    assert bad.exit_code == 2
    assert bad.stderr == (f"error: {DATA / 'bad-key.yaml'}:6:1: unknown key `studnet` — "
                          "one of `student`, `answers`, `decimal_comma`, `variant`, `check` "
                          "(did you mean `student`?)\n")


@pytest.mark.parametrize("which", ["problem", "sheet"])
def test_schema_is_json_schema(which):
    result = run("schema", which)
    assert result.exit_code == 0
    assert "properties" in json.loads(result.stdout)


# FORMAT.md section 7, the Gradescope autograder's entry point, review (answer groups), variants
COMMANDS = ["check", "solve", "grade", "merge", "validate", "schema", "gradescope", "review",
            "variants"]


def test_the_commands_are_those_of_the_format():
    group = typer.main.get_command(app)
    assert sorted(group.commands) == sorted(COMMANDS)  # type: ignore[attr-defined]


@pytest.mark.parametrize("name", COMMANDS)
def test_every_command_has_help_text(name):
    command = typer.main.get_command(app).commands[name]  # type: ignore[attr-defined]
    assert command.help and command.help.endswith(".")  # one sentence
    result = run(name, "--help")
    assert result.exit_code == 0
    usage = result.stdout.split("\n")[0]  # `gradescope` takes options only: its usage ends there
    assert usage == f"Usage: nncheck {name} [OPTIONS]" or \
        usage.startswith(f"Usage: nncheck {name} [OPTIONS] ")
    assert command.help in " ".join(result.stdout.split())


def problem_files() -> list[Path]:
    return sorted(p for p in PROBLEMS.glob("*/*.yaml"))


@pytest.mark.parametrize("bank", sorted({p.parent for p in problem_files()}),
                         ids=lambda p: p.name)
def test_solved_key_scores_full_marks_and_blank_scores_zero(bank, tmp_path):
    key, blank = tmp_path / "key.yaml", tmp_path / "blank.yaml"
    solved = run("solve", bank, "--sheet", key, "--blank", blank, "--format", "json")
    assert solved.exit_code == 0, solved.output
    full = json.loads(run("check", key, "--problems", bank, "--format", "json").stdout)
    for problem in full["problems"]:
        for part in problem["parts"]:
            if part["ask"] != "manual":
                assert part["status"] == "correct", (problem["id"], part)
    assert run("validate", blank).exit_code == 0
    empty = run("check", blank, "--problems", bank, "--format", "json")
    assert empty.exit_code == 1
    data = json.loads(empty.stdout)
    assert data["score"] == 0
    assert {p["status"] for prob in data["problems"] for p in prob["parts"]} == {"missing"}
    sheet = yaml.safe_load(blank.read_text(encoding="utf-8"))
    assert set(sheet["answers"]) == {p.stem for p in bank.glob("*.yaml")}


def test_problem_file_with_inline_answers_is_self_contained(tmp_path):
    problem = yaml.safe_load((Q1 / "q1-exactly-two.yaml").read_text(encoding="utf-8"))
    problem["answers"] = {"design": problem["parts"][0]["solution"]}
    path = tmp_path / "q.yaml"
    path.write_text(yaml.safe_dump(problem), encoding="utf-8")
    result = run("check", path, "--format", "json")
    data = json.loads(result.stdout)
    assert data["student"]["id"] == "q"
    assert data["problems"][0]["parts"][0]["status"] == "correct"


def test_readme_names_the_test_command():
    assert "pytest" in (ROOT / "README.md").read_text(encoding="utf-8")


def test_solve_says_which_parts_the_key_cannot_answer(tmp_path):
    problem = {
        "id": "p",
        "given": {"t": {"kind": "network", "inputs": ["a", "b"], "activation": "step",
                        "layers": [["y"]]}},
        "parts": [
            {"id": 1, "ask": "realize", "template": "t", "target": "a and b"},
            {"id": "table", "ask": "truth_table", "network": "answer.1"},
        ],
    }
    path, key = tmp_path / "p.yaml", tmp_path / "key.yaml"
    path.write_text(yaml.safe_dump(problem), encoding="utf-8")
    result = run("solve", path, "--sheet", key, "--format", "json")
    assert result.exit_code == 0, result.output
    assert result.stderr.splitlines() == [
        f"note: {key} leaves out `p` part `1`: no `solution:`",
        f"note: {key} leaves out `p` part `table`: the part it reads has no `solution:`",
    ]
    table = json.loads(result.stdout)["problems"][0]["parts"][1]
    assert table["expected"] is None


def test_network_answers_may_use_the_problems_aliases(tmp_path):
    problem = {
        "id": "p", "aliases": {"ws2": "w_s2_x", "ws1": "w_s1_x"},
        "given": {"sm": {"kind": "network", "inputs": ["x"],
                         "layers": [{"activation": "softmax", "units": ["s1", "s2"]}]}},
        "parts": [{"id": "r", "ask": "equivalent", "network": "sm", "output": "s2",
                   "template": {"inputs": ["x"], "activation": "sigmoid", "layers": [["o"]]}}],
        "answers": {"r": {"o": {"w": ["ws2 - ws1"], "b": "b_s2 - b_s1"}}},
    }
    path = tmp_path / "p.yaml"
    path.write_text(yaml.safe_dump(problem), encoding="utf-8")
    result = run("check", path, "--format", "json")
    assert result.exit_code == 0, result.output


def test_validate_solve_finds_a_layer_that_cannot_take_its_input(tmp_path):
    path = tmp_path / "m.yaml"
    path.write_text(
        "given:\n"
        "  m: {kind: model, input: [2, 2, 1], layers: [{conv2d: {filters: 1, kernel: 3}}]}\n"
        "parts:\n"
        "  - {id: a, ask: param_count, model: m}\n",
        encoding="utf-8",
    )
    assert run("validate", path).exit_code == 0  # the format is right
    solved = run("validate", "--solve", path)
    assert solved.exit_code == 2
    assert solved.stderr == (
        f"error: {path}:4:5: part `a`: model `m`, layer 0 (conv2d): a 3×3 kernel does not fit "
        "a 2×2 input\n"
    )
