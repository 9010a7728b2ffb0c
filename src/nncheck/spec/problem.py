"""Problem files and answer sheets (FORMAT §1)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Annotated, Any

from pydantic import Discriminator, Field, Tag, field_validator, model_validator
from pydantic import Strict as NoCoercion

from nncheck import expr
from nncheck.errors import ExprError
from nncheck.spec.common import (
    KEY,
    Loc,
    Name,
    Strict,
    Tolerance,
    empty_dict,
    located,
    refuse_reserved,
)
from nncheck.spec.graph import GraphSpec
from nncheck.spec.model import ModelSpec
from nncheck.spec.network import MAX_TABLE_INPUTS, NetworkSpec
from nncheck.spec.parts import (
    ANSWER_PREFIX,
    PART_FIELDS,
    PART_MODELS,
    EquivalentPart,
    FormulaPart,
    NumericPart,
    Part,
    PartBase,
    RealizePart,
    TruthTablePart,
    asks_with,
)
from nncheck.spec.vary import Vary
from nncheck.words import listing, suggestion


def _given_kind(value: Any) -> str:
    if isinstance(value, dict) and "kind" in value:
        return str(value["kind"])
    return "data"


Given = Annotated[
    Annotated[NetworkSpec, Tag("network")]
    | Annotated[ModelSpec, Tag("model")]
    | Annotated[GraphSpec, Tag("graph")]
    | Annotated[Any, Tag("data")],
    Discriminator(_given_kind),
]


class Student(Strict):
    """Who wrote a sheet."""

    id: Name = Field(min_length=1)
    name: str | None = None
    email: str | None = None


class Problem(Strict):
    """One problem: what is given, and the parts asked about it."""

    id: Name | None = None
    title: str | None = None
    text: str | None = None
    given: dict[str, Given] = Field(default_factory=empty_dict)
    defaults: dict[str, Any] = Field(default_factory=empty_dict)
    aliases: dict[str, str] = Field(default_factory=empty_dict)
    tolerance: Tolerance | None = None
    # Answers may write `1,5` for 1.5 (`;` separates values). How answers are read, not what
    # is true: left out of the content that seeds the sample points (`problem_digest`).
    decimal_comma: bool = Field(default=False, exclude=True)
    parts: list[Part] = Field(min_length=1)
    # Values of `given` drawn per variant (spec/vary.py). Left out of the content digest: a
    # variant's digest is that of its drawn `given`.
    vary: Vary | None = Field(default=None, exclude=True)
    student: Student | None = None
    answers: dict[Name, Any] | None = None

    @field_validator("aliases")
    @classmethod
    def _check_aliases(cls, value: dict[str, str]) -> dict[str, str]:
        refuse_reserved(value, "alias", "would hide a function, a constant or a keyword of "
                        "the expression language")
        return value

    @model_validator(mode="before")
    @classmethod
    def _apply_defaults(cls, data: Any) -> Any:
        """Copy `defaults:` into every part that accepts the key and does not set it; refuse a
        default no ask takes, and a key (`hints`, `partial`) that a part's ask would ignore.
        Default `hints` and `accept` name numbers: they go to the numeric asks only."""
        if not isinstance(data, dict):
            return data
        defaults = data.get("defaults")
        parts = data.get("parts")
        if isinstance(defaults, dict):
            _check_defaults(defaults)
        if not isinstance(parts, list):
            return data
        for index, part in enumerate(parts):
            _check_ignored_keys(index, part)
        if not isinstance(defaults, dict) or not defaults:
            return data
        merged = []
        for part in parts:
            ask = part.get("ask") if isinstance(part, dict) else None
            model = PART_MODELS.get(ask) if isinstance(ask, str) else None
            if model is None:
                merged.append(part)
                continue
            fields = model.model_fields.keys() - model.own_keys()
            extra = {k: v for k, v in defaults.items() if k in fields and k not in part
                     and (k not in ("hints", "accept") or issubclass(model, NumericPart))}
            merged.append({**part, **extra} if extra else part)
        return {**data, "parts": merged}

    @model_validator(mode="after")
    def _check_parts(self) -> Problem:
        """Part ids unique, every reference to a network or model resolved, every symbol of a
        formula declared: each error at the value it is about."""
        seen: set[str] = set()
        for index, part in enumerate(self.parts):
            if part.id in seen:
                raise located(("parts", index, "id"), f"duplicate part id `{part.id}` — each "
                              "part of a problem has its own id", part.id)
            seen.add(part.id)
            for key in ("network", "model", "template", "graph"):
                ref = getattr(part, key, None)
                if isinstance(ref, str):
                    problem = self._reference_problem(index, key, ref)
                    if problem is not None:
                        raise located(self._where(index, key, ref), problem, ref)
            of = getattr(part, "of", None)
            for key in ("network", "graph"):
                ref = getattr(of, key, None)
                if isinstance(ref, str):
                    problem = self._reference_problem(index, key, ref)
                    if problem is not None:
                        raise located(("parts", index, "of", key), problem, ref)
            if isinstance(part, FormulaPart):
                self._check_formula(index, part)
        return self

    @property
    def notation(self) -> dict[str, str]:
        """The names an expression of this problem reads: its `aliases`, and an identity alias
        for every constant an input or unit of its networks is named (`e`), which then names
        that input or unit everywhere in the problem; the constant is written `exp(1)`."""
        nets = [*self.given.values(), *(getattr(p, k, None) for p in self.parts
                                        for k in ("network", "template"))]
        bound = {name for net in nets if isinstance(net, NetworkSpec)
                 for name in (*net.inputs, *net.units) if name in expr.BINDABLE}
        return {**{name: name for name in sorted(bound)}, **self.aliases}

    def _where(self, index: int, key: str, value: Any) -> Loc:
        """Where a part's value was written: in the part, or (taken from there) in `defaults:`."""
        if key in self.defaults and self.defaults[key] == value:
            return ("defaults", key)
        return ("parts", index, key)

    def _given_of(self, kind: type) -> list[str]:
        return [name for name, value in self.given.items() if isinstance(value, kind)]

    def _reference_problem(self, index: int, key: str, ref: str) -> str | None:
        """Why a part's `network`, `model` or `template` names nothing it can use, or None."""
        want = {"model": "a model", "graph": "a graph"}.get(key, "a network")
        kind: type = {"model": ModelSpec, "graph": GraphSpec}.get(key, NetworkSpec)
        names = self._given_of(kind)
        earlier = [p for p in self.parts[:index] if isinstance(p, (RealizePart, EquivalentPart))]
        answers = [ANSWER_PREFIX + p.id for p in earlier] if key == "network" else []
        options = f" — one of {listing(names + answers)}" if names or answers else (
            f" — `given` has no {want[2:]}"
        )
        if ref.startswith(ANSWER_PREFIX):
            if key in ("model", "graph"):
                return f"`{ref}`: no part answers with {want} — {want} of `given`" + (
                    f", one of {listing(names)}" if names else "")
            if key == "template":
                return (f"`{ref}`: a template is a network of `given` or written inline, not "
                        "an answer" + (f" — one of {listing(names)}" if names else ""))
            return self._answer_problem(index, ref, earlier, options)
        if ref in names:
            return None
        found = self.given.get(ref)
        if isinstance(found, (NetworkSpec, ModelSpec, GraphSpec)):
            other = {ModelSpec: "a model", GraphSpec: "a graph"}.get(type(found), "a network")
            return f"`{ref}` is {other}, not {want}{options}"
        if ref in self.given:
            return (f"`{ref}` is data, not {want} (a {want[2:]} in `given` says "
                    f"`kind: {want[2:]}`){options}")
        return f"no {want[2:]} `{ref}` in `given`{options}{suggestion(ref, names + answers)}"

    def _answer_problem(self, index: int, ref: str, earlier: Sequence[PartBase],
                        options: str) -> str | None:
        part_id = ref[len(ANSWER_PREFIX):]
        if any(p.id == part_id for p in earlier):
            return None
        position = next((i for i, p in enumerate(self.parts) if p.id == part_id), None)
        if position == index:
            return f"`{ref}` is this part's own answer: `answer.<part-id>` names an earlier part"
        if position is not None and position > index:
            return (f"`{ref}` names a later part: a part may use the answer to an earlier "
                    f"part only{options}")
        if position is not None:
            ask = self.parts[position].ask
            return (f"part `{part_id}` asks `{ask}`, so its answer is not a network — "
                    "`answer.<part-id>` names an earlier `realize` or `equivalent` part")
        ids = [p.id for p in earlier]
        hint = suggestion(part_id, ids, ANSWER_PREFIX.__add__)
        return f"no part `{part_id}` for `{ref}`{options}{hint}"

    def _check_formula(self, index: int, part: FormulaPart) -> None:
        """The reference parses, and uses only declared symbols when `symbols:` declares any
        (without `symbols:`, every name is an integer in 1..1000)."""
        where = self._where(index, "reference", part.reference)
        try:
            names = expr.parse(part.reference, aliases=self.notation).names
        except ExprError as exc:
            raise located(where, f"`reference`: {exc}", part.reference) from None
        if not part.symbols:
            return
        declared = list(part.symbols)
        for name in sorted(names):
            if name not in part.symbols:
                known = declared + sorted(expr.FUNCTIONS | expr.CONSTANTS)
                raise located(
                    where,
                    f"`reference` uses `{name}`, which `symbols:` does not declare — one of "
                    f"{listing(declared)}{suggestion(name, known)}",
                    part.reference,
                )


