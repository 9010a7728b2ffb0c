"""Reading a file: the places of values and keys, found in the node tree when asked.

The places must be those of every value and key as the file has them (aliases at their anchor,
merged keys where the merged mapping writes them, columns counted in characters), by lookup and
by iteration alike, and every located message the same as when each place was recorded.
"""

from __future__ import annotations

import gc
import math
import os
import random
import stat
import struct
import sys
from typing import Any

import pytest
import yaml

from nncheck.errors import InputError
from nncheck.io import files
from nncheck.io.files import read_regular
from nncheck.io.problems import load_problem_from, load_sheet_from
from nncheck.io.scalars import MAX_NODES
from nncheck.io.yaml import parse_document
from nncheck.written import WrittenFloat, keeps_digits, keeps_text

# Columns are counted from 1, in characters (`é` is one).
TRICKY = (
    "base: &b {w: [1, 2], b: -1}\n"  # 1: `&b` at 7, `[` at 14, `1` 15, `2` 18, key b 22, -1 25
    "n1:\n"  # 2
    "  b: 3\n"  # 3: the mapping starts at its first key, col 3; `3` at 6
    "  <<: *b\n"  # 4: w merged in, its key and value where `base` writes them
    "011: [true, x]\n"  # 5: key 11 at 1, `[` at 6, `true` 7, `x` 13
    "true: 'é'\n"  # 6: key True at 1, `'é'` at 7
    '"é": {1.5: null, ü: [[7]]}\n'  # 7: `{` 6, key 1.5 at 7, null 12, key ü 18, `[` 21, 22, 7 23
    "n2: {<<: [*b, {x: 3}], w: 1}\n"  # 8: `{` 5, key x 16, 3 at 19, key w 24, 1 at 27
)

TRICKY_MARKS = {
    (): (1, 1),
    ("base",): (1, 7), ("base", "w"): (1, 14), ("base", "w", 0): (1, 15),
    ("base", "w", 1): (1, 18), ("base", "b"): (1, 25),
    ("n1",): (3, 3), ("n1", "b"): (3, 6), ("n1", "w"): (1, 14), ("n1", "w", 0): (1, 15),
    ("n1", "w", 1): (1, 18),
    (11,): (5, 6), (11, 0): (5, 7), (11, 1): (5, 13),
    (True,): (6, 7),
    ("é",): (7, 6), ("é", 1.5): (7, 12), ("é", "ü"): (7, 21), ("é", "ü", 0): (7, 22),
    ("é", "ü", 0, 0): (7, 23),
    ("n2",): (8, 5), ("n2", "w"): (8, 27), ("n2", "b"): (1, 25), ("n2", "x"): (8, 19),
}

TRICKY_KEY_MARKS = {
    ("base",): (1, 1), ("base", "w"): (1, 11), ("base", "b"): (1, 22),
    ("n1",): (2, 1), ("n1", "b"): (3, 3), ("n1", "w"): (1, 11),
    (11,): (5, 1), (True,): (6, 1),
    ("é",): (7, 1), ("é", 1.5): (7, 7), ("é", "ü"): (7, 18),
    ("n2",): (8, 1), ("n2", "w"): (8, 24), ("n2", "b"): (1, 22), ("n2", "x"): (8, 16),
}


def test_every_place_of_a_file_with_merges_aliases_and_typed_keys():
    doc = parse_document(TRICKY, "t.yaml")
    assert doc.data["n2"] == {"w": 1, "b": -1, "x": 3}
    # Looked up one by one, and listed whole: the same places.
    assert {loc: doc.marks[loc] for loc in TRICKY_MARKS} == TRICKY_MARKS
    assert {loc: doc.key_marks[loc] for loc in TRICKY_KEY_MARKS} == TRICKY_KEY_MARKS
    assert dict(doc.marks) == TRICKY_MARKS
    assert dict(doc.key_marks) == TRICKY_KEY_MARKS
    assert (len(doc.marks), len(doc.key_marks)) == (24, 15)


