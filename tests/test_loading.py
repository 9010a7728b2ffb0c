"""Tests for nncheck.io.yaml and nncheck.spec.errors: YAML 1.2 scalars, positions, refusals
and validation errors."""

from __future__ import annotations

import math
from typing import Annotated, Literal

import pytest
from pydantic import BaseModel, ConfigDict, Field, TypeAdapter, field_validator

from nncheck.errors import InputError
from nncheck.io.scalars import MAX_NODES
from nncheck.io.yaml import MAX_FILE_BYTES, Document, parse_document, read_document
from nncheck.spec.errors import validate


def parse(text: str) -> Document:
    return parse_document(text, "q.yaml")


def refusal(text: str) -> InputError:
    with pytest.raises(InputError) as info:
        parse(text)
    return info.value


def where(err: InputError) -> tuple[str | None, int | None, int | None]:
    return err.path, err.line, err.col


# --- models for the validation tests ---------------------------------------------------------


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class Layer(Strict):
    w: list[float]
    b: float = 0.0


class TruthTable(Strict):
    id: str
    ask: Literal["truth_table"]
    domain: Literal["binary", "bipolar"] = "binary"


class ParamCount(Strict):
    id: str
    ask: Literal["param_count"]
    model: str


Part = Annotated[TruthTable | ParamCount, Field(discriminator="ask")]


class Problem(Strict):
    id: str
    design: str = ""
    layers: list[dict[str, Layer]] = []
    parts: list[Part] = []


class Named(Strict):
    name: str

    @field_validator("name")
    @classmethod
    def not_reserved(cls, value: str, info) -> str:
        if value in (info.context or {}).get("reserved", ()):
            raise ValueError(f"`{value}` is reserved")
        return value


def validation_error(model, text: str, **kwargs) -> InputError:
    with pytest.raises(InputError) as info:
        validate(model, parse(text), **kwargs)
    return info.value


# --- scalars: YAML 1.2 core schema -----------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "value"),
    [
        pytest.param("off", "off", id="off-is-a-string"),
        pytest.param("on", "on", id="on-is-a-string"),
        pytest.param("yes", "yes", id="yes-is-a-string"),
        pytest.param("n", "n", id="n-is-a-string"),
        pytest.param("011", 11, id="leading-zero-is-decimal"),
        pytest.param("-07", -7, id="signed-decimal"),
        pytest.param("1e3", 1000.0, id="exponent-without-dot-is-a-float"),
        pytest.param("0x10", 16, id="hex"),
        pytest.param("0o17", 15, id="octal-with-0o"),
        pytest.param("1.204", 1.204, id="float"),
        pytest.param("-.5", -0.5, id="float-without-leading-digit"),
        pytest.param(".inf", math.inf, id="inf"),
        pytest.param("-.inf", -math.inf, id="minus-inf"),
        pytest.param("inf", "inf", id="bare-inf-is-a-string"),
        pytest.param("1_000", "1_000", id="underscores-are-a-string"),
        pytest.param("true", True, id="true"),
        pytest.param("FALSE", False, id="FALSE"),
        pytest.param("null", None, id="null"),
        pytest.param("~", None, id="tilde"),
        pytest.param('"011"', "011", id="double-quoted-stays-a-string"),
        pytest.param("'true'", "true", id="single-quoted-stays-a-string"),
        pytest.param("!!str 011", "011", id="str-tag"),
        pytest.param("!!float 3", 3.0, id="float-tag-on-an-integer"),
        pytest.param("!!int '12'", 12, id="int-tag-on-a-quoted-scalar"),
        pytest.param("-log(0.3)", "-log(0.3)", id="expression"),
        pytest.param("101*5", "101*5", id="product"),
    ],
)
def test_scalars_follow_yaml_1_2(text, value):
    assert parse(f"v: {text}\n").data == {"v": value}


def test_nan():
    assert math.isnan(parse("v: .nan\n").data["v"])


