"""The `loss` ask (FORMAT §4.5): losses of predictions or logits against targets, in numpy.

Conventions, per sample (a vector; a matrix is a batch: per-sample loss, then the mean over
samples). `reduction: sum | mean` replaces the reduction over the outputs or classes.

| fn | per sample | default |
| --- | --- | --- |
| `cross_entropy` | -Σ y log ŷ | sum |
| `binary_cross_entropy` | -[y log ŷ + (1-y) log(1-ŷ)] per output | mean |
| `mse`, `mae` | (y-ŷ)², abs(y-ŷ) per output | mean |
| `hinge` | max(0, 1 - y·s) per output, labels ±1 (0/1 read as -1/1, as Keras does) | sum |
| `multiclass_hinge` | Σ_{j≠y} max(0, 1 + s_j - s_y); mean divides by C, as PyTorch does | sum |
| `categorical_hinge` | max(0, max_j (1-y_j)·s_j - Σ_j y_j·s_j + 1), as Keras: one term | sum |
| `kl_divergence` | Σ y log(y/ŷ) | sum |

The binary hinge sums over its outputs as FORMAT §4.5 says, where Keras takes the mean (a
Keras-style answer is the known mistake "mean instead of sum"). The categorical hinge is Keras's
(FORMAT §4.5): its max is over (1-y)·s, all classes, so the true class's (1-1)·s = 0 wins when
every other score is negative; the textbook max over the other classes only is a known mistake.
Like Keras it takes any targets in [0, 1] (soft labels, an all-zero row), and as a single term
per sample it has no reduction over the classes. The hinges take scores as they are, so
`logits:` and `y_pred:` mean the same for them.

`0·log 0 = 0`; a positive target predicted at exactly 0 gives inf. With `logits:` every log is
taken in log space (log-softmax, log-sigmoid), so huge logits give exact finite answers.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass, replace
from typing import Any

import numpy as np

from nncheck.compare.numbers import format_number, format_value
from nncheck.compare.numeric import NumericTruth, scalar_truth
from nncheck.compare.tolerance import Tolerance
from nncheck.errors import ProblemError
from nncheck.solvers.context import Context
from nncheck.spec.parts import LossPart

CATEGORICAL = frozenset({"cross_entropy", "kl_divergence"})  # y_pred is a probability vector
BINARY = frozenset({"binary_cross_entropy"})  # y_pred is a probability per output
LOGARITHMIC = CATEGORICAL | BINARY
HINGES = frozenset({"hinge", "multiclass_hinge", "categorical_hinge"})
ONE_HOT = frozenset({"multiclass_hinge"})  # one true class per sample
CLASS_SCORES = ONE_HOT | {"categorical_hinge"}  # y_pred is a vector of class scores
CLASS_INDEX = frozenset({"cross_entropy"}) | CLASS_SCORES  # y_true may be the class index
UNIT_TARGETS = LOGARITHMIC | {"categorical_hinge"}  # y_true in [0, 1]
DEFAULT_REDUCTION = {
    "cross_entropy": "sum",
    "binary_cross_entropy": "mean",
    "mse": "mean",
    "mae": "mean",
    "hinge": "sum",
    "multiclass_hinge": "sum",
    "categorical_hinge": "sum",
    "kl_divergence": "sum",
}
LOG_BASES = {"e": math.e, "2": 2.0, "10": 10.0}
PROBABILITY_SUM_TOLERANCE = 1e-6
DEFAULT_TOLERANCE = Tolerance()


@dataclass(frozen=True)
class _Data:
    """Validated inputs, every array N×C (one sample is N = 1)."""

    fn: str
    y_true: np.ndarray
    y_pred: np.ndarray | None  # probabilities (or scores, for the other fns)
    logits: np.ndarray | None


@dataclass(frozen=True)
class _Convention:
    """How the loss is computed; a known mistake is the truth with one of these flipped."""

    base: float = math.e
    reduction: str | None = None  # over the outputs of a sample; None: the fn's default
    over_samples: str = "mean"
    complement: bool | None = None  # the (1-y)·log(1-ŷ) terms; None: only for binary CE
    zero_log_zero: float = 0.0
    true_class_in_max: bool = True  # categorical hinge: max over (1-y)·s, the true class's 0 too


def loss_value(
    fn: str,
    y_true: Any,
    y_pred: Any = None,
    logits: Any = None,
    reduction: str | None = None,
    log: Any = "e",
) -> float:
    """The loss `fn` of `y_pred` (or `logits`) against `y_true` (a ProblemError if ill-posed)."""
    data = _prepare(fn, y_true, y_pred, logits)
    return _loss(data, _Convention(base=_log_base(log), reduction=_reduction(reduction)))


def loss_mistakes(
    fn: str,
    y_true: Any,
    y_pred: Any = None,
    logits: Any = None,
    reduction: str | None = None,
    log: Any = "e",
    *,
    tolerance: Tolerance = DEFAULT_TOLERANCE,
) -> list[tuple[str, float]]:
    """The known mistakes of this loss, named, with the values that differ from the truth."""
    data = _prepare(fn, y_true, y_pred, logits)
    truth_conv = _Convention(base=_log_base(log), reduction=_reduction(reduction))
    truth = _loss(data, truth_conv)
    effective = truth_conv.reduction or DEFAULT_REDUCTION[fn]
    candidates: list[tuple[str, _Data, _Convention]] = []
    if fn in LOGARITHMIC:
        if truth_conv.base == math.e:
            candidates.append(("log base 10 instead of e", data, replace(truth_conv, base=10.0)))
            candidates.append(("log base 2 instead of e", data, replace(truth_conv, base=2.0)))
        else:
            name = f"natural log instead of base {format_number(truth_conv.base)}"
            candidates.append((name, data, replace(truth_conv, base=math.e)))
    if effective == "sum":
        candidates.append(("mean instead of sum", data, replace(truth_conv, reduction="mean")))
    else:
        candidates.append(("sum instead of mean", data, replace(truth_conv, reduction="sum")))
    if data.y_true.shape[0] > 1:
        candidates.append((
            "sum over the samples instead of the mean", data,
            replace(truth_conv, over_samples="sum"),
        ))
    if data.logits is not None and fn in LOGARITHMIC:
        as_probs = replace(data, y_pred=data.logits, logits=None)
        candidates.append(("logits used as probabilities", as_probs, truth_conv))
    if fn == "binary_cross_entropy":
        candidates.append((
            "the (1-y)·log(1-ŷ) terms left out", data, replace(truth_conv, complement=False),
        ))
    if fn == "cross_entropy":
        candidates.append((
            "the (1-y)·log(1-ŷ) terms added", data, replace(truth_conv, complement=True),
        ))
    if fn == "categorical_hinge":
        candidates.append((
            "the max over the other classes only, not over (1-y)·s", data,
            replace(truth_conv, true_class_in_max=False),
        ))
    if fn in LOGARITHMIC and data.logits is None:  # a softmax or sigmoid is never 0
        candidates.append((
            "0·log 0 taken as NaN", data, replace(truth_conv, zero_log_zero=math.nan),
        ))
    out = []
    for name, mistaken_data, conv in candidates:
        # A wrong convention may take logs of negative numbers (logits as probabilities):
        # the answer is then not computable, which is no error of the problem's.
        with np.errstate(all="ignore"):
            value = _loss(mistaken_data, conv)
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
    try:
        value = loss_value(*args)
        known = loss_mistakes(*args, tolerance=ctx.tolerance)
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

def _log_base(log: Any) -> float:
    base = LOG_BASES.get(str(log).strip())
    if base is None:
        raise ProblemError(f"`log: {log}` is not a log base", expected="e, 2 or 10")
    return base


def _reduction(reduction: str | None) -> str | None:
    if reduction not in (None, "sum", "mean"):
        raise ProblemError(f"`reduction: {reduction}` is not a reduction", expected="sum or mean")
    return reduction


def _prepare(fn: str, y_true: Any, y_pred: Any, logits: Any) -> _Data:
    """Check the inputs of a loss and bring them to N×C arrays."""
    if fn not in DEFAULT_REDUCTION:
        raise ProblemError(
            f"`{fn}` is not a loss", expected="one of " + ", ".join(DEFAULT_REDUCTION)
        )
    if (y_pred is None) == (logits is None):
        raise ProblemError(
            f"{fn} needs one of `y_pred` and `logits`",
            expected="`y_pred:` (probabilities or scores) or `logits:` (raw scores)",
        )
    if logits is not None and fn not in LOGARITHMIC | HINGES:
        raise ProblemError(
            f"`logits:` does not apply to {fn}",
            expected="`y_pred:` (logits go with the cross-entropies, KL divergence and hinges)",
        )
    pred_name = "y_pred" if y_pred is not None else "logits"
    target = _array("y_true", y_true)
    pred = _array(pred_name, y_pred if y_pred is not None else logits)
    if pred.ndim == 0 and fn in CATEGORICAL | CLASS_SCORES:
        raise ProblemError(
            f"{pred_name} {format_value(pred)} is a single number",
            expected=f"a vector with one entry per class for {fn}",
        )
    if fn in CLASS_INDEX and target.ndim == pred.ndim - 1:
        target = _one_hot(target, pred.shape[-1])
    if target.shape != pred.shape:
        expected = "the same shape"
        if fn in CLASS_INDEX:
            expected += " (or y_true as class indices, one per sample)"
        raise ProblemError(
            f"y_true is {_describe_shape(target)} but {pred_name} is {_describe_shape(pred)}",
            expected=expected,
        )
    target = target.reshape(-1, target.shape[-1]) if target.ndim else target.reshape(1, 1)
    pred = pred.reshape(target.shape)
    _check_targets(fn, target)
    if fn == "hinge" and np.all((target == 0) | (target == 1)):
        target = 2.0 * target - 1.0
    if y_pred is not None and fn in CATEGORICAL:
        _check_distributions(pred)
    elif y_pred is not None and fn in BINARY:
        _check_probabilities(pred)
    if y_pred is not None:
        return _Data(fn, target, pred, None)
    return _Data(fn, target, None, pred)


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


def _check_targets(fn: str, target: np.ndarray) -> None:
    if fn in UNIT_TARGETS:
        for where, row in _rows(target):
            outside = row[(row < 0) | (row > 1)]
            if outside.size:
                raise ProblemError(
                    f"y_true{where} {format_value(row)} has {format_number(outside[0])}, "
                    "outside [0, 1]",
                    expected="targets that are probabilities (one-hot, 0/1 or soft labels)"
                    if fn in LOGARITHMIC else "targets in [0, 1] (one-hot or soft labels)",
                )
    elif fn == "hinge":
        zero_one = np.all((target == 0) | (target == 1))
        if not zero_one and not np.all(np.abs(target) == 1):
            raise ProblemError(
                f"hinge labels {format_value(target if target.shape[0] > 1 else target[0])} "
                "are not ±1",
                expected="labels -1 and 1 (or 0 and 1, read as -1 and 1)",
            )
    elif fn in ONE_HOT:
        for where, row in _rows(target):
            if not (np.all((row == 0) | (row == 1)) and row.sum() == 1):
                raise ProblemError(
                    f"y_true{where} {format_value(row)} is not one-hot",
                    expected=f"one true class per sample for {fn} (a one-hot vector or an index)",
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


# --- the losses -----------------------------------------------------------------------------------

def _loss(data: _Data, conv: _Convention) -> float:
    """The per-sample losses reduced over the batch."""
    # Huge logits overflow to ±inf in intermediate differences, which is the right limit.
    with np.errstate(over="ignore"):
        per_sample = _per_sample(data, conv)
    if conv.over_samples == "sum":
        return float(per_sample.sum())
    return float(per_sample.mean())


def _per_sample(data: _Data, conv: _Convention) -> np.ndarray:
    fn = data.fn
    t = data.y_true
    if fn in LOGARITHMIC:
        terms = _log_terms(data, conv) / math.log(conv.base)
    else:
        s = data.y_pred if data.y_pred is not None else data.logits
        assert s is not None
        if fn == "mse":
            terms = (t - s) ** 2
        elif fn == "mae":
            terms = np.abs(t - s)
        elif fn == "hinge":
            terms = np.maximum(0.0, 1.0 - t * s)
        elif fn == "multiclass_hinge":
            true_score = (t * s).sum(axis=1, keepdims=True)
            terms = np.where(t == 1, 0.0, np.maximum(0.0, 1.0 + s - true_score))
        else:
            terms = _categorical_hinge(t, s, conv.true_class_in_max)
    reduction = conv.reduction or DEFAULT_REDUCTION[fn]
    if reduction == "sum" or fn == "categorical_hinge":
        return np.asarray(terms.sum(axis=1))
    return np.asarray(terms.mean(axis=1))


def _categorical_hinge(t: np.ndarray, s: np.ndarray, true_class_in_max: bool) -> np.ndarray:
    """Keras: max(0, neg - pos + 1), neg = max_j (1-y_j)·s_j, pos = Σ_j y_j·s_j (N×1)."""
    masked = (1.0 - t) * s
    if not true_class_in_max:  # the mistake: a class with y = 1 left out of the max
        masked = np.where(t == 1, -np.inf, masked)
    neg = masked.max(axis=1, keepdims=True)
    pos = (t * s).sum(axis=1, keepdims=True)
    return np.asarray(np.maximum(0.0, neg - pos + 1.0))


def _log_terms(data: _Data, conv: _Convention) -> np.ndarray:
    """The terms of a log loss in natural logs, one per output or class."""
    t = data.y_true
    fn = data.fn
    log_p, log_q = _log_probabilities(data)
    zlz = conv.zero_log_zero
    if fn == "kl_divergence":
        return _xlog(t, _log(t), zlz) - _xlog(t, log_p, zlz)
    terms = -_xlog(t, log_p, zlz)
    complement = conv.complement if conv.complement is not None else fn in BINARY
    if complement:
        terms = terms - _xlog(1.0 - t, log_q(), zlz)
    return terms


def _log_probabilities(data: _Data) -> tuple[np.ndarray, Any]:
    """log ŷ, and a function giving log(1-ŷ) (computed only when a loss needs it)."""
    if data.logits is None:
        p = data.y_pred
        assert p is not None
        return _log(p), lambda: _log1m(p)
    z = data.logits
    if data.fn in BINARY:
        # log σ(z) = -log(1 + e^-z) and log(1 - σ(z)) = log σ(-z), exact for any finite z.
        return -np.logaddexp(0.0, -z), lambda: -np.logaddexp(0.0, z)
    return _log_softmax(z), lambda: _log_softmax_complement(z)


def _log(x: np.ndarray) -> np.ndarray:
    """log x with log 0 = -inf and log of a negative = nan, without numpy's warnings."""
    positive = x > 0
    logs = np.log(np.where(positive, x, 1.0))
    return np.where(positive, logs, np.where(x == 0, -np.inf, np.nan))


