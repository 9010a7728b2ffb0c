"""`merge`: shard reports combined into the report of one run over the whole class."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from nncheck.cli.base import (
    DebugOpt,
    FormatOpt,
    app,
    env,
    examples,
    report_console,
    resolve_format,
    run_command,
)
from nncheck.cli.environment import ExitStatus, Format
from nncheck.cli.params import Command
from nncheck.words import inert, inert_lines, json_line


@app.command(
    cls=Command,
    short_help="Merge the reports of `grade --shard K/N` into one.",
    epilog=examples(
    'nncheck merge report shard-1 shard-2 shard-3',
    'nncheck merge report shards/*/',
    ),
)
def merge(
    out: Annotated[Path, typer.Argument(
        metavar="OUT",
        help="Folder for the merged report: grades.csv, results.jsonl, feedback/, gradescope/ "
        "and summary.json, as one run over the whole class writes them; replaced whole, so "
        "an existing one must hold a report only.", show_default=False)],
    shards: Annotated[list[Path], typer.Argument(
        metavar="DIR",
        help="The report of every shard K/N, K = 1 … N (any order), graded with the same "
        "bank, nncheck version, class folder path and options; a student id in two shards "
        "is refused.", show_default=False)],
    fmt: FormatOpt = Format.auto,
    debug: DebugOpt = False,
) -> None:
    """Merge shard reports into the report of one run over the whole class, byte for byte."""

    def body() -> int:
        from nncheck import merging
        from nncheck.render.summary import summary_lines

        summary = merging.merge_into(out, shards)
        lines = [inert(line) for line in summary_lines(summary, out=str(out))]
        fmt_ = resolve_format(fmt)
        if fmt_ is Format.json:
            env.stdout.write(json_line(summary) + "\n")
        elif fmt_ is Format.text:
            env.stdout.write(inert_lines("\n".join(lines) + "\n"))
        else:
            from nncheck.render import rich as render_rich

            report_console().print(render_rich.lines(lines))
        failed = summary["status"]["failed"] or summary["status"]["error"]
        return ExitStatus.FAILED if failed else ExitStatus.OK

    run_command(debug, body)
