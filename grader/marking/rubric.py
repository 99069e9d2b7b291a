"""Judging a written answer against its rubric: evidence per point, a provisional score,
and whether the judgement is clear enough to show as a number.

A point is a list of ideas that must all be present (`any:` is one idea, `all:` adds
more); an idea is present when one of its phrases occurs as the phrase asks (un-negated,
or negated for a "not X" phrase). The first idea is the point's core: with the core and
not every other idea, the point is partial; the others alone are no evidence. A point is
voided when its core occurs negated ("not because of vanishing gradients"), or one of its
`contradicts:` phrases occurs. A
misconception point (negative weight) subtracts when it fires. Every point's outcome is
kept as `Evidence`, which the verdict carries to `check --json`, sessions and reports.
"""

from __future__ import annotations

from typing import Iterable

from grader.marking import textmatch
from grader.model import Evidence, Question, RubricPoint

EARNED, MISSED, VOIDED, PARTIAL, FIRED = "earned", "missed", "voided", "partial", "misconception"
SHOWN_WORDS = 3
"""Matched excerpts kept per point: enough to see why, short enough to read."""
LABELS = ("full", "plain", "trap", "off-topic", "negated", "partial", "sheet")
"""Kinds of labelled answer: what each example is there to test."""
REQUIRED_LABELS = ("full", "plain", "trap", "off-topic")
"""Labels every text question needs before `verify` trusts its rubric."""
CREDIT_TOLERANCE = 0.25
"""How far a provisional score may be from a labelled answer's credit."""


def _occurrences(phrases: Iterable[str], answer: textmatch.Answer,
                 ignore_negation: bool = False) -> tuple[list[textmatch.Match], list[textmatch.Match]]:
    """Matches that count, and matches voided by a negator near them."""
    counted: list[textmatch.Match] = []
    voided: list[textmatch.Match] = []
    for source in phrases:
        phrase = textmatch.phrase(source)
        for match in textmatch.find(phrase, answer):
            if ignore_negation or phrase.negated == (match.negator is not None):
                counted.append(match)
            elif not phrase.negated:
                voided.append(match)
    return counted, voided


def _excerpts(matches: Iterable[textmatch.Match]) -> tuple[str, ...]:
    return tuple(dict.fromkeys(m.words for m in matches))[:SHOWN_WORDS]


def judge(point: RubricPoint, answer: textmatch.Answer) -> Evidence:
    """What the answer shows for one point, and the words that show it."""
    found: list[textmatch.Match] = []
    voided: list[textmatch.Match] = []
    present = []
    for idea in point.ideas:
        counted, negated = _occurrences(idea, answer, point.ignores_negation)
        present.append(bool(counted))
        found += counted[:1]
        voided += negated
    core = bool(present) and present[0]
    negated_core = bool(point.ideas) and any(m.phrase.source in point.ideas[0] for m in voided)
    against = _occurrences(point.contradicts, answer)[0]
    if all(present):
        if against:
            return Evidence(point.point, point.weight, VOIDED, _excerpts(found + against),
                            f"contradicted by '{against[0].words}'")
        return Evidence(point.point, point.weight, FIRED if point.misconception else EARNED, _excerpts(found))
    if voided and (core or negated_core):
        return Evidence(point.point, point.weight, VOIDED, _excerpts(voided), f"negated by '{voided[0].negator}'")
    if core:  # the other ideas alone ("characters") are no evidence
        return Evidence(point.point, point.weight, PARTIAL, _excerpts(found),
                        f"{sum(present)} of {len(point.ideas)} ideas found")
    return Evidence(point.point, point.weight, MISSED, ())


def assess(rubric: Iterable[RubricPoint], text: str) -> tuple[float, tuple[Evidence, ...], bool]:
    """Score (0–1), evidence per point, and whether the judgement is uncertain.

    Uncertain means the answer neither clearly earns nor clearly misses its points: an
    idea of a point is there but not all of them, or some point is earned while another
    is voided or a misconception fires beside it.
    """
    answer = textmatch.answer(text)
    evidence = tuple(judge(point, answer) for point in rubric)
    total = sum(e.weight for e in evidence if e.weight > 0)
    raw = sum(e.weight for e in evidence if e.state in (EARNED, FIRED))
    score = min(1.0, max(0.0, raw / total)) if total else 0.0
    earned = any(e.state == EARNED for e in evidence)
    uncertain = any(e.state == PARTIAL and e.weight > 0 for e in evidence) or (earned and any(
        (e.state == VOIDED and e.weight > 0) or e.state == FIRED for e in evidence))
    return score, evidence, uncertain


def feedback(evidence: Iterable[Evidence], uncertain: bool) -> str:
    """The verdict's feedback sentence: points found and missed, misconceptions, review."""
    evidence = list(evidence)
    points = [e for e in evidence if e.weight > 0]
    found = [e for e in points if e.state == EARNED]
    text = "Uncertain: review. " if uncertain else ""
    text += f"Provisional: {len(found)} of {len(points)} rubric points found."
    missing = [e.point for e in points if e.state != EARNED]
    if missing:
        text += " Not found: " + "; ".join(missing) + "."
    for fired in (e for e in evidence if e.state == FIRED):
        text += " " + fired.point
    return text + " An instructor will review this answer."


def covered(rubric: Iterable[RubricPoint], ticked: Iterable[int]) -> float:
    """The score a set of ticked points (1-based) would earn: a student's self-assessment."""
    points = [p for p in rubric if not p.misconception]
    total = sum(p.weight for p in points)
    chosen = set(ticked)
    return sum(p.weight for i, p in enumerate(points, 1) if i in chosen) / total if total else 0.0


def labelled_problems(question: Question) -> list[str]:
    """What is wrong with a rubric against its labelled answers: labels missing, answers
    scored more than CREDIT_TOLERANCE off their credit, points earned that must be missed."""
    problems = []
    missing = [label for label in REQUIRED_LABELS if label not in {e.label for e in question.labelled}]
    if missing:
        problems.append(f"no labelled {', '.join(missing)} answer; add them under 'examples:' with their credit")
    for example in question.labelled:
        score, evidence, _ = assess(question.rubric, example.answer)
        name = f"{example.label or 'labelled'} answer" + (f" (line {example.line})" if example.line else "")
        shown = " ".join(example.answer.split())
        shown = shown if len(shown) <= 60 else shown[:57] + "…"
        if abs(score - example.credit) > CREDIT_TOLERANCE:
            why = "; ".join(e.describe() for e in evidence if e.state != MISSED) or "no point found"
            problems.append(f"{name} '{shown}' scores {score:.2f}, labelled {example.credit:g} ({why})")
        points = [e for e in evidence if e.weight > 0]
        earned = [i for i in example.misses if points[i - 1].state == EARNED]
        if earned:
            problems.append(f"{name} '{shown}' earns point {', '.join(map(str, earned))}, which it must miss")
    return problems
