"""The layer-model format (FORMAT §4.3): framework, input shape, symbols and layer list.

The layer vocabulary is `spec.layers`; how a written layer list is read and `repeat` expanded
is `spec.layer_syntax`. Whether a layer fits its input is the solver's business, since sizes
may be symbols.

This module imports no numpy, so that `nncheck validate` starts fast.
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import Field, PrivateAttr, field_validator, model_validator

from nncheck.spec.common import KEY, Strict, empty_dict, located
from nncheck.spec.layer_syntax import IDENT, build_layers, describe, read_size, symbols_of
from nncheck.spec.layers import VOCABULARY, Layer, is_reserved
from nncheck.spec.parts import Domain

DEFAULT_DOMAIN = (1, 1000)  # an undeclared size symbol is an integer in 1..1000 (FORMAT §4.3)

# --- the model -----------------------------------------------------------------------------------

_LAYERS_SCHEMA: Any = {  # for editor completion (`nncheck schema problem`)
    "items": {
        "anyOf": [
            {"type": "string", "enum": sorted(VOCABULARY)},
            {"type": "object", "description": "`{<type>: <shorthand or args>}`, optional "
             "`name` and `trainable`, or `{repeat: N, layers: [...]}`"},
        ]
    }
}


class ModelSpec(Strict):
    """A layer model: framework conventions, the input shape, and the layer list."""

    kind: Literal["model"] = "model"
    framework: Literal["keras", "pytorch"] = "keras"
    layout: Literal["channels_last", "channels_first"] | None = None
    input: list[int | str] = Field(min_length=1)
    symbols: dict[str, Domain] = Field(default_factory=empty_dict)
    layers: list[Any] = Field(min_length=1, json_schema_extra=_LAYERS_SCHEMA)

    _expanded: tuple[Layer, ...] = PrivateAttr(default=())
    _symbol_names: tuple[str, ...] = PrivateAttr(default=())

    @field_validator("input", mode="before")
    @classmethod
    def _read_input(cls, value: Any) -> Any:
        items = value if isinstance(value, list) else [value]
        out = []
        for i, item in enumerate(items):
            size = read_size(item)
            if size is None:
                raise ValueError(f"input size {i} must be a positive integer or a symbol "
                                 f"(such as n), not {describe(item)}")
            out.append(size)
        return out

    @field_validator("symbols", mode="before")
    @classmethod
    def _read_symbols(cls, value: Any) -> Any:
        if not isinstance(value, dict):
            return value
        # `n: [1, 100]` is short for `n: {integer: [1, 100]}`: model sizes are integers.
        return {k: {"integer": v} if isinstance(v, list) else v for k, v in value.items()}

    @field_validator("symbols")
    @classmethod
    def _check_symbols(cls, value: dict[str, Domain]) -> dict[str, Domain]:
        for name, domain in value.items():
            if not IDENT.match(name) or is_reserved(name):
                raise located((name, KEY), f"symbol `{name}`: a symbol is a name such as n or "
                              "k (letters, digits, _; not a function, constant or keyword)", name)
            if domain.real is not None or domain.integer is None:
                raise located((name,), f"symbol `{name}`: a model size is an integer: "
                              "write `{integer: [lo, hi]}`")
            lo, hi = domain.integer
            if not 1 <= lo <= hi:
                raise located((name,), f"symbol `{name}`: the range [{lo}, {hi}] must satisfy "
                              "1 <= lo <= hi (sizes are positive)")
        return value

    @field_validator("layers")
    @classmethod
    def _check_layers(cls, value: list[Any]) -> list[Any]:
        build_layers(value)  # errors here are located at `layers`; the model keeps the result below
        return value

    @model_validator(mode="after")
    def _expand_layers(self) -> ModelSpec:
        layers = build_layers(self.layers)
        self._expanded = layers
        self._symbol_names = symbols_of(self.input, layers)
        return self

    @property
    def expanded(self) -> tuple[Layer, ...]:
        """Every layer, `repeat` blocks expanded, in order."""
        return self._expanded

    @property
    def symbol_names(self) -> tuple[str, ...]:
        """The symbols the sizes use, in order of first appearance."""
        return self._symbol_names

    @property
    def channels_last(self) -> bool:
        """Whether the channel axis is the last one (Keras' default) or the first (PyTorch's)."""
        if self.layout is not None:
            return self.layout == "channels_last"
        return self.framework == "keras"

    def domain(self, symbol: str) -> tuple[int, int]:
        """The integer range a size symbol is drawn from (1..1000 unless `symbols:` says)."""
        declared = self.symbols.get(symbol)
        if declared is not None and declared.integer is not None:
            return declared.integer
        return DEFAULT_DOMAIN
