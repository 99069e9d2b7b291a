"""A graded class written to disk as it streams: reports at once, gradebooks at the end.

Each student's report is written as soon as their row arrives. The gradebooks start with
their columns (the question ids of the whole class, known only at the end), so rows are
spooled to anonymous temporary files in the output folder and copied after their header:
memory holds the columns, never the class.
"""

from __future__ import annotations

import csv
import json
import tempfile
from pathlib import Path
from typing import IO, Any

from grader.batch import report
from grader.batch.stream import Row


class ClassWriter:
    """Writes gradebook.csv, gradebook.json, reports/STUDENT.md and review-queue.json under `out`."""

    def __init__(self, out: Path) -> None:
        self.out = out
        (out / report.REPORTS).mkdir(parents=True, exist_ok=True)
        self.columns: dict[str, None] = {}
        self.reports = 0
        self.first: Path | None = None
        self._csv = self._spool()
        self._json = self._spool()
        self._review = self._spool()
        self._rows = 0
        self._reviewed = 0

    def _spool(self) -> IO[str]:
        return tempfile.TemporaryFile("w+", encoding="utf-8", dir=self.out)

    def add(self, row: Row) -> None:
        """Write one student's report, and spool their gradebook rows and review items."""
        path = self.out / report.REPORTS / f"{report.file_name(row.student)}.md"
        path.write_text(row.report, encoding="utf-8")
        self.first = self.first or path
        self.reports += 1
        for qid, _ in row.earned:
            self.columns.setdefault(qid)
        cells = [_safe_cell(row.student), _safe_cell(row.path), "" if row.seed is None else row.seed]
        totals = [f"{row.total:.4g}", f"{row.maximum:.4g}", f"{row.percent:.1f}"]
        self._csv.write(json.dumps([cells, dict(row.earned), totals], ensure_ascii=False) + "\n")
        self._json.write((",\n" if self._rows else "") + row.json)
        self._rows += 1
        if row.review:
            # The queue's own layout (indent 2), one student at a time, without its outer braces.
            block = json.dumps({row.student: dict(row.review)}, ensure_ascii=False, indent=2)[2:-2]
            self._review.write((",\n" if self._reviewed else "") + block)
            self._reviewed += 1

    def finish(self, stats: Any = None) -> list[Path]:
        """Write the gradebooks (and item statistics); return the paths of every file but the reports."""
        ids = list(self.columns)
        csv_path, json_path = self.out / "gradebook.csv", self.out / "gradebook.json"
        with csv_path.open("w", newline="", encoding="utf-8") as handle:
            writer = csv.writer(handle)
            writer.writerow(["student", "file", "seed", *ids, "total", "max", "percent"])
            for line in _lines(self._csv):
                cells, earned, totals = json.loads(line)
                writer.writerow([*cells, *(earned.get(qid, "") for qid in ids), *totals])
        with json_path.open("w", encoding="utf-8") as handle:
            handle.write(f'{{"columns": {json.dumps(ids, ensure_ascii=False)},\n"students": [\n')
            _copy(self._json, handle)
            handle.write("\n]}\n")
        written = [csv_path, json_path]
        if self._reviewed:
            path = self.out / "review-queue.json"
            with path.open("w", encoding="utf-8") as handle:
                handle.write("{\n")
                _copy(self._review, handle)
                handle.write("\n}")
            written.append(path)
        if stats:
            path = self.out / "item-stats.json"
            path.write_text(json.dumps(stats.to_json(), ensure_ascii=False, indent=2), encoding="utf-8")
            written.append(path)
        for spool in (self._csv, self._json, self._review):
            spool.close()
        return written


def _lines(spool: IO[str]) -> Any:
    spool.seek(0)
    return iter(spool)


def _copy(spool: IO[str], handle: IO[str]) -> None:
    spool.seek(0)
    while block := spool.read(1 << 20):
        handle.write(block)


def _safe_cell(text: str) -> str:
    # A cell starting with = + - @ is a formula to a spreadsheet; a student id must never run as one.
    return "'" + text if text[:1] in ("=", "+", "-", "@") else text
