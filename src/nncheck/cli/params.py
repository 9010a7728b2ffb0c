"""How the command line reads its arguments: usage lines in our words, and option values
parsed with our own messages (typer's would name Python types and click's internals)."""

from __future__ import annotations

import enum
from collections.abc import Callable
from typing import Any

import typer

from nncheck.words import inert, suggestion


class Command(typer.core.TyperCommand):
    """A command whose usage line and argument list name arguments by their metavar
    (`SHEET...`), not by their Python name and type (`{sheets}... <list[Path]>`)."""

    def collect_usage_pieces(self, ctx: Any) -> list[str]:
        pieces = [self.options_metavar] if self.options_metavar else []
        for param in self.get_params(ctx):
            if param.param_type_name == "argument":
                name = argument_name(param)
                pieces.append(name if param.required else f"[{name}]")
        return pieces

    def format_options(self, ctx: Any, formatter: Any) -> None:
        args = [(argument_name(p), getattr(p, "help", None) or "") for p in self.get_params(ctx)
                if p.param_type_name == "argument"]
        opts = [record for p in self.get_params(ctx) if p.param_type_name == "option"
                for record in [p.get_help_record(ctx)] if record is not None]
        for title, rows in (("Arguments", args), ("Options", opts)):
            if rows:
                with formatter.section(title):
                    formatter.write_dl(rows)


def argument_name(param: Any) -> str:
    """An argument as the usage line names it: its metavar, `...` when it takes several."""
    name = param.metavar or param.name.upper()
    return name + ("..." if param.nargs != 1 else "")


def parse_choice(kind: type[enum.Enum]) -> Callable[[Any], Any]:
    """A parser for an option with fixed values: an unknown one is named, with a suggestion."""
    names = [str(member.value) for member in kind]

    def parse(value: Any) -> Any:
        if isinstance(value, kind):
            return value
        if value in names:
            return kind(value)
        raise typer.BadParameter(
            f"`{inert(str(value))}` is not one of {', '.join(names)}"
            f"{suggestion(str(value), names)}")

    return parse


def parse_number(value: Any) -> float:
    """A parser for a real number option: `--rtol 1e-6`."""
    if isinstance(value, float):
        return value
    try:
        return float(value)
    except ValueError:
        raise typer.BadParameter(f"expected a number, found `{inert(str(value))}`") from None


def parse_count(value: Any) -> int:
    """A parser for a count option, 1 or more: `--jobs 4`."""
    try:
        number = int(value)
    except ValueError:
        number = 0
    if number < 1:
        raise typer.BadParameter(
            f"expected a whole number, 1 or more, found `{inert(str(value))}`")
    return number
