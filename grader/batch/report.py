"""Per-student feedback: every question and part with its verdict, reason and reading."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from rich.console import Console, ConsoleOptions, RenderableType, RenderResult
from rich.table import Table
from rich.text import Text

from grader.batch import gradebook
from grader.batch.gradebook import Graded, Result
from grader.model import Verdict
from grader.render import STATUS_MARK, STATUS_STYLE, verdict_text


def _rows(result: Result) -> list[tuple[str, Verdict]]:
    if result.verdict.parts:
        return [(f"{result.question}.{pid}", verdict) for pid, verdict in result.verdict.parts]
    return [(result.question, result.verdict)]


def _note(verdict: Verdict) -> str:
    flags = []
    if verdict.followthrough:
        flags.append("follow-through credit")
    if verdict.misconception:
        flags.append(f"misconception: {verdict.misconception}")
    if verdict.needs_review:
        flags.append("provisional, flagged for review")
    if verdict.method == "instructor override":
        flags.append("set by the instructor")
    return "; ".join(flags)


def markdown(graded: Graded) -> str:
    """The student's feedback report as Markdown."""
    lines = [f"# Feedback for {graded.student}", "",
             f"Total: **{graded.total:.4g} / {graded.maximum:.4g}** ({graded.percent:.0f}%)  ",
             f"Submission: `{graded.path}`" + (f", variant seed {graded.seed}" if graded.seed is not None else ""), ""]
    for note in graded.warnings:
        lines.append(f"> note: {_cell(note)}")
    for result in graded.results:
        lines += ["", f"## {result.question}: {result.earned:.4g} / {result.points:.4g}", "",
                  "| item | verdict | score | read as | feedback |", "|---|---|---|---|---|"]
        for item, verdict in _rows(result):
            feedback = " ".join(x for x in (verdict.feedback, f"({_note(verdict)})" if _note(verdict) else "") if x)
            score = "uncertain: review" if verdict.uncertain else f"{verdict.score:.2f}"
            lines.append(f"| {item} | {STATUS_MARK[verdict.status]} {verdict.status} | {score} | "
                         f"{_cell(verdict.interpreted_as or '')} | {_cell(feedback)} |")
        lines += _evidence(_rows(result))
    return "\n".join(lines) + "\n"


def _evidence(rows: list[tuple[str, Verdict]]) -> list[str]:
    """Rubric evidence of written answers: one bullet per point that found something."""
    out = []
    for item, verdict in rows:
        shown = [e for e in verdict.evidence if e.state != "missed"]
        if shown:
            out += ["", f"Rubric evidence for {item}:", ""] + [f"- {_cell(e.describe())}" for e in shown]
    return out


def _cell(text: str) -> str:
    # Student text goes into a table: pipes and newlines would break it, HTML must not render.
    return " ".join(text.split()).replace("|", "\\|").replace("<", "&lt;").replace(">", "&gt;")


WIDE = 100
"""Columns from which the terminal report is a table; narrower terminals get indented blocks."""


def terminal(graded: Graded) -> RenderableType:
    """The same report for the terminal: a table where there is room, else one block per item."""
    return _TerminalReport(graded)


class _TerminalReport:
    """Chooses its layout when rendered, since only then is the terminal's width known."""

    def __init__(self, graded: Graded) -> None:
        self.graded = graded

    def __rich_console__(self, console: Console, options: ConsoleOptions) -> RenderResult:
        graded = self.graded
        title = f"{graded.student}: {graded.total:.4g} / {graded.maximum:.4g} ({graded.percent:.0f}%)"
        if options.max_width >= WIDE:
            yield _table(graded, title)
        else:
            # A four-column table would leave the feedback a dozen characters wide.
            yield Text(title, style="bold")
            for result in graded.results:
                yield verdict_text(result.verdict, result.question)
        for warning in graded.warnings:
            yield Text(f"note: {warning}", style="yellow")


def _table(graded: Graded, title: str) -> Table:
    table = Table(title=title, title_justify="left", show_lines=True)
    table.add_column("item", no_wrap=True)
    table.add_column("verdict", no_wrap=True)
    table.add_column("read as", overflow="fold", max_width=24)
    table.add_column("feedback", overflow="fold")
    for result in graded.results:
        for item, verdict in _rows(result):
            mark = Text(f"{STATUS_MARK[verdict.status]} {verdict.status} {verdict.score:.2f}",
                        style=STATUS_STYLE[verdict.status])
            note = _note(verdict)
            # Text, not markup: answers and feedback may hold '[' that rich would read as a tag.
            table.add_row(Text(item), mark, Text(verdict.interpreted_as or ""),
                          Text(verdict.feedback + (f"\n({note})" if note else "")))
    return table


def summary(graded: list[Graded]) -> RenderableType:
    """One line per student (total, items flagged for review, notes): a batch at a glance."""
    table = Table(title=f"{len(graded)} submissions", title_justify="left")
    for name, justify in (("student", "left"), ("file", "left"), ("score", "right"), ("%", "right"),
                          ("to review", "right"), ("notes", "right")):
        table.add_column(name, justify=justify, overflow="fold")  # type: ignore[arg-type]
    for g in graded:
        flagged = sum(v.needs_review for r in g.results for _, v in _rows(r))
        table.add_row(Text(g.student), Text(g.path), f"{g.total:.4g} / {g.maximum:.4g}", f"{g.percent:.0f}",
                      str(flagged or ""), str(len(g.warnings) or ""))
    return table


REPORTS = "reports"
"""The folder under `--out` that holds one Markdown report per student."""


def write_all(graded: list[Graded], out: Path, stats: Any = None, queue: dict[str, Any] | None = None) -> list[Path]:
    """Write the gradebook, one Markdown report per student (in `out/REPORTS`), the review
    queue and any item statistics under `out`; return the paths written."""
    written = gradebook.write(graded, out)
    (out / REPORTS).mkdir(exist_ok=True)
    for g in graded:
        path = out / REPORTS / f"{_file_name(g.student)}.md"
        path.write_text(markdown(g), encoding="utf-8")
        written.append(path)
    queue = gradebook.review_queue(graded) if queue is None else queue
    extras = {"review-queue.json": queue if queue["answers_to_review"] else None,
              "item-stats.json": stats.to_json() if stats else None}
    for name, data in extras.items():
        if data:
            (out / name).write_text(json.dumps(data, ensure_ascii=False, indent=2), encoding="utf-8")
            written.append(out / name)
    return written


def _file_name(student: str) -> str:
    # A student id names a file: keep it to one safe path component.
    return "".join(c if c.isalnum() or c in "._-@+" else "_" for c in student).lstrip(".") or "student"
