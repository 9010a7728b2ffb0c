"""What `nncheck variants` hands each student: their problems with their numbers (Markdown, and
a print-ready HTML page: `render.handout_html`), a blank sheet with their variant and check
code, and (for the staff) their answer key.

Text only: the command line writes the files. Roster names and ids are untrusted: in the
Markdown they, and the problem and part ids, are plain text (`md_text`: Markdown punctuation
escaped, `<`, `>` and `&` as entities, so no link, image or HTML tag can be made of them).
Problem texts are the instructor's Markdown, shown as written. Everything passes through `inert`
(no control or bidirectional character reaches a reader), and the student's id is written into
YAML by the YAML dumper, never by hand.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from nncheck import grading, solving, variants
from nncheck.io.files import sheet_yaml
from nncheck.render import handout_html
from nncheck.render.autograder import md_text
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
    who = md_text(student) + (f" ({md_text(name)})" if name else "")
    mark = f"{who} · variant {variant} · code {code}"
    lines = [f"# Exam — {who}", "", f"Variant {variant}, check code `{code}`: copy both onto "
             "your answer sheet (the blank sheet has them).", ""]
    for pid, loaded in drawn.items():
        problem = loaded.problem
        title = inert(problem.title) if problem.title else ""
        points = sum(p.points for p in problem.parts)
        lines += [f"## {md_text(pid)}{' — ' + title if title else ''} ({_points(points)})", "",
                  f"*{mark}*", ""]
        if problem.text:
            lines += [inert_lines(problem.text.strip()), ""]
        for part in problem.parts:
            text = inert_lines(part.text.strip()) if part.text else ""
            lines.append(f"- **{md_text(part.id)}** ({_points(part.points)}) {text}".rstrip())
        lines.append("")
    return "\n".join(lines)


def _points(points: float) -> str:
    return f"{points:g} point{'' if points == 1 else 's'}"
