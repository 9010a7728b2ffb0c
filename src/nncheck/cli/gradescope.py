"""`gradescope`: grade one submission as Gradescope's autograder, or write the autograder."""

from __future__ import annotations

import enum
import time
from pathlib import Path
from typing import Annotated, Any, Optional

import typer

from nncheck import __version__
from nncheck.cli.base import (
    DebugOpt,
    FormatOpt,
    ProblemsOpt,
    RtolOpt,
    app,
    checked_rtol,
    env,
    examples,
    resolve_format,
    run_command,
    to_stderr,
)
from nncheck.cli.environment import ExitStatus, Format, Reveal
from nncheck.cli.params import Command, parse_choice
from nncheck.errors import NncheckError
from nncheck.words import inert, json_line, one_line


class Visibility(str, enum.Enum):
    """When Gradescope shows a student a result."""

    hidden = "hidden"
    after_due_date = "after_due_date"
    after_published = "after_published"
    visible = "visible"


VisibilityHelp = "hidden|after_due_date|after_published|visible"
PathOpt = Optional[Path]  # noqa: UP045 (typer reads it)


@app.command(
    cls=Command,
    short_help="Grade one Gradescope submission; write its autograder.",
    epilog=examples(
    "nncheck gradescope --problems /autograder/source/problems",
    "nncheck gradescope -p bank --root /tmp/autograder --visibility visible",
    "nncheck gradescope -p problems/seed-exam --scaffold autograder/",
    ),
)
def gradescope(
    problems: ProblemsOpt = None,
    root: Annotated[Path, typer.Option(
        "--root", metavar="DIR",
        help="What stands for /autograder: DIR/submission/, DIR/submission_metadata.json, "
        "DIR/results/results.json.")] = Path("/autograder"),
    submission: Annotated[PathOpt, typer.Option(
        "--submission", metavar="DIR",
        help="The submission folder: its answers.yaml or submission.yaml, or its only YAML "
        "file  [default: ROOT/submission]", show_default=False)] = None,
    metadata: Annotated[PathOpt, typer.Option(
        "--metadata", metavar="FILE",
        help="Gradescope's submission metadata  [default: ROOT/submission_metadata.json]",
        show_default=False)] = None,
    results: Annotated[PathOpt, typer.Option(
        "--results", metavar="FILE",
        help="Where results.json is written  [default: ROOT/results/results.json]",
        show_default=False)] = None,
    reveal: Annotated[Reveal, typer.Option(
        "--reveal", metavar="verdict|mistake|expected", parser=parse_choice(Reveal),
        help="What each part's output shows: the verdict, the named mistake too, or the "
        "expected answer too.")] = Reveal.mistake,
    visibility: Annotated[Visibility, typer.Option(
        "--visibility", metavar=VisibilityHelp, parser=parse_choice(Visibility),
        help="When students see their scores (the test saying the sheet was read is always "
        "visible).")] = Visibility.after_published,
    stdout_visibility: Annotated[Visibility, typer.Option(
        "--stdout-visibility", metavar=VisibilityHelp, parser=parse_choice(Visibility),
        help="When students see the autograder's standard output.")] = Visibility.hidden,
    scaffold: Annotated[PathOpt, typer.Option(
        "--scaffold", metavar="DIR",
        help="Write the autograder instead: DIR/setup.sh, DIR/run_autograder (with these "
        "options) and DIR/problems/ (a copy of --problems); zip DIR's files and upload them.",
        show_default=False)] = None,
    wheel: Annotated[PathOpt, typer.Option(
        "--wheel", metavar="FILE",
        help="With --scaffold: bundle this nncheck wheel (DIR/wheels/); setup.sh installs it "
        "instead of nncheck from PyPI.", show_default=False)] = None,
    force: Annotated[bool, typer.Option(
        "--force", help="With --scaffold: replace setup.sh, run_autograder, problems/ and "
        "wheels/ in a DIR that is not empty.")] = False,
    rtol: RtolOpt = None,
    fmt: FormatOpt = Format.auto,
    debug: DebugOpt = False,
) -> None:
    """Grade the submission in /autograder and write results/results.json, always."""
    from nncheck.render.autograder import Settings

    settings = Settings(reveal=reveal.value, visibility=visibility.value,
                        stdout_visibility=stdout_visibility.value)

    def body() -> int:
        if problems is None:
            raise NncheckError("which problems does this autograder grade?",
                               expected="--problems DIR (a folder of problem files)")
        if scaffold is not None:
            return _scaffold(scaffold, problems, settings, wheel=wheel, force=force, rtol=rtol)
        if wheel is not None or force:
            raise NncheckError("--wheel and --force go with --scaffold",
                               expected="--scaffold DIR")
        paths = Paths(root, submission, metadata, results)
        said = _grade(paths, problems, settings, rtol)
        if resolve_format(fmt) is Format.json:
            env.stdout.write(json_line({"results": str(paths.results), **said}) + "\n")
        elif said["status"] == "error":
            env.stdout.write(f"not graded: {inert(said['error'])}\n")
        else:
            env.stdout.write(f"{inert(said['sheet'])}: {said['summary']}\n")
        return ExitStatus.OK

    run_command(debug, body)


