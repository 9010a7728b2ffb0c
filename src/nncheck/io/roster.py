"""A class roster: who should have handed in a sheet, read from a CSV file with a header.

Columns are found by their header, ignoring case, spaces at the ends, runs of spaces and `_`
(`Student_ID` is `student id`); every other column is ignored. The names each field accepts
are in `ALIASES`. A roster needs a column for the student's id or email. A Canvas gradebook
export is a roster as it is (`Student,ID,SIS User ID,SIS Login ID,Section,...`): its
`Points Possible` row is skipped, and its `ID` is Canvas' own user id.

The file is UTF-8, with or without a byte-order mark, with CRLF or LF line ends; its cells
are separated by commas (or by semicolons or tabs, when the header holds those and no comma).
Every string in it is untrusted: whoever writes it out makes it inert (`words`).

Sheets are matched to rows by id first (the roster's id, then its SIS user id, then its SIS
login id; ignoring case), then, for the sheets left, by email (ignoring case): the sheet's
email, else its id (`nncheck variants` gives an email-only row the email as its id). A row is
matched by one student: a later sheet with another id that leads to the same row is left
unmatched, with the reason.
"""

from __future__ import annotations

import csv
import io
import os
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field

from nncheck.errors import InputError
from nncheck.io import files
from nncheck.words import inert

MAX_ROSTER_BYTES = 16 << 20  # 16 MiB: some 100,000 students with room to spare
MAX_CELL_CHARS = 4096  # a roster cell longer than this is not a name, id or email

# What each field of a roster row may be called (after `_column_key`).
ALIASES: Mapping[str, tuple[str, ...]] = {
    "id": ("id", "student id", "username"),
    "name": ("name", "student", "full name", "student name"),
    "email": ("email", "e-mail", "email address", "e-mail address"),
    "sis_user_id": ("sis user id",),
    "sis_login_id": ("sis login id", "login", "login id"),
    "section": ("section",),
}
POINTS_POSSIBLE = "Points Possible"  # the second row of a Canvas gradebook export
_UNMATCHED = {False: "no roster row has its id or email",
              True: "it could not be read, so it names no student"}


@dataclass(frozen=True)
class Student:
    """One row of a roster (its values stripped; None where empty or absent)."""

    line: int
    id: str | None = None
    name: str | None = None
    email: str | None = None
    sis_user_id: str | None = None
    sis_login_id: str | None = None
    section: str | None = None

    @property
    def label(self) -> str:
        """How a message names this student: the id, else the email, else the line."""
        return self.id or self.email or self.sis_user_id or self.sis_login_id or \
            f"line {self.line}"

    @property
    def handout_id(self) -> str:
        """The student id `nncheck variants` writes on this student's sheet, and so the one
        their variant is drawn from: the id, else the SIS user id, SIS login id or email."""
        found = self.id or self.sis_user_id or self.sis_login_id or self.email
        return found if found is not None else f"line {self.line}"  # a row always has one

    @property
    def sis_label(self) -> str:
        """How a message names a student of a Canvas roster: its SIS ids before Canvas' own."""
        return self.sis_user_id or self.sis_login_id or self.label


@dataclass(frozen=True)
class Matching:
    """Which roster row each sheet belongs to, and what is left over on either side."""

    rows: dict[str, int]  # a sheet's relative path -> its roster row (an index)
    unmatched: list[tuple[str, str | None, str]]  # (sheet, student id, why), report order
    missing: list[int]  # roster rows no sheet matched, roster order


@dataclass(frozen=True)
class Roster:
    """A roster as read: its file's name, its students in file order, and whether it is a
    Canvas gradebook export (whose `ID` column holds Canvas' own user ids)."""

    path: str
    students: tuple[Student, ...]
    canvas: bool = False
    _index: dict[str, dict[str, int]] = field(default_factory=dict, repr=False, compare=False)

    def __post_init__(self) -> None:
        for key in ("id", "sis_user_id", "sis_login_id", "email"):
            self._index[key] = {_fold(v): i for i, s in enumerate(self.students)
                                if (v := getattr(s, key)) is not None}

    def match(self, sheets: Iterable[tuple[str, str, str | None, str | None]]) -> Matching:
        """Match sheets, given as (relative path, shown path, student id, email) in report
        order, to rows: by id (then SIS user id, SIS login id), then by email."""
        sheets = list(sheets)
        claimed: dict[int, tuple[str, str | None]] = {}  # row -> (sheet, student id)
        rows: dict[str, int] = {}
        refused: dict[str, str] = {}

        def claim(rel: str, shown: str, student_id: str | None, row: int) -> None:
            holder = claimed.setdefault(row, (shown, student_id))
            same = holder[1] is not None and student_id is not None and \
                _fold(holder[1]) == _fold(student_id)
            if holder[0] == shown or same:  # the same student (two sheets: already an error)
                rows[rel] = row
            else:
                refused[rel] = (f"it matches roster line {self.students[row].line} "
                                f"(`{self.students[row].label}`), already matched by "
                                f"{holder[0]}")

        for rel, shown, student_id, _ in sheets:
            if student_id is None:
                continue
            for key in ("id", "sis_user_id", "sis_login_id"):
                row = self._index[key].get(_fold(student_id))
                if row is not None:
                    claim(rel, shown, student_id, row)
                    break
        for rel, shown, student_id, email in sheets:
            if rel in rows or rel in refused:
                continue
            row = None if email is None else self._index["email"].get(_fold(email))
            if row is None and student_id is not None:  # the id of an email-only row
                row = self._index["email"].get(_fold(student_id))
            if row is not None:
                claim(rel, shown, student_id, row)
        unmatched = [(shown, student_id, refused.get(rel, _UNMATCHED[student_id is None]))
                     for rel, shown, student_id, _ in sheets if rel not in rows]
        taken = set(rows.values())
        missing = [i for i in range(len(self.students)) if i not in taken]
        return Matching(rows, unmatched, missing)


