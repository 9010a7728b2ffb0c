"""Values laid out in full, for `solve` and wherever a table or a network is shown whole.

A truth table becomes its columns and rows; a network, one line per unit (`w` and `b`); a
table written by columns (`{z: [..], y: [..]}`), its columns side by side.
Every cell is inert (`view.cell`).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from nncheck.compare.table_rows import TableRows
from nncheck.render import view


@dataclass(frozen=True)
class Block:
    """A value as a small table: a header and rows of inert cells."""

    header: tuple[str, ...]
    rows: tuple[tuple[str, ...], ...]

    @property
    def summary(self) -> str:
        """What the value is, for the cell it stands in for: `table, 8 rows`, `network, 2 units`."""
        if self.header and self.header[0] == "unit":
            return f"network, {len(self.rows)} unit{'s' * (len(self.rows) != 1)}"
        return f"table, {len(self.rows)} row{'s' * (len(self.rows) != 1)}"


def block(value: Any) -> Block | None:
    """The value as a table when it is a truth table or a network; None for anything else."""
    if not isinstance(value, dict) or not value:
        return None
    if isinstance(value.get("columns"), list) and isinstance(value.get("rows"),
                                                             (list, TableRows)):
        rows = value["rows"]
        if all(isinstance(r, (list, tuple)) for r in rows):
            header = tuple(view.cell(c) for c in value["columns"])
            return Block(header, tuple(tuple(view.cell(c) for c in r) for r in rows))
    if all(isinstance(v, dict) and ("w" in v or "b" in v) for v in value.values()):
        return Block(("unit", "w", "b"), tuple(
            (view.cell(unit), view.cell(v.get("w")), view.cell(v.get("b")))
            for unit, v in value.items()
        ))
    columns = [v if isinstance(v, list) else None for v in value.values()]
    if all(c is not None for c in columns) and len({len(c) for c in columns if c is not None}) == 1:
        height = len(columns[0] or [])
        return Block(tuple(view.cell(k) for k in value), tuple(
            tuple(view.cell(c[i]) for c in columns if c is not None) for i in range(height)
        ))
    return None
