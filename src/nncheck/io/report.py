"""A report folder written whole: every file goes into a hidden staging folder beside `--out`,
which then takes the place of `--out` in one step.

A reader of `--out` sees the previous report or the new one, never a mix of the two, and a run
that stops (an error, Ctrl-C, SIGTERM, a full disk) leaves the previous report as it was and no
temporary file behind. The new report replaces the old one whole: files of an earlier run that
this run does not write are gone with it. So that nothing else is ever replaced, an existing
`--out` must hold a report and nothing else (inside `feedback/` and `gradescope/` too), and it
may neither be, hold, nor lie inside an input of the run: the class folder, the problem bank,
the overrides file (compared as real paths, links resolved, and as the same folder on disk).

Files and folders are created with the permissions the umask allows, as any other program's.
"""

from __future__ import annotations

import contextlib
import errno
import os
import shutil
import tempfile
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import IO

from nncheck import interrupts
from nncheck.errors import NncheckError

# What a report folder holds (and the temporary files of older versions' interrupted runs).
REPORT_NAMES = frozenset({"grades.csv", "results.jsonl", "summary.json", "feedback", "gradescope",
                          "canvas.csv", "moodle.csv", "report.html"})
# The folders of a report, and the one kind of file nncheck writes into each.
REPORT_FOLDERS = {"feedback": ".txt", "gradescope": ".json"}
_LISTED = 5  # foreign entries named in the message; the rest are counted
_RENAME_EXCHANGE = 2  # linux/fs.h
_WRITE = os.O_WRONLY | os.O_CREAT | os.O_TRUNC | getattr(os, "O_BINARY", 0)  # not inherited


def umask() -> int:
    """The process's umask (read by setting it and setting it back)."""
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


def file_mode() -> int:
    """The mode a new file gets: read and write for whoever the umask allows."""
    return 0o666 & ~umask()


def cannot_write(path: str | os.PathLike[str], exc: OSError, *, staging: Path | None = None
                 ) -> NncheckError:
    """An input/output error writing the report, as one line naming the file and the reason."""
    reason = exc.strerror or type(exc).__name__
    where = os.fsdecode(exc.filename) if exc.filename is not None else None
    if where is not None and staging is not None and where.startswith(str(staging)):
        where = os.path.join(path, where[len(str(staging)):].lstrip(os.sep))  # as it will be
    detail = f" ({where})" if where and where != os.fspath(path) else ""
    return NncheckError(f"{path}: cannot write the report: {reason}{detail}",
                        expected="--out DIR, a folder nncheck can create and write, on a disk "
                                 "with room for the report")


# The run's inputs, each with what it is: ("the class folder", path); a path may be None.
Inputs = Iterable[tuple[str, "str | os.PathLike[str] | None"]]


