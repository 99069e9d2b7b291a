"""Which questions to re-ask, and when: FSRS over a student's stored attempts.

A card is a question as a session asks it: a plain question, or a whole exercise. Each
time a session answers a card, the card's score there becomes an FSRS rating (a full
score is Good, a partial one Hard, nothing right Again) and the scheduler, with the
`fsrs` package's default parameters, gives the next due time. The schedule is replayed
from the stored attempts every time, so there is no second copy of the history to keep
in step, and an old database is scheduled from everything it holds. Only cards the
student has missed at least once are reviewed; among the due ones, those whose misses
name a misconception the student has shown repeatedly come first. A card remembers which
of its items were wrong the last time, so a review re-asks only those. Everything here
is pure: attempts in, cards out.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from typing import TYPE_CHECKING, Iterable, Mapping, Sequence

if TYPE_CHECKING:  # only a type here; importing the store would load sqlite3 into every command
    from grader.sessions.store import AttemptRow

REPEATED = 2
"""A misconception named this many times is a pattern, not a slip."""
LIMIT_DEFAULT = 20
"""Cards asked in one review session unless --limit says otherwise."""
LEARN_AHEAD = timedelta(minutes=6)
"""How early a card may be asked. FSRS's learning steps bring a miss back after 1 minute and
a partial answer (Hard) after 5.5; a review started right after a session should ask them
(Anki learns ahead by up to 20 minutes). 6 minutes keeps a right answer, due 10 minutes on,
out of the same sitting."""
FULL = 1 - 1e-9
"""A card score at least this is a full score (Good)."""


@dataclass(frozen=True)
class Outcome:
    """One answering of a card in one session."""

    card: str
    at: datetime
    score: float
    """The card's score in that session, 0..1 (the items it asked, latest try of each)."""
    misconceptions: tuple[str, ...] = ()
    wrong: frozenset[str] = frozenset()
    """The items of the card not answered correctly there."""

    @property
    def success(self) -> bool:
        """Whether every item asked was answered correctly."""
        return self.score >= FULL


@dataclass(frozen=True)
class Card:
    """A card's place in the schedule after all its outcomes."""

    id: str
    due: datetime
    stability: float
    """FSRS stability in days: how long the memory is expected to last (higher = better known)."""
    reviews: int
    misses: int
    misconceptions: tuple[str, ...]
    priority: int
    """Times the student has shown this card's most repeated misconception (0 below REPEATED)."""
    wrong: frozenset[str] = frozenset()
    """Items missed at the card's latest answering; empty means: ask all of it."""


def card_id(question_id: str) -> str:
    """The card a stored item belongs to: an exercise part (`bank/task1.a`) to its exercise."""
    return question_id.split(".", 1)[0]


def rating_for(score: float) -> int:
    """The FSRS rating of a card score: full Good, partial Hard, nothing Again."""
    from fsrs import Rating

    if score >= FULL:
        return Rating.Good
    return Rating.Hard if score > 1e-9 else Rating.Again


def outcomes(attempts: Iterable[AttemptRow], items: Mapping[str, frozenset[str]],
             asked: Mapping[int, Mapping[str, Sequence[str]]] | None = None) -> list[Outcome]:
    """Group attempts by session and card; `items` maps each known card to the item ids it asks.

    `asked` gives, per session, the items a review session asked of a card (only the
    ones missed before); other sessions asked all of a card's items. An item's latest
    try in a session counts, and an item asked but not answered (skipped) scores 0.
    Cards missing from `items` (no longer in any bank) are left out.
    """
    asked = asked or {}
    groups: dict[tuple[int, str], list[AttemptRow]] = {}
    for attempt in attempts:
        card = card_id(attempt.question_id)
        if card in items:
            groups.setdefault((attempt.session_id, card), []).append(attempt)
    out = []
    for (session_id, card), rows in groups.items():
        latest = {row.question_id: row for row in rows}
        wanted = frozenset(asked.get(session_id, {}).get(card, ())) & items[card] or items[card]
        score = sum(latest[i].score if i in latest else 0.0 for i in wanted) / len(wanted)
        wrong = frozenset(i for i in wanted if i not in latest or latest[i].status != "correct")
        named = tuple(dict.fromkeys(row.misconception for row in rows if row.misconception))
        at = max(datetime.fromisoformat(row.answered_at) for row in rows)
        out.append(Outcome(card, at, score, named, wrong))
    return sorted(out, key=lambda o: o.at)


def scheduler() -> object:
    """The FSRS scheduler: default parameters; no fuzz, so a replayed history always gives the same dates."""
    from fsrs import Scheduler  # imported on use: only `review` needs it

    return Scheduler(enable_fuzzing=False)


def schedule(history: Sequence[Outcome]) -> list[Card]:
    """Every card's due time and stability after replaying `history` in time order."""
    from fsrs import Card as FsrsCard

    fsrs = scheduler()
    seen = Counter(m for outcome in history if not outcome.success for m in outcome.misconceptions)
    state: dict[str, tuple[object, int, int, tuple[str, ...], frozenset[str]]] = {}
    for outcome in sorted(history, key=lambda o: o.at):
        at = outcome.at.astimezone(timezone.utc)
        memory, reviews, misses, named, _ = state.get(outcome.card, (FsrsCard(card_id=0, due=at), 0, 0, (), frozenset()))
        memory, _log = fsrs.review_card(memory, rating_for(outcome.score), at)
        if not outcome.success:
            misses += 1
            named = tuple(dict.fromkeys(named + outcome.misconceptions))
        state[outcome.card] = (memory, reviews + 1, misses, named, outcome.wrong)
    cards = []
    for card, (memory, reviews, misses, named, wrong) in state.items():
        top = max((seen[m] for m in named), default=0)
        cards.append(Card(card, memory.due, memory.stability or 0.0, reviews, misses, named,
                          top if top >= REPEATED else 0, wrong))
    return cards


def due(cards: Iterable[Card], now: datetime, limit: int = LIMIT_DEFAULT) -> list[Card]:
    """The missed cards due at `now` (or within LEARN_AHEAD): repeated misconceptions first, then the
    least stable, then the most overdue."""
    ready = [card for card in cards if card.misses and card.due <= now + LEARN_AHEAD]
    ready.sort(key=lambda c: (-c.priority, c.stability, c.due, c.id))
    return ready[:limit]


def next_due(cards: Iterable[Card]) -> datetime | None:
    """When the next missed card becomes due, or None when nothing was ever missed."""
    return min((card.due for card in cards if card.misses), default=None)
