"""The `rnn` solver: forward pass and backpropagation through time (BPTT) of a simple RNN.

Model, for t = 1..T::

    h_t = f(W_h h_{t-1} + W_x x_t + b_h)       f ∈ identity | tanh | sigmoid | relu
    ŷ_t = g(W_y h_t + b_y)                      g ∈ identity | sigmoid | softmax
    L_t = loss(ŷ_t, y_t),  L = Σ_t L_t          squared Σ(ŷ−y)² | half_squared ½Σ(ŷ−y)² | cross_entropy −Σ y log ŷ

Shapes: h is n, x_t is m, ŷ_t is k; W_h n×n, W_x n×m, W_y k×n. A thing given as a scalar
yields scalar results (a scalar W_h gives a scalar dL/dW_h); otherwise results are arrays
of the natural shape. Any numeric parameter may be a symbol name: the problem then runs on
sympy objects and every result is a sympy expression (or ImmutableMatrix), expanded when
polynomial (see `backend.tidy`).

Gradients are in numerator layout: dL/dh_k is a row of length n, dL/dW has W's shape.
Names: `dL{t}/dh{k}` is ∂L_t/∂h_k through the chain, `dL/dh{k}` the total derivative of L
(the δ recursion), `dL{t}/dθ` the part of dL/dθ that comes from L_t.

`given={name: value}` replaces a quantity by a value (a student's earlier answer) and
everything computed from it is recomputed; local derivatives are evaluated at their
(possibly replaced) inputs. See `solve` for the exact rules.
"""

from __future__ import annotations

import dataclasses
import functools
import math
from collections.abc import Callable, Mapping

import numpy as np

from solvers import names, values
from solvers import readout
from solvers.backend import ACTIVATIONS, NUMERIC, SCALAR, SYMBOLIC
from solvers.checks import choice, integer
from solvers.names import HIDDEN_PARAMS, RNN_PARAMS
from solvers.readout import state_vector, vector
from solvers.rnn_compiled import compiled, numbers
from solvers.rnn_floats import on_arrays, on_floats, plain_scalar_model
from solvers.rnn_model import Model, Trace
from solvers.rnn_steps import derivation
from solvers.solution import Solution
_NUMERIC_PARAMS = ("h0", "x", "y", "W_h", "W_x", "W_y", "b_h", "b_y")


def _kind(quantity: str) -> str:
    """Which shape a quantity has: hidden, output, loss, or the parameter it differentiates."""
    if quantity.startswith("h") or "/dh" in quantity:
        return "hidden"
    if quantity.startswith("yhat"):
        return "output"
    if quantity.startswith("L"):
        return "loss"
    return quantity.split("/d", 1)[1]


def model(params: Mapping[str, object], given: Mapping[str, object]) -> Model:
    """Validate bound parameters (as from `Solver.bind`) into a Model; symbolic if anything is."""
    activation = choice("activation", params["activation"], ACTIVATIONS)
    readout.choices(params)
    truncate = None if params["truncate"] is None else integer("truncate", params["truncate"], 1)
    exact = any(values.is_symbolic(params[p]) for p in _NUMERIC_PARAMS) or any(
        values.is_symbolic(v) for v in given.values()
    )
    back = SYMBOLIC if exact else NUMERIC

    xs = readout.inputs(params["x"], exact)
    T = len(xs) - 1
    h0, b_h = (None if params[p] is None else vector(p, values.array(p, params[p], exact)) for p in ("h0", "b_h"))
    W_h, W_x = (values.array(p, params[p], exact) for p in ("W_h", "W_x"))

    sized = [(p, a) for p, a in (("h0", h0), ("b_h", b_h)) if a is not None and a.ndim == 1]
    if sized:
        n, n_why = len(sized[0][1]), f"{sized[0][0]} of length {len(sized[0][1])}"
    elif W_h.ndim == 2:
        n, n_why = W_h.shape[0], f"W_h with {W_h.shape[0]} rows"
    else:
        n, n_why = 1, "the scalar hidden state"
    # a scalar h0 makes the hidden state scalar; without h0 the other hidden-sized things decide
    hidden_vector = h0.ndim == 1 if h0 is not None else n_why != "the scalar hidden state"

    input_vector = xs[1].ndim == 1
    m = xs[1].shape[0] if input_vector else 1
    m_why = f"x_t of length {m}" if input_vector else "the scalar inputs x_t"

    given_as = {"W_h": W_h, "W_x": W_x, "b_h": b_h}
    vectors = {"hidden": hidden_vector, "input": input_vector}
    vectors["b_h"] = b_h.ndim == 1 if b_h is not None else hidden_vector
    scalars = {p for p, a in given_as.items() if a is not None and a.ndim == 0}
    scalars |= {p for p, vector in vectors.items() if not vector}
    # validated in this order so that the first message names the first inconsistency
    h0 = state_vector("h0", h0, n, n_why, back)
    W_h = values.matrix("W_h", "n×n", W_h, n, n, n_why)
    W_x = values.matrix("W_x", "n×m", W_x, n, m, f"{n_why} and {m_why}")
    ro = readout.readout(params, T, n, n_why, back)
    return Model(
        back=back,
        h0=h0,
        xs=(None, *(x.reshape(m) for x in xs[1:])),
        W_h=W_h,
        W_x=W_x,
        b_h=state_vector("b_h", b_h, n, n_why, back),
        ro=ro,
        activation=activation,
        truncate=truncate,
        scalars=frozenset(scalars | ro.scalars),
    )


