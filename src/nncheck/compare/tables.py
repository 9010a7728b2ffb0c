"""Truth tables: reading the three written forms, and comparing them row by row (FORMAT §4.1).

A table may have a million rows (20 inputs), so a written table is read into one array per
column (its numbers, and a code saying what each cell is) and compared with numpy; only the
rows a report shows become `RowDiff` objects.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import Any, overload

import numpy as np

from nncheck import expr
from nncheck.compare.numbers import format_number, to_json_number, to_json_value
from nncheck.compare.table_rows import expected_table
from nncheck.compare.tolerance import Tolerance
from nncheck.compare.verdict import Status, Verdict
from nncheck.errors import AnswerError, ExprError, ProblemError

ON = {"on": 1.0, "true": 1.0, "off": 0.0, "false": 0.0}

# What a read cell is: absent, a number, or (in a pre-activation column) the word on / off.
MISSING, NUMBER, WORD_ON, WORD_OFF = 0, 1, 2, 3
EXACT_CELL = 1e-9  # activation and input cells are exact (up to an expression's rounding)


@dataclass(frozen=True)
class Column:
    """How one column's cells are read and compared.

    `words` says what `on`/`off`/`true`/`false` (and YAML booleans) mean there: `levels`, the
    column's own off/on values (an input: by the domain; a step unit: 0/1; a sign unit: -1/+1);
    `sign`, the sign of a pre-activation (off: z < 0, on: z >= 0); `none`, nothing (the unit
    has values, not states: a sigmoid's cell must be a number).
    """

    name: str
    real: bool = False  # compared with the part's tolerance (else exactly)
    words: str = "levels"  # "levels", "sign" or "none"
    off: float = 0.0
    on: float = 1.0
    activation: str | None = None  # for messages

    @staticmethod
    def guess(name: str, domain: str = "binary") -> Column:
        """A column known only by name: z_<unit> a pre-activation, else on/off by the domain."""
        if name.startswith("z_"):
            return Column(name, real=True, words="sign")
        return Column(name, off=-1.0 if domain == "bipolar" else 0.0)


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


class LazyRows(Sequence[RowDiff]):
    """The rows that differ, in table order, each made into a RowDiff only when read: a wrong
    answer to a table of a million rows may differ on all of them, and a report shows a few."""

    def __init__(self, indices: np.ndarray, make: Callable[[int], RowDiff]):
        self._indices = indices
        self._make = make

    def __len__(self) -> int:
        return len(self._indices)

    @property
    def indices(self) -> np.ndarray:
        """The differing rows' numbers in canonical order (row 0: every input off)."""
        return self._indices

    @overload
    def __getitem__(self, i: int) -> RowDiff: ...

    @overload
    def __getitem__(self, i: slice) -> list[RowDiff]: ...

    def __getitem__(self, i: int | slice) -> RowDiff | list[RowDiff]:
        if isinstance(i, slice):
            return [self._make(int(r)) for r in self._indices[i]]
        return self._make(int(self._indices[i]))

    def __iter__(self) -> Iterator[RowDiff]:
        return (self._make(int(r)) for r in self._indices)

    def __eq__(self, other: object) -> bool:
        if isinstance(other, Sequence) and not isinstance(other, str):
            return len(self) == len(other) and all(a == b for a, b in zip(self, other))
        return NotImplemented

    __hash__ = None  # type: ignore[assignment]

    def __repr__(self) -> str:
        return f"LazyRows({len(self)} rows)"


@dataclass(frozen=True)
class TableDetail:
    """What renderers show of a graded table (`wrong_rows` may be a LazyRows)."""

    columns: tuple[str, ...]
    graded_rows: int
    wrong_rows: Sequence[RowDiff]


@dataclass(frozen=True)
class Claimed:
    """A written table, read: per column, the cells' numbers and what each cell is."""

    rows: int
    values: dict[str, np.ndarray]  # float, one per row
    codes: dict[str, np.ndarray]  # int8: MISSING, NUMBER, WORD_ON, WORD_OFF
    given: np.ndarray  # bool: the rows the student wrote (any cell, or a listed row)

    def cell(self, column: str, r: int) -> Any:
        """One cell as the report shows it: a number, `on`/`off`, or None (absent)."""
        code = int(self.codes[column][r])
        if code == MISSING:
            return None
        if code == NUMBER:
            return float(self.values[column][r])
        return "on" if code == WORD_ON else "off"


@dataclass(frozen=True)
class Required:
    """The rows a `rows: listed` table must give (a bool per row, canonical order), or how
    many (solvers/listed.py says which)."""

    rows: np.ndarray | None = None
    at_least: int = 0
    why: str = ""  # for messages: "every row where `Y` is on is required"


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
    kinds: Mapping[str, Column] = field(default_factory=dict)  # default: Column.guess
    # Known mistakes' tables: like `values`, or only the asked columns.
    known: tuple[tuple[str, np.ndarray], ...] = ()
    aliases: Mapping[str, str] = field(default_factory=dict)  # column names a student may use
    required: Required | None = None  # with rows: listed, the rows that must be given
    hints: tuple[Any, ...] = ()  # instructor hints, read (compare/table_hints.py)

    @functools.cached_property
    def expected(self) -> dict[str, Any]:
        """`{columns, rows}` as FORMAT §8 shows a table (built once: every sheet reads it); the
        rows of a large table stay an array until a report reads them (`table_rows`)."""
        return expected_table(list(self.inputs + self.columns), self.values)

    def key(self) -> Any:
        """The table in canonical column form."""
        n = len(self.inputs)
        return {c: to_json_value(self.values[:, n + j]) for j, c in enumerate(self.columns)}

    def kind(self, name: str) -> Column:
        """How a column is read and compared."""
        return self.kinds.get(name) or Column.guess(name, self.domain)

    def grade(self, claimed: Any) -> Verdict:
        """Compare a written table with the truth row by row (vectorised over the rows)."""
        try:
            cells = read_table(claimed, self.inputs, [self.kind(c) for c in self.columns],
                               self.domain, self.aliases)
        except (AnswerError, ExprError) as exc:
            return Verdict(Status.INVALID, 0.0, str(exc))
        absent = [c for c in self.columns if not (cells.codes[c] != MISSING).any()]
        if absent:
            return Verdict(Status.WRONG, 0.0,
                           f"column `{absent[0]}` is missing — every asked column must be given")
        graded = cells.given if self.rows == "listed" else np.ones(cells.rows, dtype=bool)
        need = self.required
        if need is not None and need.rows is not None:
            graded = graded | need.rows  # a required row left out is a missing row
        count = int(graded.sum())
        if count == 0:
            return Verdict(Status.WRONG, 0.0, "no rows given")
        bad, ok = self._compare(cells, self.values, graded)
        wrong = np.flatnonzero(bad)
        diffs = LazyRows(wrong, functools.partial(self._row_diff, cells, ok))
        detail = TableDetail(self.inputs + self.columns, count, diffs)
        short = max(0, need.at_least - count) if need is not None else 0
        if len(wrong) == 0 and short == 0:
            return Verdict(Status.CORRECT, 1.0, None, (), detail)
        mistakes = tuple(
            name for name, values in self.known
            if not self._compare(cells, values, graded)[0].any()
        )
        fraction = (count - len(wrong)) / (count + short) if self.partial else 0.0
        if self.hints:
            from nncheck.compare import table_hints

            said, credit = table_hints.matched(self, cells, self.hints)
            mistakes, fraction = mistakes + said, max(fraction, credit)
        return Verdict(Status.WRONG, fraction, self._summary(diffs, count, short, cells), mistakes,
                       detail)

    def with_hints(self, hints: Sequence[Any], accept: Sequence[Any] = ()) -> TableTruth:
        """The truth with instructor hints: wrong tables (or columns) and what to say."""
        from nncheck.compare import table_hints

        if accept:
            raise ProblemError("`accept` works only on parts with a numeric answer or a choice")
        if not hints:
            return self
        return replace(self, hints=self.hints + table_hints.read_hints(self, hints))

    def _summary(self, diffs: Sequence[RowDiff], count: int, short: int, cells: Claimed) -> str:
        """The rows that differ, and why a listed table lacks rows (required ones, or too few)."""
        if short:
            why = self.required.why if self.required is not None else ""
            head = f"{count} {'row' if count == 1 else 'rows'} given: {why}"
            return head + (f"; {_summarise(diffs, count)}" if len(diffs) else "")
        text = _summarise(diffs, count)
        need = self.required
        if need is not None and need.rows is not None and (need.rows & ~cells.given).any():
            text += f" — {need.why}"
        return text

    def _compare(
        self, cells: Claimed, values: np.ndarray, graded: np.ndarray
    ) -> tuple[np.ndarray, list[np.ndarray]]:
        """The graded rows that differ, and each column's right cells (bool arrays); `values`
        holds the inputs and the asked columns, or only the asked columns."""
        n = values.shape[1] - len(self.columns)
        bad = np.zeros(cells.rows, dtype=bool)
        ok_columns = []
        for j, name in enumerate(self.columns):
            kind = self.kind(name)
            want = values[:, n + j]
            got = cells.values[name]
            code = cells.codes[name]
            if kind.real:
                ok = np.asarray(self.tolerance.close(want, got)) & (code == NUMBER)
                if kind.words == "sign":
                    ok |= (code == WORD_ON) & (want >= 0)
                    ok |= (code == WORD_OFF) & (want < 0)
            else:
                with np.errstate(invalid="ignore"):
                    ok = (code == NUMBER) & (np.abs(got - want) < EXACT_CELL)
            ok_columns.append(ok)
            bad |= ~ok
        bad &= graded
        return bad, ok_columns

    def _row_diff(self, cells: Claimed, ok: list[np.ndarray], r: int) -> RowDiff:
        n = len(self.inputs)
        label = row_label(self.values[r, :n], self.domain)
        if not cells.given[r]:
            return RowDiff(label, (), missing=True)
        return RowDiff(label, tuple(
            CellDiff(c, to_json_number(self.values[r, n + j]), cells.cell(c, r), bool(ok[j][r]))
            for j, c in enumerate(self.columns)
        ))


def row_label(inputs: Sequence[float] | np.ndarray, domain: str = "binary") -> str:
    """A row's inputs as a pattern: 011 (binary), -++ (bipolar)."""
    if domain == "bipolar":
        return "".join("+" if v > 0 else "-" for v in inputs)
    return "".join(str(int(v)) for v in inputs)


def _summarise(diffs: Sequence[RowDiff], graded: int) -> str:
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
    claimed: Any, inputs: Sequence[str], columns: Sequence[str | Column],
    domain: str = "binary", aliases: Mapping[str, str] | None = None,
) -> Claimed:
    """Read any written form into one array per asked column (FORMAT §4.1).

    `columns` are the asked columns (a bare name is read as `Column.guess` reads it); a column
    of the written table may also be named by one of the problem's `aliases`.
    """
    if not isinstance(claimed, dict):
        raise AnswerError(
            "expected a table: `{columns: [...], rows: [...]}`, `{Y: [0, 1, ...]}` "
            "or `{Y: {\"011\": 1, else: 0}}`"
        )
    kinds = {c.name: c for c in (k if isinstance(k, Column) else Column.guess(k, domain)
                                 for k in columns)}
    n = len(inputs)
    out = Claimed(
        rows=1 << n,
        values={c: np.zeros(1 << n) for c in kinds},
        codes={c: np.zeros(1 << n, dtype=np.int8) for c in kinds},
        given=np.zeros(1 << n, dtype=bool),
    )
    if "rows" in claimed or "columns" in claimed:
        _read_rows(claimed, inputs, kinds, domain, aliases or {}, out)
        return out
    seen: dict[str, str] = {}
    for written, value in claimed.items():
        col = _canonical(str(written), aliases or {}, seen)
        if col not in kinds:
            if col in inputs:
                continue
            raise AnswerError(
                f"column `{written}` is not asked for — the columns are {', '.join(kinds)}"
            )
        values, codes = _read_column(kinds[col], value, n, domain)
        out.values[col][...] = values
        out.codes[col][...] = codes
        out.given[...] |= codes != MISSING
    return out


