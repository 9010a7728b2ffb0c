"""The answer groups of `nncheck review`, as lines for a terminal (made inert by the caller)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from nncheck.groups import Group
from nncheck.render.answers import inline

STUDENTS_SHOWN = 8  # students named per group line; the rest counted
GROUPS_SHOWN = 5  # groups listed per part; the rest counted


def students(names: Sequence[str], limit: int = STUDENTS_SHOWN) -> str:
    """`s01, s06` or `s01, …, s08 and 4 more`."""
    shown = ", ".join(names[:limit])
    return shown + (f" and {len(names) - limit} more" if len(names) > limit else "")


def score(group: Group) -> str:
    """What a person set on a group: `1 point`, `comment only`, or `to score`."""
    if group.points is not None:
        return f"{group.points:g} point{'s' * (group.points != 1)}"
    return "comment only" if group.comment else "to score"


def part_heading(group: Group, most: float) -> str:
    """`q3-transfer-learning / a (up to 1 point)`."""
    return f"{group.problem} / {group.part} (up to {most:g} point{'s' * (most != 1)})"


def review_lines(groups: Sequence[Group], maxima: Mapping[tuple[str, str], float], *,
                 sheets: int, out: str, limit: int = GROUPS_SHOWN, unread: int = 0,
                 clashing: int = 0) -> list[str]:
    """The summary `review` prints: a count, then each part's largest groups. `unread`:
    the sheets that could not be read or graded; `clashing`: those left out because two
    sheets give one student id (both are said, so no sheet is left out unseen)."""
    scored = sum(g.points is not None for g in groups)
    parts: dict[tuple[str, str], list[Group]] = {}
    for g in groups:
        parts.setdefault((g.problem, g.part), []).append(g)
    lines = [f"{len(groups)} answer group{'s' * (len(groups) != 1)} on {len(parts)} "
             f"part{'s' * (len(parts) != 1)} from {sheets} sheet{'s' * (sheets != 1)}"
             f"{_left_out(unread, clashing)}, {scored} scored — written to {out}"]
    for where, members in parts.items():
        lines += ["", part_heading(members[0], maxima.get(where, 0.0)) + ":"]
        for g in members[:limit]:
            count = len(g.students)
            lines.append(f"  {count} student{'s' * (count != 1)} ({g.status}, {score(g)}): "
                         f"{answer(g.answer)} — {students(g.students)}")
        if len(members) > limit:
            more = len(members) - limit
            lines.append(f"  … and {more} more group{'s' * (more != 1)}")
    return lines


def answer(value: Any, width: int = 60) -> str:
    """An answer on one line, shortened."""
    return inline(value, width)


def _left_out(unread: int, clashing: int) -> str:
    said = ([f"{unread} could not be read"] if unread else []) + \
        ([f"{clashing} left out: one student id on two sheets"] if clashing else [])
    return f" ({'; '.join(said)})" if said else ""
