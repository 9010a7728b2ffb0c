"""`grade`: a whole class into a report folder."""

from __future__ import annotations

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
    class_problems,
    env,
    examples,
    load_overrides,
    print_class_summary,
    resolve_format,
    run_command,
    to_stderr,
)
from nncheck.cli.environment import Format, Reveal, Sort
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
from nncheck.cli.params import Command, parse_choice, parse_count
from nncheck.errors import NncheckError


@app.command(
    cls=Command,
    short_help='Grade a whole class; write the gradebook and statistics.',
    epilog=examples(
    'nncheck grade class/ --problems problems/seed-exam --out report',
    'nncheck grade class/ -p bank --overrides overrides.yaml --reveal expected',
    'nncheck grade class/ -p bank --student s07 --out report-s07',
    'nncheck grade class/ -p bank --student s07 --update --out report',
    'nncheck grade class/ -p bank --shard 2/3 --out report-2 --jobs 8',
    'nncheck grade class/ -p bank --roster roster.csv --export canvas --per-part',
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
        help="Folder for grades.csv, results.jsonl, feedback/, gradescope/, "
        "summary.json and report.html; replaced whole, so an existing one must hold a report "
        "only, apart from CLASS_DIR, --problems and --overrides.")
    ] = Path("nncheck-report"),
    jobs: Annotated[Optional[int], typer.Option(  # noqa: UP045
        "--jobs", "-j", metavar="N", parser=parse_count,
        help="Sheets graded in parallel (default and most: the usable cores).",
        show_default=False)] = None,
    student: Annotated[Optional[str], typer.Option(  # noqa: UP045
        "--student", metavar="ID",
        help="Grade one student only (an id, or a sheet's file or folder name): --out gets a "
        "report of that one sheet, or, with --update, the class report in --out gets that "
        "student's rows and files replaced.",
        show_default=False)] = None,
    update: Annotated[bool, typer.Option(
        "--update",
        help="With --student: regrade that student into the existing class report --out "
        "(graded with the same bank and options); the statistics are counted again.")
    ] = False,
    shard: Annotated[Optional[str], typer.Option(  # noqa: UP045
        "--shard", metavar="K/N", help="Grade slice K of N (a stable hash of each sheet's path).",
        show_default=False)] = None,
    overrides: OverridesOpt = None,
    reveal: Annotated[Reveal, typer.Option(
        "--reveal", metavar="verdict|mistake|expected", parser=parse_choice(Reveal),
        help="What feedback/ and gradescope/ show: the verdict, the named mistake "
        "too, or the expected answer too.")] = Reveal.mistake,
    rtol: RtolOpt = None,
    sort: Annotated[Sort, typer.Option(
        "--sort", metavar="bank|difficulty", parser=parse_choice(Sort),
        help="How the summary orders the parts: as in the bank, or hardest first (lowest "
        "mean score over max first).")] = Sort.bank,
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
    """Grade every sheet of a class; write gradebook, feedback and statistics to --out."""

    def body() -> int:
        from nncheck import classroom, gradebook

        bank = class_problems(problems)
        extras = report_extras(problems=bank, roster=roster, missing=missing,
                                export=export, assignment=assignment,
                                assignment_id=assignment_id, per_problem=per_problem,
                                moodle_id=moodle_id, per_part=per_part)
        if update and student is None:
            raise NncheckError("--update regrades one student into a class report",
                               expected="--student ID --update --out REPORT")
        if update and shard is not None:
            raise NncheckError("--update and --shard together",
                               expected="--update into a report of the whole class")
        given = load_overrides(overrides)
        options = classroom.Options(
            jobs=jobs, student=student, overrides=given.students, regrade=given.regrade,
            shard=classroom.parse_shard(shard) if shard is not None else None,
            reveal=reveal.value, rtol=checked_rtol(rtol), debug=debug,
        )
        cores = classroom.usable_cores()
        if jobs is not None and jobs > cores:
            to_stderr(f"note: --jobs {jobs} is more than the {cores} usable "
                    f"core{'s' * (cores != 1)}; grading with {cores}")
        fmt_ = resolve_format(fmt)
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
            if update:
                from nncheck import merging

                summary = merging.update_into(out, class_dir, bank, options,
                                              progress=progress if fmt_ is Format.rich else None,
                                              overrides_file=overrides, extras=extras)
            else:
                summary = gradebook.grade_into(out, class_dir, bank, options,
                                               progress=progress if fmt_ is Format.rich else None,
                                               overrides_file=overrides, extras=extras)
        finally:
            if bar is not None:
                bar.stop()
        warn_extras(summary)
        return print_class_summary(summary, out, fmt, sort=sort.value)

    run_command(debug, body)


