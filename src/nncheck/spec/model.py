"""The layer-model format (FORMAT §4.3): framework, input shape, symbols and layer list.

A layer is written `{<type>: <shorthand>}`, `{<type>: {<args>}}`, `{<type>: <shorthand>,
<args>...}` or a bare `<type>`, plus optional `name` and `trainable: false`; a block
`{repeat: N, layers: [...]}` repeats its layers (and may itself say `trainable: false`).
Validation checks the syntax of every layer (types, argument names and values) and expands
`repeat`; whether a layer fits its input is the solver's business, since sizes may be symbols.

This module imports no numpy, so that `nncheck validate` starts fast.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Literal

from pydantic import Field, PrivateAttr, field_validator, model_validator

from nncheck import expr
from nncheck.spec.common import KEY, Strict, located
from nncheck.spec.parts import Domain

# A `repeat: 10^9` is refused rather than expanded: every layer is inferred one by one, and a
# model this long is a typo or a question better asked as a formula.
MAX_LAYERS = 10_000

DEFAULT_DOMAIN = (1, 1000)  # an undeclared size symbol is an integer in 1..1000 (FORMAT §4.3)

Size = int | str  # a positive integer, or a symbol bound by `symbols:`

_IDENT = re.compile(r"[A-Za-z][A-Za-z0-9_]*\Z")
_SCIENTIFIC = re.compile(r"\d+(\.\d+)?[eE]\+?\d{1,2}\Z")
_INT_PRODUCT = re.compile(r"\d+(\s*(\*\*|\^|\*|×)\s*\d+)*\Z")
# A size cannot be a name the expression language already means something by (FORMAT §6,
# `expr.is_reserved`), nor a word a layer argument reads (in any case, as padding does).
LAYER_WORDS = frozenset({"same", "valid", "causal"})
RESERVED = expr.RESERVED | LAYER_WORDS  # the exact words; keywords are reserved in any case


def is_reserved(name: str) -> bool:
    """Whether `name` cannot be a size symbol (`log`, `pi`, `AND`, `same`, ...)."""
    return expr.is_reserved(name) or name.lower() in LAYER_WORDS

_REQUIRED = object()


@dataclass(frozen=True)
class _Arg:
    kind: str  # how the value is read: see `_read_arg`
    default: Any = _REQUIRED


def _conv() -> dict[str, _Arg]:
    return {
        "filters": _Arg("size"),
        "kernel": _Arg("sizes"),
        "stride": _Arg("sizes", 1),
        "padding": _Arg("padding", "valid"),
        "dilation": _Arg("sizes", 1),
        "groups": _Arg("size", 1),
        "bias": _Arg("bool", True),
        "activation": _Arg("text", None),
    }


def _depthwise() -> dict[str, _Arg]:
    return {
        "kernel": _Arg("sizes"),
        "depth_multiplier": _Arg("size", 1),
        "stride": _Arg("sizes", 1),
        "padding": _Arg("padding", "valid"),
        "dilation": _Arg("sizes", 1),
        "bias": _Arg("bool", True),
        "activation": _Arg("text", None),
    }


def _separable() -> dict[str, _Arg]:
    return {"filters": _Arg("size"), **_depthwise()}


def _transpose() -> dict[str, _Arg]:
    # output_padding None is Keras' default (the length is inferred); PyTorch's 0 is the same
    # except where the kernel is shorter than the stride.
    return {**_conv(), "output_padding": _Arg("sizes0", None)}


def _pool() -> dict[str, _Arg]:
    return {
        "pool": _Arg("sizes"),
        "stride": _Arg("sizes", None),  # None: the pool size, as both frameworks do
        "padding": _Arg("padding", "valid"),
        "ceil_mode": _Arg("bool", False),
    }


def _recurrent() -> dict[str, _Arg]:
    return {
        "units": _Arg("size"),
        "return_sequences": _Arg("bool", False),
        "bias": _Arg("bool", True),
        "activation": _Arg("text", None),
    }


def _norm() -> dict[str, _Arg]:
    return {"center": _Arg("bool", True), "scale": _Arg("bool", True), "affine": _Arg("bool", None)}


@dataclass(frozen=True)
class LayerType:
    """One entry of the vocabulary: its arguments, shorthand and spatial rank."""

    name: str
    args: Mapping[str, _Arg]
    shorthand: str | None = None
    dims: int = 0  # spatial axes (conv2d: 2); 0 where the layer has none


def _vocabulary() -> dict[str, LayerType]:
    types = [
        LayerType("dense", {"units": _Arg("size"), "bias": _Arg("bool", True),
                            "activation": _Arg("text", None)}, "units"),
        *(LayerType(f"conv{d}d", _conv(), "filters", d) for d in (1, 2, 3)),
        LayerType("depthwise_conv2d", _depthwise(), "kernel", 2),
        LayerType("separable_conv2d", _separable(), "filters", 2),
        *(LayerType(f"conv{d}d_transpose", _transpose(), "filters", d) for d in (1, 2, 3)),
        *(LayerType(f"{kind}_pool{d}d", _pool(), "pool", d)
          for kind in ("max", "avg") for d in (1, 2, 3)),
        LayerType("global_avg_pool", {"keepdims": _Arg("bool", False)}),
        LayerType("global_max_pool", {"keepdims": _Arg("bool", False)}),
        LayerType("flatten", {}),
        LayerType("dropout", {"rate": _Arg("rate", 0.5)}, "rate"),
        LayerType("batch_norm", _norm()),
        LayerType("layer_norm", _norm()),
        LayerType("embedding", {"input_dim": _Arg("size"), "output_dim": _Arg("size")}),
        LayerType("simple_rnn", _recurrent(), "units"),
        LayerType("lstm", _recurrent(), "units"),
        LayerType("gru", {**_recurrent(), "reset_after": _Arg("bool", True)}, "units"),
        LayerType("bidirectional", {"layer": _Arg("layer"),
                                    "merge_mode": _Arg("merge", "concat")}, "layer"),
        LayerType("multi_head_attention", {
            "num_heads": _Arg("size"), "key_dim": _Arg("size", None),
            "value_dim": _Arg("size", None), "bias": _Arg("bool", True)}, "num_heads"),
        LayerType("activation", {"activation": _Arg("text")}, "activation"),
        *(LayerType(fn, {}) for fn in ("relu", "sigmoid", "tanh", "softmax", "gelu", "elu",
                                       "leaky_relu")),
        LayerType("reshape", {"shape": _Arg("shape")}, "shape"),
        LayerType("zero_padding2d", {"padding": _Arg("zero_padding", 1)}, "padding", 2),
        LayerType("upsampling2d", {"size": _Arg("sizes", 2)}, "size", 2),
    ]
    return {t.name: t for t in types}


VOCABULARY: dict[str, LayerType] = _vocabulary()
RECURRENT = frozenset({"simple_rnn", "lstm", "gru"})

# The names Keras and PyTorch give the same arguments: accepted, read as ours.
ARG_ALIASES = {
    "kernel_size": "kernel", "strides": "stride", "pool_size": "pool",
    "dilation_rate": "dilation", "use_bias": "bias", "num_embeddings": "input_dim",
    "embedding_dim": "output_dim", "hidden_size": "units", "out_channels": "filters",
    "out_features": "units", "target_shape": "shape", "p": "rate",
}


@dataclass(frozen=True)
class Layer:
    """One layer after `repeat` is expanded: its type, every argument (defaults filled in),
    its name, whether it trains, and its 0-based index in the expanded list."""

    type: str
    args: Mapping[str, Any] = field(hash=False)
    index: int = 0
    name: str | None = None  # as written (a repeated name gets `_1`, `_2`, ... per copy)
    trainable: bool = True
    auto_name: str = ""  # Keras-style default name: dense, dense_1, ...

    @property
    def label(self) -> str:
        """The layer as messages name it: `layer 3 (conv2d)` or ``layer 3 `c1` (conv2d)``."""
        named = f" `{self.name}`" if self.name else ""
        return f"layer {self.index}{named} ({self.type})"

    @property
    def display_name(self) -> str:
        """The name a summary shows: the written one, else the Keras-style default."""
        return self.name or self.auto_name


# --- reading values ------------------------------------------------------------------------------

def did_you_mean(word: str, choices: Any) -> str:
    """` — did you mean `x`?` for the closest choice, or an empty string."""
    close = difflib.get_close_matches(str(word), list(choices), n=1, cutoff=0.6)
    return f" — did you mean `{close[0]}`?" if close else ""


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
    if isinstance(value, str) and _IDENT.match(value.strip()) and not is_reserved(value.strip()):
        return value.strip()
    return None


class _Bad(ValueError):
    """A layer's syntax error, before the layer's label is known."""


def _describe(value: Any) -> str:
    if value is None or isinstance(value, bool):  # as YAML writes them
        return "null" if value is None else str(value).lower()
    text = repr(value)
    return text if len(text) <= 40 else text[:37] + "..."


def _read_sizes(value: Any, dims: int, what: str, *, zero: bool = False) -> Any:
    lower = "a non-negative" if zero else "a positive"
    if isinstance(value, (list, tuple)):
        if dims and len(value) != dims:
            raise _Bad(f"`{what}` needs {dims} values (one per spatial axis), found {len(value)}")
        sizes = [read_size(v, zero=zero) for v in value]
        if any(s is None for s in sizes):
            raise _Bad(f"`{what}` must list {lower} integer or a symbol per axis, "
                       f"not {_describe(value)}")
        return tuple(sizes)
    size = read_size(value, zero=zero)
    if size is None:
        raise _Bad(f"`{what}` must be {lower} integer or a symbol, not {_describe(value)}")
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
                       f"not {_describe(value)}")
        return tuple(numbers)
    number = read_int(value)
    if number is None or number < 0:
        raise _Bad(f"`padding` must be valid, same or a non-negative integer, "
                   f"not {_describe(value)}")
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
               f" not {_describe(value)}")


def _read_shape(value: Any) -> tuple[Size, ...]:
    items = value if isinstance(value, (list, tuple)) else [value]
    out: list[Size] = []
    for item in items:
        size = -1 if read_int(item) == -1 else read_size(item)
        if size is None:
            raise _Bad(f"`shape` must list positive integers, symbols or one -1, "
                       f"not {_describe(value)}")
        out.append(size)
    if out.count(-1) > 1:
        raise _Bad("`shape` can infer (-1) one axis only")
    return tuple(out)


def _read_arg(name: str, value: Any, arg: _Arg, ltype: LayerType) -> Any:
    kind = arg.kind
    if kind == "size":
        size = read_size(value)
        if size is None:
            raise _Bad(f"`{name}` must be a positive integer or a symbol, not {_describe(value)}")
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
            raise _Bad(f"`{name}` must be true or false, not {_describe(value)}")
        return value
    if kind == "rate":
        if isinstance(value, bool) or not isinstance(value, (int, float)) or not 0 <= value < 1:
            raise _Bad(f"`{name}` must be a number in [0, 1), not {_describe(value)}")
        return float(value)
    if kind == "text":
        if not isinstance(value, str) or not value.strip():
            raise _Bad(f"`{name}` must be a name such as relu, not {_describe(value)}")
        return value.strip()
    if kind == "merge":
        if value not in ("concat", "sum", "mul", "ave"):
            raise _Bad(f"`merge_mode` must be concat, sum, mul or ave, not {_describe(value)}")
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


def _type_aliases() -> dict[str, str]:
    """Spellings of layer types, folded (lower case, no underscores) -> our type.

    Keras and PyTorch class names are accepted (`MaxPooling2D`, `BatchNorm2d`, `Linear`),
    since that is what users of either framework type first.
    """
    folded = {_fold(name): name for name in VOCABULARY}
    for d in (1, 2, 3):
        folded.update({
            f"maxpooling{d}d": f"max_pool{d}d", f"averagepooling{d}d": f"avg_pool{d}d",
            f"avgpooling{d}d": f"avg_pool{d}d", f"convtranspose{d}d": f"conv{d}d_transpose",
            f"globalaveragepooling{d}d": "global_avg_pool", f"globalavgpool{d}d":
            "global_avg_pool", f"globalmaxpooling{d}d": "global_max_pool",
            f"globalmaxpool{d}d": "global_max_pool", f"batchnorm{d}d": "batch_norm",
        })
    folded.update({
        "linear": "dense", "globalaveragepooling": "global_avg_pool",
        "globalmaxpooling": "global_max_pool", "batchnormalization": "batch_norm",
        "batchnorm": "batch_norm", "layernormalization": "layer_norm", "layernorm": "layer_norm",
        "rnn": "simple_rnn", "zeropad2d": "zero_padding2d", "upsample": "upsampling2d",
        "upsample2d": "upsampling2d", "multiheadattention": "multi_head_attention",
    })
    return folded


def _fold(name: str) -> str:
    return name.lower().replace("_", "").replace("-", "")


TYPE_ALIASES = _type_aliases()


def layer_type(key: Any) -> str | None:
    """Our name of a layer type as written (`MaxPooling2D` -> max_pool2d), or None."""
    return TYPE_ALIASES.get(_fold(str(key)))


def _unknown_type(key: str) -> _Bad:
    if _fold(key) in ("input", "inputlayer"):
        return _Bad("the input is not a layer: give its shape as the model's `input: [...]`")
    close = difflib.get_close_matches(_fold(key), list(TYPE_ALIASES), n=1, cutoff=0.6)
    hint = f" — did you mean `{TYPE_ALIASES[close[0]]}`?" if close else ""
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
            raise _Bad(f"unknown argument `{name}`{did_you_mean(name, known)}"
                       f" (arguments: {', '.join(ltype.args)})")
        if canonical in args:
            raise _Bad(f"`{canonical}` is given twice")
        args[canonical] = value
    out = {}
    for name, arg in ltype.args.items():
        if name in args:
            out[name] = _read_arg(name, args[name], arg, ltype)
        elif arg.default is _REQUIRED:
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
                   f"not {_describe(entry)}")
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
                    raise _Bad(f"`{key}` is given twice, as {_describe(outer[key])} beside "
                               f"`{type_key}` and as {_describe(inner)} inside it")
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
        raise _Bad(f"`name` must be a non-empty string, not {_describe(name)}")
    trainable = outer.get("trainable", True)
    if not isinstance(trainable, bool):
        raise _Bad(f"`trainable` must be true or false, not {_describe(trainable)}")
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
        raise _Bad(f"`repeat` must be a positive integer, not {_describe(entry['repeat'])}")
    trainable = entry.get("trainable", True)
    if not isinstance(trainable, bool):
        raise _Bad(f"`trainable` must be true or false, not {_describe(trainable)}")
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


# --- the model -----------------------------------------------------------------------------------

_LAYERS_SCHEMA: Any = {  # for editor completion (`nncheck schema problem`)
    "items": {
        "anyOf": [
            {"type": "string", "enum": sorted(VOCABULARY)},
            {"type": "object", "description": "`{<type>: <shorthand or args>}`, optional "
             "`name` and `trainable`, or `{repeat: N, layers: [...]}`"},
        ]
    }
}


class ModelSpec(Strict):
    """A layer model: framework conventions, the input shape, and the layer list."""

    kind: Literal["model"] = "model"
    framework: Literal["keras", "pytorch"] = "keras"
    layout: Literal["channels_last", "channels_first"] | None = None
    input: list[int | str] = Field(min_length=1)
    symbols: dict[str, Domain] = Field(default_factory=dict)
    layers: list[Any] = Field(min_length=1, json_schema_extra=_LAYERS_SCHEMA)

    _expanded: tuple[Layer, ...] = PrivateAttr(default=())
    _symbol_names: tuple[str, ...] = PrivateAttr(default=())

    @field_validator("input", mode="before")
    @classmethod
    def _read_input(cls, value: Any) -> Any:
        items = value if isinstance(value, list) else [value]
        out = []
        for i, item in enumerate(items):
            size = read_size(item)
            if size is None:
                raise ValueError(f"input size {i} must be a positive integer or a symbol "
                                 f"(such as n), not {_describe(item)}")
            out.append(size)
        return out

    @field_validator("symbols", mode="before")
    @classmethod
    def _read_symbols(cls, value: Any) -> Any:
        if not isinstance(value, dict):
            return value
        # `n: [1, 100]` is short for `n: {integer: [1, 100]}`: model sizes are integers.
        return {k: {"integer": v} if isinstance(v, list) else v for k, v in value.items()}

    @field_validator("symbols")
    @classmethod
    def _check_symbols(cls, value: dict[str, Domain]) -> dict[str, Domain]:
        for name, domain in value.items():
            if not _IDENT.match(name) or is_reserved(name):
                raise located((name, KEY), f"symbol `{name}`: a symbol is a name such as n or "
                              "k (letters, digits, _; not a function, constant or keyword)", name)
            if domain.real is not None or domain.integer is None:
                raise located((name,), f"symbol `{name}`: a model size is an integer: "
                              "write `{integer: [lo, hi]}`")
            lo, hi = domain.integer
            if not 1 <= lo <= hi:
                raise located((name,), f"symbol `{name}`: the range [{lo}, {hi}] must satisfy "
                              "1 <= lo <= hi (sizes are positive)")
        return value

    @field_validator("layers")
    @classmethod
    def _check_layers(cls, value: list[Any]) -> list[Any]:
        _build(value)  # errors here are located at `layers`; the model keeps the result below
        return value

    @model_validator(mode="after")
    def _expand_layers(self) -> ModelSpec:
        layers = _build(self.layers)
        found: dict[str, None] = {}
        _symbols_in(self.input, found)
        for layer in layers:
            _layer_symbols(layer.type, layer.args, found)
        self._expanded = layers
        self._symbol_names = tuple(found)
        return self

    @property
    def expanded(self) -> tuple[Layer, ...]:
        """Every layer, `repeat` blocks expanded, in order."""
        return self._expanded

    @property
    def symbol_names(self) -> tuple[str, ...]:
        """The symbols the sizes use, in order of first appearance."""
        return self._symbol_names

    @property
    def channels_last(self) -> bool:
        """Whether the channel axis is the last one (Keras' default) or the first (PyTorch's)."""
        if self.layout is not None:
            return self.layout == "channels_last"
        return self.framework == "keras"

    def domain(self, symbol: str) -> tuple[int, int]:
        """The integer range a size symbol is drawn from (1..1000 unless `symbols:` says)."""
        declared = self.symbols.get(symbol)
        if declared is not None and declared.integer is not None:
            return declared.integer
        return DEFAULT_DOMAIN


def _build(value: list[Any]) -> tuple[Layer, ...]:
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
