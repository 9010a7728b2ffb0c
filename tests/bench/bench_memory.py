"""How much memory `nncheck grade` needs: peak RSS for a small and a large synthetic class.

Prints, in one run: the peak resident memory of one `nncheck grade` process (the largest of the
process and its workers) for each class size, and their ratio. The target: the large class
(20,000 sheets) needs under 1.5 times the memory of the small one (1,000 sheets), i.e. memory
stays flat in the class size.

    python tests/bench/bench_memory.py [--small 1000] [--large 20000] [--jobs N] [--keep DIR]
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench_grade import nncheck_command  # scripts beside this one
from make_class import SEED_EXAM, make_class

TARGET_RATIO = 1.5


def peak_rss(class_dir: Path, problems: Path, out: Path, jobs: int | None) -> tuple[float, float]:
    """Peak RSS in MiB and wall-clock seconds of one `nncheck grade` run in a child process."""
    command = [*nncheck_command(), "grade", str(class_dir), "--problems", str(problems),
               "--out", str(out), "--format", "text"]
    if jobs is not None:
        command += ["--jobs", str(jobs)]
    start = time.perf_counter()
    child = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    assert child.stderr is not None
    stderr = child.stderr.read()
    # wait4 reports this child alone (getrusage(RUSAGE_CHILDREN) would keep the largest of all
    # runs); its ru_maxrss covers the workers it waited for too. Linux gives kilobytes.
    _, status, usage = os.wait4(child.pid, 0)
    child.returncode = os.waitstatus_to_exitcode(status)
    seconds = time.perf_counter() - start
    if child.returncode not in (0, 1):
        raise SystemExit(f"grade failed ({child.returncode}): {stderr.decode(errors='replace')}")
    scale = 1 if sys.platform == "darwin" else 1024  # macOS gives bytes
    return usage.ru_maxrss * scale / 2**20, seconds


def main() -> None:
    """Run the benchmark and print the figures."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--small", type=int, default=1000, help="sheets in the small class")
    parser.add_argument("--large", type=int, default=20000, help="sheets in the large class")
    parser.add_argument("--jobs", type=int, default=None, help="--jobs of the runs (all cores)")
    parser.add_argument("--problems", type=Path, default=SEED_EXAM)
    parser.add_argument("--keep", type=Path, default=None,
                        help="a folder to keep the classes in (made once, reused)")
    args = parser.parse_args()

    with tempfile.TemporaryDirectory(prefix="nncheck-bench-") as tmp:
        root = args.keep or Path(tmp)
        figures = {}
        for n in (args.small, args.large):
            klass = root / f"class-{n}"
            if not klass.is_dir():
                make_class(klass, n, args.problems)
            mib, seconds = peak_rss(klass, args.problems, Path(tmp) / f"out-{n}", args.jobs)
            figures[n] = mib
            print(f"{n:>6} sheets: peak RSS {mib:7.1f} MiB  ({seconds:.1f} s)")
        ratio = figures[args.large] / figures[args.small]
        print(f"ratio, {args.large} / {args.small} sheets: {ratio:.2f}x")
        print(f"target (under {TARGET_RATIO:g}x): {'met' if ratio < TARGET_RATIO else 'NOT met'}")


if __name__ == "__main__":
    main()
