"""The JSON Schemas of problem files and answer sheets (`nncheck schema problem|sheet`).

pydantic's `model_json_schema()` describes the models after their validators have run, so it
refuses files the loader accepts. This module starts from it and describes what is written:

- a `given:` entry is a network, a model or a graph when it says `kind:`, and data when it
  does not
  (pydantic's callable discriminator becomes `anyOf`, not a `oneOf` with an empty branch);
- a part is chosen by `ask` (an `if`/`then` per ask, so that an unknown ask is one error);
- a key that `defaults:` may supply is required of a part only when `defaults:` lacks it;
- `tolerance:` may be a bare number (its `rel`), and names (`id:`) may be numbers;
- network layers may be lists of unit names or flat `{unit: {...}}` mappings;
- model layers are a type (`flatten`, in any spelling the loader folds), a mapping
  (`{dense: 10}`) or a `repeat:` block; `input:` may be one size, `symbols:` a bare range.

Left stricter than the loader on purpose: pydantic's lax mode also reads a quoted number
(`points: "2"`) or a quoted boolean, which the format does not document; an editor flags them.

No numpy is imported: the specs are pydantic only.
"""

from __future__ import annotations

import copy
from typing import Any

from pydantic.json_schema import GenerateJsonSchema, JsonSchemaValue
from pydantic_core import core_schema

from nncheck.spec import common, problem
from nncheck.spec.layers import REQUIRED, TYPE_ALIASES, VOCABULARY
from nncheck.spec.parts import PART_MODELS

DRAFT = "https://json-schema.org/draft/2020-12/schema"
REF = "#/$defs/"

# The validators that run before pydantic reads a value (mode="before"), by model and field
# (None: the whole model): each changes what may be written, and a function below describes
# it (`_relax_defaults`, `_network_layers`, `_model_layers`).
# tests/test_schema.py checks that this list is complete.
BEFORE_VALIDATORS = frozenset({
    ("Problem", None),  # `defaults:` fills parts
    ("NetworkSpec", "layers"),  # layer forms
    ("TemplateSpec", "layers"),
    ("ModelSpec", "input"),  # one size without a list
    ("ModelSpec", "symbols"),  # `n: [1, 100]`
})


class _Generator(GenerateJsonSchema):
    """pydantic's generator, told what the shared before-validators accept."""

    def function_before_schema(
        self, schema: core_schema.BeforeValidatorFunctionSchema
    ) -> JsonSchemaValue:
        """The schema of a before-validator: what the shared ones accept besides the field."""
        function = schema["function"].get("function")
        inner = self.generate_inner(schema["schema"])
        if function is common._as_text:  # a Name: `id: 42` is the name "42"
            out = dict(inner)
            out["type"] = ["string", "number"]
            return out
        if function is common._bare_rel:  # `tolerance: 0.001` is `{rel: 0.001}`
            return {"anyOf": [
                {"type": "number", "minimum": 0,
                 "description": "A relative tolerance: short for `{rel: ...}`."},
                inner,
            ]}
        return super().function_before_schema(schema)

    def tagged_union_schema(self, schema: core_schema.TaggedUnionSchema) -> JsonSchemaValue:
        """The schema of a tagged union, with its discriminator's values."""
        choices = {str(tag): self.generate_inner(choice) for tag, choice in
                   schema["choices"].items()}
        discriminator = schema["discriminator"]
        if discriminator is problem._given_kind:
            return _given(choices)
        if isinstance(discriminator, str):
            return _by_tag(discriminator, choices)
        return {"anyOf": list(choices.values())}


def _given(choices: dict[str, JsonSchemaValue]) -> JsonSchemaValue:
    """A `given:` entry: `kind:` picks network, model or graph; anything without `kind:` is
    data."""
    branches = []
    for tag, choice in choices.items():
        if tag == "data":
            branches.append({
                "not": {"type": "object", "required": ["kind"]},
                "description": "Data: a number, a list, or a mapping without `kind:`.",
            })
        else:
            branches.append({**choice, "required": ["kind"]})
    return {
        "description": "A network (`kind: network`), a layer model (`kind: model`), a "
                       "computational graph (`kind: graph`), or data.",
        "anyOf": branches,
    }


