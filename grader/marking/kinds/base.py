"""What every question kind provides (`Kind`), its self-test inputs (`Examples`), and the
input checks all kinds share."""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from typing import Any, Protocol

from grader.errors import ResponseError
from grader.model import Question, Verdict

MAX_CHOICE_CHARS = 2_000
MAX_TEXT_CHARS = 10_000
"""Longest written answer accepted; an essay this long is not a short answer."""


class Kind(Protocol):
    """What every question kind provides."""

    name: str
    fields: frozenset[str]
    """Fields a question of this kind may have beyond the common ones."""
    needs_key: bool
    """Whether a literal `answer` or a solver quantity is required."""

    def key(self, question: Question, value: Any) -> Any:
        """Turn a literal answer or solver value into what `check` compares with."""

    def parse(self, question: Question, text: str) -> Any:
        """Read a student's text; raise ResponseError saying what to type instead."""

    def check(self, question: Question, response: Any, key: Any) -> Verdict:
        """Judge a parsed response against the key."""

    def format(self, question: Question, response: Any) -> str:
        """A canonical, readable echo of the parsed response."""

    def examples(self, question: Question, key: Any) -> Examples:
        """Inputs that must grade correct, below 1, and invalid: the question's self-test."""


@dataclass(frozen=True)
class Examples:
    """Generated test inputs for one question, in the spirit of PrairieLearn's `test()`."""

    right: tuple[str, ...]
    wrong: tuple[str, ...]
    invalid: tuple[str, ...]


def fold(text: str) -> str:
    """Case- and space-insensitive form for matching option texts and rubric fragments."""
    return " ".join(unicodedata.normalize("NFKC", text).casefold().split())


def bounded(text: str, limit: int) -> str:
    """A student's text, stripped, after the checks every kind makes: text, not too long, no NUL."""
    if not isinstance(text, str):
        raise ResponseError("Type your answer as text.")
    if len(text) > limit:
        raise ResponseError(f"That answer is {len(text):,} characters long; answers here are limited to {limit:,}.")
    if "\x00" in text:
        raise ResponseError("The answer contains a NUL byte; type plain text.")
    return text.strip()

