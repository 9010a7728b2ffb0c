"""A class run stopped from outside ends at once: exit 130 (or 3 for a worker that died), the old
report whole, no staging folder and no worker process left behind.

The rules written out here are the sources of the expected values:
- exit codes: 130 for Ctrl-C or SIGTERM (128 + SIGINT, as a shell reports it), 3 for a bug;
- a batch system or `systemctl stop` sends SIGTERM to every process of the run, workers too;
  a terminal sends Ctrl-C to its whole foreground process group;
- the kernel gives a signal sent to a process to any of its threads that does not block it.
No test here measures speed: BOUND only tells a run that ends from one that hangs.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

BANK = """\
id: q2
parts:
  - {id: a, ask: loss, fn: cross_entropy, y_true: [0, 0, 1, 0], y_pred: [0.25, 0.25, 0.3, 0.2]}
  - {id: pick, ask: choice, options: [A, B], key: A}
"""
SHEETS = 200
BOUND = 15  # seconds: a run that stops takes well under one; a hang never ends

pytestmark = pytest.mark.skipif(not sys.platform.startswith("linux"),
                                reason="reads /proc for the worker processes")


def sheet(sid: str) -> str:
    return f"student: {{id: {sid}, name: S}}\nanswers:\n  q2: {{a: '-log(0.3)', pick: A}}\n"


@pytest.fixture(scope="module")
def inputs(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    root = tmp_path_factory.mktemp("inputs")
    (root / "bank").mkdir()
    (root / "bank" / "q2.yaml").write_text(BANK, encoding="utf-8")
    (root / "class").mkdir()
    for n in range(SHEETS):
        (root / "class" / f"s{n:03d}.yaml").write_text(sheet(f"s{n:03d}"), encoding="utf-8")
    return root / "class", root / "bank"


def start(klass: Path, bank: Path, out: Path) -> subprocess.Popen[bytes]:
    """`nncheck grade -j 2` in a process group of its own, as a batch system starts a job."""
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(sys.path)}
    return subprocess.Popen(
        [sys.executable, "-m", "nncheck", "grade", str(klass), "-p", str(bank), "-o", str(out),
         "-j", "2", "-f", "text"],
        env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, start_new_session=True)


def wait_for_feedback(child: subprocess.Popen[bytes], folder: Path, count: int) -> None:
    """Until `count` feedback files are in the staging folder (what is on disk, not a time)."""
    while child.poll() is None:
        written = sum(len(os.listdir(f / "feedback")) for f in folder.glob(".out.nncheck-*")
                      if (f / "feedback").is_dir())
        if written >= count:
            return
        time.sleep(0.001)
    pytest.fail(f"the run ended before {count} feedback files were written")


def the_group(pgid: int) -> list[int]:
    """Every process still alive in a process group (zombies are not alive)."""
    alive = []
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                with open(f"/proc/{entry}/stat", encoding="ascii") as f:
                    fields = f.read().rsplit(")", 1)[1].split()
            except OSError:
                continue
            if fields[0] != "Z" and int(fields[2]) == pgid:
                alive.append(int(entry))
    return alive


def workers_of(pid: int) -> list[int]:
    with open(f"/proc/{pid}/task/{pid}/children", encoding="ascii") as f:
        return [int(p) for p in f.read().split()]


def ended(child: subprocess.Popen[bytes]) -> tuple[int, str]:
    """The exit code and stderr of a run that must end within BOUND; a hang is killed."""
    try:
        _, stderr = child.communicate(timeout=BOUND)
    except subprocess.TimeoutExpired:
        os.killpg(child.pid, signal.SIGKILL)
        child.communicate()
        pytest.fail(f"the run did not end within {BOUND} s")
    # The pipes are closed: no process of the run holds them (a worker would).
    assert the_group(child.pid) == []
    return child.returncode, stderr.decode()


@pytest.fixture
def report(inputs: tuple[Path, Path], tmp_path: Path) -> tuple[Path, dict[str, bytes]]:
    """An earlier report in tmp_path/out, and its files."""
    klass, bank = inputs
    out = tmp_path / "out"
    done = subprocess.run([sys.executable, "-m", "nncheck", "grade", str(klass), "-p", str(bank),
                           "-o", str(out), "-j", "1", "-f", "text"],
                          env={**os.environ, "PYTHONPATH": os.pathsep.join(sys.path)},
                          capture_output=True)
    assert done.returncode == 0, done.stderr
    return out, files(out)


def files(folder: Path) -> dict[str, bytes]:
    return {str(p.relative_to(folder)): p.read_bytes()
            for p in sorted(folder.rglob("*")) if p.is_file()}


# Ctrl-C at a terminal and SIGTERM from a batch system reach every process of the run, the
# workers too; sent after the 1st, 20th and 100th sheet's feedback file is on disk.
@pytest.mark.parametrize("signum", [signal.SIGTERM, signal.SIGINT], ids=["sigterm", "ctrl-c"])
@pytest.mark.parametrize("count", [1, 20, 100])
def test_a_stop_signal_to_every_process_of_the_run_ends_it_at_once(
        inputs, report, tmp_path, signum, count):
    klass, bank = inputs
    out, before = report
    child = start(klass, bank, out)
    wait_for_feedback(child, tmp_path, count)
    os.killpg(child.pid, signum)
    code, stderr = ended(child)
    assert (code, stderr) == (130, "interrupted\n")
    assert files(out) == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out"]


# A worker killed alone (the kernel's out-of-memory killer, say): the sheets it held are lost,
# so the run cannot finish; it ends with an error instead of waiting for them forever.
@pytest.mark.parametrize("signum, code, message", [
    pytest.param(signal.SIGKILL, 3, "internal error: RuntimeError: a grading process ended "
                 "unexpectedly (exit code -9) (run with --debug for the traceback, and please "
                 "report it)\n", id="sigkill"),
    pytest.param(signal.SIGTERM, 130, "interrupted\n", id="sigterm"),
])
def test_a_worker_killed_alone_ends_the_run(inputs, report, tmp_path, signum, code, message):
    klass, bank = inputs
    out, before = report
    child = start(klass, bank, out)
    wait_for_feedback(child, tmp_path, 1)
    os.kill(workers_of(child.pid)[0], signum)
    assert ended(child) == (code, message)
    assert files(out) == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out"]


def test_a_signal_another_thread_takes_waits_for_the_commit_to_end(tmp_path, monkeypatch):
    # The kernel may hand SIGTERM to any thread (numpy's BLAS threads, say); the main thread
    # then runs the Python handler. The commit must still finish before it stops the run.
    from nncheck.io import report as io_report

    def interrupt(signum: int, frame: object) -> None:
        raise KeyboardInterrupt

    other_ready, other_done = threading.Event(), threading.Event()
    other = threading.Thread(target=lambda: (other_ready.set(), other_done.wait(10)))
    other.start()
    other_ready.wait()
    real = io_report._exchange
    steps: list[str] = []

    def exchange(a: Path, b: Path) -> bool:
        done = real(a, b)
        steps.append("exchanged")
        signal.pthread_kill(other.ident or 0, signal.SIGTERM)  # to the other thread only
        for _ in range(50):  # bytecode runs in the main thread: a raising handler would fire
            time.sleep(0.001)
        steps.append("after the signal")
        return done

    monkeypatch.setattr(io_report, "_exchange", exchange)
    old = signal.signal(signal.SIGTERM, interrupt)
    try:
        (tmp_path / "out").mkdir()
        (tmp_path / "out" / "grades.csv").write_text("old\n")
        folder = io_report.ReportFolder(tmp_path / "out")
        with folder.open("grades.csv") as f:
            f.write("new\n")
        with pytest.raises(KeyboardInterrupt):
            try:
                folder.commit()
            finally:
                steps.append("commit ended")
    finally:
        signal.signal(signal.SIGTERM, old)
        other_done.set()
        other.join()
    assert steps == ["exchanged", "after the signal", "commit ended"]
    assert folder.committed
    assert (tmp_path / "out" / "grades.csv").read_text() == "new\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out"]