class Paths:
    """The files of one run: /autograder's, or those the options give."""

    def __init__(self, root: Path, submission: Path | None, metadata: Path | None,
                 results: Path | None) -> None:
        self.submission = submission if submission is not None else root / "submission"
        self.metadata = metadata if metadata is not None else root / "submission_metadata.json"
        self.results = results if results is not None else root / "results" / "results.json"


def _grade(paths: Paths, problems: Path, settings: Any, rtol: float | None) -> dict[str, Any]:
    """Grade the submission; results.json is written whatever happens but an interruption.
    Return what the staff are told: the sheet, its status, score and summary (or error)."""
    from nncheck import grading
    from nncheck.classroom import _status as sheet_status
    from nncheck.io import autograder as files
    from nncheck.io.problems import load_sheet
    from nncheck.render import autograder as doc

    started = time.monotonic()
    meta, warning = files.read_metadata(paths.metadata)
    if warning:
        to_stderr(f"warning: {warning}")
    extra: dict[str, Any] = {"nncheck_version": __version__,
                             "submission_id": meta.submission_id,
                             "users": [u.as_dict() for u in meta.users]}

    def write(data: dict[str, Any]) -> None:
        files.write_results(paths.results, doc.results_text(data))

    def give_up(why: str, error: str, status: str) -> None:
        check = doc.sheet_check("", student=None, answered=None, parts=0, error=error,
                                ours=status != "error")
        write(doc.not_graded(check, settings, why=why, extra={**extra, "status": status},
                             seconds=time.monotonic() - started))

    try:
        bank = grading.load_bank(problems, rtol=checked_rtol(rtol))
    except BaseException as exc:  # the course's fault, not the student's: told to the staff only
        _failed(give_up, exc, "the autograder could not read its problems")
        raise
    hashes = {pid: bank.problems[pid].sha256 for pid in sorted(bank.problems)}
    extra["problem_hashes"] = hashes
    try:
        found = files.find_sheet(paths.submission)
        loaded = load_sheet(found.opened, shown=inert(found.rel), same_as=found.identity)
        _refuse_another_students(loaded.student, meta.users, varied=bank.varied)
        if bank.varied:  # a sheet for another student's variant is the sheet's fault too
            from nncheck.variants import sheet_variant

            sheet_variant(bank.secret, loaded.student.id, loaded.variant, loaded.check)
    except NncheckError as exc:  # the sheet's fault: said to the student, in one line
        reason = one_line(str(exc))
        give_up("Your submission could not be graded.", reason, "error")
        return {"status": "error", "score": 0, "error": reason}
    except BaseException as exc:
        _failed(give_up, exc, "the autograder failed")
        raise
    try:
        result = grading.grade_sheet(bank, loaded.answers, sheet=inert(found.rel),
                                     student=loaded.student, variant=loaded.variant,
                                     check=loaded.check)
        parts = [p for prob in result.problems for p in prob.parts]
        check = doc.sheet_check(found.rel, student=loaded.student.id,
                                answered=sum(p.claimed is not None for p in parts),
                                parts=len(parts), warnings=result.warnings)
        extra["student"] = {"id": inert(loaded.student.id),
                            "name": inert(loaded.student.name or "") or None}
        extra["status"] = sheet_status(result)  # ok, pending or failed, as in grades.csv
        write(doc.sheet_results(result, settings, hashes=hashes, extra=extra, first=[check],
                                seconds=time.monotonic() - started))
    except BaseException as exc:  # a problem that cannot be solved as written, or a bug
        _failed(give_up, exc, "the autograder failed")
        raise
    from nncheck.render import view

    return {"status": extra["status"], "score": result.score, "sheet": found.rel,
            "summary": view.summary(result)}


