"""Item analysis: how each part of an exam behaved across a class, how reliable the total is,
and which students share rare wrong answers. Pure functions of the class's scores and answers.

Definitions (docs/grading-a-class.md states them for readers):

- The students are the sheets graded (a sheet with status `error` is left out); the items are
  the parts with points that no sheet is still waiting on a person for. A student's *total* is
  the sum of their points on those items.
- Every variance and standard deviation is the population one (divided by N, not N − 1), so
  Cronbach's α has the same convention in its numerator and denominator.
- difficulty = mean points / max points; discrimination is the Pearson correlation of the
  item's points with the total *without* that item (corrected item–total), and the
  upper–lower index: n = round(0.27 N) students with the highest totals and n with the lowest;
  students tied at a group's cut share its remaining places equally (each counts with weight
  places left / students tied), so the groups never depend on the order of the sheets;
  index = (mean points of the upper group − mean of the lower group) / max points.
- α = k/(k − 1) · (1 − Σ var(item) / var(total)); KR-20 is the same formula with
  var(item) = max² · p · (1 − p), reported when every item is scored all or nothing (it then
  equals α); SEM = SD(total) · √(1 − α).
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

CUT = 0.27  # share of the class in each of the upper and lower groups
EASY = 0.95  # a difficulty above this is flagged: nearly everyone has it right
HARD = 0.1  # a difficulty below this is flagged: nearly no one has it right
# What a flag means, by its code in summary.json.
FLAGS = {
    "check-key": "negative discrimination: check the key",
    "very-easy": f"difficulty above {EASY}: nearly everyone has it right",
    "very-hard": f"difficulty below {HARD}: nearly no one has it right",
}
RARE = 3  # a wrong answer given by at most this many students is rare
SHARED = 2  # a pair is listed when it shares at least this many rare wrong answers
PAIRS = 20  # pairs listed, highest score first (summary.json counts the rest)
_DIGITS = 4


def _round(x: float | None) -> float | None:
    return None if x is None else round(x, _DIGITS) + 0.0  # + 0.0: no -0.0


def _var(xs: Sequence[float], mean: float) -> float:
    return sum((x - mean) ** 2 for x in xs) / len(xs)


def _corr(xs: Sequence[float], ys: Sequence[float]) -> float | None:
    """Pearson's r (None when either side does not vary)."""
    n = len(xs)
    mx, my = sum(xs) / n, sum(ys) / n
    sxx = sum((x - mx) ** 2 for x in xs)
    syy = sum((y - my) ** 2 for y in ys)
    if sxx <= 1e-12 * (1 + mx * mx) * n or syy <= 1e-12 * (1 + my * my) * n:
        return None
    sxy = sum((x - mx) * (y - my) for x, y in zip(xs, ys))
    return sxy / math.sqrt(sxx * syy)


def group_weights(totals: Sequence[float], n: int, *, upper: bool) -> list[float]:
    """Each student's weight in the upper (or lower) group of n: 1 beyond the cut, the places
    left shared equally among the students tied at the cut, 0 otherwise."""
    keyed = [round(t, 9) for t in totals]  # sums of the same points in another order agree
    cut = sorted(keyed, reverse=upper)[n - 1]
    beyond = [t > cut if upper else t < cut for t in keyed]
    tied = sum(t == cut for t in keyed)
    share = (n - sum(beyond)) / tied
    return [1.0 if b else share if t == cut else 0.0 for t, b in zip(keyed, beyond)]


