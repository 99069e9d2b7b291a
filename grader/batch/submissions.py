"""Student submission files: read safely, validate, refuse what is hostile.

A submission is YAML or JSON (documented in examples/README.md):

    student: s123                 # required
    bank: in5400                  # optional: grade every question of this bank
    questions: [in5400/task1]     # optional: or exactly these questions
    seed: 7                       # optional: the variant seed the student was given
    draws: {practice/bptt: {h0: 1, x1: 4}}   # optional: the numbers a session drew (exported)
    answers: {in5400/task1.a: 6, nptel/q7: B, seqmodels/q3: [B, D]}
    work: {in5400/task1: {yhat1: 2, dL2/dW_h: 8}}
    notes: free text

Everything in it is hostile until proven otherwise. Only regular files are read (a FIFO,
device, dangling link or link loop is named and skipped; links inside a folder are not
followed), through a non-blocking descriptor checked with fstat, capped in size and in
time. The text is read as text (`textyaml`): an answer is exactly what the student wrote,
and aliases, tags and duplicate keys are refused. Every value is bounded.
"""

from __future__ import annotations

import errno
import json
import os
import re
import stat
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Mapping

from grader.batch import textyaml
from grader.errors import ResponseError, UsageError
from grader.textsafe import one_line

MAX_SUBMISSION_BYTES = 1_000_000
"""Largest submission file read; a real one is a few kilobytes."""
READ_SECONDS = 5.0
"""Longest time spent reading one file; a local file takes microseconds."""
MAX_ANSWERS = 1_000
MAX_ANSWER_CHARS = 20_000
MAX_WORK_ITEMS = 100
MAX_DRAWN_NAMES = 50
"""Drawn names per randomised question; a bank's template draws a handful."""
FIELDS = ("student", "bank", "questions", "seed", "draws", "answers", "work", "notes")
SUFFIXES = (".yaml", ".yml", ".json")
_STUDENT = re.compile(r"[\w.@+-]{1,100}")
_SEED = re.compile(r"[0-9]{1,19}")
_DRAWN_NAME = re.compile(r"[A-Za-z]\w{0,39}")
_DRAWN_VALUE = re.compile(r"[\w.+-]{1,40}")
_NUMBER = re.compile(r"[+-]?(?:[0-9]+\.?[0-9]*|\.[0-9]+)(?:[eE][+-]?[0-9]+)?")


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
    draws: Mapping[str, Mapping[str, str]] = field(default_factory=dict)
    """Per randomised question, the drawn values as text (from an exported session)."""


@dataclass(frozen=True)
class Found:
    """A submission path to read; `named` when given on the command line (links followed)."""

    path: Path
    named: bool


def discover(paths: list[str]) -> list[Found]:
    """Submission paths: each name given, or for a directory its entries with a submission suffix.

    Nothing is opened or followed here: `read` judges every path, so a FIFO, device or
    broken link becomes one refusal line instead of a hang or an abort.
    """
    found: list[Found] = []
    for name in paths:
        path = Path(name)
        if os.path.isdir(path) and not os.path.islink(path):
            try:
                entries = sorted(os.scandir(path), key=lambda e: e.name)
            except OSError as exc:
                raise UsageError(f"cannot list the folder '{one_line(name)}': {exc.strerror or exc}") from None
            found += [Found(Path(e.path), False) for e in entries if e.name.endswith(SUFFIXES)]
        else:
            found.append(Found(path, True))
    return found


def load(found: Found) -> Submission:
    """Read and validate one submission; raise SubmissionError saying why it was refused."""
    name = one_line(str(found.path))
    raw = read(found)
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = raw.count(b"\n", 0, exc.start) + 1
        raise SubmissionError(f"{name}: refused (line {line}): not UTF-8 text") from None
    if "\x00" in text:
        raise SubmissionError(f"{name}: refused: contains NUL bytes (binary data)")
    if found.path.suffix == ".json":
        return _validate(name, str(found.path), _json(name, text))
    try:
        data = textyaml.read_text(text)
    except textyaml.TextYamlError as exc:
        where = f" (line {exc.line})" if exc.line else ""
        raise SubmissionError(f"{name}: refused{where}: {one_line(exc.message)}") from None
    return _validate(name, str(found.path), data)


