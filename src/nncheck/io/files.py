"""Finding, opening and writing files: regular files only, never out of a class folder.

A path given on the command line, or found in a class folder, may name a FIFO (opening it for
reading waits for a writer forever), a device, a folder the user cannot search, or a link to
anywhere on the machine (`/etc/passwd`, `/proc/self/status`). Files are checked with `stat`
before they are opened, opened without blocking (`O_NONBLOCK`) and checked again with `fstat`:
what is read is the regular file that was checked, or nothing.

A YAML file is one whose name ends in `.yaml` or `.yml`, in any case (`.YAML`, `.Yml`). Sheets
of a class are `CLASS_DIR/*.yaml` and `CLASS_DIR/<student>/answers.yaml` or
`CLASS_DIR/<student>/submission.yaml` (names that start with a dot are skipped). A sheet whose
real path (links resolved) leaves the class folder is reported, never read; one that cannot be
looked at, or is not a regular file, is reported too, and the rest of the class is graded. Two
spellings of one sheet (`a.yaml` and `a.yml`, or `answers.yaml` and `submission.yaml` in one
folder) make an error row: neither is picked. Every other entry that is not read (a file that
is not YAML, a folder with no sheet) is named, with why, up to `MAX_NOT_READ` of them.

A file nncheck writes (an answer sheet from `solve --sheet/--blank`) is written whole or not at
all: a temporary file beside it, renamed into place. Only a regular file is ever replaced: a
link is written through (the file it leads to is replaced, the link stays), and a folder, a
device, a FIFO or a socket is refused before anything is written.
"""

from __future__ import annotations

import contextlib
import os
import re
import stat
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any, BinaryIO

from nncheck.errors import InputError, NncheckError
from nncheck.io.report import file_mode
from nncheck.words import inert

__all__ = [
    "STDIN",
    "NotRead",
    "SheetFile",
    "Survey",
    "discover",
    "is_yaml_name",
    "output_target",
    "read_regular",
    "read_stdin",
    "shown_path",
    "survey",
    "write_atomic",
    "write_sheet",
    "yaml_stem",
]

Identity = tuple[int, int]  # (st_dev, st_ino): the file that was checked

_KINDS = (
    (stat.S_ISDIR, "a folder"),
    (stat.S_ISFIFO, "a named pipe (FIFO)"),
    (stat.S_ISSOCK, "a socket"),
    (stat.S_ISCHR, "a character device"),
    (stat.S_ISBLK, "a block device"),
)
_OPEN_FLAGS = (os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_NOCTTY", 0)
               | getattr(os, "O_BINARY", 0))
_ESCAPED_BYTE_RE = re.compile("[\udc80-\udcff]")  # bytes that are not UTF-8, as Python names them
YAML_SUFFIXES = (".yaml", ".yml")
SHEET_NAMES = ("answers", "submission")  # `<student>/answers.yaml`, `<student>/submission.yaml`
MAX_NOT_READ = 1000  # entries named as not read; the rest are only counted
STDIN = "-"  # a path that means standard input (or output)
STDIN_NAME = "<stdin>"  # how standard input is named in messages


def is_yaml_name(name: str) -> bool:
    """Whether a file name ends in `.yaml` or `.yml`, in any case."""
    return name.lower().endswith(YAML_SUFFIXES)


def yaml_stem(name: str) -> str:
    """A YAML file's name without its suffix (`q1.Yml` -> `q1`)."""
    return name[: -len(next(x for x in YAML_SUFFIXES if name.lower().endswith(x)))]


def shown_path(path: str) -> str:
    """A file name as it may be shown: bytes that are not UTF-8 as `\\xff`, controls escaped."""
    text = _ESCAPED_BYTE_RE.sub(lambda m: f"\\x{ord(m.group()) - 0xDC00:02x}", path)
    return inert(text)


def kind(mode: int) -> str | None:
    """What a file that is not a regular file is, in words (None for a regular file)."""
    if stat.S_ISREG(mode):
        return None
    return next((what for test, what in _KINDS if test(mode)), "not a regular file")


