"""A small bank of choice parts and a class answering it, for the roster and import tests.

Every score is plain to compute by hand: a choice part earns its points when the answer is its
key, and nothing otherwise.
"""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path
from typing import Any

from typer.testing import CliRunner

from nncheck.cli import app

# p1: a (key A, 2 points), b (key B, 3 points); p2: c (key C, 1 point). 6 points in all.
P1 = """\
id: p1
title: First
parts:
  - {id: a, ask: choice, options: [A, B, C], key: A, points: 2}
  - {id: b, ask: choice, options: [A, B, C], key: B, points: 3}
"""
P2 = """\
id: p2
title: Second
parts:
  - {id: c, ask: choice, options: [A, B, C], key: C, points: 1}
"""


def make_bank(tmp_path: Path) -> Path:
    """The two-problem bank above, in tmp_path/bank."""
    folder = tmp_path / "bank"
    folder.mkdir()
    (folder / "p1.yaml").write_text(P1, encoding="utf-8")
    (folder / "p2.yaml").write_text(P2, encoding="utf-8")
    return folder


def sheet_text(sid: str, name: str, a: str, b: str, c: str, email: str | None = None) -> str:
    """A sheet answering a, b and c."""
    who = f"id: {json.dumps(sid)}, name: {json.dumps(name)}"
    if email is not None:
        who += f", email: {json.dumps(email)}"
    return (f"student: {{{who}}}\nanswers:\n  p1: {{a: {a}, b: {b}}}\n  p2: {{c: {c}}}\n")


def make_class(tmp_path: Path, sheets: dict[str, str]) -> Path:
    """tmp_path/class holding each sheet text under its file name."""
    folder = tmp_path / "class"
    folder.mkdir(exist_ok=True)
    for name, text in sheets.items():
        (folder / name).write_text(text, encoding="utf-8")
    return folder


def grade(*args: object) -> tuple[int, str, str]:
    """`nncheck grade ARGS` in-process: exit code, stdout, stderr."""
    result = CliRunner().invoke(app, ["grade", *(str(a) for a in args), "--jobs", "1"])
    return result.exit_code, result.stdout, result.stderr


def csv_rows(path: Path) -> list[list[str]]:
    """A CSV file's rows as a spreadsheet reads them (BOM dropped)."""
    text = path.read_bytes().decode("utf-8-sig")
    return list(csv.reader(io.StringIO(text, newline="")))


def summary(out: Path) -> dict[str, Any]:
    return json.loads((out / "summary.json").read_text("utf-8"))
