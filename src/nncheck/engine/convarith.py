"""Convolution arithmetic (FORMAT §4.9–4.12): receptive fields, the padding that gives a size,
multiply–adds, and activation memory, each under the convention its part states.

- Receptive field (Araujo, Norris and Sim, "Computing Receptive Fields of Convolutional Neural
  Networks", Distill 2019, eq. 1–2): with r_0 = 1 and j_0 = 1, a layer of kernel k, stride s
  and dilation d gives r_l = r_{l-1} + (k_l - 1)·d_l·j_{l-1} and j_l = j_{l-1}·s_l. Padding
  moves where the field starts, never its size. A pooling window is a kernel (dilation 1).
- Padding: PyTorch pads both sides by the same integer p, and the output length is
  floor((n + 2p - d(k - 1) - 1) / s) + 1; TensorFlow/Keras `same` gives ceil(n / s) and pads
  max((ceil(n / s) - 1)·s + d(k - 1) + 1 - n, 0) in all, the odd one on the right/bottom.
- Multiply–adds (a MAC is one multiply and one add; FLOPs = 2 × MACs): a dense or convolution
  layer does one MAC per weight at every output position (a transposed convolution: at every
  input position), and one add per bias value at every output position, the convention of
  ptflops. Layers without weights (pooling, activations, reshapes) count none.
- Activation memory: the values of every tensor a layer creates, times the batch and the bytes
  of the dtype; activations, dropout, flatten and reshape create none (in place, identity at
  inference, or a view), and the input counts when the part says so.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping, Sequence
from typing import Any

from nncheck.engine.layers import Convention, LayerRecord, infer_layers
from nncheck.errors import ProblemError
from nncheck.spec.layers import VOCABULARY, Layer
from nncheck.spec.model import ModelSpec

DTYPE_BYTES = {"float64": 8, "float32": 4, "float16": 2, "bfloat16": 2}

# Layers that leave the receptive field and the jump as they are.
_POINTWISE = frozenset({"dropout", "activation", "relu", "sigmoid", "tanh", "softmax", "gelu",
                        "elu", "leaky_relu", "batch_norm", "layer_norm", "zero_padding2d"})
# Layers that create no tensor of their own: in place, identity at inference, or a view.
_NO_TENSOR = frozenset({"dropout", "activation", "relu", "sigmoid", "tanh", "softmax", "gelu",
                        "elu", "leaky_relu", "flatten", "reshape"})
_WEIGHTED = frozenset({"dense", "depthwise_conv2d", "separable_conv2d",
                       *(f"conv{d}d" for d in (1, 2, 3))})
_TRANSPOSED = frozenset(f"conv{d}d_transpose" for d in (1, 2, 3))
_NO_WEIGHTS = frozenset({"flatten", "reshape", "zero_padding2d", "upsampling2d", "dropout",
                         "activation", "relu", "sigmoid", "tanh", "softmax", "gelu", "elu",
                         "leaky_relu", "global_avg_pool", "global_max_pool",
                         *(f"{k}_pool{d}d" for k in ("max", "avg") for d in (1, 2, 3))})


# --- receptive field -----------------------------------------------------------------------------

Step = Callable[[int, int, int, int, int], tuple[int, int]]  # (r, j, k, s, d) -> (r, j)


def distill_step(r: int, j: int, k: int, s: int, d: int) -> tuple[int, int]:
    """One layer of the recurrence: r + (k - 1)·d·j, and the jump j·s."""
    return r + (k - 1) * d * j, j * s


def receptive_field(
    model: ModelSpec,
    last: int,
    sizes: Mapping[str, int],
    resize: Callable[[int], int] | None = None,
    step: Step = distill_step,
    pools: bool = True,
    ref: str = "model",
) -> tuple[tuple[int, ...], tuple[int, ...]]:
    """The receptive field and the jump, per spatial axis, of a unit of layer `last`.

    `step` and `pools` let a known mistake replace the recurrence or leave pooling out."""
    dims = spatial_dims(model)
    r, j = [1] * dims, [1] * dims
    for layer in model.expanded[:last + 1]:
        try:
            window = _window(layer, dims, sizes, resize)
        except ProblemError as exc:
            raise ProblemError(f"model `{ref}`, {exc.message}", expected=exc.expected,
                               hint=exc.hint) from None
        if window is None:
            continue
        if not pools and "pool" in layer.type:
            continue
        for axis, (k, s, d) in enumerate(zip(*window)):
            r[axis], j[axis] = step(r[axis], j[axis], k, s, d)
    return tuple(r), tuple(j)


def spatial_dims(model: ModelSpec) -> int:
    """How many spatial axes the model's input has (its shape less the channel axis)."""
    return max(len(model.input) - 1, 1)