def read_regular(path: str, limit: int, *, shown: str | None = None,
                 same_as: Identity | None = None, expected: str = "a YAML file"
                 ) -> tuple[bytes, int]:
    """At most `limit` bytes of a regular file, and its size; anything else is an InputError.

    `same_as`: the (device, inode) found when the file was discovered; a file swapped since
    (for a link out of the class folder, say) is refused.
    """
    where = shown_path(path) if shown is None else shown
    try:
        what = kind(os.stat(path).st_mode)  # a FIFO or a device is never opened
        if what is None:
            fd = os.open(path, _OPEN_FLAGS)
            with os.fdopen(fd, "rb") as stream:
                info = os.fstat(stream.fileno())
                what = kind(info.st_mode)
                if what is None and same_as is not None and \
                        (info.st_dev, info.st_ino) != same_as:
                    raise InputError("the file changed while the class was being read",
                                     path=where, expected="a class folder that stays put")
                if what is None:
                    return _read_up_to(stream, limit, info.st_size), info.st_size
    except OSError as exc:
        raise InputError(f"cannot read the file: {exc.strerror or exc}", path=where,
                         expected="a readable file") from exc
    raise InputError(f"not a regular file: {what}", path=where, expected=expected)


def _read_up_to(stream: BinaryIO, limit: int, size: int) -> bytes:
    """At most `limit` bytes of a stream whose size is said to be `size`: one read of the size
    and a byte more (a read of `limit` would set aside `limit` bytes for every small file),
    then, if the file is larger than it said (growing, or a /proc file saying 0), the rest."""
    first = min(limit, max(size, 0) + 1)
    data = stream.read(first)
    if len(data) == first < limit:
        data += stream.read(limit - first)
    return data


def read_stdin(limit: int) -> tuple[bytes, int]:
    """At most `limit` bytes of standard input (`-` on the command line), and its size as far
    as known (-1 when the limit was reached: an endless stream is never read to its end)."""
    import sys

    stream = getattr(sys.stdin, "buffer", None)
    if stream is None:
        raise InputError("standard input is closed", path=STDIN_NAME,
                         expected="a sheet piped in, e.g. `nncheck check - < sheet.yaml`")
    try:
        data = stream.read(limit)
    except OSError as exc:
        raise InputError(f"cannot read standard input: {exc.strerror or exc}",
                         path=STDIN_NAME, expected="a readable stream") from exc
    return data, -1 if len(data) >= limit else len(data)


# --- the sheets of a class ---------------------------------------------------------------------

@dataclass(frozen=True)
class SheetFile:
    """A sheet found in the class folder (or a reason why it cannot be read)."""

    path: str  # as it will be shown: CLASS_DIR joined with `rel`, escaped
    rel: str  # POSIX path relative to CLASS_DIR: the sheet's key for order and shards
    name: str  # the file's stem, or the folder's name for `<student>/answers.yaml`
    real: str = ""  # the path to open (as the file system spells it); "" for `path`
    identity: Identity | None = None  # the regular file that was checked at discovery
    error: str | None = None  # why the sheet is not read (it becomes an error row)

    @property
    def opened(self) -> str:
        """The path to open."""
        return self.real or self.path

    @property
    def odd_name(self) -> bool:
        """Whether the name had to be escaped to be shown."""
        return shown_path(self.rel) != self.rel


@dataclass(frozen=True)
class NotRead:
    """An entry of a class folder or a bank that is not read, and why."""

    path: str  # as shown: the folder joined with the entry's name, escaped
    reason: str

    def as_dict(self) -> dict[str, str]:
        """The entry as summary.json holds it."""
        return {"path": self.path, "reason": self.reason}


@dataclass(frozen=True)
class Survey:
    """What a class folder holds: its sheets, and the entries that are not read."""

    sheets: list[SheetFile]
    not_read: list[NotRead]  # at most MAX_NOT_READ of them
    not_read_count: int  # all of them


class _NotReadList:
    """Entries not read, kept up to MAX_NOT_READ, counted past it."""

    def __init__(self) -> None:
        self.kept: list[NotRead] = []
        self.count = 0

    def add(self, folder: str, rel: str, reason: str) -> None:
        self.count += 1
        if len(self.kept) < MAX_NOT_READ:
            self.kept.append(NotRead(shown_path(str(Path(folder, rel))), reason))


def discover(class_dir: str | os.PathLike[str]) -> list[SheetFile]:
    """The sheets of a class folder, in a fixed order (by relative path)."""
    return survey(class_dir).sheets


