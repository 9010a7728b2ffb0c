"""How fast `nncheck grade` is: a synthetic class, graded whole, against a loop of `check`.

Prints, in one run: seconds to grade N sheets (all cores, then --jobs 1), seconds per sheet of
a shell loop of `nncheck check` over a sample, their ratio, and the speedup of all cores over
one. The targets (on a 2-core machine): 1,000 sheets in under 10 s, and at least 100 times
faster per sheet than the loop.

    python tests/bench/bench_grade.py [--n 1000] [--sample 50] [--problems problems/seed-exam]
"""

from __future__ import annotations

import argparse
import os
import resource
import shlex
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from make_class import SEED_EXAM, make_class  # a script beside this one

TARGET_SECONDS = 10.0  # for 1,000 sheets on 2 cores
TARGET_RATIO = 100.0


def nncheck_command() -> list[str]:
    """The installed `nncheck` script beside this Python, or `python -m nncheck`."""
    script = Path(sys.executable).with_name("nncheck")
    return [str(script)] if script.exists() else [sys.executable, "-m", "nncheck"]


def cpu_of_children() -> float:
    """CPU seconds (user + system) used so far by finished child processes."""
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def time_grade(class_dir: Path, problems: Path, out: Path, jobs: int | None
               ) -> tuple[float, float]:
    """Wall-clock and CPU seconds of one `nncheck grade` run (a fresh process, as users run it)."""
    command = [*nncheck_command(), "grade", str(class_dir), "--problems", str(problems),
               "--out", str(out), "--format", "text"]
    if jobs is not None:
        command += ["--jobs", str(jobs)]
    cpu = cpu_of_children()
    start = time.perf_counter()
    done = subprocess.run(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    seconds = time.perf_counter() - start
    if done.returncode not in (0, 1):
        raise SystemExit(f"grade failed ({done.returncode}): {done.stderr}")
    return seconds, cpu_of_children() - cpu


def time_check_loop(sheets: list[Path], problems: Path) -> float:
    """Seconds per sheet of a shell loop running `nncheck check` on each sheet."""
    command = " ".join(map(shlex.quote, nncheck_command()))
    names = " ".join(shlex.quote(str(p)) for p in sheets)
    script = (f"for f in {names}; do {command} check \"$f\" --problems "
              f"{shlex.quote(str(problems))} --format text > /dev/null; done")
    start = time.perf_counter()
    subprocess.run(["bash", "-c", script], check=False, stderr=subprocess.DEVNULL)
    return (time.perf_counter() - start) / len(sheets)


def same_files(a: Path, b: Path) -> bool:
    """Whether two report folders hold byte-identical files."""
    def listing(root: Path) -> dict[str, bytes]:
        return {str(p.relative_to(root)): p.read_bytes() for p in root.rglob("*") if p.is_file()}

    return listing(a) == listing(b)


def main() -> None:
    """Run the benchmark and print the figures."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=1000, help="sheets in the class")
    parser.add_argument("--sample", type=int, default=50, help="sheets in the `check` loop")
    parser.add_argument("--problems", type=Path, default=SEED_EXAM)
    args = parser.parse_args()

    with tempfile.TemporaryDirectory(prefix="nncheck-bench-") as tmp:
        root = Path(tmp)
        sheets = make_class(root / "class", args.n, args.problems)
        cores = os.cpu_count() or 1
        print(f"{args.n} sheets answering {args.problems} "
              f"({len(list(args.problems.glob('*.yaml')))} problems), {cores} cores, "
              f"load average {os.getloadavg()[0]:.2f}")

        every, every_cpu = time_grade(root / "class", args.problems, root / "all", None)
        one, one_cpu = time_grade(root / "class", args.problems, root / "one", 1)
        loop = time_check_loop(sheets[: args.sample], args.problems)
        per_sheet = every / args.n
        ratio = loop / per_sheet
        scaled = every * 1000 / args.n

        # CPU seconds tell what the machine did, whoever else was using it meanwhile.
        print(f"grade, all {cores} cores:  {every:6.2f} s  ({per_sheet * 1000:.2f} ms a sheet; "
              f"{every_cpu:.2f} CPU s)")
        print(f"grade, --jobs 1:     {one:6.2f} s  ({one / args.n * 1000:.2f} ms a sheet; "
              f"{one_cpu:.2f} CPU s)")
        print(f"check loop ({args.sample} sheets): {loop:6.3f} s a sheet")
        print(f"ratio, loop / grade per sheet:  {ratio:7.1f}x")
        print(f"speedup, all cores / --jobs 1:  {one / every:7.2f}x")
        print(f"same files, --jobs {cores} and --jobs 1: {same_files(root / 'all', root / 'one')}")
        verdict = "met" if scaled < TARGET_SECONDS and ratio >= TARGET_RATIO else "NOT met"
        print(f"targets ({TARGET_SECONDS:g} s for 1,000 sheets, {TARGET_RATIO:g}x): {verdict}")
        shutil.rmtree(root / "class", ignore_errors=True)


if __name__ == "__main__":
    main()
