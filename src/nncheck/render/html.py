"""report.html: the class report as one self-contained page (pure text; `gradebook` writes it).

No script, no network: the charts are SVG drawn here, the style is inline, and a
Content-Security-Policy forbids everything else, so even a string that escaped its escaping could
not run or fetch anything. Every string from a sheet or a problem is made inert (`words.inert`:
control and bidi characters shown escaped) and then escaped for HTML; an anchor is made from a
hash of the student's id, never from the id itself.
"""

from __future__ import annotations

import hashlib
import html
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from nncheck.compare.numbers import format_statistic as _num
from nncheck.items import EASY, HARD, flag_text
from nncheck.render.summary import bin_label
from nncheck.words import inert, inert_lines

CSP = "default-src 'none'; style-src 'unsafe-inline'; img-src data:"
SHOWN_CHARS = 200  # an answer or id shown at most this long

_STYLE = """
body { font: 15px/1.45 system-ui, sans-serif; margin: 2em auto; max-width: 72em;
       padding: 0 1em; color: #1d1d1f; }
h1 { font-size: 1.6em; } h2 { margin-top: 2em; border-bottom: 1px solid #ccc; }
table { border-collapse: collapse; margin: .5em 0; }
th, td { padding: .2em .6em; border-bottom: 1px solid #e3e3e3; text-align: left;
         vertical-align: top; }
td.n { text-align: right; font-variant-numeric: tabular-nums; }
.flag { color: #a4262c; font-weight: 600; }
.note { color: #555; font-size: .92em; }
pre { background: #f6f6f6; padding: .7em; overflow-x: auto; white-space: pre-wrap; }
section.student { border-top: 1px solid #ddd; margin-top: 1em; }
svg text { font: 11px system-ui, sans-serif; }
"""


def text(value: Any) -> str:
    """A string from a sheet or a problem, safe inside HTML text or a quoted attribute."""
    shown = inert(str(value))
    if len(shown) > SHOWN_CHARS:
        shown = shown[:SHOWN_CHARS - 1] + "…"
    return html.escape(shown, quote=True)


def lines(value: str) -> str:
    """A text of several lines from a sheet or a problem, shown whole (newlines kept), safe
    inside HTML text."""
    return html.escape(inert_lines(value), quote=True)


def anchor(name: str) -> str:
    """The id of a student's section: a hash of their id, so any id makes a safe anchor."""
    return "student-" + hashlib.sha256(name.encode("utf-8", "surrogatepass")).hexdigest()[:16]


def page_start(summary: Mapping[str, Any], students: Iterable[tuple[str, str, str]]) -> str:
    """Everything before the students' sections: the class statistics, charts and lists.

    `students` are (name, status, score) of each sheet, in report order, for the index.
    """
    return (page_top(summary) + "".join(index_row(*s) + "\n" for s in students)
            + index_end())


def page_top(summary: Mapping[str, Any]) -> str:
    """The start of the page up to the index of students, which follows a row at a time
    (`index_row`, each and its newline, then `index_end`)."""
    out = ["<!DOCTYPE html>", '<html lang="en">', "<head>", '<meta charset="utf-8">',
           f'<meta http-equiv="Content-Security-Policy" content="{CSP}">',
           '<meta name="viewport" content="width=device-width, initial-scale=1">',
           "<title>Class report</title>", f"<style>{_STYLE}</style>", "</head>", "<body>"]
    status = summary["status"]
    said = ", ".join(f"{n} {s}" for s, n in status.items() if n)
    where = f" — {text(summary['class_dir'])}" if summary.get("class_dir") else ""
    out += [f"<h1>Class report{where}</h1>",
            f"<p>{summary['sheets']} sheets: {html.escape(said or 'none')}.</p>",
            '<nav><a href="#scores">Scores</a> · <a href="#items">Item analysis</a> · '
            '<a href="#parts">Parts</a> · <a href="#shared">Shared rare wrong answers</a> · '
            '<a href="#students">Students</a></nav>']
    out += _scores(summary)
    out += _items(summary)
    out += _parts(summary["parts"])
    out += _shared(summary.get("shared_rare_wrong_answers"))
    out += ['<h2 id="students">Students</h2>', "<table>",
            "<tr><th>student</th><th>status</th><th>score</th></tr>"]
    return "\n".join(out) + "\n"


def index_row(name: str, status: str, score: str) -> str:
    """A student's row of the page's index: a link to their section, their status and score."""
    return (f'<tr><td><a href="#{anchor(name)}">{text(name)}</a></td><td>{text(status)}</td>'
            f'<td class="n">{text(score)}</td></tr>')


def index_end() -> str:
    """What closes the index of students."""
    return "</table>\n"


