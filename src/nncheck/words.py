"""How text from files is made safe to show and to write.

Sheets are untrusted: a student's id, name, answer or YAML key may hold control characters
(written as YAML escapes such as `"\\e"`), bidirectional overrides or zero-width characters. None
of them may reach a terminal (clear screen, window title, OSC 8 links, OSC 52 clipboard
writes), a spreadsheet (formulas) or a JSON Lines reader (line separators) as anything but
visible text. Every writer of a report passes its strings through one of these functions.
Each escapes character by character, so text made safe in pieces joins to the text made safe
whole: a report may escape each piece once, as it is made, and join them as they are.

It also says how messages are worded, once for every module: a suggestion for a misspelt
name (`did_you_mean`, `suggestion`), a long text shortened (`clip`), text on one line
(`one_line`) and a short list of names (`listing`).

This module imports nothing heavy: `validate` and `--help` use it.
"""

from __future__ import annotations

import difflib
import json
import re
from collections.abc import Callable, Iterable
from typing import Any

__all__ = [
    "CELL_ELLIPSIS",
    "MESSAGE_ELLIPSIS",
    "clip",
    "closest",
    "csv_cell",
    "did_you_mean",
    "inert",
    "inert_lines",
    "json_line",
    "listing",
    "one_line",
    "suggestion",
]

# Characters that act instead of being seen: C0 and C1 controls (ESC starts terminal escape
# sequences, CSI is U+009B), DEL, the soft hyphen, the Arabic letter mark, the Mongolian vowel
# separator, zero-width space, left-to-right and right-to-left marks, line and paragraph
# separators, bidirectional embeddings, overrides and isolates, invisible operators and
# deprecated format characters, the byte order mark, interlinear annotations, tag characters
# (used to smuggle hidden ASCII), and lone surrogates. Zero-width (non-)joiners U+200C/U+200D
# are left alone: Persian and Indic names need them, and they move no text.
_OTHER_UNSAFE = (
    "\x7f-\x9f\u00ad\u061c\u180e\u200b\u200e\u200f\u2028-\u202e\u2060-\u206f"
    "\ufeff\ufff9-\ufffb\U000e0000-\U000e007f\ud800-\udfff"
)
_UNSAFE_RE = re.compile(f"[\x00-\x1f{_OTHER_UNSAFE}]")
_UNSAFE_KEEP_NL_RE = re.compile(f"[\x00-\x09\x0b-\x1f{_OTHER_UNSAFE}]")

_NAMED = {"\t": "\\t", "\n": "\\n", "\r": "\\r"}


def _escape(match: re.Match[str]) -> str:
    ch = match.group()
    named = _NAMED.get(ch)
    if named:
        return named
    code = ord(ch)
    if code <= 0xFF:
        return f"\\x{code:02x}"
    return f"\\u{code:04x}" if code <= 0xFFFF else f"\\U{code:08x}"


def inert(text: str) -> str:
    """Text with every control and format character written as a visible escape (`\\x1b`).

    Newlines and tabs are escaped too: the result is one line, fit for a table cell or a
    message. Text with nothing to escape is returned as it is.
    """
    if _UNSAFE_RE.search(text) is None:
        return text
    return _UNSAFE_RE.sub(_escape, text)


def inert_lines(text: str) -> str:
    """Like `inert`, but newlines are kept: for a whole report on its way to a stream."""
    if _UNSAFE_KEEP_NL_RE.search(text) is None:
        return text
    return _UNSAFE_KEEP_NL_RE.sub(_escape, text)


# A spreadsheet reads a cell that starts with one of these as a formula (OWASP's list: = + - @,
# tab and carriage return; the full-width forms, which some spreadsheets also accept).
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r", "\uff1d", "\uff0b", "\uff0d", "\uff20")


def csv_cell(text: str) -> str:
    """A string from a file, safe as a CSV cell: inert, and never read as a formula.

    A cell that would start a formula (after any leading spaces) gets a leading `'`, as OWASP
    recommends; the spreadsheet shows the text as written.
    """
    if text.lstrip(" ").startswith(_FORMULA_START):
        text = "'" + text
    return inert(text)


_JSON_UNSAFE_RE = re.compile(f"[{_OTHER_UNSAFE}]")  # json.dumps escapes the C0 controls


