"""How fast `nncheck grade` is: a synthetic class, graded whole, against a loop of `check`.

Prints, in one run: seconds to grade N sheets (all cores, then --jobs 1), seconds per sheet of
a shell loop of `nncheck check` over a sample, their ratio, and the speedup of all cores over
one. The targets (on a 2-core machine): 1,000 sheets in under 10 s (scaled from the class
graded), and at least 100 times faster per sheet than the loop. Then the CPU a sheet costs
(--jobs 1, the whole run, start-up included) against the floor of merely loading the same
sheets with LibYAML and comparing them with `==` to the answer key (target: at most 3x), and
--jobs 2 against --jobs 1 (target: at least 1.7x); with `--before SRC`, the same figures of
another checkout's `src` folder, timed in the same run.

    python tests/bench/bench_grade.py [--n 2000] [--sample 50] [--problems problems/seed-exam]
                                      [--before /path/to/older/checkout/src] [--repeat 3]
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
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

import yaml
from make_class import SEED_EXAM, answer_key, make_class  # a script beside this one

TARGET_SECONDS = 10.0  # for 1,000 sheets on 2 cores
TARGET_RATIO = 100.0
TARGET_FLOOR = 3.0  # grade's CPU per sheet, at most this times the LibYAML-load-and-compare floor
TARGET_SCALING = 1.7  # --jobs 2 over --jobs 1, on a quiet 2-core machine


def nncheck_command() -> list[str]:
    """The installed `nncheck` script beside this Python, or `python -m nncheck`."""
    script = Path(sys.executable).with_name("nncheck")
    return [str(script)] if script.exists() else [sys.executable, "-m", "nncheck"]


def cpu_of_children() -> float:
    """CPU seconds (user + system) used so far by finished child processes."""
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


# Users run from compiled bytecode (pip writes it at install, Python at the first import); an
# environment with PYTHONDONTWRITEBYTECODE would compile every module on every run instead.
# The bytecode goes to a temporary folder, not into the work tree.
ENV = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
ENV["PYTHONPYCACHEPREFIX"] = os.path.join(tempfile.gettempdir(), "nncheck-bench-pycache")


def time_grade(class_dir: Path, problems: Path, out: Path, jobs: int | None,
               src: Path | None = None) -> tuple[float, float]:
    """Wall-clock and CPU seconds of one `nncheck grade` run (a fresh process, as users run it;
    `src`: the `src` folder to import nncheck from)."""
    command = [*nncheck_command(), "grade", str(class_dir), "--problems", str(problems),
               "--out", str(out), "--format", "text"]
    if jobs is not None:
        command += ["--jobs", str(jobs)]
    cpu = cpu_of_children()
    start = time.perf_counter()
    env = ENV if src is None else {**ENV, "PYTHONPATH": str(src)}
    if src is not None:
        command = [sys.executable, "-m", "nncheck", *command[len(nncheck_command()):]]
    done = subprocess.run(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True,
                          env=env)
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
    subprocess.run(["bash", "-c", script], check=False, stderr=subprocess.DEVNULL, env=ENV)
    return (time.perf_counter() - start) / len(sheets)


def floor_per_sheet(sheets: list[Path], key: dict[str, Any]) -> float:
    """CPU seconds per sheet of loading each sheet with LibYAML and comparing it with `==`."""
    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    start = time.process_time()
    right = 0
    for path in sheets:
        try:
            data = yaml.load(path.read_text(encoding="utf-8"), Loader=loader)
        except yaml.YAMLError:
            continue
        answers = data.get("answers") or {}
        for pid, parts in key.items():
            mine = answers.get(pid) or {}
            right += sum(mine.get(part) == value for part, value in parts.items())
    return (time.process_time() - start) / len(sheets)


def files_per_sheet(root: Path, n: int, size: int = 4096) -> float:
    """CPU seconds (user + system) per sheet of creating and writing two files of `size`
    bytes a sheet in a fresh folder on the same disk as the report: what `grade` cannot avoid
    for each sheet's feedback and Gradescope files, and what the floor does not count. (Files
    are deleted only at the end of the benchmark: an ext4 without a journal makes each new
    file skip the inodes deleted in the last 30 seconds, at a cost.)"""
    folder = root / "files-floor"
    folder.mkdir()
    body = b"x" * size
    before = resource.getrusage(resource.RUSAGE_SELF)
    for i in range(n):
        for name in (f"{i}.txt", f"{i}.json"):
            with open(folder / name, "wb") as f:
                f.write(body)
    after = resource.getrusage(resource.RUSAGE_SELF)
    return (after.ru_utime - before.ru_utime + after.ru_stime - before.ru_stime) / n


def cpu_figures(root: Path, reports: Path, problems: Path, n: int, repeat: int,
                src: Path | None) -> tuple[float, float]:
    """(CPU seconds per sheet of --jobs 1, speedup of --jobs 2 over --jobs 1), the best of
    `repeat` runs each (a shared machine only ever makes a run slower), after a run that
    compiles the bytecode."""
    tag = "before" if src is not None else "now"
    time_grade(root / "class", problems, reports / f"warm-{tag}", 1, src)
    # Each run writes a new report: replacing one would time the removal of the old one too.
    ones = [time_grade(root / "class", problems, reports / f"cpu1-{tag}-{i}", 1, src)
            for i in range(repeat)]
    twos = [time_grade(root / "class", problems, reports / f"cpu2-{tag}-{i}", 2, src)
            for i in range(repeat)]
    return min(c for _, c in ones) / n, min(w for w, _ in ones) / min(w for w, _ in twos)


def same_files(a: Path, b: Path) -> bool:
    """Whether two report folders hold byte-identical files."""
    def listing(root: Path) -> dict[str, bytes]:
        return {str(p.relative_to(root)): p.read_bytes() for p in root.rglob("*") if p.is_file()}

    return listing(a) == listing(b)


def main() -> None:
    """Run the benchmark and print the figures."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=2000, help="sheets in the class")
    parser.add_argument("--sample", type=int, default=50, help="sheets in the `check` loop")
    parser.add_argument("--problems", type=Path, default=SEED_EXAM)
    parser.add_argument("--before", type=Path, default=None,
                        help="an older checkout's src folder, timed in the same run")
    parser.add_argument("--repeat", type=int, default=3, help="runs of each CPU figure")
    parser.add_argument("--cpu-only", action="store_true",
                        help="only the CPU figures (no loop of `check`)")
    parser.add_argument("--reports", type=Path, default=None,
                        help="where the reports of the CPU figures are written (default: beside "
                             "the class, in a temporary folder); e.g. /dev/shm, to time grade "
                             "apart from a disk's cost of creating files")
    args = parser.parse_args()

    with tempfile.TemporaryDirectory(prefix="nncheck-bench-") as tmp, \
            tempfile.TemporaryDirectory(prefix="nncheck-bench-", dir=args.reports) as reports:
        root = Path(tmp)
        sheets = make_class(root / "class", args.n, args.problems)
        cores = os.cpu_count() or 1
        print(f"{args.n} sheets answering {args.problems} "
              f"({len(list(args.problems.glob('*.yaml')))} problems), {cores} cores, "
              f"load average {os.getloadavg()[0]:.2f}")

        floor = floor_per_sheet(sheets, answer_key(args.problems))
        print(f"floor, LibYAML load and `==`:  {floor * 1000:.3f} ms CPU a sheet")
        runs = [("before", args.before), ("now", None)] if args.before else [("now", None)]
        figures = [(label, *cpu_figures(root, Path(reports), args.problems, args.n,
                                        args.repeat, src)) for label, src in runs]
        writing = files_per_sheet(Path(reports), args.n)
        print(f"creating two 4 KiB files a sheet where the reports go: {writing * 1000:.3f} ms "
              "CPU a sheet (in grade's figures below, not in the floor)")
        for label, cpu, scaling in figures:
            print(f"{label:>6}: grade --jobs 1  {cpu * 1000:.3f} ms CPU a sheet = "
                  f"{cpu / floor:.2f}x the floor (target <= {TARGET_FLOOR:g}x: "
                  f"{'met' if cpu / floor <= TARGET_FLOOR else 'NOT met'}); without creating "
                  f"the files {(cpu - writing) / floor:.2f}x; --jobs 2 / --jobs 1 "
                  f"{scaling:.2f}x (target >= {TARGET_SCALING:g}x: "
                  f"{'met' if scaling >= TARGET_SCALING else 'NOT met'})")
        if args.cpu_only:
            return
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