def test_empty_value_is_null():
    assert parse("a:\nb: 1\n").data == {"a": None, "b": 1}


def test_keys_keep_their_yaml_1_2_types():
    doc = parse('011: a\n"0110": b\n2: c\noff: d\n')
    assert doc.data == {11: "a", "0110": "b", 2: "c", "off": "d"}
    assert list(doc.data) == [11, "0110", 2, "off"]


def test_integer_keys_have_positions():
    doc = parse("Y:\n  011: 0.5\n  101: 1.5\n")
    assert doc.data == {"Y": {11: 0.5, 101: 1.5}}
    assert doc.key_marks[("Y", 101)] == (3, 3)
    assert doc.marks[("Y", 101)] == (3, 8)


def test_tagged_scalar_must_fit_its_tag():
    err = refusal("a: 1\nb: !!bool yes\n")
    assert where(err) == ("q.yaml", 2, 4)
    assert str(err) == "q.yaml:2:4: `yes` is not true or false — !!bool true or false"


# --- positions ----------------------------------------------------------------------------------


SHEET = """\
student: {id: s042, name: Sara}
answers:
  q1:
    table: {Y: "0001 0110"}
    count: 661
    list:
      - 1
      - [2, 3]
"""


def test_marks_of_values_and_keys():
    doc = parse(SHEET)
    assert doc.marks[()] == (1, 1)
    assert doc.marks[("student", "name")] == (1, 27)
    assert doc.marks[("answers", "q1", "count")] == (5, 12)
    assert doc.key_marks[("answers", "q1", "count")] == (5, 5)
    assert doc.marks[("answers", "q1", "list", 1, 0)] == (8, 10)


def test_locate_falls_back_to_the_deepest_known_prefix():
    doc = parse(SHEET)
    assert doc.locate(("answers", "q1", "count", "no", "such")) == (5, 12)
    assert doc.locate(("nothing",)) == (1, 1)


def test_document_error_at_value_or_key():
    doc = parse(SHEET)
    err = doc.error(("answers", "q1", "count"), "wrong", expected="right", hint="think")
    assert str(err) == "q.yaml:5:12: wrong — right (think)"
    err = doc.error(("answers", "q1", "count"), "unknown", at_key=True)
    assert where(err) == ("q.yaml", 5, 5)


def test_empty_file_is_null():
    doc = parse("# only a comment\n")
    assert doc.data is None
    assert doc.locate(("x",)) == (1, 1)


# --- errors in the YAML itself ------------------------------------------------------------------


def test_syntax_error_names_line_and_column():
    err = refusal("id: q\nparts:\n  - id: a\n    ask: b: c\n")
    assert where(err) == ("q.yaml", 4, 11)
    assert err.message == "a `: ` inside an unquoted value"
    assert err.hint == 'put the value in quotes: `ask: "b: c"`'


def test_tab_indentation_gets_a_hint():
    err = refusal("a:\n\tb: 1\n")
    assert where(err) == ("q.yaml", 2, 1)
    assert err.hint == "YAML does not allow tabs"


def test_duplicate_nested_key():
    text = "id: q\nanswers:\n  q1:\n    b: 1\n    b: 2\n"
    err = refusal(text)
    assert where(err) == ("q.yaml", 5, 5)
    assert str(err) == (
        "q.yaml:5:5: duplicate key `b` — each key once in a mapping (first at line 4)"
    )


def test_duplicate_key_written_differently():
    err = refusal("11: a\n011: b\n")
    assert where(err) == ("q.yaml", 2, 1)
    assert err.message == "duplicate key `11`"


def test_complex_key_is_refused():
    err = refusal("? [1, 2]\n: x\n")
    assert where(err) == ("q.yaml", 1, 3)
    assert err.message == "a mapping key cannot be a list"


def test_two_documents_are_refused():
    err = refusal("a: 1\n---\nb: 2\n")
    assert where(err) == ("q.yaml", 2, 1)
    assert err.message == "a second YAML document starts here"
    assert err.expected == "one document per file"


