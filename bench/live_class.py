"""The live class under load (``python -m bench.classroom --scenario live100``): a teacher and 100 students that speak
Streamlit's own websocket protocol (bench/st_protocol.py: no browsers), against one app server with its own class
store (a SQLite file in a temporary folder, read afterwards to count the stored answers).

The teacher opens the guided lesson and presses **Start a live class**; 100 students open the join link at the same
instant; for each of 5 steps every student answers within 10 s (the first step's NUMBER, then a choice, …), the
teacher waits until the count says all have answered (or 20 s), presses **Show the class's answers**, then Next.
After the last step the class sits idle for 60 s. The students never ask for a rerun of their own accord: each
reads, all the time, what the server pushes (the class watcher's reruns) — exactly what a browser's tab does.

Printed, for the run as it is and again with the server pinned to one core (``taskset -c 0``; the students are then
kept off that core):
- errors: a page exception, a dropped connection, a screen that never followed, an answer refused;
- answers sent (the student's screen said "Answer sent") vs counted on the teacher's screen ("k of n answered",
  the last count before the reveal, summed over the steps) vs rows in the store (goal: all equal);
- p95 seconds from the teacher's Next to a student's run showing the new step (goal ≤ 2 s), and from the reveal to
  the student's verdict;
- p95 seconds from an answer to the teacher's count including it (goal ≤ 2 s);
- server CPU while the 100 students idle on a step for 60 s, in cores (goal ≤ 0.25), and the class watcher's
  wake-ups are the only work then; peak RSS (goal ≤ 690 MB).

With ``--replicas 1,2`` the same class runs through deploy/run-local N (HAProxy, N replicas, Redis), once per N in
the same invocation; CPU and RSS are summed over the replicas and redis-server, and the stored answers are read
from Redis. Every tab behaves as a phone's browser does: it keeps its cookies (the balancer's affinity cookie, the
class identity the page's cookie component sets) and, when a websocket is refused or drops, tries again after
Streamlit's own reconnect delays. The students connect from ``--sources K`` loopback addresses (default 4 behind
the balancer, 25 students each: the per-address limits of deploy/haproxy.cfg do not pool them); ``--sources 1`` is
a whole class behind one school NAT, and the join p95 and the refused websockets then show what those limits do
to it. ``--fault`` adds a run on the largest N in which the busier replica is SIGKILLed after the second step's
reveal: every tab on it reconnects through the balancer with its cookies, and the run prints the answers lost,
the students back on their step and the p95 seconds from the kill to a student's page back on its step.
``--fault teacher`` kills the teacher's replica instead (the teacher must come back with its controls).

A benchmark, not a test: the figures depend on the machine and its load (print ``uptime`` with them).
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import random
import re
import signal
import sys
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import parse_qs

from streamlit.proto.ForwardMsg_pb2 import ForwardMsg
from streamlit.proto.WidgetStates_pb2 import WidgetState
from websockets.asyncio.client import ClientConnection
from websockets.exceptions import ConnectionClosed, InvalidHandshake, InvalidStatus

from bench import proc_watch, st_protocol
from bench.classroom import (
    CONNECT_SECONDS,
    RUN_LOCAL,
    StudentError,
    _http_get,
    cookie_header,
    percentile,
    take_set_cookies,
)
from bench.servers import ROOT, free_port, serving, streamlit_command

SCENARIO = "live100"
STEPS = 5  # the lesson's first five steps: a number, a choice, a number, a choice, a choice
ANSWER_WITHIN = 10.0  # each student answers within this many seconds of seeing the question
ALL_ANSWERED_WAIT = 20.0  # the teacher moves on when everyone has answered, or after this long
IDLE_SECONDS = 60.0
FOLLOW_TIMEOUT = 60.0  # a screen that has not followed by then is an error
JOIN_GIVE_UP = 120.0  # a phone still without a websocket after this long counts as an error (a student who gave up)
RECOVER_TIMEOUT = 60.0  # after the fault: a page not back on its step by then is not back
GOAL_SECONDS, GOAL_CORES, GOAL_RSS_MB = 2.0, 0.25, 690
COUNT = re.compile(r"(\d+) of (\d+) answered")
STEP_HEADING = re.compile(r"^(\d+)\. ")
SENT = "Answer sent — your teacher will show the answers."


# ------------------------------------------------------------------------------------------------ one screen
@dataclass
class Run:
    """What one script run drew, as far as the class is concerned."""

    finished_at: float
    texts: list[str]
    widgets: dict[str, st_protocol.Widget]
    options: dict[str, tuple[str, ...]]  # radio key → its options

    def step(self) -> int | None:
        for text in self.texts:
            match = STEP_HEADING.match(text)
            if match:
                return int(match.group(1))
        return None

    def count(self) -> int | None:
        for text in self.texts:
            match = COUNT.search(text)
            if match:
                return int(match.group(1))
        return None

    def has(self, words: str) -> bool:
        return any(words in text for text in self.texts)


class Screen(st_protocol.AppView):
    """A tab that keeps every run's texts (headings, markdown, alerts) with the moment the run ended, and resolves
    the server's short references to messages it sent before."""

    def __init__(self, query_string: str = "", cookies: dict[str, str] | None = None) -> None:
        super().__init__(query_string)
        self.cookies = {} if cookies is None else cookies  # the browser's jar: the page's component writes to it
        self.runs: list[Run] = []
        self.changed = asyncio.Event()
        self._texts: list[str] = []
        self._drawn: set[str] = set()  # ids of the widgets this run drew
        self._options: dict[str, tuple[str, ...]] = {}
        self._by_hash: dict[str, ForwardMsg] = {}

    def read(self, data: bytes) -> int | None:
        message = ForwardMsg()
        message.ParseFromString(data)
        kind = message.WhichOneof("type")
        if kind == "new_session":
            self._texts, self._options, self._drawn = [], {}, set()
        elif kind == "ref_hash" and message.ref_hash in self._by_hash:
            self._take_text(self._by_hash[message.ref_hash])
        elif kind == "delta":
            if message.metadata.cacheable and message.hash:
                self._by_hash[message.hash] = message
            self._take_text(message)
        status = super().read(data)
        if status in st_protocol.RUN_OVER:
            drawn = {key: widget for key, widget in self.widgets.items() if key in self._drawn}
            self.runs.append(Run(time.monotonic(), self._texts, drawn, dict(self._options)))
            self.changed.set()
        return status

    def _take_text(self, message: ForwardMsg) -> None:
        delta = message.delta
        if delta.WhichOneof("type") != "new_element":
            return
        element = delta.new_element
        kind = element.WhichOneof("type")
        widget_id = getattr(getattr(element, kind), "id", "") if kind else ""
        if isinstance(widget_id, str) and widget_id:
            self._drawn.add(widget_id)
        if kind == "heading":
            self._texts.append(element.heading.body)
        elif kind == "markdown":
            self._texts.append(element.markdown.body.replace("\\", ""))
        elif kind == "alert":
            self._texts.append(element.alert.body.replace("\\", ""))
        elif kind == "radio":
            key = element.radio.id.rsplit("-", 1)[-1]
            self._options[key] = tuple(element.radio.options)
        elif kind == "bidi_component":  # identity_cookies.py: its JavaScript sets document.cookie; so do we
            with contextlib.suppress(ValueError, TypeError, AttributeError):
                data = json.loads(element.bidi_component.json or "{}")
                self.cookies.update({str(name): str(value) for name, value in data.get("cookies", [])})
        elif kind == "button_group":  # st.pills: the units question
            key = element.button_group.id.rsplit("-", 1)[-1]
            self._options[key] = tuple(option.content for option in element.button_group.options)

    async def until(self, test, timeout: float, after: int = 0) -> Run:
        """The first run (from index ``after``) for which ``test(run)`` holds; StudentError after ``timeout``."""
        deadline = time.monotonic() + timeout
        index = after
        while True:
            while index < len(self.runs):
                if test(self.runs[index]):
                    return self.runs[index]
                index += 1
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise StudentError(f"no such screen within {timeout:.0f} s")
            self.changed.clear()
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self.changed.wait(), remaining)


