"""The embedded class store: one SQLite file (the standard library's ``sqlite3``), WAL mode, created on first use.

One connection per store, guarded by a lock: every operation is a few rows and takes well under a millisecond, so
a class of a hundred students answering at once waits microseconds for it. Each change runs in one
``BEGIN IMMEDIATE`` transaction (the check and the write together: two tabs of one student answering at the same
moment still leave one answer). SQLite's own locking keeps two processes on the same file consistent too, but
replicas should share Redis instead (their caches and sessions are separate anyway). The file holds no secret and
no token: only their SHA-256 digests.
"""

from __future__ import annotations

import sqlite3
import threading
import time
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path

from class_store.codes import new_code, new_secret, secret_digest, secret_matches
from class_store.records import (
    CLASS_TTL_SECONDS,
    MAX_ANSWER_CHARS,
    REPLICA_ID_CHARS,
    AnswerRecord,
    ClassState,
    NewClass,
    Refusal,
    StepState,
    StoreUnavailable,
    refusal,
)
from class_store.store import ClassStore

SCHEMA = """
CREATE TABLE IF NOT EXISTS classes (
    code TEXT PRIMARY KEY, secret_digest TEXT NOT NULL, step INTEGER NOT NULL, step_count INTEGER NOT NULL,
    ended INTEGER NOT NULL DEFAULT 0, students INTEGER NOT NULL DEFAULT 0, version INTEGER NOT NULL DEFAULT 1,
    answers_version INTEGER NOT NULL DEFAULT 0, created_at REAL NOT NULL, last_activity REAL NOT NULL);
CREATE INDEX IF NOT EXISTS classes_by_activity ON classes (last_activity);
CREATE TABLE IF NOT EXISTS steps (
    code TEXT NOT NULL, step INTEGER NOT NULL, round INTEGER NOT NULL, revealed INTEGER NOT NULL,
    opened_at REAL NOT NULL, PRIMARY KEY (code, step));
CREATE TABLE IF NOT EXISTS students (
    code TEXT NOT NULL, token_digest TEXT NOT NULL, number INTEGER NOT NULL, joined_at REAL NOT NULL,
    PRIMARY KEY (code, token_digest));
CREATE TABLE IF NOT EXISTS answers (
    code TEXT NOT NULL, step INTEGER NOT NULL, round INTEGER NOT NULL, student INTEGER NOT NULL, value TEXT NOT NULL,
    correct INTEGER NOT NULL, seconds REAL NOT NULL, answered_at REAL NOT NULL,
    PRIMARY KEY (code, step, round, student));
CREATE TABLE IF NOT EXISTS replicas (code TEXT NOT NULL, replica TEXT NOT NULL, PRIMARY KEY (code, replica));
"""
CHILD_TABLES = ("steps", "students", "answers", "replicas")
BUSY_TIMEOUT_MS = 5000


