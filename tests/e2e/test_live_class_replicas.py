"""A live class on two replicas sharing Redis (``deploy/run-local 2 PORT``), in Chromium: Redis stopped and started
again mid-class, then the busier replica killed.

Each browser is placed on a replica by its HAProxy affinity cookie (SERVERID), as the balancer itself would have
placed it, so the replica killed is known to hold the teacher and most of the class. One cluster for the module:
the Redis test runs first (both replicas alive), the failover test last (it kills one).
"""

from __future__ import annotations

import os
import queue
import re
import signal
import subprocess
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from playwright.sync_api import expect

from bench.servers import free_port
from streamlit_glue.lost_session import NOTICE
from tests.conftest import ROOT
from tests.e2e.conftest import DESKTOP, PHONE, SCREENSHOT_DIR, assert_no_exception, wait_for_app_run
from tests.redis_server import redis_server_or_skip
from tests.test_deploy import haproxy_or_skip

RUN_LOCAL = ROOT / "deploy" / "run-local"
REDIS_DOWN_S = 12  # run-local starts a stopped Redis again after this long: time to see the screens say so
STEP_2_TITLE = "Forward: Z1 = W1·X + b1 and A1 = ReLU(Z1)"
RECONNECTING = "Reconnecting to the class"
MOVED = NOTICE.split("**")[1]  # "This page moved to another server"


@dataclass
class Cluster:
    url: str
    process: subprocess.Popen
    replica_pids: dict[str, int]
    lines: queue.Queue

    def redis_pid(self, timeout: float = 60) -> int:
        """The pid of the redis-server run-local started last (it prints a line for every start)."""
        return int(self.wait_for(r"redis port \d+ pid (\d+)", timeout).group(1))

    def wait_for(self, pattern: str, timeout: float) -> re.Match:
        deadline = time.monotonic() + timeout
        while True:
            try:
                line = self.lines.get(timeout=max(0.1, deadline - time.monotonic()))
            except queue.Empty:
                pytest.fail(f"run-local printed no line like {pattern!r} in {timeout:.0f} s")
            if match := re.fullmatch(pattern, line):
                return match


def _read_lines(stream, into: queue.Queue) -> None:
    for line in stream:
        into.put(line.rstrip("\n"))


@pytest.fixture(scope="module")
def cluster(chromium_path) -> Iterator[Cluster]:
    haproxy_or_skip()
    redis_server_or_skip()
    port = free_port()
    process = subprocess.Popen([str(RUN_LOCAL), "2", str(port), "--redis-restart-after", str(REDIS_DOWN_S)],
                               cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    lines: queue.Queue[str] = queue.Queue()
    threading.Thread(target=_read_lines, args=(process.stdout, lines), daemon=True).start()
    seen: list[str] = []
    deadline = time.monotonic() + 120
    while not (seen and seen[-1].startswith("ready ")):
        try:
            seen.append(lines.get(timeout=max(0.1, deadline - time.monotonic())))
        except queue.Empty:
            process.kill()
            pytest.fail("run-local did not print 'ready' in 120 s:\n" + "\n".join(seen))
    replica_pids = {match.group(1): int(match.group(2)) for line in seen
                    if (match := re.fullmatch(r"replica (r\d+) port \d+ pid (\d+)", line))}
    redis_pids = [int(match.group(1)) for line in seen if (match := re.fullmatch(r"redis port \d+ pid (\d+)", line))]
    assert sorted(replica_pids) == ["r1", "r2"] and len(redis_pids) == 1, seen
    for line in seen:  # the first redis line again, for redis_pid()
        if line.startswith("redis "):
            lines.put(line)
    started = Cluster(seen[-1].split()[1], process, replica_pids, lines)
    try:
        yield started
    finally:
        process.send_signal(signal.SIGTERM)
        code = process.wait(timeout=30)
        left = [pid for pid in [*replica_pids.values(), *redis_pids] if Path(f"/proc/{pid}").exists()
                and "zombie" not in Path(f"/proc/{pid}/status").read_text().lower()]
        assert code == 0, f"run-local exited with {code}"
        assert not left, f"left running after SIGTERM: {left}"


# ------------------------------------------------------------------------------------------------ the class
def _on_replica(browser, url: str, replica: str, viewport: dict):
    """A new browser whose first request already carries the balancer's affinity cookie for ``replica``."""
    context = browser.new_context(viewport=viewport)
    context.add_cookies([{"name": "SERVERID", "value": replica, "url": url}])
    return context, context.new_page()


def _start_class(browser, url: str, replica: str):
    context, teacher = _on_replica(browser, url, replica, DESKTOP)
    teacher.goto(f"{url}/lesson", wait_until="commit")
    wait_for_app_run(teacher, timeout=120_000)
    teacher.get_by_role("button", name="Start a live class").click()
    expect(teacher.get_by_text(re.compile(r"Live class [A-Z0-9]{7}"))).to_be_visible(timeout=60_000)
    code = re.search(r"class=([A-Z0-9]{7})", teacher.url).group(1)
    return context, teacher, code


def _join(browser, url: str, code: str, replicas: list[str]):
    students = [_on_replica(browser, url, replica, PHONE) for replica in replicas]
    for _, page in students:
        page.goto(f"{url}/lesson?class={code}", wait_until="commit")
    for _, page in students:
        expect(page.get_by_text(f"Live class {code}")).to_be_visible(timeout=120_000)
    return students


def _answer(page, value: str) -> None:
    page.get_by_label("Your answer").fill(value)
    page.get_by_role("button", name="Send my answer").click()


def _answered(teacher, count: int, of: int, timeout: float = 30_000) -> None:
    expect(teacher.get_by_role("heading", name=f"{count} of {of} answered")).to_be_visible(timeout=timeout)


def _shot(page, name: str) -> None:
    SCREENSHOT_DIR.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOT_DIR / name))


