"""Student submission files: read safely, validate, refuse what is hostile.

A submission is YAML or JSON (documented in examples/README.md):

    student: s123                 # required
    bank: in5400                  # optional: grade every question of this bank
    questions: [in5400/task1]     # optional: or exactly these questions
    seed: 7                       # optional: the variant seed the student was given
    answers: {in5400/task1.a: 6, nptel/q7: B, seqmodels/q3: [B, D]}
    work: {in5400/task1: {yhat1: 2, dL2/dW_h: 8}}
    notes: free text

Everything in it is hostile until proven otherwise: the file size is capped before it is
read, YAML aliases (billion-laughs bombs) and Python tags are refused, nesting is
bounded, and every value must be a plain number or text of bounded length.
"""

from __future__ import annotations

import json
import math
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Mapping

from grader.banks import safeyaml
from grader.errors import UsageError

MAX_SUBMISSION_BYTES = 1_000_000
"""Largest submission file read; a real one is a few kilobytes."""
MAX_ANSWERS = 1_000
MAX_ANSWER_CHARS = 20_000
FIELDS = ("student", "bank", "questions", "seed", "answers", "work", "notes")
SUFFIXES = (".yaml", ".yml", ".json")
_STUDENT = re.compile(r"^[\w.@+-]{1,100}$")


class SubmissionError(UsageError):
    """A submission file that cannot be graded; the message names the file and the reason."""


@dataclass(frozen=True)
class Submission:
    """One student's answers, as text per question or part id, with any shown work."""

    student: str
    path: str
    answers: Mapping[str, str]
    work: Mapping[str, Mapping[str, Any]] = field(default_factory=dict)
    bank: str | None = None
    questions: tuple[str, ...] = ()
    seed: int | None = None


def discover(paths: list[str]) -> list[Path]:
    """Submission files named on the command line; a directory stands for its files."""
    found: list[Path] = []
    for name in paths:
        path = Path(name)
        if path.is_dir():
            found.extend(sorted(p for p in path.iterdir() if p.suffix in SUFFIXES and p.is_file()))
        elif path.exists():
            found.append(path)
        else:
            raise UsageError(f"no submission file or directory '{name}'")
    return found


def load(path: Path) -> Submission:
    """Read one submission file; raise SubmissionError saying why it was refused."""
    try:
        size = path.stat().st_size
        if size > MAX_SUBMISSION_BYTES:
            raise SubmissionError(f"{path}: refused: {size:,} bytes; submissions are limited to "
                                  f"{MAX_SUBMISSION_BYTES:,}")
        with path.open("rb") as handle:
            raw = handle.read(MAX_SUBMISSION_BYTES + 1)
    except OSError as exc:
        raise SubmissionError(f"{path}: cannot read: {exc.strerror or exc}") from None
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        raise SubmissionError(f"{path}: refused: not UTF-8 text") from None
    if "\x00" in text:
        raise SubmissionError(f"{path}: refused: contains NUL bytes (binary data)")
    if path.suffix == ".json":
        return _validate(path, _json(path, text))
    try:
        data = safeyaml.parse(text, allow_aliases=False).data
    except safeyaml.YamlRefused as exc:
        where = f" (line {exc.issue.line})" if exc.issue.line else ""
        raise SubmissionError(f"{path}: refused{where}: {exc.issue.message}") from None
    return _validate(path, data)


