"""Reading written layers (FORMAT §4.3): sizes, argument values, layer entries and `repeat`.

A layer is written `{<type>: <shorthand>}`, `{<type>: {<args>}}`, `{<type>: <shorthand>,
<args>...}` or a bare `<type>`, plus optional `name` and `trainable: false`; a block
`{repeat: N, layers: [...]}` repeats its layers (and may itself say `trainable: false`).
Every layer's syntax is checked (types, argument names and values) and `repeat` expanded;
whether a layer fits its input is the solver's business, since sizes may be symbols.

This module imports no numpy, so that `nncheck validate` starts fast.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from nncheck.spec.layers import (
    ARG_ALIASES,
    RECURRENT,
    REQUIRED,
    TYPE_ALIASES,
    VOCABULARY,
    Arg,
    Layer,
    LayerType,
    fold,
    is_reserved,
    layer_type,
)
from nncheck.words import clip, suggestion

# A `repeat: 10^9` is refused rather than expanded: every layer is inferred one by one, and a
# model this long is a typo or a question better asked as a formula.
MAX_LAYERS = 10_000

Size = int | str  # a positive integer, or a symbol bound by `symbols:`

IDENT = re.compile(r"[A-Za-z][A-Za-z0-9_]*\Z")
_SCIENTIFIC = re.compile(r"\d+(\.\d+)?[eE]\+?\d{1,2}\Z")
_INT_PRODUCT = re.compile(r"\d+(\s*(\*\*|\^|\*|×)\s*\d+)*\Z")


# --- reading values ------------------------------------------------------------------------------

def read_int(value: Any) -> int | None:
    """An integer written as 12, 12.0, "12", "1e9", "10^9", "2**20" or "4*1024"; else None."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, float):
        return int(value) if value.is_integer() else None
    if isinstance(value, str) and _SCIENTIFIC.match(value.strip()):
        number = float(value)
        return int(number) if number.is_integer() and number < 2**63 else None
    if not isinstance(value, str) or not _INT_PRODUCT.match(value.strip()):
        return None
    text = value.strip().replace("**", "^").replace("×", "*")
    result = 1
    for factor in text.split("*"):
        base, *power = (p.strip() for p in factor.split("^"))
        if len(power) > 1 or (power and int(power[0]) > 64):
            return None  # towers and huge powers: not a size anyone means
        result *= int(base) ** int(power[0]) if power else int(base)
    return result


def read_size(value: Any, *, zero: bool = False) -> Size | None:
    """A positive integer (or >= 0 with `zero`) or a symbol name; None if it is neither."""
    number = read_int(value)
    if number is not None:
        return number if number >= (0 if zero else 1) else None
    if isinstance(value, str) and IDENT.match(value.strip()) and not is_reserved(value.strip()):
        return value.strip()
    return None


class _Bad(ValueError):
    """A layer's syntax error, before the layer's label is known."""


def describe(value: Any) -> str:
    """A value as a message quotes it: as YAML writes null and booleans, else its repr, clipped."""
    if value is None or isinstance(value, bool):  # as YAML writes them
        return "null" if value is None else str(value).lower()
    return clip(repr(value), 40)


def _read_sizes(value: Any, dims: int, what: str, *, zero: bool = False) -> Any:
    lower = "a non-negative" if zero else "a positive"
    if isinstance(value, (list, tuple)):
        if dims and len(value) != dims:
            raise _Bad(f"`{what}` needs {dims} values (one per spatial axis), found {len(value)}")
        sizes = [read_size(v, zero=zero) for v in value]
        if any(s is None for s in sizes):
            raise _Bad(f"`{what}` must list {lower} integer or a symbol per axis, "
                       f"not {describe(value)}")
        return tuple(sizes)
    size = read_size(value, zero=zero)
    if size is None:
        raise _Bad(f"`{what}` must be {lower} integer or a symbol, not {describe(value)}")
    return size


