"""Layer models under `framework: pytorch` against PyTorch: output shapes and parameter
counts, recorded from torch in tests/oracle/models.json (no torch needed here)."""

from __future__ import annotations

from typing import Any

import pytest

from nncheck.engine.layers import count_params, infer_layers
from nncheck.errors import ProblemError
from nncheck.spec.model import ModelSpec
from oracle import data, models

RECORDED = data.answers("models")


def ours(case: models.ModelCase) -> dict[str, Any] | None:
    """nncheck's shape and counts for a case, or None where nncheck refuses the model."""
    spec = ModelSpec.model_validate({"input": case.input, "layers": case.layers,
                                     "framework": "pytorch"})
    try:
        recs = infer_layers(spec)
    except ProblemError:
        return None
    return {"shape": list(recs[-1].output_shape), "params": count_params(recs),
            "trainable": count_params(recs, "trainable"),
            "non_trainable": count_params(recs, "non_trainable")}


def torch_said(case: Any, recorded: dict[str, Any]) -> Any:
    """Torch's recorded answer to a case, or a failure that says how to record it."""
    if case.id not in recorded:
        pytest.fail(f"case {case.id} is not recorded: run {data.RECORDED_BY}")
    return recorded[case.id]


@pytest.mark.parametrize("case", [pytest.param(c, id=c.id) for c in models.CASES])
def test_model_matches_torch(case: models.ModelCase) -> None:
    # Both refuse the model, or both give the same output shape (batch dropped) and counts.
    want = torch_said(case, RECORDED)
    got = ours(case)
    if want is None:
        assert got is None, f"torch refuses the model, nncheck gives {got}"
        return
    assert got is not None, f"torch gives {want}, nncheck refuses the model"
    assert {k: got[k] for k in want} == want


def test_vgg16_has_the_published_count() -> None:
    # torchvision's VGG-16 without batch norm: 138,357,544 parameters (its documentation).
    assert RECORDED["vgg16"] == {"params": 138_357_544}


def test_frozen_counts_add_up() -> None:
    # The conv (3·3·3·16 + 16 = 448) and its batch norm (2·16) are frozen; the rest,
    # 8·8·16·32 + 32 + 2·32 + 32·10 + 10 = 33,194, trains.
    assert RECORDED["frozen"] == {"shape": [10], "params": 448 + 32 + 33_194,
                                  "trainable": 33_194, "non_trainable": 448 + 32}
