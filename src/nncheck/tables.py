"""Truth tables: reading the three written forms, and comparing them row by row (FORMAT §4.1)."""

from __future__ import annotations

import functools
import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from nncheck import expr
from nncheck.checking import (
    Status,
    Tolerance,
    Verdict,
    format_number,
    to_json_number,
    to_json_value,
)
from nncheck.errors import AnswerError, ExprError

ON = {"on": 1.0, "true": 1.0, "off": 0.0, "false": 0.0}


@dataclass(frozen=True)
class CellDiff:
    """One cell of a differing row."""

    column: str
    expected: Any
    claimed: Any
    ok: bool


@dataclass(frozen=True)
class RowDiff:
    """A row that differs (or is missing), for the report."""

    row: str  # the inputs as a bit pattern, e.g. "011"
    cells: tuple[CellDiff, ...]
    missing: bool = False


@dataclass(frozen=True)
class TableDetail:
    """What renderers show of a graded table."""

    columns: tuple[str, ...]
    graded_rows: int
    wrong_rows: tuple[RowDiff, ...]


@dataclass(frozen=True)
class TableTruth:
    """The truth of a table: input columns, then asked columns, in canonical row order."""

    inputs: tuple[str, ...]
    columns: tuple[str, ...]  # the asked columns
    values: np.ndarray  # shape (rows, len(inputs) + len(columns))
    domain: str = "binary"
    rows: str = "all"  # or "listed"
    partial: bool = False
    tolerance: Tolerance = Tolerance()
    real_columns: frozenset[str] = frozenset()  # pre-activations: compared with tolerance
    known: tuple[tuple[str, np.ndarray], ...] = ()

    @functools.cached_property
    def expected(self) -> dict[str, Any]:
        """`{columns, rows}` as FORMAT §8 shows a table (built once: every sheet reads it)."""
        return {"columns": list(self.inputs + self.columns), "rows": to_json_value(self.values)}

    def key(self) -> Any:
        """The table in canonical column form."""
        n = len(self.inputs)
        return {c: to_json_value(self.values[:, n + j]) for j, c in enumerate(self.columns)}

    def grade(self, claimed: Any) -> Verdict:
        """Compare a written table with the truth row by row."""
        try:
            cells = read_table(claimed, self.inputs, self.columns, self.domain)
        except (AnswerError, ExprError) as exc:
            return Verdict(Status.INVALID, 0.0, str(exc))
        absent = [c for c in self.columns if not any(c in row for row in cells.values())]
        if absent:
            return Verdict(Status.WRONG, 0.0,
                           f"column `{absent[0]}` is missing — every asked column must be given")
        diffs, graded = self._compare(cells, self.values)
        if graded == 0:
            return Verdict(Status.WRONG, 0.0, "no rows given")
        detail = TableDetail(self.inputs + self.columns, graded, tuple(diffs))
        if not diffs:
            return Verdict(Status.CORRECT, 1.0, None, (), detail)
        mistakes = tuple(
            name for name, values in self.known
            if not self._compare(cells, values)[0]
        )
        fraction = (graded - len(diffs)) / graded if self.partial else 0.0
        message = _summarise(diffs, graded)
        return Verdict(Status.WRONG, fraction, message, mistakes, detail)

    def _compare(
        self, cells: dict[int, dict[str, Any]], values: np.ndarray
    ) -> tuple[list[RowDiff], int]:
        n = len(self.inputs)
        rows = sorted(cells) if self.rows == "listed" else range(len(values))
        diffs = []
        for r in rows:
            given = cells.get(r)
            label = row_label(values[r, :n], self.domain)
            if given is None:
                diffs.append(RowDiff(label, (), missing=True))
                continue
            row_cells = []
            bad = False
            for j, col in enumerate(self.columns):
                want = values[r, n + j]
                got = given.get(col)
                ok = got is not None and self._cell_ok(col, want, got)
                bad |= not ok
                row_cells.append(CellDiff(col, to_json_number(want), got, ok))
            if bad:
                diffs.append(RowDiff(label, tuple(row_cells)))
        return diffs, len(rows)

    def _cell_ok(self, column: str, want: float, got: Any) -> bool:
        if column in self.real_columns:
            if isinstance(got, str) and got in ("on", "off"):
                return (want >= 0) == (got == "on")
            return bool(self.tolerance.close(want, got))
        return bool(abs(float(got) - want) < 1e-9)


def row_label(inputs: Sequence[float] | np.ndarray, domain: str = "binary") -> str:
    """A row's inputs as a pattern: 011 (binary), -++ (bipolar)."""
    if domain == "bipolar":
        return "".join("+" if v > 0 else "-" for v in inputs)
    return "".join(str(int(v)) for v in inputs)


def _summarise(diffs: list[RowDiff], graded: int) -> str:
    parts = []
    for d in diffs[:3]:
        if d.missing:
            parts.append(f"row {d.row} is missing")
            continue
        wrong = [c for c in d.cells if not c.ok]
        says = ", ".join(
            f"{c.column} is missing" if c.claimed is None
            else f"{c.column} is {_show_cell(c.claimed)}, not {_show_cell(c.expected)}"
            for c in wrong
        )
        parts.append(f"row {d.row}: {says}")
    more = f" (and {len(diffs) - 3} more)" if len(diffs) > 3 else ""
    head = f"{len(diffs)} of {graded} rows differ: " if len(diffs) > 1 else ""
    return head + "; ".join(parts) + more


