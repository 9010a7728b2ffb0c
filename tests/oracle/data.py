"""The recorded files: reading, writing one case per line, and comparing beyond float noise."""

from __future__ import annotations

import json
import math
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
FAMILIES = ("models", "losses", "gradients", "graphs", "flops", "loss_options",
            "layer_values", "optimizers", "skips")
RECORDED_BY = "python tests/oracle/record.py"
# Two recordings agree when every number differs by at most REL of its size, plus ABS of the
# largest number in the same answer (a sum that cancels to 1e-17 beside values near 1 is noise).
REL = 1e-12
ABS = 1e-15
TOLERANCE = f"rel {REL:g} of each float64, plus {ABS:g} of the largest value in its answer"


def path(family: str) -> Path:
    """The recorded file of a family."""
    return HERE / f"{family}.json"


def load(family: str) -> dict[str, Any]:
    """A family's recorded file: the versions it was recorded with, and its cases."""
    data: dict[str, Any] = json.loads(path(family).read_text(encoding="utf-8"))
    return data


def answers(family: str) -> dict[str, Any]:
    """Torch's recorded answer of every case of a family, by case id."""
    return {key: case["torch"] for key, case in load(family)["cases"].items()}


def dumps(versions: Mapping[str, str], cases: Mapping[str, Mapping[str, Any]]) -> str:
    """A recorded file: a few header lines, then one case per line, in the cases' order."""
    head = {"recorded_by": RECORDED_BY, **versions, "tolerance": TOLERANCE}
    lines = [f"  {json.dumps(k)}: {json.dumps(v, ensure_ascii=False)}," for k, v in head.items()]
    body = [f"    {json.dumps(key)}: {_compact(case)}" for key, case in cases.items()]
    return "{\n" + "\n".join(lines) + '\n  "cases": {\n' + ",\n".join(body) + "\n  }\n}\n"


def _compact(value: Any) -> str:
    return json.dumps(value, separators=(",", ":"), ensure_ascii=False, allow_nan=False)


def normal(value: Any) -> Any:
    """A value as it reads back from JSON (tuples become lists, numpy numbers Python ones)."""
    return json.loads(_compact(value))


def differences(old: Mapping[str, Any], new: Mapping[str, Any]) -> list[str]:
    """What differs between two recordings of a family's cases, one line per difference."""
    out = []
    for key in old.keys() - new.keys():
        out.append(f"{key}: recorded, but no longer a case")
    for key in new.keys() - old.keys():
        out.append(f"{key}: a case not recorded")
    for key in old.keys() & new.keys():
        if normal(old[key]["input"]) != normal(new[key]["input"]):
            out.append(f"{key}: the case's input changed")
            continue
        was, now = old[key]["torch"], new[key]["torch"]
        scale = max((abs(x) for x in _numbers(now) if math.isfinite(x)), default=0.0)
        for where, a, b in _pairs(was, now, ""):
            if not _close(a, b, scale):
                out.append(f"{key}{where}: recorded {a!r}, torch now gives {b!r}")
    return sorted(out)


def _numbers(value: Any) -> Iterator[float]:
    if isinstance(value, bool):
        return
    if isinstance(value, (int, float)):
        yield float(value)
    elif isinstance(value, Mapping):
        for v in value.values():
            yield from _numbers(v)
    elif isinstance(value, list):
        for v in value:
            yield from _numbers(v)


def _pairs(a: Any, b: Any, where: str) -> Iterator[tuple[str, Any, Any]]:
    """The leaves of two structures side by side; a leaf is a whole differing branch."""
    if isinstance(a, Mapping) and isinstance(b, Mapping) and a.keys() == b.keys():
        for k in a:
            yield from _pairs(a[k], b[k], f"{where}.{k}")
    elif isinstance(a, list) and isinstance(b, list) and len(a) == len(b):
        for i, (x, y) in enumerate(zip(a, b)):
            yield from _pairs(x, y, f"{where}[{i}]")
    else:
        yield where, a, b


def _close(a: Any, b: Any, scale: float) -> bool:
    if isinstance(a, bool) or isinstance(b, bool) or not (
        isinstance(a, (int, float)) and isinstance(b, (int, float))
    ):
        return bool(a == b)
    if isinstance(a, int) and isinstance(b, int):
        return a == b
    if a == b:
        return True
    if math.isnan(a) or math.isnan(b):
        return math.isnan(a) and math.isnan(b)
    return abs(a - b) <= REL * max(abs(a), abs(b)) + ABS * scale
