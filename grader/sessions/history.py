"""Views over stored attempts: a session's summary, past sessions, mastery by topic and misconception.

Each view is computed by a pure function into frozen rows (which `--json` prints as
they are) and drawn by a separate function as rich tables.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import asdict, dataclass, replace
from datetime import datetime
from typing import Any, Iterable, Mapping, Sequence

from rich import box
from rich.console import Group, RenderableType
from rich.table import Table
from rich.text import Text

from grader.banks.catalog import Catalog
from grader.errors import QuizError
from grader.marking.kinds.exercise import combine
from grader.model import NOT_ANSWERED, Question, Verdict
from grader.render import STATUS_MARK, STATUS_STYLE, verdict_text
from grader.sessions.review import Card, card_id
from grader.sessions.store import AttemptRow, SessionRow

SKIPPED = "skipped"
UNKNOWN_TOPIC = "(not in the banks)"
NARROW_WIDTH = 60
"""Below this many columns, tables keep only their essential columns."""


@dataclass(frozen=True)
class Result:
    """How one planned question went in one session."""

    question: str
    topic: str
    status: str
    """correct, partial, incorrect, or `skipped` when nothing of it was answered."""
    score: float
    misconceptions: tuple[str, ...]


@dataclass(frozen=True)
class TopicRow:
    """Score of a session's questions on one topic."""

    topic: str
    questions: int
    score: float

    @property
    def percent(self) -> float:
        """Score as a percentage of the topic's questions."""
        return 100 * self.score / self.questions


@dataclass(frozen=True)
class SessionSummary:
    """A session's results, per question and per topic, and the time its answers took."""

    results: tuple[Result, ...]
    topics: tuple[TopicRow, ...]
    seconds: float

    @property
    def score(self) -> float:
        """Total score, one point per question."""
        return sum(r.score for r in self.results)

    @property
    def misses(self) -> tuple[Result, ...]:
        """Questions not fully right, which is what to review."""
        return tuple(r for r in self.results if r.status != "correct")


@dataclass(frozen=True)
class HistoryRow:
    """One past session as `rnnquiz history` lists it."""

    id: int
    mode: str
    banks: tuple[str, ...]
    started_at: str
    finished_at: str | None
    questions: int
    answered: int
    score: float
    seed: int | None


@dataclass(frozen=True)
class MasteryRow:
    """A topic's mastery: mean score of the latest attempt at each of its items."""

    topic: str
    items: int
    attempts: int
    correct: int
    mastery: float


@dataclass(frozen=True)
class MisconceptionRow:
    """A misconception a student's answers have shown."""

    misconception: str
    count: int
    questions: tuple[str, ...]
    last_seen: str


def resolve(catalog: Catalog, ids: Iterable[str]) -> dict[str, Question]:
    """The questions among `ids` that the banks still hold; the rest are left out."""
    found = {}
    for question_id in dict.fromkeys(ids):
        try:
            found[question_id] = catalog.question(question_id)
        except QuizError:  # removed from its bank, or its bank no longer loads
            continue
    return found


def result(question: Question, attempts: Sequence[AttemptRow], asked: Sequence[str] | None = None) -> Result:
    """One question's result from its attempts in one session (the latest per item counts).

    `asked` limits an exercise to the parts a review session asked of it.
    """
    if asked is not None and question.parts:
        question = replace(question, parts=tuple(p for p in question.parts if p.id in asked))
    latest = {a.question_id: Verdict.from_json(a.verdict) for a in attempts}
    named = tuple(dict.fromkeys(a.misconception for a in attempts if a.misconception))
    if not latest:
        return Result(question.id, question.topic, SKIPPED, 0.0, ())
    if question.parts:
        # The exercise's own weighting, so the summary agrees with `rnnquiz check`.
        verdict = combine(question, [(p.part, latest.get(p.id, NOT_ANSWERED)) for p in question.parts])
    else:
        verdict = latest[question.id]
    return Result(question.id, question.topic, verdict.status, verdict.score, named)


def summarise(questions: Sequence[Question], attempts: Sequence[AttemptRow],
              asked: Mapping[str, Sequence[str]] | None = None) -> SessionSummary:
    """A session's summary: its planned `questions`, the attempts made in it, and (review) the items it asked."""
    by_card: dict[str, list[AttemptRow]] = defaultdict(list)
    for attempt in attempts:
        by_card[card_id(attempt.question_id)].append(attempt)
    asked = asked or {}
    results = tuple(result(q, by_card.get(q.id, []), asked.get(q.id)) for q in questions)
    topics: dict[str, list[Result]] = defaultdict(list)
    for row in results:
        topics[row.topic].append(row)
    topic_rows = tuple(TopicRow(t, len(rows), sum(r.score for r in rows)) for t, rows in topics.items())
    return SessionSummary(results, topic_rows, sum(a.seconds or 0.0 for a in attempts))


