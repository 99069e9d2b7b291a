"""Item statistics over a graded class: which questions and misconceptions trip it.

Per item (question or exercise part): facility (mean score), discrimination (the
point-biserial correlation of the item's score with the rest of the test, so an item is
not correlated with itself), the upper-minus-lower 27 % difference, the most common wrong
answers and misconceptions. Per topic: mean mastery.

The class is never kept: each submission adds its contributions to running sums
(`Tally`), so statistics of 100,000 students take the memory of a few thousand numbers
per item, and any number of worker processes give the same sums (they are added in file
order by one process).
"""

from __future__ import annotations

import math
from collections import Counter, defaultdict
from dataclasses import dataclass
from typing import Any, Iterable

from rich.console import Group, RenderableType
from rich.table import Table
from rich.text import Text

from grader.banks.catalog import Catalog
from grader.charts import bar_chart
from grader.errors import QuizError
from grader.batch.gradebook import Graded
from grader.textsafe import one_line

GROUP_SHARE = 0.27
"""Kelley's upper and lower groups: the top and bottom 27 % of total scores."""
TOP = 3


@dataclass(frozen=True)
class ItemStats:
    """The statistics of one item."""

    item: str
    topic: str
    n: int
    facility: float
    discrimination: float | None
    upper_lower: float | None
    wrong_answers: tuple[tuple[str, int], ...]
    misconceptions: tuple[tuple[str, int], ...]


@dataclass(frozen=True)
class ClassStats:
    """Item and topic statistics of a class."""

    items: tuple[ItemStats, ...]
    topics: tuple[tuple[str, float, int], ...]

    def to_json(self) -> dict[str, Any]:
        """JSON for scripts."""
        return {
            "items": [{"item": s.item, "topic": s.topic, "n": s.n, "facility": round(s.facility, 4),
                       "discrimination": None if s.discrimination is None else round(s.discrimination, 4),
                       "upper_lower": None if s.upper_lower is None else round(s.upper_lower, 4),
                       "wrong_answers": [{"answer": a, "count": c} for a, c in s.wrong_answers],
                       "misconceptions": [{"id": m, "count": c} for m, c in s.misconceptions]} for s in self.items],
            "topics": [{"topic": t, "mastery": round(m, 4), "items": n} for t, m, n in self.topics],
        }


Contribution = tuple[str, float, float, "str | None", "str | None"]
"""One item of one student for the statistics: (item, score, rest of the total, wrong
answer as read or None, misconception or None)."""


def contributions(graded: Graded) -> tuple[Contribution, ...]:
    """What one graded submission adds to the class statistics: a few numbers and names per
    item, so a worker process can send them and the class need not be kept."""
    total = graded.total
    out = []
    for result in graded.results:
        items = [(f"{result.question}.{pid}", v, 1.0) for pid, v in result.verdict.parts] or \
                [(result.question, result.verdict, result.points)]
        for item, verdict, worth in items:
            wrong = verdict.interpreted_as if verdict.status != "correct" and verdict.interpreted_as else None
            out.append((item, verdict.score, total - verdict.score * worth, wrong, verdict.misconception or None))
    return tuple(out)


WRONG_KEPT = 1_000
"""Distinct wrong answers counted per item; past it the rarest are forgotten (a class of
100,000 types unboundedly many one-off answers, and only the most common are shown)."""
REST_GRID = 2
"""Decimals the rest-of-test score is ranked to for the upper−lower index: memory is then
bounded by the score scale, not the class; students tied on it share their group."""