def _by_tag(key: str, choices: dict[str, JsonSchemaValue]) -> JsonSchemaValue:
    """A union picked by the value of `key`: one `if`/`then` per value."""
    return {
        "type": "object",
        "required": [key],
        "properties": {key: {"enum": list(choices)}},
        "allOf": [
            {"if": {"required": [key], "properties": {key: {"const": tag}}}, "then": choice}
            for tag, choice in choices.items()
        ],
    }


def _generate(model: Any, title: str) -> dict[str, Any]:
    generated = model.model_json_schema(schema_generator=_Generator)
    generated.pop("title", None)
    return {"$schema": DRAFT, "title": title, **generated}


def _ordered(schema: dict[str, Any]) -> dict[str, Any]:
    """`$schema`, `title` and `description` first and `$defs` last, for people who read it."""
    first = ("$schema", "title", "description")
    out = {k: schema[k] for k in first if k in schema}
    out.update((k, v) for k, v in schema.items() if k not in first and k != "$defs")
    if "$defs" in schema:
        out["$defs"] = schema["$defs"]
    return out


def _defs(schema: dict[str, Any]) -> dict[str, Any]:
    defs: dict[str, Any] = schema.setdefault("$defs", {})
    return defs


# --- problems --------------------------------------------------------------------------------


def _describe_asks(schema: dict[str, Any]) -> None:
    """Name every ask, with its part's docstring, where editors show `ask:`."""
    defs = _defs(schema)
    items = schema.get("properties", {}).get("parts", {}).get("items", {})
    ask = items.get("properties", {}).get("ask")
    if ask is None:
        return
    lines = [f"- `{name}`: {defs.get(model.__name__, {}).get('description', '')}"
             for name, model in PART_MODELS.items()]
    items["description"] = "A part: `ask:` says what it asks, and which keys it has."
    ask["description"] = "What the part asks:\n" + "\n".join(lines)


def _relax_defaults(schema: dict[str, Any]) -> None:
    """Require a key of a part only where `defaults:` does not supply it."""
    defs = _defs(schema)
    needed: dict[str, list[str]] = {}  # key -> the asks whose parts need it
    for ask, model in PART_MODELS.items():
        part = defs.get(model.__name__)
        if part is None:
            continue
        required = part.get("required", [])
        for key in required:
            if key != "ask":
                needed.setdefault(key, []).append(ask)
        part["required"] = [k for k in required if k == "ask"]
        if not part["required"]:
            del part["required"]
    conditions = [
        {
            "if": {"required": ["defaults"],
                   "properties": {"defaults": {"required": [key]}}},
            "else": {"properties": {"parts": {"items": {
                "if": {"required": ["ask"], "properties": {"ask": {"enum": asks}}},
                "then": {"required": [key]},
            }}}},
        }
        for key, asks in needed.items()
    ]
    alternatives: dict[tuple[str, ...], list[str]] = {}  # (network, graph) -> the asks
    for ask, model in PART_MODELS.items():
        if model._ONE_OF:
            alternatives.setdefault(model._ONE_OF, []).append(ask)
    for keys, asks in alternatives.items():
        one = {"anyOf": [{"required": [key]} for key in keys]}
        conditions.append({
            "if": {"required": ["defaults"], "properties": {"defaults": one}},
            "else": {"properties": {"parts": {"items": {
                "if": {"required": ["ask"], "properties": {"ask": {"enum": asks}}},
                "then": one,
            }}}},
        })
    if conditions:
        schema.setdefault("allOf", []).extend(conditions)
    defaults = schema.get("properties", {}).get("defaults")
    if defaults is not None:
        defaults["description"] = (
            "Keys copied into every part that accepts them and does not set them "
            "(`network`, `input`, `of`, `tolerance`, ...).")


def _network_layers(schema: dict[str, Any]) -> None:
    """A network layer: `{units: ...}`, a list of unit names, or a flat `{unit: {...}}`."""
    defs = _defs(schema)
    layer = defs.get("LayerSpec")
    if layer is None:
        return
    activation = layer["properties"].get("activation", {})
    defs["NetworkLayer"] = {
        "description": "A layer: `{activation, units}`, a list of unit names (`[h1, h2]`), "
                       "or the units themselves (`{h1: {w, b}, h2: ..., activation}`).",
        "anyOf": [
            {"$ref": REF + "LayerSpec"},
            {"type": "array", "items": {"type": "string"},
             "description": "Unit names, each with the network's defaults."},
            {"type": "object",
             "description": "Units by name (`units:` left out), and optionally `activation`.",
             "properties": {"activation": copy.deepcopy(activation), "units": False},
             "additionalProperties": {"anyOf": [{"$ref": REF + "UnitSpec"}, {"type": "null"}]}},
        ],
    }
    for name in ("NetworkSpec", "TemplateSpec"):
        layers = defs.get(name, {}).get("properties", {}).get("layers")
        if layers is not None:
            layers["items"] = {"$ref": REF + "NetworkLayer"}


