"""The errors nncheck raises for bad input; anything else escaping is a bug."""

from __future__ import annotations


class NncheckError(Exception):
    """Bad input from a file or the command line: reported in one line, exit code 2."""

    def __init__(self, message: str, *, expected: str | None = None, hint: str | None = None):
        super().__init__(message)
        self.message = message
        self.expected = expected
        self.hint = hint

    def __str__(self) -> str:
        text = self.message
        if self.expected:
            text += f" — {self.expected}"
        if self.hint:
            text += f" ({self.hint})"
        return text


class InputError(NncheckError):
    """A problem file or sheet is unreadable or invalid at a known place."""

    def __init__(
        self,
        message: str,
        *,
        path: str | None = None,
        line: int | None = None,
        col: int | None = None,
        expected: str | None = None,
        hint: str | None = None,
    ):
        super().__init__(message, expected=expected, hint=hint)
        self.path = path
        self.line = line
        self.col = col
        # Further errors found in the same file (validation reports them all, up to a bound),
        # and how many more were found beyond the bound.
        self.more: tuple[InputError, ...] = ()
        self.omitted = 0

    def lines(self) -> list[str]:
        """This error and every further one of the same file, one located line each."""
        lines = [self._located(), *(error._located() for error in self.more)]
        if self.omitted:
            where = f"{self.path}: " if self.path is not None else ""
            lines.append(f"{where}and {self.omitted} more error{'s' * (self.omitted != 1)}")
        return lines

    def __str__(self) -> str:
        text = self._located()
        others = len(self.more) + self.omitted
        if others:
            text += f" [and {others} more error{'s' * (others != 1)} in this file]"
        return text

    def _located(self) -> str:
        where = ""
        if self.path is not None:
            where = self.path
            if self.line is not None:
                where += f":{self.line}"
                if self.col is not None:
                    where += f":{self.col}"
            where += ": "
        return where + super().__str__()


class ExprError(NncheckError):
    """An expression cannot be read or evaluated (the part is `invalid`, or the file in error)."""


class AnswerError(NncheckError):
    """A student's value cannot be read as the part needs it (the part is `invalid`)."""


class ProblemError(NncheckError):
    """A problem is well-formed YAML but cannot be solved as written (a layer that cannot
    take its input, a prediction that is not a probability vector, ...)."""


class DesignError(AnswerError):
    """A design that reads but breaks a rule of its problem: a weight the template fixes
    changed, a weight outside the allowed ones (the part is `wrong`, not `invalid`)."""