def _read_padding(value: Any, dims: int, type_name: str) -> Any:
    if isinstance(value, str) and value.strip().lower() in ("valid", "same", "causal"):
        text = value.strip().lower()
        if text == "causal" and type_name != "conv1d":
            raise _Bad("`padding: causal` exists only for conv1d")
        return text
    if isinstance(value, (list, tuple)):
        numbers = [read_int(v) for v in value]
        if len(value) != dims or any(n is None or n < 0 for n in numbers):
            raise _Bad(f"`padding` must be valid, same, an integer, or {dims} integers, "
                       f"not {describe(value)}")
        return tuple(numbers)
    number = read_int(value)
    if number is None or number < 0:
        raise _Bad(f"`padding` must be valid, same or a non-negative integer, "
                   f"not {describe(value)}")
    return number


def _read_zero_padding(value: Any) -> Any:
    number = read_int(value)
    if number is not None and number >= 0:
        return ((number, number), (number, number))
    if isinstance(value, (list, tuple)) and len(value) == 2:
        if all(read_int(v) is not None and read_int(v) >= 0 for v in value):  # type: ignore[operator]
            a, b = (read_int(v) for v in value)
            return ((a, a), (b, b))
        pairs = [v for v in value if isinstance(v, (list, tuple)) and len(v) == 2]
        numbers = [read_int(x) for p in pairs for x in p]
        if len(pairs) == 2 and all(n is not None and n >= 0 for n in numbers):
            return ((numbers[0], numbers[1]), (numbers[2], numbers[3]))
    raise _Bad("`padding` must be an integer, [rows, columns] or [[top, bottom], [left, right]],"
               f" not {describe(value)}")


def _read_shape(value: Any) -> tuple[Size, ...]:
    items = value if isinstance(value, (list, tuple)) else [value]
    out: list[Size] = []
    for item in items:
        size = -1 if read_int(item) == -1 else read_size(item)
        if size is None:
            raise _Bad(f"`shape` must list positive integers, symbols or one -1, "
                       f"not {describe(value)}")
        out.append(size)
    if out.count(-1) > 1:
        raise _Bad("`shape` can infer (-1) one axis only")
    return tuple(out)


def _read_arg(name: str, value: Any, arg: Arg, ltype: LayerType) -> Any:
    kind = arg.kind
    if kind == "size":
        size = read_size(value)
        if size is None:
            raise _Bad(f"`{name}` must be a positive integer or a symbol, not {describe(value)}")
        return size
    if kind == "sizes":
        return _read_sizes(value, ltype.dims, name)
    if kind == "sizes0":
        return _read_sizes(value, ltype.dims, name, zero=True)
    if kind == "padding":
        return _read_padding(value, ltype.dims, ltype.name)
    if kind == "zero_padding":
        return _read_zero_padding(value)
    if kind == "bool":
        if not isinstance(value, bool):
            raise _Bad(f"`{name}` must be true or false, not {describe(value)}")
        return value
    if kind == "rate":
        if isinstance(value, bool) or not isinstance(value, (int, float)) or not 0 <= value < 1:
            raise _Bad(f"`{name}` must be a number in [0, 1), not {describe(value)}")
        return float(value)
    if kind == "text":
        if not isinstance(value, str) or not value.strip():
            raise _Bad(f"`{name}` must be a name such as relu, not {describe(value)}")
        return value.strip()
    if kind == "merge":
        if value not in ("concat", "sum", "mul", "ave"):
            raise _Bad(f"`merge_mode` must be concat, sum, mul or ave, not {describe(value)}")
        return value
    if kind == "shape":
        return _read_shape(value)
    if kind == "layer":
        return _read_inner_recurrent(value)
    raise AssertionError(f"unknown argument kind {kind}")  # a bug in the vocabulary table


# --- reading layers ------------------------------------------------------------------------------

_LAYER_KEYS = frozenset({"name", "trainable"})