def json_line(value: object, *, allow_nan: bool = True,
              default: Callable[[Any], Any] | None = None) -> str:
    """One JSON document on one line, Unicode kept, every unsafe character `\\u`-escaped.

    `json.dumps` escapes C0 controls but leaves DEL, C1 controls, bidirectional overrides and
    U+2028/U+2029 raw; the last two end a line for many JSON Lines readers. Written as `\\uXXXX`,
    the document decodes to the same value. `allow_nan=False` refuses NaN and infinities, as
    `json.dumps` does; `default` is json.dumps' own.
    """
    return json_escaped(json.dumps(value, ensure_ascii=False, allow_nan=allow_nan,
                                   default=default))


def json_safe(text: str) -> str:
    """JSON text as `json.dumps` writes it, indented or not, with every character that is not
    inert (but the newlines of its layout) written as `json_line` writes it: the same value."""
    if inert_lines(text) == text:  # json.dumps leaves no raw control but the newlines
        return text
    return "".join(json_line(c)[1:-1] if inert_lines(c) != c else c for c in text)


def json_escaped(text: str) -> str:
    """JSON text (as `json.dumps(..., ensure_ascii=False)` writes it) with every unsafe
    character `\\u`-escaped, as `json_line` writes it; pieces escaped apart join alike."""
    if _JSON_UNSAFE_RE.search(text) is None:
        return text
    return _JSON_UNSAFE_RE.sub(lambda m: "".join(
        f"\\u{unit:04x}" for unit in _utf16_units(m.group())), text)


def _utf16_units(ch: str) -> list[int]:
    code = ord(ch)
    if code <= 0xFFFF:
        return [code]
    code -= 0x10000
    return [0xD800 + (code >> 10), 0xDC00 + (code & 0x3FF)]


# --- wording ---------------------------------------------------------------------------------

# How close a misspelling must be to a name for a suggestion: difflib's own default, its ratio
# 2*M/T (M matching characters, T the characters of both) at least 0.6.
SUGGESTION_CUTOFF = 0.6
# Messages shorten with three dots (docs/limits.md says so); a report cell, whose width counts
# characters, with the one-character `…`.
MESSAGE_ELLIPSIS = "..."
CELL_ELLIPSIS = "…"


def did_you_mean(word: object, choices: Iterable[str],
                 show: Callable[[str], str] | None = None) -> str | None:
    """`did you mean `x`?` for the choice closest to `word`, or None when none is close.

    `show` turns the choice into what the suggestion names (a folded layer type into the type
    as written). Shown as an error's hint, it reads ` (did you mean `x`?)`; `suggestion` gives
    that form for a message or a warning.
    """
    close = closest(word, choices)
    if close is None:
        return None
    return f"did you mean `{inert(show(close) if show else close)}`?"


def closest(word: object, choices: Iterable[str]) -> str | None:
    """The choice closest to `word`, if one is close enough to suggest (as `did_you_mean`)."""
    names = [str(name) for name in choices]
    folded = str(word).casefold()
    same = [name for name in names if name.casefold() == folded]
    if same:  # `B-OLD` for `b-old`: a difference of case alone is the likeliest slip
        return same[0]
    close = difflib.get_close_matches(str(word), names, n=1, cutoff=SUGGESTION_CUTOFF)
    return close[0] if close else None


def suggestion(word: object, choices: Iterable[str],
               show: Callable[[str], str] | None = None) -> str:
    """` (did you mean `x`?)` to append to a message or a warning, or an empty string."""
    hint = did_you_mean(word, choices, show)
    return f" ({hint})" if hint else ""


def clip(text: str, width: int, ellipsis: str = MESSAGE_ELLIPSIS) -> str:
    """`text` if it has at most `width` characters, else its start and `ellipsis` in `width`."""
    if len(text) <= width:
        return text
    return text[: max(width - len(ellipsis), 0)] + ellipsis


def one_line(text: str) -> str:
    """The text with every run of whitespace (newlines too) as one space, and none at the ends."""
    return " ".join(text.split())


def listing(names: Iterable[str], limit: int = 8) -> str:
    """The names in backquotes, comma-separated: `a`, `b`, `c`; past `limit`, the first `limit`
    and `, ...`."""
    items = list(names)
    shown = ", ".join(f"`{name}`" for name in items[:limit])
    return shown + (", ..." if len(items) > limit else "")
