"""The kinds a part of an exercise may have, and grading one answer with a kind."""

from __future__ import annotations

from typing import Any

from grader.errors import QuizError, ResponseError
from grader.marking.kinds.base import Kind
from grader.marking.kinds.choice import ChoiceKind, MultiKind
from grader.marking.kinds.expression import ExpressionKind, MatrixKind
from grader.marking.kinds.number import NumberKind
from grader.marking.kinds.text import TextKind
from grader.marking.memo import Memo
from grader.model import Question, Verdict

PART_KINDS: dict[str, Kind] = {
    kind.name: kind for kind in (ChoiceKind(), MultiKind(), NumberKind(), ExpressionKind(), MatrixKind(), TextKind())
}


def parse_and_check(kind: Kind, question: Question, text: str, key: Any) -> tuple[Any, Verdict]:
    """The parsed response (None if unreadable) and its verdict; unreadable input is `invalid`.

    This is the boundary of one answer: a grader bug on odd input makes this answer invalid
    (not counted, as unreadable input is not) instead of ending a session, a check or a batch.
    """
    try:
        response = kind.parse(question, text)
        return response, kind.check(question, response, key)
    except ResponseError as exc:
        return None, Verdict("invalid", 0.0, str(exc))
    except QuizError:
        raise  # a bank or variant problem, reported as such by the caller
    except Exception as exc:  # noqa: BLE001
        return None, Verdict("invalid", 0.0, f"This answer could not be graded ({type(exc).__name__}: {exc}); "
                                             "it is not counted. Please report it.", method="internal error")


def graded_part(part: Question, text: str, key: Any) -> tuple[Any, Verdict]:
    """An exercise part's parsed value (None if unreadable) and verdict, remembered per part
    and text: a class repeats part answers, and follow-through needs the value as well."""
    return _PARTS.for_object(part, text, lambda: parse_and_check(PART_KINDS[part.kind], part, text, key))


_PARTS = Memo(20_000)
