"""One-dimensional search for follow-through inference: which single upstream value
reproduces a student's wrong answer."""

from __future__ import annotations

import math
from typing import Any, Callable, Iterable, Mapping

from grader.marking import solutions
from grader.marking.compare import reproduces
from grader.marking.dependencies import close
from grader.model import Question

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


def values_reproducing(part: Question, solver: str, params: Mapping[str, Any], names: Iterable[str],
                       answer: Any) -> dict[str, list[float]]:
    """For each scalar quantity in `names`, the values of it alone that make the part's quantity
    equal the student's answer (none for a name that cannot).

    The parabola through the true value and a probe on either side gives candidate roots,
    refined where it was not exact.
    """
    quantity = part.quantity
    truth = solutions.solution(solver, params)
    if not isinstance(answer, float) or not isinstance(truth[quantity], float):
        return {}
    searched = [name for name in names if isinstance(truth[name], float)]
    steps = {name: max(1.0, abs(truth[name])) for name in searched}
    roots: dict[str, list[float]] = {}
    for name in searched:
        start, step = truth[name], steps[name]
        points = [start - step, start, start + step]
        # At the true value the quantity is its true value: one solve fewer per name searched.
        ys = [_miss(part, solver, params, name, points[0], answer), truth[quantity] - answer,
              _miss(part, solver, params, name, points[2], answer)]
        roots[name] = [] if any(y is None for y in ys) else quadratic_roots(points, ys)
    return {name: _refined(part, solver, params, name, truth[name], steps[name], roots[name], answer)
            for name in searched}


def _refined(part: Question, solver: str, params: Mapping[str, Any], name: str, start: float, step: float,
             roots: list[float], answer: Any) -> list[float]:
    """The roots that reproduce the answer, refined where the parabola was not exact (`start`:
    the true value of `name`, `step`: the search's scale around it)."""

    def f(v: float) -> float | None:
        return _miss(part, solver, params, name, v, answer)

    found: list[float] = []
    for root in roots:
        # Most quantities are polynomial in one override, so the parabola's root is usually
        # exact already: refine only when it is not (each step is a solve). "Exact" is to
        # rounding, not to the part's tolerance, so the value shown to the student is right.
        miss = f(root)
        exact = miss is not None and abs(miss) <= 1e-9 * max(1.0, abs(answer))
        refined = root if exact else secant(f, root, root + 1e-3 * step)
        if refined is not None and not any(abs(refined - r) <= 1e-9 * max(1, abs(r)) for r in found):
            if not close(refined, start):
                found.append(refined)
    return [r for r in found if reproduces(part, answer, solutions.value(solver, params, {name: r}, part.quantity))]


def _miss(part: Question, solver: str, params: Mapping[str, Any], name: str, v: float, answer: float) -> float | None:
    """How far the part's quantity lands from the answer with `name` = v (None: undefined there)."""
    value = solutions.value(solver, params, {name: v}, part.quantity)
    return None if value is None or not isinstance(value, float) else value - answer