def _check_defaults(defaults: dict[Any, Any]) -> None:
    """Every key of `defaults:` is one some ask takes (and not a part's own `id` or `ask`)."""
    for key in defaults:
        if key in ("id", "ask"):
            raise located(("defaults", key, KEY), f"`{key}` cannot be a default: every part "
                          f"gives its own `{key}`", key)
        if key not in PART_FIELDS:
            raise located(("defaults", key, KEY), f"unknown key `{key}` in `defaults:` — no "
                          f"ask takes it{suggestion(key, sorted(PART_FIELDS))}", key)


_TAKERS = {"hints": "parts with a numeric answer, a choice or a truth table",
           "accept": "parts with a numeric answer or a choice"}


def _check_ignored_keys(index: int, part: Any) -> None:
    """Refuse `hints` or `partial` on a part whose ask would ignore it (rather than `unknown
    key`, say which asks take it)."""
    if not isinstance(part, dict) or not isinstance(part.get("ask"), str):
        return
    ask = part["ask"]
    model = PART_MODELS.get(ask)
    if model is None:
        return
    for key in ("hints", "accept", "partial"):
        if key in part and key not in model.model_fields:
            takers = asks_with(key)
            which = (f"`{takers[0]}` parts" if len(takers) == 1 else
                     f"{_TAKERS.get(key, 'parts')} ({', '.join(takers)})")
            raise located(("parts", index, key, KEY),
                          f"`{key}` works only on {which}, not on `{ask}`", key)


