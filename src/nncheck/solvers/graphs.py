"""`forward` and `gradient` on a computational graph (`graph:` instead of `network:`).

The values come from `engine.graph`: the forward pass at the given inputs (and, for
`form: formula`, at seeded re-draws of every input), and reverse mode through the gates. A
gradient is ∂(of)/∂(wrt) along every path; with `local: true` it is the gate's own derivative,
∂(of)/∂(wrt) with whatever else `of` reads held fixed. The known mistakes are replayed slips of
reverse mode (`engine.graph.Slip`) and the chain cut short.
"""

from __future__ import annotations

import functools
from collections.abc import Mapping
from typing import Any

import numpy as np

from nncheck.compare import identity
from nncheck.compare.numbers import to_json_value
from nncheck.compare.numeric import Known, NumericTruth
from nncheck.engine import graph as engine
from nncheck.engine import graph_text
from nncheck.engine.graph import NO_SLIP, Graph, Slip
from nncheck.engine.losses import LOSSES, gradient_mistakes
from nncheck.errors import ProblemError
from nncheck.solvers.context import Context
from nncheck.spec.graph import VectorGate
from nncheck.spec.parts import ForwardPart, GradientPart
from nncheck.words import did_you_mean, listing

DRAWS = 8  # re-draws of a `form: formula` part, besides the given point (as for networks)
DRAW_RANGE = (-2.0, 2.0)  # every input uniform in [-2, 2] (FORMAT §3)
TRIES = 8  # candidate points drawn per point kept: a draw where a node is undefined is dropped


# --- forward -------------------------------------------------------------------------------------

def solve_graph_forward(part: ForwardPart, ctx: Context) -> NumericTruth:
    """The value of the asked nodes at the given inputs."""
    assert part.graph is not None  # the registry sends only graph parts here
    graph = ctx.graph(part.graph)
    values = graph.forward(given_point(graph, part.input, ctx))
    graph.check_finite(values, "the given inputs")
    of = part.of if part.of is not None else graph.output
    written = of if isinstance(of, list) else [of]
    names = resolve(graph, written, "of", ctx.aliases)
    vector = isinstance(of, list) or bool(graph.shapes[names[0]])
    got = np.concatenate([values[n][..., 0].reshape(-1) for n in names])[None, :]
    shaped = got if vector else got[:, 0]
    return NumericTruth(
        expected=to_json_value(shaped[0]),
        values=shaped,
        env=scalars(values),
        vector=vector,
        tolerance=ctx.tolerance,
        aliases=ctx.aliases,
        point_names=graph.inputs,
        labels=element_labels(graph, written, names) if vector else None,
        barred=tuple(barred_names(graph, n, w) for n, w in zip(names, written)
                     for _ in range(max(1, int(np.prod(graph.shapes[n]))))),
    )


def scalars(values: Mapping[str, np.ndarray]) -> dict[str, np.ndarray]:
    """The values an answer may name: the scalars (a vector has no name in an expression)."""
    return {n: v for n, v in values.items() if v.ndim == 1}


def element_labels(graph: Graph, written: list[str], names: list[str]) -> list[str]:
    """A label per element of the asked values: `x`, or `h[1]`, `h[2]`, `W[1,2]`, ..."""
    out = []
    for shown, name in zip(written, names):
        shape = graph.shapes[name]
        if not shape:
            out.append(shown)
        else:
            out += [f"{shown}[{','.join(str(i + 1) for i in index)}]"
                    for index in np.ndindex(*shape)]
    return out


def barred_names(graph: Graph, symbol: str, shown: str) -> dict[str, str]:
    """What an answer for `symbol` may not name, with why: the value itself, what is computed
    from it, and any node it is not computed from (a twin of it would give it away)."""
    name = f"`{shown}`"
    why = {symbol: "is the value being asked"}
    for later in graph.descendants(symbol):
        why.setdefault(later, f"depends on {name}, the value being asked")
    allowed = graph.ancestors(symbol) | set(graph.inputs)
    for other in graph.node_names:
        if other not in allowed:
            why.setdefault(other, f"is not a value that {name} is computed from")
    return why


# --- gradient ------------------------------------------------------------------------------------

