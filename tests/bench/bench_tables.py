"""How fast a truth table is at scale: a 20-input network's full table, vectorised, against a
per-row Python loop over the same network.

Prints, in one run: seconds for the vectorised table (`nncheck.solvers.networks.table_values`,
best of N), seconds per row of a Python loop that runs `Network.forward` on one row at a time
(over a sample of rows, extrapolated to the whole table), and their ratio. The target: the
vectorised table of 2^20 rows in under a second.

    python tests/bench/bench_tables.py [--inputs 20] [--sample 2000] [--repeat 5]
"""

from __future__ import annotations

import argparse
import sys
import time

import numpy as np

from nncheck.engine.network import Network, build, input_rows
from nncheck.solvers.networks import table_values
from nncheck.spec.network import NetworkSpec

TARGET_SECONDS = 1.0


def make_network(inputs: int) -> Network:
    """Two hidden threshold layers and one output: counts of ones, compared and combined."""
    names = [f"x{i}" for i in range(inputs)]
    rng = np.random.default_rng(20)
    hidden = {f"h{j}": {"w": [float(w) for w in rng.integers(-2, 3, inputs)],
                        "b": float(rng.integers(-3, 4))} for j in range(8)}
    second = {f"g{j}": {"w": [float(w) for w in rng.integers(-1, 2, 8)], "b": -1.0}
              for j in range(4)}
    spec = NetworkSpec.model_validate({
        "inputs": names, "activation": "step",
        "layers": [hidden, second, {"Y": {"w": [1, -1, 1, -1], "b": -0.5}}],
    })
    return build(spec, name="bench")


def columns_of(net: Network) -> list[str]:
    """Every unit's pre-activation and activation, as a full exam table asks."""
    return [c for u in net.units for c in (f"z_{u.name}", u.name)]


def time_vectorised(net: Network, columns: list[str], repeat: int) -> tuple[float, np.ndarray]:
    """Best wall-clock seconds of the whole table, and the table."""
    best = float("inf")
    table = np.empty(0)
    for _ in range(repeat):
        start = time.perf_counter()
        table = table_values(net, columns, "binary")
        best = min(best, time.perf_counter() - start)
    return best, table


def time_loop(net: Network, columns: list[str], rows: np.ndarray, table: np.ndarray
              ) -> float:
    """Seconds per row of a Python loop of `forward` on one row, checked against the table."""
    start = time.perf_counter()
    for r in rows:
        env = net.forward({name: float(v) for name, v in zip(net.inputs, r)})
        got = [float(env[c]) for c in columns]
        want = table[int("".join(str(int(v)) for v in r), 2), len(net.inputs):]
        if not np.allclose(got, want):
            raise SystemExit(f"the loop and the table disagree on row {r}")
    return (time.perf_counter() - start) / len(rows)


def main() -> None:
    """Run the benchmark and print the figures."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--inputs", type=int, default=20)
    parser.add_argument("--sample", type=int, default=2000, help="rows timed in the loop")
    parser.add_argument("--repeat", type=int, default=5, help="runs of the vectorised table")
    args = parser.parse_args()
    net = make_network(args.inputs)
    columns = columns_of(net)
    rows = 1 << args.inputs
    seconds, table = time_vectorised(net, columns, args.repeat)
    print(f"table: {args.inputs} inputs, {rows:,} rows x {table.shape[1]} columns "
          f"({len(net.units)} units)")
    print(f"vectorised: {seconds:.3f} s (best of {args.repeat}; target < {TARGET_SECONDS:.0f} s)")
    rng = np.random.default_rng(0)
    sample = input_rows(args.inputs)[rng.choice(rows, size=min(args.sample, rows),
                                                replace=False)]
    per_row = time_loop(net, columns, sample, table)
    loop = per_row * rows
    print(f"per-row loop: {per_row * 1e6:.1f} us per row over {len(sample):,} rows, "
          f"{loop:.1f} s for the table (extrapolated)")
    print(f"ratio: the vectorised table is {loop / seconds:,.0f}x faster than the loop")
    if seconds >= TARGET_SECONDS:
        print("over target", file=sys.stderr)
        raise SystemExit(1)


if __name__ == "__main__":
    main()
