"""What `nncheck gradescope` reads and writes on Gradescope's autograder machine.

Gradescope lays a submission out under /autograder
(https://gradescope-autograders.readthedocs.io/en/latest/specs/):
  source/                    the autograder's own files (`--scaffold` writes them)
  submission/                what the student handed in
  submission_metadata.json   who handed it in: `users`, each with `email`, `id` and `name`
                             (https://gradescope-autograders.readthedocs.io/en/latest/submission_metadata/)
  results/results.json       what the autograder writes: the only thing Gradescope reads back

The sheet is found in `submission/` by the rules of a class folder's student folder: the file
named `answers` or `submission` (`.yaml` or `.yml`, any case), else the only YAML file there.
Nothing below `submission/` is read but that one regular file (links out of the folder, FIFOs
and devices are refused as in a class folder). The metadata is read as data, every string in
it untrusted; a file that is missing or not as documented is a warning, never a failure: who
submitted is Gradescope's to record, not the grade's.
"""

from __future__ import annotations

import json
import os
import shutil
import stat
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from nncheck.errors import InputError, NncheckError
from nncheck.io.files import (
    SHEET_NAMES,
    SheetFile,
    _listing,
    _sheet,
    is_yaml_name,
    read_regular,
    shown_path,
    write_atomic,
    yaml_stem,
)
from nncheck.words import inert, listing

ROOT = Path("/autograder")
MAX_METADATA = 16 << 20  # previous_submissions repeats the last results.json: room for it
SCRIPT_MODE = 0o755  # setup.sh and run_autograder are run by Gradescope


@dataclass(frozen=True)
class User:
    """One submitter, as `submission_metadata.json` names them (a group has several)."""

    id: str | None
    name: str | None
    email: str | None
    sid: str | None = None  # the student id of the course roster, where Gradescope sends it

    def as_dict(self) -> dict[str, str | None]:
        """The user as results.json's extra_data records it."""
        return {"id": self.id, "name": self.name, "email": self.email, "sid": self.sid}


@dataclass(frozen=True)
class Metadata:
    """What nncheck uses of `submission_metadata.json`."""

    users: tuple[User, ...] = ()
    submission_id: str | None = None
    assignment: str | None = None  # the assignment's title


def find_sheet(folder: str | os.PathLike[str]) -> SheetFile:
    """The answer sheet of a submission folder, checked (or an InputError saying why none)."""
    where = os.fspath(folder)
    entries = [(n, d) for n, d in _listing(where, InputError) if not n.startswith(".")]
    yamls = [n for n, is_dir in entries if not is_dir and is_yaml_name(n)]
    named = [n for n in yamls if yaml_stem(n).lower() in SHEET_NAMES]
    if len(named) > 1:
        raise InputError(f"two answer sheets: {listing(map(shown_path, named))}",
                         expected="one sheet, answers.yaml (or submission.yaml)")
    picked = named or yamls
    if len(picked) != 1:
        found = (f"{len(yamls)} YAML files ({listing(map(shown_path, yamls))}) and none named "
                 "answers.yaml or submission.yaml") if yamls else "no YAML file"
        seen = [n for n, _ in entries if n not in yamls]
        if not yamls and seen:
            found += f" (found {listing(map(shown_path, seen))})"
        raise InputError(f"the submission holds {found}",
                         expected="one answer sheet, answers.yaml (a .yaml or .yml file)")
    sheet = _sheet(where, os.path.realpath(where), picked[0], yaml_stem(picked[0]))
    if sheet.error is not None:
        said = sheet.error[len(sheet.path):].replace("class folder", "submission folder")
        raise InputError(shown_path(picked[0]) + said)
    return sheet