@dataclass(frozen=True)
class _Written:
    """A layer as parsed from what was written, before expansion."""

    type: str
    args: dict[str, Any]
    name: str | None
    trainable: bool


@dataclass(frozen=True)
class _Repeat:
    times: int
    body: tuple[_Written | _Repeat, ...]
    trainable: bool
    size: int  # expanded length


class _LayerError(ValueError):
    """A layer's error, located: the expanded index of (the first copy of) the layer."""

    def __init__(self, index: int, type_name: str | None, message: str, note: str = ""):
        self.index = index
        self.type_name = type_name
        self.message = message
        self.note = note  # e.g. "in a repeat block"
        inside = ", ".join(x for x in (type_name, note) if x)
        super().__init__(f"layer {index}" + (f" ({inside})" if inside else "") + f": {message}")


def _unknown_type(key: str) -> _Bad:
    if fold(key) in ("input", "inputlayer"):
        return _Bad("the input is not a layer: give its shape as the model's `input: [...]`")
    if fold(key) in ("type", "kind", "layer"):
        return _Bad(f"`{key}:` is not how a layer names its type — the type is the key, its "
                    "arguments its value: `{conv2d: {filters: 32, kernel: 3}}`")
    hint = suggestion(fold(key), TYPE_ALIASES, TYPE_ALIASES.__getitem__)
    return _Bad(f"unknown layer type `{key}`{hint}")


def _pick_type(keys: list[str]) -> tuple[str, str]:
    """The key that names the layer's type, and the type it names."""
    candidates = {k: t for k in keys if (t := layer_type(k)) is not None}
    if len(candidates) > 1:
        # `{dense: 10, activation: relu}`: `activation` is a layer type and an argument of
        # dense; the key that is an argument of another candidate is the argument.
        candidates = {k: t for k, t in candidates.items()
                      if not any(k in VOCABULARY[o].args for o in candidates.values() if o != t)}
    if len(candidates) == 1:
        return next(iter(candidates.items()))
    if len(candidates) > 1:
        raise _Bad(f"one layer has two types: {', '.join(f'`{c}`' for c in candidates)}")
    unknown = [k for k in keys if k not in _LAYER_KEYS]
    if not unknown:
        raise _Bad("no layer type given (a layer is written like `dense: 10` or `flatten`)")
    raise _unknown_type(unknown[0])


def _canonical_args(ltype: LayerType, raw: Mapping[str, Any]) -> dict[str, Any]:
    args: dict[str, Any] = {}
    for key, value in raw.items():
        name = str(key)
        canonical = ARG_ALIASES.get(name, name)
        if canonical not in ltype.args:
            if not ltype.args:
                raise _Bad(f"takes no arguments, found `{name}`")
            known = list(ltype.args) + [a for a, c in ARG_ALIASES.items() if c in ltype.args]
            raise _Bad(f"unknown argument `{name}` — arguments: {', '.join(ltype.args)}"
                       + suggestion(name, known))
        if canonical in args:
            raise _Bad(f"`{canonical}` is given twice")
        args[canonical] = value
    out = {}
    for name, arg in ltype.args.items():
        if name in args:
            out[name] = _read_arg(name, args[name], arg, ltype)
        elif arg.default is REQUIRED:
            raise _Bad(f"needs `{name}`")
        else:
            out[name] = arg.default
    return out


def _read_layer(entry: Any) -> _Written:
    """Parse one written layer; a _TypedBad carries the type once it is known."""
    if isinstance(entry, str):
        type_name = layer_type(entry)
        if type_name is None:
            raise _unknown_type(entry)
        try:
            return _Written(type_name, _canonical_args(VOCABULARY[type_name], {}), None, True)
        except _Bad as exc:
            raise _TypedBad(type_name, str(exc)) from None
    if not isinstance(entry, dict) or not entry:
        raise _Bad(f"a layer is a type (`flatten`) or a mapping (`dense: 10`), "
                   f"not {describe(entry)}")
    written = {str(k): v for k, v in entry.items()}
    key, type_name = _pick_type(list(written))
    try:
        return _read_typed(written, key, type_name)
    except _TypedBad:
        raise
    except _Bad as exc:
        raise _TypedBad(type_name, str(exc)) from None