def _canonical(written: str, aliases: Mapping[str, str], seen: dict[str, str]) -> str:
    """A written column name as the network's symbol; the same column twice is an error."""
    name = aliases.get(written, written)
    if name in seen:
        also = f" (as `{seen[name]}` and `{written}`)" if seen[name] != written else ""
        raise AnswerError(f"column `{name}` is given twice{also}")
    seen[name] = written
    return name


def _read_rows(
    claimed: dict[str, Any], inputs: Sequence[str], kinds: Mapping[str, Column], domain: str,
    aliases: Mapping[str, str], out: Claimed,
) -> None:
    cols = claimed.get("columns")
    rows = claimed.get("rows")
    if not isinstance(cols, list) or not isinstance(rows, list):
        raise AnswerError("a table by rows needs `columns: [...]` and `rows: [[...], ...]`")
    seen: dict[str, str] = {}
    cols = [_canonical(str(c), aliases, seen) for c in cols]
    absent = [i for i in inputs if i not in cols]
    if absent:
        raise AnswerError(f"input column `{absent[0]}` is missing — rows are matched by inputs")
    unknown = [c for c in cols if c not in kinds and c not in inputs]
    if unknown:
        raise AnswerError(
            f"column `{seen[unknown[0]]}` is not asked for — the columns are {', '.join(kinds)}"
        )
    input_kind = Column.guess("input", domain)
    bits = (0.0, 1.0) if domain == "binary" else (-1.0, 1.0)
    read: dict[int, tuple[tuple[float, int], ...]] = {}
    asked = [c for c in kinds if c in cols]
    for k, row in enumerate(rows):
        if not isinstance(row, list) or len(row) != len(cols):
            raise AnswerError(f"row {k + 1} has not {len(cols)} cells")
        named = dict(zip(cols, row))
        index = 0
        for name in inputs:
            bit, _ = _cell(named[name], input_kind)
            if bit not in bits:
                raise AnswerError(f"row {k + 1}: input `{name}` is {named[name]!r}")
            index = index * 2 + (1 if bit > 0 else 0)
        cells = tuple(_cell(named[c], kinds[c]) for c in asked)
        if index in read and read[index] != cells:
            raise AnswerError(f"two rows for inputs {format(index, f'0{len(inputs)}b')} disagree")
        read[index] = cells
    for index, cells in read.items():
        for c, (value, code) in zip(asked, cells):
            out.values[c][index] = value
            out.codes[c][index] = code
        out.given[index] = True