def _show_cell(value: Any) -> str:
    if isinstance(value, float):
        return format_number(value)
    return str(value)


# --- reading written tables ---

def read_table(
    claimed: Any, inputs: Sequence[str], columns: Sequence[str], domain: str = "binary"
) -> dict[int, dict[str, Any]]:
    """Read any written form into {row index: {column: cell}} (cells: numbers, or on/off)."""
    if not isinstance(claimed, dict):
        raise AnswerError(
            "expected a table: `{columns: [...], rows: [...]}`, `{Y: [0, 1, ...]}` "
            "or `{Y: {\"011\": 1, else: 0}}`"
        )
    n = len(inputs)
    if "rows" in claimed or "columns" in claimed:
        cells = _read_rows(claimed, inputs, columns, domain)
    else:
        cells = {}
        for col, value in claimed.items():
            col = str(col)
            if col not in columns:
                if col in inputs:
                    continue
                raise AnswerError(
                    f"column `{col}` is not asked for — the columns are {', '.join(columns)}"
                )
            for r, cell in _read_column(col, value, n, domain).items():
                cells.setdefault(r, {})[col] = cell
    return cells


def _read_rows(
    claimed: dict[str, Any], inputs: Sequence[str], columns: Sequence[str], domain: str
) -> dict[int, dict[str, Any]]:
    cols = claimed.get("columns")
    rows = claimed.get("rows")
    if not isinstance(cols, list) or not isinstance(rows, list):
        raise AnswerError("a table by rows needs `columns: [...]` and `rows: [[...], ...]`")
    cols = [str(c) for c in cols]
    absent = [i for i in inputs if i not in cols]
    if absent:
        raise AnswerError(f"input column `{absent[0]}` is missing — rows are matched by inputs")
    out: dict[int, dict[str, Any]] = {}
    for k, row in enumerate(rows):
        if not isinstance(row, list) or len(row) != len(cols):
            raise AnswerError(f"row {k + 1} has not {len(cols)} cells")
        named = dict(zip(cols, row))
        index = 0
        for name in inputs:
            bit = _cell(named[name], domain, real=False)
            if bit not in ((0.0, 1.0) if domain == "binary" else (-1.0, 1.0)):
                raise AnswerError(f"row {k + 1}: input `{name}` is {named[name]!r}")
            index = index * 2 + (1 if bit > 0 else 0)
        cells = {c: _cell(named[c], domain, real=c.startswith("z_")) for c in columns
                 if c in named}
        if index in out and out[index] != cells:
            raise AnswerError(f"two rows for inputs {format(index, f'0{len(inputs)}b')} disagree")
        out[index] = cells
    return out


def _read_column(col: str, value: Any, n: int, domain: str) -> dict[int, Any]:
    real = col.startswith("z_")
    rows = 1 << n
    if isinstance(value, str) and not real:
        bits = [ch for ch in value if not ch.isspace()]
        value = bits
    if isinstance(value, list):
        if len(value) != rows:
            raise AnswerError(f"column `{col}` has {len(value)} cells for {rows} rows")
        return {r: _cell(v, domain, real) for r, v in enumerate(value)}
    if isinstance(value, dict):
        out: dict[int, Any] = {}
        fallback = None
        for pattern, cell in value.items():
            if pattern == "else":
                fallback = _cell(cell, domain, real)
                continue
            if isinstance(pattern, int) and not isinstance(pattern, bool):
                raise AnswerError(
                    f"column `{col}`: row pattern {pattern} was read as a number — "
                    f"quote bit patterns (\"{pattern:0{n}d}\")"
                )
            for r in _match(str(pattern), n, col):
                out[r] = _cell(cell, domain, real)
        if fallback is not None:
            for r in range(rows):
                out.setdefault(r, fallback)
        return out
    raise AnswerError(f"column `{col}`: expected a list, a bit string or row patterns")


_PATTERN = re.compile(r"^[01+\-*xX?]+$")


def _match(pattern: str, n: int, col: str) -> list[int]:
    p = "".join(pattern.split())
    if len(p) != n or not _PATTERN.match(p):
        raise AnswerError(
            f"column `{col}`: row pattern `{pattern}` is not {n} bits (0/1, or * for either)"
        )
    rows = [0]
    for ch in p:
        if ch in "1+":
            rows = [r * 2 + 1 for r in rows]
        elif ch in "0-":
            rows = [r * 2 for r in rows]
        else:
            rows = [r * 2 + b for r in rows for b in (0, 1)]
    return rows


def _cell(value: Any, domain: str, real: bool) -> Any:
    if isinstance(value, bool):
        return 1.0 if value else (-1.0 if domain == "bipolar" else 0.0)
    if isinstance(value, str):
        word = value.strip().lower()
        if word in ON:
            if real:
                return "on" if ON[word] else "off"
            on = ON[word]
            return on if domain == "binary" or on else -1.0
        try:
            return float(expr.parse(value).evaluate({}))
        except ExprError as exc:
            raise AnswerError(f"cell {value!r}: {exc}") from None
    if isinstance(value, (int, float)):
        return float(value)
    raise AnswerError(f"cell {value!r} is not a number or on/off")
