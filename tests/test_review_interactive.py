"""`nncheck review --interactive`: the groups scored at prompts, driven here by scripted input
on `cli.env`'s stdin. The groups of reviewkit's class, in order:

    1. q/p 0.5229 (s2, s3)   2. q/p 0.7 (s4)   3. q/w "Zero gradient." (s1, s2)
    4. q/w "It is not differentiable" (s3)
"""

from __future__ import annotations

import io

import pytest
import yaml
from reviewkit import make
from typer.testing import CliRunner

from nncheck import cli


@pytest.fixture
def review(tmp_path, monkeypatch):
    """Run `review --interactive` on reviewkit's class with a script as stdin; give the exit
    code, what it printed and the groups file's groups as (points, comment)."""
    bank, klass = make(tmp_path)
    out = tmp_path / "groups.yaml"

    def run(script: str | io.TextIOBase) -> tuple[int, str, list[tuple]]:
        stdout = io.StringIO()
        stdin = io.StringIO(script) if isinstance(script, str) else script
        fresh = cli.Environment(stdout=stdout, stderr=io.StringIO(), isatty=False, stdin=stdin)
        for name, value in vars(fresh).items():
            monkeypatch.setattr(cli.env, name, value)
        result = CliRunner().invoke(cli.app, ["review", str(klass), "-p", str(bank), "--out",
                                              str(out), "--interactive", "--format", "text"])
        found = yaml.safe_load(out.read_text("utf-8"))["groups"] if out.exists() else []
        return result.exit_code, stdout.getvalue(), [(g["points"], g["comment"]) for g in found]

    return run


def test_points_and_comments_are_set_group_by_group(review):
    code, printed, found = review("1\nlog base 10\ns\n0.5\n\nq\n")
    assert code == 0
    # 1 scored with a comment, 2 skipped, 3 scored without one, quit at 4.
    assert found == [(1, "log base 10"), (None, None), (0.5, None), (None, None)]
    lines = printed.splitlines()
    assert "[1/4] q / p (up to 2 points) — wrong, now to score" in lines
    assert "  answer: 0.5229" in lines
    assert "  2 students: s2, s3" in lines
    assert "[3/4] q / w (up to 1 point) — pending, now to score" in lines


def test_a_second_run_resumes_at_the_groups_not_yet_scored(review):
    review("1\nfirst\nq\n")
    code, printed, found = review("0\nwrong value\n")  # then the input ends
    assert code == 0
    # Groups 2, 3 and 4 were left; the second run asked for group 2 first, then stopped at 3.
    assert found == [(1, "first"), (0, "wrong value"), (None, None), (None, None)]
    assert "[1/3] q / p (up to 2 points) — wrong, now to score" in printed.splitlines()


def test_back_returns_to_the_group_before_and_a_bad_score_is_asked_again(review):
    code, printed, found = review("1\n\nb\n2\nright after all\n3\n0\n\nq\n")
    assert code == 0
    # 1 -> back to 1 -> 2 (again); then "3" is above group 2's 2 points: asked again, 0.
    assert found == [(2, "right after all"), (0, None), (None, None), (None, None)]
    assert "  not a score: give a number from 0 to 2, or s, b, q" in printed.splitlines()


class Interrupting(io.StringIO):
    """Scripted input whose third line is a Ctrl-C."""

    def __init__(self, text: str) -> None:
        super().__init__(text)
        self.lines = 0

    def readline(self, *args: object) -> str:
        self.lines += 1
        if self.lines == 3:
            raise KeyboardInterrupt
        return super().readline(*args)


def test_each_group_is_saved_at_once_so_a_stop_loses_nothing_scored(review):
    code, _, found = review(Interrupting("1\nkept\n0\n"))
    assert code == 130
    assert found == [(1, "kept"), (None, None), (None, None), (None, None)]


def test_student_text_at_the_prompt_is_inert(tmp_path, monkeypatch):
    bank, klass = make(tmp_path, {"s1": {"w": "fine\x1b]52;c;aGk=\x07\u202e"}})
    stdout = io.StringIO()
    fresh = cli.Environment(stdout=stdout, stderr=io.StringIO(), isatty=False,
                            stdin=io.StringIO("q\n"))
    for name, value in vars(fresh).items():
        monkeypatch.setattr(cli.env, name, value)
    result = CliRunner().invoke(cli.app, ["review", str(klass), "-p", str(bank), "--out",
                                          str(tmp_path / "g.yaml"), "-i", "-f", "text"])
    assert result.exit_code == 0
    printed = stdout.getvalue()
    assert "\x1b" not in printed and "\u202e" not in printed and "\x07" not in printed
    assert "  answer: fine\\x1b]52;c;aGk=\\x07\\u202e" in printed.splitlines()
