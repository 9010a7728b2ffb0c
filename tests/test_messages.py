"""Messages in our own words: YAML syntax errors, every validation error of a file, a sheet
where a problem belongs, `validate --problems`, usage lines and the wording of pydantic's errors.
"""

from __future__ import annotations

import pytest
import yaml

import nncheck.io.yaml as nyaml
from nncheck.errors import InputError
from nncheck.io.yaml import parse_document

# --- YAML syntax errors: where the construct started, where it failed, a hint per cause -------

_PURE = type("PureLoader", (yaml.SafeLoader,), {
    name: nyaml._Loader.__dict__[name]
    for name in ("resolve", "descend_resolver", "ascend_resolver")
})


@pytest.fixture(params=["libyaml", "python"])
def loader(request, monkeypatch):
    """Both PyYAML scanners: libyaml's and the pure-Python one word their errors differently."""
    if request.param == "python":
        monkeypatch.setattr(nyaml, "_Loader", _PURE)
    elif not yaml.__with_libyaml__:
        pytest.skip("PyYAML is built without libyaml")
    return request.param


def syntax(text: str) -> str:
    with pytest.raises(InputError) as info:
        parse_document(text, "s.yaml")
    return str(info.value)


SHEET_HEAD = "student:\n  id: s1\nanswers:\n  q1:\n"


@pytest.mark.parametrize(("text", "message"), [
    pytest.param(
        # The `"` is line 5, column 10 (`    a:   "`, counted from 1); nothing closes it,
        # and the file ends on line 6, column 1 (after the last newline).
        SHEET_HEAD + '    a:   "abc\n',
        "s.yaml:5:10: unclosed quoted string: opened at 5:10, the file ends at 6:1 — a closing "
        '`"` (close the string with `"`; inside double quotes, write a `"` as `\\"`)',
        id="unclosed-double-quote"),
    pytest.param(
        "a: 'abc\nb: 2\n",
        "s.yaml:1:4: unclosed quoted string: opened at 1:4, the file ends at 3:1 — a closing "
        "`'` (close the string with `'`; inside single quotes, write a `'` as `''`)",
        id="unclosed-single-quote"),
    pytest.param(
        # `[` at line 4, column 11; a `}` at column 19 where `,` or `]` must come.
        SHEET_HEAD[:-1] + " {a: [1, 2, 3}\n",
        "s.yaml:4:11: unclosed `[`: opened at 4:11, found `}` at 4:19 — `,` between items, or "
        "`]` to close the list (close it with `]`; a value that holds `[`, `,` or `]` goes in "
        "quotes)",
        id="unclosed-bracket"),
    pytest.param(
        "a: {b: 1, c: 2\nd: 3\n",
        "s.yaml:1:4: unclosed `{`: opened at 1:4, found `:` at 2:2 — `,` between items, or `}` "
        "to close the mapping (close it with `}`; a value that holds `{`, `,` or `}` goes in "
        "quotes)",
        id="unclosed-brace"),
    pytest.param(
        "a: [1, 2\n",
        "s.yaml:1:4: unclosed `[`: opened at 1:4, the file ends at 2:1 — `,` between items, or "
        "`]` to close the list (close it with `]`; a value that holds `[`, `,` or `]` goes in "
        "quotes)",
        id="bracket-to-the-end"),
    pytest.param(
        # `a` at line 5, column 5 opens the mapping; `b` at column 4 is neither its key nor a
        # value under it.
        SHEET_HEAD + "    a: 1\n   b: 2\n",
        "s.yaml:6:4: bad indentation: the block that starts at 4:3 has its entries at column 3 "
        "— a key (or `- ` item) at column 3, or a value indented under its key (indent every "
        "key of a mapping by the same number of spaces)",
        id="indentation"),
    pytest.param(
        SHEET_HEAD + "\ta: 1\n",
        "s.yaml:5:1: a tab character — indentation with spaces (indent with spaces: YAML does "
        "not allow tabs)",
        id="tab"),
    pytest.param(
        SHEET_HEAD + "    a: the answer: yes\n",
        "s.yaml:5:18: a `: ` inside an unquoted value — a value without `: `, or a quoted one "
        '(put the value in quotes: `a: "the answer: yes"`)',
        id="colon-in-plain-value"),
    pytest.param(
        "a: b\n  c: d\n",
        "s.yaml:2:4: a key where a value was expected — a key at the column of the keys above "
        "it, or a value in quotes (check the indentation: a line indented more than the key "
        "above it continues that key's value)",
        id="key-indented-under-a-value"),
    pytest.param(
        'a: "x" y\n',
        "s.yaml:1:8: text after a quoted string — a line break or a comment (put the whole "
        "value in the quotes)",
        id="text-after-quotes"),
    pytest.param(
        'a: "\\sigma"\n',
        "s.yaml:1:5: unknown escape `\\s` in the double-quoted string opened at 1:4 — an escape "
        "such as `\\n`, `\\\\` or `\\\"` (write a backslash as `\\\\`, or put the value in "
        "single quotes)",
        id="unknown-escape"),
])
def test_a_syntax_error_names_its_cause_where_it_started_and_where_it_failed(
        loader, text, message):
    assert syntax(text) == message
