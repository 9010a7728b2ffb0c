"""Which rows a `rows: listed` truth table must give (the part's `required:`).

Without `required:`, the rows that must be listed are those where an output of the network is
on: a listed table is asked for the rows that matter, and one trivial row must not earn the
marks of the whole table.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np

from nncheck.engine.network import THRESHOLD, Network, input_rows
from nncheck.errors import AnswerError, ProblemError
from nncheck.spec.parts import TruthTablePart
from nncheck.tables import Required, match_rows


def is_on(activation: str | None, values: np.ndarray) -> np.ndarray:
    """Whether a value counts as on: above 0 for a threshold unit (its on value, 1 for step and
    sign alike), a relu or an input (1, or +1 in a bipolar table); from 0.5 up for a sigmoid or
    softmax; from 0 up for anything else (tanh, linear, a pre-activation z)."""
    if activation in THRESHOLD or activation in ("relu", "input"):
        return np.asarray(values > 0)
    return np.asarray(values >= (0.5 if activation in ("sigmoid", "softmax") else 0.0))


def required_rows(
    part: TruthTablePart, net: Network, columns: Sequence[str], values: np.ndarray,
    aliases: Mapping[str, str],
) -> Required | None:
    """The rows a listed table must give (None for `rows: all`)."""
    if part.rows != "listed":
        return None
    spec = part.required
    n = len(net.inputs)
    if spec is not None and spec.at_least is not None:
        if spec.at_least > 1 << n:
            raise ProblemError(f"part `{part.id}`: `required: {{at_least: {spec.at_least}}}`, "
                               f"but the table has {1 << n} rows")
        return Required(at_least=spec.at_least, why=f"at least {spec.at_least} rows are required")
    if spec is not None and spec.rows is not None:
        mask = np.zeros(1 << n, dtype=bool)
        for pattern in spec.rows:
            try:
                mask[match_rows(pattern, n, "required")] = True
            except AnswerError:
                raise ProblemError(
                    f"part `{part.id}`: `required` row `{pattern}` is not {n} bits",
                    expected=f"one bit (0/1, or * for either) per input: {', '.join(net.inputs)}",
                ) from None
        return Required(rows=mask, why=f"the rows {', '.join(spec.rows)} are required")
    written = [spec.on] if spec is not None and spec.on is not None else list(net.outputs)
    mask = np.zeros(1 << n, dtype=bool)
    for name in written:
        mask |= is_on(*_on_column(part, net, name, columns, values, aliases))
    which = f"`{written[0]}` is" if len(written) == 1 else \
        f"an output ({', '.join(f'`{w}`' for w in written)}) is"
    return Required(rows=mask, why=f"every row where {which} on is required")


def _on_column(
    part: TruthTablePart, net: Network, name: str, columns: Sequence[str], values: np.ndarray,
    aliases: Mapping[str, str],
) -> tuple[str, np.ndarray]:
    """What kind of value a symbol is, and its value on every row."""
    symbol = aliases.get(name, name)
    if symbol in net.inputs:
        kind = "input"
    elif symbol.startswith("z_") and symbol[2:] in {u.name for u in net.units}:
        kind = "z"
    elif symbol in {u.name for u in net.units}:
        kind = net.unit(symbol).activation
    else:
        raise ProblemError(
            f"part `{part.id}`: `required: {{on: {name}}}` is not a symbol of network "
            f"`{net.name}`", expected="an input, a unit, or z_<unit>")
    if symbol in columns:
        return kind, values[:, len(net.inputs) + list(columns).index(symbol)]
    if symbol in net.inputs:
        return kind, values[:, list(net.inputs).index(symbol)]
    rows = input_rows(len(net.inputs), part.domain)
    env = net.forward({x: rows[:, i] for i, x in enumerate(net.inputs)})
    return kind, np.broadcast_to(np.asarray(env[symbol], dtype=float), rows.shape[:1])
