"""One server-wide queue for heavy work: a few slots (one per CPU of the box), first come first served.

A class on one small server must not start thirty trainings at once: each would get a thirtieth of the CPU and
all would finish late, with every run's arrays in memory together. A session takes a ticket, waits its turn
(seeing "Waiting for a free slot — n ahead", with Stop still working: Streamlit interrupts a script at its next
element call, and the wait redraws its message twice a second), works, and gives the slot back — also when the
run raises or the student presses Stop (``held_slot``'s ``finally``).

The queue and the registry of runs in flight are process-wide objects made once (``process_wide``), not
``st.cache_resource`` entries: any browser may send Streamlit's ``clear_cache`` message, which empties every
``st.cache_data`` and ``st.cache_resource`` of the server. That may drop shared results (they are computed again),
but it must never forget the runs in progress or the students waiting for a slot — a fresh queue would start as many
runs again (8 staggered heavy students ran 7 at once instead of 2). Nor is there a renewal that starts a second
queue beside the first. They change only through their locks. The slots: ``lessons.server_capacity.heavy_slots``
(the box's CPU quota, or an explicit setting); the BLAS thread limit: ``process_setup``.
"""

from __future__ import annotations

import contextlib
import itertools
import threading
import time
from collections import deque
from collections.abc import Callable, Hashable, Iterator
from contextlib import contextmanager
from typing import TypeVar

import streamlit as st

from lessons.server_capacity import heavy_slots
from streamlit_glue.cached import NotComputed
from streamlit_glue.process_setup import give_memory_back

WAIT_REDRAW_SECONDS = 0.5
T = TypeVar("T")
_MAKING = threading.Lock()


def process_wide(make: Callable[[], T]) -> Callable[[], T]:
    """``make()`` called once per process, its result returned ever after — out of reach of ``clear_cache`` (which
    clears Streamlit's caches, not this). Two first callers at once still get one object."""
    made: list[T] = []

    def the_one() -> T:
        if not made:
            with _MAKING:
                if not made:
                    made.append(make())
        return made[0]

    the_one.__doc__ = make.__doc__
    the_one.__name__ = make.__name__
    return the_one


class WorkQueue:
    """``slots`` runs at a time; the others wait in arrival order and can tell how many are ahead of them."""

    def __init__(self, slots: int) -> None:
        if slots < 1:
            raise ValueError("a queue needs at least one slot")
        self.slots = slots
        self._lock = threading.Condition()
        self._running = 0
        self._waiting: deque[int] = deque()
        self._tickets = itertools.count()

    def join(self) -> int:
        """A ticket at the back of the line."""
        with self._lock:
            ticket = next(self._tickets)
            self._waiting.append(ticket)
            return ticket

    def ahead(self, ticket: int) -> int:
        """How many waiting tickets are before this one (0: next to start)."""
        with self._lock:
            return self._waiting.index(ticket) if ticket in self._waiting else 0

    def try_start(self, ticket: int) -> bool:
        """Take a slot if one is free and this ticket is first in line."""
        with self._lock:
            if self._running < self.slots and self._waiting and self._waiting[0] == ticket:
                self._waiting.popleft()
                self._running += 1
                self._lock.notify_all()
                return True
            return False

    def wait(self, seconds: float) -> None:
        """Sleep until the line moves or ``seconds`` pass."""
        with self._lock:
            self._lock.wait(seconds)

    def leave(self, ticket: int) -> None:
        """Give up a place in line (Stop pressed, tab closed) without having run."""
        with self._lock:
            if ticket in self._waiting:
                self._waiting.remove(ticket)
                self._lock.notify_all()

    def finish(self) -> None:
        """Give a slot back."""
        with self._lock:
            if self._running < 1:
                raise RuntimeError("finish() without a running slot")
            self._running -= 1
            self._lock.notify_all()

    @property
    def running(self) -> int:
        with self._lock:
            return self._running

    @property
    def waiting(self) -> int:
        with self._lock:
            return len(self._waiting)


@contextmanager
def slot_of(queue: WorkQueue, on_wait: Callable[[int, float], None], *,
            redraw_seconds: float = WAIT_REDRAW_SECONDS) -> Iterator[None]:
    """Wait for a slot of ``queue`` — calling ``on_wait(n_ahead, seconds_waited)`` while waiting — then hold it.

    Whatever ends the wait or the work (an exception, Streamlit's Stop/rerun), the place or the slot is given back.
    """
    ticket = queue.join()
    started = time.monotonic()
    try:
        while not queue.try_start(ticket):
            on_wait(queue.ahead(ticket), time.monotonic() - started)
            queue.wait(redraw_seconds)
    except BaseException:
        queue.leave(ticket)
        raise
    try:
        yield
    finally:
        queue.finish()


