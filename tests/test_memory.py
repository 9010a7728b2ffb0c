"""What keeps a large class's memory flat gives what the roomier forms gave: answer keys that
are one short string (`compare.memo.exact_key`), columns of points kept as codes
(`columns.Column`), the sheets' who kept on disk for the duplicate check (`roll.Roll`), and
report.html's index written a row at a time (`render.html`)."""

from __future__ import annotations

import math
import random
import struct
from array import array
from io import BytesIO

import pytest

from nncheck import classroom, roll
from nncheck.classroom import Row
from nncheck.columns import CODES, Column
from nncheck.compare.memo import Remembered, exact_key
from nncheck.render import html
from nncheck.written import WrittenFloat

# --- answer keys: the grammar of exact_key's docstring, read back by hand ---------------------


def decode(key: str) -> object:
    """The value a key was made of, read with the grammar the docstring states (written out
    here, not imported): `s<len>:<text>`, `i<hex>;`, `T`, `F`, `n`, `f<hex>;`, `w<len>:<text>`,
    `l<n>[`, `t<n>[`, `d<n>{` followed by their items. Fails unless the key is used up."""
    value, end = _decode(key, 0)
    assert end == len(key), f"left over: {key[end:]!r}"
    return value


def _decode(key: str, i: int) -> tuple[object, int]:
    tag = key[i]
    i += 1
    if tag in "TF":
        return tag == "T", i
    if tag == "n":
        return None, i
    if tag in "if":
        end = key.index(";", i)
        text = key[i:end]
        return (int(text, 16) if tag == "i" else float.fromhex(text)), end + 1
    if tag in "sw":
        colon = key.index(":", i)
        n = int(key[i:colon])
        text = key[colon + 1:colon + 1 + n]
        assert len(text) == n
        return (text if tag == "s" else WrittenFloat(float(text), text)), colon + 1 + n
    if tag in "lt":
        bracket = key.index("[", i)
        count = int(key[i:bracket])
        i = bracket + 1
        items = []
        for _ in range(count):
            item, i = _decode(key, i)
            items.append(item)
        return (items if tag == "l" else tuple(items)), i
    if tag == "d":
        brace = key.index("{", i)
        count = int(key[i:brace])
        i = brace + 1
        out = {}
        for _ in range(count):
            k, i = _decode(key, i)
            v, i = _decode(key, i)
            out[k] = v
        return out, i
    raise AssertionError(f"unknown tag {tag!r} at {i - 1} in {key!r}")


def same(a: object, b: object) -> bool:
    """Equal with the same types at every depth (dict keys and their order too), -0.0 apart
    from 0.0, every NaN alike, a WrittenFloat by its digits."""
    if type(a) is not type(b):
        return False
    if isinstance(a, WrittenFloat):
        return a.text == b.text  # type: ignore[attr-defined]
    if isinstance(a, float):
        return a.hex() == b.hex() or (math.isnan(a) and math.isnan(b))  # type: ignore[arg-type]
    if isinstance(a, list | tuple):
        return len(a) == len(b) and all(same(x, y) for x, y in zip(a, b))  # type: ignore[arg-type]
    if isinstance(a, dict):
        return len(a) == len(b) and all(  # type: ignore[arg-type]
            same(ka, kb) and same(va, vb) for (ka, va), (kb, vb) in zip(a.items(), b.items()))
    return a == b


TRICKY = [
    0, 1, -1, True, False, None, 1.0, 0.0, -0.0, float("inf"), float("nan"), 10 ** 5000,
    "", "1", "i1;", "s1:a", "T", "n", "a;b:c[d{", "\u202e\u0000界", "\ud800",
    WrittenFloat(1.0, "1.000"), WrittenFloat(1.0, "1"),
    [], (), {}, [1, 2], (1, 2), [[1], 2], [1, [2]], ["s1:a"], ["s1", ":a"],
    {1: 2}, {"1": 2}, {True: 1}, {1.0: 1}, {None: 1}, {"a": 1, "b": 2}, {"b": 2, "a": 1},
    {"rows": [[0, 0, 0], [0, 1, 1], [1, 0, 1], [1, 1, 0]], "x": 0.25},
    {"a": [{2: 1}]}, {"a": [{"2": 1}]}, [0.1, 0.2, -0.0], ("", ""), ("",), [None, None],
]


