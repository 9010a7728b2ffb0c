"""Per-student variants: drawing a problem's `vary:` values, and which variant a sheet answers.

Every HMAC below is keyed by the course secret (`NNCHECK_SECRET` or `.nncheck-secret`,
solvers/seeding.py), so nothing depends on the order or size of a class:

- A student's exam variant is 1 + (HMAC(secret, "variant", student id) mod EXAM_VARIANTS).
  Problem P with `variants: N` then uses its variant 1 + ((V - 1) mod N).
- The values of variant n of problem P are drawn from a generator seeded by
  HMAC(secret, "vary", P's id, n): the same on every machine, in every run.
- A sheet's check code is CODE_CHARS characters (base 32) of HMAC(secret, "check", student id,
  V). `nncheck variants` writes it on each student's blank sheet.

Which variant a sheet is graded against (`sheet_variant`): the student's own. A sheet may write
`variant:`; one that differs from the student's own is accepted only with a valid check code
for that student and variant, which only the staff (who hold the secret) can issue. A check code
that does not match the student and variant (a sheet copied from another student) is refused.
Without a course secret every code can be computed from the student id, so a written variant
other than the student's own is never accepted.
"""

from __future__ import annotations

import base64
import copy
import hmac
import math
import random
import re
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from nncheck import expr
from nncheck.errors import ExprError, InputError, NncheckError
from nncheck.solvers.seeding import keyed
from nncheck.spec.common import KEY
from nncheck.spec.vary import Draw, Vary, path_problem, split_path, step_decimals

if TYPE_CHECKING:
    from nncheck.io.problems import LoadedProblem

EXAM_VARIANTS = 10_000  # exam variants a student id is spread over
CODE_CHARS = 6


# --- which variant --------------------------------------------------------------------------

def exam_variant(secret: bytes, student_id: str) -> int:
    """A student's exam variant, 1..EXAM_VARIANTS: stable, and independent of the class."""
    mac = keyed(secret, "variant", student_id)
    return 1 + int.from_bytes(mac[:8], "big") % EXAM_VARIANTS


def problem_variant(vary: Vary, variant: int) -> int:
    """The variant of one problem, 1..`variants`, that an exam variant uses."""
    return 1 + (variant - 1) % vary.variants


def check_code(secret: bytes, student_id: str, variant: int) -> str:
    """The check code of a student's sheet for an exam variant."""
    mac = keyed(secret, "check", student_id, str(variant))
    return base64.b32encode(mac[:5]).decode()[:CODE_CHARS]


def sheet_variant(secret: bytes, student_id: str, written: int | None,
                  code: str | None) -> int:
    """The exam variant a sheet is graded against, or an NncheckError saying why the sheet
    cannot be graded against the variant it claims (see the module's docstring)."""
    own = exam_variant(secret, student_id)
    variant = own if written is None else written
    if code is not None:
        good = check_code(secret, student_id, variant)
        if not hmac.compare_digest(code.strip().upper().encode(), good.encode()):
            raise NncheckError(
                f"the check code does not match the student and variant {variant}: this sheet "
                "was handed out to another student, its code was mistyped, or the course "
                "secret changed since it was issued",
                expected=f"the code of the blank sheet handed to the student (variant {own})",
                hint="give the student their own sheet (`nncheck variants`)")
        if variant != own and not secret:
            raise NncheckError(
                f"the sheet answers variant {variant}, not the student's own ({own}), and "
                "without a course secret a check code proves nothing",
                expected=f"variant {own}, or a course secret (NNCHECK_SECRET)")
    elif variant != own:
        raise NncheckError(
            f"the sheet answers variant {variant}, not the student's own ({own})",
            expected=f"variant {own}, or the check code the staff issued with variant {variant}",
            hint="the numbers of the student's own variant: `nncheck solve --variant` or "
            "`nncheck variants`")
    return variant


# --- drawing --------------------------------------------------------------------------------

