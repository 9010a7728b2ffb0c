"""`nncheck gradescope`: one submission graded as Gradescope's autograder lays it out, the
results.json it writes checked against Gradescope's specification, and the files a course
uploads (`--scaffold`) run end to end on a folder laid out as /autograder."""

from __future__ import annotations

import json
import os
import shlex
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest
from markdown_it import MarkdownIt
from typer.testing import CliRunner

from nncheck.cli import app

# --- Gradescope's specification, written out ---------------------------------------------------
# https://gradescope-autograders.readthedocs.io/en/latest/specs/ ("Output format", "Controlling
# Test Case Visibility", "Test case status", "Output String Formatting"): every key a
# results.json may hold, and the type or the values each may take.
SPEC = "https://gradescope-autograders.readthedocs.io/en/latest/specs/"
VISIBILITY = {"hidden", "after_due_date", "after_published", "visible"}
FORMATS = {"text", "html", "simple_format", "md", "ansi"}
NUMBER = (int, float)
TOP_KEYS: dict[str, Any] = {
    "score": NUMBER, "execution_time": NUMBER, "output": str, "output_format": FORMATS,
    "test_output_format": FORMATS, "test_name_format": FORMATS, "visibility": VISIBILITY,
    "stdout_visibility": VISIBILITY, "extra_data": dict, "tests": list, "leaderboard": list,
}
TEST_KEYS: dict[str, Any] = {
    "score": NUMBER, "max_score": NUMBER, "status": {"passed", "failed"}, "name": str,
    "name_format": FORMATS, "number": str, "output": str, "output_format": FORMATS,
    "tags": list, "visibility": VISIBILITY, "extra_data": dict,
}

# https://gradescope-autograders.readthedocs.io/en/latest/submission_metadata/ : the documented
# example (its comments dropped, one user).
METADATA = {
    "id": 123456,
    "created_at": "2018-07-01T14:22:32.365935-07:00",
    "assignment": {"due_date": "2018-07-31T23:00:00.000000-07:00", "group_size": 4,
                   "group_submission": True, "id": 25828, "course_id": 1234,
                   "late_due_date": None, "release_date": "2018-07-02T00:00:00.000000-07:00",
                   "title": "Programming Assignment 1", "total_points": "20.0"},
    "submission_method": "upload",
    "users": [{"email": "student@example.com", "id": 1234, "name": "Student User"}],
    "previous_submissions": [],
}

# A bank whose truths are worked out by hand: -ln(0.3) = 1.2039728..., and the known mistake
# "log base 10 instead of e" answers -log10(0.3) = 0.5228787...
BANK = """\
id: q1
title: One loss and one choice
parts:
  - {id: a, ask: loss, fn: cross_entropy, y_true: [0, 0, 1, 0], y_pred: [0.25, 0.25, 0.3, 0.2],
     points: 3}
  - {id: pick, ask: choice, options: [A, B], key: A, points: 1}
"""


def sheet(a: str = "1.20397", pick: str = "B", *, name: str = "Ada") -> str:
    return (f"student: {{id: s1, name: {json.dumps(name)}}}\n"
            f"answers:\n  q1:\n    a: {json.dumps(a)}\n    pick: {json.dumps(pick)}\n")


def check_spec(doc: dict[str, Any]) -> None:
    """Every key of the document is one the specification lists, with a value it allows."""
    for keys, where in [(TOP_KEYS, doc), *((TEST_KEYS, t) for t in doc.get("tests", []))]:
        for key, value in where.items():
            assert key in keys, f"{key} is not a results.json key ({SPEC})"
            allowed = keys[key]
            if isinstance(allowed, set):
                assert value in allowed, (key, value)
            else:
                assert isinstance(value, allowed) and not isinstance(value, bool), (key, value)
        if "tags" in where:
            assert all(isinstance(tag, str) for tag in where["tags"])
    # "score: optional, but required if not on each test case"
    assert "score" in doc or all("score" in t for t in doc["tests"])


@pytest.fixture
def bank(tmp_path: Path) -> Path:
    folder = tmp_path / "bank"
    folder.mkdir()
    (folder / "q1.yaml").write_text(BANK, encoding="utf-8")
    return folder


