"""The `perceptron` and `learning_rule` asks (FORMAT §4.14, §4.15): a single unit trained one
example at a time (`engine/learning.py`), asked for its weights after some presentations or
epochs, or for how long the perceptron takes to converge. The known mistakes are replayed."""

from __future__ import annotations

from dataclasses import replace
from fractions import Fraction
from typing import Any

import numpy as np

from nncheck.compare.numbers import to_json_value
from nncheck.compare.numeric import Known, NumericTruth, scalar_truth
from nncheck.engine import exact
from nncheck.engine.learning import Num, Rule, Run, train
from nncheck.errors import ProblemError
from nncheck.solvers.arrays import read_array, read_number
from nncheck.solvers.context import Context
from nncheck.spec.training import LearningRuleBase, LearningRulePart, PerceptronPart

# Presentations × weights of one run (the truth's, and each replayed mistake's): exact
# rationals take some 15 µs a presentation, so a part costs at most a few seconds.
MAX_WORK = 50_000

UPDATE_CORRECT = "the weights updated on correctly classified examples too"
SWAPPED = "target and output swapped in the error (y − t instead of t − y)"
NO_BIAS = "the bias input left out"
THRESHOLDED = "the thresholded output in the error (the perceptron rule, not the delta rule)"
LAST_PASS = {
    "epochs": "the last pass, the one without errors, not counted",
    "epochs_with_updates": "the last pass, the one without errors, counted as well",
}


