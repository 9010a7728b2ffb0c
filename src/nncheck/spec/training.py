"""The asks of training: an optimizer's steps, and the learning rules of single units
(FORMAT §4.13–4.15).

Every option defaults to what `torch.optim` does, and an option the chosen optimizer does not
read is an error, not silently ignored. The numerics are in `engine/optim.py` and
`engine/learning.py`.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import Field, StrictBool, StrictInt, model_validator

from nncheck.spec.common import KEY, Name, Number, located
from nncheck.spec.part_base import NumericPart

Values = str | Number | list[Any]  # a given's name, or the data written inline (as parts.py)
Rate = Annotated[float, Field(ge=0, le=1e6, allow_inf_nan=False, strict=True)]
Factor = Annotated[float, Field(ge=0, lt=1, strict=True)]

MAX_STEPS = 10_000  # steps of one optimizer part
MAX_EPOCHS = 10_000  # passes over the data of one learning-rule part
MAX_PRESENTATIONS = 1_000_000

OPTIMIZERS = ("sgd", "momentum", "nesterov", "adagrad", "rmsprop", "adam", "adamw")
Optimizer = Literal["sgd", "momentum", "nesterov", "adagrad", "rmsprop", "adam", "adamw"]

# The optimizers that read each option (an option given to another one is an error).
OPTION_OF: dict[str, tuple[str, ...]] = {
    "momentum": ("momentum", "nesterov", "rmsprop"),
    "dampening": ("momentum",),
    "convention": ("momentum", "nesterov"),
    "betas": ("adam", "adamw"),
    "bias_correction": ("adam", "adamw"),
    "alpha": ("rmsprop",),
    "centered": ("rmsprop",),
    "eps": ("adagrad", "rmsprop", "adam", "adamw"),
    "lr_decay": ("adagrad",),
    "initial_accumulator_value": ("adagrad",),
}
# The state each `of:` names, and the optimizers that keep it.
STATE_OF: dict[str, tuple[str, ...]] = {
    "params": OPTIMIZERS,
    "m": ("adam", "adamw"),
    "v": ("adagrad", "rmsprop", "adam", "adamw"),
    "velocity": ("momentum", "nesterov", "rmsprop"),
}


class OptimizerStepPart(NumericPart):
    """The parameters (or a state) of an optimizer after some steps."""

    ask: Literal["optimizer_step"]
    optimizer: Optimizer
    params: dict[Name, Number] | Values
    grads: Values | None = None  # one gradient per step
    loss: str | None = None  # or a quadratic in the names of `params`
    steps: StrictInt | None = Field(default=None, ge=1, le=MAX_STEPS)
    of: Literal["params", "m", "v", "velocity"] = "params"
    which: StrictInt | Name | list[StrictInt | Name] | None = None  # a name, or an index from 0
    lr: Rate | None = None  # default: torch's, per optimizer
    momentum: Factor | None = None
    dampening: Factor = 0.0
    convention: Literal["pytorch", "classic"] = "pytorch"
    betas: tuple[Factor, Factor] = (0.9, 0.999)
    bias_correction: StrictBool = True
    alpha: Factor = 0.99
    centered: StrictBool = False
    eps: Rate | None = None  # default: torch's, per optimizer
    weight_decay: Rate | None = None  # default: torch's (0, and 0.01 for AdamW)
    lr_decay: Rate = 0.0
    initial_accumulator_value: Rate = 0.0

    @model_validator(mode="after")
    def _check_options(self) -> OptimizerStepPart:
        for key, users in OPTION_OF.items():
            if key in self.model_fields_set and self.optimizer not in users:
                raise located((key, KEY), f"`{key}` does not apply to `optimizer: "
                              f"{self.optimizer}` — it is read by {_names(users)}")
        if self.optimizer in ("momentum", "nesterov") and not self.momentum:
            raise located(("optimizer",), f"`optimizer: {self.optimizer}` needs `momentum:` "
                          "— the factor μ in (0, 1), e.g. 0.9", self.optimizer)
        keeps = STATE_OF[self.of]
        if self.optimizer not in keeps or (self.of == "velocity" and not self.momentum):
            raise located(("of",), f"`optimizer: {self.optimizer}` keeps no `{self.of}` — "
                          f"`of: {self.of}` is the state of {_names(keeps)}"
                          + (" (RMSprop with `momentum:`)" if self.of == "velocity" else ""),
                          self.of)
        if self.optimizer == "nesterov" and self.dampening:
            raise located(("dampening",), "Nesterov momentum takes no dampening (as in torch)")
        if (self.grads is None) == (self.loss is None):
            found = "both" if self.grads is not None else "neither"
            raise located((), f"`grads:` (one gradient per step) or `loss:` (a quadratic in the "
                          f"parameters' names) says where the gradients come from, found {found}")
        if self.loss is not None:
            if not isinstance(self.params, dict):
                raise located(("params",), "with `loss:`, `params:` names each parameter: "
                              "`{w1: 1.0, w2: -2.0}`", self.params)
            if self.steps is None:
                raise located(("loss", KEY), "with `loss:`, `steps:` says how many steps to "
                              "take — a whole number from 1")
        return self


def _names(asks: tuple[str, ...]) -> str:
    return ", ".join(f"`{a}`" for a in asks)


class LearningRuleBase(NumericPart):
    """A single unit trained example by example: the data, the start and the rate."""

    inputs: Values  # one row per example, presented in this order
    targets: Values
    weights: Values | None = None  # the initial weights, bias included; default zeros
    bias: Literal["first", "last", "none"] = "first"  # where the bias weight is in `weights`
    bias_input: Number = 1
    lr: Rate = 1.0
    after: StrictInt | None = Field(default=None, ge=0, le=MAX_PRESENTATIONS)
    epochs: StrictInt | None = Field(default=None, ge=0, le=MAX_EPOCHS)

    def _check_when(self, *others: str) -> None:
        given = [k for k in ("after", "epochs", *others) if getattr(self, k) is not None]
        if len(given) != 1:
            found = " and ".join(f"`{k}`" for k in given) if given else "none of them"
            keys = ", ".join(f"`{k}`" for k in ("after", "epochs", *others))
            raise located((), f"one of {keys} says what is asked, found {found}")


class PerceptronPart(LearningRuleBase):
    """Rosenblatt's perceptron rule: the weights after some presentations or epochs, or the
    number of epochs it takes to converge."""

    ask: Literal["perceptron"]
    labels: Literal["binary", "bipolar"] = "binary"
    at_zero: Literal[-1, 0, 1] = 1  # the output where w·x = θ
    threshold: Number = 0  # a fixed θ (not learned): the unit compares w·x with it
    # the passes until one without an error (that one included, or not), or the updates made
    count: Literal["epochs", "epochs_with_updates", "updates"] | None = None
    max_epochs: StrictInt = Field(default=100, ge=1, le=MAX_EPOCHS)

    @model_validator(mode="after")
    def _check_part(self) -> PerceptronPart:
        self._check_when("count")
        if "max_epochs" in self.model_fields_set and self.count is None:
            raise located(("max_epochs", KEY), "`max_epochs` bounds the passes of `count:` — "
                          "without it the part asks for no count")
        if self.labels == "binary" and self.at_zero == -1:
            raise located(("at_zero",), "`at_zero: -1` is no output of a binary unit — 0 or 1 "
                          "(or `labels: bipolar`)", self.at_zero)
        return self


class LearningRulePart(LearningRuleBase):
    """The delta rule (LMS, Widrow–Hoff) of a linear unit, or Hebb's rule: the weights after
    some presentations or epochs."""

    ask: Literal["learning_rule"]
    rule: Literal["delta", "hebb"]

    @model_validator(mode="after")
    def _check_part(self) -> LearningRulePart:
        self._check_when()
        return self
