"""The `layer_output` ask (FORMAT §4.9): what a layer with given weights computes.

Recurrent layers (`engine/sequence.py`), attention (`engine/attention.py`), normalisation and
dropout (`engine/normalization.py`). This module reads a part's arrays, checks their shapes,
and computes the truth and the answers of each type's known mistakes.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from typing import Any

import numpy as np
from pydantic import ValidationError

from nncheck.compare.numbers import to_json_value
from nncheck.compare.numeric import Known, NumericTruth
from nncheck.engine import attention, normalization, sequence
from nncheck.errors import ProblemError
from nncheck.solvers.context import Context
from nncheck.spec.common import KEY
from nncheck.spec.layer_values import LayerValues, check_output
from nncheck.spec.parts import LayerOutputPart

Results = dict[str, np.ndarray]
Mistakes = list[tuple[str, Results]]

# Exam layers are small: the bounds keep any problem file's layer quick to compute.
MAX_NUMBERS = 10_000  # in one array (weights, input, mask)
MAX_STEPS = 1_000  # of a recurrent layer's sequence


def solve_layer_output(part: LayerOutputPart, ctx: Context) -> NumericTruth:
    """The value a part asks of its layer, with the values of the type's known mistakes."""
    try:
        layer = _layer(part, ctx)
        of = check_output(layer, part.of)
        with np.errstate(all="ignore"):  # an overflow is refused below, not printed
            truth, mistakes = COMPUTE[layer.type](layer, part, ctx)
        value = _pick(truth[of], part.row, of)
        if np.isnan(value).any():
            raise ProblemError(f"`of: {of}` is not a number here (the layer's values "
                               "overflow)", expected="weights and inputs of exam size")
    except ValueError as exc:
        raise ProblemError(f"part `{part.id}`: {exc}") from None
    except ProblemError as exc:
        raise ProblemError(f"part `{part.id}`: {exc.message}", expected=exc.expected,
                           hint=exc.hint) from None
    known = []
    for name, results in mistakes:
        wrong = _pick(results[of], part.row, of)
        if wrong.shape == value.shape and not np.isnan(wrong).any() and \
                not np.all(ctx.tolerance.close(value, wrong)):
            known.append(Known(name, wrong.reshape(1, -1)))
    return NumericTruth(
        expected=to_json_value(value),
        values=value.reshape(1, -1),
        vector=True,
        tolerance=ctx.tolerance,
        known=tuple(known),
    )


def _layer(part: LayerOutputPart, ctx: Context) -> LayerValues:
    if isinstance(part.layer, LayerValues):
        return part.layer
    try:
        return LayerValues.model_validate(ctx.given(part.layer))
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(k) for k in first["loc"] if k != KEY)
        raise ProblemError(f"layer `{part.layer}`{' ' + where if where else ''}: "
                           f"{first['msg']}") from None


def _pick(value: np.ndarray, row: int | None, of: str) -> np.ndarray:
    """One row of a matrix (or the only one), a vector as it is."""
    if value.ndim < 2:
        if row is not None:
            raise ProblemError(f"`of: {of}` is a vector: `row:` picks a row of a matrix")
        return np.atleast_1d(value)
    if row is None:
        if value.shape[0] == 1:
            return np.asarray(value[0])
        raise ProblemError(f"`of: {of}` is a {value.shape[0]}×{value.shape[1]} matrix",
                           hint="ask for one row (a time step, a sample, a query) with "
                           "`row:`, 0-based")
    if row >= value.shape[0]:
        raise ProblemError(f"`row: {row}` is past the last row of `{of}` "
                           f"({value.shape[0]} rows, 0-based)")
    return np.asarray(value[row])


def _array(ctx: Context, name: str, value: Any, default: np.ndarray | None = None
           ) -> np.ndarray:
    if value is None:
        if default is None:
            raise ProblemError(f"`{name}` is missing")
        return default
    arr = ctx.data(value)
    if arr.ndim > 2 or arr.size == 0 or not np.all(np.isfinite(arr)):
        raise ProblemError(f"`{name}` is not a finite number, vector or matrix")
    if arr.size > MAX_NUMBERS:
        raise ProblemError(f"`{name}` has {arr.size:,} numbers",
                           expected=f"at most {MAX_NUMBERS:,} in one array")
    return arr


