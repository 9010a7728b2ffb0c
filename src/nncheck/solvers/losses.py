"""The `loss` ask (FORMAT §4.5): a loss of predictions or logits against targets.

The conventions of every loss are the rows of `nncheck.engine.losses`; this module checks a
part's arrays against its row and computes the value and the answers of the known mistakes.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import replace
from typing import Any

import numpy as np

from nncheck.compare.numbers import format_number, format_value
from nncheck.compare.numeric import NumericTruth, scalar_truth
from nncheck.compare.tolerance import Tolerance
from nncheck.engine.losses import (
    LOG_BASES,
    LOSSES,
    Batch,
    Convention,
    Loss,
    batch_loss,
    convention_mistakes,
    hard_labels,
)
from nncheck.errors import ProblemError
from nncheck.solvers.context import Context
from nncheck.spec.parts import LossPart

PROBABILITY_SUM_TOLERANCE = 1e-6
DEFAULT_TOLERANCE = Tolerance()


def loss_value(
    fn: str,
    y_true: Any,
    y_pred: Any = None,
    logits: Any = None,
    reduction: str | None = None,
    log: Any = "e",
    **options: Any,
) -> float:
    """The loss `fn` of `y_pred` (or `logits`) against `y_true` (a ProblemError if ill-posed);
    `options`: `margin`, `label_smoothing`, `weight` where the loss takes them."""
    batch, conv = _posed(fn, y_true, y_pred, logits, reduction, log, options)
    value = batch_loss(batch, conv)
    if math.isinf(value) and not batch.loss.logarithmic:
        # Finite inputs (checked) and no log: only the float range is exceeded, and inf would
        # grade the true value wrong. (A log loss is infinite at a prediction of 0: that is
        # its value.)
        raise ProblemError(f"the {fn} loss overflows: it is beyond the largest float "
                           f"(about {format_number(np.finfo(float).max)})",
                           expected="values whose loss is a finite float")
    return value


def loss_mistakes(
    fn: str,
    y_true: Any,
    y_pred: Any = None,
    logits: Any = None,
    reduction: str | None = None,
    log: Any = "e",
    *,
    tolerance: Tolerance = DEFAULT_TOLERANCE,
    **options: Any,
) -> list[tuple[str, float]]:
    """The known mistakes of this loss, named, with the values that differ from the truth."""
    batch, truth_conv = _posed(fn, y_true, y_pred, logits, reduction, log, options)
    truth = batch_loss(batch, truth_conv)
    out = []
    for name, mistaken, conv in convention_mistakes(batch, truth_conv):
        # A wrong convention may take logs of negative numbers (logits as probabilities):
        # the answer is then not computable, which is no error of the problem's.
        with np.errstate(all="ignore"):
            value = batch_loss(mistaken, conv)
        if math.isnan(value) and not math.isnan(conv.zero_log_zero):
            continue
        if not tolerance.close(truth, value):
            out.append((name, value))
    return out


def solve_loss(part: LossPart, ctx: Context) -> NumericTruth:
    """The loss a part asks for, with the answers of its known mistakes."""
    y_true = ctx.data(part.y_true)
    y_pred = None if part.y_pred is None else ctx.data(part.y_pred)
    logits = None if part.logits is None else ctx.data(part.logits)
    args = (part.fn, y_true, y_pred, logits, part.reduction, part.log)
    options: dict[str, Any] = {}
    if part.margin is not None:
        options["margin"] = part.margin
    if part.label_smoothing is not None:
        options["label_smoothing"] = part.label_smoothing
    if part.weight is not None:
        options["weight"] = ctx.data(part.weight)
    try:
        if part.of is not None:
            from nncheck.solvers.outputs import predictions

            computed = predictions(part.of, ctx)
            args = (part.fn, y_true, *((None, computed) if part.of.logits else (computed, None)),
                    part.reduction, part.log)
        value = loss_value(*args, **options)
        known = loss_mistakes(*args, tolerance=ctx.tolerance, **options)
    except ProblemError as exc:
        raise ProblemError(
            f"part `{part.id}`: {exc.message}", expected=exc.expected, hint=exc.hint
        ) from None
    return scalar_truth(value, tolerance=ctx.tolerance, known=known)


def softmax_warning(values: Any) -> str | None:
    """A warning when a claimed softmax output holds an exact 0 or 1, which no softmax gives."""
    for number in _plain_numbers(values):
        if number in (0.0, 1.0):
            return (
                f"no softmax can output exactly 0 or 1 (found {format_number(number)} "
                f"in {format_value(values)})"
            )
    return None


def _plain_numbers(values: Any) -> Iterable[float]:
    # Only numbers written as such: an expression such as 1 - 1e-20 may round to 1 in
    # floating point although the student did not claim an exact 1.
    if isinstance(values, np.ndarray):
        values = values.tolist()
    if isinstance(values, (list, tuple)):
        for v in values:
            yield from _plain_numbers(v)
    elif isinstance(values, (int, float)) and not isinstance(values, bool):
        yield float(values)
    elif isinstance(values, str):
        try:
            number = float(values.strip())
        except ValueError:
            return
        yield number


# --- validation --------------------------------------------------------------------------------

def _posed(
    fn: str, y_true: Any, y_pred: Any, logits: Any, reduction: str | None, log: Any,
    options: dict[str, Any] | None = None,
) -> tuple[Batch, Convention]:
    """The checked inputs of a loss and the convention the problem asks for."""
    batch = _prepare(fn, y_true, y_pred, logits)
    conv = Convention(base=_log_base(log), reduction=_reduction(reduction))
    return batch, _with_options(batch, conv, options or {})


# The options a loss takes: option -> the losses that take it (PyTorch's names and meanings).
OPTIONS = {"margin": ("multiclass_hinge",), "label_smoothing": ("cross_entropy",),
           "weight": ("cross_entropy",)}


def _with_options(batch: Batch, conv: Convention, options: dict[str, Any]) -> Convention:
    """The convention with a loss's options, each checked."""
    fn = batch.loss.name
    for name in options:
        takes = OPTIONS.get(name)
        if takes is None or fn not in takes:
            raise ProblemError(f"`{name}:` does not apply to {fn}",
                               expected=f"`{name}:` with fn: {' or '.join(takes or ('?',))}")
    if "margin" in options:
        margin = float(options["margin"])
        if not (math.isfinite(margin) and margin >= 0):
            raise ProblemError(f"`margin: {options['margin']}` is not a margin",
                               expected="a number >= 0 (CS231n's Δ: 1 or 10)")
        conv = replace(conv, margin=margin)
    if "label_smoothing" in options:
        eps = float(options["label_smoothing"])
        if not 0.0 <= eps <= 1.0:
            raise ProblemError(f"`label_smoothing: {options['label_smoothing']}` is outside "
                               "[0, 1]", expected="ε from 0 to 1, as PyTorch takes it")
        conv = replace(conv, label_smoothing=eps)
    if "weight" in options:
        conv = replace(conv, weight=_weights(batch, options["weight"]))
    return conv


