"""A short written answer, scored provisionally against rubric points, with evidence."""

from __future__ import annotations

from typing import Any

from grader.errors import ResponseError
from grader.marking import rubric
from grader.marking.kinds.base import MAX_TEXT_CHARS, Examples, bounded
from grader.model import Question, Verdict, status_for


class TextKind:
    """A short written answer, scored provisionally against rubric points."""

    name = "text"
    fields = frozenset({"answer", "rubric", "examples"})
    needs_key = True

    def key(self, question: Question, value: Any) -> str:
        return str(value)

    def parse(self, question: Question, text: str) -> str:
        text = bounded(text, MAX_TEXT_CHARS)
        if not text:
            raise ResponseError("Write a short answer in words; it is checked against the points a full answer makes.")
        return text

    def check(self, question: Question, response: str, key: str) -> Verdict:
        score, evidence, uncertain = rubric.assess(question.rubric, response)
        return Verdict(status_for(score), score, rubric.feedback(evidence, uncertain),
                       interpreted_as=self.format(question, response), needs_review=True,
                       evidence=evidence, uncertain=uncertain)

    def format(self, question: Question, response: str) -> str:
        flat = " ".join(response.split())
        return flat if len(flat) <= 80 else flat[:77] + "…"

    def examples(self, question: Question, key: str) -> Examples:
        return Examples(right=(key,), wrong=("xyzzy",), invalid=("", "  "))
