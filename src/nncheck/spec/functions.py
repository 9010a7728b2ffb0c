"""The asks about a Boolean function of named inputs (FORMAT §4.18, §4.19): whether one
threshold unit computes it (`separable`), and the fewest hidden units a two-layer design needs
(`min_units`); and the rules a `realize` design keeps (`weights:`, `max_hidden:`)."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import Field, StrictBool, StrictInt, model_validator

from nncheck.spec.common import KEY, Number, Strict, located
from nncheck.spec.network import MAX_TABLE_INPUTS, name_problem

# min_units is exhaustive: every function of up to 4 inputs, in at most a second or two.
MAX_MIN_UNITS_INPUTS = 4


class WeightRule(Strict):
    """The weights a design may use: listed values (`in: [-1, 0, 1]`), or integers."""

    allowed: list[Number] | None = Field(default=None, alias="in", min_length=1)
    integer: StrictBool = False

    @model_validator(mode="after")
    def _one_rule(self) -> WeightRule:
        if (self.allowed is None) == (not self.integer):
            raise located((), "`weights:` takes `in: [values]` or `integer: true`, one of them")
        return self


class FunctionPart(Strict):
    """A Boolean function of named inputs, as an expression (`target`) or a table (`table`:
    the output on each row, rows in binary counting, the first input most significant)."""

    inputs: list[str] = Field(min_length=1, max_length=MAX_TABLE_INPUTS)
    target: str | None = None
    table: list[StrictInt | StrictBool] | None = None
    domain: Literal["binary", "bipolar"] = "binary"

    @model_validator(mode="after")
    def _check_function(self) -> Any:
        for i, name in enumerate(self.inputs):
            problem = name_problem(name)
            if problem is not None:
                raise located(("inputs", i), problem, name)
        if len(set(self.inputs)) != len(self.inputs):
            raise located(("inputs",), "an input is named twice")
        if (self.target is None) == (self.table is None):
            raise located((), "`target:` (an expression) or `table:` (the outputs, row by row) "
                          "gives the function, one of the two")
        if self.table is not None:
            rows = 1 << len(self.inputs)
            if len(self.table) != rows:
                raise located(("table", KEY), f"{len(self.table)} outputs for {rows} rows — "
                              f"one per row of {len(self.inputs)} inputs, in binary counting")
            for i, v in enumerate(self.table):
                if int(v) not in (0, 1):
                    raise located(("table", i), f"`{v}` is not 0 or 1", v)
        return self


# The part models are these with `PartBase` (spec/parts.py, which imports this module).
SEPARABLE_ACTIVATIONS = Literal["step", "step_strict", "sign"]


class SeparableFields(FunctionPart):
    """`ask: separable`: `no`, or a witness `{w: [...], b: ...}` that realises the function."""

    activation: SEPARABLE_ACTIVATIONS = "step"


class MinUnitsFields(FunctionPart):
    """`ask: min_units`: the fewest hidden threshold units of a two-layer design."""

    @model_validator(mode="after")
    def _few_inputs(self) -> Any:
        if len(self.inputs) > MAX_MIN_UNITS_INPUTS:
            raise located(("inputs",), f"{len(self.inputs)} inputs — `min_units` searches "
                          f"every design exhaustively, for at most {MAX_MIN_UNITS_INPUTS} inputs")
        return self
