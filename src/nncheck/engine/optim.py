"""Optimizers as `torch.optim` computes them, every variant of a rule run at once.

A `Rule` holds an optimizer's hyper-parameters and the few switches a known mistake changes
(the sign of the update, ε inside the square root, the bias correction left out or counted
from step 0, the weight decay on the gradient or on the weights, the momentum convention).
`run` steps several rules side by side, one row of the state each: the truth is row 0, and a
mistake is the same loop with one rule changed, so its answer is what a student who made it
would have computed, step after step.

The formulas follow torch 2.x's single-tensor implementations, in their order of operations:

- SGD: g ← g + λw; with momentum μ, b ← g at the first step, then b ← μb + (1 − τ)g
  (dampening τ); Nesterov: g ← g + μb, else g ← b; w ← w − ηg. The classic convention keeps
  v ← μv − ηg, w ← w + v (Nesterov: the gradient taken at the look-ahead point w + μv).
- Adagrad: g ← g + λw; s ← s + g²; w ← w − η/(1 + (t − 1)·decay) · g / (√s + ε).
- RMSprop: g ← g + λw; a ← αa + (1 − α)g²; centered: ā ← αā + (1 − α)g, d = √(a − ā²) + ε,
  else d = √a + ε; with momentum b ← μb + g/d, w ← w − ηb, else w ← w − ηg/d.
- Adam: g ← g + λw (AdamW instead w ← w(1 − ηλ)); m ← βm + (1 − β)g (β₁); v ← β₂v + (1 − β₂)g²;
  w ← w − η/(1 − β₁ᵗ) · m / (√v / √(1 − β₂ᵗ) + ε).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, fields

import numpy as np

# torch.optim's defaults: the learning rate, ε and the weight decay of each optimizer.
DEFAULT_LR = {"sgd": 1e-3, "momentum": 1e-3, "nesterov": 1e-3, "adagrad": 1e-2,
              "rmsprop": 1e-2, "adam": 1e-3, "adamw": 1e-3}
DEFAULT_EPS = {"adagrad": 1e-10, "rmsprop": 1e-8, "adam": 1e-8, "adamw": 1e-8}
DEFAULT_WEIGHT_DECAY = {"adamw": 1e-2}

# A gradient at the parameters of every row, at step t (from 1).
Gradient = Callable[[np.ndarray, int], np.ndarray]


@dataclass(frozen=True)
class Rule:
    """One optimizer's hyper-parameters, and the switches a known mistake changes."""

    optimizer: str
    lr: float
    momentum: float = 0.0
    dampening: float = 0.0
    classic: bool = False  # momentum as v ← μv − ηg, w ← w + v
    beta1: float = 0.9
    beta2: float = 0.999
    bias_correction: bool = True
    alpha: float = 0.99
    centered: bool = False
    eps: float = 0.0
    weight_decay: float = 0.0
    decoupled: bool = False  # the decay applied to the weights (AdamW), not the gradient
    lr_decay: float = 0.0
    initial_accumulator_value: float = 0.0
    # Switches of known mistakes.
    sign: float = 1.0  # -1: the update added instead of subtracted
    eps_inside: bool = False  # √(v + ε) instead of √v + ε
    step_offset: int = 0  # -1: the bias corrections count the steps from 0 (the first none)


@dataclass(frozen=True)
class State:
    """Where every row is after the steps: parameters and the optimizer's state, (rows, n)."""

    params: np.ndarray
    m: np.ndarray  # Adam's first moment (not bias-corrected)
    v: np.ndarray  # Adam's second moment, RMSprop's square average, Adagrad's sum
    velocity: np.ndarray  # the momentum buffer


class _Columns:
    """The rules' fields side by side: a number where every row agrees, else a column."""

    def __init__(self, rules: Sequence[Rule]):
        for f in fields(Rule):
            values = [getattr(r, f.name) for r in rules]
            if all(v == values[0] for v in values):
                setattr(self, f.name, values[0])
            elif isinstance(values[0], str):
                raise ValueError(f"rules of one run differ in {f.name}")
            else:
                setattr(self, f.name, np.array(values)[:, None])

    def __getattr__(self, name: str) -> np.ndarray:  # for the type checker: set above
        raise AttributeError(name)


def _where(flag: bool | np.ndarray, yes: Callable[[], np.ndarray],
           no: Callable[[], np.ndarray]) -> np.ndarray:
    """`yes()` where the flag holds, `no()` elsewhere (only the branch needed is computed)."""
    if isinstance(flag, np.ndarray):
        return np.where(flag, yes(), no())
    return yes() if flag else no()


def run(rules: Sequence[Rule], w0: np.ndarray, gradient: Gradient, steps: int) -> State:
    """Take `steps` steps of every rule from the parameters `w0` (a vector)."""
    c = _Columns(rules)
    rows = len(rules)
    w = np.tile(np.asarray(w0, dtype=float), (rows, 1))
    m = np.zeros_like(w)
    v = np.full_like(w, float(c.initial_accumulator_value))
    vel = np.zeros_like(w)
    average = np.zeros_like(w)  # RMSprop's centered gradient average
    step = {"sgd": _sgd, "momentum": _sgd, "nesterov": _sgd, "adagrad": _adagrad,
            "rmsprop": _rmsprop, "adam": _adam, "adamw": _adam}[rules[0].optimizer]
    def each_row(w: np.ndarray, t: int) -> np.ndarray:
        return np.broadcast_to(gradient(w, t), w.shape)

    with np.errstate(all="ignore"):  # a mistaken row may overflow; the truth is checked after
        for t in range(1, steps + 1):
            w, m, v, vel, average = step(c, t, w, m, v, vel, average, each_row)
    return State(w, m, v, vel)


