"""Read YAML files with the line and column of every value, and report invalid data at its place.

Only this module (and the CLI) touches the disk. PyYAML scans and composes the node tree; the
values are built here, so that scalars follow the YAML 1.2 core schema (`on`, `off`, `yes` stay
strings, `011` is 11), duplicate keys are errors, no Python object is ever constructed and alias
expansion is bounded.

Merge keys (`<<: *base`) are accepted: the merged mapping's keys are inserted where the `<<`
stands, the mapping's own keys win over merged ones, and among several merged mappings
(`<<: [*a, *b]`) the first wins.
"""

from __future__ import annotations

import contextlib
import difflib
import math
import os
import re
import tempfile
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from types import MappingProxyType
from typing import TYPE_CHECKING, Any

import pydantic
import yaml
from pydantic import BaseModel, TypeAdapter

from nncheck import files
from nncheck.errors import InputError

if TYPE_CHECKING:
    from nncheck.grading import Bank
    from nncheck.spec.problem import Problem, Student

__all__ = [
    "MAX_DEPTH",
    "MAX_FILE_BYTES",
    "MAX_NODES",
    "Document",
    "LoadedProblem",
    "LoadedSheet",
    "bank_files",
    "error_from_validation",
    "load_any",
    "load_bank",
    "load_problem",
    "load_sheet",
    "make_bank",
    "parse_document",
    "read_document",
    "validate",
    "write_atomic",
]

MAX_FILE_BYTES = 1 << 20  # 1 MiB
MAX_NODES = 100_000  # bound on nodes after alias expansion
# Bound on nesting (the seed exam needs 7 levels): whatever reads the values afterwards, from
# validation to the renderers, may then recurse along them without reaching Python's limit.
MAX_DEPTH = 64

Loc = tuple[str | int, ...]
Position = tuple[int, int]


@dataclass(frozen=True)
class Document:
    """A parsed YAML file: plain data plus the line and column of every value and key."""

    path: str
    data: Any
    marks: Mapping[Loc, Position]
    key_marks: Mapping[Loc, Position]

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
                  same_as: tuple[int, int] | None = None) -> Document:
    """Read, decode and parse one YAML file; any problem is an InputError naming the file.

    Only a regular file is read (a FIFO or a device is refused before it is opened); `shown`
    is the name its messages and results give (default: the path), `same_as` the (device,
    inode) the file must still have.
    """
    name = os.fspath(path) if shown is None else shown
    # Read at most one byte past the limit, so that a huge or endless file costs nothing.
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
    return parse_document(_decode(raw, name), name)


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

# The tag given to an untagged plain scalar, resolved below by the YAML 1.2 core schema.
_PLAIN = "!nncheck/plain"
_STD = "tag:yaml.org,2002:"
_STR, _INT, _FLOAT, _BOOL, _NULL = (_STD + t for t in ("str", "int", "float", "bool", "null"))
_SEQ, _MAP, _MERGE = _STD + "seq", _STD + "map", _STD + "merge"


class _Loader(_BASE_LOADER):  # type: ignore[misc]
    """A safe loader used only to compose nodes; values are built by `_Builder`."""

    def resolve(self, kind: Any, value: Any, implicit: Any) -> str:
        # PyYAML resolves plain scalars by YAML 1.1 (`on` is true, `011` is octal 9). Tag them
        # instead, so that an explicit `!!bool` stays distinguishable from an implicit value.
        # Called for untagged nodes only (and for `!`, which means a string).
        if kind is yaml.ScalarNode:
            return _PLAIN if implicit[0] else _STR
        return _SEQ if kind is yaml.SequenceNode else _MAP

    # Path resolvers are not used; these run for every node, so make them cost nothing.
    def descend_resolver(self, current_node: Any, current_index: Any) -> None:
        pass

    def ascend_resolver(self) -> None:
        pass


def parse_document(text: str, path: str) -> Document:
    """Parse YAML text (one document) into plain data with positions; errors are InputErrors."""
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
        raise _syntax_error(exc, text, path) from exc
    except RecursionError as exc:  # only the pure-Python composer recurses
        raise InputError("the YAML is nested too deeply", path=path, expected="valid YAML") from exc
    except yaml.YAMLError as exc:
        raise InputError(_one_line(str(exc)), path=path, expected="valid YAML") from exc
    if root is None:  # empty, or only comments: the caller says what it expected
        return Document(path, None, MappingProxyType({(): (1, 1)}), MappingProxyType({}))
    has_anchors = "&" in text  # an alias needs an anchor, and an anchor needs `&`
    if has_anchors:
        _refuse_recursion(root, path)
    builder = _Builder(path, has_anchors)
    try:
        data = builder.build(root)
    except RecursionError as exc:  # merges of merges of merges ..., thousands deep
        raise InputError(
            "merge keys (`<<`) are nested too deeply", path=path, expected="fewer levels of `<<`"
        ) from exc
    return Document(
        path, data, MappingProxyType(builder.marks), MappingProxyType(builder.key_marks)
    )