def isotropic(model: ModelSpec, last: int) -> bool:
    """Whether every window up to `last` is written as one size for all axes (or the input has
    one spatial axis): the receptive field is then one number."""
    if spatial_dims(model) == 1:
        return True
    keys = ("kernel", "pool", "stride", "dilation")
    return not any(isinstance(layer.args.get(key), tuple)
                   for layer in model.expanded[:last + 1] for key in keys)


def _window(layer: Layer, dims: int, sizes: Mapping[str, int],
            resize: Callable[[int], int] | None
            ) -> tuple[tuple[int, ...], tuple[int, ...], tuple[int, ...]] | None:
    """A layer's (kernel, stride, dilation) per axis; None where it leaves the field alone."""
    kind = layer.type
    if kind in _POINTWISE:
        return None
    args = layer.args
    if "pool" in kind and not kind.startswith("global"):
        kernel = _sizes(args["pool"], dims, sizes, resize, layer)
        stride = kernel if args["stride"] is None else _sizes(args["stride"], dims, sizes,
                                                              resize, layer)
        return kernel, stride, (1,) * dims
    if kind in _WEIGHTED and kind != "dense":
        if VOCABULARY[kind].dims != dims:
            raise ProblemError(f"{layer.label} is a {VOCABULARY[kind].dims}-D layer on an "
                               f"input with {dims} spatial axes")
        return (_sizes(args["kernel"], dims, sizes, resize, layer),
                _sizes(args["stride"], dims, sizes, resize, layer),
                _sizes(args["dilation"], dims, sizes, resize, layer))
    if kind in _TRANSPOSED or kind == "upsampling2d":
        raise ProblemError(f"{layer.label} spreads each position over several: the receptive "
                           "field of a unit after it is not computed",
                           expected="`layer:` at a layer before it")
    raise ProblemError(f"{layer.label} is not a convolution or a pooling: a unit after it "
                       "does not have a receptive field of a few positions",
                       expected="`layer:` at a convolution or pooling layer (or one between "
                       "them that keeps the positions: an activation, a normalisation, dropout)")


def _sizes(value: Any, dims: int, sizes: Mapping[str, int],
           resize: Callable[[int], int] | None, layer: Layer) -> tuple[int, ...]:
    values = value if isinstance(value, tuple) else (value,) * dims
    out = []
    for v in values:
        if isinstance(v, int):
            out.append(v if resize is None else resize(v))
        elif v in sizes:
            out.append(sizes[v])
        else:
            raise ProblemError(f"{layer.label}: size `{v}` is a symbol with no value")
    return tuple(out)


# --- padding -------------------------------------------------------------------------------------

def conv_length(n: int, k: int, s: int, d: int, before: int, after: int) -> int:
    """The output length of a convolution over n positions padded by before + after zeros."""
    return (n + before + after - d * (k - 1) - 1) // s + 1


