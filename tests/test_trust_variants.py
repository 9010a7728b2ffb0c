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


# --- 2. a respelled id does not choose a variant -----------------------------------------------

def _small_key(tmp_path: Path, sheet_id: str) -> tuple[Path, str]:
    """The `small` bank and a full-marks sheet for `sheet_id`'s own variant: p read from the
    drawn `given`, the loss -ln p (FORMAT §5: cross-entropy with a one-hot target)."""
    import math

    from test_variants import small_bank

    from nncheck import grading, variants

    folder = small_bank(tmp_path)
    bank = grading.load_bank(folder)
    v = variants.exam_variant(bank.secret, sheet_id)
    p = float(bank.variant(bank.problems["small"], v).problem.given["pred"][0])
    return folder, f"student: {{id: {sheet_id}}}\nanswers:\n  small: {{a: {-math.log(p)}}}\n"


def _grade_with_roster(tmp_path: Path, bank: Path, sheets: dict[str, str],
                       roster: str) -> list[dict]:
    klass = tmp_path / "class"
    klass.mkdir()
    for name, text in sheets.items():
        (klass / name).write_text(text, encoding="utf-8")
    (tmp_path / "r.csv").write_text(roster, encoding="utf-8")
    out = tmp_path / "out"
    run("grade", klass, "-p", bank, "--roster", tmp_path / "r.csv", "--out", out)
    lines = (out / "results.jsonl").read_text("utf-8").splitlines()
    return [json.loads(x) for x in lines]


def test_an_id_respelled_to_match_a_roster_row_does_not_pick_the_variant(tmp_path,
                                                                          monkeypatch):
    monkeypatch.setenv("NNCHECK_SECRET", SECRET)
    bank, sheet = _small_key(tmp_path, "S042")  # full marks for the variant of `S042`
    rows = _grade_with_roster(tmp_path, bank, {"a.yaml": sheet}, ROSTER)
    assert [r["status"] for r in rows] == ["error"]
    assert "`S042`" in rows[0]["error"] and "`s042`" in rows[0]["error"]
    assert rows[0].get("score") in (None, 0)


def test_an_id_written_as_the_roster_writes_it_is_graded(tmp_path, monkeypatch):
    monkeypatch.setenv("NNCHECK_SECRET", SECRET)
    bank, sheet = _small_key(tmp_path, "s042")
    rows = _grade_with_roster(tmp_path, bank, {"a.yaml": sheet}, ROSTER)
    assert [(r["status"], r["score"]) for r in rows] == [("ok", 1)]


# --- 3. email-only and SIS-login-only roster rows ----------------------------------------------

def test_an_email_only_row_gets_a_sheet_that_grade_matches_to_it(tmp_path, monkeypatch):
    monkeypatch.setenv("NNCHECK_SECRET", SECRET)
    code, out, _ = handouts(tmp_path, "id,email,name\ns1,,One\n,two@x.edu,Two\n")
    assert code == 0
    from nncheck.classroom import file_stem

    key = (out / "staff" / f"{file_stem('two@x.edu')}.yaml").read_text("utf-8")
    assert "email: two@x.edu" in key
    rows = _grade_with_roster(tmp_path, VARIED, {"two.yaml": key},
                              "id,email,name\ns1,,One\n,two@x.edu,Two\n")
    assert rows[0]["status"] != "error" and rows[0]["student"]["id"] == "two@x.edu"
    summary = json.loads((tmp_path / "out" / "summary.json").read_text("utf-8"))
    assert summary["roster"]["matched"] == 1


def test_a_row_with_only_a_sis_login_id_gets_its_handout(tmp_path, monkeypatch):
    monkeypatch.setenv("NNCHECK_SECRET", SECRET)
    code, out, stderr = handouts(tmp_path, "email,login id,name\n,jdoe,Jo\n")
    assert code == 0, stderr
    assert "id: jdoe" in (out / "students" / "jdoe" / "answers.yaml").read_text("utf-8")


# --- 4. hostile `vary:` blocks -------------------------------------------------------------------

BLOCKS = """\
id: small
given:
  y: [1, 0]
  pred: [0.5, 0.5]
vary:
  variants: 3
  draw:
    c: {{blocks: [{{pred: {block}}}]}}
    a1: {{at: pred.1, range: [0.1, 0.4], step: 0.05}}
parts:
  - {{id: a, ask: loss, fn: cross_entropy, y_true: y, y_pred: pred}}
"""


def test_a_block_that_unmakes_a_later_path_is_a_located_problem_error(tmp_path, monkeypatch):
    from test_variants import small_bank

    monkeypatch.setenv("NNCHECK_SECRET", SECRET)
    # `pred` becomes 5, [] or null before `a1` writes `pred.1`: that path names nothing.
    for block, why in (("5", "`given.pred` is a single value: nothing inside it is `1`"),
                       ("[]", "`given.pred` is a list of 0 values: no item `1`"),
                       ("null", "`given.pred` is a single value: nothing inside it is `1`")):
        home = tmp_path / f"b{len(block)}"
        home.mkdir()
        folder = small_bank(home, BLOCKS.format(block=block))
        code, _, stderr = run("validate", "--solve", folder)
        assert code == 2, stderr
        assert "small.yaml:9:" in stderr  # the line of `a1`
        assert why in stderr
        assert "Traceback" not in stderr
        (tmp_path / "r.csv").write_text(ROSTER, encoding="utf-8")
        code, _, stderr = run("variants", folder, "--roster", tmp_path / "r.csv",
                              "--out", tmp_path / f"out{block}")
        assert code == 2 and why in stderr


