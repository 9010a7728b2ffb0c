"""What a new user meets first: a layer written with `type:`, and a Keras shape in a report."""

from __future__ import annotations

from nncheck.render.view import cell
from nncheck.spec.problem import Problem


def _problem(layer: object) -> dict[str, object]:
    return {"id": "p", "title": "t",
            "given": {"m": {"kind": "model", "framework": "keras", "input": [32, 32, 3],
                            "layers": [layer]}},
            "parts": [{"id": "a", "ask": "param_count", "model": "m"}]}


def test_a_layer_written_with_type_says_how_a_layer_is_written():
    try:
        Problem.model_validate(_problem({"type": "conv2d", "filters": 32, "kernel": 4}))
    except Exception as exc:  # pydantic's error, as the loader reports it
        message = str(exc)
    else:
        raise AssertionError("a layer `{type: conv2d}` was accepted")
    assert "`type:` is not how a layer names its type" in message
    assert "{conv2d: {filters: 32, kernel: 3}}" in message


def test_a_keras_shape_shows_its_batch_axis_as_written():
    # The expected shape of a part with `batch_axis: true` is [None, 29, 29, 32]: shown as
    # Keras prints it, not with the dash that stands for "no value".
    assert cell([None, 29, 29, 32]) == "[None, 29, 29, 32]"
    assert cell(None) == "—"