class ReportFolder:
    """`--out`, being written: open it before grading, write into it, then commit or discard.

    `inputs` are the run's files and folders, by what they are: `--out` may not be one of
    them, hold one, or lie inside one, since replacing it would delete them.
    """

    def __init__(self, out: str | os.PathLike[str], inputs: Inputs | None = None):
        self.out = Path(out)
        self._inputs = [(what, path) for what, path in inputs or () if path is not None]
        # Through a symbolic link: the folder it leads to is replaced, the link stays.
        target = Path(os.path.realpath(out))
        self._check(target)
        here = Path.cwd()
        if here == target or target in here.parents:
            raise NncheckError(f"{self.out}: is the current folder, or holds it",
                               expected="--out DIR, a folder of its own for the report")
        # Named as given, like every path in a message; `.` or the root exists.
        above = next(p for p in self.out.absolute().parents if p.exists())
        if not self.out.is_absolute():
            above = Path(os.path.relpath(above))
        if not above.is_dir():
            raise NncheckError(f"{self.out}: cannot write the report: {above} is not a folder",
                               expected="--out DIR, a folder nncheck can create and write")
        try:
            target.parent.mkdir(parents=True, exist_ok=True)
            self.staging = Path(tempfile.mkdtemp(dir=target.parent,
                                                 prefix=f".{target.name}.nncheck-"))
        except OSError as exc:
            raise cannot_write(self.out, exc) from None
        self.target = target
        self._mode = umask()
        self._folders = {self.staging}
        self.committed = False

    def _check(self, target: Path) -> None:
        self._check_apart(target)
        if target.exists() and not target.is_dir():
            raise NncheckError(f"{self.out}: not a folder",
                               expected="--out DIR, a folder for the report")
        if not target.is_dir():
            return
        try:
            foreign = _foreign_entries(target)
        except OSError as exc:
            raise cannot_write(self.out, exc) from None
        if foreign:
            named = ", ".join(f"`{name}`" for name in foreign[:_LISTED])
            more = len(foreign) - _LISTED
            if more > 0:
                named += f" and {more:,} more"
            which = "which is" if len(foreign) == 1 else "which are"
            raise NncheckError(
                f"{self.out}: holds {named}, {which} not part of a report",
                expected="--out DIR, a new folder or an earlier report (it is replaced whole)")

    def _check_apart(self, target: Path) -> None:
        """Refuse an `--out` that is, holds, or lies inside an input: replacing it deletes it."""
        for what, path in self._inputs:
            real = Path(os.path.realpath(path))
            if _within(target, real):
                how = "is" if _within(real, target) else "is inside"
            elif _within(real, target):
                how = "holds"
            else:
                continue
            raise NncheckError(
                f"{self.out}: {how} {what} {os.fspath(path)}",
                expected="--out DIR, a folder apart from the class folder, the problem bank and "
                         "the overrides file (it is replaced whole)")

    def path(self, name: str) -> Path:
        """Where a file of the report is written (inside the staging folder)."""
        return self.staging / name

    def open(self, name: str, *, newline: str | None = "\n") -> IO[str]:
        """A file of the report, open for writing text (UTF-8); its folder is made if needed."""
        return open(self._place(name), "w", encoding="utf-8", newline=newline)

    def write(self, name: str, text: str) -> None:
        """A file of the report written whole (UTF-8, newlines as they are), at the cost of a
        few system calls: a class writes two a sheet."""
        data = memoryview(text.encode("utf-8"))
        fd = os.open(self._place(name), _WRITE, 0o666)  # the umask applies, as to open()
        try:
            while data:
                data = data[os.write(fd, data):]
        finally:
            os.close(fd)

    def _place(self, name: str) -> Path:
        """Where a file of the report goes, its folder made if needed."""
        path = self.staging / name
        if path.parent not in self._folders:
            path.parent.mkdir(exist_ok=True)
            self._folders.add(path.parent)
        return path

    def spool(self) -> IO[bytes]:
        """A nameless scratch file in the staging folder, gone when closed.

        Unbuffered: a full disk fails the write that fills it, not a later close.
        """
        return tempfile.TemporaryFile(dir=self.staging, buffering=0)

    def read(self, name: str) -> str:
        """A file already written into the report, read back whole."""
        with open(self.staging / name, encoding="utf-8", newline="") as f:
            return f.read()

    @contextlib.contextmanager
    def set_aside(self, name: str) -> Iterator[IO[str]]:
        """A file of the report moved out of the way and open for reading, a line at a time,
        while it is written again from what it held; what was set aside is removed after."""
        aside = self.staging / f".{name}.old"
        os.replace(self.staging / name, aside)
        try:
            with open(aside, encoding="utf-8", newline="\n") as f:
                yield f
        finally:
            with contextlib.suppress(FileNotFoundError):
                os.unlink(aside)

    def remove(self, name: str) -> None:
        """Take a file back out of the report (nothing happens if it was never written)."""
        with contextlib.suppress(FileNotFoundError):
            os.unlink(self.staging / name)

    def commit(self) -> None:
        """Put the new report in the place of `--out`, in one step where the system allows."""
        with interrupts.held():
            os.chmod(self.staging, 0o777 & ~self._mode)
            leftover = None
            if self.target.is_dir():
                self._check(self.target)  # it may have changed while grading
                if _exchange(self.staging, self.target):
                    leftover = self.staging  # it holds the previous report now
                else:
                    # No atomic exchange here: for a moment there is no report, never a mix.
                    leftover = Path(tempfile.mkdtemp(dir=self.target.parent,
                                                     prefix=f".{self.target.name}.nncheck-"))
                    try:
                        os.rename(self.target, leftover / "old")
                        try:
                            os.rename(self.staging, self.target)
                        except OSError:
                            os.rename(leftover / "old", self.target)  # the old report, back
                            raise
                    except OSError:
                        with contextlib.suppress(OSError):
                            os.rmdir(leftover)  # only if empty: never the old report
                        raise
            else:
                os.rename(self.staging, self.target)
            self.committed = True
            if leftover is not None:
                shutil.rmtree(leftover, ignore_errors=True)

    def discard(self) -> None:
        """Remove the staging folder and all that was written into it (not after a commit)."""
        if self.committed:
            return  # a Ctrl-C held during the commit arrives after it: the report stands
        with interrupts.held():
            shutil.rmtree(self.staging, ignore_errors=True)


