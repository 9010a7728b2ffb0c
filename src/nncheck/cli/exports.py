"""The options of `grade` that shape what its report holds beyond the sheets: a roster, the
Canvas and Moodle imports, per-part columns; and what the run says of them on stderr."""

from __future__ import annotations

import enum
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, Optional

import typer

from nncheck.cli.base import to_stderr
from nncheck.cli.params import parse_choice
from nncheck.errors import InputError, NncheckError
from nncheck.words import inert

if TYPE_CHECKING:
    from nncheck.exports import Extras

SHOWN = 5  # sheets or students named in a warning; summary.json lists them all


class Missing(str, enum.Enum):
    """What a roster student with no sheet scores."""

    zero = "zero"
    blank = "blank"


class Export(str, enum.Enum):
    """A learning platform's grade import."""

    canvas = "canvas"
    moodle = "moodle"


class MoodleId(str, enum.Enum):
    """How moodle.csv names a student."""

    email = "email"
    idnumber = "idnumber"


RosterOpt = Annotated[Optional[Path], typer.Option(  # noqa: UP045 (typer reads it)
    "--roster", metavar="FILE",
    help="The class list, a CSV file with a header (id, name, email, SIS user id, SIS login "
    "id, section; a Canvas gradebook export will do): students with no sheet get a `missing` "
    "row; sheets matching no student are listed.", show_default=False)]
MissingOpt = Annotated[Optional[Missing], typer.Option(  # noqa: UP045
    "--missing", metavar="zero|blank", parser=parse_choice(Missing),
    help="What a roster student with no sheet scores: 0 (default), or nothing.",
    show_default=False)]
ExportOpt = Annotated[Optional[list[Export]], typer.Option(  # noqa: UP045
    "--export", metavar="canvas|moodle", parser=parse_choice(Export),
    help="Also write canvas.csv (needs --roster) or moodle.csv, to import the grades; may be "
    "given twice.", show_default=False)]
AssignmentOpt = Annotated[Optional[str], typer.Option(  # noqa: UP045
    "--assignment", metavar="TITLE",
    help="The assignment's title in the imports (default: the --problems folder's name; "
    "`merge` has none, and needs it with --export).",
    show_default=False)]
AssignmentIdOpt = Annotated[Optional[str], typer.Option(  # noqa: UP045
    "--assignment-id", metavar="N",
    help="Canvas' id of the assignment (without it, Canvas looks the title up, or "
    "creates the assignment).",
    show_default=False)]
PerProblemOpt = Annotated[bool, typer.Option(
    "--per-problem", help="canvas.csv: one assignment per problem, not one in all.")]
MoodleIdOpt = Annotated[MoodleId, typer.Option(
    "--moodle-id", metavar="email|idnumber", parser=parse_choice(MoodleId),
    help="How moodle.csv names each student: by email or by ID number.")]
PerPartOpt = Annotated[bool, typer.Option(
    "--per-part", help="grades.csv: a column per part too, named problem/part.")]


def report_extras(*, problems: Path | None, roster: Path | None, missing: Missing | None,
           export: Sequence[Export] | None, assignment: str | None,
           assignment_id: str | None, per_problem: bool, moodle_id: MoodleId,
           per_part: bool) -> Extras:
    """The report's extras from the options, the roster read; bad options are NncheckErrors.

    The imports' title defaults to the name of the `problems` folder; with no such folder
    (`merge`), --assignment gives it."""
    from nncheck.exports import Extras
    from nncheck.io.roster import read_roster
    from nncheck.render.exports import check_title

    wanted = set(export or ())
    if Export.canvas in wanted and roster is None:
        raise NncheckError("--export canvas needs --roster FILE",
                           expected="the class list with the students' Canvas or SIS ids: "
                                    "the gradebook Canvas exports will do")
    if Export.canvas not in wanted:
        for given, name in ((per_problem, "--per-problem"),
                            (assignment_id is not None, "--assignment-id")):
            if given:
                raise NncheckError(f"{name} shapes canvas.csv", expected="--export canvas")
    if missing is not None and roster is None:
        raise NncheckError("--missing says what a roster student with no sheet scores",
                           expected="--roster FILE")
    title = assignment if assignment is not None else \
        Path(problems).resolve().name if problems is not None else None
    if wanted:
        if title is None:
            raise NncheckError("the imports name the assignment, and the shards do not say "
                               "which bank they were graded against",
                               expected="--assignment TITLE with --export")
        check_title(title, assignment_id, per_problem=per_problem)
    read = read_roster(roster) if roster is not None else None
    if read is not None and Export.canvas in wanted:
        unknown = next((s for s in read.students if not (
            (read.canvas and s.id) or s.sis_user_id or s.sis_login_id)), None)
        if unknown is not None:
            raise InputError(
                f"student `{inert(unknown.sis_label)}` has no Canvas ID, SIS user id or SIS login "
                "id", path=read.path, line=unknown.line,
                expected="one of them for every student: Canvas finds students by them (the "
                         "gradebook Canvas exports has them all)")
    if read is not None and Export.moodle in wanted:
        field = "email" if moodle_id is MoodleId.email else \
            ("sis_user_id" if read.canvas else "id")
        if not any(getattr(s, field) for s in read.students):
            other = "idnumber" if moodle_id is MoodleId.email else "email"
            raise InputError(f"no student has {'an email' if field == 'email' else 'an id'}, "
                             f"which --moodle-id {moodle_id.value} names students by",
                             path=read.path, line=1,
                             expected=f"--moodle-id {other}, or a roster with that column")
    return Extras(
        roster=read,
        missing=(missing or Missing.zero).value, per_part=per_part,
        canvas=Export.canvas in wanted, moodle=Export.moodle in wanted, title=title or "",
        assignment_id=assignment_id, per_problem=per_problem, moodle_id=moodle_id.value)


def warn_extras(summary: dict[str, Any]) -> None:
    """Say on stderr what the roster and the imports left over (summary.json has it all)."""
    roster = summary.get("roster")
    if roster:
        unmatched = roster["unmatched_sheets"]
        if unmatched:
            said = "; ".join(f"{u['sheet']}: {u['reason']}" for u in unmatched[:SHOWN])
            more = f"; and {len(unmatched) - SHOWN} more" if len(unmatched) > SHOWN else ""
            verb = "matches" if len(unmatched) == 1 else "match"
            to_stderr(f"warning: {_count(len(unmatched), 'sheet')} {verb} no roster student "
                      f"(graded, and left out of any import): {said}{more}")
        missing = roster["missing"] or []
        if missing:
            names = ", ".join(m["label"] for m in missing[:SHOWN])
            more = f", and {len(missing) - SHOWN} more" if len(missing) > SHOWN else ""
            to_stderr(f"note: {_count(len(missing), 'roster student')} with no sheet "
                      f"(status `missing`): {names}{more}")
    left_out = summary.get("imports_left_out", [])
    for left in left_out[:SHOWN]:
        to_stderr(f"warning: {left['file']} leaves out {left['source']}: {left['reason']}")
    if len(left_out) > SHOWN:
        to_stderr(f"warning: and {len(left_out) - SHOWN} more left out (see summary.json)")


def _count(n: int, what: str) -> str:
    return f"{n} {what}{'s' * (n != 1)}"
