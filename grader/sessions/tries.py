"""How many tries a session gives at one item, and what each extra try costs.

As in STACK and Numbas, a bank (or a question, or a part) may set `attempts:` and
`penalty:`; a practice session otherwise allows PRACTICE_ATTEMPTS tries with
PRACTICE_PENALTY taken off per try after the first. An exam asks once: it gives no
feedback to try again on. Only graded answers are tries; unreadable input never is.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

from grader.model import Bank, Question, Verdict

PRACTICE_ATTEMPTS = 2
"""Tries per item in practice and review when the bank does not say."""
PRACTICE_PENALTY = 0.1
"""Score taken off per try after the first when the bank does not say (STACK's default)."""


@dataclass(frozen=True)
class Tries:
    """The tries allowed at one item and the penalty per extra try."""

    attempts: int
    penalty: float

    def left(self, used: int) -> int:
        """Tries still open after `used` graded answers."""
        return max(0, self.attempts - used)

    def penalised(self, verdict: Verdict, attempt_no: int) -> Verdict:
        """The verdict of try `attempt_no`, its score lowered by the penalty for the tries before it."""
        cut = self.penalty * (attempt_no - 1)
        if cut <= 0 or verdict.score <= 0:
            return verdict
        score = max(0.0, verdict.score - cut)
        note = f" Score {verdict.score:.2f} less {cut:.2f} for {attempt_no - 1} earlier {_tries(attempt_no - 1)}."
        return replace(verdict, score=score, feedback=verdict.feedback + note)


def tries_for(item: Question, bank: Bank | None, mode: str) -> Tries:
    """The tries an item gets: the item's (or its exercise's) setting, else its bank's, else the mode's."""
    if mode == "exam":
        return Tries(1, 0.0)
    attempts = item.attempts if item.attempts is not None else (bank.attempts if bank else None)
    penalty = item.penalty if item.penalty is not None else (bank.penalty if bank else None)
    return Tries(attempts if attempts is not None else PRACTICE_ATTEMPTS,
                 penalty if penalty is not None else PRACTICE_PENALTY)


def left_text(left: int) -> str:
    """`1 try left` / `2 tries left`."""
    return f"{left} {_tries(left)} left"


def _tries(count: int) -> str:
    return "try" if count == 1 else "tries"