class Located(NncheckError):
    """A `vary:` that fails when drawn; `loc` is where in the problem file it is written."""

    def __init__(self, message: str, loc: tuple[str | int, ...], **kw: str) -> None:
        super().__init__(message, **kw)
        self.loc = loc


class Unmet(Located):
    """A `where:` constraint no draw met; `loc` is where in the problem file it is written."""


def draw(secret: bytes, problem_id: str, vary: Vary, variant: int) -> dict[str, Any]:
    """The values of one variant (1..`variants`) of a problem, by drawn name; a ProblemError
    naming the `where:` constraint when `vary.tries` draws do not meet it."""
    mac = keyed(secret, "vary", problem_id, str(variant))
    rng = random.Random(int.from_bytes(mac, "big"))
    unmet: dict[str, int] = {}
    for _ in range(vary.tries):
        values = _all(rng, vary)
        failed = _unmet(vary, values)
        if failed is None:
            return values
        unmet[failed] = unmet.get(failed, 0) + 1
    worst = max(unmet, key=lambda k: unmet[k])
    raise Unmet(
        f"`vary`: variant {variant}: `where: {worst}` is not met in {vary.tries} draws",
        ("vary", "where", vary.where.index(worst)),
        expected="a constraint the ranges can meet (widen a range, or loosen the constraint)")


def _all(rng: random.Random, vary: Vary) -> dict[str, Any]:
    values: dict[str, Any] = {}
    for name, d in vary.draw.items():
        values[name] = _one(rng, name, d, values)
    return values


def _one(rng: random.Random, name: str, d: Draw, values: Mapping[str, Any]) -> Any:
    kind = d.kind
    if kind == "range":
        lo, hi = d.range or (0.0, 0.0)
        count = math.floor((hi - lo) / d.spacing + 1e-9)
        return _rounded(lo + rng.randint(0, count) * d.spacing, _decimals(d))
    if kind == "integers":
        lo_i, hi_i = d.integers or (0, 0)
        return rng.randint(lo_i, hi_i)
    if kind == "choices":
        return copy.deepcopy(rng.choice(d.choices or [None]))
    if kind == "blocks":
        return rng.randint(1, len(d.blocks or []))
    numbers = {k: v for k, v in values.items() if isinstance(v, (int, float))}
    try:
        result = expr.evaluate(d.value if d.value is not None else 0, numbers)
    except ExprError as exc:
        raise NncheckError(f"`vary`: `{name}`: {exc.message}", expected=exc.expected,
                           hint=exc.hint) from None
    return _rounded(float(result), d.decimals if d.decimals is not None else 12)


def _decimals(d: Draw) -> int:
    if d.decimals is not None:
        return d.decimals
    return step_decimals(d.step or 1.0)  # at most MAX_DECIMALS: checked when the file is read


def _rounded(value: float, decimals: int) -> int | float:
    value = round(value, decimals)
    if decimals == 0 and value.is_integer():
        return int(value)
    return value + 0.0  # no -0.0


def _unmet(vary: Vary, values: Mapping[str, Any]) -> str | None:
    """The first `where:` constraint the values do not meet (one that cannot be evaluated,
    a division by zero say, is not met)."""
    numbers = {k: v for k, v in values.items() if isinstance(v, (int, float))}
    for text in vary.where:
        try:
            if not expr.evaluate(text, numbers):
                return text
        except ExprError:
            return text
    return None


# --- a problem with its values --------------------------------------------------------------

_PLACEHOLDER = re.compile(r"\{([A-Za-z_][A-Za-z0-9_]*)\}")


def shown(value: Any) -> str:
    """A drawn value as the problem's text shows it: a number in its shortest decimal (0.3,
    not 0.30), a list as its items separated by `, `."""
    if isinstance(value, bool):
        return str(value).lower()
    if isinstance(value, float):
        text = f"{value:.12f}".rstrip("0").rstrip(".")
        return "0" if text in ("-0", "") else text
    if isinstance(value, (list, tuple)):
        return ", ".join(shown(v) for v in value)
    return str(value)


