"""The class watcher (streamlit_glue/class_watcher.py) with a fake store and fake sessions: who is rerun when,
the teacher's throttle, a rerun asked again when it did not come back, sessions forgotten when gone, the store
down and back, and a thread that costs nothing while no class is open."""

from __future__ import annotations

import threading
import time

import pytest

from class_store import StoreUnavailable
from streamlit_glue.class_watcher import DOWN, STUDENT, TEACHER, ClassWatcher


class World:
    """A fake store's versions, fake sessions (alive, on a page), the reruns asked, and a clock."""

    def __init__(self) -> None:
        self.versions: dict[str, tuple[int, int]] = {}
        self.down = False
        self.reads = 0
        self.alive: dict[str, str] = {}  # session → its page
        self.asked: list[str] = []
        self.now = 1000.0

    def read(self, codes):
        self.reads += 1
        if self.down:
            raise StoreUnavailable("down")
        return {code: self.versions[code] for code in codes if code in self.versions}

    def rerun(self, session, page) -> bool:
        if self.alive.get(session) != page:
            return False
        self.asked.append(session)
        return True

    def on_page(self, session, page) -> bool:
        return self.alive.get(session) == page

    def clock(self) -> float:
        return self.now


@pytest.fixture
def world() -> World:
    return World()


@pytest.fixture
def watcher(world) -> ClassWatcher:
    return ClassWatcher(world.read, world.rerun, world.on_page, clock=world.clock)


def join(world, watcher, session, role, code="ABCDEFG", drawn=(1, 0), page="lesson"):
    world.alive[session] = page
    watcher.watch(session, page, code, role, *drawn)


def test_students_follow_the_class_version_and_the_teacher_also_the_answers(world, watcher):
    world.versions["ABCDEFG"] = (1, 0)
    join(world, watcher, "teacher", TEACHER)
    join(world, watcher, "s1", STUDENT)
    join(world, watcher, "s2", STUDENT)
    watcher.tick()
    assert world.asked == []  # everyone drew the current versions
    world.versions["ABCDEFG"] = (1, 1)  # an answer
    watcher.tick()
    assert world.asked == ["teacher"]
    world.versions["ABCDEFG"] = (2, 1)  # the teacher's Next
    world.now += 10
    watcher.tick()
    assert sorted(world.asked) == ["s1", "s2", "teacher", "teacher"]


def test_a_rerun_screen_registers_again_and_is_not_asked_twice(world, watcher):
    world.versions["ABCDEFG"] = (2, 0)
    join(world, watcher, "s1", STUDENT, drawn=(1, 0))
    watcher.tick()
    watcher.tick()
    assert world.asked == ["s1"]  # asked once; its run has not come back yet
    watcher.watch("s1", "lesson", "ABCDEFG", STUDENT, 2, 0)  # the rerun drew version 2
    watcher.tick()
    assert world.asked == ["s1"]


def test_a_rerun_that_did_not_come_back_is_asked_again_after_a_while(world, watcher):
    world.versions["ABCDEFG"] = (2, 0)
    join(world, watcher, "s1", STUDENT, drawn=(1, 0))
    watcher.tick()
    world.now += watcher.retry_after - 0.1
    watcher.tick()
    assert world.asked == ["s1"]
    world.now += 0.2
    watcher.tick()
    assert world.asked == ["s1", "s1"]


def test_the_teacher_is_rerun_for_answers_at_most_twice_a_second(world, watcher):
    world.versions["ABCDEFG"] = (1, 0)
    join(world, watcher, "teacher", TEACHER)
    asked_at = []
    for tick in range(20):  # 100 answers over 2 s, the teacher's screen redrawn 50 ms after each rerun
        world.versions["ABCDEFG"] = (1, 5 * (tick + 1))
        before = len(world.asked)
        watcher.tick()
        if len(world.asked) > before:
            asked_at.append(world.now)
            watcher.watch("teacher", "lesson", "ABCDEFG", TEACHER, *world.versions["ABCDEFG"])
        world.now += 0.1
    assert 3 <= len(asked_at) <= 5
    assert min(b - a for a, b in zip(asked_at, asked_at[1:], strict=False)) >= watcher.teacher_gap - 1e-9


def test_the_throttle_never_delays_a_move_of_the_class(world, watcher):
    world.versions["ABCDEFG"] = (1, 1)
    join(world, watcher, "teacher", TEACHER, drawn=(1, 0))
    watcher.tick()
    watcher.watch("teacher", "lesson", "ABCDEFG", TEACHER, 1, 1)
    world.versions["ABCDEFG"] = (2, 1)  # moved by the teacher's other device, 0 s after the last rerun
    watcher.tick()
    assert world.asked == ["teacher", "teacher"]


