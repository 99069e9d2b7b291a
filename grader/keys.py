"""What a question's key is: a literal from the bank, or a value recomputed by its solver.

Choice and multi questions are keyed by their letters; a solver attached to them is a
claim about the options that `rnnquiz verify` checks (a randomised one without a letter
is keyed by whichever option states the solver's value). Every other solver-backed
question takes its key from the solver, so a typed-in literal is never trusted over the math.
"""

from __future__ import annotations

import json
from typing import Any, Mapping

from grader.errors import BankError, Problem
from grader.kinds import KINDS
from grader.model import Question


def expected(question: Question) -> Any:
    """The key of a question in the form its kind's `check` compares against (computed once per question)."""
    remembered = _EXPECTED.get(id(question))
    if remembered is not None and remembered[0] is question:
        return remembered[1]
    key = _expected(question)
    if len(_EXPECTED) >= CACHE_SIZE:
        _EXPECTED.clear()
    # The question object is kept with its key, so its id cannot be reused while remembered.
    _EXPECTED[id(question)] = (question, key)
    return key


def _expected(question: Question) -> Any:
    kind = KINDS[question.kind]
    if question.kind == "exercise":
        return {part.part: expected(part) for part in question.parts}
    if question.options and question.answer is None:
        from grader.options import keyed

        # A randomised choice: which letter is right can change with the drawn numbers.
        return kind.key(question, keyed(question))
    if question.solver and question.quantity and not question.options:
        try:
            value = solution(question.solver, question.params)[question.quantity]
        except ValueError as exc:
            raise BankError([Problem(question.id, question.line, "", f"cannot compute the key: {exc}")]) from None
    else:
        value = question.answer
    return kind.key(question, value)


_EXPECTED: dict[int, tuple[Question, Any]] = {}


def solution(solver: str, params: Mapping[str, Any], given: Mapping[str, Any] | None = None) -> Mapping[str, Any]:
    """A solver's named quantities for these params and overrides (cached: grading asks repeatedly).

    Raises the solver's SolverError (a ValueError) for parameters it cannot take.
    """
    cache_key = (solver, freeze(params), freeze(given or {}))
    found = _CACHE.get(cache_key)
    if found is None:
        from solvers import SOLVERS

        found = SOLVERS[solver].solve(params, given=given or None)
        if len(_CACHE) >= CACHE_SIZE:
            _CACHE.pop(next(iter(_CACHE)))
        _CACHE[cache_key] = found
    return found


CACHE_SIZE = 20_000
"""Solutions kept; a class's repeated slips make most follow-through solves cache hits."""
_CACHE: dict[tuple[str, str, str], Mapping[str, Any]] = {}


def freeze(mapping: Mapping[str, Any]) -> str:
    """Params as canonical text: hashable, so equal params share one cached solution."""
    # A question's params are one long-lived object asked about thousands of times in a batch;
    # keeping the object itself in the memo makes its id safe to reuse as the key.
    remembered = _FROZEN.get(id(mapping))
    if remembered is not None and remembered[0] is mapping:
        return remembered[1]
    text = json.dumps(mapping, sort_keys=True, default=_plain)
    if len(_FROZEN) >= CACHE_SIZE:
        _FROZEN.clear()
    _FROZEN[id(mapping)] = (mapping, text)
    return text


_FROZEN: dict[int, tuple[Mapping[str, Any], str]] = {}


def _plain(value: Any) -> Any:
    if hasattr(value, "free_symbols"):
        return f"sympy:{value!r}"
    if hasattr(value, "tolist"):
        return value.tolist()
    return float(value)
