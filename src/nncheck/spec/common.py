"""Pieces shared by every spec model."""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING, Annotated, Any

from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    SerializerFunctionWrapHandler,
    ValidationError,
    field_validator,
    model_serializer,
    model_validator,
)
from pydantic import Strict as NoCoercion
from pydantic_core import InitErrorDetails, PydanticCustomError

from nncheck import expr, predicate

if TYPE_CHECKING:  # the specs load without numpy, so `validate` starts fast
    from nncheck.compare import tolerance

Number = float | int | str  # a number, or an expression that evaluates to one
# A number written as a number: `true` or `"2"` is not read as one (YAML 1.2, and the schema).
Real = Annotated[float, NoCoercion()]


def empty_list() -> list[Any]:
    """A new empty list: the default of a list field of a spec model.

    Not `list` itself: pydantic reads the signature of a field's default factory when it
    builds a validator, and the signature of a builtin is parsed from its text with the
    tokenizer (whose patterns compile on first use, ~7 ms).
    """
    return []


def empty_dict() -> dict[Any, Any]:
    """A new empty mapping: the default of a mapping field of a spec model (see `empty_list`)."""
    return {}


class Strict(BaseModel):
    """A spec model: unknown keys are errors, values are immutable. Its validator is built
    when it first validates (`defer_build`): a command builds only the models it reads."""

    model_config = ConfigDict(extra="forbid", frozen=True, defer_build=True)


class ToleranceSpec(Strict):
    """`tolerance: {rel, abs}`, `{sigfigs}` or `{rounded: true, min_sigfigs, min_decimals}`;
    a bare number is `rel`."""

    rel: float | None = Field(default=None, ge=0, allow_inf_nan=False)
    abs: float | None = Field(default=None, ge=0, allow_inf_nan=False)
    sigfigs: int | None = Field(default=None, ge=1, le=15)
    rounded: Annotated[bool, NoCoercion()] | None = None
    min_sigfigs: int | None = Field(default=None, ge=1, le=15)
    min_decimals: int | None = Field(default=None, ge=0, le=15)

    @model_serializer(mode="wrap")
    def _leave_out_no_rounding(self, handler: SerializerFunctionWrapHandler) -> Any:
        data = handler(self)  # a tolerance without rounding keeps the content digest it had
        if isinstance(data, dict):
            for key in ("rounded", "min_sigfigs", "min_decimals"):
                if data.get(key) is None:
                    data.pop(key, None)
        return data

    @model_validator(mode="after")
    def _one_mode(self) -> ToleranceSpec:
        rounding = [k for k in ("min_sigfigs", "min_decimals") if getattr(self, k) is not None]
        if self.rounded:
            other = [k for k in ("rel", "abs", "sigfigs") if getattr(self, k) is not None]
            if other:
                raise located((other[0], KEY), f"`{other[0]}` does not apply with "
                              "`rounded: true` — the precision written decides; set "
                              "`min_sigfigs` or `min_decimals`")
        elif rounding:
            raise located((rounding[0], KEY), f"`{rounding[0]}` applies only with "
                          "`rounded: true`")
        return self

    def over(self, base: tolerance.Tolerance) -> tolerance.Tolerance:
        """This setting applied on top of a less specific one."""
        from nncheck.compare import tolerance

        if self.rounded:
            return tolerance.Tolerance(rounded=True, min_sigfigs=self.min_sigfigs,
                                       min_decimals=self.min_decimals)
        if self.sigfigs is not None:
            return tolerance.Tolerance(sigfigs=self.sigfigs)
        return tolerance.Tolerance(
            rel=base.rel if self.rel is None else self.rel,
            abs=base.abs if self.abs is None else self.abs,
        )


def _bare_rel(value: Any) -> Any:
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return {"rel": value}
    return value


Tolerance = Annotated[ToleranceSpec, BeforeValidator(_bare_rel)]


class Hint(Strict):
    """An instructor-written wrong answer, or a predicate over the claim and the truth
    (`when`), with what to say about it (and optional credit)."""

    answer: Any = None
    when: str | None = None
    say: str
    credit: Real = Field(default=0.0, ge=0, le=1, allow_inf_nan=False)

    @model_serializer(mode="wrap")
    def _leave_out_no_predicate(self, handler: SerializerFunctionWrapHandler) -> Any:
        data = handler(self)  # a hint without `when` keeps the content digest it had before
        if isinstance(data, dict) and data.get("when") is None:
            data.pop("when", None)
        return data

    @field_validator("when")
    @classmethod
    def _read_predicate(cls, value: str | None) -> str | None:
        if value is not None:
            predicate.parse(value)
        return value

    @model_validator(mode="after")
    def _answer_or_when(self) -> Hint:
        if ("answer" in self.model_fields_set) == (self.when is not None):
            raise located((), "a hint gives `answer` (a wrong answer) or `when` (a predicate "
                          "over `claim` and `truth`), one of the two")
        return self


class Accept(Strict):
    """Another answer that earns full or stated credit (a keyed alternative convention)."""

    answer: Any
    credit: Real = Field(default=1.0, gt=0, le=1, allow_inf_nan=False)
    say: str | None = None


def _as_text(value: Any) -> Any:
    # Ids are often numbers in YAML (`id: 42`, a part `1`); they are names, not quantities.
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return str(value)
    return value


Name = Annotated[str, BeforeValidator(_as_text)]


Loc = tuple[str | int, ...]
KEY = "[key]"  # last item of a location that means the key, not its value (as pydantic's)


def located(loc: Loc, message: str, value: Any = None) -> ValidationError:
    """A validation error at `loc` (relative to the model whose validator raises it).

    A ValueError raised in a model validator is located at the whole model; this one keeps
    its place, so the loader reports the line and column of the value (or, ending in KEY, of
    the key) it is about. The message is used as written: put the suggestion in it.
    """
    # The message is the template's context, never the template: it may hold braces.
    error = PydanticCustomError("nncheck_spec", "{message}", {"message": message})
    return ValidationError.from_exception_data(
        "nncheck", [InitErrorDetails(type=error, loc=loc, input=value)]
    )


def fold_option(text: str) -> str:
    """An option as a claim is matched to it: case and runs of spacing ignored (`Same  A` is
    `same a`). Two options that fold alike could not be told apart, so a file may not have them."""
    return " ".join(str(text).lower().split())


def refuse_reserved(names: Iterable[str], what: str, why: str) -> None:
    """Refuse a mapping key (an alias, a symbol) that the expression language reads itself."""
    for name in names:
        if expr.is_reserved(name):
            raise located((name, KEY), f"{what} `{name}` {why}", name)