def reconnect_delay(attempt: int, rng: random.Random) -> float:
    """Seconds Streamlit 1.67's frontend waits before its ``attempt``-th try (1, 2, …) to get a websocket again
    (``nextReconnectDelayMs`` in its bundle): 0.25–0.5 s, then between half and all of 0.5·2^(attempt−1) s, at
    most 4 s. Each try asks /_stcore/health and /_stcore/host-config, then opens the websocket."""
    cap = min(4.0, 0.5 * 2 ** (attempt - 1))
    low = 0.25 if attempt == 1 else cap / 2
    return low + rng.random() * (cap - low)


@dataclass
class Browser:
    """What a phone's browser keeps between websockets: the address it connects from (behind a school's NAT, the
    same for the whole class) and its cookies — the balancer's affinity cookie, the class identity the page sets."""

    source: str | None = None
    cookies: dict[str, str] = field(default_factory=dict)
    refused: int = 0  # websockets refused by the balancer (429 over a per-address limit, 503) before one opened


async def open_like_browser(url: str, browser: Browser, rng: random.Random, give_up: float) -> ClientConnection:
    """A websocket as the frontend gets one: health and host-config, then the websocket, with the browser's
    cookies; refused or failed, it tries again after the frontend's delays, for at most ``give_up`` seconds."""
    host, port = _host_port(url)
    attempt, deadline = 0, time.monotonic() + give_up
    while True:
        try:
            await _http_get(host, port, "/_stcore/health", CONNECT_SECONDS, browser.source, browser.cookies)
            await _http_get(host, port, "/_stcore/host-config", CONNECT_SECONDS, browser.source, browser.cookies)
            ws = await st_protocol.open_stream(url, CONNECT_SECONDS, browser.source,
                                               cookie_header(browser.cookies) if browser.cookies else None)
            take_set_cookies(browser.cookies, ws.response.headers.get_all("Set-Cookie"))
            return ws
        except InvalidStatus as error:
            browser.refused += 1
            problem = f"websocket refused ({error.response.status_code})"
        except (StudentError, OSError, TimeoutError, InvalidHandshake) as error:
            problem = f"{type(error).__name__}: {error}"
        attempt += 1
        delay = reconnect_delay(attempt, rng)
        if time.monotonic() + delay > deadline:
            raise StudentError(f"no websocket within {give_up:.0f} s ({attempt} tries; last: {problem})")
        await asyncio.sleep(delay)


