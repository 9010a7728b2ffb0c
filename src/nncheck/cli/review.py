"""`review`: a class's answers grouped for scoring once per group, written as groups.yaml;
with --interactive, scored group by group at rich prompts."""

from __future__ import annotations

import json
import os
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Annotated, Any, Optional

import typer

from nncheck.cli.base import (
    DebugOpt,
    FormatOpt,
    ProblemsOpt,
    RtolOpt,
    app,
    checked_rtol,
    class_problems,
    env,
    examples,
    report_console,
    resolve_format,
    run_command,
)
from nncheck.cli.environment import ExitStatus, Format
from nncheck.cli.params import Command, parse_count
from nncheck.errors import NncheckError
from nncheck.words import inert, inert_lines, json_line


@app.command(
    cls=Command,
    short_help="Group a class's answers to score each group once (groups.yaml).",
    epilog=examples(
    'nncheck review class/ --problems problems/seed-exam',
    'nncheck review class/ -p bank --out groups.yaml --interactive',
    'nncheck review class/ -p bank --jobs 4 --format json',
    ),
)
def review(
    class_dir: Annotated[Path, typer.Argument(
        metavar="CLASS_DIR", help="The class, as `grade` reads it.", show_default=False)],
    problems: ProblemsOpt = None,
    out: Annotated[Path, typer.Option(
        "--out", "-o", metavar="FILE",
        help="The groups file: points and comments already set in it are kept, group by "
        "group.")] = Path("groups.yaml"),
    interactive: Annotated[bool, typer.Option(
        "--interactive", "-i",
        help="Score the groups at prompts, one part after another, saving after each.")
    ] = False,
    jobs: Annotated[Optional[int], typer.Option(  # noqa: UP045
        "--jobs", "-j", metavar="N", parser=parse_count,
        help="Sheets graded in parallel (default and most: the usable cores).",
        show_default=False)] = None,
    rtol: RtolOpt = None,
    fmt: FormatOpt = Format.auto,
    debug: DebugOpt = False,
) -> None:
    """Group every manual answer and every wrong answer of a class; write them to --out."""

    def body() -> int:
        from nncheck import classroom, groups
        from nncheck.io.overrides import parse, read_groups, write_groups
        from nncheck.io.yaml import read_document

        bank = class_problems(problems)
        _refuse_out_in(out, class_dir, bank)
        old = parse(read_document(out)) if out.exists() else None  # refused if not ours
        run = classroom.prepare(class_dir, bank, classroom.Options(
            jobs=jobs, rtol=checked_rtol(rtol), debug=debug))
        rows = list(classroom.graded_rows(run))
        clash = classroom.clashes((r.rel, r.sheet, r.student_id) for r in rows)
        graded = [r for r in rows if r.result is not None and r.rel not in clash]
        maxima = {(pid, p.id): float(p.points)
                  for pid, lp in run.bank.problems.items() for p in lp.problem.parts}
        parts = [where for where, most in maxima.items() if most > 0]  # 0 points: no score
        found = groups.merge(groups.build(_answers(graded), parts),
                             read_groups(old) if old is not None else [])
        others = old.data if old is not None and isinstance(old.data, dict) else None
        write_groups(out, found, others)
        if interactive:
            found = _walk(found, maxima, lambda gs: write_groups(out, gs, others))
        unread = sum(r.result is None for r in rows)
        clashing = sum(r.result is not None and r.rel in clash for r in rows)
        _print(found, maxima, len(graded), str(out), resolve_format(fmt), unread, clashing)
        return ExitStatus.OK

    run_command(debug, body)


def _refuse_out_in(out: Path, class_dir: Path, problems: Path) -> None:
    """A groups file in the class folder would be read as a sheet, in the bank as a problem."""
    folder = os.path.realpath(out.parent if str(out.parent) else ".")
    for what, path in (("the class folder", class_dir), ("the --problems folder", problems)):
        if os.path.realpath(path) == folder:
            raise NncheckError(f"--out {out} is in {what} {path}, where it would be read as "
                               f"a {'sheet' if path is class_dir else 'problem file'}",
                               expected="a file in another folder")


