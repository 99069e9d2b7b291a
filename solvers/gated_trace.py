"""One evaluation of a gated cell, GRU or LSTM: the values the forward/backward pass fills in
and the worked steps read."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from solvers.gated import Cell


@dataclass(frozen=True)
class GruTrace:
    """Every intermediate value of one GRU evaluation; lists are indexed by the time step t."""

    cell: Cell
    given: Mapping[str, object]
    reset: str
    update: str
    z: dict = field(default_factory=dict)
    """gate -> list of pre-activations (u, r, c)"""
    values: dict = field(default_factory=dict)
    """quantity stem (u, r, ctilde, h) -> list of values, h starting at h0"""
    outs: list = field(default_factory=list)
    """readout.Step per step (entry 0 unused)"""
    dh: list = field(default_factory=list)
    """dL/dh{k} for k = 0..T"""
    dz: list = field(default_factory=list)
    """per step t: gate -> ∂L/∂z (the pre-activation's gradient through dL/dh{t})"""
    grads: dict = field(default_factory=dict)

    @property
    def L(self) -> object:
        """The total loss (or its override)."""
        return self.given.get("L", sum(o.loss for o in self.outs[1:]))


@dataclass(frozen=True)
class LstmTrace:
    """Every intermediate value of one LSTM evaluation; lists are indexed by the time step t."""

    cell: Cell
    given: Mapping[str, object]
    phi: str
    z: dict = field(default_factory=dict)
    """gate -> list of pre-activations (f, i, o, c)"""
    values: dict = field(default_factory=dict)
    """quantity stem (f, i, o, ctilde, c, h) -> list of values, c and h starting at c0, h0"""
    outs: list = field(default_factory=list)
    dh: list = field(default_factory=list)
    """dL/dh{k}, c_k fixed, k = 0..T"""
    dc: list = field(default_factory=list)
    """dL/dc{k}, total, k = 0..T"""
    dz: list = field(default_factory=list)
    """per step t: gate -> ∂L/∂z of its pre-activation"""
    grads: dict = field(default_factory=dict)

    @property
    def L(self) -> object:
        """The total loss (or its override)."""
        return self.given.get("L", sum(o.loss for o in self.outs[1:]))
