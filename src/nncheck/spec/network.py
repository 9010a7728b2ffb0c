"""The neuron-graph network format (FORMAT §3)."""

from __future__ import annotations

import re
from typing import Any, Literal

from pydantic import (
    Field,
    SerializerFunctionWrapHandler,
    field_validator,
    model_serializer,
    model_validator,
)

from nncheck import expr
from nncheck.spec.common import KEY, Loc, Number, Strict, located
from nncheck.spec.wiring import WiringError, unit_sources

# The most inputs a truth table (or a `realize` target) may have: 2^20 rows, about a million,
# is already the largest table a 1 MiB sheet can answer in full; `check` of a wrong answer costs
# about a second and 450 MB (the table and its JSON, 68 MB of it), and 24 inputs would cost
# sixteen times that: over 7 GB, and a JSON table of a gigabyte.
MAX_TABLE_INPUTS = 20

Activation = Literal["step", "step_strict", "sign", "linear", "sigmoid", "tanh", "relu", "softmax"]


class UnitSpec(Strict):
    """One unit: incoming weights (list, by name, or one scalar for all), bias, activation,
    and what it reads when not the whole previous layer (`reads:`, spec/wiring.py)."""

    w: list[Number] | dict[str, Number] | Number | None = None
    b: Number | None = None
    activation: Activation | None = None
    reads: list[str] | None = Field(default=None, min_length=1)

    @model_serializer(mode="wrap")
    def _leave_out_default_reads(self, handler: SerializerFunctionWrapHandler) -> Any:
        # A unit without `reads` keeps the content digest its problem's sample points are
        # seeded by (solvers/seeding.py).
        data = handler(self)
        if isinstance(data, dict) and data.get("reads") is None:
            data.pop("reads", None)
        return data


class LayerSpec(Strict):
    """A layer written `{activation: ..., units: {...} | [names]}`."""

    activation: Activation | None = None
    units: dict[str, UnitSpec | None] | list[str]


NAME = re.compile(r"^[^\W\d_][^\W_]*$")
# Words a network's symbols and layers already use (FORMAT §3): never a unit or input name,
# besides every name the expression language reads as its own (`expr.is_reserved`), but for the
# constants a problem may bind (`e`, `pi`, `inf`): an input `e` wins inside its problem.
NETWORK_WORDS = frozenset({"loss", "units", "activation"})
RESERVED = (expr.RESERVED - expr.BINDABLE) | NETWORK_WORDS  # exact; keywords in any case


def is_reserved(name: str) -> bool:
    """Whether `name` cannot name an input or a unit (`log`, `π`, `AND`, `loss`, ...)."""
    if name in expr.BINDABLE:
        return False
    return expr.is_reserved(name) or name in NETWORK_WORDS


def name_problem(name: str) -> str | None:
    """Why `name` cannot name an input or a unit, or None when it can."""
    if is_reserved(name):
        return f"`{name}` is reserved — choose another name"
    if not NAME.match(name):
        return (
            f"`{name}` is not a valid name — letters and digits, starting with a letter, "
            "no underscores (they separate the parts of `w_<to>_<from>`)"
        )
    return None


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
        """Every name valid, and used once; an error points at the name."""
        seen: dict[str, str] = {}  # name -> what it names, for the message
        for loc, name, what in self._names():
            problem = name_problem(name)
            if problem is not None:
                raise located(loc, problem, name)
            if name in seen:
                raise located(
                    loc,
                    f"`{name}` is used twice, for {seen[name]} and for {what} — names are "
                    "unique within a network",
                    name,
                )
            seen[name] = what
        try:
            unit_sources(self)
        except WiringError as exc:
            raise located(exc.path, str(exc)) from None
        return self

    def _names(self) -> list[tuple[Loc, str, str]]:
        """Every input and unit name with its location (a unit's key, or its list item)."""
        out: list[tuple[Loc, str, str]] = [
            (("inputs", i), name, "an input") for i, name in enumerate(self.inputs)
        ]
        for k, layer in enumerate(self.layers):
            what = f"a unit of layer {k + 1}"
            if isinstance(layer.units, dict):
                out.extend((("layers", k, "units", n, KEY), n, what) for n in layer.units)
            else:
                out.extend((("layers", k, "units", i), n, what) for i, n in enumerate(layer.units))
        return out

    @property
    def units(self) -> list[str]:
        """Every unit name, layer by layer."""
        return [name for layer in self.layers for name in layer.units]


class TemplateSpec(NetworkSpec):
    """A network with free parameters for the student to fill (written inline in a part)."""
