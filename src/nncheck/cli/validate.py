"""`validate` checks files against the format without grading; `schema` prints the format."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated, Any, Optional

import typer

from nncheck.cli.base import (
    DebugOpt,
    FormatOpt,
    app,
    env,
    error_lines,
    examples,
    resolve_format,
    run_command,
    to_stderr,
)
from nncheck.cli.environment import ExitStatus, Format
from nncheck.cli.params import Command
from nncheck.errors import NncheckError
from nncheck.words import inert, json_line


@app.command(
    cls=Command,
    short_help='Check problem files and sheets without grading.',
    epilog=examples(
    'nncheck validate problems/seed-exam',
    'nncheck validate problems/seed-exam --solve',
    'nncheck validate sheets/ada.yaml --format json',
    ),
)
def validate(
    paths: Annotated[list[Path], typer.Argument(
        metavar="PATH",
        help="Problem files, sheets, or folders of problem files.", show_default=False)],
    solve: Annotated[bool, typer.Option(
        "--solve", help="Also solve every part of the problems (finds a layer that cannot "
        "take its input, a prediction that is not a probability vector, ...).")] = False,
    problems: Annotated[Optional[Path], typer.Option(  # noqa: UP045
        "--problems", "-p", metavar="DIR",
        help="Also check that the sheets answer problems and parts of this bank (unknown ids "
        "are warnings: exit code 1).")] = None,
    fmt: FormatOpt = Format.auto,
    debug: DebugOpt = False,
) -> None:
    """Check problem files and sheets against the format, without grading."""

    def body() -> int:
        from nncheck.io.problems import LoadedProblem, bank_files, load_any, load_problem

        bank = None
        if problems is not None:
            from nncheck import grading

            bank = grading.load_bank(problems)
        errors: list[str] = []
        report = []
        warnings: list[str] = []  # printed; only unknown ids (below) change the exit code
        unknown: list[str] = []
        for path in paths:
            # A folder is a bank: every file in it must be a problem file.
            files = bank_files(path) if path.is_dir() else [path]
            for f in files:
                try:
                    item = load_problem(f) if path.is_dir() else load_any(f)
                    problem = item if isinstance(item, LoadedProblem) else item.problem
                    if solve and problem is not None:
                        from nncheck import grading

                        warnings += grading.make_bank([problem]).solve_all(variants=True)
                    if bank is not None and not isinstance(item, LoadedProblem):
                        from nncheck.unknown import located_unknown_answers

                        unknown += located_unknown_answers(bank, item)
                    report.append(_describe(item))
                except NncheckError as exc:
                    errors += error_lines(exc)
        if resolve_format(fmt) is Format.json:
            env.stdout.write(json_line({"valid": report, "errors": errors,
                                        "warnings": warnings + unknown}) + "\n")
        else:
            for line in report:
                env.stdout.write(f"ok: {inert(line)}\n")
            for line in warnings + unknown:
                to_stderr(f"warning: {line}")
            for line in errors:
                to_stderr(f"error: {line}")
        if errors:
            return ExitStatus.ERROR
        return ExitStatus.FAILED if unknown else ExitStatus.OK

    run_command(debug, body)


def _describe(item: Any) -> str:
    from nncheck.io.problems import LoadedProblem

    if isinstance(item, LoadedProblem):
        n = len(item.problem.parts)
        return f"{item.path}: problem `{item.problem.id}`, {n} part{'s' * (n != 1)}"
    count = sum(v is not None for mine in item.answers.values() for v in (mine or {}).values())
    return f"{item.path}: sheet of `{item.student.id}`, {count} answer{'s' * (count != 1)}"


@app.command(
    cls=Command,
    short_help='Print the JSON Schema of problem files or sheets.',
    epilog=examples(
    'nncheck schema problem > problem.schema.json',
    'nncheck schema sheet > sheet.schema.json',
    ),
)
def schema(
    which: Annotated[str, typer.Argument(
        metavar="problem|sheet",
        help="problem or sheet", show_default=False)],
    debug: DebugOpt = False,
) -> None:
    """Print the JSON Schema of problem files or sheets (for editor completion)."""

    def body() -> int:
        from nncheck.spec.schema import problem_schema, sheet_schema

        schemas = {"problem": problem_schema, "sheet": sheet_schema}
        if which not in schemas:
            raise NncheckError(f"unknown schema `{which}`", expected="problem or sheet")
        env.stdout.write(json.dumps(schemas[which](), indent=2) + "\n")
        return ExitStatus.OK

    run_command(debug, body)