def _refuse_another_students(student: Any, users: Any, *, varied: bool) -> None:
    """A sheet whose student is none of the submitters is not graded: it would be graded (and
    against that student's variant) for whoever handed it in. A submitter with a roster id
    (`sid`) owns a sheet whose id is that sid, exactly, or their email (ignoring case). When
    no submitter has a sid, a sheet whose id or email is a submitter's email (ignoring case) is
    theirs; a sheet that gives another email is refused, and so is one that names nobody's
    email in a bank that varies (its variant could be anyone's); in a bank that does not vary
    such a sheet is graded as before. Metadata naming no sid and no email checks nothing."""
    def fold(text: str | None) -> str | None:
        return text.casefold() if text else None

    sheet_id, sheet_email = student.id, fold(getattr(student, "email", None))
    emails = {fold(u.email) for u in users if u.email}
    sids = {u.sid for u in users if u.sid}
    if not sids and not emails:
        return
    if sheet_id in sids or fold(sheet_id) in emails:
        return
    if not sids and sheet_email in emails:
        return
    if not sids and sheet_email is None and not varied:
        return
    raise NncheckError(
        f"the sheet is another student's: its student id `{inert(sheet_id)}` is not the "
        "submitter's",
        expected="the submitter's own sheet, with their own student id"
        + ("" if sids else " (or their Gradescope email as `student: {email: ...}`)"))


def _failed(give_up: Any, exc: BaseException, what: str) -> None:
    """Tell the student the autograder failed (not why: that is for the staff); an
    interruption writes nothing, and a results.json that cannot be written is not retried."""
    from nncheck.io.autograder import ResultsNotWritten

    if isinstance(exc, (KeyboardInterrupt, ResultsNotWritten)):
        return
    why = ("the autograder is not set up right" if isinstance(exc, NncheckError)
           else "the autograder failed")
    give_up(f"Your submission could not be graded: {why}.", what, "autograder error")


def _scaffold(folder: Path, problems: Path, settings: Any, *, wheel: Path | None, force: bool,
              rtol: float | None) -> int:
    """Write the autograder a course uploads: the scripts, the bank and the wheel, if any."""
    from nncheck import grading
    from nncheck.io import autograder as files
    from nncheck.io.files import shown_path
    from nncheck.io.problems import bank_files
    from nncheck.render import scaffold
    from nncheck.solvers import seeding

    bank = grading.load_bank(problems, rtol=checked_rtol(rtol))
    for warning in bank.solve_all():  # a part that cannot be solved fails here, not on a sheet
        to_stderr(f"warning: {warning}")
    _refuse_inside(folder, problems)
    if wheel is not None and not (wheel.is_file() and wheel.name.endswith(".whl")):
        raise NncheckError(f"--wheel {shown_path(str(wheel))} is not a wheel file",
                           expected="a built nncheck-*.whl (python -m build --wheel)")
    options = ["--reveal", settings.reveal, "--visibility", settings.visibility,
               "--stdout-visibility", settings.stdout_visibility]
    if rtol is not None:
        options += ["--rtol", repr(rtol)]
    scripts = {"setup.sh": scaffold.setup_script(__version__),
               "run_autograder": scaffold.run_script(options)}
    secret = problems / seeding.SECRET_FILE
    written = files.write_scaffold(folder, scripts, bank_files(problems),
                                   secret=secret if secret.is_file() else None, wheel=wheel,
                                   force=force)
    shown = shown_path(str(folder))
    for name in written:
        env.stdout.write(f"wrote {shown}/{shown_path(name)}\n")
    env.stdout.write(f"upload a zip of the files in {shown} (not of the folder): "
                     f"cd {shown} && zip -r ../autograder.zip .\n")
    return ExitStatus.OK


def _refuse_inside(folder: Path, problems: Path) -> None:
    """The autograder folder is never the bank, nor in it (the bank would copy itself)."""
    import os

    from nncheck.io.files import shown_path

    target, bank = Path(os.path.realpath(folder)), Path(os.path.realpath(problems))
    if target == bank or target.is_relative_to(bank) or bank.is_relative_to(target):
        raise NncheckError(f"--scaffold {shown_path(str(folder))} and the problem bank "
                           f"{shown_path(str(problems))} overlap",
                           expected="a folder apart from the bank")
