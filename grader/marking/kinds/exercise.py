"""An exercise: several parts about one setting, each graded by its own kind, then
follow-through credit for the student's own earlier values."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any, Mapping

from grader.errors import ResponseError
from grader.marking import followthrough
from grader.marking.kinds.base import MAX_TEXT_CHARS, Examples, bounded
from grader.marking.kinds.parts import PART_KINDS, graded_part
from grader.marking.solutions import quantities
from grader.model import NOT_ANSWERED, Question, Verdict, status_for

_PART_ANSWER = re.compile(r"^\s*\(?([A-Za-z0-9_/]+)\)?\s*[=:)]\s*(.*?)\s*$", re.DOTALL)


@dataclass(frozen=True)
class ExerciseAnswers:
    """An exercise response: answers by part id, and intermediate values shown (`work`)."""

    answers: Mapping[str, str]
    work: Mapping[str, Any]


class ExerciseKind:
    """Several parts about one setting; each part is graded by its own kind, then
    solver-backed parts get follow-through credit for the student's own earlier values."""

    name = "exercise"
    fields = frozenset({"parts", "followthrough", "variables", "functions"})
    needs_key = False

    def key(self, question: Question, value: Any) -> Any:
        return value

    def parse(self, question: Question, text: str) -> ExerciseAnswers:
        text = bounded(text, MAX_TEXT_CHARS)
        part_ids = [p.part for p in question.parts]
        quantities = _quantity_names(question)
        usage = "; ".join(f"{pid}=…" for pid in part_ids)
        if quantities:
            usage += f" (and optionally your working, e.g. {quantities[0]}=…)"
        answers: dict[str, str] = {}
        work: dict[str, Any] = {}
        # Split only where a label follows, so a written part may itself contain ';' or newlines.
        labels = "|".join(re.escape(label) for label in sorted(part_ids + quantities, key=len, reverse=True))
        for piece in re.split(rf"[;\n](?=\s*\(?(?:{labels})\)?\s*[=:)])", text):
            if not piece.strip():
                continue
            match = _PART_ANSWER.match(piece)
            label = match.group(1) if match else ""
            if label.lower() in part_ids:
                answers[label.lower()] = match.group(2)
            elif label in quantities:
                from grader.mathinput.mathparse import parse_number  # at first use: keeps start-up fast

                work[label] = parse_number(match.group(2))
            else:
                raise ResponseError(f"Could not read '{piece.strip()[:40]}'. Answer the parts as {usage}, "
                                    "one per line or separated by ';'.")
        if not answers:
            raise ResponseError(f"Answer the parts as {usage}.")
        return ExerciseAnswers(answers, work)

    def check(self, question: Question, response: ExerciseAnswers | Mapping[str, str], key: Mapping[str, Any]) -> Verdict:
        if not isinstance(response, ExerciseAnswers):
            response = ExerciseAnswers(response, {})
        values: dict[str, Any] = {}
        verdicts: list[tuple[str, Verdict]] = []
        for part in question.parts:
            text = response.answers.get(part.part)
            if text is None:
                verdicts.append((part.part, NOT_ANSWERED))
                continue
            value, verdict = graded_part(part, text, key[part.part])
            if value is not None:
                values[part.part] = value
            verdicts.append((part.part, verdict))
        if question.solver:
            verdicts = followthrough.mark(question, values, response.work, verdicts)
        return combine(question, verdicts)

    def format(self, question: Question, response: ExerciseAnswers) -> str:
        shown = [f"{pid}={text}" for pid, text in response.answers.items()]
        shown += [f"{name}={value}" for name, value in response.work.items()]
        return "; ".join(shown)

    def examples(self, question: Question, key: Mapping[str, Any]) -> Examples:
        per_part = {p.part: PART_KINDS[p.kind].examples(p, key[p.part]) for p in question.parts}
        right = "; ".join(f"{pid}={ex.right[0]}" for pid, ex in per_part.items())
        wrong = tuple(
            "; ".join(f"{pid}={(ex.wrong[0] if pid == bad else ex.right[0])}" for pid, ex in per_part.items())
            for bad in per_part if per_part[bad].wrong
        )
        return Examples(right=(right,), wrong=wrong, invalid=("", "zz=1"))


def _quantity_names(question: Question) -> list[str]:
    return list(quantities(question.solver, question.params)) if question.solver else []


def combine(question: Question, verdicts: list[tuple[str, Verdict]]) -> Verdict:
    """An exercise's verdict from its parts' verdicts, weighted by each part's points."""
    points = {p.part: p.points for p in question.parts}
    total = sum(points.values())
    score = sum(points[pid] * v.score for pid, v in verdicts) / total
    summary = ", ".join(f"{pid}: {v.status}" for pid, v in verdicts)
    return Verdict(
        status_for(score), score, summary,
        needs_review=any(v.needs_review for _, v in verdicts),
        parts=tuple(verdicts),
    )

