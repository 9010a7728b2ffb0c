"""Write a synthetic class: N sheets answering a whole bank, with seeded, named known mistakes.

Each sheet starts from the answer key that `nncheck solve --sheet` writes. Each student has a
skill; a part they miss is left blank, or answered with one of the part's known mistakes (the
values the solvers name: biases forgotten, log base 10, a strict step...), or with a slip (a
bias moved, a factor dropped, another option). A few sheets are unreadable YAML, as in a real
class. The same seed gives the same class, byte for byte.

    python tests/bench/make_class.py OUT_DIR [--n 1000] [--problems problems/seed-exam]
"""

from __future__ import annotations

import argparse
import copy
import math
import random
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

import yaml

ROOT = Path(__file__).resolve().parents[2]
SEED_EXAM = ROOT / "problems" / "seed-exam"
BROKEN_RATE = 0.005  # sheets that cannot be read
MISSING_RATE = 0.15  # of the parts a student gets wrong, the share left blank
MANUAL_ANSWERS = [
    "Accuracy is not differentiable, so it gives no gradient.",
    "Freezing many layers underfits; freezing few overfits a small data set.",
    "Softmax with categorical cross-entropy.",
    "I am not sure.",
]


def answer_key(problems: Path) -> dict[str, Any]:
    """The answers `nncheck solve --sheet` writes for a bank."""
    with tempfile.TemporaryDirectory() as tmp:
        key = Path(tmp) / "key.yaml"
        subprocess.run(
            [sys.executable, "-m", "nncheck", "solve", str(problems), "--sheet", str(key),
             "--format", "json"],
            check=True, stdout=subprocess.DEVNULL,
        )
        return yaml.safe_load(key.read_text(encoding="utf-8"))["answers"]


def truths(problems: Path) -> dict[tuple[str, str], Any]:
    """Every part's truth (with its known mistakes), solved without a sheet."""
    from nncheck import grading

    bank = grading.load_bank(problems)
    out = {}
    for pid, loaded in bank.problems.items():
        for i, part in enumerate(loaded.problem.parts):
            out[(pid, part.id)] = bank.truth(loaded, i, None)
    return out


def known_answer(truth: Any, rng: random.Random) -> Any:
    """One of the part's named known mistakes, written as a student would (None: none fits)."""
    known = list(getattr(truth, "known", ()) or ())
    if not known:
        return None
    item = rng.choice(known)
    if hasattr(truth, "columns") and isinstance(item, tuple):  # a table: (name, values)
        values = item[1]
        # like the truth's values, or only the asked columns
        n = len(truth.inputs) if values.shape[1] > len(truth.columns) else 0
        return {c: [_number(v) for v in values[:, n + j]] for j, c in enumerate(truth.columns)}
    values = getattr(item, "values", None)
    if values is None or getattr(truth, "points", 1) != 1:
        return None  # a formula's mistake holds at many draws: no single value writes it
    first = values[0]
    if getattr(truth, "vector", False):
        numbers = [_number(v) for v in first]
        return None if any(isinstance(v, float) and math.isnan(v) for v in numbers) else numbers
    number = _number(first)
    return None if isinstance(number, float) and math.isnan(number) else number


def _number(value: Any) -> int | float:
    x = float(value)
    if math.isfinite(x) and x == int(x):
        return int(x)
    return round(x, 6) if math.isfinite(x) else x


def slip(value: Any, truth: Any, rng: random.Random) -> Any:
    """A plausible wrong version of a right answer."""
    options = getattr(truth, "options", None)
    if options:
        others = [o for o in options if o != value]
        return rng.choice(others) if others else value
    if isinstance(value, bool) or value is None:
        return value
    if isinstance(value, (int, float)):
        return _number(value * rng.choice([0.5, 2, 10]) + rng.choice([0, 1]))
    if isinstance(value, str):
        if "*" in value:
            return value.rsplit("*", 1)[0]  # a factor dropped
        return f"{value} + 1"
    if isinstance(value, list):
        out = copy.deepcopy(value)
        if out:
            i = rng.randrange(len(out))
            out[i] = slip(out[i], None, rng)
        return out
    if isinstance(value, dict):
        out = copy.deepcopy(value)
        units = [k for k, v in out.items() if isinstance(v, dict) and "b" in v]
        if units:  # a network: one bias moved
            unit = out[rng.choice(units)]
            unit["b"] = slip(unit["b"], None, rng) if not isinstance(unit["b"], str) \
                else f"{unit['b']} + 1"
            return out
        columns = [k for k, v in out.items() if isinstance(v, list) and v]
        if columns:  # a table in column form: one cell flipped or shifted
            column = out[rng.choice(columns)]
            i = rng.randrange(len(column))
            cell = column[i]
            column[i] = (1 - cell) if cell in (0, 1) else _number(cell + 1)
        return out
    return value


def student_sheet(n: int, key: dict[str, Any], table: dict[tuple[str, str], Any],
                  rng: random.Random) -> dict[str, Any]:
    """The n-th student's sheet."""
    skill = rng.uniform(0.4, 0.98)
    answers: dict[str, dict[str, Any]] = {}
    for (pid, part), truth in table.items():
        right = key.get(pid, {}).get(part)
        if type(truth).__name__ == "ManualTruth":
            if rng.random() < skill + 0.1:
                answers.setdefault(pid, {})[part] = rng.choice(MANUAL_ANSWERS)
            continue
        if right is None:
            continue
        if rng.random() < skill:
            answer = copy.deepcopy(right)
        elif rng.random() < MISSING_RATE:
            continue
        else:
            answer = known_answer(truth, rng) if rng.random() < 0.7 else None
            if answer is None:
                answer = slip(right, truth, rng)
        answers.setdefault(pid, {})[part] = answer
    return {"student": {"id": f"s{n:05d}", "name": f"Student {n}"}, "answers": answers}


def make_class(out: Path, n: int, problems: Path = SEED_EXAM, seed: int = 0) -> list[Path]:
    """Write n sheets into `out` (created); return their paths."""
    out.mkdir(parents=True, exist_ok=True)
    key = answer_key(problems)
    table = truths(problems)
    rng = random.Random(seed)
    dumper = getattr(yaml, "CSafeDumper", yaml.SafeDumper)
    paths = []
    for i in range(1, n + 1):
        path = out / f"s{i:05d}.yaml"
        if rng.random() < BROKEN_RATE:
            path.write_text(f"student: {{id: s{i:05d}\nanswers: [\n", encoding="utf-8")
        else:
            data = student_sheet(i, key, table, rng)
            path.write_text(yaml.dump(data, Dumper=dumper, sort_keys=False, allow_unicode=True,
                                      default_flow_style=None, width=100), encoding="utf-8")
        paths.append(path)
    return paths


def main() -> None:
    """Command line: write a synthetic class."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("out", type=Path)
    parser.add_argument("--n", type=int, default=1000)
    parser.add_argument("--problems", type=Path, default=SEED_EXAM)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    paths = make_class(args.out, args.n, args.problems, args.seed)
    print(f"wrote {len(paths)} sheets to {args.out}")


if __name__ == "__main__":
    main()
