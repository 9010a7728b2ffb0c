"""A one-problem bank and a four-student class for the answer-group, rule and review tests.

Every score is plain to compute by hand:

    part p (2 points): the cross-entropy of ŷ = (0.25, 0.25, 0.3, 0.2) with y = iguana (the
    third class): -ln 0.3 = 1.2039728; with log base 10 instead, -log10 0.3 = 0.5228787.
    part w (1 point): manual, a person scores it.

    s1: p "-log(0.3)" (correct, 2), w "Zero gradient."
    s2: p 0.5229 (wrong: the log-10 value), w "zero   gradient"  (w: the same text as s1's)
    s3: p "0.5229" (the same value as s2's), w "It is not differentiable"
    s4: p 0.7 (wrong), w not answered
"""

from __future__ import annotations

import csv
import json
from pathlib import Path
from typing import Any

from typer.testing import CliRunner

from nncheck.cli import app

BANK = """\
id: q
title: Cross-entropy
given:
  y: [0, 0, 1, 0]
  pred: [0.25, 0.25, 0.3, 0.2]
parts:
  - {id: p, ask: loss, fn: cross_entropy, y_true: y, y_pred: pred, points: 2}
  - {id: w, ask: manual, text: Why not train with accuracy?, rubric: no gradient, points: 1}
"""

ANSWERS: dict[str, dict[str, Any]] = {
    "s1": {"p": "-log(0.3)", "w": "Zero gradient."},
    "s2": {"p": 0.5229, "w": "zero   gradient"},
    "s3": {"p": "0.5229", "w": "It is not differentiable"},
    "s4": {"p": 0.7},
}


def sheet(sid: str, answers: dict[str, Any]) -> str:
    """An answer sheet for student `sid` answering problem q."""
    return json.dumps({"student": {"id": sid, "name": sid.upper()}, "answers": {"q": answers}},
                      ensure_ascii=False) + "\n"


def make(tmp_path: Path, answers: dict[str, dict[str, Any]] | None = None) -> tuple[Path, Path]:
    """The bank folder and the class folder, under tmp_path."""
    bank = tmp_path / "bank"
    bank.mkdir()
    (bank / "q.yaml").write_text(BANK, encoding="utf-8")
    klass = tmp_path / "class"
    klass.mkdir()
    for sid, given in (ANSWERS if answers is None else answers).items():
        (klass / f"{sid}.yaml").write_text(sheet(sid, given), encoding="utf-8")
    return bank, klass


def run(*args: object, stdin: str | None = None) -> tuple[int, str, str]:
    """Run nncheck in-process: exit code, stdout, stderr."""
    result = CliRunner().invoke(app, [str(a) for a in args], input=stdin)
    return result.exit_code, result.stdout, result.stderr


def parts(out: Path) -> dict[str, dict[str, dict[str, Any]]]:
    """student -> part id -> the part's object in results.jsonl."""
    found = {}
    for line in (out / "results.jsonl").read_text("utf-8").splitlines():
        row = json.loads(line)
        found[row["student"]["id"]] = {p["id"]: p for p in row["problems"][0]["parts"]}
    return found


def grades(out: Path) -> dict[str, dict[str, str]]:
    """student -> their grades.csv row."""
    with open(out / "grades.csv", encoding="utf-8-sig", newline="") as f:
        return {row["id"]: row for row in csv.DictReader(f)}