def survey(class_dir: str | os.PathLike[str]) -> Survey:
    """The sheets of a class folder, in a fixed order (by relative path), and what is not read."""
    folder = os.fspath(class_dir)
    entries = _listing(folder, NncheckError)
    root = os.path.realpath(folder)
    found: list[SheetFile] = []
    skipped = _NotReadList()
    stems: dict[str, list[str]] = {}
    for name, is_dir in entries:
        if name.startswith("."):
            continue
        if is_dir:
            sheet = _folder_sheet(folder, root, name, skipped)
        elif is_yaml_name(name):
            stems.setdefault(yaml_stem(name), []).append(name)
            continue
        else:
            skipped.add(folder, name, "not a YAML file")
            continue
        if sheet is not None:
            found.append(sheet)
    for stem, names in stems.items():
        if len(names) == 1:
            sheet = _sheet(folder, root, names[0], stem)
        else:
            sheet = _two_spellings(folder, names, stem)
        if sheet is not None:
            found.append(sheet)
    found.sort(key=lambda s: s.rel)
    skipped.kept.sort(key=lambda n: n.path)
    return Survey(found, skipped.kept, skipped.count)


def _listing(folder: str, error: type[NncheckError]) -> list[tuple[str, bool]]:
    """The (name, is a folder) of every entry of a folder, sorted by name."""
    try:
        with os.scandir(folder) as listing:
            return sorted((e.name, _is_dir(e)) for e in listing)
    except OSError as exc:
        what = "not a folder" if isinstance(exc, NotADirectoryError | FileNotFoundError) \
            else f"cannot read the folder: {exc.strerror or exc}"
        raise error(f"{shown_path(folder)}: {what}",
                    expected="a folder of answer sheets (*.yaml, <student>/answers.yaml or "
                             "<student>/submission.yaml)") from exc


def _folder_sheet(folder: str, root: str, name: str, skipped: _NotReadList) -> SheetFile | None:
    """The sheet of `<student>/`: its `answers.yaml` or `submission.yaml` (either suffix, any
    case); the folder's other entries are named as not read."""
    try:
        with os.scandir(os.path.join(folder, name)) as listing:
            inside = sorted(e.name for e in listing)
    except NotADirectoryError:
        return None
    except OSError as exc:
        rel = f"{name}/answers.yaml"
        shown = shown_path(str(Path(folder, name)))
        return SheetFile(shown_path(str(Path(folder, rel))), rel, name,
                         error=f"{shown}: cannot look into the folder: "
                               f"{exc.strerror or exc} — not graded")
    sheets = [n for n in inside if is_yaml_name(n) and yaml_stem(n).lower() in SHEET_NAMES]
    for other in inside:
        if other not in sheets and not other.startswith("."):
            why = "not named answers.yaml or submission.yaml" if is_yaml_name(other) \
                else "not a YAML file"
            skipped.add(folder, f"{name}/{other}", why)
    if not sheets:
        skipped.add(folder, name, "a folder with no answers.yaml or submission.yaml")
        return None
    if len(sheets) > 1:
        return _two_spellings(folder, [f"{name}/{n}" for n in sheets], name)
    return _sheet(folder, root, f"{name}/{sheets[0]}", name)


def _two_spellings(folder: str, rels: list[str], name: str) -> SheetFile:
    """An error row for one sheet written twice: neither is read, nor picked over the other."""
    rel = rels[0]
    shown = [shown_path(str(Path(folder, r))) for r in rels]
    return SheetFile(shown[0], rel, name, str(Path(folder, rel)),
                     error=f"{shown[0]}: two spellings of one sheet: {' and '.join(shown)} — "
                           "one sheet per student; neither was graded (keep one)")


def _is_dir(entry: os.DirEntry[str]) -> bool:
    try:
        return entry.is_dir()
    except OSError:
        return False  # then it is looked at as a file, and the error reported there