def analyse(items: Sequence[tuple[Sequence[float], float]]) -> tuple[list[dict[str, Any]],
                                                                     dict[str, Any]]:
    """Per item (its points per student, its max points): difficulty, SD, discrimination and
    flags; and for the whole: α, KR-20, SEM. Every item has the same students in the same order."""
    n = len(items[0][0]) if items else 0
    totals = [sum(col[i] for col, _ in items) for i in range(n)]
    size = math.floor(CUT * n + 0.5)
    if n >= 2 and size >= 1:
        up = group_weights(totals, size, upper=True)
        low = group_weights(totals, size, upper=False)
    out: list[dict[str, Any]] = []
    for col, top in items:
        if not n:
            out.append({"difficulty": None, "stdev": None, "item_rest": None,
                        "upper_lower": None, "flags": []})
            continue
        mean = sum(col) / n
        difficulty = mean / top
        rest = [t - x for t, x in zip(totals, col)]
        r = _corr(col, rest) if n >= 2 else None
        d = None
        if n >= 2 and size >= 1:
            d = (sum(w * x for w, x in zip(up, col))
                 - sum(w * x for w, x in zip(low, col))) / (size * top)
        flags = []
        if r is not None and r < 0:
            flags.append("check-key")
        if difficulty > EASY:
            flags.append("very-easy")
        elif difficulty < HARD:
            flags.append("very-hard")
        out.append({"difficulty": _round(difficulty), "stdev": _round(math.sqrt(_var(col, mean))),
                    "item_rest": _round(r), "upper_lower": _round(d), "flags": flags})
    return out, _reliability(items, totals, size)


def _reliability(items: Sequence[tuple[Sequence[float], float]], totals: Sequence[float],
                 size: int) -> dict[str, Any]:
    n, k = len(totals), len(items)
    whole: dict[str, Any] = {"students": n, "items": k, "group_size": size if n >= 2 else None,
                             "total_stdev": None, "alpha": None, "kr20": None, "sem": None}
    if n < 2 or k < 1:
        return whole
    var_total = _var(totals, sum(totals) / n)
    whole["total_stdev"] = _round(math.sqrt(var_total))
    if k < 2 or var_total <= 1e-12:
        return whole
    item_vars = [_var(col, sum(col) / n) for col, _ in items]
    alpha = k / (k - 1) * (1 - sum(item_vars) / var_total)
    whole["alpha"] = _round(alpha)
    whole["sem"] = _round(math.sqrt(var_total) * math.sqrt(max(0.0, 1 - alpha)))
    if all(x in (0.0, top) for col, top in items for x in col):
        pq = 0.0
        for col, top in items:
            p = sum(x == top for x in col) / n
            pq += top * top * p * (1 - p)
        whole["kr20"] = _round(k / (k - 1) * (1 - pq / var_total))
    return whole


def shared_rare(answers: Iterable[tuple[str, str, str, int, Sequence[str]]], students: int,
                *, rare: int = RARE, shared: int = SHARED, keep: int = PAIRS) -> dict[str, Any]:
    """Pairs of students who gave the same rare wrong answers, highest score first.

    `answers` are the wrong answers (problem, part, shown, how many students gave it, who);
    one given by at most `rare` students is rare. A pair's score is the sum over the rare
    answers it shares of −ln(count / students): the rarer the answer, the more it adds. Each
    rare answer makes at most rare·(rare − 1)/2 pairs, so the pairs number at most
    students · parts · (rare − 1) / 2.
    """
    pairs: dict[tuple[str, str], list[tuple[str, str, str, int]]] = {}
    for problem, part, shown, count, names in answers:
        if count > rare or count < 2:
            continue
        who = sorted(set(names))
        for i, a in enumerate(who):
            for b in who[i + 1:]:
                pairs.setdefault((a, b), []).append((problem, part, shown, count))
    listed = []
    for (a, b), common in pairs.items():
        if len(common) < shared:
            continue
        score = sum(-math.log(count / students) for *_, count in common)
        listed.append((score, a, b, common))
    listed.sort(key=lambda t: (-t[0], t[1], t[2]))
    return {
        "rare": rare,
        "shared": shared,
        "pairs": [
            {"students": [a, b], "score": _round(score),
             "answers": [{"problem": p, "part": q, "shown": s, "count": c}
                         for p, q, s, c in sorted(common)]}
            for score, a, b, common in listed[:keep]
        ],
        "more": max(0, len(listed) - keep),
    }


def flag_text(code: str) -> str:
    """What a flag of summary.json means, in words."""
    return FLAGS.get(code, code)


def option_counts(counts: Mapping[str, list[Any]]) -> dict[str, int]:
    """Counts per chosen option (folded form -> [count, as first written]), most chosen first."""
    ordered = sorted(counts.values(), key=lambda v: (-v[0], v[1]))
    return {shown: count for count, shown in ordered}
