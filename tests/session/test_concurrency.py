"""Two sessions in two processes writing to one database at the same time lose nothing."""

from __future__ import annotations

import json
import sqlite3
import subprocess
import sys
from pathlib import Path

ANSWERS = 150

# One writer: opens the store, says it is ready, waits for the go, then records ANSWERS
# answers as fast as it can, each in its own transaction, as a session does.
WRITER = """
import json, sys, time
from grader.model import Verdict
from grader.sessions.store import Store

db, student, count = sys.argv[1], sys.argv[2], int(sys.argv[3])
store = Store(db)
session = store.start_session(student, ["demo"], "practice", [f"demo/q{i}" for i in range(count)])
print("ready", flush=True)
sys.stdin.readline()
first = time.time()
for i in range(count):
    store.record(session.id, f"demo/q{i}", str(i), Verdict("correct", 1.0, "Correct."))
    store.advance(session.id, i + 1)
print(json.dumps({"session": session.id, "first": first, "last": time.time()}))
"""


def test_two_writers_at_once(db: Path) -> None:
    procs = [subprocess.Popen([sys.executable, "-c", WRITER, str(db), student, str(ANSWERS)], stdin=subprocess.PIPE,
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
             for student in ("ann", "bob")]
    # Both are past their imports, however slow the machine, before either starts writing.
    for proc in procs:
        assert proc.stdout.readline().strip() == "ready", proc.stderr.read()
    for proc in procs:
        proc.stdin.write("go\n")
        proc.stdin.flush()
    results = []
    for proc in procs:
        out, err = proc.communicate(timeout=60)
        assert proc.returncode == 0, err
        results.append(json.loads(out))
    # The two write loops really overlapped in time.
    assert max(r["first"] for r in results) < min(r["last"] for r in results)
    raw = sqlite3.connect(db)
    assert raw.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    counts = dict(raw.execute("SELECT s.student, COUNT(*) FROM attempts a JOIN sessions s ON s.id = a.session_id "
                              "GROUP BY s.student"))
    assert counts == {"ann": ANSWERS, "bob": ANSWERS}
    for result in results:
        answers = [row[0] for row in raw.execute("SELECT answer FROM attempts WHERE session_id = ? ORDER BY id",
                                                 (result["session"],))]
        assert answers == [str(i) for i in range(ANSWERS)]
        position = raw.execute("SELECT position FROM sessions WHERE id = ?", (result["session"],)).fetchone()[0]
        assert position == ANSWERS


OPENER = """
import sys
from grader.sessions.store import Store

print("ready", flush=True)
sys.stdin.readline()
Store(sys.argv[1]).close()
"""


def test_sessions_opening_one_new_database_at_once(tmp_path: Path) -> None:
    # Switching a new database to WAL takes a lock SQLite does not wait for: without a retry,
    # one of several sessions started at the same moment failed with "database is locked".
    for round_ in range(6):
        db = tmp_path / f"new{round_}.db"
        procs = [subprocess.Popen([sys.executable, "-c", OPENER, str(db)], stdin=subprocess.PIPE,
                                  stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True) for _ in range(4)]
        for proc in procs:
            assert proc.stdout.readline().strip() == "ready", proc.stderr.read()
        for proc in procs:
            proc.stdin.write("go\n")
            proc.stdin.flush()
        for proc in procs:
            _, err = proc.communicate(timeout=60)
            assert proc.returncode == 0, err
