"""Self-assessment after a written answer: the checklist in a real pseudo-terminal, what is
stored, and when the question is queued for review."""

from __future__ import annotations

from pathlib import Path

import pexpect
import pytest

from grader.errors import ResponseError
from grader.model import Question, RubricPoint, Source, Verdict
from grader.sessions import review, selfcheck
from grader.sessions.store import Store
from tests.session.test_terminal import PROMPT, answer, spawn

QUESTION = Question(
    "demo/q", "text", "Why?", "", Source("000", "1"), answer="Gradients vanish through repeated multiplication.",
    rubric=(RubricPoint("names vanishing gradients", 2, (("vanish*",),)),
            RubricPoint("says why", 1, (("multipl*",),)),
            RubricPoint("Wrong idea.", -1, (("overfit*",),))))


@pytest.mark.parametrize("text, ticks", [("", ()), ("1 2", (1, 2)), ("2,1", (1, 2)), (" 2 ; 2 ", (2,))])
def test_ticks_are_point_numbers(text: str, ticks: tuple[int, ...]) -> None:
    assert selfcheck.parse_ticks(text, 2) == ticks


@pytest.mark.parametrize("text", ["3", "0", "a", "1 x"])
def test_other_ticks_say_what_to_type(text: str) -> None:
    with pytest.raises(ResponseError, match="numbers from 1 to 2"):
        selfcheck.parse_ticks(text, 2)


def test_checklist_leaves_out_misconceptions() -> None:
    assert selfcheck.points(QUESTION) == ["names vanishing gradients", "says why"]


@pytest.mark.parametrize("ticks, provisional, queued", [
    ((1, 2), 1.0, False),
    ((1,), 1.0, False),      # 2 of 3 against 3 of 3: one point apart
    ((), 1.0, True),         # 0 against 3: three points apart
    ((1, 2), 0.0, True),
])
def test_queued_when_more_than_a_point_apart(ticks: tuple[int, ...], provisional: float, queued: bool) -> None:
    record = selfcheck.compare(QUESTION, ticks, Verdict("partial", provisional, ""))
    assert record["queued"] is queued
    assert record["provisional"] == provisional and record["self_assessment"]["ticked"] == list(ticks)


def test_a_queued_attempt_is_a_miss_for_review(db: Path) -> None:
    with Store(db) as store:
        session = store.start_session("pat", ["demo"], "practice", ["demo/q4"])
        attempt = store.record(session.id, "demo/q4", "gradients vanish", Verdict("correct", 1.0, ""))
        (outcome,) = review.outcomes(store.attempts(), {"demo/q4": frozenset({"demo/q4"})})
        assert outcome.success
        store.annotate(attempt, {"queued": True})
        (outcome,) = review.outcomes(store.attempts(), {"demo/q4": frozenset({"demo/q4"})})
        assert not outcome.success


def test_checklist_in_a_terminal_is_stored_and_queues(bank_dir: Path, db: Path) -> None:
    child = spawn(bank_dir, db, "demo")
    answer(child, "B", "correct")
    answer(child, "A,C", "correct")
    answer(child, "6", "correct")
    child.expect_exact("4/5 · demo/q4")
    answer(child, "it is hard because of overfitting", "incorrect")
    child.expect_exact("Model answer:")
    child.expect_exact("Gradients vanish through repeated multiplication.")
    child.expect_exact("[1] names vanishing gradients")
    child.expect_exact("[2] says why")
    child.expect_exact(selfcheck.PROMPT)
    child.sendline("7")
    child.expect_exact("numbers from 1 to 2")
    child.expect_exact(selfcheck.PROMPT)
    child.sendline("1 2")
    child.expect_exact("queued for review")
    child.expect_exact(PROMPT)
    child.sendline(":quit")
    child.expect(pexpect.EOF)
    child.close()
    with Store(db) as store:
        stored = store.attempts(question_id="demo/q4")[0].verdict
    assert stored["self_assessment"] == {"ticked": [1, 2], "score": 1.0}
    assert stored["provisional"] == 0 and stored["queued"] is True
    assert stored["evidence"][0]["state"] == "missed"


def test_quit_at_the_checklist_leaves_the_session_resumable(bank_dir: Path, db: Path) -> None:
    child = spawn(bank_dir, db, "demo", "--tag", "vanishing")
    answer(child, "gradients vanish by repeated multiplication", "correct")
    child.expect_exact(selfcheck.PROMPT)
    child.sendline(":quit")
    child.expect_exact("saved; resume with rnnquiz take --resume")
    child.expect(pexpect.EOF)
    child.close()
    with Store(db) as store:
        (attempt,) = store.attempts()
        (session,) = store.sessions()
    assert attempt.question_id == "demo/q4" and "self_assessment" not in attempt.verdict
    assert not session.finished
