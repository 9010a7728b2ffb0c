"""Results as rich tables for a terminal: one table per problem, notes and table diffs below."""

from __future__ import annotations

from rich.console import Group, RenderableType
from rich.padding import Padding
from rich.table import Table
from rich.text import Text

from nncheck.checking import Status
from nncheck.grading import SheetResult
from nncheck.render import view

STYLE = {
    Status.CORRECT: "green",
    Status.WRONG: "red",
    Status.MISSING: "yellow",
    Status.INVALID: "magenta",
    Status.PENDING: "cyan",
    Status.GRADED: "blue",
}


def render_sheet(result: SheetResult, *, reveal: str = "expected") -> RenderableType:
    """The report of one sheet as a rich renderable."""
    items: list[RenderableType] = []
    head = view.heading(result)
    if head:
        items.append(Text(head, style="bold"))
    show_expected = reveal == "expected"
    for problem in result.problems:
        items.append(Text(""))
        title = f"{problem.id}" + (f" — {problem.title}" if problem.title else "")
        table = Table(
            title=f"{title}  [{view._num(problem.score)}/{view._num(problem.max_score)}]",
            title_justify="left",
            title_style="bold",
            expand=False,
        )
        table.add_column("part", style="bold", no_wrap=True)
        table.add_column("ask", style="dim", no_wrap=True)
        if show_expected:
            table.add_column("expected")
        table.add_column("claimed")
        table.add_column("verdict", no_wrap=True)
        table.add_column("points", justify="right", no_wrap=True)
        for r in view.rows(problem):
            style = "dim" if r.shown_only else STYLE[r.status]
            verdict = Text(view.verdict(r), style=style)
            cells = [r.part, r.ask, *((r.expected,) if show_expected else ()), r.claimed]
            table.add_row(*(Text(c) for c in cells), verdict, r.points)
        items.append(table)
        for note in view.notes(problem, reveal=reveal):
            block: list[RenderableType] = [Text(f"{note.part}:", style="bold")]
            for line in note.lines:
                style = "yellow" if line.startswith("known mistake") else ""
                block.append(Padding(Text(line, style=style), (0, 0, 0, 2)))
            if note.table:
                block.append(Padding(_diff(note.table), (0, 0, 0, 2)))
            items.append(Padding(Group(*block), (0, 0, 0, 2)))
    for warning in result.warnings:
        items.append(Text(f"warning: {warning}", style="yellow"))
    items.append(Text(""))
    total_style = "bold green" if result.passed else "bold red"
    items.append(Text(view.summary(result), style=total_style))
    return Group(*items)


def _diff(table: tuple) -> Table:
    header, body = table
    out = Table(show_edge=False, box=None, padding=(0, 1))
    for name in header:
        out.add_column(name, style="dim" if name == "row" else None)
    for row in body:
        out.add_row(*(Text(text, style="" if ok else "bold red") for text, ok in row))
    return out
