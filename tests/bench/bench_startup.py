"""How fast nncheck starts: `--help`, and `check` of the seed sheet against the bare imports.

Prints, in one run (each figure the best of N fresh processes, as users run them): the wall
time of `nncheck --help`, of `python -c "import numpy, pydantic, yaml, typer, rich"` (the bare
import time of the dependencies), of `nncheck check` on the seed sheet, the ratio of check to
the bare imports (by wall time, and by CPU time: the machine may be shared), the least any
typer and pydantic program doing check's job pays (`FRAMEWORK`), the CPU time of
`nncheck grade` of a class of one sheet (`--jobs 1`), which shares that start-up, and the
modules that cost most under `-X importtime`. The targets: `--help` under 150 ms, and check at
most 1.6 times the bare imports.

    python tests/bench/bench_startup.py [--n 10] [--top 12]
"""

from __future__ import annotations

import argparse
import os
import resource
import subprocess
import sys
import tempfile
import textwrap
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
SEED = ROOT / "problems" / "seed-exam"
HELP_TARGET_MS = 150.0
CHECK_TARGET_RATIO = 1.6

NNCHECK = [sys.executable, "-m", "nncheck"]
HELP = [*NNCHECK, "--help"]
BARE = [sys.executable, "-c", "import numpy, pydantic, yaml, typer, rich"]
# `import pydantic` is lazy: its model machinery (and, through its plugin loader,
# importlib.metadata) loads with the first model class. What any pydantic program pays:
BARE_MODELS = [sys.executable, "-c", "import numpy, pydantic, yaml, typer, rich\n"
               "class M(pydantic.BaseModel):\n    x: int = 0"]
# The least a command-line program built on these libraries pays to do check's job in any
# form: a typer command (its parameters through typer's adapters, which build pydantic's
# machinery) that reads one sheet with LibYAML into one pydantic model and prints with rich.
FRAMEWORK = [sys.executable, "-c", textwrap.dedent("""\
    import numpy, pydantic, yaml, typer, rich
    class Sheet(pydantic.BaseModel):
        student: dict
        answers: dict
    def check(sheet: str, format: str = "text") -> None:
        with open(sheet, encoding="utf-8") as f:
            found = Sheet.model_validate(yaml.load(f, Loader=yaml.CSafeLoader))
        rich.print(f"{len(found.answers)} problems answered")
    typer.run(check)
    """), str(SEED / "sheets" / "seed-student.yaml")]
CHECK = [*NNCHECK, "check", str(SEED / "sheets" / "seed-student.yaml"), "--problems", str(SEED),
         "--format", "text"]
VALIDATE = [*NNCHECK, "validate", str(SEED)]
PYTHON = [sys.executable, "-c", "pass"]


# Users run from compiled bytecode (pip writes it at install, Python at the first import); an
# environment with PYTHONDONTWRITEBYTECODE would compile every module on every run instead.
# The bytecode goes to a temporary folder, not into the work tree.
ENV = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
ENV["PYTHONPYCACHEPREFIX"] = os.path.join(tempfile.gettempdir(), "nncheck-bench-pycache")


CPU: dict[str, float] = {}  # the best CPU seconds (user + system) of each command run


def best_of(command: list[str], n: int) -> float:
    """The best wall-clock seconds of `n` runs of a command (its output discarded), after one
    run that warms the bytecode cache; its best CPU seconds go to `CPU`."""
    best = float("inf")
    subprocess.run(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, cwd=ROOT,
                   env=ENV)
    for _ in range(n):
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        start = time.perf_counter()
        done = subprocess.run(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                              cwd=ROOT, env=ENV)
        best = min(best, time.perf_counter() - start)
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        cpu = after.ru_utime - before.ru_utime + after.ru_stime - before.ru_stime
        CPU[" ".join(command)] = min(CPU.get(" ".join(command), float("inf")), cpu)
        if done.returncode not in (0, 1):
            raise SystemExit(f"{' '.join(command)} failed ({done.returncode}): "
                             f"{done.stderr.decode()[-500:]}")
    return best


