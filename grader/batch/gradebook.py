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
from typing import Any, Iterator, Mapping, Sequence

from grader.marking import keys, solutions, variants
from grader.banks.catalog import Catalog
from grader.errors import UsageError
from grader.marking.kinds import KINDS, grade
from grader.marking.kinds.exercise import ExerciseAnswers, combine
from grader.marking.memo import Memo
from grader.model import NOT_ANSWERED, Question, Verdict, status_for
from grader.batch import groups
from grader.numbers import format_rounded
from grader.batch.overrides import Override
from grader.batch.submissions import Submission
from grader.textsafe import one_line
from solvers.errors import SolverError

class QuestionFailed(Exception):
    """Grading one question of a submission failed: `question` says which, `cause` why."""

    def __init__(self, question: str, cause: BaseException) -> None:
        self.question = question
        self.cause = cause
        super().__init__(f"{question}: {cause}")


@dataclass(frozen=True)
class Result:
    """One question of one submission: the verdict, the points it was worth, the answer given."""

    question: str
    verdict: Verdict
    points: float
    answer: str | None
    item: Question | None = field(default=None, compare=False, repr=False)
    """The question as graded (the student's variant), for reports that show its text and key."""
    responses: tuple[tuple[str, str], ...] = ()
    """What the student wrote, whole, by question or part id."""

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
    answers: Mapping[str, str] = field(default_factory=dict)
    """The submission's answers as typed, by question or part id (for answer groups)."""

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

    @property
    def items(self) -> frozenset[str]:
        """The ids of every question and part graded: what an override may name."""
        return frozenset(item for r in self.results
                         for item in (r.question, *(f"{r.question}.{pid}" for pid, _ in r.verdict.parts)))

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
    exercises = {q.id: q for q in found if q.parts}
    for qid in submission.answers:
        top, dot, part = qid.partition(".")
        if qid in graded_ids or top in missing:
            continue
        if dot and top in exercises:
            names = ", ".join(p.part for p in exercises[top].parts)
            warnings.append(f"answer to '{one_line(qid[:80])}' ignored: {top} has no part '{one_line(part[:40])}' "
                            f"(its parts: {names})")
        elif dot and top in {q.id for q in found}:
            warnings.append(f"answer to '{one_line(qid[:80])}' ignored: {top} is not an exercise and has no parts")
        else:
            warnings.append(f"answer to '{one_line(qid[:80])}' is not part of this submission's questions; ignored")
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


YOUNG_OBJECTS = 1_000_000
"""Objects a batch allocates (net of those freed) between two passes of the cyclic collector."""


@contextmanager
def batch() -> Iterator[None]:
    """Tune the garbage collector while a class is graded, and restore it after.

    A batch allocates many small, long-lived objects (memo entries, verdicts, results) and
    no reference cycles a file (a test checks it: refused, randomised and JSON files
    included); the few it makes are one-off, such as sympy's for a new Jacobian shape. So
    the collector finds almost nothing to free, and what it costs is the scan: each pass
    reads every young object. At the default pace (every 700 allocations) that was a fifth
    of the grading time; every 50,000, as here before, still 6–8 % of a randomised class's
    (each pass read that many fresh memo entries). Objects that exist before the batch
    (banks, modules) are frozen out of its scans, and the young are collected every
    YOUNG_OBJECTS allocations net of frees: the memo tables are bounded, so a batch seldom
    gets there, and cycles are still collected when one does.
    """
    thresholds = gc.get_threshold()
    gc.freeze()
    gc.set_threshold(YOUNG_OBJECTS, *thresholds[1:])
    try:
        yield
    finally:
        gc.set_threshold(*thresholds)
        gc.unfreeze()


