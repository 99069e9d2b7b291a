"""Answer groups: written answers that say the same thing, reviewed once for all.

Two answers to a question are in one group when their normalised forms (folded, words
stemmed, small words dropped) are equal, or when their content words overlap by at least
`SIMILAR` (Jaccard) and the rubric found the same thing in both (every point in the same
state). The second condition keeps "gradients vanish" and "gradients do not vanish" apart
however many words they share. An instructor's override for a group names the question
and one answer of the group; it applies to every answer that falls in that answer's group,
on every run, so a regrade (or a late submission saying the same thing) keeps it.
"""

from __future__ import annotations

import functools
import json
import tempfile
from array import array
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Iterable, Iterator

from grader.marking import textmatch
from grader.model import Verdict
from grader.textsafe import json_escapes

SIMILAR = 0.6
"""Least share of content words two answers must have in common (Jaccard) to be grouped."""
SMALL_WORDS = frozenset(
    "a an the of to in on at by for with and or is are be been being it its this that these those as so "
    "we you they he she i there here then than can could will would should may might do does did has have "
    "had from into over just very also which who what when where why how".split())


@dataclass(frozen=True)
class GroupOverride:
    """An instructor's score for every answer in the group of `answer` to `question`."""

    question: str
    answer: str
    score: float
    comment: str = ""


Flagged = tuple[str, str, str, tuple[tuple[str, str], ...], float, bool, str]
"""A flagged written answer as a batch keeps it: (question, student, answer, what the rubric
found, provisional score, uncertain, the member as review-queue.json lists it)."""


@dataclass
class Group:
    """Answers to one question that say the same thing; the first member is shown for all."""

    question: str
    answer: str
    score: float
    uncertain: bool
    members: list[tuple[str, str]] = field(default_factory=list)
    """(student, answer) pairs in the order met, once read back by `group`; a `Grouper`
    keeps them in its spool (`Grouper.members`)."""
    offsets: array = field(default_factory=lambda: array("q"), repr=False)
    """Where each member starts in the grouper's spool."""
    lengths: array = field(default_factory=lambda: array("l"), repr=False)
    """How many bytes each member takes there."""

    @property
    def size(self) -> int:
        """How many answers the group holds."""
        return len(self.offsets)

    def to_json(self) -> dict[str, Any]:
        """The group as review-queue.json lists it, with a ready-to-edit override."""
        return {"question": self.question, "size": self.size, "answer": self.answer,
                "provisional": round(self.score, 3), "uncertain": self.uncertain,
                "members": [{"student": s, "answer": a} for s, a in self.members],
                "override": {"question": self.question, "answer": self.answer, "score": round(self.score, 3)}}


@functools.lru_cache(maxsize=50_000)  # a class repeats its answers
def _form(text: str) -> tuple[str, frozenset[str]]:
    words = [t.stem for t in textmatch.answer(text).tokens if t.is_word and t.text not in SMALL_WORDS]
    return " ".join(words), frozenset(words)


def findings(verdict: Verdict) -> tuple[tuple[str, str], ...]:
    """What the rubric found in an answer: (point, state) for every point."""
    return tuple((e.point, e.state) for e in verdict.evidence)


def flagged(question: str, student: str, text: str, verdict: Verdict) -> Flagged:
    """A flagged answer as the batch keeps it: the verdict's findings and score, not the
    verdict, and the member already rendered (where it was graded, so in a worker process)."""
    return question, student, text, findings(verdict), verdict.score, verdict.uncertain, member_json(student, text)


def member_json(student: str, text: str) -> str:
    """A group member as review-queue.json lists it: `json.dumps`'s indent-2 layout at the
    depth of a group's "members", unsafe controls escaped (`json_escapes`). Built from
    json's C encoder (indent takes the slow Python one): a class's queue lists every
    flagged answer."""
    return json_escapes('{\n          "student": ' + json.dumps(student, ensure_ascii=False)
                        + ',\n          "answer": ' + json.dumps(text, ensure_ascii=False) + "\n        }")


def same(a: str, verdict_a: Verdict, b: str, verdict_b: Verdict) -> bool:
    """Whether two answers (with their verdicts) say the same thing."""
    (form_a, words_a), (form_b, words_b) = _form(a), _form(b)
    if form_a == form_b:
        return True
    return findings(verdict_a) == findings(verdict_b) and _overlap(words_a, words_b)


