"""Instructor hints on a truth table: a wrong table, or some columns of one, and what to say.

A hint's `answer` is written as a student would write the table (any of the three forms), and
may give only some of the asked columns (`{g1: [1, 0, 0, 0]}`: "g1 is the NOR of the inputs").
A claim matches the hint when it gives every cell the hint gives and each is the same in the
claim (a real column within the part's tolerance, an activation exactly): a claim of a few rows
does not match a hint over more. On a `rows: listed` part the claim must give the required rows
(as many as required); the hint's cells are then compared in the rows the claim gives, and
must all be given in the required ones.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np

from nncheck.errors import AnswerError, ExprError, ProblemError

if TYPE_CHECKING:
    from nncheck.compare.tables import Claimed, TableTruth


@dataclass(frozen=True)
class TableHint:
    """A hint's table, read, with what to say and the credit it earns."""

    say: str
    credit: float
    cells: Claimed


def read_hints(truth: TableTruth, hints: Sequence[Any]) -> tuple[TableHint, ...]:
    """Each hint's table read as the part reads a claim (ProblemError when it cannot be)."""
    from nncheck.compare.tables import MISSING, read_table

    out = []
    for hint in hints:
        if getattr(hint, "when", None) is not None:
            raise ProblemError(f"hint `{hint.say}`: a hint on a truth table gives its `answer`, "
                               "a table, not a `when` predicate")
        try:
            cells = read_table(hint.answer, truth.inputs, [truth.kind(c) for c in truth.columns],
                               truth.domain, truth.aliases)
        except (AnswerError, ExprError) as exc:
            raise ProblemError(f"hint `{hint.say}`: its table: {exc}") from None
        if not any((cells.codes[c] != MISSING).any() for c in truth.columns):
            raise ProblemError(f"hint `{hint.say}`: its table gives no cell of an asked column")
        out.append(TableHint(hint.say, float(hint.credit or 0.0), cells))
    return tuple(out)


def matched(truth: TableTruth, cells: Claimed,
            hints: Sequence[TableHint]) -> tuple[tuple[str, ...], float]:
    """The hints a read claim matches, and the best credit among them."""
    names: list[str] = []
    credit = 0.0
    for hint in hints:
        if _agrees(truth, cells, hint.cells):
            names.append(hint.say)
            credit = max(credit, hint.credit)
    return tuple(names), credit


def _agrees(truth: TableTruth, cells: Claimed, hint: Claimed) -> bool:
    from nncheck.compare.tables import EXACT_CELL, MISSING, NUMBER

    listed = truth.rows == "listed"
    need = truth.required
    must = np.ones(cells.rows, dtype=bool)  # the rows where the claim must give the hint's cells
    if listed:
        must = (need.rows.copy() if need is not None and need.rows is not None
                else np.zeros(cells.rows, dtype=bool))
        if (must & ~cells.given).any():
            return False  # a required row left out
        if need is not None and int(cells.given.sum()) < need.at_least:
            return False  # fewer rows than required
    compared = 0
    for name in truth.columns:
        hinted = hint.codes[name] != MISSING
        if (hinted & must & (cells.codes[name] == MISSING)).any():
            return False  # a cell the hint gives, left out of the claim: no credit for a part
        rows = hinted & (cells.given if listed else must)
        if not rows.any():
            continue
        want, got = hint.values[name][rows], cells.values[name][rows]
        want_code, got_code = hint.codes[name][rows], cells.codes[name][rows]
        numbers = (want_code == NUMBER) & (got_code == NUMBER)
        if truth.kind(name).real:
            near = np.asarray(truth.tolerance.close(want, got), dtype=bool)
        else:
            with np.errstate(invalid="ignore"):
                near = np.abs(got - want) < EXACT_CELL
        same = np.where(numbers, near, want_code == got_code)
        if not same.all():
            return False
        compared += int(rows.sum())
    return compared > 0
