"""A class graded as a stream: one file at a time, in one or more processes, in file order.

Each submission file goes through `grade_file` on its own: `grading.grade_file` (the per-file
boundary: read, validate, grade) and then everything the batch writes for it (its gradebook
rows, its review items, its share of the item statistics) rendered into a `Row` of plain
text and numbers, and its Markdown and HTML reports written as drafts beside their final
names. Nothing of one student is kept once their
row is written, so memory does not grow with the class beyond what the class's files need
(a student id per student for `grading.Roster`, an entry per distinct flagged written
answer for the answer groups, whose members wait in a spool file).

With `jobs` > 1 the files are graded in worker processes forked after the banks are
loaded (so each worker has them at no cost) and the rows come back in file order, so the
written files do not depend on which worker finished first.
"""

from __future__ import annotations

import itertools
import json
import multiprocessing
import os
from collections import deque
from dataclasses import dataclass
from pathlib import Path
from typing import Iterable, Iterator, Mapping, Sequence

from grader.banks.catalog import Catalog
from grader.batch import gradebook, grading, groups, itemstats, report, submissions
from grader.batch.gradebook import Graded, safe_cell
from grader.batch.groups import GroupOverride
from grader.batch.htmlreport import html
from grader.batch.overrides import Override
from grader.textsafe import json_escapes, one_line, visible

WINDOW = 512
"""Files a worker is handed per round. Two rounds are in flight at once, so the workers go on
with the next while the rows of the last are written, and the rows waiting are bounded."""
CHUNK = 4
"""Files a worker takes at a time."""


@dataclass(frozen=True)
class Row:
    """One graded submission, rendered: what the batch writes and counts for it."""

    student: str
    path: str
    total: float
    maximum: float
    percent: float
    notes: int
    seed: int | None
    book: str
    """The student's gradebook row as one JSON line ([cells, {question: points}, totals]),
    which the writer spools and lays out under the class's columns at the end."""
    points: tuple[tuple[str, float], ...]
    """(question id, the points it is worth): the gradebooks' maxima."""
    json: bytes
    """The student's gradebook.json entry, UTF-8: encoded here, so the process that writes the
    class only copies it (bytes cross between processes cheaper than text)."""
    drafts: tuple[str, ...]
    """The student's Markdown and HTML reports, written by the worker under temporary names
    in the reports folder (none without --out): the writer renames them once the student
    is admitted, so workers share the writing and rows stay small."""
    review: tuple[tuple[str, float], ...]
    """Items flagged for review without an override, with their provisional score."""
    review_block: str
    """The same as the review queue lists it under "students" (empty when none)."""
    written: tuple[groups.Flagged, ...]
    """Flagged written answers, what the answer groups are made of."""
    items: frozenset[str]
    """The question and part ids graded, for checking the overrides: empty for a student the
    overrides do not name (most of a class), so rows stay small."""
    stats: tuple[itemstats.Contribution, ...]
    graded: Graded | None = None

    @property
    def flagged(self) -> int:
        """Items flagged for review."""
        return len(self.review)


@dataclass(frozen=True)
class Batch:
    """What every file of a class is graded against."""

    catalog: Catalog
    overrides: Mapping[str, Mapping[str, Override]]
    group_overrides: Sequence[GroupOverride] = ()
    keep_graded: bool = False
    """Keep the whole `Graded` in each row (only to print full terminal reports)."""
    reports: Path | None = None
    """The folder for the reports (with --out), where workers write their drafts."""


_BATCH: Batch | None = None
"""The batch of this process; forked workers inherit it with the loaded banks."""


def grade_file(found: submissions.Found) -> Row | grading.Refused:
    """One submission file: its rendered row, or its one-line refusal."""
    assert _BATCH is not None, "grade_file runs inside run()"
    outcome = grading.grade_file(_BATCH.catalog, found, _BATCH.overrides, _BATCH.group_overrides)
    if isinstance(outcome, grading.Refused):
        return outcome
    try:
        return render(outcome, _BATCH)
    except Exception as exc:  # noqa: BLE001  the boundary reaches the reports too
        return grading.Refused(outcome.path, f"{one_line(outcome.path)}: refused: {grading.cause(exc)}")


