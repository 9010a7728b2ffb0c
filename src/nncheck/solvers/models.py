"""Layer models (FORMAT §4.3): shapes and parameter counts as Keras and PyTorch report them,
the answers of known mistakes, symbolic sizes; and the `formula` ask (FORMAT §4.8).

Shapes exclude the batch axis. Counts are Python ints (a 10^12-parameter model never allocates
an array); numpy appears only where a truth holds its values at k points.

Framework conventions, decided once here:

- keras: channels last; `model.summary()` counts batch-norm moving statistics as
  non-trainable parameters (4C, 2C of them non-trainable); GRU `reset_after: true` (the
  default) has two bias vectors; `dense` acts on the last axis of any input.
- pytorch: channels first (`[C, H, W]`), except recurrent and attention layers, which read
  `[T, F]` as `batch_first=True` modules do; counts are `sum(p.numel() for p in
  model.parameters())`, so batch-norm running statistics (buffers) do not count; RNN, LSTM and
  GRU have separate `b_ih` and `b_hh`. `nn.Linear` acts on the last axis, so `dense` is
  accepted on a vector or a sequence `[T, F]`, but refused on a feature map of three or more
  axes, where it would act on the width alone: a PyTorch model flattens first.
- Padding: `valid`, `same` (Keras' length: ceil(n / stride); PyTorch allows `same` only with
  stride 1), or an integer (explicit zeros on both sides; Keras models read it as a
  ZeroPadding layer before a valid convolution). Pooling strides default to the window.
- A transposed convolution without `output_padding` follows Keras' inferred length under
  keras (n·s + max(k − s, 0) for valid, n·s for same) and PyTorch's default 0 under pytorch.
- Global pooling gives `[C]` (PyTorch: `AdaptiveAvgPool(1)` then `Flatten`); `keepdims`
  keeps the spatial axes as 1s. `separable_conv2d` is Keras' layer (bias on the pointwise
  step only); under pytorch it is the same pair of convolutions.

A size may be a symbol (`input: [n]`); a symbol a model does not declare is an integer in
1..1000. The truth is then known at 8 points (the domain's ends and 6 random values, seeded
by the course secret, the problem and the part: `seeding.py`), and the count is shown as the
polynomial that interpolates it exactly; a claim that passes the points must also be that
polynomial (`identity.py`). Counts are compared as exact integers (`NumericTruth.integers`).
A `formula` part's symbol that `symbols:` does not declare is likewise an integer in
1..1000, the convention of model sizes.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from fractions import Fraction
from typing import Any

import numpy as np

from nncheck import expr
from nncheck.checking import Known, NumericTruth
from nncheck.context import Context
from nncheck.errors import ExprError, ProblemError
from nncheck.exact import poly_of as exact_poly_of
from nncheck.exact import value_of as exact_value_of
from nncheck.solvers import identity
from nncheck.spec.layer_syntax import did_you_mean
from nncheck.spec.layers import VOCABULARY, Layer
from nncheck.spec.model import DEFAULT_DOMAIN, ModelSpec
from nncheck.spec.parts import Domain, FormulaPart, OutputShapePart, ParamCountPart

POINTS = 8  # points a symbolic truth is known at: the domain's ends and random values
_LARGEST = 2.0**1000  # a count beyond this cannot be compared as a float


# --- conventions and records --------------------------------------------------------------------

@dataclass(frozen=True)
class Convention:
    """How parameters are counted and shapes computed. The truth uses the framework's own
    conventions; each known mistake flips one choice and counts again."""

    biases: bool = True
    bias_per_input: bool = False
    input_channels: bool = True
    recurrent_weights: bool = True
    recurrent_biases: str | None = None  # "keras", "pytorch" or "single"; None: the framework's
    gru_single_bias: bool = False
    bn_statistics: str | None = None  # "keras" (parameters) or "pytorch" (buffers); None: own
    bn_statistics_trainable: bool = False
    pooling_params: bool = False
    bidirectional_twice: bool = True
    swap_padding: bool = False
    frozen: bool = True


TRUTH = Convention()


@dataclass(frozen=True)
class LayerRecord:
    """One layer of a summary: its name, type, output shape and parameters."""

    index: int
    name: str
    type: str
    output_shape: tuple[int, ...]
    params: int  # every parameter the framework reports (keras: batch-norm statistics too)
    non_trainable: int
    trainable: bool  # the layer's own flag (`trainable: false` freezes it)

    @property
    def trainable_params(self) -> int:
        """The parameters an optimiser updates."""
        return self.params - self.non_trainable


def infer_layers(
    model: ModelSpec,
    sizes: Mapping[str, int] | None = None,
    convention: Convention = TRUTH,
    ref: str = "model",
) -> tuple[LayerRecord, ...]:
    """Shape and parameters of every layer, in order (ProblemError where one cannot be built)."""
    run = _Run(model, dict(sizes or {}), convention, ref)
    shape = tuple(run.size(None, v) for v in model.input)
    records = []
    for layer in model.expanded:
        shape, weights, statistics = _HANDLERS[layer.type](run, layer, shape)
        counted = statistics if run.statistics_counted else 0
        params = weights + counted
        if not layer.trainable and convention.frozen:
            non_trainable = params
        else:
            non_trainable = 0 if convention.bn_statistics_trainable else counted
        records.append(LayerRecord(layer.index, layer.display_name, layer.type, shape, params,
                                   non_trainable, layer.trainable))
    return tuple(records)


def count_params(records: Sequence[LayerRecord], count: str = "total",
                 layer: int | None = None) -> int:
    """Total, trainable or non-trainable parameters of a model, or of one layer."""
    chosen = records if layer is None else [records[layer]]
    if count == "trainable":
        return sum(r.trainable_params for r in chosen)
    if count == "non_trainable":
        return sum(r.non_trainable for r in chosen)
    return sum(r.params for r in chosen)


def show_shape(shape: Sequence[Any]) -> str:
    """A shape as messages write it: [28, 28, 1]."""
    return "[" + ", ".join(str(s) for s in shape) + "]"


def _cross(values: Sequence[Any]) -> str:
    return "×".join(str(v) for v in values)


class _Run:
    """One pass over a model: its sizes, conventions, and a way to fail naming the layer."""

    def __init__(self, model: ModelSpec, sizes: dict[str, int], convention: Convention,
                 ref: str):
        self.model = model
        self.sizes = sizes
        self.conv = convention
        self.ref = ref
        self.pytorch = model.framework == "pytorch"
        self.keras = not self.pytorch
        self.channels_last = model.channels_last
        stats = convention.bn_statistics or model.framework
        self.statistics_counted = stats == "keras"
        self.suspect_layout = -1

    def fail(self, layer: Layer | None, message: str, *, expected: str | None = None,
             hint: str | None = None) -> ProblemError:
        where = f"model `{self.ref}`" + (f", {layer.label}" if layer is not None else "")
        if hint is None and layer is not None and layer.index == self.suspect_layout:
            hint = "PyTorch shapes are channels first: write the input as [C, H, W]"
        return ProblemError(f"{where}: {message}", expected=expected, hint=hint)

    def size(self, layer: Layer | None, value: Any) -> int:
        if isinstance(value, int):
            return value
        try:
            return self.sizes[value]
        except KeyError:
            raise self.fail(layer, f"size `{value}` is a symbol with no value") from None

    def sizes_of(self, layer: Layer, value: Any, dims: int) -> tuple[int, ...]:
        if isinstance(value, tuple):
            return tuple(self.size(layer, v) for v in value)
        return (self.size(layer, value),) * dims

    def split(self, layer: Layer, shape: tuple[int, ...], dims: int
              ) -> tuple[tuple[int, ...], int]:
        """Spatial axes and channels of a `dims`-D input."""
        if len(shape) != dims + 1:
            raise self.fail(layer, f"expects a {self.describe(dims)} input, got "
                            f"{show_shape(shape)}", hint=self._shape_hint(shape, dims))
        if self.channels_last:
            return shape[:-1], shape[-1]
        if len(shape) > 2 and shape[-1] <= 4 < shape[0]:
            self.suspect_layout = layer.index  # [28, 28, 1] under pytorch: a Keras habit
        return shape[1:], shape[0]

    def join(self, spatial: Sequence[int], channels: int) -> tuple[int, ...]:
        if self.channels_last:
            return (*spatial, channels)
        return (channels, *spatial)

    def describe(self, dims: int) -> str:
        names = {1: ["L"], 2: ["H", "W"], 3: ["D", "H", "W"]}[dims]
        axes = [*names, "C"] if self.channels_last else ["C", *names]
        layout = "channels last" if self.channels_last else "channels first"
        return f"[{', '.join(axes)}] ({layout})"

    def _shape_hint(self, shape: tuple[int, ...], dims: int) -> str | None:
        if len(shape) == dims:
            return "add the channel axis (1 for a grey image)"
        if len(shape) == 1:
            return "a vector has no spatial axes: reshape it first"
        return None

    def padding(self, value: Any) -> Any:
        if self.conv.swap_padding and value in ("same", "valid"):
            return "valid" if value == "same" else "same"
        return value

    def bias(self, layer: Layer, per_unit: int, per_input: int) -> int:
        if not layer.args.get("bias", True) or not self.conv.biases:
            return 0
        return per_input if self.conv.bias_per_input else per_unit


# --- layers ------------------------------------------------------------------------------------
# A handler maps (run, layer, input shape) to (output shape, weights, batch-norm statistics).

Result = tuple[tuple[int, ...], int, int]


def _dense(run: _Run, layer: Layer, shape: tuple[int, ...]) -> Result:
    units = run.size(layer, layer.args["units"])
    if run.pytorch and len(shape) > 2:
        raise run.fail(layer, f"nn.Linear would act on the last axis alone (size {shape[-1]}) "
                       f"of a {show_shape(shape)} input", hint="add a `flatten` before it, as "
                       "a PyTorch model must")
    fan_in = shape[-1]
    return (*shape[:-1], units), fan_in * units + run.bias(layer, units, fan_in), 0


def _conv_lengths(run: _Run, layer: Layer, spatial: tuple[int, ...], kernel: tuple[int, ...],
                  stride: tuple[int, ...], dilation: tuple[int, ...]) -> tuple[int, ...]:
    padding = run.padding(layer.args["padding"])
    if run.keras and max(stride) > 1 and max(dilation) > 1:
        raise run.fail(layer, f"Keras refuses stride {_cross(stride)} together with dilation "
                       f"{_cross(dilation)}", expected="stride 1 or dilation 1")
    if padding in ("same", "causal"):
        if run.pytorch and padding == "causal":
            raise run.fail(layer, "PyTorch has no causal padding", expected="valid, same or "
                           "an integer")
        if run.pytorch and max(stride) > 1 and not run.conv.swap_padding:
            raise run.fail(layer, f"PyTorch allows padding='same' only with stride 1, not "
                           f"{_cross(stride)}", hint="give the padding as an integer")
        return tuple(-(-n // s) for n, s in zip(spatial, stride))
    pads = _pads(padding, len(spatial))
    effective = tuple(d * (k - 1) + 1 for k, d in zip(kernel, dilation))
    padded = tuple(n + 2 * p for n, p in zip(spatial, pads))
    if any(n < k for n, k in zip(padded, effective)):
        raise run.fail(layer, _misfit("kernel", kernel, effective, spatial, padded))
    return tuple((n - k) // s + 1 for n, k, s in zip(padded, effective, stride))


def _pads(padding: Any, dims: int) -> tuple[int, ...]:
    if padding == "valid":
        return (0,) * dims
    if isinstance(padding, tuple):
        return padding
    return (int(padding),) * dims


def _misfit(what: str, window: Sequence[int], effective: Sequence[int], spatial: Sequence[int],
            padded: Sequence[int]) -> str:
    dilated = f" (dilated to {_cross(effective)})" if tuple(effective) != tuple(window) else ""
    pad = f" (padded to {_cross(padded)})" if tuple(padded) != tuple(spatial) else ""
    if len(window) == 1:
        return (f"a {what} of {window[0]}{dilated} does not fit an input of length "
                f"{spatial[0]}{pad}")
    return f"a {_cross(window)} {what}{dilated} does not fit a {_cross(spatial)} input{pad}"


@dataclass(frozen=True)
class _ConvArgs:
    """A (transposed) convolution's arguments, read and checked once."""

    dims: int
    spatial: tuple[int, ...]
    channels: int
    filters: int
    kernel: tuple[int, ...]
    stride: tuple[int, ...]
    dilation: tuple[int, ...]
    groups: int