def read_roster(path: str | os.PathLike[str]) -> Roster:
    """Read and check a roster file; any problem is an InputError naming the file and line."""
    name = os.fspath(path)
    raw, size = files.read_regular(name, MAX_ROSTER_BYTES + 1, expected="a CSV file")
    if len(raw) > MAX_ROSTER_BYTES:
        said = f"{size:,} bytes" if size > MAX_ROSTER_BYTES else "more than 16 MiB"
        raise InputError(f"the roster is too large ({said})", path=name,
                         expected=f"at most 16 MiB ({MAX_ROSTER_BYTES:,} bytes)")
    return parse_roster(_decode(raw, name), name)


def parse_roster(text: str, path: str) -> Roster:
    """A roster from its text (the BOM already removed); errors name `path` and the line."""
    rows = _rows(text, path)
    try:
        line, header = next(rows)
    except StopIteration:
        raise InputError("the roster is empty", path=path,
                         expected="a CSV file whose first line names its columns") from None
    columns = _columns(header, path, line)
    canvas = len(header) > 3 and "Student" in header[0] and "ID" in header[1]
    students: list[Student] = []
    for line, cells in rows:
        values = [c.strip() for c in cells]
        if not any(values):
            continue  # a blank line, or one of commas only
        if values[0] == POINTS_POSSIBLE:
            continue  # Canvas' row of points possible, under its header
        got = {key: (values[i] or None) if i < len(values) else None
               for key, i in columns.items()}
        student = Student(line=line, **got)
        if not (student.id or student.email or student.sis_user_id or student.sis_login_id):
            raise InputError("a row with no id or email", path=path, line=line,
                             expected="every student's id or email")
        students.append(student)
    _refuse_duplicates(students, path)
    return Roster(path, tuple(students), canvas)


def _decode(raw: bytes, path: str) -> str:
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = raw.count(b"\n", 0, exc.start) + 1
        hint = "save it as CSV UTF-8"
        if raw.startswith((b"\xff\xfe", b"\xfe\xff")):
            hint = "the file looks like UTF-16; save it as CSV UTF-8"
        raise InputError(f"the roster is not valid UTF-8 (byte 0x{raw[exc.start]:02x})",
                         path=path, line=line, expected="UTF-8 text", hint=hint) from None


def _rows(text: str, path: str) -> Iterator[tuple[int, list[str]]]:
    """Each row of the CSV text with the line it starts on."""
    first = text.split("\n", 1)[0]
    delimiter = ","
    if "," not in first:
        delimiter = next((d for d in (";", "\t") if d in first), ",")
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=True)
    start = 1
    while True:
        try:
            cells = next(reader)
        except StopIteration:
            return
        except csv.Error as exc:
            raise InputError(f"not a CSV row: {exc}", path=path, line=start,
                             expected="comma-separated cells, quoted with `\"`") from None
        long = next((c for c in cells if len(c) > MAX_CELL_CHARS), None)
        if long is not None:
            raise InputError(f"a cell of {len(long):,} characters", path=path, line=start,
                             expected=f"names, ids and emails of at most {MAX_CELL_CHARS:,} "
                                      "characters")
        yield start, cells
        start = reader.line_num + 1


def _column_key(header: str) -> str:
    return " ".join(header.replace("_", " ").split()).casefold()


def _columns(header: list[str], path: str, line: int) -> dict[str, int]:
    """Which column holds each field: {field: index}."""
    lookup = {alias: key for key, aliases in ALIASES.items() for alias in aliases}
    columns: dict[str, int] = {}
    for i, cell in enumerate(header):
        key = lookup.get(_column_key(cell))
        if key is None:
            continue
        if key in columns:
            raise InputError(
                f"two columns for the student's {key.replace('_', ' ')}: "
                f"`{inert(header[columns[key]])}` and `{inert(cell)}`", path=path, line=line,
                expected="one column for each")
        columns[key] = i
    if "id" not in columns and "email" not in columns:
        raise InputError(
            "no column for the student's id or email", path=path, line=line,
            expected="a header naming `id` (or `student id`, `username`) or `email` "
                     "(or `e-mail`, `email address`)")
    return columns


def _refuse_duplicates(students: list[Student], path: str) -> None:
    for key, what in (("id", "id"), ("email", "email"), ("sis_user_id", "SIS user id"),
                      ("sis_login_id", "SIS login id")):
        seen: dict[str, int] = {}
        for s in students:
            value = getattr(s, key)
            if value is None:
                continue
            first = seen.setdefault(_fold(value), s.line)
            if first != s.line:
                raise InputError(
                    f"{what} `{inert(value)}` is also on line {first}", path=path, line=s.line,
                    expected="one row per student")


def _fold(text: str) -> str:
    return text.casefold()