def render(graded: Graded, batch: Batch) -> Row:
    """Everything the batch writes for one graded submission."""
    review: list[tuple[str, float]] = []
    written: list[groups.Flagged] = []
    for item, verdict in report.items(graded):
        if verdict.needs_review:
            review.append((item, round(verdict.score, 3)))
            if item in graded.answers:
                written.append(groups.flagged(item, graded.student, graded.answers[item], verdict))
    return Row(graded.student, graded.path, graded.total, graded.maximum, graded.percent, len(graded.warnings),
               graded.seed, _book_line(graded), tuple((r.question, r.points) for r in graded.results),
               json_escapes(json.dumps(graded.to_json(), ensure_ascii=False)).encode("utf-8"),
               _drafts(graded, batch.reports) if batch.reports else (),
               tuple(review), _review_block(graded.student, review), tuple(written),
               graded.items if graded.student in batch.overrides else frozenset(),
               itemstats.contributions(graded), graded if batch.keep_graded else None)


def _book_line(graded: Graded) -> str:
    # Rendered here, in the worker, so the process that writes the class only copies text.
    cells = [safe_cell(graded.student), safe_cell(visible(graded.path)), "" if graded.seed is None else graded.seed]
    earned = {r.question: gradebook.points_text(r.earned) for r in graded.results}
    totals = [gradebook.points_text(graded.total), gradebook.points_text(graded.maximum), f"{graded.percent:.1f}"]
    return json.dumps([cells, earned, totals], ensure_ascii=False)


def _review_block(student: str, review: list[tuple[str, float]]) -> str:
    """A student's entry under the review queue's "students", in json.dumps's indent-2 layout
    (built from json's C encoder; indent takes the slow Python one), unsafe controls escaped
    here, so the process that writes the class only copies it."""
    if not review:
        return ""
    items = ",\n".join(f"      {json.dumps(item, ensure_ascii=False)}: {json.dumps(points)}"
                        for item, points in dict(review).items())
    return json_escapes(f"    {json.dumps(student, ensure_ascii=False)}: {{\n{items}\n    }}")


_DRAFTS = itertools.count()
DRAFT_PREFIX = ".draft-"


def _drafts(graded: Graded, folder: Path) -> tuple[str, ...]:
    """Write the student's Markdown and HTML reports under names no other process uses."""
    paths = []
    for suffix, text in ((".md", report.markdown(graded)), (".html", html(graded))):
        path = folder / f"{DRAFT_PREFIX}{os.getpid()}-{next(_DRAFTS)}{suffix}"
        with path.open("x", encoding="utf-8") as handle:
            handle.write(text)
        paths.append(str(path))
    return tuple(paths)


def run(files: list[submissions.Found], batch: Batch, jobs: int = 1) -> Iterator[Row | grading.Refused]:
    """Grade `files` in order, `jobs` processes at a time; yield each file's row or refusal."""
    global _BATCH
    _BATCH = batch
    with gradebook.batch():
        if jobs <= 1 or len(files) < 2 * jobs or "fork" not in multiprocessing.get_all_start_methods():
            yield from map(grade_file, files)
            return
        _warm(batch.catalog)
        # Forked, not spawned: a worker starts with the banks and imports of this process.
        with multiprocessing.get_context("fork").Pool(jobs) as pool:
            # Small chunks: a randomised student can cost a hundred fixed ones, and a worker left
            # with the last big chunk of a window keeps the others waiting at its end.
            chunk = max(1, min(CHUNK, len(files) // (8 * jobs)))
            rounds: deque[Iterator[Row | grading.Refused]] = deque()
            for window in _windows(files, WINDOW * jobs):
                rounds.append(pool.imap(grade_file, window, chunksize=chunk))
                if len(rounds) == 2:
                    yield from rounds.popleft()
            while rounds:
                yield from rounds.popleft()


def default_jobs() -> int:
    """The cores this process may use."""
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1


def _warm(catalog: Catalog) -> None:
    """Load every bank and the solvers' imports once, before the workers are forked."""
    for bank in catalog.banks():
        bank.questions  # noqa: B018 (loading is the point)
    import numpy  # noqa: F401 (imported here, once, rather than in every worker)


def _windows(items: list[submissions.Found], size: int) -> Iterable[list[submissions.Found]]:
    iterator = iter(items)
    while window := list(itertools.islice(iterator, size)):
        yield window
