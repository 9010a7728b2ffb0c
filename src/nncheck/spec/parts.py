"""One model per ask; `ask` is the discriminator that validation and dispatch share."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import AfterValidator, Field

from nncheck.spec.common import Hint, Name, Number, Strict, Tolerance
from nncheck.spec.network import TemplateSpec

Ref = str  # a key of `given`, or `answer.<part-id>`
ANSWER_PREFIX = "answer."  # a reference to the student's own answer to an earlier part
Values = str | Number | list[Any]  # a given's name, or the data written inline


# Points beyond this are a typo; the bound also keeps every sum of points a finite float.
MAX_POINTS = 1_000_000


class PartBase(Strict):
    """What every part has."""

    id: Name = Field(min_length=1)
    points: float = Field(default=1.0, ge=0, le=MAX_POINTS, allow_inf_nan=False)
    tolerance: Tolerance | None = None
    partial: bool = False
    hints: list[Hint] = Field(default_factory=list)
    solution: Any = None
    text: str | None = None
    title: str | None = None


class TruthTablePart(PartBase):
    """The truth table of a network over every input row."""

    ask: Literal["truth_table"]
    network: Ref
    columns: list[str] | None = None
    domain: Literal["binary", "bipolar"] = "binary"
    rows: Literal["all", "listed"] = "all"


class RealizePart(PartBase):
    """Design a network (filling a template) that computes a boolean function."""

    ask: Literal["realize"]
    template: Ref | TemplateSpec
    target: str
    domain: Literal["binary", "bipolar"] = "binary"


class ForwardPart(PartBase):
    """Values inside a network for one input."""

    ask: Literal["forward"]
    network: Ref
    input: dict[str, Number]
    of: str | list[str] | None = None


class ParamCountPart(PartBase):
    """How many parameters a layer model (or one of its layers) has."""

    ask: Literal["param_count"]
    model: Ref
    count: Literal["total", "trainable", "non_trainable"] = "total"
    layer: int | str | None = None


class OutputShapePart(PartBase):
    """The output shape of a layer model (or one of its layers), batch excluded."""

    ask: Literal["output_shape"]
    model: Ref
    layer: int | str | None = None


LossFn = Literal[
    "cross_entropy", "binary_cross_entropy", "mse", "mae", "hinge",
    "multiclass_hinge", "categorical_hinge", "kl_divergence",
]
LogBase = Literal["e", 2, 10, "2", "10"]


class LossPart(PartBase):
    """A loss of predictions (or logits) against targets."""

    ask: Literal["loss"]
    fn: LossFn
    y_true: Values
    y_pred: Values | None = None
    logits: Values | None = None
    reduction: Literal["sum", "mean"] | None = None
    log: LogBase = "e"


class LossSpec(Strict):
    """The loss a gradient is taken of."""

    fn: LossFn
    y_true: Values
    reduction: Literal["sum", "mean"] | None = None
    log: LogBase = "e"


class GradientPart(PartBase):
    """A derivative of an output or of a loss, by backpropagation."""

    ask: Literal["gradient"]
    network: Ref
    input: dict[str, Number]
    of: str | None = None
    loss: LossSpec | None = None
    wrt: str | list[str]
    form: Literal["value", "formula"] = "value"


class EquivalentPart(PartBase):
    """Fill a template so that it computes the same as a reference network's output."""

    ask: Literal["equivalent"]
    network: Ref
    output: str | None = None
    template: Ref | TemplateSpec


# A symbol's values are drawn by numpy (int64, or a float uniform whose width must be finite)
# and compared as float64: the bounds keep every draw exact and finite.
MAX_INTEGER_SYMBOL = 2**53
MAX_REAL_SYMBOL = 1e300


def _integer_bound(value: int) -> int:
    if abs(value) > MAX_INTEGER_SYMBOL:
        raise ValueError(f"a symbol's bound must lie within ±2^53, found {value:.3g}")
    return value


def _real_bound(value: float) -> float:
    if not abs(value) <= MAX_REAL_SYMBOL:  # also refuses nan
        raise ValueError(f"a symbol's bound must lie within ±1e300, found {value:g}")
    return value


IntegerBound = Annotated[int, AfterValidator(_integer_bound)]
RealBound = Annotated[float, AfterValidator(_real_bound)]


class Domain(Strict):
    """Where a formula's symbol is drawn from."""

    integer: tuple[IntegerBound, IntegerBound] | None = None
    real: tuple[RealBound, RealBound] | None = None


class FormulaPart(PartBase):
    """An identity in declared symbols, checked at random points."""

    ask: Literal["formula"]
    reference: Number
    symbols: dict[str, Domain] = Field(default_factory=dict)


class ChoicePart(PartBase):
    """One of a list of options."""

    ask: Literal["choice"]
    options: list[str] = Field(min_length=2)
    key: str
    explain: dict[str, str] = Field(default_factory=dict)


class ManualPart(PartBase):
    """Free text, graded by a person."""

    ask: Literal["manual"]
    rubric: str | None = None


Part = Annotated[
    TruthTablePart | RealizePart | ForwardPart | ParamCountPart | OutputShapePart | LossPart
    | GradientPart | EquivalentPart | FormulaPart | ChoicePart | ManualPart,
    Field(discriminator="ask"),
]

PART_MODELS: dict[str, type[PartBase]] = {
    model.model_fields["ask"].annotation.__args__[0]: model  # type: ignore[union-attr]
    for model in (
        TruthTablePart, RealizePart, ForwardPart, ParamCountPart, OutputShapePart, LossPart,
        GradientPart, EquivalentPart, FormulaPart, ChoicePart, ManualPart,
    )
}