_Step = tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray]


def _decayed(c: _Columns, g: np.ndarray, w: np.ndarray) -> np.ndarray:
    return g + c.weight_decay * w if np.any(c.weight_decay) else g


def _sgd(c: _Columns, t: int, w: np.ndarray, m: np.ndarray, v: np.ndarray, vel: np.ndarray,
         average: np.ndarray, gradient: Gradient) -> _Step:
    nesterov = c.optimizer == "nesterov"
    if c.optimizer == "sgd":
        return w - c.sign * c.lr * _decayed(c, gradient(w, t), w), m, v, vel, average
    at = _where(c.classic, lambda: w + c.momentum * vel, lambda: w) if nesterov else w
    g = _decayed(c, gradient(at, t), at)

    def torch_step() -> np.ndarray:
        return g if t == 1 else vel * c.momentum + (1 - c.dampening) * g

    new = _where(c.classic, lambda: c.momentum * vel - c.lr * g, torch_step)

    def torch_update() -> np.ndarray:
        return -c.lr * (g + c.momentum * new if nesterov else new)

    delta = _where(c.classic, lambda: new, torch_update)
    return w + c.sign * delta, m, v, new, average


def _adagrad(c: _Columns, t: int, w: np.ndarray, m: np.ndarray, v: np.ndarray,
             vel: np.ndarray, average: np.ndarray, gradient: Gradient) -> _Step:
    g = _decayed(c, gradient(w, t), w)
    clr = c.lr / (1 + (t - 1) * c.lr_decay)
    v = v + g * g
    std = _where(c.eps_inside, lambda: np.sqrt(v + c.eps), lambda: np.sqrt(v) + c.eps)
    return w - c.sign * clr * (g / std), m, v, vel, average


def _rmsprop(c: _Columns, t: int, w: np.ndarray, m: np.ndarray, v: np.ndarray,
             vel: np.ndarray, average: np.ndarray, gradient: Gradient) -> _Step:
    g = _decayed(c, gradient(w, t), w)
    v = v * c.alpha + (1 - c.alpha) * (g * g)
    if np.any(c.centered):
        average = average + (1 - c.alpha) * (g - average)
        square = _where(c.centered, lambda: v - average * average, lambda: v)
    else:
        square = v
    avg = _where(c.eps_inside, lambda: np.sqrt(square + c.eps), lambda: np.sqrt(square) + c.eps)
    if np.any(c.momentum):
        vel = vel * c.momentum + g / avg
        return w - c.sign * c.lr * vel, m, v, vel, average
    return w - c.sign * c.lr * (g / avg), m, v, vel, average


def _adam(c: _Columns, t: int, w: np.ndarray, m: np.ndarray, v: np.ndarray, vel: np.ndarray,
          average: np.ndarray, gradient: Gradient) -> _Step:
    g = gradient(w, t)
    if np.any(c.weight_decay):
        decay = c.weight_decay
        w = _where(c.decoupled, lambda: w * (1 - c.lr * decay), lambda: w)
        g = _where(c.decoupled, lambda: g, lambda: g + decay * w)
    m = m + (1 - c.beta1) * (g - m)  # torch's lerp
    v = v * c.beta2 + (1 - c.beta2) * (g * g)
    n = t + c.step_offset
    bc1 = _where(c.bias_correction, lambda: _correction(c.beta1, n), lambda: np.float64(1.0))
    bc2 = _where(c.bias_correction, lambda: _correction(c.beta2, n), lambda: np.float64(1.0))
    root = np.sqrt(v) / np.sqrt(bc2)
    denom = _where(c.eps_inside, lambda: np.sqrt(v / bc2 + c.eps), lambda: root + c.eps)
    return w - c.sign * (c.lr / bc1) * (m / denom), m, v, vel, average


def _correction(beta: np.ndarray, n: np.ndarray) -> np.ndarray:
    """1 − βⁿ; at n = 0 (the first step, counted from 0) no correction, 1, rather than 0."""
    return np.where(np.asarray(n) >= 1, 1 - beta ** n, 1.0)


def given_gradients(grads: np.ndarray) -> Gradient:
    """The gradient of step t from a list, one row per step (the parameters do not matter)."""
    return lambda w, t: grads[t - 1]


def quadratic_gradient(curvature: np.ndarray, slope: np.ndarray,
                       coupling: np.ndarray | None) -> Gradient:
    """The gradient of ½Σ a_i w_i² + Σ_{i<j} c_ij w_i w_j + Σ b_i w_i (+ a constant):
    a·w + b, plus C·w where the parameters are coupled (C symmetric, zero diagonal)."""
    if coupling is None:
        return lambda w, t: curvature * w + slope
    return lambda w, t: curvature * w + slope + w @ coupling