def autograder_root(tmp_path: Path, files: dict[str, str], metadata: Any = METADATA) -> Path:
    """A folder laid out as Gradescope lays out /autograder for one submission."""
    root = tmp_path / "autograder"
    (root / "submission").mkdir(parents=True)
    (root / "results").mkdir()
    for name, text in files.items():
        (root / "submission" / name).write_text(text, encoding="utf-8")
    if metadata is not None:
        (root / "submission_metadata.json").write_text(json.dumps(metadata), encoding="utf-8")
    return root


def run(*args: object) -> tuple[int, str, str]:
    result = CliRunner().invoke(app, [str(a) for a in args])
    return result.exit_code, result.stdout, result.stderr


def results(root: Path) -> dict[str, Any]:
    doc = json.loads((root / "results" / "results.json").read_text("utf-8"))
    check_spec(doc)
    return doc


def html(markdown: str) -> str:
    """Markdown as a CommonMark renderer shows it (raw HTML allowed, as CommonMark allows it)."""
    return MarkdownIt("commonmark").render(markdown)


# --- grading one submission ------------------------------------------------------------------

def test_a_submission_is_graded_into_results_json_by_the_specification(bank, tmp_path):
    root = autograder_root(tmp_path, {"answers.yaml": sheet(pick="B")})
    code, stdout, stderr = run("gradescope", "-p", bank, "--root", root)
    assert (code, stderr) == (0, "")
    assert stdout == "answers.yaml: Total 3/4 — 1 correct, 1 wrong\n"
    doc = results(root)
    assert doc["score"] == 3  # a: 3 points for -ln(0.3); pick: B is not the key A
    assert (doc["output_format"], doc["visibility"], doc["stdout_visibility"]) == \
        ("md", "after_published", "hidden")
    assert isinstance(doc["execution_time"], NUMBER) and doc["execution_time"] >= 0
    # The scores are hidden until published: the summary does not give the total away.
    assert "3" not in doc["output"] and "published" in doc["output"]
    read, a, pick = doc["tests"]
    assert read == {"name": "Answer sheet read", "number": "0", "status": "passed",
                    "output": "Read `answers.yaml` for student id `s1`: 2 of 2 parts "
                              "answered\\.",
                    "output_format": "md", "tags": ["sheet"], "visibility": "visible",
                    "extra_data": {"status": "read"}}
    assert (a["name"], a["number"], a["score"], a["max_score"], a["status"]) == \
        ("q1 / a", "1.1", 3, 3, "passed")
    assert (pick["name"], pick["number"], pick["score"], pick["max_score"], pick["status"]) == \
        ("q1 / pick", "1.2", 0, 1, "failed")
    assert a["tags"] == ["loss"] and a["visibility"] == pick["visibility"] == "after_published"
    assert a["extra_data"]["status"] == "correct" and pick["extra_data"]["status"] == "wrong"
    import hashlib
    assert a["extra_data"]["problem_sha256"] == \
        hashlib.sha256((bank / "q1.yaml").read_bytes()).hexdigest()
    assert doc["extra_data"]["users"] == [
        {"id": "1234", "name": "Student User", "email": "student@example.com", "sid": None}]
    assert doc["extra_data"]["submission_id"] == "123456"
    assert doc["extra_data"]["max_score"] == 4
    assert "your answer: B" in html(pick["output"])


def test_a_named_mistake_is_a_tag_at_reveal_mistake_and_not_at_verdict(bank, tmp_path):
    root = autograder_root(tmp_path, {"answers.yaml": sheet(a="0.5229", pick="A")})
    assert run("gradescope", "-p", bank, "--root", root)[0] == 0
    a = results(root)["tests"][1]
    assert a["tags"] == ["loss", "log base 10 instead of e"]
    assert a["extra_data"]["mistake"] == "log base 10 instead of e"
    assert "known mistake: log base 10 instead of e" in a["output"]
    assert run("gradescope", "-p", bank, "--root", root, "--reveal", "verdict")[0] == 0
    a = results(root)["tests"][1]
    assert a["tags"] == ["loss"] and a["extra_data"]["mistake"] is None
    assert "log base 10" not in a["output"] and "1.20397" not in a["output"]
    assert run("gradescope", "-p", bank, "--root", root, "--reveal", "expected")[0] == 0
    assert "expected: 1.20397" in results(root)["tests"][1]["output"]


