"""Parameter checks that need neither numpy nor sympy (the registry uses them at import speed)."""

from __future__ import annotations

import re
from collections.abc import Sequence

from solvers.errors import SolverError

SYMBOL_NAME = re.compile(r"[A-Za-z][A-Za-z0-9_]*")


def symbol_name(param: str, text: str) -> str:
    """Return `text` if it is a usable symbol name, else raise SolverError."""
    if not SYMBOL_NAME.fullmatch(text):
        raise SolverError(f"{param}: {text!r} is not a number or a symbol name (a letter, then letters, digits or _)")
    return text


def integer(param: str, value: object, low: int, high: int | None = None) -> int:
    """Return `value` if it is an int in [low, high], else raise SolverError."""
    if isinstance(value, bool) or not isinstance(value, int):
        raise SolverError(f"{param} must be an integer, got {value!r}")
    if value < low or (high is not None and value > high):
        allowed = f"≥ {low}" if high is None else f"in {low}..{high}"
        raise SolverError(f"{param} must be an integer {allowed}, got {value}")
    return value


def choice(param: str, value: object, options: Sequence[str]) -> str:
    """Return `value` if it is one of `options`, else raise SolverError listing them."""
    if not isinstance(value, str) or value not in options:
        raise SolverError(f"unknown {param} {value!r}; allowed: {', '.join(options)}")
    return value


def is_sequence(value: object) -> bool:
    """True for lists, tuples and arrays of dimension ≥ 1 (what counts as 'a list' in params)."""
    return isinstance(value, (list, tuple)) or getattr(value, "ndim", 0) >= 1


def sequence_length(param: str, value: object) -> int:
    """Number of time steps in a sequence parameter; a bare scalar is one step."""
    if value is None:
        raise SolverError(f"{param} is required: give one input per time step, e.g. {param}=[10, 10]")
    if not is_sequence(value):
        return 1
    if len(value) == 0:  # type: ignore[arg-type]
        raise SolverError(f"{param} must have at least one time step, got an empty list")
    return len(value)  # type: ignore[arg-type]


def describe(dims: tuple[int, ...]) -> str:
    """'a scalar', 'a vector of length 3', 'a 2×3 matrix'."""
    if not dims:
        return "a scalar"
    if len(dims) == 1:
        return f"a vector of length {dims[0]}"
    return f"a {dims[0]}×{dims[1]} matrix"
