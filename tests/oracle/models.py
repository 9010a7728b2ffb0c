"""Layer models against PyTorch: the cases, and torch's output shape and parameter count.

A case is a model in nncheck's format under `framework: pytorch` and the torch module the
tests hold to be the same model. Torch's answer is the output shape of a forward pass on a
batch of two zero inputs (the batch axis dropped) and `sum(p.numel() for p in parameters())`,
or None where torch refuses the model (an error, or an axis that shrinks to nothing).
"""

from __future__ import annotations

import itertools
import warnings
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class ModelCase:
    """One model, written for nncheck and built in torch."""

    id: str
    layers: list[Any]
    input: list[int]
    build: Callable[[Any], Any]  # torch -> the module
    run: bool = True  # run a forward pass for the output shape (False: count only)
    long_input: bool = False  # integer inputs (an embedding reads token ids)
    frozen: int = 0  # the first `frozen` modules of a Sequential get requires_grad = False

    @property
    def data(self) -> dict[str, Any]:
        """What the recorded file shows of the case."""
        return {"layers": self.layers, "input": self.input}


def answer(torch: Any, case: ModelCase) -> dict[str, Any] | None:
    """Torch's output shape and parameter counts for a case, or None where torch refuses it."""
    try:
        if case.run:
            module = case.build(torch)
        else:  # counted only: parameters with a shape and no storage
            with torch.device("meta"):
                module = case.build(torch)
        if case.frozen:
            for frozen in list(module)[:case.frozen]:
                for p in frozen.parameters():
                    p.requires_grad = False
        out: dict[str, Any] = {}
        if case.run:
            x = (torch.zeros(2, *case.input, dtype=torch.long) if case.long_input
                 else torch.zeros(2, *case.input))
            # PyTorch warns that `same` with an even kernel copies the input: not our concern.
            with torch.no_grad(), warnings.catch_warnings():
                warnings.simplefilter("ignore", UserWarning)
                y = module(x)
            if 0 in y.shape:
                return None  # an empty axis: a model nncheck refuses
            out["shape"] = list(y.shape[1:])
        params = list(module.parameters())
        out["params"] = sum(p.numel() for p in params)
        if case.frozen:
            out["trainable"] = sum(p.numel() for p in params if p.requires_grad)
            out["non_trainable"] = sum(p.numel() for p in params if not p.requires_grad)
        return out
    except (RuntimeError, ValueError, AssertionError):  # MHA asserts its head split
        return None


# --- the cases -----------------------------------------------------------------------------------

def _dense(fan_in: int, units: int, bias: bool) -> ModelCase:
    return ModelCase(f"dense-{fan_in}->{units}{'' if bias else '-nobias'}",
                     [{"dense": {"units": units, "bias": bias}}], [fan_in],
                     lambda torch: torch.nn.Linear(fan_in, units, bias=bias))


def _conv2d(n: int, k: Any, s: int, p: Any, d: int, g: int) -> ModelCase:
    kernel = list(k) if isinstance(k, tuple) else k
    layer = {"conv2d": {"filters": 6, "kernel": kernel, "stride": s, "padding": p,
                        "dilation": d, "groups": g}}
    name = f"conv2d-n{n}-k{k}-s{s}-p{p}-d{d}-g{g}".replace(" ", "")
    return ModelCase(name, [layer], [4, n, n + 1], lambda torch: torch.nn.Conv2d(
        4, 6, k, stride=s, padding=p, dilation=d, groups=g))


def _conv1d_3d(dims: int, n: int, k: int, s: int, p: Any, d: int, bias: bool) -> ModelCase:
    layer = {f"conv{dims}d": {"filters": 5, "kernel": k, "stride": s, "padding": p,
                              "dilation": d, "bias": bias}}
    return ModelCase(
        f"conv{dims}d-n{n}-k{k}-s{s}-p{p}-d{d}-b{int(bias)}", [layer], [3] + [n] * dims,
        lambda torch: getattr(torch.nn, f"Conv{dims}d")(3, 5, k, stride=s, padding=p,
                                                        dilation=d, bias=bias))


def _depthwise(k: int, s: int, p: Any, dm: int, d: int) -> list[ModelCase]:
    tail = f"k{k}-s{s}-p{p}-dm{dm}-d{d}"
    depthwise = ModelCase(
        f"depthwise-{tail}",
        [{"depthwise_conv2d": {"kernel": k, "stride": s, "padding": p, "depth_multiplier": dm,
                               "dilation": d}}], [3, 9, 9],
        lambda torch: torch.nn.Conv2d(3, 3 * dm, k, stride=s, padding=p, dilation=d, groups=3))
    separable = ModelCase(
        f"separable-{tail}",
        [{"separable_conv2d": {"filters": 8, "kernel": k, "stride": s, "padding": p,
                               "depth_multiplier": dm, "dilation": d}}], [3, 9, 9],
        lambda torch: torch.nn.Sequential(
            torch.nn.Conv2d(3, 3 * dm, k, stride=s, padding=p, dilation=d, groups=3,
                            bias=False),
            torch.nn.Conv2d(3 * dm, 8, 1)))
    return [depthwise, separable]


