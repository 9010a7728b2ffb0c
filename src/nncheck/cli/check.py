"""`check` grades sheets one by one; `solve` prints the truth and writes keys and blank sheets."""

from __future__ import annotations

import os
import traceback
from pathlib import Path
from typing import Annotated, Any, Optional

import typer

from nncheck.cli.base import (
    DebugOpt,
    FormatOpt,
    OverridesOpt,
    ProblemsOpt,
    RtolOpt,
    app,
    checked_rtol,
    env,
    examples,
    load_overrides,
    report_console,
    resolve_format,
    run_command,
    to_stderr,
)
from nncheck.cli.environment import ExitStatus, Format
from nncheck.cli.params import Command, parse_count
from nncheck.errors import NncheckError
from nncheck.words import inert, json_line


@app.command(
    cls=Command,
    short_help='Grade answer sheets: a pass/fail diff of every part.',
    epilog=examples(
    'nncheck check sheets/ada.yaml --problems problems/seed-exam',
    'nncheck check sheets/*.yaml -p problems/seed-exam --format json > out.jsonl',
    'nncheck check q1.yaml          (a problem file with its own `answers:`)',
    'nncheck check ada.yaml -p bank --overrides overrides.yaml --rtol 1e-3',
    ),
)
def check(
    sheets: Annotated[list[Path], typer.Argument(
        metavar="SHEET",
        help="Answer sheets, or problem files with inline `answers:` (- for standard input).",
        show_default=False)],
    problems: ProblemsOpt = None,
    fmt: FormatOpt = Format.auto,
    rtol: RtolOpt = None,
    overrides: OverridesOpt = None,
    debug: DebugOpt = False,
) -> None:
    """Grade answer sheets against a problem bank and show a pass/fail diff of every part."""

    def body() -> int:
        from nncheck import grading

        bank = (grading.load_bank(problems, rtol=checked_rtol(rtol)) if problems is not None
                else None)
        extra = load_overrides(overrides)
        if bank is not None and extra.regrade:
            from nncheck import regrade

            regrade.check(extra.regrade, bank)
        fmt_ = resolve_format(fmt)
        if sum(os.fspath(p) == "-" for p in sheets) > 1:
            raise NncheckError("`-` (standard input) is given more than once",
                               expected="one `-` at most")
        failed = bad = False
        # Every sheet is graded: a sheet that cannot be read or graded is reported (a line on
        # stderr, and an error object in JSON, in its place) and the exit code is 2 at the end.
        for path in sheets:
            try:
                result = _check_one(grading, path, bank, extra, rtol)
            except NncheckError as exc:
                bad = True
                if debug:
                    traceback.print_exc()
                to_stderr(f"error: {exc}")
                if fmt_ is Format.json:
                    from nncheck.io.files import shown_path

                    shown = "<stdin>" if os.fspath(path) == "-" else os.fspath(path)
                    env.stdout.write(json_line({"sheet": shown_path(shown),
                                                "error": shown_path(str(exc))}) + "\n")
                continue
            _print_sheet(result, fmt_)
            failed |= not result.passed
        if bad:
            return ExitStatus.ERROR
        return ExitStatus.FAILED if failed else ExitStatus.OK

    run_command(debug, body)


def _check_one(grading: Any, path: Path, bank: Any, extra: Any, rtol: float | None) -> Any:
    """Read and grade one sheet of `check`: its result, or an NncheckError."""
    from nncheck.io.problems import load_sheet

    sheet = load_sheet(path, stdin=True)
    this_bank = bank
    # With a bank, a problem file is read only for its `answers:`, as `grade` reads it:
    # it is never graded against its own parts (it could grade itself full marks).
    if sheet.problem is not None and bank is None:
        this_bank = grading.make_bank([sheet.problem], rtol=checked_rtol(rtol))
    if this_bank is None:
        raise NncheckError(
            f"{sheet.path}: which problems does this sheet answer?",
            expected="--problems DIR (a folder of problem files)",
        )
    only = [str(sheet.problem.problem.id)] if sheet.problem is not None and bank is None \
        else None
    return grading.grade_sheet(
        this_bank, sheet.answers, sheet=sheet.path, student=sheet.student,
        overrides=extra.students.get(sheet.student.id), problems=only,
        decimal_comma=sheet.decimal_comma, regrade=extra.regrade,
        variant=sheet.variant, check=sheet.check,
    )


def _print_sheet(result: Any, fmt: Format, *, solved: bool = False) -> None:
    if fmt is Format.json:
        from nncheck.render import json as render_json

        env.stdout.write(render_json.dumps(render_json.sheet_json(result, solved=solved)) + "\n")
    elif fmt is Format.text:
        from nncheck.render import text

        env.stdout.write(text.render_sheet(result, solved=solved))
    else:
        from nncheck.render import rich as render_rich

        report_console().print(render_rich.render_sheet(result, solved=solved))