def solve_graph_gradient(part: GradientPart, ctx: Context) -> NumericTruth:
    """∂of/∂wrt (or a gate's local gradient) at the given inputs and re-draws, with the known
    mistakes."""
    assert part.graph is not None
    graph = ctx.graph(part.graph)
    if part.loss is not None or part.of == "loss":
        raise ProblemError(
            f"part `{part.id}`: a graph's loss is one of its nodes",
            expected="a node such as `L: (f - 1)^2`, and `of: L`",
        )
    (of,) = resolve(graph, [part.of or graph.output], "of", ctx.aliases, nodes_only=True)
    if graph.shapes[of]:
        raise ProblemError(
            f"part `{part.id}`: `{of}` is not a scalar, so it has no gradient",
            expected="a scalar node: a `dot`, a `sum`, a `mean`, or an expression of scalars",
        )
    written = part.wrt if isinstance(part.wrt, list) else [part.wrt]
    if not written:
        raise ProblemError("`wrt` is an empty list", expected="one name or a list of names")
    wrt = resolve(graph, written, "wrt", ctx.aliases)
    vector = isinstance(part.wrt, list) or bool(graph.shapes[wrt[0]])
    labels = element_labels(graph, written, wrt) if vector else None
    if part.local:
        reads = graph.reads(of)
        for w, shown in zip(wrt, written):
            if w not in reads:
                raise ProblemError(
                    f"part `{part.id}`: `{shown}` is not read by `{of}`, so `{of}` has no local "
                    f"gradient with respect to it",
                    expected=f"one of what `{of}` reads: {listing(reads)}",
                )
    formula = part.form == "formula"
    given = given_point(graph, part.input, ctx)
    values = graph.forward(given)
    graph.check_finite(values, "the given inputs")
    truth = gradients(graph, values, of, wrt, part.local)
    if not np.all(np.isfinite(truth)):
        bad = wrt[int(np.flatnonzero(~np.isfinite(truth[0]))[0])]
        raise ProblemError(f"part `{part.id}`: ∂{of}/∂{bad} is not a number at the given inputs "
                           "(a gate is not differentiable there)")
    confirm = key_factory = None
    if formula:
        values, truth = _with_draws(graph, values, truth, of, wrt, part.local,
                                    ctx.rng("graph"), DRAWS)

        def redraw(rng: np.random.Generator) -> tuple[dict[str, np.ndarray], np.ndarray]:
            """The gradient afresh at a second round of points."""
            at = graph.forward(graph.at_given())
            got = gradients(graph, at, of, wrt, part.local)
            at, got = _with_draws(graph, at, got, of, wrt, part.local, rng,
                                  identity.SECOND_ROUND)
            return scalars(at), got if vector else got[:, 0]

        confirm = identity.redraw_check(
            redraw, graph.inputs, ctx.aliases, ctx.tolerance,
            lambda claim: ctx.claim_rng(claim, "gradient"),
            labels=labels)
        key_factory = functools.cache(
            lambda: graph_text.key_formula(graph, of, wrt, part.local, vector))
    known = _known(graph, values, of, wrt, part.local, truth, ctx)
    return NumericTruth(
        expected=to_json_value(truth[0] if vector else truth[0, 0]),
        values=truth if vector else truth[:, 0],
        env=scalars(values),
        vector=vector,
        tolerance=ctx.tolerance,
        known=tuple(Known(name, v if vector else v[:, 0]) for name, v in known),
        aliases=ctx.aliases,
        key_value=part.solution,
        key_factory=key_factory,
        labels=labels,
        point_names=graph.inputs,
        given_first=formula,
        confirm=confirm,
    )


def gradients(graph: Graph, values: Mapping[str, np.ndarray], of: str, wrt: list[str],
              local: bool, slip: Slip = NO_SLIP) -> np.ndarray:
    """∂of/∂w for each w of `wrt` (last axis) at every point: along every path, or `local`."""
    if local:
        grads = engine.local(graph, values, of, slip)
    else:
        grads = engine.backward(graph, values, {of: np.ones(values[of].shape)}, slip)
    k = values[of].shape[-1]
    rows = [np.broadcast_to(grads[w], values[w].shape).reshape(-1, k) for w in wrt]
    return np.concatenate(rows, axis=0).T


def _with_draws(graph: Graph, values: dict[str, np.ndarray], truth: np.ndarray, of: str,
                wrt: list[str], local: bool, rng: np.random.Generator, count: int
                ) -> tuple[dict[str, np.ndarray], np.ndarray]:
    """The given point followed by `count` draws of the inputs where every node and the
    gradient are numbers (a draw where a gate is undefined, log of a negative, is dropped)."""
    tries = count * TRIES
    drawn = {x: rng.uniform(*DRAW_RANGE, size=(*graph.shapes[x], tries)) for x in graph.inputs}
    at = graph.forward(drawn)
    got = gradients(graph, at, of, wrt, local)
    ok = np.isfinite(got).all(axis=1)
    for n in graph.symbols():
        ok &= np.isfinite(at[n]).reshape(-1, tries).all(axis=0)
    keep = np.flatnonzero(ok)[:count]
    if len(keep) < count:
        raise ProblemError(
            f"`form: formula` draws the inputs of graph `{graph.name}` in [-2, 2], and the "
            "graph or its gradient is not a number at most such points",
            expected="nodes defined for inputs in [-2, 2], or `form: value`",
        )
    env = {n: np.concatenate([values[n], at[n][..., keep]], axis=-1) for n in graph.symbols()}
    return env, np.concatenate([truth, got[keep]])


# --- known mistakes ------------------------------------------------------------------------------

