"""The expression language of answers and formulas (FORMAT.md §6): parse once, evaluate many times.

A hand-written tokenizer and Pratt parser build a small immutable tree, which is compiled (on
first evaluation) into nested closures over numpy float64 values, so one `Expr` evaluates a
scalar point or k points at once (arrays of shape (k,)). User text never reaches `eval` or `ast`.

Decisions a reader of an answer may need to know:

- Precedence, loosest first: `or`/`|`, `xor`, `and`/`&`, `not`/`!`, comparisons, `+ -`,
  `* /` and implicit multiplication, unary `- +`, then `^`/`**` (right-associative). So
  `-2^2` is -4, `2^3^2` is 512 and `2^-1` is 0.5. Implicit multiplication binds like `*`:
  `1/2n` is (1/2)·n.
- Implicit multiplication needs a name or `(` on its right (`2n`, `2(3+4)`, `(a+b)(a-b)`,
  `w_F_g1 g1`); two numbers in a row (`2 3`) or a number after a name or `)` is an error,
  because it is far more often a typo than a product.
- A name followed by `(` is a call only when it names a function; functions need their
  parentheses (`log 2` is an error). `π` and `∞` stand alone (`2πr` is 2·pi·r); `σ` is a letter
  like any other, so `σ(z)` is the sigmoid but `σ1` is a name.
- Comparisons and logic give 1.0 or 0.0; any non-zero value is true. Comparisons are exact
  (they serve integer-valued boolean targets) and cannot be chained (`a < b < c`).
  The keywords `and`, `or`, `xor`, `not` are also read in capitals (`AND`), as exams write them.
- Bounds: MAX_LENGTH characters, MAX_DEPTH levels of nesting (parentheses, unary operators,
  function arguments and tree depth); both are refused before any recursion can run deep.
- Numbers: a literal that does not fit a float64 (`1e999`) is an error. `inf` written
  explicitly is a value, and so is `log(0)` = -inf, hence `-log(0)` = inf (a true loss).
- Evaluation runs with numpy's floating-point errors raised, so a result never becomes inf or
  nan behind the writer's back: overflow (`9^9^9^9`, `exp(1000)`) is "number too large",
  `1/0` and `0^-1` are "division by zero", and `0/0`, `sqrt(-1)`, `log(-1)`, `(-8)^(1/3)`,
  `inf - inf` and `0*log(0)` are "undefined". Over arrays, one bad point fails the whole
  evaluation. Underflow to zero is fine (`exp(-1000)` = 0).
- Values: an env of floats gives a Python float; arrays give a new float64 array, and a result
  that does not depend on them (`2^10`) is broadcast to their shape, one value per point.
- Aliases are applied once, at parse time, to names that are not reserved; an alias that would
  hide a function or constant is an error, but for an identity alias of a BINDABLE constant
  (`{e: e}`): the problem binds that name, so `e` is the name and `exp(1)` the constant.
- Text with a backslash, `$` or a brace is LaTeX, read into this language first (`latex.py`).
- numpy is imported on first evaluation, not with this module: parsing (and the vocabulary,
  which the specs use to refuse reserved names) stays light, so `nncheck validate` starts fast.
"""

from __future__ import annotations

import functools
import math
import operator
import re
import sys
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, NamedTuple, TypeGuard

from nncheck import latex
from nncheck.errors import ExprError
from nncheck.words import clip, did_you_mean
from nncheck.written import WrittenFloat

if TYPE_CHECKING:  # imported where evaluation needs it, so that parsing imports no numpy
    import numpy as np

__all__ = [
    "BINDABLE",
    "CONSTANTS",
    "FUNCTIONS",
    "KEYWORDS",
    "MAX_DEPTH",
    "MAX_LENGTH",
    "RESERVED",
    "Expr",
    "ExprError",
    "evaluate",
    "is_reserved",
    "parse",
    "parse_number",
]

MAX_LENGTH = 2000
MAX_DEPTH = 100
SHOWN_WIDTH = 60  # a name or number longer than this is shortened in messages (docs/limits.md)

# --- the vocabulary --------------------------------------------------------------------------


# The names first (no numpy: the specs read them); the functions they stand for are built on
# first use, by `_unary_functions` and `_variadic_functions`.
_UNARY_NAMES = frozenset({
    "log", "log2", "log10", "exp", "sqrt", "cbrt", "abs", "sigmoid", "tanh", "relu",
})
_VARIADIC_NAMES = frozenset({"min", "max"})
_FUNCTION_ALIASES = {"ln": "log", "σ": "sigmoid"}
_CONSTANT_VALUES = {"e": math.e, "pi": math.pi, "inf": math.inf}
_CONSTANT_ALIASES = {"π": "pi", "∞": "inf"}

