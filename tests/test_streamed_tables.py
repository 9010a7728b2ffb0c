"""The report's tables are written as the rows come, while the class is graded; a duplicate
found at the end has them written again whole. Either way, the same bytes as one pass."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from conftest import SEED
from nncheck import gradebook
from nncheck.classroom import Options
from nncheck.exports import Extras

SHEET = (SEED / "sheets" / "seed-student.yaml").read_text(encoding="utf-8")


def write_class(folder: Path, ids: list[str]) -> None:
    folder.mkdir()
    for n, sid in enumerate(ids, 1):
        text = SHEET.replace("id: seed-student", f"id: {sid}")
        (folder / f"s{n:02}.yaml").write_text(text, encoding="utf-8")


def files(folder: Path) -> dict[str, bytes]:
    return {str(p.relative_to(folder)): p.read_bytes() for p in folder.rglob("*") if p.is_file()}


@pytest.mark.parametrize("jobs", [1, 2])
def test_a_duplicate_found_last_makes_both_sheets_errors_once(tmp_path: Path, jobs: int) -> None:
    # s01 is streamed out as an ordinary row before s03, graded last, turns out to share its id.
    klass = tmp_path / "class"
    write_class(klass, ["ada", "bo", "ada"])
    out = tmp_path / "out"
    gradebook.grade_into(out, klass, SEED, Options(jobs=jobs))
    lines = [json.loads(line) for line in (out / "results.jsonl").read_text().splitlines()]
    assert [(line["rel"], line["status"]) for line in lines] == [
        ("s01.yaml", "error"), ("s02.yaml", "failed"), ("s03.yaml", "error")]
    assert "student id `ada` is also used by" in lines[0]["error"]
    rows = (out / "grades.csv").read_text(encoding="utf-8-sig").splitlines()
    assert [r.split(",")[0] for r in rows] == ["id", "ada", "bo", "ada"]
    assert sorted(p.name for p in (out / "feedback").iterdir()) == ["bo.txt"]
    page = (out / "report.html").read_text()
    assert page.count('<section class="student"') == 3  # one section a sheet, not five
    summary = json.loads((out / "summary.json").read_text())
    assert summary["sheets"] == 3 and summary["status"]["error"] == 2


def test_streamed_and_written_after_give_the_same_bytes(tmp_path: Path,
                                                        monkeypatch: pytest.MonkeyPatch) -> None:
    # The same class written both ways: tables streamed as the rows come (no roster), and
    # tables written after the whole class, as a roster makes them. Same bytes.
    klass = tmp_path / "class"
    write_class(klass, ["ada", "bo", "cy"])
    monkeypatch.setattr(gradebook, "_Tables", _Counted)
    _Counted.made = 0
    streamed = tmp_path / "streamed"
    gradebook.grade_into(streamed, klass, SEED, Options(jobs=1), extras=Extras())
    assert _Counted.made == 1  # no duplicate: one pass, made while grading
    monkeypatch.setattr(gradebook, "_streams", lambda extras: False)
    waited = tmp_path / "waited"
    gradebook.grade_into(waited, klass, SEED, Options(jobs=1), extras=Extras())
    assert _Counted.made == 2  # one pass again, made after grading
    assert files(streamed) == files(waited)
    monkeypatch.undo()
    monkeypatch.setattr(gradebook, "_Tables", _Counted)
    write_class(tmp_path / "dup", ["ada", "ada"])
    _Counted.made = 0
    gradebook.grade_into(tmp_path / "dup-report", tmp_path / "dup", SEED, Options(jobs=1))
    assert _Counted.made == 2  # the duplicate: written again, whole


class _Counted(gradebook._Tables):
    made = 0

    def __init__(self, *args: object) -> None:
        type(self).made += 1
        super().__init__(*args)  # type: ignore[arg-type]


def test_a_row_crosses_a_pipe_whole() -> None:
    # Rows go from the workers to the parent and through the spool pickled; their parts as
    # plain tuples on the way, named tuples again on arrival.
    import pickle

    from nncheck.classroom import PartStat, Row

    stat = PartStat("q1", "a", "wrong", 0.0, 2.0, True, True, '"2n"', "2n", "biases", None)
    row = Row("s.yaml", "s.yaml", "s", "s1", "Ada", status="failed", score=1.5,
              max_score=4.0, scores=(("q1", 1.5),), result="{}", feedback="ok\n",
              parts=(stat, stat._replace(part="b", answer=None)), headline="Total 1.5/4")
    back = pickle.loads(pickle.dumps(row, protocol=pickle.HIGHEST_PROTOCOL))
    assert back == row
    assert [type(p) for p in back.parts] == [PartStat, PartStat]
    assert back.parts[0].mistake == "biases" and back.parts[1].part == "b"


def test_a_duplicate_rewrites_the_tables_from_what_was_written(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # With a duplicate, the streamed tables are written again from the staged results.jsonl
    # and feedback; with a roster's wait, from the rows themselves. A class whose strings are
    # hostile (a line separator, a bidi override, a formula, a tab), with a sheet that cannot
    # be read and one that does not validate, gives the same bytes both ways.
    klass = tmp_path / "class"
    write_class(klass, ["ada", "bo", "cy", "ada", "dee"])
    (klass / "s02.yaml").write_text(
        SHEET.replace("id: seed-student", "id: bo")
        .replace("name: Seed Student", 'name: "B\\u2028o\\u202e\\tx"')
        .replace('better: "no"', 'better: "=1+2\\u2028no"'), encoding="utf-8")
    (klass / "s06.yaml").write_text("student: {id: eve\nanswers: [", encoding="utf-8")
    (klass / "s07.yaml").write_text("student: {id: fay}\nanswers: {q9: {a: 1}}\n",
                                    encoding="utf-8")
    streamed, waited = tmp_path / "streamed", tmp_path / "waited"
    gradebook.grade_into(streamed, klass, SEED, Options(jobs=1))
    monkeypatch.setattr(gradebook, "_streams", lambda extras: False)
    gradebook.grade_into(waited, klass, SEED, Options(jobs=1))
    assert files(streamed) == files(waited)
    lines = [json.loads(line) for line in (streamed / "results.jsonl").read_text().splitlines()]
    assert [line["status"] for line in lines] == [
        "error", "failed", "failed", "error", "failed", "error", "failed"]
    assert not any(name.startswith(".") for name in files(streamed))  # nothing set aside left
    page = (streamed / "report.html").read_text()
    assert page.count('<section class="student"') == 7
    feedback = (streamed / "feedback" / "bo.txt").read_text()
    assert feedback in html_unescape(page)  # bo's feedback, read back into report.html


def html_unescape(text: str) -> str:
    import html

    return html.unescape(text)
