"""Problem files, problem banks and answer sheets, read and validated.

A problem bank is a folder of problem files (`DIR/*.yaml` or `DIR/*.yml`, any case);
`grading.make_bank` makes a Bank of the loaded problems. A sheet is `student:` and `answers:`,
or a problem file with inline `answers:` (a self-contained sheet).
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from nncheck.errors import InputError
from nncheck.io.files import MAX_NOT_READ, STDIN_NAME, NotRead, is_yaml_name, shown_path
from nncheck.io.yaml import Document, read_document
from nncheck.spec.errors import validate

if TYPE_CHECKING:
    from nncheck.spec.problem import Problem, Student

__all__ = [
    "LoadedProblem",
    "LoadedSheet",
    "bank_files",
    "bank_survey",
    "load_any",
    "load_problem",
    "load_problem_from",
    "load_sheet",
    "load_sheet_from",
    "read_secret",
]


def load_problem(path: str | os.PathLike[str]) -> LoadedProblem:
    """Read and validate one problem file; `id` defaults to the file name."""
    doc = read_document(path)
    _expect_mapping(doc, "a problem: `parts:` and what they ask about")
    if "parts" not in doc.data and "student" in doc.data and "answers" in doc.data:
        raise doc.error(
            (), "this looks like an answer sheet (it has `student:` and `answers:`), not a "
            "problem file", expected="a problem file: `parts:` and what they ask about",
            hint="keep answer sheets out of the bank folder, e.g. in a `sheets/` folder inside it")
    return load_problem_from(doc, path)


def bank_files(directory: str | os.PathLike[str]) -> list[Path]:
    """The problem files of a bank: `DIR/*.yaml` and `DIR/*.yml`, any case (not subfolders),
    sorted by name."""
    return bank_survey(directory)[0]


def bank_survey(directory: str | os.PathLike[str]) -> tuple[list[Path], list[NotRead]]:
    """The problem files of a bank, and the files beside them that are not read (not YAML;
    names starting with a dot and subfolders are not named)."""
    folder = Path(directory)
    if not folder.is_dir():
        raise InputError(f"{shown_path(str(folder))}: not a folder",
                         expected="a folder of problem files")
    found: list[Path] = []
    skipped: list[NotRead] = []
    for entry in sorted(folder.iterdir()):
        if entry.name.startswith(".") or entry.is_dir():
            continue
        if is_yaml_name(entry.name):
            found.append(entry)  # a FIFO or a device is refused when it is read
        elif len(skipped) < MAX_NOT_READ:
            skipped.append(NotRead(shown_path(str(entry)), "not a YAML file"))
    return found, skipped


def read_secret(folder: Path | None) -> bytes:
    """The course secret that seeds the sample points: `NNCHECK_SECRET`, else the bank's
    `.nncheck-secret` file, else none (b"": points computable from the problem files)."""
    from nncheck.solvers import seeding

    text = os.environ.get(seeding.SECRET_ENV)
    where = f"${seeding.SECRET_ENV}"
    if text is not None:
        data = text.encode("utf-8", "surrogateescape")
    elif folder is not None and (folder / seeding.SECRET_FILE).is_file():
        path = folder / seeding.SECRET_FILE
        where = str(path)
        try:
            with open(path, "rb") as f:
                data = f.read(seeding.MAX_SECRET + 1)
        except OSError as exc:
            raise InputError(f"{path}: cannot read the secret: {exc.strerror}") from None
    else:
        return b""
    data = data.strip()
    if not data or len(data) > seeding.MAX_SECRET:
        raise InputError(f"{where}: the secret is {'empty' if not data else 'too long'}",
                         expected=f"1 to {seeding.MAX_SECRET} bytes, e.g. a random line "
                         "from `openssl rand -hex 32`")
    return data


@dataclass
class LoadedProblem:
    """A validated problem and where it came from (for messages that name a line)."""

    problem: Problem
    path: str
    doc: Document | None = None
    variant: int | None = None  # the variant drawn (variants.py), None for the problem as written

    def locate(self, part_index: int) -> tuple[int | None, int | None]:
        """Line and column of a part in its file."""
        if self.doc is None:
            return None, None
        return self.doc.locate(("parts", part_index))

    @property
    def sha256(self) -> str:
        """The SHA-256 of the bytes the problem was parsed from ("" if not read from a file)."""
        return "" if self.doc is None else self.doc.sha256


@dataclass(frozen=True)
class LoadedSheet:
    """A validated answer sheet, or a problem file with inline answers."""

    path: str
    student: Student
    answers: Mapping[str, Mapping[str, Any] | None]
    problem: LoadedProblem | None = None  # set for a problem file with inline `answers:`
    doc: Document | None = None  # the file read, for messages that name a line
    decimal_comma: bool = False  # the sheet declares `decimal_comma: true`
    variant: int | None = None  # the sheet's `variant:` (variants.py)
    check: str | None = None  # the sheet's check code


def load_sheet(path: str | os.PathLike[str], *, shown: str | None = None,
               same_as: tuple[int, int] | None = None, stdin: bool = False) -> LoadedSheet:
    """Read a sheet; a problem file with inline `answers:` is a self-contained sheet. With
    `stdin`, the path `-` is standard input."""
    doc = read_document(path, shown=shown, same_as=same_as, stdin=stdin)
    _expect_mapping(doc, "an answer sheet: `student:` and `answers:`")
    return load_sheet_from(doc, doc.path)


def load_sheet_from(doc: Document, path: str | os.PathLike[str]) -> LoadedSheet:
    """Validate an already-read sheet (or problem file with inline answers)."""
    from nncheck.spec.problem import Sheet, Student

    if "parts" in doc.data:
        loaded = load_problem_from(doc, path)
        problem = loaded.problem
        if problem.answers is None:
            raise doc.error((), "this problem file has no `answers:`",
                            expected="a sheet, or a problem file with inline answers")
        if problem.student is None and doc.path == STDIN_NAME:
            raise doc.error((), "a problem file with answers on standard input names no student",
                            expected="`student: {id: ...}` (a file's name stands in for it, "
                            "standard input has none)")
        student = problem.student or Student(id=Path(path).stem)
        return LoadedSheet(doc.path, student, {str(problem.id): problem.answers}, loaded, doc,
                           decimal_comma=problem.decimal_comma)
    sheet = validate(Sheet, doc)
    return LoadedSheet(doc.path, sheet.student, sheet.answers, doc=doc,
                       decimal_comma=sheet.decimal_comma, variant=sheet.variant,
                       check=sheet.check)


def load_problem_from(doc: Document, path: str | os.PathLike[str]) -> LoadedProblem:
    """Validate an already-read problem document."""
    from nncheck.spec.network import MAX_TABLE_INPUTS
    from nncheck.spec.problem import Problem, oversized_table

    problem = validate(Problem, doc)
    oversized = oversized_table(problem)
    if oversized is not None:  # refused here, before any row is allocated
        index, key, inputs = oversized
        raise doc.error(
            ("parts", index, key),
            f"part `{problem.parts[index].id}`: a truth table of {inputs} inputs has "
            f"2^{inputs} rows",
            expected=f"at most {MAX_TABLE_INPUTS} inputs",
        )
    if problem.vary is not None:
        from nncheck.spec.common import KEY
        from nncheck.spec.vary import MAX_VARIANT_NODES, check_paths

        bad = check_paths(doc.data.get("given"), problem.vary)
        if bad is not None:
            loc, why = bad
            at_key = loc[-1] == KEY
            raise doc.error(loc[:-1] if at_key else loc, f"`vary`: {why}",
                            expected="a dotted path into `given`, e.g. `net.layers.0.h1.w.1`",
                            at_key=at_key)
        nodes = len(doc.marks) + len(doc.key_marks)
        if problem.vary.variants * nodes > MAX_VARIANT_NODES:
            raise doc.error(("vary", "variants"), f"`vary`: {problem.vary.variants} variants "
                            f"of a file of {nodes:,} values and keys are more than "
                            f"{MAX_VARIANT_NODES:,} values to draw and keep",
                            expected=f"at most {MAX_VARIANT_NODES // nodes:,} variants (or a "
                            "smaller `given`)")
    if problem.id is None:
        if doc.path == STDIN_NAME:
            raise doc.error((), "a problem file on standard input has no `id:`",
                            expected="`id:` (a file's name stands in for it, standard input "
                            "has none)")
        problem = problem.model_copy(update={"id": Path(path).stem})
    return LoadedProblem(problem, doc.path, doc)


def _expect_mapping(doc: Document, what: str) -> None:
    if not isinstance(doc.data, dict):
        found = "an empty file" if doc.data is None else type(doc.data).__name__
        raise doc.error((), f"found {found}", expected=what)


def load_any(path: str | os.PathLike[str]) -> LoadedProblem | LoadedSheet:
    """A problem file or a sheet, whichever the file holds (for `validate`)."""
    doc = read_document(path)
    _expect_mapping(doc, "a problem (`parts:`) or an answer sheet (`student:`, `answers:`)")
    if "parts" in doc.data and "answers" not in doc.data:
        return load_problem_from(doc, path)
    return load_sheet_from(doc, path)
