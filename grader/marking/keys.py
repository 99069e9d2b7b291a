"""What a question's key is: a literal from the bank, or a value recomputed by its solver.

Choice and multi questions are keyed by their letters; a solver attached to them is a
claim about the options that `rnnquiz verify` checks (a randomised one without a letter
is keyed by whichever option states the solver's value). Every other solver-backed
question takes its key from the solver, so a typed-in literal is never trusted over the math.
"""

from __future__ import annotations

from typing import Any

from grader.errors import BankError, Problem
from grader.marking.kinds import KINDS
from grader.marking.memo import Memo
from grader.marking.options import keyed
from grader.marking.solutions import CACHE_SIZE, solution
from grader.model import Question


def expected(question: Question) -> Any:
    """The key of a question in the form its kind's `check` compares against (computed once per question)."""
    return _EXPECTED.for_object(question, None, lambda: _expected(question))


def _expected(question: Question) -> Any:
    kind = KINDS[question.kind]
    if question.kind == "exercise":
        return {part.part: expected(part) for part in question.parts}
    if question.options and question.answer is None:
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


_EXPECTED = Memo(CACHE_SIZE)
