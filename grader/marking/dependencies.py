"""Which quantities of a solver's problem depend on which.

Found empirically rather than declared: nudge one quantity through the solver's `given`
and see which others move. That works for every solver without a hand-written graph,
and it respects each solver's own rules for what an override recomputes.
"""

from __future__ import annotations

from typing import Any, Iterable, Mapping

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


def moves(solver: str, params: Mapping[str, Any], names: Iterable[str], quantity: str) -> bool:
    """Whether nudging the named quantities together moves `quantity`: one solve, where
    `ancestors` needs the whole graph (a solve per quantity)."""
    truth = solutions.solution(solver, params)
    nudged = {name: nudge(truth[name]) for name in names}
    if quantity in nudged:
        return True
    return not close(solutions.solution(solver, params, nudged)[quantity], truth[quantity])


_GRAPHS = Memo(1024)


def _graph(solver: str, params: Mapping[str, Any]) -> tuple[Mapping[str, frozenset[str]], Mapping[str, frozenset[str]]]:
    """(upstream, downstream) of every quantity, found once per problem."""
    return _GRAPHS.get((solver, solutions.freeze_params(params)), lambda: _dependencies(solver, params))


def _dependencies(solver: str, params: Mapping[str, Any]) -> tuple[dict[str, frozenset[str]], dict[str, frozenset[str]]]:
    truth = solutions.solution(solver, params)
    upstream: dict[str, set[str]] = {name: set() for name in truth}
    downstream: dict[str, set[str]] = {name: set() for name in truth}
    for name, value in truth.items():
        if isinstance(value, (str, bool)) or hasattr(value, "free_symbols"):
            continue
        nudged = solutions.solution(solver, params, {name: nudge(value)})
        for other, moved in nudged.items():
            if other != name and not close(moved, truth[other]):
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
        return a == b or abs(a - b) <= 1e-12 + 1e-9 * abs(b)  # np.allclose's rule, without its cost per call
    import numpy as np

    try:
        return bool(np.allclose(np.asarray(a, dtype=float), np.asarray(b, dtype=float), rtol=1e-9, atol=1e-12))
    except (TypeError, ValueError):
        return a == b


def flat(value: Any) -> list[float]:
    """The entries of a number or array as plain floats."""
    import numpy as np

    return [float(v) for v in np.asarray(value, dtype=float).ravel()]
