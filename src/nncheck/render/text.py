"""Results as plain text: what a pipe, a log or a feedback file gets."""

from __future__ import annotations

from nncheck.grading import SheetResult
from nncheck.render import view
from nncheck.words import inert_lines


def sheet_lines(result: SheetResult, *, reveal: str = "expected") -> list[str]:
    """The report of one sheet, line by line."""
    lines = []
    head = view.heading(result)
    if head:
        lines += [head, ""]
    for problem in result.problems:
        lines.append(view.title(problem))
        rows = view.rows(problem)
        show_expected = reveal == "expected"
        table = [("part", "ask", *(("expected",) if show_expected else ()), "claimed",
                  "verdict", "points")]
        for r in rows:
            verdict = view.verdict(r)
            table.append((r.part, r.ask, *((r.expected,) if show_expected else ()), r.claimed,
                          verdict, r.points))
        lines += _columns(table, indent=2)
        for note in view.notes(problem, reveal=reveal):
            lines.append(f"  {note.part}:")
            lines += note_lines(note, indent=4)
        lines.append("")
    lines += view.warnings(result)
    lines.append(view.summary(result))
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


def render_sheet(result: SheetResult, *, reveal: str = "expected") -> str:
    """The report of one sheet as one string (ends with a newline), inert for a terminal."""
    return inert_lines("\n".join(sheet_lines(result, reveal=reveal)) + "\n")


def _columns(table: list[tuple[str, ...]], indent: int) -> list[str]:
    widths = [max(len(row[i]) for row in table) for i in range(len(table[0]))]
    pad = " " * indent
    return [
        (pad + "  ".join(cell.ljust(w) for cell, w in zip(row, widths))).rstrip()
        for row in table
    ]
