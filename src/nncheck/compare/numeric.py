"""The truth of a number, a vector or a formula, known at one or more points.

A claim is read into expressions, evaluated at every point, and compared within a tolerance;
a claim that misses is named after the known mistakes (and instructor hints) it matches.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Collection, Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import Any

import numpy as np

from nncheck import expr, latex, predicate
from nncheck.compare import figures, notation
from nncheck.compare.error import how_far_off
from nncheck.compare.numbers import format_number, format_value, to_json_number
from nncheck.compare.tolerance import EXACT, Tolerance, written_precision
from nncheck.compare.verdict import Status, Verdict, correct, invalid
from nncheck.errors import AnswerError, ExprError, ProblemError
from nncheck.predicate import holds
from nncheck.words import clip, inert
from nncheck.written import WrittenFloat

SHOWN_NAMES = 10  # values shown to locate a point: enough to check a chain-rule product
DEFAULT_TOLERANCE = Tolerance()
_LATEX_SHOWN = 60  # characters of what a LaTeX answer was read as, quoted when it is wrong


def read_exprs(claimed: Any, aliases: Mapping[str, str] | None = None, *,
               length: int | None = None, names: Collection[str] = (),
               shape: bool = False) -> list[expr.Expr]:
    """Parse a claimed scalar or vector into expressions (raises AnswerError/ExprError): one
    number expected where `length` is None, else a vector of `length`; with `shape`, a shape
    (notation.py)."""
    return read_claim(claimed, aliases, length=length, names=names, shape=shape)[0]


def read_claim(claimed: Any, aliases: Mapping[str, str] | None = None, *,
               length: int | None = None, names: Collection[str] = (),
               shape: bool = False) -> tuple[list[expr.Expr], notation.Reading]:
    """`read_exprs`, with how the claim was read (a note, a batch axis written)."""
    if isinstance(claimed, bool) or claimed is None or isinstance(claimed, dict):
        raise AnswerError(f"expected a number or an expression, found {_show(claimed)}")
    reading = notation.read(claimed, length=length, names=names, shape=shape)
    out = []
    for k, item in enumerate(reading.items):
        if isinstance(item, list):
            raise AnswerError("expected a flat list of numbers, found a nested list")
        if isinstance(item, bool) or item is None or isinstance(item, dict):
            raise AnswerError(f"expected a number or an expression, found {_show(item)}")
        source = reading.sources[k] if k < len(reading.sources) else None
        if source is not None and isinstance(item, str):
            with latex.read_as(item, source):
                out.append(expr.parse(item, aliases=aliases))
        else:
            out.append(expr.parse(item, aliases=aliases))
    return out, reading


def _show(value: Any) -> str:
    return clip(repr(value), 40)


@dataclass(frozen=True)
class Known:
    """A named wrong answer (a known mistake or an instructor's hint) at the truth's points."""

    name: str
    values: np.ndarray  # same shape as NumericTruth.values
    credit: float = 0.0
    when: expr.Expr | None = None  # a hint's predicate over claim and truth (then no values)


@dataclass(frozen=True)
class NumericTruth:
    """The truth of a number, vector or formula answer, at one or more points.

    `values` holds the truth at k points, shape (k,) for a scalar answer or (k, m) for a
    vector of m. `env` binds, at the same k points, every name a student's expression may
    use (symbols of the model, weights and activations of a network, ...). A claim is correct
    when it evaluates within tolerance to the truth at every point, so a formula right only by
    coincidence (or a plain number where the truth varies) fails at some point.
    """

    expected: Any
    values: np.ndarray
    env: Mapping[str, np.ndarray] = field(default_factory=dict)
    vector: bool = False
    tolerance: Tolerance = Tolerance()
    exact: bool = False
    known: tuple[Known, ...] = ()
    aliases: Mapping[str, str] = field(default_factory=dict)
    point_names: tuple[str, ...] = ()  # names that describe a point when a claim uses none
    key_value: Any = None
    labels: Sequence[str] | None = None  # optional labels of the vector's elements
    remark: Callable[[Any], str | None] | None = None  # a word on the claim, right or wrong
    given_first: bool = False  # point 0 is the given values, the rest seeded re-draws
    # Per element (one for a scalar): the symbols its answer may not name -> why (the value
    # asked there, and what is computed from it). Empty: every symbol of `env` may be named.
    barred: tuple[Mapping[str, str], ...] = ()
    # A key built only when asked for (`solve --sheet`): grading never needs it.
    key_factory: Callable[[], Any] | None = field(default=None, compare=False, repr=False)
    # The truth as exact integers at each point (one tuple of components per point): counts
    # and shapes of any size are compared exactly, not as float64.
    integers: tuple[tuple[int, ...], ...] | None = None
    # A last check of a claim that holds at every point: a message when it is wrong all the
    # same (a formula of another degree, a claim that fails at further points), else None.
    confirm: Callable[[Any], str | None] | None = field(default=None, compare=False,
                                                        repr=False)
    # The values of the other numeric parts of the problem, by part id, looked up only when a
    # claim misses: an answer to a neighbouring part is a named slip (compare/slips.py).
    siblings: Callable[[], Mapping[str, np.ndarray]] | None = field(default=None, compare=False,
                                                                 repr=False)
    # Orders the named mistakes a claim matched, most specific first (solvers/perturbed.py).
    rank: Callable[[Any, Sequence[str]], tuple[str, ...]] | None = field(
        default=None, compare=False, repr=False)
    accepted: tuple[Known, ...] = ()  # `accept:` other answers that earn their credit
    # A shape that a claim may write with Keras' batch axis (`None`) first: whether the part
    # expects it (True), or names writing it a mistake (False). None: not a shape.
    batch_axis: bool | None = None

    @property
    def points(self) -> int:
        """How many points the truth is known at."""
        return int(self.values.shape[0])

    def key(self) -> Any:
        """The expected value itself (or a formula that holds at every point)."""
        if self.key_value is not None:
            return self.key_value
        if self.key_factory is not None:
            made = self.key_factory()
            if made is not None:
                return made
        return self.expected

    def read(self, claimed: Any, *, aliased: bool = True
             ) -> tuple[list[expr.Expr], notation.Reading]:
        """A claim read as this truth expects it: one number, or a vector of its length (with
        `aliased` false, its names as written)."""
        return read_claim(claimed, self.aliases if aliased else bound_names(self.aliases),
                          length=self.values.shape[1] if self.vector else None,
                          names=self.env.keys() | self.aliases.keys(),
                          shape=self.batch_axis is not None)

    def _as_read(self, claimed: Any, reading: notation.Reading) -> Any:
        """The claim as it was read (`29x29x32` as `["29", "29", "32"]`), which every later
        check reads alike; the claim itself when it was read as written."""
        items = list(reading.items)
        if isinstance(claimed, list):
            return claimed if items == claimed else items
        if len(items) == 1 and items[0] == claimed:
            return claimed
        return items if self.vector else items[0]

    def _plain_vector(self, claimed: Any) -> np.ndarray | None:
        """A vector answer written as plain YAML numbers (no text, no digits kept as written),
        as the expression reader would evaluate it, without reading each number as an
        expression: a vector of 1,000 numbers costs one array. None where the claim needs the
        reader: text, written digits, exact integers, rounding as written, a batch axis, NaN."""
        if not (self.vector and isinstance(claimed, list) and self.integers is None
                and not self.tolerance.rounded and self.batch_axis is not True
                and len(claimed) == self.values.shape[1]
                and all(type(x) is float or type(x) is int for x in claimed)):
            return None
        try:
            row = np.array(claimed, dtype=float)
        except OverflowError:  # an integer past float64: the reader says so
            return None
        if np.isnan(row).any():
            return None
        return np.repeat(row[np.newaxis, :], self.points, axis=0)

    def evaluate_claim(self, claimed: Any) -> np.ndarray:
        """Evaluate a claim at every point: shape like `values` (raises AnswerError/ExprError)."""
        exprs = self.read(claimed)[0]
        want = self.values.shape[1] if self.vector else 1
        if self.vector and len(exprs) != want:
            raise _LengthMismatch(f"expected {want} value{'s' * (want != 1)}, found {len(exprs)}")
        if not self.vector and len(exprs) != 1:
            raise _LengthMismatch(f"expected one value, found a list of {len(exprs)}")
        if self.barred and any(e.names & barred.keys() for e, barred in zip(exprs, self.barred)):
            raise AnswerError(self._barred_name(claimed))
        k = self.points
        cols = []
        for e in exprs:
            with np.errstate(all="ignore"):
                v = e.evaluate(self.env)
            cols.append(np.broadcast_to(np.asarray(v, dtype=float), (k,)))
        got = np.stack(cols, axis=1) if self.vector else cols[0]
        return got

    def _bound_note(self, claimed: Any) -> str | None:
        """A word on a wrong claim that names a constant the problem binds (`e`, an input)."""
        used = set().union(*(e.names for e in self.read(claimed)[0]))
        bound = sorted(n for n in used & expr.BINDABLE if self.aliases.get(n) == n)
        if not bound:
            return None
        constant = {"e": "exp(1)", "pi": "π", "inf": "∞"}
        return "; ".join(f"`{n}` here names the problem's input or unit `{n}`; the constant "
                         f"is `{constant[n]}`" for n in bound)

    def _barred_name(self, claimed: Any) -> str:
        """Why the first barred name a claim uses, as written (aliases kept), may not be used."""
        for k, (e, barred) in enumerate(zip(self.read(claimed, aliased=False)[0], self.barred)):
            used = [n for n in e.names if self.aliases.get(n, n) in barred]
            if used:
                first = min(used, key=lambda n: _position(n, e.source))
                symbol = self.aliases.get(first, first)
                written = f"`{first}`" if first == symbol else f"`{first}` (`{symbol}`)"
                where = f"value {k + 1}: " if self.vector else ""
                return f"{where}{written} {barred[symbol]}, so an answer may not use it"
        return "the answer names the value being asked"  # not reached: a name was found

    def _close(self, got: np.ndarray, want: np.ndarray) -> np.ndarray:
        tol = EXACT if self.exact else self.tolerance
        close = tol.close(want, got)
        # One verdict per point: a vector is close only when all its elements are.
        return np.asarray(close.reshape(close.shape[0], -1).all(axis=1) if close.ndim > 1
                          else close)

    def grade(self, claimed: Any) -> Verdict:
        """Grade a number, expression or vector against the truth at every point."""
        plain = self._plain_vector(claimed)
        read_from = None  # what a LaTeX claim was read as, said where it is wrong
        if plain is not None:  # numbers as YAML wrote them: nothing to read or parse
            verdict = self._verdict(plain, claimed)
        else:
            try:
                reading = self.read(claimed)[1]
                if reading.latex is not None:
                    read_from = f"read from LaTeX as `{inert(clip(reading.latex, _LATEX_SHOWN))}`"
                got = self.evaluate_claim(claimed)
            except _LengthMismatch as exc:
                message = "; ".join(filter(None, [str(exc), read_from]))
                return _read_as(Verdict(Status.WRONG, 0.0, message), reading, self.batch_axis)
            except (AnswerError, ExprError) as exc:
                return invalid(str(exc))
            verdict = self._verdict(got, self._as_read(claimed, reading))
            verdict = _read_as(verdict, reading, self.batch_axis)
        note = self.remark(claimed) if self.remark is not None else None
        if verdict.status is Status.WRONG:
            note = "; ".join(filter(None, [note, self._bound_note(claimed), read_from])) or None
        if note:
            message = f"{verdict.message}; {note}" if verdict.message else note
            verdict = replace(verdict, message=message)
        return verdict

    def _verdict(self, got: np.ndarray, claimed: Any) -> Verdict:
        shown: list[list[Any]] | None = None
        if self.integers is not None:
            from nncheck.engine import exact

            try:
                flags, shown = exact.agree(self.read(claimed)[0], self.integers,
                                           self.env, got)
            except AnswerError as exc:  # no exact value, beyond float64's integers
                return invalid(str(exc))
            ok = np.array(flags, dtype=bool)
        else:
            ok = self._matches(got, claimed, self.values)
        if ok.all():
            why = self.confirm(claimed) if self.confirm is not None else None
            return correct() if why is None else Verdict(Status.WRONG, 0.0, why)
        for alt in self.accepted:  # compared as the truth is: rounded mode reads the figures
            if self._matches(got, claimed, alt.values).all():
                if alt.credit >= 1:
                    return correct(alt.name or None)
                message, error = self._describe_miss(ok, got, claimed, got)
                return Verdict(Status.WRONG, alt.credit, message,
                               (alt.name,) if alt.name else (), error=error)
        names = []
        credit = 0.0
        for known in self.known:
            # A hint that earns credit is matched as the truth is; a named mistake, loosely.
            near = self._matches if known.credit > 0 else _loosely(self._close)
            if (holds(known.when, got, self.values, EXACT if self.exact else self.tolerance)
                    if known.when is not None else near(got, claimed, known.values).all()
                    and not self._close(known.values, self.values).all()):
                names.append(known.name)
                credit = max(credit, known.credit)
        if self.rank is not None and len(names) > 1:
            names = list(self.rank(claimed, names))
        from nncheck.compare import slips  # named after the catalogue, never credited

        slipped = tuple(slips.matched(self, got, claimed, names))
        names += slipped
        floats = got
        if shown is not None:  # exact values, every digit, in the message
            got = np.array([[_exact_number(v) for v in row] for row in shown], dtype=object)
            got = got if self.vector else got[:, 0]
        rounded = self.tolerance.rounded and not self.exact
        if rounded:  # the digits as written: `0.040` is not `0.04` here
            got = _as_written(got, claimed, self.vector)
        message, error = self._describe_miss(ok, got, claimed, floats)
        if rounded:
            message += self._rounding_note(claimed, floats)
        return Verdict(Status.WRONG, credit, message, tuple(names), error=error, slips=slipped)

    def _rounding_note(self, claimed: Any, got: np.ndarray) -> str:
        """Rounded mode, on a miss: `; written with 1 significant figure` (fewer than asked),
        or, at one point, the truth at the precision written: `; at 3 decimals the truth is
        0.035`."""
        items = claimed if isinstance(claimed, list) else [claimed]
        for j, item in enumerate(items):
            made = figures.of_claim(item)
            if made is None:
                continue
            where = f"value {j + 1} is " if len(items) > 1 else ""
            short = self.tolerance.short_of(made)
            if short is not None:
                return f"; {where}written with {short}"
            truth = float(self.values[0, j] if self.vector else self.values[0])
            if self.points == 1 and made.ambiguous == 0 and made.place <= 0 \
                    and math.isfinite(truth) and -made.place <= 17:
                decimals = -made.place
                what = f"value {j + 1}" if len(items) > 1 else "the truth"
                value = float(got[0, j] if self.vector else got[0])
                ok = self.tolerance.close_written(np.array([truth]), np.array([value]), [made])
                if not ok.all():
                    return (f"; at {decimals} decimal{'s' * (decimals != 1)} {what} is "
                            f"{truth:.{decimals}f}")
        return ""

    def _matches(self, got: np.ndarray, claimed: Any, want: np.ndarray) -> np.ndarray:
        """Per point: is the claim `want` as the truth is compared (in rounded mode, each
        element against `want` rounded as the element was written)?"""
        if self.tolerance.rounded and not self.exact and self.integers is None:
            return self._close_as_written(got, claimed, want)
        return self._close(got, want)

    def _close_as_written(self, got: np.ndarray, claimed: Any, want: np.ndarray) -> np.ndarray:
        """Rounded mode: each element of the claim against `want` rounded as it was written
        (an expression: as the decimal of its value, compare/figures.py)."""
        items = claimed if isinstance(claimed, list) else [claimed]
        written = [figures.of_claim(item) for item in items]
        close = self.tolerance.close_written(want, got, written)
        return np.asarray(close.reshape(close.shape[0], -1).all(axis=1) if close.ndim > 1
                          else close)

    def _describe_miss(self, ok: np.ndarray, got: np.ndarray, claimed: Any,
                       floats: np.ndarray) -> tuple[str, dict[str, float | None] | None]:
        """Where a claim misses: a re-draw where it differs (and the given values if they too),
        and how far off it is there."""
        bad = [int(i) for i in np.flatnonzero(~ok)]
        if self.points == 1:
            return self._miss(0, got, floats)
        # FORMAT §4.6: a formula is shown at a re-draw where it differs, not only at the given
        # values, so the student sees the formula (not just the number) is wrong.
        i = next((j for j in bad if j > 0), bad[0]) if self.given_first else bad[0]
        written = self._written_names(claimed)
        text, error = self._miss(i, got, floats)
        message = f"{self._label(i, written)}: {text}"
        if self.given_first and i > 0 and bad[0] == 0:
            # The figure is the shown point's; here the values alone say where else it misses.
            message += f" (at the given values too: {self._shown(0, got)})"
        if self.given_first and not written:
            message += " — a number holds at one point only: this part asks for a formula"
        return message, error

    def _miss(self, i: int, got: np.ndarray,
              floats: np.ndarray) -> tuple[str, dict[str, float | None] | None]:
        text = self._shown(i, got)
        off = how_far_off(self.values[i], floats[i], EXACT if self.exact else self.tolerance)
        if off is None:
            return text, None
        where = ""
        if self.vector and np.size(self.values[i]) > 1:
            j = off.index
            where = f" at {self.labels[j]}" if self.labels else f" at value {j + 1}"
        return f"{text}: {off.said(exact=self.exact, where=where)}", off.json()

    def _shown(self, i: int, got: np.ndarray) -> str:
        """`expected 0.00133679, got 0.0013` at point i (and where a labelled vector differs)."""
        # Exact asks (counts, shapes) show every digit: 138357544.5 is not 1.38358e+08.
        digits = 17 if self.exact else 6
        truth: Any = self.values[i]
        if self.integers is not None:
            truth = list(self.integers[i]) if self.vector else self.integers[i][0]
        want, have = format_value(truth, digits), format_value(got[i], digits)
        text = f"expected {want}, got {have}"
        if self.vector and self.labels:
            wrong = np.flatnonzero(~self.tolerance.close(self.values[i], got[i]))
            if 0 < len(wrong) < len(self.labels):
                text += " (differs at " + ", ".join(str(self.labels[int(j)]) for j in wrong) + ")"
        return text

    def _label(self, i: int, names: list[tuple[str, str]]) -> str:
        names = names or [(n, n) for n in self.point_names if n in self.env]
        shown = ", ".join(
            f"{written} = {format_number(float(np.asarray(self.env[symbol])[i]), 4)}"
            for written, symbol in names[:SHOWN_NAMES]
        ) + (", ..." if len(names) > SHOWN_NAMES else "")
        if not self.given_first:
            return f"at {shown}" if shown else f"at point {i + 1}"
        where = "the given values" if i == 0 else f"draw {i} of {self.points - 1}"
        return f"at {where} ({shown})" if shown else f"at {where}"

    def _written_names(self, claimed: Any) -> list[tuple[str, str]]:
        """The names a claim uses as written (aliases kept), in order of first use."""
        return written_names(claimed, self.aliases, self.env)

    def with_hints(self, hints: Sequence[Any], accept: Sequence[Any] = ()) -> NumericTruth:
        """Add instructor hints (objects with `answer` or `when`, `say`, `credit`) as known
        answers, and `accept` entries (`answer`, `credit`, `say`) as answers that earn credit."""
        extra = []
        for hint in hints:
            if hint.when is not None:
                extra.append(Known(hint.say, self.values, float(hint.credit or 0.0),
                                   predicate.parse(hint.when)))
                continue
            try:
                values = self.evaluate_claim(hint.answer)
            except (_LengthMismatch, AnswerError, ExprError) as exc:
                raise ProblemError(f"hint `{hint.say}`: its answer {hint.answer!r}: {exc}") \
                    from None
            if hint.credit and self._constant_for_formula(values):
                # With credit, a hint is an accepted answer: the same bar as `accept`.
                raise ProblemError(f"hint `{hint.say}`: its answer {hint.answer!r} is a "
                                   "constant, where the part's answer is a formula — a hint "
                                   "with credit here is a formula, checked at every point "
                                   "like the truth (or give it no credit)")
            extra.append(Known(hint.say, values, float(hint.credit or 0.0)))
        alternatives = tuple(self._alternative(entry) for entry in accept)
        if not extra and not alternatives:
            return self
        return replace(self, known=self.known + tuple(extra),
                       accepted=self.accepted + alternatives)


    def _alternative(self, entry: Any) -> Known:
        """An `accept` entry at the truth's points. Where the truth varies from point to point
        (a formula), so must the entry: a constant would let a guessed number pass."""
        try:
            values = self.evaluate_claim(entry.answer)
        except (_LengthMismatch, AnswerError, ExprError) as exc:
            raise ProblemError(f"`accept` answer {entry.answer!r}: {exc}") from None
        if self._constant_for_formula(values):
            raise ProblemError(f"`accept` answer {entry.answer!r} is a constant, where the "
                               "part's answer is a formula — an accepted answer here is a "
                               "formula, checked at every point like the truth")
        return Known(entry.say or "", values, float(entry.credit))

    def _constant_for_formula(self, values: np.ndarray) -> bool:
        """Whether `values` are one constant where the truth varies from point to point."""
        rows = values.reshape(self.points, -1)
        truths = self.values.reshape(self.points, -1)
        return bool(self.points > 1 and (rows == rows[0]).all()
                    and not (truths == truths[0]).all())

    def with_siblings(self, values: Callable[[], Mapping[str, np.ndarray]]) -> NumericTruth:
        """The truth, told where to find the values of the problem's other parts."""
        return replace(self, siblings=values)


def written_names(claimed: Any, aliases: Mapping[str, str],
                  env: Mapping[str, Any]) -> list[tuple[str, str]]:
    """The names of `env` a claim uses, as written (aliases kept) and as symbols, in order of
    first use: what locates a point in a message."""
    if claimed is None:
        return []
    try:
        exprs = read_exprs(claimed, bound_names(aliases), names=env.keys() | aliases.keys())
    except (AnswerError, ExprError):
        return []
    found: dict[str, tuple[int, int]] = {}
    for k, e in enumerate(exprs):
        for name in e.names:
            symbol = aliases.get(name, name)
            if symbol in env and name not in found:
                found[name] = (k, _position(name, e.source))
    return [(n, aliases.get(n, n)) for n in sorted(found, key=found.__getitem__)]


def bound_names(aliases: Mapping[str, str]) -> dict[str, str]:
    """The aliases that only say a name is the problem's own (`{e: e}`, an input `e`): a claim
    read with these keeps its names as written, yet reads `e` as that input."""
    return {name: symbol for name, symbol in aliases.items() if name == symbol}


def _position(name: str, source: str) -> int:
    at = re.search(rf"(?<!\w){re.escape(name)}(?!\w)", source)
    return at.start() if at else len(source)


class _LengthMismatch(Exception):
    pass


def _as_written(got: np.ndarray, claimed: Any, vector: bool) -> np.ndarray:
    """The values to show, with each plain decimal of the claim as it was written."""
    items = claimed if isinstance(claimed, list) else [claimed]
    texts = [_written_text(item) for item in items]
    if all(t is None for t in texts):
        return got
    shown = np.array(got, dtype=object)
    for j, text in enumerate(texts):
        if text is not None:
            if vector and shown.ndim > 1 and j < shown.shape[1]:
                shown[:, j] = text
            elif not vector:
                shown[:] = text
    return shown


def _written_text(item: Any) -> str | None:
    """A claimed plain decimal as written (`-0.20`), short enough to show whole; else None."""
    if written_precision(item) is None:
        return None
    text = item.text if isinstance(item, WrittenFloat) else (
        repr(item) if isinstance(item, float) else str(item))
    text = text.strip().lstrip("+")
    return text if len(text) <= 24 else None


def _loosely(close: Callable[[np.ndarray, np.ndarray], np.ndarray]
             ) -> Callable[[np.ndarray, Any, np.ndarray], np.ndarray]:
    """`close(got, want)`, taking (and ignoring) the claim as written."""
    return lambda got, _claimed, want: close(got, want)


def _noted(message: str | None, note: str | None) -> str | None:
    if not note:
        return message
    return f"{message} ({note})" if message else note


def _read_as(verdict: Verdict, reading: notation.Reading, batch_axis: bool | None) -> Verdict:
    """A verdict with how the claim was read, and a batch axis written or left out wrongly
    named as a mistake (the values may be right all the same: the shape is not)."""
    mistakes = verdict.mistakes
    status, fraction, message = verdict.status, verdict.fraction, verdict.message
    if batch_axis is not None and reading.batch != batch_axis:
        slip = notation.BATCH_ADDED if reading.batch else notation.BATCH_MISSING
        if status is Status.CORRECT:  # the mistake names what is wrong: no need to say it twice
            status, fraction, message = Status.WRONG, 0.0, "the sizes are right"
        mistakes = (slip, *mistakes)
    if reading.note:
        message = _noted(message, reading.note)
    if (status, fraction, message, mistakes) == (verdict.status, verdict.fraction,
                                                 verdict.message, verdict.mistakes):
        return verdict
    return replace(verdict, status=status, fraction=fraction, message=message,
                   mistakes=mistakes)


def _exact_number(value: Any) -> Any:
    """An exact claimed value for a message: an int when whole, else its nearest float."""
    if value is None:
        return math.nan
    if value.denominator == 1:
        return int(value)
    return float(value)


def scalar_truth(
    value: float,
    *,
    exact: bool = False,
    tolerance: Tolerance = DEFAULT_TOLERANCE,
    known: Sequence[tuple[str, float]] = (),
) -> NumericTruth:
    """The truth of a single number at a single point, with named wrong answers."""
    return NumericTruth(
        expected=to_json_number(value),
        values=np.array([float(value)]),
        exact=exact,
        tolerance=tolerance,
        known=tuple(Known(name, np.array([float(v)])) for name, v in known),
    )
