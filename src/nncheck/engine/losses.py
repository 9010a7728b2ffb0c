"""The loss table: every convention of every loss, stated once.

A row per loss says what it reads (probabilities, scores or values), what its targets are and
how labels map (0/1 hinge labels read as ±1, class indices made one-hot), its per-output terms,
its default reduction over the outputs or classes, whether a log base applies, its derivative
with respect to the outputs (numeric, and as text for the key of a `form: formula` part) and
its own known mistakes. The `loss` ask, the `gradient` ask and spec's list of loss names all
read this table: adding a loss is one row here (its terms and derivatives written beside it),
plus its oracle values in tests/oracle/.

Conventions, per sample (a vector; a matrix is a batch: per-sample loss, then the mean over
samples). `reduction: sum | mean` replaces the reduction over the outputs or classes.

| fn | per sample | default |
| --- | --- | --- |
| `cross_entropy` | -Σ y log ŷ | sum |
| `binary_cross_entropy` | -[y log ŷ + (1-y) log(1-ŷ)] per output | mean |
| `mse`, `mae` | (y-ŷ)², abs(y-ŷ) per output | mean |
| `hinge` | max(0, 1 - y·s) per output, labels ±1 (0/1 read as -1/1, as Keras does) | mean |
| `multiclass_hinge` | Σ_{j≠y} max(0, Δ + s_j - s_y), Δ = `margin` (1); mean divides by C | sum |
| `categorical_hinge` | max(0, max_j (1-y_j)·s_j - Σ_j y_j·s_j + 1), as Keras: one term | sum |
| `kl_divergence` | Σ y log(y/ŷ) | sum |

The binary hinge takes the mean over its outputs, as Keras' `Hinge` does (its documented
example gives 1.3); the sum is `reduction: sum`, and the known mistake "sum instead of mean".
The multiclass hinge sums over the other classes as CS231n's SVM loss does (PyTorch's
`multi_margin_loss` is its `reduction: mean`). The categorical hinge is Keras's
(FORMAT §4.5): its max is over (1-y)·s, all classes, so the true class's (1-1)·s = 0 wins when
every other score is negative; the textbook max over the other classes only is a known mistake.
Like Keras it takes any targets in [0, 1] (soft labels, an all-zero row), and as a single term
per sample it has no reduction over the classes. The hinges take scores as they are, so
`logits:` and `y_pred:` mean the same for them.

Options of `cross_entropy`, as PyTorch's `cross_entropy` defines them: `label_smoothing: ε`
reads the targets as (1-ε)·y + ε/C; `weight:` (one per class) multiplies each class's terms,
and the mean over a batch of hard labels (one-hot rows, or class indices) is then divided by
Σ_n w_{y_n}, PyTorch's weighted mean (soft labels: by N, as PyTorch does for probabilities).

`0·log 0 = 0`; a positive target predicted at exactly 0 gives inf. With `logits:` every log is
taken in log space (log-softmax, log-sigmoid), so huge logits give exact finite answers.

spec reads the names at start-up, which never imports numpy (`nncheck validate`, `--help`):
so numpy is imported where the numbers are computed, not at the top of this module.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Any, Literal

from nncheck.engine.symbolic import add, maximum, mul, number

if TYPE_CHECKING:
    import numpy as np

LOG_BASES = {"e": math.e, "2": 2.0, "10": 10.0}
Texts = dict[str, str | None]  # a derivative per output unit, as text (None for 0)


@dataclass(frozen=True)
class Convention:
    """How a loss is computed; a known mistake is the truth with one of these flipped."""

    base: float = math.e
    reduction: str | None = None  # over the outputs of a sample; None: the loss's default
    over_samples: str = "mean"
    complement: bool | None = None  # the (1-y)·log(1-ŷ) terms; None: only for binary CE
    zero_log_zero: float = 0.0
    true_class_in_max: bool = True  # categorical hinge: max over (1-y)·s, the true class's 0 too
    margin: float = 1.0  # multiclass hinge: Δ
    true_class_term: bool = False  # multiclass hinge: the mistake of summing over j = y too
    label_smoothing: float = 0.0  # cross-entropy: targets (1-ε)·y + ε/C
    smoothing_others: bool = False  # the mistake of spreading ε over the C-1 other classes
    weight: tuple[float, ...] | None = None  # cross-entropy: one weight per class
    weighted_mean: bool = True  # a batch of hard labels divided by Σ w_{y_n} (else by N)


@dataclass(frozen=True)
class Batch:
    """Checked inputs of a loss, every array N×C (one sample is N = 1), labels mapped."""

    loss: Loss
    y_true: np.ndarray
    y_pred: np.ndarray | None  # probabilities (or scores, for the other losses)
    logits: np.ndarray | None


@dataclass(frozen=True)
class Loss:
    """One row of the table: a loss and its conventions."""

    name: str
    # What y_pred holds: a probability vector per sample, a probability per output, class or
    # output scores (logits mean the same), or plain values.
    prediction: Literal["distribution", "probabilities", "scores", "values"]
    # What y_true holds: values in [0, 1], ±1 labels (0/1 read as -1/1), one true class per
    # sample, or any numbers.
    targets: Literal["unit", "signs", "one_hot", "any"]
    reduction: Literal["sum", "mean"]  # the default over the outputs or classes
    terms: Callable[[Batch, Convention], np.ndarray]  # per output, natural logs: N×C (or N×1)
    gradient: Callable[[np.ndarray, np.ndarray], np.ndarray]  # ∂Σ terms/∂outputs (t, p)
    texts: Callable[[list[float], Sequence[str], float], Texts]  # the same, scaled, as text
    classes: bool = False  # y_pred is a vector with one entry per class
    class_index: bool = False  # y_true may be the class index
    one_term: bool = False  # a single term per sample: no reduction over the classes
    mistakes: tuple[tuple[str, dict[str, Any]], ...] = ()  # its own: (name, convention changes)

    @property
    def logarithmic(self) -> bool:
        """Whether the loss takes logs (a log base applies, logits go through a link)."""
        return self.prediction in ("distribution", "probabilities")

    @property
    def takes_logits(self) -> bool:
        """Whether `logits:` may stand for `y_pred:`."""
        return self.logarithmic or self.prediction == "scores"

    def labels(self, y_true: np.ndarray) -> np.ndarray:
        """The targets as the loss reads them: 0/1 labels of a ±1 loss become -1/1."""
        if self.targets == "signs" and ((y_true == 0) | (y_true == 1)).all():
            return 2.0 * y_true - 1.0
        return y_true

    def scale(self, reduction: str | None, log: Any, outputs: int) -> float:
        """The factor of the reduction over the outputs, and of the log base."""
        scale = 1.0 / outputs if self.reduces(reduction) == "mean" and not self.one_term \
            else 1.0
        if self.logarithmic:
            scale /= math.log(LOG_BASES[str(log)])
        return scale

    def reduces(self, reduction: str | None) -> str:
        """The reduction over the outputs in effect: the one given, or the default."""
        return reduction or self.reduction


# --- the numbers ----------------------------------------------------------------------------------

def batch_loss(batch: Batch, conv: Convention) -> float:
    """The per-sample losses reduced over the batch."""
    import numpy as np

    # Huge logits overflow to ±inf in intermediate differences, which is the right limit.
    with np.errstate(over="ignore"):
        terms = batch.loss.terms(batch, conv)
        if batch.loss.logarithmic:
            terms = terms / math.log(conv.base)
        reduction = batch.loss.reduces(conv.reduction)
        if reduction == "sum" or batch.loss.one_term:
            per_sample = scaled_sum(terms, axis=1)
        else:
            per_sample = scaled_sum(terms, axis=1, divide=terms.shape[1])
        if conv.over_samples == "sum":
            return float(scaled_sum(per_sample))
        if conv.weight is not None and conv.weighted_mean and hard_labels(batch.y_true):
            # PyTorch's weighted mean: the weighted terms over the weights of the true classes
            weights = float((batch.y_true @ np.asarray(conv.weight)).sum())
            return float(scaled_sum(per_sample / weights))
        return float(scaled_sum(per_sample, divide=per_sample.shape[0]))


def scaled_sum(terms: np.ndarray, axis: int | None = None, divide: int = 1) -> np.ndarray:
    """The sum of finite terms over `axis`, divided by `divide`, without a spurious overflow:
    where the plain sum overflows, the terms are scaled by the largest of them first, so that a
    mean of [1e308, 1e308] is 1e308, not inf (infinite only where the true value is beyond
    float64). Terms that are already inf or NaN give what the plain sum gives."""
    import numpy as np

    with np.errstate(over="ignore"):
        plain = np.asarray(terms.sum(axis=axis) / divide)
    if np.isfinite(plain).all() or not np.isfinite(terms).all():
        return plain
    scale = np.max(np.abs(terms), axis=axis, keepdims=True)
    scale = np.where(scale > 0, scale, 1.0)
    with np.errstate(over="ignore"):
        kept = (terms / scale).sum(axis=axis, keepdims=True) / divide * scale
    return np.asarray(kept.reshape(plain.shape))


def hard_labels(y_true: np.ndarray) -> bool:
    """Whether every row of targets is one-hot (a class index read as one)."""
    import numpy as np

    return bool(np.all((y_true == 0) | (y_true == 1)) and np.all(y_true.sum(axis=1) == 1))


def output_gradient(loss: Loss, t: np.ndarray, p: np.ndarray) -> np.ndarray:
    """∂ of a sample's summed terms w.r.t. each output (C, *points), in natural logs, unscaled."""
    import numpy as np

    with np.errstate(divide="ignore", invalid="ignore"):
        return loss.gradient(t, p)


