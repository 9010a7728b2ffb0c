"""The `optimizer_step` ask (FORMAT §4.13): an optimizer's parameters, or a state, after k steps.

The gradients are given, one per step (or one for every step), or come from a quadratic loss
in the parameters' names, differentiated exactly from its coefficients. The known mistakes are
replayed: the same steps with one rule changed (`engine/optim.py`), so a student who made the
mistake at the first step and carried it on is recognised at the last.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from typing import Any

import numpy as np

from nncheck.compare.numbers import to_json_value
from nncheck.compare.numeric import Known, NumericTruth
from nncheck.engine import exact, optim
from nncheck.errors import ProblemError
from nncheck.solvers.arrays import read_array
from nncheck.solvers.context import Context
from nncheck.spec.training import OptimizerStepPart

MAX_WORK = 10_000_000  # steps × parameters of one part
MAX_COUPLED = 1_000  # parameters of a loss whose parameters are coupled (a dense matrix)

SIGN = "the update added instead of subtracted (the sign of the step)"
NO_BIAS_CORRECTION = "bias correction left out"
FROM_ZERO = "the steps counted from 0 in the bias corrections (1 − βᵗ⁻¹ at step t)"
EPS_INSIDE = "ε inside the square root"
DECAY_ON_GRADIENT = ("weight decay added to the gradient (Adam's L2) instead of applied to the "
                     "weights (AdamW)")
DECAY_ON_WEIGHTS = ("weight decay applied to the weights (AdamW) instead of added to the "
                    "gradient (Adam's L2)")
TO_CLASSIC = "momentum in the classic convention (v = μv − ηg, w += v) instead of PyTorch's"
TO_PYTORCH = "momentum in PyTorch's convention (v = μv + g, w −= ηv) instead of the classic one"


def solve_optimizer_step(part: OptimizerStepPart, ctx: Context) -> NumericTruth:
    """The parameters (or the state) a part asks for, with the answers of its known mistakes."""
    names, w0, scalar = _params(part, ctx)
    source, steps = _gradients(part, ctx, names, w0, scalar)
    if steps * w0.size > MAX_WORK:
        raise ProblemError(f"part `{part.id}`: {steps} steps of {w0.size} parameters is too "
                           f"much work", expected=f"at most {MAX_WORK:,} (steps × parameters)")
    truth = rule_of(part)
    mistakes = mistaken_rules(truth, given=part.grads is not None)
    picked, labels = _which(part, names, w0.size)
    if source.separable:  # every optimizer steps each parameter on its own gradient alone
        w0, source, picked = w0[picked], source.columns(picked), list(range(len(picked)))
    state = optim.run([truth, *(r for _, r in mistakes)], w0, source.gradient(), steps)
    values = getattr(state, part.of)[:, picked]
    if not np.all(np.isfinite(values[0])):
        raise _not_finite(part, truth, values[0], labels, steps)
    vector = not scalar and (part.which is None or isinstance(part.which, list))
    known = []
    for (name, _), row in zip(mistakes, values[1:]):
        if np.all(np.isfinite(row)) and not np.all(ctx.tolerance.close(values[0], row)):
            known.append(Known(name, row[None, :] if vector else row[:1]))
    return NumericTruth(
        expected=to_json_value(values[0] if vector else values[0, 0]),
        values=values[:1] if vector else values[:1, 0],
        vector=vector,
        tolerance=ctx.tolerance,
        known=tuple(known),
        aliases=ctx.aliases,
        labels=labels if vector else None,
        key_value=part.solution,
    )


def rule_of(part: OptimizerStepPart) -> optim.Rule:
    """The rule a part states, torch's defaults where it is silent."""
    name = part.optimizer
    return optim.Rule(
        optimizer=name,
        lr=optim.DEFAULT_LR[name] if part.lr is None else part.lr,
        momentum=part.momentum or 0.0,
        dampening=part.dampening,
        classic=part.convention == "classic",
        beta1=part.betas[0],
        beta2=part.betas[1],
        bias_correction=part.bias_correction,
        alpha=part.alpha,
        centered=part.centered,
        eps=optim.DEFAULT_EPS.get(name, 0.0) if part.eps is None else part.eps,
        weight_decay=optim.DEFAULT_WEIGHT_DECAY.get(name, 0.0) if part.weight_decay is None
        else part.weight_decay,
        decoupled=name == "adamw",
        lr_decay=part.lr_decay,
        initial_accumulator_value=part.initial_accumulator_value,
    )


def mistaken_rules(rule: optim.Rule, *, given: bool) -> list[tuple[str, optim.Rule]]:
    """The known mistakes of a rule, each the rule with one thing changed. `given`: the
    gradients are given, so none can be taken at a look-ahead point."""
    out = [(SIGN, replace(rule, sign=-1.0))]
    adam = rule.optimizer in ("adam", "adamw")
    if adam and rule.bias_correction:
        out.append((NO_BIAS_CORRECTION, replace(rule, bias_correction=False)))
        out.append((FROM_ZERO, replace(rule, step_offset=-1)))
    if rule.optimizer in ("adagrad", "rmsprop", "adam", "adamw") and rule.eps:
        out.append((EPS_INSIDE, replace(rule, eps_inside=True)))
    if adam and rule.weight_decay:
        out.append((DECAY_ON_WEIGHTS if not rule.decoupled else DECAY_ON_GRADIENT,
                    replace(rule, decoupled=not rule.decoupled)))
    look_ahead = rule.optimizer == "nesterov" and given
    if rule.optimizer in ("momentum", "nesterov") and not look_ahead:
        out.append((TO_PYTORCH if rule.classic else TO_CLASSIC,
                    replace(rule, classic=not rule.classic)))
    return out


