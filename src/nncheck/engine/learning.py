"""Learning rules of a single unit, one example at a time, in the order given.

- perceptron (Rosenblatt): y = step(w·x − θ) — `high` above 0, `low` below, and the
  problem's `at_zero` at 0 (θ a fixed threshold, 0 unless given) — then w ← w + η(t − y)x,
  which changes w only on a mistake;
- delta rule (LMS, Widrow–Hoff): y = w·x, w ← w + η(t − y)x on every example;
- Hebb's rule (supervised, as in Fausett's Hebb net): w ← w + η·t·x on every example.

x holds the bias input at the bias weight's place. The perceptron runs on exact rationals
when every number is one (a unit's w·x = 0 is then decided as written, as `threshold.py`
does), else on floats; the other rules on floats. A `Rule` also carries the switches of the
known mistakes, so a mistake is the same loop with one rule changed.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from fractions import Fraction
from typing import Literal

Num = Fraction | float


@dataclass(frozen=True)
class Rule:
    """A learning rule and its conventions, and the switches of the known mistakes."""

    kind: Literal["perceptron", "delta", "hebb"]
    lr: Num
    high: int = 1  # the perceptron's outputs
    low: int = 0
    at_zero: int = 1
    threshold: Num = 0  # a fixed θ the perceptron's net input is compared with (not learned)
    threshold_output: bool = False  # the delta rule's error taken of step(w·x)
    # Switches of known mistakes.
    update_correct: bool = False  # the perceptron updates on a correct example too
    swapped: bool = False  # the error as y − t
    no_bias: bool | None = None  # the bias input taken as 0 (None: there is no bias input)


@dataclass(frozen=True)
class Run:
    """What a run of the rule did: the weights after the last presentation, the number of
    updates (presentations with an error) and of passes over the data, and whether the last
    pass was free of errors."""

    weights: list[Num]
    updates: int
    epochs: int
    converged: bool


def output(rule: Rule, z: Num) -> Num:
    """The unit's output for the net input z."""
    if rule.kind == "hebb" or (rule.kind == "delta" and not rule.threshold_output):
        return z
    z = z - rule.threshold
    return rule.high if z > 0 else rule.low if z < 0 else rule.at_zero


def train(rule: Rule, rows: Sequence[Sequence[Num]], targets: Sequence[Num],
          weights: Sequence[Num], *, presentations: int | None = None,
          max_epochs: int | None = None, bias_at: int | None = None) -> Run:
    """Present the rows in order, cycling: `presentations` of them, or (with `max_epochs`)
    whole passes until one is free of errors or the bound is reached."""
    w = list(weights)
    if rule.no_bias and bias_at is not None:
        rows = [[0 if i == bias_at else x for i, x in enumerate(row)] for row in rows]
    n = len(rows)
    updates = epochs = 0
    changed_this_pass = False
    count = 0
    while True:
        if presentations is not None and count >= presentations:
            break
        k = count % n
        if k == 0:
            if max_epochs is not None and count and not changed_this_pass:
                return Run(w, updates, epochs, True)
            if max_epochs is not None and epochs >= max_epochs:
                return Run(w, updates, epochs, False)
            epochs += 1
            changed_this_pass = False
        x, t = rows[k], targets[k]
        delta = _delta(rule, w, x, t)
        if delta:  # an error (or Hebb's update): counted even where x = 0 changes nothing
            w = [wi + delta * xi for wi, xi in zip(w, x)]
            updates += 1
            changed_this_pass = True
        count += 1
    return Run(w, updates, epochs, False)


def _delta(rule: Rule, w: Sequence[Num], x: Sequence[Num], t: Num) -> Num:
    """η times the error of one example (what multiplies x in the update)."""
    if rule.kind == "hebb":
        return rule.lr * t
    y = output(rule, sum((wi * xi for wi, xi in zip(w, x)), start=0 * rule.lr))
    if rule.kind == "perceptron" and rule.update_correct and y == t:
        y = rule.low if t == rule.high else rule.high  # updated as though it were wrong
    error = y - t if rule.swapped else t - y
    return rule.lr * error
