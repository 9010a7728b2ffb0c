"""A report already on disk, read back: its summary, its rows one at a time, its files.

`nncheck merge` reads shard reports this way, and `grade --update` the report it updates. A
report is read as nncheck wrote it: `summary.json`, then `results.jsonl` and `grades.csv` line
by line in step (one row each, in report order; a roster's `missing` rows after them are
skipped), and a student's feedback and Gradescope files when they are copied. Every file must
be a regular file (a link, a FIFO or a device is refused); anything that is not what `grade`
writes is an error naming the file and the line.
"""

from __future__ import annotations

import contextlib
import csv
import errno
import json
import os
import stat
from collections.abc import Generator, Iterator
from pathlib import Path
from typing import Any, NamedTuple

from nncheck.errors import InputError, NncheckError
from nncheck.io.files import shown_path

SUMMARY_BYTES = 64 << 20  # summary.json: statistics bounded in size, whatever the class
FILE_BYTES = 64 << 20  # one student's feedback or Gradescope file
_BOM = "\ufeff"
_NOFOLLOW = getattr(os, "O_NOFOLLOW", 0)


class SavedRow(NamedTuple):
    """One row of a saved report: its results.jsonl object and line, its grades.csv fields."""

    data: dict[str, Any]
    line: str  # without the line end
    fields: list[str]


class SavedReport:
    """A report folder written by `nncheck grade` (or `merge`), open for reading."""

    def __init__(self, path: str | os.PathLike[str], *, what: str = "report"):
        self.path = Path(path)
        self.shown = shown_path(os.fspath(path))
        self.what = what
        if not self.path.is_dir():
            raise NncheckError(f"{self.shown}: not a report folder",
                               expected=f"{what}: a folder written by `nncheck grade --out`")
        raw, size = self._read("summary.json", SUMMARY_BYTES)
        if size > SUMMARY_BYTES:
            raise InputError("too large for a summary", path=self._name("summary.json"),
                             expected=f"at most {SUMMARY_BYTES >> 20} MiB")
        try:
            summary = json.loads(raw.decode("utf-8"))
        except (UnicodeDecodeError, json.JSONDecodeError) as exc:
            raise InputError(f"not a summary written by nncheck ({exc})",
                             path=self._name("summary.json"),
                             expected="the summary.json of `nncheck grade`") from None
        if not isinstance(summary, dict) or not isinstance(summary.get("problems"), list):
            raise InputError("not a summary written by nncheck", path=self._name("summary.json"),
                             expected="the summary.json of `nncheck grade`")
        self.summary: dict[str, Any] = summary
        self.header: list[str] | None = None

    def _name(self, name: str) -> str:
        return os.path.join(self.shown, name)

    def rows(self) -> Generator[SavedRow, None, None]:
        """Every row, in the report's order: results.jsonl and grades.csv read in step."""
        with self._open("results.jsonl", newline="\n") as results, \
                self._open("grades.csv", newline="") as table:
            reader = csv.reader(table)
            header = next(reader, None)
            if header is None or not header or not header[0].startswith(_BOM):
                raise InputError("not a gradebook written by nncheck",
                                 path=self._name("grades.csv"), line=1,
                                 expected="the grades.csv of `nncheck grade`")
            self.header = [header[0][len(_BOM):], *header[1:]]
            for number, line in enumerate(results, 1):
                if not line.endswith("\n"):
                    raise self._bad("results.jsonl", number, "a line that does not end")
                line = line[:-1]
                try:
                    data = json.loads(line)
                except json.JSONDecodeError as exc:
                    raise self._bad("results.jsonl", number, f"not JSON ({exc.msg})") from None
                if not isinstance(data, dict) or not isinstance(data.get("rel"), str) \
                        or not isinstance(data.get("sheet"), str):
                    raise self._bad("results.jsonl", number,
                                    "no `sheet` and `rel` (written by an older nncheck?)")
                fields = next(reader, None)
                if fields is None:
                    raise self._bad("grades.csv", number + 1,
                                    "fewer rows than results.jsonl has lines")
                yield SavedRow(data, line, fields)
            # What a roster adds: a `missing` row (no sheet) a student, made again from the
            # roster by whatever reads the report back, never copied.
            for fields in reader:
                if len(fields) < 5 or fields[-3] != "missing" or fields[-1] != "":
                    raise self._bad("grades.csv", reader.line_num,
                                    "more rows than results.jsonl has lines")

    def text(self, name: str) -> str:
        """A file of the report as text, exactly as written (a feedback or Gradescope file)."""
        where = self._name(name)
        raw, size = self._read(name, FILE_BYTES)
        if size > FILE_BYTES:
            raise InputError("too large for a report file", path=where,
                             expected=f"at most {FILE_BYTES >> 20} MiB")
        try:
            return raw.decode("utf-8")
        except UnicodeDecodeError:
            raise InputError("not UTF-8", path=where,
                             expected="a file written by `nncheck grade`") from None

    def _read(self, name: str, limit: int) -> tuple[bytes, int]:
        """At most `limit` bytes of a regular file of the report (never through a link), and
        its size."""
        with self._open(name, newline=None, binary=True) as stream:
            return stream.read(limit), os.fstat(stream.fileno()).st_size

    def _bad(self, name: str, line: int, what: str) -> InputError:
        return InputError(what, path=self._name(name), line=line,
                          expected=f"the {name} of `nncheck grade`, as it wrote it")

    @contextlib.contextmanager
    def _open(self, name: str, *, newline: str | None, binary: bool = False
              ) -> Iterator[Any]:
        where = self._name(name)
        path = self.path / name
        try:
            fd = os.open(path, os.O_RDONLY | _NOFOLLOW | getattr(os, "O_NONBLOCK", 0))
        except OSError as exc:
            reason = "a link" if exc.errno == errno.ELOOP else exc.strerror or str(exc)
            raise InputError(f"cannot read the file: {reason}", path=where,
                             expected=f"{self.what}: a folder written by `nncheck grade --out`"
                             ) from None
        opened = os.fdopen(fd, "rb") if binary else \
            os.fdopen(fd, "r", encoding="utf-8", newline=newline)
        with opened as stream:
            if not stat.S_ISREG(os.fstat(fd).st_mode):
                raise InputError("not a regular file", path=where,
                                 expected=f"the {name} of `nncheck grade`")
            try:
                yield stream
            except UnicodeDecodeError:
                raise InputError("not UTF-8", path=where,
                                 expected=f"the {name} of `nncheck grade`") from None
