"""`rnnquiz take` in a real pseudo-terminal: killed with SIGKILL, resumed, finished; Ctrl-C; NO_COLOR."""

from __future__ import annotations

import io
import os
import re
import signal
import sys
from pathlib import Path

import pexpect
import pytest

from grader.sessions.store import Store

TIMEOUT = 20
PROMPT = "answer> "
# An SGR sequence that sets a foreground colour (bold or dim alone do not count).
COLOUR = re.compile(r"\x1b\[(?:\d+;)*(?:3[0-7]|38|9[0-7])(?:;\d+)*m")


def spawn(bank_dir: Path, db: Path, *args: str, **env: str) -> pexpect.spawn:
    inherited = {name: value for name, value in os.environ.items() if name not in ("NO_COLOR", "FORCE_COLOR")}
    # These sessions type their answers without the preview; tests/session/test_practice_pty.py plays it.
    # PROMPT_TOOLKIT_NO_CPR: pexpect does not answer the line editor's cursor-position query.
    child = pexpect.spawn(sys.executable, ["-m", "grader.cli", "--bank-dir", str(bank_dir), "take", *args,
                                           "--db", str(db), "--no-preview"],
                          env={**inherited, "TERM": "xterm-256color", "RNNQUIZ_STUDENT": "pat",
                               "PROMPT_TOOLKIT_NO_CPR": "1", **env},
                          encoding="utf-8", timeout=TIMEOUT, dimensions=(40, 100))
    child.logfile_read = io.StringIO()  # the whole transcript, for checks on what was drawn
    return child


def answer(child: pexpect.spawn, text: str, expect: str) -> None:
    child.expect_exact(PROMPT)
    child.sendline(text)
    child.expect_exact(expect)


def test_sigkill_then_resume_loses_nothing(bank_dir: Path, db: Path) -> None:
    child = spawn(bank_dir, db, "demo")
    child.expect_exact("1/5 · demo/q1")
    answer(child, "B", "correct")
    answer(child, "A,C", "correct")
    answer(child, "3", "forgot-output-layer")
    child.expect_exact("4/5 · demo/q4")
    child.kill(signal.SIGKILL)
    child.wait()
    assert child.signalstatus == signal.SIGKILL
    with Store(db) as s:
        assert [(a.question_id, a.answer) for a in s.attempts()] == [
            ("demo/q1", "B"), ("demo/q2", "A,C"), ("demo/q3", "3")]

    child = spawn(bank_dir, db, "--resume")
    child.expect_exact("Resuming session #1")
    child.expect_exact("4/5 · demo/q4")
    answer(child, "gradients vanish by repeated multiplication", "correct")
    answer(child, "2", "correct")
    answer(child, "A", "correct")
    child.expect_exact("Score per question")
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 0
    with Store(db) as s:
        (session,) = s.sessions()
        assert session.finished and session.student == "pat"
        assert [a.question_id for a in s.attempts()] == [
            "demo/q1", "demo/q2", "demo/q3", "demo/q4", "demo/ex1.a", "demo/ex1.b"]


def test_ctrl_c_saves_and_exits_130(bank_dir: Path, db: Path) -> None:
    child = spawn(bank_dir, db, "demo")
    answer(child, "B", "correct")
    child.expect_exact(PROMPT)
    child.sendintr()
    child.expect_exact("saved; resume with rnnquiz take --resume")
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 130
    with Store(db) as s:
        assert [a.answer for a in s.attempts()] == ["B"]
        assert not s.sessions()[0].finished


@pytest.mark.parametrize("no_color, coloured", [(None, True), ("1", False)])
def test_no_color_is_honoured(bank_dir: Path, db: Path, no_color: str | None, coloured: bool) -> None:
    env = {"NO_COLOR": no_color} if no_color else {}
    child = spawn(bank_dir, db, "demo", **env)
    answer(child, "A", "incorrect")
    child.expect_exact(PROMPT)
    child.sendline(":quit")
    child.expect(pexpect.EOF)
    child.close()
    transcript = child.logfile_read.getvalue()
    assert "1/5 · demo/q1" in transcript
    assert bool(COLOUR.search(transcript)) is coloured
