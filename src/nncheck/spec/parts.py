"""One model per ask; `ask` is the discriminator that validation and dispatch share."""

from __future__ import annotations

import re
from typing import Annotated, Any, ClassVar, Literal

from pydantic import (
    AfterValidator,
    BeforeValidator,
    Discriminator,
    Field,
    StrictBool,
    Tag,
    field_validator,
    model_validator,
)
from pydantic import Strict as NoCoercion

from nncheck.engine.losses import LogBase, LossFn
from nncheck.spec.common import (
    KEY,
    Accept,
    Hint,
    Name,
    Number,
    Real,
    Strict,
    empty_dict,
    empty_list,
    fold_option,
    located,
    refuse_reserved,
)
from nncheck.spec.functions import MinUnitsFields, SeparableFields, WeightRule
from nncheck.spec.layer_values import LayerValues, check_output
from nncheck.spec.network import TemplateSpec
from nncheck.spec.part_base import NumericPart, PartBase
from nncheck.spec.training import LearningRulePart, OptimizerStepPart, PerceptronPart
from nncheck.words import listing, suggestion

Ref = str  # a key of `given`, or `answer.<part-id>`
ANSWER_PREFIX = "answer."  # a reference to the student's own answer to an earlier part
Values = str | Number | list[Any]  # a given's name, or the data written inline


def _template_form(value: Any) -> str:
    return "ref" if isinstance(value, str) else "inline"


# A template named (a key of `given`) or written inline. Told apart by the value's type, so that
# an error inside an inline template is reported there, not as "expected a string".
Template = Annotated[
    Annotated[Ref, Tag("ref")] | Annotated[TemplateSpec, Tag("inline")],
    Discriminator(_template_form),
]


def _literal_hints(hints: list[Hint], what: str) -> None:
    """Refuse a `when` predicate on an ask whose answer is not a number."""
    for k, hint in enumerate(hints):
        if hint.when is not None:
            raise located(("hints", k, "when", KEY), f"a `when` predicate compares numbers: a "
                          f"hint on {what} gives the wrong `answer` itself", hint.when)


ROW_PATTERN = re.compile(r"^[01+\-*xX?\s]+$")  # as a table's row patterns: 0/1 (+/-), * for either


def _quoted_pattern(value: Any) -> Any:
    # YAML 1.2 reads 011 as the integer 11: say so, rather than "expected a string".
    if isinstance(value, int) and not isinstance(value, bool):
        raise ValueError(f"row pattern {value} was read as a number — quote bit patterns "
                         "(\"011\")")
    return value


class RequiredRows(Strict):
    """Which rows a `rows: listed` table must give: where a symbol is on, the rows of some
    patterns, or at least a number of rows. One of the three."""

    on: Name | None = None
    rows: list[Annotated[str, BeforeValidator(_quoted_pattern)]] | None = Field(
        default=None, min_length=1)
    at_least: Annotated[int, NoCoercion()] | None = Field(default=None, ge=1)

    @field_validator("rows")
    @classmethod
    def _check_patterns(cls, value: list[str] | None) -> list[str] | None:
        for k, pattern in enumerate(value or ()):
            if not ROW_PATTERN.match(pattern):
                raise located((k,), f"`{pattern}` is not a row pattern — bits 0/1 (or +/- in a "
                              "bipolar table), * for either, one per input: \"011\", \"1*0\"",
                              pattern)
        return value

    @model_validator(mode="after")
    def _check_one(self) -> RequiredRows:
        given = [k for k in ("on", "rows", "at_least") if getattr(self, k) is not None]
        if len(given) != 1:
            found = " and ".join(f"`{k}`" for k in given) if given else "none of them"
            raise located((), f"`required` takes one of `on`, `rows`, `at_least`, found {found}")
        return self


class TruthTablePart(PartBase):
    """The truth table of a network over every input row."""

    ask: Literal["truth_table"]
    network: Ref
    columns: list[str] | None = None
    domain: Literal["binary", "bipolar"] = "binary"
    rows: Literal["all", "listed"] = "all"
    # With `rows: listed`, the rows that must be among those given; default: where an output
    # of the network is on (`{on: <output>}` for each).
    required: RequiredRows | None = None
    partial: StrictBool = False  # credit for the fraction of right rows
    _QUIET: ClassVar[tuple[str, ...]] = ("hints",)
    # `answer`: a table, or some columns of one
    hints: list[Hint] = Field(default_factory=empty_list)

    @model_validator(mode="after")
    def _check_required(self) -> TruthTablePart:
        _literal_hints(self.hints, "a truth table")
        if self.required is not None and self.rows != "listed":
            raise located(("required", KEY), "`required` says which listed rows must be given: "
                          "it needs `rows: listed` (with `rows: all` every row is graded)")
        return self


