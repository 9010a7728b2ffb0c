"""`vary:` in a problem file: the values of `given` drawn afresh for every variant (FORMAT §1).

    vary:
      variants: 40                      # how many variants the problem has (1..MAX_VARIANTS)
      draw:                             # drawn in this order; each name is a plain identifier
        p: {at: pred-a.2, range: [0.2, 0.6], step: 0.05}
        w: {at: net.layers.0.h1.w.0, range: [-1, 1], decimals: 1}
        n: {at: size, integers: [2, 6]}
        y: {at: y, choices: [[0, 0, 1, 0], [1, 0, 0, 0]]}
        case: {blocks: [{x: 1, t: 0}, {x: -1, t: 1}]}   # the block's number, 1, 2, ...
        q: {at: pred-a.3, value: "1 - p - 0.45", decimals: 2}  # computed from earlier names
      where: ["w != 0", "abs(p - q) > 0.05"]

Only the shape is checked here; the paths are checked against `given` when the file is read
(io/problems.py) and the values drawn in `nncheck.variants`.
"""

from __future__ import annotations

import math
from typing import Any

from pydantic import Field, field_validator, model_validator

from nncheck import expr
from nncheck.errors import ExprError
from nncheck.spec.common import KEY, Strict, empty_list, located

MAX_VARIANTS = 10_000
MAX_DRAWS = 200  # names drawn per problem
MAX_CHOICES = 1_000  # values of a range, choices or blocks listed
MAX_DECIMALS = 12
# The work of drawing every variant of a problem is bounded, so that no file can make loading
# a bank take minutes (a name drawn costs some microseconds, `where:` included):
MAX_TRIES = 1_000  # draws of one variant tried, at most, before `where:` is declared unmet
MIN_WHERE_TRIES = 100  # a problem with `where:` can afford at least this many tries a variant
MAX_DRAW_WORK = 1_000_000  # names drawn, over every try of every variant of a problem
MAX_VARIANT_NODES = 5_000_000  # the file's values and keys × `variants` (each variant a copy)
KINDS = ("range", "integers", "choices", "blocks", "value")


class Draw(Strict):
    """One drawn name: exactly one of `range` (with `step` or `decimals`), `integers`,
    `choices`, `blocks` or `value` (an expression over the names drawn before it)."""

    at: str | None = None  # a dotted path into `given` (`net.layers.0.h1.w.1`); default the name
    range: tuple[float, float] | None = None
    step: float | None = Field(default=None, gt=0, allow_inf_nan=False)
    decimals: int | None = Field(default=None, ge=0, le=MAX_DECIMALS)
    integers: tuple[int, int] | None = None
    choices: list[Any] | None = Field(default=None, min_length=1, max_length=MAX_CHOICES)
    blocks: list[dict[str, Any]] | None = Field(default=None, min_length=1,
                                                max_length=MAX_CHOICES)
    value: str | float | None = None

    @model_validator(mode="after")
    def _one_kind(self) -> Draw:
        kinds = [k for k in KINDS if getattr(self, k) is not None]
        if len(kinds) != 1:
            found = f"found {', '.join(f'`{k}`' for k in kinds)}" if kinds else "found none"
            raise located((), f"a drawn name takes exactly one of `range`, `integers`, "
                          f"`choices`, `blocks` or `value` — {found}")
        kind = kinds[0]
        if kind == "range":
            lo, hi = self.range or (0.0, 0.0)
            if not (math.isfinite(lo) and math.isfinite(hi)) or lo > hi:
                raise located(("range",), "`range: [low, high]` needs finite low <= high")
            if (self.step is None) == (self.decimals is None):
                raise located(("range",), "a `range` takes a `step` or a number of "
                              "`decimals` (one of them)")
            if self.step is not None and step_decimals(self.step) > MAX_DECIMALS:
                raise located(("step",), f"a `step` of {self.step!r} has more than "
                              f"{MAX_DECIMALS} decimals: its values could not be shown or "
                              f"rounded to it", self.step)
            if (hi - lo) / self.spacing > MAX_CHOICES:
                raise located(("range",), f"a `range` of more than {MAX_CHOICES} values: "
                              "use a larger `step` or fewer `decimals`")
        elif self.step is not None:
            raise located(("step", KEY), "`step` goes with `range` only")
        elif self.decimals is not None and kind != "value":
            raise located(("decimals", KEY), "`decimals` goes with `range` or `value` only")
        if kind == "integers":
            lo_i, hi_i = self.integers or (0, 0)
            if lo_i > hi_i or hi_i - lo_i >= MAX_CHOICES:
                raise located(("integers",), f"`integers: [low, high]` needs low <= high, "
                              f"at most {MAX_CHOICES} values")
        if kind == "blocks" and self.at is not None:
            raise located(("at", KEY), "`blocks` name their own paths: each block maps paths "
                          "of `given` to values")
        if kind == "value" and isinstance(self.value, str):
            try:
                expr.parse(self.value)
            except ExprError as exc:
                raise located(("value",), f"`value`: {exc}", self.value) from None
        return self

    @property
    def kind(self) -> str:
        """Which of KINDS this draw is."""
        return next(k for k in KINDS if getattr(self, k) is not None)

    @property
    def spacing(self) -> float:
        """The distance between two values of a `range`."""
        if self.step is not None:
            return self.step
        return 10.0 ** -(self.decimals or 0)


