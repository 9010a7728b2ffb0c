"""A class graded as shards and merged, against one run: the same bytes, and what merging costs.

Prints, in one run: seconds (wall clock and CPU) of one `nncheck grade` over N sheets, of the
same class graded as K shards one after the other (`--shard k/K`), and of `nncheck merge` of
those shards; the ratios of each to the single run; and whether the merged report holds the
same files, byte for byte, as the single run (the target). The merge grades nothing: it reads,
checks and copies every row and file, and counts the statistics again, so its cost is the
writing part of a run (CPU seconds say what it did, whatever else ran on the machine).

    python tests/bench/bench_shards.py [--n 20000] [--shards 4] [--problems problems/seed-exam]
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

from bench_grade import cpu_of_children, nncheck_command, same_files  # scripts beside this one
from make_class import SEED_EXAM, make_class


def timed(*args: str) -> tuple[float, float]:
    """Wall-clock and CPU seconds of one nncheck command (a fresh process, as users run it)."""
    cpu = cpu_of_children()
    start = time.perf_counter()
    done = subprocess.run([*nncheck_command(), *args, "--format", "text"],
                          stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    seconds = time.perf_counter() - start
    if done.returncode not in (0, 1):
        raise SystemExit(f"{args[0]} failed ({done.returncode}): {done.stderr}")
    return seconds, cpu_of_children() - cpu


def main() -> None:
    """Run the benchmark and print the figures."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=20000, help="sheets in the class")
    parser.add_argument("--shards", type=int, default=4, help="shards the class is cut into")
    parser.add_argument("--problems", type=Path, default=SEED_EXAM)
    args = parser.parse_args()

    with tempfile.TemporaryDirectory(prefix="nncheck-bench-") as tmp:
        root = Path(tmp)
        make_class(root / "class", args.n, args.problems)
        cores = os.cpu_count() or 1
        print(f"{args.n} sheets answering {args.problems}, {args.shards} shards, {cores} cores, "
              f"load average {os.getloadavg()[0]:.2f}")
        klass, bank = str(root / "class"), str(args.problems)

        single, single_cpu = timed("grade", klass, "--problems", bank, "--out",
                                   str(root / "single"))
        shards, shards_cpu = 0.0, 0.0
        outs = []
        for k in range(1, args.shards + 1):
            out = root / f"shard-{k}"
            seconds, cpu = timed("grade", klass, "--problems", bank, "--shard",
                                 f"{k}/{args.shards}", "--out", str(out))
            shards, shards_cpu = shards + seconds, shards_cpu + cpu
            outs.append(str(out))
        merge, merge_cpu = timed("merge", str(root / "merged"), *outs)

        print(f"one run:              {single:7.2f} s  ({single_cpu:.2f} CPU s)")
        print(f"{args.shards} shards, in turn:    {shards:7.2f} s  ({shards_cpu:.2f} CPU s)")
        print(f"merge:                {merge:7.2f} s  ({merge_cpu:.2f} CPU s)")
        print(f"ratio, shards + merge / one run:  {(shards + merge) / single:6.3f}x")
        print(f"ratio, merge / one run:           {merge / single:6.3f}x "
              f"(CPU {merge_cpu / single_cpu:.3f}x)")
        same = same_files(root / "merged", root / "single")
        print(f"same files, merged and one run: {same}")
        print(f"target (the same bytes): {'met' if same else 'NOT met'}")


if __name__ == "__main__":
    main()
