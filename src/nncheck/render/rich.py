"""Results as rich tables for a terminal: one table per problem, notes and table diffs below.

Nothing here is read as rich markup: every string becomes a `Text` as it is, and `Inert` makes
whatever is drawn inert once more on its way to the console.
"""

from __future__ import annotations

from collections.abc import Iterator

from rich.cells import cell_len
from rich.console import Console, ConsoleOptions, Group, RenderableType
from rich.padding import Padding
from rich.segment import Segment
from rich.table import Table
from rich.text import Text

from nncheck.compare.verdict import Status
from nncheck.grading import ProblemResult, SheetResult
from nncheck.render import blocks, view
from nncheck.words import inert, inert_lines

STYLE = {
    Status.CORRECT: "green",
    Status.WRONG: "red",
    Status.MISSING: "yellow",
    Status.INVALID: "magenta",
    Status.PENDING: "cyan",
    Status.GRADED: "blue",
}


def render_sheet(result: SheetResult, *, reveal: str = "expected", solved: bool = False
                 ) -> RenderableType:
    """The report of one sheet as a rich renderable (inert: see `Inert`); `solved`: the truths
    `solve` prints, tables and networks in full, with no claim and no verdict."""
    if solved:
        return _solved(result)
    items: list[RenderableType] = []
    head = view.heading(result)
    if head:
        items.append(Text(head, style="bold"))
    for problem in result.problems:
        items.append(Text(""))
        items.append(_Problem(problem, reveal))
    items += [Text(warning, style="yellow") for warning in view.warnings(result)]
    items.append(Text(""))
    total_style = "bold green" if result.passed else "bold red"
    items.append(Text(view.summary(result), style=total_style))
    return Inert(Group(*items))


class _Problem:
    """A problem's parts: a table where it fits the console, else one part after another
    (part, ask, verdict and points on a line, then `expected:` and `claimed:` lines).

    The table fits when the columns that never wrap (part, ask, verdict, points) leave
    `ROOM` characters, or a value's whole width if less, to each of expected and claimed;
    a longer value wraps inside its cell, never cut.
    """

    ROOM = 20

    def __init__(self, problem: ProblemResult, reveal: str):
        self.problem = problem
        self.reveal = reveal
        self.rows = view.rows(problem)
        self.notes = view.notes(problem, reveal=reveal)

    def __rich_console__(self, console: Console, options: ConsoleOptions
                         ) -> Iterator[RenderableType]:
        show_expected = self.reveal == "expected"
        fixed = [("part", [r.part for r in self.rows]), ("ask", [r.ask for r in self.rows]),
                 ("verdict", [view.verdict(r) for r in self.rows]),
                 ("points", [r.points for r in self.rows])]
        free = [("claimed", [r.claimed for r in self.rows])]
        if show_expected:
            free.insert(0, ("expected", [r.expected for r in self.rows]))
        need = {name: _widest(name, cells) for name, cells in fixed + free}
        room = {name: min(need[name], max(self.ROOM, len(name))) for name, _ in free}
        columns = len(fixed) + len(free)
        frame = 3 * columns + 1  # a rule and a blank either side of every cell
        if sum(need[n] for n, _ in fixed) + sum(room.values()) + frame <= options.max_width:
            yield self._table(show_expected, room)
        else:
            yield Text(view.title(self.problem), style="bold")
            yield from self._stacked(show_expected)
            return
        for note in self.notes:
            yield Padding(Group(Text(f"{note.part}:", style="bold"), *_note(note)), (0, 0, 0, 2))

    def _table(self, show_expected: bool, room: dict[str, int]) -> Table:
        table = Table(
            title=Text(view.title(self.problem), style="bold"),  # a Text: never markup
            title_justify="left",
            expand=False,
        )
        table.add_column("part", style="bold", no_wrap=True)
        table.add_column("ask", style="dim", no_wrap=True)
        if show_expected:
            table.add_column("expected", min_width=room["expected"], overflow="fold")
        table.add_column("claimed", min_width=room["claimed"], overflow="fold")
        table.add_column("verdict", no_wrap=True)
        table.add_column("points", justify="right", no_wrap=True)
        for r in self.rows:
            style = "dim" if r.shown_only else STYLE[r.status]
            verdict = Text(view.verdict(r), style=style)
            cells = [r.part, r.ask, *((r.expected,) if show_expected else ()), r.claimed]
            table.add_row(*(Text(c, overflow="fold") for c in cells), verdict, Text(r.points))
        return table

    def _stacked(self, show_expected: bool) -> Iterator[RenderableType]:
        said = {n.part: n for n in self.notes}
        for r in self.rows:
            style = "dim" if r.shown_only else STYLE[r.status]
            yield Padding(Text.assemble((r.part, "bold"), "  ", (r.ask, "dim"), "  ",
                                        (view.verdict(r), style), "  ", r.points,
                                        overflow="fold"), (0, 0, 0, 2))
            values = Table.grid(padding=(0, 1))
            values.add_column(no_wrap=True)
            values.add_column(overflow="fold")
            if show_expected:
                values.add_row(Text("expected:", style="dim"), Text(r.expected, overflow="fold"))
            values.add_row(Text("claimed:", style="dim"), Text(r.claimed, overflow="fold"))
            block: list[RenderableType] = [values]
            if r.part in said:
                block += _note(said[r.part], indent=0)
            yield Padding(Group(*block), (0, 0, 0, 4))


