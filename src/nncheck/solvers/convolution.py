"""Convolution arithmetic (FORMAT §4.9–4.12): the `receptive_field`, `padding`, `flops`/`macs`
and `activation_memory` asks, each with the mistakes students make with it.

The conventions are stated once in `engine/convarith.py`. Model-based asks share the truth of
`param_count` (`models.build_truth`): exact integers, symbols sampled at eight points.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace

import numpy as np

from nncheck.compare.numeric import Known, NumericTruth
from nncheck.engine import convarith as ca
from nncheck.engine.layers import TRUTH, Convention, infer_layers
from nncheck.solvers.context import Context
from nncheck.solvers.models import build_truth, layer_index
from nncheck.solvers.perturbed import Candidate, Resize, Resized
from nncheck.spec.layers import VOCABULARY
from nncheck.spec.parts import ActivationMemoryPart, FlopsPart, PaddingPart, ReceptiveFieldPart

_EVERY_LAYER = len(VOCABULARY)  # the reach of a mistake any layer can show (perturbed.py)


# --- receptive field -----------------------------------------------------------------------------

def _additive_step(r: int, j: int, k: int, s: int, d: int) -> tuple[int, int]:
    # The jump grows by the stride instead of being multiplied by it: j + (s - 1).
    return r + (k - 1) * d * j, j + s - 1


def _no_stride_step(r: int, j: int, k: int, s: int, d: int) -> tuple[int, int]:
    return r + (k - 1) * d, 1


def _no_dilation_step(r: int, j: int, k: int, s: int, d: int) -> tuple[int, int]:
    return r + (k - 1) * j, j * s


def solve_receptive_field(part: ReceptiveFieldPart, ctx: Context) -> NumericTruth:
    """The receptive field (or the jump) of a unit of a layer, per the Distill recurrence."""
    model = ctx.model(part.model)
    index = layer_index(model, part.layer, part.model)
    last = len(model.expanded) - 1 if index is None else index
    one = ca.isotropic(model, last)
    pick = 1 if part.of == "jump" else 0

    def measure(step: ca.Step = ca.distill_step, pools: bool = True) -> Resized:
        def at(sizes: Mapping[str, int], resize: Resize | None = None) -> tuple[int, ...]:
            if step is ca.distill_step and pools:  # the truth: the model must be one
                infer_layers(model, sizes, TRUTH, part.model, resize)
            found = ca.receptive_field(model, last, sizes, resize, step, pools, part.model)[pick]
            return found[:1] if one else found
        return at

    mistakes = [
        Candidate("stride applied to the receptive field additively (jump j + s − 1, not j·s)",
                  measure(_additive_step), 2),
        Candidate("strides ignored (every layer widens the field by (k − 1)·d)",
                  measure(_no_stride_step), 2),
        Candidate("dilation ignored", measure(_no_dilation_step), 1),
        Candidate("pooling layers left out", measure(pools=False), 1),
    ]
    return build_truth(model, ctx, part.model, measure(), mistakes, vector=not one)


# --- padding -------------------------------------------------------------------------------------

def solve_padding(part: PaddingPart, ctx: Context) -> NumericTruth:
    """The padding of one axis: PyTorch's symmetric p, or TensorFlow's (before, after)."""
    n, k, s, d = part.input, part.kernel, part.stride, part.dilation
    out = ca.same_length(n, s) if part.output == "same" else part.output
    keras = part.framework == "keras"
    wrong: list[tuple[str, tuple[int, ...]]] = []
    truth: tuple[int, ...]
    if keras:
        truth = ca.split_padding(n, k, s, d, out)
        wrong.append(("padding split with the extra zero on the left (TensorFlow puts it on "
                      "the right)", truth[::-1]))
        total = truth[0] + truth[1]
        wrong.append(("the whole padding counted on each side", (total, total)))
        wrong.append(("(k − 1)/2 on each side, the stride ignored",
                      ((d * (k - 1)) // 2, (d * (k - 1)) // 2)))
    else:
        truth = (ca.symmetric_padding(n, k, s, d, out),)
        span = d * (k - 1) + 1
        total = max(0, (out - 1) * s + span - n)
        wrong.append(("padding counted once (the total, not the zeros on each side)", (total,)))
        wrong.append(("(k − 1)/2, the stride ignored", ((d * (k - 1)) // 2,)))
        wrong.append(("(k − 1)/2, the dilation ignored", ((k - 1) // 2,)))
        wrong.append(("output-size +1 forgotten", (max(0, -(-(out * s + span - n) // 2)),)))
    known = tuple(Known(name, _row(value, keras)) for name, value in _distinct(truth, wrong))
    expected = list(truth) if keras else truth[0]
    return NumericTruth(expected=expected, values=_row(truth, keras), vector=keras, exact=True,
                        integers=(truth,), known=known, aliases=ctx.aliases,
                        key_value=expected)


def _distinct(truth: tuple[int, ...], wrong: list[tuple[str, tuple[int, ...]]]
              ) -> list[tuple[str, tuple[int, ...]]]:
    seen = {truth}
    out = []
    for name, value in wrong:
        if value not in seen:
            seen.add(value)
            out.append((name, value))
    return out


def _row(value: tuple[int, ...], vector: bool) -> np.ndarray:
    arr = np.array([[float(v) for v in value]])
    return arr if vector else arr[:, 0]


# --- multiply-adds -------------------------------------------------------------------------------

def solve_flops(part: FlopsPart, ctx: Context) -> NumericTruth:
    """The MACs or FLOPs (2 per MAC) of a model or one layer, bias adds counted or not."""
    model = ctx.model(part.model)
    index = layer_index(model, part.layer, part.model)
    flops = part.measure == "flops"

    def measure(convention: Convention = TRUTH, bias: bool = part.bias, factor: int = 1,
                batch: int = part.batch) -> Resized:
        def at(sizes: Mapping[str, int], resize: Resize | None = None) -> tuple[int, ...]:
            per = ca.layer_macs(model, sizes, convention, resize, part.model)
            chosen = per if index is None else per[index:index + 1]
            macs = sum(w + (b if bias else 0) for w, b in chosen)
            return ((2 if flops else 1) * factor * macs * batch,)
        return at

    mistakes = [
        Candidate("MACs given for FLOPs (a MAC is two FLOPs)", _halved(measure()), _EVERY_LAYER)
        if flops else Candidate("FLOPs given for MACs (a MAC is one multiply–add)",
                                measure(factor=2), _EVERY_LAYER),
        Candidate("bias adds counted" if not part.bias else "bias adds left out",
                  measure(bias=not part.bias), _EVERY_LAYER),
        Candidate("input channels forgotten in a convolution",
                  measure(Convention(input_channels=False)), 6),
    ]
    if part.batch > 1:
        mistakes.append(Candidate("batch size left out", measure(batch=1), _EVERY_LAYER))
    return _rounded(build_truth(model, ctx, part.model, measure(), mistakes, vector=False),
                    part, ctx)


def _rounded(truth: NumericTruth, part: FlopsPart | ActivationMemoryPart, ctx: Context
             ) -> NumericTruth:
    """Exact unless the part sets a tolerance: a cost is often asked as a rounded figure
    (15.5 GMACs), which the part's `tolerance:` then accepts."""
    if part.tolerance is None:
        return truth
    return replace(truth, exact=False, integers=None, tolerance=ctx.tolerance)


