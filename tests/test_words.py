"""How messages are worded: suggestions, shortening, one-line text and name lists.

Expected suggestions follow difflib's documented rule: a choice is suggested when its ratio
2*M/T with `word` (M matching characters, T the characters of both) is at least 0.6.
"""

from __future__ import annotations

import ast
from pathlib import Path
from typing import Any

import pytest
from pydantic import ValidationError

import nncheck
from conftest import make_problem
from nncheck.errors import ProblemError
from nncheck.grading import Bank, LoadedProblem, grade_sheet
from nncheck.spec.model import ModelSpec
from nncheck.spec.network import NetworkSpec
from nncheck.words import clip, did_you_mean, listing, one_line, suggestion

SRC = Path(nncheck.__file__).resolve().parent


# --- did_you_mean and suggestion ---------------------------------------------------------------

@pytest.mark.parametrize("word,choices,expected", [
    # `kernal`/`kernel`: M = 5 (`kern`, `l`), T = 12, ratio 10/12 = 0.83
    pytest.param("kernal", ["kernel", "stride"], "did you mean `kernel`?", id="close"),
    # `abcde`/`abcxy`: M = 3, T = 10, ratio exactly 0.6: the cutoff itself suggests
    pytest.param("abcde", ["abcxy"], "did you mean `abcxy`?", id="at-the-cutoff"),
    # `abcd`/`abxy`: M = 2, T = 8, ratio 0.5
    pytest.param("abcd", ["abxy"], None, id="below-the-cutoff"),
    # `ec`/`ce`: M = 1, T = 4, ratio 0.5
    pytest.param("ec", ["ce"], None, id="swapped-pair"),
    # `dd`/`d`: M = 1, T = 3, ratio 0.67
    pytest.param("dd", ["d"], "did you mean `d`?", id="one-letter"),
    # `12`/`123`: M = 2, T = 5, ratio 0.8
    pytest.param(12, ["123", "x"], "did you mean `123`?", id="a-number-as-a-name"),
    pytest.param("x", [], None, id="no-choices"),
])
def test_did_you_mean_uses_difflibs_cutoff_of_0_6(word: Any, choices: list[str],
                                                   expected: str | None) -> None:
    assert did_you_mean(word, choices) == expected


def test_did_you_mean_shows_the_choice_as_show_writes_it() -> None:
    assert did_you_mean("desing", ["design"], "answer.".__add__) == (
        "did you mean `answer.design`?")


def test_did_you_mean_shows_a_control_character_as_an_escape() -> None:
    assert did_you_mean("ab\x1b[2Jc", ["ab\x1b[2Jcd"]) == "did you mean `ab\\x1b[2Jcd`?"


def test_suggestion_is_the_hint_in_parentheses() -> None:
    assert suggestion("kernal", ["kernel"]) == " (did you mean `kernel`?)"
    assert suggestion("zzz", ["kernel"]) == ""


# --- clip, one_line, listing ---------------------------------------------------------------------

@pytest.mark.parametrize("text,width,ellipsis,expected", [
    pytest.param("abcdefgh", 8, "...", "abcdefgh", id="fits"),
    pytest.param("abcdefghij", 8, "...", "abcde...", id="three-dots"),
    pytest.param("abcdefghij", 8, "…", "abcdefg…", id="one-character"),
    pytest.param("abcdefghij", 2, "...", "...", id="narrower-than-the-dots"),
])
def test_clip_keeps_width_characters(text: str, width: int, ellipsis: str, expected: str) -> None:
    assert clip(text, width, ellipsis) == expected


def test_clip_uses_three_dots_by_default() -> None:
    assert clip("n" * 61, 60) == "n" * 57 + "..."


def test_one_line_joins_every_run_of_whitespace_with_one_space() -> None:
    assert one_line("  a \n\t b\r\n  c  ") == "a b c"


@pytest.mark.parametrize("names,limit,expected", [
    pytest.param(["a", "b", "c"], 8, "`a`, `b`, `c`", id="all"),
    pytest.param(["a", "b", "c"], 3, "`a`, `b`, `c`", id="exactly-the-limit"),
    pytest.param(["a", "b", "c"], 2, "`a`, `b`, ...", id="past-the-limit"),
    pytest.param([], 8, "", id="none"),
])
def test_listing_quotes_names_and_stops_at_the_limit(names: list[str], limit: int,
                                                     expected: str) -> None:
    assert listing(names, limit) == expected


