"""Batch grading: submissions in, a gradebook (CSV and JSON) out.

Each submission is graded question by question with the same kinds a session uses, so a
student gets the same verdict from `take`, `check` and `grade`. Exercises get
follow-through credit from the student's own earlier answers and shown work. Instructor
overrides (for text answers flagged for review) live in their own file and are applied on
every run, so re-grading never loses them.
"""

from __future__ import annotations

import gc
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any, Iterator, Mapping

from grader.marking import keys, solutions, variants
from grader.banks import safeyaml
from grader.banks.catalog import Catalog
from grader.errors import UsageError
from grader.marking.kinds import KINDS, grade
from grader.marking.kinds.exercise import ExerciseAnswers, combine
from grader.marking.memo import Memo
from grader.model import NOT_ANSWERED, Question, Verdict, status_for
from grader.batch.submissions import Submission

MAX_OVERRIDES_BYTES = 1_000_000


@dataclass(frozen=True)
class Override:
    """An instructor's score for one question or part of one student."""

    score: float
    comment: str = ""


@dataclass(frozen=True)
class Result:
    """One question of one submission: the verdict, the points it was worth, the answer given."""

    question: str
    verdict: Verdict
    points: float
    answer: str | None

    @property
    def earned(self) -> float:
        """Points earned."""
        return self.verdict.score * self.points


@dataclass(frozen=True)
class Graded:
    """A graded submission."""

    student: str
    path: str
    seed: int | None
    results: tuple[Result, ...]
    warnings: tuple[str, ...] = field(default_factory=tuple)

    @property
    def total(self) -> float:
        """Points earned over every question."""
        return sum(r.earned for r in self.results)

    @property
    def maximum(self) -> float:
        """Points available."""
        return sum(r.points for r in self.results)

    @property
    def percent(self) -> float:
        """The total as a percentage of the points available (0 when there are none)."""
        return 100 * self.total / self.maximum if self.maximum else 0.0

    def to_json(self) -> dict[str, Any]:
        """The submission's row of the JSON gradebook."""
        return {"student": self.student, "file": self.path, "seed": self.seed,
                "total": round(self.total, 6), "max": self.maximum, "warnings": list(self.warnings),
                "questions": {r.question: {"points": r.points, "earned": round(r.earned, 6), "answer": r.answer,
                                           **r.verdict.to_json()} for r in self.results}}


def points(question: Question) -> float:
    """What a question is worth: its parts' points for an exercise, else its own."""
    return sum(p.points for p in question.parts) if question.parts else question.points


def scope(catalog: Catalog, submission: Submission) -> tuple[list[Question], list[str]]:
    """The questions a submission is graded on, and warnings about ids that name nothing."""
    wanted: list[str] = list(submission.questions)
    if submission.bank:
        wanted += [q.id for q in catalog.bank(submission.bank).questions]
    if not wanted:
        wanted = [qid.split(".", 1)[0] for qid in submission.answers]
    # A class shares one scope: resolve it once, then only check each student's answer ids.
    found, graded_ids, missing, warnings = _SCOPES.for_object(catalog, tuple(wanted), lambda: _resolve(catalog, wanted))
    warnings = list(warnings)
    for qid in submission.answers:
        if qid not in graded_ids and qid.split(".", 1)[0] not in missing:
            warnings.append(f"answer to '{qid}' is not part of this submission's questions; ignored")
    return list(found), warnings


def _resolve(catalog: Catalog, wanted: list[str]) -> tuple[tuple[Question, ...], frozenset[str], frozenset[str],
                                                           tuple[str, ...]]:
    warnings: list[str] = []
    found: dict[str, Question] = {}
    missing: set[str] = set()
    for qid in wanted:
        top = qid.split(".", 1)[0]
        try:
            found.setdefault(top, catalog.question(top))
        except UsageError as exc:
            if top not in missing:
                warnings.append(str(exc))
            missing.add(top)
    graded_ids = frozenset(item.id for q in found.values() for item in (q, *q.parts))
    return tuple(found.values()), graded_ids, frozenset(missing), tuple(warnings)


_SCOPES = Memo(1_000)


@contextmanager
def batch() -> Iterator[None]:
    """Tune the garbage collector while a class is graded, and restore it after.

    A batch allocates many small, long-lived objects (verdicts, results) and hardly any
    reference cycles, so the cyclic collector's default pace (a pass every 700
    allocations, rescanning every survivor) costs a fifth of the grading time. Objects
    that exist before the batch (banks, modules) are frozen out of its scans, and young
    objects are collected every 50,000 allocations: cycles are still collected.
    """
    thresholds = gc.get_threshold()
    gc.freeze()
    gc.set_threshold(50_000, *thresholds[1:])
    try:
        yield
    finally:
        gc.set_threshold(*thresholds)
        gc.unfreeze()


