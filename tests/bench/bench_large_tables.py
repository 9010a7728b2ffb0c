"""What a wrong answer to a 20-input truth table costs `nncheck check`, end to end.

Writes, in a temporary folder, a network of 20 inputs, 4 hidden step units and one output, with
three problems: one asks for the output column `Y` (integers), one for the 4 hidden units'
pre-activations (halves), one for two sigmoid units of another network (every cell a different
float), and a sheet answering each wrongly (`else: 0`). Then
runs, as users do (fresh processes, best of N, CPU time of the child: the machine is shared):

- `check --format json` and `--format text` of each sheet;
- the floor: a process that imports numpy, builds the same table's array and writes its bytes;
- with `--before SRC`, the same commands with another `src/` first on PYTHONPATH (an older
  checkout), for before/after figures in one run.

Prints each figure against its target (json: 1.5 s for the integer table, 3 s with real-valued
columns) and its ratio to the floor, and exits 1 when a target is missed.

    python tests/bench/bench_large_tables.py [--inputs 20] [--n 3] [--before /tmp/old/src]
"""

from __future__ import annotations

import argparse
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import yaml

ROOT = Path(__file__).resolve().parents[2]
TARGETS = {"bin": 1.5, "real": 3.0, "sigmoid": 3.0}  # CPU seconds of `check --format json`
# The output; the hidden units' pre-activations (halves); sigmoid units (every cell distinct).
COLUMNS = {"bin": ["Y"], "real": ["z_h0", "z_h1", "z_h2", "z_h3"], "sigmoid": ["s0", "s1"]}
FLOOR = ("import sys, numpy as np\n"
         "n = int(sys.argv[1]); k = int(sys.argv[2])\n"
         "rows = np.arange(1 << n, dtype=np.uint32)\n"
         "table = np.empty((1 << n, n + k))\n"
         "for i in range(n): table[:, i] = (rows >> (n - 1 - i)) & 1\n"
         "table[:, n:] = table[:, :k] * 0.5\n"
         "open('/dev/null', 'wb').write(table.tobytes())\n")


def write_bank(folder: Path, inputs: int) -> None:
    """The two problems and their wrong sheets."""
    names = [f"x{i}" for i in range(inputs)]
    rng = np.random.default_rng(20)
    hidden = {f"h{j}": {"w": [int(w) for w in rng.integers(-2, 3, inputs)],
                        "b": int(rng.integers(-3, 4))} for j in range(4)}
    weights = [float(w) / 7 for w in rng.integers(-9, 10, inputs)]
    nets = {"net": {"kind": "network", "inputs": names, "activation": "step",
                    "layers": [hidden, {"Y": {"w": [1, -1, 1, -1], "b": -0.5}}]},
            "soft": {"kind": "network", "inputs": names, "activation": "sigmoid",
                     "layers": [{"s0": {"w": weights, "b": 0.1},
                                 "s1": {"w": weights[::-1], "b": -0.2}}]}}
    for kind, columns in COLUMNS.items():
        net = nets["soft" if kind == "sigmoid" else "net"]
        (folder / kind).mkdir(parents=True)
        problem = {"id": "big", "title": "a large table", "given": {"net": net},
                   "parts": [{"id": "t", "ask": "truth_table", "network": "net",
                              "columns": columns, "points": 1}]}
        (folder / kind / "big.yaml").write_text(yaml.safe_dump(problem))
        sheet = {"student": {"id": "s1"},
                 "answers": {"big": {"t": {c: {"else": 0} for c in columns}}}}
        (folder / f"{kind}.yaml").write_text(yaml.safe_dump(sheet))


def cpu_of(command: list[str], n: int, src: Path) -> tuple[float, float]:
    """The best CPU seconds (user + system) and the best wall seconds of `n` runs."""
    env = {**os.environ, "PYTHONPATH": str(src)}
    best_cpu = best_wall = float("inf")
    for _ in range(n):
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        start = time.perf_counter()
        done = subprocess.run(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                              env=env, cwd=ROOT)
        wall = time.perf_counter() - start
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        if done.returncode not in (0, 1):
            raise SystemExit(f"{' '.join(command)} failed: {done.stderr.decode()[-500:]}")
        cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
        best_cpu, best_wall = min(best_cpu, cpu), min(best_wall, wall)
    return best_cpu, best_wall


def main() -> None:
    """Run the benchmark and print the figures."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--inputs", type=int, default=20)
    parser.add_argument("--n", type=int, default=3, help="runs of each command (best kept)")
    parser.add_argument("--before", type=Path, help="an older src/ to measure in the same run")
    args = parser.parse_args()
    sources = [("after", ROOT / "src")] + ([("before", args.before)] if args.before else [])
    missed = []
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        write_bank(folder, args.inputs)
        print(f"a wrong answer to a table of {args.inputs} inputs ({1 << args.inputs:,} rows); "
              f"CPU seconds, best of {args.n} (wall in brackets)")
        for kind, columns in COLUMNS.items():
            floor, floor_wall = cpu_of([sys.executable, "-c", FLOOR, str(args.inputs),
                                        str(len(columns))], args.n, ROOT / "src")
            print(f"\n{kind} ({', '.join(columns)}): floor (numpy builds and writes the "
                  f"array) {floor:.2f} s [{floor_wall:.2f}]")
            for label, src in sources:
                for fmt in ("json", "text"):
                    command = [sys.executable, "-m", "nncheck", "check",
                               str(folder / f"{kind}.yaml"), "--problems", str(folder / kind),
                               "--format", fmt]
                    cpu, wall = cpu_of(command, args.n, src)
                    target = f"  (target {TARGETS[kind]:.1f} s)" if fmt == "json" else ""
                    print(f"  {label:6} check --format {fmt:4}: {cpu:6.2f} s [{wall:6.2f}]  "
                          f"{cpu / floor:5.1f}x the floor{target}")
                    if label == "after" and fmt == "json" and cpu > TARGETS[kind]:
                        missed.append(f"{kind} json")
    if missed:
        print(f"\nover target: {', '.join(missed)}", file=sys.stderr)
        raise SystemExit(1)


if __name__ == "__main__":
    main()
