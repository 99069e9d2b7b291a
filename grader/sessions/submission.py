"""A finished (or unfinished) session written as a submission file, for `rnnquiz grade`.

The file holds the student's latest answer to each item, the variant seed, and the numbers
each randomised question drew (`draws:`), so the grader grades on exactly what the student
was shown and need not draw the variant again.
"""

from __future__ import annotations

from typing import Any, Sequence

from grader.marking.variants import show
from grader.sessions.store import AttemptRow, SessionRow


def submission(session: SessionRow, attempts: Sequence[AttemptRow]) -> dict[str, Any]:
    """The submission mapping of one session (attempts in the order they were made)."""
    answers: dict[str, str] = {}
    draws: dict[str, dict[str, str]] = {}
    seeds: set[int] = set()
    for attempt in attempts:
        answers[attempt.question_id] = attempt.answer  # a later try replaces an earlier one
        if attempt.variant_params:
            draws[_question_of(attempt.question_id, session.plan)] = {
                name: show(value) for name, value in attempt.variant_params.items()}
            seeds.add(attempt.variant_seed)
    out: dict[str, Any] = {"student": session.student, "questions": list(session.plan)}
    if len(seeds) == 1 and None not in seeds:
        out["seed"] = str(seeds.pop())
    if draws and "seed" in out:
        out["draws"] = draws
    out["answers"] = answers
    return out


def _question_of(item: str, plan: Sequence[str]) -> str:
    """The planned question an attempted item belongs to (`practice/bptt` for `practice/bptt.a`)."""
    return next((q for q in plan if item == q or item.startswith(q + ".")), item)