FUNCTIONS: frozenset[str] = _UNARY_NAMES | _VARIADIC_NAMES | frozenset(_FUNCTION_ALIASES)
CONSTANTS: frozenset[str] = frozenset(_CONSTANT_VALUES) | frozenset(_CONSTANT_ALIASES)
KEYWORDS: frozenset[str] = frozenset({"and", "or", "xor", "not"})  # also read in any case
RESERVED: frozenset[str] = FUNCTIONS | CONSTANTS | KEYWORDS
# Constants a problem may bind as names of its own (an input `e`); where bound, an identity
# alias (`{e: e}`) says so, and the constant is written `exp(1)`, `π` or `∞`.
BINDABLE: frozenset[str] = frozenset(_CONSTANT_VALUES)


def is_reserved(name: str) -> bool:
    """Whether an expression reads `name` as a function, a constant or a keyword, so that it
    cannot name anything else: `log`, `pi`, `π`, `∞`, `and`, also `AND` or `Not` (keywords are
    read in any case), and any name with `π` or `∞` inside (`2πr` is 2·pi·r)."""
    return (
        name in FUNCTIONS
        or name in CONSTANTS
        or name.lower() in KEYWORDS
        or any(c in _CONSTANT_ALIASES for c in name)
    )


def _logarithm(ufunc: Callable[[Any], Any]) -> Callable[[Any], Any]:
    """A logarithm where log(0) = -inf is a value, while a negative argument stays an error."""
    import numpy as np

    def log(x: Any) -> Any:
        # -inf is legitimate (a true class predicted at 0 has loss inf). Evaluation raises on
        # every floating-point error; retrying only after one keeps the common case fast.
        try:
            return ufunc(x)
        except FloatingPointError:
            with np.errstate(divide="ignore"):
                return ufunc(x)

    return log


@functools.cache
def _unary_functions() -> dict[str, Callable[[Any], Any]]:
    import numpy as np

    def sigmoid(x: Any) -> Any:
        # 1/(1 + exp(-x)) overflows for x below about -709; logaddexp does not, and keeps full
        # relative precision for very negative x.
        return np.exp(-np.logaddexp(0.0, -x))

    def relu(x: Any) -> Any:
        return np.maximum(x, 0.0)

    functions: dict[str, Callable[[Any], Any]] = {
        "log": _logarithm(np.log),
        "log2": _logarithm(np.log2),
        "log10": _logarithm(np.log10),
        "exp": np.exp,
        "sqrt": np.sqrt,
        "cbrt": np.cbrt,  # the real cube root: cbrt(-8) is -2, where (-8)^(1/3) is undefined
        "abs": np.abs,
        "sigmoid": sigmoid,
        "tanh": np.tanh,
        "relu": relu,
    }
    assert functions.keys() == _UNARY_NAMES
    return functions


@functools.cache
def _variadic_functions() -> dict[str, Callable[[Any, Any], Any]]:
    import numpy as np

    functions: dict[str, Callable[[Any, Any], Any]] = {"min": np.minimum, "max": np.maximum}
    assert functions.keys() == _VARIADIC_NAMES
    return functions

# --- tokens ----------------------------------------------------------------------------------

_DIGITS = frozenset("0123456789۰۱۲۳۴۵۶۷۸۹٠١٢٣٤٥٦٧٨٩")
_POINTS = frozenset(".٫")
_TO_ASCII = str.maketrans("۰۱۲۳۴۵۶۷۸۹٠١٢٣٤٥٦٧٨٩٫−", "01234567890123456789.-")
_TWO_CHAR_OPS = {
    "**": "^", "==": "==", "!=": "!=", "<=": "<=", ">=": ">=", "&&": "and", "||": "or",
}
_ONE_CHAR_OPS = {
    "+": "+", "-": "-", "−": "-",
    "*": "*", "×": "*", "·": "*", "⋅": "*",
    "/": "/", "÷": "/", "^": "^",
    "<": "<", ">": ">", "≤": "<=", "≥": ">=", "≠": "!=",
    "&": "and", "|": "or", "!": "not",
}
_SUPERSCRIPTS = "⁰¹²³⁴⁵⁶⁷⁸⁹"
_SUBSCRIPTS = str.maketrans("₀₁₂₃₄₅₆₇₈₉", "0123456789")  # in a name: `w₁₁` is `w11`
_CHAR_HINTS = {
    ".": "attribute access is not part of the expression language",
    "_": "a name starts with a letter",
    '"': "strings are not part of the expression language",
    "'": "strings are not part of the expression language",
    "[": "write a list as a YAML list, not inside an expression",
    "]": "write a list as a YAML list, not inside an expression",
    "=": "write `==` to compare",
}