def _sheet(folder: str, root: str, rel: str, name: str) -> SheetFile:
    """One candidate sheet, checked: inside the class folder, there, a regular file."""
    real = str(Path(folder, rel))  # shown as before: `CLASS_DIR/x`, or `x` for `.`
    shown = shown_path(real)

    def refused(why: str) -> SheetFile:
        return SheetFile(shown, rel, name, real, error=f"{shown}: {why}")

    if "/" not in rel:
        # An entry of the class folder itself that is a regular file, not a link, is inside it
        # (a link, or anything else, is looked at below); lstat never follows a link.
        with contextlib.suppress(OSError):
            info = os.lstat(real)
            if stat.S_ISREG(info.st_mode):
                return SheetFile(shown, rel, name, real, (info.st_dev, info.st_ino))
    try:
        info = os.stat(real)
    except FileNotFoundError:
        return refused("a link to nothing — not read")
    except OSError as exc:
        return refused(f"cannot read it: {exc.strerror or exc} — not graded")
    if not _inside(root, os.path.realpath(real)):
        return refused("a link out of the class folder — not read (a sheet must be a file "
                       "inside the class folder)")
    what = kind(info.st_mode)
    if what is not None:
        return refused(f"not a regular file: {what} — not read")
    return SheetFile(shown, rel, name, real, (info.st_dev, info.st_ino))


def _inside(root: str, target: str) -> bool:
    try:
        return os.path.commonpath([root, target]) == root
    except ValueError:  # another drive
        return False


# --- writing -----------------------------------------------------------------------------------

def write_atomic(path: str | os.PathLike[str], text: str) -> None:
    """Write a file so that no reader ever sees it half-written: a temporary file beside it,
    renamed into place. Only a regular file is replaced: a link is written through to the file
    it leads to, and anything else (a folder, a device, a FIFO, a socket) is an InputError."""
    shown = shown_path(os.fspath(path))
    target = output_target(path)
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.", suffix=".tmp")
    except OSError as exc:
        raise _cannot_write(shown, exc) from None
    try:
        os.chmod(tmp, file_mode())  # mkstemp makes it 0600; a file of ours honours the umask
        with os.fdopen(fd, "w", encoding="utf-8", newline="\n") as f:
            f.write(text)
        # Once more, just before: nothing but a regular file is ever replaced.
        _refuse_special(target, shown, os.path.abspath(path))
        os.replace(tmp, target)
    except BaseException as exc:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        if isinstance(exc, OSError):
            raise _cannot_write(shown, exc) from None
        raise


def output_target(path: str | os.PathLike[str]) -> Path:
    """The regular file that writing to `path` replaces: links resolved (a link stays a link,
    its target is written), and anything that is not a regular file refused."""
    shown = shown_path(os.fspath(path))
    target = Path(os.path.realpath(path))
    _refuse_special(target, shown, os.path.abspath(path))
    return target


def _refuse_special(target: Path, shown: str, given: str) -> None:
    try:
        info = os.stat(target)
    except FileNotFoundError:
        return  # a new file
    except OSError as exc:
        raise _cannot_write(shown, exc) from None
    what = kind(info.st_mode)
    if what is not None:
        lead = f" (it leads to {shown_path(str(target))})" if str(target) != given else ""
        raise InputError(f"will not write over {what}{lead}", path=shown,
                         expected="the name of a regular file, or - for standard output")


def _cannot_write(shown: str, exc: OSError) -> InputError:
    return InputError(f"cannot write the file: {exc.strerror or type(exc).__name__}",
                      path=shown, expected="a file nncheck can create and write")


def write_sheet(path: str | os.PathLike[str], student: str, answers: dict[str, Any], *,
                name: str) -> None:
    """Write an answer sheet (`student:` and `answers:`) as YAML, atomically."""
    write_atomic(path, sheet_yaml(student, answers, name=name))


def sheet_yaml(student: str, answers: dict[str, Any], *, name: str | None,
               header: dict[str, Any] | None = None, email: str | None = None) -> str:
    """An answer sheet as YAML text: the student's id, name (and email, when given), the
    `header` keys (a sheet's `variant:` and `check:`), then the answers."""
    import yaml

    who: dict[str, Any] = {"id": student, "name": name}
    if email is not None:
        who["email"] = email
    data = {"student": who, **(header or {}),
            "answers": _plain(answers)}
    return yaml.safe_dump(data, sort_keys=False, allow_unicode=True, width=100,
                          default_flow_style=None)


def _plain(value: Any) -> Any:
    """Values as YAML can write them (numpy numbers to Python ones)."""
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    if hasattr(value, "item"):
        return value.item()
    if isinstance(value, str) and value in ("inf", "-inf"):
        return float(value)
    return value