def solve_perceptron(part: PerceptronPart, ctx: Context) -> NumericTruth:
    """The weights, or the count, a perceptron part asks for, with its known mistakes."""
    high, low = (1, 0) if part.labels == "binary" else (1, -1)
    rows, targets, w0, bias_at = _data(part, ctx, exact_numbers=True)
    for k, t in enumerate(targets):
        if t not in (high, low):
            raise ProblemError(f"part `{part.id}`: target {float(t):g} of example {k + 1} is "
                               f"no output of a {part.labels} unit",
                               expected=f"{low} or {high} (`labels: "
                               f"{'bipolar' if part.labels == 'binary' else 'binary'}` for "
                               f"{'-1 and 1' if part.labels == 'binary' else '0 and 1'})")
    exact_numbers = isinstance(w0[0], Fraction)
    lr = _exact_or_float(ctx, part.lr, "lr", exact_numbers=exact_numbers)
    theta = _exact_or_float(ctx, part.threshold, "threshold", exact_numbers=exact_numbers)
    rule = Rule("perceptron", lr, high=high, low=low, at_zero=part.at_zero, threshold=theta,
                no_bias=False if bias_at is not None else None)
    mistakes = [(UPDATE_CORRECT, replace(rule, update_correct=True)),
                (SWAPPED, replace(rule, swapped=True))]
    if bias_at is not None:
        mistakes.append((NO_BIAS, replace(rule, no_bias=True)))
    if part.count is None:
        return _weights_truth(part, ctx, rule, mistakes, rows, targets, w0, bias_at)
    epochs = min(part.max_epochs, MAX_WORK // (len(rows) * len(w0)))
    if epochs < 1:
        _bound(part, len(rows), len(w0))
    run = train(rule, rows, targets, w0, max_epochs=epochs, bias_at=bias_at)
    if not run.converged:
        limit = "" if epochs == part.max_epochs else \
            f" (the most nncheck runs for this data: {MAX_WORK:,} presentations × weights)"
        raise ProblemError(
            f"part `{part.id}`: the perceptron does not converge within {epochs} "
            f"epochs{limit} (a pass over the examples without an error)",
            expected="data a line (a hyperplane) separates, or a larger `max_epochs`")
    value = _count(part.count, run)
    known: list[tuple[str, float]] = []
    if part.count in LAST_PASS:
        other = "epochs" if part.count == "epochs_with_updates" else "epochs_with_updates"
        known.append((LAST_PASS[part.count], _count(other, run)))
    for name, mistaken in mistakes:
        if mistaken.update_correct:
            continue  # an update at every example: it never converges
        replay = train(mistaken, rows, targets, w0, max_epochs=epochs, bias_at=bias_at)
        if replay.converged:
            known.append((name, _count(part.count, replay)))
    return scalar_truth(value, exact=True, tolerance=ctx.tolerance,
                        known=[(n, v) for n, v in known if v != value])


def solve_learning_rule(part: LearningRulePart, ctx: Context) -> NumericTruth:
    """The weights after the delta rule's (or Hebb's) presentations, with its known mistakes."""
    rows, targets, w0, bias_at = _data(part, ctx, exact_numbers=False)
    lr = float(part.lr)
    no_bias = False if bias_at is not None else None
    rule = Rule("delta" if part.rule == "delta" else "hebb", lr, no_bias=no_bias)
    mistakes: list[tuple[str, Rule]] = []
    if part.rule == "delta":
        mistakes.append((SWAPPED, replace(rule, swapped=True)))
        labels = {float(t) for t in targets}
        if labels <= {0.0, 1.0} or labels <= {-1.0, 1.0}:
            low = 0 if labels <= {0.0, 1.0} else -1
            mistakes.append((THRESHOLDED, replace(rule, threshold_output=True, low=low,
                                                  at_zero=1)))
    if bias_at is not None:
        mistakes.append((NO_BIAS, replace(rule, no_bias=True)))
    return _weights_truth(part, ctx, rule, mistakes, rows, targets, w0, bias_at)


def _count(count: str, run: Run) -> int:
    if count == "updates":
        return run.updates
    return run.epochs if count == "epochs" else run.epochs - 1


def _weights_truth(part: LearningRuleBase, ctx: Context, rule: Rule,
                   mistakes: list[tuple[str, Rule]], rows: list[list[Num]],
                   targets: list[Num], w0: list[Num], bias_at: int | None) -> NumericTruth:
    """The weights after the presentations a part asks for, and those of each mistake."""
    presentations = part.after if part.after is not None else (part.epochs or 0) * len(rows)
    _bound(part, presentations, len(w0))

    def weights(r: Rule) -> np.ndarray:
        run = train(r, rows, targets, w0, presentations=presentations, bias_at=bias_at)
        return np.array([float(w) for w in run.weights])

    with np.errstate(all="ignore"):
        truth = weights(rule)
        if not np.all(np.isfinite(truth)):
            raise ProblemError(f"part `{part.id}`: the weights overflow",
                               expected="a learning rate that keeps the weights finite")
        known = []
        for name, mistaken in mistakes:
            replay = weights(mistaken)
            if np.all(np.isfinite(replay)) and not np.all(ctx.tolerance.close(truth, replay)):
                known.append(Known(name, replay[None, :]))
    return NumericTruth(expected=to_json_value(truth), values=truth[None, :], vector=True,
                        tolerance=ctx.tolerance, known=tuple(known), aliases=ctx.aliases,
                        labels=_labels(len(w0), bias_at), key_value=part.solution)


def _labels(count: int, bias_at: int | None) -> list[str]:
    names = [f"w{i}" for i in range(1, count + 1 - (bias_at is not None))]
    if bias_at is None:
        return names
    return ["b", *names] if bias_at == 0 else [*names, "b"]


def _bound(part: LearningRuleBase, presentations: int, weights: int) -> None:
    if presentations * weights > MAX_WORK:
        raise ProblemError(f"part `{part.id}`: {presentations} presentations of {weights} "
                           "weights is too much work",
                           expected=f"at most {MAX_WORK:,} (presentations × weights)")


def _data(part: LearningRuleBase, ctx: Context, *, exact_numbers: bool
          ) -> tuple[list[list[Num]], list[Num], list[Num], int | None]:
    """The examples with the bias input in place, the targets, the initial weights and where
    the bias weight is (None: no bias)."""
    inputs = read_array(ctx, part.inputs, "inputs", ndim=(1, 2))
    if inputs.ndim == 1:
        inputs = inputs[:, None]  # one input per example
    targets = read_array(ctx, part.targets, "targets", ndim=(1,))
    if targets.shape[0] != inputs.shape[0]:
        raise ProblemError(f"part `{part.id}`: {inputs.shape[0]} examples but "
                           f"{targets.shape[0]} targets", expected="one target per example")
    d = inputs.shape[1]
    bias_at = None if part.bias == "none" else 0 if part.bias == "first" else d
    size = d + (bias_at is not None)
    if part.weights is None:
        weights = np.zeros(size)
    else:
        weights = read_array(ctx, part.weights, "weights", ndim=(1,))
        if weights.shape[0] != size:
            with_bias = "" if bias_at is None else f", the bias {part.bias}"
            raise ProblemError(f"part `{part.id}`: {weights.shape[0]} initial weights for "
                               f"{d} inputs", expected=f"{size} weights{with_bias}")
    raw = [_raw(ctx, part.inputs), _raw(ctx, part.targets),
           _raw(ctx, part.weights) if part.weights is not None else [0] * size]
    if exact_numbers:
        exact_values = _exact(ctx, raw, part.bias_input)
        if exact_values is not None:
            rows, t, w, b = exact_values
            return _with_bias(rows, b, bias_at), t, w, bias_at
    bias = read_number(ctx, part.bias_input, "bias_input")
    rows_f: list[list[Num]] = [[float(x) for x in row] for row in inputs]
    return (_with_bias(rows_f, bias, bias_at), [float(t) for t in targets],
            [float(w) for w in weights], bias_at)


def _with_bias(rows: list[list[Num]], bias: Num, at: int | None) -> list[list[Num]]:
    if at is None:
        return rows
    return [[*row[:at], bias, *row[at:]] for row in rows]


def _raw(ctx: Context, value: Any) -> Any:
    if isinstance(value, str) and value in ctx.problem.given:
        return ctx.problem.given[value]
    return value


def _exact(ctx: Context, raw: list[Any], bias: Any
           ) -> tuple[list[list[Num]], list[Num], list[Num], Num] | None:
    """The examples, targets, weights and bias input as exact rationals, or None."""
    def rationals(value: Any) -> Any:
        if isinstance(value, list):
            return [rationals(v) for v in value]
        found = exact.rational(value, aliases=ctx.aliases)
        if found is None:
            raise ValueError
        return found

    try:
        inputs, targets, weights = (rationals(v) for v in raw)
        b = rationals(bias)
    except ValueError:
        return None
    rows = [row if isinstance(row, list) else [row] for row in inputs]
    return rows, targets, weights, b


def _exact_or_float(ctx: Context, value: Any, key: str, *, exact_numbers: bool) -> Num:
    if exact_numbers:
        found = exact.rational(value, aliases=ctx.aliases)
        if found is not None:
            return found
    return read_number(ctx, value, key)
