"""Layer models (FORMAT §4.3): the `param_count` and `output_shape` asks, and the catalogue of
known mistakes, each a count or shape under one changed convention (`engine/layers.py`).

A size may be a symbol (`input: [n]`); a symbol a model does not declare is an integer in
1..1000. The truth is then known at 8 points (the domain's ends and 6 random values, seeded
by the course secret, the problem and the part: `seeding.py`), and the count is shown as the
polynomial that interpolates it exactly (`engine/polyfit.py`); a claim that passes the points
must also be that polynomial (`identity.py`). Counts are compared as exact integers
(`NumericTruth.integers`); numpy appears only where a truth holds its values at k points.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import replace
from typing import Any

import numpy as np

from nncheck.compare import identity
from nncheck.compare.numeric import Known, NumericTruth
from nncheck.engine.layers import TRUTH, Convention, count_params, infer_layers
from nncheck.engine.polyfit import fit_each, sample_points
from nncheck.errors import ProblemError
from nncheck.solvers.context import Context
from nncheck.solvers.perturbed import Candidate, Resize, Resized, ranker
from nncheck.spec.layers import VOCABULARY
from nncheck.spec.model import ModelSpec
from nncheck.spec.parts import OutputShapePart, ParamCountPart
from nncheck.words import did_you_mean

_LARGEST = 2.0**1000  # a count beyond this cannot be compared as a float


# --- known mistakes ----------------------------------------------------------------------------

_CONVOLUTIONS = frozenset(t for t in VOCABULARY if "conv" in t)
_POOLS = frozenset(t for t in VOCABULARY if "pool" in t)
_RECURRENT = frozenset({"simple_rnn", "lstm", "gru"})
_ANY = frozenset(VOCABULARY)


def _count_mistakes(model: ModelSpec, count: str) -> list[tuple[str, Convention, str, int]]:
    """The named mistakes of a count, in catalogue order: (name, convention, count asked, how
    many kinds of layer it can be made on).

    A mistake that touches no layer of the model is left out before anything is counted.
    """
    keras = model.framework == "keras"
    frozen = any(not layer.trainable for layer in model.expanded)
    catalogue: list[tuple[str, Convention, str, frozenset[str]]] = [
        ("biases forgotten", Convention(biases=False), count, _ANY),
        ("one bias per input instead of one per unit", Convention(bias_per_input=True), count,
         _ANY),
        ("input channels forgotten in a convolution", Convention(input_channels=False), count,
         _CONVOLUTIONS),
        ("two bias vectors per recurrent layer (PyTorch's b_ih and b_hh)" if keras
         else "one bias vector per recurrent layer (Keras' convention)",
         Convention(recurrent_biases="pytorch" if keras else "keras"), count, _RECURRENT),
        ("GRU with one bias vector (Keras' reset_after=false)",
         Convention(gru_single_bias=True), count, frozenset({"gru"})),
        ("batch-norm moving statistics left out (PyTorch keeps them as buffers)" if keras
         else "batch-norm running statistics counted as parameters (Keras' convention)",
         Convention(bn_statistics="pytorch" if keras else "keras"), count,
         frozenset({"batch_norm"})),
        ("pooling given parameters", Convention(pooling_params=True), count, _POOLS),
        ("recurrent (hidden-to-hidden) weights forgotten",
         Convention(recurrent_weights=False), count, _RECURRENT),
        ("bidirectional layer counted in one direction only",
         Convention(bidirectional_twice=False), count, frozenset({"bidirectional"})),
        ("`same` and `valid` padding confused", Convention(swap_padding=True), count,
         _CONVOLUTIONS | _POOLS),
    ]
    catalogue += [(name, conv, count, types) for name, conv, types in _SIZE_MISTAKES]
    if count == "trainable" and keras:
        catalogue.append(("batch-norm moving statistics counted as trainable",
                          Convention(bn_statistics_trainable=True), count,
                          frozenset({"batch_norm"})))
    if count != "total" and frozen:
        catalogue.append(("frozen layers ignored", Convention(frozen=False), count, _ANY))
    if count == "trainable":
        catalogue.append(("every parameter counted, not only the trainable ones", TRUTH,
                          "total", _ANY))
    present = _types_in(model)
    return [(name, conv, asked, len(types)) for name, conv, asked, types in catalogue
            if types & present]


def _types_in(model: ModelSpec) -> frozenset[str]:
    """The layer types of a model, with the layers that `bidirectional` wraps."""
    found = set()
    for layer in model.expanded:
        found.add(layer.type)
        if layer.type == "bidirectional":
            found.add(layer.args["layer"].type)
    return frozenset(found)


_SIZE_MISTAKES = [  # shapes gone wrong; the counts of the layers after them go wrong too
    ("output-size +1 forgotten (floor((n + 2p − k) / s), not + 1)", Convention(plus_one=False),
     _CONVOLUTIONS | _POOLS),
    ("padding counted on one side only (n + p, not n + 2p)", Convention(pad_sides=1),
     _CONVOLUTIONS | _POOLS),
    ("input depth kept as the output depth (the filters set it)", Convention(keep_depth=True),
     _CONVOLUTIONS),
    ("channels divided by the pooling stride along with the size",
     Convention(halve_channels=True), _POOLS),
]
_SHAPE_MISTAKES = [
    ("`same` and `valid` padding confused", Convention(swap_padding=True),
     len(_CONVOLUTIONS | _POOLS)),
    *((name, conv, len(types)) for name, conv, types in _SIZE_MISTAKES),
]
_LAYOUT_MISTAKE = "channels first and channels last swapped"


# --- solvers -----------------------------------------------------------------------------------

def solve_param_count(part: ParamCountPart, ctx: Context) -> NumericTruth:
    """The parameter count of a model (or of one layer), exact, with known mistakes."""
    model = ctx.model(part.model)
    index = layer_index(model, part.layer, part.model)

    def measure(convention: Convention, count: str) -> Resized:
        def at(sizes: Mapping[str, int], resize: Resize | None = None) -> tuple[int, ...]:
            records = infer_layers(model, sizes, convention, part.model, resize)
            return (count_params(records, count, index),)
        return at

    mistakes = [Candidate(name, measure(conv, count), reach)
                for name, conv, count, reach in _count_mistakes(model, part.count)]
    return build_truth(model, ctx, part.model, measure(TRUTH, part.count), mistakes,
                        vector=False)


def solve_output_shape(part: OutputShapePart, ctx: Context) -> NumericTruth:
    """The output shape of a model (or of one layer), batch axis excluded, exact."""
    model = ctx.model(part.model)
    index = layer_index(model, part.layer, part.model)
    last = len(model.expanded) - 1 if index is None else index

    def measure(convention: Convention) -> Resized:
        def at(sizes: Mapping[str, int], resize: Resize | None = None) -> tuple[int, ...]:
            return infer_layers(model, sizes, convention, part.model, resize)[last].output_shape
        return at

    truth = measure(TRUTH)
    mistakes = [Candidate(name, measure(conv), reach) for name, conv, reach in _SHAPE_MISTAKES]

    def rotated(sizes: Mapping[str, int], resize: Resize | None = None) -> tuple[int, ...]:
        shape = truth(sizes, resize)
        if len(shape) < 2:
            raise ProblemError("no channel axis to move")
        return (shape[-1], *shape[:-1]) if model.channels_last else (*shape[1:], shape[0])

    mistakes.append(Candidate(_LAYOUT_MISTAKE, rotated, len(_ANY)))
    built = build_truth(model, ctx, part.model, truth, mistakes, vector=True)
    if not part.batch_axis:
        return replace(built, batch_axis=False)
    batched = [None, *built.expected]  # as Keras prints it: (None, 29, 29, 32)
    return replace(built, batch_axis=True, expected=batched, key_value=batched)


def layer_index(model: ModelSpec, layer: int | str | None, ref: str = "model") -> int | None:
    """The 0-based index `layer:` names (an index, negative from the end, or a name)."""
    if layer is None:
        return None
    layers = model.expanded
    if isinstance(layer, str) and layer.strip().lstrip("-").isdigit():
        layer = int(layer)
    if isinstance(layer, int):
        if -len(layers) <= layer < len(layers):
            return layer % len(layers)
        raise ProblemError(f"`layer: {layer}` is past the end of model `{ref}`",
                           expected=f"an index in 0..{len(layers) - 1} (after `repeat` is "
                           "expanded) or a layer's name")
    for pick in (lambda x: x.name, lambda x: x.auto_name):
        found = [x.index for x in layers if pick(x) == layer]
        if found:
            return found[0]
    names = [x.name for x in layers if x.name] + [x.auto_name for x in layers]
    raise ProblemError(f"model `{ref}` has no layer named `{layer}`",
                       expected="a layer's `name` or its 0-based index",
                       hint=did_you_mean(layer, names))


def build_truth(
    model: ModelSpec,
    ctx: Context,
    ref: str,
    truth: Resized,
    mistakes: Sequence[Candidate],
    *,
    vector: bool,
) -> NumericTruth:
    """The truth of a count or shape of a model, at its symbols' sample points, with the
    mistakes that give another answer there."""
    names = model.symbol_names
    domains = [model.domain(n) for n in names]
    points = sample_points(names, domains, ctx.rng(f"symbols of {ref}")) if names else [{}]
    values = [_at_point(truth, point, model) for point in points]
    known = []
    for mistake in mistakes:
        try:
            got = [mistake.measure(point) for point in points]
            if got != values and all(len(g) == len(values[0]) for g in got):
                known.append(Known(mistake.name, _floats(got, vector)))
        except ProblemError:
            continue  # the mistake cannot even be made on this model
    confirm = None
    expected: Any
    if names:
        expected, polys = fit_each(lambda point: _at_point(truth, point, model), names,
                                   domains, points, values, ref)
        confirm = identity.polynomial_check(
            polys, names, domains, ctx.aliases,
            lambda claim: ctx.claim_rng(claim, f"symbols of {ref}"))
    else:
        expected = list(values[0])
    if not vector:
        expected = expected[0]
    env = {n: np.array([float(p[n]) for p in points]) for n in names}
    return NumericTruth(
        integers=tuple(tuple(int(v) for v in row) for row in values),
        confirm=confirm,
        expected=expected,
        values=_floats(values, vector),
        env=env,
        vector=vector,
        exact=True,
        known=tuple(known),
        aliases=ctx.aliases,
        point_names=tuple(names),
        key_value=expected,
        rank=ranker(truth, mistakes, concrete=not names),
    )


def _at_point(fn: Resized, point: Mapping[str, int],
              model: ModelSpec) -> tuple[int, ...]:
    try:
        return fn(point)
    except ProblemError as exc:
        if not point:
            raise
        where = ", ".join(f"{n} = {v}" for n, v in point.items())
        ranges = ", ".join(f"{n}: {{integer: [{model.domain(n)[0]}, {model.domain(n)[1]}]}}"
                           for n in point)
        raise ProblemError(f"at {where}: {exc.message}", expected=exc.expected,
                           hint=f"sizes are drawn from `symbols: {{{ranges}}}`; declare the "
                           "range where the model is defined") from None


def _floats(values: Sequence[tuple[int, ...]], vector: bool) -> np.ndarray:
    if any(abs(v) > _LARGEST for row in values for v in row):
        raise ProblemError("a count or size is too large to compare (more than 2^1000)")
    arr = np.array([[float(v) for v in row] for row in values])
    return arr if vector else arr[:, 0]
