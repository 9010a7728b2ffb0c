"""A YAML syntax error in our words: where the construct started, where it failed, and a hint.

PyYAML reports a syntax error at the place where it gave up ("found unexpected end of stream",
line 6) and the construct it was reading ("while scanning a quoted scalar", line 5). Both
matter: an unclosed quote is fixed where it opens. Each common cause gets its own message and
hint: an unclosed quote or bracket, a bad indentation, a tab, a `: ` in an unquoted value.
The message names the place of each construct as `line:col`; the error itself is located at
the place to fix (the opening of an unclosed construct, else where the reading failed).
"""

from __future__ import annotations

import re
from collections.abc import Callable

import yaml

from nncheck.errors import InputError
from nncheck.words import one_line

__all__ = ["syntax_error"]

_CLOSING = {"[": "]", "{": "}"}
_NAMES = {"[": "list", "{": "mapping"}
_KEY_PREFIX = re.compile(r"^(\s*(?:-\s+)*)([^\s:#'\"{\[][^:#]*?):\s+")
_MAX_EXAMPLE = 60


def syntax_error(exc: yaml.MarkedYAMLError, text: str, path: str) -> InputError:
    """The InputError for a PyYAML syntax error in `text` (the file `path`)."""
    problem_mark = exc.problem_mark
    context_mark = exc.context_mark
    failed = _at(problem_mark) or _at(context_mark) or (None, None)
    started = _at(context_mark)
    problem = one_line(exc.problem or "")
    context = one_line(exc.context or "")
    char = _char_at(text, problem_mark.line, problem_mark.column) if problem_mark else ""

    def error(message: str, *, at: tuple[int | None, int | None] = failed,
              expected: str | None = None, hint: str | None = None) -> InputError:
        return InputError(message, path=path, line=at[0], col=at[1], expected=expected,
                          hint=hint)

    if problem == "but found another document":
        return error("a second YAML document starts here", expected="one document per file",
                     hint="remove the `---` line, or split the file in two")
    if char == "\t":
        return error("a tab character", expected="indentation with spaces",
                     hint="YAML does not allow tabs")
    if "quoted scalar" in context and started is not None:
        quote = _char_at(text, context_mark.line, context_mark.column) or '"'
        if "end of stream" in problem:
            return error(f"unclosed quoted string: opened at {_where(started)}, the file ends "
                         f"at {_where(failed)}", at=started, expected=f"a closing `{quote}`",
                         hint=_quote_hint(quote))
        if "escape" in problem:
            # libyaml marks the backslash, the pure-Python scanner the character after it.
            column = problem_mark.column - (char != "\\")
            escape = _char_at(text, problem_mark.line, column + 1)
            failed = (problem_mark.line + 1, column + 1)
            return error(f"unknown escape `\\{escape}` in the double-quoted string opened at "
                         f"{_where(started)}",
                         expected="an escape such as `\\n`, `\\\\` or `\\\"`",
                         hint="write a backslash as `\\\\`, or put the value in single quotes",
                         at=failed)
    if context.startswith("while parsing a flow ") and started is not None:
        opening = _char_at(text, context_mark.line, context_mark.column) or "["
        closing = _CLOSING.get(opening, "]")
        found = f"found `{char}` at {_where(failed)}" if char else \
            f"the file ends at {_where(failed)}"
        return error(f"unclosed `{opening}`: opened at {_where(started)}, {found}", at=started,
                     expected=f"`,` between items, or `{closing}` to close the "
                     f"{_NAMES.get(opening, 'list')}",
                     hint=f"close it with `{closing}`; a value that holds `{opening}`, `,` or "
                     f"`{closing}` goes in quotes")
    if "mapping values are not allowed" in problem:
        return _colon_error(error, text, problem_mark)
    if context.startswith("while parsing a block ") and started is not None:
        before = _line(text, problem_mark.line)[: problem_mark.column].rstrip()
        if before.endswith(("\"", "'")) and before.lstrip():
            return error("text after a quoted string", expected="a line break or a comment",
                         hint="put the whole value in the quotes")
        return error(f"bad indentation: the block that starts at {_where(started)} has its "
                     f"entries at column {started[1]}",
                     expected=f"a key (or `- ` item) at column {started[1]}, or a value indented "
                     "under its key",
                     hint="indent every key of a mapping by the same number of spaces")
    if "could not find expected ':'" in problem and started is not None:
        return error("a line without `:`", at=started,
                     expected="`key: value`",
                     hint="a value that goes on to the next line must be indented under its key")
    if char in ("@", "`", "%"):
        return error(one_line(problem) or "invalid YAML", expected="valid YAML",
                     hint=f"put a value that starts with `{char}` in quotes")
    said = problem or context or "invalid YAML"
    if started is not None and context and started != failed:
        said += f" ({context} at {_where(started)})"
    return error(said, expected="valid YAML")


def _colon_error(error: Callable[..., InputError], text: str, mark: yaml.Mark | None
                 ) -> InputError:
    """`mapping values are not allowed`: a `: ` inside an unquoted value, or a key indented
    under a value."""
    line = _line(text, mark.line) if mark is not None else ""
    key = _KEY_PREFIX.match(line)
    if mark is not None and key is not None and key.end() <= mark.column:
        value = line[len(key.group(1)) + len(key.group(2)) :].lstrip(": \t").rstrip()
        quoted = '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'
        example = f"`{key.group(2).strip()}: {quoted}`" if len(quoted) <= _MAX_EXAMPLE else None
        hint = f"put the value in quotes: {example}" if example else "put the value in quotes"
        return error("a `: ` inside an unquoted value",
                     expected="a value without `: `, or a quoted one", hint=hint)
    return error(
        "a key where a value was expected",
        expected="a key at the column of the keys above it, or a value in quotes",
        hint="check the indentation: a line indented more than the key above it continues "
        "that key's value")


def _quote_hint(quote: str) -> str:
    if quote == "'":
        return "close the string with `'`; inside single quotes, write a `'` as `''`"
    return 'close the string with `"`; inside double quotes, write a `"` as `\\"`'


def _at(mark: yaml.Mark | None) -> tuple[int, int] | None:
    return None if mark is None else (mark.line + 1, mark.column + 1)


def _where(position: tuple[int | None, int | None] | None) -> str:
    if position is None or position[0] is None:
        return "?"
    return f"{position[0]}:{position[1]}"



def _line(text: str, line: int) -> str:
    lines = text.split("\n")
    return lines[line] if 0 <= line < len(lines) else ""


def _char_at(text: str, line: int, column: int) -> str:
    # Marks count characters by line; libyaml's `index` counts bytes, so it cannot be used.
    row = _line(text, line)
    return row[column] if 0 <= column < len(row) else ""
