"""Formulas (`expression`) and matrices or vectors of formulas (`matrix`), judged by value
equivalence: sampling first, sympy only when needed.

The parser is imported at first use, so `list`, `show` and `check` on a choice stay fast.
"""

from __future__ import annotations

from typing import Any

from grader.marking.compare import declared, same_value
from grader.marking.diagnose import with_diagnosis
from grader.marking.kinds.base import MAX_CHOICE_CHARS, Examples, bounded
from grader.model import Question, Verdict


class ExpressionKind:
    """A formula, judged by value equivalence (sampling first, sympy only when needed)."""

    name = "expression"
    fields = frozenset({"answer", "variables", "functions", "tolerance", "misconceptions", "form"})
    needs_key = True
    allow_matrix = False

    def key(self, question: Question, value: Any) -> Any:
        from grader.mathinput import mathparse  # at first use: keeps start-up fast

        if isinstance(value, (str, int, float, list)) and not isinstance(value, bool):
            return mathparse.parse(_formula_text(value), variables=declared(question),
                                   functions=question.functions, allow_matrix=self.allow_matrix)
        return mathparse.from_sympy(value)

    def parse(self, question: Question, text: str) -> Any:
        from grader.mathinput import mathparse  # at first use: keeps start-up fast

        return mathparse.parse(bounded(text, MAX_CHOICE_CHARS), variables=list(question.variables),
                               functions=question.functions, allow_matrix=self.allow_matrix)

    def check(self, question: Question, response: Any, key: Any) -> Verdict:
        shown = self.format(question, response)
        decision = same_value(question, key, response)
        if decision.equivalent:
            return Verdict("correct", 1.0, "Correct.", interpreted_as=shown, method=decision.method)
        if decision.equivalent is None:
            return Verdict("incorrect", 0.0, f"Could not be decided automatically ({decision.detail or decision.method}); "
                           "flagged for an instructor.", interpreted_as=shown, method=decision.method, needs_review=True)
        for wrong in question.misconceptions:
            if same_value(question, self.key(question, wrong.answer), response).equivalent:
                return Verdict("incorrect", 0.0, wrong.feedback, interpreted_as=shown, method=decision.method,
                               misconception=wrong.misconception, alternatives=wrong.also)
        feedback = decision.detail if decision.method == "shape" else f"{shown} is not equal to the answer."
        return with_diagnosis(question, response, Verdict("incorrect", 0.0, feedback, interpreted_as=shown,
                                                      method=decision.method))

    def format(self, question: Question, response: Any) -> str:
        return response.interpreted_as()

    def examples(self, question: Question, key: Any) -> Examples:
        wrong = [_shifted(key)] + [_formula_text(w.answer) for w in question.misconceptions]
        return Examples(right=(key.interpreted_as(),), wrong=tuple(wrong), invalid=("", "(", "zz_unknown_name + 1"))


class MatrixKind(ExpressionKind):
    """A matrix or vector of formulas, compared entry by entry after its shape."""

    name = "matrix"
    fields = frozenset({"answer", "variables", "functions", "tolerance", "misconceptions"})
    allow_matrix = True


def _shifted(key: Any) -> str:
    """The key with 1 added to it (to its first entry, for a matrix): a wrong answer by construction."""
    if not hasattr(key, "rows"):
        return f"({key.interpreted_as()}) + 1"
    rows = [[f.interpreted_as() for f in row] for row in key.rows]
    rows[0][0] = f"({rows[0][0]}) + 1"
    inner = ["[" + ", ".join(row) + "]" for row in rows]
    return inner[0] if key.vector else "[" + ", ".join(inner) + "]"


def _formula_text(value: Any) -> str:
    if isinstance(value, list):
        return "[" + ", ".join(_formula_text(v) for v in value) + "]"
    return str(value)


