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
from grader.memo import Memo
from grader.model import Question


def expected(question: Question) -> Any:
    """The key of a question in the form its kind's `check` compares against (computed once per question)."""
    return _EXPECTED.for_object(question, None, lambda: _expected(question))


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


def solution(solver: str, params: Mapping[str, Any], given: Mapping[str, Any] | None = None) -> Mapping[str, Any]:
    """A solver's named quantities for these params and overrides (cached: grading asks repeatedly).

    Raises the solver's SolverError (a ValueError) for parameters it cannot take.
    """
    from solvers import SOLVERS

    return _SOLUTIONS.get((solver, freeze(params), freeze(given or {})),
                          lambda: SOLVERS[solver].solve(params, given=given or None))


CACHE_SIZE = 20_000
"""Entries per memo table; a class's repeated slips make most follow-through solves hits."""
_SOLUTIONS = Memo(CACHE_SIZE)
_EXPECTED = Memo(CACHE_SIZE)
_FROZEN = Memo(CACHE_SIZE)


def freeze(mapping: Mapping[str, Any]) -> str:
    """Params as canonical text: hashable, so equal params share one cached solution."""
    # A question's params are one long-lived object asked about thousands of times in a batch.
    return _FROZEN.for_object(mapping, None, lambda: json.dumps(mapping, sort_keys=True, default=_plain))


def _plain(value: Any) -> Any:
    if hasattr(value, "free_symbols"):
        return f"sympy:{value!r}"
    if hasattr(value, "tolist"):
        return value.tolist()
    return float(value)