def _json(path: Path, text: str) -> Any:
    """A JSON submission, read by the standard library's C decoder (YAML's parser would read
    it too, at several times the cost); a key given twice is refused, as in YAML."""
    def unique(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
        out: dict[str, Any] = {}
        for key, value in pairs:
            if key in out:
                raise SubmissionError(f"{path}: refused: duplicate key '{key}'; each key may appear once")
            out[key] = value
        return out

    try:
        return json.loads(text, object_pairs_hook=unique)
    except json.JSONDecodeError as exc:
        raise SubmissionError(f"{path}: refused (line {exc.lineno}): JSON syntax error: {exc.msg}") from None
    except RecursionError:
        raise SubmissionError(f"{path}: refused: nested deeper than {safeyaml.MAX_DEPTH} levels") from None


def _validate(path: Path, data: Any) -> Submission:
    def fail(message: str) -> SubmissionError:
        return SubmissionError(f"{path}: {message}")

    if not isinstance(data, dict):
        raise fail("a submission is a mapping with 'student' and 'answers'")
    unknown = [str(k) for k in data if k not in FIELDS]
    if unknown:
        raise fail(f"unknown field '{unknown[0]}'; allowed: {', '.join(FIELDS)}")
    student = data.get("student")
    if isinstance(student, int) and not isinstance(student, bool):
        student = str(student)
    if not isinstance(student, str) or not _STUDENT.match(student):
        raise fail("'student' must be an id of letters, digits and . _ @ + - (at most 100)")
    answers = data.get("answers")
    if not isinstance(answers, dict):
        raise fail("'answers' must be a mapping from question id to answer")
    if len(answers) > MAX_ANSWERS:
        raise fail(f"{len(answers):,} answers; at most {MAX_ANSWERS:,}")
    texts = {str(qid): _answer_text(path, str(qid), value) for qid, value in answers.items()}
    work = data.get("work") or {}
    if not isinstance(work, dict) or not all(isinstance(v, dict) for v in work.values()):
        raise fail("'work' maps an exercise id to {quantity: value}")
    work = {str(exercise): {str(name): _work_value(path, f"{exercise}.{name}", value) for name, value in values.items()}
            for exercise, values in work.items()}
    seed = data.get("seed")
    if seed is not None and (isinstance(seed, bool) or not isinstance(seed, int) or not 0 <= seed < 2**63):
        raise fail("'seed' must be a non-negative integer")
    questions = data.get("questions") or []
    if not isinstance(questions, list) or not all(isinstance(q, str) for q in questions):
        raise fail("'questions' must be a list of question ids")
    bank = data.get("bank")
    if bank is not None and not isinstance(bank, str):
        raise fail("'bank' must be a bank id")
    return Submission(student, str(path), texts, work, bank, tuple(questions), seed)


def _answer_text(path: Path, qid: str, value: Any) -> str:
    """An answer as the text a student would have typed."""
    if isinstance(value, bool) or value is None:
        raise SubmissionError(f"{path}: answer to {qid} must be text, a number or a list, got {value!r}")
    if isinstance(value, (int, float)):
        if not math.isfinite(value):
            raise SubmissionError(f"{path}: answer to {qid} is not a finite number")
        return repr(value) if isinstance(value, float) else str(value)
    if isinstance(value, list):
        if all(isinstance(v, str) and len(v) <= 10 for v in value):
            return ",".join(value) if value else "none"
        if _plain_number(value):
            return repr(value)
        raise SubmissionError(f"{path}: answer to {qid}: a list is option letters or a matrix of numbers")
    if not isinstance(value, str):
        raise SubmissionError(f"{path}: answer to {qid} must be text, a number or a list")
    if len(value) > MAX_ANSWER_CHARS:
        raise SubmissionError(f"{path}: answer to {qid} is {len(value):,} characters; at most {MAX_ANSWER_CHARS:,}")
    return value


def _work_value(path: Path, where: str, value: Any) -> Any:
    """A shown intermediate value: a number, a list of numbers, or text that reads as a number
    (YAML reads `1e3` and `−4` as text)."""
    if isinstance(value, str) and len(value) <= 100:
        from grader.errors import ResponseError
        from grader.mathinput.mathparse import parse_number

        try:
            value = parse_number(value)
        except ResponseError:
            pass
    if isinstance(value, float) and not math.isfinite(value):
        raise SubmissionError(f"{path}: work {where} is not a finite number")
    if not _plain_number(value):
        raise SubmissionError(f"{path}: work {where} must be a number (like 2, -4.5 or 1e3) or a list of "
                              f"numbers, got {str(value)[:40]!r}")
    return value


def _plain_number(value: Any) -> bool:
    if isinstance(value, bool):
        return False
    if isinstance(value, (int, float)):
        return math.isfinite(value)
    return isinstance(value, list) and len(value) <= 100 and all(_plain_number(v) for v in value)