def history(sessions: Sequence[SessionRow], attempts: Sequence[AttemptRow],
            questions: Mapping[str, Question]) -> list[HistoryRow]:
    """One row per session; questions no longer in the banks count as unanswered."""
    by_session: dict[int, list[AttemptRow]] = defaultdict(list)
    for attempt in attempts:
        by_session[attempt.session_id].append(attempt)
    rows = []
    for session in sessions:
        mine = by_session.get(session.id, [])
        summary = summarise([questions[q] for q in session.plan if q in questions], mine, session.items)
        answered = len({card_id(a.question_id) for a in mine})
        rows.append(HistoryRow(session.id, session.mode, session.banks, session.started_at, session.finished_at,
                               len(session.plan), answered, summary.score, session.seed))
    return rows


def mastery(attempts: Sequence[AttemptRow], topics: Mapping[str, str]) -> list[MasteryRow]:
    """Mastery per topic; `topics` maps a card id to its topic."""
    grouped: dict[str, list[AttemptRow]] = defaultdict(list)
    for attempt in attempts:
        grouped[topics.get(card_id(attempt.question_id), UNKNOWN_TOPIC)].append(attempt)
    rows = []
    for topic, mine in sorted(grouped.items()):
        latest = {a.question_id: a.score for a in mine}
        rows.append(MasteryRow(topic, len(latest), len(mine), sum(a.status == "correct" for a in mine),
                               sum(latest.values()) / len(latest)))
    return rows


def misconceptions(attempts: Sequence[AttemptRow]) -> list[MisconceptionRow]:
    """Misconceptions named in a student's answers, most frequent first."""
    grouped: dict[str, list[AttemptRow]] = defaultdict(list)
    for attempt in attempts:
        if attempt.misconception:
            grouped[attempt.misconception].append(attempt)
    rows = [MisconceptionRow(name, len(mine), tuple(sorted({a.question_id for a in mine})),
                             max(a.answered_at for a in mine)) for name, mine in grouped.items()]
    return sorted(rows, key=lambda r: (-r.count, r.misconception))


def to_json(rows: Iterable[Any]) -> list[dict[str, Any]]:
    """Rows as JSON objects, with scores rounded for reading."""
    out = []
    for row in rows:
        data = asdict(row)
        for name in ("score", "mastery"):
            if name in data:
                data[name] = round(data[name], 4)
        out.append(data)
    return out


def duration(seconds: float) -> str:
    """`1 h 02 min`, `3 min 05 s` or `12 s`."""
    whole = int(round(seconds))
    hours, rest = divmod(whole, 3600)
    minutes, secs = divmod(rest, 60)
    if hours:
        return f"{hours} h {minutes:02d} min"
    return f"{minutes} min {secs:02d} s" if minutes else f"{secs} s"


def local_time(stamp: str | None) -> str:
    """A stored UTC timestamp in the local time zone, to the minute."""
    return datetime.fromisoformat(stamp).astimezone().strftime("%Y-%m-%d %H:%M") if stamp else "—"


def _status(status: str) -> Text:
    if status == SKIPPED:
        return Text("– skipped", style="dim")
    return Text(f"{STATUS_MARK[status]} {status}", style=STATUS_STYLE[status])


Cell = str | Text


@dataclass(frozen=True)
class Column:
    """A table column; `narrow` ones are kept below NARROW_WIDTH, the others dropped."""

    header: str
    justify: str = "left"
    narrow: bool = True


def _table(title: str, columns: Sequence[Column], rows: Iterable[Sequence[Cell]], width: int) -> Table:
    """A rich table; on a narrow terminal only the essential columns, without vertical rules."""
    narrow = width < NARROW_WIDTH
    keep = [i for i, column in enumerate(columns) if column.narrow or not narrow]
    table = Table(title=title, title_justify="left", box=box.SIMPLE_HEAD if narrow else box.HEAVY_HEAD)
    for i in keep:
        table.add_column(columns[i].header, justify=columns[i].justify, overflow="fold")  # type: ignore[arg-type]
    for row in rows:
        table.add_row(*(row[i] for i in keep))
    return table


