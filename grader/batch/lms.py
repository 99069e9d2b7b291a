"""Gradebook exports that a learning management system imports: Moodle's and Canvas's CSV layouts.

Both hold points per question (the question's points in its bank), one row per student,
one column per question, in the order first met in the class.

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

from typing import Mapping

from grader.batch import gradebook
from grader.batch.gradebook import points_text

MOODLE_ID = "ID number"
CANVAS_FIXED = ("Student", "ID", "SIS User ID", "SIS Login ID", "Section")
POINTS_POSSIBLE = gradebook.POINTS_POSSIBLE


def moodle_header(ids: list[str]) -> list[str]:
    """moodle.csv's header: the student's ID number, then the question ids."""
    return [MOODLE_ID, *ids]


def moodle_row(student: str, earned: Mapping[str, str], ids: list[str]) -> list[str]:
    """One student's row of moodle.csv (`student` already made a safe cell, `earned` in points)."""
    return [student, *(earned.get(qid, "") for qid in ids)]


def canvas_head(ids: list[str], top: Mapping[str, float]) -> list[list[str]]:
    """canvas.csv's first two rows: the header, and each question's points."""
    return [[*CANVAS_FIXED, *ids], [POINTS_POSSIBLE, "", "", "", "", *(points_text(top[qid]) for qid in ids)]]


def canvas_row(student: str, earned: Mapping[str, str], ids: list[str]) -> list[str]:
    """One student's row of canvas.csv: the id in Student, SIS User ID and SIS Login ID."""
    return [student, "", student, student, "", *(earned.get(qid, "") for qid in ids)]
