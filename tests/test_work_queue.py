"""The server-wide queue, with real threads: slots, who is how many ahead, and a slot or a place given back
whatever ends the work (an exception, Stop)."""

from __future__ import annotations

import threading
import time

import pytest

from streamlit_glue.cached import NotComputed
from streamlit_glue.work_queue import InFlight, WorkQueue, computed_once, once_for_everyone, slot_of


def _wait_until(condition, seconds: float = 5.0) -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError("timed out")
        time.sleep(0.005)


def test_no_more_than_the_slots_run_at_once_and_everyone_gets_a_turn():
    queue = WorkQueue(2)
    lock, now, peak, done = threading.Lock(), [0], [0], []

    def job(i: int) -> None:
        with slot_of(queue, lambda ahead, waited: None, redraw_seconds=0.01):
            with lock:
                now[0] += 1
                peak[0] = max(peak[0], now[0])
            time.sleep(0.02)
            with lock:
                now[0] -= 1
        done.append(i)

    threads = [threading.Thread(target=job, args=(i,)) for i in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(10)
    assert sorted(done) == list(range(8))
    assert peak[0] == 2
    assert queue.running == 0 and queue.waiting == 0


def test_a_waiting_session_is_told_how_many_are_ahead_and_moves_up():
    queue = WorkQueue(1)
    release = threading.Event()
    seen: dict[int, list[int]] = {1: [], 2: []}

    def holder() -> None:
        with slot_of(queue, lambda ahead, waited: None):
            release.wait(5)

    def waiter(i: int) -> None:
        with slot_of(queue, lambda ahead, waited: seen[i].append(ahead), redraw_seconds=0.01):
            time.sleep(0.2)  # long enough for the one behind to see itself next

    first = threading.Thread(target=holder)
    first.start()
    _wait_until(lambda: queue.running == 1)
    second = threading.Thread(target=waiter, args=(1,))
    second.start()
    _wait_until(lambda: queue.waiting == 1)
    third = threading.Thread(target=waiter, args=(2,))
    third.start()
    _wait_until(lambda: queue.waiting == 2 and seen[2])
    assert seen[1][-1] == 0 and seen[2][-1] == 1  # next in line, and one ahead
    release.set()
    for thread in (first, second, third):
        thread.join(5)
    assert 0 in seen[2]  # moved up to "next" once the first finished
    assert queue.running == 0 and queue.waiting == 0


def test_a_slot_is_given_back_when_the_work_raises():
    queue = WorkQueue(1)
    with pytest.raises(RuntimeError), slot_of(queue, lambda ahead, waited: None):
        assert queue.running == 1
        raise RuntimeError("the run failed")
    assert queue.running == 0
    with slot_of(queue, lambda ahead, waited: None):  # and the next one gets it at once
        assert queue.running == 1


class _Stopped(Exception):
    """Stands in for Streamlit's StopException / RerunException, raised at an element call while waiting."""


def test_stop_while_waiting_gives_the_place_back_and_the_one_behind_moves_up():
    queue = WorkQueue(1)
    release = threading.Event()
    behind: list[int] = []

    def holder() -> None:
        with slot_of(queue, lambda ahead, waited: None):
            release.wait(5)

    def stop_at_once(ahead: int, waited: float) -> None:
        raise _Stopped

    def patient() -> None:
        with slot_of(queue, lambda ahead, waited: behind.append(ahead), redraw_seconds=0.01):
            pass

    first = threading.Thread(target=holder)
    first.start()
    _wait_until(lambda: queue.running == 1)
    ticket = queue.join()  # a session that will press Stop, in line before the patient one
    third = threading.Thread(target=patient)
    third.start()
    _wait_until(lambda: behind and behind[-1] == 1)
    queue.leave(ticket)
    _wait_until(lambda: behind[-1] == 0)
    with pytest.raises(_Stopped), slot_of(queue, stop_at_once):
        pass
    assert queue.waiting == 1  # only the patient one is left in line
    release.set()
    first.join(5)
    third.join(5)
    assert queue.running == 0 and queue.waiting == 0


def test_a_queue_needs_a_slot_and_finish_needs_a_start():
    with pytest.raises(ValueError):
        WorkQueue(0)
    with pytest.raises(RuntimeError):
        WorkQueue(1).finish()


# ------------------------------------------------------------------------------------- one computation per link


def _shared_store():
    """A look-up-or-store pair like streamlit_glue.cached's, counting the computations."""
    store: dict = {}
    computed: list[str] = []

    def lookup(key):
        if key not in store:
            raise NotComputed
        return store[key]

    def compute(key, seconds=0.3):
        computed.append(key)
        time.sleep(seconds)
        store[key] = f"result of {key}"
        return store[key]

    return store, computed, lookup, compute


def test_sessions_arriving_while_a_link_is_computed_wait_for_that_result():
    flights = InFlight()
    _, computed, lookup, compute = _shared_store()
    results, waited = [], []

    def session():
        results.append(once_for_everyone("link", lambda: lookup("link"), lambda: compute("link"),
                                         waited.append, flights=flights, redraw_seconds=0.05))

    threads = [threading.Thread(target=session) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(10)
    assert computed == ["link"]  # once, not eight times
    assert results == ["result of link"] * 8
    assert waited  # the others were told they were waiting
    assert len(flights) == 0  # nothing left in flight


def test_if_the_one_computing_stops_the_next_one_computes():
    flights = InFlight()
    _, computed, lookup, compute = _shared_store()
    started = threading.Event()

    def stopped_part_way():
        started.set()
        time.sleep(0.2)
        raise KeyboardInterrupt("Stop")  # as Streamlit's StopException ends a script

    def first():
        with pytest.raises(KeyboardInterrupt):
            once_for_everyone("link", lambda: lookup("link"), stopped_part_way, lambda s: None, flights=flights,
                              redraw_seconds=0.05)

    thread = threading.Thread(target=first)
    thread.start()
    started.wait(5)
    result = once_for_everyone("link", lambda: lookup("link"), lambda: compute("link", 0.0), lambda s: None,
                               flights=flights, redraw_seconds=0.05)
    thread.join(5)
    assert result == "result of link" and computed == ["link"] and len(flights) == 0


def test_different_links_do_not_wait_for_each_other():
    flights = InFlight()
    assert flights.claim("a") is None and flights.claim("b") is None  # both computed at once
    event = flights.claim("a")
    assert event is not None and not event.is_set()
    flights.release("a")
    assert event.is_set() and len(flights) == 1


class _RecordingSlot:
    """Stands in for an ``st.empty``: records what the page would show in it."""

    def __init__(self) -> None:
        self.calls: list[str] = []

    def info(self, text: str, icon: str = "") -> None:
        self.calls.append(f"info: {text}")

    def empty(self) -> None:
        self.calls.append("empty")


def test_a_session_waiting_for_another_sees_why_and_the_message_goes_when_the_result_comes():
    _, computed, lookup, compute = _shared_store()
    first = threading.Thread(target=computed_once, args=("shown", lambda: lookup("shown"),
                                                         lambda: compute("shown", 1.2), _RecordingSlot()))
    first.start()
    time.sleep(0.2)
    slot = _RecordingSlot()
    assert computed_once("shown", lambda: lookup("shown"), lambda: compute("shown"), slot) == "result of shown"
    first.join(5)
    assert computed == ["shown"]
    assert slot.calls[0].startswith("info: Another student on this link is computing these results")
    assert slot.calls[-1] == "empty"
    quiet = _RecordingSlot()  # the result is there now: nothing to wait for, nothing shown
    assert computed_once("shown", lambda: lookup("shown"), lambda: compute("shown"), quiet) == "result of shown"
    assert quiet.calls == []


# ------------------------------------------------------------------------------------------- out of a client's reach


def test_a_clear_cache_message_leaves_the_queue_the_places_and_the_runs_in_flight_as_they_were():
    """Any browser may send Streamlit's clear_cache, which empties every st.cache_data and st.cache_resource
    (AppSession's handler: ``caching.cache_data.clear(); caching.cache_resource.clear()``). The server's queue and
    its registry of runs in flight are not among them: a student holding a slot keeps it, the one waiting keeps
    its place, a newcomer lines up behind, and a link being computed is still awaited, not computed again."""
    import streamlit as st

    from streamlit_glue.work_queue import runs_in_flight, server_queue

    queue, flights = server_queue(), runs_in_flight()
    release, order = threading.Event(), []
    slots = queue.slots
    holders = [threading.Thread(target=lambda: _hold(queue, release)) for _ in range(slots)]
    for thread in holders:
        thread.start()
    _wait_until(lambda: queue.running == slots)
    waiting = threading.Thread(target=lambda: _hold(queue, release, order, "waiting before the clear"))
    waiting.start()
    _wait_until(lambda: queue.waiting == 1)
    assert flights.claim(("training", "a link")) is None  # someone is computing this link

    st.cache_data.clear()
    st.cache_resource.clear()

    assert server_queue() is queue and runs_in_flight() is flights
    assert queue.running == slots and queue.waiting == 1
    event = flights.claim(("training", "a link"))
    assert event is not None and not event.is_set(), "the run in flight must still be awaited, not started again"
    newcomer = threading.Thread(target=lambda: _hold(queue, release, order, "arrived after the clear"))
    newcomer.start()
    _wait_until(lambda: queue.waiting == 2)
    assert queue.running == slots, "a clear must not make room for more runs than there are slots"
    release.set()
    for thread in [*holders, waiting, newcomer]:
        thread.join(10)
    assert order == ["waiting before the clear", "arrived after the clear"]
    flights.release(("training", "a link"))
    assert event.is_set() and queue.running == 0 and queue.waiting == 0


def _hold(queue: WorkQueue, release: threading.Event, order: list | None = None, name: str = "") -> None:
    with slot_of(queue, lambda ahead, waited: None, redraw_seconds=0.01):
        if order is not None:
            order.append(name)
        release.wait(10)


def test_the_queue_has_as_many_slots_as_the_box_has_cpus(monkeypatch):
    """Made once per process from ``server_capacity.heavy_slots`` (the cgroup quota or the explicit setting)."""
    from lessons.server_capacity import heavy_slots
    from streamlit_glue.work_queue import server_queue

    assert server_queue().slots == heavy_slots()