def read_metadata(path: str | os.PathLike[str]) -> tuple[Metadata, str | None]:
    """The submission's metadata, and a warning when it cannot be read as documented."""
    shown = shown_path(os.fspath(path))
    try:
        data, size = read_regular(os.fspath(path), MAX_METADATA + 1, shown=shown)
    except NncheckError as exc:
        return Metadata(), f"submission metadata not read: {exc}"
    if size > MAX_METADATA:
        return Metadata(), f"{shown}: submission metadata over {MAX_METADATA >> 20} MiB, not read"
    try:
        doc = json.loads(data.decode("utf-8"))
    except (UnicodeDecodeError, ValueError) as exc:
        return Metadata(), f"{shown}: submission metadata is not JSON ({inert(str(exc))})"
    if not isinstance(doc, dict) or not isinstance(doc.get("users", []), list):
        return Metadata(), f"{shown}: submission metadata has no list of `users`"
    users = tuple(
        User(_text(u.get("id")), _text(u.get("name")), _text(u.get("email")), _text(u.get("sid")))
        for u in doc.get("users", []) if isinstance(u, dict))
    assignment = doc.get("assignment")
    title = _text(assignment.get("title")) if isinstance(assignment, dict) else None
    return Metadata(users, _text(doc.get("id")), title), None


def _text(value: Any) -> str | None:
    """A metadata field as inert text (ids are numbers in Gradescope's own files)."""
    if isinstance(value, bool) or value is None:
        return None
    if isinstance(value, (int, str)):
        return inert(str(value))[:500]
    return None


class ResultsNotWritten(InputError):
    """results.json cannot be written (there is nowhere to say so to the student)."""


def write_results(path: str | os.PathLike[str], text: str) -> None:
    """Write results.json whole (a reader never sees half of it), its folder made if need be."""
    try:
        write_atomic(path, text)
    except InputError as exc:
        raise ResultsNotWritten(exc.message, path=exc.path, expected=exc.expected) from None


# --- the files a course uploads ------------------------------------------------------------------

def write_scaffold(folder: str | os.PathLike[str], scripts: dict[str, str], bank: list[Path],
                   *, secret: Path | None = None, wheel: Path | None = None,
                   force: bool = False) -> list[str]:
    """Write the autograder's files into `folder`: the scripts (executable), `problems/` (a copy
    of the bank) and `wheels/` (the wheel, if any). Return the names written.

    A folder that holds anything else is refused unless `force`; then only these entries are
    replaced, and everything else in it is left alone.
    """
    target = Path(folder)
    shown = shown_path(os.fspath(folder))
    ours = {*scripts, "problems", "wheels"}
    try:
        present = sorted(os.listdir(target)) if target.exists() else []
    except OSError as exc:
        raise InputError(f"cannot read the folder: {exc.strerror or exc}", path=shown,
                         expected="a new or empty folder") from None
    if present and not force:
        raise InputError(f"the folder is not empty ({listing(map(shown_path, present))})",
                         path=shown,
                         expected="a new or empty folder, or --force to replace "
                         f"{', '.join(sorted(ours))} in it")
    written = []
    try:
        target.mkdir(parents=True, exist_ok=True)
        for name in ("problems", "wheels"):
            _remove(target / name)
        for name, text in scripts.items():
            write_atomic(target / name, text)
            os.chmod(target / name, SCRIPT_MODE)
            written.append(name)
        (target / "problems").mkdir()
        for path in [*bank, *([secret] if secret is not None else [])]:
            shutil.copyfile(path, target / "problems" / path.name)
            written.append(f"problems/{path.name}")
        if wheel is not None:
            (target / "wheels").mkdir()
            shutil.copyfile(wheel, target / "wheels" / wheel.name)
            written.append(f"wheels/{wheel.name}")
    except OSError as exc:
        raise InputError(f"cannot write the autograder: {exc.strerror or exc}", path=shown,
                         expected="a folder nncheck can create and write") from None
    return written


def _remove(path: Path) -> None:
    """Remove a folder we wrote before (or a file or link of that name)."""
    try:
        mode = os.lstat(path).st_mode
    except FileNotFoundError:
        return
    if stat.S_ISDIR(mode):
        shutil.rmtree(path)
    else:
        path.unlink()
