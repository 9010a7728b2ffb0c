"""Start-up of `check`: what it does not need is not built.

A run of one command builds the click command of that command alone (and gives the same help,
errors and results as the whole app); the models of an overrides file are built only when one
is read; a spec model's empty defaults come from plain functions, whose signatures pydantic
reads without the tokenizer.
"""

from __future__ import annotations

import inspect
import subprocess
import sys

import pydantic
import pytest
import typer.main
from typer.testing import CliRunner

import nncheck.cli
from conftest import SEED
from nncheck.cli import app

SHEET = SEED / "sheets" / "seed-student.yaml"


def modules_after(*args: str) -> set[str]:
    """The modules loaded once `python -m nncheck ARGS` has run (in a fresh interpreter)."""
    code = ("import sys\nfrom nncheck.cli import main\nsys.argv = ['nncheck', *sys.argv[1:]]\n"
            "try:\n    main()\nexcept SystemExit:\n    pass\n"
            "sys.stderr.write('\\nMODULES ' + ' '.join(sorted(sys.modules)))\n")
    done = subprocess.run([sys.executable, "-c", code, *args], capture_output=True, text=True,
                          timeout=120)
    assert "MODULES " in done.stderr, done.stderr[-2000:]
    return set(done.stderr.rsplit("MODULES ", 1)[1].split())


def test_check_without_overrides_builds_no_overrides_models():
    names = modules_after("check", str(SHEET), "--problems", str(SEED), "--format", "json")
    assert "nncheck.grading" in names  # the run did grade
    assert "nncheck.spec.overrides" not in names


def test_check_with_overrides_still_reads_them(tmp_path):
    overrides = tmp_path / "overrides.yaml"
    overrides.write_text("seed-student:\n  q1-exactly-two:\n    design: {points: 1}\n")
    names = modules_after("check", str(SHEET), "--problems", str(SEED), "--overrides",
                          str(overrides), "--format", "json")
    assert "nncheck.spec.overrides" in names


def command_names() -> list[str]:
    group = typer.main.get_command(app)
    assert isinstance(group, typer.core.TyperGroup)
    return sorted(group.commands)


def test_a_command_run_builds_that_command_alone(monkeypatch):
    built: list[str] = []
    real = typer.main.get_command_from_info

    def counting(command_info, **kwargs):
        command = real(command_info, **kwargs)
        built.append(command.name)
        return command

    monkeypatch.setattr(typer.main, "get_command_from_info", counting)
    monkeypatch.setattr(sys, "argv", ["nncheck", "check", "--help"])
    with pytest.raises(SystemExit) as stop:
        nncheck.cli.main()
    assert stop.value.code == 0
    assert built == ["check"]


@pytest.mark.parametrize("args", [
    pytest.param(["check", "--help"], id="check-help"),
    pytest.param(["check"], id="check-no-sheet"),
    pytest.param(["check", "--bogus", str(SHEET)], id="check-unknown-option"),
    pytest.param(["check", str(SHEET), "--format", "yaml"], id="check-bad-format"),
    pytest.param(["check", str(SHEET), "--problems", str(SEED), "--format", "json"],
                 id="check-seed-json"),
    pytest.param(["check", str(SHEET), "--problems", str(SEED), "--format", "text"],
                 id="check-seed-text"),
    pytest.param(["grade", "--help"], id="grade-help"),
    pytest.param(["validate", str(SEED)], id="validate"),
    pytest.param(["solve", "--help"], id="solve-help"),
])
def test_one_command_app_answers_as_the_whole_app(args):
    # The app a run starts with is chosen from its arguments; its answer must be the whole
    # app's, byte for byte, exit code included.
    one = nncheck.cli._for_command(args)
    assert one is not app
    fast = CliRunner().invoke(one, args, prog_name="nncheck")
    whole = CliRunner().invoke(app, args, prog_name="nncheck")
    assert (fast.exit_code, fast.stdout, fast.stderr) == \
        (whole.exit_code, whole.stdout, whole.stderr)


@pytest.mark.parametrize("args", [
    pytest.param([], id="no-arguments"),
    pytest.param(["--help"], id="help"),
    pytest.param(["--version"], id="version"),
    pytest.param(["chekc", str(SHEET)], id="mistyped-command"),
    pytest.param(["--debug", "check"], id="option-first"),
])
def test_other_starts_get_the_whole_app(args):
    assert nncheck.cli._for_command(args) is app


def test_every_command_can_be_chosen_alone():
    for name in command_names():
        one = nncheck.cli._for_command([name])
        assert one is not app
        assert command_names() == sorted(typer.main.get_command(app).commands)
        group = typer.main.get_command(one)
        assert isinstance(group, typer.core.TyperGroup)
        assert list(group.commands) == [name]


def test_completion_gets_the_whole_app(monkeypatch):
    monkeypatch.setenv("_NNCHECK_COMPLETE", "complete_bash")
    assert nncheck.cli._for_command(["check"]) is app


def spec_models() -> list[type[pydantic.BaseModel]]:
    import nncheck.spec.overrides
    import nncheck.spec.problem  # noqa: F401  (every spec model is a subclass of Strict)
    from nncheck.spec.common import Strict

    found, todo = [], [Strict]
    while todo:
        cls = todo.pop()
        found.append(cls)
        todo.extend(cls.__subclasses__())
    return found


def test_no_spec_default_factory_is_a_builtin():
    # pydantic reads the signature of every default factory when it builds a validator; a
    # builtin's signature is parsed from its text with the tokenizer, whose patterns then
    # compile (~7 ms of a `check`).
    builtins = []
    for model in spec_models():
        for name, field in model.model_fields.items():
            factory = field.default_factory
            if factory is not None and (inspect.isclass(factory) or inspect.isbuiltin(factory)):
                builtins.append(f"{model.__name__}.{name}")
    assert len(spec_models()) > 20
    assert builtins == []


def test_empty_defaults_are_new_and_empty():
    from nncheck.spec.problem import Problem

    data = {"id": "p", "parts": [{"id": "a", "ask": "choice", "options": ["x", "y"],
                                   "key": "x"}]}
    one, two = Problem.model_validate(data), Problem.model_validate(data)
    assert one.given == {} and one.aliases == {} and one.parts[0].hints == []
    assert one.given is not two.given
    assert one.parts[0].hints is not two.parts[0].hints
    assert one.parts[0].accept == [] and one.parts[0].explain == {}