def _scores(batch: Batch) -> np.ndarray:
    s = batch.y_pred if batch.y_pred is not None else batch.logits
    assert s is not None
    return s


def _squared_error(batch: Batch, conv: Convention) -> np.ndarray:
    return (batch.y_true - _scores(batch)) ** 2


def _absolute_error(batch: Batch, conv: Convention) -> np.ndarray:
    import numpy as np

    return np.abs(batch.y_true - _scores(batch))


def _hinge(batch: Batch, conv: Convention) -> np.ndarray:
    import numpy as np

    return np.maximum(0.0, 1.0 - batch.y_true * _scores(batch))


def _multiclass_hinge(batch: Batch, conv: Convention) -> np.ndarray:
    import numpy as np

    t, s = batch.y_true, _scores(batch)
    true_score = (t * s).sum(axis=1, keepdims=True)
    terms = np.maximum(0.0, conv.margin + s - true_score)
    return terms if conv.true_class_term else np.where(t == 1, 0.0, terms)


def _categorical_hinge(batch: Batch, conv: Convention) -> np.ndarray:
    """Keras: max(0, neg - pos + 1), neg = max_j (1-y_j)·s_j, pos = Σ_j y_j·s_j (N×1)."""
    import numpy as np

    t, s = batch.y_true, _scores(batch)
    masked = (1.0 - t) * s
    if not conv.true_class_in_max:  # the mistake: a class with y = 1 left out of the max
        masked = np.where(t == 1, -np.inf, masked)
    neg = masked.max(axis=1, keepdims=True)
    pos = (t * s).sum(axis=1, keepdims=True)
    return np.asarray(np.maximum(0.0, neg - pos + 1.0))


