"""`grade --out` streams, yet writes exactly what writing the whole class at once wrote.

`whole_class` below is the writer `grade` used before it streamed (every Graded of the
class in memory, then each file written whole), kept here only as the reference the
streamed files are compared with byte for byte: gradebook.csv (points, Points Possible),
gradebook.json, moodle.csv, canvas.csv, every Markdown and HTML report, review-queue.json
(answer groups and the per-student skeleton) and item-stats.json.
"""

from __future__ import annotations

import csv
import filecmp
import io
import json
import shutil
from pathlib import Path
from typing import Any

from rich.console import Console

from grader.banks.catalog import Catalog
from grader.batch import gradebook, grading, groups, itemstats, lms, overrides, report, submissions
from grader.batch.gradebook import Graded, POINTS_POSSIBLE, points_text, safe_cell
from grader.batch.htmlreport import html
from grader.cli import main
from grader.textsafe import json_escapes, visible
from tests.grader.test_stream import write_class as twelve

PLAIN = "For long sequences, so we can keep track of long term info."
TRICKY = 'It depends "on" the data \u202e\x7f'


def write_class(folder: Path) -> Path:
    """A class with every kind of row: test_stream's twelve (the 004 sheet, randomised
    questions with their own seeds, a refused file), the sheet under capitalised, dotted and
    formula-like ids, written answers that group, a JSON file with an escape sequence, a
    second file for one student; and an overrides file with a per-student and a group
    override."""
    twelve(folder)
    sheet = (folder / "a0.yaml").read_text(encoding="utf-8")
    for i, name in enumerate(["Sheet1", "-s2", "=x3", ".s5"]):
        (folder / f"o{i}.yaml").write_text(sheet.replace("student: sheet0\n", f"student: {json.dumps(name)}\n", 1),
                                          encoding="utf-8")
    for i in range(4):
        (folder / f"w{i}.yaml").write_text(f"student: w{i}\nanswers: {{in5400/task2c: "
                                           f"{json.dumps(PLAIN if i % 2 else PLAIN.lower())}}}\n", encoding="utf-8")
    # a written answer with quotes, a bidi override and DEL, which the queue must escape as it lists it
    (folder / "w4.yaml").write_text(f"student: w4\nanswers: {{in5400/task2c: {json.dumps(TRICKY)}}}\n",
                                    encoding="utf-8")
    (folder / "d.yaml").write_text("student: r1\nanswers: {nptel/q7: B}\n", encoding="utf-8")
    (folder / "e.json").write_text('{"student": "j1", "answers": {"nptel/q7": "\\u001b[2J B\\u202e", "hse/q1": 2.5}}',
                                   encoding="utf-8")
    rules = folder.parent / "overrides.yaml"
    rules.write_text("sheet0: {in5400/task1.a: 1}\ngroups:\n"
                     f"  - {{question: in5400/task2c, answer: {json.dumps(PLAIN)}, score: 0.5}}\n", encoding="utf-8")
    return rules


