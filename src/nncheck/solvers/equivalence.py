"""Network equivalence: does the student's filled template compute the reference's output?

The reference may have free parameters; the student's weights may be expressions over the
reference's parameter symbols. Both are evaluated at seeded random draws of the reference's
free parameters and of the inputs; for linear networks each draw also collapses both to one
affine map, which is compared exactly, so an identity is confirmed on the whole input space.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from nncheck.checking import CustomTruth, Status, Verdict, format_number
from nncheck.context import Context
from nncheck.errors import AnswerError, ExprError, ProblemError
from nncheck.network import Network, fill
from nncheck.spec.parts import EquivalentPart

DRAWS = 64  # random points (parameters and inputs drawn together)
SPREAD = 2.0  # draws are uniform in [-SPREAD, SPREAD]


def solve_equivalent(part: EquivalentPart, ctx: Context) -> CustomTruth:
    """The reference output at random draws; a filled template must match it at every one."""
    ref = ctx.network(part.network)
    output = part.output or _sole_output(ref, part.id)
    if output not in ref.outputs:
        raise ProblemError(
            f"part `{part.id}`: `{output}` is not an output of `{part.network}`",
            expected=f"one of {', '.join(ref.outputs)}",
        )
    template = ctx.template(part.template)
    if list(template.inputs) != list(ref.inputs):
        raise ProblemError(
            f"part `{part.id}`: the template's inputs differ from the reference's",
            expected=", ".join(ref.inputs),
        )
    rng = ctx.rng("equivalent")
    point = {name: rng.uniform(-SPREAD, SPREAD, DRAWS) for name in ref.inputs}
    point.update({s: rng.uniform(-SPREAD, SPREAD, DRAWS) for s in ref.free_parameters()})
    ref_env = ref.forward(point)
    want = np.broadcast_to(ref_env[output], (DRAWS,))
    scope = list(ref.parameters())
    linear = ref.activations() <= {"linear"}
    tol = ctx.tolerance

    def grade(claimed: Any) -> Verdict:
        try:
            mine = fill(template, claimed, name="answer", scope=scope)
            if len(mine.outputs) != 1:
                raise AnswerError("the template must have one output unit")
            got_env = mine.forward({**{n: point[n] for n in ref.inputs}, **mine.bind(ref_env)})
        except (AnswerError, ExprError) as exc:
            return Verdict(Status.INVALID, 0.0, str(exc))
        got = np.broadcast_to(got_env[mine.outputs[0]], (DRAWS,))
        close = tol.close(want, got)
        if not close.all():
            i = int(np.argmin(close))
            return Verdict(Status.WRONG, 0.0, _differs(i, point, ref, want, got))
        if linear and mine.activations() <= {"linear"}:
            gap = _affine_gap(ref, output, mine, point, tol)
            if gap:
                return Verdict(Status.WRONG, 0.0, gap)
        return Verdict(Status.CORRECT, 1.0)

    key = part.solution
    if key is None and linear:
        key = _collapsed_key(ref, output, template, point)
    return CustomTruth(expected=part.solution or _describe(ref, output), grader=grade,
                       key_value=key)


def _sole_output(ref: Network, part_id: str) -> str:
    if len(ref.outputs) != 1:
        raise ProblemError(
            f"part `{part_id}`: the reference has several outputs",
            expected=f"`output:` one of {', '.join(ref.outputs)}",
        )
    return ref.outputs[0]


def _differs(i: int, point: dict[str, np.ndarray], ref: Network, want: np.ndarray,
             got: np.ndarray) -> str:
    names = list(ref.inputs) + ref.free_parameters()
    at = ", ".join(f"{n} = {format_number(point[n][i], 4)}" for n in names[:8])
    return f"at {at}: the reference gives {format_number(want[i])}, yours " \
        f"{format_number(got[i])}"


def _affine(net: Network, output: str, inputs: tuple[str, ...], params: dict[str, Any],
            draw: int) -> np.ndarray:
    """The affine map of a linear network at one draw: [bias, weight of each input]."""
    base = {k: np.asarray(v)[draw] if np.ndim(v) else v for k, v in params.items()}
    zero = {n: 0.0 for n in inputs}
    c = float(net.forward({**base, **zero})[output])
    out = [c]
    for n in inputs:
        out.append(float(net.forward({**base, **zero, n: 1.0})[output]) - c)
    return np.array(out)


def _affine_gap(ref: Network, output: str, mine: Network, point: dict[str, np.ndarray],
                tol: Any) -> str | None:
    ref_params = {s: point[s] for s in ref.free_parameters()}
    ref_env = ref.forward(point)
    bound = mine.bind(ref_env)
    for draw in range(min(DRAWS, 4)):
        a = _affine(ref, output, ref.inputs, ref_params, draw)
        b = _affine(mine, mine.outputs[0], mine.inputs, bound, draw)
        bad = np.flatnonzero(~tol.close(a, b))
        if len(bad):
            j = int(bad[0])
            what = "the bias" if j == 0 else f"the weight of `{ref.inputs[j - 1]}`"
            return f"collapsed to one affine map, {what} is {format_number(b[j])}, " \
                f"not {format_number(a[j])}"
    return None


def _collapsed_key(ref: Network, output: str, template: Any, point: dict[str, np.ndarray]
                   ) -> Any:
    """For a concrete linear reference and a one-layer template: the collapsed weights."""
    if ref.free_parameters() or len(template.layers) != 1:
        return None
    units = template.layers[0].units
    names = list(units) if isinstance(units, (list, dict)) else []
    if len(names) != 1:
        return None
    a = _affine(ref, output, ref.inputs, {}, 0)
    return {names[0]: {"w": [round(float(x), 12) for x in a[1:]], "b": round(float(a[0]), 12)}}


def _describe(ref: Network, output: str) -> str:
    """The reference's output as a formula, as far as it is short enough to read."""
    text = _formula(ref, output, depth=0)
    return text if len(text) <= 200 else f"`{output}` of network `{ref.name}`"


def _formula(net: Network, name: str, depth: int) -> str:
    if name in net.inputs or depth > 6:
        return name
    for layer in net.layers:
        for u in layer.units:
            if u.name != name:
                continue
            if layer.softmax:
                zs = [_z(net, layer, v, depth) for v in layer.units]
                mine = zs[[v.name for v in layer.units].index(name)]
                return f"exp({mine}) / ({' + '.join(f'exp({z})' for z in zs)})"
            z = _z(net, layer, u, depth)
            return z if u.activation == "linear" else f"{u.activation}({z})"
    return name


def _z(net: Network, layer: Any, unit: Any, depth: int) -> str:
    terms = []
    for src, w in zip(layer.sources, unit.weights):
        w_text = f"w_{unit.name}_{src}" if w is None else format_number(float(w)) \
            if isinstance(w, float) else str(w)
        terms.append(f"{w_text}*{_formula(net, src, depth + 1)}")
    b = unit.bias
    terms.append(f"b_{unit.name}" if b is None else
                 format_number(float(b)) if isinstance(b, float) else str(b))
    return " + ".join(terms)
