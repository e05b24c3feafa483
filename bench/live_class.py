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

A benchmark, not a test: the figures depend on the machine and its load (print ``uptime`` with them).
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import os
import random
import re
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
from websockets.exceptions import ConnectionClosed

from bench import proc_watch, st_protocol
from bench.classroom import StudentError, _open_tab, percentile
from bench.servers import ROOT, free_port, serving, streamlit_command

SCENARIO = "live100"
STEPS = 5  # the lesson's first five steps: a number, a choice, a number, a choice, a choice
ANSWER_WITHIN = 10.0  # each student answers within this many seconds of seeing the question
ALL_ANSWERED_WAIT = 20.0  # the teacher moves on when everyone has answered, or after this long
IDLE_SECONDS = 60.0
FOLLOW_TIMEOUT = 60.0  # a screen that has not followed by then is an error
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

    def __init__(self, query_string: str = "") -> None:
        super().__init__(query_string)
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


async def _read_forever(ws: ClientConnection, screen: Screen, errors: list[str], who: str) -> None:
    seen = 0
    try:
        async for data in ws:
            screen.read(data)
            if len(screen.exceptions) > seen:
                errors.append(f"{who}: page exception {screen.exceptions[seen]}")
                seen = len(screen.exceptions)
    except ConnectionClosed as closed:
        errors.append(f"{who}: connection dropped ({closed})")


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
    watcher_reruns: int | None = None


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
    elif field_.kind == "radio":
        options = run.options.get(field_.key, ())
        state.int_value = rng.randrange(max(1, len(options)))
    else:
        return None
    return [state], submit


async def student(url: str, code: str, index: int, results: Results, rng: random.Random,
                  start: float, done: asyncio.Event, log: dict) -> None:
    """Join, then answer every step the screen shows, once, within ANSWER_WITHIN s; stay until ``done``."""
    who = f"student {index}"
    await asyncio.sleep(max(0.0, start - time.monotonic()))
    began = time.monotonic()
    try:
        ws = await _open_tab(url, *_host_port(url))
    except StudentError as error:
        results.errors.append(f"{who}: {error}")
        return
    async with ws:
        screen = Screen(f"class={code}")
        reader = asyncio.ensure_future(_read_forever(ws, screen, results.errors, who))
        try:
            await ws.send(st_protocol.first_run(f"class={code}", "lesson"))
            first = await screen.until(lambda run: run.step() is not None, FOLLOW_TIMEOUT)
            results.join.append(first.finished_at - began)
            log["screens"][index] = screen
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
                    await ws.send(screen.rerun([*states, WidgetState(id=submit.id, trigger_value=True)]))
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
            reader.cancel()


def _host_port(url: str) -> tuple[str, int]:
    from urllib.parse import urlsplit

    parts = urlsplit(url)
    return parts.hostname or "127.0.0.1", parts.port or 80


async def teacher_and_class(url: str, students: int, results: Results, tree: proc_watch.ProcessTree | None,
                            store_path: Path | None, seed: int) -> None:
    rng = random.Random(seed)
    watch = proc_watch.Watch(tree) if tree else None
    if watch:
        watch.start()
    ws = await _open_tab(url, *_host_port(url))
    async with ws:
        screen = Screen("")
        errors = results.errors
        reader = asyncio.ensure_future(_read_forever(ws, screen, errors, "teacher"))
        await ws.send(st_protocol.first_run("", "lesson"))
        await screen.until(lambda run: "live_start" in {w.key for w in run.widgets.values()}, 120)
        before = len(screen.runs)
        await ws.send(screen.press(screen.widget("live_start")))
        await screen.until(lambda run: run.count() is not None, 60, after=before)
        code = parse_qs(screen.query_string).get("class", [""])[0]
        if not code:
            raise SystemExit("the teacher's page has no class code in its address: did Start a live class work?")
        print(f"class {code}: {students} students join at once", flush=True)
        done = asyncio.Event()
        log: dict = {"screens": {}, "answers": {}}
        start = time.monotonic() + 0.5
        tasks = [asyncio.ensure_future(student(url, code, index, results, random.Random(rng.random()), start, done,
                                               log)) for index in range(students)]
        await screen.until(lambda run: f"{students} students joined" in " ".join(run.texts), 180)
        for step in range(1, STEPS + 1):
            counted = await _wait_for_answers(screen, students, step)
            results.counted += counted
            _count_lags(screen, log["answers"].get(step, []), step, results)
            reveal_at = time.monotonic()
            await ws.send(screen.press(_widget(screen, "live_reveal")))
            await _students_reach(log["screens"], lambda run: run.has("ou said") or run.has("did not answer"),
                                  reveal_at, results.reveal, results.errors, "the reveal")
            if step < STEPS:
                next_at = time.monotonic()
                await ws.send(screen.press(_widget(screen, "lesson_next")))
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
        results.sent = sum(len(times) for times in log["answers"].values())
        reader.cancel()
    if watch:
        results.peak_rss = watch.peak_rss()
        await watch.stop()
    if store_path is not None:
        from class_store.sqlite_store import SqliteClassStore

        store = SqliteClassStore(store_path)
        results.stored = len(store.all_answers(code))
        store.close()


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
def app_server(pinned: bool) -> Iterator[tuple[str, int, Path]]:
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
            yield server.url, server.pid, Path(folder) / "classes.sqlite3"