# --- one suggestion format and one cutoff everywhere ---------------------------------------------

LOSS = {"id": "ce", "given": {"y": [0, 0, 1, 0]}, "parts": [
    {"id": "a", "ask": "loss", "fn": "cross_entropy", "y_true": "y",
     "y_pred": [0.1, 0.2, 0.3, 0.4]},
    {"id": "d", "ask": "loss", "fn": "cross_entropy", "y_true": "y",
     "y_pred": [0.1, 0.2, 0.3, 0.4]},
]}


def _warnings(answers: dict[str, Any]) -> tuple[str, ...]:
    problem = make_problem(LOSS)
    return grade_sheet(Bank({"ce": LoadedProblem(problem, "ce.yaml")}), answers).warnings


def test_a_warning_gives_its_suggestion_in_parentheses() -> None:
    # `cee`/`ce`: ratio 2*2/5 = 0.8; `dd`/`d`: 2*1/3 = 0.67
    assert _warnings({"cee": {"a": 1}, "ce": {"dd": 1}}) == (
        "answers to unknown problem `cee` (did you mean `ce`?)",
        "`ce`: answer to unknown part `dd` (did you mean `d`?)",
    )


def test_a_warning_suggests_only_past_the_one_cutoff() -> None:
    # `ec`/`ce`: ratio 2*1/4 = 0.5, below 0.6
    assert _warnings({"ec": {"a": 1}}) == ("answers to unknown problem `ec`",)


def _layer_error(layers: list[Any]) -> str:
    with pytest.raises(ValidationError) as info:
        ModelSpec.model_validate({"input": [10], "layers": layers, "framework": "keras"})
    return str(info.value.errors()[0]["msg"])


def test_an_unknown_layer_type_gives_its_suggestion_in_parentheses() -> None:
    assert _layer_error(["flaten"]) == (
        "Value error, layer 0: unknown layer type `flaten` (did you mean `flatten`?)")


def test_an_unknown_layer_argument_lists_the_arguments_then_the_suggestion() -> None:
    assert _layer_error([{"dense": {"units": 3, "activatoin": "relu"}}]) == (
        "Value error, layer 0 (dense): unknown argument `activatoin` — arguments: units, "
        "bias, activation (did you mean `activation`?)")


def test_an_unknown_name_in_a_network_gives_its_suggestion_as_a_hint() -> None:
    from nncheck.engine.network import build

    spec = NetworkSpec.model_validate({"inputs": ["x"], "layers": [
        {"activation": "step", "units": {"y": {"w": ["lg(2)"], "b": 0}}}]})
    with pytest.raises(ProblemError) as info:
        build(spec, "net")
    assert info.value.hint == "did you mean `log`?"
    assert str(info.value) == (
        "layer 1, unit `y`: unknown name `lg` — numbers (did you mean `log`?)")


def test_a_missing_layer_name_gives_its_suggestion_as_a_hint() -> None:
    from nncheck.solvers.context import Context
    from nncheck.solvers.models import solve_param_count
    from nncheck.spec.problem import Problem

    problem = Problem.model_validate({
        "id": "p",
        "given": {"m": {"kind": "model", "input": [4], "layers": [{"dense": 2, "name": "out"}]}},
        "parts": [{"id": "a", "ask": "param_count", "model": "m", "layer": "otu"}]})
    with pytest.raises(ProblemError) as info:
        solve_param_count(problem.parts[0], Context(problem=problem, part=problem.parts[0]))
    # `otu`/`out`: M = 2, T = 6, ratio 0.67
    assert info.value.hint == "did you mean `out`?"
    assert info.value.message == "model `m` has no layer named `otu`"


def test_only_words_finds_close_matches() -> None:
    users = sorted(
        str(path.relative_to(SRC)) for path in SRC.rglob("*.py")
        if any(isinstance(node, (ast.Import, ast.ImportFrom))
               and "difflib" in ([a.name for a in node.names] if isinstance(node, ast.Import)
                                 else [node.module or ""])
               for node in ast.walk(ast.parse(path.read_text(encoding="utf-8")))))
    assert users == ["words.py"]


def test_a_difference_of_case_alone_is_suggested_whatever_difflib_says():
    # difflib compares characters exactly: `B-OLD` and `b-old` share only `-` (ratio 0.2)
    assert did_you_mean("B-OLD", ["b-new", "b-old", "a"]) == "did you mean `b-old`?"
