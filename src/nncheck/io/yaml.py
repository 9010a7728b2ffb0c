"""Bytes to a Document: YAML with the line and column of every value, limits, and a digest.

A file is read only if it is a regular file (`io.files.read_regular`), at most 1 MiB, and UTF-8;
PyYAML scans and composes the node tree, and `io.scalars` builds the values (YAML 1.2 scalars,
duplicate keys refused, no Python object constructed, alias expansion bounded). The Document
keeps the SHA-256 of the bytes it was parsed from, so that a report names the file it graded.

Merge keys (`<<: *base`) are accepted: the merged mapping's keys are inserted where the `<<`
stands, the mapping's own keys win over merged ones, and among several merged mappings
(`<<: [*a, *b]`) the first wins.
"""

from __future__ import annotations

import hashlib
import os
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from types import MappingProxyType
from typing import Any

import yaml

from nncheck.errors import InputError
from nncheck.io import files
from nncheck.io.positions import positions
from nncheck.io.scalars import (
    MAP,
    PLAIN,
    SEQ,
    STR,
    Builder,
    Loc,
    Position,
    node_mark,
)
from nncheck.io.yaml_errors import syntax_error
from nncheck.words import one_line

__all__ = [
    "MAX_FILE_BYTES",
    "Document",
    "parse_document",
    "read_document",
]

MAX_FILE_BYTES = 1 << 20  # 1 MiB

@dataclass(frozen=True)
class Document:
    """A parsed YAML file: plain data plus the line and column of every value and key.

    `marks` and `key_marks` map a path to a place; a file's are found when asked (see
    `io.positions`), and their lengths count the values and keys (after alias expansion).
    """

    path: str
    data: Any
    marks: Mapping[Loc, Position]
    key_marks: Mapping[Loc, Position]
    sha256: str = ""  # of the bytes read ("" for text parsed without a file)

    def locate(self, loc: Sequence[str | int]) -> Position:
        """Return the (line, column) of the deepest prefix of `loc` that the file has."""
        loc = tuple(loc)
        for end in range(len(loc), -1, -1):
            mark = self.marks.get(loc[:end])
            if mark is not None:
                return mark
        return (1, 1)

    def error(
        self,
        loc: Sequence[str | int],
        message: str,
        *,
        expected: str | None = None,
        hint: str | None = None,
        at_key: bool = False,
    ) -> InputError:
        """Build an InputError at the value at `loc` (or at its key, with `at_key`)."""
        mark = self.key_marks.get(tuple(loc)) if at_key else None
        line, col = mark or self.locate(loc)
        return InputError(message, path=self.path, line=line, col=col, expected=expected, hint=hint)


# --- reading -----------------------------------------------------------------------------------


def read_document(path: str | os.PathLike[str], *, shown: str | None = None,
                  same_as: tuple[int, int] | None = None, stdin: bool = False) -> Document:
    """Read, decode and parse one YAML file; any problem is an InputError naming the file.

    Only a regular file is read (a FIFO or a device is refused before it is opened); `shown`
    is the name its messages and results give (default: the path), `same_as` the (device,
    inode) the file must still have. With `stdin`, the path `-` is standard input, read with
    the same limit and named `<stdin>`.
    """
    name = os.fspath(path) if shown is None else shown
    # Read at most one byte past the limit, so that a huge or endless file costs nothing.
    if stdin and os.fspath(path) == files.STDIN:
        name = files.STDIN_NAME
        raw, size = files.read_stdin(MAX_FILE_BYTES + 1)
    else:
        raw, size = files.read_regular(os.fspath(path), MAX_FILE_BYTES + 1, shown=name,
                                       same_as=same_as)
    if len(raw) > MAX_FILE_BYTES:
        said = f"{size:,} bytes" if size > MAX_FILE_BYTES else "more than 1 MiB"
        raise InputError(
            f"file is too large ({said})",
            path=name,
            expected=f"at most 1 MiB ({MAX_FILE_BYTES:,} bytes)",
            hint="problem files and answer sheets are small; is this the right file?",
        )
    return parse_document(_decode(raw, name), name, sha256=hashlib.sha256(raw).hexdigest())


def _decode(raw: bytes, path: str) -> str:
    """Decode UTF-8 (with or without a byte-order mark), pointing at the first bad byte."""
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line_start = raw.rfind(b"\n", 0, exc.start) + 1
        line = raw.count(b"\n", 0, exc.start) + 1
        col = len(raw[line_start : exc.start].decode("utf-8", errors="replace")) + 1
        hint = "save the file as UTF-8"
        if raw.startswith((b"\xff\xfe", b"\xfe\xff")):
            hint = "the file looks like UTF-16; save it as UTF-8"
        raise InputError(
            f"the file is not valid UTF-8 (byte 0x{raw[exc.start]:02x})",
            path=path,
            line=line,
            col=col,
            expected="UTF-8 text",
            hint=hint,
        ) from exc


