"""Server CPU of one student opening a page in a real browser (static files included), against a bare Streamlit
page (one slider, one small Plotly line) measured in the same run: issue 18's "a repeat open of each lesson page
≤ 1.5× a bare page's server CPU".

Each sample is a new student: a fresh browser context (empty cache, new session) opens the page's default link,
waits until the app is idle and every chart is drawn, and closes its tab; the server's CPU (utime + stime of the
server process and its children, from /proc) is read before the open and after the server has been quiet again
for a moment. One unmeasured open of each page comes first, so imports are done and the link's shared caches are
filled: what is measured is a *repeat* open, the case of a class on one link. It also prints the requests, the
bytes the server sent and the seconds to idle.

  python -m bench.open_cost                    # every lesson page, 5 samples each
  python -m bench.open_cost --page train_cancer --samples 8

A benchmark, not a test: CPU seconds are read in clock ticks (10 ms), so use several samples; the ratio to the bare
page of the same run is what counts.
"""

from __future__ import annotations

import argparse
import contextlib
import statistics
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

from playwright.sync_api import Browser, sync_playwright

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
from bench.browser_latency import CHROMIUM_ARGS, VIEWPORT, WATCH_JS, find_chromium, open_page  # noqa: E402
from bench.proc_watch import ProcessTree  # noqa: E402
from bench.servers import Server, bare_page_server, streamlit_server  # noqa: E402
from site_map import available_lessons  # noqa: E402

SETTLE_SECONDS = 0.6  # the server must use under 2 % of a core over this long before the CPU is read
BARE = "bare page"


@dataclass
class Opens:
    page: str
    cpu: list[float] = field(default_factory=list)
    requests: list[int] = field(default_factory=list)
    kilobytes: list[float] = field(default_factory=list)
    seconds: list[float] = field(default_factory=list)


def settled_cpu(tree: ProcessTree, limit: float = 30.0) -> float:
    """The tree's CPU seconds once it has been (nearly) idle for SETTLE_SECONDS: the open's work, closing included."""
    deadline = time.monotonic() + limit
    before = tree.sample().cpu
    while True:
        time.sleep(SETTLE_SECONDS)
        now = tree.sample().cpu
        if now - before <= 0.02 * SETTLE_SECONDS or time.monotonic() > deadline:
            return now
        before = now


def one_open(browser: Browser, url: str, tree: ProcessTree) -> tuple[float, int, float, float]:
    """A new student opens ``url`` and leaves: (server CPU s, requests, KB received, seconds to idle)."""
    start_cpu = settled_cpu(tree)
    context = browser.new_context(viewport=VIEWPORT)
    context.add_init_script(WATCH_JS)
    page = context.new_page()
    counts = {"requests": 0, "bytes": 0}

    def on_response(response) -> None:
        counts["requests"] += 1
        with contextlib.suppress(Exception):  # a response without a body (a redirect, a websocket upgrade)
            counts["bytes"] += len(response.body())

    page.on("response", on_response)
    page.on("websocket", lambda ws: ws.on("framereceived", lambda payload: counts.__setitem__(
        "bytes", counts["bytes"] + len(payload))))
    started = time.perf_counter()
    open_page(page, url)
    seconds = time.perf_counter() - started
    context.close()
    return settled_cpu(tree) - start_cpu, counts["requests"], counts["bytes"] / 1000, seconds


def measure(browser: Browser, server: Server, name: str, url: str, samples: int) -> Opens:
    tree = ProcessTree(server.pid)
    one_open(browser, url, tree)  # imports, and this link's shared caches
    opens = Opens(name)
    for _ in range(samples):
        cpu, requests, kilobytes, seconds = one_open(browser, url, tree)
        opens.cpu.append(cpu)
        opens.requests.append(requests)
        opens.kilobytes.append(kilobytes)
        opens.seconds.append(seconds)
    return opens


def run(pages: list[str], samples: int, app_env: dict[str, str] | None = None) -> list[Opens]:
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=find_chromium(), args=CHROMIUM_ARGS)
        with bare_page_server() as bare, streamlit_server(ROOT / "app.py", env=app_env) as app:
            results = [measure(browser, bare, BARE, bare.url, samples)]
            results += [measure(browser, app, name, f"{app.url}/{name}", samples) for name in pages]
            results.append(measure(browser, bare, BARE + " (again)", bare.url, samples))
        browser.close()
    return results


def report(results: list[Opens]) -> None:
    bare = statistics.median([cpu for opens in results if opens.page.startswith(BARE) for cpu in opens.cpu])
    print(f"\nServer CPU per browser open (fresh context, static files included), median of "
          f"{len(results[0].cpu)}; bare page {bare:.3f} s (both bare rows pooled)\n")
    header = f"{'page':<22} {'CPU s':>7} {'min–max':>13} {'× bare':>7} {'requests':>9} {'KB sent':>9} {'open s':>7}"
    print(header)
    print("-" * len(header))
    for opens in results:
        cpu = statistics.median(opens.cpu)
        print(f"{opens.page:<22} {cpu:>7.3f} {min(opens.cpu):>6.2f}–{max(opens.cpu):<6.2f} {cpu / bare:>7.2f} "
              f"{statistics.median(opens.requests):>9.0f} {statistics.median(opens.kilobytes):>9.0f} "
              f"{statistics.median(opens.seconds):>7.2f}")


def main() -> None:
    lessons = [lesson.url_path for lesson in available_lessons()]
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--page", choices=lessons, action="append", help="this page only (repeatable)")
    parser.add_argument("--samples", type=int, default=5, help="measured opens per page (default 5)")
    parser.add_argument("--app-option", action="append", default=[], metavar="NAME=VALUE",
                        help="a Streamlit option of the app server only, e.g. runner.postScriptGC=false (repeatable)")
    args = parser.parse_args()
    app_env = None
    if args.app_option:
        import os

        app_env = dict(os.environ)
        for option in args.app_option:
            name, _, value = option.partition("=")
            app_env["STREAMLIT_" + "_".join(_snake(part) for part in name.split(".")).upper()] = value
        print("app server options:", ", ".join(args.app_option), flush=True)
    report(run(args.page or lessons, max(args.samples, 1), app_env))


def _snake(camel: str) -> str:
    """postScriptGC -> post_script_gc (how Streamlit names an option's environment variable)."""
    import re

    return re.sub(r"(?<=[a-z0-9])(?=[A-Z])", "_", camel)


if __name__ == "__main__":
    main()
