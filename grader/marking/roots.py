"""One-dimensional root finding for follow-through inference: which single upstream value
reproduces a student's wrong answer."""

from __future__ import annotations

import math
from typing import Callable

SEARCH_ITERATIONS = 12
"""Secant steps when solving for the upstream value that reproduces a wrong answer."""


def quadratic_roots(xs: list[float], ys: list[float | None]) -> list[float]:
    """The real roots of the parabola through three points (its vertex when it has none)."""
    (x0, x1, x2), (y0, y1, y2) = xs, ys
    # Divided differences give the interpolating parabola a·x² + b·x + c exactly.
    d01 = (y1 - y0) / (x1 - x0)
    d12 = (y2 - y1) / (x2 - x1)
    a = (d12 - d01) / (x2 - x0)
    b = d01 - a * (x0 + x1)
    c = y0 - a * x0 * x0 - b * x0
    if abs(a) <= 1e-12 * (abs(b) + abs(c) + 1):
        return [] if b == 0 else [-c / b]
    disc = b * b - 4 * a * c
    if disc < 0:
        return [-b / (2 * a)]
    root = math.sqrt(disc)
    return [(-b - root) / (2 * a), (-b + root) / (2 * a)]


def secant(f: Callable[[float], float | None], x0: float, x1: float) -> float | None:
    """A root of f by the secant method from x0 and x1, or None where f is undefined."""
    y0, y1 = f(x0), f(x1)
    for _ in range(SEARCH_ITERATIONS):
        if y0 is None or y1 is None:
            return None
        if y1 == 0 or y1 == y0:
            return x1
        x0, x1 = x1, x1 - y1 * (x1 - x0) / (y1 - y0)
        if not math.isfinite(x1):
            return None
        y0, y1 = y1, f(x1)
    return x1