def _params(part: OptimizerStepPart, ctx: Context) -> tuple[list[str], np.ndarray, bool]:
    """The parameters' names (if named), their start, and whether there is a single one."""
    if isinstance(part.params, dict):
        names = [str(k) for k in part.params]
        w0 = read_array(ctx, list(part.params.values()), "params", ndim=(1,))
        return names, w0, len(names) == 1  # one named parameter: its value is a number
    w0 = read_array(ctx, part.params, "params", ndim=(0, 1))
    return [], np.atleast_1d(w0), w0.ndim == 0


def _gradients(part: OptimizerStepPart, ctx: Context, names: list[str], w0: np.ndarray,
               scalar: bool) -> tuple[optim.Source, int]:
    if part.loss is not None:
        assert part.steps is not None  # the spec requires it with a loss
        return _quadratic(part, ctx, names), part.steps
    n = w0.size
    grads = read_array(ctx, part.grads, "grads", ndim=(0, 1, 2))
    every = grads.ndim == 0 or (grads.ndim == 1 and not scalar)  # one gradient for every step
    grads = grads.reshape(1, -1) if every else grads.reshape(grads.shape[0], -1)
    if grads.shape[1] != n:
        raise ProblemError(f"part `{part.id}`: a gradient has {grads.shape[1]} values but there "
                           f"are {n} parameters", expected="one gradient value per parameter")
    steps = part.steps if part.steps is not None else grads.shape[0]
    if not every and steps > grads.shape[0]:
        raise ProblemError(f"part `{part.id}`: `steps: {steps}` but `grads` gives "
                           f"{grads.shape[0]}", expected="one gradient per step (or a single "
                           "gradient, used at every step)")
    return optim.Source(grads=grads, every=every), steps


def _quadratic(part: OptimizerStepPart, ctx: Context, names: list[str]) -> optim.Source:
    """The coefficients of a quadratic loss, exact, as its gradient needs them."""
    assert part.loss is not None
    poly = exact.polynomial(part.loss, names, aliases=ctx.aliases)
    if poly is None:
        raise ProblemError(f"part `{part.id}`: `loss: {part.loss}` is not a polynomial in the "
                           f"parameters {', '.join(names)}", expected="a quadratic: numbers, "
                           "the parameters' names, + - * / by numbers, and powers up to 2")
    if any(sum(e) > 2 for e in poly):
        raise ProblemError(f"part `{part.id}`: `loss: {part.loss}` is not a quadratic",
                           expected="a polynomial of degree at most 2 in the parameters")
    n = len(names)
    curvature, slope = np.zeros(n), np.zeros(n)
    coupled: list[tuple[int, int, float]] = []
    for e, c in poly.items():
        on = [i for i, p in enumerate(e) if p]
        if len(on) == 1 and e[on[0]] == 2:
            curvature[on[0]] = 2 * float(c)
        elif len(on) == 1:
            slope[on[0]] = float(c)
        elif len(on) == 2:
            coupled.append((on[0], on[1], float(c)))
    if not coupled:
        return optim.Source(curvature=curvature, slope=slope)
    if n > MAX_COUPLED:
        raise ProblemError(f"part `{part.id}`: a loss that couples {n} parameters",
                           expected=f"at most {MAX_COUPLED} parameters when the loss has "
                           "products of two of them")
    matrix = np.zeros((n, n))
    for i, j, value in coupled:
        matrix[i, j] = matrix[j, i] = value
    return optim.Source(curvature=curvature, slope=slope, coupling=matrix)


ADAPTIVE = ("adagrad", "rmsprop", "adam", "adamw")  # a step divided by √v + ε


def _not_finite(part: OptimizerStepPart, rule: optim.Rule, row: np.ndarray,
                labels: Sequence[str], steps: int) -> ProblemError:
    """Why the truth is not finite: 0/0 (an adaptive step with eps 0 where a parameter's
    gradient is 0 leaves √v = 0 under a zero numerator, as PyTorch's NaN), else an overflow."""
    lost = [label for label, x in zip(labels, row) if np.isnan(x)]
    if lost and rule.optimizer in ADAPTIVE and rule.eps == 0:
        which = ", ".join(f"`{label}`" for label in lost[:3]) + (" ..." if len(lost) > 3 else "")
        return ProblemError(
            f"part `{part.id}`: the step of {which} is 0/0, not a number (eps is 0, and a "
            "gradient of 0 leaves both the step's numerator and √v at 0)",
            expected="an eps above 0 (PyTorch's default is 1e-8), or gradients that are not 0")
    return ProblemError(f"part `{part.id}`: the steps overflow — the {part.of} after step "
                        f"{steps} are not finite", expected="a learning rate and gradients "
                        "that keep the parameters finite")


def _which(part: OptimizerStepPart, names: Sequence[str], n: int) -> tuple[list[int], list[str]]:
    """The positions of the parameters asked about (default: all), and their labels."""
    chosen: list[Any] = (list(range(n)) if part.which is None
                         else part.which if isinstance(part.which, list) else [part.which])
    out, labels = [], []
    for item in chosen:
        if isinstance(item, int) and not isinstance(item, bool):
            index = item
        elif str(item) in names:
            index = list(names).index(str(item))
        else:
            raise ProblemError(f"part `{part.id}`: `which: {item}` names no parameter",
                               expected="a parameter's name, or its index from 0")
        if not 0 <= index < n:
            raise ProblemError(f"part `{part.id}`: `which: {item}` is no parameter's index",
                               expected=f"an index from 0 to {n - 1}")
        out.append(index)
        labels.append(names[index] if names else f"[{index}]")
    return out, labels