def _known(graph: Graph, values: Mapping[str, np.ndarray], of: str, wrt: list[str],
           local: bool, truth: np.ndarray, ctx: Context) -> list[tuple[str, np.ndarray]]:
    """The answers of the known mistakes (catalogue order) that differ from the truth at the
    given point; a mistake that gives the same answer as an earlier one is named once."""
    def rerun(slip: Slip) -> np.ndarray:
        return gradients(graph, values, of, wrt, local, slip)

    candidates: list[tuple[str, np.ndarray]] = []
    if local:
        full = gradients(graph, values, graph.output, wrt, False)
        more = ", ..." if len(wrt) > 1 else ""
        candidates.append((f"the full chain given instead of the local gradient "
                           f"(∂{graph.output}/∂{wrt[0]} for ∂{of}/∂{wrt[0]}{more})", full))
    else:
        candidates += _chain_cut(graph, values, of, wrt, truth)
        candidates.append((f"the upstream gradient left out (the local derivative of the "
                           f"outer gate of `{of}` taken as 1)", rerun(Slip(skip_outer=True))))
    gates = engine.gates(graph)
    if "-" in gates:
        candidates.append(("a sign dropped at a subtraction (∂(a - b)/∂b is -1)",
                           rerun(Slip(subtract_sign=True))))
    if gates & {"max", "min"}:
        candidates.append(("the max (or min) gate's gradient sent to every input, not only "
                           "to the one that wins", rerun(Slip(max_both=True))))
    if "sigmoid" in gates:
        candidates.append(("σ'(x) written as σ(x), not σ(x)(1 - σ(x))",
                           rerun(Slip(sigmoid_as_s=True))))
    candidates.append(("the sign flipped", -truth))
    source = graph.node(of)
    if isinstance(source, VectorGate) and source.loss is not None and not local:
        # `of` is a loss node: its conventions done wrong scale every gradient below it
        spec = source.loss
        outputs = max(1, int(np.prod(graph.shapes[spec.y_pred])))
        candidates += gradient_mistakes(LOSSES[spec.fn], spec.reduction, spec.log, outputs,
                                        truth)
    out: list[tuple[str, np.ndarray]] = []
    tol = ctx.tolerance
    for name, got in candidates:
        if not np.all(np.isfinite(got)) or tol.close(truth[0], got[0]).all():
            continue
        if any(np.array_equal(got, seen) for _, seen in out):
            continue
        out.append((name, got))
    return out


def _chain_cut(graph: Graph, values: Mapping[str, np.ndarray], of: str, wrt: list[str],
               truth: np.ndarray) -> list[tuple[str, np.ndarray]]:
    """The local gradient of the gate that reads each asked name, given for the whole chain
    (only where one node reads it, and that node is not `of` itself)."""
    got = truth.copy()
    shown: list[str] = []
    if any(graph.shapes[w] for w in wrt):
        return []  # element by element, the catalogue would grow with the vector
    for j, w in enumerate(wrt):
        readers = graph.readers(w)
        if len(readers) != 1 or readers[0] == of or w == of:
            continue
        gate = readers[0]
        got[:, j] = engine.local(graph, values, gate)[w]
        shown.append(f"∂{gate}/∂{w} for ∂{of}/∂{w}")
    if not shown:
        return []
    more = ", ..." if len(shown) > 1 else ""
    return [(f"the local gradient given instead of the full chain ({shown[0]}{more})", got)]


# --- names and points ----------------------------------------------------------------------------

def resolve(graph: Graph, names: list[str], key: str, aliases: Mapping[str, str],
            nodes_only: bool = False) -> list[str]:
    """The asked names as the graph names them (a name may be one of the `aliases`)."""
    known = graph.node_names if nodes_only else graph.symbols()
    out = []
    for name in names:
        symbol = aliases.get(name, name)
        if symbol not in known:
            raise ProblemError(
                f"`{key}: {name}` is not {'a node' if nodes_only else 'an input or a node'} of "
                f"graph `{graph.name}`",
                expected=f"one of {listing(known)}",
                hint=did_you_mean(name, [*known, *aliases]),
            )
        out.append(symbol)
    return out


def given_point(graph: Graph, given: Mapping[str, Any] | None, ctx: Context
                ) -> dict[str, np.ndarray]:
    """The graph's given input values, any of them replaced by the part's `input:`."""
    point = graph.at_given()
    for name, value in ctx.point(given or {}).items():
        if name not in graph.inputs:
            raise ProblemError(
                f"`input` names `{name}`, which is not an input of graph `{graph.name}`",
                expected=f"its inputs: {listing(graph.inputs)}",
                hint=did_you_mean(name, graph.inputs),
            )
        if graph.shapes[name]:
            raise ProblemError(f"`input` sets `{name}`, which is a vector: its values are "
                               f"given in graph `{graph.name}`")
        point[name] = np.array([value])
    return point