def _log1m(x: np.ndarray) -> np.ndarray:
    """log(1 - x), accurate for tiny x, with log 0 = -inf and nan above 1."""
    below = x < 1
    logs = np.log1p(-np.where(below, x, 0.0))
    return np.where(below, logs, np.where(x == 1, -np.inf, np.nan))


def _xlog(x: np.ndarray, log_v: np.ndarray, zero_log_zero: float) -> np.ndarray:
    """x · log v with 0 · log v = 0 (or `zero_log_zero` where log v = -inf)."""
    product = x * np.where(x == 0, 0.0, log_v)  # 0 · -inf would be nan, with a warning
    if zero_log_zero == 0.0:
        return product
    return np.where((x == 0) & np.isneginf(log_v), zero_log_zero, product)


def _log_softmax(z: np.ndarray) -> np.ndarray:
    """log softmax(z) per row, from shifted logits so that two huge ones still give -log 2."""
    shifted = z - z.max(axis=1, keepdims=True)
    return shifted - np.log(np.exp(shifted).sum(axis=1, keepdims=True))


def _log_softmax_complement(z: np.ndarray) -> np.ndarray:
    """log(1 - softmax(z)_i) = log Σ_{j≠i} e^{z_j} - log Σ_j e^{z_j}, per entry."""
    c = z.shape[1]
    if c == 1:
        return np.full_like(z, -np.inf)
    shifted = z - z.max(axis=1, keepdims=True)
    total = np.log(np.exp(shifted).sum(axis=1, keepdims=True))
    out = np.empty_like(z)
    for i in range(c):
        others = np.delete(shifted, i, axis=1)
        top = others.max(axis=1, keepdims=True)
        # Every other logit may lie so far below that its shift overflowed to -inf: then
        # 1 - softmax_i is 0 in floating point and its log is -inf.
        finite_top = np.where(np.isfinite(top), top, 0.0)
        rest = finite_top + _log(np.exp(others - finite_top).sum(axis=1, keepdims=True))
        out[:, i] = (rest - total)[:, 0]
    return out
