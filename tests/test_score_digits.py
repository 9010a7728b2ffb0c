"""Scores in gradebook files are recorded exactly: a total is never rounded to a few significant
digits, whatever the size of the exam."""

from __future__ import annotations

from types import SimpleNamespace

from nncheck.compare.numbers import format_score
from nncheck.render import exports, gradebook


def _row(score: float, max_score: float) -> SimpleNamespace:
    return SimpleNamespace(student_id="s01", student_name="Ada", status="failed", error=None,
                           sheet="s01.yaml", score=score, max_score=max_score,
                           scores=(("q1", score),), parts=())


def test_a_large_total_keeps_every_digit_in_grades_csv():
    # 1234.5 points of 2000: four significant digits would have written 1235 (half a point
    # given away), 12.375 would have been 12.38.
    fields = gradebook.csv_fields(_row(1234.5, 2000.0), ["q1"])
    assert fields[2:5] == ["1234.5", "1234.5", "2000"]
    assert gradebook.csv_fields(_row(12.375, 40.0), ["q1"])[3] == "12.375"


def test_imports_record_the_same_exact_score():
    assert exports.moodle_row("ada@example.org", 1234.5, "Total 1234.5/2000")[1] == "1234.5"
    assert exports.canvas_points([2000.0, 12.375])[-2:] == ["2000", "12.375"]


def test_a_score_is_written_as_a_person_writes_it():
    # Whole numbers without a point, halves as halves, a third of a point to six decimals
    # (1/3 = 0.333333...), and no negative zero.
    assert [format_score(x) for x in (7.0, 2.5, 1 / 3, 0.0, -0.0, 10.0 / 4)] == [
        "7", "2.5", "0.333333", "0", "0", "2.5"]
