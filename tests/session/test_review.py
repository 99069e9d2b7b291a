"""Leitner scheduling: misses come back sooner than successes; repeated misconceptions first."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest

from grader.sessions import review
from grader.sessions.review import Outcome
from grader.sessions.store import AttemptRow

T0 = datetime(2025, 3, 1, 9, 0, tzinfo=timezone.utc)


def day(n: float) -> datetime:
    return T0 + timedelta(days=n)


def attempt(session: int, question: str, status: str, at: datetime, misconception: str | None = None) -> AttemptRow:
    score = {"correct": 1.0, "partial": 0.5, "incorrect": 0.0}[status]
    return AttemptRow(0, session, "ann", "practice", question, "x", status, score, misconception,
                      {"status": status, "score": score}, None, at.isoformat(), None, None)


@pytest.mark.parametrize("box, days", [(1, 0), (2, 2), (3, 4), (4, 8), (5, 16)])
def test_interval(box: int, days: int) -> None:
    assert review.interval(box) == timedelta(days=days)


@pytest.mark.parametrize("question_id, card", [("demo/q1", "demo/q1"), ("in5400/task1.a", "in5400/task1")])
def test_card_id(question_id: str, card: str) -> None:
    assert review.card_id(question_id) == card


# (history as (day, success) pairs, expected box, expected due day)
SCHEDULES = [
    ([(0, False)], 1, 0),
    ([(0, True)], 2, 2),
    ([(0, False), (1, True)], 2, 3),
    ([(0, False), (1, True), (3, True)], 3, 7),
    ([(0, False), (1, True), (3, True), (7, False)], 1, 7),
    ([(0, True), (2, True), (6, True), (14, True), (30, True), (46, True)], 5, 62),
]


@pytest.mark.parametrize("history, box, due_day", SCHEDULES)
def test_schedule(history: list[tuple[int, bool]], box: int, due_day: int) -> None:
    (card,) = review.schedule([Outcome("demo/q1", day(d), ok) for d, ok in history])
    assert (card.box, card.due) == (box, day(due_day))


def test_misses_come_back_sooner_than_successes() -> None:
    cards = review.schedule([Outcome("demo/missed", day(0), False), Outcome("demo/right", day(0), False),
                             Outcome("demo/right", day(0.5), True)])
    due = {c.id: c.due for c in cards}
    assert due["demo/missed"] < due["demo/right"]
    assert [c.id for c in review.due(cards, day(1))] == ["demo/missed"]
    assert [c.id for c in review.due(cards, day(3))] == ["demo/missed", "demo/right"]


def test_never_missed_cards_are_not_reviewed() -> None:
    cards = review.schedule([Outcome("demo/easy", day(0), True)])
    assert review.due(cards, day(100)) == []
    assert review.next_due(cards) is None


def test_repeated_misconception_comes_first() -> None:
    history = [
        Outcome("demo/a", day(0), False),
        Outcome("demo/b", day(0.1), False, ("forgot-h0",)),
        Outcome("demo/c", day(0.2), False, ("forgot-h0",)),
        Outcome("demo/d", day(0.3), False, ("sign-error",)),
    ]
    order = [c.id for c in review.due(review.schedule(history), day(1))]
    assert order[:2] == ["demo/b", "demo/c"]
    assert set(order[2:]) == {"demo/a", "demo/d"}


def test_repeated_on_the_same_question_counts_too() -> None:
    history = [
        Outcome("demo/a", day(0), False),
        Outcome("demo/b", day(0), False, ("forgot-output-layer",)),
        Outcome("demo/b", day(1), False, ("forgot-output-layer",)),
    ]
    cards = {c.id: c for c in review.schedule(history)}
    assert cards["demo/b"].priority == 2 and cards["demo/a"].priority == 0
    assert [c.id for c in review.due(cards.values(), day(2))] == ["demo/b", "demo/a"]


def test_a_single_misconception_is_not_a_pattern() -> None:
    history = [Outcome("demo/a", day(0), False, ("slip",)), Outcome("demo/b", day(0), False)]
    assert [c.priority for c in review.schedule(history)] == [0, 0]


def test_limit_and_lower_boxes_first() -> None:
    history = [Outcome(f"demo/q{i}", day(0), False) for i in range(5)]
    history += [Outcome("demo/q0", day(1), True), Outcome("demo/q0", day(3), False),  # back in box 1, later
                Outcome("demo/q9", day(0), False), Outcome("demo/q9", day(1), True)]  # box 2, due day 3
    chosen = review.due(review.schedule(history), day(10), limit=6)
    assert [c.box for c in chosen] == [1, 1, 1, 1, 1, 2]
    assert [c.id for c in review.due(review.schedule(history), day(10), limit=2)] == ["demo/q1", "demo/q2"]


def test_outcomes_group_exercise_parts_by_session() -> None:
    items = {"demo/ex1": frozenset({"demo/ex1.a", "demo/ex1.b"}), "demo/q1": frozenset({"demo/q1"})}
    attempts = [
        attempt(1, "demo/ex1.a", "correct", day(0)),
        attempt(1, "demo/ex1.b", "correct", day(0.01)),
        attempt(2, "demo/ex1.a", "correct", day(1)),          # b skipped: not a success
        attempt(3, "demo/ex1.a", "incorrect", day(2), "forgot-h0"),
        attempt(3, "demo/ex1.b", "correct", day(2.01)),
        attempt(3, "demo/q1", "partial", day(2.02)),           # partial is a miss
        attempt(3, "gone/q7", "incorrect", day(2.03)),         # no longer in a bank
    ]
    got = [(o.card, o.at, o.success, o.misconceptions) for o in review.outcomes(attempts, items)]
    assert got == [
        ("demo/ex1", day(0.01), True, ()),
        ("demo/ex1", day(1), False, ()),
        ("demo/ex1", day(2.01), False, ("forgot-h0",)),
        ("demo/q1", day(2.02), False, ()),
    ]


def test_next_due() -> None:
    cards = review.schedule([Outcome("demo/a", day(0), False), Outcome("demo/a", day(1), True),
                             Outcome("demo/b", day(0), False), Outcome("demo/b", day(2), True),
                             Outcome("demo/b", day(4), True)])
    assert review.next_due(cards) == day(3)