class RealizePart(PartBase):
    """Design a network (filling a template) that computes a boolean function."""

    ask: Literal["realize"]
    template: Template
    target: str
    domain: Literal["binary", "bipolar"] = "binary"
    # The values the answer's weights and biases may take, the hidden units it may use
    # (solvers/designs.py); values the template fixes are the problem's, not held to these.
    weights: WeightRule | None = None
    biases: WeightRule | None = None
    max_hidden: int | None = Field(default=None, ge=0)

    _LEFT_AT: ClassVar[dict[str, Any]] = {"weights": None, "biases": None, "max_hidden": None}


class SeparablePart(SeparableFields, PartBase):
    """Whether one threshold unit computes a Boolean function: `no`, or a witness."""

    ask: Literal["separable"]


class MinUnitsPart(MinUnitsFields, PartBase):
    """The fewest hidden threshold units a two-layer design of a Boolean function needs."""

    ask: Literal["min_units"]


def _one_source(part: Any, key: str = "input") -> None:
    """A part (or `of:`) reads one network or one graph; a network needs `input:`."""
    if (part.network is None) == (part.graph is None):
        found = "both" if part.network is not None else "neither"
        raise located((), f"`network:` or `graph:` names what is asked about, found {found}")
    if part.network is not None and getattr(part, key) is None:
        raise located((), f"`{key}:` is required with `network:` — the input values, "
                      "`{x1: 1, x2: 0}`")


class ForwardPart(NumericPart):
    """Values inside a network (or a computational graph) for one input."""

    ask: Literal["forward"]
    network: Ref | None = None
    graph: Ref | None = None
    input: dict[str, Number] | None = None  # a graph's default: its given values
    of: str | list[str] | None = None

    @model_validator(mode="after")
    def _check_source(self) -> ForwardPart:
        _one_source(self)
        return self

    _LEFT_AT: ClassVar[dict[str, Any]] = {"graph": None}  # added with graphs
    _ONE_OF = ("network", "graph")


class ParamCountPart(NumericPart):
    """How many parameters a layer model (or one of its layers) has."""

    ask: Literal["param_count"]
    model: Ref
    count: Literal["total", "trainable", "non_trainable"] = "total"
    layer: int | str | None = None


class OutputShapePart(NumericPart):
    """The output shape of a layer model (or one of its layers), batch excluded."""

    ask: Literal["output_shape"]
    model: Ref
    layer: int | str | None = None
    # Whether the answer writes Keras' batch axis first, `(None, 29, 29, 32)`. How an answer
    # is read, not what is true: left out of the content that seeds the sample points.
    batch_axis: bool = Field(default=False, exclude=True)


class OutputOf(Strict):
    """The outputs of a network or graph for one input, or a batch of inputs: the `y_pred`
    (or `logits`) of a loss, computed rather than copied."""

    network: Ref | None = None
    graph: Ref | None = None
    # One input, or a list of inputs (a batch: one sample each); a graph's default: its own.
    input: dict[str, Number] | list[dict[str, Number]] | None = Field(default=None,
                                                                      min_length=1)
    outputs: list[str] | None = Field(default=None, min_length=1)  # default: the outputs
    logits: StrictBool = False  # the outputs are raw scores: the loss reads them as `logits:`

    @model_validator(mode="after")
    def _check_source(self) -> OutputOf:
        _one_source(self)
        return self


Size = Annotated[int, NoCoercion(), Field(ge=1, le=2**31)]


class ReceptiveFieldPart(NumericPart):
    """The receptive field (or the jump) of a unit of a layer model's convolution stack."""

    ask: Literal["receptive_field"]
    _OWN: ClassVar[tuple[str, ...]] = ("of",)
    model: Ref
    layer: int | str | None = None
    of: Literal["size", "jump"] = "size"


class PaddingPart(NumericPart):
    """The padding that keeps a length (`same`) or gives one, for one axis of a convolution."""

    ask: Literal["padding"]
    _OWN: ClassVar[tuple[str, ...]] = ("input", "output")
    framework: Literal["pytorch", "keras"] = "pytorch"
    input: Size
    output: Size | Literal["same"] = "same"
    kernel: Size
    stride: Size = 1
    dilation: Size = 1


