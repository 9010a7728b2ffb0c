"""Tests for nncheck.io: the digest of the bytes parsed, banks made of loaded problems, sheet
writing."""

from __future__ import annotations

import hashlib
from pathlib import Path

import numpy as np
import pytest

from nncheck import grading
from nncheck.errors import InputError
from nncheck.io.files import sheet_yaml, write_sheet
from nncheck.io.problems import load_problem, load_sheet
from nncheck.io.yaml import parse_document, read_document

PROBLEM = b"id: q3\nparts: [{id: a, ask: choice, options: [A, B], key: B}]\n"


def test_a_document_keeps_the_sha256_of_the_bytes_it_was_parsed_from(tmp_path: Path) -> None:
    path = tmp_path / "q3.yaml"
    path.write_bytes(b"\xef\xbb\xbf" + PROBLEM)  # a byte-order mark is part of the bytes
    expected = hashlib.sha256(b"\xef\xbb\xbf" + PROBLEM).hexdigest()
    assert read_document(path).sha256 == expected
    assert load_problem(path).sha256 == expected


def test_the_problem_digest_is_of_what_was_graded_not_of_the_file_later(tmp_path: Path) -> None:
    path = tmp_path / "q3.yaml"
    path.write_bytes(PROBLEM)
    bank = grading.load_bank(tmp_path)
    path.write_bytes(PROBLEM.replace(b"key: B", b"key: A"))  # edited after it was read
    assert bank.problems["q3"].sha256 == hashlib.sha256(PROBLEM).hexdigest()


def test_text_parsed_without_a_file_has_no_digest() -> None:
    assert parse_document(PROBLEM.decode(), "q3.yaml").sha256 == ""


def test_a_bank_of_no_files_names_the_folder(tmp_path: Path) -> None:
    with pytest.raises(InputError) as info:
        grading.load_bank(tmp_path)
    assert str(info.value) == f"{tmp_path}: no problem files (*.yaml) — a problem bank"


def test_two_problems_with_one_id_are_refused(tmp_path: Path) -> None:
    for name in ("one.yaml", "two.yaml"):
        (tmp_path / name).write_bytes(PROBLEM)
    with pytest.raises(InputError, match=r"problem id `q3` is used twice"):
        grading.load_bank(tmp_path)


def test_a_sheet_is_written_as_plain_yaml() -> None:
    # numpy numbers become plain ones and "inf" a YAML infinity; PyYAML's default_flow_style=None
    # writes a collection of scalars only in flow style, `[...]` / `{...}`, the others in block.
    answers = {"q3": {"a": np.float64(0.5), "b": "inf", "c": [np.int64(2), "-inf"], "d": None}}
    assert sheet_yaml("key", answers, name="answer key") == (
        "student: {id: key, name: answer key}\n"
        "answers:\n"
        "  q3:\n"
        "    a: 0.5\n"
        "    b: .inf\n"
        "    c: [2, -.inf]\n"
        "    d: null\n"
    )


def test_a_written_sheet_reads_back(tmp_path: Path) -> None:
    path = tmp_path / "out" / "key.yaml"
    write_sheet(path, "key", {"q3": {"a": "B"}}, name="answer key")
    sheet = load_sheet(path)
    assert (sheet.student.id, sheet.student.name) == ("key", "answer key")
    assert sheet.answers == {"q3": {"a": "B"}}
    assert [p.name for p in path.parent.iterdir()] == ["key.yaml"]  # no temporary file left