def _cross_entropy(batch: Batch, conv: Convention) -> np.ndarray:
    import numpy as np

    eps = conv.label_smoothing
    if eps:
        classes = batch.y_true.shape[1]
        if conv.smoothing_others:  # the mistake: ε/(C-1) to each class but the true one
            spread = np.where(batch.y_true == 1, 0.0, eps / max(classes - 1, 1))
            batch = replace(batch, y_true=(1 - eps) * batch.y_true + spread)
        else:
            batch = replace(batch, y_true=(1 - eps) * batch.y_true + eps / classes)
    terms = _log_loss_terms(batch, conv, complement=conv.complement is True)
    if conv.weight is not None:
        terms = terms * np.asarray(conv.weight)
    return terms


def _binary_cross_entropy(batch: Batch, conv: Convention) -> np.ndarray:
    return _log_loss_terms(batch, conv, complement=conv.complement is not False)


def _log_loss_terms(batch: Batch, conv: Convention, complement: bool) -> np.ndarray:
    """-y log ŷ per output, and -(1-y) log(1-ŷ) with the complement."""
    from nncheck.engine import logspace

    t = batch.y_true
    log_p, log_q = _log_probabilities(batch)
    terms = -logspace.xlog(t, log_p, conv.zero_log_zero)
    if complement:
        terms = terms - logspace.xlog(1.0 - t, log_q(), conv.zero_log_zero)
    return terms


def _kl_divergence(batch: Batch, conv: Convention) -> np.ndarray:
    from nncheck.engine import logspace

    t, zlz = batch.y_true, conv.zero_log_zero
    log_p, _ = _log_probabilities(batch)
    return logspace.xlog(t, logspace.log(t), zlz) - logspace.xlog(t, log_p, zlz)


