"""The answer and the way to it, shown once a student's tries are used up.

The key is put in words (the letter and its text, the value, the formula). For a
solver-backed item the worked derivation is the solver's own (`rnnquiz solve --steps`),
computed on the numbers this student was given and trimmed to the lines the item needs:
starting from the line that defines the item's quantity, every line whose left side is
named on the right of a kept line is kept too, so ŷ₂ brings h₂ and h₁ but not the
gradients. For an exercise part the student got wrong only by carrying an earlier wrong
value, the derivation is also shown on the carried values, beside the right one.
"""

from __future__ import annotations

import re
from typing import Any, Mapping, Sequence

from rich.console import Group, RenderableType
from rich.padding import Padding
from rich.text import Text

from grader.marking.compare import same_answer
from grader.marking.dependencies import ancestors
from grader.marking.kinds import KINDS
from grader.marking.solutions import solution
from grader.model import Question
from grader.render import describe_key

_TOKENS = re.compile(r"[\s·+\-−=(),\[\]²×⊙]+")


def trim(lines: Sequence[str], label: str) -> list[str]:
    """The lines of a derivation that `label` needs, with the headers of their sections.

    A line `name = …` is kept when it defines `label`, or a name used on the right of a
    kept line. Lines that define nothing (section headers, `with …` legends) are kept
    when their section keeps a line. With no line defining `label`, the first
    nothing else (a summary solver's derivation), it is returned whole, runs of lines
    of one shape (`f′(z₁) = 1`, `f′(z₂) = 1`, …) cut to their first and last.
    """
    defines = {_left(line): index for index, line in enumerate(lines) if _left(line)}
    if label not in defines or not any(token in defines for token in _TOKENS.split(_right(lines[defines[label]]))):
        return _collapsed(lines)
    kept: set[int] = set()
    todo = [defines[label]]
    while todo:
        index = todo.pop()
        if index in kept:
            continue
        kept.add(index)
        todo += [defines[token] for token in _TOKENS.split(_right(lines[index]))
                 if token in defines and defines[token] < index]
    out: list[str] = []
    section: list[str] = []
    for index, line in enumerate(lines):
        if not _left(line):
            section = [line] if not line.startswith("with ") else section + [line]
        elif index in kept:
            out += section + [line]
            section = []
    return out


def _right(line: str) -> str:
    return line.split(" = ", 1)[1] if " = " in line else ""


_DIGITS = re.compile(r"[0-9₀-₉.]+")


def _collapsed(lines: Sequence[str]) -> list[str]:
    """Lines with each run of three or more of one shape (equal but for their numbers) cut to first, …, last."""
    out: list[str] = []
    run: list[str] = []
    for line in [*lines, ""]:
        if run and _DIGITS.sub("#", line) == _DIGITS.sub("#", run[0]):
            run.append(line)
            continue
        out += run if len(run) < 3 else [run[0], "…", run[-1]]
        run = [line]
    return out[:-1] if out and out[-1] == "" else out


def _left(line: str) -> str:
    """The name a derivation line defines (`h₁` of `h₁ = W_x·x₁ + …`), or '' for a header."""
    left, sep, _ = line.partition(" = ")
    return left.strip() if sep and not line.startswith("with ") and " " not in left.strip() else ""


def steps(item: Question, given: Mapping[str, Any] | None = None) -> list[str]:
    """The item's worked derivation on its own numbers (and `given` overrides), trimmed to it."""
    if not item.solver or not item.quantity:
        return []
    from solvers.format import quantity_label  # at first use: solvers.format imports numpy

    try:
        solved = solution(item.solver, item.params, given or None)
        lines = list(getattr(solved, "steps", ()))
    except ValueError:  # a carried value the model cannot take: show the right derivation only
        return []
    return trim(lines, quantity_label(item.quantity))


def carried(exercise: Question, part: Question, answers: Mapping[str, str]) -> dict[str, Any]:
    """The earlier parts' values this student carried into `part`: their own answers that differ from the truth."""
    if not exercise.solver or not part.quantity:
        return {}
    truth = solution(exercise.solver, exercise.params)
    upstream = ancestors(exercise.solver, exercise.params, part.quantity)
    out: dict[str, Any] = {}
    for earlier in exercise.parts:
        if earlier.part == part.part:
            break
        text = answers.get(earlier.part)
        if text is None or earlier.quantity not in upstream or earlier.quantity not in truth:
            continue
        try:
            value = KINDS[earlier.kind].parse(earlier, text)
        except Exception:  # an unreadable earlier answer carries nothing
            continue
        if not same_answer(earlier, value, truth[earlier.quantity]):
            out[earlier.quantity] = value
    return out


def reveal(item: Question, key: Any, given: Mapping[str, Any] | None = None) -> RenderableType:
    """The key in words, then the worked steps (on carried values too, when there are some)."""
    # A written answer's model answer, without the rubric that instructors see with it.
    said = str(key) if item.kind == "text" else describe_key(item, key)
    body: list[RenderableType] = [Text.assemble(("The answer: ", "bold green"), said)]
    right = steps(item)
    if given and right:
        from solvers.format import quantity_label, value  # at first use: it imports numpy

        truth = solution(item.solver, item.params)
        pairs = ", ".join(f"{quantity_label(q)} = {value(v)} (right: {value(truth[q])})" for q, v in given.items())
        yours = steps(item, given)
        if yours:
            body += [Text(f"With your carried {pairs}:", style="bold"), _lines(yours)]
        body.append(Text("With the right values:", style="bold"))
    elif right:
        body.append(Text("How to get it, with your numbers:", style="bold"))
    if right:
        body.append(_lines(right))
    return Group(*body)


def _lines(lines: Sequence[str]) -> RenderableType:
    return Padding(Text("\n".join(lines)), (0, 0, 0, 2))
