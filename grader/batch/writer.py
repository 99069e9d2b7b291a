"""A graded class written to disk as it streams: reports at once, gradebooks at the end.

Each student's Markdown and HTML reports, written as drafts by whichever process graded
them, get their names as soon as their row arrives and the student is admitted. The
gradebooks (gradebook.csv and .json, moodle.csv, canvas.csv) start with their columns and
maxima (the question ids and points of the whole class, known only at the end), so rows are
spooled to anonymous temporary files in the output folder and copied after their header:
memory holds the columns, never the class. The review queue's answer groups come from the
caller's `groups.Grouper` (its members spooled too), and its per-student skeleton is
spooled here.
"""

from __future__ import annotations

import csv
import json
import os
import shutil
import tempfile
from contextlib import ExitStack
from pathlib import Path
from typing import IO, Any, Iterable, Iterator

from grader.batch import groups, lms, report
from grader.batch.gradebook import POINTS_POSSIBLE, points_text
from grader.batch.stream import DRAFT_PREFIX, Row
from grader.textsafe import json_escapes

GRADEBOOKS = ("gradebook.csv", "gradebook.json", "moodle.csv", "canvas.csv")
SUFFIXES = (".md", ".html")
"""A student's reports, in the order they are written."""


class ClassWriter:
    """Writes the gradebooks, reports/STUDENT.md and .html, review-queue.json and
    item-stats.json under `out`, one row at a time."""

    def __init__(self, out: Path) -> None:
        self.out = out
        (out / report.REPORTS).mkdir(parents=True, exist_ok=True)
        self._folder = str(out / report.REPORTS)  # a string: joined twice a student, Path's join costs more
        self.sweep()  # drafts of an earlier run that was killed before it could name them
        self.top: dict[str, float] = {}
        self.reports = 0
        self.first: str | None = None
        self._rows = self._spool()
        self._json = tempfile.TemporaryFile("w+b", dir=self.out)  # bytes: copied whole at the end, never read as text
        self._students = self._spool()
        self._count = 0
        self._reviewed = 0

    def _spool(self) -> IO[str]:
        return tempfile.TemporaryFile("w+", encoding="utf-8", dir=self.out)

    def add(self, row: Row) -> None:
        """Give one admitted student's report drafts their names, and spool their gradebook
        rows and review items."""
        for suffix, draft in zip(SUFFIXES, row.drafts):
            os.replace(draft, os.path.join(self._folder, report.file_name(row.student, suffix)))
        self.first = self.first or row.student
        self.reports += 1
        for qid, points in row.points:
            self.top[qid] = max(self.top.get(qid, 0.0), points)
        self._rows.write(row.book + "\n")
        if self._count:
            self._json.write(b",\n")
        self._json.write(row.json)
        self._count += 1
        if row.review_block:
            self._students.write((",\n" if self._reviewed else "") + row.review_block)
            self._reviewed += 1

    @staticmethod
    def discard(row: Row) -> None:
        """Remove the report drafts of a row that was refused after grading (a second file
        for a student)."""
        for draft in row.drafts:
            Path(draft).unlink(missing_ok=True)

    def sweep(self) -> None:
        """Remove report drafts no row will name: a run stopped part-way leaves them."""
        for draft in (self.out / report.REPORTS).glob(f"{DRAFT_PREFIX}*"):
            draft.unlink(missing_ok=True)

    def finish(self, stats: Any = None, grouper: groups.Grouper | None = None) -> list[Path]:
        """Write the gradebooks, the review queue (when the grouper holds flagged written
        answers) and any item statistics; return their paths."""
        ids = list(self.top)
        paths = [self.out / name for name in GRADEBOOKS]
        with ExitStack() as stack:
            book, moodle, canvas = (csv.writer(stack.enter_context(p.open("w", newline="", encoding="utf-8")))
                                    for p in (paths[0], paths[2], paths[3]))
            book.writerow(["student", "file", "seed", *ids, "total", "max", "percent"])
            book.writerow([POINTS_POSSIBLE, "", "", *(points_text(self.top[qid]) for qid in ids),
                           points_text(sum(self.top.values())), "", "100"])
            moodle.writerow(lms.moodle_header(ids))
            canvas.writerows(lms.canvas_head(ids, self.top))
            for line in _lines(self._rows):
                cells, earned, totals = json.loads(line)
                book.writerow([*cells, *(earned.get(qid, "") for qid in ids), *totals])
                moodle.writerow(lms.moodle_row(cells[0], earned, ids))
                canvas.writerow(lms.canvas_row(cells[0], earned, ids))
        with paths[1].open("wb") as handle:
            handle.write(f'{{"columns": {json.dumps(ids, ensure_ascii=False)},\n'
                         f'"points": {json.dumps(self.top, ensure_ascii=False)},\n"students": [\n'.encode("utf-8"))
            self._json.seek(0)
            shutil.copyfileobj(self._json, handle, 1 << 20)
            handle.write(b"\n]}\n")
        if grouper and grouper.answers:
            paths.append(self._review_queue(grouper))
        if stats:
            path = self.out / "item-stats.json"
            path.write_text(json_escapes(json.dumps(stats.to_json(), ensure_ascii=False, indent=2)), encoding="utf-8")
            paths.append(path)
        for spool in (self._rows, self._json, self._students):
            spool.close()
        return paths

    def _review_queue(self, grouper: groups.Grouper) -> Path:
        """review-queue.json: the answer groups (largest first), then the per-student skeleton."""
        found = grouper.groups()
        # Written a member at a time in json.dumps's layout (indent 2), never the whole queue as
        # one object: a large class's queue lists every flagged answer.
        head = json.dumps({"answers_to_review": grouper.answers, "groups_to_review": len(found), "groups": []},
                          ensure_ascii=False, indent=2)
        path = self.out / "review-queue.json"
        with path.open("w", encoding="utf-8") as handle:
            handle.write(json_escapes(head[:-len("]\n}")]))
            for index, group in enumerate(found):
                handle.write(("," if index else "") + "\n    ")
                handle.writelines(_group_pieces(group, grouper.rendered(group)))
            handle.write(("\n  ]" if found else "]") + ',\n  "students": {\n')
            self._students.seek(0)
            shutil.copyfileobj(self._students, handle, 1 << 20)
            handle.write("\n  }\n}")
        return path

    def paths(self, students: Iterable[str], written: list[Path]) -> list[Path]:
        """Every file written, in the order of the whole-class writer: the gradebooks, each
        student's reports, then the review queue and statistics (for --json's "written")."""
        reports = [self.out / report.REPORTS / report.file_name(s, suffix) for s in students for suffix in SUFFIXES]
        return written[:len(GRADEBOOKS)] + reports + written[len(GRADEBOOKS):]


def _lines(spool: IO[str]) -> Iterator[str]:
    spool.seek(0)
    return iter(spool)


_MEMBERS = "\0members\0"


def _group_pieces(group: groups.Group, members: Iterable[str]) -> Iterator[str]:
    """`json.dumps(group.to_json(), indent=2)` in pieces, indented as one of the queue's
    groups, its members streamed as `groups.member_json` rendered them."""
    head, tail = (json_escapes(piece.replace("\n", "\n    ")) for piece in json.dumps(
        {**group.to_json(), "members": [_MEMBERS]}, ensure_ascii=False, indent=2).split(f"    {json.dumps(_MEMBERS)}"))
    yield head
    for index, member in enumerate(members):
        yield (",\n        " if index else "    ") + member
    yield tail