def test_python_tag_is_refused():
    err = refusal("x: !!python/object/apply:os.system ['echo hi']\n")
    assert where(err) == ("q.yaml", 1, 4)
    assert err.message == "tag `!!python/object/apply:os.system` is not allowed"


@pytest.mark.parametrize("text", ["x: !!binary aGk=\n", "x: !custom 1\n", "x: !!set {a}\n"])
def test_other_tags_are_refused(text):
    assert "is not allowed" in refusal(text).message


def test_control_character_is_refused_with_its_place():
    err = refusal("a: 1\nb: x\x07y\n")
    assert where(err) == ("q.yaml", 2, 5)
    assert err.message == "character U+0007 is not allowed in YAML"


# --- aliases and merges -------------------------------------------------------------------------


def test_aliases_expand_to_copies():
    doc = parse("w: &w [1, 2]\nn1: {w: *w}\nn2: {w: *w}\n")
    assert doc.data == {"w": [1, 2], "n1": {"w": [1, 2]}, "n2": {"w": [1, 2]}}
    assert doc.data["n1"]["w"] is not doc.data["n2"]["w"]
    assert doc.marks[("n2", "w", 1)] == (1, 11)  # the value is written at the anchor


def test_merge_keys_insert_and_own_keys_win():
    text = "base: &b {w: [1, 1], b: -1}\nn1:\n  b: 2\n  <<: *b\nn2: {<<: [*b, {x: 3}], w: 1}\n"
    doc = parse(text)
    assert doc.data["n1"] == {"b": 2, "w": [1, 1]}
    assert doc.data["n2"] == {"w": 1, "b": -1, "x": 3}


def test_merge_of_a_scalar_is_refused():
    err = refusal("a: {<<: 1}\n")
    assert err.message == "`<<` merges only mappings"


def test_recursive_alias_is_refused():
    err = refusal("a: &x [1, *x]\n")
    assert where(err) == ("q.yaml", 1, 4)
    assert err.message.startswith("recursive alias")


def test_billion_laughs_is_refused_quickly():
    lines = ['a0: &a0 "lol"']
    for level in range(1, 10):
        aliases = ", ".join([f"*a{level - 1}"] * 9)
        lines.append(f"a{level}: &a{level} [{aliases}]")
    err = refusal("\n".join(lines) + "\n")
    assert err.message == "too many nodes after expanding aliases (billion-laughs?)"
    assert err.expected == f"at most {MAX_NODES:,} nodes"


# --- files --------------------------------------------------------------------------------------


def test_persian_text_round_trips(tmp_path):
    path = tmp_path / "sheet.yaml"
    path.write_text("student: {id: s1, name: سارا}\nanswers:\n  q1: {why: 'بیش‌برازش'}\n", "utf-8")
    doc = read_document(path)
    assert doc.path == str(path)
    assert doc.data == {
        "student": {"id": "s1", "name": "سارا"},
        "answers": {"q1": {"why": "بیش‌برازش"}},
    }
    assert doc.marks[("student", "name")] == (1, 25)


def test_byte_order_mark_is_accepted(tmp_path):
    path = tmp_path / "bom.yaml"
    path.write_bytes(b"\xef\xbb\xbfa: 1\n")
    assert read_document(path).data == {"a": 1}


def test_non_utf8_file_is_refused_at_the_bad_byte(tmp_path):
    path = tmp_path / "latin1.yaml"
    path.write_bytes("id: q\ntitle: Caf\u00e9\n".encode("latin-1"))
    with pytest.raises(InputError) as info:
        read_document(path)
    assert where(info.value) == (str(path), 2, 11)
    assert info.value.message == "the file is not valid UTF-8 (byte 0xe9)"


def test_file_over_one_mebibyte_is_refused(tmp_path):
    path = tmp_path / "big.yaml"
    path.write_bytes(b"# " + b"x" * MAX_FILE_BYTES + b"\n")
    with pytest.raises(InputError) as info:
        read_document(path)
    assert info.value.path == str(path)
    assert info.value.line is None
    assert info.value.message == f"file is too large ({MAX_FILE_BYTES + 3:,} bytes)"