# The topic column of a session's summary is repeated by its per-topic table, so a
# narrow terminal can do without it; likewise the details `--json` gives in full.
QUESTION_COLUMNS = (Column("question"), Column("topic", narrow=False), Column("result"), Column("score", "right"))
TOPIC_COLUMNS = (Column("topic"), Column("questions", "right"), Column("score", "right"))
HISTORY_COLUMNS = (Column("#", "right"), Column("started"), Column("mode", narrow=False),
                   Column("banks", narrow=False), Column("answered", "right"), Column("score", "right"),
                   Column("state", narrow=False))
MASTERY_COLUMNS = (Column("topic"), Column("items", "right", narrow=False), Column("attempts", "right"),
                   Column("correct", "right", narrow=False), Column("mastery", "right"))
DUE_COLUMNS = (Column("question"), Column("parts"), Column("misses", "right"),
               Column("misconception", narrow=False))
MISCONCEPTION_COLUMNS = (Column("misconception"), Column("times", "right"), Column("questions", narrow=False),
                         Column("last seen", narrow=False))


def summary_view(summary: SessionSummary, width: int) -> RenderableType:
    """The end-of-session summary: per question, per topic, the time, what to review."""
    questions = _table("Score per question", QUESTION_COLUMNS,
                       [(r.question, r.topic, _status(r.status), f"{r.score:.2f}") for r in summary.results], width)
    topics = _table("Score per topic", TOPIC_COLUMNS,
                    [(t.topic, str(t.questions), f"{t.score:.2f} ({t.percent:.0f}%)") for t in summary.topics],
                    width)
    total = len(summary.results)
    percent = 100 * summary.score / total if total else 0.0
    lines = Text.assemble(("Total ", "bold"), f"{summary.score:.2f} / {total} ({percent:.0f}%)",
                          ("   Time taken ", "bold"), duration(summary.seconds))
    if not summary.misses:
        return Group(questions, topics, lines, Text("Nothing to review: every question right.", style="green"))
    misses = Table.grid(padding=(0, 1))
    misses.add_column(overflow="fold")
    misses.add_column()
    for miss in summary.misses:
        why = Text(f"({miss.status})")
        if miss.misconceptions:
            why.append(f" misconception: {', '.join(miss.misconceptions)}", style="yellow")
        misses.add_row(f"  {miss.question}", why)
    return Group(questions, topics, lines, Text("To review:", style="bold"), misses)


def feedback_view(questions: Sequence[Question], attempts: Sequence[AttemptRow]) -> RenderableType:
    """Every answer with its verdict and explanation, shown at the end of an exam."""
    explanations = {item.id: item.explanation for q in questions for item in (q, *q.parts)}
    body: list[RenderableType] = [Text("Feedback", style="bold underline")]
    for attempt in attempts:
        body.append(Text.assemble((attempt.question_id, "bold"), f"  your answer: {attempt.answer}"))
        body.append(verdict_text(Verdict.from_json(attempt.verdict), method=False))
        if explanations.get(attempt.question_id):
            body.append(Text(explanations[attempt.question_id], style="dim"))
    return Group(*body)


def history_view(rows: Sequence[HistoryRow], student: str, width: int) -> RenderableType:
    """Past sessions as a table."""
    if not rows:
        return Text(f"No sessions yet for {student}.")
    return _table(f"Sessions of {student}", HISTORY_COLUMNS, [
        (str(r.id), local_time(r.started_at), r.mode, ", ".join(r.banks), f"{r.answered}/{r.questions}",
         f"{r.score:.2f}", "finished" if r.finished_at else "unfinished") for r in rows
    ], width)


def stats_view(topics: Sequence[MasteryRow], named: Sequence[MisconceptionRow], student: str,
               width: int) -> RenderableType:
    """Mastery by topic and the misconceptions seen, as tables."""
    if not topics:
        return Text(f"No attempts yet for {student}.")
    mastery_table = _table(f"Mastery by topic ({student})", MASTERY_COLUMNS, [(r.topic, str(r.items), str(r.attempts), str(r.correct), f"{100 * r.mastery:.0f}%") for r in topics], width)
    if not named:
        return Group(mastery_table, Text("No misconceptions named in your answers.", style="green"))
    named_table = _table("Misconceptions", MISCONCEPTION_COLUMNS, [(r.misconception, str(r.count), ", ".join(r.questions), local_time(r.last_seen)) for r in named], width)
    return Group(mastery_table, named_table)


def due_view(cards: Sequence[Card], width: int) -> Table:
    """The cards a review session is about to ask, and why each is due."""
    return _table("Due for review", DUE_COLUMNS, [
        (card.id, ", ".join(sorted(i.split(".", 1)[1] for i in card.wrong if "." in i)) or "—", str(card.misses),
         ", ".join(card.misconceptions) or "—") for card in cards
    ], width)