def fill(text: str, values: Mapping[str, Any]) -> str:
    """`{name}` in a text replaced by the drawn value; any other brace is left as written."""
    return _PLACEHOLDER.sub(lambda m: shown(values[m[1]]) if m[1] in values else m[0], text)


def substituted(data: Mapping[str, Any], vary: Vary, values: Mapping[str, Any]
                ) -> dict[str, Any]:
    """A problem's raw data with the drawn values in `given` and in its texts, without `vary:`."""
    out = copy.deepcopy(dict(data))
    out.pop("vary", None)
    given = out.get("given")
    for name, d in vary.draw.items():
        if d.kind == "blocks":
            b = values[name] - 1
            for path, value in (d.blocks or [])[b].items():
                _put(given, str(path), copy.deepcopy(value),
                     ("vary", "draw", name, "blocks", b, path))
        else:
            _put(given, d.at or name, values[name],
                 ("vary", "draw", name, "at" if d.at else KEY))
    for key in ("title", "text"):
        if isinstance(out.get(key), str):
            out[key] = fill(out[key], values)
    for part in out.get("parts") or []:
        if isinstance(part, dict):
            for key in ("title", "text", "rubric"):
                if isinstance(part.get(key), str):
                    part[key] = fill(part[key], values)
    return out


def _put(given: Any, path: str, value: Any, loc: tuple[str | int, ...]) -> None:
    """Write a drawn value at its path; a path that an earlier draw has made name nothing (a
    block that wrote `pred: 5`, then `at: pred.1`) is a Located error, never a crash."""
    why = path_problem(given, path)
    if why is not None:
        raise Located(f"`vary`: `{path}` names no value once the draws before it are written: "
                      f"{why}", loc,
                      expected="draws whose paths still name a value of `given` when they are "
                      "written (a block or choice keeps the shape the paths after it need)")
    steps = split_path(path)
    node = given
    for step in steps[:-1]:
        node = node[step if not isinstance(node, dict) or step in node else str(step)]
    last = steps[-1]
    if isinstance(node, dict) and last not in node:
        last = str(last)
    node[last] = value


def variant_problem(loaded: LoadedProblem, secret: bytes, variant: int) -> LoadedProblem:
    """Variant `variant` (1..`variants`) of a problem with `vary:`, validated as its file is."""
    from dataclasses import replace

    from pydantic import ValidationError

    from nncheck.spec.errors import error_from_validation
    from nncheck.spec.problem import Problem

    problem = loaded.problem
    assert problem.vary is not None and loaded.doc is not None, "a varied problem from a file"
    where = loaded.doc.locate(("vary",))
    try:
        values = draw(secret, str(problem.id), problem.vary, variant)
        data = substituted(loaded.doc.data, problem.vary, values)
    except NncheckError as exc:
        message = exc.message
        if isinstance(exc, Located):
            where = loaded.doc.locate(exc.loc)
            if not isinstance(exc, Unmet):  # an Unmet names its variant already
                message = message.replace("`vary`: ", f"`vary`: variant {variant}: ", 1)
        raise InputError(message, path=loaded.path, line=where[0], col=where[1],
                         expected=exc.expected, hint=exc.hint) from None
    data["id"] = problem.id
    try:
        drawn = Problem.model_validate(data)
    except ValidationError as exc:
        error = error_from_validation(exc, loaded.doc, model=Problem)
        listed = ", ".join(f"{k} = {shown(v)}" for k, v in values.items())
        raise InputError(f"`vary`: variant {variant} ({listed}): {error.message}",
                         path=loaded.path, line=error.line, col=error.col,
                         expected=error.expected, hint=error.hint) from None
    return replace(loaded, problem=drawn, variant=variant)
