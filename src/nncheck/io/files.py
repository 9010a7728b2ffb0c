"""Finding, opening and writing files: regular files only, never out of a class folder.

A path given on the command line, or found in a class folder, may name a FIFO (opening it for
reading waits for a writer forever), a device, a folder the user cannot search, or a link to
anywhere on the machine (`/etc/passwd`, `/proc/self/status`). Files are checked with `stat`
before they are opened, opened without blocking (`O_NONBLOCK`) and checked again with `fstat`:
what is read is the regular file that was checked, or nothing.

Sheets of a class are `CLASS_DIR/*.yaml` and `CLASS_DIR/<student>/answers.yaml` (names that
start with a dot are skipped). A sheet whose real path (links resolved) leaves the class folder
is reported, never read; one that cannot be looked at, or is not a regular file, is reported
too, and the rest of the class is graded.

A file nncheck writes (an answer sheet from `solve --sheet/--blank`) is written whole or not at
all: a temporary file beside it, renamed into place.
"""

from __future__ import annotations

import contextlib
import os
import re
import stat
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from nncheck.errors import InputError, NncheckError
from nncheck.io.report import file_mode
from nncheck.words import inert

__all__ = ["SheetFile", "discover", "read_regular", "shown_path", "write_atomic", "write_sheet"]

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
                 same_as: Identity | None = None) -> tuple[bytes, int]:
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
                    return stream.read(limit), info.st_size
    except OSError as exc:
        raise InputError(f"cannot read the file: {exc.strerror or exc}", path=where,
                         expected="a readable file") from exc
    raise InputError(f"not a regular file: {what}", path=where, expected="a YAML file")


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


def discover(class_dir: str | os.PathLike[str]) -> list[SheetFile]:
    """The sheets of a class folder, in a fixed order (by relative path)."""
    folder = os.fspath(class_dir)
    try:
        with os.scandir(folder) as listing:
            entries = sorted((e.name, _is_dir(e)) for e in listing)
    except OSError as exc:
        what = "not a folder" if isinstance(exc, NotADirectoryError | FileNotFoundError) \
            else f"cannot read the folder: {exc.strerror or exc}"
        raise NncheckError(f"{shown_path(folder)}: {what}",
                           expected="a folder of answer sheets (*.yaml or <student>/answers.yaml)"
                           ) from exc
    root = os.path.realpath(folder)
    found: list[SheetFile] = []
    for name, is_dir in entries:
        if name.startswith("."):
            continue
        if is_dir:
            sheet = _sheet(folder, root, f"{name}/answers.yaml", name, optional=True)
        elif name.endswith(".yaml"):
            sheet = _sheet(folder, root, name, name[: -len(".yaml")])
        else:
            continue
        if sheet is not None:
            found.append(sheet)
    return sorted(found, key=lambda s: s.rel)


def _is_dir(entry: os.DirEntry[str]) -> bool:
    try:
        return entry.is_dir()
    except OSError:
        return False  # then it is looked at as a file, and the error reported there


def _sheet(folder: str, root: str, rel: str, name: str, *, optional: bool = False
           ) -> SheetFile | None:
    """One candidate sheet, checked: inside the class folder, there, a regular file."""
    real = str(Path(folder, rel))  # shown as before: `CLASS_DIR/x`, or `x` for `.`
    shown = shown_path(real)

    def refused(why: str) -> SheetFile:
        return SheetFile(shown, rel, name, real, error=f"{shown}: {why}")

    try:
        info = os.stat(real)
    except FileNotFoundError:
        if optional:
            return None  # a folder with no answers.yaml is not a sheet
        return refused("a link to nothing — not read")
    except NotADirectoryError:
        return None
    except OSError as exc:
        return refused(f"cannot read it: {exc.strerror or exc} — not graded")
    if not _inside(root, os.path.realpath(real)):
        return refused("a link out of the class folder — not read (a sheet must be a file "
                       "inside the class folder)")
    what = kind(info.st_mode)
    if what is not None:
        if optional and stat.S_ISDIR(info.st_mode):
            return None
        return refused(f"not a regular file: {what} — not read")
    return SheetFile(shown, rel, name, real, (info.st_dev, info.st_ino))


def _inside(root: str, target: str) -> bool:
    try:
        return os.path.commonpath([root, target]) == root
    except ValueError:  # another drive
        return False


# --- writing -----------------------------------------------------------------------------------

def write_atomic(path: str | os.PathLike[str], text: str) -> None:
    """Write a file so that no reader ever sees it half-written: a temporary file, renamed."""
    target = Path(path)
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.", suffix=".tmp")
    try:
        os.chmod(tmp, file_mode())  # mkstemp makes it 0600; a file of ours honours the umask
        with os.fdopen(fd, "w", encoding="utf-8", newline="\n") as f:
            f.write(text)
        os.replace(tmp, target)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise


def write_sheet(path: str | os.PathLike[str], student: str, answers: dict[str, Any], *,
                name: str) -> None:
    """Write an answer sheet (`student:` and `answers:`) as YAML, atomically."""
    write_atomic(path, sheet_yaml(student, answers, name=name))


def sheet_yaml(student: str, answers: dict[str, Any], *, name: str) -> str:
    """An answer sheet as YAML text: the student's id and name, then the answers."""
    import yaml

    data = {"student": {"id": student, "name": name}, "answers": _plain(answers)}
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
