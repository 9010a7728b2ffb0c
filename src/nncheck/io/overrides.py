"""Overrides files read, and the answer groups of `nncheck review` written (FORMAT §5).

An overrides file holds per-student overrides, `rules:` and `groups:` (spec/overrides.py).
`groups.yaml` is an overrides file too, written whole and atomically: its strings (answers
and comments, which come from students and people) are written as JSON strings, a form of
YAML's double-quoted scalars in which every control, bidirectional or invisible character is
an escape (`\\u202e`): the file is data to a YAML reader and shows no hidden text in a terminal.
A group's answer longer than ANSWER_CHARS is written clipped (the file is read back with the
YAML reader's 1 MiB bound).
"""

from __future__ import annotations

import dataclasses
import os
from collections.abc import Mapping, Sequence
from typing import Any

from nncheck import groups as grouping
from nncheck.io.files import write_atomic
from nncheck.io.yaml import Document, read_document
from nncheck.regrade import Regrade
from nncheck.spec.errors import validate
from nncheck.words import clip, json_line

__all__ = ["GROUPS_HEADER", "OverridesFile", "groups_yaml", "read_overrides", "write_groups"]


@dataclasses.dataclass(frozen=True)
class OverridesFile:
    """An overrides file, validated: per-student overrides, rules and groups."""

    students: dict[str, Any]  # student -> problem -> part -> {points, comment}
    regrade: Regrade
    data: Any  # the file's data, as read (what `review` writes back beside its groups)


def read_overrides(path: str | os.PathLike[str]) -> OverridesFile:
    """Read and validate an overrides file; any error is an InputError at its place."""
    doc = read_document(path)
    return parse(doc)


def parse(doc: Document) -> OverridesFile:
    """An overrides document, validated."""
    # The models of an overrides file are built only when one is read: `check` without
    # --overrides does not pay for them.
    from nncheck.spec.overrides import ClassWide, Overrides, split_file

    per_student, wide = split_file(doc.data)
    students = validate(Overrides, dataclasses.replace(doc, data=per_student)).root_dict()
    found = validate(ClassWide, dataclasses.replace(doc, data=wide))

    def where(*loc: str | int) -> tuple[str, int, int]:
        return (doc.path, *doc.locate(loc))

    regrade = Regrade(
        rules=tuple((r, where("rules", i)) for i, r in enumerate(found.rules)),
        groups=tuple((g, where("groups", i)) for i, g in enumerate(found.groups)),
    )
    return OverridesFile(students, regrade, doc.data)


def read_groups(loaded: OverridesFile) -> list[grouping.Group]:
    """The groups of an overrides file, as `groups.merge` takes them."""
    return [grouping.Group(g.key, str(g.problem), str(g.part), g.status or "", g.answer,
                           tuple(map(str, g.students)), g.points, g.comment)
            for g, _ in loaded.regrade.groups]


GROUPS_HEADER = """\
# Answer groups written by `nncheck review`: for each part, the students who gave one answer
# (largest group first). Set `points` (and a `comment`) once per group, then grade with
# `--overrides` this file: the group's score goes to every student whose answer is in it.
# A student's own override (student -> problem -> part) wins over their group's score.
# Running review again keeps the points and comments set here, group by group (by `key`).
"""


def groups_yaml(groups: Sequence[grouping.Group], others: Mapping[str, Any] | None = None
                ) -> str:
    """The text of a groups file: the groups, then any other entry of the file it replaces
    (rules and per-student overrides, written back as JSON values)."""
    lines = [GROUPS_HEADER.rstrip("\n"), "groups:" if groups else "groups: []"]
    for g in groups:
        lines += [
            f"- key: {json_line(g.key)}",
            f"  problem: {json_line(g.problem)}",
            f"  part: {json_line(g.part)}",
            f"  status: {json_line(g.status)}",
            f"  students: {json_line(list(g.students))}",
            f"  answer: {_shown(g.answer)}",
            f"  points: {json_line(g.points)}",
            f"  comment: {json_line(g.comment)}",
        ]
    for key, value in (others or {}).items():
        if key != "groups":
            lines.append(f"{json_line(str(key))}: {json_line(value)}")
    return "\n".join(lines) + "\n"


ANSWER_CHARS = 2000  # an answer longer than this (as JSON) is written clipped: it is for people


def _shown(answer: Any) -> str:
    """A group's answer as JSON; a long one clipped, as a string: the key decides, not this."""
    text = json_line(answer)
    if len(text) <= ANSWER_CHARS:
        return text
    return json_line(clip(answer if isinstance(answer, str) else text, ANSWER_CHARS))


def write_groups(path: str | os.PathLike[str], groups: Sequence[grouping.Group],
                 others: Mapping[str, Any] | None = None) -> None:
    """Write a groups file whole, atomically: a reader sees the old file or the new one."""
    write_atomic(path, groups_yaml(groups, others))
