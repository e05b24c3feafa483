"""bench/classroom.py's scenarios of a hostile class against one server: what it holds and whether it stays fair.

  uploads10x3  ten students upload a 4.9 MB CSV at the same instant, three rounds: the server's RSS before the first
               round, its peak in each round, and 60 s after each round's tabs closed (targets: peak ≤ 690 MB, the
               smallest Community Cloud box; 60 s after, within 100 MB of before)
  flood300     300 websockets from one address open the training page with the replay on, through the balancer
               (deploy/run-local, its per-source limits), while 20 students from other addresses open a link, move a
               control and press Train: their p95 against the bare page's p95 for the same class without the flood;
               peak RSS of the server
  clear_cache  students on heaviest valid training links of their own, one every 0.5 s, and a clear_cache message
               (which any browser may send) in the middle: how many runs train at once, never above the slots

Each prints its own table. Students speak Streamlit's protocol (bench/st_protocol.py) as in bench/classroom.py.
"""

from __future__ import annotations

import asyncio
import contextlib
import random
import time
import urllib.request
import uuid
from dataclasses import dataclass
from urllib.parse import urlsplit

from websockets.exceptions import ConnectionClosed, InvalidStatus

from bench import proc_watch, st_protocol
from bench.classroom import (
    BARE,
    BARE_LESSON,
    CONNECT_SECONDS,
    LESSONS,
    Lesson,
    StudentError,
    StudentLog,
    Target,
    _hold,
    _until_run_over,
    percentile,
    run_class,
    student,
)

MB = 2**20
PEAK_TARGET_MB = 690  # Community Cloud's smallest box
HELD_TARGET_MB = 100  # 60 s after the tabs close, within this of the RSS before the first round
UPLOAD_LINK = "train_source=upload&train_seed={seed}"
UPLOAD_BYTES = 4_900_000


@dataclass
class Context:
    """What bench/classroom.py hands a scenario: the servers, how to measure them, the run's options."""

    app_url: str
    app_tree: proc_watch.ProcessTree | None
    bare_url: str
    bare_pid: int
    quick: bool
    timeout: float
    think: tuple[float, float]
    balancer_url: str | None = None  # deploy/run-local in front of the app, for flood300
    direct_url: str | None = None  # the app with no balancer in front (as on Community Cloud), for flood300
    direct_tree: proc_watch.ProcessTree | None = None


def upload_csv(target_bytes: int = UPLOAD_BYTES, seed: int = 0) -> bytes:
    """A valid CSV just under ``target_bytes``: 19 integer features 0–99 and a 0/1 label — as many cells as fit
    (the most Python strings a parse makes), within the reader's row and cell limits."""
    rng = random.Random(seed)
    lines = [",".join(f"f{index}" for index in range(19)) + ",label"]
    size = len(lines[0]) + 1
    while True:
        label = rng.random() < 0.4
        row = ",".join(str(rng.randrange(100) + (30 if label and index < 3 else 0)) for index in range(19))
        line = f"{row},{int(label)}"
        if size + len(line) + 1 > target_bytes or len(lines) > 100_000:
            break
        lines.append(line)
        size += len(line) + 1
    return ("\n".join(lines) + "\n").encode()


# ------------------------------------------------------------------------------------------------ uploads10x3


async def _http(method: str, url: str, headers: dict[str, str], body: bytes = b"",
                timeout: float = 60) -> tuple[int, dict[str, str]]:
    """One request in a thread (urllib), so many students can make theirs at once."""
    def go() -> tuple[int, dict[str, str]]:
        request = urllib.request.Request(url, data=body or None, method=method, headers=headers)
        try:
            with urllib.request.urlopen(request, timeout=timeout) as answer:
                answer.read()
                return answer.status, {key.lower(): value for key, value in answer.headers.items()}
        except urllib.error.HTTPError as error:
            return error.code, {key.lower(): value for key, value in error.headers.items()}
    return await asyncio.to_thread(go)


