"""A template filled with a student's design: the answer's weights and biases, the template's
wiring and activations, and every value the template fixes kept — or the answer refused by name
when it writes another value there (a design graded as the student wrote it, or not at all).
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from typing import Any

import pydantic

from nncheck.compare.numbers import format_number
from nncheck.engine.network import Network, Param, Scope, compile_spec, unit_params
from nncheck.errors import AnswerError, DesignError
from nncheck.spec.network import NetworkSpec, UnitSpec, normalize_layer
from nncheck.spec.wiring import unit_sources


def fill(
    template: NetworkSpec, answer: Any, name: str = "answer", scope: Collection[str] = (),
    aliases: Mapping[str, str] | None = None,
) -> Network:
    """The template filled with a student's network answer (flat by unit, or `layers:`).

    Inputs, layers, wiring and activations come from the template; the answer gives weights
    and biases, as numbers or expressions over the names in `scope` (written in the problem's
    `aliases`, if it likes). A value the template fixes stays: an answer may repeat it, and
    is a DesignError when it writes another.
    """
    units = _answer_units(template, answer)
    wiring = unit_sources(template)
    within = Scope(scope, aliases or {})
    filled = []
    for layer in template.layers:
        written = {}
        given = layer.units if isinstance(layer.units, dict) else dict.fromkeys(layer.units)
        for unit_name, fixed in given.items():
            mine = units.pop(unit_name, None)
            if mine is None and (fixed is None or fixed.w is None or fixed.b is None):
                raise AnswerError(f"unit `{unit_name}` is missing from the answer")
            if mine is not None and mine.reads is not None \
                    and tuple(mine.reads) != wiring[unit_name]:
                raise AnswerError(
                    f"unit `{unit_name}` reads {', '.join(wiring[unit_name])} in the problem — "
                    "an answer gives weights and biases, not the wiring")
            if fixed is not None and mine is not None:
                _keep_fixed(unit_name, fixed, mine, wiring[unit_name], within)
            merged = _merge(fixed, mine)
            if merged.w is None:  # `b` alone would leave the weights free: nothing to compute
                raise AnswerError(f"unit `{unit_name}` has no weights",
                                  expected="`{w: [...], b: ...}`")
            written[unit_name] = merged
        filled.append(written)
    if units:
        extra = ", ".join(f"`{u}`" for u in units)
        known = ", ".join(template.units)
        raise AnswerError(f"the template has no unit {extra} — its units are {known}")
    return compile_spec(template, filled, name, AnswerError, within)


def _keep_fixed(unit_name: str, fixed: UnitSpec, mine: UnitSpec, sources: tuple[str, ...],
                scope: Scope) -> None:
    """DesignError when the answer writes a value other than the one the template fixes."""
    where = f"unit `{unit_name}`"
    if fixed.w is not None and mine.w is not None:
        ours, _ = unit_params(fixed.model_copy(update={"b": None}), sources, where,
                              AnswerError, scope)
        theirs, _ = unit_params(mine.model_copy(update={"b": None}), sources, where,
                                AnswerError, scope)
        for src, a, b in zip(sources, ours, theirs):
            if not _same(a, b):
                raise DesignError(f"weight `w_{unit_name}_{src}` is fixed at {_shown(a)} by "
                                  f"the problem, and the answer gives {_shown(b)}")
    if fixed.b is not None and mine.b is not None:
        _, ours_b = unit_params(UnitSpec(b=fixed.b), sources, where, AnswerError, scope)
        _, theirs_b = unit_params(UnitSpec(b=mine.b), sources, where, AnswerError, scope)
        if not _same(ours_b, theirs_b):
            raise DesignError(f"bias `b_{unit_name}` is fixed at {_shown(ours_b)} by the "
                              f"problem, and the answer gives {_shown(theirs_b)}")


def _same(a: Param, b: Param) -> bool:
    if isinstance(a, float) and isinstance(b, float):
        return a == b
    return str(a) == str(b)


def _shown(value: Param) -> str:
    return format_number(value) if isinstance(value, float) else f"`{value}`"


def _answer_units(template: NetworkSpec, answer: Any) -> dict[str, UnitSpec]:
    if not isinstance(answer, dict):
        raise AnswerError(
            "expected a network: `{unit: {w: [...], b: ...}, ...}` or `{layers: [...]}`"
        )
    flat: dict[str, Any] = {}
    if "layers" in answer:
        if set(answer) - {"layers", "inputs", "activation"}:
            raise AnswerError("a `layers:` answer holds only `layers` (and `inputs`)")
        if not isinstance(answer["layers"], list):
            raise AnswerError("`layers` must be a list of layers")
        for layer in answer["layers"]:
            layer = normalize_layer(layer)
            if not isinstance(layer, dict) or not isinstance(layer.get("units"), dict):
                raise AnswerError("each layer must map unit names to `{w: ..., b: ...}`")
            flat.update(layer["units"])
    else:
        flat = dict(answer)
    out = {}
    for unit_name, value in flat.items():
        if not isinstance(value, dict):
            raise AnswerError(f"unit `{unit_name}`: expected `{{w: ..., b: ...}}`")
        try:
            out[str(unit_name)] = UnitSpec.model_validate(value)
        except pydantic.ValidationError as exc:
            err = exc.errors()[0]
            where = ".".join(str(x) for x in err["loc"][:1])
            raise AnswerError(f"unit `{unit_name}` {where}: {err['msg']}") from None
    return out


def _merge(fixed: UnitSpec | None, mine: UnitSpec | None) -> UnitSpec:
    if mine is None:
        assert fixed is not None
        return fixed
    if fixed is None:
        return mine.model_copy(update={"activation": None})
    return UnitSpec(
        w=fixed.w if fixed.w is not None else mine.w,
        b=fixed.b if fixed.b is not None else mine.b,
        activation=fixed.activation,
    )
