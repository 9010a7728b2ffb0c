"""What the tests of `layer_output` share: a part solved from a layer and an input, and the
recorded PyTorch cases of one kind of layer."""

from __future__ import annotations

from typing import Any

import pytest

from conftest import context
from nncheck.solvers.sequence import solve_layer_output
from oracle import layer_values


def solve(layer: dict[str, Any], input: Any, **part: Any) -> Any:
    """The truth of a `layer_output` part over `layer` and `input`."""
    ctx = context({"parts": [{"id": "p", "ask": "layer_output", "layer": layer,
                              "input": input, **part}]})
    return solve_layer_output(ctx.part, ctx)


def cases(*kinds: str) -> list[Any]:
    """The recorded cases of these kinds of layer, as test parameters."""
    return [pytest.param(c, id=c.id) for c in layer_values.CASES if c.kind in kinds]
