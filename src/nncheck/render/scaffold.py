"""The two scripts a course uploads to Gradescope (`nncheck gradescope --scaffold DIR`), as text.

Gradescope builds the autograder's image once with `setup.sh` (run as root, in
/autograder/source, on an Ubuntu image), and runs `run_autograder` for every submission, in
/autograder (https://gradescope-autograders.readthedocs.io/en/latest/specs/).
"""

from __future__ import annotations

import shlex
from collections.abc import Sequence

VENV = "/opt/nncheck"  # where setup.sh installs nncheck: its own virtual environment
PROBLEMS = "/autograder/source/problems"  # the bank, as uploaded in the autograder's zip


def setup_script(version: str) -> str:
    """setup.sh: Python, then nncheck from the bundled wheel (wheels/) or else from PyPI."""
    return f"""#!/usr/bin/env bash
# setup.sh: Gradescope runs this once, as root in /autograder/source, when it builds the
# autograder's image. It installs nncheck into a virtual environment of its own, {VENV}:
# from the wheel in wheels/ when the autograder bundles one (its dependencies still come from
# PyPI), else nncheck {version} from PyPI. Then it checks that every problem validates and
# solves, so that a broken bank fails the build, not a student's submission.
set -euo pipefail
cd /autograder/source
apt-get update
apt-get install -y python3 python3-venv python3-pip
python3 -m venv {VENV}
wheel=$(ls wheels/nncheck-*.whl 2> /dev/null | head -n 1 || true)
if [ -n "$wheel" ]; then
  {VENV}/bin/pip install "$wheel"
else
  {VENV}/bin/pip install "nncheck=={version}"
fi
{VENV}/bin/nncheck validate --solve --format text {PROBLEMS}
"""


def run_script(options: Sequence[str]) -> str:
    """run_autograder: `nncheck gradescope` on the submission, with the course's options."""
    command = shlex.join([f"{VENV}/bin/nncheck", "gradescope", "--root", "/autograder",
                          "--problems", PROBLEMS, *options])
    return f"""#!/bin/sh
# run_autograder: Gradescope runs this for every submission, in /autograder. nncheck reads the
# sheet in submission/ and submission_metadata.json, and always writes results/results.json
# (a sheet that cannot be read gets a score of 0 and a visible test saying why). Its exit
# status is 0 once results.json is written; 2 when the problems cannot be read.
exec {command}
"""