def _read_column(
    col: Column, value: Any, n: int, domain: str
) -> tuple[np.ndarray | float, np.ndarray | int]:
    """One column written by itself: a list in canonical order, a bit string, or patterns."""
    rows = 1 << n
    if isinstance(value, int) and not isinstance(value, bool):
        raise AnswerError(_number_for_column(col, value, rows))
    if isinstance(value, str) and not col.real:
        return _read_bits(col, value, rows)
    if isinstance(value, list):
        if len(value) != rows:
            raise AnswerError(f"column `{col.name}` has {len(value)} cells for {rows} rows")
        if {type(v) for v in value} <= {int, float}:  # the common case, read at once
            try:
                return np.array(value, dtype=float), NUMBER
            except OverflowError:
                pass  # an integer beyond a float: said cell by cell below
        read = [_cell(v, col) for v in value]
        return (np.array([v for v, _ in read], dtype=float),
                np.array([c for _, c in read], dtype=np.int8))
    if isinstance(value, dict):
        return _read_patterns(col, value, n)
    expected = "a list or row patterns" if col.real else "a list, a bit string or row patterns"
    raise AnswerError(f"column `{col.name}`: expected {expected}")


def _number_for_column(col: Column, value: int, rows: int) -> str:
    """Say that a column written as a bare number was most likely an unquoted bit string."""
    if col.real:
        return f"column `{col.name}` is the number {value}: expected a list or row patterns"
    hint = ""
    try:
        digits = str(value)
        if value >= 0 and set(digits) <= {"0", "1"} and len(digits) <= rows:
            hint = f' ("{value:0{rows}d}")'
    except ValueError:  # more digits than Python will print
        digits = "a number"
    return (f"column `{col.name}` was read as the number {digits}: a bit string written "
            f"without quotes is read as a number — quote it{hint}")


