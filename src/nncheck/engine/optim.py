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
from typing import Any

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
                setattr(self, f.name, np.array(values, dtype=float)[:, None])
        # ε inside the root or outside it, as two terms one of which is 0 in every row, and
        # the weight decay split the same way: no branch is computed twice.
        inside = np.array([r.eps_inside for r in rules], dtype=float)[:, None]
        self.eps_in = _one(np.array([r.eps for r in rules])[:, None] * inside)
        self.eps_out = _one(np.array([r.eps for r in rules])[:, None] * (1 - inside))
        decay = np.array([r.weight_decay for r in rules], dtype=float)[:, None]
        on_weights = np.array([r.decoupled for r in rules], dtype=float)[:, None]
        self.decay_weights = _one(decay * on_weights)
        self.decay_gradient = _one(decay * (1 - on_weights))
        # which terms any row has, decided once rather than at every step
        self.any_eps_in = bool(np.any(self.eps_in))
        self.any_eps_out = bool(np.any(self.eps_out))
        self.any_decay_weights = bool(np.any(self.decay_weights))
        self.any_decay_gradient = bool(np.any(self.decay_gradient))
        self.any_centered = bool(np.any(self.centered))
        self.any_momentum = bool(np.any(self.momentum))
        self.corrections: list[tuple[Any, Any]] = []

    def __getattr__(self, name: str) -> np.ndarray:  # for the type checker: set above
        raise AttributeError(name)


def _one(column: np.ndarray) -> Any:
    """A column as one number where every row agrees."""
    return float(column[0, 0]) if np.all(column == column[0, 0]) else column


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
    if step is _adam:
        c.corrections = _corrections(c, steps)
    with np.errstate(all="ignore"):  # a mistaken row may overflow; the truth is checked after
        for t in range(1, steps + 1):
            w, m, v, vel, average = step(c, t, w, m, v, vel, average, gradient)
    # a state every row shares (a given gradient, a first momentum buffer) is one row
    return State(*(np.broadcast_to(a, (rows, w.shape[-1])) for a in (w, m, v, vel)))


_Step = tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray]


def _decayed(c: _Columns, g: np.ndarray, w: np.ndarray) -> np.ndarray:
    return g + c.decay_gradient * w if c.any_decay_gradient else g


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
    return w - c.sign * clr * (g / _root(c, v)), m, v, vel, average


def _root(c: _Columns, square: np.ndarray) -> np.ndarray:
    """√(a + ε) where ε goes inside (a known mistake), else √a + ε."""
    root = np.sqrt(square + c.eps_in) if c.any_eps_in else np.sqrt(square)
    return root + c.eps_out if c.any_eps_out else root


def _rmsprop(c: _Columns, t: int, w: np.ndarray, m: np.ndarray, v: np.ndarray,
             vel: np.ndarray, average: np.ndarray, gradient: Gradient) -> _Step:
    g = _decayed(c, gradient(w, t), w)
    v = v * c.alpha + (1 - c.alpha) * (g * g)
    if c.any_centered:
        average = average + (1 - c.alpha) * (g - average)
        square = _where(c.centered, lambda: v - average * average, lambda: v)
    else:
        square = v
    avg = _root(c, square)
    if c.any_momentum:
        vel = vel * c.momentum + g / avg
        return w - c.sign * c.lr * vel, m, v, vel, average
    return w - c.sign * c.lr * (g / avg), m, v, vel, average


def _adam(c: _Columns, t: int, w: np.ndarray, m: np.ndarray, v: np.ndarray, vel: np.ndarray,
          average: np.ndarray, gradient: Gradient) -> _Step:
    g = gradient(w, t)
    if c.any_decay_weights:  # AdamW: the weights decay first
        w = w * (1 - c.lr * c.decay_weights)
    if c.any_decay_gradient:  # Adam: L2, added to the gradient
        g = g + c.decay_gradient * w
    m = m + (1 - c.beta1) * (g - m)  # torch's lerp
    v = v * c.beta2 + (1 - c.beta2) * (g * g)
    bc1, bc2 = c.corrections[t]
    # torch's order, √v / √(1 − β₂ᵗ) + ε, unless a row takes ε inside the root
    denom = _root(c, v / bc2) if c.any_eps_in else np.sqrt(v) / np.sqrt(bc2) + c.eps_out
    return w - c.sign * (c.lr / bc1) * (m / denom), m, v, vel, average


def _corrections(c: _Columns, steps: int) -> list[tuple[Any, Any]]:
    """Adam's bias corrections 1 − β₁ᵗ and 1 − β₂ᵗ of every step, computed once (index t)."""
    return [(_correction(c.beta1, t + c.step_offset, c.bias_correction),
             _correction(c.beta2, t + c.step_offset, c.bias_correction))
            for t in range(steps + 1)]


def _correction(beta: Any, n: Any, on: Any) -> Any:
    """1 − βⁿ where bias correction is on, else 1; at n = 0 (the first step counted from 0)
    no correction, 1, rather than 0."""
    if not isinstance(beta, np.ndarray) and not isinstance(n, np.ndarray) \
            and not isinstance(on, np.ndarray):
        return 1 - beta ** n if on and n >= 1 else 1.0
    return np.where((np.asarray(on) != 0) & (np.asarray(n) >= 1), 1 - beta ** np.asarray(n),
                    1.0)


@dataclass(frozen=True)
class Source:
    """Where the gradients come from: given, one row per step (or a single row, the gradient
    of every step), or the coefficients of a quadratic ½Σ a_i w_i² + Σ_{i<j} c_ij w_i w_j +
    Σ b_i w_i: its gradient a·w + b, plus C·w where parameters are coupled (C symmetric)."""

    grads: np.ndarray | None = None  # (steps, n), or (1, n) with `every`
    every: bool = False
    curvature: np.ndarray | None = None
    slope: np.ndarray | None = None
    coupling: np.ndarray | None = None

    @property
    def separable(self) -> bool:
        """Whether each parameter's steps depend on that parameter alone."""
        return self.coupling is None

    def columns(self, picked: Sequence[int]) -> Source:
        """The gradients of some parameters only (of a separable source)."""
        assert self.separable
        cut = [None if a is None else a[..., list(picked)]
               for a in (self.grads, self.curvature, self.slope)]
        return Source(cut[0], self.every, cut[1], cut[2])

    def gradient(self) -> Gradient:
        """The gradient at the parameters of every row, at step t (from 1)."""
        grads, a, b, coupling = self.grads, self.curvature, self.slope, self.coupling
        if grads is not None:
            return (lambda w, t: grads[0]) if self.every else (lambda w, t: grads[t - 1])
        assert a is not None and b is not None
        if coupling is None:
            return lambda w, t: a * w + b
        return lambda w, t: a * w + b + w @ coupling
