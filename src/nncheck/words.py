"""How text from files is made safe to show and to write.

Sheets are untrusted: a student's id, name, answer or YAML key may hold control characters
(written as YAML escapes such as `"\\e"`), bidirectional overrides or zero-width characters. None
of them may reach a terminal (clear screen, window title, OSC 8 links, OSC 52 clipboard
writes), a spreadsheet (formulas) or a JSON Lines reader (line separators) as anything but
visible text. Every writer of a report passes its strings through one of these functions.

This module imports nothing heavy: `validate` and `--help` use it.
"""

from __future__ import annotations

import json
import re

__all__ = ["csv_cell", "inert", "inert_lines", "json_line"]

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


def json_line(value: object, *, allow_nan: bool = True) -> str:
    """One JSON document on one line, Unicode kept, every unsafe character `\\u`-escaped.

    `json.dumps` escapes C0 controls but leaves DEL, C1 controls, bidirectional overrides and
    U+2028/U+2029 raw; the last two end a line for many JSON Lines readers. Written as `\\uXXXX`,
    the document decodes to the same value. `allow_nan=False` refuses NaN and infinities, as
    `json.dumps` does.
    """
    text = json.dumps(value, ensure_ascii=False, allow_nan=allow_nan)
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