def _multipart(name: str, data: bytes) -> tuple[str, bytes]:
    boundary = uuid.uuid4().hex
    head = (f"--{boundary}\r\nContent-Disposition: form-data; name=\"{name}\"; filename=\"{name}\"\r\n"
            "Content-Type: text/csv\r\n\r\n").encode()
    return f"multipart/form-data; boundary={boundary}", head + data + f"\r\n--{boundary}--\r\n".encode()


async def upload_student(url: str, csv: bytes, query: str, timeout: float, log: StudentLog,
                         release: asyncio.Event) -> None:
    """Open the training page set to "Upload a CSV", upload ``csv`` as the browser does, wait for the page (the file
    read, the split, the training run) and keep the tab open until released."""
    action = "open"
    try:
        began = time.monotonic()
        status, headers = await _http("GET", f"{url}/_stcore/health", {})
        cookie = headers.get("set-cookie", "").split(";")[0]
        if status != 200 or not cookie.startswith("_streamlit_xsrf="):
            raise StudentError(f"health: {status}, no XSRF cookie")
        token = cookie.split("=", 1)[1]
        ws = await st_protocol.open_stream(url, CONNECT_SECONDS)
        async with ws:
            view = st_protocol.AppView(query)
            await ws.send(st_protocol.first_run(query, "train_cancer"))
            await _until_run_over(ws, view, timeout)
            log.seconds[action] = time.monotonic() - began
            uploader = view.widget("train_upload")
            if uploader is None:
                raise StudentError("the page drew no uploader with key 'train_upload'")
            action = "upload"
            began = time.monotonic()
            await ws.send(st_protocol.file_urls_request("upload-1", ["class.csv"], view.session_id))
            while "upload-1" not in view.file_urls:
                view.read(await asyncio.wait_for(ws.recv(), timeout))
            (urls,) = view.file_urls["upload-1"]
            content_type, body = _multipart("class.csv", csv)
            status, _ = await _http("PUT", f"{url}{urlsplit(urls.upload_url).path}", {
                "Cookie": cookie, "X-Xsrftoken": token, "Content-Type": content_type}, body, timeout)
            if status != 204:
                raise StudentError(f"upload refused with HTTP {status}")
            await ws.send(view.uploaded(uploader, urls, "class.csv", len(csv)))
            await _until_run_over(ws, view, timeout)
            log.last_answer = time.monotonic()
            log.seconds[action] = log.last_answer - began
            log.done.set()
            action = "tab open"
            await _hold(ws, view, release)
    except StudentError as error:
        log.errors.append(f"{action}: {error}")
    except (OSError, TimeoutError, InvalidStatus) as error:
        log.errors.append(f"{action}: connection failed ({type(error).__name__}: {error})")
    except ConnectionClosed as error:
        log.errors.append(f"{action}: connection dropped ({error})")
    finally:
        if not log.done.is_set():
            log.last_answer = max(log.last_answer, time.monotonic())
            log.done.set()


