"""Per-student feedback: every question and part with its verdict, reason and reading."""

from __future__ import annotations

import hashlib
import json
import re
from pathlib import Path
from typing import Any

from rich.console import Console, ConsoleOptions, RenderableType, RenderResult
from rich.table import Table
from rich.text import Text

from grader.batch import gradebook
from grader.batch.gradebook import Graded, Result
from grader.model import Verdict
from grader.render import STATUS_MARK, STATUS_STYLE, verdict_text
from grader.textsafe import json_escapes, visible


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
             f"Submission: `{_code(graded.path)}`" + (f", variant seed {graded.seed}" if graded.seed is not None else ""), ""]
    for note in graded.warnings:
        lines.append(f"> note: {_cell(note)}")
    for result in graded.results:
        lines += ["", f"## {result.question}: {result.earned:.4g} / {result.points:.4g}", "",
                  "| item | verdict | score | read as | feedback |", "|---|---|---|---|---|"]
        for item, verdict in _rows(result):
            feedback = " ".join(x for x in (verdict.feedback, f"({_note(verdict)})" if _note(verdict) else "") if x)
            lines.append(f"| {item} | {STATUS_MARK[verdict.status]} {verdict.status} | {verdict.score:.2f} | "
                         f"{_cell(verdict.interpreted_as or '')} | {_cell(feedback)} |")
    return "\n".join(lines) + "\n"


def _cell(text: str) -> str:
    # Student text goes into a table: pipes and newlines would break it, HTML must not render,
    # and a control character (an ESC sequence) must not reach whoever views the file.
    return " ".join(visible(text).split()).replace("|", "\\|").replace("<", "&lt;").replace(">", "&gt;")


def _code(text: str) -> str:
    # Inside `code` nothing is escaped by Markdown, so a backtick would end it.
    return _cell(text).replace("`", "'")


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
            yield Text(f"note: {visible(warning)}", style="yellow")


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
            table.add_row(Text(visible(item)), mark, Text(visible(verdict.interpreted_as or "")),
                          Text(visible(verdict.feedback + (f"\n({note})" if note else ""))))
    return table


def summary(graded: list[Graded]) -> RenderableType:
    """One line per student (total, items flagged for review, notes): a batch at a glance."""
    table = Table(title=f"{len(graded)} submissions", title_justify="left")
    for name, justify in (("student", "left"), ("file", "left"), ("score", "right"), ("%", "right"),
                          ("to review", "right"), ("notes", "right")):
        table.add_column(name, justify=justify, overflow="fold")  # type: ignore[arg-type]
    for g in graded:
        flagged = sum(v.needs_review for r in g.results for _, v in _rows(r))
        table.add_row(Text(g.student), Text(visible(g.path)), f"{g.total:.4g} / {g.maximum:.4g}", f"{g.percent:.0f}",
                      str(flagged or ""), str(len(g.warnings) or ""))
    return table


REPORTS = "reports"
"""The folder under `--out` that holds one Markdown report per student."""


def write_all(graded: list[Graded], out: Path, stats: Any = None) -> list[Path]:
    """Write the gradebook, one Markdown report per student (in `out/REPORTS`), the review
    queue and any item statistics under `out`; return the paths written."""
    written = gradebook.write(graded, out)
    (out / REPORTS).mkdir(exist_ok=True)
    for g in graded:
        path = out / REPORTS / file_name(g.student)
        path.write_text(markdown(g), encoding="utf-8")
        written.append(path)
    extras = {"review-queue.json": gradebook.review_queue(graded) or None,
              "item-stats.json": stats.to_json() if stats else None}
    for name, data in extras.items():
        if data:
            (out / name).write_text(json_escapes(json.dumps(data, ensure_ascii=False, indent=2)), encoding="utf-8")
            written.append(out / name)
    return written


_PLAIN_NAME = re.compile(r"[a-z0-9_@+-][a-z0-9._@+-]{0,99}")


def file_name(student: str) -> str:
    """The report file name of a student id, unique per id on any file system.

    An id that is already a safe, lower-case ASCII name is used as it is. Any other id
    (capitals, a leading dot, other characters) is made safe and marked with `~` and a
    hash of the exact id, so `x`, `X` and `.x` never share a file even on a
    case-insensitive disk, without knowing the rest of the batch.
    """
    if _PLAIN_NAME.fullmatch(student):
        return f"{student}.md"
    safe = "".join(c if c.isascii() and (c.isalnum() or c in "._-@+") else "_" for c in student).lstrip(".")
    digest = hashlib.sha256(student.encode("utf-8")).hexdigest()[:8]
    return f"{safe[:60] or 'student'}~{digest}.md"
