"""Pieces shared by every spec model."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated, Any

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field

if TYPE_CHECKING:  # the specs load without numpy, so `validate` starts fast
    from nncheck import checking

Number = float | int | str  # a number, or an expression that evaluates to one


class Strict(BaseModel):
    """A spec model: unknown keys are errors, values are immutable."""

    model_config = ConfigDict(extra="forbid", frozen=True)


class ToleranceSpec(Strict):
    """`tolerance: {rel, abs}` or `{sigfigs}`; a bare number is `rel`."""

    rel: float | None = Field(default=None, ge=0, allow_inf_nan=False)
    abs: float | None = Field(default=None, ge=0, allow_inf_nan=False)
    sigfigs: int | None = Field(default=None, ge=1, le=15)

    def over(self, base: checking.Tolerance) -> checking.Tolerance:
        """This setting applied on top of a less specific one."""
        from nncheck import checking

        if self.sigfigs is not None:
            return checking.Tolerance(sigfigs=self.sigfigs)
        return checking.Tolerance(
            rel=base.rel if self.rel is None else self.rel,
            abs=base.abs if self.abs is None else self.abs,
        )


def _bare_rel(value: Any) -> Any:
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return {"rel": value}
    return value


Tolerance = Annotated[ToleranceSpec, BeforeValidator(_bare_rel)]


class Hint(Strict):
    """An instructor-written wrong answer with what to say about it (and optional credit)."""

    answer: Any
    say: str
    credit: float = Field(default=0.0, ge=0, le=1, allow_inf_nan=False)


def _as_text(value: Any) -> Any:
    # Ids are often numbers in YAML (`id: 42`, a part `1`); they are names, not quantities.
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return str(value)
    return value


Name = Annotated[str, BeforeValidator(_as_text)]