def _line_col(text: str, index: int) -> Position:
    line_start = text.rfind("\n", 0, index) + 1
    return text.count("\n", 0, index) + 1, index - line_start + 1


def _one_line(text: str) -> str:
    return " ".join(text.split())


def _clip(text: str, width: int = 40) -> str:
    return text if len(text) <= width else text[: width - 3] + "..."


def _syntax_error(exc: yaml.MarkedYAMLError, text: str, path: str) -> InputError:
    mark = exc.problem_mark or exc.context_mark
    line, col = (mark.line + 1, mark.column + 1) if mark is not None else (None, None)
    if exc.problem == "but found another document":
        return InputError(
            "a second YAML document starts here",
            path=path,
            line=line,
            col=col,
            expected="one document per file",
            hint="remove the `---` line, or split the file in two",
        )
    problem = _one_line(exc.problem or exc.context or "invalid YAML")
    hint = None
    char = _char_at(text, mark.line, mark.column) if mark is not None else ""
    if char == "\t":
        hint = "indent with spaces: YAML does not allow tabs"
    elif char in ("@", "`", "%"):
        hint = f"put a value that starts with `{char}` in quotes"
    elif "mapping values are not allowed" in problem:
        hint = "put a value that contains `: ` in quotes, or check the indentation"
    return InputError(problem, path=path, line=line, col=col, expected="valid YAML", hint=hint)


def _char_at(text: str, line: int, column: int) -> str:
    # Marks count characters by line; libyaml's `index` counts bytes, so it cannot be used.
    start = 0
    for _ in range(line):
        start = text.find("\n", start) + 1
        if start == 0:
            return ""
    index = start + column
    return text[index] if index < len(text) else ""


def _mark(node: yaml.Node) -> Position:
    return node.start_mark.line + 1, node.start_mark.column + 1


def _show_tag(tag: str) -> str:
    return "!!" + tag[len(_STD) :] if tag.startswith(_STD) else tag


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
            line, col = _mark(node)
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


# --- scalars: YAML 1.2 core schema -------------------------------------------------------------

_NULLS = frozenset({"", "~", "null", "Null", "NULL"})
_BOOLS = {"true": True, "True": True, "TRUE": True, "false": False, "False": False, "FALSE": False}
_INFS = {
    **dict.fromkeys((".inf", ".Inf", ".INF", "+.inf", "+.Inf", "+.INF"), float("inf")),
    **dict.fromkeys(("-.inf", "-.Inf", "-.INF"), float("-inf")),
    **dict.fromkeys((".nan", ".NaN", ".NAN"), float("nan")),
}
_DECIMAL_RE = re.compile(r"[-+]?[0-9]+")
_OCTAL_RE = re.compile(r"0o[0-7]+")
_HEX_RE = re.compile(r"0x[0-9a-fA-F]+")
_FLOAT_RE = re.compile(r"[-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)(?:[eE][-+]?[0-9]+)?")
# A plain scalar that starts with none of these is a string: the common case, decided at once.
_SPECIAL_START = frozenset("0123456789+-.~nNtTfF")
_NOTHING = object()
# An integer literal has at most 4,300 digits, Python's default limit on converting between
# decimal digits and numbers (3.11+, and patched 3.10s), and a value below 10^4300, so that it
# can be written back in decimal. Python converts `0x` and `0o` literals at any length: 4,000
# hex digits would pass, and then crash every later `str()` of the number (a report, a message,
# a gradebook).
_MAX_DIGITS = 4300
_INT_BOUND = 10**_MAX_DIGITS


def _as_int(value: str) -> Any:
    if _DECIMAL_RE.fullmatch(value):
        if len(value.lstrip("+-")) > _MAX_DIGITS:
            raise ValueError(value)  # refused before any work, as Python itself would
        return int(value, 10)
    for pattern, base in ((_OCTAL_RE, 8), (_HEX_RE, 16)):
        if pattern.fullmatch(value):
            if len(value) - 2 > _MAX_DIGITS:  # refused before it is converted
                raise ValueError(value)
            number = int(value[2:], base)
            if number >= _INT_BOUND:
                raise ValueError(value)
            return number
    return _NOTHING


def _as_float(value: str) -> Any:
    if _FLOAT_RE.fullmatch(value):
        number = float(value)
        # `1e999` does not fit a float64: kept as text, so that the expression language says
        # "number too large" where it is used, as it does for the same literal in an expression.
        return value if math.isinf(number) else number
    return _INFS.get(value, _NOTHING)


