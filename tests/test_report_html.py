"""report.html: self-contained, every string from a sheet or a problem escaped, and loaded by a
real headless Chromium with no console message (a blocked script or image logs one)."""

from __future__ import annotations

import shutil
import subprocess
from html.parser import HTMLParser
from pathlib import Path

import pytest

from conftest import SEED
from nncheck import gradebook
from nncheck.render import html as page

HOSTILE = [
    "<script>alert(1)</script>",
    '"><img src=x onerror=alert(2)>',
    "javascript:alert(3)",
    "'><svg onload=alert(4)>",
    "\u202eevil\u202c</pre><script>alert(5)</script>",
]
# What the page may hold: the tags it writes itself, and links only to its own sections.
TAGS = {"html", "head", "meta", "title", "style", "body", "h1", "h2", "h3", "p", "nav", "a",
        "table", "tr", "th", "td", "svg", "rect", "line", "text", "circle", "section", "pre",
        "br"}
SECTIONS = {"#scores", "#items", "#parts", "#shared", "#students"}


class _Elements(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.tags: list[tuple[str, dict[str, str | None]]] = []
        self.ids: set[str] = set()

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, dict(attrs)))
        if dict(attrs).get("id"):
            self.ids.add(str(dict(attrs)["id"]))


def _check_inert(text: str) -> _Elements:
    """Only the page's own tags and attributes; no handler, no link out, no script."""
    found = _Elements()
    found.feed(text)
    for tag, attrs in found.tags:
        assert tag in TAGS, f"unexpected <{tag}>"
        assert not [a for a in attrs if a.startswith("on")], f"a handler on <{tag}>"
        if tag == "a":
            href = attrs["href"] or ""
            assert href in SECTIONS or href.startswith("#student-"), href
    assert "<script" not in text.lower()
    assert "\u202e" not in text  # bidi controls are shown escaped, never applied
    return found


def _class(tmp_path: Path) -> Path:
    """Three sheets of the seed exam's Q6, their ids and answers hostile; two share the same
    wrong answers, so they are listed as a pair."""
    bank = tmp_path / "bank"
    bank.mkdir()
    shutil.copy(SEED / "q6-linear-depth.yaml", bank)
    cls = tmp_path / "class"
    cls.mkdir()
    for i, sid in enumerate(HOSTILE[:3]):
        pick = HOSTILE[1] if i < 2 else "A"
        (cls / f"s{i}.yaml").write_text(
            f"student:\n  id: {sid!r}\n  name: {HOSTILE[3]!r}\nanswers:\n  q6-linear-depth:\n"
            f"    a: {pick!r}\n    b-advantage: 'yes'\n"
            f"    b-collapse: {HOSTILE[4]!r}\n", encoding="utf-8")
    return tmp_path


def _report(tmp_path: Path) -> Path:
    root = _class(tmp_path)
    gradebook.grade_into(root / "out", root / "class", root / "bank")
    return root / "out" / "report.html"


def test_report_html_escapes_hostile_ids_and_answers(tmp_path):
    text = _report(tmp_path).read_text(encoding="utf-8")
    found = _check_inert(text)
    # The strict policy is the first thing in the head, before any content.
    assert text.index('http-equiv="Content-Security-Policy"') < text.index("<body>")
    assert f'content="{page.CSP}"' in text
    assert page.CSP == "default-src 'none'; style-src 'unsafe-inline'; img-src data:"
    # Each student has a section whose id is a hash, linked from the index; the hostile id is
    # shown as text (escaped), never used as the anchor.
    sections = [a["id"] for t, a in found.tags if t == "section"]
    assert len(sections) == 3 and all(s and s.startswith("student-") for s in sections)
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in text
    assert "javascript:alert(3)" in text and 'href="javascript' not in text
    assert "\\u202e" in text  # shown, as words.inert shows it
    # No address outside the page: no http, no file, no CDN.
    assert "http://" not in text.replace('xmlns="http://www.w3.org/2000/svg"', "")
    assert "https://" not in text