def test_visible_scores_show_the_total_and_the_visibility_options_are_written(bank, tmp_path):
    root = autograder_root(tmp_path, {"answers.yaml": sheet()})
    code, _, _ = run("gradescope", "-p", bank, "--root", root, "--visibility", "visible",
                     "--stdout-visibility", "after_due_date")
    assert code == 0
    doc = results(root)
    assert doc["output"] == "**Total 3/4 — 1 correct, 1 wrong**"
    assert (doc["visibility"], doc["stdout_visibility"]) == ("visible", "after_due_date")
    assert {t["visibility"] for t in doc["tests"]} == {"visible"}
    code, _, stderr = run("gradescope", "-p", bank, "--root", root, "--visibility", "later")
    assert code == 2 and "`later` is not one of hidden, after_due_date, after_published, " \
        "visible" in stderr


def test_the_paths_can_be_given_one_by_one(bank, tmp_path):
    (tmp_path / "in").mkdir()
    (tmp_path / "in" / "mine.yml").write_text(sheet(pick="A"), encoding="utf-8")
    (tmp_path / "meta.json").write_text(json.dumps(METADATA), encoding="utf-8")
    out = tmp_path / "deep" / "r.json"
    code, stdout, _ = run("gradescope", "-p", bank, "--submission", tmp_path / "in",
                          "--metadata", tmp_path / "meta.json", "--results", out)
    assert code == 0 and stdout == "mine.yml: Total 4/4 — 2 correct\n"
    doc = json.loads(out.read_text("utf-8"))
    check_spec(doc)
    assert doc["score"] == 4 and doc["extra_data"]["users"][0]["name"] == "Student User"


# --- a sheet that cannot be graded still gets a results.json ------------------------------------

@pytest.mark.parametrize(("files", "said"), [
    pytest.param({"answers.yaml": "student: {id: s1}\nanswers:\n\tq1: {}\n"},
                 "answers.yaml:3:1: a tab character", id="tab"),
    pytest.param({"notes.txt": "hi\n"}, "the submission holds no YAML file (found `notes.txt`)",
                 id="no-yaml"),
    pytest.param({"a.yaml": "x: 1\n", "b.yaml": "x: 2\n"},
                 "the submission holds 2 YAML files (`a.yaml`, `b.yaml`) and none named "
                 "answers.yaml or submission.yaml", id="two-yaml"),
    pytest.param({"answers.yaml": sheet(), "submission.yml": sheet()},
                 "two answer sheets: `answers.yaml`, `submission.yml`", id="two-sheets"),
])
def test_a_sheet_that_cannot_be_read_gets_score_0_and_a_visible_test_saying_why(
        bank, tmp_path, files, said):
    root = autograder_root(tmp_path, files)
    code, stdout, _ = run("gradescope", "-p", bank, "--root", root)
    assert code == 0  # the autograder did its job: Gradescope reads results.json, not the code
    assert stdout.startswith(f"not graded: {said}")
    doc = results(root)
    assert doc["score"] == 0 and doc["extra_data"]["status"] == "error"
    [test] = doc["tests"]
    assert (test["name"], test["status"], test["visibility"]) == \
        ("Answer sheet read", "failed", "visible")
    assert said in test["output"].splitlines()[3]  # the one line, in its code block
    assert "Fix it and submit again" in test["output"]


def test_a_bank_that_cannot_be_read_still_writes_results_and_exits_2(tmp_path):
    root = autograder_root(tmp_path, {"answers.yaml": sheet()})
    code, _, stderr = run("gradescope", "-p", tmp_path / "nowhere", "--root", root)
    assert code == 2
    assert stderr.endswith(": not a folder — a folder of problem files\n")
    doc = results(root)
    assert doc["score"] == 0 and doc["extra_data"]["status"] == "autograder error"
    assert "nowhere" not in json.dumps(doc)  # the staff's paths stay in the staff's output
    assert "not your fault" in doc["tests"][0]["output"]


