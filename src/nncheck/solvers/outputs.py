"""The outputs of a network or graph that a `loss` part reads (`of:` instead of `y_pred:`).

One input gives one sample, a vector of the outputs; a list of inputs gives a batch, one row
per input, computed in one forward pass (the samples are a batch axis). A graph's inputs
default to its given values, and any of them may be set per sample.
"""

from __future__ import annotations

import numpy as np

from nncheck.errors import ProblemError
from nncheck.solvers.context import Context
from nncheck.spec.parts import OutputOf
from nncheck.words import did_you_mean, listing


def predictions(of: OutputOf, ctx: Context) -> np.ndarray:
    """The asked outputs: a vector for one input, a matrix (samples × outputs) for a list."""
    batch = of.input if isinstance(of.input, list) else [of.input or {}]
    points = [ctx.point(sample) for sample in batch]
    if of.graph is not None:
        graph = ctx.graph(of.graph)
        inputs, known, outputs = list(graph.inputs), graph.symbols(), [graph.output]
        base = dict(graph.given)
        name = f"graph `{graph.name}`"
    else:
        assert of.network is not None  # the spec requires one of them
        net = ctx.network(of.network)
        inputs, known, outputs = list(net.inputs), net.symbols(), list(net.outputs)
        base = {}
        name = f"network `{net.name}`"
    asked = of.outputs or outputs
    for symbol in asked:
        if symbol not in known:
            raise ProblemError(f"`of: outputs` names `{symbol}`, which is not a value of {name}",
                               expected=f"one of {listing(outputs)}",
                               hint=did_you_mean(symbol, known))
    columns = {}
    for x in inputs:
        column = []
        for k, point in enumerate(points):
            if x not in point and x not in base:
                where = f"input {k + 1} of `of`" if len(points) > 1 else "`of: input`"
                raise ProblemError(f"{where} has no value for `{x}`",
                                   expected=f"a value for each input of {name}: "
                                   f"{listing(inputs)}")
            column.append(point.get(x, base.get(x)))
        columns[x] = np.moveaxis(np.array(column, dtype=float), 0, -1)  # samples last
    for point in points:
        extra = [x for x in point if x not in inputs]
        if extra:
            raise ProblemError(f"`of: input` names `{extra[0]}`, which is not an input of {name}",
                               expected=f"its inputs: {listing(inputs)}",
                               hint=did_you_mean(extra[0], inputs))
    if of.graph is not None:
        values = graph.forward(columns)
        graph.check_finite(values, "the inputs of `of`")
    else:
        values = net.forward(columns)
    n = len(points)
    out = np.concatenate([np.broadcast_to(np.asarray(values[s], dtype=float),
                                          (*np.shape(values[s])[:-1], n)).reshape(-1, n)
                          if np.ndim(values[s]) else np.full((1, n), float(values[s]))
                          for s in asked], axis=0).T
    return out if isinstance(of.input, list) else out[0]
