"""The output layer and loss shared by the recurrent solvers (rnn, gru, lstm).

    ŷ_t = g(W_y h_t + b_y)      g ∈ identity | sigmoid | softmax
    L_t = loss(ŷ_t, y_t)        squared Σ(ŷ−y)² | half_squared ½Σ(ŷ−y)² | cross_entropy −Σ y log ŷ

`readout` validates `y`, `W_y`, `b_y`, `output` and `loss` once per problem; `step` runs one
time step forward and gives ∂L_t/∂ŷ_t and ∂L_t/∂a_t (a_t = W_y h_t + b_y), honouring `given`
overrides of yhat{t} and L{t}.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np

from solvers import values
from solvers.backend import OUTPUTS, Backend, output_jacobian
from solvers.checks import choice, is_sequence, sequence_length
from solvers.errors import SolverError

LOSSES = ("squared", "half_squared", "cross_entropy")


@dataclass(frozen=True)
class Readout:
    """The validated output layer: W_y k×n, b_y and per-step targets as k-vectors (entry 0 unused)."""

    W_y: np.ndarray
    b_y: np.ndarray
    ys: tuple[np.ndarray | None, ...]
    output: str
    loss: str
    scalars: frozenset[str]
    """Which of output, W_y, b_y are given as scalars (their results are then scalars)."""

    @property
    def k(self) -> int:
        """Output size."""
        return len(self.b_y)


@dataclass(frozen=True)
class Step:
    """One step of the output layer: a_t, ŷ_t, L_t, ∂L_t/∂ŷ_t and ∂L_t/∂a_t."""

    a: np.ndarray
    yhat: np.ndarray
    loss: object
    dL_dyhat: np.ndarray
    dL_da: np.ndarray


def choices(params: Mapping[str, object]) -> tuple[str, str]:
    """`output` and `loss`, checked, including that cross-entropy has a probability to take the log of."""
    output = choice("output", params["output"], OUTPUTS)
    loss = choice("loss", params["loss"], LOSSES)
    if loss == "cross_entropy" and output == "identity":
        raise SolverError("loss cross_entropy needs output sigmoid or softmax (ŷ must be a probability), got identity")
    return output, loss


def vector(name: str, a: np.ndarray) -> np.ndarray:
    """`a` if it is a scalar or a vector, else a SolverError."""
    if a.ndim > 1:
        raise SolverError(f"{name} must be a scalar or a vector, got {values.describe(a.shape)}")
    return a


def state_vector(name: str, a: np.ndarray | None, size: int, why: str, back: Backend) -> np.ndarray:
    """A hidden- or output-sized vector (h0, b_h, b_y); absent means zeros."""
    return back.zeros((size,)) if a is None else values.sized_vector(name, a, size, why)


def per_step(raw: object, T: int) -> list:
    """The targets `y` as a list of T entries (a bare scalar is allowed when T = 1)."""
    if is_sequence(raw):
        entries = list(raw)  # type: ignore[call-overload]
        if len(entries) != T:
            hint = "; for one vector target write [[...]]" if T == 1 else ""
            raise SolverError(f"y must have one entry per step (T = {T} from x), got {len(entries)}{hint}")
        return entries
    if raw is None or T != 1:
        raise SolverError(f"y must be a list of T = {T} targets, one per step of x, got {raw!r}")
    return [raw]


def _targets(raw: list, k: int, vector: bool, loss: str, back: Backend, exact: bool) -> tuple:
    """Per-step targets as k-vectors; for cross_entropy a class index becomes one-hot."""
    ys: list[np.ndarray | None] = [None]
    for i, entry in enumerate(raw):
        label = f"y[{i}]"
        a = values.array(label, entry, exact)
        if a.shape == ((k,) if vector else ()):
            ys.append(a.reshape(k))
        elif vector and a.ndim == 0 and loss == "cross_entropy":
            if isinstance(entry, bool) or not isinstance(entry, (int, np.integer)) or not 0 <= entry < k:
                raise SolverError(f"{label} must be a class index 0..{k - 1} or a list of length {k}, got {entry!r}")
            onehot = back.zeros((k,))
            onehot[int(entry)] = 1
            ys.append(onehot)
        else:
            want = f"a list of length {k}" if vector else "a scalar (the output is a scalar)"
            raise SolverError(f"{label} must be {want}, got {values.describe(a.shape)}")
    return tuple(ys)


def readout(params: Mapping[str, object], T: int, n: int, n_why: str, back: Backend) -> Readout:
    """Validate `y`, `W_y`, `b_y`, `output`, `loss` for hidden size n; k comes from b_y, y or W_y."""
    output, loss = choices(params)
    exact = back.exact
    raw_y = per_step(params["y"], T)
    b_y = None if params["b_y"] is None else vector("b_y", values.array("b_y", params["b_y"], exact))
    W_y = values.array("W_y", params["W_y"], exact)
    y_sizes = [s[0] for s in (values.shape(f"y[{i}]", e) for i, e in enumerate(raw_y)) if len(s) == 1]
    if b_y is not None and b_y.ndim == 1:
        k, k_why = len(b_y), f"b_y of length {len(b_y)}"
    elif y_sizes:
        k, k_why = y_sizes[0], f"y_t of length {y_sizes[0]}"
    elif W_y.ndim == 2 and W_y.shape[0] > 1:
        k, k_why = W_y.shape[0], f"W_y with {W_y.shape[0]} rows"
    else:
        k, k_why = 1, "the scalar output"
    output_vector = k_why != "the scalar output"
    scalars = {"W_y"} if W_y.ndim == 0 else set()
    if not (b_y.ndim == 1 if b_y is not None else output_vector):
        scalars.add("b_y")
    if not output_vector:
        scalars.add("output")
    return Readout(
        W_y=values.matrix("W_y", "k×n", W_y, k, n, f"{k_why} and {n_why}"),
        b_y=state_vector("b_y", b_y, k, k_why, back),
        ys=_targets(raw_y, k, output_vector, loss, back, exact),
        output=output,
        loss=loss,
        scalars=frozenset(scalars),
    )


def loss_value(back: Backend, loss: str, yhat: np.ndarray, y: np.ndarray, log_yhat: np.ndarray | None) -> object:
    """L_t from ŷ_t (and log ŷ_t for cross-entropy)."""
    if loss == "cross_entropy":
        return -back.weighted_total(y, log_yhat)
    squares = back.total(back.square(yhat - y))
    return squares if loss == "squared" else squares / 2


def loss_gradient(back: Backend, loss: str, yhat: np.ndarray, y: np.ndarray) -> np.ndarray:
    """∂L_t/∂ŷ_t evaluated at ŷ_t."""
    if loss == "squared":
        return 2 * (yhat - y)
    if loss == "half_squared":
        return yhat - y
    return back.where(y != 0, back.divide(-y, yhat), 0 * y)


def step(back: Backend, ro: Readout, t: int, h: np.ndarray, given: Mapping[str, object]) -> Step:
    """The output layer at step t from h_t; a given yhat{t} or L{t} replaces the computed value."""
    a = back.matvec(ro.W_y, h) + ro.b_y
    p = back.out(ro.output, a)
    replaced = f"yhat{t}" in given
    yhat = given.get(f"yhat{t}", p)
    y = ro.ys[t]
    dL_dyhat = loss_gradient(back, ro.loss, yhat, y)
    log_yhat = None
    if ro.loss == "cross_entropy" and not replaced:
        # combined forms: exact and free of 0/0 where ŷ rounds to 0 or 1
        log_yhat = back.log_out(ro.output, a)
        dL_da = p * back.total(y) - y if ro.output == "softmax" else -y * back.out("sigmoid", -a)
    else:
        if ro.loss == "cross_entropy":
            log_yhat = back.log(yhat)
        dL_da = back.vecmat(dL_dyhat, output_jacobian(back, ro.output, a))
    return Step(a, yhat, given.get(f"L{t}", loss_value(back, ro.loss, yhat, y, log_yhat)), dL_dyhat, dL_da)


def cross_entropy_note(ro: Readout) -> tuple[str, ...]:
    """The note on the closed form of ∂L_t/∂a_t, when cross-entropy is used."""
    if ro.loss != "cross_entropy":
        return ()
    form = "(ŷ·Σy − y)" if ro.output == "softmax" else "(−y·(1 − ŷ))"
    return (f"∂L_t/∂a_t for cross_entropy with {ro.output} is computed in closed form {form} unless ŷ_t is given.",)


def inputs(raw: object, exact: bool) -> tuple:
    """The inputs `x` as arrays indexed by t (entry 0 unused): all scalars or all m-vectors."""
    T = sequence_length("x", raw)
    entries = list(raw) if is_sequence(raw) else [raw]  # type: ignore[call-overload]
    xs = [values.array(f"x[{i}]", e, exact) for i, e in enumerate(entries)]
    if len({x.shape for x in xs}) > 1 or xs[0].ndim > 1:
        raise SolverError("x must hold all scalars or all vectors of one length m, one entry per step")
    assert len(xs) == T
    return (None, *xs)
