"""The attempts store: its API, where it lives, and migrating older databases."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

import pytest

from grader.sessions import store
from grader.errors import UsageError
from grader.model import Verdict
from grader.sessions.store import SCHEMA_VERSION, Store

RIGHT = Verdict("correct", 1.0, "Correct.", interpreted_as="B: clipping")
WRONG = Verdict("incorrect", 0.0, "That is h2.", interpreted_as="3", misconception="forgot-output-layer")
PART = Verdict("partial", 0.75, "a: correct", parts=(("a", RIGHT),))


# (environment, expected path)
PATHS = [
    ({"RNNQUIZ_DB": "/x/mine.db", "XDG_DATA_HOME": "/data"}, Path("/x/mine.db")),
    ({"XDG_DATA_HOME": "/data"}, Path("/data/rnnquiz/attempts.db")),
    ({"XDG_DATA_HOME": "relative/ignored"}, Path.home() / ".local/share/rnnquiz/attempts.db"),
    ({"XDG_DATA_HOME": ""}, Path.home() / ".local/share/rnnquiz/attempts.db"),
    ({}, Path.home() / ".local/share/rnnquiz/attempts.db"),
]


@pytest.mark.parametrize("environ, expected", PATHS)
def test_default_path(environ: dict[str, str], expected: Path) -> None:
    assert store.default_path(environ) == expected


def test_new_database_is_current_and_in_wal_mode(db: Path) -> None:
    with Store(db) as s:
        assert s.version == SCHEMA_VERSION
    raw = sqlite3.connect(db)
    assert raw.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    assert raw.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION


def test_record_and_read_back(db: Path) -> None:
    with Store(db) as s:
        session = s.start_session("ann", ["demo", "demo", "hse"], "practice", ["demo/q1", "hse/q2"], seed=7)
        first = s.record(session.id, "demo/q1", "b", RIGHT, seconds=2.5)
        s.record(session.id, "hse/q2", "3", WRONG, variant_seed=11, variant_params={"n": 3})
        rows = s.attempts(session_id=session.id)
    assert session.banks == ("demo", "hse") and session.seed == 7 and session.plan == ("demo/q1", "hse/q2")
    assert [r.id for r in rows][0] == first
    assert [(r.question_id, r.answer, r.status, r.score, r.misconception) for r in rows] == [
        ("demo/q1", "b", "correct", 1.0, None),
        ("hse/q2", "3", "incorrect", 0.0, "forgot-output-layer"),
    ]
    assert rows[0].verdict == RIGHT.to_json()
    assert (rows[0].student, rows[0].mode, rows[0].seconds) == ("ann", "practice", 2.5)
    assert (rows[0].variant_seed, rows[0].variant_params) == (None, None)
    assert (rows[1].variant_seed, rows[1].variant_params) == (11, {"n": 3})


def test_exercise_verdict_is_stored_whole(db: Path) -> None:
    with Store(db) as s:
        session = s.start_session("ann", ["demo"], "practice", ["demo/ex1"])
        s.record(session.id, "demo/ex1.a", "2", PART)
        (row,) = s.attempts()
    assert row.verdict["parts"]["a"]["status"] == "correct"


def test_invalid_is_not_an_attempt(db: Path) -> None:
    with Store(db) as s:
        session = s.start_session("ann", ["demo"], "practice", ["demo/q1"])
        with pytest.raises(ValueError, match="not an attempt"):
            s.record(session.id, "demo/q1", "zz", Verdict("invalid", 0.0, "Type a letter."))
        assert s.attempts() == []


def test_unknown_mode_is_refused(db: Path) -> None:
    with Store(db) as s, pytest.raises(ValueError, match="unknown mode"):
        s.start_session("ann", ["demo"], "quiz", ["demo/q1"])


def test_filters(db: Path) -> None:
    with Store(db) as s:
        ann = s.start_session("ann", ["demo"], "practice", ["demo/q1", "demo/q2"])
        bob = s.start_session("bob", ["demo"], "exam", ["demo/q1"])
        s.record(ann.id, "demo/q1", "B", RIGHT)
        s.record(ann.id, "demo/q2", "A", WRONG)
        s.record(bob.id, "demo/q1", "A", WRONG)
        assert [a.answer for a in s.attempts(student="ann")] == ["B", "A"]
        assert [a.student for a in s.attempts(question_id="demo/q1")] == ["ann", "bob"]
        assert [a.mode for a in s.attempts(student="bob", question_id="demo/q1")] == ["exam"]
        assert [x.id for x in s.sessions("bob")] == [bob.id]
        assert [x.id for x in s.sessions()] == [ann.id, bob.id]


def test_advance_finish_and_unfinished(db: Path) -> None:
    with Store(db) as s:
        old = s.start_session("ann", ["demo"], "practice", ["demo/q1", "demo/q2"])
        new = s.start_session("ann", ["demo"], "exam", ["demo/q1"])
        other_banks = s.start_session("ann", ["demo", "hse"], "practice", ["demo/q1"])
        s.start_session("ann", ["demo"], "review", ["demo/q1"])  # reviews are not resumed by take
        s.start_session("bob", ["demo"], "practice", ["demo/q1"])
        s.advance(old.id, 1)
        assert s.session(old.id).position == 1
        assert [x.id for x in s.unfinished("ann", ["demo"])] == [new.id, old.id]
        assert [x.id for x in s.unfinished("ann")] == [other_banks.id, new.id, old.id]
        s.finish(new.id, at="2025-01-02T03:04:05.000+00:00")
        assert s.session(new.id).finished_at == "2025-01-02T03:04:05.000+00:00"
        assert s.session(new.id).finished
        assert [x.id for x in s.unfinished("ann", ["demo"])] == [old.id]


def test_unknown_session_is_a_usage_error(db: Path) -> None:
    with Store(db) as s, pytest.raises(UsageError, match="no session 42"):
        s.session(42)


def test_committed_at_once(db: Path) -> None:
    """A second connection sees an answer as soon as `record` returns: nothing waits for close."""
    s = Store(db)
    session = s.start_session("ann", ["demo"], "practice", ["demo/q1"])
    s.record(session.id, "demo/q1", "B", RIGHT)
    seen = sqlite3.connect(db).execute("SELECT answer FROM attempts").fetchall()
    assert seen == [("B",)]
    s.close()


# The schema as version 1 shipped it, written out by hand rather than taken from MIGRATIONS,
# so that a change to the first migration step cannot hide a broken upgrade.
V1_SCHEMA = """
CREATE TABLE sessions (id INTEGER PRIMARY KEY, student TEXT NOT NULL, banks TEXT NOT NULL, mode TEXT NOT NULL,
    seed INTEGER, plan TEXT NOT NULL, position INTEGER NOT NULL DEFAULT 0, started_at TEXT NOT NULL,
    finished_at TEXT);
