"""A class graded as a stream: one file at a time, in one or more processes, in file order.

Each submission file goes through `grade_file` on its own: read, validate, grade, and
render everything the batch writes for it (its gradebook row, its report, its review
items, its share of the item statistics) into a `Row` of plain text and numbers. Nothing
of one student is kept once their row is written, so memory does not grow with the class.

With `jobs` > 1 the files are graded in worker processes forked after the banks are
loaded (so each worker has them at no cost) and the rows come back in file order, so the
written files do not depend on which worker finished first.
"""

from __future__ import annotations

import itertools
import json
import multiprocessing
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Iterable, Iterator, Mapping

from grader.batch import gradebook, itemstats, report, submissions
from grader.banks.catalog import Catalog
from grader.batch.gradebook import Graded, Override

WINDOW = 1_024
"""Files handed to the workers per round: bounds the rows waiting to be written."""


@dataclass(frozen=True)
class Row:
    """One graded submission, rendered: what the batch writes and counts for it."""

    student: str
    path: str
    total: float
    maximum: float
    percent: float
    flagged: int
    notes: int
    seed: int | None
    earned: tuple[tuple[str, str], ...]
    json: str
    report: str
    review: tuple[tuple[str, float], ...]
    stats: tuple[itemstats.Contribution, ...]
    graded: Graded | None = None


@dataclass(frozen=True)
class Batch:
    """What every file of a class is graded against."""

    catalog: Catalog
    overrides: Mapping[str, Mapping[str, Override]]
    keep_graded: bool = False
    """Keep the whole `Graded` in each row (only to print full terminal reports)."""


_BATCH: Batch | None = None
"""The batch of this process; forked workers inherit it with the loaded banks."""


def grade_file(path: Path) -> Row | str:
    """One submission file: its graded row, or a one-line message saying why it was refused."""
    assert _BATCH is not None, "grade_file runs inside run()"
    try:
        submission = submissions.load(path)
    except submissions.SubmissionError as exc:
        return str(exc)
    graded = gradebook.grade_submission(_BATCH.catalog, submission, _BATCH.overrides.get(submission.student, {}))
    return render(graded, _BATCH.keep_graded)


def render(graded: Graded, keep: bool = False) -> Row:
    """Everything the batch writes for one graded submission."""
    review = tuple((item, round(verdict.score, 3)) for item, verdict in report.items(graded) if verdict.needs_review)
    return Row(graded.student, graded.path, graded.total, graded.maximum, graded.percent, len(review),
               len(graded.warnings), graded.seed, tuple((r.question, f"{r.earned:.4g}") for r in graded.results),
               json.dumps(graded.to_json(), ensure_ascii=False), report.markdown(graded), review,
               itemstats.contributions(graded), graded if keep else None)


def run(paths: list[Path], batch: Batch, jobs: int = 1) -> Iterator[Row | str]:
    """Grade `paths` in order, `jobs` processes at a time; yield each file's row or refusal."""
    global _BATCH
    _BATCH = batch
    with gradebook.batch():
        if jobs <= 1 or len(paths) < 2 * jobs or "fork" not in multiprocessing.get_all_start_methods():
            yield from map(grade_file, paths)
            return
        _warm(batch.catalog)
        # Forked, not spawned: a worker starts with the banks and imports of this process.
        with multiprocessing.get_context("fork").Pool(jobs) as pool:
            chunk = max(1, min(64, len(paths) // (8 * jobs)))
            for window in _windows(paths, WINDOW * jobs):
                yield from pool.imap(grade_file, window, chunksize=chunk)


def default_jobs() -> int:
    """The cores this process may use."""
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1


def _warm(catalog: Catalog) -> None:
    """Load every bank and the solvers' imports once, before the workers are forked."""
    for bank in catalog.banks():
        bank.questions  # noqa: B018 (loading is the point)
    import numpy  # noqa: F401 (imported here, once, rather than in every worker)


def _windows(items: list[Path], size: int) -> Iterable[list[Path]]:
    iterator = iter(items)
    while window := list(itertools.islice(iterator, size)):
        yield window

