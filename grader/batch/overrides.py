"""Instructor overrides: a file of scores per student and item (and per group of written
answers), read safely and checked against the banks and the batch, so a misspelt id is
named instead of ignored."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any, Mapping

from grader.banks import safeyaml
from grader.banks.catalog import Catalog
from grader.batch import groups
from grader.errors import UsageError
from grader.textsafe import one_line

MAX_OVERRIDES_BYTES = 1_000_000


@dataclass(frozen=True)
class Override:
    """An instructor's score for one question or part of one student."""

    score: float
    comment: str = ""


def load_overrides(path: str | None, catalog: Catalog | None = None) -> dict[str, dict[str, Override]]:
    """Instructor overrides: {student: {question or part id: score | {score, comment}}}.

    With a catalog, every question id must name a question or part of its banks: a
    misspelt id would otherwise be ignored in silence. All unknown ids are listed at once.
    The `groups:` list (see `load_group_overrides`) is read separately.
    """
    data = _overrides_file(path)
    out: dict[str, dict[str, Override]] = {}
    unknown: list[str] = []
    for student, items in data.items():
        if student == GROUPS and isinstance(items, list):
            continue
        if not isinstance(items, dict):
            raise UsageError(f"{one_line(str(path))}: overrides for {one_line(str(student))} must map question ids to scores")
        out[str(student)] = {str(qid): _override(str(path), str(student), str(qid), value) for qid, value in items.items()}
        unknown += [f"{student}: {qid}" for qid in out[str(student)] if catalog and not _exists(catalog, qid)]
    if unknown:
        raise UsageError(f"{one_line(str(path))}: no such question or part: {one_line(', '.join(unknown[:10]))}"
                         + (f" (and {len(unknown) - 10} more)" if len(unknown) > 10 else ""))
    return out


GROUPS = "groups"
"""The overrides file's key for group overrides: a list, where a student's entry is a mapping."""


def load_group_overrides(path: str | None) -> list[groups.GroupOverride]:
    """Group overrides: `groups:` [{question, answer (one of the group), score, comment}]."""
    data = _overrides_file(path)
    try:
        return groups.load(data[GROUPS], str(path)) if GROUPS in data else []
    except ValueError as exc:
        raise UsageError(one_line(str(exc))) from None


def _overrides_file(path: str | None) -> dict[Any, Any]:
    if not path:
        return {}
    file = Path(path)
    if not file.is_file():
        raise UsageError(f"no overrides file '{one_line(path)}'")
    if file.stat().st_size > MAX_OVERRIDES_BYTES:
        raise UsageError(f"overrides file '{one_line(path)}' is larger than {MAX_OVERRIDES_BYTES:,} bytes")
    try:
        parsed = safeyaml.parse(file.read_text(encoding="utf-8"), allow_aliases=False)
    except (safeyaml.YamlRefused, UnicodeDecodeError) as exc:
        raise UsageError(f"{one_line(path)}: cannot read overrides: {one_line(str(exc))}") from None
    if parsed.duplicates:  # two scores for one item: which one the instructor meant is unknowable
        first = parsed.duplicates[0]
        raise UsageError(f"{one_line(path)}:{first.line}: {one_line(first.message)}")
    data = parsed.data or {}
    if not isinstance(data, dict):
        raise UsageError(f"{one_line(path)}: overrides are a mapping student: {{question id: score}}")
    return data


def _exists(catalog: Catalog, qid: str) -> bool:
    try:
        catalog.question(qid)
    except UsageError:
        return False
    return True


def unused_overrides(overrides: Mapping[str, Mapping[str, Override]],
                     graded: Mapping[str, frozenset[str]]) -> list[str]:
    """Overrides that changed nothing: for a student not in the batch, or an item outside
    the questions that student was graded on (`graded`: student → question and part ids)."""
    problems = []
    for student, items in overrides.items():
        if student not in graded:
            problems.append(f"overrides: no submission for student '{one_line(student)}' in this batch")
            continue
        problems += [f"overrides: {one_line(student)}: {one_line(qid[:80])} is not among the questions graded for "
                     "this student" for qid in items if qid not in graded[student]]
    return problems


def _override(path: str, student: str, qid: str, value: Any) -> Override:
    score, comment = (value.get("score"), value.get("comment", "")) if isinstance(value, dict) else (value, "")
    if isinstance(score, bool) or not isinstance(score, (int, float)) or not 0 <= score <= 1:
        raise UsageError(f"{one_line(path)}: {one_line(student)}: {one_line(qid[:80])}: a score is a number from 0 to 1")
    return Override(float(score), str(comment))