def _resolve_plain(value: str) -> Any:
    """Resolve an untagged plain scalar by the YAML 1.2 core schema."""
    if value and value[0] not in _SPECIAL_START:
        return value
    if value in _NULLS:
        return None
    if value in _BOOLS:
        return _BOOLS[value]
    for convert in (_as_int, _as_float):
        result = convert(value)
        if result is not _NOTHING:
            return result
    return value


# Sheets repeat the same short scalars (`w`, `b`, `1`, `0.5`) many times; their values are
# immutable, so resolved ones are shared. Bounded, so that a hostile file cannot grow it.
_PLAIN_CACHE: dict[str, Any] = {}
_PLAIN_CACHE_SIZE = 4096


def _plain(value: str) -> Any:
    result = _PLAIN_CACHE.get(value, _NOTHING)
    if result is _NOTHING:
        result = _resolve_plain(value)
        if len(value) <= 32 and len(_PLAIN_CACHE) < _PLAIN_CACHE_SIZE:
            _PLAIN_CACHE[value] = result
    return result


def _as_tagged_float(value: str) -> Any:
    number = _as_int(value)
    if number is _NOTHING:
        number = _as_float(value)
    if isinstance(number, str):  # `1e999` does not fit a float64 (and float() of 400 digits)
        raise OverflowError(value)
    return number if number is _NOTHING else float(number)


_TAGGED = {
    _INT: ("an integer", _as_int),
    _FLOAT: ("a number", _as_tagged_float),
    _BOOL: ("true or false", lambda v: _BOOLS.get(v, _NOTHING)),
    _NULL: ("null", lambda v: None if v in _NULLS else _NOTHING),
}


# --- building values ---------------------------------------------------------------------------