def test_redis_stopped_mid_class_says_so_and_the_class_resumes_with_its_answers(cluster, browser):
    teacher_context, teacher, code = _start_class(browser, cluster.url, "r1")
    students = _join(browser, cluster.url, code, ["r1", "r2", "r2"])
    (_, first), (_, second), (_, third) = students
    _answer(first, "7")
    _answer(second, "5")
    for page in (first, second):
        expect(page.get_by_text("Answer sent")).to_be_visible(timeout=30_000)
    _answered(teacher, 2, 3)

    os.kill(cluster.redis_pid(), signal.SIGTERM)  # Redis stops (its append-only file flushed); back in REDIS_DOWN_S
    for page in (teacher, first, third):  # every screen says so by itself, on either replica
        expect(page.get_by_text(RECONNECTING)).to_be_visible(timeout=10_000)
    expect(third.get_by_role("button", name="Send my answer")).to_have_count(0)  # nothing to send into the void
    _shot(teacher, "live-redis-down-teacher.png")
    _shot(third, "live-redis-down-student.png")
    _, newcomer = _on_replica(browser, cluster.url, "r2", DESKTOP)
    newcomer.goto(f"{cluster.url}/lesson", wait_until="commit")
    wait_for_app_run(newcomer, timeout=60_000)
    newcomer.get_by_role("button", name="Start a live class").click()
    expect(newcomer.get_by_text("The class store is unavailable")).to_be_visible(timeout=10_000)
    assert_no_exception(newcomer)

    cluster.redis_pid(timeout=REDIS_DOWN_S + 30)  # run-local started it again: the class goes on by itself
    _answered(teacher, 2, 3, timeout=30_000)  # the answers sent before the stop are all there
    expect(first.get_by_text("Answer sent")).to_be_visible(timeout=30_000)
    expect(third.get_by_text(RECONNECTING)).to_have_count(0, timeout=30_000)
    _answer(third, "7")
    expect(third.get_by_text("Answer sent")).to_be_visible(timeout=30_000)
    _answered(teacher, 3, 3)
    for page in (teacher, first, second, third):
        assert_no_exception(page)
    newcomer.context.close()
    for context, _ in students:
        context.close()
    teacher_context.close()


def test_the_busier_replica_killed_mid_class_loses_no_answer_and_the_teacher_keeps_control(cluster, browser):
    # r1 holds the teacher and four students, r2 two: r1 is the busier one
    teacher_context, teacher, code = _start_class(browser, cluster.url, "r1")
    placed = ["r1", "r2", "r1", "r2", "r1", "r1"]
    students = _join(browser, cluster.url, code, placed)
    for number, (_, page) in enumerate(students):
        _answer(page, str(number))
    for _, page in students:
        expect(page.get_by_text("Answer sent")).to_be_visible(timeout=30_000)
    _answered(teacher, 6, 6)

    os.kill(cluster.replica_pids["r1"], signal.SIGKILL)
    # every page on r1 comes back on r2 by itself (its page says it moved: what was on screen until then is the
    # dead replica's), the teacher with its controls and every answer counted
    moved = [teacher, *(page for (_, page), replica in zip(students, placed, strict=True) if replica == "r1")]
    for page in moved:
        expect(page.get_by_text(MOVED)).to_be_visible(timeout=90_000)
        wait_for_app_run(page)
    _answered(teacher, 6, 6)
    next_button = teacher.get_by_role("button", name="Next").first  # the one at the top (another is under the step)
    expect(next_button).to_be_enabled(timeout=30_000)
    expect(teacher.get_by_role("button", name="Show the class's answers")).to_be_visible()
    for _, page in students:
        expect(page.get_by_text("Answer sent")).to_be_visible(timeout=90_000)
    _shot(teacher, "live-failover-teacher.png")
    _shot(students[0][1], "live-failover-student.png")

    next_button.click()  # the teacher still paces all six
    for _, page in students:
        expect(page.get_by_text(STEP_2_TITLE)).to_be_visible(timeout=30_000)
    for page in (teacher, *(page for _, page in students)):
        assert_no_exception(page)
    for context, _ in students:
        context.close()
    teacher_context.close()
