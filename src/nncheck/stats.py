"""Class statistics, tallied one sheet at a time: memory grows with the distinct wrong answers,
and by a few bytes a sheet (a score per sheet and problem is kept, for the median and the
variants; a byte per sheet and part, most often, for the item statistics: `columns`)."""

from __future__ import annotations

import hashlib
import itertools
import json
import math
import statistics
from array import array
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from nncheck import items as analysis
from nncheck.columns import Column
from nncheck.spec.common import fold_option
from nncheck.variant_stats import variant_summary

STATUSES = ("ok", "failed", "pending", "error")
TOP_WRONG = 5  # most common wrong answers kept per part
UNKNOWN_GROUPS = 100  # distinct unknown answer/override ids kept (the rest only counted)
UNKNOWN_NAMES = 5  # sheets named per unknown id


class _Part:
    """What the statistics keep of one part across the class."""

    __slots__ = ("choices", "graded", "max_points", "mistakes", "passed", "points", "status",
                 "wrong")

    def __init__(self, max_points: float, before: int = 0):
        self.max_points = max_points
        self.graded = 0
        self.passed = 0
        self.status: Counter[str] = Counter()
        # canonical answer -> [count, shown, {mistake: count}, first students (None: past RARE)]
        self.wrong: dict[str, list[Any]] = {}
        self.points = Column(before)  # per graded sheet, in report order
        self.mistakes: Counter[str] = Counter()  # named mistakes, over every wrong answer
        self.choices: dict[str, list[Any]] = {}  # folded option -> [count, as first written]