def test_sessions_closed_or_on_another_page_are_forgotten(world, watcher):
    world.versions["ABCDEFG"] = (1, 0)
    join(world, watcher, "s1", STUDENT)
    join(world, watcher, "s2", STUDENT)
    join(world, watcher, "s3", STUDENT)
    del world.alive["s1"]  # the tab closed
    world.alive["s2"] = "training page"
    world.now += watcher.check_sessions_every
    watcher.tick()  # nothing changed in the class: found by the periodic check
    assert set(watcher.watching()) == {"s3"}
    world.versions["ABCDEFG"] = (2, 0)
    join(world, watcher, "s4", STUDENT)
    del world.alive["s4"]
    watcher.tick()  # found when its rerun was asked
    assert set(watcher.watching()) == {"s3"} and world.asked == ["s3"]


def test_a_class_that_is_gone_reruns_its_screens_once_then_forgets_them(world, watcher):
    join(world, watcher, "s1", STUDENT)  # "ABCDEFG" is not in the store (expired)
    watcher.tick()
    watcher.tick()
    world.now += 60
    watcher.tick()
    assert world.asked == ["s1"] and watcher.watching() == {}


def test_screens_that_saw_the_store_down_are_rerun_when_it_answers_again(world, watcher):
    world.versions["ABCDEFG"] = (3, 7)
    world.down = True
    join(world, watcher, "s1", STUDENT, drawn=(DOWN, DOWN))
    join(world, watcher, "s2", STUDENT, drawn=(3, 7))
    watcher.tick()
    assert set(watcher.watching()) == {"s1", "s2"}  # down: nobody dropped
    world.down = False
    watcher.tick()
    assert "s1" in world.asked


def test_when_the_store_stops_answering_every_screen_is_rerun_once_to_say_so(world, watcher):
    world.versions["ABCDEFG"] = (3, 7)
    join(world, watcher, "teacher", TEACHER, drawn=(3, 7))
    join(world, watcher, "s1", STUDENT, drawn=(3, 7))
    watcher.tick()
    assert world.asked == []
    world.down = True
    join(world, watcher, "s2", STUDENT, drawn=(DOWN, DOWN))  # its own run found the store down: "reconnecting"
    watcher.tick()
    assert sorted(world.asked) == ["s1", "teacher"]  # their screens still offered controls and a form
    for session in ("teacher", "s1"):  # their reruns could not reach the store either: "reconnecting"
        watcher.watch(session, "lesson", "ABCDEFG", TEACHER if session == "teacher" else STUDENT, DOWN, DOWN)
    world.now += 60
    watcher.tick()
    assert sorted(world.asked) == ["s1", "teacher"], "a screen saying 'reconnecting' was rerun while still down"
    world.down = False
    watcher.tick()
    assert sorted(world.asked[2:]) == ["s1", "s2", "teacher"]  # back: everyone draws the class again


def test_several_classes_are_read_in_one_call(world, watcher):
    world.versions.update({"AAAAAAA": (1, 0), "BBBBBBB": (1, 0)})
    join(world, watcher, "s1", STUDENT, code="AAAAAAA")
    join(world, watcher, "s2", STUDENT, code="BBBBBBB")
    watcher.tick()
    assert world.reads == 1
    world.versions["BBBBBBB"] = (2, 0)
    watcher.tick()
    assert world.asked == ["s2"]


def test_the_thread_reads_nothing_while_no_class_is_watched_and_follows_when_one_is(world):
    world.versions["ABCDEFG"] = (2, 0)
    watcher = ClassWatcher(world.read, world.rerun, world.on_page, interval=0.01)
    watcher.start()
    try:
        time.sleep(0.2)
        assert world.reads == 0 and watcher.loops == 1  # waiting on its event: no polling, no CPU
        join(world, watcher, "s1", STUDENT, drawn=(1, 0))
        deadline = time.monotonic() + 5
        while not world.asked and time.monotonic() < deadline:
            time.sleep(0.01)
        assert world.asked == ["s1"]
        watcher.forget("s1")
        time.sleep(0.1)
        reads, loops = world.reads, watcher.loops
        time.sleep(0.2)
        assert (world.reads, watcher.loops) == (reads, loops)  # idle again: asleep
    finally:
        watcher.stop()
    assert not any(thread.name == "class-watcher" and thread.is_alive() for thread in threading.enumerate()
                   if thread is watcher._thread)


def test_an_unexpected_error_does_not_stop_the_thread(world):
    calls = []

    def flaky(codes):
        calls.append(1)
        if len(calls) == 1:
            raise RuntimeError("a bug, a closed database…")
        return world.read(codes)

    world.versions["ABCDEFG"] = (2, 0)
    watcher = ClassWatcher(flaky, world.rerun, world.on_page, interval=0.01)
    watcher.start()
    try:
        join(world, watcher, "s1", STUDENT, drawn=(1, 0))
        deadline = time.monotonic() + 5
        while not world.asked and time.monotonic() < deadline:
            time.sleep(0.01)
        assert world.asked == ["s1"] and len(calls) >= 2
    finally:
        watcher.stop()
