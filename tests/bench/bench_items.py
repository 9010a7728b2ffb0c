"""How item analysis and shared rare wrong answers grow with the class: a synthetic class of
N and then 4·N students, the same parts; prints the seconds of each and their ratio (about 4
when the cost is linear in the students) and the pairs found (bounded by N · parts).

    python tests/bench/bench_items.py [--n 2000] [--parts 40]
"""

from __future__ import annotations

import argparse
import random
import time

from nncheck import items


def _class(n: int, parts: int, seed: int) -> tuple[list[tuple[list[float], float]], list]:
    rng = random.Random(seed)
    ability = [rng.random() for _ in range(n)]
    columns = [([1.0 if rng.random() < a else 0.0 for a in ability], 1.0) for _ in range(parts)]
    answers = []
    for j, (col, _) in enumerate(columns):
        groups: dict[str, list[str]] = {}
        for i, x in enumerate(col):
            if x == 0.0:  # a wrong answer among a few hundred distinct ones
                groups.setdefault(str(rng.randrange(300)), []).append(f"s{i}")
        answers += [("q", f"p{j}", a, len(who), who[:items.RARE + 1])
                    for a, who in groups.items()]
    return columns, answers


def _time(n: int, parts: int) -> tuple[float, int]:
    columns, answers = _class(n, parts, seed=n)
    start = time.perf_counter()
    items.analyse(columns)
    found = items.shared_rare(answers, n)
    return time.perf_counter() - start, len(found["pairs"]) + found["more"]


def main() -> None:
    """Time both sizes and print the ratio."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--n", type=int, default=2000)
    parser.add_argument("--parts", type=int, default=40)
    args = parser.parse_args()
    small, pairs_small = _time(args.n, args.parts)
    large, pairs_large = _time(4 * args.n, args.parts)
    print(f"{args.n} students: {small:.3f} s, {pairs_small} pairs "
          f"(bound {args.n * args.parts * (items.RARE - 1) // 2})")
    print(f"{4 * args.n} students: {large:.3f} s, {pairs_large} pairs "
          f"(bound {4 * args.n * args.parts * (items.RARE - 1) // 2})")
    print(f"ratio for 4x the students: {large / small:.2f} (linear: 4)")


if __name__ == "__main__":
    main()