class FlopsPart(NumericPart):
    """The multiply–adds (`count: macs`) or FLOPs (2 per MAC) of a layer model or one layer."""

    ask: Literal["flops", "macs"]
    _OWN: ClassVar[tuple[str, ...]] = ("count",)
    model: Ref
    layer: int | str | None = None
    count: Literal["flops", "macs"] | None = None  # default: the ask's
    bias: StrictBool = True  # one add per bias value at every output position
    batch: Size = 1

    @model_validator(mode="after")
    def _check_count(self) -> FlopsPart:
        if self.count is not None and self.count != self.ask:
            raise located(("count",), f"`count: {self.count}` contradicts `ask: {self.ask}` — "
                          f"leave `count` out, or write `ask: {self.count}`", self.count)
        return self

    @property
    def measure(self) -> str:
        """What is counted: `flops` or `macs`."""
        return self.count or self.ask


class ActivationMemoryPart(NumericPart):
    """The memory the activations of a layer model take in a forward pass."""

    ask: Literal["activation_memory"]
    model: Ref
    layer: int | str | None = None  # up to and including this layer
    batch: Size = 1
    dtype: Literal["float32", "float16", "bfloat16", "float64"] = "float32"
    include_input: StrictBool = True
    unit: Literal["bytes", "values"] = "bytes"


class LossPart(NumericPart):
    """A loss of predictions (or logits) against targets."""

    ask: Literal["loss"]
    fn: LossFn
    y_true: Values
    y_pred: Values | None = None
    logits: Values | None = None
    of: OutputOf | None = None  # instead of y_pred or logits
    reduction: Literal["sum", "mean"] | None = None
    log: LogBase = "e"
    # Options, as PyTorch names them: multiclass_hinge's Δ; cross_entropy's ε and class weights
    margin: Real | None = Field(default=None, ge=0, allow_inf_nan=False)
    label_smoothing: Real | None = Field(default=None, ge=0, le=1)
    weight: Values | None = None

    @model_validator(mode="after")
    def _check_of(self) -> LossPart:
        if self.of is not None and (self.y_pred is not None or self.logits is not None):
            which = "y_pred" if self.y_pred is not None else "logits"
            raise located((which, KEY), f"`{which}:` and `of:` both give the predictions — "
                          "keep one")
        return self

    _LEFT_AT: ClassVar[dict[str, Any]] = {"of": None}  # added with graphs


class LossSpec(Strict):
    """The loss a gradient is taken of."""

    fn: LossFn
    y_true: Values
    reduction: Literal["sum", "mean"] | None = None
    log: LogBase = "e"


class GradientPart(NumericPart):
    """A derivative of an output or of a loss, by backpropagation."""

    ask: Literal["gradient"]
    network: Ref | None = None
    graph: Ref | None = None
    input: dict[str, Number] | None = None  # a graph's default: its given values
    of: str | None = None
    loss: LossSpec | None = None
    wrt: str | list[str]
    form: Literal["value", "formula"] = "value"
    local: StrictBool = False  # a graph's gate: ∂of/∂wrt, what `of` reads held fixed

    @model_validator(mode="after")
    def _check_source(self) -> GradientPart:
        _one_source(self)
        if self.local and self.graph is None:
            raise located(("local", KEY), "`local: true` asks for a gate's local gradient in "
                          "a `graph:`; a network's gradients are full chains")
        return self

    _LEFT_AT: ClassVar[dict[str, Any]] = {"graph": None, "local": False}  # added with graphs
    _ONE_OF = ("network", "graph")


def _layer_form(value: Any) -> str:
    return "ref" if isinstance(value, str) else "inline"


class LayerOutputPart(NumericPart):
    """A value a layer with given weights computes from an input (FORMAT §4.9)."""

    ask: Literal["layer_output"]
    layer: Annotated[Annotated[Ref, Tag("ref")] | Annotated[LayerValues, Tag("inline")],
                     Discriminator(_layer_form)]
    input: Values  # a sequence T×I, a batch N×C, a vector; attention's queries
    key: Values | None = None  # attention: the keys (default: the input)
    value: Values | None = None  # attention: the values (default: the keys)
    of: str | None = None  # what is asked; default: the layer type's first output
    row: Annotated[int, NoCoercion()] | None = Field(default=None, ge=0)  # of a matrix, 0-based

    @model_validator(mode="after")
    def _check_of(self) -> LayerOutputPart:
        if isinstance(self.layer, LayerValues):
            try:
                check_output(self.layer, self.of)
            except ValueError as exc:
                raise located(("of",), str(exc), self.of) from None
            if self.layer.type not in ("attention", "multihead_attention"):
                for key in ("key", "value"):
                    if getattr(self, key) is not None:
                        raise located((key, KEY), f"`{key}` is attention's: a "
                                      f"{self.layer.type} layer reads `input` only", key)
        return self