def _is_report_entry(name: str) -> bool:
    # Also: older versions' temporary files, and the folder view settings macOS leaves.
    return (name in REPORT_NAMES or name == ".DS_Store"
            or (name.startswith(".") and name.endswith(".tmp")))


def _foreign_entries(target: Path) -> list[str]:
    """What in an existing `--out` nncheck did not write, sorted: `feedback/notes.md`,
    `gradescope/old/` (a folder ends with `/`). Files are regular files, never links, and the
    report's folders are real folders holding only their own kind of file."""
    foreign = []
    with os.scandir(target) as entries:
        for entry in entries:
            if not _is_report_entry(entry.name):
                foreign.append(_shown(entry, ""))
            elif entry.name in REPORT_FOLDERS:
                if not entry.is_dir(follow_symlinks=False):
                    foreign.append(_shown(entry, ""))
                    continue
                suffix = REPORT_FOLDERS[entry.name]
                with os.scandir(entry.path) as inside:
                    foreign += [_shown(e, f"{entry.name}/") for e in inside
                                if not (e.is_file(follow_symlinks=False)
                                        and (e.name.endswith(suffix) or e.name == ".DS_Store"))]
            elif not entry.is_file(follow_symlinks=False):
                foreign.append(_shown(entry, ""))
    return sorted(foreign)


def _shown(entry: os.DirEntry[str], folder: str) -> str:
    return folder + entry.name + ("/" if entry.is_dir(follow_symlinks=False) else "")


def _within(inner: Path, outer: Path) -> bool:
    """Whether the real path `inner` is `outer` or lies inside it: by name, or as the same
    folder on disk (a bind mount, a name that differs only in case where case does not count)."""
    try:
        folder = os.stat(outer)
    except OSError:
        folder = None
    for path in (inner, *inner.parents):
        if path == outer:
            return True
        if folder is not None:
            try:
                here = os.stat(path)
            except OSError:
                continue
            if (here.st_dev, here.st_ino) == (folder.st_dev, folder.st_ino):
                return True
    return False


def _exchange(a: Path, b: Path) -> bool:
    """Swap two folders atomically (Linux renameat2); False where the system cannot."""
    import ctypes  # here: `validate` and `--help` need none of it

    try:
        libc = ctypes.CDLL(None, use_errno=True)  # the C library the interpreter runs on
    except OSError:
        return False
    renameat2 = getattr(libc, "renameat2", None)
    if renameat2 is None:
        return False
    at_fdcwd = -100
    done = renameat2(at_fdcwd, os.fsencode(a), at_fdcwd, os.fsencode(b), _RENAME_EXCHANGE)
    if done == 0:
        return True
    code = ctypes.get_errno()
    if code in (errno.EINVAL, errno.ENOSYS, errno.ENOTSUP, errno.EOPNOTSUPP):
        return False  # the file system has no exchange: fall back to two renames
    raise OSError(code, os.strerror(code), str(b))
