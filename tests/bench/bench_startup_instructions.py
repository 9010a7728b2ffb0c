"""Start-up counted in instructions: `check` of the seed sheet against the bare imports.

Wall and CPU times swing by half on a shared machine; the instructions a process executes do
not (valgrind's callgrind counts them, each run within 0.1 % of the last). Prints, in one run,
the instructions of `python -c pass`, of the bare imports of the dependencies (with and
without one pydantic model), of the least any typer and pydantic program doing check's job
executes (bench_startup.py's `FRAMEWORK`), of `nncheck check` on the seed sheet and of
`nncheck grade` of a class of one sheet (`--jobs 1`), and the ratio of check to the bare
imports against the target of bench_startup.py (at most 1.6). Each command runs under
valgrind, ~50 times slower: the whole script takes some minutes. numpy's BLAS runs on one
thread, as the counts are summed over threads. Needs `valgrind` on the PATH.

    python tests/bench/bench_startup_instructions.py [--src SRC ...]

With `--src`, the nncheck commands run once per source folder given (e.g. an older checkout's
`src`), each against the same bare imports.
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench_startup import (  # the commands as timed there, a script beside this one
    BARE,
    BARE_MODELS,
    CHECK,
    CHECK_TARGET_RATIO,
    FRAMEWORK,
    PYTHON,
    ROOT,
    SEED,
)


def environment(src: Path | None) -> dict[str, str]:
    """As users run: from bytecode (kept in a temporary folder), BLAS on one thread."""
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    env["PYTHONPYCACHEPREFIX"] = os.path.join(tempfile.gettempdir(), "nncheck-bench-pycache")
    env["OPENBLAS_NUM_THREADS"] = "1"
    env["OMP_NUM_THREADS"] = "1"
    if src is not None:
        env["PYTHONPATH"] = str(src)
    return env


def instructions(command: list[str], env: dict[str, str]) -> int:
    """The instructions `command` executes (after one plain run that writes its bytecode)."""
    subprocess.run(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, cwd=ROOT,
                   env=env)
    done = subprocess.run(["valgrind", "--tool=callgrind", "--callgrind-out-file=/dev/null",
                           *command], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                          text=True, cwd=ROOT, env=env)
    found = re.search(r"Collected : (\d+)", done.stderr)
    if found is None:
        raise SystemExit(f"{' '.join(command)}: no count from valgrind: {done.stderr[-500:]}")
    return int(found.group(1))


def main() -> None:
    """Count, and print the figures."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--src", type=Path, action="append",
                        help="a source folder to run nncheck from (default: PYTHONPATH)")
    args = parser.parse_args()
    if shutil.which("valgrind") is None:
        raise SystemExit("valgrind is not installed")
    plain = environment(None)
    python = instructions(PYTHON, plain)
    bare = instructions(BARE, plain)
    bare_models = instructions(BARE_MODELS, plain)
    framework = instructions(FRAMEWORK, plain)
    print(f"python -c pass:               {python / 1e6:8.0f} M instructions")
    print(f"bare imports of dependencies: {bare / 1e6:8.0f} M  (numpy, pydantic, yaml, typer, "
          "rich)")
    print(f"  ... and one pydantic model: {bare_models / 1e6:8.0f} M  "
          f"({bare_models / bare:.2f}x the bare imports)")
    print(f"a typer command reading one sheet into one model: {framework / 1e6:.0f} M "
          f"({framework / bare:.2f}x; the target leaves nncheck "
          f"{(CHECK_TARGET_RATIO * bare - framework) / 1e6:.0f} M beyond it)")
    missed = False
    for src in args.src or [None]:
        env = environment(src)
        with tempfile.TemporaryDirectory() as tmp:
            one = Path(tmp) / "class"
            one.mkdir()
            (one / "seed-student.yaml").write_bytes(
                (SEED / "sheets" / "seed-student.yaml").read_bytes())
            grade = instructions([sys.executable, "-m", "nncheck", "grade", str(one),
                                  "--problems", str(SEED), "--out", str(Path(tmp) / "report"),
                                  "--jobs", "1"], env)
        check = instructions(CHECK, env)
        ratio = check / bare
        print(f"\nnncheck from {src or os.environ.get('PYTHONPATH') or 'the installed package'}")
        print(f"  check seed sheet:           {check / 1e6:8.0f} M")
        print(f"  check / bare imports:       {ratio:8.2f}x  (target <= {CHECK_TARGET_RATIO:.1f}x)")
        print(f"  check / bare with a model:  {check / bare_models:8.2f}x")
        print(f"  grade, 1-sheet class:       {grade / 1e6:8.0f} M  (--jobs 1)")
        missed |= ratio > CHECK_TARGET_RATIO
    if missed:
        print("\nover target: check", file=sys.stderr)
        raise SystemExit(1)


if __name__ == "__main__":
    main()
