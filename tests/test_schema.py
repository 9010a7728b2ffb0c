"""`nncheck schema problem|sheet` describes what the loader reads: every valid file of the
project and of the docs passes, and typical mistakes do not."""

from __future__ import annotations

import inspect
import json
from pathlib import Path
from typing import Any

import pydantic
import pytest
from test_docs import DOC_PATHS, fenced_blocks

from nncheck.errors import InputError
from nncheck.io.problems import load_any, load_problem_from
from nncheck.io.yaml import Document, parse_document, read_document
from nncheck.spec import common, model, network, parts, problem
from nncheck.spec.schema import BEFORE_VALIDATORS, problem_schema, sheet_schema

jsonschema = pytest.importorskip("jsonschema")

ROOT = Path(__file__).resolve().parents[1]
PROBLEMS = ROOT / "problems"


def _validator(schema: dict[str, Any]) -> Any:
    return jsonschema.Draft202012Validator(schema)


PROBLEM = _validator(problem_schema())
SHEET = _validator(sheet_schema())


def as_json(data: Any) -> Any:
    """The data as an editor sees it: JSON (YAML's integer keys become text)."""
    return json.loads(json.dumps(data))


def errors(data: Any, *, sheet: bool | None = None) -> list[str]:
    """The schema's complaints about a document: a problem when it has `parts:`."""
    if sheet is None:
        sheet = not (isinstance(data, dict) and "parts" in data)
    validator = SHEET if sheet else PROBLEM
    return [f"{'/'.join(map(str, e.absolute_path)) or '(top)'}: {e.message}"
            for e in validator.iter_errors(as_json(data))]


def _loadable(path: Path) -> bool:
    try:
        load_any(path)
    except InputError:
        return False
    return True


# Files the loader refuses (s07-gita.yaml is broken YAML on purpose) are no test of the schema.
BANK_FILES = [p for p in sorted(PROBLEMS.rglob("*.yaml")) if _loadable(p)]


# --- the schemas themselves ----------------------------------------------------------------------

