"""What only the SQLite backend promises: the class goes on from its file after a restart, and the file holds no
teacher secret and no student token."""

from __future__ import annotations

from class_store.codes import new_token
from class_store.config import DATA_DIR_VARIABLE, SQLITE_FILE, open_store
from class_store.sqlite_store import SqliteClassStore
from tests.class_store_backends import FakeClock


def test_a_restart_loses_nothing(tmp_path):
    clock = FakeClock()
    first = SqliteClassStore(tmp_path / "c.sqlite3", clock=clock)
    created = first.create_class(15)
    token = new_token()
    first.join(created.code, token)
    first.answer(created.code, token, 1, 1, "0.5", True)
    first.reveal(created.code, created.secret)
    state = first.state(created.code)
    first.close()

    again = SqliteClassStore(tmp_path / "c.sqlite3", clock=clock)
    assert again.state(created.code) == state
    assert again.is_teacher(created.code, created.secret)
    assert again.join(created.code, token) == 1
    assert [(a.value, a.correct) for a in again.answers(created.code, 1)] == [("0.5", True)]
    again.close()


def test_the_file_keeps_digests_not_secrets_or_tokens(tmp_path):
    store = SqliteClassStore(tmp_path / "c.sqlite3")
    created = store.create_class(15)
    token = new_token()
    store.join(created.code, token)
    store.close()
    stored = b"".join(path.read_bytes() for path in tmp_path.iterdir())
    assert created.code.encode() in stored  # the check can see what is in the file
    assert created.secret.encode() not in stored
    assert token.encode() not in stored


def test_open_store_puts_the_file_in_the_data_folder_and_uses_wal(tmp_path):
    store = open_store({DATA_DIR_VARIABLE: str(tmp_path / "data")})
    assert isinstance(store, SqliteClassStore)
    assert store.path == tmp_path / "data" / SQLITE_FILE
    assert store._db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    store.close()