CANDIDATES = 200
"""Groups an answer is compared with (those with its findings, most recent first): keeps a
class of thousands of different answers from costing a comparison with every group."""


class Grouper:
    """Answer groups built as a class streams past.

    Each member waits in an anonymous spool file (as review-queue.json lists it), so memory
    holds an entry per distinct answer, never one per student: a class of 100,000 that
    repeats a few answers keeps a few groups.
    """

    def __init__(self, folder: str | Path | None = None) -> None:
        self._exact: dict[tuple[str, str], Group] = {}
        self._similar: dict[tuple[str, tuple[tuple[str, str], ...]], list[Group]] = {}
        self._groups: list[Group] = []
        self._spool = tempfile.TemporaryFile("w+b", dir=folder)
        self._end = 0
        self._read = False  # whether the spool was read since the last add (so is not at its end)
        self.answers = 0

    def add(self, item: Flagged) -> None:
        """Put one flagged answer in its group, or start a group with it."""
        question, _, text, found_points, score, uncertain, member = item
        form, words = _form(text)
        found = self._exact.get((question, form))
        if found is None:
            bucket = self._similar.setdefault((question, found_points), [])
            found = next((g for g in reversed(bucket[-CANDIDATES:]) if _overlap(words, _form(g.answer)[1])), None)
            if found is None:
                found = Group(question, text, score, uncertain)
                bucket.append(found)
                self._groups.append(found)
            self._exact[(question, form)] = found
        data = member.encode("utf-8")
        if self._read:  # members were read back since the last add (no tell(): it is asked per answer)
            self._spool.seek(self._end)
            self._read = False
        self._spool.write(data)
        found.offsets.append(self._end)
        found.lengths.append(len(data))
        self._end += len(data)
        self.answers += 1

    def groups(self) -> list[Group]:
        """The groups, largest first (the first met first on a tie)."""
        return sorted(self._groups, key=lambda g: -g.size)

    def members(self, group: Group) -> Iterator[tuple[str, str]]:
        """The group's (student, answer) pairs, in the order met."""
        for member in self.rendered(group):
            data = json.loads(member)
            yield data["student"], data["answer"]

    def rendered(self, group: Group) -> Iterator[str]:
        """The group's members as review-queue.json lists them (`member_json`), in the order met."""
        for offset, length in zip(group.offsets, group.lengths):
            self._read = True
            self._spool.seek(offset)
            yield self._spool.read(length).decode("utf-8")

    def close(self) -> None:
        """Remove the spool."""
        self._spool.close()


def group(items: Iterable[tuple[str, str, str, Verdict]]) -> list[Group]:
    """Group (question, student, answer, verdict) items, members read back; largest groups first."""
    grouper = Grouper()
    try:
        for question, student, text, verdict in items:
            grouper.add(flagged(question, student, text, verdict))
        found = grouper.groups()
        for each in found:
            each.members = list(grouper.members(each))
        return found
    finally:
        grouper.close()


def _overlap(a: frozenset[str], b: frozenset[str]) -> bool:
    return bool(a | b) and len(a & b) / len(a | b) >= SIMILAR


def load(data: Any, path: str) -> list[GroupOverride]:
    """Group overrides from an overrides file's `groups:` list (ValueError naming what is wrong)."""
    if not isinstance(data, list):
        raise ValueError(f"{path}: 'groups' is a list of {{question, answer, score, comment}}")
    out = []
    for index, item in enumerate(data):
        if not isinstance(item, dict) or not isinstance(item.get("question"), str) or not isinstance(item.get("answer"), str):
            raise ValueError(f"{path}: groups[{index}] needs 'question' (an id) and 'answer' (one answer of the group)")
        score = item.get("score")
        if isinstance(score, bool) or not isinstance(score, (int, float)) or not 0 <= score <= 1:
            raise ValueError(f"{path}: groups[{index}]: a score is a number from 0 to 1")
        out.append(GroupOverride(item["question"], item["answer"], float(score), str(item.get("comment", ""))))
    return out


def covering(overrides: Iterable[GroupOverride], question: str, text: str | None, verdict: Verdict,
             reference: Callable[[str], Verdict]) -> GroupOverride | None:
    """The group override whose group this answer falls in, if any; `reference(answer)` is
    the verdict of an override's own answer to the same question."""
    if text is None or not verdict.needs_review:
        return None
    for override in overrides:
        if override.question == question and same(override.answer, reference(override.answer), text, verdict):
            return override
    return None
