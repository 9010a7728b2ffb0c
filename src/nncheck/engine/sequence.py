"""Recurrent layers with given weights, step by step: RNN, LSTM and GRU.

Weights are held in PyTorch's layout and gate order (`weight_ih` (G·H)×I, `weight_hh` (G·H)×H,
`bias_ih`, `bias_hh`; LSTM gates i, f, g, o; GRU gates r, z, n). Keras' weights (`kernel`
I×(G·H), `recurrent_kernel` H×(G·H), one `bias`; LSTM gates i, f, c, o; GRU gates z, r, h,
its bias 2×3H with `reset_after: true`) are brought to that layout by `from_keras`.

  RNN   h_t = act(W_ih x_t + b_ih + W_hh h_{t-1} + b_hh)
  LSTM  i, f, g, o = σ, σ, tanh, σ of (W_ih x_t + b_ih + W_hh h_{t-1} + b_hh), by blocks
        c_t = f ⊙ c_{t-1} + i ⊙ g,  h_t = o ⊙ tanh(c_t)
  GRU   r, z = σ(W_i· x_t + b_i· + W_h· h_{t-1} + b_h·)
        n = tanh(W_in x_t + b_in + r ⊙ (W_hn h_{t-1} + b_hn))     (PyTorch; Keras reset_after)
        n = tanh(W_in x_t + b_in + W_hn (r ⊙ h_{t-1}) + b_hn)     (Keras reset_after: false)
        h_t = (1 - z) ⊙ n + z ⊙ h_{t-1}
"""

from __future__ import annotations

from dataclasses import dataclass, replace

import numpy as np

GATES = {"rnn": 1, "lstm": 4, "gru": 3}
# Keras' gate blocks in PyTorch's order: LSTM i, f, c, o is PyTorch's i, f, g, o; GRU z, r, h
# is read as r, z, n.
KERAS_ORDER = {"rnn": (0,), "lstm": (0, 1, 2, 3), "gru": (1, 0, 2)}


@dataclass(frozen=True)
class Recurrent:
    """A recurrent layer's weights in PyTorch's layout, and how it computes."""

    kind: str  # rnn, lstm, gru
    weight_ih: np.ndarray
    weight_hh: np.ndarray
    bias_ih: np.ndarray
    bias_hh: np.ndarray
    activation: str = "tanh"  # rnn: tanh or relu
    reset_after: bool = True  # gru: the reset gate multiplies (W_hn h + b_hn)
    swap_update: bool = False  # gru mistake: h = z ⊙ n + (1 - z) ⊙ h
    cell_tanh: bool = True  # lstm: h = o ⊙ tanh(c); the mistake leaves the tanh out

    @property
    def hidden(self) -> int:
        """The hidden size H."""
        return int(self.weight_hh.shape[1])

    def blocks_swapped(self, a: int, b: int) -> Recurrent:
        """The same weights read with gate blocks a and b swapped (a gate-order mistake)."""
        order = list(range(GATES[self.kind]))
        order[a], order[b] = order[b], order[a]
        return replace(self, weight_ih=_blocks(self.weight_ih, order),
                       weight_hh=_blocks(self.weight_hh, order),
                       bias_ih=_blocks(self.bias_ih, order), bias_hh=_blocks(self.bias_hh, order))


def _blocks(arr: np.ndarray, order: tuple[int, ...] | list[int]) -> np.ndarray:
    """The gate blocks of the first axis, reordered."""
    parts = np.split(arr, len(order), axis=0)
    return np.concatenate([parts[k] for k in order], axis=0)


def from_keras(kind: str, kernel: np.ndarray, recurrent_kernel: np.ndarray,
               bias: np.ndarray | None, **how: object) -> Recurrent:
    """A Keras layer's weights in PyTorch's layout (the bias split input/recurrent)."""
    order = KERAS_ORDER[kind]
    hidden = recurrent_kernel.shape[0]
    size = GATES[kind] * hidden
    if bias is None:
        b_ih, b_hh = np.zeros(size), np.zeros(size)
    elif bias.ndim == 2:  # GRU reset_after: input and recurrent biases
        b_ih, b_hh = bias[0], bias[1]
    else:
        b_ih, b_hh = bias, np.zeros(size)
    return Recurrent(kind, _blocks(kernel.T, order), _blocks(recurrent_kernel.T, order),
                     _blocks(b_ih, order), _blocks(b_hh, order), **how)  # type: ignore[arg-type]


def _sigmoid(z: np.ndarray) -> np.ndarray:
    return np.asarray(0.5 * (1.0 + np.tanh(0.5 * z)))


def run(layer: Recurrent, x: np.ndarray, h0: np.ndarray | None = None,
        c0: np.ndarray | None = None) -> dict[str, np.ndarray]:
    """Every hidden state over the sequence x (T×I): `output` T×H, `hidden` h_T, and for an
    LSTM `cells` T×H and `cell` c_T."""
    size = layer.hidden
    h = np.zeros(size) if h0 is None else np.asarray(h0, dtype=float)
    c = np.zeros(size) if c0 is None else np.asarray(c0, dtype=float)
    hs, cs = [], []
    for x_t in x:
        gi = layer.weight_ih @ x_t + layer.bias_ih
        if layer.kind == "rnn":
            z = gi + layer.weight_hh @ h + layer.bias_hh
            h = np.tanh(z) if layer.activation == "tanh" else np.maximum(z, 0.0)
        elif layer.kind == "lstm":
            i, f, g, o = np.split(gi + layer.weight_hh @ h + layer.bias_hh, 4)
            c = _sigmoid(f) * c + _sigmoid(i) * np.tanh(g)
            h = _sigmoid(o) * (np.tanh(c) if layer.cell_tanh else c)
            cs.append(c)
        else:
            h = _gru_step(layer, gi, h)
        hs.append(h)
    out = {"output": np.array(hs), "hidden": h}
    if layer.kind == "lstm":
        out.update(cells=np.array(cs), cell=c)
    return out


def _gru_step(layer: Recurrent, gi: np.ndarray, h: np.ndarray) -> np.ndarray:
    i_r, i_z, i_n = np.split(gi, 3)
    w_r, w_z, w_n = np.split(layer.weight_hh, 3)
    b_r, b_z, b_n = np.split(layer.bias_hh, 3)
    r = _sigmoid(i_r + w_r @ h + b_r)
    z = _sigmoid(i_z + w_z @ h + b_z)
    if layer.reset_after:
        n = np.tanh(i_n + r * (w_n @ h + b_n))
    else:
        n = np.tanh(i_n + w_n @ (r * h) + b_n)
    if layer.swap_update:
        return np.asarray(z * n + (1.0 - z) * h)
    return np.asarray((1.0 - z) * n + z * h)
