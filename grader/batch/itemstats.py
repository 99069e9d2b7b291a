"""Item statistics over a graded class: which questions and misconceptions trip it.

Per item (question or exercise part): facility (mean score), discrimination (the
point-biserial correlation of the item's score with the rest of the test, so an item is
not correlated with itself), the upper-minus-lower 27 % difference, the most common wrong
answers and misconceptions. Per topic: mean mastery.
"""

from __future__ import annotations

import math
from collections import Counter, defaultdict
from dataclasses import dataclass
from typing import Any, Sequence

from rich.console import Group, RenderableType
from rich.table import Table
from rich.text import Text

from grader.banks.catalog import Catalog
from grader.charts import bar_chart
from grader.errors import QuizError
from grader.batch.gradebook import Graded

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


def compute(graded: Sequence[Graded], catalog: Catalog) -> ClassStats:
    """Statistics of every item answered in `graded`."""
    scores: dict[str, list[float]] = defaultdict(list)
    totals: dict[str, list[float]] = defaultdict(list)
    wrong: dict[str, Counter] = defaultdict(Counter)
    named: dict[str, Counter] = defaultdict(Counter)
    for g in graded:
        total = g.total
        for result in g.results:
            items = [(f"{result.question}.{pid}", v, 1.0) for pid, v in result.verdict.parts] or \
                    [(result.question, result.verdict, result.points)]
            for item, verdict, worth in items:
                scores[item].append(verdict.score)
                totals[item].append(total - verdict.score * worth)
                if verdict.status != "correct" and verdict.interpreted_as:
                    wrong[item][verdict.interpreted_as] += 1
                if verdict.misconception:
                    named[item][verdict.misconception] += 1
    topic_of = _topics(catalog, scores)
    items = tuple(
        ItemStats(item, topic_of[item], len(values), sum(values) / len(values),
                  _point_biserial(values, totals[item]), _upper_lower(values, totals[item]),
                  tuple(wrong[item].most_common(TOP)), tuple(named[item].most_common(TOP)))
        for item, values in scores.items()
    )
    by_topic: dict[str, list[float]] = defaultdict(list)
    for stats in items:
        by_topic[stats.topic].append(stats.facility)
    topics = tuple(sorted(((t, sum(v) / len(v), len(v)) for t, v in by_topic.items()), key=lambda x: x[1]))
    return ClassStats(items, topics)


def _topics(catalog: Catalog, items: dict[str, Any]) -> dict[str, str]:
    out = {}
    for item in items:
        try:
            out[item] = catalog.question(item).topic
        except QuizError:
            out[item] = "unknown"
    return out


def _point_biserial(item: list[float], rest: list[float]) -> float | None:
    n = len(item)
    if n < 3:
        return None
    mean_x, mean_y = sum(item) / n, sum(rest) / n
    sxx = sum((x - mean_x) ** 2 for x in item)
    syy = sum((y - mean_y) ** 2 for y in rest)
    if sxx == 0 or syy == 0:
        return None
    sxy = sum((x - mean_x) * (y - mean_y) for x, y in zip(item, rest))
    return sxy / math.sqrt(sxx * syy)


def _upper_lower(item: list[float], rest: list[float]) -> float | None:
    n = len(item)
    size = max(1, round(GROUP_SHARE * n))
    if n < 2 * size or n < 4:
        return None
    ranked = [score for _, score in sorted(zip(rest, item), key=lambda pair: pair[0])]
    return sum(ranked[-size:]) / size - sum(ranked[:size]) / size


def view(stats: ClassStats) -> RenderableType:
    """Tables of items and topics, and a facility chart."""
    table = Table(title="Item statistics", title_justify="left")
    for name, justify in (("item", "left"), ("n", "right"), ("facility", "right"), ("discr.", "right"),
                          ("upper−lower", "right"), ("common wrong answers", "left"), ("misconceptions", "left")):
        table.add_column(name, justify=justify, overflow="fold")  # type: ignore[arg-type]
    for s in stats.items:
        table.add_row(Text(s.item), str(s.n), f"{s.facility:.2f}", _maybe(s.discrimination), _maybe(s.upper_lower),
                      Text("; ".join(f"{a} ×{c}" for a, c in s.wrong_answers)),
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