def _log_probabilities(batch: Batch) -> tuple[np.ndarray, Callable[[], np.ndarray]]:
    """log ŷ, and a function giving log(1-ŷ) (computed only when a loss needs it)."""
    from nncheck.engine import logspace

    if batch.logits is None:
        p = batch.y_pred
        assert p is not None
        return logspace.log(p), lambda: logspace.log1m(p)
    z = batch.logits
    if batch.loss.prediction == "probabilities":  # a sigmoid per output
        return logspace.log_sigmoid(z), lambda: logspace.log_sigmoid(-z)
    return logspace.log_softmax(z), lambda: logspace.log_softmax_complement(z)


# --- the derivatives, numeric (t: targets, p: outputs, both C × points) ---------------------------

def _probability_gradient(t: np.ndarray, p: np.ndarray) -> np.ndarray:
    import numpy as np

    return np.where(t == 0, 0.0, -t / p)


def _binary_gradient(t: np.ndarray, p: np.ndarray) -> np.ndarray:
    import numpy as np

    return np.where(t == 0, 0.0, -t / p) + np.where(t == 1, 0.0, (1 - t) / (1 - p))


def _squared_error_gradient(t: np.ndarray, p: np.ndarray) -> np.ndarray:
    return 2.0 * (p - t)


def _absolute_error_gradient(t: np.ndarray, p: np.ndarray) -> np.ndarray:
    import numpy as np

    return np.sign(p - t)


def _hinge_gradient(t: np.ndarray, p: np.ndarray) -> np.ndarray:
    import numpy as np

    return np.where(1.0 - t * p > 0, -t, 0.0) * np.ones_like(p)


def _multiclass_hinge_gradient(t: np.ndarray, p: np.ndarray) -> np.ndarray:
    """∂/∂s of Σ_{j≠y} max(0, 1 + s_j - s_y)."""
    import numpy as np

    true = int(np.argmax(t[:, 0] if t.ndim > 1 else t))
    s_true = p[true]
    others = np.arange(p.shape[0]) != true
    active = ((1.0 + p - s_true) > 0) & others.reshape((-1,) + (1,) * (p.ndim - 1))
    g = active.astype(float)
    g[true] = -active.sum(axis=0)
    return g


def _categorical_hinge_gradient(t: np.ndarray, p: np.ndarray) -> np.ndarray:
    """∂/∂s_j of max(0, neg - pos + 1), neg = max_i (1-y_i)·s_i, pos = Σ_i y_i·s_i (Keras).

    At the kinks this is the subgradient torch autograd gives for the same expression written
    `torch.clamp(torch.max((1-y)*s, dim).values - (y*s).sum(dim) + 1, min=0)`: the max's
    gradient goes to the first of equal (1-y_i)·s_i (relu outputs at 0 tie with the true
    class's 0), and the clamp lets it through where neg - pos + 1 is exactly 0.
    """
    import numpy as np

    v = (1.0 - t) * p
    top = np.argmax(v, axis=0)  # the first of equal values, as torch.max(dim) picks
    first = np.arange(p.shape[0]).reshape((-1,) + (1,) * (p.ndim - 1)) == top[None]
    active = v.max(axis=0) - (t * p).sum(axis=0) + 1.0 >= 0
    return np.asarray(active * (first * (1.0 - t) - t), dtype=float)


# --- the derivatives as text (y: the targets, one per output; scale: `Loss.scale`) ----------------

def _each(text: Callable[[str, float, float], str | None]) -> Callable[
    [list[float], Sequence[str], float], Texts
]:
    """A derivative written output by output: `text(output, target, scale)`."""
    def texts(y: list[float], outputs: Sequence[str], scale: float) -> Texts:
        """Each output's derivative, from its own target alone."""
        return {o: text(o, t, scale) for o, t in zip(outputs, y)}
    return texts


def _probability_text(o: str, t: float, scale: float) -> str | None:
    return None if t == 0 else f"({number(-t * scale)}/{o})"


def _binary_text(o: str, t: float, scale: float) -> str | None:
    return add([
        _probability_text(o, t, scale),
        None if t == 1 else f"({number((1 - t) * scale)}/(1 - {o}))",
    ])


def _squared_error_text(o: str, t: float, scale: float) -> str | None:
    return mul(number(2 * scale), f"({o} - {number(t)})")


def _absolute_error_text(o: str, t: float, scale: float) -> str | None:
    return mul(number(scale), f"(({o} > {number(t)}) - ({o} < {number(t)}))")


def _hinge_text(o: str, t: float, scale: float) -> str | None:
    return mul(number(-t * scale), f"(1 - {number(t)}*{o} > 0)")


