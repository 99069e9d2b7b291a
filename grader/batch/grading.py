"""One submission file, graded inside its own boundary.

`grade_file` is the unit of work of `rnnquiz grade`: it takes one path and returns either
the graded row or a one-line refusal naming the file (and the question, when one question
is what failed). Whatever goes wrong inside, a hostile file, an unknown bank, shown work
the solver cannot use, or a bug, stays inside: the rest of the class is still graded.
`Roster` refuses a second file for a student already graded, naming both files.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Mapping, Protocol, Sequence, TypeVar

from grader.batch import submissions
from grader.banks.catalog import Catalog
from grader.errors import QuizError
from grader.batch.gradebook import Graded, QuestionFailed, grade_submission
from grader.batch.overrides import Override
from grader.batch.groups import GroupOverride
from grader.textsafe import one_line


class _Student(Protocol):
    @property
    def student(self) -> str: ...

    @property
    def path(self) -> str: ...


_Admitted = TypeVar("_Admitted", bound="_Student | Refused")


@dataclass(frozen=True)
class Refused:
    """A file that was not graded, and why, in one line."""

    path: str
    reason: str

    @property
    def line(self) -> str:
        """The refusal as one printable line that names the file."""
        return one_line(self.reason)


def grade_file(catalog: Catalog, found: submissions.Found, overrides: Mapping[str, Mapping[str, Override]],
               group_overrides: Sequence[GroupOverride] = ()) -> Graded | Refused:
    """Read, validate and grade one submission file; never raises for anything in the file."""
    name = one_line(str(found.path))
    try:
        submission = submissions.load(found)
        return grade_submission(catalog, submission, overrides.get(submission.student, {}), group_overrides)
    except QuizError as exc:  # SubmissionError names the file already; an unknown bank does not
        message = str(exc)
        return Refused(str(found.path), message if message.startswith(name) else f"{name}: refused: {message}")
    except QuestionFailed as exc:
        return Refused(str(found.path), f"{name}: refused: {exc.question}: {cause(exc.cause)}")
    except Exception as exc:  # noqa: BLE001  the boundary: one bad file never stops the class
        return Refused(str(found.path), f"{name}: refused: {cause(exc)}")


def cause(exc: BaseException) -> str:
    """What went wrong, for a refusal line: a bank's own message, or an internal error named as one."""
    if isinstance(exc, QuizError):
        return str(exc)
    return f"internal error ({type(exc).__name__}: {exc}); please report it with this file"


class Roster:
    """The students graded so far in a batch: a second file for one student is refused.

    Only each student's id and first file are kept, so a streamed class keeps no more."""

    def __init__(self) -> None:
        self.first: dict[str, str] = {}

    def admit(self, outcome: _Admitted) -> _Admitted | Refused:
        """`outcome`, or a refusal when its student was already graded from another file."""
        if isinstance(outcome, Refused):
            return outcome
        first = self.first.get(outcome.student)
        if first is None:
            self.first[outcome.student] = outcome.path
            return outcome
        also = "named twice" if first == outcome.path else f"also in {one_line(first)}"
        return Refused(outcome.path, f"{one_line(outcome.path)}: refused: student '{outcome.student}' is {also}; "
                                     "keep one file per student")