def whole_class(graded: list[Graded], out: Path, stats: Any) -> None:
    """The reference: the whole class in memory, each file written whole."""
    out.mkdir(parents=True, exist_ok=True)
    ids = list(dict.fromkeys(r.question for g in graded for r in g.results))
    top: dict[str, float] = {}
    for g in graded:
        for r in g.results:
            top[r.question] = max(top.get(r.question, 0.0), r.points)
    earned = [{r.question: points_text(r.earned) for r in g.results} for g in graded]
    with (out / "gradebook.csv").open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(["student", "file", "seed", *ids, "total", "max", "percent"])
        writer.writerow([POINTS_POSSIBLE, "", "", *(points_text(top[q]) for q in ids), points_text(sum(top.values())),
                         "", "100"])
        for g, mine in zip(graded, earned):
            writer.writerow([safe_cell(g.student), safe_cell(visible(g.path)), "" if g.seed is None else g.seed,
                             *(mine.get(q, "") for q in ids), points_text(g.total), points_text(g.maximum),
                             f"{g.percent:.1f}"])
    rows = json_escapes(",\n".join(json.dumps(g.to_json(), ensure_ascii=False) for g in graded))
    (out / "gradebook.json").write_text(f'{{"columns": {json.dumps(ids, ensure_ascii=False)},\n'
                                        f'"points": {json.dumps(top, ensure_ascii=False)},\n"students": [\n{rows}\n]}}\n',
                                        encoding="utf-8")
    with (out / "moodle.csv").open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow([lms.MOODLE_ID, *ids])
        writer.writerows([safe_cell(g.student), *(mine.get(q, "") for q in ids)] for g, mine in zip(graded, earned))
    with (out / "canvas.csv").open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow([*lms.CANVAS_FIXED, *ids])
        writer.writerow([POINTS_POSSIBLE, "", "", "", "", *(points_text(top[q]) for q in ids)])
        for g, mine in zip(graded, earned):
            writer.writerow([safe_cell(g.student), "", safe_cell(g.student), safe_cell(g.student), "",
                             *(mine.get(q, "") for q in ids)])
    (out / report.REPORTS).mkdir(exist_ok=True)
    for g in graded:
        (out / report.REPORTS / report.file_name(g.student, ".md")).write_text(report.markdown(g), encoding="utf-8")
        (out / report.REPORTS / report.file_name(g.student, ".html")).write_text(html(g), encoding="utf-8")
    students: dict[str, dict[str, float]] = {}
    written = []
    for g in graded:
        for item, verdict in report.items(g):
            if verdict.needs_review:
                students.setdefault(g.student, {})[item] = round(verdict.score, 3)
                if item in g.answers:
                    written.append((item, g.student, g.answers[item], verdict))
    found = groups.group(written)
    queue = {"answers_to_review": len(written), "groups_to_review": len(found),
             "groups": [group.to_json() for group in found], "students": students}
    for name, data in (("review-queue.json", queue if written else None), ("item-stats.json", stats.to_json())):
        if data:
            (out / name).write_text(json_escapes(json.dumps(data, ensure_ascii=False, indent=2)), encoding="utf-8")


def reference(folder: Path, rules: Path, out: Path) -> None:
    catalog = Catalog.from_dir()
    per_student = overrides.load_overrides(str(rules), catalog)
    by_group = overrides.load_group_overrides(str(rules))
    roster = grading.Roster()
    graded = []
    with gradebook.batch():
        for found in submissions.discover([str(folder)]):
            outcome = roster.admit(grading.grade_file(catalog, found, per_student, by_group))
            if isinstance(outcome, Graded):
                graded.append(outcome)
    tally = itemstats.Tally()
    for g in graded:
        tally.add(itemstats.contributions(g))
    whole_class(graded, out, tally.result(catalog))


def files(folder: Path) -> list[str]:
    return sorted(p.relative_to(folder).as_posix() for p in folder.rglob("*") if p.is_file())


def test_streamed_outputs_are_byte_identical_to_the_whole_class_writer(tmp_path: Path) -> None:
    folder = tmp_path / "class"
    rules = write_class(folder)
    reference(folder, rules, tmp_path / "whole")
    for jobs in ("1", "2"):
        out = tmp_path / f"streamed{jobs}"
        text = io.StringIO()
        code = main(["grade", str(folder), "--out", str(out), "--stats", "--overrides", str(rules), "--jobs", jobs],
                    console=Console(file=text, width=160, color_system=None))
        assert code == 1  # the refused file and the second file of r1, each named; the rest written
        names = files(out)
        assert names == files(tmp_path / "whole")
        assert {"moodle.csv", "canvas.csv", "review-queue.json", "reports/sheet0.html", "reports/j1.md"} <= set(names)
        _, mismatch, errors = filecmp.cmpfiles(tmp_path / "whole", out, names, shallow=False)
        assert (mismatch, errors) == ([], [])
        queue = json.loads((out / "review-queue.json").read_text(encoding="utf-8"))
        assert queue["groups_to_review"] < queue["answers_to_review"]  # the written answers did group
        assert {"student": "w4", "answer": TRICKY} in [m for g in queue["groups"] for m in g["members"]]
        shutil.rmtree(out)
