"""The neuron-graph network format (FORMAT §3)."""

from __future__ import annotations

import re
from typing import Any, Literal

from pydantic import Field, field_validator, model_validator

from nncheck.spec.common import Number, Strict

# The most inputs a truth table (or a `realize` target) may have: 2^20 rows, about a million,
# is already the largest table a 1 MiB sheet can answer in full, and costs about a gigabyte and
# seconds to grade and report (every row is in the JSON); 24 inputs would cost sixteen times that.
MAX_TABLE_INPUTS = 20

Activation = Literal["step", "step_strict", "sign", "linear", "sigmoid", "tanh", "relu", "softmax"]


class UnitSpec(Strict):
    """One unit: incoming weights (list, by name, or one scalar for all), bias, activation."""

    w: list[Number] | dict[str, Number] | Number | None = None
    b: Number | None = None
    activation: Activation | None = None


class LayerSpec(Strict):
    """A layer written `{activation: ..., units: {...} | [names]}`."""

    activation: Activation | None = None
    units: dict[str, UnitSpec | None] | list[str]


NAME = re.compile(r"^[^\W\d_][^\W_]*$")
# Names the expression language owns (FORMAT §3, §6): never a unit or input name.
RESERVED = frozenset({
    "e", "pi", "inf", "log", "ln", "log2", "log10", "exp", "sqrt", "abs", "sigmoid", "σ",
    "tanh", "relu", "min", "max", "and", "or", "not", "xor", "loss", "units", "activation",
})


def normalize_layer(layer: Any) -> Any:
    """Every written form of a layer as `{activation?, units}`."""
    if isinstance(layer, list):
        return {"units": layer}
    if isinstance(layer, dict) and "units" not in layer:
        units = {k: v for k, v in layer.items() if k != "activation"}
        out: dict[str, Any] = {"units": units}
        if "activation" in layer:
            out["activation"] = layer["activation"]
        return out
    return layer


class NetworkSpec(Strict):
    """A given network: inputs, a default activation, and layers of units."""

    kind: Literal["network"] = "network"
    inputs: list[str] = Field(min_length=1)
    activation: Activation | None = None
    layers: list[LayerSpec] = Field(min_length=1)

    @field_validator("layers", mode="before")
    @classmethod
    def _normalize(cls, value: Any) -> Any:
        return [normalize_layer(x) for x in value] if isinstance(value, list) else value

    @model_validator(mode="after")
    def _check_names(self) -> NetworkSpec:
        seen: set[str] = set()
        names = list(self.inputs)
        for layer in self.layers:
            names.extend(layer.units)
        for name in names:
            if not NAME.match(name):
                raise ValueError(
                    f"`{name}` is not a valid name — letters and digits, starting with a letter, "
                    "no underscores (they separate the parts of `w_<to>_<from>`)"
                )
            if name in RESERVED:
                raise ValueError(f"`{name}` is reserved — choose another name")
            if name in seen:
                raise ValueError(f"`{name}` is used twice — names are unique within a network")
            seen.add(name)
        return self

    @property
    def units(self) -> list[str]:
        """Every unit name, layer by layer."""
        return [name for layer in self.layers for name in layer.units]


class TemplateSpec(NetworkSpec):
    """A network with free parameters for the student to fill (written inline in a part)."""
