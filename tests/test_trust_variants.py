"""Trust in per-student variants: a sheet is graded against its own student's variant only,
hostile `vary:` blocks are problem errors, and handouts show roster strings as text."""

from __future__ import annotations

import json
from pathlib import Path

from test_gradescope_autograder import autograder_root, results, run
from test_variants import SECRET, VARIED

ROSTER = "id,name\ns042,Ada\ns043,Bob\n"


def handouts(tmp_path: Path, roster: str = ROSTER, bank: Path = VARIED) -> tuple[int, Path, str]:
    (tmp_path / "roster.csv").write_text(roster, encoding="utf-8")
    out = tmp_path / "hs"
    code, _, stderr = run("variants", bank, "--roster", tmp_path / "roster.csv", "--out", out)
    return code, out, stderr


# --- 1. Gradescope: a sheet of another student -----------------------------------------------

def test_gradescope_refuses_another_students_key_for_the_submitter(tmp_path, monkeypatch):
    monkeypatch.setenv("NNCHECK_SECRET", SECRET)
    code, out, _ = handouts(tmp_path)
    assert code == 0
    bob = (out / "staff" / "s043.yaml").read_text("utf-8")
    ada = {"users": [{"id": "1", "name": "Ada", "email": "ada@x", "sid": "s042"}]}
    root = autograder_root(tmp_path / "gs", {"answers.yaml": bob}, ada)
    code, stdout, _ = run("gradescope", "--root", root, "--problems", VARIED)
    doc = results(root)
    assert doc["score"] == 0
    assert code == 0  # the autograder ran; the submission earned nothing
    assert doc["tests"][0]["status"] == "failed"
    assert "another student's" in doc["tests"][0]["output"]
    assert "`s043`" in doc["tests"][0]["output"]
    assert len(doc["tests"]) == 1  # no part graded against Bob's variant
    assert "another student's" in stdout


def test_gradescope_grades_the_submitters_own_key_in_full(tmp_path, monkeypatch):
    monkeypatch.setenv("NNCHECK_SECRET", SECRET)
    _, out, _ = handouts(tmp_path)
    ada_key = (out / "staff" / "s042.yaml").read_text("utf-8")
    ada = {"users": [{"id": "1", "name": "Ada", "email": "ada@x", "sid": "s042"}]}
    root = autograder_root(tmp_path / "gs", {"answers.yaml": ada_key}, ada)
    run("gradescope", "--root", root, "--problems", VARIED)
    doc = results(root)
    assert doc["tests"][0]["status"] == "passed"
    assert doc["extra_data"]["student"]["id"] == "s042"


def test_gradescope_by_email_only_takes_a_sheet_naming_the_submitters_email(tmp_path,
                                                                           monkeypatch):
    monkeypatch.setenv("NNCHECK_SECRET", SECRET)
    _, out, _ = handouts(tmp_path)
    bob = (out / "staff" / "s043.yaml").read_text("utf-8")
    meta = {"users": [{"id": "1", "name": "Ada", "email": "Ada@X"}]}
    # Bob's sheet names no email: in a bank that varies it could be anyone's, so it is refused.
    root = autograder_root(tmp_path / "a", {"answers.yaml": bob}, meta)
    run("gradescope", "--root", root, "--problems", VARIED)
    assert results(root)["score"] == 0
    assert "another student's" in json.dumps(results(root))
    # With no one named in the metadata nothing can be checked: graded as before.
    root = autograder_root(tmp_path / "b", {"answers.yaml": bob}, {"users": [{"id": "1"}]})
    run("gradescope", "--root", root, "--problems", VARIED)
    assert results(root)["tests"][0]["status"] == "passed"
