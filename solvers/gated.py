"""What the gated-cell solvers (gru, lstm) share: reading their parameters into a `Cell`,
converting `given` overrides, and shaping results.

Every gate weight acts on the concatenation [h_{t−1}; x_t], so it is n×(n+m); when n = 1 a
flat list of 1 + m numbers is accepted and its gradient is returned flat too. Biases default
to zeros and are scalars when the hidden state is. Every result has the shape of what it
differentiates (scalars for a scalar hidden state, output or parameter).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np

from solvers import readout, values
from solvers.backend import NUMERIC, SYMBOLIC, Backend
from solvers.readout import Readout, state_vector, vector

_SCALAR_HIDDEN = "the scalar hidden state"


@dataclass(frozen=True)
class Cell:
    """Validated parameters of a gated cell; `xs` is indexed by t (entry 0 unused)."""

    back: Backend
    h0: np.ndarray
    c0: np.ndarray | None
    xs: tuple[np.ndarray | None, ...]
    W: Mapping[str, np.ndarray]
    """gate -> n×(n+m) weights, keyed by suffix: W['u'] is W_u"""
    b: Mapping[str, np.ndarray]
    ro: Readout
    shapes: Mapping[str, tuple[int, ...]]
    """quantity kind -> the shape results show (() for a scalar): hidden, output, W_u, b_u, W_y, …"""

    @property
    def T(self) -> int:
        """Number of time steps."""
        return len(self.xs) - 1

    @property
    def n(self) -> int:
        """Hidden size."""
        return len(self.h0)

    def internal(self, kind: str) -> tuple[int, ...]:
        """The shape computations use for a quantity kind."""
        if kind == "loss":
            return ()
        if kind == "hidden":
            return (self.n,)
        if kind == "jacobian":
            return (self.n, self.n)
        if kind == "output":
            return (self.ro.k,)
        if kind in ("W_y", "b_y"):
            return getattr(self.ro, kind).shape
        return (self.W if kind.startswith("W") else self.b)[kind[2:]].shape

    def hx(self, t: int, h_prev: np.ndarray) -> np.ndarray:
        """The concatenation [h_{t−1}; x_t] every gate acts on."""
        return np.concatenate([h_prev, self.xs[t]])

    def result(self, value: object, kind: str) -> object:
        """A Solution value in the shape of `kind`: a scalar, or an array (a sympy Matrix) of its shape."""
        shape = self.shapes.get(kind, ())
        if not shape:
            return self.back.scalar(value)
        return self.back.result(np.reshape(value, shape), False)


def cell(params: Mapping[str, object], given: Mapping[str, object], gates: str, states: tuple[str, ...]) -> Cell:
    """Read bound params into a Cell; `gates` are the weight suffixes ("urc" for W_u, W_r, W_c) and
    `states` the initial states ("h0", "c0"). Symbolic when any parameter or override is."""
    readout.choices(params)
    numeric = (*states, "x", "y", "W_y", "b_y", *(f"W_{g}" for g in gates), *(f"b_{g}" for g in gates))
    exact = any(values.is_symbolic(params[p]) for p in numeric) or any(values.is_symbolic(v) for v in given.values())
    back = SYMBOLIC if exact else NUMERIC
    xs = readout.inputs(params["x"], exact)
    input_vector = xs[1].ndim == 1
    m = xs[1].shape[0] if input_vector else 1

    def read(name: str) -> np.ndarray | None:
        return None if params[name] is None else values.array(name, params[name], exact)

    initial = {s: None if read(s) is None else vector(s, read(s)) for s in states}
    biases = {g: None if read(f"b_{g}") is None else vector(f"b_{g}", read(f"b_{g}")) for g in gates}
    weights = {g: read(f"W_{g}") for g in gates}

    sized = [(name, a) for name, a in (*initial.items(), *((f"b_{g}", a) for g, a in biases.items()))
             if a is not None and a.ndim == 1]
    matrices = [(f"W_{g}", a) for g, a in weights.items() if a.ndim == 2]
    if sized:
        n, n_why = len(sized[0][1]), f"{sized[0][0]} of length {len(sized[0][1])}"
    elif matrices:
        n, n_why = matrices[0][1].shape[0], f"{matrices[0][0]} with {matrices[0][1].shape[0]} rows"
    else:
        n, n_why = 1, _SCALAR_HIDDEN
    given_states = [a for a in initial.values() if a is not None]
    hidden_vector = given_states[0].ndim == 1 if given_states else n_why != _SCALAR_HIDDEN
    shapes: dict[str, tuple[int, ...]] = {"hidden": (n,) if hidden_vector else (),
                                          "jacobian": (n, n) if hidden_vector else ()}
    why = f"{n_why} and {f'x_t of length {m}' if input_vector else 'the scalar inputs x_t'}"

    states_read = {s: state_vector(s, a, n, n_why, back) for s, a in initial.items()}
    W = {}
    for g, a in weights.items():
        if a.ndim == 1 and n == 1 and len(a) == 1 + m:  # one row given flat: [w_h, w_x…]
            W[g], shapes[f"W_{g}"] = a.reshape(1, 1 + m), (1 + m,)
        else:
            W[g] = values.matrix(f"W_{g}", "n×(n+m)", a, n, n + m, why)
            shapes[f"W_{g}"] = (n, n + m)
    b = {}
    for g, a in biases.items():
        b[g] = state_vector(f"b_{g}", a, n, n_why, back)
        shapes[f"b_{g}"] = (n,) if (a.ndim == 1 if a is not None else hidden_vector) else ()
    ro = readout.readout(params, len(xs) - 1, n, n_why, back)
    shapes["output"] = () if "output" in ro.scalars else (ro.k,)
    shapes["W_y"] = () if "W_y" in ro.scalars else ro.W_y.shape
    shapes["b_y"] = () if "b_y" in ro.scalars else ro.b_y.shape
    return Cell(
        back=back,
        h0=states_read["h0"],
        c0=states_read.get("c0"),
        xs=(None, *(x.reshape(m) for x in xs[1:])),
        W=W,
        b=b,
        ro=ro,
        shapes=shapes,
    )


def kind(quantity: str) -> str:
    """Which shape a quantity has: hidden (states, gates and their gradients), output, loss, or a parameter."""
    if quantity.startswith("dh"):
        return "jacobian"
    if quantity.startswith("dL/d"):
        wrt = quantity[4:]
        return "hidden" if wrt[:1] in ("h", "c") and wrt[1:].isdigit() else wrt
    if quantity.startswith("yhat"):
        return "output"
    if quantity.startswith("L"):
        return "loss"
    return "hidden"


def given_values(c: Cell, given: Mapping[str, object]) -> dict[str, object]:
    """Each override checked against its quantity's shape and converted to its internal shape."""
    out: dict[str, object] = {}
    for name, value in given.items():
        k = kind(name)
        out[name] = values.given(name, value, c.internal(k), () if k == "loss" else c.shapes[k], c.back.exact)
    return out


def gate(c: Cell, name: str, g: str, hx: np.ndarray, given: Mapping[str, object]) -> tuple[np.ndarray, np.ndarray]:
    """(pre-activation z, σ(z) or its override `name`) of the sigmoid gate with weights W_g, b_g."""
    z = c.W[g] @ hx + c.b[g]
    return z, given.get(name, c.back.sigmoid(z))


def notes(c: Cell, extra: tuple[str, ...] = ()) -> tuple[str, ...]:
    """Caveats for a reader: float64 values, the closed-form cross-entropy gradient, conventions."""
    lines = [] if c.back.exact else ["Values are float64; compare them with a tolerance."]
    return (*lines, *extra, *readout.cross_entropy_note(c.ro))

