"""The command line: a thin shell over loading, grading and rendering."""

from __future__ import annotations

import contextlib
import enum
import json
import os
import signal
import sys
import traceback
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import IO, TYPE_CHECKING, Annotated, Any, Optional

import typer

from nncheck import __version__
from nncheck.errors import NncheckError
from nncheck.words import inert, inert_lines, json_line

if TYPE_CHECKING:
    from rich.console import Console


class ExitStatus(enum.IntEnum):
    """What the exit code says."""

    OK = 0  # every graded part is correct (or the files are valid)
    FAILED = 1  # some part is wrong, missing or invalid
    ERROR = 2  # bad input or usage: a file that cannot be read or validated
    BUG = 3  # an internal error in nncheck itself
    INTERRUPTED = 130  # Ctrl-C or SIGTERM (128 + SIGINT, as a shell reports it)


class Environment:
    """Where the commands write: stdout and stderr, whether stdout is a terminal, and the
    consoles. Every console is made here; a test may put its own in `env` (streams, a terminal
    it pretends), and a stream left out is `sys.stdout` / `sys.stderr` as they are when used.
    """

    def __init__(self, stdout: IO[str] | None = None, stderr: IO[str] | None = None,
                 isatty: bool | None = None) -> None:
        self._stdout = stdout
        self._stderr = stderr
        self._isatty = isatty

    @property
    def stdout(self) -> IO[str]:
        """The stream that results go to."""
        return sys.stdout if self._stdout is None else self._stdout

    @property
    def stderr(self) -> IO[str]:
        """The stream that errors, notes and the progress bar go to."""
        return sys.stderr if self._stderr is None else self._stderr

    @property
    def isatty(self) -> bool:
        """Whether stdout is a terminal (`--format auto` is rich there, text elsewhere)."""
        return self.stdout.isatty() if self._isatty is None else self._isatty

    def console(self, *, stderr: bool = False, **settings: Any) -> Console:
        """A rich console on stdout (or stderr), with rich's own `settings`."""
        from rich.console import Console

        if not stderr and self._isatty is not None:
            settings.setdefault("force_terminal", self._isatty)
        return Console(file=self._stderr if stderr else self._stdout, stderr=stderr, **settings)


env = Environment()


class Format(str, enum.Enum):
    """Output formats."""

    auto = "auto"
    rich = "rich"
    text = "text"
    json = "json"


class Reveal(str, enum.Enum):
    """How much of the truth a report shows a student."""

    verdict = "verdict"
    mistake = "mistake"
    expected = "expected"


app = typer.Typer(
    name="nncheck",
    help="Check neural-network exam answers against the truth.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    # Plain help: typer's rich help would import rich's markdown stack (~85 ms) on every
    # `--help` and usage error; reports still use rich.
    rich_markup_mode=None,
    context_settings={"help_option_names": ["-h", "--help"]},
)

FormatOpt = Annotated[Format, typer.Option(
    "--format", "-f", help="rich on a terminal, text when piped, or json.")]
DebugOpt = Annotated[bool, typer.Option("--debug", help="Show tracebacks of errors.")]
ProblemsOpt = Annotated[Optional[Path], typer.Option(  # noqa: UP045 (typer reads it)
    "--problems", "-p", help="The problem bank: a folder of problem files (DIR/*.yaml).")]
RtolOpt = Annotated[Optional[float], typer.Option(  # noqa: UP045
    "--rtol", help="Relative tolerance for real answers (a problem or part may set its own).")]
OverridesOpt = Annotated[Optional[Path], typer.Option(  # noqa: UP045
    "--overrides", help="Scores set by a person: student -> problem -> part -> {points, comment}.")]


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
        _stderr(f"error: {exc}")
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


