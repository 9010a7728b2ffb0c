"""The class summary that `nncheck grade` prints: the statistics of `stats` as plain lines."""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

from nncheck.compare.numbers import format_statistic as _num
from nncheck.items import flag_text
from nncheck.stats import STATUSES
from nncheck.words import inert

UNKNOWN_LINES = 10  # groups of unknown ids shown; summary.json has them all
ID_CHARS = 40  # an id from a sheet, shown at most this long


SORTS = ("bank", "difficulty")  # how the parts are ordered: as in the bank, or hardest first


def summary_lines(summary: Mapping[str, Any], *, out: str | None = None,
                  sort: str = "bank") -> list[str]:
    """The class statistics as plain lines, histogram bars included; `sort="difficulty"` lists
    the parts hardest first (parts without a difficulty last, ties in bank order)."""
    status = summary["status"]
    said = ", ".join(f"{status[s]} {s}" for s in STATUSES if status.get(s))
    where = f" — report in {out}" if out else ""
    lines = [f"Graded {summary['sheets']} sheet{'s' * (summary['sheets'] != 1)}: "
             f"{said or 'none'}{where}"]
    scores = summary["scores"]
    if scores["mean"] is not None:
        lines += ["", f"Scores out of {_num(summary['max_score'])}: mean {_num(scores['mean'])}, "
                      f"median {_num(scores['median'])}, range {_num(scores['min'])}–"
                      f"{_num(scores['max'])}"]
        bins = summary["histogram"]
        top = max(b["count"] for b in bins) or 1
        labels = [bin_label(b) for b in bins]
        width = max(map(len, labels))
        for label, b in zip(labels, bins):
            bar = "█" * round(30 * b["count"] / top)
            lines.append(f"  {label.rjust(width)} {bar}{' ' if bar else ''}{b['count']}")
    means = [p for p in summary.get("problems", []) if p["mean"] is not None]
    if means:
        lines += ["", "Mean score by problem:"]
        width = max(len(p["id"]) for p in means)
        shown = [f"{_num(p['mean'])}/{_num(p['max_score'])}" for p in means]
        room = max(map(len, shown))
        for p, mean in zip(means, shown):
            share = f"  {round(100 * p['mean'] / p['max_score']):3d}%" if p["max_score"] else ""
            lines.append(f"  {p['id'].ljust(width)}  {mean.rjust(room)}{share}")
    parts = summary["parts"]
    if sort == "difficulty":
        parts = sorted(parts, key=lambda p: (p.get("difficulty") is None,
                                             p.get("difficulty") or 0.0))
    if parts:
        lines += ["", "Pass rate by part:"]
        names = [f"{p['problem']} / {p['part']}" for p in parts]
        width = max(map(len, names))
        for name, p in zip(names, parts):
            if not p["max_points"]:
                continue  # shown, not graded
            waiting = p["status"].get("pending", 0)
            if waiting:
                lines.append(f"  {name.ljust(width)}     —  (waiting for a person: {waiting} "
                             f"sheet{'s' * (waiting != 1)})")
                continue
            rate = "—" if p["pass_rate"] is None else f"{round(100 * p['pass_rate'])}%"
            lines.append(f"  {name.ljust(width)}  {rate.rjust(4)}  ({p['passed']}/{p['graded']})")
    lines += item_lines(parts, summary.get("items"), sort=sort)
    common = [(p, w) for p in parts for w in p["wrong_answers"] if w["count"] > 1 or w["mistake"]]
    if common:
        lines += ["", "Most common wrong answers:"]
        for p, w in common:
            who = f"{w['count']} student{'s' * (w['count'] != 1)}"
            why = f": {w['mistake']}" if w["mistake"] else ""
            lines.append(f"  {p['problem']} / {p['part']}: {who} answered {w['shown']}{why}")
    if summary["pending"]:
        lines += ["", "Waiting for a person:"]
        lines += [f"  {p['problem']} / {p['part']}: {p['count']} sheet{'s' * (p['count'] != 1)}"
                  for p in summary["pending"]]
    lines += unknown_lines(summary.get("unknown_ids"))
    if summary["errors"]:
        lines += ["", "Sheets not graded:"]
        lines += [f"  {e['error']}" for e in summary["errors"]]
    lines += _not_read_lines(summary)
    if summary["unknown_override_students"]:
        lines += ["", "Overrides for students with no sheet: "
                  + ", ".join(summary["unknown_override_students"])]
    seed = summary.get("seed")
    if seed is not None:
        lines += ["", f"Sample points: seed {seed['fingerprint']}" + (
            "" if seed["secret"] else " — no course secret, so the points can be computed "
            "from the problem files (see NNCHECK_SECRET or .nncheck-secret)")]
    return lines