def _read_typed(entry: dict[str, Any], type_key: str, type_name: str) -> _Written:
    ltype = VOCABULARY[type_name]
    value = entry[type_key]
    raw: dict[str, Any] = {}
    outer = {k: entry[k] for k in _LAYER_KEYS if k in entry}
    if isinstance(value, dict) and not (type_name == "bidirectional" and "layer" not in value):
        raw.update(value)
        # Keras users write `dense: {units: 4, name: head, trainable: false}`: the same as
        # beside the type key, where both may stand if they agree.
        for key in _LAYER_KEYS:
            if key in raw:
                inner = raw.pop(key)
                if key in outer and (outer[key] != inner or type(outer[key]) is not type(inner)):
                    raise _Bad(f"`{key}` is given twice, as {describe(outer[key])} beside "
                               f"`{type_key}` and as {describe(inner)} inside it")
                outer[key] = inner
    elif value is not None:
        if ltype.shorthand is None:
            raise _Bad(f"`{type_name}` has no shorthand value; write its arguments as "
                       f"`{type_name}: {{{', '.join(ltype.args)}}}`")
        raw[ltype.shorthand] = value
    for key in entry:
        if key != type_key and key not in _LAYER_KEYS:
            if key in raw or ARG_ALIASES.get(key, key) in raw:
                raise _Bad(f"`{key}` is given twice")
            raw[key] = entry[key]
    name = outer.get("name")
    if name is not None and (not isinstance(name, str) or not name.strip()):
        raise _Bad(f"`name` must be a non-empty string, not {describe(name)}")
    trainable = outer.get("trainable", True)
    if not isinstance(trainable, bool):
        raise _Bad(f"`trainable` must be true or false, not {describe(trainable)}")
    return _Written(type_name, _canonical_args(ltype, raw), name, trainable)


class _TypedBad(_Bad):
    """A layer's syntax error once its type is known."""

    def __init__(self, type_name: str, message: str):
        super().__init__(message)
        self.type_name = type_name
        self.message = message


def _read_inner_recurrent(value: Any) -> _Written:
    try:
        inner = _read_layer(value)
    except _TypedBad as exc:
        raise _Bad(f"its {exc.type_name}: {exc.message}") from None
    if inner.type not in RECURRENT:
        raise _Bad(f"`bidirectional` wraps one of {', '.join(sorted(RECURRENT))}, "
                   f"not {inner.type}")
    return inner


def _read_entries(entries: Any, offset: int = 0, note: str = ""
                  ) -> tuple[tuple[_Written | _Repeat, ...], int]:
    """Parse a written layer list starting at expanded index `offset`; also its length."""
    if not isinstance(entries, list) or not entries:
        raise _LayerError(offset, None, "`layers` must be a non-empty list", note)
    out: list[_Written | _Repeat] = []
    size = 0
    for position, entry in enumerate(entries):
        index = offset + size
        # After a `repeat`, the expanded index and the written position differ: say both.
        where = note or (f"item {position} of `layers`" if index != position else "")
        try:
            if isinstance(entry, dict) and "repeat" in entry:
                item: _Written | _Repeat = _read_repeat(entry, index)
            else:
                item = _read_layer(entry)
        except _TypedBad as exc:
            raise _LayerError(index, exc.type_name, exc.message, where) from None
        except _Bad as exc:
            kind = "repeat" if isinstance(entry, dict) and "repeat" in entry else None
            raise _LayerError(index, kind, str(exc), where) from None
        out.append(item)
        size += item.size if isinstance(item, _Repeat) else 1
        if size > MAX_LAYERS:
            raise _LayerError(index, None, f"the model expands to more than {MAX_LAYERS:,} "
                              "layers (ask about a long model as a formula instead)", note)
    return tuple(out), size


