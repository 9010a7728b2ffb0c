"""The command line: a thin shell over loading, grading and rendering.

One module per command family registers its commands on the one `app` of `cli.base`.
"""

from __future__ import annotations

import contextlib
import copy
import gc
import os
import sys

import typer

# Every module of the command line, loaded with it: the command modules register their
# commands on the one app.
from nncheck.cli import (  # noqa: F401
    base,
    check,
    environment,
    exports,
    grade,
    gradescope,
    merge,
    params,
    review,
    validate,
    variants,
)
from nncheck.cli.base import app, env
from nncheck.cli.environment import Environment, ExitStatus, Format, Reveal

__all__ = ["Environment", "ExitStatus", "Format", "Reveal", "app", "env", "main"]


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
    # A command's first steps make tens of thousands of objects that live as long as it does
    # (pydantic schemas, dataclasses, numpy): at the default threshold of 700 allocations the
    # collector walks them again and again. Garbage cycles are still collected, in larger steps.
    gc.set_threshold(10_000, 10, 10)
    if os.environ.get("NO_COLOR"):
        os.environ.setdefault("TERM", "dumb")
    if os.environ.get("_NNCHECK_COMPLETE"):
        _plain_completion_help()
    # One name however it was started (`python -m nncheck` too): shell completion calls the
    # program back by this name, and reads `_NNCHECK_COMPLETE`.
    _for_command(sys.argv[1:])(prog_name="nncheck")


def _for_command(args: list[str]) -> typer.Typer:
    """The app to run `nncheck ARGS` with: one with only the command ARGS name, if they start
    with the name of a command.

    Typer builds the click command of every registered command (their signatures, type hints
    and parameters, ~15 ms) before it parses anything; a run of one command needs its own
    alone. Its help, usage errors and results are the same as the whole app's (the name of a
    command is all the app's parser reads before handing the rest over to that command). Any
    other start (an option, a mistyped name, no name, shell completion) gets the whole app.
    """
    if not args or os.environ.get("_NNCHECK_COMPLETE"):
        return app
    chosen = [info for info in app.registered_commands if _command_name(info) == args[0]]
    if len(chosen) != 1 or app.registered_groups:
        return app
    one = copy.copy(app)
    one.registered_commands = chosen
    return one


def _command_name(info: typer.models.CommandInfo) -> str | None:
    """The name a command is called by, as typer names it."""
    if info.name:
        return info.name
    if info.callback is None:
        return None
    return info.callback.__name__.lower().replace("_", "-")