class _Token(NamedTuple):
    kind: str  # "num", "name", "op", "(", ")", ",", "end"
    text: str  # as written, for messages
    value: Any  # the float of a number, the canonical operator or name
    col: int  # 1-based column in the source


def _tokenize(source: str) -> list[_Token]:
    """Split the source into tokens, refusing bad characters and unbalanced parentheses."""
    tokens: list[_Token] = []
    opened: list[int] = []  # columns of the parentheses still open
    i, n = 0, len(source)
    while i < n:
        ch = source[i]
        col = i + 1
        if ch.isspace():
            i += 1
        elif ch in _DIGITS or (ch in _POINTS and i + 1 < n and source[i + 1] in _DIGITS):
            j = _scan_number(source, i)
            text = source[i:j]
            value = float(text.translate(_TO_ASCII))
            if math.isinf(value):
                raise ExprError(
                    f"number too large: `{clip(text, SHOWN_WIDTH)}` at column {col}",
                    expected="expected a number below 1.8e308",
                )
            tokens.append(_Token("num", text, value, col))
            i = j
        elif ch in _CONSTANT_ALIASES:
            tokens.append(_Token("name", ch, _CONSTANT_ALIASES[ch], col))
            i += 1
        elif ch.isalpha():
            j = i + 1
            while j < n and (source[j].isalpha() or source[j].isdecimal() or source[j] == "_"
                             or "₀" <= source[j] <= "₉"):
                if source[j] in _CONSTANT_ALIASES:
                    break
                j += 1
            word = source[i:j].translate(_SUBSCRIPTS)
            if word.lower() in KEYWORDS:
                tokens.append(_Token("op", word, word.lower(), col))
            else:
                tokens.append(_Token("name", word, word, col))
            i = j
        elif source[i : i + 2] in _TWO_CHAR_OPS:
            tokens.append(_Token("op", source[i : i + 2], _TWO_CHAR_OPS[source[i : i + 2]], col))
            i += 2
        elif ch in _ONE_CHAR_OPS:
            tokens.append(_Token("op", ch, _ONE_CHAR_OPS[ch], col))
            i += 1
        elif ch == "(":
            if len(opened) >= MAX_DEPTH:
                raise ExprError(
                    f"too deeply nested: more than {MAX_DEPTH} open parentheses at column {col}"
                )
            opened.append(col)
            tokens.append(_Token("(", ch, ch, col))
            i += 1
        elif ch == ")":
            if not opened:
                raise ExprError(
                    f"unbalanced `)` at column {col}", expected="expected no `)` without `(`"
                )
            opened.pop()
            tokens.append(_Token(")", ch, ch, col))
            i += 1
        elif ch == ",":
            tokens.append(_Token(",", ch, ch, col))
            i += 1
        else:
            raise _bad_character(source, i)
    if opened:
        raise ExprError(
            f"unclosed `(` at column {opened[-1]}",
            expected=f"expected `)` before the end (column {n + 1})",
        )
    tokens.append(_Token("end", "", None, n + 1))
    return tokens


def _scan_number(source: str, i: int) -> int:
    """The end of the number that starts at `i`: digits, a decimal point, an exponent."""
    n = len(source)
    while i < n and source[i] in _DIGITS:
        i += 1
    if i < n and source[i] in _POINTS:
        i += 1
        while i < n and source[i] in _DIGITS:
            i += 1
    # An `e` is an exponent only when digits follow, so `2e` is 2·e and `2exp(1)` is 2·exp(1).
    if i < n and source[i] in "eE":
        j = i + 1
        if j < n and source[j] in "+-−":
            j += 1
        if j < n and source[j] in _DIGITS:
            while j < n and source[j] in _DIGITS:
                j += 1
            i = j
    return i


def _bad_character(source: str, i: int) -> ExprError:
    ch = source[i]
    shown = f"`{ch}`" if ch.isprintable() else f"U+{ord(ch):04X}"
    hint = _CHAR_HINTS.get(ch)
    if ch in _SUPERSCRIPTS:
        hint = f"write powers with `^`, e.g. `^{_SUPERSCRIPTS.index(ch)}`"
    return ExprError(
        f"unexpected character {shown} at column {i + 1}",
        expected="expected a number, a name, an operator or a parenthesis",
        hint=hint,
    )