def _read_bits(col: Column, text: str, rows: int) -> tuple[np.ndarray, np.ndarray | int]:
    """A bit string: 0 and 1 are numbers; + and - the column's on and off."""
    chars = "".join(text.split())
    if len(chars) != rows:
        raise AnswerError(f"column `{col.name}` has {len(chars)} cells for {rows} rows")
    raw = np.frombuffer(chars.encode("ascii"), dtype=np.uint8) if chars.isascii() else None
    if raw is not None and ((raw == ord("0")) | (raw == ord("1"))).all():
        return (raw - ord("0")).astype(float), NUMBER  # the common case, read at once
    read = [_cell({"+": "on", "-": "off"}.get(ch, ch), col) for ch in chars]
    return (np.array([v for v, _ in read], dtype=float),
            np.array([c for _, c in read], dtype=np.int8))


def _read_patterns(col: Column, value: dict[Any, Any], n: int) -> tuple[np.ndarray, np.ndarray]:
    """Row patterns (`"1*0": 1`), later ones over earlier ones, `else` for every other row."""
    rows = 1 << n
    values = np.zeros(rows)
    codes = np.zeros(rows, dtype=np.int8)
    fallback = None
    for pattern, cell in value.items():
        if pattern == "else":
            fallback = _cell(cell, col)
            continue
        if isinstance(pattern, int) and not isinstance(pattern, bool):
            raise AnswerError(
                f"column `{col.name}`: row pattern {pattern} was read as a number — "
                f"quote bit patterns (\"{pattern:0{n}d}\")"
            )
        where = match_rows(str(pattern), n, col.name)
        values[where], codes[where] = _cell(cell, col)
    if fallback is not None:
        rest = codes == MISSING
        values[rest], codes[rest] = fallback
    return values, codes