@app.command(
    cls=Command,
    short_help='Print the true answers; write an answer key or a blank sheet.',
    epilog=examples(
    'nncheck solve problems/seed-exam',
    'nncheck solve problems/seed-exam --sheet key.yaml --blank blank.yaml',
    'nncheck solve q1.yaml --format json',
    ),
)
def solve(
    paths: Annotated[list[Path], typer.Argument(
        metavar="PROBLEM", help="Problem files, or folders of them.", show_default=False)],
    sheet: Annotated[Optional[Path], typer.Option(  # noqa: UP045
        "--sheet", metavar="FILE",
        help="Write an answer sheet that scores full marks (- for standard output).")] = None,
    blank: Annotated[Optional[Path], typer.Option(  # noqa: UP045
        "--blank", metavar="FILE",
        help="Write an empty sheet with every problem and part id (- for standard "
        "output).")] = None,
    variant: Annotated[Optional[int], typer.Option(  # noqa: UP045
        "--variant", metavar="V", parser=parse_count,
        help="The truths of exam variant V of the problems with `vary:` (and its key with "
        "--sheet).")] = None,
    fmt: FormatOpt = Format.auto,
    rtol: RtolOpt = None,
    debug: DebugOpt = False,
) -> None:
    """Print the true answer of every part (and write an answer key or a blank sheet)."""

    def body() -> int:
        from nncheck import grading, solving
        from nncheck.io.files import output_target, sheet_yaml, write_atomic
        from nncheck.io.problems import bank_files, load_problem

        outputs = [o for o in (blank, sheet) if o is not None]
        if sum(os.fspath(o) == "-" for o in outputs) > 1:
            raise NncheckError("--sheet and --blank are both `-` (standard output)",
                               expected="at most one of them on standard output")
        targets: dict[str, Path] = {}  # refused before anything is solved or written
        for name, o in (("--blank", blank), ("--sheet", sheet)):
            if o is not None and os.fspath(o) != "-":
                targets[name] = output_target(o)
        if len(targets) == 2 and len(set(targets.values())) == 1:
            raise NncheckError(f"--sheet and --blank are one file, {inert(str(sheet))}",
                               expected="two files, or only one of the options")

        def write(path: Path, text: str) -> None:
            if os.fspath(path) == "-":
                env.stdout.write(text)
            else:
                write_atomic(path, text)

        loaded = []
        for path in paths:
            files = bank_files(path) if path.is_dir() else [path]
            loaded += [load_problem(f) for f in files]
        _refuse_overwriting_problems(targets, paths, [lp.path for lp in loaded])
        bank = grading.make_bank(loaded, rtol=checked_rtol(rtol), where=", ".join(map(str, paths)))
        for warning in bank.solve_all():
            to_stderr(f"warning: {warning}")
        if blank is not None:
            empty = {pid: {p.id: None for p in lp.problem.parts}
                     for pid, lp in bank.problems.items()}
            write(blank, sheet_yaml("your-id", empty, name="Your Name"))
        if sheet is not None:
            key_variant, header = _key_variant(bank, variant)
            key, unanswered = solving.answer_key(bank, key_variant)
            write(sheet, sheet_yaml("key", key, name="answer key", header=header))
            for line in unanswered:
                to_stderr(f"note: {'the key' if os.fspath(sheet) == '-' else sheet} leaves out "
                        f"{line}")
        # A sheet written to standard output is all that goes there.
        if not any(os.fspath(o) == "-" for o in outputs):
            _print_sheet(solving.solve_bank(bank, variant), resolve_format(fmt), solved=True)
        return ExitStatus.OK

    run_command(debug, body)


def _key_variant(bank: Any, variant: int | None) -> tuple[int | None, dict[str, Any] | None]:
    """The variant an answer key of a bank with `vary:` answers (--variant, else the variant
    of its student id `key`) and the `variant:` and `check:` it writes; none for a bank that
    does not vary."""
    if not bank.varied:
        return variant, None
    from nncheck import variants

    chosen = variant if variant is not None else variants.exam_variant(bank.secret, "key")
    return chosen, {"variant": chosen, "check": variants.check_code(bank.secret, "key", chosen)}


def _refuse_overwriting_problems(targets: dict[str, Path], paths: list[Path],
                                 problems: list[str]) -> None:
    """An answer key or a blank sheet never replaces a problem file, nor lands in a bank folder
    (where the next run would read it as a problem)."""
    files = {Path(os.path.realpath(p)) for p in problems}
    banks = [Path(os.path.realpath(p)) for p in paths if p.is_dir()]
    for name, target in targets.items():
        if target in files:
            raise NncheckError(f"{name} {inert(str(target))} is a problem file being solved",
                               expected="a file apart from the problems")
        inside = next((b for b in banks if target.is_relative_to(b)), None)
        if inside is not None:
            raise NncheckError(f"{name} {inert(str(target))} is inside the problem bank "
                               f"{inert(str(inside))}",
                               expected="a file outside the bank folder (a sheet there would "
                               "be read as a problem)")


