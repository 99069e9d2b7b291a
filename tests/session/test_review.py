"""FSRS scheduling: ratings from scores, due dates, misses before successes, repeated misconceptions first."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest

from fsrs import Rating

from grader.sessions import review
from grader.sessions.review import Card, Outcome
from grader.sessions.store import AttemptRow

T0 = datetime(2025, 3, 1, 9, 0, tzinfo=timezone.utc)


def day(n: float) -> datetime:
    return T0 + timedelta(days=n)


def attempt(session: int, question: str, status: str, at: datetime, misconception: str | None = None) -> AttemptRow:
    score = {"correct": 1.0, "partial": 0.5, "incorrect": 0.0}[status]
    return AttemptRow(0, session, "ann", "practice", question, "x", status, score, misconception,
                      {"status": status, "score": score}, None, at.isoformat(), None, None)


@pytest.mark.parametrize("question_id, card", [("demo/q1", "demo/q1"), ("in5400/task1.a", "in5400/task1")])
def test_card_id(question_id: str, card: str) -> None:
    assert review.card_id(question_id) == card


def outcome(card: str, at: datetime, score: float, *named: str) -> Outcome:
    return Outcome(card, at, score, tuple(named))


@pytest.mark.parametrize("score, rating", [(1.0, Rating.Good), (0.9, Rating.Hard), (0.25, Rating.Hard),
                                           (0.0, Rating.Again)])
def test_rating_for(score: float, rating: Rating) -> None:
    assert review.rating_for(score) == rating


def test_first_answer_is_due_after_a_learning_step() -> None:
    (missed,) = review.schedule([outcome("demo/q1", T0, 0.0)])
    (right,) = review.schedule([outcome("demo/q1", T0, 1.0)])
    assert missed.due == T0 + timedelta(minutes=1)      # FSRS's first learning step
    assert right.due == T0 + timedelta(minutes=10)      # Good moves to the second step


def good_streak(reviews: int) -> list[Card]:
    """Cards after 1..`reviews` Good answers, each given exactly when the card fell due."""
    history, cards, at = [], [], T0
    for _ in range(reviews):
        history.append(outcome("demo/q1", at, 1.0))
        (card,) = review.schedule(history)
        cards.append(card)
        at = card.due
    return cards


def test_each_success_on_time_pushes_the_next_review_further_out() -> None:
    cards = good_streak(6)
    gaps = [b.due - a.due for a, b in zip(cards, cards[1:])]
    assert all(later > earlier for earlier, later in zip(gaps, gaps[1:]))
    assert gaps[-1] > timedelta(days=7)
    assert [c.stability for c in cards[1:]] == sorted(c.stability for c in cards[1:])


def test_again_hard_good_order_their_due_dates() -> None:
    known = [outcome("demo/q1", T0, 1.0), outcome("demo/q1", T0 + timedelta(minutes=10), 1.0)]
    then = T0 + timedelta(days=3)
    due = {score: review.schedule(known + [outcome("demo/q1", then, score)])[0].due for score in (0.0, 0.5, 1.0)}
    assert then < due[0.0] <= then + timedelta(minutes=10)   # a lapse relearns within minutes
    assert due[0.0] < due[0.5] < due[1.0]
    assert due[0.5] >= then + timedelta(days=1)


def test_replay_is_deterministic_and_order_independent() -> None:
    history = [outcome("demo/q1", day(d), s) for d, s in [(0, 0.0), (0.5, 1.0), (2, 0.5), (5, 1.0), (9, 0.0)]]
    first = review.schedule(history)
    assert review.schedule(list(reversed(history))) == first == review.schedule(history)
    assert first[0].reviews == 5 and first[0].misses == 3


def test_misses_come_back_sooner_than_successes() -> None:
    cards = review.schedule([Outcome("demo/missed", day(0), False), Outcome("demo/right", day(0), False),
                             Outcome("demo/right", day(0.5), True)])
    due = {c.id: c.due for c in cards}
    assert due["demo/missed"] < due["demo/right"]
    assert [c.id for c in review.due(cards, day(0.5) + timedelta(minutes=1))] == ["demo/missed"]
    assert [c.id for c in review.due(cards, day(3))] == ["demo/missed", "demo/right"]  # the less stable first


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


def test_limit_and_least_stable_first() -> None:
    history = [Outcome(f"demo/q{i}", day(0), 0.0) for i in range(5)]
    history += [Outcome("demo/q9", day(0), 0.0), Outcome("demo/q9", day(0.01), 1.0),
                Outcome("demo/q9", day(1), 1.0)]  # recalled twice since its miss: more stable
    chosen = review.due(review.schedule(history), day(30), limit=6)
    assert [c.id for c in chosen][-1] == "demo/q9"
    assert chosen[-1].stability > chosen[0].stability
    assert [c.id for c in review.due(review.schedule(history), day(30), limit=2)] == ["demo/q0", "demo/q1"]


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
    # demo/a: a miss, then right a day later: the second learning step, 10 minutes on
    assert review.next_due(cards) == day(1) + timedelta(minutes=10)
    assert review.next_due(review.schedule([Outcome("demo/c", day(0), 1.0)])) is None


def test_a_review_session_is_judged_on_the_items_it_asked() -> None:
    items = {"demo/ex1": frozenset({"demo/ex1.a", "demo/ex1.b"})}
    attempts = [
        attempt(1, "demo/ex1.a", "incorrect", day(0)),
        attempt(1, "demo/ex1.a", "correct", day(0.001)),     # a second try counts, not the first
        attempt(1, "demo/ex1.b", "incorrect", day(0.01)),
        attempt(2, "demo/ex1.b", "correct", day(1)),          # review session 2 asked only b
    ]
    first, second = review.outcomes(attempts, items, {2: {"demo/ex1": ["demo/ex1.b"]}})
    assert (first.score, first.wrong) == (0.5, frozenset({"demo/ex1.b"}))
    assert (second.score, second.success, second.wrong) == (1.0, True, frozenset())
    (card,) = review.schedule([first])
    assert card.wrong == frozenset({"demo/ex1.b"})           # what the next review asks
