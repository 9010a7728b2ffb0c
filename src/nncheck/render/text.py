"""Results as plain text: what a pipe, a log or a feedback file gets.

Nothing is cut: an expected or claimed value longer than `CELL` characters wraps onto the
lines below, inside its own column. A wrapped line starts further right than any line of
nncheck's own (a problem's title at column 0, a part's row at 2, its notes at 4), so an answer
cannot pass for one.
"""

from __future__ import annotations

import textwrap
from collections.abc import Callable, Sequence
from typing import NamedTuple

from nncheck.grading import PartResult, ProblemResult, SheetResult
from nncheck.render import blocks, view
from nncheck.words import inert_lines

CELL = 28  # widest expected/claimed column; a longer value wraps onto the lines below


def sheet_lines(result: SheetResult, *, reveal: str = "expected", solved: bool = False,
                problems: Sequence[list[str]] | None = None) -> list[str]:
    """The report of one sheet, line by line (`solved`: the truths `solve` prints);
    `problems`: each problem's `problem_lines`, where they are already made."""
    if solved:
        return solved_lines(result)
    lines = _head_lines(result)
    for made in problems if problems is not None else (
            problem_lines(p, reveal=reveal) for p in result.problems):
        lines += made
    return lines + _tail_lines(result)


def _head_lines(result: SheetResult) -> list[str]:
    head = view.heading(result)
    return [head, ""] if head else []


def _tail_lines(result: SheetResult) -> list[str]:
    return [*view.warnings(result), view.summary(result)]


class PartPieces(NamedTuple):
    """A part's share of its problem's report."""

    cells: list[list[str]]  # its row of the table, each cell as its lines
    said: list[str]  # the lines under the table about it
    widths: tuple[int, ...]  # the widest line of each cell


_HEADERS = {show: ("part", "ask", *(("expected",) if show else ()), "claimed", "verdict",
                   "points") for show in (True, False)}


def problem_lines(problem: ProblemResult, reveal: str = "expected",
                  parts: Sequence[PartPieces] | None = None,
                  rows: Callable[[int, tuple[int, ...]], list[str]] | None = None) -> list[str]:
    """One problem of a sheet's report: its title, its parts' table, their notes, a blank line
    (`parts`: each part's `part_pieces`, where they are already made; `rows(j, widths)`: the
    `j`th part's `row_lines` for the table's column widths, where they may be)."""
    pieces = parts if parts is not None else [part_pieces(p, reveal) for p in problem.parts]
    header = _HEADERS[reveal == "expected"]
    widths = tuple(max(column) for column in zip(map(len, header), *(p.widths for p in pieces)))
    lines = [view.title(problem)]
    lines += _aligned([[[c] for c in header]], 2, widths)
    for j, piece in enumerate(pieces):
        lines += rows(j, widths) if rows is not None else row_lines(piece, widths)
    for piece in pieces:
        lines += piece.said
    lines.append("")
    return lines


def row_lines(piece: PartPieces, widths: Sequence[int]) -> list[str]:
    """A part's row of its problem's table, each column as wide as `widths` says."""
    return _aligned([piece.cells], 2, widths)


def part_pieces(part: PartResult, reveal: str = "expected") -> PartPieces:
    """A part's row of its problem's table (the expected and claimed values wrap), and the
    lines said under it."""
    show_expected = reveal == "expected"
    wrap = {2, 3} if show_expected else {2}
    r = view.row(part)
    row = (r.part, r.ask, *((r.expected,) if show_expected else ()), r.claimed,
           view.verdict(r), r.points)
    cells = [wrap_cell(c) if i in wrap else [c] for i, c in enumerate(row)]
    note = view.note(part, reveal=reveal)
    said = [] if note is None else [f"  {note.part}:", *note_lines(note, indent=4)]
    return PartPieces(cells, said, tuple(max(map(len, cell)) for cell in cells))