def _transpose(n: int, k: int, s: int, p: int, op: int, d: int, g: int) -> ModelCase:
    layer = {"conv2d_transpose": {"filters": 6, "kernel": k, "stride": s, "padding": p,
                                  "output_padding": op, "dilation": d, "groups": g}}
    return ModelCase(
        f"conv2d_transpose-n{n}-k{k}-s{s}-p{p}-op{op}-d{d}-g{g}", [layer], [4, n, n + 2],
        lambda torch: torch.nn.ConvTranspose2d(4, 6, k, stride=s, padding=p,
                                               output_padding=op, dilation=d, groups=g))


def _pool(kind: str, dims: int, n: int, k: int, s: int | None, p: int, ceil: bool
          ) -> ModelCase:
    args: dict[str, Any] = {"pool": k, "stride": s, "padding": p, "ceil_mode": ceil}
    if s is None:
        del args["stride"]  # the stride defaults to the window
    return ModelCase(
        f"{kind}_pool{dims}d-n{n}-k{k}-s{s}-p{p}-c{int(ceil)}", [{f"{kind}_pool{dims}d": args}],
        [3] + [n] * dims,
        lambda torch: getattr(torch.nn, f"{'Max' if kind == 'max' else 'Avg'}Pool{dims}d")(
            k, stride=s, padding=p, ceil_mode=ceil))


def _global_pool(kind: str, keepdims: bool) -> ModelCase:
    def build(torch: Any) -> Any:
        nn = torch.nn
        pool = nn.AdaptiveAvgPool2d(1) if kind == "avg" else nn.AdaptiveMaxPool2d(1)
        return pool if keepdims else nn.Sequential(pool, nn.Flatten())

    return ModelCase(f"global_{kind}_pool-keepdims{int(keepdims)}",
                     [{f"global_{kind}_pool": {"keepdims": keepdims}}], [6, 5, 4], build)


def _reshape(torch: Any) -> Any:
    class Reshape(torch.nn.Module):  # type: ignore[misc]
        def forward(self, x: Any) -> Any:
            return x.reshape(x.shape[0], 4, -1)

    return Reshape()


def _batch_norm(input_shape: list[int], cls: str, affine: bool) -> ModelCase:
    layer: Any = "batch_norm" if affine else {"batch_norm": {"affine": False}}
    return ModelCase(f"batch_norm-{len(input_shape)}d{'' if affine else '-noaffine'}", [layer],
                     input_shape, lambda torch: getattr(torch.nn, cls)(16, affine=affine))


def _recurrent(kind: str, features: int, units: int, sequences: bool, bias: bool,
               bidirectional: bool) -> ModelCase:
    layer: dict[str, Any] = {kind: {"units": units, "return_sequences": sequences,
                                    "bias": bias}}
    if bidirectional:
        layer = {"bidirectional": layer}

    def build(torch: Any) -> Any:
        cls = {"simple_rnn": torch.nn.RNN, "lstm": torch.nn.LSTM, "gru": torch.nn.GRU}[kind]

        class Wrapped(torch.nn.Module):  # type: ignore[misc]
            def __init__(self) -> None:
                super().__init__()
                self.rnn = cls(features, units, batch_first=True, bias=bias,
                               bidirectional=bidirectional)

            def forward(self, x: Any) -> Any:
                out = self.rnn(x)[0]
                return out if sequences else out[:, -1]

        return Wrapped()

    return ModelCase(f"{kind}-f{features}-u{units}-seq{int(sequences)}-b{int(bias)}"
                     f"-bi{int(bidirectional)}", [layer], [7, features], build)


def _attention(width: int, heads: int, bias: bool) -> ModelCase:
    def build(torch: Any) -> Any:
        class SelfAttention(torch.nn.Module):  # type: ignore[misc]
            def __init__(self) -> None:
                super().__init__()
                self.mha = torch.nn.MultiheadAttention(width, heads, bias=bias,
                                                       batch_first=True)

            def forward(self, x: Any) -> Any:
                return self.mha(x, x, x)[0]

        return SelfAttention()

    return ModelCase(f"multi_head_attention-E{width}-h{heads}-b{int(bias)}",
                     [{"multi_head_attention": {"num_heads": heads, "bias": bias}}],
                     [6, width], build)


VGG_BLOCKS = ((64, 2), (128, 2), (256, 3), (512, 3), (512, 3))
VGG16_LAYERS: list[Any] = [
    *itertools.chain.from_iterable(
        ({"repeat": convs, "layers": [{"conv2d": {"filters": filters, "kernel": 3,
                                                  "padding": 1, "activation": "relu"}}]},
         {"max_pool2d": 2})
        for filters, convs in VGG_BLOCKS),
    "flatten", {"dense": 4096}, {"dense": 4096}, {"dense": 1000},
]