CREATE TABLE attempts (id INTEGER PRIMARY KEY, session_id INTEGER NOT NULL REFERENCES sessions(id),
    question_id TEXT NOT NULL, answer TEXT NOT NULL, status TEXT NOT NULL, score REAL NOT NULL,
    misconception TEXT, verdict TEXT NOT NULL, seconds REAL, answered_at TEXT NOT NULL);
CREATE INDEX attempts_by_session ON attempts(session_id);
CREATE INDEX sessions_by_student ON sessions(student, finished_at);
INSERT INTO sessions VALUES (1, 'ann', '["demo"]', 'practice', 5, '["demo/q1", "demo/q2"]', 1,
    '2024-05-01T10:00:00.000+00:00', NULL);
INSERT INTO attempts VALUES (1, 1, 'demo/q1', 'B', 'correct', 1.0, NULL,
    '{"status": "correct", "score": 1.0, "feedback": "Correct.", "interpreted_as": "B"}', 3.0,
    '2024-05-01T10:00:03.000+00:00');
PRAGMA user_version = 1;
"""


def test_v1_database_is_migrated_without_losing_rows(db: Path) -> None:
    raw = sqlite3.connect(db)
    raw.executescript(V1_SCHEMA)
    raw.close()
    with Store(db) as s:
        assert s.version == SCHEMA_VERSION
        (old,) = s.attempts(student="ann")
        assert (old.answer, old.status, old.seconds, old.variant_seed, old.variant_params) == ("B", "correct", 3.0,
                                                                                             None, None)
        (session,) = s.unfinished("ann", ["demo"])
        assert (session.id, session.position, session.seed) == (1, 1, 5)
        s.record(session.id, "demo/q2", "A", WRONG, variant_seed=3, variant_params={"T": 2})
        assert [a.variant_params for a in s.attempts(session_id=1)] == [None, {"T": 2}]
    columns = [row[1] for row in sqlite3.connect(db).execute("PRAGMA table_info(attempts)")]
    assert columns[-3:] == ["variant_seed", "variant_params", "attempt_no"]


def test_reopening_a_current_database_changes_nothing(db: Path) -> None:
    with Store(db) as s:
        s.start_session("ann", ["demo"], "practice", ["demo/q1"])
    with Store(db) as s:
        assert s.version == SCHEMA_VERSION
        assert len(s.sessions()) == 1


def test_newer_database_is_refused_untouched(db: Path) -> None:
    raw = sqlite3.connect(db)
    raw.execute("CREATE TABLE future (x)")
    raw.execute(f"PRAGMA user_version = {SCHEMA_VERSION + 1}")
    raw.commit()
    raw.close()
    with pytest.raises(UsageError, match="newer than this rnnquiz"):
        Store(db)
    raw = sqlite3.connect(db)
    assert raw.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION + 1
    assert [r[0] for r in raw.execute("SELECT name FROM sqlite_master")] == ["future"]


def test_not_a_database_is_a_usage_error(tmp_path: Path) -> None:
    path = tmp_path / "notes.db"
    path.write_text("these are my notes, not a database\n" * 100)
    with pytest.raises(UsageError, match="cannot open the attempts database"):
        Store(path)


def test_verdict_json_round_trips_through_the_store(db: Path) -> None:
    with Store(db) as s:
        session = s.start_session("ann", ["demo"], "practice", ["demo/q1"])
        s.record(session.id, "demo/q1", "3", WRONG)
        (row,) = s.attempts()
    stored = sqlite3.connect(db).execute("SELECT verdict FROM attempts").fetchone()[0]
    assert json.loads(stored) == WRONG.to_json() == row.verdict


# A version-2 database as rnnquiz wrote it before tries and FSRS: ann missed demo/q3 twice
# (a Leitner box-1 card) and got demo/q1 right once.
V2_SCHEMA = V1_SCHEMA.replace("PRAGMA user_version = 1;", """
ALTER TABLE attempts ADD COLUMN variant_seed INTEGER;
ALTER TABLE attempts ADD COLUMN variant_params TEXT;
INSERT INTO sessions VALUES (2, 'ann', '["demo"]', 'practice', NULL, '["demo/q3"]', 1,
    '2024-05-02T10:00:00.000+00:00', '2024-05-02T10:01:00.000+00:00');
