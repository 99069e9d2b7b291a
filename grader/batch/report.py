"""Per-student feedback: every question and part with its verdict, reason and reading."""

from __future__ import annotations

from typing import Any, Iterator

from rich.console import Console, ConsoleOptions, RenderableType, RenderResult
from rich.table import Table
from rich.text import Text

from grader.batch.gradebook import Graded, Result
from grader.model import Verdict
from grader.render import STATUS_MARK, STATUS_STYLE, verdict_text


def items(graded: Graded) -> Iterator[tuple[str, Verdict]]:
    """Every item (question, or exercise part) of a graded submission with its verdict."""
    for result in graded.results:
        yield from _rows(result)


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
            lines.append(f"| {item} | {STATUS_MARK[verdict.status]} {verdict.status} | {verdict.score:.2f} | "
                         f"{_cell(verdict.interpreted_as or '')} | {_cell(feedback)} |")
    return "\n".join(lines) + "\n"


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


SUMMARY_ROWS = 100
"""Students listed in a batch's terminal summary; the gradebook has them all."""


def summary(rows: list[Any], count: int) -> RenderableType:
    """One line per student (total, items flagged for review, notes) for the first
    SUMMARY_ROWS of `count` submissions: a batch at a glance."""
    title = f"{count} submissions" + (f" (the first {len(rows)} shown)" if count > len(rows) else "")
    table = Table(title=title, title_justify="left")
    for name, justify in (("student", "left"), ("file", "left"), ("score", "right"), ("%", "right"),
                          ("to review", "right"), ("notes", "right")):
        table.add_column(name, justify=justify, overflow="fold")  # type: ignore[arg-type]
    for row in rows:
        table.add_row(Text(row.student), Text(row.path), f"{row.total:.4g} / {row.maximum:.4g}", f"{row.percent:.0f}",
                      str(row.flagged or ""), str(row.notes or ""))
    return table


REPORTS = "reports"
"""The folder under `--out` that holds one Markdown report per student."""


def file_name(student: str) -> str:
    """The report file name of a student: one safe path component."""
    # A student id names a file: keep it to one safe path component.
    return "".join(c if c.isalnum() or c in "._-@+" else "_" for c in student).lstrip(".") or "student"