class Tab:
    """A page in a browser: one Screen across websockets. When its connection drops and ``reconnect`` is on, it
    does what the frontend does — waits its reconnect delay, gets a new websocket through the balancer with the same
    cookies, and the page runs again from its address (a new session on whichever replica takes it)."""

    def __init__(self, url: str, browser: Browser, screen: Screen, errors: list[str], who: str,
                 rng: random.Random, reconnect: bool = False) -> None:
        self.url, self.browser, self.screen, self.errors, self.who = url, browser, screen, errors, who
        self.rng, self.reconnect = rng, reconnect
        self.ws: ClientConnection | None = None
        self.drops: list[float] = []  # when each connection dropped
        self.reopened: list[int] = []  # the index in screen.runs from which each new connection's runs start
        self._reader: asyncio.Task | None = None
        self._closing = False

    async def open(self, give_up: float = JOIN_GIVE_UP) -> None:
        self.ws = await open_like_browser(self.url, self.browser, self.rng, give_up)
        self._reader = asyncio.ensure_future(self._read())
        await self.ws.send(st_protocol.first_run(self.screen.query_string, "lesson"))

    async def send(self, data: bytes) -> None:
        try:
            await self.ws.send(data)
        except ConnectionClosed as closed:
            raise StudentError(f"sent on a dropped connection ({closed})") from closed

    async def _read(self) -> None:
        seen = 0
        while True:
            try:
                async for data in self.ws:
                    self.screen.read(data)
                    if len(self.screen.exceptions) > seen:
                        self.errors.append(f"{self.who}: page exception {self.screen.exceptions[seen]}")
                        seen = len(self.screen.exceptions)
                problem = "closed by the server"
            except ConnectionClosed as closed:
                problem = str(closed)
            if self._closing:
                return
            self.drops.append(time.monotonic())
            if not self.reconnect:
                self.errors.append(f"{self.who}: connection dropped ({problem})")
                return
            try:
                await asyncio.sleep(reconnect_delay(1, self.rng))
                self.ws = await open_like_browser(self.url, self.browser, self.rng, RECOVER_TIMEOUT)
                self.reopened.append(len(self.screen.runs))
                await self.ws.send(st_protocol.first_run(self.screen.query_string, "lesson"))
            except (StudentError, ConnectionClosed) as error:
                self.errors.append(f"{self.who}: could not reconnect ({error})")
                return

    async def close(self) -> None:
        self._closing = True
        if self._reader is not None:
            self._reader.cancel()
        if self.ws is not None:
            with contextlib.suppress(Exception):
                await asyncio.wait_for(self.ws.close(), 5)


# ------------------------------------------------------------------------------------------------ the class
@dataclass
class Results:
    label: str
    errors: list[str] = field(default_factory=list)
    sent: int = 0
    counted: int = 0
    stored: int | None = None
    follow: list[float] = field(default_factory=list)  # Next → a student's run showing the new step
    reveal: list[float] = field(default_factory=list)  # Show the class's answers → a student's verdict
    count_lag: list[float] = field(default_factory=list)  # an answer → the teacher's count including it
    join: list[float] = field(default_factory=list)  # a student's open → their first run
    idle_cores: float | None = None
    peak_rss: int | None = None
    refused: int = 0  # websockets the balancer refused, summed over the class (each was tried again)
    gave_up: int = 0  # students who never got a websocket within JOIN_GIVE_UP s
    sent_by_step: dict[int, int] = field(default_factory=dict)
    stored_by_step: dict[int, int] = field(default_factory=dict)
    fault: Fault | None = None