def _gate_rows(name: str, arr: np.ndarray, size: int, rows_first: bool) -> np.ndarray:
    """Input weights of G·H gates: (G·H)×I (PyTorch) or I×(G·H) (Keras)."""
    if arr.size % size:
        raise ProblemError(f"`{name}` holds {arr.size} number(s)",
                           expected=f"a multiple of {size} (the gates times the units)")
    shape = (size, arr.size // size) if rows_first else (arr.size // size, size)
    return _shaped(name, arr, shape)


def _shaped(name: str, arr: np.ndarray, shape: tuple[int, ...]) -> np.ndarray:
    if arr.size != int(np.prod(shape)) or (arr.ndim == len(shape) and arr.shape != shape):
        want = "×".join(map(str, shape))
        got = "×".join(map(str, arr.shape)) or "a single number"
        raise ProblemError(f"`{name}` is {got}", expected=f"{want}")
    return arr.reshape(shape)


# --- recurrent layers ---------------------------------------------------------------------------

def _recurrent(layer: LayerValues, part: LayerOutputPart, ctx: Context
               ) -> tuple[Results, Mistakes]:
    kind, gates = layer.type, sequence.GATES[layer.type]
    keras = layer.convention == "keras"
    hh = _array(ctx, "recurrent_kernel" if keras else "weight_hh",
                layer.recurrent_kernel if keras else layer.weight_hh)
    hidden = round(float(np.sqrt(hh.size / gates)))
    if gates * hidden * hidden != hh.size:
        raise ProblemError(f"`{'recurrent_kernel' if keras else 'weight_hh'}` holds {hh.size} "
                           f"number(s)", expected=f"{gates}·H×H for `type: {kind}` of H units")
    size = gates * hidden
    reset_after = layer.reset_after is not False
    how: dict[str, Any] = {"activation": layer.activation, "reset_after": reset_after}
    if keras:
        hh = _shaped("recurrent_kernel", hh, (hidden, size))
        ih = _gate_rows("kernel", _array(ctx, "kernel", layer.kernel), size, False)
        bias = None
        if layer.bias is not None:
            shape = (2, size) if kind == "gru" and reset_after else (size,)
            bias = _shaped("bias", _array(ctx, "bias", layer.bias), shape)
        net = sequence.from_keras(kind, ih, hh, bias, **how)
    else:
        ih = _array(ctx, "weight_ih", layer.weight_ih)
        zeros = np.zeros(size)
        net = sequence.Recurrent(
            kind, _gate_rows("weight_ih", ih, size, True),
            _shaped("weight_hh", hh, (size, hidden)),
            _shaped("bias_ih", _array(ctx, "bias_ih", layer.bias_ih, zeros), (size,)),
            _shaped("bias_hh", _array(ctx, "bias_hh", layer.bias_hh, zeros), (size,)), **how)
    inputs = net.weight_ih.shape[1]
    x = _array(ctx, "input", part.input)
    if x.ndim < 2:
        x = x.reshape(-1, 1) if inputs == 1 else x.reshape(1, -1)
    if x.shape[0] > MAX_STEPS:
        raise ProblemError(f"`input` has {x.shape[0]:,} time steps",
                           expected=f"at most {MAX_STEPS:,}")
    if x.shape[1] != inputs:
        raise ProblemError(f"`input` has {x.shape[1]} value(s) a step",
                           expected=f"{inputs} a step, as the input weights take (T×{inputs})")
    h0 = _shaped("h0", _array(ctx, "h0", layer.h0, np.zeros(hidden)), (hidden,))
    c0 = _shaped("c0", _array(ctx, "c0", layer.c0, np.zeros(hidden)), (hidden,))

    def run(changed: sequence.Recurrent) -> Results:
        return sequence.run(changed, x, h0, c0)

    mistakes: list[tuple[str, sequence.Recurrent]] = []
    if kind == "rnn":
        other = "relu" if layer.activation == "tanh" else "tanh"
        mistakes.append((f"{other} instead of {layer.activation}",
                         replace(net, activation=other)))
    elif kind == "lstm":
        mistakes += [("input and forget gates swapped", net.blocks_swapped(0, 1)),
                     ("gate blocks read as i, f, o, g (cell and output gates swapped)",
                      net.blocks_swapped(2, 3)),
                     ("tanh of the cell state left out", replace(net, cell_tanh=False))]
    else:
        where = "before" if reset_after else "after"
        mistakes += [("reset and update gates swapped (PyTorch's r, z, n against Keras' "
                      "z, r, h)", net.blocks_swapped(0, 1)),
                     (f"reset gate applied {where} the matmul", replace(
                         net, reset_after=not reset_after)),
                     ("update gate's roles swapped: h = z ⊙ n + (1 - z) ⊙ h",
                      replace(net, swap_update=True))]
    if np.any(net.bias_hh) and np.any(net.bias_ih):
        mistakes.append(("recurrent bias left out", replace(net, bias_hh=np.zeros(size))))
    mistakes.append(("the recurrence left out (h_{t-1} taken as 0)",
                     replace(net, weight_hh=np.zeros_like(net.weight_hh))))
    return run(net), [(name, run(changed)) for name, changed in mistakes]


# --- attention ----------------------------------------------------------------------------------

def _attention(layer: LayerValues, part: LayerOutputPart, ctx: Context
               ) -> tuple[Results, Mistakes]:
    q = np.atleast_2d(_array(ctx, "input", part.input))
    k = np.atleast_2d(_array(ctx, "key", part.key, q))
    v = np.atleast_2d(_array(ctx, "value", part.value, k))
    if k.shape[1] != q.shape[1]:
        raise ProblemError(f"keys of size {k.shape[1]}, queries of size {q.shape[1]}",
                           expected="queries and keys of the same size d_k")
    if v.shape[0] != k.shape[0]:
        raise ProblemError(f"{v.shape[0]} value row(s) for {k.shape[0]} key(s)",
                           expected="one value (row) per key")
    mask = _mask(ctx, layer.mask, q.shape[0], k.shape[0])
    run: Callable[[attention.How], Results]
    if layer.type == "attention":
        def run(how: attention.How) -> Results:
            return attention.attend(q, k, v, mask, layer.scale, how)
    else:
        run = _multi_head(layer, ctx, q, k, v, mask)
    how = attention.How()
    changes: list[tuple[str, attention.How]] = [
        ("the √d_k scaling left out", replace(how, scaled=False)),
        ("softmax over the wrong axis (over the queries, not the keys)", replace(how, axis=0)),
    ]
    if layer.scale is None:
        changes.append(("divided by d_k, not √d_k", replace(how, root=False)))
    if layer.type == "multihead_attention" and (layer.num_heads or 1) > 1:
        changes.append(("scaled by √E (the embedding), not √(E/h) (a head's size)",
                        replace(how, head_size=False)))
    if mask is not None:
        changes.append(("the mask left out", replace(how, masked=False)))
    return run(how), [(name, run(changed)) for name, changed in changes]


def _mask(ctx: Context, mask: Any, queries: int, keys: int) -> np.ndarray | None:
    if mask is None or mask == "causal":
        out = attention.mask_matrix(mask, queries, keys)
    else:
        given = _shaped("mask", _array(ctx, "mask", mask), (queries, keys))
        if not np.all((given == 0) | (given == 1)):
            raise ProblemError("`mask` holds a value other than 0 and 1",
                               expected="1 where a query may attend to a key, 0 where not")
        out = attention.mask_matrix(given, queries, keys)
    if out is not None and not out.any(axis=1).all():
        raise ProblemError("the mask leaves a query nothing to attend to",
                           expected="a 1 in every row of the mask")
    return out


def _multi_head(layer: LayerValues, ctx: Context, q: np.ndarray, k: np.ndarray,
                v: np.ndarray, mask: np.ndarray | None) -> Callable[[attention.How], Results]:
    if layer.convention != "pytorch":
        raise ProblemError("multihead_attention's weights are PyTorch's",
                           expected="`in_proj_weight`, `out_proj_weight` (convention: pytorch)")
    embed, heads = q.shape[1], layer.num_heads or 1
    if embed % heads:
        raise ProblemError(f"{heads} heads do not divide the embedding size {embed}")
    if v.shape[1] != embed:
        raise ProblemError(f"values of size {v.shape[1]}", expected=f"{embed} (E)")
    w_in = _shaped("in_proj_weight", _array(ctx, "in_proj_weight", layer.in_proj_weight),
                   (3 * embed, embed))
    b_in = _shaped("in_proj_bias", _array(ctx, "in_proj_bias", layer.in_proj_bias,
                                          np.zeros(3 * embed)), (3 * embed,))
    w_out = _shaped("out_proj_weight", _array(ctx, "out_proj_weight", layer.out_proj_weight),
                    (embed, embed))
    b_out = _shaped("out_proj_bias", _array(ctx, "out_proj_bias", layer.out_proj_bias,
                                            np.zeros(embed)), (embed,))

    def run(how: attention.How) -> Results:
        return attention.multi_head(q, k, v, heads, w_in, b_in, w_out, b_out, mask, how)
    return run


# --- normalisation and dropout ----------------------------------------------------------------

def _normalization(layer: LayerValues, part: LayerOutputPart, ctx: Context
                   ) -> tuple[Results, Mistakes]:
    defaults = normalization.DEFAULTS[layer.convention]
    x = _array(ctx, "input", part.input)
    batch = layer.type == "batchnorm"
    x = x.reshape(-1, 1) if x.ndim < 2 and batch else np.atleast_2d(x)
    width = x.shape[1]
    gamma = _shaped("gamma", _array(ctx, "gamma", layer.gamma, np.ones(width)), (width,))
    beta = _shaped("beta", _array(ctx, "beta", layer.beta, np.zeros(width)), (width,))
    eps = defaults["eps"] if layer.eps is None else layer.eps
    how = normalization.How(train=layer.mode == "train")
    if not batch:
        def norm(h: normalization.How) -> Results:
            return normalization.layer_norm(x, gamma, beta, eps, h)
        changes = [("unbiased variance (N - 1) in the normalisation",
                    replace(how, unbiased_norm=True))] if width > 1 else []
        if x.shape[0] > 1:
            changes.append(("normalised over the batch, not each sample's features",
                            replace(how, over_batch=True)))
        return norm(how), [(name, norm(h)) for name, h in changes]
    if how.train and x.shape[0] < 2:
        raise ProblemError("batch normalisation in training needs more than one sample",
                           expected="a batch of 2 or more rows (or `mode: eval`)")
    momentum = defaults["momentum"] if layer.momentum is None else layer.momentum
    mean = _shaped("running_mean", _array(ctx, "running_mean", layer.running_mean,
                                          np.zeros(width)), (width,))
    var = _shaped("running_var", _array(ctx, "running_var", layer.running_var,
                                        np.ones(width)), (width,))
    if layer.convention == "keras":
        how = replace(how, running_unbiased=False, new_weight_is_momentum=False)

    def run(h: normalization.How) -> Results:
        return normalization.batch_norm(x, gamma, beta, eps, momentum, mean, var, h)
    if how.train:
        changes = [
            ("unbiased variance (N - 1) in the normalisation", replace(how, unbiased_norm=True)),
            ("running statistics used in training", replace(how, batch_stats=False)),
            ("momentum convention swapped: the batch weighted by 1 - m, not m"
             if not how.new_weight_is_momentum else
             "momentum convention swapped: the batch weighted by m, not 1 - m",
             replace(how, new_weight_is_momentum=not how.new_weight_is_momentum)),
            ("unbiased batch variance in the running update" if not how.running_unbiased
             else "biased batch variance in the running update (PyTorch uses N - 1)",
             replace(how, running_unbiased=not how.running_unbiased)),
        ]
    else:
        changes = [("eval mode using batch statistics", replace(how, batch_stats=True))]
    return run(how), [(name, run(h)) for name, h in changes]


def _dropout(layer: LayerValues, part: LayerOutputPart, ctx: Context
             ) -> tuple[Results, Mistakes]:
    x = _array(ctx, "input", part.input)
    rate = layer.rate or 0.0
    mask = np.ones_like(x) if layer.mask is None else _shaped(
        "mask", _array(ctx, "mask", layer.mask), x.shape)
    if not np.all((mask == 0) | (mask == 1)):
        raise ProblemError("`mask` holds a value other than 0 and 1",
                           expected="1 where a unit is kept, 0 where it is dropped")
    how = normalization.How(train=layer.mode == "train")

    def run(h: normalization.How) -> Results:
        return normalization.dropout(x, mask, rate, h)
    if how.train:
        changes = [("dropout not scaled by 1/(1 - p)", replace(how, scaled=False)),
                   ("multiplied by 1 - p, not divided", replace(how, keep_scaled=True))]
    else:
        changes = [("dropout applied in evaluation", replace(how, train=True))]
    return run(how), [(name, run(h)) for name, h in changes]


COMPUTE: dict[str, Callable[[LayerValues, LayerOutputPart, Context],
                            tuple[Results, Mistakes]]] = {
    "rnn": _recurrent, "lstm": _recurrent, "gru": _recurrent,
    "attention": _attention, "multihead_attention": _attention,
    "batchnorm": _normalization, "layernorm": _normalization, "dropout": _dropout,
}
