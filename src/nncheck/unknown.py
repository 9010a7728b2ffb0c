"""Answers and overrides to problems or parts a bank does not have: found, and worded."""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, NamedTuple

from nncheck.words import closest, inert

if TYPE_CHECKING:
    from nncheck.grading import Bank, Overrides
    from nncheck.io.problems import LoadedSheet

__all__ = ["UnknownId", "located_unknown_answers", "unknown_ids", "unknown_text"]


class UnknownId(NamedTuple):
    """An answer (or override) to a problem or part the bank does not have."""

    what: str  # "answer" or "override"
    problem: str
    part: str | None  # None: the whole problem is unknown
    suggestion: str | None  # the closest known id, if one is close


def unknown_ids(bank: Bank, answers: Mapping[str, Any], overrides: Overrides | None = None
                ) -> list[UnknownId]:
    """A sheet's answers and overrides to ids the bank does not have, with suggestions."""
    found = []
    for what, given in (("answer", answers), ("override", overrides or {})):
        for pid, parts in given.items():
            if pid not in bank.problems:
                found.append(UnknownId(what, str(pid), None, closest(pid, bank.problems)))
                continue
            known = [p.id for p in bank.problems[pid].problem.parts]
            found += (UnknownId(what, str(pid), str(part_id), closest(part_id, known))
                      for part_id in parts or {} if part_id not in known)
    return found


def unknown_text(u: UnknownId) -> str:
    """The warning for an unknown id, with its suggestion."""
    hint = f" (did you mean `{inert(u.suggestion)}`?)" if u.suggestion else ""
    if u.part is None:
        return f"{u.what}s to unknown problem `{u.problem}`{hint}"
    return f"`{u.problem}`: {u.what} to unknown part `{u.part}`{hint}"


def located_unknown_answers(bank: Bank, sheet: LoadedSheet) -> list[str]:
    """The answers of a sheet to problems or parts the bank does not have, each a warning at
    the line and column of its id (`validate --problems`)."""
    warnings = []
    for u in unknown_ids(bank, sheet.answers):
        warning = unknown_text(u)
        place = (u.problem,) if u.part is None else (u.problem, u.part)
        if sheet.doc is not None and sheet.problem is None:
            warnings.append(str(sheet.doc.error(("answers", *place), warning, at_key=True)))
        else:
            warnings.append(f"{sheet.path}: {warning}")
    return warnings