class SqliteClassStore(ClassStore):
    kind = "sqlite"
    shared = False

    def __init__(self, path: str | Path, *, clock: Callable[[], float] = time.time) -> None:
        self.path = Path(path)
        self._clock = clock
        self._lock = threading.Lock()
        try:
            if str(path) != ":memory:":
                self.path.parent.mkdir(parents=True, exist_ok=True)
            self._db = sqlite3.connect(str(path), check_same_thread=False, isolation_level=None,
                                       timeout=BUSY_TIMEOUT_MS / 1000)
            self._db.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
            self._db.execute("PRAGMA journal_mode = WAL")
            self._db.execute("PRAGMA synchronous = NORMAL")  # WAL + NORMAL: durable across a process crash
            self._db.executescript(SCHEMA)
        except (sqlite3.Error, OSError) as error:
            raise StoreUnavailable(f"the class store file {self.path} cannot be opened ({error})") from error

    # ---------------------------------------------------------------------------------------------- plumbing
    @contextmanager
    def _transaction(self, write: bool = True) -> Iterator[sqlite3.Connection]:
        with self._lock:
            try:
                self._db.execute("BEGIN IMMEDIATE" if write else "BEGIN")
                try:
                    yield self._db
                except BaseException:
                    self._db.execute("ROLLBACK")
                    raise
                self._db.execute("COMMIT")
            except sqlite3.Error as error:
                raise StoreUnavailable(f"the class store file {self.path} failed ({error})") from error

    def _live_row(self, db: sqlite3.Connection, code: str) -> tuple | None:
        """The class's row if it exists and has not expired (an expired one is deleted on the way)."""
        row = db.execute("SELECT code, secret_digest, step, step_count, ended, students, version, answers_version, "
                         "created_at, last_activity FROM classes WHERE code = ?", (code,)).fetchone()
        if row is None:
            return None
        if self._clock() - row[9] > CLASS_TTL_SECONDS:
            self._delete(db, [code])
            return None
        return row

    @staticmethod
    def _delete(db: sqlite3.Connection, codes: list[str]) -> None:
        for code in codes:
            db.execute("DELETE FROM classes WHERE code = ?", (code,))
            for table in CHILD_TABLES:
                db.execute(f"DELETE FROM {table} WHERE code = ?", (code,))  # noqa: S608 (our own table names)

    @staticmethod
    def _step_state(db: sqlite3.Connection, code: str, step: int) -> StepState | None:
        row = db.execute("SELECT step, round, revealed, opened_at FROM steps WHERE code = ? AND step = ?",
                         (code, step)).fetchone()
        return None if row is None else StepState(row[0], row[1], bool(row[2]), row[3])

    def _state_of(self, db: sqlite3.Connection, row: tuple) -> ClassState:
        code, _, step, _, ended, students, version, answers_version, created_at, last_activity = row
        current = self._step_state(db, code, step)
        assert current is not None, "a class's current step always has a state"
        return ClassState(code, step, current, bool(ended), students, version, answers_version, created_at,
                          last_activity)

    def _teacher_row(self, db: sqlite3.Connection, code: str, secret: str | None) -> tuple | Refusal:
        row = self._live_row(db, code)
        if row is None:
            return refusal("unknown")
        if not secret_matches(secret, row[1]):
            return refusal("not_teacher")
        if row[4]:
            return refusal("ended")
        return row

    def _changed(self, db: sqlite3.Connection, code: str, *, answers: bool = False) -> ClassState:
        column = "answers_version" if answers else "version"
        db.execute(f"UPDATE classes SET {column} = {column} + 1, last_activity = ? WHERE code = ?",  # noqa: S608
                   (self._clock(), code))
        return self._state_of(db, self._live_row(db, code))

    # ---------------------------------------------------------------------------------------------- the teacher
    def create_class(self, step_count: int, first_step: int = 1) -> NewClass | Refusal:
        if not 1 <= first_step <= step_count:
            return refusal("bad_step")
        now = self._clock()
        secret = new_secret()
        with self._transaction() as db:
            expired = [code for (code,) in db.execute("SELECT code FROM classes WHERE last_activity < ?",
                                                      (now - CLASS_TTL_SECONDS,))]
            self._delete(db, expired)
            if db.execute("SELECT COUNT(*) FROM classes").fetchone()[0] >= self.max_classes:
                return refusal("too_many_classes")
            code = new_code()
            while db.execute("SELECT 1 FROM classes WHERE code = ?", (code,)).fetchone():
                code = new_code()
            db.execute("INSERT INTO classes (code, secret_digest, step, step_count, created_at, last_activity) "
                       "VALUES (?, ?, ?, ?, ?, ?)", (code, secret_digest(secret), first_step, step_count, now, now))
            db.execute("INSERT INTO steps (code, step, round, revealed, opened_at) VALUES (?, ?, 1, 0, ?)",
                       (code, first_step, now))
            state = self._state_of(db, self._live_row(db, code))
        return NewClass(code, secret, state)

    def is_teacher(self, code: str, secret: str | None) -> bool:
        with self._transaction(write=False) as db:
            row = self._live_row(db, code)
            return row is not None and secret_matches(secret, row[1])

    def move_to(self, code: str, secret: str | None, step: int) -> ClassState | Refusal:
        with self._transaction() as db:
            row = self._teacher_row(db, code, secret)
            if isinstance(row, Refusal):
                return row
            if not 1 <= step <= row[3]:
                return refusal("bad_step")
            if step == row[2]:
                return self._state_of(db, row)
            db.execute("INSERT OR IGNORE INTO steps (code, step, round, revealed, opened_at) VALUES (?, ?, 1, 0, ?)",
                       (code, step, self._clock()))
            db.execute("UPDATE classes SET step = ? WHERE code = ?", (step, code))
            return self._changed(db, code)

    def second_round(self, code: str, secret: str | None) -> ClassState | Refusal:
        with self._transaction() as db:
            row = self._teacher_row(db, code, secret)
            if isinstance(row, Refusal):
                return row
            current = self._step_state(db, code, row[2])
            if current.round != 1 or current.revealed:
                return refusal("bad_round")
            db.execute("UPDATE steps SET round = 2, opened_at = ? WHERE code = ? AND step = ?",
                       (self._clock(), code, row[2]))
            return self._changed(db, code)

    def reveal(self, code: str, secret: str | None) -> ClassState | Refusal:
        with self._transaction() as db:
            row = self._teacher_row(db, code, secret)
            if isinstance(row, Refusal):
                return row
            if self._step_state(db, code, row[2]).revealed:
                return self._state_of(db, row)
            db.execute("UPDATE steps SET revealed = 1 WHERE code = ? AND step = ?", (code, row[2]))
            return self._changed(db, code)

    def end(self, code: str, secret: str | None) -> ClassState | Refusal:
        with self._transaction() as db:
            row = self._teacher_row(db, code, secret)
            if isinstance(row, Refusal):
                return row
            db.execute("UPDATE classes SET ended = 1 WHERE code = ?", (code,))
            return self._changed(db, code)

    # ---------------------------------------------------------------------------------------------- students
    def join(self, code: str, token: str) -> int | Refusal:
        digest = secret_digest(token)
        with self._transaction() as db:
            row = self._live_row(db, code)
            if row is None:
                return refusal("unknown")
            known = db.execute("SELECT number FROM students WHERE code = ? AND token_digest = ?",
                               (code, digest)).fetchone()
            if known:
                return known[0]
            if row[4]:
                return refusal("ended")
            if row[5] >= self.max_students:
                return refusal("full")
            number = row[5] + 1
            db.execute("INSERT INTO students (code, token_digest, number, joined_at) VALUES (?, ?, ?, ?)",
                       (code, digest, number, self._clock()))
            db.execute("UPDATE classes SET students = ? WHERE code = ?", (number, code))
            self._changed(db, code, answers=True)
            return number

    def student_number(self, code: str, token: str) -> int | None:
        with self._transaction(write=False) as db:
            if self._live_row(db, code) is None:
                return None
            row = db.execute("SELECT number FROM students WHERE code = ? AND token_digest = ?",
                             (code, secret_digest(token))).fetchone()
            return None if row is None else row[0]

    def answer(self, code: str, token: str, step: int, round: int, value: str,
               correct: bool) -> AnswerRecord | Refusal:
        if len(value) > MAX_ANSWER_CHARS:
            return refusal("too_long")
        with self._transaction() as db:
            row = self._live_row(db, code)
            if row is None:
                return refusal("unknown")
            if row[4]:
                return refusal("ended")
            student = db.execute("SELECT number FROM students WHERE code = ? AND token_digest = ?",
                                 (code, secret_digest(token))).fetchone()
            if student is None:
                return refusal("not_joined")
            current = self._step_state(db, code, row[2])
            if step != row[2] or round != current.round:
                return refusal("moved_on")
            if current.revealed:
                return refusal("closed")
            now = self._clock()
            record = AnswerRecord(step, round, student[0], value, bool(correct), max(0.0, now - current.opened_at))
            db.execute("INSERT OR REPLACE INTO answers (code, step, round, student, value, correct, seconds, "
                       "answered_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                       (code, step, round, record.student, value, int(record.correct), record.seconds, now))
            self._changed(db, code, answers=True)
            return record

    # ---------------------------------------------------------------------------------------------- reading
    def state(self, code: str) -> ClassState | None:
        with self._transaction(write=False) as db:
            row = self._live_row(db, code)
            return None if row is None else self._state_of(db, row)

    def step_states(self, code: str) -> list[StepState]:
        with self._transaction(write=False) as db:
            if self._live_row(db, code) is None:
                return []
            rows = db.execute("SELECT step, round, revealed, opened_at FROM steps WHERE code = ? ORDER BY step",
                              (code,)).fetchall()
            return [StepState(step, round_, bool(revealed), opened_at) for step, round_, revealed, opened_at in rows]

    def answered(self, code: str, step: int, round: int) -> int:
        with self._transaction(write=False) as db:
            if self._live_row(db, code) is None:
                return 0
            return db.execute("SELECT COUNT(*) FROM answers WHERE code = ? AND step = ? AND round = ?",
                              (code, step, round)).fetchone()[0]

    def _answers(self, where: str, params: tuple) -> list[AnswerRecord]:
        with self._transaction(write=False) as db:
            if self._live_row(db, params[0]) is None:
                return []
            rows = db.execute("SELECT step, round, student, value, correct, seconds FROM answers WHERE "  # noqa: S608
                              f"{where} ORDER BY step, round, student", params).fetchall()
            return [AnswerRecord(step, round_, student, value, bool(correct), seconds)
                    for step, round_, student, value, correct, seconds in rows]

    def answers(self, code: str, step: int) -> list[AnswerRecord]:
        return self._answers("code = ? AND step = ?", (code, step))

    def my_answers(self, code: str, token: str) -> list[AnswerRecord]:
        number = self.student_number(code, token)
        if number is None:
            return []
        return self._answers("code = ? AND student = ?", (code, number))

    def all_answers(self, code: str) -> list[AnswerRecord]:
        return self._answers("code = ?", (code,))

    def versions(self, codes: Iterable[str]) -> dict[str, tuple[int, int]]:
        codes = list(dict.fromkeys(codes))
        if not codes:
            return {}
        cutoff = self._clock() - CLASS_TTL_SECONDS
        with self._transaction(write=False) as db:
            rows = db.execute(f"SELECT code, version, answers_version FROM classes WHERE last_activity >= ? AND "  # noqa: S608
                              f"code IN ({', '.join('?' * len(codes))})", (cutoff, *codes)).fetchall()
        return {code: (version, answers_version) for code, version, answers_version in rows}

    # ---------------------------------------------------------------------------------------------- servers
    def note_replica(self, code: str, replica: str) -> frozenset[str]:
        if not replica or len(replica) > REPLICA_ID_CHARS:
            raise ValueError(f"a replica id is 1 to {REPLICA_ID_CHARS} characters")
        with self._transaction() as db:
            if self._live_row(db, code) is None:
                return frozenset()
            db.execute("INSERT OR IGNORE INTO replicas (code, replica) VALUES (?, ?)", (code, replica))
            return frozenset(r for (r,) in db.execute("SELECT replica FROM replicas WHERE code = ?", (code,)))

    def close(self) -> None:
        with self._lock:
            self._db.close()
