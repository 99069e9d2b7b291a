"""Self-assessment after a written answer: the student ticks the rubric points they covered.

The model answer and the rubric's points are shown as a numbered checklist; the student
types the numbers their answer covered. Both the self-assessment and the provisional score
are stored with the attempt. When they differ by more than one rubric point (in the
rubric's own weights), the student is told and the question is queued for review: the
stored attempt is marked `queued`, and review counts it as a miss.
"""

from __future__ import annotations

import re
from typing import Any, Callable

from rich.console import Group, RenderableType
from rich.text import Text

from grader.errors import ResponseError
from grader.marking import rubric
from grader.model import Question, Verdict
from grader.render import prose

PROMPT = "covered> "
APART = 1.0
"""Rubric weight by which self-assessment and provisional score may differ before review."""
_SPLIT = re.compile(r"[\s,;]+")


def points(question: Question) -> list[str]:
    """The checklist: the rubric's points (not its misconceptions), in order."""
    return [p.point for p in question.rubric if not p.misconception]


def checklist(question: Question) -> RenderableType:
    """The model answer, then the points as a numbered checklist."""
    lines: list[RenderableType] = [Text.assemble(("Model answer: ", "bold"), prose(str(question.answer)))]
    lines.append(Text("Which of these points did your answer make? Type their numbers (e.g. 1 3); "
                      "Enter for none; :skip to leave the checklist.", style="bold"))
    lines += [Text(f"  [{i}] {point}") for i, point in enumerate(points(question), 1)]
    return Group(*lines)


def parse_ticks(text: str, count: int) -> tuple[int, ...]:
    """The point numbers typed, e.g. '1 3' or '1,3'; ResponseError saying what to type."""
    ticks = []
    for token in (t for t in _SPLIT.split(text.strip()) if t):
        if not token.isdigit() or not 1 <= int(token) <= count:
            raise ResponseError(f"'{token[:20]}' is not a point number; type numbers from 1 to {count}, or Enter for none.")
        ticks.append(int(token))
    return tuple(sorted(set(ticks)))


def compare(question: Question, ticks: tuple[int, ...], verdict: Verdict) -> dict[str, Any]:
    """What is stored with the attempt: the ticks, both scores, and whether to queue it."""
    own = rubric.covered(question.rubric, ticks)
    total = sum(p.weight for p in question.rubric if not p.misconception)
    return {"self_assessment": {"ticked": list(ticks), "score": round(own, 6)},
            "provisional": round(verdict.score, 6),
            "queued": abs(own - verdict.score) * total > APART}


def ask(question: Question, verdict: Verdict, read: Callable[[str], str | None],
        show: Callable[[RenderableType], None]) -> dict[str, Any] | None:
    """Show the checklist, read the ticks, say how they compare; None when input ended."""
    show(checklist(question))
    while True:
        text = read(PROMPT)
        if text is None or text.strip().startswith(":"):  # :skip, or any command, leaves the checklist
            return None
        try:
            ticks = parse_ticks(text, len(points(question)))
        except ResponseError as exc:
            show(Text(str(exc), style="magenta"))
            continue
        record = compare(question, ticks, verdict)
        total = sum(p.weight for p in question.rubric if not p.misconception)
        own, given = record["self_assessment"]["score"] * total, verdict.score * total
        if record["queued"]:
            show(Text(f"Your checklist gives {own:.3g} of {total:.3g} points; the provisional score gives "
                      f"{given:.3g}. They differ by more than a point, so this question is queued for review.",
                      style="yellow"))
        else:
            show(Text(f"Your checklist gives {own:.3g} of {total:.3g} points; the provisional score gives {given:.3g}.",
                      style="dim"))
        return record
