"""Numbers as a person reads them in a message, and as FORMAT §8 writes them in JSON."""

from __future__ import annotations

import decimal
import math
from typing import Any

import numpy as np

from nncheck.written import FLOAT_EXACT


def format_number(x: float, digits: int = 6) -> str:
    """Show a number the way a person writes it: 505, 1.20397, inf, -0.5."""
    if isinstance(x, int) and not isinstance(x, bool):
        # A Python int is exact (a count, a size, an integer as written): every digit, up to
        # the largest count there can be; past float64, a claim is shown as one would be.
        return _big_int(x, digits) if abs(x) >= 2**1023 else str(x)
    x = float(x)
    if math.isnan(x):
        return "nan"
    if math.isinf(x):
        return "inf" if x > 0 else "-inf"
    if x == int(x) and abs(x) < 1e15:
        return str(int(x))
    return f"{x:.{digits}g}"


SCORE_DECIMALS = 6  # a score in a gradebook file: every digit a partial credit can give


def format_score(x: float) -> str:
    """A score as a gradebook records it: exact, never rounded to a few significant digits
    (1234.5 stays 1234.5), with at most six decimals and no trailing zeros: 7, 2.5, 0.666667."""
    if not math.isfinite(x):
        return format_number(x)
    text = f"{x:.{SCORE_DECIMALS}f}".rstrip("0").rstrip(".")
    return "0" if text == "-0" else text


def format_statistic(x: float) -> str:
    """A class statistic (a mean, a bin edge, a score): four significant digits."""
    return format_number(x, 4)


def format_value(value: Any, digits: int = 6) -> str:
    """Show a number, vector or matrix compactly (numbers to `digits` significant figures)."""
    if isinstance(value, np.ndarray):
        value = value.tolist()
    if isinstance(value, (list, tuple)):
        return "[" + ", ".join(format_value(v, digits) for v in value) + "]"
    if isinstance(value, (int, float, np.floating, np.integer)) and not isinstance(value, bool):
        return format_number(value if isinstance(value, int) else float(value), digits)
    return str(value)


def _big_int(x: int, digits: int) -> str:
    """An integer too large for a float, as `format_number` shows a float: 1.23457e+400."""
    mantissa, exponent = f"{decimal.Decimal(x):.{digits}g}".split("e")
    if "." in mantissa:  # Decimal keeps trailing zeros where a float's `g` drops them
        mantissa = mantissa.rstrip("0").rstrip(".")
    return f"{mantissa}e{exponent}"


def to_json_number(x: float) -> float | int | str:
    """A number as FORMAT §8 writes it: integers as ints, infinities as "inf"."""
    if isinstance(x, int) and not isinstance(x, bool) and abs(x) >= FLOAT_EXACT:
        return x  # a claimed integer as written: JSON holds it exactly, a float would not
    x = float(x)
    if math.isinf(x):
        return "inf" if x > 0 else "-inf"
    if math.isnan(x):
        return "nan"
    if x == int(x) and abs(x) < FLOAT_EXACT:
        return int(x)
    return x


def to_json_value(value: Any) -> Any:
    """A number, vector or matrix as JSON (None, a shape's batch axis, as null)."""
    if value is None:
        return None
    if isinstance(value, np.ndarray) and value.ndim > 0 and value.dtype.kind in "biuf":
        return _array_json(value)
    if isinstance(value, np.ndarray):
        value = value.tolist()
    if isinstance(value, (list, tuple)):
        return [to_json_value(v) for v in value]
    return to_json_number(value)


def _array_json(value: np.ndarray) -> Any:
    """What `to_json_number` gives for each element, a column at a time: a table of a million
    rows would take seconds one element at a time."""
    if value.dtype.kind in "biu":
        return value.astype(np.int64 if value.dtype.kind == "b" else value.dtype).tolist()
    if value.ndim == 1:
        return _column_json(value.astype(float))
    if value.ndim == 2:
        a = value.astype(float)
        if np.isfinite(a).all() and ((np.abs(a) < FLOAT_EXACT) & (a == np.floor(a))).all():
            return a.astype(np.int64).tolist()
        columns = [_column_json(a[:, j]) for j in range(a.shape[1])]
        return [list(row) for row in zip(*columns)] if columns else [[] for _ in a]
    return [_array_json(v) for v in value]


def _column_json(a: np.ndarray) -> list[Any]:
    finite = np.isfinite(a)
    if finite.all():
        integral = (np.abs(a) < FLOAT_EXACT) & (a == np.floor(a))
        if integral.all():  # counts, activations, input bits: the common case
            return a.astype(np.int64).tolist()
        if not integral.any():
            return a.tolist()
    return [to_json_number(x) for x in a.tolist()]