def test_a_path_finds_what_a_dict_of_paths_would_find():
    doc = parse_document(TRICKY, "t.yaml")
    # An index equal to an int is that int, as a dict key (True == 1 == 1.0).
    assert doc.marks[(11, True)] == doc.marks[(11, 1.0)] == (5, 13)
    for absent in [(11, "1"), (11, 1.5), (11, -1), (11, 2), (11, None), ("n1", "x"),
                   ("base", "w", 0, 0), ("nothing",), (12,)]:
        assert absent not in doc.marks
        assert doc.marks.get(absent) is None
    # A list's items and the whole file have no key.
    for keyless in [(), (11, 0), ("base", "w", 1)]:
        assert keyless not in doc.key_marks
    assert doc.key_marks[(1.0 + 10,)] == (5, 1)  # 11.0 finds the key 11
    with pytest.raises(KeyError):
        doc.marks[("n2", "y")]


def test_locate_takes_the_deepest_place_the_file_has():
    doc = parse_document(TRICKY, "t.yaml")
    assert doc.locate(("n1", "w", 1, "more", 3)) == (1, 18)
    assert doc.locate(("é", "ü", 5)) == (7, 21)
    assert doc.locate(("nothing", "at", "all")) == (1, 1)
    err = doc.error(("n2", "x"), "a message", at_key=True)
    assert (err.line, err.col) == (8, 16)
    err = doc.error(("n2", "nothing"), "a message", at_key=True)  # no key: the value's place
    assert (err.line, err.col) == (8, 5)


def test_an_empty_file_has_only_its_start():
    doc = parse_document("# nothing\n", "e.yaml")
    assert doc.data is None
    assert dict(doc.marks) == {(): (1, 1)}
    assert dict(doc.key_marks) == {}


# --- generated files, against the places recorded while walking them --------------------------

_KEYS = ["a", "b", "é", "ключ", "011", "0x10", "true", "null", "2.5", "-3", "'011'", '"x y"']
_SCALARS = ["1", "-2.50", "x", "'quoted: yes'", '"é\\t"', "null", "~", "true", "0o17", "1e3",
            "on", "日本", "π"]


def _value(rng: random.Random, depth: int) -> Any:
    roll = rng.random()
    if depth > 4 or roll < 0.45:
        return rng.choice(_SCALARS)
    if roll < 0.7:
        return [_value(rng, depth + 1) for _ in range(rng.randrange(4))]
    return {key: _value(rng, depth + 1) for key in rng.sample(_KEYS, rng.randrange(4))}


def _flow(value: Any) -> str:
    if isinstance(value, list):
        return "[" + ", ".join(_flow(v) for v in value) + "]"
    if isinstance(value, dict):
        return "{" + ", ".join(f"{k}: {_flow(v)}" for k, v in value.items()) + "}"
    return str(value)


def _emit(value: Any, indent: int, rng: random.Random, anchors: list[str]) -> list[str]:
    """Block lines of a non-empty container, some children in flow style, some anchored or
    aliases of an earlier anchor."""
    pad = " " * indent
    lines: list[str] = []
    items = value.items() if isinstance(value, dict) else ((None, v) for v in value)
    for key, child in items:
        head = f"{pad}- " if key is None else f"{pad}{key}: "
        if anchors and rng.random() < 0.3:
            lines.append(f"{head}*{rng.choice(anchors)}")
            continue
        anchor = ""
        if isinstance(child, (list, dict)) and rng.random() < 0.3:
            anchor = f"&n{indent}x{len(anchors)} "  # named apart from those inside it
        if isinstance(child, (list, dict)) and child and rng.random() < 0.6:
            lines.append(f"{head}{anchor}".rstrip())
            lines.extend(_emit(child, indent + 2, rng, anchors))
        else:
            lines.append(f"{head}{anchor}{_flow(child)}")
        if anchor:
            anchors.append(anchor[1:-1])
    return lines


