"""The recorded oracle files: every case the tests choose is recorded as they choose it, the
`--check` mode of record.py reports differences, and, where torch is installed, torch still
gives the recorded answers."""

from __future__ import annotations

import importlib
import importlib.util
import sys
import types
from typing import Any

import pytest

from oracle import data, record

MODULES: dict[str, Any] = {f: importlib.import_module(f"oracle.{f}") for f in data.FAMILIES}


@pytest.mark.parametrize("family", data.FAMILIES)
def test_every_case_is_recorded_as_the_tests_choose_it(family: str) -> None:
    recorded = data.load(family)
    assert recorded["recorded_by"] == data.RECORDED_BY
    assert recorded["torch"] and recorded["numpy"]
    cases = MODULES[family].CASES
    assert list(recorded["cases"]) == [c.id for c in cases], (
        f"the cases changed: run {data.RECORDED_BY}")
    changed = [c.id for c in cases if recorded["cases"][c.id]["input"] != data.normal(c.data)]
    assert not changed, f"{changed[:5]} changed: run {data.RECORDED_BY}"


def test_every_recorded_answer_is_an_answer() -> None:
    # Torch refuses a model (None) or answers; every loss and gradient is a finite number.
    answers = {f: data.answers(f) for f in data.FAMILIES}
    assert all(a is None or a["params"] >= 0 for a in answers["models"].values())
    assert sum(a is None for a in answers["models"].values()) >= 100  # refusals compared too
    numbers = [*(v for a in answers["losses"].values() for v in a.values()),
               *(v for a in answers["gradients"].values() for v in a),
               *(v for a in answers["graphs"].values() for v in a),
               *(v for a in answers["skips"].values() for v in a)]
    assert all(isinstance(v, float) and abs(v) < 1e300 for v in numbers)


# --- the comparison of two recordings ------------------------------------------------------------

def _cases(answer: Any, input: Any = 1) -> dict[str, Any]:
    return {"a": {"input": input, "torch": answer}}


@pytest.mark.parametrize(("was", "now", "same"), [
    pytest.param(1.0, 1.0 + 5e-13, True, id="within-rel-1e-12"),
    pytest.param(1.0, 1.0 + 3e-12, False, id="beyond-rel-1e-12"),
    # 2e-16 beside a largest value of 1: within 1e-15 of it
    pytest.param([1.0, 0.0], [1.0, 2e-16], True, id="noise-beside-the-largest"),
    pytest.param([1.0, 0.0], [1.0, 1e-14], False, id="beyond-noise-beside-the-largest"),
    pytest.param({"shape": [3], "params": 10}, {"shape": [3], "params": 11}, False,
                 id="integers-exactly"),
    pytest.param(None, {"shape": [3], "params": 10}, False, id="refused-then-answered"),
    pytest.param([0.5, 1.0], [0.5], False, id="a-value-missing"),
])
def test_differences_beyond_float_noise(was: Any, now: Any, same: bool) -> None:
    assert (data.differences(_cases(was), _cases(now)) == []) is same


def test_differences_name_the_case_and_the_place() -> None:
    was = {"a": {"input": 1, "torch": {"x": [1.0, 2.0]}}, "b": {"input": 2, "torch": 0.0}}
    now = {"a": {"input": 1, "torch": {"x": [1.0, 2.5]}}, "c": {"input": 3, "torch": 0.0}}
    assert data.differences(was, now) == [
        "a.x[1]: recorded 2.0, torch now gives 2.5",
        "b: recorded, but no longer a case",
        "c: a case not recorded",
    ]
    assert data.differences(was, {**was, "a": {"input": 9, "torch": {"x": [1.0, 2.0]}}}) == [
        "a: the case's input changed"]


def test_a_recorded_file_reads_back_as_written(tmp_path: Any) -> None:
    cases = {"k": {"input": {"y": [0, 1]}, "torch": [0.1, -2.5e-17]}, "m": {"input": None,
                                                                            "torch": None}}
    text = data.dumps({"torch": "9.9", "numpy": "1.0"}, cases)
    assert text.count("\n") == 10  # 5 header lines, one line per case, the braces
    file = tmp_path / "family.json"
    file.write_text(text, encoding="utf-8")
    import json

    assert json.loads(file.read_text(encoding="utf-8"))["cases"] == cases


# --- record.py --check, with a stand-in for torch ------------------------------------------------

@pytest.fixture
def fake_torch(monkeypatch: pytest.MonkeyPatch) -> types.ModuleType:
    fake = types.ModuleType("torch")
    fake.__version__ = "0.0-test"  # type: ignore[attr-defined]
    fake.set_num_threads = lambda n: None  # type: ignore[attr-defined]
    monkeypatch.setitem(sys.modules, "torch", fake)
    return fake


def test_check_passes_when_torch_agrees(fake_torch: Any, monkeypatch: pytest.MonkeyPatch,
                                        capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setattr(record, "compute", lambda torch, family: data.load(family)["cases"])
    assert record.main(["--check", "losses"]) == 0
    out = capsys.readouterr().out
    assert out.startswith("losses: 400 cases agree (recorded with torch ")
    assert "now torch 0.0-test" in out


def test_check_fails_and_lists_what_differs(fake_torch: Any, monkeypatch: pytest.MonkeyPatch,
                                            capsys: pytest.CaptureFixture[str]) -> None:
    def compute(torch: Any, family: str) -> dict[str, Any]:
        cases = data.load(family)["cases"]
        case = cases["mse_mae-00"]
        changed = dict(case["torch"], mse=case["torch"]["mse"] * (1 + 1e-9))
        return {**cases, "mse_mae-00": {**case, "torch": changed}}

    monkeypatch.setattr(record, "compute", compute)
    assert record.main(["--check", "losses"]) == 1
    out = capsys.readouterr().out.splitlines()
    assert out[0].startswith("losses: 1 differences in 400 cases")
    assert out[1].startswith("  mse_mae-00.mse: recorded ")
    assert out[-1] == ("the recorded answers differ from torch's: check, then run "
                       "python tests/oracle/record.py")


# --- torch itself, where it is installed ---------------------------------------------------------

if importlib.util.find_spec("torch") is not None:

    @pytest.mark.parametrize("family", data.FAMILIES)
    def test_torch_still_gives_the_recorded_answers(family: str) -> None:
        import torch

        threads = torch.get_num_threads()
        torch.set_num_threads(1)
        try:
            now = record.compute(torch, family)
        finally:
            torch.set_num_threads(threads)
        assert data.differences(data.load(family)["cases"], now) == []
