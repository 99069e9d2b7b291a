"""How questions, keys and verdicts look in a terminal (rich renderables, no I/O)."""

from __future__ import annotations

import math
import re
from typing import Any

from rich.console import Group, RenderableType
from rich.padding import Padding
from rich.panel import Panel
from rich.table import Table
from rich.text import Text

from grader.model import ATOL_DEFAULT, Question, Tolerance, Verdict
from grader.numbers import format_number
from grader.textsafe import visible

STATUS_STYLE = {"correct": "bold green", "partial": "bold yellow", "incorrect": "bold red", "invalid": "bold magenta",
                "undecided": "bold cyan"}
STATUS_MARK = {"correct": "✓", "partial": "◐", "incorrect": "✗", "invalid": "?", "undecided": "…"}
EVIDENCE_STYLE = {"earned": "green", "voided": "red", "partial": "yellow", "misconception": "yellow"}
"""How a rubric point's evidence line looks (missed points are named in the feedback)."""


WRAPPED = 70
"""A bank line at least this long that ends mid-sentence was wrapped by its author's editor."""
_STANDS_ALONE = re.compile(r"\s|[-•*]\s|\(?[a-z0-9]{1,2}[).]\s|[A-Z]\)\s")
_EQUATION = re.compile(r"\S+ = ")


def prose(text: str) -> str:
    """Bank text with its editor's line wraps undone, so the terminal wraps it to its own
    width instead of breaking every long line again (ragged in an 80-column terminal).

    A line joins the one before it when that one looks wrapped (long, not ending in ':')
    and running text itself (not indented, not a list item: whatever follows those starts
    a line of its own), and it is running text too: not blank, not indented (a formula),
    not a list item, not the next equation of a block of them (`∂L/∂h₁ = −4 + 4 = 0`
    under `∂L₂/∂h₁ = … = 4`).
    """
    lines = text.strip("\n").split("\n")
    out = [lines[0]]
    for line in lines[1:]:
        previous = out[-1]
        if (len(previous) >= WRAPPED and not previous.rstrip().endswith(":") and line.strip()
                and previous.strip() and not _STANDS_ALONE.match(line) and not _STANDS_ALONE.match(previous)
                and not (_EQUATION.match(line) and _EQUATION.match(previous))):
            out[-1] = previous.rstrip() + " " + line
        else:
            out.append(line)
    return "\n".join(out)


def question_panel(question: Question, position: str = "") -> Panel:
    """The question as a student sees it: prompt, lettered options, how to answer; then each part the same way."""
    body: list[RenderableType] = [Text(prose(question.prompt)), *answer_help(question)]
    # One tolerance for every numeric part is said once, not after each part.
    shared = {tolerance_text(p.number_tolerance) for p in question.parts if p.kind == "number"}
    if len(shared) == 1:
        body.append(Text(f"Numbers are accepted {shared.pop()}.", style="dim"))
    for part in question.parts:
        body += [Text(""), part_prompt(part, tolerance=len(shared) > 1)]
    title = " · ".join(x for x in (position, question.id, question.topic) if x)
    return Panel(Group(*body), title=title, title_align="left", border_style="blue")


def part_prompt(part: Question, tolerance: bool = True) -> RenderableType:
    """An exercise part as a student sees it: `(a)` and its prompt, its options, how to answer."""
    return Group(Text.assemble((f"({part.part}) ", "bold cyan"), prose(part.prompt)),
                 *answer_help(part, tolerance))


def answer_help(item: Question, tolerance: bool = True) -> list[RenderableType]:
    """What follows a prompt: the lettered options, and what a multi-select or a number expects."""
    out: list[RenderableType] = []
    if item.options:
        table = Table.grid(padding=(0, 1))
        table.add_column(style="bold cyan", no_wrap=True)
        table.add_column()
        for option in item.options:
            table.add_row(f"{option.letter})", Text(prose(option.text)))
        out += [Text(""), table] if not item.parent else [table]
    if item.kind == "multi":
        out.append(Text("Tick every option that applies (e.g. A,C).", style="dim"))
    if item.kind == "number" and tolerance:
        out.append(Text(f"A number, accepted {tolerance_text(item.number_tolerance)}.", style="dim"))
    return out


def tolerance_text(tolerance: Tolerance) -> str:
    """How close a number must be, in words: `to 3 significant figures (±0.5 %)`, `within ±0.5`."""
    pieces = []
    if tolerance.rel > 0:
        percent = f"±{100 * tolerance.rel:g} %"
        figures = next((n for n in range(1, 10) if math.isclose(tolerance.rel, 5 * 10.0 ** -n)), None)
        pieces.append(f"to {figures} significant figures ({percent})" if figures else f"within {percent}")
    if tolerance.abs > ATOL_DEFAULT or not pieces:
        pieces.append(f"within ±{tolerance.abs:g}" if tolerance.abs > ATOL_DEFAULT else "exactly")
    return " or ".join(pieces)


