"""A solver's named quantities for a problem, computed once and remembered: grading, diagnosis
and follow-through ask for the same solves many times over."""

from __future__ import annotations

import json
from typing import Any, Hashable, Iterable, Mapping

from grader.marking.memo import Memo


def solution(solver: str, params: Mapping[str, Any], given: Mapping[str, Any] | None = None) -> Mapping[str, Any]:
    """A solver's named quantities for these params and overrides (cached: grading asks repeatedly).

    Raises the solver's SolverError (a ValueError) for parameters it cannot take.
    """
    return _SOLUTIONS.get((solver, freeze_params(params), freeze(given) if given else ()),
                          lambda: _prepared(solver, params).solve(given))


def solve_ahead(solver: str, params: Mapping[str, Any], givens: Iterable[Mapping[str, Any]]) -> None:
    """Solve one problem under several overrides together and remember the solutions, so that
    the `solution` calls that follow find them: the rnn solver runs them as lanes of one pass.

    Only a speed-up, with the same values: if the batch fails, each `solution` call solves
    on its own and reports its own failure, as it always did.
    """
    frozen = freeze_params(params)
    wanted: dict[Hashable, Mapping[str, Any]] = {}
    for given in givens:
        key = (solver, frozen, freeze(given) if given else ())
        if key not in _SOLUTIONS:
            wanted.setdefault(key, given)
    if len(wanted) < 2:
        return
    try:
        solved = _prepared(solver, params).solve_many(list(wanted.values()))
    except Exception:  # noqa: BLE001 - the single solves that follow raise it where it belongs
        return
    for key, found in zip(wanted, solved):
        _SOLUTIONS.put(key, found)


def value(solver: str, params: Mapping[str, Any], given: Mapping[str, Any], quantity: str) -> Any:
    """A quantity's value under overrides, or None when the model cannot take them (a carried
    value of the wrong shape, the log of a negative)."""
    try:
        return solution(solver, params, given).get(quantity)
    except Exception:  # noqa: BLE001 - any failure of a student's carried value means "no value"
        return None


def quantities(solver: str, params: Mapping[str, Any]) -> tuple[str, ...]:
    """The names a solver returns for these params (cached, like `solution`)."""
    return _prepared(solver, params).known


def _prepared(solver: str, params: Mapping[str, Any]) -> Any:
    from solvers import SOLVERS  # at first use: the registry is cheap, but a solve needs only it

    # Binding params and naming quantities is done once per problem, not once per override.
    return _PREPARED.get((solver, freeze_params(params)), lambda: SOLVERS[solver].prepare(params))


CACHE_SIZE = 4_000
"""Entries per memo table; a class's repeated slips make most follow-through solves hits.
A randomised student fills about a hundred entries that no other student reads, so the
cap bounds a batch's memory (seven tables use it), not its hit rate."""
_SOLUTIONS = Memo(CACHE_SIZE)
_PREPARED = Memo(CACHE_SIZE)
_FROZEN = Memo(CACHE_SIZE)


def freeze(mapping: Mapping[str, Any]) -> Hashable:
    """A mapping as a canonical hashable value: equal mappings freeze alike."""
    if all(type(v) is float or type(v) is int for v in mapping.values()):
        # Follow-through solves with thousands of fresh {quantity: number} overrides: a sorted
        # tuple is canonical for them and far cheaper than JSON (2 and 2.0 solve alike).
        return tuple(sorted(mapping.items()))
    return json.dumps(mapping, sort_keys=True, default=_plain)


def freeze_params(params: Mapping[str, Any]) -> Hashable:
    """`freeze` for a problem's params, remembered by identity: a question's params are one
    long-lived object asked about thousands of times in a batch."""
    return _FROZEN.for_object(params, None, lambda: freeze(params))


def _plain(value: Any) -> Any:
    if hasattr(value, "free_symbols"):
        return f"sympy:{value!r}"
    if hasattr(value, "tolist"):
        return value.tolist()
    return float(value)