# --- the tree --------------------------------------------------------------------------------

# Binding powers of the operators, loosest first; a prefix operator parses its operand at the
# power given, so `-` takes only a power (`-2^2` = -(2^2)) and `not` takes a comparison.
_OR, _XOR, _AND, _NOT, _COMPARE, _SUM, _PRODUCT, _UNARY, _POWER, _ATOM = (
    10, 20, 30, 35, 40, 50, 60, 65, 70, 100
)
_BINARY_POWER = {
    "or": _OR, "xor": _XOR, "and": _AND,
    "==": _COMPARE, "!=": _COMPARE, "<": _COMPARE, "<=": _COMPARE, ">": _COMPARE, ">=": _COMPARE,
    "+": _SUM, "-": _SUM, "*": _PRODUCT, "/": _PRODUCT, "^": _POWER,
}
# Left-associative operators of one family become one n-ary node, so a long sum is a flat
# list rather than a deep tree (evaluation and rendering recurse along the depth).
_CHAIN_KIND = {
    "+": "sum", "-": "sum", "*": "product", "/": "product",
    "and": "and", "or": "or", "xor": "xor",
}
_CHAIN_POWER = {"sum": _SUM, "product": _PRODUCT, "and": _AND, "or": _OR, "xor": _XOR}


@dataclass(frozen=True, slots=True)
class _Num:
    value: float  # never negative: a minus sign is a `_Neg`
    text: str = field(default="", compare=False)  # as written, in ASCII: its exact value


@dataclass(frozen=True, slots=True)
class _Const:
    name: str  # "e", "pi" or "inf"


@dataclass(frozen=True, slots=True)
class _Name:
    name: str


@dataclass(frozen=True, slots=True)
class _Neg:
    operand: _Node


@dataclass(frozen=True, slots=True)
class _Not:
    operand: _Node


@dataclass(frozen=True, slots=True)
class _Pow:
    base: _Node
    exponent: _Node


@dataclass(frozen=True, slots=True)
class _Chain:
    kind: str  # "sum", "product", "and", "or", "xor"
    first: _Node
    rest: tuple[tuple[str, _Node], ...]  # (operator, operand)


@dataclass(frozen=True, slots=True)
class _Compare:
    op: str
    left: _Node
    right: _Node


@dataclass(frozen=True, slots=True)
class _Call:
    function: str  # canonical: `ln` is `log`, `σ` is `sigmoid`
    args: tuple[_Node, ...]


_Node = _Num | _Const | _Name | _Neg | _Not | _Pow | _Chain | _Compare | _Call


def _children(node: _Node) -> tuple[_Node, ...]:
    if isinstance(node, (_Neg, _Not)):
        return (node.operand,)
    if isinstance(node, _Pow):
        return (node.base, node.exponent)
    if isinstance(node, _Chain):
        return (node.first, *(child for _, child in node.rest))
    if isinstance(node, _Compare):
        return (node.left, node.right)
    if isinstance(node, _Call):
        return node.args
    return ()


def _tree_depth(root: _Node) -> int:
    """The depth of the tree, walked without recursion."""
    deepest = 0
    stack = [(root, 1)]
    while stack:
        node, depth = stack.pop()
        deepest = max(deepest, depth)
        stack.extend((child, depth + 1) for child in _children(node))
    return deepest


# --- parsing ---------------------------------------------------------------------------------