def key_panel(question: Question, key: Any) -> Panel:
    """The key, explanation, source and notes, for instructors."""
    rows = Table.grid(padding=(0, 1))
    rows.add_column(style="bold", no_wrap=True)
    rows.add_column()
    items = question.parts or (question,)
    for item in items:
        label = f"key ({item.part})" if item.parent else "key"
        rows.add_row(label, Text(describe_key(item, key[item.part] if question.parts else key)))
        if item.parent:
            rows.add_row("", Text(prose(item.explanation), style="dim"))
    rows.add_row("explanation", Text(prose(question.explanation)))
    rows.add_row("source", Text(f"document {question.source.document}, question {question.source.question}"))
    if question.solver:
        rows.add_row("solver", Text(f"{question.solver} {dict(question.params)}"))
    if question.notes:
        rows.add_row("notes", Text(prose(question.notes), style="italic"))
    return Panel(rows, title="instructor view", title_align="left", border_style="green")


def describe_key(question: Question, key: Any) -> str:
    """A key in words: letters with option text, a number, a formula, rubric points."""
    if question.kind == "choice":
        return f"{key}: {question.option(key).text}"
    if question.kind == "multi":
        return ", ".join(sorted(key)) or "no option"
    if question.kind == "text":
        points = "; ".join(p.point for p in question.rubric if not p.misconception)
        wrong = "".join(f"\nmisconception ({p.weight:g}): {p.point}" for p in question.rubric if p.misconception)
        return f"{key}\nrubric: {points}{wrong}"
    if hasattr(key, "interpreted_as"):
        return key.interpreted_as()
    return format_number(key) if isinstance(key, (int, float)) else str(key)


def verdict_text(verdict: Verdict, label: str = "", method: bool = True) -> RenderableType:
    """One verdict: mark, status, score, how the input was read, feedback, then its parts.

    `method` (what decided an equivalence) is for instructors; sessions leave it out.

    Detail lines are padded rather than prefixed with spaces, so wrapped feedback stays
    indented under its verdict even in a 40-column terminal.
    """
    style = STATUS_STYLE[verdict.status]
    # A written answer the rubric cannot judge clearly gets no precise-looking fraction.
    score = ("  uncertain: review", "bold yellow") if verdict.uncertain else f"  score {verdict.score:.2f}"
    head = Text.assemble((f"{label} " if label else "", "bold cyan"),
                         (f"{STATUS_MARK[verdict.status]} {verdict.status}", style), score)
    lines: list[RenderableType] = []
    if verdict.interpreted_as:
        lines.append(Text(f"read as: {visible(verdict.interpreted_as)}", style="cyan"))
    if verdict.feedback:  # feedback may quote what the student typed
        lines.append(Text(visible(verdict.feedback)))
    lines += [Text(visible(e.describe()), style=EVIDENCE_STYLE[e.state]) for e in verdict.evidence if e.state != "missed"]
    if verdict.misconception:
        also = f" (or: {', '.join(verdict.alternatives)})" if verdict.alternatives else ""
        lines.append(Text(f"likely misconception: {verdict.misconception}{also}", style="yellow"))
    if verdict.method and method:
        lines.append(Text(f"decided by: {verdict.method}", style="dim"))
    for pid, part in verdict.parts:
        lines.append(verdict_text(part, f"({pid})", method))
    return Group(head, Padding(Group(*lines), (0, 0, 0, 2), expand=False))


def plain(value: Any) -> Any:
    """A solver value as JSON data: arrays as nested lists, symbolic values as text."""
    if isinstance(value, (bool, str, int)) or value is None:
        return value
    if isinstance(value, float):
        return value if math.isfinite(value) else str(value)
    if isinstance(value, (tuple, list)):
        return [plain(v) for v in value]
    if hasattr(value, "tolist") and not hasattr(value, "free_symbols"):
        return plain(value.tolist())
    if hasattr(value, "free_symbols"):
        return str(value)
    return float(value)


def display(value: Any) -> str:
    """A solver value for people: formulas as the parser would echo them."""
    if hasattr(value, "free_symbols"):
        from grader.mathinput.mathparse import from_sympy  # at first use: only symbolic values need the parser

        try:
            return from_sympy(value).interpreted_as()
        except Exception:  # a form the echo does not cover is still worth showing raw
            return str(value)
    if isinstance(value, float):
        return format_number(value)
    if hasattr(value, "tolist"):
        return str(plain(value))
    return str(value)
