"""YAML values built from PyYAML's node tree: YAML 1.2 core-schema scalars, bounded expansion.

Scalars follow the YAML 1.2 core schema (`on`, `off`, `yes` stay strings, `011` is 11); only
the standard tags are accepted, duplicate keys are errors, no Python object is ever constructed,
and the number of nodes (after alias expansion) and the nesting depth are bounded. Places are
not recorded here: `io.positions` finds the one a message needs in the node tree.
"""

from __future__ import annotations

import math
import re
from typing import Any

import yaml

from nncheck.errors import InputError
from nncheck.words import clip
from nncheck.written import WrittenFloat, keeps_digits, keeps_text

__all__ = ["MAP", "MAX_DEPTH", "MAX_NODES", "PLAIN", "SEQ", "STR", "Builder", "Loc", "Position",
           "node_mark"]

MAX_NODES = 100_000  # bound on nodes after alias expansion
# Bound on nesting (the seed exam needs 7 levels): whatever reads the values afterwards, from
# validation to the renderers, may then recurse along them without reaching Python's limit.
MAX_DEPTH = 64

Loc = tuple[str | int, ...]
Position = tuple[int, int]

# The tag given to an untagged plain scalar, resolved below by the YAML 1.2 core schema.
PLAIN = "!nncheck/plain"
_STD = "tag:yaml.org,2002:"
STR, _INT, _FLOAT, _BOOL, _NULL = (_STD + t for t in ("str", "int", "float", "bool", "null"))
SEQ, MAP, _MERGE = _STD + "seq", _STD + "map", _STD + "merge"


def node_mark(node: yaml.Node) -> Position:
    """The (line, column) where a node starts, counted from 1."""
    return node.start_mark.line + 1, node.start_mark.column + 1


def _show_tag(tag: str) -> str:
    return "!!" + tag[len(_STD) :] if tag.startswith(_STD) else tag


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
        if math.isinf(number):
            return value
        # Written as Python writes the float (`1.2039728043259361`, as most long literals
        # are): its shortest decimal, so nothing more to keep (and no exact arithmetic).
        if value == repr(number):
            return number
        # `18014398509481985.0` is 18014398509481984 as a float64: keep what was written; and
        # `-0.20` is -0.2: keep the precision that was written (rounding-aware grading).
        kept = keeps_text(value, number) or keeps_digits(value, number)
        return WrittenFloat(number, value) if kept else number
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
    if number is _NOTHING or isinstance(number, float):
        return number
    as_float = float(number)  # `!!float 18014398509481985`: keep the digits, as above
    return WrittenFloat(as_float, value) if as_float != number else as_float


_TAGGED = {
    _INT: ("an integer", _as_int),
    _FLOAT: ("a number", _as_tagged_float),
    _BOOL: ("true or false", lambda v: _BOOLS.get(v, _NOTHING)),
    _NULL: ("null", lambda v: None if v in _NULLS else _NOTHING),
}


# --- building values ---------------------------------------------------------------------------


