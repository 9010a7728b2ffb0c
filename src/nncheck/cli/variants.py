"""`variants`: each student's problems with their own numbers, blank sheet and key."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Annotated

import typer

from nncheck.cli.base import DebugOpt, app, examples, run_command, to_stderr
from nncheck.cli.environment import ExitStatus
from nncheck.cli.params import Command
from nncheck.errors import NncheckError
from nncheck.words import inert


@app.command(
    "variants",
    cls=Command,
    short_help="Write each student's own problems, blank sheet and key.",
    epilog=examples(
    'nncheck variants problems/seed-exam-varied --roster roster.csv --out handout',
    ),
)
def variants_command(
    bank_dir: Annotated[Path, typer.Argument(
        metavar="BANK", help="The folder of problem files (some with `vary:`).",
        show_default=False)],
    roster: Annotated[Path, typer.Option(
        "--roster", metavar="FILE", help="The class roster (CSV with a header; the student id "
        "column, else the email, names each student).", show_default=False)],
    out: Annotated[Path, typer.Option(
        "--out", metavar="DIR", help="Where to write: DIR/students/<student>/problems.md, "
        "problems.html (print-ready) and answers.yaml (a blank sheet), and the keys in "
        "DIR/staff/<student>.yaml.",
        show_default=False)],
    debug: DebugOpt = False,
) -> None:
    """Write each student's problems with their numbers, blank sheet and (for staff) key."""

    def body() -> int:
        from nncheck import grading
        from nncheck.classroom import file_stem
        from nncheck.handout import handout
        from nncheck.io.files import write_atomic
        from nncheck.io.roster import read_roster

        bank = grading.load_bank(bank_dir)
        target = Path(os.path.realpath(out))
        if target.is_relative_to(Path(os.path.realpath(bank_dir))):
            raise NncheckError(f"--out {inert(str(out))} is inside the problem bank",
                               expected="a folder outside the bank (a key there would be read "
                               "as a problem)")
        for warning in bank.solve_all():
            to_stderr(f"warning: {warning}")
        if not bank.varied:
            to_stderr("note: no problem of the bank has `vary:`: every student gets the same "
                      "numbers")
        students = read_roster(roster).students
        stems: dict[str, str] = {}
        for row in students:
            sid = row.handout_id  # the id `grade --roster` draws this student's variant from
            stem = file_stem(sid)
            if stem.casefold() in stems:
                raise NncheckError(f"roster line {row.line}: student `{inert(sid)}` has the "
                                   f"file name of `{inert(stems[stem.casefold()])}`",
                                   expected="student ids that differ in more than case")
            stems[stem.casefold()] = sid
            h = handout(bank, sid, row.name, row.email)
            # Apart from staff/ whatever the id: a student `staff` gets students/staff/.
            write_atomic(out / "students" / stem / "problems.md", h.problems)
            write_atomic(out / "students" / stem / "problems.html", h.page)
            write_atomic(out / "students" / stem / "answers.yaml", h.sheet)
            write_atomic(out / "staff" / f"{stem}.yaml", h.key)
        to_stderr(f"wrote the problems, blank sheets and keys of {len(students)} students to "
                  f"{inert(str(out))}")
        return ExitStatus.OK

    run_command(debug, body)