def test_every_section_is_there(tmp_path):
    text = _report(tmp_path).read_text(encoding="utf-8")
    for heading in ("Scores", "Item analysis", "Parts", "Shared rare wrong answers", "Students"):
        assert f">{heading}</h2>" in text
    assert 'aria-label="score histogram"' in text
    assert 'aria-label="difficulty against discrimination"' in text
    # The two who both picked the same invalid option and answered `yes` (the named mistake):
    assert "Options chosen:" in text and "Named mistakes:" in text


def test_synthetic_summary_with_hostile_strings_everywhere():
    evil = HOSTILE[1]
    part = {"problem": evil, "part": evil, "max_points": 1.0, "graded": 2, "passed": 1,
            "pass_rate": 0.5, "status": {"wrong": 1, "correct": 1},
            "wrong_answers": [{"answer": evil, "shown": evil, "count": 2, "mistake": evil}],
            "mistakes": {evil: 2}, "options": {evil: 2}, "difficulty": 0.5, "stdev": 0.5,
            "item_rest": -0.2, "upper_lower": -0.5, "flags": ["check-key"]}
    summary = {"class_dir": evil, "sheets": 2, "status": {"ok": 1, "failed": 1},
               "max_score": 1.0, "histogram": [{"from": 0.0, "to": 1.0, "count": 1},
                                               {"from": 1.0, "to": 1.0, "count": 1}],
               "scores": {"mean": 0.5, "median": 0.5, "min": 0.0, "max": 1.0, "stdev": 0.5},
               "parts": [part], "items": {"students": 2, "items": 1},
               "shared_rare_wrong_answers": {
                   "rare": 3, "shared": 2, "more": 0,
                   "pairs": [{"students": [HOSTILE[0], HOSTILE[2]], "score": 1.0,
                              "answers": [{"problem": evil, "part": evil, "shown": evil,
                                           "count": 2}]}]}}
    text = (page.page_start(summary, [(HOSTILE[2], "ok", "1/1")])
            + page.student_section(HOSTILE[2], evil, "ok", "1/1", evil + "\n" + HOSTILE[4], None)
            + page.page_end())
    _check_inert(text)
    assert "check the key" in text
    assert f'href="#{page.anchor(HOSTILE[2])}"' in text
    assert "not a finding" in text  # a pair is something to look at, never a verdict


def _chromium() -> str | None:
    return shutil.which("chromium") or shutil.which("chromium-browser")


def _load(browser: str, url: str, shot: Path, profile: Path) -> list[str]:
    """Load a page headless, take a screenshot 1280 px wide; return its console messages."""
    done = subprocess.run(
        [browser, "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run",
         f"--user-data-dir={profile}", f"--screenshot={shot}", "--window-size=1280,2000",
         "--enable-logging=stderr", "--v=0", url],
        capture_output=True, text=True, timeout=180, check=False)
    assert done.returncode == 0, done.stderr[-2000:]
    return [line for line in done.stderr.splitlines() if ":CONSOLE" in line]


@pytest.mark.skipif(_chromium() is None,
                    reason="Chromium is not installed (apt-get install chromium; .ci/run does)")
def test_chromium_loads_report_with_no_console_message(tmp_path):
    browser = _chromium()
    assert browser is not None
    report = _report(tmp_path)
    shot = tmp_path / "report.png"
    messages = _load(browser, report.as_uri(), shot, tmp_path / "profile")
    assert messages == []
    data = shot.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    assert int.from_bytes(data[16:20], "big") == 1280  # the PNG's width, from its IHDR chunk
    # The check can fail: a page whose script the same policy blocks logs a console message.
    bad = tmp_path / "bad.html"
    bad.write_text(f'<!DOCTYPE html><meta http-equiv="Content-Security-Policy" '
                   f'content="{page.CSP}"><script>1</script><p>x</p>', encoding="utf-8")
    assert _load(browser, bad.as_uri(), tmp_path / "bad.png", tmp_path / "profile2")