@dataclass
class Fault:
    """The fault run: the busier replica (or the teacher's) SIGKILLed after the second step's reveal."""

    replica: str
    on_it: int  # students whose affinity cookie named it
    teacher_on_it: bool
    back: int = 0  # students on the class's step within RECOVER_TIMEOUT s of the kill (all students, not only its)
    recover: list[float] = field(default_factory=list)  # kill → a reconnected student's page back on its step
    teacher_back: bool | None = None  # the teacher's page back with its controls (when it was on that replica)

    @staticmethod
    def lost(sent: dict[int, int], stored: dict[int, int]) -> int:
        """Answers a student saw "Answer sent" for that are not in the store, step by step."""
        return sum(max(0, count - stored.get(step, 0)) for step, count in sent.items())


def _answer_for(run: Run, step: int, rng: random.Random) -> tuple[list[WidgetState], st_protocol.Widget] | None:
    """A plausible answer for the form this run drew (right about half the time), and its submit button."""
    submit = next((w for w in run.widgets.values() if w.kind == "button" and w.key == "Send my answer"), None)
    field_ = next((w for w in run.widgets.values() if w.key.startswith("live_answer_")), None)
    if submit is None or field_ is None:
        return None
    state = WidgetState(id=field_.id)
    if field_.kind == "number_input":
        # warm-up: the secant's slope is 7; Yh is a probability
        state.double_value = rng.choice([7.0, 7.0, 6.0, 8.5]) if step == 1 else round(rng.uniform(0, 1), 3)
    elif field_.kind == "radio" and run.options.get(field_.key):  # Streamlit 1.67: the option's text, not its index
        state.string_value = rng.choice(run.options[field_.key])
    elif field_.kind == "button_group" and run.options.get(field_.key):
        options = run.options[field_.key]
        state.string_array_value.data.extend(rng.sample(options, rng.randrange(len(options) + 1)))
    else:
        return None
    return [state], submit


async def student(url: str, code: str, index: int, results: Results, rng: random.Random,
                  start: float, done: asyncio.Event, log: dict, browser: Browser, reconnect: bool) -> None:
    """Join, then answer every step the screen shows, once, within ANSWER_WITHIN s; stay until ``done``."""
    who = f"student {index}"
    await asyncio.sleep(max(0.0, start - time.monotonic()))
    began = time.monotonic()
    screen = Screen(f"class={code}", browser.cookies)
    tab = Tab(url, browser, screen, results.errors, who, rng, reconnect)
    try:
        await tab.open()
    except StudentError as error:
        results.errors.append(f"{who}: {error}")
        results.gave_up += 1
        log["settled"].add(index)
        return
    try:
        try:
            first = await screen.until(lambda run: run.step() is not None, FOLLOW_TIMEOUT)
        finally:
            log["settled"].add(index)  # joined, or never will: the teacher waits for the others only
        results.join.append(first.finished_at - began)
        log["screens"][index] = screen
        log["tabs"][index] = tab
        answered: set[int] = set()
        while not done.is_set():
            run = screen.runs[-1]
            step = run.step()
            form = any(w.key == "Send my answer" for w in run.widgets.values())
            if step is not None and step not in answered and form:
                answered.add(step)
                await asyncio.sleep(rng.uniform(0.5, ANSWER_WITHIN))
                latest = screen.runs[-1]
                if latest.step() != step:
                    results.errors.append(f"{who}: step {step} moved on before the answer")
                    continue
                answer = _answer_for(latest, step, rng)
                if answer is None:
                    results.errors.append(f"{who}: step {step}: no answer form on the screen")
                    continue
                states, submit = answer
                sent_at = time.monotonic()
                before = len(screen.runs)
                await tab.send(screen.rerun([*states, WidgetState(id=submit.id, trigger_value=True)]))
                confirmed = await screen.until(lambda r: r.has(SENT) or r.has("not counted") or
                                               r.has("was not sent"), FOLLOW_TIMEOUT, after=before)
                if confirmed.has(SENT):
                    log["answers"].setdefault(step, []).append(sent_at)
                else:
                    results.errors.append(f"{who}: step {step}: answer refused")
                continue
            screen.changed.clear()
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(screen.changed.wait(), 1.0)
    except StudentError as error:
        results.errors.append(f"{who}: {error}")
    finally:
        await done.wait()
        await tab.close()


