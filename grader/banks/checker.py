"""The walker every bank check is built on: it records each problem with the file, the line
and the path inside the document (`questions[6].options.B`), and reads generic fields."""

from __future__ import annotations

import difflib
import math
import re
from typing import Any

from grader.banks import safeyaml
from grader.errors import Problem

Where = tuple[Any, ...]


def format_path(path: Where) -> str:
    """`('questions', 6, 'options', 'B')` as `questions[6].options.B`."""
    out = ""
    for step in path:
        out += f"[{step}]" if isinstance(step, int) else (f".{step}" if out else str(step))
    return out


MAX_ATTEMPTS = 10
"""Most tries a bank may allow at one question; more turns practice into guessing."""


class Checker:
    """Walks the raw data, builds the model and records every problem on the way."""

    def __init__(self, file: str, parsed: safeyaml.Parsed) -> None:
        self.file = file
        self.parsed = parsed
        self.problems: list[Problem] = []

    def problem(self, path: Where, message: str) -> None:
        self.problems.append(Problem(self.file, self.parsed.line(path), format_path(path), message))

    # -- generic field readers -------------------------------------------------------

    def mapping(self, value: Any, path: Where, what: str) -> dict | None:
        if isinstance(value, dict):
            return value
        self.problem(path, f"expected {what} (a mapping of 'field: value' lines), got {describe(value)}")
        return None

    def fields(self, data: dict, path: Where, allowed: tuple[str, ...] | frozenset[str], where: str) -> None:
        for key in data:
            if key not in allowed:
                hint = difflib.get_close_matches(str(key), [str(a) for a in allowed], n=1)
                suggestion = f"; did you mean '{hint[0]}'?" if hint else ""
                self.problem(path + (key,), f"unknown field '{key}' in {where}{suggestion} Allowed: {', '.join(sorted(allowed))}")

    def text(self, data: dict, key: str, path: Where, *, required: bool = False) -> str | None:
        if key not in data or data[key] is None:
            if required:
                self.problem(path, f"missing required field '{key}' (text)")
            return None
        value = data[key]
        if isinstance(value, str) and value.strip():
            return value.strip()
        if isinstance(value, bool):
            self.problem(path + (key,), f"expected text, got the boolean {value}; quote it: '{'Yes' if value else 'No'}'")
        else:
            self.problem(path + (key,), f"expected non-empty text, got {describe(value)}")
        return None

    def number(self, data: dict, key: str, path: Where, low: float, high: float | None, default: float) -> float:
        value = data.get(key, default)
        if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value):
            self.problem(path + (key,), f"expected a finite number, got {describe(value)}")
            return default
        if value < low or (high is not None and value > high):
            bounds = f"between {low} and {high}" if high is not None else f"at least {low}"
            self.problem(path + (key,), f"{key} must be {bounds}, got {value}")
            return default
        return float(value)

    def tries(self, data: dict, path: Where, inherited: tuple[int | None, float | None]) -> tuple[int | None, float | None]:
        """`attempts:` (a whole number 1..MAX_ATTEMPTS) and `penalty:` (0..1 per extra try), or the inherited ones."""
        attempts, penalty = inherited
        if "attempts" in data:
            value = data["attempts"]
            if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= MAX_ATTEMPTS:
                self.problem(path + ("attempts",), f"attempts must be a whole number from 1 to {MAX_ATTEMPTS}, "
                                                   f"got {describe(value)}")
            else:
                attempts = value
        if "penalty" in data:
            penalty = self.number(data, "penalty", path, 0.0, 1.0, 0.0)
        return attempts, penalty

    def text_list(self, data: dict, key: str, path: Where, pattern: re.Pattern | None = None) -> tuple[str, ...]:
        value = data.get(key)
        if value is None:
            return ()
        if not isinstance(value, list) or not all(isinstance(v, str) and v.strip() for v in value):
            self.problem(path + (key,), f"expected a list of text, got {describe(value)}")
            return ()
        for index, item in enumerate(value):
            if pattern and not pattern.match(item):
                self.problem(path + (key, index), f"'{item}' is not allowed here; use lower-case letters, digits and '-'")
        return tuple(v.strip() for v in value)


def is_range(value: Any) -> bool:
    return (isinstance(value, list) and len(value) == 2
            and all(isinstance(v, (int, float)) and not isinstance(v, bool) for v in value) and value[0] < value[1])


def positive(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool) and value > 0


def is_matrix(value: Any) -> bool:
    if not isinstance(value, list) or not value:
        return False
    if all(not isinstance(v, list) for v in value):
        return True
    return all(isinstance(row, list) and len(row) == len(value[0]) and row for row in value)


def describe(value: Any) -> str:
    kinds: dict[type, str] = {bool: "a boolean", int: "a number", float: "a number", str: "text",
                              list: "a list", dict: "a mapping", type(None): "nothing"}
    kind = kinds.get(type(value), type(value).__name__)
    if isinstance(value, (bool, int, float)) or (isinstance(value, str) and len(value) < 30):
        return f"{kind} ({value!r})"
    return kind
