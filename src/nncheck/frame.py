"""What a class report says beyond its rows, and what writing the rows needs: the problems
and parts of the bank, the audit facts, the options, the class folder's facts.

A run takes it from its loaded bank (`of_run`); `merge` and `grade --update` take it from a
saved report's summary.json (`merging`), so that the same code writes the same report.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from nncheck import stats
from nncheck.classroom import ClassRun, Options


@dataclass(frozen=True)
class Frame:
    """A class report's facts beyond its rows."""

    maxima: tuple[tuple[str, float], ...]  # (problem id, max score), bank order
    parts: tuple[tuple[str, str], ...]  # (problem id, part id) of every part, bank order
    audit: Mapping[str, Any]  # nncheck_version, problem_hashes and seed
    options: Options
    class_dir: str | None
    not_read: tuple[Sequence[Mapping[str, str]], int] = ((), 0)
    class_sheets: int | None = None
    # Each student's overrides as digests, where only those are known (a saved report).
    override_digests: Mapping[str, str] | None = None

    @classmethod
    def of_run(cls, run: ClassRun) -> Frame:
        parts = tuple((pid, part.id) for pid, lp in run.bank.problems.items()
                      for part in lp.problem.parts)
        return cls(run.maxima, parts, run.audit, run.options, run.class_dir,
                   (run.not_read, run.not_read_count), run.class_sheets)

    @property
    def partial(self) -> bool:
        """Whether the report holds part of the class (`--student`, `--shard`)."""
        return self.options.student is not None or self.options.shard is not None

    def tally(self) -> stats.Tally:
        """The statistics, empty, ready to count the rows."""
        students = self.override_digests if self.override_digests is not None \
            else self.options.overrides
        return stats.Tally(self.maxima, students)

    def summary(self, tally: stats.Tally) -> dict[str, Any]:
        """summary.json's statistics and facts, the rows counted."""
        return tally.summary(self.audit, self.options, class_dir=self.class_dir,
                             not_read=self.not_read, class_sheets=self.class_sheets,
                             override_digests=self.override_digests)
