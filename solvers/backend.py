"""Elementwise math on float64 arrays (numerically careful) or on object arrays of sympy expressions.

`NUMERIC` and `SYMBOLIC` offer the same operations, so the RNN code is written once. Vectors
are 1-D arrays; Jacobians are 2-D in numerator layout.
"""

from __future__ import annotations

import numpy as np
from solvers.lazy import sympy

ACTIVATIONS = ("identity", "tanh", "sigmoid", "relu")
OUTPUTS = ("identity", "sigmoid", "softmax")
MAX_DERIVATIVE = {"identity": 1.0, "tanh": 1.0, "sigmoid": 0.25, "relu": 1.0}
"""sup |f′| of each activation: the per-step factor in gradient-norm bounds."""


class Numeric:
    """float64 arrays; sigmoid, softmax and their logs never overflow."""

    exact = False

    def zeros(self, shape: tuple[int, ...]) -> np.ndarray:
        """An array of zeros."""
        return np.zeros(shape)

    def sigmoid(self, z: np.ndarray) -> np.ndarray:
        """σ(z) elementwise."""
        e = np.exp(-np.abs(z))
        return np.where(z >= 0, 1.0 / (1.0 + e), e / (1.0 + e))

    def act(self, name: str, z: np.ndarray) -> np.ndarray:
        """The hidden activation f(z) elementwise."""
        if name == "tanh":
            return np.tanh(z)
        if name == "sigmoid":
            return self.sigmoid(z)
        if name == "relu":
            return np.maximum(z, 0.0)
        return z.copy()

    def act_prime(self, name: str, z: np.ndarray) -> np.ndarray:
        """f′(z) elementwise."""
        # written with exp(-|z|) so that the derivative is accurate, not 1 - 1 = 0, for large |z|
        if name == "tanh":
            e = np.exp(-2.0 * np.abs(z))
            return 4.0 * e / (1.0 + e) ** 2
        if name == "sigmoid":
            e = np.exp(-np.abs(z))
            return e / (1.0 + e) ** 2
        if name == "relu":
            return (z > 0).astype(np.float64)
        return np.ones_like(z)

    def out(self, name: str, a: np.ndarray) -> np.ndarray:
        """The output function g(a): elementwise, or softmax over the vector."""
        if name == "softmax":
            e = np.exp(a - a.max())
            return e / e.sum()
        return self.act(name, a)

    def log_out(self, name: str, a: np.ndarray) -> np.ndarray:
        """log g(a) computed from a, finite even where g(a) rounds to 0."""
        if name == "softmax":
            shifted = a - a.max()
            return shifted - np.log(np.exp(shifted).sum())
        if name == "sigmoid":
            return -(np.log1p(np.exp(-np.abs(a))) + np.maximum(-a, 0.0))
        return self.log(a)

    def log(self, v: np.ndarray) -> np.ndarray:
        """Natural log elementwise (log 0 = −inf, without a warning)."""
        with np.errstate(divide="ignore", invalid="ignore"):
            return np.log(v)

    def divide(self, num: np.ndarray, den: np.ndarray) -> np.ndarray:
        """num / den elementwise (x/0 = ±inf, without a warning)."""
        with np.errstate(divide="ignore", invalid="ignore"):
            return num / den

    def scalar(self, v: object) -> float:
        """The single entry of v as a Solution value."""
        # item(0) reads the first entry of an array or numpy scalar without a reshape: this runs
        # for every scalar quantity of every solve.
        return float(v.item(0)) if hasattr(v, "item") else float(v)  # type: ignore[union-attr]

    def result(self, v: np.ndarray, scalar: bool) -> float | np.ndarray:
        """A Solution value: a float, or a read-only float64 array."""
        if scalar:
            return self.scalar(v)
        out = np.array(v, dtype=np.float64)
        out.flags.writeable = False
        return out


def _map(fn, z: np.ndarray) -> np.ndarray:
    return np.array([fn(e) for e in z.reshape(-1)], dtype=object).reshape(z.shape)


def tidy(expr: object) -> sympy.Expr:
    """A polynomial is expanded; anything with exp, tanh or Max is left as built, because
    expanding nested transcendental chains multiplies out into thousands of terms."""
    if isinstance(expr, int):  # structural zeros of object arrays are plain ints
        expr = sympy.Integer(expr)
    return sympy.expand(expr) if expr.is_polynomial() else expr


class Symbolic:
    """Object arrays of sympy expressions; results are tidied by `tidy`."""

    exact = True

    def zeros(self, shape: tuple[int, ...]) -> np.ndarray:
        """An array of zeros."""
        return np.full(shape, sympy.S.Zero, dtype=object)

    def sigmoid(self, z: np.ndarray) -> np.ndarray:
        """σ(z) elementwise."""
        return _map(lambda e: 1 / (1 + sympy.exp(-e)), z)

    def act(self, name: str, z: np.ndarray) -> np.ndarray:
        """The hidden activation f(z) elementwise."""
        if name == "tanh":
            return _map(sympy.tanh, z)
        if name == "sigmoid":
            return self.sigmoid(z)
        if name == "relu":
            return _map(lambda e: sympy.Max(e, 0), z)
        return z.copy()

    def act_prime(self, name: str, z: np.ndarray) -> np.ndarray:
        """f′(z) elementwise."""
        if name == "tanh":
            return _map(lambda e: 1 - sympy.tanh(e) ** 2, z)
        if name == "sigmoid":
            s = self.sigmoid(z)
            return s * (1 - s)
        if name == "relu":
            return _map(lambda e: sympy.Heaviside(e, 0), z)
        return _map(lambda e: sympy.S.One, z)

    def out(self, name: str, a: np.ndarray) -> np.ndarray:
        """The output function g(a): elementwise, or softmax over the vector."""
        if name == "softmax":
            e = _map(sympy.exp, a)
            return e / e.sum()
        return self.act(name, a)

    def log_out(self, name: str, a: np.ndarray) -> np.ndarray:
        """log g(a)."""
        return self.log(self.out(name, a))

    def log(self, v: np.ndarray) -> np.ndarray:
        """Natural log elementwise (log 0 = −inf, without a warning)."""
        return _map(sympy.log, v)

    def divide(self, num: np.ndarray, den: np.ndarray) -> np.ndarray:
        """num / den elementwise (x/0 = ±inf, without a warning)."""
        return num / den

    def scalar(self, v: object) -> sympy.Expr:
        """The single entry of v as a Solution value."""
        return tidy(np.asarray(v, dtype=object).reshape(-1)[0])

    def result(self, v: np.ndarray, scalar: bool) -> sympy.Expr | sympy.ImmutableMatrix:
        """A Solution value: an expression, or an ImmutableMatrix (vectors as columns)."""
        if scalar:
            return self.scalar(v)
        v = np.asarray(v, dtype=object)
        rows = v.reshape(-1, 1) if v.ndim == 1 else v
        return sympy.ImmutableMatrix([[tidy(e) for e in row] for row in rows])


NUMERIC = Numeric()
SYMBOLIC = Symbolic()
Backend = Numeric | Symbolic


def output_jacobian(back: Backend, name: str, a: np.ndarray) -> np.ndarray:
    """∂g(a)/∂a, k×k: identity, diagonal σ′, or softmax's diag(p) − p pᵀ."""
    if name == "softmax":
        p = back.out(name, a)
        return np.diag(p) - np.outer(p, p)
    return np.diag(back.act_prime(name, a))