class Builder:
    """Builds plain values from a node tree, counting every node and every key on the way."""

    def __init__(self, path: str, has_anchors: bool):
        self.path = path
        self.has_anchors = has_anchors
        self.count = 0  # values built (after alias expansion)
        self.keys = 0  # keys of the mappings built
        # A mapping's entries, kept (see `pairs`).
        self._pairs_done: dict[int, dict[Any, tuple[yaml.Node, yaml.Node]]] = {}

    def fail(self, node: yaml.Node, message: str, **extra: Any) -> InputError:
        """An InputError at the node's line and column."""
        line, col = node_mark(node)
        return InputError(message, path=self.path, line=line, col=col, **extra)

    def build(self, root: yaml.Node) -> Any:
        """Return the plain value of `root`; walks with an explicit stack, so depth is no limit."""
        stack: list[tuple[yaml.Node, int, Any]] = []
        data = self.value(root, 0, stack)
        cached = _PLAIN_CACHE.get
        while stack:
            node, depth, container = stack.pop()
            pending: list[tuple[yaml.Node, int, Any]] = []
            depth += 1
            if type(container) is list:
                children, values = node.value, container  # filled in place
            else:
                entries = self.pairs(node)
                self.keys += len(entries)
                children, values = [child for _, child in entries.values()], []
            if depth <= MAX_DEPTH and self.count + len(children) <= MAX_NODES:
                # No bound can be reached among these children: counted at once, and the
                # plain scalars (most of a file) resolved here, without a call each.
                self.count += len(children)
                for child in children:
                    if child.tag == PLAIN:
                        result = cached(child.value, _NOTHING)
                        values.append(self._plain(child) if result is _NOTHING else result)
                    else:
                        values.append(self._value(child, depth, pending))
            else:
                for child in children:
                    values.append(self.value(child, depth, pending))
            if values is not container:
                container.update(zip(entries, values))
            # Reversed, so that nested values are visited (and their errors found) in file order.
            stack.extend(reversed(pending))
        return data

    def value(self, node: yaml.Node, depth: int, pending: list[tuple[yaml.Node, int, Any]]
              ) -> Any:
        """Return a scalar's value, or an empty container queued in `pending` to be filled;
        `depth` is the number of lists and mappings around the node."""
        self.count += 1
        if self.count > MAX_NODES:
            raise self._too_many(node)
        if depth > MAX_DEPTH:
            raise self.fail(
                node,
                f"nested too deeply: more than {MAX_DEPTH} levels of lists and mappings",
                expected=f"at most {MAX_DEPTH} levels",
            )
        return self._value(node, depth, pending)

    def _value(self, node: yaml.Node, depth: int, pending: list[tuple[yaml.Node, int, Any]]
               ) -> Any:
        if node.tag == PLAIN:  # the common case first
            return self._plain(node)
        if isinstance(node, yaml.ScalarNode):
            return self.scalar(node)
        container: Any
        if isinstance(node, yaml.SequenceNode):
            self._check_tag(node, SEQ, "a list")
            container = []
        else:
            self._check_tag(node, MAP, "a mapping")
            container = {}
        pending.append((node, depth, container))
        return container

    def _plain(self, node: yaml.ScalarNode) -> Any:
        try:
            return _plain(node.value)
        except ValueError as exc:  # an integer of more digits than Python converts
            raise self._too_long(node) from exc

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
                f"number `{clip(node.value, 23)}` ({len(node.value):,} characters) is too large",
                expected=f"an integer of at most {_MAX_DIGITS:,} digits, below 10^{_MAX_DIGITS}",
            )
        return self.fail(
            node,
            f"number `{clip(node.value, 23)}` has {len(node.value):,} characters, too long",
            expected=f"at most {_MAX_DIGITS:,} digits",
        )

    def _check_tag(self, node: yaml.Node, standard: str, what: str) -> None:
        if node.tag != standard:
            raise self._bad_tag(node, what)

    def _bad_tag(self, node: yaml.Node, what: str) -> InputError:
        tag = _show_tag(node.tag)
        if node.tag in (STR, _INT, _FLOAT, _BOOL, _NULL, SEQ, MAP):
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
            if tag == PLAIN:
                return _plain(value)
            if tag == STR:
                return value
            if tag not in _TAGGED:
                raise self._bad_tag(node, "a plain value")
            what, convert = _TAGGED[tag]
            result = convert(value)
        except ValueError as exc:  # an integer longer than Python converts
            raise self._too_long(node) from exc
        except OverflowError as exc:  # `!!float` of a number beyond float64
            raise self.fail(
                node, f"number `{clip(value, 40)}` is too large for a float",
                expected="at most about 1.8e308",
            ) from exc
        if result is _NOTHING:
            raise self.fail(node, f"`{clip(value, 40)}` is not {what}",
                            expected=f"{_show_tag(tag)} {what}")
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
        """Return a mapping's entries (key -> key node, value node), merges applied, once each.

        Kept for a mapping reached through an alias (flattened once) and for one with merge
        keys: asked again (for a place, `io.positions`), its merges of merges are not followed
        again, from a deeper stack, where they could exceed Python's recursion limit."""
        done = self._pairs_done.get(id(node))
        if done is not None:
            return done
        entries: dict[Any, tuple[yaml.Node, yaml.Node]] = {}
        merged: set[Any] = set()  # keys that came from `<<`: the mapping's own keys override them
        keep = self.has_anchors
        cached = _PLAIN_CACHE.get
        for pair in node.value:  # (key node, value node), kept as the entry
            key_node = pair[0]
            tag = key_node.tag
            if tag == _MERGE or (tag == PLAIN and key_node.value == "<<"):
                keep = True
                for key, entry in self._merged(pair[1]).items():
                    if key not in entries:  # an earlier entry, own or merged, wins
                        entries[key] = entry
                        merged.add(key)
                continue
            key = cached(key_node.value, _NOTHING) if tag == PLAIN else _NOTHING
            if key is _NOTHING:
                key = self.key(key_node)
            if key in entries:
                if key not in merged:
                    first_line = node_mark(entries[key][0])[0]
                    raise self.fail(
                        key_node,
                        f"duplicate key `{key}`",
                        expected=f"each key once in a mapping (first at line {first_line})",
                    )
                merged.discard(key)
            entries[key] = pair
        if keep:
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