def _recorded(text: str, data: Any) -> tuple[dict[Any, Any], dict[Any, Any]]:
    """The places of every value and key, recorded by walking the nodes beside the built data
    (a file without merge keys: a mapping's entries are its nodes' pairs, in order)."""
    root = yaml.compose(text, Loader=yaml.SafeLoader)
    marks: dict[Any, Any] = {}
    key_marks: dict[Any, Any] = {}
    todo = [(root, data, ())]
    while todo:
        node, value, loc = todo.pop()
        marks[loc] = (node.start_mark.line + 1, node.start_mark.column + 1)
        if isinstance(node, yaml.SequenceNode):
            todo += [(n, v, (*loc, i)) for i, (n, v) in enumerate(zip(node.value, value))]
        elif isinstance(node, yaml.MappingNode):
            assert len(node.value) == len(value)
            for (key_node, child), key in zip(node.value, value):
                key_marks[(*loc, key)] = (key_node.start_mark.line + 1,
                                          key_node.start_mark.column + 1)
                todo.append((child, value[key], (*loc, key)))
    return marks, key_marks


@pytest.mark.parametrize("seed", range(60))
def test_places_of_generated_files_are_those_recorded_walking_them(seed):
    rng = random.Random(seed)
    top = {key: _value(rng, 0) for key in rng.sample(_KEYS, 4)}
    text = "\n".join(_emit(top, 0, rng, [])) + "\n"
    doc = parse_document(text, "g.yaml")
    marks, key_marks = _recorded(text, doc.data)
    assert {loc: doc.marks[loc] for loc in marks} == marks
    assert {loc: doc.key_marks[loc] for loc in key_marks} == key_marks
    assert dict(doc.marks) == marks
    assert dict(doc.key_marks) == key_marks
    assert (len(doc.marks), len(doc.key_marks)) == (len(marks), len(key_marks))
    for loc in rng.sample(sorted(marks, key=repr), min(10, len(marks))):
        assert doc.locate((*loc, "no such key", 0)) == marks[loc]


# --- located messages ---------------------------------------------------------------------------


@pytest.mark.parametrize(("text", "message"), [
    # 1:19 is `naem` in the flow mapping (columns count `ë` as one).
    ("student: {id: s1, naem: Zoë}\nanswers: {}\n",
     "s.yaml:1:19: unknown key `naem` — one of `id`, `name`, `email` (did you mean `name`?)"),
    # A value beside a merge key: `[` at 3:9.
    ("student:\n  <<: &s {id: s7}\n  name: [1]\nanswers: {}\n",
     "s.yaml:3:9: expected a string, found a list [1]"),
    # A value merged in from an inline mapping: `7` at 1:31.
    ("student: {id: s1, <<: {email: 7}}\nanswers: {}\n",
     "s.yaml:1:31: expected a string, found 7"),
    ("student: {id: s1}\nvariant: true\nanswers:\n  q1: {a: 1}\n",
     "s.yaml:2:10: expected an integer, found true"),
    # A key that is not a string, at the key: `true` at 5:3.
    ("student: {id: s1}\nanswers:\n  q1:\n    a: 1\n  true: {b: 2}\n",
     "s.yaml:5:3: expected a string, found true"),
    # After a quoted non-ASCII key, `3` at 4:8.
    ("student: {id: s1}\nanswers:\n  q1: {}\n  'ü': 3\n",
     "s.yaml:4:8: expected a mapping, found 3"),
    # Reached through an alias: the key `base` of the whole file, at 1:1.
    ("base: &b {id: s1}\nstudent: *b\nanswers: {}\n",
     "s.yaml:1:1: unknown key `base` — one of `student`, `answers`, `decimal_comma`, "
     "`variant`, `check`"),
    ("answers: {q: {a: 1}}\nstudent:\n  - id\n",
     "s.yaml:3:3: expected a mapping, found a list ['id']"),
    ("student: {id: s1}\nanswers:\n  q1: {a: 1}\n  q1: {b: 2}\n",
     "s.yaml:4:3: duplicate key `q1` — each key once in a mapping (first at line 3)"),
])
def test_located_messages_of_sheets(text, message):
    with pytest.raises(InputError) as caught:
        load_sheet_from(parse_document(text, "s.yaml"), "s.yaml")
    assert str(caught.value) == message


