"""A practice session played through a real pseudo-terminal at 80 columns, as a student would.

The line editor (prompt_toolkit) is live here: answers are typed key by key, edited with
backspace, recalled with the up arrow, previewed before they are graded; then Ctrl-C and
`--resume`. pexpect does not answer the editor's cursor-position query, so the test
turns that query off (PROMPT_TOOLKIT_NO_CPR), as a terminal without it would.
"""

from __future__ import annotations

import io
import os
import sys
from pathlib import Path

import pexpect

from grader.banks.catalog import Catalog
from grader.marking import keys, variants
from grader.numbers import format_number
from grader.sessions.store import Store

TIMEOUT = 30
ANSWER, SUBMIT = "answer> ", "submit> "
BACKSPACE, UP, ENTER = "\x7f", "\x1b[A", "\r"
TAGS = ["--tag", "bptt", "--tag", "vanishing-gradients", "--tag", "formulas"]


def spawn(db: Path, *args: str) -> pexpect.spawn:
    inherited = {k: v for k, v in os.environ.items() if k not in ("NO_COLOR", "FORCE_COLOR", "RNNQUIZ_BANK_DIR")}
    child = pexpect.spawn(sys.executable, ["-m", "grader.cli", "take", *args, "--db", str(db), "--student", "pat"],
                          env={**inherited, "TERM": "xterm-256color", "PROMPT_TOOLKIT_NO_CPR": "1"},
                          encoding="utf-8", timeout=TIMEOUT, dimensions=(40, 80))
    child.logfile_read = io.StringIO()
    return child


def type_answer(child: pexpect.spawn, keys_typed: str) -> None:
    child.expect_exact(ANSWER)
    child.send(keys_typed + ENTER)


def submit(child: pexpect.spawn, read_as: str) -> None:
    """The preview reads the answer back; Enter submits it unchanged."""
    child.expect_exact(f"read as: {read_as}")
    child.expect_exact(SUBMIT)
    child.send(ENTER)


def test_practice_session_in_a_terminal(db: Path) -> None:
    bptt = variants.instantiate(Catalog.from_dir(None).question("practice/bptt"), 3)
    key = {part: format_number(round(value, 6)) for part, value in keys.expected(bptt).items()}
    child = spawn(db, "practice", *TAGS, "--seed", "3")
    child.expect_exact("1/5 · practice/bptt")

    # (a): a wrong number with a try left, then the right one (a second try costs 0.1)
    type_answer(child, "1")
    submit(child, "1")
    child.expect_exact("1 try left")
    type_answer(child, key["a"])
    submit(child, key["a"])
    child.expect_exact("score 0.90")

    # (b): wrong on the last try: the key, then the steps on this student's own numbers
    for wrong in ("2", "3"):
        type_answer(child, wrong)
        submit(child, wrong)
    child.expect_exact("The answer:")
    child.expect_exact(key["b"])
    child.expect_exact("How to get it, with your numbers:")
    child.expect_exact("h₁ = W_x·x₁ + W_h·h₀ = 0.1·7 + 1.5·2 = 3.7")

    # (c): typed with a slip, mended with backspace before Enter
    slip = key["c"][:-1] + ("1" if key["c"][-1] != "1" else "2")
    type_answer(child, slip + BACKSPACE + key["c"][-1])
    submit(child, key["c"])
    child.expect_exact("✓ correct")
    type_answer(child, ":skip")                                     # (d)

    # an exercise's choice part shows its options; then the up arrow recalls the last answer
    child.expect_exact("2/5 · practice/vanishing")
    for shown in ("As the gradient flows back from h_T to h_0", "It vanishes", "It explodes", "same order",
                  "As the gradient flows back from h_T to h_0", "It vanishes", "It explodes", "same order"):
        child.expect_exact(shown)                                   # in the panel, then above the prompt
    type_answer(child, "A")                                         # a choice: graded at once
    child.expect_exact("✓ correct")
    type_answer(child, UP)                                          # recalls "A": not a number
    child.expect_exact("could not read that")
    child.expect_exact("No attempt used")
    type_answer(child, ":skip")

    # a formula typo caught at the preview and mended on the pre-filled line
    child.expect_exact("3/5 · practice/gru_formula")
    type_answer(child, "3n^2+3nm+3")
    child.expect_exact("read as: 3·n² + 3·n·m + 3")
    child.expect_exact(SUBMIT)
    child.send(BACKSPACE + "3n" + ENTER)
    submit(child, "3·n² + 3·n·m + 3·n")
    child.expect_exact("✓ correct")

    # Ctrl-C at the next question: saved, and the hint repeats --db and --student
    child.expect_exact("4/5 · practice/output_grad_formula")
    child.expect_exact(ANSWER)
    child.sendintr()
    child.expect_exact("saved; resume with rnnquiz take --resume --db")
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 130
    transcript = child.logfile_read.getvalue()
    assert "decided by" not in transcript

    with Store(db) as s:
        rows = [(a.question_id, a.answer, a.attempt_no, a.status) for a in s.attempts()]
    assert rows == [
        ("practice/bptt.a", "1", 1, "incorrect"), ("practice/bptt.a", key["a"], 2, "correct"),
        ("practice/bptt.b", "2", 1, "incorrect"), ("practice/bptt.b", "3", 2, "incorrect"),
        ("practice/bptt.c", key["c"], 1, "correct"),                # the slip was never submitted
        ("practice/vanishing.a", "A", 1, "correct"),
        ("practice/gru_formula", "3n^2+3nm+3n", 1, "correct"),      # the typo was never graded
    ]

    child = spawn(db, "--resume")
    child.expect_exact("Resuming session #1")
    child.expect_exact("4/5 · practice/output_grad_formula")
    type_answer(child, ":quit")
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 0
