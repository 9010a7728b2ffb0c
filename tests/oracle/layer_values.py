"""Layers with given weights against PyTorch's modules: RNN, LSTM, GRU, scaled dot-product and
multi-head attention, batch and layer normalisation, dropout.

Every case is a small layer whose weights are drawn once by the tests' own seed (to two
decimals), an input, and torch's answer: the module with those weights loaded, in float64.
Keras' conventions are the same weights moved to Keras' layout by `keras_weights` (gate blocks
reordered, matrices transposed), so one torch answer checks both readings.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np


@dataclass(frozen=True)
class LayerCase:
    """One layer, its weights and input, as lists."""

    id: str
    kind: str
    arrays: dict[str, Any]

    @property
    def data(self) -> dict[str, Any]:
        """What the recorded file shows of the case."""
        return {"kind": self.kind, **self.arrays}

    def array(self, name: str) -> np.ndarray:
        """One of the case's arrays."""
        return np.asarray(self.arrays[name], dtype=np.float64)


def _draw(rng: np.random.Generator, *shape: int) -> list[Any]:
    out: list[Any] = rng.uniform(-1, 1, shape).round(2).tolist()
    return out


GATES = {"rnn": 1, "lstm": 4, "gru": 3}


def _recurrent(rng: np.random.Generator, kind: str, k: int, activation: str = "tanh"
               ) -> LayerCase:
    hidden, inputs, steps = int(rng.integers(1, 4)), int(rng.integers(1, 4)), int(
        rng.integers(1, 5))
    g = GATES[kind] * hidden
    arrays = {"weight_ih": _draw(rng, g, inputs), "weight_hh": _draw(rng, g, hidden),
              "bias_ih": _draw(rng, g), "bias_hh": _draw(rng, g), "x": _draw(rng, steps, inputs),
              "h0": _draw(rng, hidden)}
    if kind == "lstm":
        arrays["c0"] = _draw(rng, hidden)
    if kind == "rnn":
        arrays["activation"] = activation
    return LayerCase(f"{kind}-{activation if kind == 'rnn' else ''}{k:02d}", kind, arrays)


def _attention(rng: np.random.Generator, k: int) -> LayerCase:
    queries, keys, d, dv = (int(rng.integers(1, 5)) for _ in range(4))
    mask: Any = None
    if k % 3 == 1:
        mask, keys = "causal", queries
    elif k % 3 == 2:
        m = (rng.random((queries, keys)) < 0.7).astype(int)
        m[:, 0] = 1  # every query attends somewhere
        mask = m.tolist()
    return LayerCase(f"attention-{k:02d}", "attention", {
        "q": _draw(rng, queries, d), "k": _draw(rng, keys, d), "v": _draw(rng, keys, dv),
        "mask": mask})


def _multi_head(rng: np.random.Generator, k: int) -> LayerCase:
    heads = int(rng.integers(1, 4))
    embed = heads * int(rng.integers(1, 3))
    length, source = int(rng.integers(1, 4)), int(rng.integers(1, 4))
    self_attention = k % 2 == 0
    q = _draw(rng, length, embed)
    kv = q if self_attention else _draw(rng, source, embed)
    return LayerCase(f"multihead_attention-{k:02d}", "multihead_attention", {
        "num_heads": heads, "q": q, "k": kv, "v": kv if self_attention else _draw(
            rng, source, embed),
        "in_proj_weight": _draw(rng, 3 * embed, embed), "in_proj_bias": _draw(rng, 3 * embed),
        "out_proj_weight": _draw(rng, embed, embed), "out_proj_bias": _draw(rng, embed),
        "mask": "causal" if k == 2 else None})


def _norm(rng: np.random.Generator, kind: str, k: int) -> LayerCase:
    n, c = int(rng.integers(2, 5)), int(rng.integers(1, 4))
    arrays: dict[str, Any] = {"x": (np.asarray(_draw(rng, n, c)) * 3).round(2).tolist(),
                              "gamma": _draw(rng, c), "beta": _draw(rng, c)}
    if kind == "batchnorm":
        arrays.update(running_mean=_draw(rng, c),
                      running_var=(np.asarray(_draw(rng, c)) + 1.5).round(2).tolist(),
                      momentum=[0.1, 0.3, 0.01][k % 3])
    return LayerCase(f"{kind}-{k:02d}", kind, arrays)


def _cases() -> list[LayerCase]:
    rng = np.random.default_rng([2026, 11, 30])
    out = [_recurrent(rng, "rnn", k, act) for act in ("tanh", "relu") for k in range(4)]
    out += [_recurrent(rng, kind, k) for kind in ("lstm", "gru") for k in range(8)]
    out += [_attention(rng, k) for k in range(9)]
    out += [_multi_head(rng, k) for k in range(6)]
    out += [_norm(rng, kind, k) for kind in ("batchnorm", "layernorm") for k in range(6)]
    rng_d = np.random.default_rng([2026, 11, 30, 1])
    for k, rate in enumerate((0.5, 0.2, 0.25)):
        x = _draw(rng_d, 2, 4)
        mask = (rng_d.random((2, 4)) >= rate).astype(int).tolist()
        out.append(LayerCase(f"dropout-{k:02d}", "dropout", {"x": x, "mask": mask,
                                                              "rate": rate}))
    return out


CASES = _cases()