class _Parser:
    """A Pratt parser: two Python frames per nesting level, bounded by MAX_DEPTH."""

    def __init__(self, tokens: list[_Token], aliases: Mapping[str, str]):
        self.tokens = tokens
        self.aliases = aliases
        self.pos = 0
        self.depth = 0
        self.names: dict[str, None] = {}  # free names in order of first use

    def parse(self) -> _Node:
        node = self._expr(0)
        token = self.tokens[self.pos]
        if token.kind != "end":
            hint = None
            if token.kind == "num" and token.text[0] in _POINTS:
                hint = "a number has at most one decimal point"
            elif token.kind == "num":
                hint = "write `*` to multiply"
            elif token.kind == ",":
                hint = "commas only separate the arguments of a function, as in max(a, b)"
            raise self._unexpected(token, "expected an operator or the end", hint)
        return node

    def _expr(self, min_power: int) -> _Node:
        # The top level does not count as nesting: `(` * MAX_DEPTH is the most allowed.
        self.depth += 1
        if self.depth > MAX_DEPTH + 1:
            token = self.tokens[self.pos]
            raise ExprError(
                f"too deeply nested: more than {MAX_DEPTH} levels at column {token.col}"
            )
        left = self._prefix()
        while True:
            token = self.tokens[self.pos]
            op = self._infix(token)
            if op is None or _BINARY_POWER[op] <= min_power:
                break
            power = _BINARY_POWER[op]
            kind = _CHAIN_KIND.get(op)
            if kind is not None:
                rest = []
                while op is not None and _CHAIN_KIND.get(op) == kind:
                    if token.kind == "op":  # implicit multiplication consumes nothing
                        self.pos += 1
                    rest.append((op, self._expr(power)))
                    token = self.tokens[self.pos]
                    op = self._infix(token)
                left = _Chain(kind, left, tuple(rest))
            elif op == "^":
                self.pos += 1
                left = _Pow(left, self._expr(power - 1))  # right-associative
            else:
                self.pos += 1
                left = _Compare(op, left, self._expr(power))
                after = self.tokens[self.pos]
                if after.kind == "op" and _BINARY_POWER.get(after.value) == _COMPARE:
                    raise ExprError(
                        f"comparisons cannot be chained: `{after.text}` at column {after.col}",
                        hint="write `a < b and b < c`",
                    )
        self.depth -= 1
        return left

    @staticmethod
    def _infix(token: _Token) -> str | None:
        """The binary operator a token stands for, with `*` for implicit multiplication."""
        if token.kind == "op":
            return token.value if token.value in _BINARY_POWER else None
        if token.kind in ("name", "("):
            return "*"
        return None

    def _prefix(self) -> _Node:
        token = self.tokens[self.pos]
        self.pos += 1
        if token.kind == "num":
            return _Num(token.value, token.text.translate(_TO_ASCII))
        if token.kind == "name":
            return self._name(token)
        if token.kind == "(":
            node = self._expr(0)
            self._expect(")", "expected `)`")
            return node
        if token.kind == "op" and token.value == "-":
            return _Neg(self._expr(_UNARY))
        if token.kind == "op" and token.value == "+":
            return self._expr(_UNARY)
        if token.kind == "op" and token.value == "not":
            return _Not(self._expr(_NOT))
        self.pos -= 1
        raise self._unexpected(token, "expected a number, a name or `(`")

    def _name(self, token: _Token) -> _Node:
        name = token.value
        if name not in RESERVED:
            name = self.aliases.get(name, name)
        # A name the problem binds wins over the constant; `π`, `∞` are the constants still.
        if name in BINDABLE and self.aliases.get(name) == name \
                and token.text not in _CONSTANT_ALIASES:
            self.names.setdefault(name, None)
            return _Name(name)
        name = _FUNCTION_ALIASES.get(name, _CONSTANT_ALIASES.get(name, name))
        if name in _CONSTANT_VALUES:
            return _Const(name)
        if name not in _UNARY_NAMES and name not in _VARIADIC_NAMES:
            self.names.setdefault(name, None)
            return _Name(name)
        if self.tokens[self.pos].kind != "(":
            raise ExprError(
                f"`{token.text}` is a function and needs parentheses at column {token.col}",
                expected=f"expected `(` after `{token.text}`",
                hint=f"write `{token.text}(x)`",
            )
        self.pos += 1
        args = [self._expr(0)]
        while self.tokens[self.pos].kind == ",":
            self.pos += 1
            args.append(self._expr(0))
        self._expect(")", "expected `,` or `)`")
        if name in _UNARY_NAMES and len(args) != 1:
            hint = None
            if name == "log":
                hint = "for another base write log2(x), log10(x) or log(x)/log(b)"
            raise ExprError(
                f"`{token.text}` takes 1 argument, found {len(args)} at column {token.col}",
                hint=hint,
            )
        if name in _VARIADIC_NAMES and len(args) < 2:
            raise ExprError(
                f"`{token.text}` takes 2 or more arguments, found 1 at column {token.col}"
            )
        return _Call(name, tuple(args))

    def _expect(self, kind: str, expected: str) -> None:
        token = self.tokens[self.pos]
        if token.kind != kind:
            raise self._unexpected(token, expected)
        self.pos += 1

    @staticmethod
    def _unexpected(token: _Token, expected: str, hint: str | None = None) -> ExprError:
        if token.kind == "end":
            what = "end of the expression"
        elif token.kind == "num":
            what = f"number `{clip(token.text, SHOWN_WIDTH)}`"
        else:
            what = f"`{clip(token.text, SHOWN_WIDTH)}`"
        return ExprError(f"unexpected {what} at column {token.col}", expected=expected, hint=hint)


# --- rendering -------------------------------------------------------------------------------