def given_values(m: Model, given: Mapping[str, object]) -> dict[str, object]:
    """Each given value checked against its quantity's shape and converted like the parameters."""
    out: dict[str, object] = {}
    for name, value in given.items():
        if m.back is SCALAR and type(value) is float and math.isfinite(value):
            # what the general path makes of it, without its arrays: follow-through and
            # diagnosis pass thousands of carried floats
            out[name] = value
            continue
        kind = _kind(name)
        internal = m.shape_of(kind)
        expected = () if kind == "loss" or kind in m.scalars else internal
        out[name] = m.back.from_array(values.given(name, value, internal, expected, m.back.exact))
    return out


@dataclasses.dataclass(frozen=True)
class _Labels:
    """The names `evaluate` looks up in `given` for T steps, spelled once per T, not per solve."""

    h: tuple[str, ...]
    per_h: Mapping[tuple[int, int], str]
    total_h: tuple[str, ...]
    per_param: Mapping[tuple[int, str], str]
    total_param: Mapping[str, str]


@functools.lru_cache(maxsize=64)
def _labels(T: int) -> _Labels:
    steps = range(1, T + 1)
    return _Labels(
        h=("", *(f"h{t}" for t in steps)),
        per_h={(t, k): f"dL{t}/dh{k}" for t in steps for k in range(t + 1)},
        total_h=tuple(f"dL/dh{k}" for k in range(T + 1)),
        per_param={(t, p): f"dL{t}/d{p}" for t in steps for p in RNN_PARAMS},
        total_param={p: f"dL/d{p}" for p in RNN_PARAMS},
    )


def evaluate(m: Model, given: Mapping[str, object]) -> Trace:
    """Forward and backward pass; a name in `given` (already converted) replaces its value."""
    back, T = m.back, m.T
    label = _labels(T)

    z, fprime, h = [None], [None], [m.h0]
    for t in range(1, T + 1):
        z.append(back.matvec(m.W_h, h[t - 1]) + back.matvec(m.W_x, m.xs[t]) + m.b_h)
        fprime.append(back.act_prime(m.activation, z[t]))
        h.append(given.get(label.h[t], back.act(m.activation, z[t])))

    a, yhat, losses, dL_dyhat, dL_da = [None], [None], [None], [None], [None]
    for t in range(1, T + 1):
        out = readout.step(back, m.ro, t, h[t], given)
        a.append(out.a)
        yhat.append(out.yhat)
        losses.append(out.loss)
        dL_dyhat.append(out.dL_dyhat)
        dL_da.append(out.dL_da)
    L = given.get("L", sum(losses[1:]))

    Jh = [None] + [back.scale_rows(fprime[s], m.W_h) for s in range(1, T + 1)]
    per_h: dict[tuple[int, int], np.ndarray] = {}
    for t in range(1, T + 1):
        per_h[t, t] = given.get(label.per_h[t, t], back.vecmat(dL_da[t], m.W_y))
        lowest = 0 if m.truncate is None else m.lowest_step(t)
        for k in range(t - 1, lowest - 1, -1):
            per_h[t, k] = given.get(label.per_h[t, k], back.vecmat(per_h[t, k + 1], Jh[k + 1]))

    total_h = None
    if m.truncate is None:
        total_h = [None] * (T + 1)
        total_h[T] = given.get(label.total_h[T], per_h[T, T])
        for k in range(T - 1, -1, -1):
            carried = back.vecmat(total_h[k + 1], Jh[k + 1])
            total_h[k] = given.get(label.total_h[k], carried if k == 0 else per_h[k, k] + carried)

    trace = Trace(m, given, z, fprime, h, a, yhat, losses, L, dL_dyhat, dL_da, Jh, per_h, total_h, {}, {}, {})
    per_param = trace.per_param
    for t in range(1, T + 1):
        steps = [trace.contributions(per_h[t, s], s) for s in range(m.lowest_step(t), t + 1)]
        for p in HIDDEN_PARAMS:
            per_param[t, p] = given.get(label.per_param[t, p], sum([step[p] for step in steps]))
        per_param[t, "W_y"] = given.get(label.per_param[t, "W_y"], back.outer(dL_da[t], h[t]))
        per_param[t, "b_y"] = given.get(label.per_param[t, "b_y"], dL_da[t])
    through_h: list[dict[str, np.ndarray]] = []  # the δ recursion's contributions, made once if needed
    summed = _summed_by_loss(given)
    for p in RNN_PARAMS:
        by_loss = True if p not in HIDDEN_PARAMS or m.truncate is not None else summed.get(p, False)
        if by_loss is True:
            total = sum([per_param[t, p] for t in range(1, T + 1)])
        else:
            through_h = through_h or [trace.contributions(total_h[s], s) for s in range(1, T + 1)]
            total = sum([step[p] for step in through_h])
            if by_loss is not False:  # compiled: the choice is made in the function, on its overrides
                total = back.where(by_loss, sum([per_param[t, p] for t in range(1, T + 1)]), total)
        trace.by_loss[p] = by_loss
        trace.total_param[p] = given.get(label.total_param[p], total)
    return trace


