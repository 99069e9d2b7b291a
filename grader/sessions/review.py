"""Which questions to re-ask, and when: Leitner boxes over a student's stored attempts.

A card is a question as a session asks it: a plain question, or a whole exercise (a
success then means every part answered correctly). A card starts in box 1. A miss sends
it back to box 1, which is due at once; a success moves it up a box, and box k is due
2^(k-1) days after the card was last answered. Only cards the student has missed at
least once are reviewed. Among the due cards, those whose misses name a misconception
the student has shown repeatedly come first. Everything here is pure: attempts in,
cards out.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Iterable, Mapping, Sequence

if TYPE_CHECKING:  # only a type here; importing the store would load sqlite3 into every command
    from grader.sessions.store import AttemptRow

FIRST_BOX = 1
MAX_BOX = 5
"""Highest box: a card there comes back every 2^(MAX_BOX-1) = 16 days."""
REPEATED = 2
"""A misconception named this many times is a pattern, not a slip."""
LIMIT_DEFAULT = 20
"""Cards asked in one review session unless --limit says otherwise."""


@dataclass(frozen=True)
class Outcome:
    """One answering of a card in one session."""

    card: str
    at: datetime
    success: bool
    misconceptions: tuple[str, ...] = ()


@dataclass(frozen=True)
class Card:
    """A card's place in the schedule after all its outcomes."""

    id: str
    box: int
    due: datetime
    misses: int
    misconceptions: tuple[str, ...]
    priority: int
    """Times the student has shown this card's most repeated misconception (0 below REPEATED)."""


def card_id(question_id: str) -> str:
    """The card a stored item belongs to: an exercise part (`bank/task1.a`) to its exercise."""
    return question_id.split(".", 1)[0]


def interval(box: int) -> timedelta:
    """How long after its last answer a card in `box` is due: box 1 at once, box k after 2^(k-1) days."""
    return timedelta(0) if box <= FIRST_BOX else timedelta(days=2 ** (box - 1))


def outcomes(attempts: Iterable[AttemptRow], items: Mapping[str, frozenset[str]]) -> list[Outcome]:
    """Group attempts by session and card; `items` maps each known card to the item ids it asks.

    A card succeeds in a session only when every one of its items was answered correctly
    there, so an exercise with a skipped part is a miss. Cards missing from `items` (no
    longer in any bank) are left out: they cannot be asked again.
    """
    groups: dict[tuple[int, str], list[AttemptRow]] = {}
    for attempt in attempts:
        card = card_id(attempt.question_id)
        if card in items:
            groups.setdefault((attempt.session_id, card), []).append(attempt)
    out = []
    for (_, card), rows in groups.items():
        # A self-assessment far from the provisional score queues the question: a miss.
        correct = {row.question_id for row in rows if row.status == "correct" and not row.verdict.get("queued")}
        named = tuple(dict.fromkeys(row.misconception for row in rows if row.misconception))
        at = max(datetime.fromisoformat(row.answered_at) for row in rows)
        out.append(Outcome(card, at, items[card] <= correct, named))
    return sorted(out, key=lambda o: o.at)


def schedule(history: Sequence[Outcome]) -> list[Card]:
    """Every card's box and due time after replaying `history` in time order."""
    seen = Counter(m for outcome in history if not outcome.success for m in outcome.misconceptions)
    state: dict[str, tuple[int, datetime, int, tuple[str, ...]]] = {}
    for outcome in sorted(history, key=lambda o: o.at):
        box, _, misses, named = state.get(outcome.card, (FIRST_BOX, outcome.at, 0, ()))
        if outcome.success:
            state[outcome.card] = (min(box + 1, MAX_BOX), outcome.at, misses, named)
        else:
            named = tuple(dict.fromkeys(named + outcome.misconceptions))
            state[outcome.card] = (FIRST_BOX, outcome.at, misses + 1, named)
    cards = []
    for card, (box, last, misses, named) in state.items():
        top = max((seen[m] for m in named), default=0)
        cards.append(Card(card, box, last + interval(box), misses, named, top if top >= REPEATED else 0))
    return cards


def due(cards: Iterable[Card], now: datetime, limit: int = LIMIT_DEFAULT) -> list[Card]:
    """The missed cards due at `now`: repeated misconceptions first, then lower boxes, then most overdue."""
    ready = [card for card in cards if card.misses and card.due <= now]
    ready.sort(key=lambda c: (-c.priority, c.box, c.due, c.id))
    return ready[:limit]


def next_due(cards: Iterable[Card]) -> datetime | None:
    """When the next missed card becomes due, or None when nothing was ever missed."""
    return min((card.due for card in cards if card.misses), default=None)