async def uploads10x3(context: Context) -> None:
    students, rounds, after = (3, 2, 20.0) if context.quick else (10, 3, 60.0)
    csvs = [upload_csv(seed=index) for index in range(students)]  # ten different files: nothing shared between them
    csv = csvs[0]
    tree = context.app_tree
    rows = csv.count(b"\n") - 1
    print(f"\n== uploads10x3: {students} students upload a {len(csv) / 1e6:.1f} MB CSV each ({rows:,} rows × 20 "
          "columns, a different file each) "
          f"at the same instant, {rounds} rounds; RSS {after:.0f} s after the tabs close ==", flush=True)
    if tree is None:
        print("  (a server that is not ours: RSS not measured)")
    watch = proc_watch.Watch(tree) if tree else None
    if watch:
        watch.start()
        await watch.until_quiet(time.monotonic(), limit=30)
    before = watch.tree.sample().rss if watch else 0
    after_label = f"{after:.0f} s after MB"
    header = f"{'round':<7}{'done':>6}{'errors':>8}{'p50 s':>8}{'p95 s':>8}{'peak MB':>9}{after_label:>16}"
    print(f"RSS before the first round: {before / MB:.0f} MB\n{header}\n{'-' * len(header)}", flush=True)
    results = []
    for number in range(rounds):
        release = asyncio.Event()
        logs = [StudentLog() for _ in range(students)]
        start = time.monotonic()
        # 3 × the timeout: ten files read and trained two at a time (the queue) take a while on a busy box
        tasks = [asyncio.ensure_future(upload_student(context.app_url, csvs[i],
                                                      UPLOAD_LINK.format(seed=number * 100 + i), 3 * context.timeout,
                                                      log, release)) for i, log in enumerate(logs)]
        await asyncio.wait([asyncio.ensure_future(log.done.wait()) for log in logs], timeout=4 * context.timeout)
        release.set()
        await asyncio.wait(tasks, timeout=30)
        closed = time.monotonic()
        await asyncio.sleep(after)
        peak = watch.peak_rss(since=start) if watch else 0
        rest = watch.tree.sample().rss if watch else 0
        seconds = [log.seconds["upload"] for log in logs if "upload" in log.seconds]
        errors = [error for log in logs for error in log.errors]
        results.append((peak, rest))
        print(f"{number + 1:<7}{len(seconds):>6}{len(errors):>8}{percentile(seconds, 50):>8.2f}"
              f"{percentile(seconds, 95):>8.2f}{peak / MB:>9.0f}{rest / MB:>16.0f}"
              f"   (tabs closed {closed - start:.0f} s after the start)", flush=True)
        for error in sorted(set(errors))[:3]:
            print(f"  {errors.count(error)} × {error}")
    if watch:
        await watch.stop()
        worst_peak, worst_rest = max(peak for peak, _ in results), max(rest for _, rest in results)
        print(f"targets: peak {worst_peak / MB:.0f} MB ≤ {PEAK_TARGET_MB} MB: "
              f"{'met' if worst_peak / MB <= PEAK_TARGET_MB else 'NOT met'}; {after:.0f} s after, "
              f"{(worst_rest - before) / MB:+.0f} MB against before (≤ {HELD_TARGET_MB} MB): "
              f"{'met' if (worst_rest - before) / MB <= HELD_TARGET_MB else 'NOT met'}", flush=True)


# ------------------------------------------------------------------------------------------------ flood300


async def _flood_socket(url: str, source: str, query: str, timeout: float, outcome: list[str],
                        release: asyncio.Event) -> None:
    """One of the flood's connections: open the training page from ``source`` and hold the tab."""
    try:
        ws = await st_protocol.open_stream(url, CONNECT_SECONDS, source)
    except InvalidStatus as refused:
        outcome.append(f"HTTP {refused.response.status_code}")
        return
    except (OSError, TimeoutError) as error:
        outcome.append(type(error).__name__)
        return
    async with ws:
        view = st_protocol.AppView(query)
        try:
            await ws.send(st_protocol.first_run(query, "train_cancer"))
            await _until_run_over(ws, view, timeout)
            outcome.append("class is full" if view.full else "page")
            await _hold(ws, view, release)
        except (StudentError, ConnectionClosed) as error:
            outcome.append(f"error: {str(error)[:60]}")