def grade_submission(catalog: Catalog, submission: Submission,
                     overrides: Mapping[str, Override] | None = None,
                     group_overrides: Sequence[groups.GroupOverride] = ()) -> Graded:
    """Grade every question in a submission's scope, then apply the instructor's overrides:
    those for the groups its written answers fall in, then those for this student."""
    questions, warnings = scope(catalog, submission)
    seed = submission.seed if submission.seed is not None else variants.seed_for_student(submission.student)
    if submission.draws:
        drawn_for = {q.id for q in questions if q.randomise is not None}
        warnings += [f"draws for '{one_line(qid[:80])}' ignored: not a randomised question of this submission"
                     for qid in submission.draws if qid not in drawn_for]
    results = []
    for question in questions:
        try:
            question, note = _variant(question, seed, submission.draws.get(question.id))
            warnings += note
            verdict, answer, notes = _grade_question(question, submission)
        except Exception as exc:  # named here, refused whole by the caller's boundary
            raise QuestionFailed(question.id, exc) from exc
        if notes:
            warnings += notes
        if group_overrides:
            verdict = _grouped(question, verdict, submission.answers, group_overrides)
        if overrides:
            verdict = _overridden(question, verdict, overrides)
        responses = tuple((item.id, _written(submission.answers[item.id])) for item in (question, *question.parts)
                          if item.id in submission.answers)
        results.append(Result(question.id, verdict, points(question), answer, question, responses))
    return Graded(submission.student, submission.path, submission.seed, tuple(results), tuple(warnings),
                  submission.answers)


def _variant(question: Question, seed: int, drawn: Mapping[str, str] | None) -> tuple[Question, list[str]]:
    """The student's variant: the one their session recorded when it is one of the seed's own
    draws (nothing is drawn again), else the seed's, with a warning when a record was refused."""
    if drawn is not None and question.randomise is not None:
        found = variants.recorded(question, seed, drawn)
        if found is not None:
            return found, []
        return variants.instantiate(question, seed, shared=True), [
            f"draws for {question.id} are not a valid draw of seed {seed}; graded on the seed's own numbers"]
    return variants.instantiate(question, seed, shared=True), []


def _written(answer: Any) -> str:
    return ", ".join(str(a) for a in answer) if isinstance(answer, list) else str(answer)


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

    def judged(work: Mapping[str, Any]) -> tuple[Verdict, str]:
        exercise, response = KINDS["exercise"], ExerciseAnswers(answers, work)
        return exercise.check(question, response, keys.expected(question)), exercise.format(question, response)

    if not question.solver:
        # No follow-through, so nothing is worth remembering whole: `check` remembers each part
        # (a class repeats part answers far more often than whole sets of them).
        verdict, shown = judged(work)
        return verdict, shown, notes
    given = tuple(sorted(answers.items()))
    try:
        verdict, shown = _VERDICTS.for_object(question, (given, solutions.freeze(work)), lambda: judged(work))
    except SolverError as exc:
        if not work:
            raise
        # Shown work the solver cannot take (a list for a scalar, ragged rows) costs the student
        # the follow-through it would have given, not the grade of the whole file.
        notes.append(f"work for {question.id} ignored: {one_line(str(exc))}")
        verdict, shown = _VERDICTS.for_object(question, (given, solutions.freeze({})), lambda: judged({}))
    return verdict, shown, notes


MEMO_SIZE = 20_000
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


def _grouped(question: Question, verdict: Verdict, answers: Mapping[str, str],
             found: Sequence[groups.GroupOverride]) -> Verdict:
    """Apply the group override whose group a written answer (or written part) falls in."""
    def hit(item: Question, item_verdict: Verdict) -> Verdict:
        def reference(text: str) -> Verdict:
            return _memo(item, text, lambda: grade(item, text, keys.expected(item)))

        override = groups.covering(found, item.id, answers.get(item.id), item_verdict, reference)
        return _instructor(item_verdict, Override(override.score, override.comment)) if override else item_verdict

    if not question.parts:
        return hit(question, verdict)
    by_part = {part.part: part for part in question.parts}
    parts = [(pid, hit(by_part[pid], part_verdict)) for pid, part_verdict in verdict.parts]
    return combine(question, parts) if parts != list(verdict.parts) else verdict


def _instructor(verdict: Verdict, override: Override) -> Verdict:
    feedback = f"Instructor: {override.comment}" if override.comment else "Score set by the instructor."
    return replace(verdict, status=status_for(override.score), score=override.score, feedback=feedback,
                   method="instructor override", needs_review=False, followthrough=False)


def points_text(value: float) -> str:
    """Points in a CSV cell: up to four decimals, no trailing zeros (1.75, 5.3333, 2)."""
    return format_rounded(value, 4)


POINTS_POSSIBLE = "Points Possible"
"""The student cell of gradebook.csv's second row, which holds each question's points."""


def safe_cell(text: str) -> str:
    """A cell a spreadsheet shows as text: one starting with = + - @ would be a formula, and a
    student id must never run as one."""
    return "'" + text if text[:1] in ("=", "+", "-", "@") else text