class _Builder:
    """Builds plain values from a node tree, recording positions and counting every node."""

    def __init__(self, path: str, has_anchors: bool):
        self.path = path
        self.has_anchors = has_anchors
        self.count = 0
        self.marks: dict[Loc, Position] = {}
        self.key_marks: dict[Loc, Position] = {}
        # A mapping reached through several aliases is flattened once.
        self._pairs_done: dict[int, dict[Any, tuple[yaml.Node, yaml.Node]]] = {}

    def fail(self, node: yaml.Node, message: str, **extra: Any) -> InputError:
        line, col = _mark(node)
        return InputError(message, path=self.path, line=line, col=col, **extra)

    def build(self, root: yaml.Node) -> Any:
        """Return the plain value of `root`; walks with an explicit stack, so depth is no limit."""
        stack: list[tuple[yaml.Node, Loc, Any]] = []
        data = self.value(root, (), stack)
        while stack:
            node, loc, container = stack.pop()
            pending: list[tuple[yaml.Node, Loc, Any]] = []
            if isinstance(container, list):
                for index, child in enumerate(node.value):
                    container.append(self.value(child, (*loc, index), pending))
            else:
                key_marks = self.key_marks
                for key, (key_node, child) in self.pairs(node).items():
                    child_loc = (*loc, key)
                    mark = key_node.start_mark
                    key_marks[child_loc] = (mark.line + 1, mark.column + 1)
                    container[key] = self.value(child, child_loc, pending)
            # Reversed, so that nested values are visited (and their errors found) in file order.
            stack.extend(reversed(pending))
        return data

    def value(self, node: yaml.Node, loc: Loc, pending: list[tuple[yaml.Node, Loc, Any]]) -> Any:
        """Return a scalar's value, or an empty container queued in `pending` to be filled."""
        self.count += 1
        if self.count > MAX_NODES:
            raise self._too_many(node)
        if len(loc) > MAX_DEPTH:
            raise self.fail(
                node,
                f"nested too deeply: more than {MAX_DEPTH} levels of lists and mappings",
                expected=f"at most {MAX_DEPTH} levels",
            )
        mark = node.start_mark
        self.marks[loc] = (mark.line + 1, mark.column + 1)
        if node.tag == _PLAIN:  # the common case first
            try:
                return _plain(node.value)
            except ValueError as exc:  # an integer of more digits than Python converts
                raise self._too_long(node) from exc
        if isinstance(node, yaml.ScalarNode):
            return self.scalar(node)
        container: Any
        if isinstance(node, yaml.SequenceNode):
            self._check_tag(node, _SEQ, "a list")
            container = []
        else:
            self._check_tag(node, _MAP, "a mapping")
            container = {}
        pending.append((node, loc, container))
        return container

    def _too_many(self, node: yaml.Node) -> InputError:
        if self.has_anchors:
            return self.fail(
                node,
                "too many nodes after expanding aliases (billion-laughs?)",
                expected=f"at most {MAX_NODES:,} nodes",
                hint="aliases of aliases multiply; write the values out, or use fewer levels",
            )
        return self.fail(node, "too many nodes", expected=f"at most {MAX_NODES:,} nodes")

    def _too_long(self, node: yaml.Node) -> InputError:
        if _HEX_RE.fullmatch(node.value) or _OCTAL_RE.fullmatch(node.value):
            return self.fail(
                node,
                f"number `{node.value[:20]}...` ({len(node.value):,} characters) is too large",
                expected=f"an integer of at most {_MAX_DIGITS:,} digits, below 10^{_MAX_DIGITS}",
            )
        return self.fail(
            node,
            f"number `{node.value[:20]}...` has {len(node.value):,} characters, too long",
            expected=f"at most {_MAX_DIGITS:,} digits",
        )

    def _check_tag(self, node: yaml.Node, standard: str, what: str) -> None:
        if node.tag != standard:
            raise self._bad_tag(node, what)

    def _bad_tag(self, node: yaml.Node, what: str) -> InputError:
        tag = _show_tag(node.tag)
        if node.tag in (_STR, _INT, _FLOAT, _BOOL, _NULL, _SEQ, _MAP):
            return self.fail(
                node, f"tag `{tag}` cannot be put on {what}", expected="a matching tag"
            )
        return self.fail(
            node,
            f"tag `{tag}` is not allowed",
            expected="only the tags !!str, !!int, !!float, !!bool, !!null, !!seq and !!map",
            hint="remove the tag; nncheck never constructs objects from a file",
        )

    def scalar(self, node: yaml.ScalarNode) -> Any:
        """Return a scalar's value: YAML 1.2 for plain scalars, the tag's type for tagged ones."""
        tag, value = node.tag, node.value
        try:
            if tag == _PLAIN:
                return _plain(value)
            if tag == _STR:
                return value
            if tag not in _TAGGED:
                raise self._bad_tag(node, "a plain value")
            what, convert = _TAGGED[tag]
            result = convert(value)
        except ValueError as exc:  # an integer longer than Python converts
            raise self._too_long(node) from exc
        except OverflowError as exc:  # `!!float` of a number beyond float64
            raise self.fail(
                node, f"number `{_clip(value)}` is too large for a float",
                expected="at most about 1.8e308",
            ) from exc
        if result is _NOTHING:
            shown = value if len(value) <= 40 else value[:37] + "..."
            raise self.fail(node, f"`{shown}` is not {what}", expected=f"{_show_tag(tag)} {what}")
        return result

    def key(self, node: yaml.Node) -> Any:
        """Return a mapping key's value: scalars only, keeping their YAML 1.2 types."""
        if not isinstance(node, yaml.ScalarNode):
            kind = "a list" if isinstance(node, yaml.SequenceNode) else "a mapping"
            raise self.fail(
                node,
                f"a mapping key cannot be {kind}",
                expected="a plain key such as `name:`",
                hint="quote the key if it is meant as text",
            )
        return self.scalar(node)

    def pairs(self, node: yaml.MappingNode) -> dict[Any, tuple[yaml.Node, yaml.Node]]:
        """Return a mapping's entries (key -> key node, value node), merges applied, once each."""
        if self.has_anchors:
            done = self._pairs_done.get(id(node))
            if done is not None:
                return done
        entries: dict[Any, tuple[yaml.Node, yaml.Node]] = {}
        merged: set[Any] = set()  # keys that came from `<<`: the mapping's own keys override them
        for key_node, value_node in node.value:
            if key_node.tag == _MERGE or (key_node.tag == _PLAIN and key_node.value == "<<"):
                for key, entry in self._merged(value_node).items():
                    if key not in entries:  # an earlier entry, own or merged, wins
                        entries[key] = entry
                        merged.add(key)
                continue
            key = self.key(key_node)
            if key in entries and key not in merged:
                first_line = _mark(entries[key][0])[0]
                raise self.fail(
                    key_node,
                    f"duplicate key `{key}`",
                    expected=f"each key once in a mapping (first at line {first_line})",
                )
            merged.discard(key)
            entries[key] = (key_node, value_node)
        if self.has_anchors:
            self._pairs_done[id(node)] = entries
        return entries

    def _merged(self, node: yaml.Node) -> dict[Any, tuple[yaml.Node, yaml.Node]]:
        sources = node.value if isinstance(node, yaml.SequenceNode) else [node]
        merged: dict[Any, tuple[yaml.Node, yaml.Node]] = {}
        for source in sources:
            if not isinstance(source, yaml.MappingNode):
                raise self.fail(
                    source,
                    "`<<` merges only mappings",
                    expected="`<<: *anchor` or `<<: [*a, *b]` naming mappings",
                )
            # Recursion here follows merges of merges; `_refuse_recursion` ruled out cycles.
            for key, entry in self.pairs(source).items():
                merged.setdefault(key, entry)
        return merged