INSERT INTO attempts VALUES (2, 2, 'demo/q3', '3', 'incorrect', 0.0, 'forgot-output-layer',
    '{"status": "incorrect", "score": 0.0, "feedback": "That is h2.", "interpreted_as": "3"}', 4.0,
    '2024-05-02T10:00:30.000+00:00', NULL, NULL);
INSERT INTO sessions VALUES (3, 'ann', '["demo"]', 'review', NULL, '["demo/q3"]', 1,
    '2024-05-03T10:00:00.000+00:00', '2024-05-03T10:01:00.000+00:00');
INSERT INTO attempts VALUES (3, 3, 'demo/q3', '3', 'incorrect', 0.0, 'forgot-output-layer',
    '{"status": "incorrect", "score": 0.0, "feedback": "That is h2.", "interpreted_as": "3"}', 2.0,
    '2024-05-03T10:00:20.000+00:00', NULL, NULL);
PRAGMA user_version = 2;
""")


def test_v2_database_migrates_and_its_history_schedules_the_review(db: Path, bank_dir: Path) -> None:
    from datetime import datetime, timezone

    from grader.banks.catalog import Catalog
    from grader.sessions import review, session

    raw = sqlite3.connect(db)
    raw.executescript(V2_SCHEMA)
    raw.close()
    with Store(db) as s:
        assert s.version == SCHEMA_VERSION == 3
        rows = s.attempts(student="ann")
        assert [(a.question_id, a.answer, a.attempt_no) for a in rows] == [
            ("demo/q1", "B", 1), ("demo/q3", "3", 1), ("demo/q3", "3", 1)]
        assert [(x.id, x.mode, x.tags, x.items) for x in s.sessions("ann")] == [
            (1, "practice", (), None), (2, "practice", (), None), (3, "review", (), None)]
        cards, _ = session.schedule(Catalog.from_dir(bank_dir), s, "ann")
    by_id = {c.id: c for c in cards}
    assert by_id["demo/q3"].misses == 2 and by_id["demo/q3"].reviews == 2
    assert by_id["demo/q3"].misconceptions == ("forgot-output-layer",)
    # the second miss, replayed through FSRS: due one minute (its first learning step) after it
    assert by_id["demo/q3"].due == datetime(2024, 5, 3, 10, 1, 20, tzinfo=timezone.utc)
    assert [c.id for c in review.due(cards, datetime(2024, 6, 1, tzinfo=timezone.utc))] == ["demo/q3"]