def _weights(batch: Batch, value: Any) -> tuple[float, ...]:
    weight = _array("weight", value)
    classes = batch.y_true.shape[1]
    if weight.shape != (classes,):
        raise ProblemError(f"weight {format_value(weight)} does not give one weight per class",
                           expected=f"a vector of {classes} weights, one per class")
    if np.any(weight < 0):
        raise ProblemError(f"weight {format_value(weight)} has a negative weight",
                           expected="weights >= 0")
    if hard_labels(batch.y_true) and float((batch.y_true @ weight).sum()) == 0.0:
        raise ProblemError("every true class has weight 0: the weighted mean is 0/0",
                           expected="a positive weight for some true class")
    return tuple(float(w) for w in weight)


def _log_base(log: Any) -> float:
    base = LOG_BASES.get(str(log).strip())
    if base is None:
        raise ProblemError(f"`log: {log}` is not a log base", expected="e, 2 or 10")
    return base


def _reduction(reduction: str | None) -> str | None:
    if reduction not in (None, "sum", "mean"):
        raise ProblemError(f"`reduction: {reduction}` is not a reduction", expected="sum or mean")
    return reduction


def _prepare(fn: str, y_true: Any, y_pred: Any, logits: Any) -> Batch:
    """Check the inputs of a loss and bring them to N×C arrays, labels mapped."""
    loss = LOSSES.get(fn)
    if loss is None:
        raise ProblemError(f"`{fn}` is not a loss", expected="one of " + ", ".join(LOSSES))
    if (y_pred is None) == (logits is None):
        raise ProblemError(
            f"{fn} needs one of `y_pred` and `logits`",
            expected="`y_pred:` (probabilities or scores) or `logits:` (raw scores)",
        )
    if logits is not None and not loss.takes_logits:
        raise ProblemError(
            f"`logits:` does not apply to {fn}",
            expected="`y_pred:` (logits go with the cross-entropies, KL divergence and hinges)",
        )
    pred_name = "y_pred" if y_pred is not None else "logits"
    target = _array("y_true", y_true)
    pred = _array(pred_name, y_pred if y_pred is not None else logits)
    if pred.ndim == 0 and loss.classes:
        raise ProblemError(
            f"{pred_name} {format_value(pred)} is a single number",
            expected=f"a vector with one entry per class for {fn}",
        )
    if loss.class_index and target.ndim == pred.ndim - 1:
        target = _one_hot(target, pred.shape[-1])
    if target.shape != pred.shape:
        expected = "the same shape"
        if loss.class_index:
            expected += " (or y_true as class indices, one per sample)"
        raise ProblemError(
            f"y_true is {_describe_shape(target)} but {pred_name} is {_describe_shape(pred)}",
            expected=expected,
        )
    target = target.reshape(-1, target.shape[-1]) if target.ndim else target.reshape(1, 1)
    pred = pred.reshape(target.shape)
    _check_targets(loss, target)
    target = loss.labels(target)
    if y_pred is not None and loss.prediction == "distribution":
        _check_distributions(pred)
    elif y_pred is not None and loss.prediction == "probabilities":
        _check_probabilities(pred)
    if y_pred is not None:
        return Batch(loss, target, pred, None)
    return Batch(loss, target, None, pred)