def _read_repeat(entry: dict[str, Any], index: int) -> _Repeat:
    extra = [k for k in entry if k not in ("repeat", "layers", "trainable")]
    if extra:
        raise _Bad(f"a `repeat` block has `repeat`, `layers` and optionally `trainable`, "
                   f"found `{extra[0]}`")
    times = read_int(entry["repeat"])
    if times is None or times < 1:
        raise _Bad(f"`repeat` must be a positive integer, not {describe(entry['repeat'])}")
    trainable = entry.get("trainable", True)
    if not isinstance(trainable, bool):
        raise _Bad(f"`trainable` must be true or false, not {describe(trainable)}")
    if "layers" not in entry:
        raise _Bad("a `repeat` block needs `layers`")
    body, size = _read_entries(entry["layers"], index, "in a repeat block")
    total = times * size
    if total > MAX_LAYERS:
        raise _Bad(f"`repeat: {times:,}` of {size} layer{'s' * (size != 1)} expands to "
                   f"{total:,} layers, more than the {MAX_LAYERS:,} a model may have "
                   "(ask about a long model as a formula instead)")
    return _Repeat(times, body, trainable, total)


def _expand(items: tuple[_Written | _Repeat, ...], suffix: str, frozen: bool,
            out: list[Layer]) -> None:
    for item in items:
        if isinstance(item, _Repeat):
            for copy in range(1, item.times + 1):
                _expand(item.body, f"{suffix}_{copy}", frozen or not item.trainable, out)
            continue
        name = f"{item.name}{suffix}" if item.name else None
        out.append(Layer(item.type, item.args, len(out), name, item.trainable and not frozen))


_SIZE_KINDS = frozenset({"size", "sizes", "sizes0", "shape", "layer"})


def _symbols_in(value: Any, found: dict[str, None]) -> None:
    if isinstance(value, str):
        found.setdefault(value, None)
    elif isinstance(value, (tuple, list)):
        for v in value:
            _symbols_in(v, found)
    elif isinstance(value, _Written):
        _layer_symbols(value.type, value.args, found)


def _layer_symbols(type_name: str, args: Mapping[str, Any], found: dict[str, None]) -> None:
    for k, v in args.items():
        if VOCABULARY[type_name].args[k].kind in _SIZE_KINDS:
            _symbols_in(v, found)



def build_layers(value: list[Any]) -> tuple[Layer, ...]:
    """Parse and expand the written layers; the ValueError names the layer by its index."""
    try:
        items, _ = _read_entries(value)
    except _LayerError as exc:
        raise ValueError(str(exc)) from None
    layers: list[Layer] = []
    _expand(items, "", False, layers)
    seen: dict[str, int] = {}
    named: dict[str, Layer] = {}
    for i, layer in enumerate(layers):
        count = seen.get(layer.type, 0)
        seen[layer.type] = count + 1
        auto = layer.type if count == 0 else f"{layer.type}_{count}"
        layers[i] = Layer(layer.type, layer.args, layer.index, layer.name, layer.trainable, auto)
        if layer.name is not None:
            if layer.name in named:
                raise ValueError(f"{layer.label}: the name `{layer.name}` is already "
                                 f"layer {named[layer.name].index}'s (names are unique)")
            named[layer.name] = layer
    return tuple(layers)


def symbols_of(sizes: Any, layers: tuple[Layer, ...]) -> tuple[str, ...]:
    """The symbols the input sizes and the layers use, in order of first appearance."""
    found: dict[str, None] = {}
    _symbols_in(sizes, found)
    for layer in layers:
        _layer_symbols(layer.type, layer.args, found)
    return tuple(found)
