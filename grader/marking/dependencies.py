"""Which quantities of a solver's problem depend on which.

Found empirically rather than declared: nudge one quantity through the solver's `given`
and see which others move. That works for every solver without a hand-written graph,
and it respects each solver's own rules for what an override recomputes.
"""

from __future__ import annotations

import math
from typing import Any, Callable, Collection, Hashable, Mapping

from grader.marking import solutions
from grader.marking.memo import Memo

PERTURBATION = 0.37
"""Offset used to detect dependence; an odd value so it rarely cancels by accident."""


def ancestors(solver: str, params: Mapping[str, Any], quantity: str) -> frozenset[str]:
    """The quantities whose value `quantity` depends on, for this problem."""
    return _graph(solver, params)[0].get(quantity, frozenset())


def descendants(solver: str, params: Mapping[str, Any], quantity: str) -> frozenset[str]:
    """The quantities that depend on `quantity`, for this problem."""
    return _graph(solver, params)[1].get(quantity, frozenset())


def mover(solver: str, params: Mapping[str, Any], quantity: str) -> Callable[[Collection[str]], bool]:
    """Whether nudging a set of named quantities moves `quantity`, asked of many sets (every
    mistake in the library): read from the problem's graph, which problems of the same
    structure share, looked up once. The test raises KeyError for a name the solver does not
    return, ValueError for one that cannot be nudged (text, symbolic)."""
    reached = _graph(solver, params)[0].get(quantity, frozenset()) | {quantity}
    truth = solutions.solution(solver, params)
    floats = frozenset(name for name, value in truth.items() if type(value) is float)

    def moved_by(names: Collection[str]) -> bool:
        if floats.issuperset(names):  # all known and nudgeable (a practice problem's): a set test
            return not reached.isdisjoint(names)
        for name in names:
            value = truth[name]
            if type(value) is not float and not _nudgeable(value):  # a float always can be
                raise ValueError(f"{name} cannot be nudged")
            if name in reached:
                return True
        return False

    return moved_by


_BY_STRUCTURE = Memo(solutions.CACHE_SIZE)
_BY_PROBLEM = Memo(solutions.CACHE_SIZE)
_STRUCTURES = Memo(solutions.CACHE_SIZE)


def per_structure(solver: str, params: Mapping[str, Any], fact: Hashable, compute: Callable[[], Any]) -> Any:
    """A fact about which quantities of a problem move with what (its dependency graph, whether
    a changed convention can move a quantity), found once per structure of problem (see
    `structure_of`) and shared by every problem of that structure: the students of a
    randomised question have their own numbers but mostly share one. Remembered by the
    problem's content as well, so that a structure, a large tuple, is worked out and hashed
    once per problem and fact, not once per ask."""
    frozen = solutions.freeze_params(params)

    def shared() -> Any:
        structure = _STRUCTURES.get((solver, frozen), lambda: structure_of(solver, params))
        return _BY_STRUCTURE.get((structure, fact), compute)

    return _BY_PROBLEM.get((solver, frozen, fact), shared)


def _graph(solver: str, params: Mapping[str, Any]) -> tuple[Mapping[str, frozenset[str]], Mapping[str, frozenset[str]]]:
    """(upstream, downstream) of every quantity (see `per_structure`)."""
    return per_structure(solver, params, "graph", lambda: _dependencies(solver, params))


def structure_of(solver: str, params: Mapping[str, Any]) -> Hashable:
    """What decides which quantities of a problem move with which: the solver, the names,
    shapes and signs of its parameters and of every quantity it solves (a zero cuts a path,
    a sign picks a branch of a piecewise activation), and any text or symbolic value as is.
    Two problems alike in all of these have the same dependency graph."""
    truth = solutions.solution(solver, params)
    return (solver, tuple((name, _signs(params[name])) for name in sorted(params)),
            tuple((name, _signs(value)) for name, value in truth.items()))


def _signs(value: Any) -> Hashable:
    kind = type(value)
    # Plain numbers and lists of them without numpy: every quantity of every draw is asked.
    if kind is float or kind is int or (isinstance(value, (int, float)) and not isinstance(value, bool)):
        return (value > 0) - (value < 0)
    if value is None or isinstance(value, (str, bool)) or not _nudgeable(value):
        return repr(value)
    if kind is list and all(type(v) is float or type(v) is int for v in value):
        return (len(value),), tuple((v > 0) - (v < 0) for v in value)
    import numpy as np

    try:
        array = np.asarray(value, dtype=float)
    except (TypeError, ValueError):
        return repr(value)
    return array.shape, tuple(np.sign(array).astype(int).ravel().tolist())


def _nudgeable(value: Any) -> bool:
    return not (isinstance(value, (str, bool)) or hasattr(value, "free_symbols"))


def _dependencies(solver: str, params: Mapping[str, Any]) -> tuple[dict[str, frozenset[str]], dict[str, frozenset[str]]]:
    truth = dict(solutions.solution(solver, params).items())  # a plain dict: read for every pair of quantities
    upstream: dict[str, set[str]] = {name: set() for name in truth}
    downstream: dict[str, set[str]] = {name: set() for name in truth}
    for name, value in truth.items():
        if not _nudgeable(value):
            continue
        nudged = solutions.unremembered(solver, params, {name: nudge(value)})
        for other, moved in nudged.items():
            was = truth[other]
            # A quantity the nudge does not reach is computed as before, to the bit: most are,
            # and telling so needs no tolerance (a graph compares every pair of quantities).
            if other == name or (type(moved) is float and type(was) is float and moved == was):
                continue
            if not close(moved, was):
                upstream[other].add(name)
                downstream[name].add(other)
    return ({name: frozenset(found) for name, found in upstream.items()},
            {name: frozenset(found) for name, found in downstream.items()})


def nudge(value: Any) -> Any:
    """A value moved by PERTURBATION (relative for large scalars): far enough to show a dependence."""
    import numpy as np

    if isinstance(value, float):
        return value + PERTURBATION * max(1.0, abs(value))
    return np.asarray(value, dtype=float) + PERTURBATION


def close(a: Any, b: Any) -> bool:
    """Numerically the same (to rounding), for values of any shape; exact for anything else."""
    if type(a) is float and type(b) is float:
        return _near(a, b)
    import numpy as np

    try:
        x, y = np.asarray(a, dtype=float), np.asarray(b, dtype=float)
    except (TypeError, ValueError):
        return a == b
    if x.shape == y.shape:
        # entry by entry in Python: a graph compares thousands of short vectors, and numpy's
        # allclose costs tens of microseconds a call
        return all(map(_near, x.ravel().tolist(), y.ravel().tolist()))
    try:
        return bool(np.allclose(x, y, rtol=1e-9, atol=1e-12))
    except ValueError:  # shapes that do not broadcast
        return a == b


def _near(a: float, b: float) -> bool:
    """np.isclose(a, b, rtol=1e-9, atol=1e-12): within tolerance, or equal (infinities too)."""
    return a == b or (math.isfinite(a) and math.isfinite(b) and abs(a - b) <= 1e-12 + 1e-9 * abs(b))


def flat(value: Any) -> list[float]:
    """The entries of a number or array as plain floats."""
    import numpy as np

    return [float(v) for v in np.asarray(value, dtype=float).ravel()]
