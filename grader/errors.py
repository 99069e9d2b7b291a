"""Exceptions, typed by who has to act on them.

`BankError` is for bank authors and carries every problem found, each pointing at a
file and line. `ResponseError` is for students: their input could not be read, they are
told what to type instead, and no attempt is used up. `UsageError` is for whoever typed
a command line. All of them are caught at the CLI edge and printed as one-line messages.
"""

from __future__ import annotations

from dataclasses import dataclass


class QuizError(Exception):
    """Base of every error rnnquiz reports on purpose."""


@dataclass(frozen=True)
class Problem:
    """One thing wrong in a bank file, located for its author."""

    file: str
    line: int
    path: str
    message: str

    def __str__(self) -> str:
        where = f"{self.file}:{self.line}" if self.line else self.file
        return f"{where}: {self.path}: {self.message}" if self.path else f"{where}: {self.message}"


class BankError(QuizError):
    """A bank failed validation; `problems` lists everything found, not just the first."""

    def __init__(self, problems: list[Problem]) -> None:
        self.problems = list(problems)
        super().__init__("\n".join(str(p) for p in self.problems))


class ResponseError(QuizError):
    """A student's input could not be read. The message says what to type instead."""


class UsageError(QuizError):
    """A command line or input file that cannot be acted on."""