# --- validation errors -------------------------------------------------------------------------


def validate(
    model: type[BaseModel] | TypeAdapter[Any],
    doc: Document,
    *,
    context: dict[str, Any] | None = None,
) -> Any:
    """Validate a document's data with a pydantic model or TypeAdapter; failure is an InputError."""
    try:
        if isinstance(model, TypeAdapter):
            return model.validate_python(doc.data, context=context)
        return model.model_validate(doc.data, context=context)
    except pydantic.ValidationError as exc:
        raise error_from_validation(exc, doc, model=model) from exc


def error_from_validation(
    exc: pydantic.ValidationError,
    doc: Document,
    *,
    model: type[BaseModel] | TypeAdapter[Any] | None = None,
) -> InputError:
    """Turn the first error of a ValidationError into one InputError at its line and column.

    `model`, when given, supplies the allowed keys for "did you mean" hints.
    """
    errors = exc.errors(include_url=False)
    if not errors:
        return InputError(_one_line(str(exc)), path=doc.path)
    err = _first_error(errors)
    loc = tuple(err["loc"])
    kind = err["type"]
    ctx = err.get("ctx") or {}
    if kind == "extra_forbidden":
        key = loc[-1]
        names = _field_names(model, loc[:-1]) or [
            str(e["loc"][-1])
            for e in errors
            if e["type"] == "missing" and e["loc"][:-1] == loc[:-1]
        ]
        others = [name for name in names if name != str(key)]
        return doc.error(
            _data_path(doc.data, loc),
            f"unknown key `{key}`",
            expected=f"one of {_listing(others)}" if others else None,
            hint=_did_you_mean(key, others),
            at_key=True,
        )
    if kind == "missing":
        return doc.error(_data_path(doc.data, loc[:-1]), f"missing key `{loc[-1]}`")
    if kind in ("union_tag_invalid", "union_tag_not_found"):
        return _tag_error(err, doc, model)
    hint = None
    if kind in ("literal_error", "enum"):
        hint = _did_you_mean(err.get("input"), _quoted(str(ctx.get("expected", ""))))
    # pydantic marks an error in a mapping's key (not its value) with a trailing "[key]".
    at_key = loc[-1:] == ("[key]",)
    return doc.error(_data_path(doc.data, loc), _readable(err), hint=hint, at_key=at_key)


def _first_error(errors: list[Any]) -> Any:
    """The first error, except that an unknown key beats a missing one in the same mapping:
    `desing` for `design` gives both, and "unknown key ... did you mean" says more."""
    first = errors[0]
    if first["type"] == "missing":
        for err in errors:
            if err["type"] == "extra_forbidden" and err["loc"][:-1] == first["loc"][:-1]:
                return err
    return first


def _data_path(data: Any, loc: Sequence[Any]) -> Loc:
    """Map a pydantic location onto the data, skipping items (union tags) the data lacks."""
    path: list[Any] = []
    for item in loc:
        if isinstance(data, dict):
            if item in data:
                path.append(item)
                data = data[item]
        elif (
            isinstance(data, list)
            and isinstance(item, int)
            and not isinstance(item, bool)
            and 0 <= item < len(data)
        ):
            path.append(item)
            data = data[item]
    return tuple(path)


def _tag_error(err: Any, doc: Document, model: Any) -> InputError:
    """An unknown or missing discriminator (`ask: param_cnt`), with the known tags."""
    loc = tuple(err["loc"])
    path = _data_path(doc.data, loc)
    ctx = err.get("ctx") or {}
    discriminator = str(ctx.get("discriminator", "")).strip("'")
    tags = _quoted(str(ctx.get("expected_tags", ""))) or _union_tags(model, loc)
    expected = f"one of {_listing(tags)}" if tags else None
    node = err.get("input")
    named = discriminator.isidentifier()
    if err["type"] == "union_tag_not_found":
        if named:
            wanted = f"`{discriminator}` set to one of {_listing(tags)}" if tags else None
            return doc.error(path, f"missing key `{discriminator}`", expected=wanted)
        return doc.error(path, "cannot tell what kind of entry this is", expected=expected)
    tag = ctx.get("tag", "")
    hint = _did_you_mean(tag, tags)
    if named:
        return doc.error(
            (*path, discriminator), f"unknown {discriminator} `{tag}`", expected=expected, hint=hint
        )
    # A callable discriminator: point at the key or value that the tag was read from.
    if isinstance(node, dict):
        if tag in node:
            return doc.error(
                (*path, tag), f"unknown type `{tag}`", expected=expected, hint=hint, at_key=True
            )
        for key, value in node.items():
            if value == tag:
                return doc.error(
                    (*path, key), f"unknown type `{tag}`", expected=expected, hint=hint
                )
    return doc.error(path, f"unknown type `{tag}`", expected=expected, hint=hint)


