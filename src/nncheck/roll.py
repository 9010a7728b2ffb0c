"""Who each sheet of a class being written is, kept on disk until every sheet is in.

The duplicate check (`classroom.clashes`) and a roster's matching need every sheet's relative
path, shown path, student id and email, and only once the last sheet is graded. They wait in a
scratch file of the staging folder; memory keeps 8 bytes a sheet, a hash of the name the
sheet's files would take (`classroom.file_stem`, case folded). Only the sheets whose hash
another sheet shares are read back for the duplicate check, which then compares the names
themselves: a hash two different names share costs a look, never a wrong verdict.
"""

from __future__ import annotations

import itertools
import pickle
from array import array
from collections.abc import Iterator
from typing import IO

from nncheck import classroom
from nncheck.classroom import Row

Contact = tuple[str, str, str | None, str | None]  # (relative path, shown path, id, email)


class Roll:
    """Each sheet's who, in report order, written to `spool` (a scratch file, read and
    written from its start); what the duplicate check needs first, 8 bytes a sheet."""

    def __init__(self, spool: IO[bytes]) -> None:
        self._spool = spool
        self._names = array("q")  # hash of each named sheet's folded file name, in order

    def add(self, row: Row) -> None:
        """Note one sheet (its row as graded, before the duplicate check)."""
        if row.student_id is not None:
            self._names.append(_name_hash(row.student_id))
        varied = bool(row.variants) and row.status != "error"
        pickle.dump((row.rel, row.sheet, row.student_id, row.student_email, varied),
                    self._spool, protocol=pickle.HIGHEST_PROTOCOL)

    def clashes(self) -> dict[str, str]:
        """`classroom.clashes` of every sheet noted, as if given them all."""
        shared = _repeated(self._names)
        if not shared:
            return {}
        return classroom.clashes(
            (rel, sheet, student_id) for rel, sheet, student_id, _, _ in self._read()
            if student_id is not None and _name_hash(student_id) in shared)

    def contacts(self) -> Iterator[Contact]:
        """Every sheet's (relative path, shown path, student id, email), in report order."""
        for rel, sheet, student_id, email, _ in self._read():
            yield rel, sheet, student_id, email

    def varied(self) -> set[str]:
        """The relative paths of the sheets graded against a variant."""
        return {rel for rel, _, _, _, varied in self._read() if varied}

    def _read(self) -> Iterator[tuple[str, str, str | None, str | None, bool]]:
        self._spool.seek(0)
        while True:
            try:
                record = pickle.load(self._spool)
            except EOFError:
                self._spool.seek(0, 2)  # noted sheets keep coming after a look, if any
                return
            yield record


def _name_hash(student_id: str) -> int:
    return hash(classroom.file_stem(student_id).casefold())


def _repeated(values: array[int]) -> set[int]:
    """The values that occur more than once."""
    ordered = sorted(values)
    return {a for a, b in itertools.pairwise(ordered) if a == b}