_PATTERN = re.compile(r"^[01+\-*xX?]+$")


def match_rows(pattern: str, n: int, col: str) -> np.ndarray:
    """The row indices a pattern matches (* x ? for either bit), without a loop over rows."""
    p = "".join(pattern.split())
    if len(p) != n or not _PATTERN.match(p):
        raise AnswerError(
            f"column `{col}`: row pattern `{pattern}` is not {n} bits (0/1, or * for either)"
        )
    base = 0
    free = []
    for i, ch in enumerate(p):
        bit = 1 << (n - 1 - i)
        if ch in "1+":
            base |= bit
        elif ch not in "0-":
            free.append(bit)
    rows = np.array([base], dtype=np.int64)
    for bit in free:
        rows = np.concatenate([rows, rows | bit])
    return rows


def _cell(value: Any, col: Column) -> tuple[float, int]:
    """One cell: its number and what it is (NUMBER, or WORD_ON / WORD_OFF for a pre-activation)."""
    word: bool | None = None
    if isinstance(value, bool):
        word = value
    elif isinstance(value, str) and value.strip().lower() in ON:
        word = bool(ON[value.strip().lower()])
    if word is not None:
        if col.words == "sign":
            return 0.0, WORD_ON if word else WORD_OFF
        if col.words == "none":
            raise AnswerError(
                f"column `{col.name}`: `{value}` — a {col.activation or 'continuous'} unit "
                "has values, not on/off: write the number"
            )
        return (col.on if word else col.off), NUMBER
    if isinstance(value, str):
        try:
            return float(expr.parse(value).evaluate({})), NUMBER
        except ExprError as exc:
            raise AnswerError(f"cell {value!r}: {exc}") from None
    if isinstance(value, (int, float)):
        try:
            return float(value), NUMBER
        except OverflowError:
            raise AnswerError(f"cell {value} is too large for a number") from None
    raise AnswerError(f"cell {value!r} is not a number or on/off")
