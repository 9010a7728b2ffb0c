"""The rows of a large expected table, kept as the array they were computed in.

A truth table of 20 inputs has a million rows: as Python lists (what FORMAT §8 shows) it takes
seconds to build and a gigabyte to hold, and `check --format text` never shows a row of it. A
table of more than `LARGE_ROWS` rows keeps its rows here instead: a read-only sequence whose
rows are made one at a time when read, whose JSON text is written straight from the array
(byte for byte what `json.dumps` writes of the lists), and which a class report summarises
(`summary`: the row count, the rows that differ, a SHA-256 of the whole) instead of repeating
it on every student's line.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterator, Sequence
from typing import Any, overload

LARGE_ROWS = 4096  # more rows than this: kept as an array, summarised in a class report
DIFFERING_SHOWN = 8  # the differing rows a summary lists (as the text report's table does)
_CHUNK = 1 << 16  # rows encoded at a time (bounds the scratch memory to some megabytes)
_GROUP = 256  # most combinations of neighbouring columns' cells laid out as one


class Ready(dict):
    """A value already as FORMAT §8 writes it (a table's `{columns, rows}`): the JSON renderer
    writes it as it is, without a second walk over its cells."""


def expected_table(columns: Sequence[str], values: Any) -> Ready:
    """A truth table's expected value, `{columns, rows}`: the rows as lists, or, for more than
    `LARGE_ROWS` rows, a `TableRows` over the array."""
    from nncheck.compare.numbers import to_json_value

    rows = TableRows(values) if len(values) > LARGE_ROWS else to_json_value(values)
    return Ready(columns=list(columns), rows=rows)


class TableRows(Sequence[list[Any]]):
    """A table's rows (inputs, then asked columns), each read as FORMAT §8 writes it."""

    def __init__(self, values: Any):
        self._values = values  # a 2-D float array, canonical row order
        self._sha256: str | None = None

    def __len__(self) -> int:
        return int(self._values.shape[0])

    @overload
    def __getitem__(self, i: int) -> list[Any]: ...

    @overload
    def __getitem__(self, i: slice) -> list[list[Any]]: ...

    def __getitem__(self, i: int | slice) -> list[Any] | list[list[Any]]:
        from nncheck.compare.numbers import to_json_value

        if isinstance(i, slice):
            return [to_json_value(r) for r in self._values[i]]
        return to_json_value(self._values[i])

    def __iter__(self) -> Iterator[list[Any]]:
        from nncheck.compare.numbers import to_json_value

        for start in range(0, len(self), _CHUNK):
            yield from to_json_value(self._values[start:start + _CHUNK])

    def __eq__(self, other: object) -> bool:
        if isinstance(other, TableRows):
            other = other.tolist()
        if isinstance(other, (list, tuple)):
            return len(self) == len(other) and self.tolist() == list(other)
        return NotImplemented

    __hash__ = None  # type: ignore[assignment]

    def __repr__(self) -> str:
        return f"TableRows({len(self)} rows)"

    def __getstate__(self) -> dict[str, Any]:
        return {"_values": self._values, "_sha256": self._sha256}

    def tolist(self) -> list[list[Any]]:
        """Every row as a list (what the rows were before they were kept as an array)."""
        return list(self)

    def json_text(self) -> str:
        """The rows as `json.dumps` writes their lists: `[[0, 0, 1], [0, 1, 0], ...]`."""
        return "".join(self._json_pieces())

    def _json_pieces(self) -> Iterator[str]:
        n = len(self)
        yield "["
        for start in range(0, n, _CHUNK):
            piece = encode_rows(self._values[start:start + _CHUNK])
            yield (", " if start else "") + piece
        yield "]"

    @property
    def sha256(self) -> str:
        """The SHA-256 of `json_text()` as UTF-8, in hex (computed once)."""
        if self._sha256 is None:
            digest = hashlib.sha256()
            for piece in self._json_pieces():
                digest.update(piece.encode())
            self._sha256 = digest.hexdigest()
        return self._sha256

    def summary(self, columns: Sequence[str], differing: Sequence[int] | None
                ) -> dict[str, Any]:
        """What a class report writes for the table (docs/format.md, "Large tables")."""
        out: dict[str, Any] = {"columns": list(columns), "row_count": len(self),
                               "sha256": self.sha256}
        if differing is not None:
            out["differing_count"] = len(differing)
            out["differing"] = [self[int(r)] for r in differing[:DIFFERING_SHOWN]]
        return out


def encode_rows(values: Any) -> str:
    """Rows of a 2-D float array as `json.dumps(to_json_value(values))[1:-1]` writes them, a
    column at a time: each distinct cell is written once, then the text is laid out in numpy.

    Neighbouring columns of few distinct cells (input bits, a step unit's 0/1) are laid out
    together, each combination of their cells written once: one pass over the rows for eight
    bit columns instead of eight."""
    import numpy as np

    rows, width = values.shape
    if rows == 0:
        return ""
    if width == 0:
        return ", ".join(["[]"] * rows)
    groups: list[tuple[list[bytes], Any]] = []
    for j in range(width):
        found, at = _column_tokens(values[:, j])
        tail = ", " if j < width - 1 else "], "
        head = "[" if j == 0 else ""
        tokens = [f"{head}{t}{tail}".encode() for t in found]
        if groups and len(groups[-1][0]) * len(tokens) <= _GROUP:
            before, where = groups[-1]
            groups[-1] = ([a + b for a in before for b in tokens], where * len(tokens) + at)
        else:
            groups.append((tokens, at))
    widths = [max(len(t) for t in tokens) for tokens, _ in groups]
    slots = np.zeros((rows, sum(widths)), dtype=np.uint8)  # 0: no byte (JSON has no NUL)
    offset = 0
    for (tokens, at), w in zip(groups, widths):
        table = np.frombuffer(b"".join(t.ljust(w, b"\0") for t in tokens), dtype=np.uint8)
        slots[:, offset:offset + w] = table.reshape(len(tokens), w)[at]
        offset += w
    flat = slots.reshape(-1)
    fixed = all(len(t) == w for (tokens, _), w in zip(groups, widths) for t in tokens)
    text = (flat if fixed else flat[flat != 0]).tobytes().decode()  # fixed: no gaps
    return text[:-2]  # the last row's ", "


def _column_tokens(column: Any) -> tuple[list[str], Any]:
    """The JSON of each distinct cell of a column, and each row's index into them."""
    import numpy as np

    from nncheck.compare.numbers import FLOAT_EXACT, to_json_number

    finite = np.isfinite(column)
    if finite.all():
        low, high = float(column.min()), float(column.max())
        if (high - low < 4096 and max(-low, high) < FLOAT_EXACT
                and (column == np.floor(column)).all()):
            at = (column - low).astype(np.intp)
            return [str(int(low) + k) for k in range(int(high - low) + 1)], at
    distinct, at = np.unique(column, return_inverse=True)
    return [_token(to_json_number(v)) for v in distinct.tolist()], at.reshape(-1)


def _token(number: float | int | str) -> str:
    """A number's JSON, as `json.dumps` writes it (a float by its repr, as json does)."""
    return repr(number) if isinstance(number, float) else json.dumps(number)