def _conv_args(run: _Run, layer: Layer, shape: tuple[int, ...]) -> _ConvArgs:
    dims = VOCABULARY[layer.type].dims
    spatial, channels = run.split(layer, shape, dims)
    args = layer.args
    filters = run.size(layer, args["filters"])
    groups = run.size(layer, args["groups"])
    if channels % groups or filters % groups:
        raise run.fail(layer, f"groups = {groups} must divide both the input channels "
                       f"({channels}) and the filters ({filters})")
    return _ConvArgs(dims, tuple(spatial), channels, filters,
                     tuple(run.sizes_of(layer, args["kernel"], dims)),
                     tuple(run.sizes_of(layer, args["stride"], dims)),
                     tuple(run.sizes_of(layer, args["dilation"], dims)), groups)


def _conv(run: _Run, layer: Layer, shape: tuple[int, ...]) -> Result:
    a = _conv_args(run, layer, shape)
    lengths = _conv_lengths(run, layer, a.spatial, a.kernel, a.stride, a.dilation)
    fan_in = a.channels // a.groups if run.conv.input_channels else 1
    weights = math.prod(a.kernel) * fan_in * a.filters
    return run.join(lengths, a.filters), weights + run.bias(layer, a.filters, a.channels), 0


def _depthwise(run: _Run, layer: Layer, shape: tuple[int, ...]) -> Result:
    spatial, channels = run.split(layer, shape, 2)
    args = layer.args
    kernel = run.sizes_of(layer, args["kernel"], 2)
    stride = run.sizes_of(layer, args["stride"], 2)
    dilation = run.sizes_of(layer, args["dilation"], 2)
    multiplier = run.size(layer, args["depth_multiplier"])
    lengths = _conv_lengths(run, layer, spatial, kernel, stride, dilation)
    seen = channels if run.conv.input_channels else 1
    depthwise = math.prod(kernel) * seen * multiplier
    outputs = channels * multiplier
    if layer.type == "depthwise_conv2d":
        return run.join(lengths, outputs), depthwise + run.bias(layer, outputs, channels), 0
    filters = run.size(layer, args["filters"])
    pointwise = seen * multiplier * filters
    return (run.join(lengths, filters),
            depthwise + pointwise + run.bias(layer, filters, channels), 0)