def test_missing_file_is_an_input_error(tmp_path):
    with pytest.raises(InputError) as info:
        read_document(tmp_path / "nope.yaml")
    assert info.value.message.startswith("cannot read the file")


# --- validation errors --------------------------------------------------------------------------


def test_unknown_key_points_at_the_key_with_a_suggestion():
    err = validation_error(Problem, "id: q\ndesing: xor\n")
    assert where(err) == ("q.yaml", 2, 1)
    assert err.message == "unknown key `desing`"
    assert err.hint == "did you mean `design`?"


def test_unknown_key_beats_the_missing_key_it_misspells():
    text = "id: q\nparts:\n  - id: total\n    ask: param_count\n    modle: mlp\n"
    err = validation_error(Problem, text)
    assert str(err) == (
        "q.yaml:5:5: unknown key `modle` — one of `id`, `ask`, `model` (did you mean `model`?)"
    )


def test_wrong_type_deep_in_a_list():
    text = "id: q\nlayers:\n  - n1: {w: [1, 1], b: 0}\n  - Y:\n      w: [1, abc]\n"
    err = validation_error(Problem, text)
    assert str(err) == "q.yaml:5:14: expected a number, found 'abc'"


def test_missing_key_points_at_its_mapping():
    text = "id: q\nparts:\n  - id: total\n    ask: param_count\n"
    err = validation_error(Problem, text)
    assert str(err) == "q.yaml:3:5: missing key `model`"


def test_unknown_discriminator_tag_with_suggestion():
    text = "id: q\nparts:\n  - id: total\n    ask: param_cnt\n"
    err = validation_error(Problem, text)
    assert str(err) == (
        "q.yaml:4:10: unknown ask `param_cnt` — one of `truth_table`, `param_count`"
        " (did you mean `param_count`?)"
    )


def test_missing_discriminator():
    err = validation_error(Problem, "id: q\nparts:\n  - {id: total}\n")
    assert str(err) == (
        "q.yaml:3:5: missing key `ask` — `ask` set to one of `truth_table`, `param_count`"
    )


def test_wrong_key_type_points_at_the_key():
    err = validation_error(TypeAdapter(dict[str, dict[str, int]]), "Y:\n  a: 1\n  011: 0\n")
    assert str(err) == "q.yaml:3:3: expected a string, found 11"


def test_literal_with_suggestion():
    text = "id: q\nparts:\n  - {id: t, ask: truth_table, domain: bipolr}\n"
    err = validation_error(Problem, text)
    assert where(err) == ("q.yaml", 3, 39)
    assert err.message == "unknown domain `bipolr`"
    assert err.expected == "one of `binary`, `bipolar`"
    assert err.hint == "did you mean `bipolar`?"


def test_long_input_is_shortened():
    text = "id: q\ndesign: [" + ", ".join(["1"] * 40) + "]\n"
    err = validation_error(Problem, text)
    assert err.message == "expected a string, found a list [1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, ..."


def test_empty_document_against_a_model():
    err = validation_error(Problem, "")
    assert str(err) == "q.yaml:1:1: expected a mapping, found null"


def test_type_adapter_and_context_reach_the_validators():
    adapter = TypeAdapter(dict[str, Named])
    text = "a: {name: x}\nb: {name: loss}\n"
    assert validate(adapter, parse(text)) == {"a": Named(name="x"), "b": Named(name="loss")}
    err = validation_error(adapter, text, context={"reserved": ["loss"]})
    assert str(err) == "q.yaml:2:11: `loss` is reserved"


def test_unknown_key_under_a_type_adapter():
    err = validation_error(TypeAdapter(dict[str, Named]), "a:\n  nmae: x\n")
    assert where(err) == ("q.yaml", 2, 3)
    assert err.hint == "did you mean `name`?"
