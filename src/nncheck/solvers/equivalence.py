"""Network equivalence: does the student's filled template compute the reference's output?

The reference may have free parameters; the student's weights may be expressions over the
reference's parameter symbols. Both are evaluated at seeded random draws of the reference's
free parameters and of the inputs; for linear networks each draw also collapses both to one
affine map, which is compared exactly, so an identity is confirmed on the whole input space.
A filled template that matches at every draw is checked again at a second round of draws seeded
by the claim itself, so weights fitted to the first round's draws cannot pass.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from nncheck.compare.numbers import format_number
from nncheck.compare.truths import CustomTruth
from nncheck.compare.verdict import Status, Verdict
from nncheck.engine.design import fill
from nncheck.engine.network import Network
from nncheck.errors import AnswerError, DesignError, ExprError, ProblemError
from nncheck.solvers.context import Context
from nncheck.spec.parts import EquivalentPart

DRAWS = 64  # random points (parameters and inputs drawn together)
SPREAD = 2.0  # draws are uniform in [-SPREAD, SPREAD]


def solve_equivalent(part: EquivalentPart, ctx: Context) -> CustomTruth:
    """The reference outputs at random draws; a filled template must match them at every one.

    With `output:` one reference output is compared with the template's single output; without
    it, every reference output is compared with the template's output of the same name.
    """
    ref = ctx.network(part.network)
    template = ctx.template(part.template)
    outputs = _pairs(part, ref, template)
    if list(template.inputs) != list(ref.inputs):
        raise ProblemError(
            f"part `{part.id}`: the template's inputs differ from the reference's",
            expected=", ".join(ref.inputs),
        )
    point = _draw(ref, ctx.rng("equivalent"))
    ref_env = ref.forward(point)
    scope = list(ref.parameters())
    linear = ref.activations() <= {"linear"}
    tol = ctx.tolerance

    def grade(claimed: Any) -> Verdict:
        try:
            mine = fill(template, claimed, name="answer", scope=scope, aliases=ctx.aliases)
            miss = _miss(ref, mine, outputs, point, ref_env, linear, tol)
        except DesignError as exc:
            return Verdict(Status.WRONG, 0.0, str(exc))
        except (AnswerError, ExprError, ProblemError) as exc:
            return Verdict(Status.INVALID, 0.0, str(exc))
        if miss:
            return Verdict(Status.WRONG, 0.0, miss)
        # A second round of inputs and parameters, drawn for this claim: weights fitted to
        # the first round's draws (a lookup of the parameters' values) fail here.
        again = _draw(ref, ctx.claim_rng(claimed, "equivalent"))
        try:
            miss = _miss(ref, mine, outputs, again, ref.forward(again), linear, tol)
        except (AnswerError, ExprError, ProblemError) as exc:
            miss = f"at further points, {exc}"
        if miss:
            return Verdict(Status.WRONG, 0.0, f"right at the sample points only: {miss}")
        return Verdict(Status.CORRECT, 1.0)

    key = part.solution
    if key is None and linear:
        key = _collapsed_key(ref, outputs, template)
    expected = part.solution or "; ".join(
        f"{ours} = {_describe(ref, theirs)}" for theirs, ours in outputs
    )
    return CustomTruth(expected=expected, grader=grade, key_value=key, env=point)


def _draw(ref: Network, rng: np.random.Generator) -> dict[str, np.ndarray]:
    """Inputs and free parameters of the reference, drawn together."""
    point = {name: rng.uniform(-SPREAD, SPREAD, DRAWS) for name in ref.inputs}
    point.update({s: rng.uniform(-SPREAD, SPREAD, DRAWS) for s in ref.free_parameters()})
    return point


def _miss(ref: Network, mine: Network, outputs: list[tuple[str, str]],
          point: dict[str, np.ndarray], ref_env: dict[str, np.ndarray], linear: bool,
          tol: Any) -> str | None:
    """Where a filled template differs from the reference at these draws, or None."""
    got_env = mine.forward({**{n: point[n] for n in ref.inputs}, **mine.bind(ref_env)})
    for theirs, ours in outputs:
        want = np.broadcast_to(ref_env[theirs], (DRAWS,))
        got = np.broadcast_to(got_env[ours], (DRAWS,))
        close = tol.close(want, got)
        if not close.all():
            i = int(np.argmin(close))
            return _differs(i, point, ref, theirs, ours, want, got)
    if linear and mine.activations() <= {"linear"}:
        for theirs, ours in outputs:
            gap = _affine_gap(ref, theirs, mine, ours, point, tol)
            if gap:
                return gap
    return None


def _pairs(part: EquivalentPart, ref: Network, template: Any) -> list[tuple[str, str]]:
    """(reference output, template output) pairs to compare."""
    last = list(template.layers[-1].units)
    if part.output is not None:
        if part.output not in ref.outputs:
            raise ProblemError(
                f"part `{part.id}`: `{part.output}` is not an output of `{part.network}`",
                expected=f"one of {', '.join(ref.outputs)}",
            )
        if len(last) != 1:
            raise ProblemError(f"part `{part.id}`: with `output:`, the template has one output")
        return [(part.output, last[0])]
    if len(ref.outputs) == 1 and len(last) == 1:
        return [(ref.outputs[0], last[0])]
    if sorted(ref.outputs) != sorted(last):
        raise ProblemError(
            f"part `{part.id}`: the template's outputs are not the reference's",
            expected=f"output units named {', '.join(ref.outputs)}, or `output:` to pick one",
        )
    return [(name, name) for name in ref.outputs]


def _differs(i: int, point: dict[str, np.ndarray], ref: Network, theirs: str, ours: str,
             want: np.ndarray, got: np.ndarray) -> str:
    names = list(ref.inputs) + ref.free_parameters()
    at = ", ".join(f"{n} = {format_number(point[n][i], 4)}" for n in names[:8])
    return f"at {at}: the reference's {theirs} is {format_number(want[i])}, your {ours} " \
        f"is {format_number(got[i])}"


def _affine(net: Network, output: str, params: dict[str, Any], draw: int) -> np.ndarray:
    """The affine map of a linear network at one draw: [bias, weight of each input]."""
    base = {k: np.asarray(v)[draw] if np.ndim(v) else v for k, v in params.items()}
    zero = dict.fromkeys(net.inputs, 0.0)
    c = float(net.forward({**base, **zero})[output])
    out = [c]
    for n in net.inputs:
        out.append(float(net.forward({**base, **zero, n: 1.0})[output]) - c)
    return np.array(out)


def _affine_gap(ref: Network, theirs: str, mine: Network, ours: str,
                point: dict[str, np.ndarray], tol: Any) -> str | None:
    """Collapse both to one affine map per draw and say the first coefficient that differs."""
    ref_params = {s: point[s] for s in ref.free_parameters()}
    bound = mine.bind(ref.forward(point))
    for draw in range(min(DRAWS, 4)):
        a = _affine(ref, theirs, ref_params, draw)
        b = _affine(mine, ours, bound, draw)
        bad = np.flatnonzero(~tol.close(a, b))
        if len(bad):
            j = int(bad[0])
            what = "bias" if j == 0 else f"weight of `{ref.inputs[j - 1]}`"
            return f"collapsed to one affine map, {ours}'s {what} is {format_number(b[j])}, " \
                f"not {format_number(a[j])}"
    return None


def _collapsed_key(ref: Network, outputs: list[tuple[str, str]], template: Any) -> Any:
    """For a concrete linear reference and a one-layer template: the collapsed weights."""
    if ref.free_parameters() or len(template.layers) != 1:
        return None
    key = {}
    for theirs, ours in outputs:
        a = _affine(ref, theirs, {}, 0)
        key[ours] = {"w": [round(float(x), 12) for x in a[1:]], "b": round(float(a[0]), 12)}
    return key


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
    """A unit's pre-activation as a person writes it: `2*x1 - x2 + 0.5`, zero terms left out."""
    terms = []
    for src, w in zip(unit.sources, unit.weights):
        inner = _formula(net, src, depth + 1)
        inner = f"({inner})" if " " in inner else inner
        if w is None:
            terms.append(f"w_{unit.name}_{src}*{inner}")
        elif isinstance(w, float):
            if w != 0:
                terms.append(inner if w == 1 else f"-{inner}" if w == -1
                             else f"{format_number(w)}*{inner}")
        else:
            terms.append(f"({w})*{inner}")
    b = unit.bias
    if b is None:
        terms.append(f"b_{unit.name}")
    elif not isinstance(b, float):
        terms.append(f"({b})")
    elif b != 0 or not terms:
        terms.append(format_number(b))
    return " + ".join(terms).replace("+ -", "- ")