@pytest.mark.parametrize("value", TRICKY, ids=lambda v: type(v).__name__)
def test_an_answer_key_is_one_string_that_reads_back_as_the_answer(value):
    key = exact_key(value)
    assert isinstance(key, str)
    assert same(decode(key), value)


def test_answers_are_keyed_apart_exactly_when_they_differ():
    keys = [exact_key(v) for v in TRICKY]
    for i, a in enumerate(TRICKY):
        for j, b in enumerate(TRICKY):
            assert (keys[i] == keys[j]) == same(a, b), (a, b)


def test_random_nested_answers_keep_their_types_in_their_keys():
    rng = random.Random(19)
    leaves = [0, 1, -2, True, False, None, 0.0, -0.0, 0.5, "", "0", "i0;", "s0:", "l1["]

    def make(depth: int) -> object:
        pick = rng.random()
        if depth > 3 or pick < 0.5:
            return rng.choice(leaves)
        items = [make(depth + 1) for _ in range(rng.randrange(3))]
        if pick < 0.65:
            return items
        if pick < 0.8:
            return tuple(items)
        return {rng.choice(leaves): v for v in items}

    values = [make(0) for _ in range(2000)]
    seen: dict[str, object] = {}
    for v in values:
        key = exact_key(v)
        assert same(decode(key), v)
        if key in seen:
            assert same(seen[key], v)
        seen[key] = v


def test_a_value_of_an_unknown_type_has_no_key_at_any_depth():
    assert exact_key(object()) is None
    assert exact_key([1, [2, object()]]) is None
    assert exact_key({"a": {1j: 2}}) is None
    assert exact_key((1, 2.5j)) is None


def test_a_table_key_takes_a_few_characters_a_cell():
    # 64 rows of 3 cells that are 0 or 1: each cell is `i0;` or `i1;` (3 characters), each row
    # `l3[` (3), the table `l64[` (4): 64 * (3 + 3 * 3) + 4 = 772 characters.
    table = [[i & 1, (i >> 1) & 1, (i >> 2) & 1] for i in range(64)]
    assert len(exact_key(table)) == 772


def test_remembered_verdicts_tell_apart_what_the_key_tells_apart():
    graded = []

    class Truth:
        def grade(self, claimed):
            graded.append(claimed)
            return len(graded)

    memo = Remembered(Truth())
    answers = [["s1:a"], ["s1", ":a"], [1, 2], [1, 2], (1, 2), {"1": 2}, {1: 2}, -0.0, 0.0, 0.0]
    got = [memo.grade(a) for a in answers]
    assert got == [1, 2, 3, 3, 4, 5, 6, 7, 8, 8]


# --- columns of points ------------------------------------------------------------------------


def bits(values) -> list[bytes]:
    return [struct.pack("<d", v) for v in values]


@pytest.mark.parametrize("values", [
    [],
    [0.0, -0.0, 0.0, -0.0, 1.5],
    [2.0, 0.0, 2.0, 1.0, 0.5, 2.0],
    [float(i) for i in range(CODES + 40)],  # past the codes: the doubles themselves
    [1.0, float("nan"), 1.0, -0.0],  # a NaN: the doubles themselves, its bits kept
    [0.1 * i for i in range(CODES)] + [0.0, 0.1],  # exactly CODES distinct values, then again
], ids=["empty", "zeros", "few", "many", "nan", "full"])
def test_a_column_gives_back_the_floats_it_was_given(values):
    column = Column()
    reference = array("d")
    for v in values:
        column.append(v)
        reference.append(v)
    assert len(column) == len(reference)
    assert bits(column) == bits(reference)
    assert bits(column[i] for i in range(len(values))) == bits(reference)
    assert bits(column[1:-1]) == bits(reference[1:-1])
    if values:
        assert bits([column[-1]]) == bits([reference[-1]])
    assert sum(column) == sum(reference) or math.isnan(sum(reference))


def test_a_column_begun_late_holds_zeros_for_the_sheets_before():
    column = Column(3)
    column.append(4.0)
    assert list(column) == [0.0, 0.0, 0.0, 4.0]
    assert bits(column)[:3] == bits([0.0] * 3)


def test_a_column_of_few_values_keeps_a_byte_a_sheet():
    column = Column()
    for i in range(10_000):
        column.append((0.0, 0.5, 2.0)[i % 3])
    assert column._codes is not None and column._codes.itemsize == 1
    assert len(column._codes) == 10_000