async def flood300(context: Context) -> None:
    flood, students = (60, 5) if context.quick else (300, 20)
    url = context.balancer_url or context.app_url
    lesson = LESSONS["train_cancer"]
    print(f"\n== flood300: {flood} websockets from one address on the training page with the replay on, while "
          f"{students} students (each from an address of its own) open a link, move a control and press Train; "
          f"through {'the balancer (deploy/run-local)' if context.balancer_url else 'no balancer'} ==", flush=True)
    floor = await run_class(Target(BARE, context.bare_url, BARE_LESSON, proc_watch.ProcessTree(context.bare_pid)),
                            _scenario(students), 300, context.think, context.timeout)
    quiet = await _students_from_many_addresses(url, lesson, students, 301, context)
    watch = proc_watch.Watch(context.app_tree) if context.app_tree else None
    if watch:
        watch.start()
    release, outcome = asyncio.Event(), []
    query = "train_replay_on=true&train_seed=302"
    flooding = [asyncio.ensure_future(_flood_socket(url, "127.0.0.1", query, context.timeout, outcome, release))
                for _ in range(flood)]
    await asyncio.sleep(1.0)  # the flood is under way when the class arrives
    loud = await _students_from_many_addresses(url, lesson, students, 303, context)
    release.set()
    await asyncio.wait(flooding, timeout=60)
    if watch:
        await watch.stop()
    kinds = {kind: outcome.count(kind) for kind in sorted(set(outcome))}
    print(f"the flood's {flood} connections: {kinds}")
    if context.direct_url:
        await _idle_flood(context, flood, query)
    header = f"{'class':<34}{'action':<8}{'done':>7}{'p50 s':>8}{'p95 s':>8}{'× bare p95':>12}"
    print(f"{header}\n{'-' * len(header)}")
    for label, logs in (("bare page, no flood", floor.logs), ("students, no flood", quiet),
                        ("students during the flood", loud)):
        for action in ("open", "move", "press"):
            seconds = [log.seconds[action] for log in logs if action in log.seconds]
            if not seconds:
                continue
            bare = percentile([log.seconds[{"press": "open"}.get(action, action)] for log in floor.logs
                               if {"press": "open"}.get(action, action) in log.seconds], 95)
            p95 = percentile(seconds, 95)
            print(f"{label:<34}{action:<8}{f'{len(seconds)}/{len(logs)}':>7}{percentile(seconds, 50):>8.2f}"
                  f"{p95:>8.2f}{p95 / bare if bare else float('nan'):>11.1f}×")
        errors = [error for log in logs for error in log.errors]
        for error in sorted(set(errors))[:3]:
            print(f"  {label}: {errors.count(error)} × {error}")
    if watch:
        print(f"server peak RSS during the flood: {watch.peak_rss() / MB:.0f} MB (target ≤ {PEAK_TARGET_MB} MB)",
              flush=True)


async def _idle_flood(context: Context, flood: int, query: str) -> None:
    """The same flood straight at one server (no balancer: Community Cloud), tabs kept open: its memory."""
    watch = proc_watch.Watch(context.direct_tree) if context.direct_tree else None
    if watch:
        watch.start()
        await watch.until_quiet(time.monotonic(), limit=30)
    before = watch.tree.sample().rss if watch else 0
    release, outcome = asyncio.Event(), []
    tabs = [asyncio.ensure_future(_flood_socket(context.direct_url, "127.0.0.1", query, context.timeout * 3, outcome,
                                                release)) for _ in range(flood)]
    while len(outcome) < flood and not all(tab.done() for tab in tabs):
        await asyncio.sleep(0.5)
    await asyncio.sleep(5)
    held = watch.tree.sample().rss if watch else 0
    release.set()
    await asyncio.wait(tabs, timeout=60)
    if watch:
        await watch.stop()
    kinds = {kind: outcome.count(kind) for kind in sorted(set(outcome))}
    print(f"{flood} idle tabs straight at one server (no balancer): {kinds}; RSS before {before / MB:.0f} MB, "
          f"peak {watch.peak_rss() / MB if watch else 0:.0f} MB, with every tab open {held / MB:.0f} MB "
          f"(target ≤ {PEAK_TARGET_MB} MB)", flush=True)


def _scenario(students: int):
    from bench.classroom import Scenario

    return Scenario(f"{students} within 5 s", students, 5.0)


