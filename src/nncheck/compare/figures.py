"""The precision a claim shows, for rounded mode (docs/format.md, Rounded answers).

- A plain decimal has the figures it shows, however it is typed: an ASCII or a Unicode minus
  (`−0.20`), a space after the sign (`- 0.20`), Persian or Arabic-Indic digits, inside
  `$…$`, braces or parentheses (`$-0.20$`, `{0.20}`, `-(0.20)`). A bare integer's trailing
  zeros may or may not be figures (`800`: one, two or three).
- Scientific notation `m × 10^k` (`×`, `x`, `*`, `·`, `\\times`, `\\cdot`) and a percentage
  `p %` (`p/100`) show the figures of their mantissa, at its last digit's place moved by `k`
  (or by -2). Here an integer mantissa's trailing zeros are not figures: `800%` is 8, one
  figure; write `8.00` for three.
- Any other expression (`8*1`, `1/28`, `\\frac{8}{1}`) shows no figures of its own: it is read
  as the number it evaluates to, with no trailing zero (`8*1` is 8, one figure; `8*100` is
  800, one figure; `1/28` is 0.03571428571428571, every digit), and passes only where that
  decimal would. So an expression never passes where the number it equals, written plainly,
  would fail.
"""

from __future__ import annotations

from typing import Any

from nncheck import expr
from nncheck.compare.tolerance import written_precision
from nncheck.errors import ExprError
from nncheck.expr import _Chain, _Neg, _Node, _Num, _Pow
from nncheck.written import MAX_PLACE, Precision, precision, strict

__all__ = ["of_claim"]

_MAX_TEXT = 400  # as tolerance.written_precision: a longer text is not read for figures
_MAX_SHIFT_DIGITS = 4  # `10^k` with k of at most four digits


def of_claim(item: Any) -> Precision | None:
    """The precision a claimed number shows (see the module's docstring), or None for an
    expression that shows none (then what it evaluates to is read by `written.of_value`)."""
    plain = written_precision(item)
    if plain is not None or not isinstance(item, str) or len(item) > _MAX_TEXT:
        return plain
    try:
        tree = expr.parse(item)._tree
    except ExprError:
        return None
    return _of_tree(tree)


def _of_tree(tree: _Node) -> Precision | None:
    signs = 0
    if isinstance(tree, _Neg):
        tree, signs = tree.operand, 1
    if isinstance(tree, _Num):
        return precision(tree.text)
    if not (isinstance(tree, _Chain) and tree.kind == "product" and len(tree.rest) == 1):
        return None
    mantissa, (op, scale) = tree.first, tree.rest[0]
    if isinstance(mantissa, _Neg):
        mantissa, signs = mantissa.operand, signs + 1
    if signs > 1 or not isinstance(mantissa, _Num):
        return None
    shift = _shift(op, scale)
    made = precision(mantissa.text)
    if shift is None or made is None:
        return None
    made = strict(made)
    place = made.place + shift
    return Precision(place, made.figures) if abs(place) <= MAX_PLACE else None


def _shift(op: str, scale: _Node) -> int | None:
    """How far `× 10^k`, `/ 10^k` or `/ 100` (a percentage) moves a mantissa's last digit."""
    if op == "/" and isinstance(scale, _Num) and scale.text == "100":
        return -2
    if not (isinstance(scale, _Pow) and isinstance(scale.base, _Num)
            and scale.base.text == "10"):
        return None
    exponent, sign = scale.exponent, 1
    if isinstance(exponent, _Neg):
        exponent, sign = exponent.operand, -1
    if not (isinstance(exponent, _Num) and exponent.text.isdigit()
            and len(exponent.text) <= _MAX_SHIFT_DIGITS):
        return None
    k = sign * int(exponent.text)
    return k if op == "*" else -k