def report(results: list[Results], out=sys.stdout) -> None:
    def p95(values: list[float]) -> str:
        return "—" if not values else f"{percentile(values, 95):.2f}"

    header = (f"{'run':<24}{'errors':>7}{'sent':>6}{'counted':>8}{'stored':>7}{'join p95':>9}{'follow p95':>11}"
              f"{'reveal p95':>11}{'count p95':>10}{'idle cores':>11}{'peak MB':>8}")
    print("\n" + header, file=out)
    print("-" * len(header), file=out)
    for r in results:
        print(f"{r.label:<24}{len(r.errors):>7}{r.sent:>6}{r.counted:>8}{'—' if r.stored is None else r.stored:>7}"
              f"{p95(r.join):>9}{p95(r.follow):>11}{p95(r.reveal):>11}{p95(r.count_lag):>10}"
              f"{'—' if r.idle_cores is None else f'{r.idle_cores:.3f}':>11}"
              f"{'—' if r.peak_rss is None else f'{r.peak_rss / 2**20:.0f}':>8}", file=out)
    print(f"goals: errors 0; sent = counted = stored; follow and count p95 ≤ {GOAL_SECONDS:.0f} s; idle ≤ "
          f"{GOAL_CORES} core; peak ≤ {GOAL_RSS_MB} MB", file=out)
    for r in results:
        kinds: dict[str, int] = {}
        for error in r.errors:
            kinds[re.sub(r"student \d+", "student N", error)] = kinds.get(re.sub(r"student \d+", "student N", error),
                                                                          0) + 1
        for error, count in sorted(kinds.items(), key=lambda item: -item[1])[:6]:
            print(f"  {r.label}: {count} × {error}", file=out)
    out.flush()


async def _one(label: str, url: str, pid: int | None, store_path: Path | None, students: int) -> Results:
    results = Results(label)
    tree = proc_watch.ProcessTree(pid) if pid else None
    await teacher_and_class(url, students, results, tree, store_path, seed=len(label))
    return results


def run(args: argparse.Namespace) -> None:
    """Entry from bench.classroom: the class as it is, then pinned to one core (unless --url)."""
    students = 10 if args.quick else 100
    global IDLE_SECONDS
    if args.quick:
        IDLE_SECONDS = 10.0
    results = []
    if args.url:
        results.append(asyncio.run(_one("given server", args.url.rstrip("/"), None, None, students)))
    else:
        for pinned in (False, True):
            label = "pinned to 1 core" if pinned else "as it is"
            with app_server(pinned) as (url, pid, store_path):
                print(f"{label}: {url}", flush=True)
                if pinned:
                    with contextlib.suppress(OSError):
                        os.sched_setaffinity(0, {1})  # the simulated students off the server's core
                try:
                    results.append(asyncio.run(_one(label, url, pid, store_path, students)))
                finally:
                    with contextlib.suppress(OSError):
                        os.sched_setaffinity(0, set(range(os.cpu_count() or 1)))
    print(f"\nlive class: {students} students, {STEPS} steps, answers within {ANSWER_WITHIN:.0f} s, "
          f"idle {IDLE_SECONDS:.0f} s; load average {' '.join(f'{v:.1f}' for v in os.getloadavg())}")
    report(results)