def _transpose(run: _Run, layer: Layer, shape: tuple[int, ...]) -> Result:
    args = layer.args
    if run.keras and run.size(layer, args["groups"]) != 1:
        raise run.fail(layer, "Keras' transposed convolutions have no `groups`")
    a = _conv_args(run, layer, shape)
    dims, spatial, channels, filters, kernel, stride, dilation, groups = (
        a.dims, a.spatial, a.channels, a.filters, a.kernel, a.stride, a.dilation, a.groups)
    padding = run.padding(args["padding"])
    extra = args["output_padding"]
    if run.pytorch and padding in ("same", "causal"):
        raise run.fail(layer, f"PyTorch's transposed convolutions take no padding='{padding}'",
                       expected="an integer padding")
    effective = tuple(d * (k - 1) + 1 for k, d in zip(kernel, dilation))
    output_padding = None if extra is None else run.sizes_of(layer, extra, dims)
    if output_padding is not None or run.pytorch:
        output_padding = output_padding or (0,) * dims
        limits = [max(s, d) if run.pytorch else s for s, d in zip(stride, dilation)]
        if any(o >= m for o, m in zip(output_padding, limits)):
            bound = "the stride or the dilation" if run.pytorch else "the stride"
            raise run.fail(layer, f"output_padding {_cross(output_padding)} must be smaller "
                           f"than {bound}")
    lengths = []
    for axis, (n, k, s) in enumerate(zip(spatial, effective, stride)):
        if output_padding is None:  # Keras infers the length
            length = n * s + max(k - s, 0) if padding == "valid" else n * s
        else:
            pad = k // 2 if padding == "same" else _pads(padding, dims)[axis]
            length = (n - 1) * s + k - 2 * pad + output_padding[axis]
        if length < 1:
            raise run.fail(layer, f"the padding leaves no output along axis {axis}")
        lengths.append(length)
    fan_in = channels // groups if run.conv.input_channels else 1
    weights = math.prod(kernel) * fan_in * filters
    return run.join(lengths, filters), weights + run.bias(layer, filters, channels), 0


