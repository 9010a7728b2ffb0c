"""`merge`: shard reports combined into the report of one run over the whole class."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from nncheck.cli.base import (
    DebugOpt,
    FormatOpt,
    app,
    examples,
    print_class_summary,
    run_command,
)
from nncheck.cli.environment import Format
from nncheck.cli.exports import (
    AssignmentIdOpt,
    AssignmentOpt,
    ExportOpt,
    MissingOpt,
    MoodleId,
    MoodleIdOpt,
    PerPartOpt,
    PerProblemOpt,
    RosterOpt,
    report_extras,
    warn_extras,
)
from nncheck.cli.params import Command


@app.command(
    cls=Command,
    short_help="Merge the reports of `grade --shard K/N` into one.",
    epilog=examples(
    'nncheck merge report shard-1 shard-2 shard-3',
    'nncheck merge report shards/*/',
    'nncheck merge report s1 s2 --roster r.csv --export canvas --assignment Exam1',
    ),
)
def merge(
    out: Annotated[Path, typer.Argument(
        metavar="OUT",
        help="Folder for the merged report: grades.csv, results.jsonl, feedback/, gradescope/, "
        "summary.json and report.html (and the imports), as one run over the whole class "
        "writes them; replaced whole, so an existing one must hold a report only.",
        show_default=False)],
    shards: Annotated[list[Path], typer.Argument(
        metavar="DIR",
        help="The report of every shard K/N, K = 1 … N (any order), graded with the same "
        "bank, nncheck version, class folder path and options; a student id in two shards "
        "is refused; graded with or without --roster, --export and --per-part, which the "
        "merge takes as its own options.", show_default=False)],
    roster: RosterOpt = None,
    missing: MissingOpt = None,
    per_part: PerPartOpt = False,
    export: ExportOpt = None,
    assignment: AssignmentOpt = None,
    assignment_id: AssignmentIdOpt = None,
    per_problem: PerProblemOpt = False,
    moodle_id: MoodleIdOpt = MoodleId.email,
    fmt: FormatOpt = Format.auto,
    debug: DebugOpt = False,
) -> None:
    """Merge shard reports into the report of one run over the whole class, byte for byte."""

    def body() -> int:
        from nncheck import merging

        extras = report_extras(problems=None, roster=roster, missing=missing, export=export,
                               assignment=assignment, assignment_id=assignment_id,
                               per_problem=per_problem, moodle_id=moodle_id, per_part=per_part)
        summary = merging.merge_into(out, shards, extras)
        warn_extras(summary)
        return print_class_summary(summary, out, fmt)

    run_command(debug, body)
