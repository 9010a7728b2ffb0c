"""The command line: a thin shell over loading, grading and rendering."""

from __future__ import annotations

import contextlib
import json
import os
import signal
import traceback
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, Optional

import typer

from nncheck import __version__
from nncheck.cli.environment import Environment, ExitStatus, Format, Reveal
from nncheck.cli.params import Command, parse_choice, parse_count, parse_number
from nncheck.errors import NncheckError
from nncheck.words import inert, inert_lines, json_line

if TYPE_CHECKING:
    from rich.console import Console


env = Environment()


app = typer.Typer(
    name="nncheck",
    help="Check neural-network exam answers against the truth.",
    no_args_is_help=True,
    add_completion=True,
    pretty_exceptions_enable=False,
    # Plain help: typer's rich help would import rich's markdown stack (~85 ms) on every
    # `--help` and usage error; reports still use rich.
    rich_markup_mode=None,
    context_settings={"help_option_names": ["-h", "--help"]},
)


FormatOpt = Annotated[Format, typer.Option(
    "--format", "-f", metavar="auto|rich|text|json", parser=parse_choice(Format),
    help="rich on a terminal, text when piped, or json.")]
DebugOpt = Annotated[bool, typer.Option("--debug", help="Show tracebacks of errors.")]
ProblemsOpt = Annotated[Optional[Path], typer.Option(  # noqa: UP045 (typer reads it)
    "--problems", "-p", metavar="DIR",
    help="The problem bank: a folder of problem files (DIR/*.yaml).")]
RtolOpt = Annotated[Optional[float], typer.Option(  # noqa: UP045
    "--rtol", metavar="X", parser=parse_number,
    help="Relative tolerance for real answers (a problem or part may set its own).")]
OverridesOpt = Annotated[Optional[Path], typer.Option(  # noqa: UP045
    "--overrides", metavar="FILE",
    help="Scores set by a person: student -> problem -> part -> {points, comment}.")]


def _examples(*lines: str) -> str:
    """A command's epilog: its examples, one per line, kept as written (`\\b` stops click
    from wrapping them)."""
    return "Examples:\n\n\b\n" + "\n".join(f"  {line}" for line in lines)


def _version(value: bool) -> None:
    if value:
        env.stdout.write(f"nncheck {__version__}\n")
        raise typer.Exit()


@app.callback()
def _root(
    version: Annotated[bool, typer.Option(
        "--version", callback=_version, is_eager=True, help="Print the version.")] = False,
) -> None:
    """Check neural-network exam answers against the truth."""


@contextlib.contextmanager
def _sigterm_interrupts() -> Iterator[None]:
    """SIGTERM stops a command as Ctrl-C does: cleaned up, nothing half-written, exit 130.

    The first of them stops the run; any that come after it are ignored, so that they cannot
    cut the clean-up short (it kills the workers and removes the staging folder at once).
    """
    stops = (signal.SIGINT, signal.SIGTERM)

    def interrupt(signum: int, frame: Any) -> None:
        for each in stops:
            signal.signal(each, signal.SIG_IGN)
        raise KeyboardInterrupt

    try:
        old = {each: signal.signal(each, interrupt) for each in stops}
    except ValueError:  # not the main thread: leave signals alone
        yield
        return
    try:
        yield
    finally:
        for each, handler in old.items():
            signal.signal(each, signal.SIG_DFL if handler is None else handler)


def _run(debug: bool, body: Callable[[], int]) -> None:
    """Run a command body; map errors to one line on stderr and an exit status."""
    try:
        with _sigterm_interrupts():
            code = body()
    except NncheckError as exc:
        if debug:
            traceback.print_exc()
        for line in _error_lines(exc):
            _stderr(f"error: {line}")
        raise typer.Exit(ExitStatus.ERROR) from None
    except KeyboardInterrupt:
        _stderr("interrupted")
        raise typer.Exit(ExitStatus.INTERRUPTED) from None
    except Exception as exc:  # a bug: say so in one line, the traceback under --debug
        if debug:
            traceback.print_exc()
        else:
            _stderr(f"internal error: {type(exc).__name__}: {exc} (run with --debug for the "
                    "traceback, and please report it)")
        raise typer.Exit(ExitStatus.BUG) from None
    raise typer.Exit(code)


def _error_lines(exc: NncheckError) -> list[str]:
    """An error as lines: every error found in one file, each on its own line."""
    from nncheck.errors import InputError

    return exc.lines() if isinstance(exc, InputError) else [str(exc)]


def _stderr(text: str) -> None:
    """One inert line on stderr: a message may quote a file's key, a path or a student's id."""
    # emoji=False: rich would turn `:100:` (a line number) into an emoji.
    env.console(stderr=True, highlight=False, soft_wrap=True, emoji=False).print(
        inert(text), markup=False)


def _resolve_format(fmt: Format) -> Format:
    if fmt is not Format.auto:
        return fmt
    return Format.rich if env.isatty else Format.text