def _array(name: str, value: Any) -> np.ndarray:
    try:
        arr = np.asarray(value, dtype=float)
    except (TypeError, ValueError):
        raise ProblemError(
            f"{name} {value!r} is not numbers", expected="a number, a vector or a matrix"
        ) from None
    if arr.ndim > 2:
        raise ProblemError(
            f"{name} has {arr.ndim} dimensions",
            expected="a vector (one sample) or a matrix (a batch, one row per sample)",
        )
    if arr.size == 0:
        raise ProblemError(f"{name} is empty", expected="at least one value")
    if not np.all(np.isfinite(arr)):
        raise ProblemError(f"{name} {format_value(arr)} is not all finite numbers")
    return arr


def _describe_shape(arr: np.ndarray) -> str:
    if arr.ndim == 0:
        return "a single number"
    if arr.ndim == 1:
        return f"a vector of {arr.shape[0]}"
    return f"a {arr.shape[0]}×{arr.shape[1]} matrix"


def _one_hot(index: np.ndarray, classes: int) -> np.ndarray:
    flat = np.atleast_1d(index)
    bad = [v for v in flat if v != int(v) or not 0 <= v < classes]
    if bad:
        raise ProblemError(
            f"y_true {format_number(bad[0])} is not a class index",
            expected=f"an integer from 0 to {classes - 1} (or a one-hot vector)",
        )
    out = np.zeros((flat.shape[0], classes))
    out[np.arange(flat.shape[0]), flat.astype(int)] = 1.0
    return out.reshape((*index.shape, classes))


def _rows(arr: np.ndarray) -> Iterable[tuple[str, np.ndarray]]:
    """Each sample with the words that name it in a message."""
    for i, row in enumerate(arr):
        yield (f" row {i + 1}" if arr.shape[0] > 1 else ""), row


def _check_targets(loss: Loss, target: np.ndarray) -> None:
    if loss.targets == "unit":
        for where, row in _rows(target):
            outside = row[(row < 0) | (row > 1)]
            if outside.size:
                raise ProblemError(
                    f"y_true{where} {format_value(row)} has {format_number(outside[0])}, "
                    "outside [0, 1]",
                    expected="targets that are probabilities (one-hot, 0/1 or soft labels)"
                    if loss.logarithmic else "targets in [0, 1] (one-hot or soft labels)",
                )
    elif loss.targets == "signs":
        zero_one = np.all((target == 0) | (target == 1))
        if not zero_one and not np.all(np.abs(target) == 1):
            raise ProblemError(
                f"{loss.name} labels {format_value(target if target.shape[0] > 1 else target[0])} "
                "are not ±1",
                expected="labels -1 and 1 (or 0 and 1, read as -1 and 1)",
            )
    elif loss.targets == "one_hot":
        for where, row in _rows(target):
            if not (np.all((row == 0) | (row == 1)) and row.sum() == 1):
                raise ProblemError(
                    f"y_true{where} {format_value(row)} is not one-hot",
                    expected=f"one true class per sample for {loss.name} "
                    "(a one-hot vector or an index)",
                )


def _check_distributions(pred: np.ndarray) -> None:
    expected = "probabilities: each in [0, 1], summing to 1"
    hint = "write `logits:` for raw scores"
    for where, row in _rows(pred):
        outside = row[(row < 0) | (row > 1)]
        if outside.size:
            raise ProblemError(
                f"y_pred{where} {format_value(row)} is not a probability vector "
                f"({format_number(outside[0])} is outside [0, 1])",
                expected=expected, hint=hint,
            )
        total = float(row.sum())
        if abs(total - 1.0) > PROBABILITY_SUM_TOLERANCE:
            raise ProblemError(
                f"y_pred{where} {format_value(row)} is not a probability vector "
                f"(sums to {format_number(total)})",
                expected=expected, hint=hint,
            )


def _check_probabilities(pred: np.ndarray) -> None:
    for where, row in _rows(pred):
        outside = row[(row < 0) | (row > 1)]
        if outside.size:
            raise ProblemError(
                f"y_pred{where} {format_value(row)} is not a probability per output "
                f"({format_number(outside[0])} is outside [0, 1])",
                expected="probabilities: each in [0, 1]",
                hint="write `logits:` for raw scores",
            )