def _json(name: str, text: str) -> Any:
    """A JSON submission, read by the standard library's C decoder (YAML's parser would read
    it too, at several times the cost), with every value kept as the text written, as
    `textyaml` keeps it; a key given twice is refused, as in YAML."""
    def unique(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
        out: dict[str, Any] = {}
        for key, value in pairs:
            if key in out:
                raise SubmissionError(f"{name}: refused: duplicate key '{one_line(key[:60])}'; each key may appear once")
            out[key] = _as_text(value)
        return out

    def not_finite(word: str) -> Any:
        raise SubmissionError(f"{name}: refused: {word} is not a finite number")

    try:
        data = json.loads(text, object_pairs_hook=unique, parse_int=str, parse_float=str, parse_constant=not_finite)
    except json.JSONDecodeError as exc:
        raise SubmissionError(f"{name}: refused (line {exc.lineno}): JSON syntax error: {exc.msg}") from None
    except RecursionError:
        data = None
        depth = textyaml.MAX_DEPTH + 1
    else:
        depth = _depth(data)
    if depth > textyaml.MAX_DEPTH:
        raise SubmissionError(f"{name}: refused: nested deeper than {textyaml.MAX_DEPTH} levels")
    if _SURROGATE_ESCAPE.search(text) and not _encodable(data):
        raise SubmissionError(f"{name}: refused: a \\uD800–\\uDFFF escape that is not half of a pair is not "
                              "a character; write the character itself (the file is UTF-8)")
    return _as_text(data)


_SURROGATE_ESCAPE = re.compile(r"\\u[dD][89a-fA-F]")
"""Where a lone UTF-16 surrogate can come from: JSON's escapes (UTF-8 text cannot hold one)."""


def _encodable(data: Any) -> bool:
    """Whether every string in `data` can be written as UTF-8 (reports and gradebooks are)."""
    try:
        json.dumps(data, ensure_ascii=False).encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def _as_text(value: Any) -> Any:
    """JSON's true, false and null as the words written (textyaml reads them so too)."""
    if isinstance(value, list):
        return [_as_text(item) for item in value]
    if value is None or isinstance(value, bool):
        return "null" if value is None else str(value).lower()
    return value


def _depth(value: Any) -> int:
    if isinstance(value, dict):
        return 1 + max(map(_depth, value.values()), default=0)
    if isinstance(value, list):
        return 1 + max(map(_depth, value), default=0)
    return 0


def read(found: Found) -> bytes:
    """The bytes of a regular file, or SubmissionError naming what the path is instead."""
    path = found.path
    name = one_line(str(path))
    try:
        info = os.lstat(path)
        flags = os.O_RDONLY | os.O_NONBLOCK | getattr(os, "O_CLOEXEC", 0)
        if stat.S_ISLNK(info.st_mode):
            if not found.named:
                raise SubmissionError(f"{name}: skipped: a symbolic link (links in a folder are not followed; "
                                      "name the file on the command line to grade it)")
            os.stat(path)  # a dangling link or a loop fails here, and is named below
        else:
            flags |= getattr(os, "O_NOFOLLOW", 0)  # what was checked is what is opened
        # Non-blocking, so opening a FIFO returns at once and fstat can refuse it.
        descriptor = os.open(path, flags)
    except OSError as exc:
        raise SubmissionError(f"{name}: skipped: {_os_reason(exc, found.named)}") from None
    try:
        info = os.fstat(descriptor)
        if not stat.S_ISREG(info.st_mode):
            raise SubmissionError(f"{name}: skipped: {_file_kind(info.st_mode)}, not a regular file")
        if info.st_size > MAX_SUBMISSION_BYTES:
            raise SubmissionError(f"{name}: refused: {info.st_size:,} bytes; submissions are limited to "
                                  f"{MAX_SUBMISSION_BYTES:,}")
        return _read_bounded(descriptor, name)
    finally:
        os.close(descriptor)


def _read_bounded(descriptor: int, name: str) -> bytes:
    deadline = time.monotonic() + READ_SECONDS
    chunks: list[bytes] = []
    size = 0
    while True:
        try:
            chunk = os.read(descriptor, 65_536)
        except BlockingIOError:
            chunk = None
        except OSError as exc:
            raise SubmissionError(f"{name}: cannot read: {exc.strerror or exc}") from None
        if chunk == b"":
            return b"".join(chunks)
        if chunk:
            chunks.append(chunk)
            size += len(chunk)
            if size > MAX_SUBMISSION_BYTES:
                raise SubmissionError(f"{name}: refused: more than {MAX_SUBMISSION_BYTES:,} bytes; submissions "
                                      f"are limited to {MAX_SUBMISSION_BYTES:,}")
        if time.monotonic() > deadline:
            raise SubmissionError(f"{name}: skipped: reading took longer than {READ_SECONDS:g} s")
        if chunk is None:
            time.sleep(0.01)


def _os_reason(exc: OSError, named: bool) -> str:
    if exc.errno == errno.ENOENT:
        return "a dangling symbolic link" if named and os.path.islink(exc.filename or "") else "no such file"
    if exc.errno == errno.ELOOP:
        return "a symbolic link loop" if named else "a symbolic link (not followed in a folder)"
    return f"cannot read: {exc.strerror or exc}"


def _file_kind(mode: int) -> str:
    for test, kind in ((stat.S_ISDIR, "a directory"), (stat.S_ISFIFO, "a named pipe (FIFO)"),
                       (stat.S_ISCHR, "a character device"), (stat.S_ISBLK, "a block device"),
                       (stat.S_ISSOCK, "a socket")):
        if test(mode):
            return kind
    return "a special file"


def _validate(name: str, path: str, data: Any) -> Submission:
    def fail(message: str) -> SubmissionError:
        return SubmissionError(f"{name}: {message}")

    if not isinstance(data, dict):
        raise fail("a submission is a mapping with 'student' and 'answers'")
    unknown = [k for k in data if k not in FIELDS]
    if unknown:
        raise fail(f"unknown field '{one_line(unknown[0][:40])}'; allowed: {', '.join(FIELDS)}")
    student = data.get("student")
    if not isinstance(student, str) or not _STUDENT.fullmatch(student):
        raise fail("'student' must be an id of letters, digits and . _ @ + - (at most 100)")
    answers = data.get("answers")
    if not isinstance(answers, dict):
        raise fail("'answers' must be a mapping from question id to answer")
    if len(answers) > MAX_ANSWERS:
        raise fail(f"{len(answers):,} answers; at most {MAX_ANSWERS:,}")
    texts = {qid: _answer_text(name, qid, value) for qid, value in answers.items()}
    work = data.get("work") or {}
    if not isinstance(work, dict) or not all(isinstance(v, dict) for v in work.values()):
        raise fail("'work' maps an exercise id to {quantity: value}")
    work = {exercise: {quantity: _work_value(name, f"{exercise}.{quantity}", value)
                       for quantity, value in values.items()} for exercise, values in work.items()}
    seed = data.get("seed")
    if seed is not None and not (isinstance(seed, str) and _SEED.fullmatch(seed) and int(seed) < 2**63):
        raise fail("'seed' must be a non-negative integer")
    questions = data.get("questions") or []
    if not isinstance(questions, list) or not all(isinstance(q, str) for q in questions):
        raise fail("'questions' must be a list of question ids")
    bank = data.get("bank")
    if bank is not None and not isinstance(bank, str):
        raise fail("'bank' must be a bank id")
    return Submission(student, path, texts, work, bank, tuple(questions), None if seed is None else int(seed),
                      _draws(name, data.get("draws") or {}))


def _draws(name: str, data: Any) -> dict[str, dict[str, str]]:
    """`draws:` checked for shape only: the grader compares each with its seed's own draws."""
    def fail() -> SubmissionError:
        return SubmissionError(f"{name}: 'draws' maps a question id to {{name: number}}, as `rnnquiz history "
                               f"--submission` writes it; or leave it out, and the numbers are drawn from the seed")

    if not isinstance(data, dict) or len(data) > MAX_ANSWERS:
        raise fail()
    for values in data.values():
        if not isinstance(values, dict) or len(values) > MAX_DRAWN_NAMES or not all(
                isinstance(k, str) and _DRAWN_NAME.fullmatch(k) and isinstance(v, str) and _DRAWN_VALUE.fullmatch(v)
                for k, v in values.items()):
            raise fail()
    return {qid: dict(values) for qid, values in data.items()}


def _answer_text(name: str, qid: str, value: Any) -> str:
    """An answer as the text the student wrote; a list as option letters or a bracketed matrix."""
    where = f"answer to {one_line(qid[:60])}"
    if value is None:
        raise SubmissionError(f"{name}: {where} is empty; leave the question out to skip it")
    if isinstance(value, list):
        value = _list_text(name, where, value, depth=0)
    if not isinstance(value, str):
        raise SubmissionError(f"{name}: {where} must be text, a number or a list")
    if len(value) > MAX_ANSWER_CHARS:
        raise SubmissionError(f"{name}: {where} is {len(value):,} characters; at most {MAX_ANSWER_CHARS:,}")
    return value


def _list_text(name: str, where: str, items: list, depth: int) -> str:
    if depth > 1 or len(items) > MAX_WORK_ITEMS or not all(isinstance(i, (str, list)) for i in items):
        raise SubmissionError(f"{name}: {where}: a list is option letters or a matrix of numbers")
    if not items:
        return "none"
    if depth == 0 and all(isinstance(i, str) and not _NUMBER.fullmatch(i.strip()) for i in items):
        return ",".join(items)  # option letters (or texts) of a multi-select
    return "[" + ", ".join(_list_text(name, where, i, depth + 1) if isinstance(i, list) else i for i in items) + "]"


def _work_value(name: str, where: str, value: Any) -> float | list:
    """A shown intermediate value: a number, or a rectangular list (vector or matrix) of numbers,
    each written as a number or plain arithmetic (`1e3`, `−4`, `12/2`)."""
    shown = one_line(where[:80])
    if isinstance(value, list):
        if not value or len(value) > MAX_WORK_ITEMS:
            raise SubmissionError(f"{name}: work {shown}: a list of 1 to {MAX_WORK_ITEMS} numbers")
        rows = [_work_value(name, where, item) for item in value]
        nested = [isinstance(row, list) for row in rows]
        if any(nested) and not (all(nested) and len({len(row) for row in rows}) == 1  # type: ignore[arg-type]
                                and not any(isinstance(x, list) for row in rows for x in row)):  # type: ignore[union-attr]
            raise SubmissionError(f"{name}: work {shown}: a matrix needs rows of equal length, "
                                  "each a list of numbers")
        return rows
    if not isinstance(value, str) or len(value) > 100:
        raise SubmissionError(f"{name}: work {shown} must be a number (like 2, -4.5 or 1e3) or a list of numbers")
    from grader.mathinput.mathparse import parse_number  # loaded only when work is shown

    try:
        number = parse_number(value)  # finite, or ResponseError saying why not
    except ResponseError as exc:
        raise SubmissionError(f"{name}: work {shown} must be a number (like 2, -4.5 or 1e3) or a list of "
                              f"numbers: {one_line(str(exc))}") from None
    return int(number) if number.is_integer() and abs(number) < 2**53 else number