def _host_port(url: str) -> tuple[str, int]:
    from urllib.parse import urlsplit

    parts = urlsplit(url)
    return parts.hostname or "127.0.0.1", parts.port or 80


@dataclass
class Setup:
    """Where the class runs and how the phones reach it."""

    url: str
    tree: proc_watch.ProcessTree | None = None  # the processes whose CPU and RSS count
    sqlite_path: Path | None = None  # the store to count, one of these two
    redis_url: str | None = None
    sources: tuple[str | None, ...] = (None,)  # the students' local addresses, student i from sources[i % len]
    replicas: dict[str, int] = field(default_factory=dict)  # behind the balancer: affinity cookie value → pid
    fault: str | None = None  # after step 2's reveal SIGKILL the "busier" replica, or the "teacher"'s


async def warm_up(setup: Setup) -> None:
    """One unmeasured lesson page per replica, opened one after the other and held (the balancer's leastconn then
    gives each its own replica): a replica's first page imports the app's libraries, which is not the class's cost
    — as bench/classroom.py's warm-up students. Without it the replica the teacher is not on meets 50 students cold."""
    errors: list[str] = []
    tabs = []
    for index in range(len(setup.replicas)):
        tab = Tab(setup.url, Browser(setup.sources[0]), Screen(""), errors, f"warm-up {index}", random.Random(index))
        await tab.open()
        tabs.append(tab)
    try:
        for tab in tabs:
            await tab.screen.until(lambda run: True, 120)
    finally:
        for tab in tabs:
            await tab.close()
    warmed = sorted({tab.browser.cookies.get("SERVERID", "?") for tab in tabs})
    print(f"warmed up: {', '.join(warmed)}{'; ' + errors[0] if errors else ''}", flush=True)


async def teacher_and_class(setup: Setup, students: int, results: Results, seed: int) -> None:
    rng = random.Random(seed)
    url = setup.url
    if setup.replicas:
        await warm_up(setup)
    watch = proc_watch.Watch(setup.tree) if setup.tree else None
    if watch:
        watch.start()
    teacher_browser = Browser(setup.sources[0])
    screen = Screen("", teacher_browser.cookies)
    tab = Tab(url, teacher_browser, screen, results.errors, "teacher", random.Random(seed), reconnect=bool(setup.fault))
    await tab.open()
    try:
        await screen.until(lambda run: "live_start" in {w.key for w in run.widgets.values()}, 120)
        before = len(screen.runs)
        await tab.send(screen.press(screen.widget("live_start")))
        await screen.until(lambda run: run.count() is not None, 60, after=before)
        code = parse_qs(screen.query_string).get("class", [""])[0]
        if not code:
            raise SystemExit("the teacher's page has no class code in its address: did Start a live class work?")
        print(f"class {code}: {students} students join at once from {len(setup.sources)} address(es)", flush=True)
        done = asyncio.Event()
        log: dict = {"screens": {}, "tabs": {}, "answers": {}, "settled": set()}
        browsers = [Browser(setup.sources[index % len(setup.sources)]) for index in range(students)]
        start = time.monotonic() + 0.5
        tasks = [asyncio.ensure_future(student(url, code, index, results, random.Random(rng.random()), start, done,
                                               log, browsers[index], bool(setup.fault))) for index in range(students)]
        settle_by = time.monotonic() + JOIN_GIVE_UP + FOLLOW_TIMEOUT + 30
        while len(log["settled"]) < students and time.monotonic() < settle_by:  # each has joined or given up
            await asyncio.sleep(0.2)
        joined = len(log["screens"])
        with contextlib.suppress(StudentError):
            await screen.until(lambda run: f"{joined} students joined" in " ".join(run.texts), FOLLOW_TIMEOUT)
        for step in range(1, STEPS + 1):
            counted = await _wait_for_answers(screen, len(log["screens"]), step)
            results.counted += counted
            _count_lags(screen, log["answers"].get(step, []), step, results)
            reveal_at = time.monotonic()
            await tab.send(screen.press(_widget(screen, "live_reveal")))
            await _students_reach(log["screens"], lambda run: run.has("ou said") or run.has("did not answer"),
                                  reveal_at, results.reveal, results.errors, "the reveal")
            if setup.fault and step == 2:
                results.fault = await _kill_busier(setup, browsers, teacher_browser, log, tab, step)
            if step < STEPS:
                next_at = time.monotonic()
                await tab.send(screen.press(_widget(screen, "lesson_next")))
                await _students_reach(log["screens"], lambda run, s=step + 1: run.step() == s, next_at,
                                      results.follow, results.errors, f"Next to step {step + 1}")
            print(f"step {step}: {counted} counted on the teacher's screen", flush=True)
        if watch:
            await asyncio.sleep(3)  # the last reruns settle
            idle_began, cpu_began = time.monotonic(), watch.tree.sample().cpu
            await asyncio.sleep(IDLE_SECONDS)
            results.idle_cores = (watch.tree.sample().cpu - cpu_began) / (time.monotonic() - idle_began)
        done.set()
        await asyncio.wait(tasks, timeout=30)
        results.sent_by_step = {step: len(times) for step, times in log["answers"].items()}
        results.sent = sum(results.sent_by_step.values())
        results.refused = teacher_browser.refused + sum(browser.refused for browser in browsers)
    finally:
        await tab.close()
    if watch:
        results.peak_rss = watch.peak_rss()
        await watch.stop()
    records = _stored(setup, code)
    if records is not None:
        results.stored = len(records)
        for record in records:
            results.stored_by_step[record.step] = results.stored_by_step.get(record.step, 0) + 1


