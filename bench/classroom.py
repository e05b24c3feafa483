"""A class on one link: simulated students that speak Streamlit's own websocket protocol (bench/st_protocol.py; no
browsers, so the load generator costs little), against a bare Streamlit page measured in the same run as the floor.

A student opens a lesson page from the shared link (after the two HTTP requests the frontend makes first: health
and host-config), waits for "script finished", moves one control, and presses the page's button (Train on the
training page, Next on the guided lesson); the connection stays open, as a browser tab's does, until the scenario
is over. Arrivals:

  solo        one student at a time, 5 in a row: the server CPU of each action (open, move, press) is theirs alone
  within10    30 students within 10 s (a class told "open this link")
  instant20   20 students at the same instant
  instant100  100 students at the same instant
  over60      100 students spread over 60 s
  heavy10     10 students at the same instant, each opening a heaviest valid link of their own (training: 64 units,
              SGD for 100 epochs, replay on; landscape: the real network along a 64-unit run's 1,460-step path)
  uploads10x3, flood300, clear_cache: a hostile class (bench/server_limits.py, OWN_RUNNERS below): memory held after
              uploads, a flood from one address, a clear_cache in the middle of heavy runs

Per scenario and page it prints p50 / p95 / max seconds to a finished script for each action (open, move, press)
and the ratio to the bare page's p95 (the bare page has no button: a press is compared with its open); errors (a
websocket not open within the frontend's 15 s, a dropped connection, an exception on the page, no answer within
--timeout); server CPU per student and peak RSS (from
/proc of the server process and its children) with the ratio to the bare page; the memory still held per student
once the server is quiet (tabs open); and how long after the last answer
the server was idle again (≤ 5 % of a core over 2 s). Each scenario uses its own link (a seed in it differs), so
every class meets a link nobody has opened yet; one unmeasured student opens each page first, so imports are done.

  python -m bench.classroom                                  # every scenario, every page (see the README)
  python -m bench.classroom --page train_cancer --scenario within10
  python -m bench.classroom --quick                          # small counts: a smoke run of a minute or two
  python -m bench.classroom --replicas 2                     # deploy/run-local 2 PORT: CPU/RSS over the replicas
  python -m bench.classroom --url http://127.0.0.1:8080      # a server already running (CPU/RSS not measured)

Servers listen on 127.0.0.1 on free ports (E2E_PORT_RANGE is respected) and are stopped at the end. A benchmark,
not a test: times depend on the machine and its load; the ratios to the bare page of the same run are what count.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import os
import random
import resource
import sys
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from urllib.parse import urlsplit

from websockets.asyncio.client import ClientConnection
from websockets.exceptions import ConnectionClosed, InvalidHandshake, InvalidURI

from bench import proc_watch, st_protocol
from bench.servers import ROOT, bare_page_server, free_port, serving, streamlit_server

# ------------------------------------------------------------------------------------------------ what students do


@dataclass(frozen=True)
class Lesson:
    """One page as a class meets it: the shared link, the control every student moves, the button they press."""

    page: str  # URL path ("" = the home page)
    link: str  # query string; {seed} differs per scenario so every class meets a fresh link
    control: str | None = None  # key of the slider moved
    moved_to: float | None = None
    button: str | None = None  # key of the button pressed after the move
    heavy_link: str | None = None  # the heaviest valid link of the page ({seed}: one per student), for heavy10


BARE = "bare page"
LESSONS = {
    "home": Lesson("", ""),
    # the guided lesson has no seed: after the first scenario its steps are in the shared caches
    "lesson": Lesson("lesson", "lesson_step=3", control="lesson_step", moved_to=4, button="lesson_next"),
    # heavy: the real network's landscape along a run's path, at the most iterations the path budget allows
    "landscape": Lesson("landscape", "land_seed={seed}", control="land_steps", moved_to=110,
                        heavy_link="land_run=hidden:64;lr:0.1;opt:gd;it:1460;batch:1;init:{seed};l2:0;test:0.2;"
                                   "split:0;strat:1;scale:standard;feat:all"),
    "forward_backward": Lesson("forward_backward", "fb_seed={seed}", control="fb_m", moved_to=6),
    "train_cancer": Lesson("train_cancer", "train_hidden=8&train_seed={seed}", control="train_hidden", moved_to=9,
                           button="train_run",  # heavy: 64 units, SGD for 100 epochs (45,500 updates), replay on
                           heavy_link="train_batch_mode=SGD&train_epochs=100&train_hidden=64&train_replay_on=true"
                                      "&train_seed={seed}"),
}
BARE_LESSON = Lesson("", "", control="bare_points", moved_to=60)
ACTIONS = ("open", "move", "press")  # press: the page's button (Train on the training page, Next on the lesson)
FLOOR_ACTION = {"open": "open", "move": "move", "press": "open"}  # the bare page has no button: a press vs an open


@dataclass(frozen=True)
class Scenario:
    title: str
    students: int
    spread: float  # seconds over which the students arrive; 0 = all at the same instant
    one_at_a_time: bool = False  # each student starts when the previous one is done: CPU per action is theirs
    heavy: bool = False  # each student opens the page's heaviest valid link, a link of their own, and only opens


SCENARIOS = {
    "solo": Scenario("one student at a time, 5 in a row (CPU per action)", 5, 0.0, one_at_a_time=True),
    "within10": Scenario("30 students within 10 s", 30, 10.0),
    "instant20": Scenario("20 students at the same instant", 20, 0.0),
    "instant100": Scenario("100 students at the same instant", 100, 0.0),
    "over60": Scenario("100 students spread over 60 s", 100, 60.0),
    "heavy10": Scenario("10 students at the same instant, each on a heaviest valid link of their own", 10, 0.0,
                        heavy=True),
}
# Scenarios with a runner of their own, in other modules ("module:function", imported when chosen): each is an async
# function taking a bench.server_limits.Context and printing its own report. Add a line here to add one.
OWN_RUNNERS = {
    "uploads10x3": "bench.server_limits:uploads10x3",  # ten 4.9 MB uploads at once, three rounds: RSS
    "flood300": "bench.server_limits:flood300",  # 300 sockets from one address while 20 students work
    "clear_cache": "bench.server_limits:clear_cache",  # heavy students and a clear_cache: runs at once ≤ slots
}
NEEDS_BALANCER = {"flood300"}  # run through deploy/run-local (its per-source limits), started for it if need be
QUICK = {"solo": Scenario("one at a time, 3 in a row", 3, 0, one_at_a_time=True),
         "within10": Scenario("6 students within 3 s", 6, 3.0), "instant20": Scenario("5 at the same instant", 5, 0),
         "instant100": Scenario("10 at the same instant", 10, 0), "over60": Scenario("10 over 10 s", 10, 10.0),
         "heavy10": Scenario("3 heaviest valid links at once", 3, 0, heavy=True)}
CONNECT_SECONDS = 15  # the frontend gives a websocket 15 s to open before it tries again
HOLD_SECONDS = 600  # upper bound on how long finished students keep their tabs open
IDLE_LIMIT = 120  # how long to wait for the server to become idle after the last answer
WARM_UP_SEED = 4321
RUN_LOCAL = ROOT / "deploy" / "run-local"


def arrivals(scenario: Scenario, rng: random.Random) -> list[float]:
    """Seconds after the start at which each student opens the link."""
    return sorted(rng.uniform(0, scenario.spread) if scenario.spread else 0.0 for _ in range(scenario.students))


def percentile(values: list[float], q: float) -> float:
    """The q-th percentile (0–100) with linear interpolation between closest ranks (NumPy's default)."""
    if not values:
        return float("nan")
    ordered = sorted(values)
    rank = (len(ordered) - 1) * q / 100
    low = int(rank)
    high = min(low + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (rank - low)


# ------------------------------------------------------------------------------------------------ one student


@dataclass
class StudentLog:
    seconds: dict[str, float] = field(default_factory=dict)  # action → seconds to its finished script
    cpu: dict[str, float] = field(default_factory=dict)  # action → server CPU seconds (one-at-a-time scenarios)
    errors: list[str] = field(default_factory=list)
    # the shortest interval of the timed fragment reruns the page asked for (a browser makes them; these students
    # do not): it matters only if it is shorter than the class (lost_session.py's hourly one is not)
    auto_rerun_every: float | None = None
    last_answer: float = 0.0  # time.monotonic() of the last script_finished (or failure) this student saw
    done: asyncio.Event = field(default_factory=asyncio.Event)


class StudentError(Exception):
    """Something a real student would see go wrong (a dropped connection, an error on the page, no answer)."""


async def _http_get(host: str, port: int, path: str, timeout: float, source: str | None = None,
                    cookies: dict[str, str] | None = None) -> None:
    """One HTTP/1.1 GET, as the frontend makes /_stcore/health and /_stcore/host-config before the websocket.
    With ``cookies`` (a browser's jar) they are sent, and the answer's Set-Cookie headers are kept in it (the
    balancer's affinity cookie)."""
    reader, writer = await asyncio.wait_for(asyncio.open_connection(
        host, port, local_addr=(source, 0) if source else None), timeout)
    try:
        header = f"Cookie: {cookie_header(cookies)}\r\n" if cookies else ""
        writer.write(f"GET {path} HTTP/1.1\r\nHost: {host}:{port}\r\n{header}Connection: close\r\n\r\n".encode())
        await writer.drain()
        status = await asyncio.wait_for(reader.readline(), timeout)
        if b" 200 " not in status:
            raise StudentError(f"GET {path}: {status.decode(errors='replace').strip() or 'no answer'}")
        rest = await asyncio.wait_for(reader.read(), timeout)
        if cookies is not None:
            head = rest.split(b"\r\n\r\n", 1)[0].decode("latin-1")
            take_set_cookies(cookies, [line.split(":", 1)[1] for line in head.split("\r\n")
                                       if line.lower().startswith("set-cookie:")])
    finally:
        writer.close()
        with contextlib.suppress(OSError):
            await writer.wait_closed()


def cookie_header(cookies: dict[str, str]) -> str:
    return "; ".join(f"{name}={value}" for name, value in sorted(cookies.items()))


def take_set_cookies(cookies: dict[str, str], headers: list[str]) -> None:
    """Keep what Set-Cookie headers set (name=value before the first ';'), as a browser's jar does."""
    for header in headers:
        name, _, value = header.split(";", 1)[0].strip().partition("=")
        if name:
            cookies[name] = value


async def _until_run_over(ws: ClientConnection, view: st_protocol.AppView, timeout: float) -> None:
    """Read until the run ends; a script exception, a compile error or a missing page is an error."""
    seen_exceptions = len(view.exceptions)
    deadline = time.monotonic() + timeout
    while True:
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            raise StudentError(f"no script_finished within {timeout:.0f} s")
        try:
            status = view.read(await asyncio.wait_for(ws.recv(), remaining))
        except TimeoutError:
            continue
        except ConnectionClosed as closed:
            raise StudentError(f"connection dropped ({closed})") from closed
        if status in st_protocol.RUN_OVER:
            break
    if view.exceptions[seen_exceptions:]:
        raise StudentError(f"script exception: {view.exceptions[seen_exceptions]}")
    if view.page_not_found:
        raise StudentError("page not found")
    if status == st_protocol.COMPILE_ERROR:
        raise StudentError("script compile error")


async def _hold(ws: ClientConnection, view: st_protocol.AppView, release: asyncio.Event) -> None:
    """Keep the tab open (reading whatever comes, which also answers the server's pings) until released."""
    reading = asyncio.ensure_future(_drain(ws, view))
    released = asyncio.ensure_future(release.wait())
    try:
        await asyncio.wait({reading, released}, timeout=HOLD_SECONDS, return_when=asyncio.FIRST_COMPLETED)
        if reading.done() and isinstance(reading.exception(), ConnectionClosed):
            raise StudentError(f"connection dropped ({reading.exception()})")
    finally:
        for task in (reading, released):
            task.cancel()


async def _drain(ws: ClientConnection, view: st_protocol.AppView) -> None:
    async for data in ws:
        view.read(data)


async def student(url: str, lesson: Lesson, query: str, start_at: float, think: tuple[float, float],
                  rng: random.Random, timeout: float, log: StudentLog, release: asyncio.Event,
                  cpu_probe: Callable[[], float] | None = None, source: str | None = None) -> None:
    """One student: open the link, move the control, press the button; keep the tab open until released.
    With ``cpu_probe`` (the server's CPU seconds so far) the server CPU of each action is noted too; ``source`` is
    the local address the student connects from (a loopback address of its own: another network)."""
    await asyncio.sleep(max(0.0, start_at - time.monotonic()))
    address = urlsplit(url)
    host, port = address.hostname or "127.0.0.1", address.port or 80
    action = "open"
    try:
        began, cpu_began = time.monotonic(), cpu_probe() if cpu_probe else 0.0
        ws = await _open_tab(url, host, port, source)
        async with ws:
            view = st_protocol.AppView(query)
            await ws.send(st_protocol.first_run(query, lesson.page))
            await _finish(ws, view, action, began, timeout, log, cpu_probe, cpu_began)
            for action, key in (("move", lesson.control), ("press", lesson.button)):
                if key is None:
                    continue
                await asyncio.sleep(rng.uniform(*think))
                widget = view.widget(key)
                if widget is None:
                    raise StudentError(f"the page drew no control with key {key!r}")
                began, cpu_began = time.monotonic(), cpu_probe() if cpu_probe else 0.0
                await ws.send(view.press(widget) if action == "press" else view.move_slider(widget, lesson.moved_to))
                await _finish(ws, view, action, began, timeout, log, cpu_probe, cpu_began)
            log.auto_rerun_every = min(view.auto_reruns.values(), default=None)
            log.done.set()
            action = "tab open"
            await _hold(ws, view, release)
    except StudentError as error:
        log.errors.append(f"{action}: {error}")
    except (OSError, TimeoutError, InvalidHandshake, InvalidURI) as error:
        log.errors.append(f"{action}: connection failed ({type(error).__name__}: {error})")
    except ConnectionClosed as error:
        log.errors.append(f"{action}: connection dropped ({error})")
    finally:
        if not log.done.is_set():
            log.last_answer = max(log.last_answer, time.monotonic())
            log.done.set()


async def _open_tab(url: str, host: str, port: int, source: str | None = None) -> ClientConnection:
    """What the frontend does first: GET health and host-config, then open the websocket (no pings of its own, as
    a browser sends none; the server's pings are answered)."""
    try:
        await asyncio.gather(_http_get(host, port, "/_stcore/health", CONNECT_SECONDS, source),
                             _http_get(host, port, "/_stcore/host-config", CONNECT_SECONDS, source))
    except (OSError, TimeoutError) as error:
        raise StudentError(f"health / host-config request failed ({type(error).__name__}: {error})") from error
    try:
        return await st_protocol.open_stream(url, CONNECT_SECONDS, source)
    except TimeoutError as error:
        raise StudentError(f"websocket not open within {CONNECT_SECONDS} s (the frontend's limit; a browser shows "
                           "'Connecting' and tries again)") from error


async def _finish(ws: ClientConnection, view: st_protocol.AppView, action: str, began: float, timeout: float,
                  log: StudentLog, cpu_probe: Callable[[], float] | None, cpu_began: float) -> None:
    await _until_run_over(ws, view, timeout)
    log.last_answer = time.monotonic()
    log.seconds[action] = log.last_answer - began
    if cpu_probe:
        log.cpu[action] = cpu_probe() - cpu_began


# ------------------------------------------------------------------------------------------------ one class


@dataclass
class Target:
    """A server students visit: the bare page or the app, with the processes whose CPU and memory count."""

    label: str
    url: str
    lesson: Lesson
    tree: proc_watch.ProcessTree | None  # None: not ours to measure (--url)


@dataclass
class ClassResult:
    label: str
    students: int
    logs: list[StudentLog]
    cpu_seconds: float | None = None
    peak_rss: int | None = None
    held_rss: int | None = None  # RSS once the server is quiet again (tabs still open) minus RSS before the class
    idle_after: float | None = None  # seconds from the last answer to a quiet server; None = not within IDLE_LIMIT
    wall: float = 0.0  # seconds from the first arrival to the last answer
    measured: bool = False  # the server's processes were ours to watch

    def seconds(self, action: str) -> list[float]:
        return [log.seconds[action] for log in self.logs if action in log.seconds]

    def cpu(self, action: str) -> list[float]:
        return [log.cpu[action] for log in self.logs if action in log.cpu]

    @property
    def errors(self) -> list[str]:
        return [error for log in self.logs for error in log.errors]


async def run_class(target: Target, scenario: Scenario, seed: int, think: tuple[float, float],
                    timeout: float) -> ClassResult:
    """One scenario against one server: start the students, wait for their answers and for the server to go
    quiet, then close every tab."""
    watch = proc_watch.Watch(target.tree) if target.tree else None
    if watch:
        watch.start()
        await watch.until_quiet(time.monotonic(), limit=30)  # the previous class's tail is not this one's cost
    lesson = target.lesson
    if scenario.heavy:
        lesson = Lesson(lesson.page, lesson.heavy_link or lesson.link)  # open only: the result or a plain message
    rng = random.Random(seed)
    release = asyncio.Event()
    logs = [StudentLog() for _ in range(scenario.students)]
    start = time.monotonic() + (0.0 if scenario.one_at_a_time else 0.5)  # 0.5 s: every task is ready
    cpu_before = watch.tree.sample().cpu if watch else 0.0
    bound = scenario.spread + 3 * (timeout + think[1]) + 2 * CONNECT_SECONDS
    probe = (lambda: watch.tree.sample().cpu) if watch and scenario.one_at_a_time else None
    tasks = []
    for index, (offset, log) in enumerate(zip(arrivals(scenario, rng), logs, strict=True)):
        begins = time.monotonic() if scenario.one_at_a_time else start + offset
        query = lesson.link.format(seed=seed * 10 + index if scenario.heavy else seed)  # heavy: a link each (≤ 9999)
        tasks.append(asyncio.ensure_future(student(target.url, lesson, query, begins, think,
                                                   random.Random(rng.random()), timeout, log, release, probe)))
        if scenario.one_at_a_time:
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(log.done.wait(), bound)
    await asyncio.wait([asyncio.ensure_future(log.done.wait()) for log in logs], timeout=bound)
    last_answer = max(log.last_answer for log in logs) or time.monotonic()
    result = ClassResult(target.label, scenario.students, logs, wall=last_answer - start, measured=bool(watch))
    if watch:
        quiet = await watch.until_quiet(last_answer, limit=IDLE_LIMIT)
        result.idle_after = None if quiet is None else max(0.0, quiet - last_answer)
        result.cpu_seconds = proc_watch.cpu_at(watch.samples, quiet if quiet is not None else time.monotonic()) \
            - cpu_before
        result.peak_rss = watch.peak_rss(since=start)
        result.held_rss = watch.tree.sample().rss - watch.samples[0].rss
    release.set()
    await asyncio.wait(tasks, timeout=30)
    for task in tasks:
        task.cancel()
    if watch:
        await watch.stop()
    return result


# ------------------------------------------------------------------------------------------------ report


def _figure(value: float | None, digits: int = 2, unit: str = "") -> str:
    return "—" if value is None or value != value else f"{value:.{digits}f}{unit}"


def _ratio(value: float | None, floor: float | None) -> str:
    if value is None or floor is None or value != value or floor != floor or floor <= 0:
        return "—"
    return f"{value / floor:.1f}×"


def report(scenario: Scenario, results: list[ClassResult], out=sys.stdout) -> None:
    """The scenario's tables: seconds per action, then the server's cost per page, each against the bare page."""
    bare = next((result for result in results if result.label == BARE), None)
    print(f"\n== {scenario.title} ==", file=out)
    with_cpu = any(log.cpu for result in results for log in result.logs)
    header = f"{'page':<18}{'action':<7}{'done':>9}{'p50 s':>8}{'p95 s':>8}{'max s':>8}{'p95 × bare':>12}"
    header += f"{'CPU s':>8}{'CPU × bare':>12}" if with_cpu else ""
    print(header, file=out)
    print("-" * len(header), file=out)
    for result in results:
        for action in ACTIONS:
            seconds = result.seconds(action)
            attempted = sum(1 for log in result.logs if action in log.seconds
                            or any(error.startswith(f"{action}:") for error in log.errors))
            if not attempted:
                continue
            floor = percentile(bare.seconds(FLOOR_ACTION[action]), 95) if bare else None
            p95 = percentile(seconds, 95)
            line = (f"{result.label:<18}{action:<7}{f'{len(seconds)}/{attempted}':>9}"
                    f"{_figure(percentile(seconds, 50)):>8}{_figure(p95):>8}{_figure(max(seconds, default=None)):>8}"
                    f"{_ratio(p95, floor) if result is not bare else '':>12}")
            if with_cpu:
                cpu = percentile(result.cpu(action), 50)
                cpu_floor = percentile(bare.cpu(FLOOR_ACTION[action]), 50) if bare else None
                line += f"{_figure(cpu, 3):>8}{_ratio(cpu, cpu_floor) if result is not bare else '':>12}"
            print(line, file=out)
    header = (f"{'page':<18}{'errors':>7}{'CPU s/student':>15}{'× bare':>8}{'peak RSS MB':>13}"
              f"{'held MB/student':>17}{'idle after s':>14}{'last answer s':>15}")
    print(f"\n{header}", file=out)
    print("-" * len(header), file=out)
    bare_cpu = bare.cpu_seconds / bare.students if bare and bare.cpu_seconds is not None else None
    for result in results:
        cpu = result.cpu_seconds / result.students if result.cpu_seconds is not None else None
        idle = f"> {IDLE_LIMIT}" if result.measured and result.idle_after is None else _figure(result.idle_after, 1)
        print(f"{result.label:<18}{len(result.errors):>7}{_figure(cpu, 3):>15}"
              f"{_ratio(cpu, bare_cpu) if result is not bare else '':>8}"
              f"{_figure(None if result.peak_rss is None else result.peak_rss / 2**20, 0):>13}"
              f"{_figure(None if result.held_rss is None else result.held_rss / 2**20 / result.students, 1):>17}"
              f"{idle:>14}{_figure(result.wall, 1):>15}", file=out)
    for result in results:
        if any(log.auto_rerun_every is not None and log.auto_rerun_every < result.wall for log in result.logs):
            print(f"  {result.label}: the page asked for timed fragment reruns (st.fragment(run_every=…)); a browser "
                  "makes them, these students do not", file=out)
        kinds: dict[str, int] = {}
        for error in result.errors:
            kinds[error] = kinds.get(error, 0) + 1
        for error, count in sorted(kinds.items(), key=lambda item: -item[1])[:5]:
            print(f"  {result.label}: {count} × {error}", file=out)
    out.flush()


# ------------------------------------------------------------------------------------------------ servers


@contextlib.contextmanager
def app_target(args: argparse.Namespace) -> Iterator[tuple[str, proc_watch.ProcessTree | None]]:
    """The app's URL and the processes to measure: our own server, deploy/run-local's replicas, or --url."""
    if args.url:
        yield args.url.rstrip("/"), None
    elif args.replicas:
        port = free_port()
        with serving([sys.executable, str(RUN_LOCAL), str(args.replicas), str(port)], port, timeout=180) as server:
            # the replicas and the Redis they share (a live class's cost is both); not HAProxy or run-local itself
            yield server.url, proc_watch.ProcessTree(server.pid, only=lambda command: "streamlit" in command
                                                     or "redis-server" in command)
    else:
        with streamlit_server(ROOT / "app.py") as server:
            yield server.url, proc_watch.ProcessTree(server.pid)


async def run(args: argparse.Namespace, bare_url: str, bare_pid: int, app_url: str,
              app_tree: proc_watch.ProcessTree | None) -> None:
    pages = list(LESSONS) if args.page == "all" else [args.page]
    scenarios = [*SCENARIOS, *OWN_RUNNERS] if args.scenario == "all" else [args.scenario]
    targets = [Target(BARE, bare_url, BARE_LESSON, proc_watch.ProcessTree(bare_pid))]
    targets += [Target(page, app_url, LESSONS[page], app_tree) for page in pages]
    heavy_targets = [targets[0], *(target for target in targets[1:] if target.lesson.heavy_link)]
    print(f"app: {app_url}{'' if app_tree else ' (not ours: CPU and RSS not measured)'}; bare page: {bare_url}; "
          f"think time {args.think[0]}–{args.think[1]} s; per-action timeout {args.timeout:.0f} s", flush=True)
    if app_tree:
        print(f"app server processes measured: {len(app_tree.pids)} (pids {', '.join(map(str, app_tree.pids))})")
    for target in targets:  # unmeasured students first (one per replica): imports are not a class's cost
        warm_up = Scenario("warm-up", 1 if target.label == BARE else args.replicas or 1, 0)
        warm = await run_class(target, warm_up, WARM_UP_SEED, (0.0, 0.0), args.timeout)
        if warm.errors:
            print(f"warm-up on {target.label}: {warm.errors[0]}", flush=True)
    began = time.monotonic()
    for number, name in enumerate(scenarios):
        if name in OWN_RUNNERS:
            await run_own(name, args, bare_url, bare_pid, app_url, app_tree)
            continue
        scenario = (QUICK if args.quick else SCENARIOS)[name]
        chosen = heavy_targets if scenario.heavy else targets
        results = [await run_class(target, scenario, 100 + number, args.think, args.timeout) for target in chosen]
        report(scenario, results)
    usage = resource.getrusage(resource.RUSAGE_SELF)
    print(f"\nmeasured in {time.monotonic() - began:.0f} s; the simulated students used "
          f"{usage.ru_utime + usage.ru_stime:.1f} s of CPU in all (this process)")


async def run_own(name: str, args: argparse.Namespace, bare_url: str, bare_pid: int, app_url: str,
                  app_tree: proc_watch.ProcessTree | None) -> None:
    """A scenario of OWN_RUNNERS; one that needs the balancer gets deploy/run-local (one replica, measured) unless
    the app already runs behind it (--replicas)."""
    import importlib

    from bench.server_limits import Context

    module, function = OWN_RUNNERS[name].split(":")
    runner = getattr(importlib.import_module(module), function)
    context = Context(app_url, app_tree, bare_url, bare_pid, args.quick, args.timeout, args.think,
                      direct_url=None if args.replicas else app_url, direct_tree=None if args.replicas else app_tree)
    if name not in NEEDS_BALANCER or args.replicas or args.url:
        context.balancer_url = app_url if args.replicas else None
        await runner(context)
        return
    port = free_port()
    with serving([sys.executable, str(RUN_LOCAL), "1", str(port)], port, timeout=180) as balanced:
        tree = proc_watch.ProcessTree(balanced.pid, only=lambda command: "streamlit" in command)
        warm = await run_class(Target("warm-up", balanced.url, LESSONS["train_cancer"], tree),
                               Scenario("warm-up", 1, 0), WARM_UP_SEED, (0.0, 0.0), args.timeout)
        if warm.errors:
            print(f"warm-up behind the balancer: {warm.errors[0]}", flush=True)
        context.app_url, context.app_tree, context.balancer_url = balanced.url, tree, balanced.url
        await runner(context)


def replica_counts(text: str) -> list[int]:
    """``--replicas 2`` or ``--replicas 1,2``: replica counts between 1 and 16."""
    try:
        counts = [int(part) for part in text.split(",")]
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r}: replica counts such as 2 or 1,2") from None
    if not all(1 <= count <= 16 for count in counts):
        raise argparse.ArgumentTypeError("replica counts between 1 and 16")
    return counts


def main(argv: list[str] | None = None) -> None:
    from bench import live_class  # its own module (it uses this one's students and servers)

    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--page", choices=[*LESSONS, "all"], default="all")
    parser.add_argument("--scenario", choices=[*SCENARIOS, *OWN_RUNNERS, live_class.SCENARIO, "all"], default="all",
                        help=f"{live_class.SCENARIO}: a live class of 100 students (bench/live_class.py)")
    parser.add_argument("--quick", action="store_true", help="small counts (a smoke run)")
    parser.add_argument("--url", help="an app already running (e.g. a balancer); its CPU and RSS are not measured")
    parser.add_argument("--replicas", type=replica_counts, help="start deploy/run-local N PORT and measure over its "
                        f"replicas; {live_class.SCENARIO} takes several (1,2: one class on each, in this run)")
    parser.add_argument("--sources", type=int, help=f"{live_class.SCENARIO} with --replicas: the students' "
                        "loopback addresses (default 4; 1 = a whole class behind one school NAT)")
    parser.add_argument("--fault", nargs="?", const="busier", choices=["busier", "teacher"],
                        help=f"{live_class.SCENARIO} with --replicas: one more "
                        "class on the largest N, the busier replica (--fault teacher: the teacher's) SIGKILLed "
                        "after the second step")
    parser.add_argument("--timeout", type=float, default=120.0, help="seconds an action may take (default 120)")
    parser.add_argument("--think", type=lambda text: tuple(float(part) for part in text.split("-")),
                        default=(1.0, 3.0), help="a student's pause between actions, low-high seconds (default 1-3)")
    args = parser.parse_args(argv)
    if args.url and args.replicas:
        parser.error("--url and --replicas exclude each other")
    live = args.scenario == live_class.SCENARIO
    if (args.sources is not None or args.fault) and not (live and args.replicas):
        parser.error(f"--sources and --fault go with --scenario {live_class.SCENARIO} --replicas N")
    if args.sources is not None and not 1 <= args.sources <= 200:
        parser.error("--sources: between 1 and 200")
    if args.replicas and not live:
        if len(args.replicas) > 1:
            parser.error(f"several replica counts (--replicas 1,2) only with --scenario {live_class.SCENARIO}")
        args.replicas = args.replicas[0]
    if args.replicas and not os.access(RUN_LOCAL, os.X_OK):
        parser.error(f"--replicas needs {RUN_LOCAL.relative_to(ROOT)} (it starts N Streamlit replicas behind HAProxy), "
                     "and this checkout does not have it")
    if args.url and (urlsplit(args.url).scheme, urlsplit(args.url).hostname) not in (("http", "127.0.0.1"),
                                                                                       ("http", "localhost")):
        parser.error("--url must be on 127.0.0.1 (this benchmark loads a server hard)")
    if len(args.think) != 2 or not 0 <= args.think[0] <= args.think[1]:
        parser.error("--think expects low-high seconds, e.g. 1-3")
    if args.scenario == live_class.SCENARIO:
        live_class.run(args)
        return
    with bare_page_server() as bare, app_target(args) as (app_url, app_tree):
        asyncio.run(run(args, bare.url, bare.pid, app_url, app_tree))


if __name__ == "__main__":
    main()