def _vgg16(torch: Any, head: bool = True) -> Any:
    nn = torch.nn
    mods: list[Any] = []
    c = 3
    for filters, convs in VGG_BLOCKS:
        for _ in range(convs):
            mods += [nn.Conv2d(c, filters, 3, padding=1), nn.ReLU()]
            c = filters
        mods.append(nn.MaxPool2d(2))
    if head:
        mods += [nn.Flatten(), nn.Linear(25088, 4096), nn.Linear(4096, 4096),
                 nn.Linear(4096, 1000)]
    return nn.Sequential(*mods)


FROZEN_LAYERS: list[Any] = [
    {"conv2d": {"filters": 16, "kernel": 3}, "trainable": False, "name": "base"},
    {"batch_norm": None, "trainable": False},
    "flatten",
    {"dense": 32},
    {"batch_norm": None},
    {"dense": 10, "name": "head"},
]


def _frozen(torch: Any) -> Any:
    nn = torch.nn
    return nn.Sequential(nn.Conv2d(3, 16, 3), nn.BatchNorm2d(16), nn.Flatten(),
                         nn.Linear(16 * 8 * 8, 32), nn.BatchNorm1d(32), nn.Linear(32, 10))


def _cases() -> list[ModelCase]:
    out = [_dense(f, u, b) for f, u, b in itertools.product([1, 7, 20], [1, 10, 64],
                                                            [True, False])]
    out.append(ModelCase("dense-on-sequence", [{"dense": 8}], [5, 3],
                         lambda torch: torch.nn.Linear(3, 8)))
    out += [_conv2d(n, k, s, p, d, g)
            for n in (5, 8) for k in (1, 2, 3, (3, 2)) for s in (1, 2, 3)
            for p in ("valid", "same", 0, 1, 2) for d in (1, 2) for g in (1, 2)
            if not (p in (1, 2) and k == 1)]
    out += [_conv1d_3d(dims, *c) for dims in (1, 3)
            for c in itertools.product((4, 9), (1, 3), (1, 2), ("valid", "same", 1), (1, 2),
                                       (True, False))]
    for c in itertools.product((1, 3), (1, 2), ("valid", "same", 1), (1, 2), (1, 2)):
        out += _depthwise(*c)
    out += [_transpose(*c) for c in itertools.product((1, 4, 7), (1, 2, 3), (1, 2, 3),
                                                      (0, 1, 2), (0, 1), (1, 2), (1, 2))]
    out += [_pool(kind, dims, *c) for kind in ("max", "avg") for dims in (1, 2)
            for c in itertools.product((3, 7, 10), (2, 3), (None, 1, 2), (0, 1, 2),
                                       (False, True))]
    out += [_global_pool(kind, keep) for kind in ("avg", "max") for keep in (False, True)]
    out += [
        ModelCase("flatten", ["flatten"], [6, 5, 4], lambda torch: torch.nn.Flatten()),
        ModelCase("reshape", [{"reshape": [4, -1]}], [2, 3, 4], _reshape),
        ModelCase("zero_padding2d", [{"zero_padding2d": [[1, 2], [3, 4]]}], [2, 5, 5],
                  lambda torch: torch.nn.ZeroPad2d((3, 4, 1, 2))),
        ModelCase("upsampling2d", [{"upsampling2d": [2, 3]}], [2, 5, 5],
                  lambda torch: torch.nn.Upsample(scale_factor=(2, 3))),
        ModelCase("relu-dropout-softmax", ["relu", {"dropout": 0.3}, {"activation": "softmax"}],
                  [2, 5], lambda torch: torch.nn.Sequential(
                      torch.nn.ReLU(), torch.nn.Dropout(0.3), torch.nn.Softmax(-1))),
    ]
    out += [_batch_norm(shape, cls, affine)
            for shape, cls in (([16], "BatchNorm1d"), ([16, 10], "BatchNorm1d"),
                               ([16, 8, 8], "BatchNorm2d"), ([16, 4, 4, 4], "BatchNorm3d"))
            for affine in (True, False)]
    out += [
        ModelCase("layer_norm", ["layer_norm"], [10, 64], lambda torch: torch.nn.LayerNorm(64)),
        ModelCase("embedding", [{"embedding": {"input_dim": 1000, "output_dim": 64}}], [12],
                  lambda torch: torch.nn.Embedding(1000, 64), long_input=True),
    ]
    out += [_recurrent(*c) for c in itertools.product(
        ("simple_rnn", "lstm", "gru"), (1, 13), (1, 32), (False, True), (True, False),
        (False, True))]
    out += [_attention(*c) for c in itertools.product((8, 12, 64), (1, 2, 4, 5),
                                                      (True, False))]
    out += [
        # One forward pass at 224×224 is slow on a CPU: the whole model is counted, and the
        # shapes of its convolutional part are checked at 32×32.
        ModelCase("vgg16", VGG16_LAYERS, [3, 224, 224], _vgg16, run=False),
        ModelCase("vgg16-features-32", VGG16_LAYERS[:-4], [3, 32, 32],
                  lambda torch: _vgg16(torch, head=False)),
        ModelCase("frozen", FROZEN_LAYERS, [3, 10, 10], _frozen, frozen=2),
    ]
    return out


CASES = _cases()