def _stored(setup: Setup, code: str) -> list | None:
    """Every answer row of the class in its store (SQLite file or Redis), or None when the store is not ours."""
    if setup.sqlite_path is not None:
        from class_store.sqlite_store import SqliteClassStore

        store = SqliteClassStore(setup.sqlite_path)
    elif setup.redis_url is not None:
        from class_store.redis_store import RedisClassStore

        store = RedisClassStore(setup.redis_url)
    else:
        return None
    try:
        return store.all_answers(code)
    finally:
        store.close()


async def _kill_busier(setup: Setup, browsers: list[Browser], teacher: Browser, log: dict, teacher_tab: Tab,
                       step: int) -> Fault:
    """SIGKILL the replica most students' affinity cookies name (or the teacher's); then wait until every page is
    back on ``step``."""
    on: dict[str, int] = {name: 0 for name in setup.replicas}
    for browser in browsers:
        on[browser.cookies.get("SERVERID", "?")] = on.get(browser.cookies.get("SERVERID", "?"), 0) + 1
    busiest = max((name for name in on if name in setup.replicas), key=lambda name: on[name])
    if setup.fault == "teacher" and teacher.cookies.get("SERVERID") in setup.replicas:
        busiest = teacher.cookies["SERVERID"]
    fault = Fault(busiest, on[busiest], teacher.cookies.get("SERVERID") == busiest)
    print(f"SIGKILL replica {busiest} (pid {setup.replicas[busiest]}): {fault.on_it} of {len(browsers)} students "
          f"{'and the teacher ' if fault.teacher_on_it else ''}on it", flush=True)
    killed_at = time.monotonic()
    os.kill(setup.replicas[busiest], signal.SIGKILL)

    async def back(tab: Tab, test) -> float | None:
        """Seconds from the kill to this page's first run on a new connection that passes ``test``."""
        deadline = killed_at + RECOVER_TIMEOUT
        while time.monotonic() < deadline:
            if tab.reopened:
                found = next((run for run in tab.screen.runs[tab.reopened[-1]:] if test(run)), None)
                if found is not None:
                    return found.finished_at - killed_at
            tab.screen.changed.clear()
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(tab.screen.changed.wait(), 0.5)
        return None

    await asyncio.sleep(2.0)  # the connections on the killed replica have dropped by now
    tabs = log["tabs"]
    affected = {index: tab for index, tab in tabs.items() if tab.drops}
    seconds = await asyncio.gather(*(back(tab, lambda run: run.step() == step) for tab in affected.values()))
    fault.recover = [value for value in seconds if value is not None]
    fault.back = sum(1 for index, tab in tabs.items() if index not in affected and tab.screen.runs[-1].step() == step)
    fault.back += len(fault.recover)
    if teacher_tab.drops:
        fault.teacher_back = await back(teacher_tab, lambda run: run.step() == step and
                                        run_has_widget(run, "lesson_next")) is not None
    return fault


def run_has_widget(run: Run, key: str) -> bool:
    return any(widget.key == key for widget in run.widgets.values())


def _widget(screen: Screen, key: str) -> st_protocol.Widget:
    widget = screen.widget(key)
    if widget is None:
        raise SystemExit(f"the teacher's screen has no {key!r} button")
    return widget


