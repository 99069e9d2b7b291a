"""A solver's named quantities for a problem, computed once and remembered: grading, diagnosis
and follow-through ask for the same solves many times over."""

from __future__ import annotations

import json
from typing import Any, Hashable, Mapping

from grader.marking.memo import Memo
from solvers import SOLVERS  # the registry is cheap to import; a solver's module loads on first solve


def solution(solver: str, params: Mapping[str, Any], given: Mapping[str, Any] | None = None) -> Mapping[str, Any]:
    """A solver's named quantities for these params and overrides (cached: grading asks repeatedly).

    Raises the solver's SolverError (a ValueError) for parameters it cannot take.
    """
    frozen = freeze_params(params)
    return _SOLUTIONS.get((solver, frozen, _overrides_key(given)),
                          lambda: _prepared(solver, params, frozen).solve(given))


def _overrides_key(given: Mapping[str, Any] | None) -> Hashable:
    if not given:
        return ()
    if len(given) >= 3 and not _NUMBERS.issuperset(map(type, given.values())):
        # Several arrays at once are a misconception's, asked about again by the diagnosis of
        # every wrong part of a draw: frozen once, by identity, like params.
        return freeze_params(given)
    # Numbers freeze fast as they are (a follow-through story, a scalar problem's mistake);
    # one or two arrays are a fresh follow-through story each time, not worth remembering.
    return freeze(given)


def unremembered(solver: str, params: Mapping[str, Any], given: Mapping[str, Any]) -> Mapping[str, Any]:
    """`solution` for overrides that are asked about once (a dependency graph's nudges): solved
    on the problem's prepared solver and not kept, so they do not push out what is asked again."""
    return _prepared(solver, params).solve(given)


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


def _prepared(solver: str, params: Mapping[str, Any], frozen: Hashable | None = None) -> Any:
    # Binding params and naming quantities is done once per problem, not once per override.
    return _PREPARED.get((solver, frozen if frozen is not None else freeze_params(params)),
                         lambda: SOLVERS[solver].prepare(params))


CACHE_SIZE = 4_000
"""Entries per memo table; a class's repeated slips make most follow-through solves hits.
A randomised student fills about a hundred entries that no other student reads, so the
cap bounds a batch's memory (seven tables use it), not its hit rate."""
_SOLUTIONS = Memo(CACHE_SIZE)
_PREPARED = Memo(CACHE_SIZE)
_FROZEN = Memo(CACHE_SIZE)


def freeze(mapping: Mapping[str, Any]) -> Hashable:
    """A mapping as a canonical hashable value: equal mappings freeze alike."""
    if _NUMBERS.issuperset(map(type, mapping.values())):
        # Follow-through solves with thousands of fresh {quantity: number} overrides: a set of
        # pairs is canonical for them, built without sorting or JSON (2 and 2.0 solve alike).
        return frozenset(mapping.items())
    if all(map(_is_plain, mapping.values())):
        # A problem's params (lists of numbers, names of functions): repr tells 2 from 2.0 and
        # True from 1 as JSON does, and costs a quarter of it; it cannot look like JSON's "{...".
        return repr(sorted(mapping.items()))
    return json.dumps(mapping, sort_keys=True, default=_plain)


_NUMBERS = frozenset((int, float))
_SCALARS = frozenset((int, float, str, bool, type(None)))


def _is_plain(value: Any) -> bool:
    """Whether repr writes `value` out in full: numbers, text and lists of them (not arrays)."""
    kind = type(value)
    if kind in _SCALARS:
        return True
    # a list of scalars (a sequence of inputs) is told in one set test; nested ones element by element
    return (kind is list or kind is tuple) and (_SCALARS.issuperset(map(type, value)) or all(map(_is_plain, value)))


def freeze_params(params: Mapping[str, Any]) -> Hashable:
    """`freeze` for a long-lived mapping that is never changed, remembered by identity: a
    question's params (asked about thousands of times in a batch), a misconception's overrides."""
    return _FROZEN.for_object(params, None, lambda: freeze(params))


def _plain(value: Any) -> Any:
    if hasattr(value, "free_symbols"):
        return f"sympy:{value!r}"
    if hasattr(value, "tolist"):
        return value.tolist()
    return float(value)