# --- 7. roster strings in problems.md are text --------------------------------------------------

def test_roster_names_and_ids_render_as_text_in_problems_md(tmp_path, monkeypatch):
    from test_gradescope_autograder import html

    from nncheck.classroom import file_stem

    monkeypatch.setenv("NNCHECK_SECRET", SECRET)
    name = "<img src=x onerror=alert(1)> [click](javascript:alert(2))"
    sid = "s1<b>[x](javascript:y)"
    code, out, stderr = handouts(tmp_path, f'id,name\n"{sid}","{name}"\n')
    assert code == 0, stderr
    page = html((out / "students" / file_stem(sid) / "problems.md").read_text("utf-8"))
    # A CommonMark renderer shows them as text: no tag, no link, the characters as entities.
    assert "<img" not in page and "<a " not in page and "<b>" not in page
    assert "&lt;img src=x onerror=alert(1)&gt; [click](javascript:alert(2))" in page
    assert "s1&lt;b&gt;[x](javascript:y)" in page


# --- 8. a sheet's `variant:` is a whole number as written -----------------------------------------

def test_a_sheets_variant_must_be_a_positive_integer_as_written(tmp_path, monkeypatch):
    monkeypatch.setenv("NNCHECK_SECRET", SECRET)
    for written in ("true", "6344.0", '"12"', "0"):
        sheet = tmp_path / "s.yaml"
        sheet.write_text(f"student: {{id: s1, name: S}}\nvariant: {written}\nanswers:\n"
                         "  small: {a: 1}\n", encoding="utf-8")
        code, _, stderr = run("check", sheet, "--problems", VARIED, "--format", "text")
        assert code == 2, (written, stderr)
        assert "s.yaml:2:10: expected " in stderr and written.strip('"') in stderr
        assert "Traceback" not in stderr


# --- 5. a step finer than the decimals a value keeps ---------------------------------------------

def test_a_step_finer_than_twelve_decimals_is_refused_not_rounded_to_integers(tmp_path,
                                                                            monkeypatch):
    from test_variants import SMALL, small_bank

    monkeypatch.setenv("NNCHECK_SECRET", SECRET)
    # 4e-13 has 13 decimals (0.0000000000004): rounded to 0 decimals its draws were 0 or 1,
    # outside [0.1, 0.1000000000008].
    folder = small_bank(tmp_path, SMALL.replace("range: [0.1, 0.9], step: 0.1",
                                                "range: [0.1, 0.1000000000008], step: 4e-13"))
    code, _, stderr = run("validate", "--solve", folder)
    assert code == 2
    assert "small.yaml:9:" in stderr and "more than 12 decimals" in stderr
    from nncheck.spec.vary import step_decimals

    # The decimals of a step are those written: 0.05 → 2, 2.5e-05 → 0.000025 → 6, 1e-12 → 12.
    assert [step_decimals(s) for s in (0.05, 2.5e-05, 1e-12, 4e-13, 5.0)] == [2, 6, 12, 13, 0]


# --- 6. the work of drawing every variant is bounded --------------------------------------------

def _many(folder: Path, variants: int, names: int, where: bool, extra: str = "") -> Path:
    folder.mkdir(parents=True)
    draws = "".join(f"    n{i}: {{integers: [0, 9]}}\n" for i in range(names))
    given = "".join(f"  n{i}: 0\n" for i in range(names))
    text = (f"id: p\ngiven:\n  y: [1, 0]\n  pred: [0.5, 0.5]\n{given}{extra}"
            f"vary:\n  variants: {variants}\n  draw:\n{draws}"
            + ('  where: ["n0 + n1 > 17"]\n' if where else "")
            + "parts:\n  - {id: a, ask: loss, fn: cross_entropy, y_true: y, y_pred: pred}\n")
    (folder / "p.yaml").write_text(text, encoding="utf-8")
    return folder


def test_too_many_draws_are_refused_when_the_file_is_read(tmp_path):
    # 199 names × 10,000 variants, each tried at least 100 times for `where:`: 199,000,000
    # draws, far above 1,000,000; with no `where:` 1,990,000, still above.
    for where, most in ((True, "at most 50 variants"), (False, "at most 5025 variants")):
        folder = _many(tmp_path / str(where), 10_000, 199, where)
        code, _, stderr = run("validate", folder)
        assert code == 2, stderr
        line = 4 + 199 + 2  # after id, given, y, pred and the n_i: vary, then variants
        assert f"p.yaml:{line}:" in stderr and "more than 1,000,000 draws" in stderr
        assert most in stderr  # 1,000,000 // (199 × 100) = 50; 1,000,000 // 199 = 5025


def test_a_large_given_times_many_variants_is_refused(tmp_path):
    # 40,000 numbers in `given` (each a value of the file) × 1,000 variants: 40 million values
    # drawn and kept, above 5,000,000.
    big = "  big: [" + ", ".join(["0.5"] * 40_000) + "]\n"
    folder = _many(tmp_path / "big", 1_000, 1, False, extra=big)
    code, _, stderr = run("validate", folder)
    assert code == 2, stderr
    assert "more than 5,000,000 values to draw and keep" in stderr


def test_tries_for_where_shrink_with_the_work_and_never_below_a_hundred():
    from nncheck.spec.vary import Vary

    def vary(variants: int, names: int) -> Vary:
        return Vary.model_validate({"variants": variants, "where": ["n0 > 0"],
                                    "draw": {f"n{i}": {"integers": [0, 9]}
                                             for i in range(names)}})

    # min(1000, 1,000,000 // (variants × names))
    assert vary(20, 5).tries == 1000
    assert vary(2000, 5).tries == 100