def _answers(rows: Sequence[Any]) -> Iterator[Any]:
    from nncheck.groups import Answer

    for row in rows:
        data = json.loads(row.result)
        keys = {(problem, part): key for problem, part, key in row.groups}
        for prob in data["problems"]:
            for part in prob["parts"]:
                yield Answer(row.student_id, prob["id"], part["id"], part["ask"],
                             part["status"], part["claimed"], prob.get("variant"),
                             keys.get((prob["id"], part["id"])))


def _print(found: Sequence[Any], maxima: dict[tuple[str, str], float], sheets: int, out: str,
           fmt: Format, unread: int = 0, clashing: int = 0) -> None:
    from nncheck.render.groups import review_lines

    if fmt is Format.json:
        env.stdout.write(json_line({"out": out, "sheets": sheets, "unread": unread,
                                    "clashing": clashing, "groups": [
            {"key": g.key, "problem": g.problem, "part": g.part, "status": g.status,
             "answer": g.answer, "students": list(g.students), "points": g.points,
             "comment": g.comment} for g in found]}) + "\n")
        return
    lines = [inert(line) for line in review_lines(found, maxima, sheets=sheets, out=out,
                                                   unread=unread, clashing=clashing)]
    if fmt is Format.text:
        env.stdout.write(inert_lines("\n".join(lines) + "\n"))
    else:
        from nncheck.render import rich as render_rich

        report_console().print(render_rich.lines(lines))


# --- interactive -------------------------------------------------------------------------------

HELP = "points (0 to {most:g}), s to skip, b to go back, q to quit"


def _walk(found: list[Any], maxima: dict[tuple[str, str], float], save: Any) -> list[Any]:
    """Ask for the points and comment of each group not yet scored, one part after another;
    `save` the groups after every answer. End of input stops as `q` does."""
    from dataclasses import replace

    from rich.text import Text

    from nncheck.render.groups import answer, part_heading, score, students

    console = env.console(highlight=False, emoji=False, soft_wrap=True)
    todo = [i for i, g in enumerate(found) if g.points is None]
    step = 0
    while 0 <= step < len(todo):
        i = todo[step]
        g = found[i]
        most = maxima.get((g.problem, g.part), 0.0)
        console.print()
        for line in (
            f"[{step + 1}/{len(todo)}] {part_heading(g, most)} — {g.status}, now {score(g)}",
            f"  answer: {answer(g.answer, 400)}",
            f"  {len(g.students)} student{'s' * (len(g.students) != 1)}: "
            f"{students(g.students)}",
        ):
            console.print(Text(inert(line)))  # one line each: a student's newline stays `\n`
        reply = _ask(HELP.format(most=most), console)
        if reply in ("q", None):
            break
        if reply == "b":
            step = max(0, step - 1)
            continue
        if reply == "s":
            step += 1
            continue
        points = _points(reply, most)
        if points is None:
            console.print(Text(f"  not a score: give a number from 0 to {most:g}, or s, b, q"))
            continue
        comment = _ask("comment (Enter for none)", console)
        found[i] = replace(g, points=points, comment=comment or g.comment)
        save(found)
        step += 1
    return found


def _ask(text: str, console: Any) -> str | None:
    """One answer read from env.stdin, stripped; None at the end of the input.

    Read here rather than by rich's `Prompt.ask`, which takes the end of the input for an
    empty answer and would ask again for ever."""
    from rich.text import Text

    console.print(Text(inert(text)), end=": ")
    line = env.stdin.readline()
    if not line:
        console.print()
        return None
    if not env.stdin.isatty():  # a terminal echoes the answer; a script's is shown here
        console.print(Text(inert(line.rstrip("\r\n"))))
    return line.strip()


def _points(reply: str, most: float) -> float | None:
    try:
        value = float(reply)
    except ValueError:
        return None
    return value if 0 <= value <= most else None
