"""Gradebook exports that a learning management system imports: Moodle's and Canvas's CSV layouts.

Both hold points per question (the question's points in its bank), one row per student,
one column per question, in the order of `gradebook.columns`.

- `moodle.csv`: `ID number`, then one column per question. Moodle's grade import reads
  every row after the header as a student, so the maxima are not in this file: create
  one grade item per question with its points as the maximum grade (the `Points Possible`
  row of gradebook.csv lists them), then map `ID number` to the users' ID number (or
  username or email, whichever the student ids are) and each question to its item.
- `canvas.csv`: `Student, ID, SIS User ID, SIS Login ID, Section`, then one column per
  question, and a second row `Points Possible` with each question's points, as Canvas's
  own gradebook export has it. The student id fills Student, SIS User ID and SIS Login ID;
  ID (Canvas's internal number) and Section are left empty.
"""

from __future__ import annotations

import csv
from pathlib import Path

from grader.batch import gradebook
from grader.batch.gradebook import Graded, columns, maxima, points_text, safe_cell

MOODLE_ID = "ID number"
CANVAS_FIXED = ("Student", "ID", "SIS User ID", "SIS Login ID", "Section")
POINTS_POSSIBLE = gradebook.POINTS_POSSIBLE


def write(graded: list[Graded], out_dir: Path) -> list[Path]:
    """Write moodle.csv and canvas.csv under `out_dir`; return their paths."""
    ids = columns(graded)
    top = maxima(graded)
    moodle, canvas = out_dir / "moodle.csv", out_dir / "canvas.csv"
    with moodle.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow([MOODLE_ID, *ids])
        for g in graded:
            writer.writerow([safe_cell(g.student), *_row(g, ids)])
    with canvas.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow([*CANVAS_FIXED, *ids])
        writer.writerow([POINTS_POSSIBLE, "", "", "", "", *(points_text(top[qid]) for qid in ids)])
        for g in graded:
            student = safe_cell(g.student)
            writer.writerow([student, "", student, student, "", *_row(g, ids)])
    return [moodle, canvas]


def _row(graded: Graded, ids: list[str]) -> list[str]:
    earned = {r.question: points_text(r.earned) for r in graded.results}
    return [earned.get(qid, "") for qid in ids]