class Vary(Strict):
    """How a problem's `given` values change from one variant to the next."""

    variants: int = Field(default=20, ge=1, le=MAX_VARIANTS)
    draw: dict[str, Draw] = Field(min_length=1, max_length=MAX_DRAWS)
    where: list[str] = Field(default_factory=empty_list, max_length=MAX_DRAWS)

    @field_validator("draw")
    @classmethod
    def _names(cls, value: dict[str, Draw]) -> dict[str, Draw]:
        for name in value:
            if not name.isidentifier() or not name.isascii():
                raise located((name, KEY), f"`{name}`: a drawn name is a plain identifier "
                              "(letters, digits, `_`), so that `where:` and `{name}` can use "
                              "it; say where it goes with `at:`", name)
            if expr.is_reserved(name):
                raise located((name, KEY), f"`{name}` would hide a function, a constant or a "
                              "keyword of the expression language", name)
        return value

    @property
    def tries(self) -> int:
        """The draws of one variant tried before `where:` is declared unmet: MAX_TRIES, fewer
        when so many names and variants would exceed MAX_DRAW_WORK."""
        return min(MAX_TRIES, MAX_DRAW_WORK // (self.variants * len(self.draw)))

    @model_validator(mode="after")
    def _bounded(self) -> Vary:
        names, tries = len(self.draw), MIN_WHERE_TRIES if self.where else 1
        if self.variants * names * tries > MAX_DRAW_WORK:
            most = MAX_DRAW_WORK // (names * tries)
            with_where, or_not = (f", tried up to {MIN_WHERE_TRIES} times each for `where:`",
                                  ", or no `where:`") if self.where else ("", "")
            raise located(("variants",), f"{self.variants} variants of {names} names drawn"
                          f"{with_where} are more than {MAX_DRAW_WORK:,} draws: at most "
                          f"{most} variants (or fewer names{or_not})", self.variants)
        return self

    @model_validator(mode="after")
    def _expressions(self) -> Vary:
        """Every `value` and `where` reads names drawn before it (in `draw:` order)."""
        seen: list[str] = []
        for name, draw in self.draw.items():
            if draw.kind == "value" and isinstance(draw.value, str):
                _known(expr.parse(draw.value).names, seen, ("draw", name, "value"))
            seen.append(name)
        for index, text in enumerate(self.where):
            try:
                names = expr.parse(text).names
            except ExprError as exc:
                raise located(("where", index), f"`where`: {exc}", text) from None
            _known(names, seen, ("where", index))
        return self


def _known(names: frozenset[str], seen: list[str], loc: tuple[str | int, ...]) -> None:
    for name in sorted(names):
        if name not in seen:
            known = ", ".join(f"`{n}`" for n in seen) or "none yet"
            raise located(loc, f"`{name}` is not a name drawn before it (drawn: {known})", name)


def step_decimals(step: float) -> int:
    """The decimals of a step as written (its shortest repr: 0.05 has 2, 2.5e-05 has 6)."""
    from decimal import Decimal

    exponent = Decimal(repr(step)).normalize().as_tuple().exponent
    return max(0, -exponent) if isinstance(exponent, int) else 0


def split_path(path: str) -> list[str | int]:
    """`net.layers.0.h1.w` as keys and list indices."""
    return [int(p) if p.isdigit() else p for p in path.split(".")]


def path_problem(given: Any, path: str) -> str | None:
    """Why a dotted path names no value of `given` (None: it does)."""
    node = given
    done: list[str] = []
    for step in split_path(path):
        if isinstance(node, dict) and step in node:
            node = node[step]
        elif isinstance(node, dict) and str(step) in node:
            node = node[str(step)]
        elif isinstance(node, list) and isinstance(step, int) and step < len(node):
            node = node[step]
        else:
            where = "`given`" if not done else f"`given.{'.'.join(done)}`"
            if isinstance(node, list):
                return f"{where} is a list of {len(node)} values: no item `{step}`"
            if isinstance(node, dict):
                keys = ", ".join(f"`{k}`" for k in list(node)[:8])
                return f"{where} has no `{step}` (it has {keys})"
            return f"{where} is a single value: nothing inside it is `{step}`"
        done.append(str(step))
    return None


def check_paths(given: Any, vary: Vary) -> tuple[tuple[str | int, ...], str] | None:
    """The first `at:` (or block path) that names no value of `given`: where, and why."""
    for name, draw in vary.draw.items():
        if draw.kind == "blocks":
            for b, block in enumerate(draw.blocks or []):
                for path in block:
                    why = path_problem(given, str(path))
                    if why is not None:
                        return ("vary", "draw", name, "blocks", b, path), why
            continue
        why = path_problem(given, draw.at or name)
        if why is not None:
            return ("vary", "draw", name, "at" if draw.at else KEY), why
    return None
