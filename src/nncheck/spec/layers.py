"""The layer vocabulary of layer models (FORMAT §4.3): every layer type, its arguments with
their kinds and defaults, its shorthand, and the spellings Keras and PyTorch give types and
arguments.

This module imports no numpy, so that `nncheck validate` starts fast.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from nncheck import expr

# A size cannot be a name the expression language already means something by (FORMAT §6,
# `expr.is_reserved`), nor a word a layer argument reads (in any case, as padding does).
LAYER_WORDS = frozenset({"same", "valid", "causal"})
RESERVED = expr.RESERVED | LAYER_WORDS  # the exact words; keywords are reserved in any case


def is_reserved(name: str) -> bool:
    """Whether `name` cannot be a size symbol (`log`, `pi`, `AND`, `same`, ...)."""
    return expr.is_reserved(name) or name.lower() in LAYER_WORDS


REQUIRED = object()  # an argument without a default


@dataclass(frozen=True)
class Arg:
    """One argument of a layer type: how its value is read, and its default."""

    kind: str  # how the value is read: see `_read_arg`
    default: Any = REQUIRED


def _conv() -> dict[str, Arg]:
    return {
        "filters": Arg("size"),
        "kernel": Arg("sizes"),
        "stride": Arg("sizes", 1),
        "padding": Arg("padding", "valid"),
        "dilation": Arg("sizes", 1),
        "groups": Arg("size", 1),
        "bias": Arg("bool", True),
        "activation": Arg("text", None),
    }


def _depthwise() -> dict[str, Arg]:
    return {
        "kernel": Arg("sizes"),
        "depth_multiplier": Arg("size", 1),
        "stride": Arg("sizes", 1),
        "padding": Arg("padding", "valid"),
        "dilation": Arg("sizes", 1),
        "bias": Arg("bool", True),
        "activation": Arg("text", None),
    }


def _separable() -> dict[str, Arg]:
    return {"filters": Arg("size"), **_depthwise()}


def _transpose() -> dict[str, Arg]:
    # output_padding None is Keras' default (the length is inferred); PyTorch's 0 is the same
    # except where the kernel is shorter than the stride.
    return {**_conv(), "output_padding": Arg("sizes0", None)}


def _pool() -> dict[str, Arg]:
    return {
        "pool": Arg("sizes"),
        "stride": Arg("sizes", None),  # None: the pool size, as both frameworks do
        "padding": Arg("padding", "valid"),
        "ceil_mode": Arg("bool", False),
    }


def _recurrent() -> dict[str, Arg]:
    return {
        "units": Arg("size"),
        "return_sequences": Arg("bool", False),
        "bias": Arg("bool", True),
        "activation": Arg("text", None),
    }


def _norm() -> dict[str, Arg]:
    return {"center": Arg("bool", True), "scale": Arg("bool", True), "affine": Arg("bool", None)}


@dataclass(frozen=True)
class LayerType:
    """One entry of the vocabulary: its arguments, shorthand and spatial rank."""

    name: str
    args: Mapping[str, Arg]
    shorthand: str | None = None
    dims: int = 0  # spatial axes (conv2d: 2); 0 where the layer has none


def _vocabulary() -> dict[str, LayerType]:
    types = [
        LayerType("dense", {"units": Arg("size"), "bias": Arg("bool", True),
                            "activation": Arg("text", None)}, "units"),
        *(LayerType(f"conv{d}d", _conv(), "filters", d) for d in (1, 2, 3)),
        LayerType("depthwise_conv2d", _depthwise(), "kernel", 2),
        LayerType("separable_conv2d", _separable(), "filters", 2),
        *(LayerType(f"conv{d}d_transpose", _transpose(), "filters", d) for d in (1, 2, 3)),
        *(LayerType(f"{kind}_pool{d}d", _pool(), "pool", d)
          for kind in ("max", "avg") for d in (1, 2, 3)),
        LayerType("global_avg_pool", {"keepdims": Arg("bool", False)}),
        LayerType("global_max_pool", {"keepdims": Arg("bool", False)}),
        LayerType("flatten", {}),
        LayerType("dropout", {"rate": Arg("rate", 0.5)}, "rate"),
        LayerType("batch_norm", _norm()),
        LayerType("layer_norm", _norm()),
        LayerType("embedding", {"input_dim": Arg("size"), "output_dim": Arg("size")}),
        LayerType("simple_rnn", _recurrent(), "units"),
        LayerType("lstm", _recurrent(), "units"),
        LayerType("gru", {**_recurrent(), "reset_after": Arg("bool", True)}, "units"),
        LayerType("bidirectional", {"layer": Arg("layer"),
                                    "merge_mode": Arg("merge", "concat")}, "layer"),
        LayerType("multi_head_attention", {
            "num_heads": Arg("size"), "key_dim": Arg("size", None),
            "value_dim": Arg("size", None), "bias": Arg("bool", True)}, "num_heads"),
        LayerType("activation", {"activation": Arg("text")}, "activation"),
        *(LayerType(fn, {}) for fn in ("relu", "sigmoid", "tanh", "softmax", "gelu", "elu",
                                       "leaky_relu")),
        LayerType("reshape", {"shape": Arg("shape")}, "shape"),
        LayerType("zero_padding2d", {"padding": Arg("zero_padding", 1)}, "padding", 2),
        LayerType("upsampling2d", {"size": Arg("sizes", 2)}, "size", 2),
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


def _type_aliases() -> dict[str, str]:
    """Spellings of layer types, folded (lower case, no underscores) -> our type.

    Keras and PyTorch class names are accepted (`MaxPooling2D`, `BatchNorm2d`, `Linear`),
    since that is what users of either framework type first.
    """
    folded = {fold(name): name for name in VOCABULARY}
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


def fold(name: str) -> str:
    """A type name folded for lookup: lower case, without `_` and `-`."""
    return name.lower().replace("_", "").replace("-", "")


TYPE_ALIASES = _type_aliases()


def layer_type(key: Any) -> str | None:
    """Our name of a layer type as written (`MaxPooling2D` -> max_pool2d), or None."""
    return TYPE_ALIASES.get(fold(str(key)))