def test_metadata_that_is_missing_or_not_as_documented_is_a_warning(bank, tmp_path):
    root = autograder_root(tmp_path, {"answers.yaml": sheet()}, metadata=None)
    code, _, stderr = run("gradescope", "-p", bank, "--root", root)
    assert code == 0 and stderr.startswith("warning: submission metadata not read: ")
    assert results(root)["score"] == 3
    (root / "submission_metadata.json").write_text("{not json", encoding="utf-8")
    code, _, stderr = run("gradescope", "-p", bank, "--root", root)
    assert code == 0 and "submission metadata is not JSON" in stderr
    assert results(root)["extra_data"]["users"] == []


# --- no student string is Markdown or HTML on the page ------------------------------------------

HOSTILE = ["<script>alert(1)</script>", "![x](http://evil/p.png)", "`code` ``more``",
           "```\n# heading"]


@pytest.mark.parametrize("hostile", HOSTILE)
def test_no_student_string_is_rendered_as_markdown_or_html(bank, tmp_path, hostile):
    root = autograder_root(tmp_path, {"answers.yaml": sheet(a=hostile, pick=hostile,
                                                            name=hostile)})
    assert run("gradescope", "-p", bank, "--root", root, "--reveal", "expected",
               "--visibility", "visible")[0] == 0
    doc = results(root)
    for test in doc["tests"][1:]:
        page = html(test["output"])
        assert "<script" not in page and "<img" not in page and "<h1>" not in page
        assert page.count("<pre>") == 1  # one code block: a fence in the answer closes nothing
        code = page[page.index("<pre>"):page.index("</pre>")]
        # Inside it, the answer in one line, as written (HTML-escaped by the renderer).
        shown = hostile.replace("\n", "\\n").replace("&", "&amp;").replace("<", "&lt;") \
            .replace(">", "&gt;")
        assert f"your answer: {shown}" in code
    for text in (doc["output"], doc["tests"][0]["output"]):
        page = html(text)
        assert "<script" not in page and "<img" not in page and "<h1>" not in page


def test_the_grade_scorecards_are_the_same_markdown_document(bank, tmp_path):
    klass = tmp_path / "class"
    klass.mkdir()
    (klass / "s1.yaml").write_text(sheet(a="<script>x</script>", pick="![x](http://evil)"),
                                   encoding="utf-8")
    code, _, _ = run("grade", klass, "-p", bank, "-o", tmp_path / "out", "-f", "json")
    assert code == 1
    card = json.loads((tmp_path / "out" / "gradescope" / "s1.json").read_text("utf-8"))
    check_spec(card)
    assert card["output_format"] == "md" and card["extra_data"]["max_score"] == 4
    for test in card["tests"]:
        page = html(test["output"])
        assert test["output_format"] == "md"
        assert "<script" not in page and "<img" not in page


# --- the files a course uploads, and the round trip -------------------------------------------

def test_scaffold_then_run_autograder_on_a_folder_laid_out_as_gradescope_does(bank, tmp_path):
    (bank / ".nncheck-secret").write_text("a course secret\n", encoding="utf-8")
    made = tmp_path / "made"
    code, stdout, _ = run("gradescope", "-p", bank, "--scaffold", made, "--reveal", "expected",
                          "--visibility", "after_due_date")
    assert code == 0
    assert sorted(p.relative_to(made).as_posix() for p in made.rglob("*")) == [
        "problems", "problems/.nncheck-secret", "problems/q1.yaml", "run_autograder",
        "setup.sh"]
    assert (made / "problems" / "q1.yaml").read_bytes() == (bank / "q1.yaml").read_bytes()
    for script in ("setup.sh", "run_autograder"):
        assert os.stat(made / script).st_mode & 0o111 == 0o111  # Gradescope runs them
    assert stdout.endswith("zip -r ../autograder.zip .\n")
    if shutil.which("bash"):
        subprocess.run(["bash", "-n", made / "setup.sh"], check=True)
    subprocess.run(["sh", "-n", made / "run_autograder"], check=True)
    setup = (made / "setup.sh").read_text("utf-8")
    assert "wheels/nncheck-*.whl" in setup and "pip install \"nncheck==" in setup

    # Gradescope unzips the upload into /autograder/source and runs run_autograder there.
    root = autograder_root(tmp_path, {"answers.yaml": sheet(a="0.5229", pick="A")})
    shutil.copytree(made, root / "source")
    [line] = [x for x in (made / "run_autograder").read_text("utf-8").splitlines()
              if x.startswith("exec ")]
    argv = shlex.split(line)[1:]
    assert argv[0] == "/opt/nncheck/bin/nncheck"
    args = [a.replace("/autograder", str(root)) for a in argv[1:]]
    assert args[:5] == ["gradescope", "--root", str(root), "--problems",
                        str(root / "source" / "problems")]
    code, stdout, stderr = run(*args)
    assert (code, stderr) == (0, "")
    assert stdout == "answers.yaml: Total 1/4 — 1 correct, 1 wrong\n"
    doc = results(root)
    assert doc["score"] == 1 and doc["visibility"] == "after_due_date"
    assert "after the due date" in doc["output"]
    a = doc["tests"][1]
    assert "expected: 1.20397" in a["output"] and a["tags"] == ["loss", "log base 10 instead of e"]


