"""What a student's report shows for each question: a pure function of one graded submission.

For every question and part: the prompt, the student's whole answer as read, the verdict
and score, the key, the explanation, and for a solver-backed part the worked steps on the
student's variant (beside the same steps with the student's carried values, where the
part earned follow-through credit). Markdown and HTML render these `Section`s; nothing
here touches a file or shared state, so a worker process can build one student's report.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from grader.batch import worked
from grader.batch.gradebook import Graded, Result
from grader.marking import keys
from grader.marking.kinds import KINDS
from grader.marking.memo import Memo
from grader.model import Question, Verdict
from grader.numbers import format_rounded

MAX_PROMPT = 1_500
"""Characters of a prompt shown: the question's statement, not a page of it."""


@dataclass(frozen=True)
class Entry:
    """One gradable item (a question, or a part of an exercise) as the report shows it."""

    item: str
    kind: str
    prompt: str
    answer: str
    verdict: Verdict
    earned: float
    points: float
    key: str
    explanation: str
    steps: tuple[str, ...] = ()
    yours: tuple[str, ...] = ()
    """For follow-through credit: the same steps worked with the student's carried values."""
    evidence: tuple[str, ...] = ()
    """Whatever structured evidence the verdict carries (rubric points found, …), one line each."""

    @property
    def key_label(self) -> str:
        """What the key is called: a written answer has a model answer."""
        return "Model answer" if self.kind == "text" else "Key"

    @property
    def prose(self) -> bool:
        """Whether the key and explanation are sentences (shown as text) rather than working."""
        return self.kind == "text"

    @property
    def read_as(self) -> str:
        """How the answer was read, where that differs from what was written (`12/2` as 6)."""
        shown = self.verdict.interpreted_as or ""
        same = " ".join(shown.split()) == " ".join(self.answer.split())
        return "" if same or not self.answer or shown.endswith("…") else shown


@dataclass(frozen=True)
class Section:
    """One question of the submission, with its parts (or itself) as entries."""

    question: str
    prompt: str
    earned: float
    points: float
    entries: tuple[Entry, ...]


def score(value: float) -> str:
    """A clean number for a score: 2, 0.75, 0.67 (two decimals at most, no trailing zeros)."""
    return format_rounded(value, 2)


def sections(graded: Graded) -> list[Section]:
    """The report's content for one graded submission, question by question."""
    return [_section(result) for result in graded.results]


def _section(result: Result) -> Section:
    question = result.item
    responses = dict(result.responses)
    if question is None:  # a result built without its question: show what the verdict says
        entry = Entry(result.question, "", "", result.answer or "", result.verdict, result.earned, result.points, "", "")
        return Section(result.question, "", result.earned, result.points, (entry,))
    if not question.parts:
        entry = _entry(question, result.verdict, responses.get(question.id, result.answer), result.points)
        return Section(question.id, "", result.earned, result.points, (entry,))
    by_id = dict(result.verdict.parts)
    entries = tuple(_entry(part, by_id[part.part], responses.get(part.id), part.points)
                    for part in question.parts if part.part in by_id)
    return Section(question.id, _short(question.prompt), result.earned, result.points, entries)


_ENTRIES = Memo(5_000)
"""Entries by (item, verdict, answer, points): a class gives the same answers, and the same
answer to the same item gets the same verdict object from the batch's verdict memo."""


def _entry(item: Question, verdict: Verdict, answer: str | None, points: float) -> Entry:
    return _ENTRIES.for_pair(item, verdict, (answer, points), lambda: _new_entry(item, verdict, answer, points))


def _new_entry(item: Question, verdict: Verdict, answer: str | None, points: float) -> Entry:
    yours = worked.compared(item, verdict) if verdict.followthrough else []
    return Entry(item.id, item.kind, _short(item.prompt), answer or "", verdict, verdict.score * points, points,
                 key_text(item), item.explanation.strip(), tuple(worked.steps(item)), tuple(yours),
                 evidence_lines(getattr(verdict, "evidence", None)))


def note(verdict: Verdict) -> str:
    """The flags of a verdict in words: follow-through, misconceptions, review, instructor."""
    flags = []
    if verdict.followthrough:
        flags.append("follow-through credit")
    if verdict.misconception:
        named = ", ".join((verdict.misconception, *verdict.alternatives))
        flags.append(f"misconception{'s' if verdict.alternatives else ''}: {named}")
    if verdict.needs_review:
        flags.append("provisional, flagged for review")
    if verdict.method == "instructor override":
        flags.append("set by the instructor")
    return "; ".join(flags)


def _short(prompt: str) -> str:
    text = prompt.strip()
    return text if len(text) <= MAX_PROMPT else text[:MAX_PROMPT - 1].rstrip() + "…"


def key_text(item: Question) -> str:
    """The key as a student reads it: an option's letter and text, a number, a model answer."""
    try:
        key = keys.expected(item)
    except Exception:  # a key that cannot be computed is reported by verify, not here
        return ""
    if item.options:
        letters = sorted(key) if isinstance(key, (list, tuple, set, frozenset)) else [key]
        return "; ".join(f"{letter}: {item.option(str(letter)).text}" for letter in letters)
    if item.kind == "text":
        return str(key)
    try:
        return KINDS[item.kind].format(item, key)
    except Exception:  # a kind whose format takes only parsed responses
        return str(key)


def evidence_lines(evidence: Any) -> tuple[str, ...]:
    """Structured evidence of any shape as lines of text: a mapping as `key: value`, a list
    item by item (an object by its own `describe()`, else by its fields), anything else as its text."""
    if not evidence:
        return ()
    if isinstance(evidence, dict):
        return tuple(f"{name}: {_plain_text(value)}" for name, value in evidence.items())
    if isinstance(evidence, (list, tuple)):
        return tuple(_plain_text(item) for item in evidence)
    return (_plain_text(evidence),)


def _plain_text(value: Any) -> str:
    describe = getattr(value, "describe", None)
    if callable(describe):  # an evidence type that says itself how it reads (a rubric point's mark and words)
        return str(describe())
    if isinstance(value, dict):
        return "; ".join(f"{k}: {_plain_text(v)}" for k, v in value.items())
    if isinstance(value, (list, tuple)):
        return ", ".join(_plain_text(v) for v in value)
    fields = getattr(value, "__dataclass_fields__", None)
    if fields:
        return "; ".join(f"{name}: {_plain_text(getattr(value, name))}" for name in fields)
    return str(value)
