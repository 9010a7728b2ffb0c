"""Answers that must not earn marks without the work, and files that would grade the key wrong:
a numeric answer that names the value it is asked for, a listed-rows table that leaves out the
rows that matter, choice options that an answer cannot tell apart."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest
from typer.testing import CliRunner

from nncheck.cli import app


def write(tmp_path: Path, text: str, name: str = "p.yaml") -> Path:
    path = tmp_path / name
    path.write_text(textwrap.dedent(text).lstrip("\n"), encoding="utf-8")
    return path


def refused(tmp_path: Path, text: str) -> str:
    """The one error line of `nncheck validate`, without `error: <path>:`; exit code 2."""
    path = write(tmp_path, text)
    result = CliRunner().invoke(app, ["validate", str(path)])
    assert result.exit_code == 2, result.output
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    prefix = f"error: {path}:"
    assert lines[0].startswith(prefix), lines[0]
    return lines[0][len(prefix):]


# --- choice options that fold alike -------------------------------------------------------------

# A claim is matched to an option with case and runs of spacing ignored (docs/format.md, choice):
# "A" and "a" fold to "a", "same" and " Same " to "same", "two words" and "Two  Words" to
# "two words". Two such options cannot both be told apart, so the key could be graded wrong.
# The error line shows each option as written, on one line (runs of spacing shown as one).
@pytest.mark.parametrize(("options", "named"), [
    pytest.param("[A, B, a]", "2:42: options `A` and `a`", id="case"),
    pytest.param("[same, A, ' Same ']", "2:45: options `same` and ` Same `", id="spacing-around"),
    pytest.param("['two words', B, 'Two  Words']", "2:52: options `two words` and `Two Words`",
                 id="spacing-inside"),
])
def test_choice_options_equal_after_folding_are_refused_naming_both(tmp_path, options, named):
    assert refused(tmp_path, f"""
        parts:
          - {{id: c, ask: choice, options: {options}, key: B}}
        """) == (f"{named} differ only in case or spacing — an answer could not tell them "
                 "apart; make every option differ in more than case or spacing")


def test_a_choice_option_given_twice_is_refused(tmp_path):
    # Column 39 is the second `A` of `options: [A, A]` on line 2.
    assert refused(tmp_path, """
        parts:
          - {id: c, ask: choice, options: [A, A], key: A}
        """) == ("2:39: option `A` is given twice — an answer could not tell them apart; "
                 "make every option differ in more than case or spacing")


def test_options_that_differ_in_more_than_case_still_validate_and_grade(tmp_path):
    path = write(tmp_path, """
        parts:
          - {id: c, ask: choice, options: [A, AA, 'A B'], key: 'A B'}
        answers: {c: ' a  b '}
        """)
    result = CliRunner().invoke(app, ["check", str(path), "--format", "json"])
    assert result.exit_code == 0, result.output
