"""Attempts in SQLite: one transaction per answer, resumable sessions, versioned schema.

Every graded answer is committed on its own the moment it is graded, so a session killed
with SIGKILL loses nothing already answered. The database runs in WAL mode with a busy
timeout, so two sessions (two processes) can write to it at once. The schema version
lives in `PRAGMA user_version`; an older database is migrated step by step, inside a
transaction, and a newer one is refused rather than touched.
"""

from __future__ import annotations

import json
import os
import sqlite3
import time
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, Iterator, Mapping, Sequence

from grader.errors import UsageError
from grader.model import Verdict

DB_ENV = "RNNQUIZ_DB"
DB_NAME = "attempts.db"
BUSY_TIMEOUT_MS = 10_000
"""How long a writer waits for another session's transaction before giving up."""

TAKE_MODES = ("practice", "exam")
"""Modes of sessions started by `rnnquiz take`, the ones `take --resume` continues."""
MODES = TAKE_MODES + ("review",)

# Each step takes the schema from version i to i + 1. Steps are only ever appended: a
# database at version k runs steps k+1.. in order, so no stored attempt is dropped.
MIGRATIONS: tuple[tuple[str, ...], ...] = (
    (  # 1: sessions and their attempts
        """CREATE TABLE sessions (
            id INTEGER PRIMARY KEY,
            student TEXT NOT NULL,
            banks TEXT NOT NULL,          -- JSON list of bank ids, sorted
            mode TEXT NOT NULL,           -- practice | exam | review
            seed INTEGER,                 -- --seed, or the one drawn for --shuffle
            plan TEXT NOT NULL,           -- JSON list of question ids, in the order asked
            position INTEGER NOT NULL DEFAULT 0,  -- questions done (answered or skipped)
            started_at TEXT NOT NULL,
            finished_at TEXT
        )""",
        """CREATE TABLE attempts (
            id INTEGER PRIMARY KEY,
            session_id INTEGER NOT NULL REFERENCES sessions(id),
            question_id TEXT NOT NULL,    -- bank/qid, or bank/qid.part for an exercise part
            answer TEXT NOT NULL,
            status TEXT NOT NULL,
            score REAL NOT NULL,
            misconception TEXT,
            verdict TEXT NOT NULL,        -- Verdict.to_json()
            seconds REAL,                 -- time from question shown to answer graded
            answered_at TEXT NOT NULL
        )""",
        "CREATE INDEX attempts_by_session ON attempts(session_id)",
        "CREATE INDEX sessions_by_student ON sessions(student, finished_at)",
    ),
    (  # 2: randomised question variants (NULL while a question has none)
        "ALTER TABLE attempts ADD COLUMN variant_seed INTEGER",
        "ALTER TABLE attempts ADD COLUMN variant_params TEXT",
    ),
    (  # 3: several tries per item, --tag remembered, the items a review session asks
        "ALTER TABLE attempts ADD COLUMN attempt_no INTEGER NOT NULL DEFAULT 1",  # which try at the item
        "ALTER TABLE sessions ADD COLUMN tags TEXT",      # JSON list of --tag values, folded and sorted
        "ALTER TABLE sessions ADD COLUMN items TEXT",     # JSON {card: [item ids]} a review asks; NULL = all
    ),
)
SCHEMA_VERSION = len(MIGRATIONS)


@dataclass(frozen=True)
class SessionRow:
    """One stored session. `position` counts the plan's questions already done."""

    id: int
    student: str
    banks: tuple[str, ...]
    mode: str
    seed: int | None
    plan: tuple[str, ...]
    position: int
    started_at: str
    finished_at: str | None
    tags: tuple[str, ...] = ()
    items: Mapping[str, tuple[str, ...]] | None = None
    """For a review session: the items asked of each card (only those missed before)."""

    @property
    def finished(self) -> bool:
        """Whether the session ran to its end."""
        return self.finished_at is not None


@dataclass(frozen=True)
class AttemptRow:
    """One stored answer, with its session's student and mode."""

    id: int
    session_id: int
    student: str
    mode: str
    question_id: str
    answer: str
    status: str
    score: float
    misconception: str | None
    verdict: Mapping[str, Any]
    seconds: float | None
    answered_at: str
    variant_seed: int | None
    variant_params: Mapping[str, Any] | None
    attempt_no: int = 1
    """Which try at the item this was (1 for the first)."""


