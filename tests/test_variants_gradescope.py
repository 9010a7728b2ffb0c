"""`nncheck gradescope` with problems that vary: the own variant graded, a foreign one refused."""

from __future__ import annotations

import json
import math

from test_gradescope_autograder import autograder_root, results, run
from test_variants import SECRET, small_bank

from nncheck import grading, variants


def test_a_submission_is_graded_against_its_variant_and_a_foreign_one_is_refused(
        tmp_path, monkeypatch):
    monkeypatch.setenv("NNCHECK_SECRET", SECRET)
    bank = small_bank(tmp_path)
    own = variants.exam_variant(SECRET.encode(), "s1")
    loaded = grading.load_bank(bank)
    p = float(loaded.variant(loaded.problems["small"], own).problem.given["pred"][0])
    answer = f"student: {{id: s1}}\nanswers:\n  small: {{a: {-math.log(p)}}}\n"
    meta = {"users": [{"id": 1, "name": "S", "email": "s1@example.com", "sid": "s1"}]}
    root = autograder_root(tmp_path, {"answers.yaml": answer}, meta)
    code, _, _ = run("gradescope", "-p", bank, "--root", root)
    assert code == 0
    assert results(root)["score"] == 1
    other = tmp_path / "other"
    other.mkdir()
    foreign = answer.replace("answers:", f"variant: {own % 5 + 1}\nanswers:")
    root = autograder_root(other, {"answers.yaml": foreign}, meta)
    run("gradescope", "-p", bank, "--root", root)
    doc = results(root)
    assert doc["score"] == 0
    assert f"not the student's own ({own})" in json.dumps(doc)
