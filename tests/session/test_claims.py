"""A session is run by one process at a time; odd input never ends it (issue 13)."""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

from grader.model import Verdict
from grader.sessions.store import SCHEMA_VERSION, SessionBusy, SessionLost, Store
from tests.session.helpers import play

ROOT = Path(__file__).resolve().parents[2]


def take(bank_dir: Path, db: Path, *args: str) -> subprocess.Popen:
    """A `take` in its own process, answering from a pipe the test writes to."""
    return subprocess.Popen([sys.executable, "-m", "grader.cli", "--bank-dir", str(bank_dir), "take", *args,
                             "--db", str(db), "--student", "ann"], cwd=ROOT, stdin=subprocess.PIPE,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def wait_for_attempts(db: Path, count: int) -> None:
    for _ in range(1200):
        try:
            with sqlite3.connect(db) as raw:
                if raw.execute("SELECT COUNT(*) FROM attempts").fetchone()[0] >= count:
                    return
        except sqlite3.OperationalError:  # the process has not created the tables yet
            pass
        time.sleep(0.05)
    raise AssertionError(f"fewer than {count} attempts recorded")


def attempts(db: Path) -> list[tuple[str, str]]:
    with sqlite3.connect(db) as raw:
        return list(raw.execute("SELECT question_id, answer FROM attempts ORDER BY id"))


def test_a_second_process_resuming_a_running_session_is_refused(bank_dir: Path, db: Path) -> None:
    assert play(["--bank-dir", str(bank_dir), "take", "demo", "--db", str(db), "--student", "ann"], [":quit"]).code == 0
    first = take(bank_dir, db, "--resume")
    first.stdin.write("B\n")
    first.stdin.flush()
    wait_for_attempts(db, 1)  # the first process holds the session and is waiting for the next answer
    second = subprocess.run([sys.executable, "-m", "grader.cli", "--bank-dir", str(bank_dir), "take", "--resume",
                             "--db", str(db), "--student", "ann"], cwd=ROOT, input="B\nA,C\n6\n", text=True,
                            capture_output=True, timeout=60)
    assert second.returncode == 2
    assert "being run by another rnnquiz process" in second.stderr and str(first.pid) in second.stderr
    out, err = first.communicate("A,C\n6\n:quit\n", timeout=60)
    assert first.returncode == 0, err
    assert attempts(db) == [("demo/q1", "B"), ("demo/q2", "A,C"), ("demo/q3", "6")]  # nothing twice
    # The first process let go when it ended: the session can be resumed again.
    again = play(["--bank-dir", str(bank_dir), "take", "--resume", "--db", str(db), "--student", "ann"], [":quit"])
    assert again.code == 0 and "Resuming session" in again.out


def test_a_killed_session_can_be_resumed_at_once(bank_dir: Path, db: Path) -> None:
    first = take(bank_dir, db, "demo")
    first.stdin.write("B\n")
    first.stdin.flush()
    wait_for_attempts(db, 1)
    os.kill(first.pid, signal.SIGKILL)
    first.wait(timeout=60)
    run = play(["--bank-dir", str(bank_dir), "take", "--resume", "--db", str(db), "--student", "ann"],
               ["A,C", ":quit"])
    assert run.code == 0 and "Resuming session" in run.out
    assert attempts(db) == [("demo/q1", "B"), ("demo/q2", "A,C")]


def test_claims_are_atomic_and_a_lost_claim_records_nothing(db: Path) -> None:
    holder, other = Store(db), Store(db)
    session = holder.start_session("ann", ["demo"], "practice", ["demo/q1", "demo/q2"])
    # Another live process on another host holds it: `other` is refused, `holder` keeps recording.
    with sqlite3.connect(db) as raw:
        raw.execute("UPDATE sessions SET owner = 'elsewhere:1:x', heartbeat_at = strftime('%s','now') WHERE id = ?",
                    (session.id,))
    with pytest.raises(SessionBusy, match="pid 1 on elsewhere"):
        other.claim(session.id)
    with pytest.raises(SessionLost):
        holder.record(session.id, "demo/q1", "B", Verdict("correct", 1.0, "Correct."))
    assert attempts(db) == []
    # A claim not renewed for CLAIM_STALE_SECONDS is free again.
    with sqlite3.connect(db) as raw:
        raw.execute("UPDATE sessions SET heartbeat_at = 0 WHERE id = ?", (session.id,))
    other.claim(session.id)
    other.record(session.id, "demo/q1", "B", Verdict("correct", 1.0, "Correct."))
    assert attempts(db) == [("demo/q1", "B")]
    assert holder.version == SCHEMA_VERSION


def test_a_version_3_database_is_migrated_with_its_sessions_free(tmp_path: Path) -> None:
    db = tmp_path / "old.db"
    store = Store(db)
    session = store.start_session("ann", ["demo"], "practice", ["demo/q1"])
    store.close()
    with sqlite3.connect(db) as raw:  # back to version 3: no claim columns
        raw.execute("ALTER TABLE sessions DROP COLUMN owner")
        raw.execute("ALTER TABLE sessions DROP COLUMN heartbeat_at")
        raw.execute("PRAGMA user_version = 3")
    reopened = Store(db)
    assert reopened.version == SCHEMA_VERSION
    reopened.claim(session.id)
    reopened.record(session.id, "demo/q1", "B", Verdict("correct", 1.0, "Correct."))
    assert attempts(db) == [("demo/q1", "B")]


def test_odd_digits_never_end_a_session(bank_dir: Path, db: Path) -> None:
    run = play(["--bank-dir", str(bank_dir), "take", "--db", str(db), "--student", "ann"],
               ["²", "1", "²", "①", "B", ":quit"])
    assert run.code == 0 and "could not complete" not in run.out
    assert "'²' is not one of the banks" in run.out and "'②'" not in run.out
    assert "'①' is not one of the options" in run.out
    assert attempts(db) == [("demo/q1", "B")]


def test_check_reads_odd_digits_from_stdin_as_invalid() -> None:
    for question, answer in (("hse/q1", "²"), ("hse/q2", "A, ①")):
        done = subprocess.run([sys.executable, "-m", "grader.cli", "check", question, "-"], cwd=ROOT, input=answer,
                              capture_output=True, text=True, timeout=60)
        assert done.returncode == 0 and "invalid" in done.stdout and "not one of the options" in done.stdout
