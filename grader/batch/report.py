"""Per-student feedback: every question and part with its text, the answer as read, the verdict,
the key, the explanation and the worked steps (Markdown here, HTML in `htmlreport`), plus the
terminal's table and the batch summary."""

from __future__ import annotations

import hashlib
import re
from typing import Any, Iterator

from rich.console import Console, ConsoleOptions, RenderableType, RenderResult
from rich.table import Table
from rich.text import Text

from grader.batch.gradebook import Graded, Result
from grader.batch.teaching import Entry, note, score, sections
from grader.marking.memo import Memo
from grader.model import Verdict
from grader.render import STATUS_MARK, STATUS_STYLE, verdict_text
from grader.textsafe import visible


def items(graded: Graded) -> Iterator[tuple[str, Verdict]]:
    """Every item (question, or exercise part) of a graded submission with its verdict."""
    for result in graded.results:
        yield from _rows(result)


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


_RENDERED = Memo(5_000)
"""An entry's lines by entry and heading: `teaching` shares an entry between the students
who gave the same answer."""


def _entry(entry: Entry, heading: str) -> list[str]:
    return _RENDERED.for_object(entry, heading, lambda: _entry_lines(entry, heading))


def _entry_lines(entry: Entry, heading: str) -> list[str]:
    verdict = entry.verdict
    flags = note(verdict)
    # A written answer the rubric cannot judge clearly gets no precise-looking fraction.
    earned = "uncertain: review" if verdict.uncertain else f"{score(entry.earned)} / {score(entry.points)}"
    out = [f"{heading} {entry.item}: {STATUS_MARK[verdict.status]} {verdict.status}, {earned}", ""]
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
    # Text inside a paragraph: one line, no HTML that a Markdown viewer would render, and no
    # control character (an ESC sequence) reaching whoever views the file.
    return " ".join(visible(str(text)).split()).replace("<", "&lt;").replace(">", "&gt;")


def _quoted(text: str) -> list[str]:
    return [f"> {_inline(line)}" if line.strip() else ">" for line in text.strip().splitlines()]


def _fenced(text: str) -> list[str]:
    """A code block: shown verbatim, never rendered; the fence outlasts any run of backticks inside."""
    longest = max((len(run) for run in re.findall(r"`+", text)), default=0)
    fence = "`" * max(3, longest + 1)
    return [fence + "text", *visible(text).rstrip().splitlines(), fence]


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
            flags = note(verdict)
            # Text, not markup: answers and feedback may hold '[' that rich would read as a tag.
            table.add_row(Text(visible(item)), mark, Text(visible(verdict.interpreted_as or "")),
                          Text(visible(verdict.feedback + (f"\n({flags})" if flags else ""))))
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
        table.add_row(Text(row.student), Text(visible(row.path)), f"{score(row.total)} / {score(row.maximum)}",
                      f"{row.percent:.0f}", str(row.flagged or ""), str(row.notes or ""))
    return table


REPORTS = "reports"
"""The folder under `--out` that holds one Markdown and one HTML report per student."""


_PLAIN_NAME = re.compile(r"[a-z0-9_@+-][a-z0-9._@+-]{0,99}")


def file_name(student: str, suffix: str = ".md") -> str:
    """The report file name of a student id, unique per id on any file system.

    An id that is already a safe, lower-case ASCII name is used as it is. Any other id
    (capitals, a leading dot, other characters) is made safe and marked with `~` and a
    hash of the exact id, so `x`, `X` and `.x` never share a file even on a
    case-insensitive disk, without knowing the rest of the batch.
    """
    if _PLAIN_NAME.fullmatch(student):
        return f"{student}{suffix}"
    safe = "".join(c if c.isascii() and (c.isalnum() or c in "._-@+") else "_" for c in student).lstrip(".")
    digest = hashlib.sha256(student.encode("utf-8")).hexdigest()[:8]
    return f"{safe[:60] or 'student'}~{digest}{suffix}"
