"""The line and column of a value or key of a read file, found when a message asks for one.

A Document keeps the composed node tree; the place of a path (`("answers", "q1", 2)`) is found
by walking the tree along it, with the same merge keys and the same typed keys as the built
values (so `011:` is found as 11, `1` also as `true`, as a dict would). Nothing is recorded for
the many values that no message ever names.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

import yaml

from nncheck.io.scalars import Builder, Loc, Position, node_mark

__all__ = ["Positions", "positions"]


def _index(item: Any, length: int) -> int | None:
    """The index a path item names in a list of `length` items, equal as a dict key would be
    (`1`, `True` and `1.0` all name item 1; `"1"` and `1.5` none)."""
    try:
        index = int(item)
    except (TypeError, ValueError, OverflowError):
        return None
    return index if index == item and 0 <= index < length else None


def positions(root: yaml.Node, builder: Builder
              ) -> tuple[Mapping[Loc, Position], Mapping[Loc, Position]]:
    """The places of the values and of the keys of a document built by `builder` from `root`:
    two read-only mappings from a path to its (line, column), each place found when asked."""
    found = Positions(root, builder)
    return _Marks(found, keys=False), _Marks(found, keys=True)


class Positions:
    """Where the values and keys of one document are, found in its node tree."""

    def __init__(self, root: yaml.Node, builder: Builder) -> None:
        self._root = root
        self._builder = builder
        self._pairs: dict[int, dict[Any, tuple[yaml.Node, yaml.Node]]] = {}

    def _entries(self, node: yaml.MappingNode) -> dict[Any, tuple[yaml.Node, yaml.Node]]:
        entries = self._pairs.get(id(node))
        if entries is None:  # the file was built, so its mappings raise no error here
            entries = self._pairs[id(node)] = self._builder.pairs(node)
        return entries

    def _step(self, node: yaml.Node, item: Any) -> tuple[yaml.Node | None, yaml.Node] | None:
        """(key node, value node) of `item` in `node`; an item of a list has no key node."""
        if isinstance(node, yaml.MappingNode):
            return self._entries(node).get(item)
        if isinstance(node, yaml.SequenceNode):
            index = _index(item, len(node.value))
            return None if index is None else (None, node.value[index])
        return None

    def find(self, loc: Loc, *, key: bool = False) -> Position | None:
        """The place of the value at `loc` (of its key, with `key`), None if the file has none."""
        node: yaml.Node = self._root
        key_node: yaml.Node | None = None  # none for the whole file and an item of a list
        for item in loc:
            found = self._step(node, item)
            if found is None:
                return None
            key_node, node = found
        if key:
            return None if key_node is None else node_mark(key_node)
        return node_mark(node)

    def walk(self) -> Iterator[tuple[Loc, Position, Position | None]]:
        """Every (path, place of the value, place of its key or None), in the file's order."""
        stack: list[tuple[yaml.Node, Loc, Position | None]] = [(self._root, (), None)]
        while stack:
            node, loc, key_mark = stack.pop()
            yield loc, node_mark(node), key_mark
            children: list[tuple[yaml.Node, Loc, Position | None]] = []
            if isinstance(node, yaml.SequenceNode):
                children = [(child, (*loc, i), None) for i, child in enumerate(node.value)]
            elif isinstance(node, yaml.MappingNode):
                children = [(child, (*loc, k), node_mark(key_node))
                            for k, (key_node, child) in self._entries(node).items()]
            stack.extend(reversed(children))


class _Marks(Mapping[Loc, Position]):
    """Paths to places, read from the node tree when asked; iterating walks the whole file."""

    def __init__(self, positions: Positions, *, keys: bool) -> None:
        self._positions = positions
        self._keys = keys

    def __getitem__(self, loc: Loc) -> Position:
        found = self._positions.find(tuple(loc), key=self._keys)
        if found is None:
            raise KeyError(loc)
        return found

    def __iter__(self) -> Iterator[Loc]:
        for loc, _, key_mark in self._positions.walk():
            if not self._keys or key_mark is not None:
                yield loc

    def __len__(self) -> int:
        builder = self._positions._builder
        return builder.keys if self._keys else builder.count