def import_offenders(command: list[str], top: int) -> list[tuple[float, float, str]]:
    """The modules with the largest cumulative import time: (cumulative ms, self ms, name),
    counting only modules imported by the command itself (the outermost of each chain)."""
    done = subprocess.run([sys.executable, "-X", "importtime", *command[1:]],
                          stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True, cwd=ROOT,
                          env=ENV)
    rows = []
    for line in done.stderr.splitlines():
        if not line.startswith("import time:") or "imported package" in line:
            continue
        own, cumulative, name = line[len("import time:"):].split("|")
        # One space of indentation marks a module the command itself imported; deeper ones
        # were imported by those, and their time is inside their importer's cumulative time.
        if len(name) - len(name.lstrip()) == 1:
            rows.append((int(cumulative) / 1000, int(own) / 1000, name.strip()))
    top_level = rows
    return sorted(top_level, reverse=True)[:top]


def main() -> None:
    """Run the benchmark and print the figures."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=10, help="runs of each command (best kept)")
    parser.add_argument("--top", type=int, default=12, help="import-time offenders shown")
    args = parser.parse_args()

    python = best_of(PYTHON, args.n)
    help_s = best_of(HELP, args.n)
    bare = best_of(BARE, args.n)
    bare_models = best_of(BARE_MODELS, args.n)
    framework = best_of(FRAMEWORK, args.n)
    validate = best_of(VALIDATE, args.n)
    check = best_of(CHECK, args.n)
    with tempfile.TemporaryDirectory() as tmp:
        one = Path(tmp) / "class"
        one.mkdir()
        (one / "seed-student.yaml").write_bytes((SEED / "sheets" / "seed-student.yaml")
                                                .read_bytes())
        grade_command = [*NNCHECK, "grade", str(one), "--problems", str(SEED), "--out",
                         str(Path(tmp) / "report"), "--jobs", "1"]
        grade = best_of(grade_command, args.n)
    ratio = check / bare
    cpu_ratio = CPU[" ".join(CHECK)] / CPU[" ".join(BARE)]
    print(f"python -c pass:               {python * 1000:7.0f} ms")
    print(f"nncheck --help:               {help_s * 1000:7.0f} ms  (target < "
          f"{HELP_TARGET_MS:.0f} ms)")
    print(f"bare imports of dependencies: {bare * 1000:7.0f} ms  (numpy, pydantic, yaml, typer, "
          "rich)")
    print(f"  ... and one pydantic model: {bare_models * 1000:7.0f} ms")
    print(f"a typer command reading one sheet into one model: {framework * 1000:.0f} ms "
          f"({framework / bare:.2f}x the bare imports; the target leaves nncheck "
          f"{(CHECK_TARGET_RATIO * bare - framework) * 1000:.0f} ms beyond it)")
    print(f"nncheck validate seed bank:   {validate * 1000:7.0f} ms")
    print(f"nncheck check seed sheet:     {check * 1000:7.0f} ms")
    print(f"check / bare imports:         {ratio:7.2f}x  (target <= {CHECK_TARGET_RATIO:.1f}x)")
    print(f"  ... by CPU time:            {cpu_ratio:7.2f}x  ({CPU[' '.join(CHECK)] * 1000:.0f} "
          f"ms / {CPU[' '.join(BARE)] * 1000:.0f} ms)")
    print(f"check / bare with a model:    {check / bare_models:7.2f}x")
    print(f"nncheck grade, 1-sheet class: {grade * 1000:7.0f} ms  "
          f"({CPU[' '.join(grade_command)] * 1000:.0f} ms of CPU, --jobs 1)")
    for title, command in (("--help", HELP), ("check", CHECK)):
        print(f"\n-X importtime, {title}: largest imports (cumulative ms, self ms)")
        for cumulative, own, name in import_offenders(command, args.top):
            print(f"  {cumulative:8.1f} {own:8.1f}  {name}")
    missed = []
    if help_s * 1000 >= HELP_TARGET_MS:
        missed.append("--help")
    if ratio > CHECK_TARGET_RATIO:
        missed.append("check")
    if missed:
        print(f"\nover target: {', '.join(missed)}", file=sys.stderr)
        raise SystemExit(1)


if __name__ == "__main__":
    main()