# --- who each sheet is, on disk ---------------------------------------------------------------


def row(rel: str, student_id: str | None, *, email: str | None = None,
        variants: tuple[tuple[str, int], ...] = (), status: str = "ok") -> Row:
    return Row(sheet=f"class/{rel}", rel=rel, name=rel.split(".")[0], student_id=student_id,
               status=status, student_email=email, variants=variants)


ROWS = [
    row("a.yaml", "s1"), row("b.yaml", "S1"), row("c.yaml", "s2", email="c@x"),
    row("d.yaml", None), row("e.yaml", "a/b"), row("f.yaml", "a_b"), row("g.yaml", "s1"),
    row("h.yaml", "s3", variants=(("p", 2),)), row("i.yaml", "s4", variants=(("p", 1),),
                                                   status="error"),
]


def noted(rows, monkeypatch=None, *, collide=False) -> roll.Roll:
    if collide:  # every name hashed alike: the names themselves must tell them apart
        monkeypatch.setattr(roll, "_name_hash", lambda student_id: 7)
    who = roll.Roll(BytesIO())
    for r in rows:
        who.add(r)
    return who


def test_the_duplicate_check_on_disk_finds_what_it_finds_in_memory():
    # s1, S1 and s1 fold to one file name; `a/b` is escaped and so gets a hash (`a_b~…`): it
    # does not take the name of `a_b`.
    got = noted(ROWS).clashes()
    assert set(got) == {"a.yaml", "b.yaml", "g.yaml"}
    assert got == classroom.clashes((r.rel, r.sheet, r.student_id) for r in ROWS)
    assert got["a.yaml"] == ("class/a.yaml: student ids `S1`, `s1` share the file name `S1` "
                             "(also class/b.yaml, class/g.yaml) — one sheet per student; "
                             "nothing was merged")


def test_names_that_hash_alike_are_not_duplicates(monkeypatch):
    rows = [row("a.yaml", "s1"), row("b.yaml", "s2"), row("c.yaml", "s3")]
    assert noted(rows, monkeypatch, collide=True).clashes() == {}


def test_duplicates_among_names_that_hash_alike_are_found(monkeypatch):
    assert noted(ROWS, monkeypatch, collide=True).clashes() == classroom.clashes(
        (r.rel, r.sheet, r.student_id) for r in ROWS)


def test_no_duplicate_reads_nothing_back():
    class Unread(BytesIO):
        def read(self, *args):
            raise AssertionError("read back")

    who = roll.Roll(Unread())
    for r in (row("a.yaml", "s1"), row("b.yaml", "s2"), row("c.yaml", None)):
        who.add(r)
    assert who.clashes() == {}


def test_the_roster_reads_every_sheet_back_in_order():
    who = noted(ROWS)
    expected = [(r.rel, r.sheet, r.student_id, r.student_email) for r in ROWS]
    assert list(who.contacts()) == expected
    assert list(who.contacts()) == expected  # read again from the start
    assert who.varied() == {"h.yaml"}  # an error row's variant does not count


# --- report.html's index, a row at a time -----------------------------------------------------


def test_the_index_written_a_row_at_a_time_is_the_page_start():
    summary = {"status": {"ok": 1, "failed": 0, "pending": 0, "error": 1}, "sheets": 2,
               "class_dir": "c", "scores": {"mean": None}, "parts": [], "items": {},
               "shared_rare_wrong_answers": None, "max_score": 1.0, "histogram": []}
    odd = "a\u202eb"  # a bidi override: shown escaped, its anchor a hash
    students = [("s1", "ok", "1/1"), (odd, "error", "—")]
    streamed = (html.page_top(summary)
                + "".join(html.index_row(*s) + "\n" for s in students) + html.index_end())
    assert streamed == html.page_start(summary, students)
    assert streamed.endswith(
        '<tr><th>student</th><th>status</th><th>score</th></tr>\n'
        f'<tr><td><a href="#{html.anchor("s1")}">s1</a></td><td>ok</td>'
        '<td class="n">1/1</td></tr>\n'
        f'<tr><td><a href="#{html.anchor(odd)}">a\\u202eb</a></td><td>error</td>'
        '<td class="n">—</td></tr>\n</table>\n')
