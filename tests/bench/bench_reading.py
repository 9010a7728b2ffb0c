"""What reading a sheet costs: `load_sheet` against the LibYAML-load-and-compare floor.

Prints, in one run: the CPU milliseconds per sheet of the floor (read the file, `yaml.load`
with LibYAML, compare with `==` to the answer key, as bench_grade.py measures it), of
`io.problems.load_sheet`, their ratio, and the split of load_sheet: reading the file (and
decoding it), the checks of the text (non-printable characters, SHA-256), LibYAML's compose,
building the values, and the pydantic validation of the Sheet. With `--before SRC`, the same
figures of another checkout's `src` folder, measured in the same run, rounds alternating; each
figure is the best of `--repeat` rounds (a shared machine only ever makes a round slower).

    python tests/bench/bench_reading.py [--n 1000] [--repeat 5] [--before /old/checkout/src]
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from make_class import SEED_EXAM, answer_key, make_class  # scripts beside this one

ROOT = Path(__file__).resolve().parents[2]
FIGURES = ["floor", "load_sheet", "read", "text checks", "compose", "build", "validate"]


def per_sheet(work: Callable[[Any], Any], items: list[Any]) -> float:
    """CPU milliseconds per item of `work` over `items` (errors, as for broken sheets, pass)."""
    start = time.process_time()
    for item in items:
        with contextlib.suppress(Exception):  # a broken sheet is read as far as it goes
            work(item)
    return (time.process_time() - start) * 1000 / len(items)


def measure(class_dir: Path, key_file: Path) -> dict[str, float]:
    """One round of every figure, in this process (nncheck from PYTHONPATH)."""
    import hashlib

    import yaml
    from bench_grade import floor_per_sheet

    from nncheck.io import files
    from nncheck.io import yaml as ours
    from nncheck.io.problems import load_sheet
    from nncheck.io.scalars import Builder
    from nncheck.spec.errors import validate
    from nncheck.spec.problem import Sheet

    sheets = sorted(class_dir.glob("*.yaml"))
    key = json.loads(key_file.read_text(encoding="utf-8"))
    raws = [p.read_bytes() for p in sheets]
    texts = [r.decode("utf-8") for r in raws]
    nodes = []
    for text in texts:
        try:
            nodes.append(yaml.compose(text, Loader=ours._Loader))
        except yaml.YAMLError:
            nodes.append(None)
    docs = []
    for path in sheets:
        with contextlib.suppress(Exception):
            docs.append(ours.read_document(path))
    count = len(sheets)

    def check_text(pair: tuple[str, bytes]) -> None:
        ours._NON_PRINTABLE.search(pair[0])
        hashlib.sha256(pair[1]).hexdigest()

    figures = {
        "floor": floor_per_sheet(sheets, key) * 1000,
        "load_sheet": per_sheet(load_sheet, sheets),
        "read": per_sheet(lambda p: files.read_regular(str(p), ours.MAX_FILE_BYTES + 1)[0]
                          .decode("utf-8-sig"), sheets),
        "text checks": per_sheet(check_text, list(zip(texts, raws))),
        "compose": per_sheet(lambda t: yaml.compose(t, Loader=ours._Loader), texts),
        "build": per_sheet(lambda n: n is not None and Builder("s.yaml", False).build(n),
                           nodes),
        "validate": per_sheet(lambda d: validate(Sheet, d), docs) * len(docs) / count,
    }
    return figures


def child(args: argparse.Namespace) -> None:
    """Measure `--repeat` rounds and print the best of each figure as JSON."""
    rounds = [measure(args.measure, args.key) for _ in range(args.repeat)]
    print(json.dumps({name: min(r[name] for r in rounds) for name in FIGURES}))


def run_child(src: Path, class_dir: Path, key_file: Path, repeat: int) -> dict[str, float]:
    """The figures of the nncheck in `src`, measured in a fresh process."""
    env = {**os.environ, "PYTHONPATH": str(src)}
    done = subprocess.run(
        [sys.executable, __file__, "--measure", str(class_dir), "--key", str(key_file),
         "--repeat", str(repeat)],
        check=True, capture_output=True, text=True, env=env,
    )
    figures: dict[str, float] = json.loads(done.stdout)
    return figures


def main() -> None:
    """Run the benchmark and print the figures."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=1000, help="sheets in the class")
    parser.add_argument("--problems", type=Path, default=SEED_EXAM)
    parser.add_argument("--before", type=Path, default=None,
                        help="an older checkout's src folder, measured in the same run")
    parser.add_argument("--repeat", type=int, default=5, help="rounds of each figure")
    parser.add_argument("--measure", type=Path, default=None, help=argparse.SUPPRESS)
    parser.add_argument("--key", type=Path, default=None, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.measure is not None:
        child(args)
        return

    with tempfile.TemporaryDirectory(prefix="nncheck-bench-") as tmp:
        root = Path(tmp)
        make_class(root / "class", args.n, args.problems)
        key_file = root / "key.json"
        key_file.write_text(json.dumps(answer_key(args.problems)), encoding="utf-8")
        print(f"{args.n} sheets answering {args.problems}, load average "
              f"{os.getloadavg()[0]:.2f}; CPU ms per sheet, best of {args.repeat} rounds")
        sources = {"now": ROOT / "src"}
        if args.before is not None:
            sources = {"before": args.before.resolve(), **sources}
        best: dict[str, dict[str, float]] = {}
        for _ in range(2):  # alternating, so that a busy spell does not favour one side
            for label, src in sources.items():
                figures = run_child(src, root / "class", key_file, args.repeat)
                old = best.get(label, figures)
                best[label] = {name: min(old[name], figures[name]) for name in FIGURES}
        print(f"{'':>12}" + "".join(f"{label:>10}" for label in best))
        for name in FIGURES:
            print(f"{name:>12}" + "".join(f"{best[label][name]:10.3f}" for label in best))
        for label, figures in best.items():
            print(f"{label:>6}: load_sheet = {figures['load_sheet'] / figures['floor']:.2f}x "
                  "the floor of the same process")
        if args.before is not None:
            gain = 1 - best["now"]["load_sheet"] / best["before"]["load_sheet"]
            print(f"load_sheet now / before: {1 - gain:.2f} ({gain:.0%} less CPU)")


if __name__ == "__main__":
    main()
