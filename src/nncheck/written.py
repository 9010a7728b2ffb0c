"""Numbers as written: a float that keeps its digits, and the exact value of a decimal literal.

An unquoted `18014398509481985.0` in a YAML file is 18014398509481984 as a float64: the digits
that were written are lost at load, and the float then equals a count it is not. The YAML
reader keeps the text of every float literal whose float64 value differs from what was written
(a `WrittenFloat`), so that exact comparisons use the written digits. A float literal of at
most 15 significant digits in the normal range is recovered exactly from its float64 (its
shortest decimal is the literal), so it stays a plain float.

Reading a decimal exactly is bounded: `1e-99999999` is twelve characters, but its exact value
has a denominator of 330 million bits. Past `MAX_BITS` a literal has no exact value here.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from fractions import Fraction

__all__ = ["MAX_BITS", "Precision", "WrittenFloat", "decimal", "keeps_digits", "keeps_text",
           "of_value", "precision", "strict"]

FLOAT_EXACT = 2**53  # float64 holds every integer below this, and not every one above
MAX_BITS = 4096  # numerator or denominator of an exact value, as in engine/exact.py
_DECIMAL = re.compile(r"([-+]?)([0-9]*)(?:\.([0-9]*))?(?:[eE]([-+]?[0-9]+))?")
_LOG2_10 = math.log2(10)
_EXACT_DIGITS = 15  # DBL_DIG: a decimal of this many significant digits survives float64
_SMALLEST_NORMAL = 2.2250738585072014e-308


class WrittenFloat(float):
    """A float read from a file, with the text it was written as (its exact value)."""

    __slots__ = ("text",)
    text: str

    def __new__(cls, value: float, text: str) -> WrittenFloat:
        """The float `value`, written as `text`."""
        made = super().__new__(cls, value)
        made.text = text
        return made

    def __reduce__(self) -> tuple[type[WrittenFloat], tuple[float, str]]:
        return WrittenFloat, (float(self), self.text)


def decimal(text: str) -> Fraction | None:
    """The exact value of a decimal literal (`-1.5e3`, `.25`), or None: not one, or beyond
    MAX_BITS bits in its numerator or denominator."""
    found = _DECIMAL.fullmatch(text.strip())
    if found is None:
        return None
    sign, whole, frac, exp = found.groups()
    frac = frac or ""
    digits = (whole + frac).lstrip("0")
    if not whole and not frac:
        return None
    if not digits:
        return Fraction(0)
    if exp is not None and len(exp.lstrip("+-").lstrip("0")) > 6:
        return None  # an exponent of a million or more: far beyond MAX_BITS either way
    power = (int(exp) if exp else 0) - len(frac)
    mantissa_bits = len(digits) * _LOG2_10
    if mantissa_bits > MAX_BITS + 4 or abs(power) * _LOG2_10 > MAX_BITS:
        return None
    if power >= 0 and mantissa_bits + power * _LOG2_10 > MAX_BITS + 4:
        return None
    value = Fraction(int(digits)) * Fraction(10) ** power
    if value.numerator.bit_length() > MAX_BITS or value.denominator.bit_length() > MAX_BITS:
        return None
    return -value if sign == "-" else value


def keeps_text(text: str, value: float) -> bool:
    """Whether a float literal's value differs from its float64, which then must keep its
    text: more than 15 significant digits, or outside float64's normal range."""
    if not math.isfinite(value):
        return False
    mantissa = text.strip().lstrip("+-").split("e")[0].split("E")[0].replace(".", "")
    significant = len(mantissa.strip("0"))
    if significant == 0:
        return False  # zero, as written and as a float
    if significant <= _EXACT_DIGITS and abs(value) >= _SMALLEST_NORMAL:
        return False
    exact = decimal(text)
    return exact is None or exact != Fraction(repr(value))


MAX_PLACE = 300  # a written precision finer or coarser than 10^±300 is not read as one


@dataclass(frozen=True)
class Precision:
    """How precisely a decimal literal was written.

    `place` is the power of ten of its last written digit (`0.0351`: -4; `-0.20`: -2; `8`: 0;
    `8e2`: 2); `figures` its significant figures, from the first non-zero digit to the last
    written one (`0.0351`: 3; `-0.20`: 2; `0.00`: 0). An integer written without a point or an
    exponent may end in zeros that are not significant (`800`: one, two or three figures);
    `ambiguous` counts them: the reading with k of them dropped has place `place + k`.
    """

    place: int
    figures: int
    ambiguous: int = 0


def precision(text: str) -> Precision | None:
    """How precisely a plain decimal literal was written (`-0.20`, `.5`, `1.50e-3`), or None:
    not a plain decimal literal, or a precision beyond 10^±MAX_PLACE."""
    found = _DECIMAL.fullmatch(text.strip())
    if found is None:
        return None
    _, whole, frac, exp = found.groups()
    if not whole and not frac:
        return None
    if exp is not None and len(exp.lstrip("+-").lstrip("0")) > 4:
        return None
    point = frac is not None
    frac = frac or ""
    place = (int(exp) if exp else 0) - len(frac)
    if abs(place) > MAX_PLACE:
        return None
    digits = (whole + frac).lstrip("0")
    ambiguous = 0
    if not point and exp is None and digits:
        ambiguous = len(digits) - len(digits.rstrip("0"))
    if place + ambiguous > MAX_PLACE:
        return None
    return Precision(place, len(digits), ambiguous)


def strict(made: Precision) -> Precision:
    """The reading with an integer's trailing zeros not figures (`800`: place 2, 1 figure)."""
    return Precision(made.place + made.ambiguous, made.figures - made.ambiguous)


def of_value(value: float) -> Precision | None:
    """The precision of a value written as a decimal with no trailing zero, an integer's zeros
    not figures (8.0: place 0, 1 figure; 800.0: place 2, 1 figure; 1/28: every digit of its
    shortest decimal); None for a value that is not finite."""
    if not math.isfinite(value):
        return None
    value = abs(value)
    text = str(int(value)) if value.is_integer() and value < FLOAT_EXACT else repr(value)
    made = precision(text)
    return None if made is None else strict(made)


def keeps_digits(text: str, value: float) -> bool:
    """Whether a float literal was written to another precision than its shortest decimal
    says (`-0.20` is -0.2, `1e3` is 1000.0): the text is then kept, for rounding-aware
    grading to read the precision that was written."""
    if not math.isfinite(value):
        return False
    written, shortest = precision(text), precision(repr(value))
    return written is not None and written != shortest