def test_the_values_and_keys_counted_for_variants_include_aliased_copies():
    pad = 460
    text = ("id: v\n"
            "given:\n"
            "  y: &y [0, 0, 1, 0]\n"
            "  p: [0.25, 0.25, 0.3, 0.2]\n"
            "  pad: [" + ", ".join(["0"] * pad) + "]\n"
            "  y2: *y\n"
            "vary:\n"
            "  variants: 10000\n"
            "  draw:\n"
            "    a: {at: p.0, range: [0.1, 0.4], step: 0.05}\n"
            "parts:\n"
            "  - {id: a, ask: loss, fn: cross_entropy, y_true: y, y_pred: p}\n")
    # Values: the file 1, id 1, given 1, y 5, p 5, pad 1 + 460, y2 5 (the alias copied), vary 1,
    # variants 1, draw 1, a 1, at 1, range 3, step 1, parts 1, the part 1 and its 5 values:
    # 495. Keys: 4 at the top, 4 in given, 2 in vary, 1 in draw, 3 in a, 5 in the part: 19.
    doc = parse_document(text, "v.yaml")
    assert (len(doc.marks), len(doc.key_marks)) == (495, 19)
    with pytest.raises(InputError) as caught:
        load_problem_from(doc, "v.yaml")
    assert str(caught.value) == (
        "v.yaml:8:13: `vary`: 10000 variants of a file of 514 values and keys are more than "
        "5,000,000 values to draw and keep — at most 9,727 variants (or a smaller `given`)")


# --- the bound on nodes, counted a container at a time -----------------------------------------


def test_the_node_bound_is_reached_at_the_same_item():
    # The file 1, the list 1, item i is node i + 3: node 100,001 is item 99,998 (from 0), at
    # column 5 + 3 * 99,998 of `a: [0, 0, ...`.
    fits = "a: [" + ", ".join(["0"] * (MAX_NODES - 2)) + "]\n"
    assert len(parse_document(fits, "n.yaml").data["a"]) == MAX_NODES - 2
    over = "a: [" + ", ".join(["0"] * (MAX_NODES - 1)) + "]\n"
    with pytest.raises(InputError) as caught:
        parse_document(over, "n.yaml")
    assert (caught.value.line, caught.value.col) == (1, 5 + 3 * 99_998)
    assert caught.value.message == "too many nodes"


def test_the_node_bound_counts_nested_values_in_the_files_order():
    # `a` holds 50,000 lists of one item: the file 1, a 1, then each list and its item are
    # counted when their mapping is filled: the lists first (nodes 3 .. 50,002), then item by
    # item (50,003 ...): node 100,001 is the item of list 49,998 (from 0), on line 49,999 + 2.
    text = "a:\n" + "".join(["- [0]\n"] * 50_000)
    with pytest.raises(InputError) as caught:
        parse_document(text, "n.yaml")
    assert (caught.value.line, caught.value.col) == (49_998 + 2, 4)


def test_a_read_file_holds_no_reference_cycle():
    # A Document is freed as soon as it is dropped, nodes and all: no work left for the
    # cyclic garbage collector, whatever the number of sheets read.
    gc.collect()
    gc.disable()
    try:
        for _ in range(3):
            doc = parse_document(TRICKY, "t.yaml")
            assert doc.marks[("n2", "x")] == (8, 19)
            del doc
        assert gc.collect() == 0
    finally:
        gc.enable()


# --- the bytes of a file ------------------------------------------------------------------------


@pytest.mark.parametrize("size", [0, 1, 99, 100, 101, 250])
def test_a_file_is_read_whole_up_to_the_limit(tmp_path, size):
    path = tmp_path / "f.yaml"
    path.write_bytes(bytes(range(256))[:size])
    data, said = read_regular(str(path), 100)
    assert data == bytes(range(256))[: min(size, 100)]
    assert said == size