def default_path(environ: Mapping[str, str] = os.environ) -> Path:
    """$RNNQUIZ_DB, else $XDG_DATA_HOME/rnnquiz/attempts.db, else ~/.local/share/rnnquiz/attempts.db."""
    if environ.get(DB_ENV):
        return Path(environ[DB_ENV]).expanduser()
    data_home = environ.get("XDG_DATA_HOME", "")
    # The XDG spec says a relative value is invalid and must be ignored.
    base = Path(data_home) if os.path.isabs(data_home) else Path.home() / ".local" / "share"
    return base / "rnnquiz" / DB_NAME


def now() -> str:
    """The current time as stored: ISO 8601 in UTC, to the millisecond."""
    return datetime.now(timezone.utc).isoformat(timespec="milliseconds")


_SESSION_COLUMNS = "id, student, banks, mode, seed, plan, position, started_at, finished_at, tags, items"
_ATTEMPT_COLUMNS = (
    "a.id, a.session_id, s.student, s.mode, a.question_id, a.answer, a.status, a.score, a.misconception, "
    "a.verdict, a.seconds, a.answered_at, a.variant_seed, a.variant_params, a.attempt_no"
)


class Store:
    """The attempts database at `path`, created and migrated on open."""

    def __init__(self, path: str | Path) -> None:
        self.path = Path(path)
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            # isolation_level=None: transactions are opened explicitly, one per write.
            self._db = sqlite3.connect(self.path, timeout=BUSY_TIMEOUT_MS / 1000, isolation_level=None)
            self._db.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
            self._use_wal()
            self._db.execute("PRAGMA foreign_keys = ON")
            self._migrate()
        except (OSError, sqlite3.Error) as exc:
            raise UsageError(f"cannot open the attempts database '{self.path}': {exc}") from None

    def _use_wal(self) -> None:
        # Switching a new database to WAL needs a lock that SQLite does not wait for (the busy
        # handler is not called), so two sessions opening one new database at the same moment
        # could fail with "database is locked": retry until the busy timeout.
        deadline = time.monotonic() + BUSY_TIMEOUT_MS / 1000
        while True:
            try:
                self._db.execute("PRAGMA journal_mode = WAL")
                return
            except sqlite3.OperationalError as exc:
                if "locked" not in str(exc) or time.monotonic() > deadline:
                    raise
                time.sleep(0.01)

    def close(self) -> None:
        """Close the connection (every write is already committed)."""
        self._db.close()

    def __enter__(self) -> "Store":
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @property
    def version(self) -> int:
        """The schema version of the open database."""
        return int(self._db.execute("PRAGMA user_version").fetchone()[0])

    def _migrate(self) -> None:
        if self.version > SCHEMA_VERSION:
            raise UsageError(
                f"the attempts database '{self.path}' has schema version {self.version}, newer than this "
                f"rnnquiz understands ({SCHEMA_VERSION}); upgrade rnnquiz or use another --db"
            )
        while self.version < SCHEMA_VERSION:
            with self._write() as db:
                # Re-read inside the lock: another process may have migrated meanwhile.
                version = int(db.execute("PRAGMA user_version").fetchone()[0])
                if version >= SCHEMA_VERSION:
                    break
                for statement in MIGRATIONS[version]:
                    db.execute(statement)
                db.execute(f"PRAGMA user_version = {version + 1}")

    @contextmanager
    def _write(self) -> Iterator[sqlite3.Connection]:
        """One write transaction; IMMEDIATE takes the write lock up front, so it waits, not fails."""
        self._db.execute("BEGIN IMMEDIATE")
        try:
            yield self._db
        except BaseException:
            self._db.execute("ROLLBACK")
            raise
        self._db.execute("COMMIT")

    def start_session(
        self, student: str, banks: Sequence[str], mode: str, plan: Sequence[str],
        seed: int | None = None, *, at: str | None = None, tags: Sequence[str] = (),
        items: Mapping[str, Sequence[str]] | None = None,
    ) -> SessionRow:
        """Store a new session of `plan` (question ids in the order they will be asked).

        `tags` are the --tag values it was started with; `items` (review sessions) the
        items to ask of each planned question, when not all of them.
        """
        if mode not in MODES:
            raise ValueError(f"unknown mode {mode!r}; modes are {', '.join(MODES)}")
        with self._write() as db:
            cursor = db.execute(
                "INSERT INTO sessions (student, banks, mode, seed, plan, started_at, tags, items) "
                "VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                (student, json.dumps(sorted(set(banks))), mode, seed, json.dumps(list(plan)), at or now(),
                 json.dumps(fold_tags(tags)) if tags else None,
                 None if items is None else json.dumps({card: list(ids) for card, ids in items.items()})),
            )
        return self.session(int(cursor.lastrowid))

    def record(
        self, session_id: int, question_id: str, answer: str, verdict: Verdict, *,
        seconds: float | None = None, variant_seed: int | None = None,
        variant_params: Mapping[str, Any] | None = None, at: str | None = None, attempt_no: int = 1,
    ) -> int:
        """Commit one graded answer (try `attempt_no` at the item) in its own transaction; return its id.

        Invalid input is not an attempt, so an `invalid` verdict is refused.
        """
        if verdict.status == "invalid":
            raise ValueError("an invalid response is not an attempt and is not stored")
        with self._write() as db:
            cursor = db.execute(
                "INSERT INTO attempts (session_id, question_id, answer, status, score, misconception, verdict, "
                "seconds, answered_at, variant_seed, variant_params, attempt_no) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (
                    session_id, question_id, answer, verdict.status, verdict.score, verdict.misconception,
                    json.dumps(verdict.to_json(), ensure_ascii=False), seconds, at or now(), variant_seed,
                    None if variant_params is None else json.dumps(variant_params, sort_keys=True), attempt_no,
                ),
            )
        return int(cursor.lastrowid)

    def advance(self, session_id: int, position: int) -> None:
        """Mark the first `position` questions of a session's plan as done."""
        with self._write() as db:
            db.execute("UPDATE sessions SET position = ? WHERE id = ?", (position, session_id))

    def finish(self, session_id: int, *, at: str | None = None) -> None:
        """Mark a session as run to its end."""
        with self._write() as db:
            db.execute("UPDATE sessions SET finished_at = ? WHERE id = ?", (at or now(), session_id))

    def session(self, session_id: int) -> SessionRow:
        """One session by id (UsageError if there is none)."""
        row = self._db.execute(f"SELECT {_SESSION_COLUMNS} FROM sessions WHERE id = ?", (session_id,)).fetchone()
        if row is None:
            raise UsageError(f"no session {session_id} in '{self.path}'")
        return _session(row)

    def sessions(self, student: str | None = None) -> list[SessionRow]:
        """Sessions, oldest first; only `student`'s when given."""
        where, args = ("WHERE student = ?", (student,)) if student is not None else ("", ())
        rows = self._db.execute(f"SELECT {_SESSION_COLUMNS} FROM sessions {where} ORDER BY id", args)
        return [_session(row) for row in rows]

    def unfinished(self, student: str, banks: Sequence[str] | None = None, tags: Sequence[str] | None = None,
                   modes: Sequence[str] = TAKE_MODES) -> list[SessionRow]:
        """`student`'s unfinished sessions of `modes`, newest first; only those over exactly
        `banks`, and started with exactly `tags`, when given."""
        rows = self._db.execute(
            f"SELECT {_SESSION_COLUMNS} FROM sessions WHERE student = ? AND finished_at IS NULL "
            f"AND mode IN ({', '.join('?' * len(modes))}) ORDER BY id DESC",
            (student, *modes),
        )
        found = [_session(row) for row in rows]
        if banks is not None:
            found = [s for s in found if s.banks == tuple(sorted(set(banks)))]
        if tags is not None:
            found = [s for s in found if s.tags == fold_tags(tags)]
        return found

    def attempts(
        self, *, student: str | None = None, session_id: int | None = None, question_id: str | None = None,
    ) -> list[AttemptRow]:
        """Stored attempts in the order they were made, filtered by any of the arguments."""
        filters = {"s.student": student, "a.session_id": session_id, "a.question_id": question_id}
        used = {column: value for column, value in filters.items() if value is not None}
        where = ("WHERE " + " AND ".join(f"{column} = ?" for column in used)) if used else ""
        rows = self._db.execute(
            f"SELECT {_ATTEMPT_COLUMNS} FROM attempts a JOIN sessions s ON s.id = a.session_id {where} ORDER BY a.id",
            tuple(used.values()),
        )
        return [_attempt(row) for row in rows]


def fold_tags(tags: Sequence[str]) -> tuple[str, ...]:
    """Tags as compared: case-folded, sorted, each once."""
    return tuple(sorted({tag.casefold() for tag in tags}))


def _session(row: tuple[Any, ...]) -> SessionRow:
    id_, student, banks, mode, seed, plan, position, started_at, finished_at, tags, items = row
    return SessionRow(id_, student, tuple(json.loads(banks)), mode, seed, tuple(json.loads(plan)),
                      position, started_at, finished_at, tuple(json.loads(tags)) if tags else (),
                      None if items is None else {card: tuple(ids) for card, ids in json.loads(items).items()})


def _attempt(row: tuple[Any, ...]) -> AttemptRow:
    *head, verdict, seconds, answered_at, variant_seed, variant_params, attempt_no = row
    return AttemptRow(*head, json.loads(verdict), seconds, answered_at, variant_seed,
                      None if variant_params is None else json.loads(variant_params), attempt_no)