def grade_submission(catalog: Catalog, submission: Submission,
                     overrides: Mapping[str, Override] | None = None) -> Graded:
    """Grade every question in a submission's scope, then apply the instructor's overrides."""
    questions, warnings = scope(catalog, submission)
    seed = submission.seed if submission.seed is not None else variants.seed_for_student(submission.student)
    results = []
    for question in questions:
        question = variants.instantiate(question, seed, shared=True)
        verdict, answer, notes = _grade_question(question, submission)
        if notes:
            warnings += notes
        if overrides:
            verdict = _overridden(question, verdict, overrides)
        results.append(Result(question.id, verdict, points(question), answer))
    return Graded(submission.student, submission.path, submission.seed, tuple(results), tuple(warnings))


def _grade_question(question: Question, submission: Submission) -> tuple[Verdict, str | None, list[str]]:
    if not question.parts:
        text = submission.answers.get(question.id)
        if text is None:
            return NOT_ANSWERED, None, []
        return _memo(question, text, lambda: grade(question, text, keys.expected(question))), text, []
    answers = {p.part: submission.answers[p.id] for p in question.parts if p.id in submission.answers}
    work, notes = _work(question, submission.work.get(question.id, {}))
    if not answers and question.id in submission.answers:
        text = submission.answers[question.id]
        return _memo(question, text, lambda: grade(question, text, keys.expected(question))), text, notes
    if not answers:
        return combine(question, [(p.part, NOT_ANSWERED) for p in question.parts]), None, notes
    response = ExerciseAnswers(answers, work)

    def judged() -> tuple[Verdict, str]:
        exercise = KINDS["exercise"]
        return exercise.check(question, response, keys.expected(question)), exercise.format(question, response)

    if not question.solver:
        # No follow-through, so nothing is worth remembering whole: `check` remembers each part
        # (a class repeats part answers far more often than whole sets of them).
        verdict, shown = judged()
    else:
        verdict, shown = _VERDICTS.for_object(question, (tuple(sorted(answers.items())), solutions.freeze(work)), judged)
    return verdict, shown, notes


MEMO_SIZE = 50_000
"""Verdicts remembered in a batch: a class gives the same answer (`B`, `6`) many times over."""
_VERDICTS = Memo(MEMO_SIZE)


def _memo(question: Question, response: Any, judge: Any) -> Verdict:
    """The verdict for this exact response to this question, graded once per batch."""
    return _VERDICTS.for_object(question, response, judge)


def _work(question: Question, work: Mapping[str, Any]) -> tuple[dict[str, Any], list[str]]:
    """Shown work restricted to quantity names the exercise's solver knows."""
    if not work:
        return {}, []
    if not question.solver:
        return {}, [f"work for {question.id} ignored: this exercise has no solver"]
    known = solutions.quantities(question.solver, question.params)
    kept = {name: value for name, value in work.items() if name in known}
    notes = [f"work {question.id}.{name} ignored: not a quantity of solver {question.solver}"
             for name in work if name not in known]
    return kept, notes


def _overridden(question: Question, verdict: Verdict, overrides: Mapping[str, Override]) -> Verdict:
    if question.id in overrides:
        return _instructor(verdict, overrides[question.id])
    if not question.parts or not any(p.id in overrides for p in question.parts):
        return verdict
    parts = [(pid, _instructor(part_verdict, overrides[f"{question.id}.{pid}"])
              if f"{question.id}.{pid}" in overrides else part_verdict) for pid, part_verdict in verdict.parts]
    return combine(question, parts)


def _instructor(verdict: Verdict, override: Override) -> Verdict:
    feedback = f"Instructor: {override.comment}" if override.comment else "Score set by the instructor."
    return replace(verdict, status=status_for(override.score), score=override.score, feedback=feedback,
                   method="instructor override", needs_review=False, followthrough=False)


def load_overrides(path: str | None) -> dict[str, dict[str, Override]]:
    """Instructor overrides: {student: {question or part id: score | {score, comment}}}."""
    if not path:
        return {}
    file = Path(path)
    if not file.is_file():
        raise UsageError(f"no overrides file '{path}'")
    if file.stat().st_size > MAX_OVERRIDES_BYTES:
        raise UsageError(f"overrides file '{path}' is larger than {MAX_OVERRIDES_BYTES:,} bytes")
    try:
        data = safeyaml.parse(file.read_text(encoding="utf-8"), allow_aliases=False).data or {}
    except (safeyaml.YamlRefused, UnicodeDecodeError) as exc:
        raise UsageError(f"{path}: cannot read overrides: {exc}") from None
    if not isinstance(data, dict):
        raise UsageError(f"{path}: overrides are a mapping student: {{question id: score}}")
    out: dict[str, dict[str, Override]] = {}
    for student, items in data.items():
        if not isinstance(items, dict):
            raise UsageError(f"{path}: overrides for {student} must map question ids to scores")
        out[str(student)] = {str(qid): _override(path, str(student), str(qid), value) for qid, value in items.items()}
    return out


def _override(path: str, student: str, qid: str, value: Any) -> Override:
    score, comment = (value.get("score"), value.get("comment", "")) if isinstance(value, dict) else (value, "")
    if isinstance(score, bool) or not isinstance(score, (int, float)) or not 0 <= score <= 1:
        raise UsageError(f"{path}: {student}: {qid}: a score is a number from 0 to 1")
    return Override(float(score), str(comment))