def item_lines(parts: list[Mapping[str, Any]], whole: Mapping[str, Any] | None, *,
               sort: str = "bank") -> list[str]:
    """Difficulty, SD, discrimination and flags per part; the exam's reliability."""
    rows = [p for p in parts if p.get("difficulty") is not None]
    if not rows or not whole:
        return []
    order = "hardest first" if sort == "difficulty" else "bank order"
    # Headers kept short so that the table fits 80 columns: U–L is the upper–lower 27 % index.
    table = [["part", "difficulty", "SD", "r(rest)", "U–L", "flags"]]
    for p in rows:
        table.append([f"{p['problem']} / {p['part']}", _stat(p["difficulty"]), _stat(p["stdev"]),
                      _stat(p["item_rest"]), _stat(p["upper_lower"]),
                      "; ".join(flag_text(f) for f in p["flags"])])
    widths = [max(len(r[i]) for r in table) for i in range(5)]
    lines = ["", f"Item analysis ({order}):"]
    for r in table:
        cells = [r[0].ljust(widths[0])] + [c.rjust(w) for c, w in zip(r[1:5], widths[1:])]
        lines.append(("  " + "  ".join(cells) + ("  " + r[5] if r[5] else "")).rstrip())
    said = [f"{whole['students']} students, {whole['items']} parts"]
    if whole.get("alpha") is not None:
        said.append(f"Cronbach's α {_num(whole['alpha'])}")
    if whole.get("kr20") is not None:
        said.append(f"KR-20 {_num(whole['kr20'])}")
    lines.append("  " + ", ".join(said))
    if whole.get("sem") is not None:
        lines.append(f"  standard error of measurement {_num(whole['sem'])} points; U–L: the "
                     "upper–lower 27 % index")
    return lines


def _stat(value: float | None) -> str:
    return "—" if value is None else f"{value:.2f}"


SHOWN_NOT_READ = 20  # files not read named in the terminal; summary.json has more


def _not_read_lines(summary: Mapping[str, Any]) -> list[str]:
    """`Files not read:` and each with why (the first few; summary.json names more)."""
    files = summary.get("files_not_read") or []
    if not files:
        return []
    lines = ["", "Files not read:"]
    lines += [f"  {f['path']} ({f['reason']})" for f in files[:SHOWN_NOT_READ]]
    more = summary.get("files_not_read_count", len(files)) - min(len(files), SHOWN_NOT_READ)
    if more > 0:
        lines.append(f"  … and {more} more (summary.json names up to {len(files)})")
    return lines


def unknown_lines(unknown: Mapping[str, Any] | None) -> list[str]:
    """Answers and overrides to ids the bank does not have, one line per id and suggestion."""
    if not unknown or not (unknown["groups"] or unknown["more"]):
        return []
    lines = ["", "Not graded (ids the problems do not have):"]
    groups = unknown["groups"]
    for g in groups[:UNKNOWN_LINES]:
        what = f"{g['what']}s to unknown "
        what += f"problem {_id(g['problem'])}" if g["part"] is None else f"part {_id(g['part'])}"
        where = "" if g["part"] is None else f"{_id(g['problem'])}: "
        hint = f" (did you mean {_id(g['suggestion'])}?)" if g["suggestion"] else ""
        count = g["count"]
        noun = ("student" if g["what"] == "override" else "sheet") + "s" * (count != 1)
        names = ", ".join(_clip(n) for n in g["sheets"])
        if count > len(g["sheets"]):
            names += f", … ({count - len(g['sheets'])} more)"
        lines.append(f"  {where}{what}{hint} {'for' if g['what'] == 'override' else 'in'} "
                     f"{count} {noun}: {names}")
    hidden = len(groups) - UNKNOWN_LINES
    if unknown["more"]:
        lines.append(f"  … and more: summary.json lists the first {len(groups)}")
    elif hidden > 0:
        lines.append(f"  … and {hidden} more in summary.json")
    return lines


def _id(text: str) -> str:
    return f"`{_clip(text)}`"


def _clip(text: str) -> str:
    text = inert(str(text))
    return text if len(text) <= ID_CHARS else text[:ID_CHARS - 1] + "…"


def bin_label(b: Mapping[str, Any]) -> str:
    """A bin by the whole points in it: `7` for [7, 8), `0–2` for [0, 3), `20` for full marks."""
    lo, hi = b["from"], b["to"]
    if hi - lo <= 1:
        return _num(lo)
    last = math.ceil(hi) - 1  # the last whole point below `to`
    return f"{_num(lo)}–{_num(last)}" if last > lo else _num(lo)