@app.command()
def check(
    sheets: Annotated[list[Path], typer.Argument(
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

        env.stdout.write(text.render_sheet(result))
    else:
        from nncheck.render import rich as render_rich

        _console().print(render_rich.render_sheet(result))


@app.command()
def solve(
    paths: Annotated[list[Path], typer.Argument(
        help="Problem files, or folders of them.", show_default=False)],
    sheet: Annotated[Optional[Path], typer.Option(  # noqa: UP045
        "--sheet", help="Write an answer sheet that scores full marks (- for standard "
        "output).")] = None,
    blank: Annotated[Optional[Path], typer.Option(  # noqa: UP045
        "--blank", help="Write an empty sheet with every problem and part id (- for standard "
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
        for o in outputs:  # refused before anything is solved or written
            if os.fspath(o) != "-":
                output_target(o)

        def write(path: Path, text: str) -> None:
            if os.fspath(path) == "-":
                env.stdout.write(text)
            else:
                write_atomic(path, text)

        loaded = []
        for path in paths:
            files = bank_files(path) if path.is_dir() else [path]
            loaded += [load_problem(f) for f in files]
        bank = grading.make_bank(loaded, rtol=_rtol(rtol), where=", ".join(map(str, paths)))
        bank.solve_all()
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


@app.command()
def grade(
    class_dir: Annotated[Path, typer.Argument(
        help="The class: CLASS_DIR/*.yaml or CLASS_DIR/<student>/answers.yaml (or "
        "submission.yaml; .yml too).",
        show_default=False)],
    problems: ProblemsOpt = None,
    out: Annotated[Path, typer.Option(
        "--out", "-o", help="Folder for grades.csv, results.jsonl, feedback/, gradescope/ and "
        "summary.json; replaced whole, so an existing one must hold a report only, apart from "
        "CLASS_DIR, --problems and --overrides.")
    ] = Path("nncheck-report"),
    jobs: Annotated[Optional[int], typer.Option(  # noqa: UP045
        "--jobs", "-j", min=1,
        help="Sheets graded in parallel (default and most: the usable cores).",
        show_default=False)] = None,
    student: Annotated[Optional[str], typer.Option(  # noqa: UP045
        "--student", help="Grade one student only (an id, or a sheet's file or folder name).",
        show_default=False)] = None,
    shard: Annotated[Optional[str], typer.Option(  # noqa: UP045
        "--shard", metavar="K/N", help="Grade slice K of N (a stable hash of each sheet's path).",
        show_default=False)] = None,
    overrides: OverridesOpt = None,
    reveal: Annotated[Reveal, typer.Option(
        "--reveal", help="What feedback/ and gradescope/ show: the verdict, the named mistake "
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


@app.command()
def validate(
    paths: Annotated[list[Path], typer.Argument(
        help="Problem files, sheets, or folders of problem files.", show_default=False)],
    solve: Annotated[bool, typer.Option(
        "--solve", help="Also solve every part of the problems (finds a layer that cannot "
        "take its input, a prediction that is not a probability vector, ...).")] = False,
    fmt: FormatOpt = Format.auto,
    debug: DebugOpt = False,
) -> None:
    """Check problem files and sheets against the format, without grading."""

    def body() -> int:
        from nncheck.io.problems import LoadedProblem, bank_files, load_any

        errors = []
        report = []
        for path in paths:
            files = bank_files(path) if path.is_dir() else [path]
            for f in files:
                try:
                    item = load_any(f)
                    problem = item if isinstance(item, LoadedProblem) else item.problem
                    if solve and problem is not None:
                        from nncheck import grading

                        grading.make_bank([problem]).solve_all()
                    report.append(_describe(item))
                except NncheckError as exc:
                    errors.append(str(exc))
        if _resolve_format(fmt) is Format.json:
            env.stdout.write(json.dumps({"valid": report, "errors": errors}) + "\n")
        else:
            for line in report:
                env.stdout.write(f"ok: {inert(line)}\n")
            for line in errors:
                _stderr(f"error: {line}")
        return ExitStatus.ERROR if errors else ExitStatus.OK

    _run(debug, body)


def _describe(item: Any) -> str:
    from nncheck.io.problems import LoadedProblem

    if isinstance(item, LoadedProblem):
        n = len(item.problem.parts)
        return f"{item.path}: problem `{item.problem.id}`, {n} part{'s' * (n != 1)}"
    count = sum(v is not None for mine in item.answers.values() for v in (mine or {}).values())
    return f"{item.path}: sheet of `{item.student.id}`, {count} answer{'s' * (count != 1)}"


@app.command()
def schema(
    which: Annotated[str, typer.Argument(help="problem or sheet", show_default=False)],
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


def main() -> None:
    """Entry point of the `nncheck` command."""
    if os.environ.get("NO_COLOR"):
        os.environ.setdefault("TERM", "dumb")
    app()