def _widest(name: str, cells: list[str]) -> int:
    return max([cell_len(name), *(cell_len(c) for c in cells)])


def _note(note: view.Note, *, indent: int = 2) -> list[RenderableType]:
    """What is said under a part: its lines (known mistakes in yellow) and its table diff."""
    out: list[RenderableType] = []
    for line in note.lines:
        style = "yellow" if line.startswith("known mistake") else ""
        out.append(Padding(Text(line, style=style), (0, 0, 0, indent)))
    if note.table:
        out.append(Padding(_diff(note.table), (0, 0, 0, indent)))
    return out


def _solved(result: SheetResult) -> RenderableType:
    """The truths `solve` prints: part, ask, expected and points; tables and networks below."""
    items: list[RenderableType] = []
    if result.variant is not None:
        items.append(Text(f"variant {result.variant}", style="bold"))
    for problem in result.problems:
        items += [Text(""), Text(view.solved_title(problem), style="bold")]
        table = Table(expand=False)
        table.add_column("part", style="bold", no_wrap=True)
        table.add_column("ask", style="dim", no_wrap=True)
        table.add_column("expected", overflow="fold")
        table.add_column("points", justify="right", no_wrap=True)
        laid = {}
        for p in problem.parts:
            shown = blocks.block(p.expected)
            if shown is not None:
                laid[p.id] = shown
            table.add_row(Text(view.cell(p.id)), Text(view.cell(p.ask)), Text(
                shown.summary if shown is not None else view.cell(p.expected), overflow="fold"),
                Text(view.solved_points(p)))
        items.append(table)
        said = {n.part: n for n in view.notes(problem)}
        for p in problem.parts:
            part = view.cell(p.id)
            if part not in said and p.id not in laid:
                continue
            block: list[RenderableType] = [Text(f"{part}:", style="bold")]
            if part in said:
                block += _note(said[part])
            if p.id in laid:
                block.append(Padding(_diff((laid[p.id].header, tuple(
                    tuple((c, True) for c in row) for row in laid[p.id].rows))), (0, 0, 0, 2)))
            items.append(Padding(Group(*block), (0, 0, 0, 2)))
    items += [Text(""), Text(view.solved_summary(result), style="bold")]
    return Inert(Group(*items))


def lines(texts: list[str], *, heading: bool = True) -> RenderableType:
    """Plain lines (the class summary) as inert rich text; with `heading`, unindented ones bold.
    A line too long for the console wraps, its wrapped lines indented under it (`Hanging`)."""
    return Inert(Group(*(
        Hanging(Text(inert(line.lstrip(" ")),
                     style="bold" if heading and line and not line.startswith(" ") else ""),
                len(line) - len(line.lstrip(" ")))
        for line in texts
    )))


class Hanging:
    """A line at `indent` whose wrapped lines start two columns further right, so that a long
    line of the summary never reads as a line of its own."""

    HANG = 2

    def __init__(self, text: Text, indent: int):
        self.text = text
        self.indent = indent

    def __rich_console__(self, console: Console, options: ConsoleOptions) -> Iterator[Text]:
        width = max(1, options.max_width - self.indent - self.HANG)
        for i, line in enumerate(self.text.wrap(console, width)):
            yield Text(" " * (self.indent + (self.HANG if i else 0))) + line


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
