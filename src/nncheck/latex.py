r"""LaTeX as typed in digital exams, read into the expression language (FORMAT.md §6).

`translate` rewrites LaTeX source into the text `expr.parse` reads: `\frac{1}{1+e^{-2}}` becomes
`((1)/(1+e^(-2)))`. It is a small recursive-descent reader over brace groups and commands, not
a set of patterns: every brace group is a parenthesised group, every command is looked up in
one table, and anything it does not know is an error naming the command.

Decisions a reader of an answer may need to know:

- `$...$`, `$$...$$`, `\(...\)` and `\[...\]` around the whole answer are dropped; a `$`
  anywhere else is an error.
- `{...}` groups, as parentheses do; `[...]` and `\left[ \right]` are parentheses too, and
  `\left| x \right|` is `abs(x)`. Spacing commands (`\,` `\!` `\;` `\quad`, ...) and sizing
  commands (`\big`, `\Bigl`, ...) are spacing.
- A superscript is `^` followed by a brace group, a command or the text after it as the
  expression language reads it: `e^{-x}` is e^(-x), and `2^10` is 1024 (not LaTeX's 2^1·0).
- A subscript joins the name before it. Digits alone join without a mark: `x_{11}` and
  `x_11` are the name `x11`, as `a_{21}` is `a21` (and `x_{1}y` is x1 times y). A subscript
  with a letter joins with `_`, and commas inside braces separate further parts: `z_{g1}` is
  `z_g1` and `w_{F,g1}` is `w_F_g1`, the names FORMAT.md §3 gives a unit's pre-activation and
  weights. An unbraced subscript runs over the letters and digits that follow (`w_F_g1` stays
  `w_F_g1`).
- `\log`, `\ln`, `\exp`, `\tanh` take a parenthesised argument, a brace group, or (the usual
  convention) the factors that follow, each with its power, up to the next operator, function
  or parenthesis: `\log 0.3` is log(0.3), `\ln \frac{1}{2}` is ln(1/2), `\ln e^2` is
  ln(e^2) = 2, `\log_2 8x` is log2(8x), `\ln x \cdot y` is ln(x)*y. `\log_2` and `\log_{10}`
  are log2 and log10.
- `\sqrt{x}` is sqrt(x), `\sqrt[3]{x}` the real cube root cbrt(x) (`\sqrt[3]{-8}` is -2), and
  `\sqrt[n]{x}` is x^(1/n).
- Refused as ambiguous: a number right before a fraction (`2\frac{1}{2}`, 2½ at school and
  2·½ to LaTeX) and a double superscript (`x^{2}^{3}`, an error in LaTeX too).
- `\sigma` is the letter σ, which the expression language reads as the sigmoid before `(`:
  `\sigma(z)` and `\sigma{z}` are sigmoid(z). `\pi` is π and `\infty` is ∞, the constants even
  where a problem names something `pi` or `inf`. Other Greek letters are their letters.
- `\mathrm{...}`, `\operatorname{...}` and `\text{...}` hold a name written upright:
  `\operatorname{relu}(z)` is relu(z).
- Nesting is bounded by the expression language's depth bound, checked before the reader
  recurses, so a hostile `\frac{\frac{\frac...` is refused and never exhausts the stack.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator

from nncheck.errors import ExprError
from nncheck.words import clip, did_you_mean

__all__ = ["is_latex", "read_as", "translate"]

_MARKS = frozenset("\\${}")
_SHOWN_WIDTH = 60

# Commands that stand for a piece of the expression language, by name.
_SYMBOLS = {
    "cdot": "*", "times": "*", "ast": "*", "div": "/",
    "pi": "π", "infty": "∞", "sigma": "σ",
    "le": "<=", "leq": "<=", "ge": ">=", "geq": ">=", "ne": "!=", "neq": "!=",
    "lt": "<", "gt": ">",
    "land": " and ", "wedge": " and ", "lor": " or ", "vee": " or ", "oplus": " xor ",
    "lnot": " not ", "neg": " not ",
    "{": "(", "}": ")",
}
_GREEK = {
    "alpha": "α", "beta": "β", "gamma": "γ", "delta": "δ", "epsilon": "ε", "varepsilon": "ε",
    "zeta": "ζ", "eta": "η", "theta": "θ", "lambda": "λ", "mu": "μ", "nu": "ν", "xi": "ξ",
    "rho": "ρ", "tau": "τ", "phi": "φ", "varphi": "φ", "chi": "χ", "psi": "ψ", "omega": "ω",
    "Gamma": "Γ", "Delta": "Δ", "Theta": "Θ", "Lambda": "Λ", "Phi": "Φ", "Psi": "Ψ",
    "Omega": "Ω",
}
_SPACING = frozenset({
    ",", "!", ";", ":", " ", "quad", "qquad", "displaystyle", "textstyle",
    "big", "Big", "bigg", "Bigg", "bigl", "bigr", "Bigl", "Bigr", "biggl", "biggr",
})
_FUNCTIONS = {"log": "log", "ln": "ln", "exp": "exp", "tanh": "tanh"}  # one argument
_VARIADIC = {"max": "max", "min": "min"}  # their arguments in parentheses, as written
_FRACTIONS = frozenset({"frac", "dfrac", "tfrac"})
# Commands that continue the argument of an unparenthesised function (`\ln 2\pi`).
_FACTOR_COMMANDS = frozenset({*_GREEK, "pi", "infty", "sqrt", *_FRACTIONS})
_UPRIGHT = frozenset({"mathrm", "operatorname", "text", "textrm", "mathit"})
_LOG_BASES = {"2": "log2", "10": "log10", "e": "log"}
_OPENERS = {"(": "(", "[": "(", "\\{": "(", ".": "", "|": "abs("}
_CLOSERS = {")": ")", "]": ")", "\\}": ")", ".": "", "|": ")"}
_DELIMITERS = (("$$", "$$"), ("$", "$"), ("\\(", "\\)"), ("\\[", "\\]"))

KNOWN = sorted(
    {*_SYMBOLS, *_GREEK, *_SPACING, *_FUNCTIONS, *_VARIADIC, *_FRACTIONS, *_UPRIGHT,
     "sqrt", "left", "right"} - {"{", "}", ",", "!", ";", ":", " "}
)


def is_latex(source: str) -> bool:
    """Whether `source` has a backslash, a `$` or a brace: only then is it read as LaTeX."""
    return not _MARKS.isdisjoint(source)


def translate(source: str, max_depth: int) -> str:
    """The expression-language text of a LaTeX answer (an ExprError when it cannot be read)."""
    return _Reader(source, max_depth).read()


@contextlib.contextmanager
def read_as(text: str, source: str) -> Iterator[None]:
    """Say in an ExprError what text the LaTeX `source` was read as: its columns are that text's."""
    try:
        yield
    except ExprError as exc:
        if text is not source:
            shown = f"read from LaTeX as `{clip(text, _SHOWN_WIDTH)}`"
            exc.hint = f"{exc.hint}; {shown}" if exc.hint else shown
        raise


