"""`nncheck variants` writes each student's problems as a print-ready HTML page too."""

from __future__ import annotations

import re
import shutil
import subprocess
from html.parser import HTMLParser
from pathlib import Path

import pytest
import yaml
from test_variants import SECRET, VARIED, small_bank
from typer.testing import CliRunner

from nncheck import variants
from nncheck.cli import app

SCRIPT = "<script>alert(1)</script>"
IMG = '"><img src=x onerror=alert(1)>'
# A CSV cell with a quote is quoted and its quote doubled (RFC 4180).
ROSTER = ("Student ID,Name\n"
          f"ada,{SCRIPT}\n"
          f'bo,"""><img src=x onerror=alert(1)>"\n'
          "cy,Cy \u202eevil\n")
NAMES = {"ada": SCRIPT, "bo": IMG, "cy": "Cy \u202eevil"}
# The policy report.html has, written out: nothing may load but inline style and data: images.
CSP = "default-src 'none'; style-src 'unsafe-inline'; img-src data:"
# Every tag a page may hold: none runs or loads anything.
TAGS = {"html", "head", "meta", "title", "style", "body", "header", "h1", "h2", "p", "code",
        "section", "div", "ol", "li", "b", "span"}


class Page(HTMLParser):
    """The tags, attributes and header text of a page."""

    def __init__(self, text: str) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[str] = []
        self.attrs: list[tuple[str, str | None]] = []
        self.headers: list[str] = []
        self.answers = 0
        self._in_header = False
        self.feed(text)
        self.close()

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append(tag)
        self.attrs += attrs
        if tag == "header":
            self._in_header = True
            self.headers.append("")
        if tag == "div" and (("class", "answer") in attrs or ("class", "answer long") in attrs):
            self.answers += 1

    def handle_endtag(self, tag: str) -> None:
        if tag == "header":
            self._in_header = False

    def handle_data(self, data: str) -> None:
        if self._in_header:
            self.headers[-1] += data


def write(tmp_path: Path, bank: Path) -> Path:
    roster = tmp_path / "roster.csv"
    roster.write_text(ROSTER, encoding="utf-8")
    out = tmp_path / "handout"
    result = CliRunner().invoke(app, ["variants", str(bank), "--roster", str(roster),
                                      "--out", str(out)])
    assert result.exit_code == 0, result.stderr
    return out


def page_of(out: Path, sid: str) -> str:
    return (out / "students" / sid / "problems.html").read_text("utf-8")


def test_hostile_roster_names_are_escaped_in_the_page(tmp_path, monkeypatch):
    monkeypatch.setenv("NNCHECK_SECRET", SECRET)
    out = write(tmp_path, small_bank(tmp_path))
    for sid in NAMES:
        text = page_of(out, sid)
        parsed = Page(text)
        assert set(parsed.tags) <= TAGS, set(parsed.tags) - TAGS
        assert not [a for a, _ in parsed.attrs if a.lower().startswith("on") or a in
                    ("src", "href", "srcset", "action")]
        assert f'<meta http-equiv="Content-Security-Policy" content="{CSP}">' in text
        assert "<script" not in text.lower() and "<img" not in text.lower()
    # The names as HTML escaping writes them: & < > " and ' as entities.
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page_of(out, "ada")
    assert "&quot;&gt;&lt;img src=x onerror=alert(1)&gt;" in page_of(out, "bo")
    # A bidirectional override is shown as its escape, never written as itself.
    assert "\u202e" not in page_of(out, "cy") and "Cy \\u202eevil" in page_of(out, "cy")


def test_every_page_has_the_header_with_id_variant_and_code(tmp_path, monkeypatch):
    monkeypatch.setenv("NNCHECK_SECRET", SECRET)
    bank = small_bank(tmp_path)
    out = write(tmp_path, bank)
    for sid, name in NAMES.items():
        v = variants.exam_variant(SECRET.encode(), sid)
        code = variants.check_code(SECRET.encode(), sid, v)
        text = page_of(out, sid)
        parsed = Page(text)
        shown = name.replace("\u202e", "\\u202e")
        assert parsed.headers == [f"{sid} ({shown}) · variant {v} · code {code}"]
        # Printed, the header is fixed, which repeats it at the top of every page; a problem
        # is not split across pages, and the page has margins.
        printed = text.split("@media print {", 1)[1].split("</style>", 1)[0]
        assert re.search(r"\.who \{[^}]*position: fixed", printed)
        assert re.search(r"@page \{[^}]*margin:", text)
        assert re.search(r"section\.problem \{[^}]*page-break-inside: avoid", text)
        # The numbers are the student's own, as problems.md has them: p, then q = 1 - p.
        md = (out / "students" / sid / "problems.md").read_text("utf-8")
        p = float(md.split("ŷ = (")[1].split(",")[0])
        assert f"The loss for ŷ = ({p:g}, {1 - p:.1f}) with y = (1, 0)." in text
        assert f"p is {p:g}" in text
        assert parsed.answers == 1  # a box to write the answer of the one part in


def test_the_seed_exam_page_has_a_box_for_every_part(tmp_path, monkeypatch):
    monkeypatch.setenv("NNCHECK_SECRET", SECRET)
    out = write(tmp_path, VARIED)
    parts = sum(len(yaml.safe_load(f.read_text("utf-8"))["parts"])
                for f in sorted(VARIED.glob("*.yaml")))
    assert parts > 0
    parsed = Page(page_of(out, "ada"))
    assert parsed.answers == parts
    assert [t for t in parsed.tags if t == "section"] == ["section"] * 2  # Q5 and Q7


def _chromium() -> str | None:
    return shutil.which("chromium") or shutil.which("chromium-browser")


@pytest.mark.skipif(_chromium() is None,
                    reason="Chromium is not installed (apt-get install chromium; .ci/run does)")
def test_the_page_prints_to_pdf_with_chromium(tmp_path, monkeypatch):
    monkeypatch.setenv("NNCHECK_SECRET", SECRET)
    out = write(tmp_path, VARIED)
    browser = _chromium()
    assert browser is not None
    page = out / "students" / "ada" / "problems.html"
    assert page.is_file()
    pdf = tmp_path / "ada.pdf"
    done = subprocess.run(
        [browser, "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run",
         f"--user-data-dir={tmp_path / 'profile'}", "--no-pdf-header-footer",
         f"--print-to-pdf={pdf}", "--enable-logging=stderr", "--v=0",
         page.as_uri()],
        capture_output=True, text=True, timeout=180, check=False)
    assert done.returncode == 0, done.stderr[-2000:]
    # Nothing was blocked by the policy: a blocked script or fetch logs a console message.
    assert [line for line in done.stderr.splitlines() if ":CONSOLE" in line] == []
    data = pdf.read_bytes()
    assert data.startswith(b"%PDF-")
    # A PDF's page objects are dictionaries of /Type /Page (the page tree's are /Pages).
    assert len(re.findall(rb"/Type\s*/Page(?![a-zA-Z])", data)) >= 1
    # The PDF's title is the page's, as text (UTF-16BE in hex): the hostile name was read as
    # words, not as a tag.
    title = re.search(rb"/Title\s*<FEFF([0-9A-Fa-f]*)>", data)
    assert title is not None
    assert bytes.fromhex(title.group(1).decode()).decode("utf-16-be") == f"Exam — ada ({SCRIPT})"
