"""The command line: a thin shell over loading, grading and rendering.

One module per command family registers its commands on the one `app` of `cli.base`.
"""

from __future__ import annotations

import contextlib
import gc
import os

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
    app(prog_name="nncheck")