def _console() -> Console:
    """The console a rich report is printed on."""
    return env.console(highlight=False, soft_wrap=False, emoji=False)


def _rtol(value: float | None) -> float | None:
    """A relative tolerance from the command line: a finite number, zero or more."""
    if value is not None and not (value >= 0 and value != float("inf")):
        raise NncheckError(f"--rtol {value} is not a tolerance",
                           expected="a finite number, 0 or more")
    return value


def _load_overrides(path: Path | None) -> dict[str, Any]:
    if path is None:
        return {}
    from nncheck.io.yaml import read_document
    from nncheck.spec.errors import validate
    from nncheck.spec.overrides import Overrides

    return validate(Overrides, read_document(path)).root_dict()


@app.command(
    cls=Command,
    short_help='Grade answer sheets: a pass/fail diff of every part.',
    epilog=_examples(
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

        bank = grading.load_bank(problems, rtol=_rtol(rtol)) if problems is not None else None
        extra = _load_overrides(overrides)
        fmt_ = _resolve_format(fmt)
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
                _stderr(f"error: {exc}")
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

    _run(debug, body)


def _check_one(grading: Any, path: Path, bank: Any, extra: dict[str, Any], rtol: float | None
               ) -> Any:
    """Read and grade one sheet of `check`: its result, or an NncheckError."""
    from nncheck.io.problems import load_sheet

    sheet = load_sheet(path, stdin=True)
    this_bank = bank
    # With a bank, a problem file is read only for its `answers:`, as `grade` reads it:
    # it is never graded against its own parts (it could grade itself full marks).
    if sheet.problem is not None and bank is None:
        this_bank = grading.make_bank([sheet.problem], rtol=_rtol(rtol))
    if this_bank is None:
        raise NncheckError(
            f"{sheet.path}: which problems does this sheet answer?",
            expected="--problems DIR (a folder of problem files)",
        )
    only = [str(sheet.problem.problem.id)] if sheet.problem is not None and bank is None \
        else None
    return grading.grade_sheet(
        this_bank, sheet.answers, sheet=sheet.path, student=sheet.student,
        overrides=extra.get(sheet.student.id), problems=only,
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

        _console().print(render_rich.render_sheet(result, solved=solved))


@app.command(
    cls=Command,
    short_help='Print the true answers; write an answer key or a blank sheet.',
    epilog=_examples(
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
    fmt: FormatOpt = Format.auto,
    rtol: RtolOpt = None,
    debug: DebugOpt = False,
) -> None:
    """Print the true answer of every part (and write an answer key or a blank sheet)."""

    def body() -> int:
        from nncheck import grading
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
        bank = grading.make_bank(loaded, rtol=_rtol(rtol), where=", ".join(map(str, paths)))
        for warning in bank.solve_all():
            _stderr(f"warning: {warning}")
        if blank is not None:
            empty = {pid: {p.id: None for p in lp.problem.parts}
                     for pid, lp in bank.problems.items()}
            write(blank, sheet_yaml("your-id", empty, name="Your Name"))
        if sheet is not None:
            key, unanswered = grading.answer_key(bank)
            write(sheet, sheet_yaml("key", key, name="answer key"))
            for line in unanswered:
                _stderr(f"note: {'the key' if os.fspath(sheet) == '-' else sheet} leaves out "
                        f"{line}")
        # A sheet written to standard output is all that goes there.
        if not any(os.fspath(o) == "-" for o in outputs):
            _print_sheet(grading.solve_bank(bank), _resolve_format(fmt), solved=True)
        return ExitStatus.OK

    _run(debug, body)


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


@app.command(
    cls=Command,
    short_help='Grade a whole class; write the gradebook and statistics.',
    epilog=_examples(
    'nncheck grade class/ --problems problems/seed-exam --out report',
    'nncheck grade class/ -p bank --overrides overrides.yaml --reveal expected',
    'nncheck grade class/ -p bank --student s07 --out report-s07',
    'nncheck grade class/ -p bank --shard 2/3 --out report-2 --jobs 8',
    ),
)
def grade(
    class_dir: Annotated[Path, typer.Argument(
        metavar="CLASS_DIR",
        help="The class: CLASS_DIR/*.yaml or CLASS_DIR/<student>/answers.yaml (or "
        "submission.yaml; .yml too).",
        show_default=False)],
    problems: ProblemsOpt = None,
    out: Annotated[Path, typer.Option(
        "--out", "-o", metavar="DIR",
        help="Folder for grades.csv, results.jsonl, feedback/, gradescope/ and "
        "summary.json; replaced whole, so an existing one must hold a report only, apart from "
        "CLASS_DIR, --problems and --overrides.")
    ] = Path("nncheck-report"),
    jobs: Annotated[Optional[int], typer.Option(  # noqa: UP045
        "--jobs", "-j", metavar="N", parser=parse_count,
        help="Sheets graded in parallel (default and most: the usable cores).",
        show_default=False)] = None,
    student: Annotated[Optional[str], typer.Option(  # noqa: UP045
        "--student", metavar="ID",
        help="Grade one student only (an id, or a sheet's file or folder name).",
        show_default=False)] = None,
    shard: Annotated[Optional[str], typer.Option(  # noqa: UP045
        "--shard", metavar="K/N", help="Grade slice K of N (a stable hash of each sheet's path).",
        show_default=False)] = None,
    overrides: OverridesOpt = None,
    reveal: Annotated[Reveal, typer.Option(
        "--reveal", metavar="verdict|mistake|expected", parser=parse_choice(Reveal),
        help="What feedback/ and gradescope/ show: the verdict, the named mistake "
        "too, or the expected answer too.")] = Reveal.mistake,
    rtol: RtolOpt = None,
    fmt: FormatOpt = Format.auto,
    debug: DebugOpt = False,
) -> None:
    """Grade every sheet of a class; write gradebook, feedback and statistics to --out."""

    def body() -> int:
        from nncheck import classroom, gradebook
        from nncheck.render.summary import summary_lines

        if problems is None:
            raise NncheckError("which problems does this class answer?",
                               expected="--problems DIR (a folder of problem files)")
        options = classroom.Options(
            jobs=jobs, student=student, overrides=_load_overrides(overrides),
            shard=classroom.parse_shard(shard) if shard is not None else None,
            reveal=reveal.value, rtol=_rtol(rtol), debug=debug,
        )
        cores = classroom.usable_cores()
        if jobs is not None and jobs > cores:
            _stderr(f"note: --jobs {jobs} is more than the {cores} usable "
                    f"core{'s' * (cores != 1)}; grading with {cores}")
        fmt_ = _resolve_format(fmt)
        bar: Any = None

        def progress(done: int, total: int) -> None:
            nonlocal bar
            if bar is None:  # started once the workers exist: forking with its thread is unsafe
                from rich.progress import Progress

                bar = Progress(console=env.console(stderr=True), transient=True)
                bar.start()
                bar.add_task("grading", total=total)
            bar.update(bar.task_ids[0], completed=done)

        try:
            summary = gradebook.grade_into(out, class_dir, problems, options,
                                           progress=progress if fmt_ is Format.rich else None,
                                           overrides_file=overrides)
        finally:
            if bar is not None:
                bar.stop()
        lines = [inert(line) for line in summary_lines(summary, out=str(out))]
        if fmt_ is Format.json:
            env.stdout.write(json_line(summary) + "\n")
        elif fmt_ is Format.text:
            env.stdout.write(inert_lines("\n".join(lines) + "\n"))
        else:
            from nncheck.render import rich as render_rich

            _console().print(render_rich.lines(lines))
        failed = summary["status"]["failed"] or summary["status"]["error"]
        return ExitStatus.FAILED if failed else ExitStatus.OK

    _run(debug, body)


@app.command(
    cls=Command,
    short_help='Check problem files and sheets without grading.',
    epilog=_examples(
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

                        warnings += grading.make_bank([problem]).solve_all()
                    if bank is not None and not isinstance(item, LoadedProblem):
                        unknown += grading.located_unknown_answers(bank, item)
                    report.append(_describe(item))
                except NncheckError as exc:
                    errors += _error_lines(exc)
        if _resolve_format(fmt) is Format.json:
            env.stdout.write(json_line({"valid": report, "errors": errors,
                                        "warnings": warnings + unknown}) + "\n")
        else:
            for line in report:
                env.stdout.write(f"ok: {inert(line)}\n")
            for line in warnings + unknown:
                _stderr(f"warning: {line}")
            for line in errors:
                _stderr(f"error: {line}")
        if errors:
            return ExitStatus.ERROR
        return ExitStatus.FAILED if unknown else ExitStatus.OK

    _run(debug, body)


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
    epilog=_examples(
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

    _run(debug, body)


def _plain_completion_help() -> None:
    """Let shell completion list our help texts as they are.

    zsh and fish show each choice's help; typer strips rich markup from it with its rich help
    module, which imports rich's markdown stack (~100 ms) on every Tab press. Our help holds no
    markup (`rich_markup_mode=None`), so there is nothing to strip.
    """
    with contextlib.suppress(ImportError):
        from typer import _completion_classes

        if hasattr(_completion_classes, "_sanitize_help_text"):
            _completion_classes._sanitize_help_text = _as_is


def _as_is(text: str) -> str:
    return text


def main() -> None:
    """Entry point of the `nncheck` command."""
    if os.environ.get("NO_COLOR"):
        os.environ.setdefault("TERM", "dumb")
    if os.environ.get("_NNCHECK_COMPLETE"):
        _plain_completion_help()
    # One name however it was started (`python -m nncheck` too): shell completion calls the
    # program back by this name, and reads `_NNCHECK_COMPLETE`.
    app(prog_name="nncheck")
