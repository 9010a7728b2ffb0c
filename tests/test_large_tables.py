"""Large truth tables: rows kept as an array, JSON written straight from it (the same bytes),
and a class report that summarises the table instead of repeating it on every line."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import numpy as np
import pytest
import yaml
from typer.testing import CliRunner

from nncheck.cli import app

N = 13  # 8,192 rows: more than the 4,096 rows of a large table (docs/format.md)


def hand_rows() -> list[list[object]]:
    """The table of Y = AND of 13 inputs, written out: z_Y = (ones in the row) - 12.5, and Y
    is on only on the last row, where all 13 inputs are on (z_Y = 0.5)."""
    rows = []
    for k in range(1 << N):
        bits = [(k >> (N - 1 - i)) & 1 for i in range(N)]
        rows.append([*bits, sum(bits) - 12.5, 1 if k == (1 << N) - 1 else 0])
    return rows


@pytest.fixture
def bank(tmp_path: Path) -> Path:
    names = [f"x{i}" for i in range(N)]
    problem = {
        "id": "big", "title": "thirteen inputs",
        "given": {"net": {"kind": "network", "inputs": names, "activation": "step",
                          "layers": [{"Y": {"w": [1] * N, "b": -12.5}}]}},
        "parts": [{"id": "t", "ask": "truth_table", "network": "net", "columns": ["z_Y", "Y"],
                   "points": 1}],
    }
    (tmp_path / "bank").mkdir()
    (tmp_path / "bank" / "big.yaml").write_text(yaml.safe_dump(problem), encoding="utf-8")
    (tmp_path / "class").mkdir()
    for who in ("ann", "bob"):  # wrong on the last row only: Y is 1 there, z_Y is 0.5
        sheet = {"student": {"id": who},
                 "answers": {"big": {"t": {"z_Y": {"else": "off"}, "Y": {"else": 0}}}}}
        (tmp_path / "class" / f"{who}.yaml").write_text(yaml.safe_dump(sheet),
                                                        encoding="utf-8")
    return tmp_path


def run(*args: object):
    return CliRunner().invoke(app, [str(a) for a in args])


def test_check_json_writes_the_whole_table_as_json_dumps_writes_its_rows(bank: Path):
    done = run("check", bank / "class" / "ann.yaml", "--problems", bank / "bank",
               "--format", "json")
    assert done.exit_code == 1, done.output
    expected = json.loads(done.output)["problems"][0]["parts"][0]["expected"]
    assert expected["columns"] == [f"x{i}" for i in range(N)] + ["z_Y", "Y"]
    assert expected["rows"] == hand_rows()
    # The bytes, too: the rows are written as json.dumps writes the lists.
    assert json.dumps(hand_rows()) in done.output


def test_a_class_report_summarises_a_large_table_on_each_line(bank: Path):
    out = bank / "report"
    done = run("grade", bank / "class", "--problems", bank / "bank", "--out", out)
    assert done.exit_code == 1, done.output
    lines = (out / "results.jsonl").read_text(encoding="utf-8").splitlines()
    assert len(lines) == 2
    rows = hand_rows()
    for line in lines:
        expected = json.loads(line)["problems"][0]["parts"][0]["expected"]
        assert expected == {
            "columns": [f"x{i}" for i in range(N)] + ["z_Y", "Y"],
            "row_count": 8192,
            "sha256": hashlib.sha256(json.dumps(rows).encode()).hexdigest(),
            "differing_count": 1,
            "differing": [[1] * N + [0.5, 1]],
        }
        assert len(line) < 2000  # not the table: its JSON alone is over 300 kB


def test_gradescope_shows_a_large_expected_table_by_its_shape(bank: Path):
    out = bank / "report"
    done = run("grade", bank / "class", "--problems", bank / "bank", "--out", out,
               "--reveal", "expected")
    assert done.exit_code == 1, done.output
    text = (out / "gradescope" / "ann.json").read_text(encoding="utf-8")
    test = json.loads(text)["tests"][0]
    assert "expected: table, 8192 rows\\n" in json.dumps(test["output"])
    assert len(text) < 5000


def test_the_text_report_never_builds_the_rows_of_a_large_table(bank: Path, monkeypatch):
    from nncheck.compare import table_rows

    def refuse(self):
        raise AssertionError("the rows were built")

    monkeypatch.setattr(table_rows.TableRows, "__iter__", refuse)
    monkeypatch.setattr(table_rows.TableRows, "__getitem__", refuse)
    done = run("check", bank / "class" / "ann.yaml", "--problems", bank / "bank",
               "--format", "text")
    assert done.exit_code == 1, done.output
    assert "table, 8192 rows" in done.output


@pytest.mark.parametrize("rows", [
    [[0.0, -0.0, 1.5, float("inf")], [float("-inf"), float("nan"), 2.0, 1e17],
     [3.0, 2.0**53, -(2.0**53), 0.1]],
    [[-1.0, 1.0, 0.25], [1.0, -1.0, -0.75], [1.0, 1.0, 1e-300]],
    [[0.0, 1.0], [1.0, 0.0]],
])
def test_rows_are_written_as_format_8_writes_each_number(rows):
    from nncheck.compare.table_rows import TableRows

    # FORMAT §8: integral numbers below 2^53 as integers, others as floats, infinities and
    # NaN as strings.
    def written(x: float) -> object:
        if x != x:
            return "nan"
        if x in (float("inf"), float("-inf")):
            return "inf" if x > 0 else "-inf"
        return int(x) if x == int(x) and abs(x) < 2.0**53 else x

    want = json.dumps([[written(x) for x in row] for row in rows])
    assert TableRows(np.array(rows)).json_text() == want
