"""The seam for question kinds: the `KINDS` registry and `grade`.

A kind turns a student's text into a response (`parse`), judges it against the key
(`check`), and echoes how it read the input (`format`). `key` turns a bank's literal
answer, or a solver's value, into what `check` compares against, and `examples` gives
the inputs its self-test must grade right, wrong and invalid. Adding a kind is one module
in this package and one entry in `PART_KINDS` (or here, for a kind that holds parts); the
loader learns its fields from the class.
"""

from __future__ import annotations

from typing import Any

from grader.marking.kinds.base import Kind
from grader.marking.kinds.exercise import ExerciseKind
from grader.marking.kinds.parts import PART_KINDS, parse_and_check
from grader.model import Question, Verdict

KINDS: dict[str, Kind] = {**PART_KINDS, "exercise": ExerciseKind()}


def grade(question: Question, text: str, key: Any) -> Verdict:
    """Parse and check one response; unreadable input becomes an `invalid` verdict."""
    return parse_and_check(KINDS[question.kind], question, text, key)[1]
