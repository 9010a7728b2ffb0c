"""What every command shares: the environment, the app, common options and how a command
body is run (errors to one line on stderr and an exit status)."""

from __future__ import annotations

import contextlib
import os
import signal
import traceback
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, Optional

import typer

from nncheck import __version__
from nncheck.cli.environment import Environment, ExitStatus, Format
from nncheck.cli.params import parse_choice, parse_number
from nncheck.errors import NncheckError
from nncheck.words import inert

if TYPE_CHECKING:
    from rich.console import Console

    from nncheck.io.overrides import OverridesFile


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
    help="Scores set by a person: student -> problem -> part -> {points, comment}; "
    "class-wide `rules:` and answer `groups:` (nncheck review).")]


def examples(*lines: str) -> str:
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


def run_command(debug: bool, body: Callable[[], int]) -> None:
    """Run a command body; map errors to one line on stderr and an exit status."""
    try:
        with _sigterm_interrupts():
            code = body()
    except NncheckError as exc:
        if debug:
            traceback.print_exc()
        for line in error_lines(exc):
            to_stderr(f"error: {line}")
        raise typer.Exit(ExitStatus.ERROR) from None
    except KeyboardInterrupt:
        to_stderr("interrupted")
        raise typer.Exit(ExitStatus.INTERRUPTED) from None
    except BrokenPipeError:
        # The reader of the output stopped early (`nncheck check ... | head`): nothing more is
        # said, as of a program that SIGPIPE ends; the output is pointed at /dev/null so that
        # the flush at exit cannot fail again.
        _silence(env.stdout)
        raise typer.Exit(ExitStatus.PIPE_CLOSED) from None
    except Exception as exc:  # a bug: say so in one line, the traceback under --debug
        if debug:
            traceback.print_exc()
        else:
            to_stderr(f"internal error: {type(exc).__name__}: {exc} (run with --debug for the "
                    "traceback, and please report it)")
        raise typer.Exit(ExitStatus.BUG) from None
    raise typer.Exit(code)


def _silence(stream: Any) -> None:
    with contextlib.suppress(OSError, ValueError):  # a stream with no file (a test's buffer)
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, stream.fileno())
        os.close(devnull)


def error_lines(exc: NncheckError) -> list[str]:
    """An error as lines: every error found in one file, each on its own line."""
    from nncheck.errors import InputError

    return exc.lines() if isinstance(exc, InputError) else [str(exc)]


def to_stderr(text: str) -> None:
    """One inert line on stderr: a message may quote a file's key, a path or a student's id."""
    # emoji=False: rich would turn `:100:` (a line number) into an emoji.
    env.console(stderr=True, highlight=False, soft_wrap=True, emoji=False).print(
        inert(text), markup=False)


def resolve_format(fmt: Format) -> Format:
    if fmt is not Format.auto:
        return fmt
    return Format.rich if env.isatty else Format.text


def report_console() -> Console:
    """The console a rich report is printed on."""
    return env.console(highlight=False, soft_wrap=False, emoji=False)


def checked_rtol(value: float | None) -> float | None:
    """A relative tolerance from the command line: a finite number, zero or more."""
    if value is not None and not (value >= 0 and value != float("inf")):
        raise NncheckError(f"--rtol {value} is not a tolerance",
                           expected="a finite number, 0 or more")
    return value


def load_overrides(path: Path | None) -> OverridesFile:
    """The --overrides file, validated (per-student overrides, rules, answer groups)."""
    from nncheck.io.overrides import OverridesFile, read_overrides
    from nncheck.regrade import Regrade

    if path is None:
        return OverridesFile({}, Regrade(), None)
    return read_overrides(path)


def class_problems(problems: Path | None) -> Path:
    """The bank a class is graded against: --problems, which a class command needs."""
    if problems is None:
        raise NncheckError("which problems does this class answer?",
                           expected="--problems DIR (a folder of problem files)")
    return problems


def print_class_summary(summary: dict[str, Any], out: Path, fmt: Format, *,
                        sort: str = "bank") -> int:
    """A class report's summary, as `grade` and `merge` print it; the exit status it gives."""
    from nncheck.render.summary import summary_lines
    from nncheck.words import inert_lines, json_line

    lines = [inert(line) for line in summary_lines(summary, out=str(out), sort=sort)]
    fmt = resolve_format(fmt)
    if fmt is Format.json:
        env.stdout.write(json_line(summary) + "\n")
    elif fmt is Format.text:
        env.stdout.write(inert_lines("\n".join(lines) + "\n"))
    else:
        from nncheck.render import rich as render_rich

        report_console().print(render_rich.lines(lines))
    failed = summary["status"]["failed"] or summary["status"]["error"]
    return ExitStatus.FAILED if failed else ExitStatus.OK