def test_scaffold_bundles_a_wheel_and_refuses_a_folder_that_is_not_empty(bank, tmp_path):
    wheel = tmp_path / "nncheck-0.1.0-py3-none-any.whl"
    wheel.write_bytes(b"PK\x05\x06" + bytes(18))
    made = tmp_path / "made"
    made.mkdir()
    (made / "keep.txt").write_text("mine\n", encoding="utf-8")
    code, _, stderr = run("gradescope", "-p", bank, "--scaffold", made, "--wheel", wheel)
    assert code == 2
    assert stderr == (f"error: {made}: the folder is not empty (`keep.txt`) — a new or empty "
                      "folder, or --force to replace problems, run_autograder, setup.sh, "
                      "wheels in it\n")
    assert run("gradescope", "-p", bank, "--scaffold", made, "--wheel", wheel, "--force")[0] == 0
    assert (made / "wheels" / wheel.name).read_bytes() == wheel.read_bytes()
    assert (made / "keep.txt").read_text("utf-8") == "mine\n"
    code, _, stderr = run("gradescope", "-p", bank, "--scaffold", bank / "inside")
    assert code == 2 and "overlap — a folder apart from the bank" in stderr


def test_a_bug_while_grading_still_writes_results_and_exits_3(bank, tmp_path, monkeypatch):
    from nncheck import grading

    def broken(*args: object, **kwargs: object) -> None:
        raise RuntimeError("boom")

    monkeypatch.setattr(grading, "grade_sheet", broken)
    root = autograder_root(tmp_path, {"answers.yaml": sheet()})
    code, _, stderr = run("gradescope", "-p", bank, "--root", root)
    assert code == 3 and stderr.startswith("internal error: RuntimeError: boom")
    doc = results(root)
    assert doc["score"] == 0 and doc["extra_data"]["status"] == "autograder error"
    assert "boom" not in json.dumps(doc)
    assert doc["output"] == "**Your submission could not be graded: the autograder failed\\.**"


def test_results_that_cannot_be_written_exit_2_with_the_reason(bank, tmp_path):
    root = autograder_root(tmp_path, {"answers.yaml": sheet()})
    (root / "results" / "results.json").mkdir()
    code, _, stderr = run("gradescope", "-p", bank, "--root", root)
    assert code == 2
    assert stderr == (f"error: {root}/results/results.json: will not write over a folder — "
                      "the name of a regular file, or - for standard output\n")


def test_a_link_out_of_the_submission_is_not_read(bank, tmp_path):
    secret = tmp_path / "secret.yaml"
    secret.write_text(sheet(), encoding="utf-8")
    root = autograder_root(tmp_path, {})
    (root / "submission" / "answers.yaml").symlink_to(secret)
    code, stdout, _ = run("gradescope", "-p", bank, "--root", root)
    assert code == 0
    assert stdout.startswith("not graded: answers.yaml: a link out of the submission folder — "
                             "not read")
    assert results(root)["score"] == 0


def test_format_json_says_where_results_went_and_the_score(bank, tmp_path):
    root = autograder_root(tmp_path, {"answers.yaml": sheet()})
    code, stdout, _ = run("gradescope", "-p", bank, "--root", root, "--format", "json")
    assert code == 0
    assert json.loads(stdout) == {"results": str(root / "results" / "results.json"),
                                  "status": "failed", "score": 3, "sheet": "answers.yaml",
                                  "summary": "Total 3/4 — 1 correct, 1 wrong"}
