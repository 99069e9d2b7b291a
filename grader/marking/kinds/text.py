"""A short written answer, scored provisionally against rubric points."""

from __future__ import annotations

import functools
import re
from typing import Any

from grader.errors import ResponseError
from grader.marking.kinds.base import MAX_TEXT_CHARS, Examples, bounded, fold
from grader.model import Question, Verdict, status_for


class TextKind:
    """A short written answer, scored provisionally against rubric points."""

    name = "text"
    fields = frozenset({"answer", "rubric"})
    needs_key = True

    def key(self, question: Question, value: Any) -> str:
        return str(value)

    def parse(self, question: Question, text: str) -> str:
        text = bounded(text, MAX_TEXT_CHARS)
        if not text:
            raise ResponseError("Write a short answer in words; it is checked against the points a full answer makes.")
        return text

    def check(self, question: Question, response: str, key: str) -> Verdict:
        folded = fold(response)
        found = [p for p in question.rubric if any(_matches(pattern, folded, response) for pattern in p.patterns)]
        total = sum(p.weight for p in question.rubric)
        score = sum(p.weight for p in found) / total if total else 0.0
        missing = [p.point for p in question.rubric if p not in found]
        feedback = f"Provisional: {len(found)} of {len(question.rubric)} rubric points found."
        if missing:
            feedback += " Not found: " + "; ".join(missing) + "."
        feedback += " An instructor will review this answer."
        return Verdict(status_for(score), score, feedback, interpreted_as=self.format(question, response), needs_review=True)

    def format(self, question: Question, response: str) -> str:
        flat = " ".join(response.split())
        return flat if len(flat) <= 80 else flat[:77] + "…"

    def examples(self, question: Question, key: str) -> Examples:
        return Examples(right=(key,), wrong=("xyzzy",), invalid=("", "  "))


def _matches(pattern: str, folded: str, original: str) -> bool:
    if pattern.startswith("re:"):
        return re.search(pattern[3:], original, re.IGNORECASE) is not None
    return _folded_pattern(pattern) in folded


@functools.lru_cache(maxsize=4096)
def _folded_pattern(pattern: str) -> str:
    return fold(pattern)


