"""Per-student variants (`vary:`): each student their own numbers, graded against their own.

Every expected loss below is computed here by hand from the drawn probabilities (the
cross-entropy with a one-hot target is -ln of the prediction for the true class, FORMAT §5).
"""

from __future__ import annotations

import json
import math
from pathlib import Path

import pytest
from typer.testing import CliRunner

from nncheck import grading, solving, variants
from nncheck.cli import app
from nncheck.errors import InputError, NncheckError
from nncheck.spec.problem import Student

VARIED = Path(__file__).resolve().parent.parent / "problems" / "seed-exam-varied"
SECRET = "course secret of the variant tests"

# A problem whose every variant is plain to compute by hand: one probability p on a step grid,
# the true class first, so the loss is -ln p.
SMALL = """\
id: small
text: "The loss for ŷ = ({p}, {q}) with y = (1, 0)."
given:
  y: [1, 0]
  pred: [0.5, 0.5]
vary:
  variants: 5
  draw:
    p: {at: pred.0, range: [0.1, 0.9], step: 0.1}
    q: {at: pred.1, value: "1 - p", decimals: 1}
  where: ["p != 0.5"]
parts:
  - {id: a, ask: loss, fn: cross_entropy, y_true: y, y_pred: pred, text: "p is {p}"}
"""


@pytest.fixture
def secret(monkeypatch: pytest.MonkeyPatch) -> str:
    monkeypatch.setenv("NNCHECK_SECRET", SECRET)
    return SECRET


def small_bank(tmp_path: Path, text: str = SMALL) -> Path:
    folder = tmp_path / "bank"
    folder.mkdir(exist_ok=True)
    (folder / "small.yaml").write_text(text, encoding="utf-8")
    return folder


def drawn_p(bank: grading.Bank, student: str) -> float:
    """The p a student's variant of `small` holds, read from its `given`."""
    v = variants.exam_variant(bank.secret, student)
    return float(bank.variant(bank.problems["small"], v).problem.given["pred"][0])


def two_students(bank: grading.Bank) -> tuple[str, str]:
    """The first two of s1, s2, ... whose p differ."""
    first = "s1"
    for n in range(2, 200):
        if drawn_p(bank, f"s{n}") != drawn_p(bank, first):
            return first, f"s{n}"
    raise AssertionError("every student drew the same p")


def grade(bank: grading.Bank, student: str, loss: float, **kw: object) -> grading.SheetResult:
    return grading.grade_sheet(bank, {"small": {"a": loss}}, student=Student(id=student), **kw)


# --- drawing --------------------------------------------------------------------------------

def test_every_variant_draws_on_the_grid_and_meets_where(tmp_path, secret):
    bank = grading.load_bank(small_bank(tmp_path))
    grid = {round(0.1 * k, 1) for k in range(1, 10)} - {0.5}  # 0.1 .. 0.9 but the tie
    for n in range(1, 6):
        given = bank.variant(bank.problems["small"], n).problem.given
        p, q = given["pred"]
        assert p in grid
        assert q == round(1 - p, 1)


def test_the_text_shows_the_drawn_numbers(tmp_path, secret):
    bank = grading.load_bank(small_bank(tmp_path))
    drawn = bank.variant(bank.problems["small"], 1).problem
    p, q = drawn.given["pred"]
    assert drawn.text == f"The loss for ŷ = ({p:g}, {q:g}) with y = (1, 0)."
    assert drawn.parts[0].text == f"p is {p:g}"


def test_draws_depend_on_the_secret_and_the_variant_only(tmp_path, monkeypatch):
    folder = small_bank(tmp_path)
    monkeypatch.setenv("NNCHECK_SECRET", SECRET)
    one = [grading.load_bank(folder).variant(grading.load_bank(folder).problems["small"], n)
           .problem.given["pred"] for n in range(1, 6)]
    again = [grading.load_bank(folder).variant(grading.load_bank(folder).problems["small"], n)
             .problem.given["pred"] for n in (5, 4, 3, 2, 1)]
    assert one == again[::-1]
    # The exam variant 1 + (HMAC mod 10000) spreads over the problem's 5 variants by
    # 1 + ((V - 1) mod 5): V = 7 is variant 2.
    bank = grading.load_bank(folder)
    assert bank.variant(bank.problems["small"], 7).problem == \
        bank.variant(bank.problems["small"], 2).problem


