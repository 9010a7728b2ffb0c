"""Start-up: `nncheck --help` and `nncheck validate` never import numpy.

numpy is the heaviest import nncheck has, and neither command computes anything with it. Each
test runs the command in a fresh interpreter with `-X importtime`, which lists every module
imported, so a module-level `import numpy` anywhere on the path is caught, however indirect.
"""

from __future__ import annotations

import subprocess
import sys

import pytest

from conftest import SEED

HEAVY = ("numpy",)


def imported_modules(*args: str) -> set[str]:
    """The modules a fresh `python -m nncheck ARGS` imports (from -X importtime)."""
    done = subprocess.run(
        [sys.executable, "-X", "importtime", "-m", "nncheck", *args],
        capture_output=True, text=True, timeout=120,
    )
    assert done.returncode in (0, 1, 2), done.stderr[-2000:]
    names = set()
    for line in done.stderr.splitlines():
        if line.startswith("import time:") and "|" in line:
            name = line.rsplit("|", 1)[1].strip()
            if name != "imported package":  # the header line
                names.add(name)
    assert "nncheck.cli" in names, "no -X importtime output was read"
    return names


@pytest.mark.parametrize("args", [
    pytest.param(["--help"], id="help"),
    pytest.param(["validate", str(SEED)], id="validate-bank"),
    pytest.param(["validate", str(SEED / "sheets" / "seed-student.yaml")], id="validate-sheet"),
    pytest.param(["validate", str(SEED / "class" / "s07-gita.yaml")], id="validate-broken"),
])
def test_command_does_not_import_numpy(args):
    names = imported_modules(*args)
    heavy = sorted(n for n in names if n.split(".")[0] in HEAVY)
    assert not heavy, f"`nncheck {' '.join(args)}` imports {heavy[:5]}"


def test_check_does_import_numpy():
    # The test above reads the import list correctly only if it would see numpy here.
    names = imported_modules("check", str(SEED / "sheets" / "seed-student.yaml"),
                             "--problems", str(SEED), "--format", "json")
    assert "numpy" in names