def _format_number(value: float) -> str:
    if math.isinf(value):
        return "inf" if value > 0 else "-inf"
    if value.is_integer() and abs(value) < 1e16:
        return str(int(value))
    return repr(value)


def _precedence(node: _Node) -> int:
    if isinstance(node, _Chain):
        return _CHAIN_POWER[node.kind]
    if isinstance(node, _Compare):
        return _COMPARE
    if isinstance(node, _Pow):
        return _POWER
    if isinstance(node, _Neg):
        return _UNARY
    if isinstance(node, _Not):
        return _NOT
    return _ATOM


def _render(node: _Node) -> str:
    """Canonical text: `*` and `^` written out, spaces around `+ -`, parentheses only as needed."""
    if isinstance(node, _Num):
        return _format_number(node.value)
    if isinstance(node, (_Const, _Name)):
        return node.name
    if isinstance(node, _Neg):
        return "-" + _operand(node.operand, _UNARY, strict=True)
    if isinstance(node, _Not):
        inner = _render(node.operand)
        atomic = isinstance(node.operand, (_Num, _Const, _Name, _Call, _Not))
        return "not " + (inner if atomic else f"({inner})")
    if isinstance(node, _Pow):
        base = _operand(node.base, _POWER, strict=True)
        return f"{base}^{_operand(node.exponent, _POWER, strict=False)}"
    if isinstance(node, _Chain):
        level = _CHAIN_POWER[node.kind]
        text = _operand(node.first, level, strict=False)
        for op, child in node.rest:
            sep = op if node.kind == "product" else f" {op} "
            text += sep + _operand(child, level, strict=True, neg_parens=True)
        return text
    if isinstance(node, _Compare):
        left = _operand(node.left, _COMPARE, strict=True)
        return f"{left} {node.op} {_operand(node.right, _COMPARE, strict=True)}"
    return f"{node.function}({', '.join(_render(arg) for arg in node.args)})"


def _operand(node: _Node, level: int, *, strict: bool, neg_parens: bool = False) -> str:
    text = _render(node)
    power = _precedence(node)
    # A later term that is negated reads better as `a - (-b)` than as `a - -b`.
    if power < level or (strict and power == level) or (neg_parens and isinstance(node, _Neg)):
        return f"({text})"
    return text


# --- compiling -------------------------------------------------------------------------------

_Fn = Callable[[Mapping[str, Any]], Any]

_COMPARISONS: dict[str, Callable[[Any, Any], Any]] = {
    "==": operator.eq, "!=": operator.ne, "<": operator.lt,
    "<=": operator.le, ">": operator.gt, ">=": operator.ge,
}
_LOGIC: dict[str, Callable[[Any, Any], Any]] = {
    "and": operator.and_, "or": operator.or_, "xor": operator.xor,
}


def _float_error(exc: FloatingPointError, node: _Node) -> ExprError:
    """Turn numpy's floating-point error at `node` into a message about the expression."""
    shown = clip(_render(node), SHOWN_WIDTH)
    reason = str(exc)
    if "overflow" in reason:
        return ExprError(
            f"number too large: `{shown}` overflows",
            hint="a float64 holds at most about 1.8e308",
        )
    if "divide by zero" in reason:
        return ExprError(f"division by zero in `{shown}`")
    return ExprError(
        f"undefined result: `{shown}` is not a number",
        hint="sqrt or log of a negative number, 0/0, 0*inf and inf - inf are undefined",
    )


def _compile(node: _Node) -> _Fn:
    """A closure that evaluates `node` over a mapping of float64 values."""
    import numpy as np

    if isinstance(node, (_Num, _Const)):
        constant = np.float64(
            node.value if isinstance(node, _Num) else _CONSTANT_VALUES[node.name]
        )
        return lambda values: constant
    if isinstance(node, _Name):
        name = node.name
        return lambda values: values[name]
    if isinstance(node, _Neg):
        inner = _compile(node.operand)
        return lambda values: -inner(values)
    if isinstance(node, _Not):
        inner = _compile(node.operand)
        return lambda values: (inner(values) == 0) * 1.0
    if isinstance(node, _Pow):
        return _compile_power(node)
    if isinstance(node, _Chain):
        return _compile_chain(node)
    if isinstance(node, _Compare):
        compare = _COMPARISONS[node.op]
        left, right = _compile(node.left), _compile(node.right)
        return lambda values: compare(left(values), right(values)) * 1.0
    return _compile_call(node)


