"""The command line's environment: every stream, terminal check and console comes from `cli.env`,
so a test can give it its own streams and pretend a terminal."""

from __future__ import annotations

import io

import pytest
from typer.testing import CliRunner

from conftest import SEED
from nncheck import __version__, cli

SEED_SHEET = SEED / "sheets" / "seed-student.yaml"


@pytest.fixture
def streams(monkeypatch):
    """Put fresh stdout/stderr streams in `cli.env`; give a function that sets the terminal."""
    out, err = io.StringIO(), io.StringIO()

    def use(isatty: bool | None = None) -> tuple[io.StringIO, io.StringIO]:
        # The one environment every command module shares, given other streams in place.
        fresh = cli.Environment(stdout=out, stderr=err, isatty=isatty)
        for name, value in vars(fresh).items():
            monkeypatch.setattr(cli.env, name, value)
        return out, err

    return use


def invoke(*args: object) -> int:
    """Run the command in-process; what it writes to the real streams must stay empty."""
    result = CliRunner().invoke(cli.app, [str(a) for a in args])
    assert result.output == "", "a command wrote past cli.env"
    return result.exit_code


def test_exit_codes_are_named_as_the_readme_lists_them():
    # 0 all correct, 1 some part wrong, 2 bad input, 3 internal bug, 130 interrupted.
    assert {s.name: s.value for s in cli.ExitStatus} == {
        "OK": 0, "FAILED": 1, "ERROR": 2, "BUG": 3, "INTERRUPTED": 130, "PIPE_CLOSED": 141,
    }


def test_the_version_goes_to_the_environments_stdout(streams):
    out, err = streams()
    assert invoke("--version") == 0
    assert out.getvalue() == f"nncheck {__version__}\n"
    assert err.getvalue() == ""


def test_an_error_goes_to_the_environments_stderr_as_one_line(streams):
    out, err = streams()
    assert invoke("schema", "nope") == 2
    assert out.getvalue() == ""
    # errors.NncheckError's wording: `what — what was expected`.
    assert err.getvalue() == "error: unknown schema `nope` — problem or sheet\n"


def test_format_auto_is_text_when_stdout_is_not_a_terminal(streams):
    out, err = streams(isatty=False)
    assert invoke("check", SEED_SHEET, "--problems", SEED) == 1  # some of its parts are wrong
    lines = out.getvalue().splitlines()
    # The sheet's student block: id seed-student, name Seed Student; then the path as given.
    assert lines[0] == f"seed-student (Seed Student) — {SEED_SHEET}"
    assert "\x1b[" not in out.getvalue()
    assert err.getvalue() == ""


def test_format_auto_is_rich_with_colours_on_a_terminal(streams):
    out, err = streams(isatty=True)
    assert invoke("check", SEED_SHEET, "--problems", SEED) == 1  # some of its parts are wrong
    shown = out.getvalue()
    assert "\x1b[" in shown  # styles, which only a terminal gets
    assert "┏" in shown  # a rich table's heavy head
    assert err.getvalue() == ""


class _ClosedPipe(io.StringIO):
    """Standard output whose reader has gone (`| head` that has read its lines)."""

    def write(self, text: str) -> int:
        raise BrokenPipeError(32, "Broken pipe")


def test_a_reader_that_stops_early_ends_the_command_quietly(monkeypatch):
    # `nncheck check ... | head -1`: no "internal error", no traceback, exit 141 (128 + SIGPIPE),
    # as a shell reports any program that SIGPIPE ends.
    err = io.StringIO()
    fresh = cli.Environment(stdout=_ClosedPipe(), stderr=err, isatty=False)
    for name, value in vars(fresh).items():
        monkeypatch.setattr(cli.env, name, value)
    code = invoke("check", SEED_SHEET, "--problems", SEED, "--format", "text")
    assert code == 141
    assert err.getvalue() == ""