async def _wait_for_answers(screen: Screen, students: int, step: int) -> int:
    """The teacher's count on ``step`` once it says everyone answered, or the last count after ALL_ANSWERED_WAIT."""
    with contextlib.suppress(StudentError):
        await screen.until(lambda run: run.step() == step and (run.count() or 0) >= students, ALL_ANSWERED_WAIT)
    counts = [run.count() for run in screen.runs if run.step() == step and run.count() is not None]
    return counts[-1] if counts else 0


def _count_lags(screen: Screen, sent: list[float], step: int, results: Results) -> None:
    """For the j-th answer sent: the first teacher's run after it, on that step, whose count is at least j."""
    shown = [(run.finished_at, run.count()) for run in screen.runs if run.step() == step and run.count() is not None]
    for rank, sent_at in enumerate(sorted(sent), start=1):
        seen = next((at for at, count in shown if at >= sent_at and count >= rank), None)
        if seen is None:
            results.errors.append(f"an answer never reached the teacher's count ({rank} of {len(sent)})")
        else:
            results.count_lag.append(seen - sent_at)


async def _students_reach(screens: dict[int, Screen], test, since: float, seconds: list[float], errors: list[str],
                          what: str) -> None:
    async def one(index: int, screen: Screen) -> None:
        try:
            run = await screen.until(lambda r: r.finished_at >= since and test(r), FOLLOW_TIMEOUT)
            seconds.append(run.finished_at - since)
        except StudentError as error:
            errors.append(f"student {index}: {what}: {error}")
    await asyncio.gather(*(one(index, screen) for index, screen in screens.items()))


# ------------------------------------------------------------------------------------------------ servers and report
@contextlib.contextmanager
def app_server(pinned: bool) -> Iterator[Setup]:
    """The app on a free port with a class store of its own; with ``pinned``, under ``taskset -c 0``."""
    with tempfile.TemporaryDirectory(prefix="live100-") as folder:
        port = free_port()
        command = streamlit_command(ROOT / "app.py", port)
        if pinned:
            command = ["taskset", "-c", "0", *command]
        env = {**os.environ, "BACKPROP_LAB_DATA_DIR": folder}
        env.pop("REDIS_URL", None)
        log = ROOT / ".artifacts" / f"live100-server{'-pinned' if pinned else ''}.log"  # kept: read it after errors
        with serving(command, port, env=env, log_path=log) as server:
            yield Setup(server.url, proc_watch.ProcessTree(server.pid), sqlite_path=Path(folder) / "classes.sqlite3")


RUN_LOCAL_LINE = re.compile(r"^(redis|replica (r\d+)) port (\d+) pid (\d+)$", re.MULTILINE)


def run_local_processes(text: str) -> tuple[int | None, dict[str, int]]:
    """From deploy/run-local's output: Redis's port, and each replica's affinity cookie value → its pid."""
    redis_port, replicas = None, {}
    for match in RUN_LOCAL_LINE.finditer(text):
        if match.group(1) == "redis":
            redis_port = int(match.group(3))
        else:
            replicas[match.group(2)] = int(match.group(4))
    return redis_port, replicas


def sources_for(count: int) -> tuple[str, ...]:
    """``count`` loopback addresses for the students (127.0.0.10 …): each is another network to the balancer."""
    if not 1 <= count <= 200:
        raise ValueError("between 1 and 200 source addresses")
    return tuple(f"127.0.0.{10 + index}" for index in range(count))


@contextlib.contextmanager
def balanced(replicas: int, sources: int, fault: str | None) -> Iterator[Setup]:
    """deploy/run-local N PORT (HAProxy, N replicas, Redis): CPU and RSS over the replicas and redis-server."""
    port = free_port()
    log = ROOT / ".artifacts" / f"live100-run-local-{replicas}{'-fault' if fault else ''}.log"
    with serving([sys.executable, str(RUN_LOCAL), str(replicas), str(port)], port, timeout=180,
                 log_path=log) as server:
        redis_port, pids = run_local_processes(log.read_text(errors="replace"))
        if redis_port is None or len(pids) != replicas:
            raise SystemExit(f"deploy/run-local did not report Redis and {replicas} replicas; see {log}")
        tree = proc_watch.ProcessTree(server.pid, only=lambda command: "streamlit" in command
                                      or "redis-server" in command)
        yield Setup(server.url, tree, redis_url=f"redis://127.0.0.1:{redis_port}/0", sources=sources_for(sources),
                    replicas=pids, fault=fault)


