"""Is a student's value the same as a key or a solver's value? The one equivalence decision
that kinds, options, diagnosis and follow-through share.

The parser and the equivalence check are imported at first use: a choice question never
needs them, and `check` on a choice must not pay for their start-up.
"""

from __future__ import annotations

import functools
import math
from typing import Any

from grader.model import Question


def same_value(question: Question, key: Any, response: Any) -> Any:
    """The equivalence decision for a formula question, with its domains and tolerance."""
    from grader.mathinput import equivalence

    domains = {name: domain for name, domain in question.variables.items() if domain}
    options: dict[str, Any] = {"domains": domains or None, "form": question.form}
    if question.tolerance is not None:
        options["tolerance"] = question.tolerance
    return equivalence.compare(key, response, **options)


def same_answer(question: Question, value: Any, expected: Any) -> bool:
    """Does a student's value (number or formula) equal a solver value (number, array, sympy)?"""
    if hasattr(value, "interpreted_as"):
        from grader.mathinput import mathparse  # at first use: keeps start-up fast

        try:
            other = _formula_of(expected) if hasattr(expected, "free_symbols") else \
                mathparse.parse(repr(float(expected)))
        except (TypeError, ValueError):
            return False
        return bool(same_value(question, other, value).equivalent)
    if hasattr(expected, "free_symbols"):
        return False
    if type(value) is float and type(expected) is float:
        # Follow-through compares thousands of plain floats; numpy costs ~10x more per pair.
        tolerance = question.number_tolerance
        return math.isfinite(expected) and abs(value - expected) <= tolerance.abs + tolerance.rel * abs(expected)
    try:
        import numpy as np

        a = np.asarray(value, dtype=float)
        b = np.asarray(expected, dtype=float)
    except (TypeError, ValueError):
        return str(value).strip().casefold() == str(expected).strip().casefold()
    if a.shape != b.shape or not np.all(np.isfinite(b)):
        return False
    tolerance = question.number_tolerance
    return bool(np.all(np.abs(a - b) <= tolerance.abs + tolerance.rel * np.abs(b)))


@functools.lru_cache(maxsize=1024)
def _formula_of(expr: Any) -> Any:
    """A solver's sympy value as a formula, once per value (sympy objects are hashable)."""
    from grader.mathinput import mathparse  # at first use: keeps start-up fast

    return mathparse.from_sympy(expr)


def option_value(question: Question, option: Any) -> Any:
    """What an option states: its formula (parsed), or its value; None for text or chain options."""
    if option.expr is not None:
        from grader.mathinput import mathparse  # at first use: keeps start-up fast

        return mathparse.parse(option.expr, variables=declared(question), functions=question.functions)
    return option.value


def declared(question: Question) -> list[str] | None:
    # A question without declared variables keys in free mode: any name in the key is a variable.
    return list(question.variables) or None


def reproduces(question: Question, value: Any, expected: Any) -> bool:
    """`same_answer`, and False where there is no expected value (a solve that could not take
    a student's carried values)."""
    return expected is not None and same_answer(question, value, expected)