def test_an_unmet_where_names_the_constraint(tmp_path, secret):
    folder = small_bank(tmp_path, SMALL.replace('where: ["p != 0.5"]', 'where: ["p > 2"]'))
    result = CliRunner().invoke(app, ["validate", "--solve", str(folder)])
    assert result.exit_code == 2
    assert "`where: p > 2` is not met in 1000 draws" in result.stderr
    assert "small.yaml:11:" in result.stderr  # the line of the constraint


def test_a_path_into_nothing_is_located(tmp_path, secret):
    folder = small_bank(tmp_path, SMALL.replace("at: pred.0", "at: pred.2"))
    result = CliRunner().invoke(app, ["validate", str(folder)])
    assert result.exit_code == 2
    assert "small.yaml:9:" in result.stderr
    assert "`given.pred` is a list of 2 values: no item `2`" in result.stderr


def test_where_may_read_only_names_drawn(tmp_path, secret):
    folder = small_bank(tmp_path, SMALL.replace('where: ["p != 0.5"]', 'where: ["r != 0.5"]'))
    result = CliRunner().invoke(app, ["validate", str(folder)])
    assert result.exit_code == 2
    assert "`r` is not a name drawn before it (drawn: `p`, `q`)" in result.stderr


# --- grading --------------------------------------------------------------------------------

def test_two_students_get_different_numbers_and_each_is_graded_against_their_own(
        tmp_path, secret):
    bank = grading.load_bank(small_bank(tmp_path))
    bank.memo = True  # a class run: truths and verdicts remembered across sheets
    ada, bo = two_students(bank)
    loss = {s: -math.log(drawn_p(bank, s)) for s in (ada, bo)}
    assert loss[ada] != loss[bo]
    for s in (ada, bo):
        assert grade(bank, s, loss[s]).passed
    # Each student's loss is wrong on the other's sheet (the memo is keyed by variant too).
    assert not grade(bank, ada, loss[bo]).passed
    assert not grade(bank, bo, loss[ada]).passed
    assert grade(bank, ada, loss[ada]).problems[0].parts[0].expected == \
        pytest.approx(loss[ada])


def test_a_sheet_for_another_variant_is_reported(tmp_path, secret):
    bank = grading.load_bank(small_bank(tmp_path))
    ada, bo = two_students(bank)
    own, other = (variants.exam_variant(SECRET.encode(), s) for s in (ada, bo))
    loss = -math.log(drawn_p(bank, bo))
    with pytest.raises(NncheckError, match=f"answers variant {other}, not the student's own "
                       f"\\({own}\\)"):
        grade(bank, ada, loss, variant=other)
    # The header of another student's blank sheet, copied: its code is not this student's.
    with pytest.raises(NncheckError, match="check code does not match"):
        grade(bank, ada, loss, variant=other, check=variants.check_code(SECRET.encode(), bo,
                                                                         other))
    # The student's own variant, written with its code, is graded.
    assert grade(bank, ada, -math.log(drawn_p(bank, ada)), variant=own,
                 check=variants.check_code(SECRET.encode(), ada, own).lower()).passed


def test_a_staff_code_for_another_variant_is_honoured_only_with_a_secret(tmp_path, monkeypatch):
    folder = small_bank(tmp_path)
    monkeypatch.setenv("NNCHECK_SECRET", SECRET)
    bank = grading.load_bank(folder)
    own = variants.exam_variant(SECRET.encode(), "ada")
    other = own % 5 + 1  # another variant of `small`
    p = float(bank.variant(bank.problems["small"], other).problem.given["pred"][0])
    code = variants.check_code(SECRET.encode(), "ada", other)
    assert grade(bank, "ada", -math.log(p), variant=other, check=code).variant == other
    monkeypatch.delenv("NNCHECK_SECRET")
    open_bank = grading.load_bank(folder)
    own = variants.exam_variant(b"", "ada")
    other = own % 5 + 1
    with pytest.raises(NncheckError, match="without a course secret"):
        grade(open_bank, "ada", 0.5, variant=other, check=variants.check_code(b"", "ada", other))