class EquivalentPart(PartBase):
    """Fill a template so that it computes the same as a reference network's output."""

    ask: Literal["equivalent"]
    network: Ref
    output: str | None = None
    template: Template


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


class FormulaPart(NumericPart):
    """An identity in declared symbols, checked at random points."""

    ask: Literal["formula"]
    reference: Number
    symbols: dict[str, Domain] = Field(default_factory=empty_dict)

    @field_validator("symbols")
    @classmethod
    def _check_symbols(cls, value: dict[str, Domain]) -> dict[str, Domain]:
        refuse_reserved(value, "symbol", "is reserved: the expression language reads it as a "
                        "function, a constant or a keyword")
        return value


class ChoicePart(PartBase):
    """One of a list of options."""

    ask: Literal["choice"]
    options: list[Name] = Field(min_length=2)  # `options: [1, 2, 3]` are the texts "1", "2", "3"
    key: Name
    explain: dict[Name, str] = Field(default_factory=empty_dict)
    _QUIET: ClassVar[tuple[str, ...]] = ("hints", "accept")
    hints: list[Hint] = Field(default_factory=empty_list)
    accept: list[Accept] = Field(default_factory=empty_list)

    @model_validator(mode="after")
    def _check_key(self) -> ChoicePart:
        seen: dict[str, str] = {}
        for j, option in enumerate(self.options):
            first = seen.setdefault(fold_option(option), option)
            if len(seen) <= j:  # this option folds like an earlier one
                what = f"option `{option}` is given twice" if first == option else \
                    f"options `{first}` and `{option}` differ only in case or spacing"
                raise located(
                    ("options", j),
                    f"{what} — an answer could not tell them apart; make every option differ "
                    "in more than case or spacing",
                    option,
                )
        if self.key not in self.options:
            raise located(
                ("key",),
                f"key `{self.key}` is not an option — one of {listing(self.options)}"
                + suggestion(self.key, self.options),
                self.key,
            )
        for option in self.explain:
            if option not in self.options:
                raise located(
                    ("explain", option, KEY),
                    f"`explain` names `{option}`, which is not an option — one of "
                    f"{listing(self.options)}" + suggestion(option, self.options),
                    option,
                )
        _literal_hints(self.hints, "a choice")
        for k, hint in enumerate(self.hints):
            self._check_option(hint.answer, ("hints", k, "answer"))
        for k, entry in enumerate(self.accept):
            self._check_option(entry.answer, ("accept", k, "answer"))
        return self

    def _check_option(self, answer: Any, loc: tuple[str | int, ...]) -> None:
        folded = {fold_option(o) for o in self.options}
        if isinstance(answer, (dict, list)) or answer is None or \
                fold_option(str(answer)) not in folded:
            raise located(loc, f"`{answer}` is not an option — one of {listing(self.options)}"
                          + suggestion(str(answer), self.options), answer)


class ManualPart(PartBase):
    """Free text, graded by a person."""

    ask: Literal["manual"]
    rubric: str | None = None


Part = Annotated[
    TruthTablePart | RealizePart | ForwardPart | ParamCountPart | OutputShapePart | LossPart
    | GradientPart | EquivalentPart | FormulaPart | ChoicePart | ManualPart
    | ReceptiveFieldPart | PaddingPart | FlopsPart | ActivationMemoryPart | LayerOutputPart
    | OptimizerStepPart | PerceptronPart | LearningRulePart | SeparablePart | MinUnitsPart,
    Field(discriminator="ask"),
]

PART_MODELS: dict[str, type[PartBase]] = {
    model.model_fields["ask"].annotation.__args__[0]: model  # type: ignore[union-attr]
    for model in (
        TruthTablePart, RealizePart, ForwardPart, ParamCountPart, OutputShapePart, LossPart,
        GradientPart, EquivalentPart, FormulaPart, ChoicePart, ManualPart,
        ReceptiveFieldPart, PaddingPart, ActivationMemoryPart, LayerOutputPart,
        OptimizerStepPart, PerceptronPart, LearningRulePart, SeparablePart, MinUnitsPart,
    )
} | {"flops": FlopsPart, "macs": FlopsPart}

PART_FIELDS: frozenset[str] = frozenset(k for m in PART_MODELS.values() for k in m.model_fields)
"""Every key some ask accepts (what `defaults:` may hold)."""


def asks_with(key: str) -> list[str]:
    """The asks whose parts accept `key`, in the order above."""
    return [ask for ask, model in PART_MODELS.items() if key in model.model_fields]