def solved_lines(result: SheetResult) -> list[str]:
    """The truths of a bank as `solve` prints them: no claim, no verdict; tables and networks
    laid out in full under their part."""
    lines = [f"variant {result.variant}", ""] if result.variant is not None else []
    for problem in result.problems:
        lines.append(view.solved_title(problem))
        table: list[tuple[str, ...]] = [("part", "ask", "expected", "points")]
        shown = {}
        for p in problem.parts:
            laid = blocks.block(p.expected)
            if laid is not None:
                shown[p.id] = laid
            table.append((view.cell(p.id), view.cell(p.ask),
                          laid.summary if laid is not None else view.cell(p.expected),
                          view.solved_points(p)))
        lines += _columns(table, indent=2, wrap={2})
        said = {n.part: n for n in view.notes(problem)}
        for p in problem.parts:
            part = view.cell(p.id)
            if part not in said and p.id not in shown:
                continue
            lines.append(f"  {part}:")
            if part in said:
                lines += note_lines(said[part], indent=4)
            if p.id in shown:
                laid = shown[p.id]
                lines += _columns([laid.header, *laid.rows], indent=4)
        lines.append("")
    lines.append(view.solved_summary(result))
    return lines


def note_lines(note: view.Note, *, indent: int = 4) -> list[str]:
    """What is said under one part, its table diff included (wrong cells marked with `*`)."""
    pad = " " * indent
    lines = [f"{pad}{line}" for line in note.lines]
    if note.table:
        header, body = note.table
        cells = [header] + [
            tuple(text if ok else f"*{text}" for text, ok in row) for row in body
        ]
        lines += _columns(cells, indent=indent)
    return lines


def render_sheet(result: SheetResult, *, reveal: str = "expected", solved: bool = False,
                 problems: Sequence[list[str]] | None = None,
                 texts: Sequence[str] | None = None) -> str:
    """The report of one sheet as one string (ends with a newline), inert for a terminal
    (`problems`: as `sheet_lines` takes them; `texts`: each problem's `problem_text`, where
    they are already made)."""
    if texts is not None and not solved:
        # Pieces made inert apart join as the whole made inert would (`words`).
        return (_text(_head_lines(result)) + "".join(texts) + _text(_tail_lines(result)))
    return _text(sheet_lines(result, reveal=reveal, solved=solved, problems=problems))


def problem_text(problem: ProblemResult, reveal: str = "expected",
                 parts: Sequence[PartPieces] | None = None,
                 rows: Callable[[int, tuple[int, ...]], list[str]] | None = None) -> str:
    """One problem of a sheet's report as `render_sheet` writes it (`problem_lines`, inert)."""
    return _text(problem_lines(problem, reveal, parts, rows))


def _text(lines: list[str]) -> str:
    """Lines as inert text, each ended by a newline."""
    return inert_lines("".join(f"{line}\n" for line in lines))


def wrap_cell(text: str, width: int = CELL) -> list[str]:
    """A cell's text in lines of at most `width` characters, broken at spaces where it can be
    (a longer word is split); nothing is dropped but the spaces a line is broken at."""
    return textwrap.wrap(text, width, break_on_hyphens=False, drop_whitespace=True) or [""]


def _columns(table: list[tuple[str, ...]], indent: int, wrap: set[int] | frozenset[int] =
             frozenset()) -> list[str]:
    """Rows as aligned columns; a cell of a column in `wrap` continues on the lines below."""
    return _aligned([[wrap_cell(c) if i in wrap else [c] for i, c in enumerate(row)]
                     for row in table], indent)


def _aligned(split: Sequence[list[list[str]]], indent: int,
             widths: Sequence[int] | None = None) -> list[str]:
    """Rows of cells, each cell as its lines, as aligned columns (`widths`: each column's
    widest line, where it is known)."""
    if widths is None:
        widths = [max(len(piece) for row in split for piece in row[i])
                  for i in range(len(split[0]))]
    pad = " " * indent
    out = []
    for row in split:
        depth = max(map(len, row))
        if depth == 1:  # the common case: a line
            out.append((pad + "  ".join(c[0].ljust(w) for c, w in zip(row, widths))).rstrip())
            continue
        for k in range(depth):
            pieces = [c[k] if k < len(c) else "" for c in row]
            out.append((pad + "  ".join(p.ljust(w) for p, w in zip(pieces, widths))).rstrip())
    return out