async def _students_from_many_addresses(url: str, lesson: Lesson, students: int, seed: int,
                                        context: Context) -> list[StudentLog]:
    """``students`` within 5 s, student i from 127.0.0.(10 + i): the balancer's per-source limits do not pool them."""
    rng = random.Random(seed)
    release = asyncio.Event()
    logs = [StudentLog() for _ in range(students)]
    start = time.monotonic() + 0.5
    tasks = [asyncio.ensure_future(student(url, lesson, lesson.link.format(seed=seed), start + rng.uniform(0, 5),
                                           context.think, random.Random(rng.random()), context.timeout, log, release,
                                           source=f"127.0.0.{10 + index}"))
             for index, log in enumerate(logs)]
    await asyncio.wait([asyncio.ensure_future(log.done.wait()) for log in logs], timeout=3 * context.timeout + 60)
    release.set()
    await asyncio.wait(tasks, timeout=30)
    return logs


# ------------------------------------------------------------------------------------------------ clear_cache


async def _heavy_student(url: str, query: str, timeout: float, spans: list[tuple[float, float]],
                         errors: list[str]) -> None:
    """Open a heaviest valid training link; note when its run trained (its first progress bar to its last, which
    the page draws when the run is over)."""
    try:
        ws = await st_protocol.open_stream(url, CONNECT_SECONDS)
        async with ws:
            view = st_protocol.AppView(query)
            await ws.send(st_protocol.first_run(query, "train_cancer"))
            await _until_run_over(ws, view, timeout)
            if view.first_progress_at is None or view.last_progress_at is None:
                raise StudentError("the page showed no training progress")
            spans.append((view.first_progress_at, view.last_progress_at))
    except (StudentError, OSError, TimeoutError, ConnectionClosed, InvalidStatus) as error:
        errors.append(str(error)[:100])


def most_at_once(spans: list[tuple[float, float]]) -> int:
    """The most intervals that overlap at one moment."""
    events = sorted([(start, 1) for start, _ in spans] + [(end, -1) for _, end in spans])
    now = peak = 0
    for _, step in events:
        now += step
        peak = max(peak, now)
    return peak


async def clear_cache(context: Context) -> None:
    from lessons.server_capacity import heavy_slots

    students = 4 if context.quick else 8
    slots = heavy_slots()
    link = LESSONS["train_cancer"].heavy_link.replace("&train_replay_on=true", "")  # the training alone
    print(f"\n== clear_cache: {students} students on heaviest valid training links of their own, one every 0.5 s; "
          f"a clear_cache message after 1.5 s; the server has {slots} slots ==", flush=True)
    spans: list[tuple[float, float]] = []
    errors: list[str] = []
    tasks = []
    cleared_at = None
    start = time.monotonic()
    for index in range(students):
        tasks.append(asyncio.ensure_future(_heavy_student(context.app_url, link.format(seed=7000 + index),
                                                          context.timeout * 3, spans, errors)))
        await asyncio.sleep(0.5)
        if cleared_at is None and time.monotonic() - start >= 1.5:
            cleared_at = await _send_clear_cache(context.app_url)
    await asyncio.wait(tasks, timeout=context.timeout * 4)
    peak = most_at_once(spans)
    print(f"runs trained: {len(spans)}/{students}; errors: {len(errors)}; clear_cache sent "
          f"{(cleared_at or start) - start:.1f} s after the first student; most runs training at once: {peak} "
          f"(slots: {slots}) — {'within the slots' if peak <= slots else 'ABOVE THE SLOTS'}", flush=True)
    for error in sorted(set(errors))[:3]:
        print(f"  {errors.count(error)} × {error}")


async def _send_clear_cache(url: str) -> float:
    """What the frontend's "Clear caches" sends, from a tab of its own."""
    async with await st_protocol.open_stream(url, CONNECT_SECONDS) as ws:
        await ws.send(st_protocol.clear_cache())
        sent = time.monotonic()
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(ws.recv(), 1.0)
        return sent
