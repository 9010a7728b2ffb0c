"""What the tests of whole class reports share: running the command line in-process, a
report folder read back as bytes, and a copy of the seed bank with its class."""

from __future__ import annotations

import shutil
from pathlib import Path

from typer.testing import CliRunner

from conftest import SEED
from nncheck.cli import app


def run(*args: object) -> tuple[int, str, str]:
    """The exit code, stdout and stderr of one command, run in-process."""
    result = CliRunner().invoke(app, [str(a) for a in args])
    return result.exit_code, result.stdout, result.stderr


def files_of(folder: Path) -> dict[str, bytes]:
    """Every file of a report folder, by its path inside it."""
    return {p.relative_to(folder).as_posix(): p.read_bytes()
            for p in sorted(folder.rglob("*")) if p.is_file()}


def assert_same_report(got_dir: Path, want_dir: Path) -> None:
    """Two report folders hold the same files, byte for byte."""
    got, want = files_of(got_dir), files_of(want_dir)
    assert sorted(got) == sorted(want)
    for name in want:
        assert got[name] == want[name], name


def seed_copy(tmp_path: Path) -> tuple[Path, Path]:
    """A copy of the seed bank, and its class folder inside it (the `seed` fixture of the
    modules that use it: `seed = pytest.fixture(seed_copy, name="seed")`)."""
    bank = tmp_path / "bank"
    shutil.copytree(SEED, bank)
    return bank, bank / "class"
