"""A numeric answer, judged within the question's tolerance."""

from __future__ import annotations

from typing import Any

from grader.marking.diagnose import with_diagnosis
from grader.marking.kinds.base import MAX_CHOICE_CHARS, Examples, bounded
from grader.model import Question, Verdict
from grader.numbers import format_number


class NumberKind:
    """A numeric answer, judged within the question's tolerance."""

    name = "number"
    fields = frozenset({"answer", "tolerance", "misconceptions"})
    needs_key = True

    def key(self, question: Question, value: Any) -> float:
        return float(value)

    def parse(self, question: Question, text: str) -> float:
        from grader.mathinput.mathparse import parse_number  # at first use: keeps start-up fast

        return parse_number(bounded(text, MAX_CHOICE_CHARS))

    def check(self, question: Question, response: float, key: float) -> Verdict:
        shown = self.format(question, response)
        tolerance = question.number_tolerance
        if tolerance.accepts(response, key):
            return Verdict("correct", 1.0, "Correct.", interpreted_as=shown, method="numeric tolerance")
        for wrong in question.misconceptions:
            if isinstance(wrong.answer, (int, float)) and tolerance.accepts(response, float(wrong.answer)):
                return Verdict(
                    "incorrect", 0.0, wrong.feedback, interpreted_as=shown,
                    method="numeric tolerance", misconception=wrong.misconception, alternatives=wrong.also,
                )
        return with_diagnosis(question, response, Verdict("incorrect", 0.0, f"{shown} is not right.",
                                                      interpreted_as=shown, method="numeric tolerance"))

    def format(self, question: Question, response: float) -> str:
        return format_number(response)

    def examples(self, question: Question, key: float) -> Examples:
        off = max(1.0, abs(key)) * 0.5
        wrong = [key + off, key - off] + [float(w.answer) for w in question.misconceptions
                                           if isinstance(w.answer, (int, float))]
        return Examples(right=(repr(float(key)), format_number(key)),
                        wrong=tuple(repr(w) for w in wrong), invalid=("", "abc", "1/0"))