def _is_name_char(ch: str) -> bool:
    return ch.isalnum() or ch == "_"


class _Reader:
    """A recursive-descent reader: a few Python frames per nesting level, bounded."""

    def __init__(self, source: str, max_depth: int):
        self.source = source
        self.max_depth = max_depth
        self.pos = 0
        self.end = len(source)
        self.depth = 0

    # --- the whole answer and sequences -----------------------------------------------------

    def read(self) -> str:
        self._strip_delimiters()
        return self._sequence(closer=None)

    def _strip_delimiters(self) -> None:
        text = self.source
        start = len(text) - len(text.lstrip())
        stop = len(text.rstrip())
        for opening, closing in _DELIMITERS:
            inner = text[start:stop]
            if (len(inner) >= len(opening) + len(closing) and inner.startswith(opening)
                    and inner.endswith(closing)):
                self.pos, self.end = start + len(opening), stop - len(closing)
                return

    def _sequence(self, closer: str | None) -> str:
        """Everything up to `closer` (left unread) or the end."""
        out: list[str] = []
        while self.pos < self.end:
            ch = self.source[self.pos]
            if ch == closer:
                return "".join(out)
            if ch == "_":
                out.append(self._subscript("".join(out)))
            elif ch == "\\":
                if self._command_at() in _FRACTIONS:
                    self._refuse_mixed_number("".join(out))
                self._append(out, self._command())
            elif ch == "{":
                self._append(out, self._group())
            elif ch == "}":
                raise self._error("unbalanced `}`", expected="expected no `}` without `{`")
            elif ch == "^":
                self.pos += 1
                out.append("^" + self._superscript())
                self._refuse_double_superscript()
            elif ch in "[]":
                out.append("(" if ch == "[" else ")")
                self.pos += 1
            elif ch == "$":
                raise self._error(
                    "unexpected `$`",
                    expected="expected `$...$` around the whole answer or not at all",
                )
            else:
                out.append(" " if ch.isspace() else ch)
                self.pos += 1
        if closer is not None:
            raise ExprError(
                f"unclosed `{'{' if closer == '}' else '['}`",
                expected=f"expected `{closer}` before the end (column {self.end + 1})",
            )
        return "".join(out)

    @staticmethod
    def _append(out: list[str], piece: str) -> None:
        # `x\log(x)` and `\alpha\beta` must not run together into one name.
        if out and piece and _is_name_char(out[-1][-1:]) and _is_name_char(piece[0]):
            out.append(" ")
        out.append(piece)

    # --- groups and arguments ---------------------------------------------------------------

    def _enter(self) -> None:
        self.depth += 1
        if self.depth > self.max_depth:
            raise self._error(f"too deeply nested: more than {self.max_depth} levels")

    def _group(self) -> str:
        """`{...}` as `(...)`."""
        col = self.pos + 1
        self._enter()
        self.pos += 1  # the `{`
        inner = self._sequence(closer="}")
        self.pos += 1  # the `}`
        self.depth -= 1
        if not inner.strip():
            raise ExprError(f"empty group `{{}}` at column {col}",
                            expected="expected something inside `{}`")
        return f"({inner})"

    def _argument(self, command: str) -> str:
        """The argument of a command: a brace group, a command, or one character."""
        self._skip_spaces()
        if self.pos >= self.end:
            raise self._error(f"`\\{command}` needs an argument",
                              expected=f"expected `{{...}}` after `\\{command}`")
        ch = self.source[self.pos]
        if ch == "{":
            return self._group()
        if ch == "\\":
            return self._command()
        if ch in "}^_$":
            raise self._error(f"`\\{command}` needs an argument, found `{ch}`",
                              expected=f"expected `{{...}}` after `\\{command}`")
        self.pos += 1
        return ch

    def _superscript(self) -> str:
        self._skip_spaces()
        if self.pos < self.end and self.source[self.pos] in "{\\":
            return self._argument("^")
        return ""  # the text that follows, as the expression language reads it

    def _subscript(self, before: str) -> str:
        col = self.pos + 1
        if not before or not _is_name_char(before[-1]):
            raise self._error("a subscript `_` must follow a name",
                              expected="expected a name such as `x_{1}`")
        self.pos += 1  # the `_`
        if self.pos < self.end and self.source[self.pos] == "{":
            close = self.source.find("}", self.pos, self.end)
            content = self.source[self.pos + 1:close] if close >= 0 else ""
            pieces = [p.strip() for p in content.split(",")]
            if close < 0 or not all(p.isalnum() for p in pieces):
                raise ExprError(
                    f"unreadable subscript at column {col}",
                    expected="expected letters and digits in braces, parts separated by "
                             "commas: `x_{11}`, `w_{F,g1}`",
                )
            self.pos = close + 1
            joined = self._join(pieces)
            # `x_{1}y` is x1 times y: the name ends with the braces.
            if self.pos < self.end and _is_name_char(self.source[self.pos]):
                joined += " "
            return joined
        start = self.pos
        while self.pos < self.end and self.source[self.pos].isalnum():
            self.pos += 1
        if self.pos == start:
            raise ExprError(f"empty subscript at column {col}",
                            expected="expected letters or digits after `_`")
        return self._join([self.source[start:self.pos]])

    @staticmethod
    def _join(pieces: list[str]) -> str:
        if len(pieces) == 1 and pieces[0].isdecimal():
            return pieces[0]  # x_{11} is x11
        return "".join("_" + p for p in pieces)  # z_{g1} is z_g1, w_{F,g1} is w_F_g1

    # --- commands ---------------------------------------------------------------------------

    def _command(self) -> str:
        col = self.pos + 1
        self._enter()
        name = self._command_name()
        text = self._expand(name, col)
        self.depth -= 1
        return text

    def _command_name(self) -> str:
        self.pos += 1  # the backslash
        start = self.pos
        while self.pos < self.end and self.source[self.pos].isascii() \
                and self.source[self.pos].isalpha():
            self.pos += 1
        if self.pos == start and self.pos < self.end:
            self.pos += 1  # a one-character command: `\,`, `\{`
        return self.source[start:self.pos]

    def _expand(self, name: str, col: int) -> str:
        if name in _SPACING:
            return " "
        if name in _SYMBOLS:
            return _SYMBOLS[name]
        if name in _GREEK:
            return _GREEK[name]
        if name in _FRACTIONS:
            numerator = self._argument(name)
            return f"({numerator}/{self._argument(name)})"
        if name == "sqrt":
            return self._root()
        if name in _FUNCTIONS:
            function = _FUNCTIONS[name]
            if name == "log" and self._peek() == "_":
                function = self._log_base(col)
            return function + self._function_argument()
        if name in _VARIADIC:
            return _VARIADIC[name]
        if name in _UPRIGHT:
            return self._upright(name)
        if name in ("left", "right"):
            return self._delimiter(name, col)
        shown = clip("\\" + name, _SHOWN_WIDTH) if name else "`\\` at the end"
        hint = did_you_mean(name, KNOWN, show=lambda c: "\\" + c) if name else None
        raise ExprError(f"unknown LaTeX command `{shown}` at column {col}", hint=hint)

    def _root(self) -> str:
        self._skip_spaces()
        if self._peek() == "[":
            self._enter()
            self.pos += 1
            index = self._sequence(closer="]")
            self.pos += 1
            self.depth -= 1
            if not index.strip():
                raise self._error("empty root index `[]`", expected="expected `\\sqrt[n]{x}`")
            if index.strip() == "3":  # the real cube root: `\sqrt[3]{-8}` is -2
                return f"cbrt({self._argument('sqrt')})"
            return f"(({self._argument('sqrt')})^(1/({index})))"
        return f"sqrt({self._argument('sqrt')})"

    def _log_base(self, col: int) -> str:
        base = self._subscript("log").lstrip("_")
        if base not in _LOG_BASES:
            raise ExprError(
                f"unknown logarithm base `{clip(base, _SHOWN_WIDTH)}` at column {col}",
                expected="expected `\\log_2`, `\\log_{10}`, `\\log_e` or `\\log`",
                hint="for another base write \\frac{\\log x}{\\log b}",
            )
        return _LOG_BASES[base]

    def _function_argument(self) -> str:
        """The argument of a function written without parentheses: the factors that follow,
        each with its power, up to the next operator, function or parenthesis, as the usual
        convention reads it: `\\ln e^2` is ln(e^2), `\\log_2 8x` is log2(8x), `\\log 0.3` is
        log(0.3), `\\ln \\frac{1}{2}` is ln(1/2). An argument in parentheses (or `\\left(`) is
        left to what follows; a brace group is the argument."""
        self._skip_spaces()
        ch = self._peek()
        if ch == "{":
            return self._group()
        if ch == "\\" and self._command_at() in ("left", "right"):
            return ""
        factors: list[str] = []
        while True:
            self._skip_spaces()
            command = self._command_at() if self._peek() == "\\" else None
            if command in _SPACING:
                self._command_name()
                continue
            if command in _FRACTIONS and factors:
                self._refuse_mixed_number(factors[-1])
            factor = self._factor(first=not factors)
            if factor is None:
                break
            factors.append(factor)
        return f"({' '.join(factors)})" if factors else ""

    def _factor(self, first: bool) -> str | None:
        """One factor of an unparenthesised argument, with its power; None where none starts."""
        ch = self._peek()
        start = self.pos
        if ch == "\\":
            command = self._command_at()
            if not first and command not in _FACTOR_COMMANDS:
                return None  # `\\ln x \\cdot y`, `\\ln x \\ln y`: the argument ends
            if command in ("left", "right"):
                return None
            text = f"({self._command()})"
        elif ch.isdecimal() or ch == ".":
            while self.pos < self.end and (self.source[self.pos].isdecimal()
                                           or self.source[self.pos] == "."):
                self.pos += 1
            text = self.source[start:self.pos]
        elif ch.isalpha():
            while self.pos < self.end and self.source[self.pos].isalnum():
                self.pos += 1
            text = self.source[start:self.pos]
            while self._peek() == "_":
                text += self._subscript(text)
            text = text.rstrip()
        else:
            return None
        self._skip_spaces()
        if self._peek() == "^":
            self.pos += 1
            text += "^" + self._power()
            self._refuse_double_superscript()
        return text

    def _power(self) -> str:
        """The power of a factor in an unparenthesised argument: `{...}`, a command, or a
        signed number or name (`e^-2`, `x^2`)."""
        self._skip_spaces()
        if self._peek() in ("{", "\\"):
            return self._argument("^")
        start = self.pos
        if self._peek() and self._peek() in "+-":
            self.pos += 1
        while self.pos < self.end and (_is_name_char(self.source[self.pos])
                                       or self.source[self.pos] == "."):
            self.pos += 1
        if self.pos == start or self.source[self.pos - 1] in "+-":
            raise self._error("`^` needs a power", expected="expected `^{...}` or `^2`")
        return f"({self.source[start:self.pos]})"

    def _refuse_double_superscript(self) -> None:
        """`x^{2}^{3}` is an error in LaTeX (and 2^3 or 2·3 to a reader): say so."""
        at = self.pos
        self._skip_spaces()
        if self._peek() == "^":
            raise self._error("double superscript",
                              expected="expected braces saying which power is meant: "
                                       "`x^{2^{3}}` or `{x^{2}}^{3}`")
        self.pos = at

    def _refuse_mixed_number(self, before: str) -> None:
        """`2\\frac{1}{2}` is 2½ at school and 2·½ to LaTeX: ambiguous, so refused."""
        text = before.rstrip()
        digits = len(text) - len(text.rstrip("0123456789."))
        if digits == 0:
            return
        ahead = text[:len(text) - digits][-1:]
        if ahead and (_is_name_char(ahead) or ahead == "^"):
            return  # `x2\\frac..`, `x^2\\frac..`: the digits are a name's or a power's
        raise self._error(
            f"`{clip(text[len(text) - digits:], _SHOWN_WIDTH)}` followed by a fraction is "
            "ambiguous",
            expected="expected `2 + \\frac{1}{2}` for two and a half, or "
                     "`2 \\cdot \\frac{1}{2}` for a product",
        )

    def _upright(self, name: str) -> str:
        self._skip_spaces()
        close = self.source.find("}", self.pos, self.end)
        content = self.source[self.pos + 1:close].strip() if self._peek() == "{" else ""
        if close < 0 or not content.isalnum():
            raise self._error(
                f"`\\{name}` holds a name",
                expected=f"expected letters and digits in braces: `\\{name}{{relu}}`",
            )
        self.pos = close + 1
        return content

    def _delimiter(self, name: str, col: int) -> str:
        self._skip_spaces()
        table = _OPENERS if name == "left" else _CLOSERS
        for written, text in table.items():
            if self.source.startswith(written, self.pos) and self.pos < self.end:
                self.pos += len(written)
                return text
        raise ExprError(
            f"`\\{name}` at column {col} is not followed by a delimiter",
            expected="expected one of ( ) [ ] | . after `\\left` or `\\right`",
        )

    # --- small reads ------------------------------------------------------------------------

    def _command_at(self) -> str:
        """The name of the command at the current position (a backslash), without reading it."""
        at = self.pos
        name = self._command_name()
        self.pos = at
        return name

    def _peek(self) -> str:
        return self.source[self.pos] if self.pos < self.end else ""

    def _skip_spaces(self) -> None:
        while self.pos < self.end and self.source[self.pos].isspace():
            self.pos += 1

    def _error(self, what: str, expected: str | None = None) -> ExprError:
        where = f"at column {self.pos + 1}" if self.pos < self.end else "at the end"
        return ExprError(f"{what} {where}", expected=expected)
