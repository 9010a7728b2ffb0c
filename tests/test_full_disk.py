"""A disk that fills up while a sheet's feedback is written, graded by one process or by
several: a clean error, and the previous report stays whole. (One process writes every file:
on ext4, processes creating files in one folder at once contend for it, and each new file
costs more CPU than when one process creates them all.)"""

from __future__ import annotations

import os
import resource
import shutil
import signal
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SEED = ROOT / "problems" / "seed-exam"


def nncheck(*args: object, limit: int | None = None) -> subprocess.CompletedProcess[str]:
    """`nncheck ARGS` in a child process (with a file-size limit: a disk that fills up)."""
    def limited() -> None:
        if limit is not None:
            signal.signal(signal.SIGXFSZ, signal.SIG_IGN)  # a write past it fails with EFBIG
            resource.setrlimit(resource.RLIMIT_FSIZE, (limit, limit))

    env = {**os.environ, "PYTHONPATH": os.pathsep.join(sys.path)}
    return subprocess.run([sys.executable, "-m", "nncheck", *map(str, args)], env=env,
                          capture_output=True, text=True, preexec_fn=limited, timeout=300)


def files(folder: Path) -> dict[str, bytes]:
    return {str(p.relative_to(folder)): p.read_bytes() for p in folder.rglob("*") if p.is_file()}


@pytest.mark.parametrize("jobs", ["1", "2"])
def test_a_full_disk_while_a_sheet_is_written_stops_the_run_cleanly(tmp_path: Path,
                                                                    jobs: str) -> None:
    klass = tmp_path / "class"
    shutil.copytree(SEED / "class", klass)
    out = tmp_path / "out"
    done = nncheck("grade", klass, "-p", SEED, "-o", out, "-j", jobs, "-f", "text")
    assert done.returncode == 1, done.stderr  # the seed class has wrong answers
    before = files(out)
    feedback = min(len(v) for k, v in before.items() if k.startswith("feedback/"))
    # Every sheet's feedback is larger than the limit: the first one written fails.
    failed = nncheck("grade", klass, "-p", SEED, "-o", out, "-j", jobs, "-f", "text",
                     limit=feedback // 2)
    assert failed.returncode == 2, failed.stderr
    assert failed.stderr == (f"error: {out}: cannot write the report: File too large — --out "
                             "DIR, a folder nncheck can create and write, on a disk with room "
                             "for the report\n")
    assert files(out) == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["class", "out"]
