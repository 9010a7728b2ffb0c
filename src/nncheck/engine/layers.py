"""Layer inference (FORMAT §4.3): every layer's output shape and parameters, as Keras and
PyTorch report them, under the framework's conventions or under one changed convention (a
known mistake: `Convention`).

Shapes exclude the batch axis. Counts are Python ints (a 10^12-parameter model never allocates
an array).

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
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from nncheck.errors import ProblemError
from nncheck.spec.layers import VOCABULARY, Layer
from nncheck.spec.model import ModelSpec

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
    plus_one: bool = True  # the +1 of floor((n + 2p - k) / s) + 1
    pad_sides: int = 2  # 1: padding counted on one side only
    keep_depth: bool = False  # a convolution's output keeps the input's channels
    halve_channels: bool = False  # pooling divides the channels by its stride too


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
    resize: Callable[[int], int] | None = None,
) -> tuple[LayerRecord, ...]:
    """Shape and parameters of every layer, in order (ProblemError where one cannot be built).

    `resize` maps each size written as a number to the size used instead (sizes perturbed)."""
    run = _Run(model, dict(sizes or {}), convention, ref)
    run.resize = resize
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
        self.resize: Callable[[int], int] | None = None

    def fail(self, layer: Layer | None, message: str, *, expected: str | None = None,
             hint: str | None = None) -> ProblemError:
        """The error of a model that cannot be built, naming the model and the layer."""
        where = f"model `{self.ref}`" + (f", {layer.label}" if layer is not None else "")
        if hint is None and layer is not None and layer.index == self.suspect_layout:
            hint = "PyTorch shapes are channels first: write the input as [C, H, W]"
        return ProblemError(f"{where}: {message}", expected=expected, hint=hint)

    def size(self, layer: Layer | None, value: Any) -> int:
        """A size: a number, or a symbol's value at this pass."""
        if isinstance(value, int):
            return value if self.resize is None else self.resize(value)
        try:
            return self.sizes[value]
        except KeyError:
            raise self.fail(layer, f"size `{value}` is a symbol with no value") from None

    def sizes_of(self, layer: Layer, value: Any, dims: int) -> tuple[int, ...]:
        """One size per axis: a tuple as given, or one size repeated."""
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
        """A shape from its spatial axes and channels, in the model's layout."""
        if self.channels_last:
            return (*spatial, channels)
        return (channels, *spatial)

    def describe(self, dims: int) -> str:
        """A `dims`-D input as messages name it: [H, W, C] (channels last)."""
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
        """The padding this pass uses (`same` and `valid` swapped by that mistake)."""
        if self.conv.swap_padding and value in ("same", "valid"):
            return "valid" if value == "same" else "same"
        return value

    def bias(self, layer: Layer, per_unit: int, per_input: int) -> int:
        """The biases a layer counts under this pass's convention."""
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
    padded = tuple(n + run.conv.pad_sides * p for n, p in zip(spatial, pads))
    if any(n < k for n, k in zip(padded, effective)):
        raise run.fail(layer, _misfit("kernel", kernel, effective, spatial, padded))
    lengths = tuple((n - k) // s + run.conv.plus_one for n, k, s in zip(padded, effective, stride))
    if min(lengths) < 1:
        raise run.fail(layer, "no output position is left")
    return lengths


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
    depth = a.channels if run.conv.keep_depth else a.filters
    return run.join(lengths, depth), weights + run.bias(layer, a.filters, a.channels), 0


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
        lengths = tuple(_pool_length(n, k, s, p, ceil_mode, run.conv)
                        for n, k, s, p in zip(spatial, window, stride, pads))
    params = (math.prod(window) + 1) * channels if run.conv.pooling_params else 0
    depth = max(channels // stride[0], 1) if run.conv.halve_channels else channels
    return run.join(lengths, depth), params, 0


def _pool_length(n: int, k: int, s: int, p: int, ceil_mode: bool, conv: Convention) -> int:
    span = n + conv.pad_sides * p - k
    length = (-(-span // s) if ceil_mode else span // s) + conv.plus_one
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