def _compile_power(node: _Pow) -> _Fn:
    base, exponent = _compile(node.base), _compile(node.exponent)

    def power(values: Mapping[str, Any]) -> Any:
        try:
            return base(values) ** exponent(values)
        except FloatingPointError as exc:
            raise _float_error(exc, node) from None

    return power


def _compile_chain(node: _Chain) -> _Fn:
    first = _compile(node.first)
    rest = [(op, _compile(child)) for op, child in node.rest]
    if node.kind in _LOGIC:
        combine = _LOGIC[node.kind]
        parts = [f for _, f in rest]

        def logic(values: Mapping[str, Any]) -> Any:
            acc = first(values) != 0
            for f in parts:
                acc = combine(acc, f(values) != 0)
            return acc * 1.0

        return logic

    ops = {"+": operator.add, "-": operator.sub, "*": operator.mul, "/": operator.truediv}
    steps = [(ops[op], f) for op, f in rest]
    if len(steps) == 1:
        # The common `a + b`, `10*n`: no loop.
        (step, second), = steps

        def pair(values: Mapping[str, Any]) -> Any:
            try:
                return step(first(values), second(values))
            except FloatingPointError as exc:
                raise _float_error(exc, node) from None

        return pair

    def chain(values: Mapping[str, Any]) -> Any:
        try:
            acc = first(values)
            for step, f in steps:
                acc = step(acc, f(values))
            return acc
        except FloatingPointError as exc:
            raise _float_error(exc, node) from None

    return chain


def _compile_call(node: _Call) -> _Fn:
    args = [_compile(arg) for arg in node.args]
    if node.function in _VARIADIC_NAMES:
        combine = _variadic_functions()[node.function]

        def variadic(values: Mapping[str, Any]) -> Any:
            acc = args[0](values)
            for f in args[1:]:
                acc = combine(acc, f(values))
            return acc

        return variadic
    function = _unary_functions()[node.function]
    (inner,) = args

    def call(values: Mapping[str, Any]) -> Any:
        try:
            return function(inner(values))
        except FloatingPointError as exc:
            raise _float_error(exc, node) from None

    return call


# --- the public face -------------------------------------------------------------------------


@dataclass(frozen=True)
class Expr:
    """A parsed expression: its source, its free names, and a compiled evaluator.

    The evaluator is compiled on first evaluation, so that reading an expression's names (as
    `validate` does) needs no numpy.
    """

    source: str
    names: frozenset[str]
    _tree: _Node = field(repr=False)
    _order: tuple[str, ...] = field(repr=False, compare=False)  # names in order of first use

    @functools.cached_property
    def _fn(self) -> _Fn:
        return _compile(self._tree)

    def evaluate(self, env: Mapping[str, Any] | None = None) -> float | np.ndarray:
        """Evaluate at the point(s) `env` binds: floats give a float, arrays an array."""
        import numpy as np

        fn = self._fn
        env = env if env is not None else {}
        values: dict[str, Any] = {}
        for name in self._order:
            try:
                raw = env[name]
            except KeyError:
                raise _unknown_name(name, env) from None
            values[name] = _as_float64(raw)
        with np.errstate(all="raise", under="ignore"):
            try:
                result = fn(values)
            except FloatingPointError as exc:  # every operation that can raise names itself
                raise _float_error(exc, self._tree) from None
        if isinstance(result, np.ndarray) and result.ndim > 0:
            # A copy, so the caller never holds an array that aliases one of its inputs.
            return np.array(result, dtype=np.float64)
        shape = _points_shape(env)
        if shape:
            return np.full(shape, float(result))
        return float(result)

    def __str__(self) -> str:
        return _render(self._tree)


def _as_float64(raw: Any) -> Any:
    import numpy as np

    if isinstance(raw, np.ndarray):
        return raw.astype(np.float64, copy=False)
    if isinstance(raw, (int, float)):
        return np.float64(raw)
    return np.asarray(raw, dtype=np.float64)


def _points_shape(env: Mapping[str, Any]) -> tuple[int, ...]:
    """The shape of the points `env` describes: () for one point."""
    import numpy as np

    shapes = [v.shape for v in env.values() if isinstance(v, np.ndarray) and v.ndim > 0]
    if not shapes:
        return ()
    try:
        return np.broadcast_shapes(*shapes)
    except ValueError:  # not a set of points, just unrelated arrays: keep the scalar
        return ()


def _unknown_name(name: str, env: Mapping[str, Any]) -> ExprError:
    known = [str(key) for key in env]
    candidates = known + sorted(RESERVED - KEYWORDS)
    hint = did_you_mean(name, candidates)
    if hint is None and known and len(known) <= 12:
        hint = "known names: " + ", ".join(f"`{k}`" for k in sorted(known))
    return ExprError(f"unknown name `{clip(name, SHOWN_WIDTH)}`", hint=hint)