def student_section(name: str, student_name: str | None, status: str, score: str,
                    feedback: str | None, error: str | None) -> str:
    """One student's section: their status, score and the feedback they were sent."""
    who = text(name) + (f" ({text(student_name)})" if student_name else "")
    body = (f"<pre>{lines(feedback)}</pre>" if feedback
            else f'<p class="flag">{text(error)}</p>' if error else "")
    return (f'<section class="student" id="{anchor(name)}"><h3>{who}</h3>'
            f"<p>{text(status)} · {text(score)}</p>{body}</section>\n")


def page_end() -> str:
    """The end of the page."""
    return "</body>\n</html>\n"


def _scores(summary: Mapping[str, Any]) -> list[str]:
    scores = summary["scores"]
    out = ['<h2 id="scores">Scores</h2>']
    if scores["mean"] is None:
        return [*out, "<p>No sheet was graded.</p>"]
    out.append(f"<p>Out of {_num(summary['max_score'])}: mean {_num(scores['mean'])}, median "
               f"{_num(scores['median'])}, range {_num(scores['min'])}–{_num(scores['max'])}, "
               f"SD {_num(scores['stdev'])}.</p>")
    return [*out, histogram_svg(summary["histogram"])]


def histogram_svg(bins: Sequence[Mapping[str, Any]]) -> str:
    """The score histogram: a bar a bin, its count above it, its points below."""
    width, height, left, bottom = 640, 220, 30, 30
    top = max((b["count"] for b in bins), default=0) or 1
    step = (width - left) / max(1, len(bins))
    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
             'role="img" aria-label="score histogram">',
             f'<line x1="{left}" y1="{height - bottom}" x2="{width}" y2="{height - bottom}" '
             'stroke="#888"/>']
    for i, b in enumerate(bins):
        h = (height - bottom - 20) * b["count"] / top
        x = left + i * step
        label = bin_label(b)  # as the terminal summary names it: 0–3, 4–7, ..., 40
        parts += [f'<rect x="{x + 2:.1f}" y="{height - bottom - h:.1f}" width="{step - 4:.1f}" '
                  f'height="{h:.1f}" fill="#4a78b5"><title>{label}: {b["count"]}</title></rect>',
                  f'<text x="{x + step / 2:.1f}" y="{height - bottom - h - 4:.1f}" '
                  f'text-anchor="middle">{b["count"]}</text>',
                  f'<text x="{x + step / 2:.1f}" y="{height - 10}" text-anchor="middle">'
                  f"{label}</text>"]
    return "\n".join([*parts, "</svg>"])


def scatter_svg(parts: Iterable[Mapping[str, Any]]) -> str:
    """Difficulty (x, 0 to 1) against corrected item–total correlation (y, −1 to 1); the
    regions the flags name are shaded."""
    size, pad = 420, 40
    span = size - 2 * pad

    def xy(d: float, r: float) -> tuple[float, float]:
        return pad + d * span, pad + (1 - r) / 2 * span

    x0, y0 = xy(0, 1)
    x1, y1 = xy(1, -1)
    _, ymid = xy(0, 0)
    hard, _ = xy(HARD, 0)
    easy, _ = xy(EASY, 0)
    out = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{size}" height="{size}" role="img" '
           'aria-label="difficulty against discrimination">',
           f'<rect x="{x0}" y="{ymid}" width="{span}" height="{y1 - ymid}" fill="#fbe9e9"/>',
           f'<rect x="{x0}" y="{y0}" width="{hard - x0}" height="{span}" fill="#f3f3f3"/>',
           f'<rect x="{easy}" y="{y0}" width="{x1 - easy}" height="{span}" fill="#f3f3f3"/>',
           f'<rect x="{x0}" y="{y0}" width="{span}" height="{span}" fill="none" stroke="#888"/>',
           f'<line x1="{x0}" y1="{ymid}" x2="{x1}" y2="{ymid}" stroke="#aaa"/>',
           f'<text x="{size / 2}" y="{size - 8}" text-anchor="middle">difficulty (mean / max)'
           "</text>",
           f'<text x="12" y="{size / 2}" text-anchor="middle" transform="rotate(-90 12 '
           f'{size / 2})">discrimination r(rest)</text>',
           f'<text x="{x0 - 4}" y="{y0 + 4}" text-anchor="end">1</text>',
           f'<text x="{x0 - 4}" y="{ymid + 4}" text-anchor="end">0</text>',
           f'<text x="{x0 - 4}" y="{y1 + 4}" text-anchor="end">−1</text>',
           f'<text x="{x0}" y="{y1 + 14}" text-anchor="middle">0</text>',
           f'<text x="{x1}" y="{y1 + 14}" text-anchor="middle">1</text>']
    for p in parts:
        if p.get("difficulty") is None or p.get("item_rest") is None:
            continue
        x, y = xy(p["difficulty"], p["item_rest"])
        colour = "#a4262c" if p["flags"] else "#4a78b5"
        out.append(f'<circle cx="{x:.1f}" cy="{y:.1f}" r="5" fill="{colour}"><title>'
                   f"{text(p['problem'])} / {text(p['part'])}: difficulty {p['difficulty']}, "
                   f"r {p['item_rest']}</title></circle>")
    return "\n".join([*out, "</svg>"])


