r"""Answers as people write them, read into what the expression language takes.

A claim (a YAML number, string or list) becomes one text or number per element, before any
element reaches `expr.parse`. What this reading accepts (docs/format.md, "What students may
write"):

- shapes and vectors in a string: `29x29x32`, `29 × 29 × 32`, `29 * 29 * 32`, `(29, 29, 32)`,
  `[29, 29, 32]`, `29, 29, 32`, `29; 29; 32`; Keras' `(None, 29, 29, 32)` where the part
  allows a batch axis. The part decides between a product and a shape: where one number is
  expected `14 x 14 x 32` is their product; where a vector is, their shape (for `*`, only when
  the factors are as many as the values expected: `7*7*128` still answers `[6272]`).
- numbers: thousands separators (`27,000,100`, `27 000 100` with a space, no-break or thin
  space, `27_000_100`, `27٬000٬100`) only when every group after the first (1 to 3 digits)
  has exactly 3 digits; `x`/`X` as a times sign between two numbers (`1.2x10^-3`), never
  where the letters make a bound name; superscript powers (`10⁻³`); percentages (`12%` is
  12/100); a leading `≈`, `=`, `~` or `≃` is dropped.
- a decimal comma only where the problem or the sheet declares it (`with_decimal_comma`):
  then `1,5` (or LaTeX's `1{,}5`) is 1.5 and `;` separates the values. A leading group of
  `0` is never thousands: `0,125` is refused with the decimal-comma hint.
- LaTeX (a text with `\`, `$` or a brace) is read into the expression language first
  (latex.py), and only then split into values and read as numbers: the commas of
  `w_{F,g1}`, `\,` and `\max\{1,2\}` never separate values, `\left(1, 2\right)` and
  `$(1, 2)$` are vectors, and `{,}` between digits is a comma (`1{,}000` is 1000, `1\,000`
  with LaTeX's thin space too).
- a name written with an underscore before digits (`g_1`, `x_11`) is the joined name (`g1`,
  `x11`) where the part binds that one and not the name as written, as LaTeX's `g_{1}` is.

Pure text work on bounded input (expr.MAX_LENGTH): no numpy, no evaluation. Every text a
message quotes from a claim is made of digits and separators matched here, never free text.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Collection
from dataclasses import dataclass, replace
from typing import Any

from nncheck import latex
from nncheck.errors import AnswerError

__all__ = ["BATCH_ADDED", "BATCH_MISSING", "Reading", "read", "with_decimal_comma"]

BATCH_ADDED = "the batch axis `None` is not part of this shape"
BATCH_MISSING = "the batch axis is missing"

_D = "0-9۰-۹٠-٩"  # the digits expr reads: ASCII, Persian, Arabic-Indic
_DIGIT = f"[{_D}]"
_NUMBER = rf"{_DIGIT}+(?:[.٫]{_DIGIT}+)?"
_APPROX = "≈=~≃"
_BATCH_WORDS = frozenset({"none", "null", "?"})
_MAX_TEXT = 2000  # as expr.MAX_LENGTH: longer texts are left to expr to refuse

# A run of digit groups joined by one separator: a comma, an underscore, Persian `٬`, a space,
# a no-break space (U+00A0), a thin space (U+2009) or a narrow no-break space (U+202F).
_SEPARATORS = ",_٬ \u00a0\u2009\u202f"
_GROUPED = re.compile(
    rf"(?<![{_D}\w.٫])({_DIGIT}+)([{_SEPARATORS}])({_DIGIT}+)((?:\2{_DIGIT}+)*)(?![{_D}\w])"
)
_NONZERO = "1-9۱-۹١-٩"
# Thousands never start with a 0 group: `0,125` is a decimal comma, not 125.
_THOUSANDS = re.compile(rf"[{_NONZERO}]{_DIGIT}{{0,2}}(?:[{_SEPARATORS}]{_DIGIT}{{3}})+")
_COMMA_NUMBER = re.compile(rf"(?<![{_D}\w.٫]){_DIGIT}+(?:,{_DIGIT}+)+")
_DOTTED = re.compile(rf"(?<![{_D}\w.٫]){_DIGIT}{{1,3}}(?:\.{_DIGIT}{{3}}){{2,}}(?![{_D}\w.])")
_SUPERSCRIPT = re.compile("[⁺⁻⁰¹²³⁴⁵⁶⁷⁸⁹]+")
_FROM_SUPERSCRIPT = str.maketrans("⁺⁻⁰¹²³⁴⁵⁶⁷⁸⁹", "+-0123456789")
_PERCENT = re.compile(rf"(?<![\w.٫])({_NUMBER})\s*%")
_TIMES_X = re.compile(rf"(?<=[{_D}])(\s*)([xX])(\s*)(?=[{_D}])")
_CALL = re.compile(r"(?<!\w)[^\W\d]\w*\s*\(")  # a word that starts a call
_FACTOR_SPLIT = re.compile(r"([xX×*])")
_PLAIN_INT = re.compile(rf"{_DIGIT}+")
_TO_ASCII = str.maketrans("۰۱۲۳۴۵۶۷۸۹٠١٢٣٤٥٦٧٨٩", "01234567890123456789")
_LATEX_COMMA = re.compile(rf"(?<=[{_D}])\{{,\}}(?=[{_D}])")  # `1{,}000`: a comma in LaTeX
_SUBSCRIPTED = re.compile(r"[^\W\d]\w*")  # a name as expr reads it, to join `g_1` as `g1`
_MAX_DEPTH = 100  # as expr.MAX_DEPTH: how deep LaTeX may nest


@dataclass(frozen=True)
class Reading:
    """A claim read into elements (each a text or number for `expr.parse`, or a value the
    caller refuses, such as None), with a note on how it was read when that is not plain."""

    items: tuple[Any, ...]
    note: str | None = None
    batch: bool = False  # a leading batch axis (`None`) was written and dropped
    latex: str | None = None  # what a claim written in LaTeX was read as, to quote
    sources: tuple[str | None, ...] = ()  # per item, the LaTeX it was read from (else None)


def read(claimed: Any, *, length: int | None = None, names: Collection[str] = (),
         shape: bool = False) -> Reading:
    """Read a claim: one element where one number is expected (`length` None), else the
    elements of a vector of `length`. `names` are the names an answer may use (so `2x3` stays
    2·x3 where `x3` is one). With `shape`, the claim is a shape: a leading `None` is read as
    Keras' batch axis, and `29*29*32` as a shape where 3 sizes are expected.
    Raises AnswerError (with a hint) for a number whose separators cannot be read."""
    if isinstance(claimed, list):
        items = list(claimed)
        found = shape and bool(items) and _is_batch(items[0])
        if found:
            items = items[1:]
        notes: list[str] = []
        texts = [_from_latex(v) if isinstance(v, str) else v for v in items]
        out = [_element(v, names, notes, latex=v != w) if isinstance(v, str) else v
               for v, w in zip(texts, items)]
        shown = ", ".join(str(t) for t in texts) if texts != items else None
        sources = tuple(w if v != w else None for v, w in zip(texts, items))
        return Reading(tuple(out), _joined(notes), found, shown, sources)
    if not isinstance(claimed, str) or len(claimed) > _MAX_TEXT:
        return Reading((claimed,))
    text = _from_latex(claimed)
    shown = text if text != claimed else None
    if length is None:
        notes = []
        one = _element(text, names, notes, top=True, latex=shown is not None)
        return Reading((one,), _joined(notes), latex=shown, sources=(shown and claimed,))
    vector = _vector(text, length, names, shape, latex=shown is not None)
    return replace(vector, latex=shown, sources=(shown and claimed,) * len(vector.items))


@functools.lru_cache(maxsize=1024)
def _from_latex(text: str) -> str:
    """A text written in LaTeX as the expression language reads it (else the text itself):
    `{,}` between digits is a comma, as LaTeX typesets it (raises ExprError). What it returns
    for a LaTeX text has no `\\`, `$` or brace, so it never equals the text."""
    if len(text) > _MAX_TEXT or not latex.is_latex(text):
        return text
    plain = _LATEX_COMMA.sub(",", text)
    if not latex.is_latex(plain):
        return plain
    return latex.translate(plain, _MAX_DEPTH)


def with_decimal_comma(claimed: Any) -> Any:
    """A claim written with decimal commas, as the reader takes it: a comma between two digits
    becomes a point, and `;` separates values. Lists are rewritten element by element."""
    if isinstance(claimed, list):
        return [with_decimal_comma(v) for v in claimed]
    if not isinstance(claimed, str) or len(claimed) > _MAX_TEXT:
        return claimed
    text = re.sub(rf"(?<=[{_D}])(?:,|\{{,\}})(?=[{_D}])", ".", claimed)
    return text.replace(";", ",")


# --- vectors -----------------------------------------------------------------------------------

def _vector(text: str, length: int, names: Collection[str], shape: bool,
            latex: bool = False) -> Reading:
    dropped = _drop_approx(text)
    inner = _unwrapped(dropped)
    pieces = _split_top(inner, ";")
    if len(pieces) == 1:
        pieces = _split_top(inner, ",")
        if len(pieces) != length and len(pieces) > 1:
            # `27,000,100` where one value is expected: thousands, if that gives the count
            joined = _split_top(_GROUPED.sub(_join_thousands_commas, inner), ",")
            if len(joined) == length:
                pieces = joined
    note = None
    if len(pieces) == 1:
        factors = _shape_factors(pieces[0], length, shape)
        if factors is not None:
            pieces = factors
            shown = ", ".join(str(int(f.translate(_TO_ASCII))) for f in factors)
            note = f"read as the shape [{shown}]"
    found = shape and len(pieces) > 1 and pieces[0].strip().lower() in _BATCH_WORDS
    if found:
        pieces = pieces[1:]
    notes = [note] if note else []
    # One leading `≈` is dropped, of the whole text or of each value: `≈≈0.5` is not read.
    out = tuple(_element(p, names, notes, latex=latex, approx=i > 0 or dropped is text)
                for i, p in enumerate(pieces))
    return Reading(out, _joined(notes), found)


def _shape_factors(text: str, length: int, shape: bool) -> list[str] | None:
    """`29x29x32`, `29 × 29 × 32` (and, for a shape, `29*29*32` when `length` factors are
    expected): the factors, when every one is a whole number and there are at least two."""
    parts = _FACTOR_SPLIT.split(text)
    factors, signs = [f.strip() for f in parts[::2]], set(parts[1::2])
    if len(factors) < 2 or not all(_PLAIN_INT.fullmatch(f) for f in factors):
        return None
    if "*" in signs and (not shape or len(factors) != length):
        return None  # `7*7*128` answers `[6272]` as the product it always was
    return factors


def _unwrapped(text: str) -> str:
    """The text inside one pair of brackets that encloses all of it: `(29, 29, 32)`."""
    text = text.strip()
    if len(text) < 2 or (text[0], text[-1]) not in (("(", ")"), ("[", "]")):
        return text
    depth = 0
    for i, ch in enumerate(text):
        depth += (ch in "([") - (ch in ")]")
        if depth == 0 and i < len(text) - 1:
            return text  # `(a+b)*(c+d)`: the first bracket closes early
    return text[1:-1]


def _split_top(text: str, sep: str) -> list[str]:
    """`text` split at `sep` outside parentheses and brackets."""
    out, depth, start = [], 0, 0
    for i, ch in enumerate(text):
        if ch in "([":
            depth += 1
        elif ch in ")]":
            depth -= 1
        elif ch == sep and depth == 0:
            out.append(text[start:i])
            start = i + 1
    out.append(text[start:])
    return out


def _is_batch(value: Any) -> bool:
    return value is None or (isinstance(value, str) and value.strip().lower() in _BATCH_WORDS)


# --- numbers -----------------------------------------------------------------------------------

def _element(text: str, names: Collection[str], notes: list[str], top: bool = False, *,
             latex: bool = False, approx: bool = True) -> str:
    """One number or expression as written (or as read from LaTeX, where `x` is never a
    times sign), into what expr reads; a leading `≈` is dropped where `approx`."""
    if approx:
        text = _drop_approx(text)
    if len(text) > _MAX_TEXT:
        return text
    calls = bool(_CALL.search(text))
    text = _GROUPED.sub(lambda m: _join_thousands(m, commas=not calls), text)
    if not calls:
        _refuse_commas(text, top)
        if top:
            _refuse_several(text)
    dotted = _DOTTED.search(text)
    if dotted is not None:
        written = dotted.group(0)
        raise AnswerError(
            f"`{written}` has more than one decimal point",
            expected=f"`{written.replace('.', '').translate(_TO_ASCII)}` (or "
            f"`{written.replace('.', ',').translate(_TO_ASCII)}`) if the points group "
            "thousands",
        )
    text = _PERCENT.sub(lambda m: f"({m.group(1)}/100)", text)
    text = _SUPERSCRIPT.sub(lambda m: f"^({m.group(0).translate(_FROM_SUPERSCRIPT)})", text)
    if latex:
        return text
    text = _join_subscripts(text, names)
    times = _times(text, names)
    if times != text:
        if _product_only(times):
            notes.append("read as the product " + " × ".join(
                f.strip() for f in times.split("*")))
        else:
            notes.append("read `x` as a times sign")
    return times


def _refuse_several(text: str) -> None:
    """A vector or a list where one number is expected: `(29, 29, 32)`, `[1568]`."""
    inner = _unwrapped(text)
    bracketed = inner != text.strip()
    pieces = _split_top(inner, ";")
    if len(pieces) == 1:
        pieces = _split_top(inner, ",")
    if len(pieces) > 1:
        raise AnswerError(f"{len(pieces)} values where one number is expected",
                          expected="one number or expression")
    if bracketed and text.strip()[0] == "[":
        raise AnswerError("a list where one number is expected",
                          expected="the number alone, without brackets")


def _drop_approx(text: str) -> str:
    stripped = text.strip()
    if stripped[:1] and stripped[0] in _APPROX and stripped[1:2] != "=":
        return stripped[1:].strip()
    return text


def _join_thousands(match: re.Match[str], *, commas: bool) -> str:
    whole, sep = match.group(0), match.group(2)
    if sep == "," and not commas:
        return whole
    if _THOUSANDS.fullmatch(whole):
        return whole.replace(sep, "")
    return whole  # not thousands: a comma is judged by `_refuse_commas`, a space by expr


def _join_thousands_commas(match: re.Match[str]) -> str:
    whole, sep = match.group(0), match.group(2)
    return whole.replace(sep, "") if sep == "," and _THOUSANDS.fullmatch(whole) else whole


def _refuse_commas(text: str, top: bool) -> None:
    """A comma left inside a number where one value is expected: what was likely meant."""
    found = _COMMA_NUMBER.search(text)
    if found is None:
        return
    written = found.group(0)
    groups = written.split(",")
    if len(groups) == 2 and (len(groups[1]) != 3 or not _THOUSANDS.fullmatch(written)):
        plain = written.replace(",", ".").translate(_TO_ASCII)
        raise AnswerError(
            f"`{written}` has a comma inside a number",
            expected=f"`{plain}` with a decimal point, or a list for several values",
            hint="a decimal comma is read only where the problem or the sheet declares "
            "`decimal_comma: true`",
        )
    raise AnswerError(
        f"the digit groups of `{written}` are not thousands (groups of 3)",
        expected="digits grouped in threes from the right, e.g. `27,000,100`, or no separator"
        + (", or a list for several values" if top else ""),
    )


def _join_subscripts(text: str, names: Collection[str]) -> str:
    """`g_1`, `x_11` as the names `g1`, `x11` (digits after `_` join, as in LaTeX's `g_{1}`),
    where the part binds the joined name and not the name as written: `w_F_g1` stays."""
    if "_" not in text or not names:
        return text

    def join(m: re.Match[str]) -> str:
        name = m.group(0)
        if "_" not in name or name in names:
            return name
        parts = name.split("_")
        joined = parts[0] + "".join(p if p.isdecimal() else "_" + p for p in parts[1:])
        return joined if joined in names else name

    return _SUBSCRIPTED.sub(join, text)


def _times(text: str, names: Collection[str]) -> str:
    """`x` or `X` between two numbers as `*`, unless the letters there make a bound name."""
    longest = max((len(n) for n in names), default=0)

    def swap(m: re.Match[str]) -> str:
        if m.group(2) in names or _word_at(text, m.start(2), longest) in names:
            return m.group(0)  # `2x3` where `x` or `x3` is bound: the name, as expr reads it
        return f"{m.group(1)}*{m.group(3)}"

    return _TIMES_X.sub(swap, text)


def _word_at(text: str, start: int, longest: int) -> str:
    """The name expr's tokenizer reads from `start` (letters, digits, `_`), when it is at most
    `longest` long (else "", which no name is): bounded, so a long text is read in linear time."""
    end = start
    while end < len(text) and end <= start + longest and (text[end].isalnum()
                                                           or text[end] == "_"):
        end += 1
    return text[start:end] if end - start <= longest else ""


def _product_only(text: str) -> bool:
    factors = [f.strip() for f in text.split("*")]
    return len(factors) > 1 and all(re.fullmatch(_NUMBER, f) for f in factors)


def _joined(notes: list[str]) -> str | None:
    unique = list(dict.fromkeys(notes))
    return "; ".join(unique) if unique else None
