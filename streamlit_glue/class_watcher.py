"""The class watcher: one thread per server process that makes every screen of a live class follow the class,
without a single student's browser polling.

Every run of a class's screen tells the watcher which class it drew and at which versions (``watch``). While any
session is registered, the thread reads the store's ``versions`` of those classes — one cheap read for every
class, about four times a second (zero when nobody is registered: the thread waits on an event) — and reruns
each session whose screen is older than its class:
- a student when the class's ``version`` moved (the teacher's Next, a second round, the reveal, the end);
- the teacher also when ``answers_version`` moved ("k of n answered"), at most twice a second;
- every screen, once, when the store stops answering (so that it says "reconnecting"), and any screen that drew
  "reconnecting" as soon as the store answers again.
The rerun itself is Streamlit's own (streamlit_internals.rerun_session: what run-on-save does). A screen that is
rerun registers again with what it drew; one whose rerun did not come back within ``retry_after`` is asked again;
a session that closed or went to another page is forgotten.

Backend-agnostic: it sees the store only through the ``versions`` callable (SQLite or Redis; each replica's
watcher reads the shared Redis). A store that cannot be reached raises StoreUnavailable, which just means "try
again next time".
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass

from class_store import StoreUnavailable

_LOGGER = logging.getLogger(__name__)
TEACHER, STUDENT = "teacher", "student"
DOWN = -1  # the version a screen registers when it could not reach the store (it drew "reconnecting")


@dataclass
class Watched:
    """What one session's screen drew: the class, the session's role, the page, and the versions."""

    code: str
    role: str
    page: str  # the page's script hash: a session found on another page is forgotten
    version: int
    answers_version: int
    asked_at: float | None = None  # when a rerun was requested and not yet answered by a new registration
    last_rerun: float = 0.0


class ClassWatcher:
    """Reruns the sessions of live classes whose screens are out of date (see the module's docstring)."""

    def __init__(self, versions: Callable[[list[str]], Mapping[str, tuple[int, int]]],
                 rerun: Callable[[str, str], bool], on_page: Callable[[str, str], bool], *,
                 interval: float = 0.25, teacher_gap: float = 0.5, retry_after: float = 5.0,
                 check_sessions_every: float = 10.0, clock: Callable[[], float] = time.monotonic) -> None:
        self._versions = versions
        self._rerun = rerun
        self._on_page = on_page
        self.interval = interval
        self.teacher_gap = teacher_gap
        self.retry_after = retry_after
        self.check_sessions_every = check_sessions_every
        self._clock = clock
        self._lock = threading.Lock()
        self._watched: dict[str, Watched] = {}
        self._wake = threading.Event()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._sessions_checked = clock()
        self.reruns = 0  # how many reruns were requested (tests, the benchmark)
        self.loops = 0  # how many times the thread woke up (tests: none while no class is watched)

    # -------------------------------------------------------------------------------------------- the screens
    def watch(self, session_id: str, page: str, code: str, role: str, version: int, answers_version: int) -> None:
        """A screen of class ``code`` drew these versions (DOWN: it could not reach the store)."""
        with self._lock:
            self._watched[session_id] = Watched(code, role, page, version, answers_version,
                                                last_rerun=getattr(self._watched.get(session_id), "last_rerun", 0.0))
        self._wake.set()

    def forget(self, session_id: str) -> None:
        with self._lock:
            self._watched.pop(session_id, None)

    def watching(self) -> dict[str, Watched]:
        with self._lock:
            return dict(self._watched)

    # -------------------------------------------------------------------------------------------- the thread
    def start(self) -> None:
        """Start the daemon thread (once)."""
        with self._lock:
            if self._thread is None:
                self._thread = threading.Thread(target=self._run, name="class-watcher", daemon=True)
                self._thread.start()

    def stop(self, timeout: float = 2.0) -> None:
        self._stop.set()
        self._wake.set()
        if self._thread is not None:
            self._thread.join(timeout)

    def _run(self) -> None:
        while not self._stop.is_set():
            self.loops += 1
            with self._lock:
                idle = not self._watched
                if idle:
                    self._wake.clear()
            if idle:
                self._wake.wait()  # nobody in a class: no CPU at all until a screen registers
                continue
            self._stop.wait(self.interval)
            if self._stop.is_set():
                break
            try:
                self.tick()
            except Exception:  # a bug or an odd store error must not stop every class on the server following
                _LOGGER.exception("the class watcher's look at the store failed; it tries again")

    def tick(self) -> None:
        """One look at the store: rerun what is out of date (the thread calls this every ``interval``)."""
        watched = self.watching()
        if not watched:
            return
        try:
            current = self._versions(sorted({w.code for w in watched.values()}))
        except StoreUnavailable:
            self._say_down(watched)  # every screen says "reconnecting"; try again next time
            return
        now = self._clock()
        gone = []
        for session_id, w in watched.items():
            versions = current.get(w.code)
            if self._due(w, versions, now) and (not self._ask(session_id, w, now) or versions is None):
                gone.append(session_id)  # closed, on another page, or its class is gone (its rerun says so)
        if now - self._sessions_checked >= self.check_sessions_every:
            self._sessions_checked = now
            gone += [session_id for session_id, w in watched.items() if not self._on_page(session_id, w.page)]
        if gone:
            self._drop(gone)

    def _say_down(self, watched: dict[str, Watched]) -> None:
        """The store stopped answering: rerun once every screen that still shows the class as it was, so that it
        says "reconnecting" instead of offering controls and a form that cannot reach the class (it registers as
        DOWN, and is rerun again when the store answers)."""
        now = self._clock()
        gone = [session_id for session_id, w in watched.items() if w.version != DOWN
                and (w.asked_at is None or now - w.asked_at >= self.retry_after)
                and not self._ask(session_id, w, now)]
        if gone:
            self._drop(gone)

    def _due(self, w: Watched, versions: tuple[int, int] | None, now: float) -> bool:
        if w.asked_at is not None and now - w.asked_at < self.retry_after:
            return False  # asked already; its run will register again
        if versions is None:  # the class expired (or never was): rerun once, and the screen says so
            return True
        version, answers_version = versions
        if w.version == DOWN or version > w.version:
            return True
        if w.role == TEACHER and answers_version > w.answers_version:
            return now - w.last_rerun >= self.teacher_gap
        return False

    def _ask(self, session_id: str, w: Watched, now: float) -> bool:
        """Request the rerun; False if the session is gone (or on another page)."""
        if not self._rerun(session_id, w.page):
            return False
        self.reruns += 1
        with self._lock:
            current = self._watched.get(session_id)
            if current is w:  # not re-registered meanwhile
                w.asked_at, w.last_rerun = now, now
        return True

    def _drop(self, session_ids: Iterable[str]) -> None:
        with self._lock:
            for session_id in session_ids:
                self._watched.pop(session_id, None)