def _items(summary: Mapping[str, Any]) -> list[str]:
    whole = summary.get("items") or {}
    out = ['<h2 id="items">Item analysis</h2>']
    said = [f"{whole.get('students', 0)} students (sheets that could not be graded left out), "
            f"{whole.get('items', 0)} parts"]
    for key, name in (("alpha", "Cronbach's α"), ("kr20", "KR-20"),
                      ("sem", "standard error of measurement")):
        if whole.get(key) is not None:
            said.append(f"{name} {_num(whole[key])}")
    out.append(f"<p>{', '.join(said)}.</p>")
    rows = [p for p in summary["parts"] if p.get("difficulty") is not None]
    if not rows:
        return out
    out.append(scatter_svg(rows))
    out += ["<table>", "<tr><th>part</th><th>difficulty</th><th>SD</th><th>r(rest)</th>"
                       "<th>upper–lower</th><th>flags</th></tr>"]
    for p in rows:
        cells = "".join(f'<td class="n">{_stat(p[k])}</td>'
                        for k in ("difficulty", "stdev", "item_rest", "upper_lower"))
        flags = "; ".join(flag_text(f) for f in p["flags"])
        out.append(f"<tr><td>{text(p['problem'])} / {text(p['part'])}</td>{cells}"
                   f'<td class="flag">{html.escape(flags)}</td></tr>')
    out.append("</table>")
    return out


def _stat(value: float | None) -> str:
    return "—" if value is None else f"{value:.2f}"


def _parts(parts: Sequence[Mapping[str, Any]]) -> list[str]:
    out = ['<h2 id="parts">Parts</h2>']
    for p in parts:
        if not p["max_points"]:
            continue
        rate = "waiting for a person" if p["status"].get("pending") else \
            "—" if p["pass_rate"] is None else f"{round(100 * p['pass_rate'])}% full marks " \
            f"({p['passed']}/{p['graded']})"
        out.append(f"<h3>{text(p['problem'])} / {text(p['part'])}</h3><p>{rate}</p>")
        if p.get("options"):
            out.append("<p>Options chosen: " + ", ".join(
                f"{text(o)} ({n})" for o, n in p["options"].items()) + "</p>")
        if p.get("mistakes"):
            out.append("<p>Named mistakes: " + ", ".join(
                f"{text(m)} ({n})" for m, n in p["mistakes"].items()) + "</p>")
        if p["wrong_answers"]:
            out.append("<table><tr><th>wrong answer</th><th>students</th><th>mistake</th></tr>")
            out += [f'<tr><td>{text(w["shown"])}</td><td class="n">{w["count"]}</td>'
                    f'<td>{text(w["mistake"] or "")}</td></tr>' for w in p["wrong_answers"]]
            out.append("</table>")
    return out


def _shared(shared: Mapping[str, Any] | None) -> list[str]:
    out = ['<h2 id="shared">Shared rare wrong answers</h2>']
    if not shared:
        return out
    out.append(f'<p class="note">Pairs of students who gave the same wrong answer to '
               f"{shared['shared']} or more parts where at most {shared['rare']} students gave "
               "that answer, the rarest overlaps first. Students who study together, or "
               "share a misunderstanding, do this too: it is something to look at, not a "
               "finding.</p>")
    if not shared["pairs"]:
        return [*out, "<p>None.</p>"]
    out.append("<table><tr><th>students</th><th>score</th><th>answers in common</th></tr>")
    for pair in shared["pairs"]:
        who = " and ".join(f'<a href="#{anchor(s)}">{text(s)}</a>' for s in pair["students"])
        said = "<br>".join(f"{text(a['problem'])} / {text(a['part'])}: {text(a['shown'])} "
                           f"({a['count']} students)" for a in pair["answers"])
        out.append(f'<tr><td>{who}</td><td class="n">{pair["score"]}</td><td>{said}</td></tr>')
    out.append("</table>")
    if shared["more"]:
        out.append(f"<p>… and {shared['more']} more pairs (summary.json lists the first "
                   f"{len(shared['pairs'])}).</p>")
    return out