def report(results: list[Results], out=sys.stdout) -> None:
    def p95(values: list[float]) -> str:
        return "—" if not values else f"{percentile(values, 95):.2f}"

    header = (f"{'run':<36}{'errors':>7}{'joined':>7}{'sent':>6}{'counted':>8}{'stored':>7}{'join p95':>9}"
              f"{'follow p95':>11}{'reveal p95':>11}{'count p95':>10}{'idle cores':>11}{'peak MB':>8}{'refused':>8}")
    print("\n" + header, file=out)
    print("-" * len(header), file=out)
    for r in results:
        stored = "—" if r.stored is None else r.stored
        print(f"{r.label:<36}{len(r.errors):>7}{len(r.join):>7}{r.sent:>6}{r.counted:>8}{stored:>7}{p95(r.join):>9}"
              f"{p95(r.follow):>11}{p95(r.reveal):>11}{p95(r.count_lag):>10}"
              f"{'—' if r.idle_cores is None else f'{r.idle_cores:.3f}':>11}"
              f"{'—' if r.peak_rss is None else f'{r.peak_rss / 2**20:.0f}':>8}{r.refused:>8}", file=out)
    print(f"goals: errors 0; sent = counted = stored; follow and count p95 ≤ {GOAL_SECONDS:.0f} s; idle ≤ "
          f"{GOAL_CORES} core; peak ≤ {GOAL_RSS_MB} MB. joined: students whose page showed the class (join p95 is "
          "over them); refused: websockets the balancer refused (each tried again as the frontend does)", file=out)
    for r in results:
        if r.gave_up:
            print(f"  {r.label}: {r.gave_up} students never got a websocket within {JOIN_GIVE_UP:.0f} s", file=out)
        if r.fault is not None:
            f = r.fault
            students = len(r.join)
            print(f"  {r.label}: replica {f.replica} SIGKILLed after step 2 with {f.on_it} students"
                  f"{' and the teacher' if f.teacher_on_it else ''} on it: answers lost "
                  f"{Fault.lost(r.sent_by_step, r.stored_by_step)} (sent {r.sent}, stored {r.stored}); students back "
                  f"on their step {f.back} of {students} ({100 * f.back / max(1, students):.0f} %); seconds to "
                  f"recover p95 {p95(f.recover)} (max {max(f.recover, default=float('nan')):.2f}, over the "
                  f"{len(f.recover)} that reconnected)"
                  + ("" if f.teacher_back is None else
                     f"; the teacher back with its controls: {'yes' if f.teacher_back else 'NO'}"), file=out)
        kinds: dict[str, int] = {}
        for error in r.errors:
            kind = re.sub(r"student \d+", "student N", error)
            kinds[kind] = kinds.get(kind, 0) + 1
        for error, count in sorted(kinds.items(), key=lambda item: -item[1])[:6]:
            print(f"  {r.label}: {count} × {error}", file=out)
    out.flush()


async def _one(label: str, setup: Setup, students: int) -> Results:
    results = Results(label)
    await teacher_and_class(setup, students, results, seed=len(label))
    return results


def run(args: argparse.Namespace) -> None:
    """Entry from bench.classroom: the class as it is, then pinned to one core (unless --url); with --replicas,
    through deploy/run-local once per replica count (and the fault run with --fault)."""
    students = 10 if args.quick else 100
    global IDLE_SECONDS
    if args.quick:
        IDLE_SECONDS = 10.0
    results = []
    if args.url:
        results.append(asyncio.run(_one("given server", Setup(args.url.rstrip("/")), students)))
    elif args.replicas:
        sources = args.sources or min(4, students)
        runs = [(count, None) for count in args.replicas] + ([(max(args.replicas), args.fault)] if args.fault else [])
        for count, fault in runs:
            label = f"{count} replica{'s' if count > 1 else ''} + Redis{f', fault ({fault})' if fault else ''}"
            with balanced(count, sources, fault) as setup:
                print(f"{label}: {setup.url}, replicas {setup.replicas}", flush=True)
                results.append(asyncio.run(_one(label, setup, students)))
    else:
        for pinned in (False, True):
            label = "pinned to 1 core" if pinned else "as it is"
            with app_server(pinned) as setup:
                print(f"{label}: {setup.url}", flush=True)
                if pinned:
                    with contextlib.suppress(OSError):
                        os.sched_setaffinity(0, {1})  # the simulated students off the server's core
                try:
                    results.append(asyncio.run(_one(label, setup, students)))
                finally:
                    with contextlib.suppress(OSError):
                        os.sched_setaffinity(0, set(range(os.cpu_count() or 1)))
    print(f"\nlive class: {students} students, {STEPS} steps, answers within {ANSWER_WITHIN:.0f} s, "
          f"idle {IDLE_SECONDS:.0f} s; load average {' '.join(f'{v:.1f}' for v in os.getloadavg())}")
    report(results)