def same_length(n: int, s: int) -> int:
    """The output length of `same` padding (TensorFlow/Keras): ceil(n / s)."""
    return -(-n // s)


def keras_same(n: int, k: int, s: int, d: int) -> tuple[int, int]:
    """TensorFlow's `same` padding of one axis: (before, after), the odd one after."""
    total = max((same_length(n, s) - 1) * s + d * (k - 1) + 1 - n, 0)
    return total // 2, total - total // 2


def symmetric_padding(n: int, k: int, s: int, d: int, out: int) -> int:
    """The smallest p >= 0 that gives `out` positions with p zeros on both sides (PyTorch)."""
    span = d * (k - 1) + 1
    p = max(0, -(-((out - 1) * s + span - n) // 2))
    if conv_length(n, k, s, d, p, p) != out:
        raise ProblemError(f"no symmetric padding gives {out} positions from {n} with kernel "
                           f"{k}, stride {s}, dilation {d} (p = {p} gives "
                           f"{conv_length(n, k, s, d, p, p)})",
                           expected="an output length that some padding p >= 0 reaches",
                           hint="an even span needs one zero more on one side: ask with "
                           "`framework: keras` for [before, after]")
    return p


def split_padding(n: int, k: int, s: int, d: int, out: int) -> tuple[int, int]:
    """The smallest total padding that gives `out` positions, split as TensorFlow splits it."""
    span = d * (k - 1) + 1
    total = max(0, (out - 1) * s + span - n)
    if conv_length(n, k, s, d, total, 0) != out:
        raise ProblemError(f"no padding gives {out} positions from {n} with kernel {k}, "
                           f"stride {s}, dilation {d}",
                           expected="an output length that some padding reaches")
    return total // 2, total - total // 2


# --- multiply-adds and memory --------------------------------------------------------------------

def layer_macs(model: ModelSpec, sizes: Mapping[str, int], convention: Convention,
               resize: Callable[[int], int] | None = None, ref: str = "model"
               ) -> list[tuple[int, int]]:
    """(multiply–adds of the weights, adds of the biases) of every layer, per sample."""
    full = infer_layers(model, sizes, convention, ref, resize)
    bare = infer_layers(model, sizes, _without_biases(convention), ref, resize)
    shapes = [input_shape(model, sizes, resize), *(r.output_shape for r in full)]
    out = []
    for k, (layer, record, weights_only) in enumerate(zip(model.expanded, full, bare)):
        kind = layer.type
        if kind in _NO_WEIGHTS:
            out.append((0, 0))
            continue
        if kind not in _WEIGHTED and kind not in _TRANSPOSED:
            raise ProblemError(f"model `{ref}`, {layer.label}: the multiply–adds of a "
                               f"`{kind}` layer are not counted",
                               expected="dense, convolution and pooling layers (with "
                               "activations, dropout, flatten, reshape, padding, upsampling)")
        weights = weights_only.params
        biases = record.params - weights
        after = _positions(model, record.output_shape, kind)
        before = _positions(model, shapes[k], kind) if kind in _TRANSPOSED else after
        out.append((weights * before, biases * after))
    return out


def _without_biases(convention: Convention) -> Convention:
    fields = {**convention.__dict__, "biases": False}
    return Convention(**fields)


def input_shape(model: ModelSpec, sizes: Mapping[str, int],
                resize: Callable[[int], int] | None = None) -> tuple[int, ...]:
    """The model's input shape at these sizes."""
    out = []
    for v in model.input:
        if isinstance(v, int):
            out.append(v if resize is None else resize(v))
        else:
            out.append(sizes[v])
    return tuple(out)


def _positions(model: ModelSpec, shape: Sequence[int], kind: str) -> int:
    """Where a layer's weights are applied: the shape without its channel (or feature) axis."""
    if kind == "dense" or model.channels_last:
        return math.prod(shape[:-1])
    return math.prod(shape[1:])


def activation_values(model: ModelSpec, records: Sequence[LayerRecord], shape: Sequence[int],
                      include_input: bool, last: int | None = None, *, every: bool = False
                      ) -> int:
    """The values of the tensors the layers create, per sample (the input's when asked;
    `every`: each layer's output, views and in-place results too)."""
    chosen = records if last is None else records[:last + 1]
    total = math.prod(shape) if include_input else 0
    for layer, record in zip(model.expanded, chosen):
        if every or layer.type not in _NO_TENSOR:
            total += math.prod(record.output_shape)
    return total
