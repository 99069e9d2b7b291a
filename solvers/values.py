"""Reading numeric parameters: numbers, nested lists and symbol names -> numpy arrays.

A numeric problem gets float64 arrays; a problem with any symbol name gets object arrays
of exact sympy numbers and Symbols, so one code path serves both.
"""

from __future__ import annotations

import math
from fractions import Fraction
from numbers import Real

import numpy as np
from solvers.lazy import is_sympy, sympy

from solvers.checks import describe, is_sequence, symbol_name
from solvers.errors import SolverError


def is_symbolic(value: object) -> bool:
    """True when `value` (possibly nested) holds a symbol name or a non-numeric sympy object."""
    if type(value) is float or type(value) is int:  # most values: answer at once
        return False
    if isinstance(value, str):
        return True
    if isinstance(value, (list, tuple)):
        return any(is_symbolic(e) for e in value)
    if is_sympy(value, "MatrixBase"):
        return any(is_symbolic(e) for e in value)
    if is_sympy(value):
        return bool(value.free_symbols) or not value.is_number
    if is_sequence(value):
        return any(is_symbolic(e) for e in value)  # type: ignore[union-attr]
    return False


def _element(param: str, value: object, exact: bool) -> object:
    if not exact and (type(value) is float or type(value) is int) and math.isfinite(value):
        return float(value)  # most entries: what the checks below make of them, without their cost
    if isinstance(value, str) and exact:
        return sympy.Symbol(symbol_name(param, value))
    if is_sympy(value) and (exact or (value.is_real and value.is_number)):
        return value if exact else float(value)
    if isinstance(value, str) or is_sympy(value):
        raise SolverError(f"{param} must be numeric here, got {value!r}")
    if isinstance(value, bool) or not isinstance(value, Real):
        raise SolverError(f"{param} must hold numbers or symbol names, got {value!r}")
    if not math.isfinite(value):
        raise SolverError(f"{param} must be finite, got {value}")
    if not exact:
        return float(value)
    if isinstance(value, (int, np.integer)):
        return sympy.Integer(int(value))
    # repr gives the shortest decimal that round-trips, so 0.1 becomes exactly 1/10
    fraction = Fraction(repr(float(value)))
    return sympy.Rational(fraction.numerator, fraction.denominator)


def _nested(value: object) -> object:
    if is_sympy(value, "MatrixBase"):
        return value.tolist()
    if isinstance(value, np.ndarray):
        return value.tolist()
    if isinstance(value, tuple):
        return list(value)
    return value


def shape(param: str, value: object) -> tuple[int, ...]:
    """Shape of a scalar (), vector (n,) or matrix (r, c) given as nested lists."""
    if type(value) is float or type(value) is int:
        return ()
    value = _nested(value)
    if not isinstance(value, list):
        return ()
    if not value:
        raise SolverError(f"{param} must not be an empty list")
    inner = [shape(param, _nested(e)) for e in value]
    if any(s != inner[0] for s in inner):
        raise SolverError(f"{param} must be rectangular: its rows have different lengths")
    if len(inner[0]) > 1:
        raise SolverError(f"{param} nests too deeply: expected a scalar, a list or a list of lists")
    return (len(value), *inner[0])


def array(param: str, value: object, exact: bool) -> np.ndarray:
    """`value` as a float64 array, or (exact) an object array of sympy numbers and Symbols."""
    dims = shape(param, value)
    flat = np.asarray(_nested(value), dtype=object).reshape(-1) if dims else [value]
    data = [_element(param, e, exact) for e in flat]
    return np.array(data, dtype=object if exact else np.float64).reshape(dims)


def int_or_symbol(param: str, value: object, low: int) -> int | sympy.Symbol:
    """An integer ≥ low, or a symbol name (-> sympy.Symbol) for symbolic counts."""
    if isinstance(value, str):
        return sympy.Symbol(symbol_name(param, value))
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)):
        raise SolverError(f"{param} must be an integer or a symbol name, got {value!r}")
    if value < low:
        raise SolverError(f"{param} must be ≥ {low}, got {value}")
    return int(value)


def matrix(name: str, dims: str, a: np.ndarray, rows: int, cols: int, why: str) -> np.ndarray:
    """`a` as a rows×cols matrix (a scalar is accepted for 1×1); `dims` names them, e.g. 'n×m'."""
    if a.shape == (rows, cols) or (a.ndim == 0 and rows == cols == 1):
        return a.reshape(rows, cols)
    if a.ndim == 2:
        got = f"{a.shape[0]}×{a.shape[1]}"
    elif a.ndim == 1:
        got = f"a flat list of length {len(a)} (write a matrix as a list of rows, e.g. [[1, 2]])"
    else:
        got = "a scalar"
    raise SolverError(f"{name} must be {dims} = {rows}×{cols} to match {why}, got {got}")


def sized_vector(name: str, a: np.ndarray, size: int, why: str) -> np.ndarray:
    """`a` as a vector of length `size` (a scalar is accepted for size 1)."""
    if a.shape != (size,) and (a.ndim != 0 or size != 1):
        raise SolverError(f"{name} must be a list of length {size} to match {why}, got {describe(a.shape)}")
    return a.reshape(size)


def given(name: str, value: object, internal: tuple[int, ...], expected: tuple[int, ...], exact: bool) -> np.ndarray:
    """An override of quantity `name`, checked against its shape as results show it (`expected`,
    () for a scalar) and converted like the parameters to its `internal` shape (() gives an entry)."""
    a = array(f"given {name}", value, exact)
    if a.ndim == 2 and a.shape[1] == 1 and len(expected) == 1:
        a = a.reshape(-1)  # a column vector, as the symbolic path returns vectors
    if a.shape != expected:
        raise SolverError(f"given {name} must be {describe(expected)}, got {describe(a.shape)}")
    return a[()] if not internal else a.reshape(internal)