class Tally:
    """The class statistics, added to one row at a time (rows in report order)."""

    def __init__(self, problems: Sequence[tuple[str, float]], overrides: Iterable[str] = ()):
        self.problems = tuple(problems)
        self.rows = 0
        self.status: Counter[str] = Counter()
        self.scores = array("d")
        self.by_problem = {pid: array("d") for pid, _ in self.problems}
        self.parts: dict[tuple[str, str], _Part] = {}
        self.errors: list[dict[str, Any]] = []
        self.warnings: list[dict[str, Any]] = []
        self.unseen = set(overrides)  # override students with no sheet so far
        # (what, problem, part, suggestion) -> [count, first UNKNOWN_NAMES sheets' names]
        self.unknown: dict[tuple[str, str, str | None, str | None], list[Any]] = {}
        self.unknown_more = 0  # unknown ids past UNKNOWN_GROUPS distinct ones
        self.by_variant: dict[tuple[str, int], array[float]] = {}  # (problem, variant) -> scores

    def add(self, row: Any) -> None:
        """Count one sheet's row."""
        self.rows += 1
        self.status[row.status] += 1
        self.unseen.discard(row.student_id)
        if row.status == "error":
            self.errors.append({"sheet": row.sheet, "error": row.error})
            return
        self.scores.append(float(row.score or 0.0))
        scores = dict(row.scores)
        for pid, values in self.by_problem.items():
            values.append(scores.get(pid, 0.0))
        for pid, n in getattr(row, "variants", ()):  # rows read back from older reports: none
            self.by_variant.setdefault((pid, n), array("d")).append(scores.get(pid, 0.0))
        name = row.student_id if row.student_id is not None else row.rel
        seen = set()
        parts = self.parts
        for p in row.parts:
            key = (p.problem, p.part)
            part = parts.get(key)
            if part is None:  # sheets before this one had no such part: 0 points on it
                part = parts[key] = _Part(p.max_points, len(self.scores) - 1)
            seen.add(key)
            part.points.append(float(p.points))
            part.status[p.status] += 1
            if p.mistake:
                part.mistakes[p.mistake] += 1
            choice = getattr(p, "choice", None)  # rows read back from older reports have none
            if choice is not None:
                option = part.choices.setdefault(fold_option(choice), [0, choice])
                option[0] += 1
            if p.counts:
                part.graded += 1
                part.passed += not p.failed
            if p.answer is not None:
                group = part.wrong.get(p.answer)
                if group is None:
                    group = part.wrong[p.answer] = [0, p.shown, {}, []]
                group[0] += 1
                if p.mistake:
                    group[2][p.mistake] = group[2].get(p.mistake, 0) + 1
                # Who gave it, while few did: memory stays within RARE + 1 names an answer.
                if group[3] is not None:
                    group[3] = group[3] + [name] if group[0] <= analysis.RARE else None
        if len(seen) < len(parts):  # parts this sheet does not have: 0 points on each
            for key, part in parts.items():
                if key not in seen:
                    part.points.append(0.0)
        self.warnings += ({"sheet": row.sheet, "warning": w} for w in row.warnings)
        self._add_unknown(row)

    def _add_unknown(self, row: Any) -> None:
        name = row.student_id if row.student_id is not None else row.rel
        for key in dict.fromkeys(tuple(u) for u in getattr(row, "unknown", ())):
            group = self.unknown.get(key)
            if group is None:
                if len(self.unknown) >= UNKNOWN_GROUPS:
                    self.unknown_more += 1
                    continue
                group = self.unknown[key] = [0, []]
            group[0] += 1
            if len(group[1]) < UNKNOWN_NAMES:
                group[1].append(name)

    def summary(self, audit: Mapping[str, Any], options: Any, *, class_dir: str | None,
                not_read: tuple[Sequence[Mapping[str, str]], int] = ((), 0),
                class_sheets: int | None = None,
                override_digests: Mapping[str, str] | None = None) -> dict[str, Any]:
        """Class statistics: statuses, score distribution, pass rate and wrong answers per part.

        `override_digests` (by student) stands for `options.overrides` where only the digests
        are known (a merge of reports)."""
        max_score = float(sum(m for _, m in self.problems))
        scores = list(self.scores)
        parts = self._part_summary()
        items = self._items(parts)
        partial = options.student is not None or options.shard is not None
        return {
            **audit,
            "class_dir": class_dir,
            "shard": f"{options.shard[0]}/{options.shard[1]}" if options.shard else None,
            "student": options.student,
            "reveal": options.reveal,
            # What else decides the grades, so that reports can be merged or updated safely.
            "rtol": getattr(options, "rtol", None),
            "overrides": dict(override_digests) if override_digests is not None
            else digests(options.overrides),
            "sheets": self.rows,
            "class_sheets": self.rows if class_sheets is None else class_sheets,
            "status": {s: self.status[s] for s in STATUSES},
            "max_score": max_score,
            "scores": _describe(scores),
            "histogram": histogram(scores, max_score),
            "problems": [{"id": pid, "max_score": m, "mean": _mean(self.by_problem[pid])}
                         for pid, m in self.problems],
            "parts": parts,
            "items": items,
            # Pairs who gave the same rare wrong answers: for a person to look at, no verdict.
            "shared_rare_wrong_answers": self._shared(),
            "pending": [
                {"problem": p["problem"], "part": p["part"], "count": p["status"]["pending"]}
                for p in parts if p["status"].get("pending")
            ],
            "errors": self.errors,
            "warnings": self.warnings,
            "unknown_ids": self._unknown_summary(),
            # A partial run cannot tell a stray override from a student graded elsewhere.
            "unknown_override_students": [] if partial else sorted(self.unseen),
            # Files of the class folder and the bank that were not read, and why.
            "files_not_read": [dict(n) for n in not_read[0]],
            "files_not_read_count": not_read[1],
            # Per variant of each problem that varies (`vary:`), with the unfair draws flagged.
            **({"variants": variant_summary(self.by_variant)} if self.by_variant else {}),
        }

    def _unknown_summary(self) -> dict[str, Any]:
        groups = sorted(self.unknown.items(), key=lambda kv: (-kv[1][0], kv[0][0],
                                                             kv[0][1], kv[0][2] or ""))
        return {
            "groups": [
                {"what": what, "problem": problem, "part": part, "suggestion": suggestion,
                 "count": count, "sheets": names}
                for (what, problem, part, suggestion), (count, names) in groups
            ],
            "more": self.unknown_more,
        }

    def _part_summary(self) -> list[dict[str, Any]]:
        out = []
        for (problem, name), part in self.parts.items():
            common = sorted(part.wrong.items(), key=lambda kv: (-kv[1][0], kv[0]))
            out.append({
                "problem": problem,
                "part": name,
                "max_points": part.max_points,
                "graded": part.graded,
                "passed": part.passed,
                # A part a person scores has no pass rate while a sheet waits for them: the
                # sheets counted so far are only those that left it blank.
                "pass_rate": round(part.passed / part.graded, 4)
                if part.graded and not part.status.get("pending") else None,
                "status": dict(sorted(part.status.items())),
                "wrong_answers": [
                    {"answer": json.loads(answer), "shown": shown, "count": count,
                     "mistake": _commonest(mistakes)}
                    for answer, (count, shown, mistakes, _) in common[:TOP_WRONG]
                ],
                "mistakes": dict(sorted(part.mistakes.items(), key=lambda kv: (-kv[1], kv[0]))),
                "options": analysis.option_counts(part.choices) if part.choices else None,
            })
        return out

    def _items(self, parts: list[dict[str, Any]]) -> dict[str, Any]:
        """Item statistics into each part's entry; the exam's reliability returned."""
        keys = [(p, part) for p, part in zip(parts, self.parts.values())
                if part.max_points > 0 and not part.status.get("pending")]
        per_part, whole = analysis.analyse([(part.points, part.max_points) for _, part in keys])
        for p in parts:
            p.update({"difficulty": None, "stdev": None, "item_rest": None,
                      "upper_lower": None, "flags": []})
        for (p, _), found in zip(keys, per_part):
            p.update(found)
        return whole

    def _shared(self) -> dict[str, Any]:
        answers = ((problem, name, group[1], group[0], group[3])
                   for (problem, name), part in self.parts.items()
                   for group in part.wrong.values() if group[3] is not None)
        return analysis.shared_rare(answers, len(self.scores))