@pytest.mark.parametrize("said", [0, 10, 99])
def test_a_file_larger_than_its_size_said_is_read_to_the_limit(tmp_path, monkeypatch, said):
    # A file that grew after it was measured, or one of /proc (size 0): the size is a guess.
    path = tmp_path / "f.yaml"
    path.write_bytes(b"x" * 150)
    real = os.fstat

    def smaller(fd: int) -> os.stat_result:
        info = list(real(fd))
        info[stat.ST_SIZE] = said
        return os.stat_result(info)

    monkeypatch.setattr(files.os, "fstat", smaller)
    assert read_regular(str(path), 120)[0] == b"x" * 120
    assert read_regular(str(path), 200)[0] == b"x" * 150


# --- floats written as Python writes them -------------------------------------------------------


@pytest.mark.parametrize(("text", "kept"), [
    ("1.2039728043259361", None),  # Python's own repr of a float: nothing more to keep
    ("0.1", None),
    ("-0.0", None),
    ("1000.0", None),
    ("5e-324", None),
    ("1.7976931348623157e+308", None),
    ("2.2250738585072014e-308", None),
    ("1e3", "1e3"),  # 1000.0 to Python: the precision written is kept
    ("-0.20", "-0.20"),
    ("0.1000000000000000055511151231257827", "0.1000000000000000055511151231257827"),
    ("4.9406564584124654e-324", "4.9406564584124654e-324"),  # 5e-324, written longer
    # Not as Python writes them, but the same decimal to the same precision: nothing kept.
    ("1.2039728043259361e0", None),
    ("1.7976931348623157E+308", None),
    ("+0.5", None),
])
def test_a_float_keeps_its_text_only_when_python_would_write_it_otherwise(text, kept):
    value = parse_document(f"v: {text}\n", "f.yaml").data["v"]
    assert value == float(text)
    assert str(value) == str(float(text))
    assert (value.text if isinstance(value, WrittenFloat) else None) == kept


def test_random_floats_written_as_python_writes_them_are_read_as_written_rules_say():
    rng = random.Random(19)
    samples = [rng.uniform(-10, 10) for _ in range(300)]
    samples += [struct.unpack("<d", struct.pack("<Q", rng.getrandbits(64)))[0]
                for _ in range(700)]
    for number in samples:
        if not math.isfinite(number):
            continue
        text = repr(number)
        if "e" not in text and "." not in text:  # pragma: no cover - repr always has one
            continue
        value = parse_document(f"v: {text}\n", "f.yaml").data["v"]
        # The rule of io/scalars.py, worked out the long way for each.
        rule_keeps = keeps_text(text, number) or keeps_digits(text, number)
        assert not rule_keeps, text
        assert type(value) is float and value == number and str(value) == text


def test_a_key_that_is_also_its_value_has_its_place():
    # `? &k a` anchors the key; `: *k` makes the value that same node.
    doc = parse_document("x: 1\n? &k a\n: *k\n", "k.yaml")
    assert doc.data == {"x": 1, "a": "a"}
    assert doc.key_marks[("a",)] == (2, 3)
    assert doc.marks[("a",)] == (2, 3)
    assert dict(doc.key_marks) == {("x",): (1, 1), ("a",): (2, 3)}


def _stack_depth() -> int:
    frame, depth = sys._getframe(), 0
    while frame is not None:
        frame, depth = frame.f_back, depth + 1
    return depth


def test_a_place_behind_merges_of_merges_is_found_without_following_them_again():
    # 300 merges, each of the next: read at the top of a stack, their place is then asked from
    # a deeper one (a message being built), where following them again would need 600 frames.
    text = "a: " + "{<<: " * 300 + "{x: 1}" + "}" * 300 + "\n"
    doc = parse_document(text, "m.yaml")
    assert doc.data == {"a": {"x": 1}}
    limit = sys.getrecursionlimit()
    sys.setrecursionlimit(_stack_depth() + 60)
    try:
        # `a: ` is 3 characters, then 300 times `{<<: ` (5): the innermost `{` at 1504.
        assert doc.key_marks[("a", "x")] == (1, 1505)
        assert doc.marks[("a", "x")] == (1, 1508)
    finally:
        sys.setrecursionlimit(limit)
