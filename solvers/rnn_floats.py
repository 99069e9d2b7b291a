"""The vanilla RNN's problem on Python floats (the SCALAR backend): read straight from plain
numbers, or converted from the arrays `rnn.model` validates, and put back on arrays."""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping

import numpy as np

from solvers.backend import ACTIVATIONS, NUMERIC, OUTPUTS, SCALAR
from solvers.names import RNN_PARAMS
from solvers.readout import Readout
from solvers.rnn_model import Model

_KINDS = frozenset(("hidden", "input", "output", *RNN_PARAMS))


def on_floats(m: Model) -> Model | None:
    """`m` on Python floats (the SCALAR backend) when it is numeric and every quantity a scalar, else None."""
    if m.back.exact or not _KINDS <= m.scalars:
        return None
    f = SCALAR.scalar
    ro = dataclasses.replace(m.ro, W_y=f(m.W_y), b_y=f(m.b_y), ys=(None, *map(f, m.ys[1:])))
    xs = (None, *map(f, m.xs[1:]))
    return dataclasses.replace(m, back=SCALAR, h0=f(m.h0), xs=xs, W_h=f(m.W_h), W_x=f(m.W_x), b_h=f(m.b_h), ro=ro)


def plain_scalar_model(params: Mapping[str, object]) -> Model | None:
    """What `on_floats(model(params, {}))` gives, read straight from Python numbers: the problem
    every practice draw poses (every parameter a plain number, x and y lists of them, a loss on
    ŷ − y), whose first solve would otherwise spend most of its time validating arrays. None for
    anything else, which `model` reads and validates."""
    xs, ys, truncate = params["x"], params["y"], params["truncate"]
    xs = list(xs) if isinstance(xs, (list, tuple)) else [xs]
    ys = list(ys) if isinstance(ys, (list, tuple)) else [ys]
    optional = [params[p] for p in ("h0", "b_h", "b_y") if params[p] is not None]
    if not (xs and len(ys) == len(xs) and all(map(_plain, [params["W_h"], params["W_x"], params["W_y"], *optional,
                                                            *xs, *ys]))
            and params["activation"] in ACTIVATIONS and params["output"] in OUTPUTS
            and params["loss"] in ("squared", "half_squared")
            and (truncate is None or (type(truncate) is int and truncate >= 1))):
        return None

    def number(name: str) -> float:
        return 0.0 if params[name] is None else float(params[name])  # type: ignore[arg-type]

    ro = Readout(W_y=number("W_y"), b_y=number("b_y"), ys=(None, *map(float, ys)), output=params["output"],
                 loss=params["loss"], scalars=frozenset(("W_y", "b_y", "output")))
    return Model(back=SCALAR, h0=number("h0"), xs=(None, *map(float, xs)), W_h=number("W_h"), W_x=number("W_x"),
                 b_h=number("b_h"), ro=ro, activation=params["activation"], truncate=truncate, scalars=_KINDS)


def on_arrays(fast: Model) -> Model:
    """A model `plain_scalar_model` read, as the 1-element arrays `model` makes of the same params."""
    def entry(v: float) -> np.ndarray:
        return np.array([v])

    def square(v: float) -> np.ndarray:
        return np.array([[v]])

    ro = dataclasses.replace(fast.ro, W_y=square(fast.W_y), b_y=entry(fast.b_y), ys=(None, *map(entry, fast.ys[1:])))
    return dataclasses.replace(fast, back=NUMERIC, h0=entry(fast.h0), xs=(None, *map(entry, fast.xs[1:])),
                               W_h=square(fast.W_h), W_x=square(fast.W_x), b_h=entry(fast.b_h), ro=ro)


def _plain(value: object) -> bool:
    """A Python number that every reading of it makes the same float."""
    # the comparison is exact for ints of any size, and false for inf and nan
    return (type(value) is float or type(value) is int) and abs(value) < 1e300
