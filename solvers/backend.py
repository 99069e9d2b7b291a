"""Elementwise math on float64 arrays (numerically careful) or on object arrays of sympy expressions,
and the few array operations (matrix products, sums) the recurrent solvers use.

`NUMERIC` and `SYMBOLIC` offer the same operations, so the RNN code is written once. Vectors
are 1-D arrays; Jacobians are 2-D in numerator layout. `SCALAR` runs the same code on plain
Python floats when every quantity of a numeric problem is a scalar, with the same results.
"""

from __future__ import annotations

import numpy as np
from solvers.lazy import sympy

ACTIVATIONS = ("identity", "tanh", "sigmoid", "relu")
OUTPUTS = ("identity", "sigmoid", "softmax")
MAX_DERIVATIVE = {"identity": 1.0, "tanh": 1.0, "sigmoid": 0.25, "relu": 1.0}
"""sup |f′| of each activation: the per-step factor in gradient-norm bounds."""


class _Arrays:
    """The array operations shared by `Numeric` and `Symbolic` (`Scalar` does them on floats)."""

    def matvec(self, A: np.ndarray, v: np.ndarray) -> np.ndarray:
        """A v."""
        return A @ v

    def vecmat(self, r: np.ndarray, A: np.ndarray) -> np.ndarray:
        """r A, for a row r."""
        return r @ A

    def scale_rows(self, f: np.ndarray, A: np.ndarray) -> np.ndarray:
        """diag(f) A: row i of A times f_i."""
        return f[:, None] * A

    def outer(self, u: np.ndarray, v: np.ndarray) -> np.ndarray:
        """u vᵀ."""
        return np.outer(u, v)

    def matmul(self, A: np.ndarray, B: np.ndarray) -> np.ndarray:
        """A B."""
        return A @ B

    def kron_row(self, A: np.ndarray, v: np.ndarray) -> np.ndarray:
        """np.kron(A, v as one row): entry (i, j·len(v) + l) is A[i, j]·v[l] (a tenth of kron's cost)."""
        return (A[:, :, None] * v.reshape(1, 1, -1)).reshape(A.shape[0], -1)

    def row(self, v: np.ndarray) -> np.ndarray:
        """v as a 1×n matrix."""
        return v.reshape(1, -1)

    def diag(self, v: np.ndarray) -> np.ndarray:
        """The diagonal matrix with v on its diagonal."""
        return np.diag(v)

    def total(self, v: np.ndarray) -> object:
        """Σ_i v_i."""
        return v.sum()

    def weighted_total(self, w: np.ndarray, v: np.ndarray) -> object:
        """Σ_i w_i v_i over the entries with w_i ≠ 0, so that 0·log 0 counts as 0."""
        mask = w != 0
        return (w[mask] * v[mask]).sum()

    def square(self, v: np.ndarray) -> np.ndarray:
        """v² elementwise."""
        return v**2

    def where(self, cond: np.ndarray, a: np.ndarray, b: np.ndarray) -> np.ndarray:
        """a where cond holds, else b, elementwise."""
        return np.where(cond, a, b)

    def size(self, v: np.ndarray) -> int:
        """The length of a vector."""
        return len(v)

    def from_array(self, a: np.ndarray) -> np.ndarray:
        """A checked given value (an array of its quantity's internal shape) as this backend holds values."""
        return a


class Numeric(_Arrays):
    """float64 arrays; sigmoid, softmax and their logs never overflow."""

    exact = False

    def zeros(self, shape: tuple[int, ...]) -> np.ndarray:
        """An array of zeros."""
        return np.zeros(shape)

    def sigmoid(self, z: np.ndarray) -> np.ndarray:
        """σ(z) elementwise."""
        e = np.exp(-np.abs(z))
        return self.where(z >= 0, 1.0 / (1.0 + e), e / (1.0 + e))

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
            return 4.0 * e / self.square(1.0 + e)
        if name == "sigmoid":
            e = np.exp(-np.abs(z))
            return e / self.square(1.0 + e)
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


class Scalar(Numeric):
    """Python floats, for a numeric problem whose every quantity is a scalar: the values `Numeric`
    gives on 1-element arrays, bit for bit, without numpy's per-call cost on the array operations.

    The elementwise functions run Numeric's formulas on one np.float64 (a ufunc gives it the bits
    it gives a 1-element array). numpy's matrix products and sums add onto +0.0, so here too
    a lone −0.0 product becomes +0.0.
    """

    def act(self, name: str, z: float) -> float:
        """The hidden activation f(z)."""
        return z if name == "identity" else float(super().act(name, np.float64(z)))

    def act_prime(self, name: str, z: float) -> float:
        """f′(z)."""
        return 1.0 if name == "identity" else float(super().act_prime(name, np.float64(z)))

    def out(self, name: str, a: float) -> float:
        """The output function g(a) (softmax of one entry is 1, or nan)."""
        return a if name == "identity" else float(super().out(name, np.float64(a)))

    def log_out(self, name: str, a: float) -> float:
        """log g(a) computed from a."""
        return float(super().log_out(name, np.float64(a)))

    def log(self, v: float) -> float:
        """Natural log (log 0 = −inf)."""
        return float(super().log(np.float64(v)))

    def divide(self, num: float, den: float) -> float:
        """num / den (x/0 = ±inf or nan, where Python's / would raise)."""
        return float(super().divide(np.float64(num), den))

    def matvec(self, A: float, v: float) -> float:
        """A v."""
        return 0.0 + A * v

    def vecmat(self, r: float, A: float) -> float:
        """r A."""
        return 0.0 + r * A

    def scale_rows(self, f: float, A: float) -> float:
        """f A."""
        return f * A

    def outer(self, u: float, v: float) -> float:
        """u v."""
        return u * v

    def matmul(self, A: float, B: float) -> float:
        """A B, summed onto +0.0 as numpy's product does."""
        return 0.0 + A * B

    def kron_row(self, A: float, v: float) -> float:
        """A v (a product of one term: nothing is summed)."""
        return A * v

    def row(self, v: float) -> float:
        """v itself, the 1×1 matrix."""
        return v

    def diag(self, v: float) -> float:
        """v itself, the 1×1 diagonal matrix."""
        return v

    def total(self, v: float) -> float:
        """v, summed onto +0.0."""
        return 0.0 + v

    def weighted_total(self, w: float, v: float) -> float:
        """w v, or 0 when w = 0."""
        return self.total(w * v) if w != 0 else 0.0

    def square(self, v: float) -> float:
        """v·v (numpy squares so too; Python's ** could raise OverflowError)."""
        return v * v

    def where(self, cond: bool, a: float, b: float) -> float:
        """a if cond, else b."""
        return a if cond else b

    def size(self, v: float) -> int:
        """1: a float stands for a vector of length 1."""
        return 1

    def result(self, v: float, scalar: bool) -> float:
        """v itself: every value on this backend is a Python float already."""
        return v

    def from_array(self, a: np.ndarray) -> float:
        """The single entry of a checked given value, as a Python float."""
        return self.scalar(a)


class Symbolic(_Arrays):
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
SCALAR = Scalar()
SYMBOLIC = Symbolic()
Backend = Numeric | Symbolic


def output_jacobian(back: Backend, name: str, a: np.ndarray) -> np.ndarray:
    """∂g(a)/∂a, k×k: identity, diagonal σ′, or softmax's diag(p) − p pᵀ."""
    if name == "softmax":
        p = back.out(name, a)
        return back.diag(p) - back.outer(p, p)
    return back.diag(back.act_prime(name, a))
