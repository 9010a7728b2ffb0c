"""Record PyTorch's answers to the oracle cases, or check the recorded ones.

    python tests/oracle/record.py            # (re)write tests/oracle/<family>.json, every family
    python tests/oracle/record.py --check    # recompute in memory; exit 1 on any difference

Needs torch (float64 throughout). `--check` compares every recorded number with torch's answer
now, within rel 1e-12 plus 1e-15 of the largest number in the same answer (float noise), and
fails as well when a case was added, removed or changed without recording it again.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # `oracle` is tests/oracle

from oracle import data, gradients, graphs, losses, models, skips

MODULES: dict[str, Any] = {"models": models, "losses": losses, "gradients": gradients,
                           "graphs": graphs, "skips": skips}
SHOWN = 20  # differences listed per family


def versions(torch: Any) -> dict[str, str]:
    """The versions an answer depends on."""
    import numpy

    return {"torch": str(torch.__version__), "numpy": numpy.__version__}


def compute(torch: Any, family: str) -> dict[str, dict[str, Any]]:
    """Every case of a family with torch's answer, in the cases' order."""
    module = MODULES[family]
    answer: Callable[[Any, Any], Any] = module.answer
    return {case.id: {"input": data.normal(case.data), "torch": data.normal(answer(torch, case))}
            for case in module.CASES}


def main(argv: list[str] | None = None) -> int:
    """Write the recorded files, or with --check compare them with torch now."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true",
                        help="recompute in memory and fail on any difference beyond float noise")
    parser.add_argument("families", nargs="*", metavar="family",
                        help=f"any of {', '.join(data.FAMILIES)} (default: all)")
    args = parser.parse_args(argv)
    unknown = [f for f in args.families if f not in data.FAMILIES]
    if unknown:
        parser.error(f"unknown family {unknown[0]!r}: one of {', '.join(data.FAMILIES)}")
    import torch

    torch.set_num_threads(1)  # tiny tensors: one thread is much faster than a pool
    failed = False
    for family in args.families or data.FAMILIES:
        cases = compute(torch, family)
        now = versions(torch)
        if not args.check:
            data.path(family).write_text(data.dumps(now, cases), encoding="utf-8")
            size = data.path(family).stat().st_size
            print(f"{family}: {len(cases)} cases, {size:,} bytes, torch {now['torch']}")
            continue
        if not data.path(family).exists():
            print(f"{family}: {data.path(family)} is missing: run {data.RECORDED_BY}")
            failed = True
            continue
        recorded = data.load(family)
        diffs = data.differences(recorded["cases"], cases)
        was = {k: recorded.get(k) for k in now}
        note = "" if was == now else f" (recorded with torch {was['torch']}, " \
            f"numpy {was['numpy']}; now torch {now['torch']}, numpy {now['numpy']})"
        if not diffs:
            print(f"{family}: {len(cases)} cases agree{note}")
            continue
        failed = True
        print(f"{family}: {len(diffs)} differences in {len(cases)} cases{note}")
        for line in diffs[:SHOWN]:
            print(f"  {line}")
        if len(diffs) > SHOWN:
            print(f"  ... and {len(diffs) - SHOWN} more")
    if failed and args.check:
        print(f"the recorded answers differ from torch's: check, then run {data.RECORDED_BY}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