class _Item:
    """Running sums of one item: Welford's co-moments for the point-biserial, the scores by
    rest-of-test score for the upper−lower index, bounded counters of wrong answers."""

    __slots__ = ("n", "mean_x", "mean_y", "sxx", "syy", "sxy", "by_rest", "wrong", "named")

    def __init__(self) -> None:
        self.n = 0
        self.mean_x = self.mean_y = self.sxx = self.syy = self.sxy = 0.0
        self.by_rest: dict[float, list[float]] = {}
        self.wrong: Counter = Counter()
        self.named: Counter = Counter()

    def add(self, score: float, rest: float, wrong: str | None, named: str | None) -> None:
        self.n += 1
        dx, dy = score - self.mean_x, rest - self.mean_y
        self.mean_x += dx / self.n
        self.mean_y += dy / self.n
        self.sxx += dx * (score - self.mean_x)
        self.syy += dy * (rest - self.mean_y)
        self.sxy += dx * (rest - self.mean_y)
        cell = self.by_rest.setdefault(round(rest, REST_GRID), [0, 0.0])
        cell[0] += 1
        cell[1] += score
        if wrong is not None:
            self.wrong[wrong] += 1
            if len(self.wrong) > WRONG_KEPT:
                self.wrong = Counter(dict(self.wrong.most_common(WRONG_KEPT // 2)))
        if named is not None:
            self.named[named] += 1

    def point_biserial(self) -> float | None:
        if self.n < 3 or self.sxx <= 1e-12 * self.n or self.syy <= 1e-12 * self.n:
            return None
        return self.sxy / math.sqrt(self.sxx * self.syy)

    def upper_lower(self) -> float | None:
        size = max(1, round(GROUP_SHARE * self.n))
        if self.n < 2 * size or self.n < 4:
            return None
        ranked = sorted(self.by_rest.items())
        return _group_mean([c for _, c in reversed(ranked)], size) - _group_mean([c for _, c in ranked], size)


def _group_mean(cells: list[list[float]], size: int) -> float:
    """Mean score of the first `size` students of `cells` ([count, score sum] in rank order);
    a cell straddling the cut contributes its mean score for the places left."""
    left, total = size, 0.0
    for count, score_sum in cells:
        take = min(left, count)
        total += score_sum * take / count
        left -= take
        if not left:
            break
    return total / size


class Tally:
    """Item statistics accumulated one submission at a time, in bounded memory."""

    def __init__(self) -> None:
        self._items: dict[str, _Item] = {}

    def add(self, contributions: Iterable[Contribution]) -> None:
        """Count one submission's contributions (in file order, so any number of worker
        processes give the same sums)."""
        for item, score, rest, wrong, named in contributions:
            stats = self._items.get(item)
            if stats is None:
                stats = self._items[item] = _Item()
            stats.add(score, rest, wrong, named)

    def __bool__(self) -> bool:
        return bool(self._items)

    def result(self, catalog: Catalog) -> ClassStats:
        """The statistics of everything counted so far."""
        topic_of = _topics(catalog, self._items)
        items = tuple(
            ItemStats(name, topic_of[name], s.n, s.mean_x, s.point_biserial(), s.upper_lower(),
                      tuple(s.wrong.most_common(TOP)), tuple(s.named.most_common(TOP)))
            for name, s in self._items.items()
        )
        by_topic: dict[str, list[float]] = defaultdict(list)
        for stats in items:
            by_topic[stats.topic].append(stats.facility)
        topics = tuple(sorted(((t, sum(v) / len(v), len(v)) for t, v in by_topic.items()), key=lambda x: x[1]))
        return ClassStats(items, topics)


def _topics(catalog: Catalog, items: Iterable[str]) -> dict[str, str]:
    out = {}
    for item in items:
        try:
            out[item] = catalog.question(item).topic
        except QuizError:
            out[item] = "unknown"
    return out


def view(stats: ClassStats) -> RenderableType:
    """Tables of items and topics, and a facility chart."""
    table = Table(title="Item statistics", title_justify="left")
    for name, justify in (("item", "left"), ("n", "right"), ("facility", "right"), ("discr.", "right"),
                          ("upper−lower", "right"), ("common wrong answers", "left"), ("misconceptions", "left")):
        table.add_column(name, justify=justify, overflow="fold")  # type: ignore[arg-type]
    for s in stats.items:
        table.add_row(Text(s.item), str(s.n), f"{s.facility:.2f}", _maybe(s.discrimination), _maybe(s.upper_lower),
                      Text("; ".join(f"{one_line(a)} ×{c}" for a, c in s.wrong_answers)),  # what students typed
                      Text("; ".join(f"{m} ×{c}" for m, c in s.misconceptions)))
    topics = Table(title="Mastery by topic", title_justify="left")
    topics.add_column("topic")
    topics.add_column("items", justify="right")
    topics.add_column("mean score", justify="right")
    for topic, mastery, count in stats.topics:
        topics.add_row(Text(topic), str(count), f"{mastery:.2f}")
    chart = bar_chart([(s.item, s.facility) for s in sorted(stats.items, key=lambda s: s.facility)],
                      title="Facility by item (hardest first)")
    return Group(table, topics, chart)


def _maybe(value: float | None) -> str:
    return "–" if value is None else f"{value:.2f}"