def _multiclass_hinge_texts(y: list[float], outputs: Sequence[str], scale: float) -> Texts:
    """The multiclass hinge's ∂loss/∂output: Σ_{j≠y} max(0, 1 + s_j - s_y)."""
    true = max(range(len(y)), key=y.__getitem__)  # the first of equal values
    s_true = outputs[true]
    others = [o for i, o in enumerate(outputs) if i != true]
    out: Texts = dict.fromkeys(outputs)
    if not others:
        return out
    active = {o: f"(1 + {o} - {s_true} > 0)" for o in others}
    for o in others:
        out[o] = mul(number(scale), active[o])
    out[s_true] = mul(number(-scale), add(list(active.values())))
    return out


def _categorical_hinge_texts(y: list[float], outputs: Sequence[str], scale: float) -> Texts:
    """Keras's categorical hinge max(0, neg - pos + 1), as `_categorical_hinge_gradient` has it.

    neg = max_j (1-y_j)·s_j, where a class with y_j = 1 counts as 0; pos = Σ_j y_j·s_j. The
    texts compute each quantity in the same order as the numeric truth, so they agree at ties.
    """
    terms = [
        "0" if t == 1 else o if t == 0 else f"{number(1 - t)}*{o}"
        for o, t in zip(outputs, y)
    ]
    candidates = list(dict.fromkeys(terms))
    neg = maximum(candidates)
    pos = add([o if t == 1 else mul(number(t), o) for o, t in zip(outputs, y) if t != 0])
    active = f"({neg} - {pos} + 1 >= 0)" if pos is not None else f"({neg} + 1 >= 0)"
    out: Texts = {}
    for j, (o, t) in enumerate(zip(outputs, y)):
        if t == 1:  # (1-y_j)·s_j is 0 whatever s_j: only pos depends on it
            out[o] = mul(number(-scale), active)
            continue
        if len(candidates) == 1:
            first = "1"
        else:
            # The max's gradient goes to the first of equal values (relu outputs at 0 tie
            # with the true class's 0), as torch.max(dim) gives it.
            earlier = list(dict.fromkeys(terms[:j]))
            first = f"({terms[j]} >= {neg})"
            if earlier:
                first += f"*({terms[j]} > {maximum(earlier)})"
        if t == 0:
            out[o] = mul(number(scale), active, first)
        else:
            coefficient = number(1 - t) if first == "1" else f"{number(1 - t)}*{first}"
            out[o] = mul(number(scale), active, f"({coefficient} - {number(t)})")
    return out


# --- the table ------------------------------------------------------------------------------------

_ROWS = (  # name, what y_pred holds, what y_true holds, the default reduction; then the rest
    Loss("cross_entropy", "distribution", "unit", "sum",
         terms=_cross_entropy, gradient=_probability_gradient, texts=_each(_probability_text),
         classes=True, class_index=True,
         mistakes=(("the (1-y)·log(1-ŷ) terms added", {"complement": True}),)),
    Loss("binary_cross_entropy", "probabilities", "unit", "mean",
         terms=_binary_cross_entropy, gradient=_binary_gradient, texts=_each(_binary_text),
         mistakes=(("the (1-y)·log(1-ŷ) terms left out", {"complement": False}),)),
    Loss("mse", "values", "any", "mean",
         terms=_squared_error, gradient=_squared_error_gradient,
         texts=_each(_squared_error_text)),
    Loss("mae", "values", "any", "mean",
         terms=_absolute_error, gradient=_absolute_error_gradient,
         texts=_each(_absolute_error_text)),
    Loss("hinge", "scores", "signs", "mean",
         terms=_hinge, gradient=_hinge_gradient, texts=_each(_hinge_text)),
    Loss("multiclass_hinge", "scores", "one_hot", "sum",
         terms=_multiclass_hinge, gradient=_multiclass_hinge_gradient,
         texts=_multiclass_hinge_texts, classes=True, class_index=True,
         mistakes=(("the true class's own term Δ counted in the sum",
                    {"true_class_term": True}),)),
    Loss("categorical_hinge", "scores", "unit", "sum",
         terms=_categorical_hinge, gradient=_categorical_hinge_gradient,
         texts=_categorical_hinge_texts, classes=True, class_index=True, one_term=True,
         mistakes=(("the max over the other classes only, not over (1-y)·s",
                    {"true_class_in_max": False}),)),
    Loss("kl_divergence", "distribution", "unit", "sum",
         terms=_kl_divergence, gradient=_probability_gradient, texts=_each(_probability_text),
         classes=True),
)
LOSSES: dict[str, Loss] = {row.name: row for row in _ROWS}

