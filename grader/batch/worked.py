"""Worked steps for one part: the solver's derivation, trimmed to the lines the part needs.

A solver's steps are lines `name = formula = numbers = value` under section headings. The
lines a part needs are the one that defines its quantity and, transitively, every line
that defines a name its right-hand side uses (∂L/∂W_h needs ∂L₁/∂W_h, which needs ∂L₁/∂h₁,
then ∂L₁/∂ŷ₁ and ŷ₁, …); a heading or a note is kept when a kept line follows it. For a
follow-through part the same lines are worked twice, with the student's carried values
and with the right ones.
"""

from __future__ import annotations

import re
from typing import Any, Mapping

from grader.marking import solutions
from grader.marking.memo import Memo
from grader.model import Question, Verdict

_TOKEN = re.compile(r"[\s·+−\-()=,\[\]²½Σ]+")
MAX_LINES = 80
"""Steps shown for one part at most: a vector problem's derivation can run long."""
_STEPS = Memo(10_000)  # a class shares its parts and most carried stories: trim each once


def _defines(line: str) -> str | None:
    """The name a step line defines (`∂L₁/∂h₁` of `∂L₁/∂h₁ = … = −4`), or None for a heading or note."""
    name, sep, _ = line.partition(" = ")
    return name if sep and name and " " not in name else None


def trim(lines: tuple[str, ...] | list[str], label: str) -> list[str]:
    """The lines that lead to `label`'s value, in the solver's order (all of them if none defines it)."""
    defined = {name: index for index, line in enumerate(lines) if (name := _defines(line))}
    if label not in defined:
        return list(lines)[:MAX_LINES]
    keep: set[int] = set()
    todo = [label]
    while todo:
        index = defined.get(todo.pop())
        if index is None or index in keep:
            continue
        keep.add(index)
        todo += [token for token in _TOKEN.split(lines[index].partition(" = ")[2]) if token in defined]
    out: list[str] = []
    pending: list[str] = []  # headings and notes, kept once a needed line follows them
    for index, line in enumerate(lines):
        if _defines(line) is None:
            if not line[:1].isspace() and line[:1].isupper() and " = " not in line:
                pending = []  # a new section heading drops the previous section's pending notes
            pending.append(line)
        elif index in keep:
            out += pending + [line]
            pending = []
    return out[:MAX_LINES]


def _label(quantity: str) -> str:
    from solvers.format import quantity_label  # numpy: only when a report is written

    return quantity_label(quantity)


def steps(part: Question) -> list[str]:
    """The worked steps of a solver-backed part on the student's variant of the problem."""
    if not (part.solver and part.quantity):
        return []
    return list(_STEPS.for_object(part, None, lambda: _worked(part, part.params, {})))


def compared(part: Question, verdict: Verdict) -> list[str]:
    """For follow-through credit: the part's steps worked with the student's carried values
    (marked "(given)") and convention, to set beside `steps(part)`; [] for any other verdict."""
    if not (part.solver and part.quantity and (verdict.carried or verdict.convention)):
        return []
    given = {name: _plain(value) for name, value in verdict.carried}
    params: Mapping[str, Any] = {**part.params, **{name: _plain(v) for name, v in verdict.convention}}
    story = (verdict.carried, verdict.convention)
    return list(_STEPS.for_object(part, story, lambda: _worked(part, params, given)))


def _worked(part: Question, params: Mapping[str, Any], given: Mapping[str, Any]) -> tuple[str, ...]:
    try:
        return tuple(trim(solutions.solution(part.solver, params, given).steps, _label(part.quantity)))
    except Exception:  # a solver that cannot write steps for this problem: the key still stands
        return ()


def _plain(value: Any) -> Any:
    """A carried value as the solver takes it: nested tuples back to lists."""
    return [_plain(v) for v in value] if isinstance(value, tuple) else value
