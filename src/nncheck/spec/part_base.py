"""What every part has, and what every part with a numeric answer has: the bases of the models
of `parts.py` and of the asks kept in modules of their own (`training.py`)."""

from __future__ import annotations

from typing import Any, ClassVar

from pydantic import Field, SerializerFunctionWrapHandler, model_serializer

from nncheck.spec.common import Accept, Hint, Name, Real, Strict, Tolerance, empty_list

# Points beyond this are a typo; the bound also keeps every sum of points a finite float.
MAX_POINTS = 1_000_000


class PartBase(Strict):
    """What every part has. A key only some asks honour (`hints`, `partial`) is on those asks'
    models, so that elsewhere it is an error rather than silently ignored."""

    # Keys left out of the validated content while empty (`_QUIET`) or at their default
    # (`_LEFT_AT`), so that a problem file that does not use them keeps the content digest its
    # sample points are seeded by (`solvers/seeding.py`). One serializer for every ask: pydantic
    # keeps only one per model, so an ask states its keys here rather than serializing itself.
    _QUIET: ClassVar[tuple[str, ...]] = ("accept",)
    _LEFT_AT: ClassVar[dict[str, Any]] = {}

    id: Name = Field(min_length=1)
    points: Real = Field(default=1.0, ge=0, le=MAX_POINTS, allow_inf_nan=False)
    tolerance: Tolerance | None = None
    solution: Any = None
    text: str | None = None
    title: str | None = None

    # Keys that mean something else on this ask than on the others (`of`, `count`, `input`,
    # `output`): a problem's `defaults:`, written for the others, does not fill them here.
    _OWN: ClassVar[tuple[str, ...]] = ()
    # Keys of which the ask needs one (`network` or `graph`), here or in `defaults:`: what the
    # JSON Schema requires of the part (spec/schema.py); the model's own validator says it too.
    _ONE_OF: ClassVar[tuple[str, ...]] = ()

    @classmethod
    def own_keys(cls) -> frozenset[str]:
        """The keys `defaults:` leaves alone on this ask."""
        return frozenset(cls._OWN)

    @model_serializer(mode="wrap")
    def _leave_out_quiet(self, handler: SerializerFunctionWrapHandler) -> Any:
        data = handler(self)
        if isinstance(data, dict):
            for key in self._QUIET:
                if key in data and not data[key]:
                    del data[key]
            for key, default in self._LEFT_AT.items():
                if key in data and data[key] == default:
                    del data[key]
        return data


class NumericPart(PartBase):
    """A part whose answer is a number (or numbers): instructor `hints` name wrong ones,
    `accept` lists other answers that earn credit."""

    hints: list[Hint] = Field(default_factory=empty_list)
    accept: list[Accept] = Field(default_factory=empty_list)

