"""Results as rich tables for a terminal: one table per problem, notes and table diffs below.

Nothing here is read as rich markup: every string becomes a `Text` as it is, and `Inert` makes
whatever is drawn inert once more on its way to the console.
"""

from __future__ import annotations

from collections.abc import Iterator

from rich.console import Console, ConsoleOptions, Group, RenderableType
from rich.padding import Padding
from rich.segment import Segment
from rich.table import Table
from rich.text import Text

from nncheck.compare.verdict import Status
from nncheck.grading import SheetResult
from nncheck.render import view
from nncheck.words import inert, inert_lines

STYLE = {
    Status.CORRECT: "green",
    Status.WRONG: "red",
    Status.MISSING: "yellow",
    Status.INVALID: "magenta",
    Status.PENDING: "cyan",
    Status.GRADED: "blue",
}


def render_sheet(result: SheetResult, *, reveal: str = "expected") -> RenderableType:
    """The report of one sheet as a rich renderable (inert: see `Inert`)."""
    items: list[RenderableType] = []
    head = view.heading(result)
    if head:
        items.append(Text(head, style="bold"))
    show_expected = reveal == "expected"
    for problem in result.problems:
        items.append(Text(""))
        table = Table(
            title=Text(view.title(problem), style="bold"),  # a Text: a title is never markup
            title_justify="left",
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
            table.add_row(*(Text(c) for c in cells), verdict, Text(r.points))
        items.append(table)
        for note in view.notes(problem, reveal=reveal):
            block: list[RenderableType] = [Text(f"{note.part}:", style="bold")]
            for line in note.lines:
                style = "yellow" if line.startswith("known mistake") else ""
                block.append(Padding(Text(line, style=style), (0, 0, 0, 2)))
            if note.table:
                block.append(Padding(_diff(note.table), (0, 0, 0, 2)))
            items.append(Padding(Group(*block), (0, 0, 0, 2)))
    items += [Text(warning, style="yellow") for warning in view.warnings(result)]
    items.append(Text(""))
    total_style = "bold green" if result.passed else "bold red"
    items.append(Text(view.summary(result), style=total_style))
    return Inert(Group(*items))


def lines(texts: list[str], *, heading: bool = True) -> RenderableType:
    """Plain lines (the class summary) as inert rich text; with `heading`, unindented ones bold."""
    return Inert(Group(*(
        Text(inert(line), style="bold" if heading and line and not line.startswith(" ") else "")
        for line in texts
    )))


class Inert:
    """A renderable whose every drawn character is inert: the boundary before a console.

    The cells are inert already (`view`); this keeps any text that reaches the console by another
    way (a new renderer, a rich default) from carrying a control sequence. Rich's own styles are
    not text, so colours survive.
    """

    def __init__(self, renderable: RenderableType):
        self.renderable = renderable

    def __rich_console__(self, console: Console, options: ConsoleOptions) -> Iterator[Segment]:
        for segment in console.render(self.renderable, options):
            if segment.control:  # cursor moves drawn by rich itself, not text
                yield segment
            else:
                yield Segment(inert_lines(segment.text), segment.style)


def _diff(table: tuple) -> Table:
    header, body = table
    out = Table(show_edge=False, box=None, padding=(0, 1))
    for name in header:
        out.add_column(Text(name), style="dim" if name == "row" else None)
    for row in body:
        out.add_row(*(Text(text, style="" if ok else "bold red") for text, ok in row))
    return out