_DIGITS = tuple(k for k in LOG_BASES if k.isdigit())
# `log:` as spec accepts it: e, or a base written as a number or a string (2 or "2")
_LOG_NAMES = ("e", *map(int, _DIGITS), *_DIGITS)
if TYPE_CHECKING:
    LossFn = str
    LogBase = str | int
else:
    LossFn = Literal[tuple(LOSSES)]  # the names spec accepts for `fn:`
    LogBase = Literal[_LOG_NAMES]


# --- the known mistakes ---------------------------------------------------------------------------

def other_reduction(reduction: str, where: str = "") -> tuple[str, str]:
    """The reduction a student may take instead of `reduction`, and the mistake's name."""
    other = "mean" if reduction == "sum" else "sum"
    return other, f"{other} instead of {reduction}{where}"


def wrong_bases(base: float) -> list[tuple[str, float]]:
    """The log bases a student may take instead of `base`, each with the mistake's name."""
    if base == math.e:
        return [("log base 10 instead of e", 10.0), ("log base 2 instead of e", 2.0)]
    return [(natural_log_mistake(base), math.e)]


def natural_log_mistake(base: float) -> str:
    """The name of the mistake of natural logs where the loss takes logs in `base`."""
    key = next(k for k, v in LOG_BASES.items() if v == base)
    return f"natural log instead of base {key}"


def convention_mistakes(batch: Batch, conv: Convention) -> list[tuple[str, Batch, Convention]]:
    """The known mistakes of a loss value, in catalogue order: each the batch and convention
    that give the mistaken answer."""
    loss = batch.loss
    out: list[tuple[str, Batch, Convention]] = []
    if loss.logarithmic:
        out += [(name, batch, replace(conv, base=base)) for name, base in wrong_bases(conv.base)]
    other, name = other_reduction(loss.reduces(conv.reduction))
    out.append((name, batch, replace(conv, reduction=other)))
    if batch.y_true.shape[0] > 1:
        out.append((
            "sum over the samples instead of the mean", batch, replace(conv, over_samples="sum"),
        ))
    if batch.logits is not None and loss.logarithmic:
        as_probs = replace(batch, y_pred=batch.logits, logits=None)
        out.append(("logits used as probabilities", as_probs, conv))
    out += [(name, batch, replace(conv, **changes)) for name, changes in loss.mistakes]
    out += _option_mistakes(batch, conv)
    if loss.logarithmic and batch.logits is None:  # a softmax or sigmoid is never 0
        out.append(("0·log 0 taken as NaN", batch, replace(conv, zero_log_zero=math.nan)))
    return out


def _option_mistakes(batch: Batch, conv: Convention) -> list[tuple[str, Batch, Convention]]:
    """The mistakes of a loss's options: the margin Δ, label smoothing, class weights."""
    out = []
    if conv.margin != 1.0:
        out.append((f"margin 1 instead of Δ = {conv.margin:g}", batch, replace(conv, margin=1.0)))
    if conv.label_smoothing:
        out.append(("label smoothing left out", batch, replace(conv, label_smoothing=0.0)))
        out.append(("ε spread over the other classes only, ε/(C-1)", batch,
                    replace(conv, smoothing_others=True)))
    if conv.weight is not None:
        out.append(("class weights left out", batch, replace(conv, weight=None)))
        if batch.y_true.shape[0] > 1 and hard_labels(batch.y_true):
            out.append(("weighted sum divided by the number of samples, not by the sum of "
                        "their weights", batch, replace(conv, weighted_mean=False)))
    return out


def gradient_mistakes(
    loss: Loss, reduction: str | None, log: Any, outputs: int, values: np.ndarray
) -> list[tuple[str, np.ndarray]]:
    """The loss's conventions done wrong in a gradient: the reduction over the outputs, the
    log base (each a factor of the true gradient `values`)."""
    out = []
    if outputs > 1 and not loss.one_term:
        effective = loss.reduces(reduction)
        _, name = other_reduction(effective, " over the outputs")
        out.append((name, values * outputs if effective == "mean" else values / outputs))
    base = LOG_BASES[str(log)]
    if base != math.e and loss.logarithmic:
        out.append((natural_log_mistake(base), values * math.log(base)))
    return out
