"""The server-wide queue, with real threads: slots, who is how many ahead, and a slot or a place given back
whatever ends the work (an exception, Stop)."""

from __future__ import annotations

import threading
import time

import pytest

from streamlit_glue.work_queue import WorkQueue, slot_of


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