def _summed_by_loss(given: Mapping[str, object]) -> dict[str, object]:
    """The hidden parameters θ whose dL/dθ `evaluate` sums from the per-loss dL{t}/dθ because
    some dL{t}/dθ is given (a given dL/dθ starts "dL/"), the one choice of its course the
    overrides make; while being compiled, a test of the overrides (see `rnn_compiled`)."""
    names: dict[str, list[str]] = {}
    for name in given:
        if name.startswith("dL") and name[2] != "/" and _kind(name) in HIDDEN_PARAMS:
            names.setdefault(_kind(name), []).append(name)
    giving = getattr(given, "giving", None)
    if giving is not None:
        return {p: giving(found) for p, found in names.items()}
    return dict.fromkeys(names, True)


def _results(trace: Trace) -> list[object]:
    """Every quantity's value, in the order of `names.rnn` (which names them)."""
    m, back = trace.model, trace.model.back
    steps = range(1, m.T + 1)
    hidden = "hidden" in m.scalars
    out = [back.result(trace.h[t], hidden) for t in steps]
    out += [back.result(trace.yhat[t], "output" in m.scalars) for t in steps]
    out += [back.scalar(loss) for loss in (*trace.losses[1:], trace.L)]
    if trace.total_h is not None:
        out += [back.result(v, hidden) for v in trace.total_h]
    out += [back.result(trace.total_param[p], p in m.scalars) for p in RNN_PARAMS]
    if trace.total_h is not None:
        out += [back.result(trace.per_h[t, k], hidden) for t in steps for k in range(t + 1)]
    out += [back.result(trace.per_param[t, p], p in m.scalars) for t in steps for p in RNN_PARAMS]
    return out


def _notes(m: Model) -> tuple[str, ...]:
    notes = []
    if not m.back.exact:
        notes.append("Values are float64; compare them with a tolerance.")
    if m.activation == "relu":
        notes.append("relu′(0) is taken as 0.")
    notes += readout.cross_entropy_note(m.ro)
    if m.truncate is not None:
        notes.append(
            f"Truncated BPTT (k = {m.truncate}): ∂L_t/∂θ holds h_(t−{m.truncate}) constant; "
            "dL/dh quantities are not defined."
        )
    return tuple(notes)


def solve(params: Mapping[str, object], given: Mapping[str, object]) -> Solution:
    """Solve bound params (from `SOLVERS['rnn'].bind`); `given` names are already checked.

    Override rules: a given quantity replaces the computed one, and everything computed from
    it is recomputed. dL{t}/dh{t} = ∂L_t/∂ŷ_t·∂ŷ_t/∂h_t; dL{t}/dh{k} = dL{t}/dh{k+1}·∂h_{k+1}/∂h_k;
    dL/dh{T} = dL{T}/dh{T} and dL/dh{k} = dL{k}/dh{k} + dL/dh{k+1}·∂h_{k+1}/∂h_k (no L0 term).
    dL{t}/dθ sums dL{t}/dh{s}·∂h_s/∂θ over the contributing steps s (hidden θ) or is
    ∂L_t/∂ŷ_t·∂ŷ_t/∂θ (output θ). dL/dθ is Σ_t dL{t}/dθ when some dL{t}/dθ is given or under
    truncation, else Σ_s dL/dh{s}·∂h_s/∂θ; the two agree when nothing is overridden.
    """
    return prepare(params)(given)