# YAML allows tab, newline, carriage return and the printable characters; the same set as
# PyYAML's reader, checked here so that the error has a line and column with either loader.
_NON_PRINTABLE = re.compile(
    "[^\x09\x0a\x0d\x20-\x7e\x85\xa0-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]"
)

_BASE_LOADER: Any = yaml.CSafeLoader if yaml.__with_libyaml__ else yaml.SafeLoader


class _Loader(_BASE_LOADER):
    """A safe loader used only to compose nodes; values are built by `Builder`."""

    def resolve(self, kind: Any, value: Any, implicit: Any) -> str:
        # PyYAML resolves plain scalars by YAML 1.1 (`on` is true, `011` is octal 9). Tag them
        # instead, so that an explicit `!!bool` stays distinguishable from an implicit value.
        # Called for untagged nodes only (and for `!`, which means a string).
        if kind is yaml.ScalarNode:
            return PLAIN if implicit[0] else STR
        return SEQ if kind is yaml.SequenceNode else MAP

    # Path resolvers are not used; these run for every node, so make them cost nothing.
    def descend_resolver(self, current_node: Any, current_index: Any) -> None:
        pass

    def ascend_resolver(self) -> None:
        pass


def parse_document(text: str, path: str, *, sha256: str = "") -> Document:
    """Parse YAML text (one document) into plain data with positions; errors are InputErrors.

    `sha256`: the digest of the bytes the text was decoded from, kept on the Document.
    """
    if text.startswith("\ufeff"):
        text = text[1:]
    bad = _NON_PRINTABLE.search(text)
    if bad:
        line, col = _line_col(text, bad.start())
        raise InputError(
            f"character U+{ord(bad.group()):04X} is not allowed in YAML",
            path=path,
            line=line,
            col=col,
            expected="printable text",
            hint="remove the control character, or write it as an escape in a double-quoted string",
        )
    try:
        root = yaml.compose(text, Loader=_Loader)
    except yaml.MarkedYAMLError as exc:
        raise syntax_error(exc, text, path) from exc
    except RecursionError as exc:  # only the pure-Python composer recurses
        raise InputError("the YAML is nested too deeply", path=path, expected="valid YAML") from exc
    except yaml.YAMLError as exc:
        raise InputError(one_line(str(exc)), path=path, expected="valid YAML") from exc
    if root is None:  # empty, or only comments: the caller says what it expected
        return Document(path, None, MappingProxyType({(): (1, 1)}), MappingProxyType({}), sha256)
    has_anchors = "&" in text  # an alias needs an anchor, and an anchor needs `&`
    if has_anchors:
        _refuse_recursion(root, path)
    builder = Builder(path, has_anchors)
    try:
        data = builder.build(root)
    except RecursionError as exc:  # merges of merges of merges ..., thousands deep
        raise InputError(
            "merge keys (`<<`) are nested too deeply", path=path, expected="fewer levels of `<<`"
        ) from exc
    marks, key_marks = positions(root, builder)  # found when a message asks, not for every value
    return Document(path, data, marks, key_marks, sha256)


def _line_col(text: str, index: int) -> Position:
    line_start = text.rfind("\n", 0, index) + 1
    return text.count("\n", 0, index) + 1, index - line_start + 1




def _refuse_recursion(root: yaml.Node, path: str) -> None:
    """Refuse a node that contains itself through an alias (depth-first, without recursion)."""
    state: dict[int, int] = {}  # 1: on the current path, 2: done
    stack: list[tuple[yaml.Node, bool]] = [(root, False)]
    while stack:
        node, leaving = stack.pop()
        if leaving:
            state[id(node)] = 2
            continue
        seen = state.get(id(node))
        if seen == 2 or isinstance(node, yaml.ScalarNode):
            continue
        if seen == 1:
            line, col = node_mark(node)
            raise InputError(
                "recursive alias: the node anchored here contains itself",
                path=path,
                line=line,
                col=col,
                expected="aliases to nodes outside the alias",
            )
        state[id(node)] = 1
        stack.append((node, True))
        if isinstance(node, yaml.SequenceNode):
            stack.extend((child, False) for child in node.value)
        else:
            stack.extend((child, False) for pair in node.value for child in pair)

