"""problems.html: one student's problems with their numbers as a print-ready page (pure text;
`nncheck variants` writes it beside problems.md).

Self-contained as report.html is (no script, no network, the same Content-Security-Policy).
Printed, every page carries the student's id and name, the variant and the check code: a
`position: fixed` block, which browsers repeat at the top of every printed page (Chromium does
not support the paged-media running headers of `@page`), so a scanned page names whose numbers
it holds. Every roster and problem string is made inert and escaped for HTML by `render.html`.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from nncheck.render.html import CSP, lines, text

HEADER_HEIGHT = "2.2em"  # the printed header; the page's text starts below it

_STYLE = f"""
body {{ font: 15px/1.5 system-ui, sans-serif; margin: 2em auto; max-width: 48em;
       padding: 0 1em; color: #000; }}
.who {{ border: 1px solid #000; padding: .3em .6em; font-weight: 600; }}
h1 {{ font-size: 1.5em; }} h2 {{ font-size: 1.2em; margin-top: 1.5em; }}
.text {{ white-space: pre-wrap; }}
section.problem {{ page-break-inside: avoid; break-inside: avoid; }}
ol.parts {{ list-style: none; padding: 0; }}
ol.parts > li {{ margin: .8em 0; page-break-inside: avoid; break-inside: avoid; }}
.answer {{ border: 1px solid #888; min-height: 3em; margin-top: .3em; padding: .2em .4em;
          color: #888; font-size: .85em; }}
.answer.long {{ min-height: 9em; }}
@page {{ size: A4; margin: 18mm 16mm 16mm 16mm; }}
@media print {{
  body {{ margin: 0; max-width: none; padding: {HEADER_HEIGHT} 0 0 0; font-size: 12pt; }}
  .who {{ position: fixed; top: 0; left: 0; right: 0; height: 1.4em; margin: 0;
         background: #fff; font-size: 10pt; }}
}}
"""


def page(drawn: Mapping[str, Any], student: str, name: str | None, variant: int,
         code: str) -> str:
    """The page of one student: `drawn` maps each problem id to its loaded problem, drawn for
    the student's variant (the numbers already in its texts, as problems.md has them)."""
    who = text(student) + (f" ({text(name)})" if name else "")
    mark = f"{who} · variant {variant} · code {text(code)}"
    out = ["<!DOCTYPE html>", '<html lang="en">', "<head>", '<meta charset="utf-8">',
           f'<meta http-equiv="Content-Security-Policy" content="{CSP}">',
           f"<title>Exam — {who}</title>", f"<style>{_STYLE}</style>", "</head>", "<body>",
           f'<header class="who">{mark}</header>',
           f"<h1>Exam — {who}</h1>",
           f"<p>Variant {variant}, check code <code>{text(code)}</code>: copy both onto your "
           "answer sheet (the blank sheet has them).</p>"]
    for pid, loaded in drawn.items():
        problem = loaded.problem
        title = f" — {text(problem.title)}" if problem.title else ""
        points = sum(p.points for p in problem.parts)
        out += ['<section class="problem">',
                f"<h2>{text(pid)}{title} ({_points(points)})</h2>"]
        if problem.text:
            out.append(f'<div class="text">{lines(problem.text.strip())}</div>')
        out.append('<ol class="parts">')
        for part in problem.parts:
            said = f' <span class="text">{lines(part.text.strip())}</span>' if part.text else ""
            size = " long" if getattr(part, "ask", None) == "manual" else ""
            out.append(f"<li><b>{text(part.id)}</b> ({_points(part.points)}){said}"
                       f'<div class="answer{size}">answer</div></li>')
        out += ["</ol>", "</section>"]
    out += ["</body>", "</html>"]
    return "\n".join(out) + "\n"


def _points(points: float) -> str:
    return f"{points:g} point{'' if points == 1 else 's'}"