@process_wide
def server_queue() -> WorkQueue:
    """The one queue of this server: as many slots as the box has CPUs (``server_capacity.heavy_slots``)."""
    return WorkQueue(heavy_slots())


def waiting_text(ahead: int, seconds: float) -> str:
    who = "you are next" if ahead == 0 else f"{ahead} ahead"
    slots = server_queue().slots
    return (f"Waiting for a free slot — {who} (waited {seconds:.0f} s). The server runs {slots} heavy "
            f"job{'s' if slots != 1 else ''} at a time; Stop cancels.")


@contextmanager
def heavy_work(status_slot) -> Iterator[None]:
    """Hold one of the server's slots for a heavy run, showing the wait in ``status_slot`` (an ``st.empty``); the
    memory the run freed goes back to the system when it ends (``process_setup.give_memory_back``)."""
    shown = [False]

    def on_wait(ahead: int, seconds: float) -> None:
        shown[0] = True
        status_slot.info(waiting_text(ahead, seconds), icon=":material/hourglass_top:")

    try:
        with slot_of(server_queue(), on_wait):
            if shown[0]:
                status_slot.empty()
            yield
    finally:
        give_memory_back()


@contextmanager
def quietly_in_a_slot() -> Iterator[None]:
    """A slot for work inside a cached function (whose page elements Streamlit would record and replay): it waits
    without a message of its own (the cache's spinner shows) and gives its memory back at the end."""
    try:
        with slot_of(server_queue(), lambda ahead, seconds: None):
            yield
    finally:
        give_memory_back()


def queued(work: Callable[[], T]) -> T:
    """``work()`` in one of the server's slots, the wait shown where the script is writing."""
    with heavy_work(st.empty()):
        return work()


# ------------------------------------------------------------------------------------- one computation per link


class InFlight:
    """The keys some session is computing right now, so that a second session on the same link waits for that
    result instead of computing the same numbers again ("single flight"). It holds only what is in progress."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._events: dict[Hashable, threading.Event] = {}

    def claim(self, key: Hashable) -> threading.Event | None:
        """None: nobody is computing ``key``, the caller now is (and must ``release`` it); otherwise the event
        that is set when the one computing it is done (or gave up)."""
        with self._lock:
            if key in self._events:
                return self._events[key]
            self._events[key] = threading.Event()
            return None

    def release(self, key: Hashable) -> None:
        with self._lock:
            event = self._events.pop(key, None)
        if event is not None:
            event.set()

    def __len__(self) -> int:
        with self._lock:
            return len(self._events)


@process_wide
def runs_in_flight() -> InFlight:
    """The server's one registry of shared results being computed."""
    return InFlight()


def once_for_everyone(key: Hashable, lookup: Callable[[], T], compute: Callable[[], T],
                      on_wait: Callable[[float], None], *, flights: InFlight | None = None,
                      redraw_seconds: float = WAIT_REDRAW_SECONDS) -> T:
    """A shared result: ``lookup()`` (raises ``NotComputed`` when nobody has it yet); if another session is computing
    it, wait for theirs — calling ``on_wait(seconds_waited)`` meanwhile, where Stop can end the wait — else
    ``compute()`` it here (which stores it for ``lookup``). If theirs was stopped or failed, the next one in line
    computes it. Without this, thirty students opening a fresh link at once each trained the same network."""
    flights = runs_in_flight() if flights is None else flights
    while True:
        with contextlib.suppress(NotComputed):
            return lookup()
        event = flights.claim(key)
        if event is None:
            try:
                with contextlib.suppress(NotComputed):  # stored between our look-up and our claim
                    return lookup()
                return compute()
            finally:
                flights.release(key)
        started = time.monotonic()
        while not event.wait(redraw_seconds):
            on_wait(time.monotonic() - started)


def computing_elsewhere_text(seconds: float) -> str:
    return (f"Another student on this link is computing these results right now; they will appear here too "
            f"(waited {seconds:.0f} s). Stop cancels.")


def computed_once(key: Hashable, lookup: Callable[[], T], compute: Callable[[], T], status_slot) -> T:
    """``once_for_everyone`` with the wait for another session's result shown in ``status_slot`` (an
    ``st.empty``), as ``heavy_work`` shows a place in the queue."""
    shown = [False]

    def on_wait(seconds: float) -> None:
        shown[0] = True
        status_slot.info(computing_elsewhere_text(seconds), icon=":material/hourglass_top:")

    result = once_for_everyone(key, lookup, compute, on_wait)
    if shown[0]:
        status_slot.empty()
    return result
