"""The class store backends the contract suite (tests/test_class_store.py) runs against, each built on a clock the
test controls. A backend is added here once: every contract test then runs on it."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

from class_store import ClassStore
from class_store.sqlite_store import SqliteClassStore


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


# name -> a context manager (tmp_path, clock) -> a fresh, empty store
BACKENDS = {"sqlite": sqlite_backend}