@pytest.mark.parametrize("make", [problem_schema, sheet_schema])
def test_schema_is_a_valid_draft_2020_12_schema(make):
    schema = make()
    jsonschema.Draft202012Validator.check_schema(schema)
    assert schema["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    assert schema["title"].startswith("nncheck ")
    assert list(schema)[:3] == ["$schema", "title", "description"]
    json.dumps(schema)  # plain JSON, nothing Python-only


def test_part_descriptions_are_kept():
    defs = problem_schema()["$defs"]
    for ask, part in parts.PART_MODELS.items():
        # as pydantic keeps a docstring: its indentation cleaned
        assert defs[part.__name__]["description"] == inspect.cleandoc(part.__doc__ or ""), ask


def test_every_before_validator_is_described():
    """A validator that rewrites what is written (mode="before") changes what a file may say:
    the schema must know of it (spec/schema.py, BEFORE_VALIDATORS)."""
    found = set()
    for module in (common, network, parts, model, problem):
        for cls in vars(module).values():
            if not (isinstance(cls, type) and issubclass(cls, pydantic.BaseModel)):
                continue
            decorators = cls.__pydantic_decorators__
            for dec in decorators.field_validators.values():
                if dec.info.mode == "before":
                    found.update((cls.__name__, field) for field in dec.info.fields)
            for dec in decorators.model_validators.values():
                if dec.info.mode == "before":
                    found.add((cls.__name__, None))
    assert found <= BEFORE_VALIDATORS, f"not described by the schema: {found - BEFORE_VALIDATORS}"


# --- every valid file passes ---------------------------------------------------------------------

def test_bank_files_are_found():
    names = {p.name for p in BANK_FILES}
    assert {"q1-exactly-two.yaml", "q7-backprop.yaml", "seed-student.yaml"} <= names


@pytest.mark.parametrize("path", BANK_FILES, ids=lambda p: p.relative_to(PROBLEMS).as_posix())
def test_bank_file_validates(path):
    data = read_document(path).data
    assert errors(data) == []


DOC_BLOCKS = [
    pytest.param(block, id=block.where)
    for path in DOC_PATHS if path.is_file()
    for block in fenced_blocks(path) if block.info == "yaml"
]


def test_doc_examples_are_found():
    assert len(DOC_BLOCKS) >= 5


@pytest.mark.parametrize("block", DOC_BLOCKS)
def test_doc_example_validates(block):
    data = parse_document(block.text, block.where).data
    assert errors(data) == []


NET = "{kind: network, inputs: [x, y], layers: LAYERS}"

# What the loader accepts, written as the format allows; pydantic's own schema refused each.
VALID = {
    "network from defaults": """
        given: {n: {kind: network, inputs: [x], layers: [[o]]}}
        defaults: {network: n, input: {x: 1}}
        parts:
          - {id: a, ask: truth_table}
          - {id: b, ask: forward, of: o}
    """,
    "numeric ids": "id: 42\nparts: [{id: 1, ask: manual}, {id: 2.5, ask: manual}]",
    "bare tolerance": "tolerance: 0.01\nparts: [{id: a, ask: manual, tolerance: 1e-3}]",
    "tolerance mapping": "parts: [{id: a, ask: manual, tolerance: {abs: 0.5}}]",
    "layers as names": "given: {n: " + NET.replace("LAYERS", "[[h1, h2], [o]]") + "}",
    "layers as a flat mapping": "given: {n: " + NET.replace(
        "LAYERS", "[{h: {w: [1, 1], b: -1}, activation: step}, {o: null}]") + "}",
    "layers with units": "given: {n: " + NET.replace(
        "LAYERS", "[{activation: relu, units: {h: {w: 1}}}, {units: [o]}]") + "}",
    "given data": "given: {y: [1, 0], p: {a: 1}, k: 3, s: text}",
    "model layer forms": """
        given:
          m:
            kind: model
            input: 784
            symbols: {n: [1, 100], k: {integer: [2, 9]}}
            layers:
              - {dense: n, activation: relu, name: first}
              - {Conv2D: {filters: 8, kernel_size: 3}, trainable: false}
              - Flatten
              - leaky_relu
              - {repeat: 3, trainable: false, layers: [{dense: k}, dropout]}
    """,
    "inline answers": """
        student: {id: 7}
        answers: {1: {a: text}}
    """,
}


def _doc(text: str) -> Any:
    data = parse_document(text.replace("\n        ", "\n"), "x.yaml").data
    if "parts" not in data:
        data["parts"] = [{"id": "note", "ask": "manual"}]
    return data


@pytest.mark.parametrize("text", VALID.values(), ids=VALID.keys())
def test_what_the_loader_accepts_validates(text):
    data = _doc(text)
    load_problem_from(Document("x.yaml", data, {}, {}), "x.yaml")  # it is valid
    assert errors(data) == []


# --- typical mistakes fail -----------------------------------------------------------------------

INVALID = {
    "unknown ask": ("parts: [{id: a, ask: truthtable, network: n}]", "is not one of"),
    "unknown part key": ("parts: [{id: a, ask: manual, rubrik: x}]", "'rubrik' was unexpected"),
    "points not a number": ("parts: [{id: a, ask: manual, points: x}]", "not of type 'number'"),
    "negative points": ("parts: [{id: a, ask: manual, points: -1}]", "less than the minimum"),
    "no parts": ("id: p\ntitle: A problem", "'parts' is a required property"),
    "no parts at all": ("parts: []", "should be non-empty"),
    "no ask": ("parts: [{id: a}]", "'ask' is a required property"),
    "unknown top-level key": ("parts: [{id: a, ask: manual}]\ngivens: {}", "'givens' was"),
    "network missing, no defaults": ("parts: [{id: a, ask: truth_table}]",
                                     "'network' is a required property"),
    "network missing, defaults without it": (
        "defaults: {input: {x: 1}}\nparts: [{id: a, ask: forward}]",
        "is not valid under any of the given schemas"),  # neither `network` nor `graph`
    "negative tolerance": ("parts: [{id: a, ask: manual, tolerance: -0.1}]", "not valid"),
    "unknown tolerance key": ("parts: [{id: a, ask: manual, tolerance: {relative: 0.1}}]",
                              "not valid"),
    "a boolean id": ("parts: [{id: true, ask: manual}]", "is not of type"),
    "unknown kind of given": ("given: {n: {kind: net, inputs: [x]}}\n"
                              "parts: [{id: a, ask: manual}]", "not valid"),
    "unknown network key": ("given: {n: {kind: network, inputs: [x], layer: [[o]]}}\n"
                            "parts: [{id: a, ask: manual}]", "not valid"),
    "unknown activation": ("given: {n: {kind: network, inputs: [x], layers: [{o: null, "
                           "activation: stepp}]}}\nparts: [{id: a, ask: manual}]", "not valid"),
    "unknown unit key": ("given: {n: {kind: network, inputs: [x], layers: [{o: {weights: 1}}]}}"
                         "\nparts: [{id: a, ask: manual}]", "not valid"),
    "unknown layer type": ("given: {m: {kind: model, input: [3], layers: [flaten]}}\n"
                           "parts: [{id: a, ask: manual}]", "not valid"),
    "dense without units": ("given: {m: {kind: model, input: [3], layers: [dense]}}\n"
                            "parts: [{id: a, ask: manual}]", "not valid"),
    "layer without a type": ("given: {m: {kind: model, input: [3], layers: [{name: x}]}}\n"
                             "parts: [{id: a, ask: manual}]", "not valid"),
    "repeat with a name": ("given: {m: {kind: model, input: [3], layers: [{repeat: 2, "
                           "layers: [flatten], name: x}]}}\nparts: [{id: a, ask: manual}]",
                           "not valid"),
    "input size 0": ("given: {m: {kind: model, input: [0], layers: [flatten]}}\n"
                     "parts: [{id: a, ask: manual}]", "not valid"),
}


@pytest.mark.parametrize(("text", "says"), INVALID.values(), ids=INVALID.keys())
def test_typical_mistake_fails(text, says):
    data = parse_document(text, "x.yaml").data
    with pytest.raises(InputError):  # the loader refuses it too
        load_problem_from(Document("x.yaml", data, {}, {}), "x.yaml")
    found = errors(data, sheet=False)
    assert found, "the schema accepts it"
    assert any(says in e for e in found), found


@pytest.mark.parametrize(("data", "says"), [
    ({"answers": {"q1": {"a": 1}}}, "'student' is a required property"),
    ({"student": {"id": "s"}, "answer": {}}, "'answer' was unexpected"),
    ({"student": {"name": "Ada"}}, "'id' is a required property"),
    ({"student": {"id": "s"}, "answers": {"q1": [1, 2]}}, "is not valid"),
])
def test_sheet_mistake_fails(data, says):
    found = errors(data, sheet=True)
    assert any(says in e for e in found), found