def keras_weights(case: LayerCase) -> dict[str, Any]:
    """A recurrent case's weights in Keras' layout: kernel I×G·H, recurrent_kernel H×G·H,
    gate blocks in Keras' order (LSTM i, f, c, o; GRU z, r, h), the GRU's bias 2×3H."""
    order = {"rnn": [0], "lstm": [0, 1, 2, 3], "gru": [1, 0, 2]}[case.kind]

    def blocks(arr: np.ndarray) -> np.ndarray:
        parts = np.split(arr, len(order), axis=0)
        return np.concatenate([parts[k] for k in order], axis=0)

    w_ih, w_hh = blocks(case.array("weight_ih")), blocks(case.array("weight_hh"))
    b_ih, b_hh = blocks(case.array("bias_ih")), blocks(case.array("bias_hh"))
    bias = np.stack([b_ih, b_hh]) if case.kind == "gru" else b_ih + b_hh
    return {"kernel": w_ih.T.tolist(), "recurrent_kernel": w_hh.T.tolist(),
            "bias": bias.tolist()}


# --- torch ---------------------------------------------------------------------------------------

def answer(torch: Any, case: LayerCase) -> dict[str, Any]:
    """Torch's answer for a case: the module with the case's weights, in float64."""
    nn = torch.nn

    def t(name: str) -> Any:
        return torch.tensor(case.array(name), dtype=torch.float64)

    with torch.no_grad():
        if case.kind in GATES:
            return _recurrent_answer(torch, case, t)
        if case.kind == "attention":
            mask = case.arrays["mask"]
            q, k = t("q"), t("k")
            scores = q @ k.T / np.sqrt(q.shape[-1])
            if mask == "causal":
                out = nn.functional.scaled_dot_product_attention(q, k, t("v"), is_causal=True)
                keep = torch.ones(scores.shape, dtype=torch.bool).tril()
            elif mask is not None:
                keep = torch.tensor(np.asarray(mask) == 1)
                out = nn.functional.scaled_dot_product_attention(q, k, t("v"), attn_mask=keep)
            else:
                keep = torch.ones(scores.shape, dtype=torch.bool)
                out = nn.functional.scaled_dot_product_attention(q, k, t("v"))
            weights = torch.softmax(scores.masked_fill(~keep, float("-inf")), dim=-1)
            return {"output": out.tolist(), "weights": weights.tolist()}
        if case.kind == "multihead_attention":
            embed = len(case.arrays["q"][0])
            mha = nn.MultiheadAttention(embed, case.arrays["num_heads"], batch_first=True,
                                        dtype=torch.float64)
            mha.in_proj_weight.copy_(t("in_proj_weight"))
            mha.in_proj_bias.copy_(t("in_proj_bias"))
            mha.out_proj.weight.copy_(t("out_proj_weight"))
            mha.out_proj.bias.copy_(t("out_proj_bias"))
            length, source = len(case.arrays["q"]), len(case.arrays["k"])
            # torch's boolean attn_mask of MultiheadAttention is True where a query may NOT
            # attend: the causal mask is the strict upper triangle
            barred = None if case.arrays["mask"] is None else torch.ones(
                (length, source), dtype=torch.bool).triu(1)
            out, weights = mha(t("q")[None], t("k")[None], t("v")[None], attn_mask=barred)
            return {"output": out[0].tolist(), "weights": weights[0].tolist()}
        if case.kind == "batchnorm":
            return _batchnorm_answer(torch, case, t)
        if case.kind == "layernorm":
            ln = nn.LayerNorm(len(case.arrays["gamma"]), dtype=torch.float64)
            ln.weight.copy_(t("gamma"))
            ln.bias.copy_(t("beta"))
            return {"output": ln(t("x")).tolist()}
        # dropout: torch draws its own mask; the scaling is what is compared, so the kept
        # units' scale is torch's output where its mask keeps them, for a case's rate
        rate = case.arrays["rate"]
        drop = nn.Dropout(rate)
        drop.train()
        x = torch.ones(4096, dtype=torch.float64)
        kept = drop(x)
        scale = float(kept[kept != 0][0])
        drop.eval()
        return {"train_scale": scale, "eval": drop(t("x")).tolist()}


def _recurrent_answer(torch: Any, case: LayerCase, t: Any) -> dict[str, Any]:
    nn = torch.nn
    inputs, hidden = len(case.arrays["x"][0]), len(case.arrays["h0"])
    if case.kind == "rnn":
        layer = nn.RNN(inputs, hidden, nonlinearity=case.arrays["activation"],
                       dtype=torch.float64)
    else:
        layer = {"lstm": nn.LSTM, "gru": nn.GRU}[case.kind](inputs, hidden, dtype=torch.float64)
    for name in ("weight_ih", "weight_hh", "bias_ih", "bias_hh"):
        getattr(layer, f"{name}_l0").copy_(t(name))
    h0 = t("h0")[None]
    if case.kind == "lstm":
        out, (h, c) = layer(t("x"), (h0, t("c0")[None]))
        return {"output": out.tolist(), "hidden": h[0].tolist(), "cell": c[0].tolist()}
    out, h = layer(t("x"), h0)
    return {"output": out.tolist(), "hidden": h[0].tolist()}


def _batchnorm_answer(torch: Any, case: LayerCase, t: Any) -> dict[str, Any]:
    nn = torch.nn
    bn = nn.BatchNorm1d(len(case.arrays["gamma"]), momentum=case.arrays["momentum"],
                        dtype=torch.float64)
    bn.weight.copy_(t("gamma"))
    bn.bias.copy_(t("beta"))
    bn.running_mean.copy_(t("running_mean"))
    bn.running_var.copy_(t("running_var"))
    bn.eval()
    evaluated = bn(t("x"))
    bn.train()
    trained = bn(t("x"))
    return {"train": trained.tolist(), "eval": evaluated.tolist(),
            "running_mean": bn.running_mean.tolist(), "running_var": bn.running_var.tolist()}
