"""The vanilla RNN's validated problem (`Model`) and one evaluation of it (`Trace`): the data
the forward/backward pass, the worked steps and the local derivatives share."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np

from solvers.backend import Backend
from solvers.readout import Readout


@dataclass(frozen=True)
class Model:
    """Validated parameters as 1-D vectors and 2-D matrices (lists indexed by t; entry 0 unused),
    or as Python floats on the SCALAR backend (see `rnn_floats`)."""

    back: Backend
    h0: np.ndarray
    xs: tuple[np.ndarray | None, ...]
    W_h: np.ndarray
    W_x: np.ndarray
    b_h: np.ndarray
    ro: Readout
    activation: str
    truncate: int | None
    scalars: frozenset[str]
    """Which of hidden, input, output, W_h, W_x, W_y, b_h, b_y are scalars (results follow)."""

    @property
    def W_y(self) -> np.ndarray:
        """Output weights, k×n."""
        return self.ro.W_y

    @property
    def b_y(self) -> np.ndarray:
        """Output bias, length k."""
        return self.ro.b_y

    @property
    def ys(self) -> tuple[np.ndarray | None, ...]:
        """Targets as k-vectors, indexed by t."""
        return self.ro.ys

    @property
    def output(self) -> str:
        """The output function g."""
        return self.ro.output

    @property
    def loss(self) -> str:
        """The loss name."""
        return self.ro.loss

    @property
    def T(self) -> int:
        """Number of time steps."""
        return len(self.xs) - 1

    @property
    def n(self) -> int:
        """Hidden size."""
        return self.back.size(self.h0)

    @property
    def m(self) -> int:
        """Input size."""
        return self.back.size(self.xs[1])

    @property
    def k(self) -> int:
        """Output size."""
        return self.back.size(self.b_y)

    def shape_of(self, kind: str) -> tuple[int, ...]:
        """Internal shape of a quantity kind: hidden, output, loss or a parameter name."""
        n, m, k = self.n, self.m, self.k
        return {
            "hidden": (n,),
            "output": (k,),
            "loss": (),
            "W_h": (n, n),
            "W_x": (n, m),
            "W_y": (k, n),
            "b_h": (n,),
            "b_y": (k,),
        }[kind]

    def lowest_step(self, t: int) -> int:
        """The first step s whose local ∂h_s/∂θ counts in ∂L_t/∂θ (t − k + 1 under truncation)."""
        return 1 if self.truncate is None else max(1, t - self.truncate + 1)


@dataclass
class Trace:
    """Every intermediate value of one evaluation; lists are indexed by the time step t."""

    # Not frozen: evaluate fills its dicts after making it, and a frozen dataclass's __init__
    # (object.__setattr__ per field) costs ~5 µs, a tenth of a solve on floats.

    model: Model
    given: Mapping[str, object]
    z: list
    """pre-activations W_h h_{t−1} + W_x x_t + b_h"""
    fprime: list
    """f′(z_t)"""
    h: list
    a: list
    """output pre-activations W_y h_t + b_y"""
    yhat: list
    losses: list
    L: object
    dL_dyhat: list
    """∂L_t/∂ŷ_t at the (possibly given) ŷ_t"""
    dL_da: list
    """∂L_t/∂a_t = ∂L_t/∂ŷ_t·∂ŷ_t/∂a_t"""
    Jh: list
    """∂h_t/∂h_{t−1} = diag(f′(z_t))·W_h"""
    per_h: dict
    """(t, k) -> dL{t}/dh{k}"""
    total_h: list | None
    """dL/dh{k} for k = 0..T; None under truncation"""
    per_param: dict
    """(t, θ) -> dL{t}/dθ"""
    total_param: dict
    by_loss: dict
    """θ -> True when dL/dθ was summed from the per-loss dL{t}/dθ"""

    def contribution(self, param: str, row: np.ndarray, s: int) -> np.ndarray:
        """row·∂h_s/∂θ for a hidden parameter θ, with the local (direct) ∂h_s/∂θ."""
        return self.contributions(row, s)[param]

    def contributions(self, row: np.ndarray, s: int) -> dict[str, np.ndarray]:
        """`contribution` for every hidden parameter at once: they share row·f′(z_s)."""
        u = row * self.fprime[s]
        outer = self.model.back.outer
        return {"W_h": outer(u, self.h[s - 1]), "W_x": outer(u, self.model.xs[s]), "b_h": u}
