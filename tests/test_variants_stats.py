"""Class statistics per variant (summary.json `variants`), and the unfair-draw flag.

The flag's rule, written out: a variant's mean differs from the mean of the rest by more than
2 standard errors, SE = sqrt(s_v^2/n_v + s_r^2/n_r) with sample variances.
"""

from __future__ import annotations

import json
import math

from test_variants import SECRET, small_bank
from typer.testing import CliRunner

from nncheck import variants
from nncheck.cli import app
from nncheck.variant_stats import unfair


def moments(values: list[float]) -> tuple[int, float, float]:
    return len(values), sum(values), sum(v * v for v in values)


def test_a_variant_two_standard_errors_off_is_flagged():
    # mean 1/6, s^2 = 1/6; rest mean 10/12, s^2 = (10 - 12 (5/6)^2) / 11 = 5/33
    # SE = sqrt(1/36 + 5/396) = 0.2010, gap 2/3 > 0.402: flagged.
    assert unfair(moments([0, 0, 0, 0, 0, 1]), moments([1] * 10 + [0, 0]))
    # mean 1/4, s^2 = 1/4; rest mean 3/4, s^2 = 3/14; SE = sqrt(1/16 + 3/112) = 0.2988,
    # gap 1/2 < 0.598: not flagged.
    assert not unfair(moments([0, 0, 0, 1]), moments([1, 1, 1, 0, 1, 1, 1, 0]))
    # A single sheet is too few to tell.
    assert not unfair(moments([0]), moments([1] * 20))


def test_summary_lists_each_variant_with_its_sheets_and_mean(tmp_path, monkeypatch):
    monkeypatch.setenv("NNCHECK_SECRET", SECRET)
    bank = small_bank(tmp_path)
    klass = tmp_path / "class"
    klass.mkdir()
    names = [f"s{n}" for n in range(12)]
    for name in names:  # every sheet answers 0.5: right for no variant (the where: p != 0.5)
        (klass / f"{name}.yaml").write_text(
            f"student: {{id: {name}}}\nanswers:\n  small: {{a: {-math.log(0.5)}}}\n",
            encoding="utf-8")
    out = tmp_path / "out"
    result = CliRunner().invoke(app, ["grade", str(klass), "-p", str(bank), "--out", str(out)])
    assert result.exit_code == 1, result.stderr
    summary = json.loads((out / "summary.json").read_text("utf-8"))
    expected: dict[int, int] = {}
    for name in names:  # problem variant 1 + ((V - 1) mod 5)
        n = 1 + (variants.exam_variant(SECRET.encode(), name) - 1) % 5
        expected[n] = expected.get(n, 0) + 1
    got = {v["variant"]: v["sheets"] for v in summary["variants"]}
    assert got == expected
    assert all(v["problem"] == "small" and v["mean"] == 0 and not v["unfair"]
               for v in summary["variants"])


def test_merged_shards_count_the_variants_of_one_run(tmp_path, monkeypatch):
    monkeypatch.setenv("NNCHECK_SECRET", SECRET)
    bank = small_bank(tmp_path)
    klass = tmp_path / "class"
    klass.mkdir()
    for n in range(10):
        (klass / f"s{n}.yaml").write_text(
            f"student: {{id: s{n}}}\nanswers:\n  small: {{a: {n / 10}}}\n", encoding="utf-8")
    run = CliRunner().invoke
    assert run(app, ["grade", str(klass), "-p", str(bank), "--out", str(tmp_path / "one")]
               ).exit_code == 1
    for k in (1, 2):
        assert run(app, ["grade", str(klass), "-p", str(bank), "--shard", f"{k}/2",
                         "--out", str(tmp_path / f"shard{k}")]).exit_code == 1
    merged = run(app, ["merge", str(tmp_path / "merged"), str(tmp_path / "shard1"),
                       str(tmp_path / "shard2")])
    assert merged.exit_code in (0, 1), merged.stderr

    def summary(name: str) -> dict:
        return json.loads((tmp_path / name / "summary.json").read_text("utf-8"))

    assert summary("merged")["variants"] == summary("one")["variants"]
    assert sum(v["sheets"] for v in summary("one")["variants"]) == 10