def parse(source: str | int | float, *, aliases: Mapping[str, str] | None = None) -> Expr:
    """Parse an expression (or take a number as is), mapping `aliases` to canonical names."""
    if isinstance(source, (bool, int, float)):
        return _from_number(source)
    if _is_numpy_number(source):
        return _from_number(source)
    if not isinstance(source, str):
        raise ExprError(
            f"expected an expression, found {type(source).__name__}",
            expected="expected a number or a text such as `2^10`",
        )
    key = tuple(sorted(aliases.items())) if aliases else ()
    return _parse_text(source, key)


def _is_numpy_number(value: Any) -> TypeGuard[np.integer | np.floating]:
    # Without numpy imported, no value can be one of its numbers.
    np = sys.modules.get("numpy")
    return np is not None and isinstance(value, (np.integer, np.floating))


@functools.lru_cache(maxsize=4096)
def _parse_text(source: str, aliases: tuple[tuple[str, str], ...]) -> Expr:
    # Cached: an Expr is immutable, and the same answer text recurs across a class.
    if len(source) > MAX_LENGTH:
        raise ExprError(
            f"expression too long: {len(source)} characters",
            expected=f"expected at most {MAX_LENGTH}",
        )
    mapping = dict(aliases)
    shadowing = sorted(mapping.keys() & RESERVED - {k for k in BINDABLE if mapping.get(k) == k})
    if shadowing:
        raise ExprError(f"alias `{shadowing[0]}` would hide a function or constant")
    text = latex.translate(source, MAX_DEPTH) if latex.is_latex(source) else source
    with latex.read_as(text, source):
        tokens = _tokenize(text)
    if len(tokens) == 1:
        raise ExprError(
            "empty expression at column 1", expected="expected a number or an expression"
        )
    parser = _Parser(tokens, mapping)
    with latex.read_as(text, source):
        tree = parser.parse()
    if _tree_depth(tree) > MAX_DEPTH + 1:
        raise ExprError(f"too deeply nested: more than {MAX_DEPTH} levels")
    order = tuple(parser.names)
    return Expr(source, frozenset(order), tree, order)


def _from_number(source: bool | int | float | np.integer | np.floating) -> Expr:
    try:
        value = float(source)
    except OverflowError:
        raise ExprError(f"number too large: {clip(str(source), SHOWN_WIDTH)}") from None
    if math.isnan(value):
        raise ExprError("not a number: nan", expected="expected a number or an expression")
    if isinstance(source, bool):
        text = str(int(source))
    elif isinstance(source, float):
        text = repr(value)  # repr of np.float64 would be `np.float64(...)`
    else:
        text = str(source)
    # The exact value: an integer's every digit (a float would round 10^17 + 1), else the
    # shortest decimal of the float, the number as its writer wrote it.
    if isinstance(source, WrittenFloat):  # the digits written in the file, not the float's
        exact = source.text.strip().lstrip("+-")
    elif math.isfinite(value) and value.is_integer():
        exact = str(abs(int(source)))
    else:
        exact = repr(abs(value))
    magnitude = _Const("inf") if math.isinf(value) else _Num(abs(value), exact)
    negative = value < 0 or (isinstance(source, WrittenFloat)
                             and source.text.strip().startswith("-"))  # `-1e-400`: -0.0
    tree: _Node = _Neg(magnitude) if negative else magnitude
    return Expr(text, frozenset(), tree, ())


def evaluate(
    source: str | int | float,
    env: Mapping[str, Any] | None = None,
    *,
    aliases: Mapping[str, str] | None = None,
) -> float | np.ndarray:
    """Parse and evaluate in one step (parsing is cached, so repeated calls stay cheap)."""
    return parse(source, aliases=aliases).evaluate(env)


_NUMBER = re.compile(r"[+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:[eE][+-]?[0-9]+)?", re.ASCII)


def parse_number(text: str) -> float | None:
    """A plain number (Persian digits, `٫` and `inf` included) as a float, else None."""
    if not isinstance(text, str) or len(text) > MAX_LENGTH:
        return None
    plain = text.strip().translate(_TO_ASCII)
    if plain in ("inf", "+inf", "∞", "+∞"):
        return math.inf
    if plain in ("-inf", "-∞"):
        return -math.inf
    if not _NUMBER.fullmatch(plain):
        return None
    value = float(plain)
    # An overflowing literal is for `parse` to report, not a fast path.
    return value if math.isfinite(value) else None
