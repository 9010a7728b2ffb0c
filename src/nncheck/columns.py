"""A column of floats, one a sheet, kept in a byte a value while it holds few distinct ones.

A part's points across a class take a handful of values (0, full marks, a partial credit or
two): the statistics keep each sheet's as the index of its value in a small table, and the
doubles themselves only once a column holds more than 256 distinct values (or a NaN, which no
table can look up). Read back, a column gives the very floats it was given, -0.0 included.
"""

from __future__ import annotations

from array import array
from collections.abc import Iterator, Sequence
from typing import overload

CODES = 256  # distinct values a column keeps as codes; past that, the doubles themselves


class Column(Sequence[float]):
    """Floats appended one at a time; a sequence of them."""

    __slots__ = ("_codes", "_doubles", "_index", "_values")

    def __init__(self, zeros: int = 0) -> None:
        self._values: list[float] = []  # the distinct values, in order of first appearance
        self._index: dict[object, int] = {}  # a value's key -> its place in `_values`
        self._codes: array[int] | None = array("B")
        self._doubles: array[float] | None = None  # every value, once codes no longer do
        for _ in range(zeros):
            self.append(0.0)

    def append(self, value: float) -> None:
        """Add a value at the end."""
        if self._codes is None:
            assert self._doubles is not None
            self._doubles.append(value)
            return
        # 0.0 and -0.0 are equal as keys: each zero is keyed by its spelling.
        key: object = value if value else value.hex()
        code = self._index.get(key)
        if code is None:
            if len(self._values) >= CODES or value != value:
                self._doubles = array("d", self)
                self._codes = None
                self._doubles.append(value)
                self._values, self._index = [], {}
                return
            code = self._index[key] = len(self._values)
            self._values.append(value)
        self._codes.append(code)

    def __len__(self) -> int:
        return len(self._codes if self._codes is not None else self._doubles or ())

    def __iter__(self) -> Iterator[float]:
        if self._codes is None:
            assert self._doubles is not None
            return iter(self._doubles)
        return map(self._values.__getitem__, self._codes)

    @overload
    def __getitem__(self, i: int) -> float: ...

    @overload
    def __getitem__(self, i: slice) -> Sequence[float]: ...

    def __getitem__(self, i: int | slice) -> float | Sequence[float]:
        if self._codes is None:
            assert self._doubles is not None
            return self._doubles[i]
        if isinstance(i, slice):
            return [self._values[c] for c in self._codes[i]]
        return self._values[self._codes[i]]