def _evaluate(m: Model, given: Mapping[str, object]) -> Trace:
    # A student's carried value can be huge (1e200): the results are then inf or nan, which
    # callers judge; numpy's overflow warnings would only reach the student's terminal.
    with np.errstate(over="ignore", invalid="ignore"):
        return evaluate(m, given_values(m, given))


def prepare(params: Mapping[str, object], floats: bool = True) -> Problem:
    """`solve` for one problem under many overrides (see `Problem`)."""
    return Problem(params, floats)


class Problem:
    """One problem solved under many overrides: the numeric model is built once (on the first
    solve, so bad params fail where they always did), and run on Python floats when every
    quantity is a scalar (`floats=False` keeps arrays, for comparison): as the function compiled
    for its shape (see `rnn_compiled`) when every override is a finite float."""

    def __init__(self, params: Mapping[str, object], floats: bool = True) -> None:
        self.params, self.floats = params, floats
        self.order = names.rnn(params)
        self._fast: Model | None = None  # what evaluate runs: on floats where it can be
        self._arrays: Model | None = None  # on arrays, which the worked steps index: read when asked for
        self._run: Callable[..., list[object]] | None = None  # `_fast` compiled, where it can be
        self._numbers: tuple[float, ...] = ()
        self._notes: tuple[str, ...] = ()

    def _build(self, given: Mapping[str, object]) -> Model:
        """The model to evaluate, read on the first solve (so bad params fail where they always did)."""
        if self._fast is None:
            fast = plain_scalar_model(self.params) if self.floats else None
            if fast is None:
                self._arrays = model(self.params, given)
                fast = (on_floats(self._arrays) if self.floats else None) or self._arrays
            self._run = compiled(fast, self.order, _traced)
            if self._run is not None:
                self._numbers = numbers(fast)
            self._fast, self._notes = fast, _notes(fast)
        return self._fast

    def arrays(self) -> Model:
        """The numeric model on arrays, which the worked steps index."""
        fast = self._build({})
        if self._arrays is None:
            self._arrays = on_arrays(fast)
        return self._arrays

    def model_for(self, given: Mapping[str, object]) -> Model:
        """The model `given` is evaluated on: on floats where the problem is all scalars, on
        arrays otherwise, exact when an override is symbolic."""
        if any(values.is_symbolic(v) for v in given.values()):
            return model(self.params, given)
        return self._build(given)

    def compiled_run(self, solve: Callable[[Model, Mapping[str, object]], list[object]],
                     given: Mapping[str, object]) -> list[object] | None:
        """`solve(model, given)` by the function compiled for this problem's shape (see
        `rnn_compiled`): None unless the problem and every override are finite floats and
        `solve` can be recorded, which then runs on the model itself."""
        if not _finite_floats(given):
            return None
        fast = self._build(given)
        run = compiled(fast, self.order, solve) if self._run is not None else None
        return None if run is None else run(self._numbers, given)

    def __call__(self, given: Mapping[str, object]) -> Solution:
        """`solve(params, given)`."""
        floats = _finite_floats(given)
        if not floats and any(values.is_symbolic(v) for v in given.values()):
            m = fast = model(self.params, given)  # a symbolic override makes the whole problem exact
            notes = _notes(m)
        else:
            fast, m, notes = self._build(given), self._arrays, self._notes
            if floats and self._run is not None:
                return Solution(zip(self.order, self._run(self._numbers, given), strict=True),
                                functools.partial(_derived, self, given), notes)
        trace = _evaluate(fast, given)
        # the worked steps index arrays: a trace on floats is evaluated again on arrays for them
        steps = (lambda: derivation(trace)) if fast is m else functools.partial(_derived, self, given)
        return Solution(zip(self.order, _results(trace), strict=True), steps, notes)


_FLOAT = frozenset((float,))


def _finite_floats(given: Mapping[str, object]) -> bool:
    """Whether every override is a finite Python float, as the compiled function takes them.
    One type test and one sum, in C: an inf or a nan makes the sum so. (A sum that overflows
    sends finite floats down the general path, which gives the same values, more slowly.)"""
    overrides = given.values()
    return _FLOAT.issuperset(map(type, overrides)) and math.isfinite(sum(overrides))


def _traced(m: Model, given: Mapping[str, object]) -> list[object]:
    """Every quantity's value under `given`, as `rnn_compiled` records it."""
    return _results(evaluate(m, given))


def _derived(problem: Problem, given: Mapping[str, object]) -> tuple[str, ...]:
    return derivation(_evaluate(problem.arrays(), given))
