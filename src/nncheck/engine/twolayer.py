"""The fewest hidden threshold units a two-layer design needs for a Boolean function of up
to 4 inputs: exhaustive, and exact.

A two-layer design is k hidden threshold units h_1..h_k, each reading every input, and one
threshold output unit reading the hidden units: f(x) = g(h_1(x), ..., h_k(x)) with g and every
h_j threshold functions (FORMAT §4.19). 0 hidden units: f is itself a threshold function (one
unit reading the inputs computes it). One hidden unit never helps: g of one bit is that bit,
its negation or a constant. So the answer is 0, or the least k >= 2 for which some g and
h_1..h_k exist.

A function is a truth table, one bit per input row (row r in binary counting, the first input
most significant), held in an int. Every threshold function of n <= 4 inputs is listed once by
trying integer weights in [-MAX_WEIGHT, MAX_WEIGHT] (the list is complete: its length is the
known count, 4, 14, 104, 1882, checked on every call). Negating an input of g is negating that
h, and h's negation is a threshold function too: so g is taken positive (every weight >= 0),
depending on all its k inputs, one per reordering. For each such g the h_j are chosen one at a
time among every threshold function but the constants, and a choice survives only while every
row can still be completed: its bits so far extend to a code on which g gives f's value.
"""

from __future__ import annotations

import functools
import itertools

import numpy as np

MAX_INPUTS = 4
MAX_HIDDEN = 4  # for 4 inputs, 4 hidden units compute every function (4-bit parity needs 4)
MAX_WEIGHT = 3
COUNTS = {0: 2, 1: 4, 2: 14, 3: 104, 4: 1882}  # threshold functions of n inputs (OEIS A000609)


def _rows(n: int) -> np.ndarray:
    """Every 0/1 input row, in binary counting (first input most significant)."""
    r = np.arange(1 << n)
    return np.array([(r >> (n - 1 - i)) & 1 for i in range(n)]).T.reshape(1 << n, n)


@functools.cache
def threshold_functions(n: int) -> tuple[int, ...]:
    """Every threshold function of n inputs, as truth-table bit masks, sorted."""
    rows = _rows(n)
    found: set[int] = set()
    span = range(-MAX_WEIGHT, MAX_WEIGHT + 1)
    weights = np.array(list(itertools.product(span, repeat=n)), dtype=np.int64).reshape(-1, n) \
        if n else np.zeros((1, 0), dtype=np.int64)
    z = weights @ rows.T  # (weight vectors, rows)
    bit = 1 << np.arange(1 << n, dtype=np.int64)
    reach = MAX_WEIGHT * n + 1
    for b in range(-reach, reach + 1):
        masks = ((z + b) >= 0).astype(np.int64) @ bit
        found.update(int(m) for m in np.unique(masks))
    if len(found) != COUNTS[n]:
        raise AssertionError(f"{len(found)} threshold functions of {n} inputs listed, "
                             f"not {COUNTS[n]}")
    return tuple(sorted(found))


def is_threshold(table: int, n: int) -> bool:
    """Whether the function of n inputs whose truth table is `table` is a threshold function."""
    return table in _threshold_set(n)


@functools.cache
def _threshold_set(n: int) -> frozenset[int]:
    return frozenset(threshold_functions(n))


@functools.cache
def _positive_outputs(k: int) -> tuple[int, ...]:
    """The positive threshold functions of k inputs that depend on all k, one per reordering."""
    rows = _rows(k)
    kept: dict[int, int] = {}
    for g in threshold_functions(k):
        bits = [(g >> r) & 1 for r in range(1 << k)]
        positive = all(bits[r] <= bits[r | (1 << (k - 1 - i))] for r in range(1 << k)
                       for i in range(k))
        depends = all(any(bits[r] != bits[r ^ (1 << (k - 1 - i))] for r in range(1 << k))
                      for i in range(k))
        if not (positive and depends):
            continue
        forms = []
        for perm in itertools.permutations(range(k)):
            idx = [int("".join(str(rows[r][p]) for p in perm), 2) for r in range(1 << k)]
            forms.append(sum(bits[idx[r]] << r for r in range(1 << k)))
        kept.setdefault(min(forms), g)
    return tuple(sorted(kept.values()))


def min_hidden_units(table: int, n: int) -> int:
    """The fewest hidden threshold units a two-layer design of f needs (0: f is a threshold
    function). ValueError beyond MAX_INPUTS inputs, or when MAX_HIDDEN units do not do."""
    if not 0 <= n <= MAX_INPUTS:
        raise ValueError(f"{n} inputs: at most {MAX_INPUTS}")
    if is_threshold(table, n):
        return 0
    for k in range(2, MAX_HIDDEN + 1):
        if hidden_layer(table, n, k) is not None:
            return k
    raise ValueError(f"no two-layer design of at most {MAX_HIDDEN} hidden units")


def hidden_layer(table: int, n: int, k: int) -> tuple[int, tuple[int, ...]] | None:
    """An output g and hidden units h_1..h_k (truth tables) with f = g(h), or None."""
    rows = 1 << n
    want = np.array([(table >> r) & 1 for r in range(rows)], dtype=np.int64)
    candidates = np.array([h for h in threshold_functions(n)
                           if h not in (0, (1 << rows) - 1)], dtype=np.int64)
    fitting: dict[int, int] = {}
    for g in _positive_outputs(k):
        found = _Search(g, k, want, candidates, fitting).run()
        if found is not None:
            return g, tuple(int(candidates[i]) for i in found)
    return None