def _case_free(word: str) -> str:
    """A regex for `word` as `layer_type` reads it: any case, `_` and `-` anywhere."""
    sep = "[-_]*"
    return sep.join(f"[{c}{c.upper()}]" if c.isalpha() else c for c in word)


def _model_layers(schema: dict[str, Any]) -> None:
    defs = _defs(schema)
    spec = defs.get("ModelSpec")
    if spec is None:
        return
    props = spec["properties"]
    bare = sorted(name for name, t in VOCABULARY.items()
                  if all(arg.default is not REQUIRED for arg in t.args.values()))
    spellings = sorted(a for a, t in TYPE_ALIASES.items() if t in bare)
    types = {
        name: {"description": f"`{name}`"
               + (f": shorthand `{t.shorthand}`" if t.shorthand else "")
               + (f"; arguments {', '.join(t.args)}" if t.args else "; no arguments")}
        for name, t in VOCABULARY.items()
    }
    defs["ModelLayer"] = {
        "description": "A layer: a type (`flatten`), `{<type>: <shorthand or arguments>}` with "
                       "optional `name` and `trainable`, or `{repeat: N, layers: [...]}`.",
        "anyOf": [
            {"type": "string", "description": "A layer type that needs no arguments.",
             "anyOf": [
                 {"enum": bare},
                 {"pattern": f"^[-_]*(?:{'|'.join(map(_case_free, spellings))})[-_]*$"},
             ]},
            {"$ref": REF + "RepeatBlock"},
            {"type": "object",
             "properties": {
                 **types,
                 "name": {"anyOf": [{"type": "string", "minLength": 1}, {"type": "null"}]},
                 "trainable": {"type": "boolean"},
                 "repeat": False,
             },
             # a layer type is a key besides `name` and `trainable`
             "not": {"propertyNames": {"enum": ["name", "trainable"]}}},
        ],
    }
    defs["RepeatBlock"] = {
        "description": "Its layers, repeated N times (each copy's names get `_1`, `_2`, ...).",
        "type": "object",
        "properties": {
            "repeat": {"anyOf": [{"type": "integer", "minimum": 1}, {"type": "string"}]},
            "layers": {"type": "array", "minItems": 1, "items": {"$ref": REF + "ModelLayer"}},
            "trainable": {"type": "boolean"},
        },
        "required": ["repeat", "layers"],
        "additionalProperties": False,
    }
    if "layers" in props:
        props["layers"]["items"] = {"$ref": REF + "ModelLayer"}
    if "input" in props:
        size = {"anyOf": [{"type": "integer", "minimum": 1}, {"type": "string"}]}
        props["input"] = {
            "description": "The input shape, batch excluded: sizes or symbols (one size "
                           "may stand without a list).",
            "anyOf": [{**props["input"], "items": size}, *size["anyOf"]],
        }
    symbols = props.get("symbols")
    if symbols is not None and "Domain" in defs:
        integer = defs["Domain"]["properties"]["integer"]["anyOf"][0]
        symbols["additionalProperties"] = {"anyOf": [
            {"$ref": REF + "Domain"},
            {**copy.deepcopy(integer), "description": "`[lo, hi]`: short for `{integer: ...}`."},
        ]}


def problem_schema() -> dict[str, Any]:
    """The JSON Schema of a problem file, as the loader reads it."""
    schema = _generate(problem.Problem, "nncheck problem file")
    _describe_asks(schema)
    _relax_defaults(schema)
    _network_layers(schema)
    _model_layers(schema)
    return _ordered(schema)


def sheet_schema() -> dict[str, Any]:
    """The JSON Schema of an answer sheet."""
    return _ordered(_generate(problem.Sheet, "nncheck answer sheet"))