class Sheet(Strict):
    """A student's answer sheet: problem id -> part id -> value."""

    student: Student
    answers: dict[Name, dict[Name, Any] | None] = Field(default_factory=empty_dict)
    decimal_comma: bool = False  # this sheet writes `1,5` for 1.5 (`;` separates values)
    # The variant answered (variants.py): a whole number as written, never `true` nor `6344.0`.
    variant: Annotated[int, NoCoercion()] | None = Field(default=None, ge=1)
    check: str | None = Field(default=None, max_length=32)  # its check code


def oversized_table(problem: Problem) -> tuple[int, str, int] | None:
    """The first part whose table would have more than MAX_TABLE_INPUTS inputs: its index, the
    key that names the network, and the number of inputs (None when every table fits).

    Checked when the file is read, so that `validate` refuses what solving would refuse.
    """
    for index, part in enumerate(problem.parts):
        if isinstance(part, TruthTablePart):
            key, net = "network", _table_network(problem, part.network)
        elif isinstance(part, RealizePart):
            key, net = "template", _table_network(problem, part.template)
        else:
            continue
        if net is not None and len(net.inputs) > MAX_TABLE_INPUTS:
            return index, key, len(net.inputs)
    return None


def _table_network(problem: Problem, ref: Any, follow: bool = True) -> NetworkSpec | None:
    """The network spec a table part reads: inline, in `given`, or an earlier part's template."""
    if isinstance(ref, NetworkSpec):
        return ref
    if not isinstance(ref, str):
        return None
    if ref.startswith(ANSWER_PREFIX):
        source = next((p for p in problem.parts if p.id == ref[len(ANSWER_PREFIX):]), None)
        template = getattr(source, "template", None)
        return _table_network(problem, template, follow=False) if follow else None
    found = problem.given.get(ref)
    return found if isinstance(found, NetworkSpec) else None