class _Search:
    """Depth-first over h_1, h_2, ... (h_1's bit the code's most significant), each level
    vectorised over every candidate: a row's prefix survives while some completion gives f's
    value; at the last level, the rows whose bit is forced make one question (is there a
    threshold function with these 1s and these 0s?), asked once per function. Where swapping
    two of g's inputs leaves g unchanged, their h are taken in increasing order (but the
    last, where the question is shared)."""

    def __init__(self, g: int, k: int, want: np.ndarray, candidates: np.ndarray,
                 fitting: dict[int, int]):
        self.k = k
        # (rows that must be 1) << 32 | (rows that must be 0) -> a candidate that fits, or -1:
        # shared by every g of one function.
        self.fitting = fitting
        self.want = want
        self.candidates = candidates
        rows = len(want)
        self.bits = (candidates[:, None] >> np.arange(rows)) & 1  # (c, rows)
        self.row_bit = np.int64(1) << np.arange(rows, dtype=np.int64)
        g_bits = np.array([(g >> c) & 1 for c in range(1 << k)], dtype=bool)
        # completable[j][prefix, value]: some code extending the first j bits has g = value.
        self.completable = []
        for j in range(k + 1):
            free = k - j
            done = np.zeros((1 << j, 2), dtype=bool)
            for prefix in range(1 << j):
                ext = g_bits[prefix << free:(prefix + 1) << free]
                done[prefix, 1], done[prefix, 0] = ext.any(), (~ext).any()
            self.completable.append(done)
        # ordered[j]: h_j's index must exceed h_{j-1}'s (g symmetric in inputs j-1 and j).
        self.ordered = [j > 0 and _swap(g_bits, k, j - 1, j) == g for j in range(k)]

    def run(self) -> list[int] | None:
        return self._level(0, np.zeros(self.want.shape, dtype=np.int64), [])

    def _forced(self, j: int, prefix: np.ndarray) -> tuple[int, int] | None:
        """The rows whose next bit must be 1, and must be 0 (as masks); None when a row can
        take neither."""
        table = self.completable[j + 1]
        may0 = table[prefix * 2, self.want]
        may1 = table[prefix * 2 + 1, self.want]
        if not (may0 | may1).all():
            return None
        return int((~may0 & may1) @ self.row_bit), int((may0 & ~may1) @ self.row_bit)

    def _alive(self, j: int, prefix: np.ndarray, after: int) -> np.ndarray:
        alive = np.zeros(len(self.candidates), dtype=bool)
        forced = self._forced(j, prefix)
        if forced is not None:
            need1, need0 = forced
            c = self.candidates
            alive = ((c & need0) == 0) & ((c & need1) == need1)
            if self.ordered[j]:
                alive[: after + 1] = False
        return alive

    def _level(self, j: int, prefix: np.ndarray, chosen: list[int]) -> list[int] | None:
        after = chosen[-1] if chosen else -1
        alive = self._alive(j, prefix, after)
        if j == self.k - 1:
            first = np.flatnonzero(alive)
            return [*chosen, int(first[0])] if len(first) else None
        idx = np.flatnonzero(alive)
        codes = prefix[None, :] * 2 + self.bits[idx]
        if j == self.k - 2:
            return self._last_two(idx, codes, chosen)
        for i, code in zip(idx, codes):
            found = self._level(j + 1, code, [*chosen, int(i)])
            if found is not None:
                return found
        return None

    def _last_two(self, idx: np.ndarray, codes: np.ndarray, chosen: list[int]
                  ) -> list[int] | None:
        """h_{k-1} among the live candidates `idx` (whose codes so far are `codes`) and h_k
        among all, at once: for each h_{k-1}, the rows whose last bit must be 1 and must be
        0, then a candidate that fits."""
        if not len(idx):
            return None
        last = self.completable[self.k]  # (codes, value): whether g gives value there
        full = codes * 2  # the codes with the last bit 0; +1 for bit 1
        may0 = last[full, self.want[None, :]]
        may1 = last[full + 1, self.want[None, :]]
        need1 = (~may0 & may1).astype(np.int64) @ self.row_bit
        need0 = (may0 & ~may1).astype(np.int64) @ self.row_bit
        pairs = need1 << 32 | need0  # at most 16 rows: both masks fit in one int64
        unknown = np.array([key for key in np.unique(pairs).tolist() if key not in self.fitting],
                           dtype=np.int64)
        if len(unknown):
            n1, n0 = (unknown >> 32)[:, None], (unknown & 0xFFFFFFFF)[:, None]
            c = self.candidates[None, :]
            fits = ((c & n0) == 0) & ((c & n1) == n1)
            first = np.where(fits.any(axis=1), fits.argmax(axis=1), -1)
            self.fitting.update(zip(unknown.tolist(), first.tolist()))
        for a, key in enumerate(pairs.tolist()):
            b = self.fitting[key]
            if b >= 0:
                return [*chosen, int(idx[a]), b]
        return None


def _swap(g_bits: np.ndarray, k: int, i: int, j: int) -> int:
    """g with its inputs i and j swapped (input 0 the most significant bit of a code)."""
    out = 0
    for code in range(1 << k):
        bi, bj = (code >> (k - 1 - i)) & 1, (code >> (k - 1 - j)) & 1
        swapped = code & ~((1 << (k - 1 - i)) | (1 << (k - 1 - j))) \
            | (bj << (k - 1 - i)) | (bi << (k - 1 - j))
        out |= int(g_bits[swapped]) << code
    return out