def test_check_reports_a_wrong_variant_with_exit_2(tmp_path, secret):
    bank = small_bank(tmp_path)
    own = variants.exam_variant(SECRET.encode(), "ada")
    sheet = tmp_path / "ada.yaml"
    sheet.write_text(f"student: {{id: ada}}\nvariant: {own + 1}\nanswers:\n  small: {{a: 1}}\n",
                     encoding="utf-8")
    result = CliRunner().invoke(app, ["check", str(sheet), "-p", str(bank), "--format", "text"])
    assert result.exit_code == 2
    assert f"answers variant {own + 1}, not the student's own ({own})" in result.stderr


def test_the_variant_of_a_student_does_not_change_with_the_class(tmp_path, secret):
    bank = small_bank(tmp_path)

    def variants_of(names: list[str], folder: str) -> dict[str, int]:
        klass = tmp_path / folder
        klass.mkdir()
        for name in names:
            (klass / f"{name}.yaml").write_text(
                f"student: {{id: {name}}}\nanswers:\n  small: {{a: 1}}\n", encoding="utf-8")
        out = tmp_path / f"{folder}-out"
        result = CliRunner().invoke(app, ["grade", str(klass), "-p", str(bank),
                                          "--out", str(out)])
        assert result.exit_code == 1, result.stderr
        lines = (out / "results.jsonl").read_text("utf-8").splitlines()
        return {json.loads(x)["student"]["id"]: json.loads(x)["variant"] for x in lines}

    small = variants_of(["bo", "ada"], "small-class")
    grown = variants_of(["zed", "ada", "cy", "bo", "al"], "grown-class")
    assert small == {s: grown[s] for s in small}
    # and it is the documented 1 + (HMAC-SHA256(secret, "variant\0" + id) mod 10000)
    import hashlib
    import hmac
    mac = hmac.new(SECRET.encode(), b"variant\0ada", hashlib.sha256).digest()
    assert small["ada"] == 1 + int.from_bytes(mac[:8], "big") % 10_000


def test_solve_variant_prints_that_variants_truth(tmp_path, secret):
    folder = small_bank(tmp_path)
    bank = grading.load_bank(folder)
    p = float(bank.variant(bank.problems["small"], 3).problem.given["pred"][0])
    result = CliRunner().invoke(app, ["solve", str(folder), "--variant", "3", "--format", "json"])
    assert result.exit_code == 0, result.stderr
    data = json.loads(result.stdout)
    assert data["variant"] == 3
    assert data["problems"][0]["parts"][0]["expected"] == pytest.approx(-math.log(p))


def test_the_varied_seed_exam_keys_earn_full_marks(secret):
    bank = grading.load_bank(VARIED)
    bank.solve_all()
    for student in ("ada", "babak", "chen"):
        v = variants.exam_variant(SECRET.encode(), student)
        key, _ = solving.answer_key(bank, v)
        result = grading.grade_sheet(bank, key, student=Student(id=student))
        assert result.variant == v
        assert all(p.status.value == "correct" for prob in result.problems
                   for p in prob.parts if p.ask != "manual")
        a = bank.variant(bank.problems["q5-cross-entropy"], v).problem.given["pred-a"]
        assert sum(a) == pytest.approx(1.0)
        assert result.problems[0].parts[0].expected == pytest.approx(-math.log(a[2]))


def test_a_problem_without_vary_writes_no_variant(seed_dir, secret):
    bank = grading.load_bank(seed_dir)
    result = grading.grade_sheet(bank, {}, student=Student(id="ada"), variant=3)
    assert result.variant is None
    from nncheck.render.json import sheet_json
    assert "variant" not in sheet_json(result)


def test_a_drawn_value_that_breaks_the_problem_is_an_error_naming_the_variant(tmp_path, secret):
    # p up to 1.5: a variant with p > 1 is not a probability vector.
    folder = small_bank(tmp_path, SMALL.replace("range: [0.1, 0.9]", "range: [1.1, 1.5]"))
    with pytest.raises(InputError, match="variant 1 of the problem: part `a`"):
        grading.load_bank(folder).solve_all(variants=True)
    result = CliRunner().invoke(app, ["validate", "--solve", str(folder)])
    assert result.exit_code == 2
    assert "variant 1 of the problem: part `a`" in result.stderr
