"""Golden reports: one small problem and sheet per ask family, rendered as text and as rich tables.

Each family has a bank `golden/banks/<ask>/` and a sheet `golden/sheets/<ask>.yaml`; the reports
`check` prints are compared line by line with `golden/text/<ask>.txt` and, drawn by rich on an
80- and a 120-column console without colour, with `golden/rich-80/` and `golden/rich-120/`.
`golden/README.md` says how every expected value in them was derived by hand.
`NNCHECK_UPDATE_GOLDEN=1 pytest tests/test_golden.py` rewrites them (then read the diff).
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from typer.testing import CliRunner

from nncheck.cli import app

GOLDEN = Path(__file__).parent / "golden"
ASKS = ["truth_table", "realize", "forward", "param_count", "output_shape", "formula", "loss",
        "gradient", "equivalent", "choice", "manual", "receptive_field", "padding", "flops",
        "macs", "activation_memory", "layer_output", "optimizer_step", "perceptron",
        "learning_rule", "separable", "min_units"]
FAMILIES = [*ASKS, "graph"]  # the asks, and `forward` and `gradient` on a computational graph
# rich sizes a console that is not a terminal from COLUMNS and draws it without colour unless
# told otherwise: the CLI's console is then Console(width=COLUMNS, color_system=None). Without
# a course secret the sample points (gradient `form: formula`, equivalence) are the public ones.
PLAIN = {"FORCE_COLOR": None, "NO_COLOR": None, "TTY_COMPATIBLE": None,
         "TTY_INTERACTIVE": None, "TERM": "dumb", "NNCHECK_SECRET": None}


def report(ask: str, fmt: str, width: int, monkeypatch: pytest.MonkeyPatch) -> str:
    """The report `check` prints for a family's sheet, paths relative to `golden/`."""
    monkeypatch.chdir(GOLDEN)
    result = CliRunner().invoke(
        app, ["check", f"sheets/{ask}.yaml", "--problems", f"banks/{ask}", "--format", fmt],
        env={**PLAIN, "COLUMNS": str(width)},
    )
    # Every sheet gets at least one part wrong or left to a person: the exit code is 1.
    assert result.exit_code == 1, result.output
    assert result.stderr == ""
    return result.stdout


def compare(got: str, path: Path) -> None:
    """Compare a report with its golden file line by line (or rewrite the file on request)."""
    # Trailing blanks are rich's padding of a line to the console's width, not content.
    lines = [line.rstrip() for line in got.splitlines()]
    if os.environ.get("NNCHECK_UPDATE_GOLDEN") == "1":
        path.parent.mkdir(exist_ok=True)
        path.write_text("".join(line + "\n" for line in lines), encoding="utf-8")
        pytest.skip(f"rewrote {path.relative_to(GOLDEN.parent)}: check the diff by hand")
    want = path.read_text(encoding="utf-8").splitlines()
    for number, (g, w) in enumerate(zip(lines, want), start=1):
        assert g == w, f"{path.name} line {number} differs"
    assert len(lines) == len(want), f"{path.name}: {len(lines)} lines, golden has {len(want)}"


@pytest.mark.parametrize("ask", FAMILIES)
def test_text_report_of_each_ask_matches_its_golden_file(ask, monkeypatch):
    compare(report(ask, "text", 80, monkeypatch), GOLDEN / "text" / f"{ask}.txt")


@pytest.mark.parametrize("width", [80, 120])
@pytest.mark.parametrize("ask", FAMILIES)
def test_rich_report_of_each_ask_matches_its_golden_file(ask, width, monkeypatch):
    got = report(ask, "rich", width, monkeypatch)
    assert "\x1b" not in got  # no colour, no cursor movement: plain text in boxes
    assert max(len(line) for line in got.splitlines()) == width  # the table rule is full width
    compare(got, GOLDEN / f"rich-{width}" / f"{ask}.txt")


def test_every_ask_of_the_format_has_a_golden_report():
    from nncheck.spec.parts import PART_MODELS

    assert sorted(PART_MODELS) == sorted(ASKS)
    assert sorted(p.stem for p in (GOLDEN / "sheets").glob("*.yaml")) == sorted(FAMILIES)
