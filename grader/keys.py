"""What a question's key is: a literal from the bank, or a value recomputed by its solver.

Choice and multi questions are keyed by their letters; a solver attached to them is a
claim about the options that `rnnquiz verify` checks. Every other solver-backed question
takes its key from the solver, so a typed-in literal is never trusted over the math.
"""

from __future__ import annotations

import json
from functools import lru_cache
from typing import Any, Mapping

from grader.errors import BankError, Problem
from grader.kinds import KINDS
from grader.model import Question


def expected(question: Question) -> Any:
    """The key of a question in the form its kind's `check` compares against."""
    kind = KINDS[question.kind]
    if question.kind == "exercise":
        return {part.part: expected(part) for part in question.parts}
    if question.solver and question.quantity and not question.options:
        value = solution(question.solver, question.params)[question.quantity]
    else:
        value = question.answer
    return kind.key(question, value)


def solution(solver: str, params: Mapping[str, Any], given: Mapping[str, Any] | None = None) -> Mapping[str, Any]:
    """A solver's named quantities for these params (cached: banks ask repeatedly)."""
    return _solve(solver, _freeze(params), _freeze(given or {}))


@lru_cache(maxsize=4096)
def _solve(solver: str, params: str, given: str) -> Mapping[str, Any]:
    from solvers import SOLVERS

    try:
        return SOLVERS[solver].solve(json.loads(params), given=json.loads(given) or None)
    except ValueError as exc:
        raise BankError([Problem(f"solver {solver}", 0, "", f"cannot compute the key: {exc}")]) from None


def _freeze(mapping: Mapping[str, Any]) -> str:
    # JSON text is hashable and canonical, so equal params share one cached solution.
    return json.dumps(mapping, sort_keys=True, default=_plain)


def _plain(value: Any) -> Any:
    if hasattr(value, "tolist"):
        return value.tolist()
    return float(value)
