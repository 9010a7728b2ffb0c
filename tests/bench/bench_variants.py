"""How much per-student variants cost: a class where every sheet has its own variant of the
seed exam (Q5 and Q7 varied), against the same class of the plain seed exam.

Prints, in one run: seconds to grade N sheets of each class with `nncheck grade --jobs 1`, and
their ratio (target: at most 4). Every sheet is its student's own answer key (written before
the clock starts), so both classes are graded in full.

    python tests/bench/bench_variants.py [--n 1000] [--variants 1000]
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
SEED = ROOT / "problems" / "seed-exam"
VARIED = ROOT / "problems" / "seed-exam-varied"
TARGET_RATIO = 4.0
SECRET = "bench secret"


def nncheck_command() -> list[str]:
    script = Path(sys.executable).with_name("nncheck")
    return [str(script)] if script.exists() else [sys.executable, "-m", "nncheck"]


def varied_bank(folder: Path, count: int) -> Path:
    """The seed exam with Q5 and Q7 replaced by their varied versions, `count` variants each."""
    folder.mkdir()
    for path in SEED.glob("*.yaml"):
        shutil.copy(path, folder / path.name)
    for path in VARIED.glob("*.yaml"):
        text = re.sub(r"variants: \d+", f"variants: {count}", path.read_text("utf-8"))
        (folder / path.name).write_text(text, encoding="utf-8")
    return folder


def write_class(folder: Path, problems: Path, n: int) -> None:
    """N sheets, each its student's own key."""
    from nncheck import grading, solving, variants
    from nncheck.io.files import sheet_yaml

    bank = grading.load_bank(problems)
    folder.mkdir()
    for i in range(n):
        sid = f"s{i:05d}"
        v = variants.exam_variant(bank.secret, sid) if bank.varied else None
        key, _ = solving.answer_key(bank, v)
        header = {"variant": v} if v is not None else None
        (folder / f"{sid}.yaml").write_text(sheet_yaml(sid, key, name=None, header=header),
                                            encoding="utf-8")


def time_grade(class_dir: Path, problems: Path, out: Path) -> float:
    command = [*nncheck_command(), "grade", str(class_dir), "--problems", str(problems),
               "--out", str(out), "--format", "text", "--jobs", "1"]
    start = time.perf_counter()
    done = subprocess.run(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    seconds = time.perf_counter() - start
    if done.returncode not in (0, 1):
        raise SystemExit(f"grade failed ({done.returncode}): {done.stderr}")
    return seconds


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=1000, help="sheets in each class")
    parser.add_argument("--variants", type=int, default=1000,
                        help="variants of each varied problem")
    args = parser.parse_args()
    os.environ["NNCHECK_SECRET"] = SECRET
    with tempfile.TemporaryDirectory(prefix="nncheck-bench-") as tmp:
        root = Path(tmp)
        varied = varied_bank(root / "varied-bank", args.variants)
        write_class(root / "plain-class", SEED, args.n)
        write_class(root / "varied-class", varied, args.n)
        plain_s = time_grade(root / "plain-class", SEED, root / "plain-out")
        varied_s = time_grade(root / "varied-class", varied, root / "varied-out")
    ratio = varied_s / plain_s
    print(f"{args.n} sheets, --jobs 1, {args.variants} variants of Q5 and Q7")
    print(f"  plain seed exam   {plain_s:7.2f} s")
    print(f"  every sheet its own variant {varied_s:7.2f} s")
    print(f"  ratio {ratio:.2f} (target at most {TARGET_RATIO:g}): "
          f"{'ok' if ratio <= TARGET_RATIO else 'OVER'}")


if __name__ == "__main__":
    main()
