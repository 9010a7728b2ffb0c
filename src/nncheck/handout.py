"""What `nncheck variants` hands each student: their problems with their numbers (Markdown, and
a print-ready HTML page: `render.handout_html`), a blank sheet with their variant and check
code, and (for the staff) their answer key.

Text only: the command line writes the files. Roster names are untrusted and problem texts are
shown as written: both pass through `inert` (no control or bidirectional character reaches a
reader), and the student's id is written into YAML by the YAML dumper, never by hand.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from nncheck import grading, solving, variants
from nncheck.io.files import sheet_yaml
from nncheck.render import handout_html
from nncheck.words import inert, inert_lines


@dataclass(frozen=True)
class Handout:
    """One student's files, as text."""

    student: str
    variant: int
    code: str
    problems: str  # Markdown
    page: str  # the same problems as a print-ready HTML page
    sheet: str  # the blank sheet (YAML)
    key: str  # the answer key (YAML), for the staff


def handout(bank: grading.Bank, student: str, name: str | None,
            email: str | None = None) -> Handout:
    """A student's problems, blank sheet and key for their own variant."""
    variant = variants.exam_variant(bank.secret, student)
    code = variants.check_code(bank.secret, student, variant)
    header = {"variant": variant, "check": code}
    drawn = {pid: bank.variant(lp, variant) for pid, lp in bank.problems.items()}
    blank = {pid: {p.id: None for p in lp.problem.parts} for pid, lp in drawn.items()}
    key, _ = solving.answer_key(bank, variant)
    return Handout(
        student, variant, code,
        problems=markdown(drawn, student, name, variant, code),
        page=handout_html.page(drawn, student, name, variant, code),
        sheet=sheet_yaml(student, blank, name=name, header=header, email=email),
        key=sheet_yaml(student, key, name=name, header=header, email=email),
    )


def markdown(drawn: dict[str, Any], student: str, name: str | None, variant: int,
             code: str) -> str:
    """The problems with the student's numbers; every problem's heading carries the student,
    the variant and the check code, so that a printed page names whose numbers it holds."""
    who = inert(student) + (f" ({inert(name)})" if name else "")
    mark = f"{who} · variant {variant} · code {code}"
    lines = [f"# Exam — {who}", "", f"Variant {variant}, check code `{code}`: copy both onto "
             "your answer sheet (the blank sheet has them).", ""]
    for pid, loaded in drawn.items():
        problem = loaded.problem
        title = inert(problem.title) if problem.title else ""
        points = sum(p.points for p in problem.parts)
        lines += [f"## {inert(pid)}{' — ' + title if title else ''} ({_points(points)})", "",
                  f"*{mark}*", ""]
        if problem.text:
            lines += [inert_lines(problem.text.strip()), ""]
        for part in problem.parts:
            text = inert_lines(part.text.strip()) if part.text else ""
            lines.append(f"- **{inert(part.id)}** ({_points(part.points)}) {text}".rstrip())
        lines.append("")
    return "\n".join(lines)


def _points(points: float) -> str:
    return f"{points:g} point{'' if points == 1 else 's'}"