def _quoted(text: str) -> list[str]:
    return re.findall(r"'([^']*)'", text)


def _listing(names: Sequence[str], limit: int = 8) -> str:
    shown = ", ".join(f"`{n}`" for n in names[:limit])
    return shown + (", ..." if len(names) > limit else "")


def _did_you_mean(word: Any, choices: Sequence[str]) -> str | None:
    if not isinstance(word, (str, int)) or isinstance(word, bool) or not choices:
        return None
    close = difflib.get_close_matches(str(word), list(choices), n=1, cutoff=0.6)
    return f"did you mean `{close[0]}`?" if close else None


_EXPECTED = {
    "int_type": "an integer",
    "int_parsing": "an integer",
    "int_from_float": "an integer",
    "float_type": "a number",
    "float_parsing": "a number",
    "finite_number": "a finite number",
    "string_type": "a string",
    "bool_type": "true or false",
    "bool_parsing": "true or false",
    "list_type": "a list",
    "tuple_type": "a list",
    "set_type": "a list",
    "dict_type": "a mapping",
    "model_type": "a mapping",
    "model_attributes_type": "a mapping",
    "dataclass_type": "a mapping",
    "none_required": "null",
}


def _readable(err: Any) -> str:
    """Pydantic's message in nncheck's words: `expected a number, found 'abc'`."""
    kind = err["type"]
    msg = _one_line(str(err.get("msg", "")))
    found = _show(err.get("input"))
    if kind in _EXPECTED:
        return f"expected {_EXPECTED[kind]}, found {found}"
    if msg.startswith("Input should be "):
        want = re.sub(r", (?:unable|got) .*$", "", msg[len("Input should be ") :])
        want = re.sub(r"^a valid ", "a ", want)
        if want.startswith(("greater", "less")):
            want = "a number " + want
        return f"expected {want}, found {found}"
    for prefix in ("Value error, ", "Assertion failed, "):
        if msg.startswith(prefix):
            msg = msg[len(prefix) :]
    if msg[:1].isupper() and not msg[1:2].isupper():
        msg = msg[0].lower() + msg[1:]
    return msg


