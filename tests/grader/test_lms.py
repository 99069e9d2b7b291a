"""The gradebook exports round-trip through the documented Moodle and Canvas CSV layouts."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest
from rich.console import Console

from grader.cli import main

ROOT = Path(__file__).resolve().parents[2]
SHEET = ROOT / "examples" / "submissions" / "assignment3-sheet.yaml"


def graded(tmp_path: Path) -> tuple[Path, dict]:
    other = tmp_path / "s2.yaml"
    other.write_text("student: '-s2@uni.no'\nanswers: {nptel/q7: B, hse/q1: B, in5400/task1.a: 6, in5400/task1.b: 1}\n",
                     encoding="utf-8")
    out = tmp_path / "out"
    assert main(["grade", str(SHEET), str(other), "--out", str(out)],
                console=Console(file=io.StringIO(), width=120)) == 0
    return out, json.loads((out / "gradebook.json").read_text(encoding="utf-8"))


def rows(path: Path) -> list[list[str]]:
    return list(csv.reader(path.open(encoding="utf-8", newline="")))


def expected(book: dict) -> dict[str, dict[str, float]]:
    # A student id starting with - is written as text ('-s2…), so no spreadsheet runs it as a formula.
    return {("'" if s["student"][0] in "=+-@" else "") + s["student"]:
            {qid: q["earned"] for qid, q in s["questions"].items()} for s in book["students"]}


def test_moodle_layout_round_trips(tmp_path: Path) -> None:
    out, book = graded(tmp_path)
    header, *students = rows(out / "moodle.csv")
    assert header[0] == "ID number" and header[1:] == book["columns"]
    read = {row[0]: {qid: float(cell) for qid, cell in zip(header[1:], row[1:]) if cell} for row in students}
    assert read.keys() == expected(book).keys()
    for student, earned in expected(book).items():
        assert read[student] == pytest.approx(earned, abs=5e-5)  # cells keep four decimals


def test_canvas_layout_round_trips(tmp_path: Path) -> None:
    out, book = graded(tmp_path)
    header, possible, *students = rows(out / "canvas.csv")
    assert header[:5] == ["Student", "ID", "SIS User ID", "SIS Login ID", "Section"]
    assert header[5:] == book["columns"]
    assert possible[0] == "Points Possible" and [float(p) for p in possible[5:]] == [book["points"][q] for q in header[5:]]
    read = {row[2]: {qid: float(cell) for qid, cell in zip(header[5:], row[5:]) if cell} for row in students}
    assert read.keys() == expected(book).keys()
    for student, earned in expected(book).items():
        assert read[student] == pytest.approx(earned, abs=5e-5)  # cells keep four decimals
        assert all(earned[qid] <= book["points"][qid] for qid in earned)


def test_gradebook_csv_has_points_and_a_maxima_row(tmp_path: Path) -> None:
    out, book = graded(tmp_path)
    header, possible, *students = rows(out / "gradebook.csv")
    items = header[3:-3]
    assert possible[0] == "Points Possible"
    assert {q: float(p) for q, p in zip(items, possible[3:-3])} == book["points"]
    for row in students:
        earned = [float(cell) for cell in row[3:-3] if cell]
        assert sum(earned) == pytest.approx(float(row[-3]))  # per-question points add up to the total
        assert float(row[-1]) == pytest.approx(100 * float(row[-3]) / float(row[-2]), abs=0.05)
