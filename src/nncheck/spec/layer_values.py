"""A layer with given weights, as the `layer_output` ask reads it (FORMAT §4.9).

`type` says which layer; each type takes its own keys (a key another type takes is an error
here, not silently ignored). Weights are numbers, vectors or matrices written inline, or the
name of a `given` value. Recurrent weights are named as the framework of `convention:` names
them: PyTorch's `weight_ih`, `weight_hh`, `bias_ih`, `bias_hh` (gates i, f, g, o; r, z, n), or
Keras' `kernel`, `recurrent_kernel`, `bias` (gates i, f, c, o; z, r, h).
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import Field, StrictBool, model_validator

from nncheck.spec.common import KEY, Number, Real, Strict, located
from nncheck.words import listing

Values = str | Number | list[Any]  # a given's name, or the data written inline

LayerType = Literal["rnn", "lstm", "gru", "attention", "multihead_attention", "batchnorm",
                    "layernorm", "dropout"]

_RECURRENT_TORCH = ("weight_ih", "weight_hh", "bias_ih", "bias_hh")
_RECURRENT_KERAS = ("kernel", "recurrent_kernel", "bias")
_RECURRENT = ("convention", *_RECURRENT_TORCH, *_RECURRENT_KERAS, "h0")
_NORM = ("convention", "gamma", "beta", "eps")

KEYS: dict[str, tuple[str, ...]] = {
    "rnn": (*_RECURRENT, "activation"),
    "lstm": (*_RECURRENT, "c0"),
    "gru": (*_RECURRENT, "reset_after"),
    "attention": ("mask", "scale"),
    "multihead_attention": ("num_heads", "in_proj_weight", "in_proj_bias", "out_proj_weight",
                            "out_proj_bias", "mask"),
    "batchnorm": (*_NORM, "momentum", "running_mean", "running_var", "mode"),
    "layernorm": (*_NORM, "mode"),  # the same in both modes
    "dropout": ("rate", "mask", "mode"),
}

# What a part may ask of each type (`of:`), the default first.
OUTPUTS: dict[str, tuple[str, ...]] = {
    "rnn": ("hidden", "output"),
    "lstm": ("hidden", "cell", "output", "cells"),
    "gru": ("hidden", "output"),
    "attention": ("output", "weights", "scores"),
    "multihead_attention": ("output", "weights"),
    "batchnorm": ("output", "running_mean", "running_var", "mean", "var"),
    "layernorm": ("output",),
    "dropout": ("output",),
}

REQUIRED: dict[str, tuple[str, ...]] = {
    "multihead_attention": ("num_heads", "in_proj_weight", "out_proj_weight"),
    "dropout": ("rate",),
}


class LayerValues(Strict):
    """One layer and its given weights."""

    type: LayerType
    convention: Literal["pytorch", "keras"] = "pytorch"
    activation: Literal["tanh", "relu"] = "tanh"
    reset_after: StrictBool | None = None
    weight_ih: Values | None = None
    weight_hh: Values | None = None
    bias_ih: Values | None = None
    bias_hh: Values | None = None
    kernel: Values | None = None
    recurrent_kernel: Values | None = None
    bias: Values | None = None
    h0: Values | None = None
    c0: Values | None = None
    mask: Literal["causal"] | Values | None = None
    scale: Real | None = Field(default=None, gt=0, allow_inf_nan=False)
    num_heads: int | None = Field(default=None, ge=1, le=64)
    in_proj_weight: Values | None = None
    in_proj_bias: Values | None = None
    out_proj_weight: Values | None = None
    out_proj_bias: Values | None = None
    gamma: Values | None = None
    beta: Values | None = None
    eps: Real | None = Field(default=None, ge=0, allow_inf_nan=False)
    momentum: Real | None = Field(default=None, ge=0, le=1)
    running_mean: Values | None = None
    running_var: Values | None = None
    mode: Literal["train", "eval"] = "train"
    rate: Real | None = Field(default=None, ge=0, lt=1)

    @model_validator(mode="after")
    def _check_keys(self) -> LayerValues:
        allowed = {"type", *KEYS[self.type]}
        for key in self.model_fields_set - allowed:
            raise located((key, KEY), f"`{key}` does not apply to `type: {self.type}` — its "
                          f"keys: {listing(sorted(allowed - {'type'}), limit=20)}", key)
        for key in REQUIRED.get(self.type, ()):
            if getattr(self, key) is None:
                raise located((), f"`type: {self.type}` needs `{key}`")
        if self.type in ("rnn", "lstm", "gru"):
            self._check_recurrent()
        return self

    def _check_recurrent(self) -> None:
        own, other = (_RECURRENT_TORCH, _RECURRENT_KERAS) if self.convention == "pytorch" \
            else (_RECURRENT_KERAS, _RECURRENT_TORCH)
        for key in other:
            if key in self.model_fields_set:
                raise located((key, KEY), f"`{key}` is not a weight of `type: {self.type}` under "
                              f"`convention: {self.convention}` — {listing(list(own))}", key)
        need = own[:2]
        for key in need:
            if getattr(self, key) is None:
                raise located((), f"`type: {self.type}` under `convention: "
                              f"{self.convention}` needs `{key}`")
        if self.reset_after is not None and self.convention != "keras":
            raise located(("reset_after", KEY), "`reset_after` is Keras' GRU option — "
                          "PyTorch's GRU always applies the reset gate after the matmul "
                          "(`convention: keras` to choose)", "reset_after")


def check_output(layer: LayerValues, of: str | None) -> str:
    """What a part asks of the layer: `of`, or the type's default (ValueError if unknown)."""
    choices = OUTPUTS[layer.type]
    if of is None:
        return choices[0]
    if of not in choices:
        raise ValueError(f"`of: {of}` is not an output of `type: {layer.type}` — one of "
                         f"{listing(list(choices))}")
    return of