def summarise(
    rows: Iterable[Any],
    problems: Sequence[tuple[str, float]],
    audit: Mapping[str, Any],
    options: Any,
    *,
    class_dir: str | None = None,
    not_read: tuple[Sequence[Mapping[str, str]], int] = ((), 0),
    class_sheets: int | None = None,
) -> dict[str, Any]:
    """Class statistics of rows already in memory."""
    tally = Tally(problems, options.overrides)
    for row in rows:
        tally.add(row)
    return tally.summary(audit, options, class_dir=class_dir, not_read=not_read,
                         class_sheets=class_sheets)


def digests(overrides: Mapping[str, Any]) -> dict[str, str]:
    """Each student's overrides as a SHA-256 digest (16 hex digits) of their canonical JSON,
    by student id, sorted: whether a student's overrides changed, without the scores."""
    return {
        student: hashlib.sha256(json.dumps(value, sort_keys=True, default=str,
                                           ensure_ascii=False).encode("utf-8", "surrogatepass")
                                ).hexdigest()[:16]
        for student, value in sorted(overrides.items())
    }


def _describe(scores: Sequence[float]) -> dict[str, float | None]:
    if not scores:
        return {"mean": None, "median": None, "min": None, "max": None, "stdev": None}
    return {
        "mean": round(statistics.fmean(scores), 4),
        "median": round(statistics.median(scores), 4),
        "min": min(scores),
        "max": max(scores),
        "stdev": round(statistics.pstdev(scores), 4),
    }


def _mean(values: Sequence[float]) -> float | None:
    return round(statistics.fmean(values), 4) if len(values) else None


def histogram(scores: Sequence[float], max_score: float) -> list[dict[str, Any]]:
    """Counts per bin [from, to) on whole points: a point a bin up to 20 points, else the
    fewest whole points that make at most ten bins (the last may be narrower); full marks in a
    bin of their own."""
    if max_score <= 0:
        return [{"from": 0.0, "to": 0.0, "count": len(scores)}]
    step = 1 if max_score <= 20 else math.ceil(max_score / 10)
    edges = [float(k) for k in range(0, math.ceil(max_score), step)] + [float(max_score)]
    bins = [{"from": lo, "to": hi, "count": 0} for lo, hi in itertools.pairwise(edges)]
    bins.append({"from": float(max_score), "to": float(max_score), "count": 0})  # full marks
    for s in scores:
        k = next((i for i, b in enumerate(bins) if s < b["to"]), len(bins) - 1)
        bins[k]["count"] += 1
    return bins


def _commonest(counts: Mapping[str, int]) -> str | None:
    if not counts:
        return None
    return min(counts, key=lambda n: (-counts[n], n))
