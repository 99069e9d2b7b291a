"""Per-student feedback: every question and part with its text, the answer as read, the verdict,
the key, the explanation and the worked steps (Markdown here, HTML in `htmlreport`), plus the
terminal's table and the batch summary."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

from rich.console import Console, ConsoleOptions, RenderableType, RenderResult
from rich.table import Table
from rich.text import Text

from grader.batch import gradebook, lms
from grader.batch.gradebook import Graded, Result
from grader.batch.htmlreport import html
from grader.batch.teaching import Entry, note, score, sections
from grader.model import Verdict
from grader.render import STATUS_MARK, STATUS_STYLE, verdict_text


def _rows(result: Result) -> list[tuple[str, Verdict]]:
    if result.verdict.parts:
        return [(f"{result.question}.{pid}", verdict) for pid, verdict in result.verdict.parts]
    return [(result.question, result.verdict)]


def markdown(graded: Graded) -> str:
    """The student's feedback report as Markdown: every question with its text, the answer as
    read, the verdict, the key, the explanation and the worked steps."""
    lines = [f"# Feedback for {_inline(graded.student)}", "",
             f"Total: **{score(graded.total)} / {score(graded.maximum)}** ({graded.percent:.0f}%)  ",
             f"Submission: `{_inline(graded.path)}`" + (f", variant seed {graded.seed}" if graded.seed is not None else ""),
             ""]
    for warning in graded.warnings:
        lines.append(f"> note: {_inline(warning)}")
    for section in sections(graded):
        single = len(section.entries) == 1 and section.entries[0].item == section.question
        if not single:
            lines += ["", f"## {section.question}: {score(section.earned)} / {score(section.points)}", ""]
            if section.prompt:
                lines += _quoted(section.prompt) + [""]
        for entry in section.entries:
            lines += [""] * single + _entry(entry, "##" if single else "###")
    return "\n".join(lines).rstrip() + "\n"


def _entry(entry: Entry, heading: str) -> list[str]:
    verdict = entry.verdict
    flags = note(verdict)
    out = [f"{heading} {entry.item}: {STATUS_MARK[verdict.status]} {verdict.status}, "
           f"{score(entry.earned)} / {score(entry.points)}", ""]
    if entry.prompt:
        out += _quoted(entry.prompt) + [""]
    out += ["Your answer:", ""] + (_fenced(entry.answer) if entry.answer else ["(not answered)"]) + [""]
    if entry.read_as:
        out += [f"Read as: {_inline(entry.read_as)}", ""]
    out += [f"Feedback: {_inline(verdict.feedback)}" + (f" ({_inline(flags)})" if flags else ""), ""]
    if entry.evidence:
        out += ["Evidence:", ""] + [f"- {_inline(line)}" for line in entry.evidence] + [""]
    if entry.key and (entry.prose or "\n" not in entry.key.strip()):
        out += [f"{entry.key_label}: {_inline(entry.key)}", ""]
    elif entry.key:
        out += [f"{entry.key_label}:", ""] + _fenced(entry.key) + [""]
    if entry.explanation:
        explained = [f"Explanation: {_inline(entry.explanation)}"] if entry.prose else \
            ["Explanation:", ""] + _fenced(entry.explanation)
        out += explained + [""]
    if entry.yours:
        out += ["Worked with your values:", ""] + _fenced("\n".join(entry.yours)) + [""]
        out += ["Worked with the right values:", ""] + _fenced("\n".join(entry.steps)) + [""]
    elif entry.steps:
        out += ["Worked solution:", ""] + _fenced("\n".join(entry.steps)) + [""]
    return out


def _inline(text: str) -> str:
    # Text inside a paragraph: one line, and no HTML that a Markdown viewer would render.
    return " ".join(str(text).split()).replace("<", "&lt;").replace(">", "&gt;")


def _quoted(text: str) -> list[str]:
    return [f"> {_inline(line)}" if line.strip() else ">" for line in text.strip().splitlines()]


def _fenced(text: str) -> list[str]:
    """A code block: shown verbatim, never rendered; the fence outlasts any run of backticks inside."""
    longest = max((len(run) for run in re.findall(r"`+", text)), default=0)
    fence = "`" * max(3, longest + 1)
    return [fence + "text", *text.rstrip().splitlines(), fence]


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
        title = f"{graded.student}: {score(graded.total)} / {score(graded.maximum)} ({graded.percent:.0f}%)"
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
            flags = note(verdict)
            # Text, not markup: answers and feedback may hold '[' that rich would read as a tag.
            table.add_row(Text(item), mark, Text(verdict.interpreted_as or ""),
                          Text(verdict.feedback + (f"\n({flags})" if flags else "")))
    return table


def summary(graded: list[Graded]) -> RenderableType:
    """One line per student (total, items flagged for review, notes): a batch at a glance."""
    table = Table(title=f"{len(graded)} submissions", title_justify="left")
    for name, justify in (("student", "left"), ("file", "left"), ("score", "right"), ("%", "right"),
                          ("to review", "right"), ("notes", "right")):
        table.add_column(name, justify=justify, overflow="fold")  # type: ignore[arg-type]
    for g in graded:
        flagged = sum(v.needs_review for r in g.results for _, v in _rows(r))
        table.add_row(Text(g.student), Text(g.path), f"{score(g.total)} / {score(g.maximum)}", f"{g.percent:.0f}",
                      str(flagged or ""), str(len(g.warnings) or ""))
    return table


REPORTS = "reports"
"""The folder under `--out` that holds one Markdown and one HTML report per student."""


def write_all(graded: list[Graded], out: Path, stats: Any = None) -> list[Path]:
    """Write the gradebook, a Markdown and an HTML report per student (in `out/REPORTS`), the
    review queue and any item statistics under `out`; return the paths written."""
    written = gradebook.write(graded, out) + lms.write(graded, out)
    (out / REPORTS).mkdir(exist_ok=True)
    for g in graded:
        for suffix, render in ((".md", markdown), (".html", html)):
            path = out / REPORTS / f"{_file_name(g.student)}{suffix}"
            path.write_text(render(g), encoding="utf-8")
            written.append(path)
    extras = {"review-queue.json": gradebook.review_queue(graded) or None,
              "item-stats.json": stats.to_json() if stats else None}
    for name, data in extras.items():
        if data:
            (out / name).write_text(json.dumps(data, ensure_ascii=False, indent=2), encoding="utf-8")
            written.append(out / name)
    return written


def _file_name(student: str) -> str:
    # A student id names a file: keep it to one safe path component.
    return "".join(c if c.isalnum() or c in "._-@+" else "_" for c in student).lstrip(".") or "student"