def _pool(run: _Run, layer: Layer, shape: tuple[int, ...]) -> Result:
    dims = VOCABULARY[layer.type].dims
    spatial, channels = run.split(layer, shape, dims)
    args = layer.args
    window = run.sizes_of(layer, args["pool"], dims)
    stride = window if args["stride"] is None else run.sizes_of(layer, args["stride"], dims)
    padding = run.padding(args["padding"])
    ceil_mode = args["ceil_mode"]
    if run.keras and ceil_mode:
        raise run.fail(layer, "`ceil_mode` is a PyTorch option; Keras pools with floor")
    if padding == "same":
        if run.pytorch and not run.conv.swap_padding:
            raise run.fail(layer, "PyTorch pooling has no padding='same'",
                           hint="give the padding as an integer")
        lengths = tuple(-(-n // s) for n, s in zip(spatial, stride))
    else:
        pads = _pads(padding, dims)
        if run.pytorch and any(2 * p > k for p, k in zip(pads, window)):
            raise run.fail(layer, f"PyTorch pads a pooling window by at most half its size "
                           f"(padding {_cross(pads)}, window {_cross(window)})")
        padded = tuple(n + 2 * p for n, p in zip(spatial, pads))
        if any(n < k for n, k in zip(padded, window)):
            raise run.fail(layer, _misfit("window", window, window, spatial, padded))
        lengths = tuple(_pool_length(n, k, s, p, ceil_mode)
                        for n, k, s, p in zip(spatial, window, stride, pads))
    params = (math.prod(window) + 1) * channels if run.conv.pooling_params else 0
    return run.join(lengths, channels), params, 0


def _pool_length(n: int, k: int, s: int, p: int, ceil_mode: bool) -> int:
    span = n + 2 * p - k
    length = (-(-span // s) if ceil_mode else span // s) + 1
    if ceil_mode and (length - 1) * s >= n + p:
        length -= 1  # PyTorch: the last window must start inside the input or left padding
    return length


def _global_pool(run: _Run, layer: Layer, shape: tuple[int, ...]) -> Result:
    if len(shape) < 2:
        raise run.fail(layer, f"global pooling needs spatial (or time) axes and channels, got "
                       f"{show_shape(shape)}")
    spatial, channels = run.split(layer, shape, len(shape) - 1)
    params = (math.prod(spatial) + 1) * channels if run.conv.pooling_params else 0
    if layer.args["keepdims"]:
        return run.join((1,) * len(spatial), channels), params, 0
    return (channels,), params, 0


def _flatten(run: _Run, layer: Layer, shape: tuple[int, ...]) -> Result:
    return (math.prod(shape),), 0, 0


def _identity(run: _Run, layer: Layer, shape: tuple[int, ...]) -> Result:
    return shape, 0, 0


def _affine(layer: Layer) -> int:
    args = layer.args
    if args["affine"] is not None:
        return 2 if args["affine"] else 0
    return int(args["center"]) + int(args["scale"])


def _batch_norm(run: _Run, layer: Layer, shape: tuple[int, ...]) -> Result:
    channels = shape[-1] if run.channels_last else shape[0]
    return shape, _affine(layer) * channels, 2 * channels


def _layer_norm(run: _Run, layer: Layer, shape: tuple[int, ...]) -> Result:
    return shape, _affine(layer) * shape[-1], 0


def _embedding(run: _Run, layer: Layer, shape: tuple[int, ...]) -> Result:
    vocabulary = run.size(layer, layer.args["input_dim"])
    width = run.size(layer, layer.args["output_dim"])
    return (*shape, width), vocabulary * width, 0


_GATES = {"simple_rnn": 1, "lstm": 4, "gru": 3}


def _recurrent(run: _Run, layer: Layer, shape: tuple[int, ...]) -> Result:
    kind = layer.type
    if len(shape) != 2:
        hint = "an image must be reshaped to [T, F] first" if len(shape) == 3 else None
        raise run.fail(layer, f"{kind} reads a sequence [T, F] (time steps, features), got "
                       f"{show_shape(shape)}", hint=hint)
    if run.pytorch and kind == "gru" and not layer.args["reset_after"]:
        raise run.fail(layer, "PyTorch's GRU always applies the reset gate after the matrix "
                       "product", expected="reset_after: true (or framework: keras)")
    steps, features = shape
    units = run.size(layer, layer.args["units"])
    gates = _GATES[kind]
    weights = gates * features * units
    if run.conv.recurrent_weights:
        weights += gates * units * units
    vectors = _bias_vectors(run, layer)
    biases = run.bias(layer, gates * units * vectors, gates * features * vectors)
    out = (steps, units) if layer.args["return_sequences"] else (units,)
    return out, weights + biases, 0


def _bias_vectors(run: _Run, layer: Layer) -> int:
    mode = run.conv.recurrent_biases or run.model.framework
    if mode == "pytorch":
        vectors = 2  # b_ih and b_hh
    elif mode == "single":
        vectors = 1
    else:
        vectors = 2 if layer.type == "gru" and layer.args["reset_after"] else 1
    if layer.type == "gru" and run.conv.gru_single_bias:
        vectors = 1
    return vectors


def _bidirectional(run: _Run, layer: Layer, shape: tuple[int, ...]) -> Result:
    inner_spec = layer.args["layer"]
    inner = Layer(inner_spec.type, inner_spec.args, layer.index, layer.name, layer.trainable)
    merge = layer.args["merge_mode"]
    if run.pytorch and merge != "concat":
        raise run.fail(layer, f"PyTorch concatenates both directions; merge_mode {merge} is "
                       "Keras'", expected="merge_mode: concat")
    out, weights, _ = _recurrent(run, inner, shape)
    if merge == "concat":
        out = (*out[:-1], 2 * out[-1])
    return out, weights * (2 if run.conv.bidirectional_twice else 1), 0


def _attention(run: _Run, layer: Layer, shape: tuple[int, ...]) -> Result:
    if len(shape) < 2 or (run.pytorch and len(shape) != 2):
        raise run.fail(layer, f"attends over a sequence [T, E], got {show_shape(shape)}")
    width = shape[-1]
    args = layer.args
    heads = run.size(layer, args["num_heads"])
    with_bias = args["bias"] and run.conv.biases
    if run.pytorch:
        if width % heads:
            raise run.fail(layer, f"PyTorch splits the embedding ({width}) evenly over the "
                           f"heads, and {heads} heads do not divide it")
        return shape, 4 * width * width + (4 * width if with_bias else 0), 0
    if args["key_dim"] is None:
        raise run.fail(layer, "Keras' MultiHeadAttention needs `key_dim`")
    key = run.size(layer, args["key_dim"])
    value = key if args["value_dim"] is None else run.size(layer, args["value_dim"])
    weights = 2 * width * heads * key + 2 * width * heads * value
    biases = 2 * heads * key + heads * value + width
    return shape, weights + (biases if with_bias else 0), 0


def _reshape(run: _Run, layer: Layer, shape: tuple[int, ...]) -> Result:
    target = [-1 if v == -1 else run.size(layer, v) for v in layer.args["shape"]]
    total = math.prod(shape)
    known = math.prod(v for v in target if v != -1)
    if -1 in target:
        if total % known:
            raise run.fail(layer, f"cannot reshape {show_shape(shape)} ({total} values) "
                           f"into {show_shape(layer.args['shape'])}")
        target[target.index(-1)] = total // known
    if math.prod(target) != total:
        raise run.fail(layer, f"cannot reshape {show_shape(shape)} ({total} values) into "
                       f"{show_shape(target)} ({math.prod(target)} values)")
    return tuple(target), 0, 0


def _zero_padding(run: _Run, layer: Layer, shape: tuple[int, ...]) -> Result:
    spatial, channels = run.split(layer, shape, 2)
    pads = layer.args["padding"]
    lengths = tuple(n + a + b for n, (a, b) in zip(spatial, pads))
    return run.join(lengths, channels), 0, 0


def _upsampling(run: _Run, layer: Layer, shape: tuple[int, ...]) -> Result:
    spatial, channels = run.split(layer, shape, 2)
    factors = run.sizes_of(layer, layer.args["size"], 2)
    return run.join(tuple(n * f for n, f in zip(spatial, factors)), channels), 0, 0


_HANDLERS: dict[str, Callable[[_Run, Layer, tuple[int, ...]], Result]] = {
    "dense": _dense,
    "depthwise_conv2d": _depthwise,
    "separable_conv2d": _depthwise,
    "global_avg_pool": _global_pool,
    "global_max_pool": _global_pool,
    "flatten": _flatten,
    "batch_norm": _batch_norm,
    "layer_norm": _layer_norm,
    "embedding": _embedding,
    "simple_rnn": _recurrent,
    "lstm": _recurrent,
    "gru": _recurrent,
    "bidirectional": _bidirectional,
    "multi_head_attention": _attention,
    "reshape": _reshape,
    "zero_padding2d": _zero_padding,
    "upsampling2d": _upsampling,
    **{f"conv{d}d": _conv for d in (1, 2, 3)},
    **{f"conv{d}d_transpose": _transpose for d in (1, 2, 3)},
    **{f"{k}_pool{d}d": _pool for k in ("max", "avg") for d in (1, 2, 3)},
    **{t: _identity for t in ("dropout", "activation", "relu", "sigmoid", "tanh", "softmax",
                              "gelu", "elu", "leaky_relu")},
}
assert set(_HANDLERS) == set(VOCABULARY), "every layer type has a handler"


# --- known mistakes ----------------------------------------------------------------------------

_CONVOLUTIONS = frozenset(t for t in VOCABULARY if "conv" in t)
_POOLS = frozenset(t for t in VOCABULARY if "pool" in t)
_RECURRENT = frozenset({"simple_rnn", "lstm", "gru"})
_ANY = frozenset(VOCABULARY)


def _count_mistakes(model: ModelSpec, count: str) -> list[tuple[str, Convention, str]]:
    """The named mistakes of a count, in catalogue order: (name, convention, count asked).

    A mistake that touches no layer of the model is left out before anything is counted.
    """
    keras = model.framework == "keras"
    frozen = any(not layer.trainable for layer in model.expanded)
    catalogue: list[tuple[str, Convention, str, frozenset[str]]] = [
        ("biases forgotten", Convention(biases=False), count, _ANY),
        ("one bias per input instead of one per unit", Convention(bias_per_input=True), count,
         _ANY),
        ("input channels forgotten in a convolution", Convention(input_channels=False), count,
         _CONVOLUTIONS),
        ("two bias vectors per recurrent layer (PyTorch's b_ih and b_hh)" if keras
         else "one bias vector per recurrent layer (Keras' convention)",
         Convention(recurrent_biases="pytorch" if keras else "keras"), count, _RECURRENT),
        ("GRU with one bias vector (Keras' reset_after=false)",
         Convention(gru_single_bias=True), count, frozenset({"gru"})),
        ("batch-norm moving statistics left out (PyTorch keeps them as buffers)" if keras
         else "batch-norm running statistics counted as parameters (Keras' convention)",
         Convention(bn_statistics="pytorch" if keras else "keras"), count,
         frozenset({"batch_norm"})),
        ("pooling given parameters", Convention(pooling_params=True), count, _POOLS),
        ("recurrent (hidden-to-hidden) weights forgotten",
         Convention(recurrent_weights=False), count, _RECURRENT),
        ("bidirectional layer counted in one direction only",
         Convention(bidirectional_twice=False), count, frozenset({"bidirectional"})),
        ("`same` and `valid` padding confused", Convention(swap_padding=True), count,
         _CONVOLUTIONS | _POOLS),
    ]
    if count == "trainable" and keras:
        catalogue.append(("batch-norm moving statistics counted as trainable",
                          Convention(bn_statistics_trainable=True), count,
                          frozenset({"batch_norm"})))
    if count != "total" and frozen:
        catalogue.append(("frozen layers ignored", Convention(frozen=False), count, _ANY))
    if count == "trainable":
        catalogue.append(("every parameter counted, not only the trainable ones", TRUTH,
                          "total", _ANY))
    present = _types_in(model)
    return [(name, conv, asked) for name, conv, asked, types in catalogue if types & present]


def _types_in(model: ModelSpec) -> frozenset[str]:
    """The layer types of a model, with the layers that `bidirectional` wraps."""
    found = set()
    for layer in model.expanded:
        found.add(layer.type)
        if layer.type == "bidirectional":
            found.add(layer.args["layer"].type)
    return frozenset(found)


_SHAPE_MISTAKES = [("`same` and `valid` padding confused", Convention(swap_padding=True))]
_LAYOUT_MISTAKE = "channels first and channels last swapped"


# --- solvers -----------------------------------------------------------------------------------

Measure = Callable[[Mapping[str, int]], tuple[int, ...]]  # sizes -> the answer's components


def solve_param_count(part: ParamCountPart, ctx: Context) -> NumericTruth:
    """The parameter count of a model (or of one layer), exact, with known mistakes."""
    model = ctx.model(part.model)
    index = layer_index(model, part.layer, part.model)

    def measure(convention: Convention, count: str) -> Measure:
        def at(sizes: Mapping[str, int]) -> tuple[int, ...]:
            records = infer_layers(model, sizes, convention, part.model)
            return (count_params(records, count, index),)
        return at

    mistakes = [(name, measure(conv, count))
                for name, conv, count in _count_mistakes(model, part.count)]
    return _build_truth(model, ctx, part.model, measure(TRUTH, part.count), mistakes,
                        vector=False)


def solve_output_shape(part: OutputShapePart, ctx: Context) -> NumericTruth:
    """The output shape of a model (or of one layer), batch axis excluded, exact."""
    model = ctx.model(part.model)
    index = layer_index(model, part.layer, part.model)
    last = len(model.expanded) - 1 if index is None else index

    def measure(convention: Convention) -> Measure:
        def at(sizes: Mapping[str, int]) -> tuple[int, ...]:
            return infer_layers(model, sizes, convention, part.model)[last].output_shape
        return at

    truth = measure(TRUTH)
    mistakes = [(name, measure(conv)) for name, conv in _SHAPE_MISTAKES]

    def rotated(sizes: Mapping[str, int]) -> tuple[int, ...]:
        shape = truth(sizes)
        if len(shape) < 3:
            raise ProblemError("no channel axis to move")
        return (shape[-1], *shape[:-1]) if model.channels_last else (*shape[1:], shape[0])

    mistakes.append((_LAYOUT_MISTAKE, rotated))
    return _build_truth(model, ctx, part.model, truth, mistakes, vector=True)


def layer_index(model: ModelSpec, layer: int | str | None, ref: str = "model") -> int | None:
    """The 0-based index `layer:` names (an index, negative from the end, or a name)."""
    if layer is None:
        return None
    layers = model.expanded
    if isinstance(layer, str) and layer.strip().lstrip("-").isdigit():
        layer = int(layer)
    if isinstance(layer, int):
        if -len(layers) <= layer < len(layers):
            return layer % len(layers)
        raise ProblemError(f"`layer: {layer}` is past the end of model `{ref}`",
                           expected=f"an index in 0..{len(layers) - 1} (after `repeat` is "
                           "expanded) or a layer's name")
    for pick in (lambda x: x.name, lambda x: x.auto_name):
        found = [x.index for x in layers if pick(x) == layer]
        if found:
            return found[0]
    names = [x.name for x in layers if x.name] + [x.auto_name for x in layers]
    raise ProblemError(f"model `{ref}` has no layer named `{layer}`{did_you_mean(layer, names)}",
                       expected="a layer's `name` or its 0-based index")


def _build_truth(
    model: ModelSpec,
    ctx: Context,
    ref: str,
    truth: Measure,
    mistakes: Sequence[tuple[str, Measure]],
    *,
    vector: bool,
) -> NumericTruth:
    names = model.symbol_names
    if names:
        points = _sample_points(names, [model.domain(n) for n in names],
                                ctx.rng(f"symbols of {ref}"))
    else:
        points = [{}]
    values = [_at_point(truth, point, model) for point in points]
    known = []
    for name, fn in mistakes:
        try:
            got = [fn(point) for point in points]
            if got != values and all(len(g) == len(values[0]) for g in got):
                known.append(Known(name, _floats(got, vector)))
        except ProblemError:
            continue  # the mistake cannot even be made on this model
    confirm = None
    expected: Any
    if names:
        expected, polys = _fit_each(truth, names, model, points, values, ref)
        confirm = identity.polynomial_check(
            polys, names, [model.domain(n) for n in names], ctx.aliases,
            lambda claim: ctx.claim_rng(claim, f"symbols of {ref}"))
    else:
        expected = list(values[0])
    if not vector:
        expected = expected[0]
    env = {n: np.array([float(p[n]) for p in points]) for n in names}
    return NumericTruth(
        integers=tuple(tuple(int(v) for v in row) for row in values),
        confirm=confirm,
        expected=expected,
        values=_floats(values, vector),
        env=env,
        vector=vector,
        exact=True,
        known=tuple(known),
        aliases=ctx.aliases,
        point_names=tuple(names),
        key_value=expected,
    )


def _at_point(fn: Measure, point: Mapping[str, int],
              model: ModelSpec) -> tuple[int, ...]:
    try:
        return fn(point)
    except ProblemError as exc:
        if not point:
            raise
        where = ", ".join(f"{n} = {v}" for n, v in point.items())
        ranges = ", ".join(f"{n}: {{integer: [{model.domain(n)[0]}, {model.domain(n)[1]}]}}"
                           for n in point)
        raise ProblemError(f"at {where}: {exc.message}", expected=exc.expected,
                           hint=f"sizes are drawn from `symbols: {{{ranges}}}`; declare the "
                           "range where the model is defined") from None


def _floats(values: Sequence[tuple[int, ...]], vector: bool) -> np.ndarray:
    if any(abs(v) > _LARGEST for row in values for v in row):
        raise ProblemError("a count or size is too large to compare (more than 2^1000)")
    arr = np.array([[float(v) for v in row] for row in values])
    return arr if vector else arr[:, 0]


# --- symbolic sizes ----------------------------------------------------------------------------

def _sample_points(names: Sequence[str], domains: Sequence[tuple[int, int]],
                   rng: np.random.Generator, k: int = POINTS) -> list[dict[str, int]]:
    """k points: every symbol at its domain's low end, then its high end, then random values
    (distinct per symbol while the domain allows), so no formula is right by coincidence."""
    columns = []
    for lo, hi in domains:
        if hi - lo + 1 <= k:
            column = list(range(lo, hi + 1))
            while len(column) < k:
                column.append(int(rng.integers(lo, hi + 1)))
        else:
            column = [lo, hi]
            while len(column) < k:
                value = int(rng.integers(lo, hi + 1))
                if value not in column:
                    column.append(value)
        columns.append(column)
    points: list[dict[str, int]] = []
    for row in zip(*columns):
        point = dict(zip(names, row))
        if point not in points:
            points.append(point)
    return points


def _max_degree(symbols: int) -> int:
    # Counts are polynomials of low degree (n·k, n² from an n×n input, n³ from a volume);
    # the bound keeps the number of interpolation nodes, C(s + d, d), near a hundred.
    return {1: 8, 2: 6, 3: 5, 4: 4}.get(symbols, 3)


Poly = dict[tuple[int, ...], Fraction]


def _fit_each(
    truth: Measure,
    names: Sequence[str],
    model: ModelSpec,
    points: Sequence[Mapping[str, int]],
    values: Sequence[tuple[int, ...]],
    ref: str,
) -> tuple[list[int | str], list[Poly]]:
    """Each component of the truth as a polynomial in the symbols (shown: an int when
    constant), and the polynomials themselves."""
    domains = [model.domain(n) for n in names]
    cache: dict[tuple[int, ...], tuple[int, ...]] = {}

    def at(node: tuple[int, ...]) -> tuple[int, ...]:
        if node not in cache:
            cache[node] = _at_point(truth, dict(zip(names, node)), model)
        return cache[node]

    out: list[int | str] = []
    polys: list[Poly] = []
    for component in range(len(values[0])):
        poly = fit_polynomial(lambda node, c=component: at(node)[c], domains,  # type: ignore[misc]
                              _max_degree(len(names)))
        for point, value in zip(points, values):
            if evaluate_polynomial(poly, [point[n] for n in names]) != value[component]:
                symbols = ", ".join(names)
                raise ProblemError(
                    f"model `{ref}`: the answer is not a polynomial in {symbols} (at "
                    + ", ".join(f"{n} = {point[n]}" for n in names)
                    + f" it is {value[component]})",
                    hint="a stride, pooling or `same` padding divides a symbolic size; give "
                    "that size as a number",
                )
        out.append(format_polynomial(poly, names))
        polys.append(poly)
    return out, polys


def fit_polynomial(f: Callable[[tuple[int, ...]], int], domains: Sequence[tuple[int, int]],
                   degree: int) -> Poly:
    """The polynomial of total degree <= `degree` through f at a lattice of integer nodes.

    Nodes are lo, lo+1, ... per symbol, on the lower set {i : sum(i) <= degree}; successive
    divided differences along each axis give the Newton coefficients exactly (Fractions), which
    are then expanded into monomials {exponents: coefficient}.
    """
    caps = [min(degree, hi - lo) for lo, hi in domains]
    nodes = [[lo + m for m in range(cap + 1)] for (lo, _), cap in zip(domains, caps)]
    lattice = [i for i in itertools.product(*(range(c + 1) for c in caps)) if sum(i) <= degree]
    coef = {i: Fraction(f(tuple(nodes[a][i[a]] for a in range(len(i))))) for i in lattice}
    for axis in range(len(domains)):
        lines: dict[tuple[int, ...], list[tuple[int, ...]]] = {}
        for i in lattice:
            lines.setdefault(i[:axis] + i[axis + 1:], []).append(i)
        xs = nodes[axis]
        for members in lines.values():
            members.sort(key=lambda i: i[axis])
            vals = [coef[i] for i in members]
            for order in range(1, len(vals)):
                for m in range(len(vals) - 1, order - 1, -1):
                    vals[m] = (vals[m] - vals[m - 1]) / (xs[m] - xs[m - order])
            for i, v in zip(members, vals):
                coef[i] = v
    zero = (0,) * len(domains)
    poly: Poly = {}
    for i, c in coef.items():
        if c == 0:
            continue
        term: Poly = {zero: c}
        for axis, power in enumerate(i):
            for m in range(power):
                term = _times_linear(term, axis, -nodes[axis][m])
        for e, v in term.items():
            poly[e] = poly.get(e, Fraction(0)) + v
    return {e: v for e, v in poly.items() if v != 0}


def _times_linear(poly: Poly, axis: int, constant: int) -> Poly:
    """poly · (x_axis + constant)."""
    out: Poly = {}
    for e, v in poly.items():
        up = (*e[:axis], e[axis] + 1, *e[axis + 1:])
        out[up] = out.get(up, Fraction(0)) + v
        out[e] = out.get(e, Fraction(0)) + v * constant
    return out


def evaluate_polynomial(poly: Poly, point: Sequence[int]) -> Fraction:
    """The exact value of a polynomial at an integer point."""
    return sum((c * math.prod(x**p for x, p in zip(point, e)) for e, c in poly.items()),
               Fraction(0))


def format_polynomial(poly: Poly, names: Sequence[str]) -> int | str:
    """`10*n + 10`, `n^2 - 3*n*k + 1/2`: highest degree first; a constant is an int."""
    if not poly:
        return 0
    if set(poly) == {(0,) * len(names)}:
        value = poly[(0,) * len(names)]
        if value.denominator == 1:
            return int(value)
    order = sorted(poly, key=lambda e: (-sum(e), [-p for p in e]))
    text = ""
    for position, e in enumerate(order):
        c = poly[e]
        sign = "-" if c < 0 else "+"
        c = abs(c)
        factors = [n if p == 1 else f"{n}^{p}" for n, p in zip(names, e) if p]
        if not factors:
            body = str(c.numerator) + (f"/{c.denominator}" if c.denominator != 1 else "")
        else:
            body = "*".join(factors)
            if c.numerator != 1:
                body = f"{c.numerator}*{body}"
            if c.denominator != 1:
                body = f"{body}/{c.denominator}"
        if position == 0:
            text = f"-{body}" if sign == "-" else body
        else:
            text += f" {sign} {body}"
    return text


# --- formula -----------------------------------------------------------------------------------

def solve_formula(part: FormulaPart, ctx: Context) -> NumericTruth:
    """A reference expression at seeded random points of its symbols' domains.

    An undeclared symbol is an integer in 1..1000 (as model sizes are). An integer-valued
    reference over integer symbols is compared exactly unless a tolerance is set, since
    `10n + 9` is within 1% of `10n + 10` wherever n is large.
    """
    source = part.reference
    try:
        reference = expr.parse(source, aliases=ctx.aliases)
    except ExprError as exc:
        raise ProblemError(f"`reference`: {exc}") from None
    names = list(part.symbols) + sorted(reference.names - set(part.symbols))
    domains = {n: _formula_domain(n, part.symbols.get(n)) for n in names}
    rng = ctx.rng("formula")
    integer_names = [n for n in names if isinstance(domains[n][0], int)]
    points = _sample_points(integer_names, [domains[n] for n in integer_names], rng)  # type: ignore[misc]
    k = max(len(points), POINTS if len(integer_names) < len(names) else 1)
    env: dict[str, np.ndarray] = {}
    for n in names:
        lo, hi = domains[n]
        if n in integer_names:
            env[n] = np.array([float(points[i % len(points)][n]) for i in range(k)])
        else:
            env[n] = rng.uniform(float(lo), float(hi), size=k)
    try:
        values = np.broadcast_to(np.asarray(reference.evaluate(env), dtype=float), (k,)).copy()
    except ExprError as exc:
        raise ProblemError(f"`reference` cannot be evaluated on the symbols' domains: {exc}",
                           hint="declare each symbol's range with `symbols:`") from None
    all_integer = len(integer_names) == len(names)
    # Exact values where the reference has them (integers beyond 2^53 too).
    rationals = [exact_value_of(reference, {n: int(env[n][i]) for n in names})
                 for i in range(k)] if all_integer else []
    if rationals and all(r is not None for r in rationals):
        integral = all(r.denominator == 1 for r in rationals)  # type: ignore[union-attr]
    else:  # no exact value (`sqrt`, `log`): as float64
        rationals = []
        integral = bool(np.all(np.abs(values) < 2.0**53) and np.all(values == np.round(values)))
    exact = (all_integer and integral and part.tolerance is None
             and ctx.problem.tolerance is None)
    poly = exact_poly_of(reference, names) if exact else None
    confirm: identity.Confirm
    if poly is not None:
        confirm = identity.polynomial_check(
            [poly], names, [domains[n] for n in names], ctx.aliases,
            lambda claim: ctx.claim_rng(claim, "formula"))
    else:
        def draw(rng: np.random.Generator) -> dict[str, np.ndarray]:
            size = identity.SECOND_ROUND
            return {n: (rng.integers(domains[n][0], domains[n][1] + 1, size=size).astype(float)
                        if n in integer_names else rng.uniform(*domains[n], size=size))
                    for n in names}

        confirm = identity.value_check(reference, names, draw, ctx.aliases,
                                       ctx.tolerance, lambda c: ctx.claim_rng(c, "formula"))
    return NumericTruth(
        integers=(tuple((int(r),) for r in rationals if r is not None)  # type: ignore[arg-type]
                  if exact and rationals else None),
        confirm=confirm,
        expected=source,
        values=values,
        env=env,
        tolerance=ctx.tolerance,
        exact=exact,
        aliases=ctx.aliases,
        point_names=tuple(names),
        key_value=source,
    )


def _formula_domain(name: str, domain: Domain | None) -> tuple[Any, Any]:
    if domain is None:
        return DEFAULT_DOMAIN
    if (domain.integer is None) == (domain.real is None):
        raise ProblemError(f"symbol `{name}` needs one domain",
                           expected="`{integer: [lo, hi]}` or `{real: [lo, hi]}`")
    lo, hi = domain.integer if domain.integer is not None else domain.real  # type: ignore[misc]
    if lo > hi:
        raise ProblemError(f"symbol `{name}`: the range [{lo}, {hi}] is empty",
                           expected="lo <= hi")
    if domain.integer is not None:
        return int(lo), int(hi)
    return float(lo), float(hi)

