"""Optimizers against PyTorch: the cases, and the parameters torch.optim takes them through.

A case is an optimizer of nncheck's `optimizer_step` ask with options named as torch names
its keyword arguments (`lr`, `momentum`, `dampening`, `betas`, `alpha`, `centered`, `eps`,
`weight_decay`, `lr_decay`, `initial_accumulator_value`; an option left out is torch's
default), a start and the gradients: given, one per step (set as `p.grad` before each
`step()`), or those of a quadratic ½wᵀAw + bᵀw that torch differentiates itself (autograd).
Torch's answer is the parameters after every step and the optimizer's state after the last
(`exp_avg`, `exp_avg_sq`, `momentum_buffer`, `square_avg`, `sum`), all float64.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np

# nncheck's optimizer -> torch.optim's class and the keywords that make it so
TORCH = {
    "sgd": ("SGD", {}),
    "momentum": ("SGD", {}),
    "nesterov": ("SGD", {"nesterov": True}),
    "adagrad": ("Adagrad", {}),
    "rmsprop": ("RMSprop", {}),
    "adam": ("Adam", {}),
    "adamw": ("AdamW", {}),
}
STATES = ("exp_avg", "exp_avg_sq", "momentum_buffer", "square_avg", "sum")


@dataclass(frozen=True)
class OptimizerCase:
    """One optimizer, its options, a start and where the gradients come from."""

    id: str
    optimizer: str
    options: dict[str, Any]
    w0: list[float]
    steps: int
    grads: list[list[float]] | None = None  # one per step
    hessian: list[list[float]] | None = None  # or the quadratic ½wᵀAw + bᵀw
    linear: list[float] | None = None
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def data(self) -> dict[str, Any]:
        """What the recorded file shows of the case."""
        out: dict[str, Any] = {"optimizer": self.optimizer, "options": self.options,
                               "w0": self.w0, "steps": self.steps}
        if self.grads is not None:
            out["grads"] = self.grads
        else:
            out["hessian"], out["linear"] = self.hessian, self.linear
        return out

    def loss_text(self, names: list[str]) -> str:
        """The quadratic in nncheck's expression language, over `names`."""
        assert self.hessian is not None and self.linear is not None
        a, b, terms = self.hessian, self.linear, []
        for i, x in enumerate(names):
            terms.append(f"0.5*({a[i][i]!r})*{x}^2")
            terms.extend(f"({a[i][j]!r})*{x}*{names[j]}" for j in range(i + 1, len(names)))
            terms.append(f"({b[i]!r})*{x}")
        return " + ".join(terms)


def answer(torch: Any, case: OptimizerCase) -> dict[str, Any]:
    """The parameters torch.optim reaches after every step, and its final state."""
    name, fixed = TORCH[case.optimizer]
    options = {k: tuple(v) if k == "betas" else v for k, v in case.options.items()}
    w = torch.tensor(case.w0, dtype=torch.float64, requires_grad=True)
    opt = getattr(torch.optim, name)([w], **fixed, **options)
    after = []
    for t in range(case.steps):
        opt.zero_grad()
        if case.grads is not None:
            w.grad = torch.tensor(case.grads[t], dtype=torch.float64)
        else:
            a = torch.tensor(case.hessian, dtype=torch.float64)
            b = torch.tensor(case.linear, dtype=torch.float64)
            (0.5 * w @ a @ w + b @ w).backward()
        opt.step()
        after.append(w.detach().tolist())
    state = opt.state[w]
    return {"params": after,
            "state": {k: state[k].tolist() for k in STATES if k in state
                      and state[k] is not None}}


def _cases() -> list[OptimizerCase]:
    rng = np.random.default_rng(20261130)
    variants: list[tuple[str, dict[str, Any]]] = [
        ("sgd", {"lr": 0.1}),
        ("sgd", {"lr": 0.05, "weight_decay": 0.1}),
        ("sgd", {}),  # torch's default lr
        ("momentum", {"lr": 0.1, "momentum": 0.9}),
        ("momentum", {"lr": 0.01, "momentum": 0.5, "dampening": 0.3, "weight_decay": 0.01}),
        ("nesterov", {"lr": 0.1, "momentum": 0.9}),
        ("nesterov", {"lr": 0.02, "momentum": 0.8, "weight_decay": 0.05}),
        ("adagrad", {"lr": 0.5}),
        ("adagrad", {}),
        ("adagrad", {"lr": 0.1, "lr_decay": 0.1, "initial_accumulator_value": 0.2,
                     "weight_decay": 0.1, "eps": 1e-3}),
        ("rmsprop", {"lr": 0.01}),
        ("rmsprop", {"lr": 0.05, "alpha": 0.9, "momentum": 0.5, "centered": True}),
        ("rmsprop", {"lr": 0.01, "weight_decay": 0.1, "eps": 1e-2}),
        ("adam", {"lr": 0.1}),
        ("adam", {}),
        ("adam", {"lr": 0.01, "betas": [0.8, 0.99], "eps": 1e-3, "weight_decay": 0.1}),
        ("adamw", {"lr": 0.1}),
        ("adamw", {}),
        ("adamw", {"lr": 0.05, "betas": [0.5, 0.9], "weight_decay": 0.3}),
    ]
    out = []
    for k, (optimizer, options) in enumerate(variants):
        for source in ("given", "quadratic"):
            n = int(rng.integers(1, 5))
            steps = int(rng.integers(1, 6))
            w0 = rng.uniform(-2, 2, n).round(3).tolist()
            if source == "given":
                grads = rng.uniform(-3, 3, (steps, n)).round(3).tolist()
                out.append(OptimizerCase(f"{optimizer}-{k:02d}-given", optimizer, options, w0,
                                         steps, grads=grads))
                continue
            # positive definite: a bowl the steps go down
            root = rng.uniform(-1, 1, (n, n)).round(2)
            hessian = (root @ root.T + np.eye(n)).round(3).tolist()
            linear = rng.uniform(-1, 1, n).round(3).tolist()
            out.append(OptimizerCase(f"{optimizer}-{k:02d}-quadratic", optimizer, options, w0,
                                     steps, hessian=hessian, linear=linear))
    return out


CASES = _cases()