def _show(value: Any, limit: int = 40) -> str:
    """What was found, YAML-flavoured and short: `'abc'`, `null`, `a list [1, 2]`."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        return repr(value if len(value) <= limit - 4 else value[: limit - 7] + "...")
    text = repr(value)
    if len(text) > limit:
        text = text[: limit - 3] + "..."
    if isinstance(value, dict):
        return f"a mapping {text}"
    if isinstance(value, list):
        return f"a list {text}"
    return text


# --- allowed keys, read from the model's core schema -------------------------------------------

# Core-schema types that wrap one inner schema without adding to an error's location.
_WRAPPERS = frozenset(
    {
        "model",
        "dataclass",
        "nullable",
        "default",
        "function-after",
        "function-before",
        "function-wrap",
    }
)


def _field_names(model: Any, loc: Sequence[Any]) -> list[str]:
    """The keys a mapping at pydantic location `loc` may have, or [] when they cannot be told."""
    names: list[str] = []
    for schema in _schemas_at(model, loc):
        if schema.get("type") in ("model-fields", "typed-dict"):
            fields = schema["fields"].items()
        elif schema.get("type") == "dataclass-args":
            fields = ((f["name"], f) for f in schema["fields"])
        else:
            continue
        for name, field in fields:
            alias = field.get("validation_alias")
            name = alias if isinstance(alias, str) else name
            if name not in names:
                names.append(name)
    return names


def _union_tags(model: Any, loc: Sequence[Any]) -> list[str]:
    return [
        str(tag)
        for schema in _schemas_at(model, loc)
        if schema.get("type") == "tagged-union"
        for tag in schema["choices"]
    ]


def _schemas_at(model: Any, loc: Sequence[Any]) -> list[dict[str, Any]]:
    """Follow a pydantic location through a core schema; best effort, [] when lost."""
    try:
        if isinstance(model, TypeAdapter):
            root = model.core_schema
        elif isinstance(model, type) and issubclass(model, BaseModel):
            root = model.__pydantic_core_schema__
        else:
            return []
        refs = _refs(root)
        current = _unwrap([root], refs)
        for item in loc:
            current = _unwrap([c for s in current for c in _step(s, item)], refs)
        return current
    except (KeyError, TypeError, AttributeError):
        return []


def _refs(root: Any) -> dict[str, Any]:
    refs: dict[str, Any] = {}
    todo = [root]
    while todo:
        value = todo.pop()
        if isinstance(value, dict):
            if isinstance(value.get("ref"), str):
                refs[value["ref"]] = value
            todo.extend(v for k, v in value.items() if k != "metadata")
        elif isinstance(value, (list, tuple)):
            todo.extend(value)
    return refs


def _unwrap(schemas: list[Any], refs: dict[str, Any]) -> list[dict[str, Any]]:
    out: list[dict[str, Any]] = []
    seen: set[int] = set()
    todo = list(schemas)
    while todo:
        schema = todo.pop()
        if not isinstance(schema, dict) or id(schema) in seen:
            continue
        seen.add(id(schema))
        kind = schema.get("type")
        if kind == "definition-ref":
            todo.append(refs.get(schema["schema_ref"]))
        elif kind == "json-or-python":
            todo.append(schema["python_schema"])
        elif kind == "lax-or-strict":
            todo.append(schema["lax_schema"])
        elif kind == "chain":
            todo.extend(schema["steps"])
        elif kind == "definitions" or (kind in _WRAPPERS and "schema" in schema):
            todo.append(schema["schema"])
        else:
            out.append(schema)
    return out


def _step(schema: dict[str, Any], item: Any) -> list[Any]:
    """The schemas one location item leads to from `schema`."""
    kind = schema.get("type")
    if kind in ("model-fields", "typed-dict"):
        for name, field in schema["fields"].items():
            if item in (name, field.get("validation_alias")):
                return [field["schema"]]
        return []
    if kind == "dataclass-args":
        return [
            f["schema"] for f in schema["fields"] if item in (f["name"], f.get("validation_alias"))
        ]
    if kind in ("list", "set", "frozenset", "generator") and isinstance(item, int):
        return [schema["items_schema"]] if "items_schema" in schema else []
    if kind == "tuple" and isinstance(item, int):
        items = schema.get("items_schema", [])
        variadic = schema.get("variadic_item_index")
        if variadic is not None and item >= variadic:
            item = variadic
        return [items[item]] if item < len(items) else []
    if kind == "dict":
        return [schema["values_schema"]] if "values_schema" in schema else []
    if kind == "tagged-union":
        return [c for tag, c in schema["choices"].items() if str(tag) == str(item)]
    if kind == "union":
        choices = [c[0] if isinstance(c, tuple) else c for c in schema["choices"]]
        labelled = [c[0] for c in schema["choices"] if isinstance(c, tuple) and c[1] == item]
        return labelled or choices  # an automatic label names one choice: keep them all
    return []


# --- problems, banks and sheets ------------------------------------------------------------------

def load_problem(path: str | os.PathLike[str]) -> LoadedProblem:
    """Read and validate one problem file; `id` defaults to the file name."""
    doc = read_document(path)
    _expect_mapping(doc, "a problem: `parts:` and what they ask about")
    return load_problem_from(doc, path)


def bank_files(directory: str | os.PathLike[str]) -> list[Path]:
    """The problem files of a bank: `DIR/*.yaml` (not subfolders), sorted by name."""
    folder = Path(directory)
    if not folder.is_dir():
        raise InputError(f"{folder}: not a folder", expected="a folder of problem files")
    return sorted(p for p in folder.glob("*.yaml") if p.is_file())


def load_bank(directory: str | os.PathLike[str], *, rtol: float | None = None) -> Bank:
    """Every problem of a bank, validated; two problems with one id are an error."""
    return make_bank([load_problem(p) for p in bank_files(directory)], rtol=rtol,
                     where=str(directory))


def make_bank(problems: Sequence[LoadedProblem], *, rtol: float | None = None,
              where: str = "the bank") -> Bank:
    """A bank of loaded problems, refusing duplicate ids."""
    from nncheck.grading import Bank

    found: dict[str, LoadedProblem] = {}
    for loaded in problems:
        pid = str(loaded.problem.id)
        if pid in found:
            raise InputError(
                f"problem id `{pid}` is used twice", path=loaded.path, line=1, col=1,
                expected=f"unique ids (also in {found[pid].path})",
            )
        found[pid] = loaded
    if not found:
        raise InputError(f"{where}: no problem files (*.yaml)", expected="a problem bank")
    folders = {Path(loaded.path).parent for loaded in found.values()}
    return Bank(found, rtol=rtol, secret=read_secret(folders.pop() if len(folders) == 1
                                                     else None))


def read_secret(folder: Path | None) -> bytes:
    """The course secret that seeds the sample points: `NNCHECK_SECRET`, else the bank's
    `.nncheck-secret` file, else none (b"": points computable from the problem files)."""
    from nncheck import seeding

    text = os.environ.get(seeding.SECRET_ENV)
    where = f"${seeding.SECRET_ENV}"
    if text is not None:
        data = text.encode("utf-8", "surrogateescape")
    elif folder is not None and (folder / seeding.SECRET_FILE).is_file():
        path = folder / seeding.SECRET_FILE
        where = str(path)
        try:
            with open(path, "rb") as f:
                data = f.read(seeding.MAX_SECRET + 1)
        except OSError as exc:
            raise InputError(f"{path}: cannot read the secret: {exc.strerror}") from None
    else:
        return b""
    data = data.strip()
    if not data or len(data) > seeding.MAX_SECRET:
        raise InputError(f"{where}: the secret is {'empty' if not data else 'too long'}",
                         expected=f"1 to {seeding.MAX_SECRET} bytes, e.g. a random line "
                         "from `openssl rand -hex 32`")
    return data


@dataclass
class LoadedProblem:
    """A validated problem and where it came from (for messages that name a line)."""

    problem: Problem
    path: str
    doc: Document | None = None

    def locate(self, part_index: int) -> tuple[int | None, int | None]:
        """Line and column of a part in its file."""
        if self.doc is None:
            return None, None
        return self.doc.locate(("parts", part_index))


@dataclass(frozen=True)
class LoadedSheet:
    """A validated answer sheet, or a problem file with inline answers."""

    path: str
    student: Student
    answers: Mapping[str, Mapping[str, Any] | None]
    problem: LoadedProblem | None = None  # set for a problem file with inline `answers:`


def load_sheet(path: str | os.PathLike[str], *, shown: str | None = None,
               same_as: tuple[int, int] | None = None) -> LoadedSheet:
    """Read a sheet; a problem file with inline `answers:` is a self-contained sheet."""
    doc = read_document(path, shown=shown, same_as=same_as)
    _expect_mapping(doc, "an answer sheet: `student:` and `answers:`")
    return load_sheet_from(doc, doc.path)


def load_sheet_from(doc: Document, path: str | os.PathLike[str]) -> LoadedSheet:
    """Validate an already-read sheet (or problem file with inline answers)."""
    from nncheck.spec.problem import Sheet, Student

    if "parts" in doc.data:
        loaded = load_problem_from(doc, path)
        problem = loaded.problem
        if problem.answers is None:
            raise doc.error((), "this problem file has no `answers:`",
                            expected="a sheet, or a problem file with inline answers")
        student = problem.student or Student(id=Path(path).stem)
        return LoadedSheet(doc.path, student, {str(problem.id): problem.answers}, loaded)
    sheet = validate(Sheet, doc)
    return LoadedSheet(doc.path, sheet.student, sheet.answers)


def load_problem_from(doc: Document, path: str | os.PathLike[str]) -> LoadedProblem:
    """Validate an already-read problem document."""
    from nncheck.spec.network import MAX_TABLE_INPUTS
    from nncheck.spec.problem import Problem, oversized_table

    problem = validate(Problem, doc)
    oversized = oversized_table(problem)
    if oversized is not None:  # refused here, before any row is allocated
        index, key, inputs = oversized
        raise doc.error(
            ("parts", index, key),
            f"part `{problem.parts[index].id}`: a truth table of {inputs} inputs has "
            f"2^{inputs} rows",
            expected=f"at most {MAX_TABLE_INPUTS} inputs",
        )
    if problem.id is None:
        problem = problem.model_copy(update={"id": Path(path).stem})
    return LoadedProblem(problem, doc.path, doc)


def _expect_mapping(doc: Document, what: str) -> None:
    if not isinstance(doc.data, dict):
        found = "an empty file" if doc.data is None else type(doc.data).__name__
        raise doc.error((), f"found {found}", expected=what)


def write_atomic(path: str | os.PathLike[str], text: str) -> None:
    """Write a file so that no reader ever sees it half-written: a temporary file, renamed."""
    target = Path(path)
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.", suffix=".tmp")
    try:
        from nncheck.io.report import file_mode

        os.chmod(tmp, file_mode())  # mkstemp makes it 0600; a file of ours honours the umask
        with os.fdopen(fd, "w", encoding="utf-8", newline="\n") as f:
            f.write(text)
        os.replace(tmp, target)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise


def load_any(path: str | os.PathLike[str]) -> LoadedProblem | LoadedSheet:
    """A problem file or a sheet, whichever the file holds (for `validate`)."""
    doc = read_document(path)
    _expect_mapping(doc, "a problem (`parts:`) or an answer sheet (`student:`, `answers:`)")
    if "parts" in doc.data and "answers" not in doc.data:
        return load_problem_from(doc, path)
    return load_sheet_from(doc, path)