def _halved(fn: Resized) -> Resized:
    def at(sizes: Mapping[str, int], resize: Resize | None = None) -> tuple[int, ...]:
        return tuple(v // 2 for v in fn(sizes, resize))
    return at


# --- activation memory ---------------------------------------------------------------------------

def solve_activation_memory(part: ActivationMemoryPart, ctx: Context) -> NumericTruth:
    """Bytes (or values) of the activations of a forward pass, for a batch and a dtype."""
    model = ctx.model(part.model)
    index = layer_index(model, part.layer, part.model)
    width = ca.DTYPE_BYTES[part.dtype] if part.unit == "bytes" else 1

    def measure(include_input: bool = part.include_input, per_value: int = width,
                batch: int = part.batch, every: bool = False) -> Resized:
        def at(sizes: Mapping[str, int], resize: Resize | None = None) -> tuple[int, ...]:
            records = infer_layers(model, sizes, TRUTH, part.model, resize)
            shape = ca.input_shape(model, sizes, resize)
            values = ca.activation_values(model, records, shape, include_input, index,
                                          every=every)
            return (values * per_value * batch,)
        return at

    mistakes = [
        Candidate("the input counted" if not part.include_input else "the input left out",
                  measure(include_input=not part.include_input), _EVERY_LAYER),
        Candidate("activation, dropout and reshape layers counted as tensors of their own",
                  measure(every=True), 8),
    ]
    if part.unit == "bytes":
        mistakes.append(Candidate("bits, not bytes", measure(per_value=8 * width), _EVERY_LAYER))
        other = 4 if part.dtype != "float32" else 8
        mistakes.append(Candidate(f"{other} bytes per value, not {width} ({part.dtype})",
                                  measure(per_value=other), _EVERY_LAYER))
    if part.batch > 1:
        mistakes.append(Candidate("batch size left out", measure(batch=1), _EVERY_LAYER))
    return _rounded(build_truth(model, ctx, part.model, measure(), mistakes, vector=False),
                    part, ctx)

