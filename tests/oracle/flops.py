"""Multiply-adds against ptflops: the cases, and ptflops' count of each on the same torch model.

A case is a model in nncheck's format under `framework: pytorch` and the torch module the
tests hold to be the same model. The answer is ptflops' MAC count (its `pytorch` backend, one
image) of the module as written (`macs`: a bias add counts as one MAC at every output
position) and of the same module built without biases (`weights`), with the layers that carry
no weights (activations, pooling) left out of the count, as nncheck's convention leaves them.
The modules live on torch's `meta` device: ptflops reads only shapes, and VGG-16 at 224×224
costs no real forward pass.
"""

from __future__ import annotations

import io
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from oracle.models import VGG16_LAYERS, VGG_BLOCKS


@dataclass(frozen=True)
class FlopsCase:
    """One model, written for nncheck and built in torch (with or without biases)."""

    id: str
    layers: list[Any]
    input: list[int]
    build: Callable[[Any, bool], Any]  # (torch, bias) -> the module

    @property
    def data(self) -> dict[str, Any]:
        """What the recorded file shows of the case."""
        return {"layers": self.layers, "input": self.input}


def answer(torch: Any, case: FlopsCase) -> dict[str, int]:
    """ptflops' MACs of the case's module, with and without its biases."""
    from ptflops import get_model_complexity_info

    nn = torch.nn
    ignored = [nn.ReLU, nn.MaxPool1d, nn.MaxPool2d, nn.AvgPool1d, nn.AvgPool2d, nn.Flatten]
    out = {}
    for key, bias in (("macs", True), ("weights", False)):
        with torch.device("meta"):
            module = case.build(torch, bias)
        macs, _ = get_model_complexity_info(
            module, tuple(case.input), as_strings=False, print_per_layer_stat=False,
            ost=io.StringIO(), ignore_modules=ignored, backend="pytorch",
            backend_specific_config={"count_functional": False})
        out[key] = int(macs)
    return out


def _vgg16(torch: Any, bias: bool) -> Any:
    nn = torch.nn
    mods: list[Any] = []
    c = 3
    for filters, convs in VGG_BLOCKS:
        for _ in range(convs):
            mods += [nn.Conv2d(c, filters, 3, padding=1, bias=bias), nn.ReLU()]
            c = filters
        mods.append(nn.MaxPool2d(2))
    mods += [nn.Flatten(), nn.Linear(25088, 4096, bias=bias), nn.ReLU(),
             nn.Linear(4096, 4096, bias=bias), nn.ReLU(), nn.Linear(4096, 1000, bias=bias)]
    return nn.Sequential(*mods)


def _conv2d(n: int, k: int, s: int, p: int, d: int, g: int) -> FlopsCase:
    layer = {"conv2d": {"filters": 6, "kernel": k, "stride": s, "padding": p, "dilation": d,
                        "groups": g}}
    return FlopsCase(f"conv2d-n{n}-k{k}-s{s}-p{p}-d{d}-g{g}", [layer], [6, n, n],
                     lambda torch, bias: torch.nn.Conv2d(6, 6, k, s, p, d, g, bias=bias))


def _conv1d(n: int, k: int, s: int, p: int) -> FlopsCase:
    layer = {"conv1d": {"filters": 8, "kernel": k, "stride": s, "padding": p}}
    return FlopsCase(f"conv1d-n{n}-k{k}-s{s}-p{p}", [layer], [3, n],
                     lambda torch, bias: torch.nn.Conv1d(3, 8, k, s, p, bias=bias))


def _transpose(n: int, k: int, s: int, p: int) -> FlopsCase:
    layer = {"conv2d_transpose": {"filters": 4, "kernel": k, "stride": s, "padding": p}}
    return FlopsCase(f"conv2d_transpose-n{n}-k{k}-s{s}-p{p}", [layer], [3, n, n],
                     lambda torch, bias: torch.nn.ConvTranspose2d(3, 4, k, s, p, bias=bias))


def _small_cnn(torch: Any, bias: bool) -> Any:
    nn = torch.nn
    return nn.Sequential(nn.Conv2d(3, 8, 3, padding=1, bias=bias), nn.ReLU(), nn.MaxPool2d(2),
                         nn.Conv2d(8, 16, 3, stride=2, bias=bias), nn.ReLU(), nn.Flatten(),
                         nn.Linear(16 * 3 * 3, 10, bias=bias))


SMALL_CNN_LAYERS: list[Any] = [
    {"conv2d": {"filters": 8, "kernel": 3, "padding": 1}}, "relu", {"max_pool2d": 2},
    {"conv2d": {"filters": 16, "kernel": 3, "stride": 2}}, "relu", "flatten", {"dense": 10},
]


def _cases() -> list[FlopsCase]:
    out = [
        _conv2d(9, 3, 1, 0, 1, 1), _conv2d(9, 3, 2, 1, 1, 1), _conv2d(12, 3, 1, 2, 2, 1),
        _conv2d(10, 3, 1, 1, 1, 2), _conv2d(10, 3, 1, 1, 1, 6), _conv2d(11, 5, 3, 2, 1, 3),
        _conv1d(20, 3, 1, 0), _conv1d(21, 5, 2, 2),
        _transpose(5, 3, 2, 1), _transpose(4, 4, 2, 0),
        FlopsCase("dense-20->10", [{"dense": 10}], [20],
                  lambda torch, bias: torch.nn.Linear(20, 10, bias=bias)),
        FlopsCase("dense-sequence-7x20->10", [{"dense": 10}], [7, 20],
                  lambda torch, bias: torch.nn.Linear(20, 10, bias=bias)),
        FlopsCase("small-cnn", SMALL_CNN_LAYERS, [3, 16, 16], _small_cnn),
        FlopsCase("vgg16", [*VGG16_LAYERS[:-3], {"dense": 4096}, "relu", {"dense": 4096},
                            "relu", {"dense": 1000}], [3, 224, 224], _vgg16),
    ]
    return out


CASES = _cases()
