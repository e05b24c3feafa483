"""The class store backends the contract suite (tests/test_class_store.py) runs against, each built on a clock the
test controls. A backend is added here once: every contract test then runs on it."""

from __future__ import annotations

import atexit
import tempfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

from class_store import ClassStore
from class_store.sqlite_store import SqliteClassStore
from tests.redis_server import RedisServer


class FakeClock:
    """Seconds that move only when the test says so."""

    def __init__(self, now: float = 1_800_000_000.0) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds


@contextmanager
def sqlite_backend(tmp_path: Path, clock: Callable[[], float]) -> Iterator[ClassStore]:
    store = SqliteClassStore(tmp_path / "classes.sqlite3", clock=clock)
    try:
        yield store
    finally:
        store.close()


_redis_servers: list[RedisServer] = []


def shared_redis_server() -> RedisServer:
    """One redis-server per test process (each xdist worker has its own), started on first use, stopped at exit."""
    if not _redis_servers:
        server = RedisServer(Path(tempfile.mkdtemp(prefix="backprop-redis-"))).start()
        atexit.register(server.stop)
        _redis_servers.append(server)
    return _redis_servers[0]


@contextmanager
def redis_backend(tmp_path: Path, clock: Callable[[], float]) -> Iterator[ClassStore]:
    from class_store.redis_store import RedisClassStore

    server = shared_redis_server()
    store = RedisClassStore(server.url, clock=clock)
    store._redis.flushdb()
    try:
        yield store
    finally:
        store.close()


# name -> a context manager (tmp_path, clock) -> a fresh, empty store
BACKENDS = {"sqlite": sqlite_backend, "redis": redis_backend}
