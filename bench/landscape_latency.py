"""How long each landscape control takes in a real browser, against a bare Streamlit page in the same run.

Run with ``python -m bench.landscape_latency``. It starts the app and a bare reference page (one slider,
one small Plotly line chart) on free ports, drives Debian's headless Chromium with Playwright, and for
every control takes ``--samples`` samples of "input → app idle and charts drawn". Idle means: the
script is not running, Streamlit's status widget is gone, and nothing in the page has changed for
``QUIET_MS`` (a Plotly redraw changes the DOM, so a pending one keeps the page busy). The time of a
sample is from the key press or click to the last change before that quiet spell. Bytes are what the
browser received over the websocket for that input. Prints per control: median seconds, ratio to the
bare page's slider, median kilobytes.

Targets (issue 10): every control ≤ 3× the bare page (a 3D control that cannot: < 1 s), a change that
does not change the surface ≤ 150 KB, the real-network landscape first drawn ≤ 2 s on a warm server.
Sliders always move on to a new value: Streamlit 1.67 sends only a short reference for a message the
browser already holds, so going back and forth would measure its cache, not the page. The toggles
(race/sweep, surface) do go back and forth: their first sample is the uncached one.
Latency is a benchmark here, not a timed test: a shared 2-core machine is noisy.
"""

from __future__ import annotations

import argparse
import contextlib
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage"]
QUIET_MS = 500
PORTS = range(8640, 8650)

BARE_PAGE = '''
import numpy as np
import plotly.graph_objects as go
import streamlit as st

n = st.slider("Points", 10, 100, 50, key="bare")
st.plotly_chart(go.Figure(go.Scatter(x=np.arange(n), y=np.sin(np.arange(n) / 5))))
'''

# Records the time of the last DOM change and the script state, so "idle" can be read from the page.
WATCH_JS = """() => {
  if (window.__watch) return;
  window.__watch = true;
  window.__last = performance.now();
  window.__done = performance.now();
  new MutationObserver(() => { window.__last = performance.now(); })
    .observe(document.body, {subtree: true, childList: true, attributes: true, characterData: true});
  const app = document.querySelector('[data-testid="stApp"]');
  new MutationObserver(() => {
    if (app.getAttribute('data-test-script-state') === 'notRunning') window.__done = performance.now();
  }).observe(app, {attributes: true, attributeFilter: ['data-test-script-state']});
}"""
# Counts every byte the page's websockets receive, in the page itself: neither Playwright's websocket
# events nor the CDP network log saw Streamlit's large messages here.
COUNT_BYTES_JS = """(() => {
  const Native = window.WebSocket;
  window.__bytes = 0;
  window.WebSocket = function (...args) {
    const socket = new Native(...args);
    socket.addEventListener('message', (event) => {
      const data = event.data;
      window.__bytes += typeof data === 'string' ? data.length : (data.byteLength ?? data.size ?? 0);
    });
    return socket;
  };
  window.WebSocket.prototype = Native.prototype;
  Object.assign(window.WebSocket, {CONNECTING: 0, OPEN: 1, CLOSING: 2, CLOSED: 3});
})();"""
IDLE_JS = """(quiet) => {
  const app = document.querySelector('[data-testid="stApp"]');
  const running = !app || app.getAttribute('data-test-script-state') !== 'notRunning';
  const status = document.querySelector('[data-testid="stStatusWidget"]');
  const busy = status && status.innerText.trim().length > 0;
  return !running && !busy && performance.now() - window.__last > quiet;
}"""


@dataclass
class Sample:
    seconds: float
    kilobytes: float
    script_seconds: float  # until the script finished and every message was sent; the rest is drawing


def free_port() -> int:
    for port in PORTS:
        with socket.socket() as sock:
            try:
                sock.bind(("127.0.0.1", port))
            except OSError:
                continue
            return port
    raise RuntimeError("no free port in 8640-8649")


@contextlib.contextmanager
def streamlit_server(script: Path, cwd: Path) -> Iterator[str]:
    port = free_port()
    process = subprocess.Popen(
        [sys.executable, "-m", "streamlit", "run", str(script), "--server.headless", "true", "--server.port",
         str(port), "--server.address", "127.0.0.1", "--browser.gatherUsageStats", "false",
         "--server.fileWatcherType", "none"], cwd=cwd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.time() + 90
        while True:
            with contextlib.suppress(OSError):
                if urllib.request.urlopen(f"{url}/_stcore/health", timeout=2).read() == b"ok":
                    break
            if process.poll() is not None or time.time() > deadline:
                raise RuntimeError(f"streamlit {script} did not start")
            time.sleep(0.3)
        yield url
    finally:
        process.terminate()
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()


class Meter:
    """One page with a websocket byte counter and a DOM-quiet clock."""

    def __init__(self, page) -> None:
        self.page = page
        page.add_init_script(COUNT_BYTES_JS)

    @property
    def received(self) -> int:
        return int(self.page.evaluate("() => window.__bytes || 0"))

    def wait_idle(self, timeout_s: float = 60.0) -> None:
        self.page.evaluate(WATCH_JS)
        self.page.wait_for_function(IDLE_JS, arg=QUIET_MS, timeout=timeout_s * 1000, polling=50)

    def measure(self, act: Callable[[], None]) -> Sample:
        self.wait_idle()
        before = self.received
        start = self.page.evaluate("() => performance.now()")
        act()
        self.page.wait_for_timeout(100)  # let the rerun start before looking for idle
        self.wait_idle()
        end, done = self.page.evaluate("() => [window.__last, window.__done]")
        return Sample(max(0.0, end - start) / 1000, (self.received - before) / 1024,
                      min(max(0.0, done - start), max(0.0, end - start)) / 1000)


def press_slider(page, key: str, direction: str) -> Callable[[], None]:
    thumb = page.locator(f".st-key-{key} input[type='range']").first
    return lambda: (thumb.focus(), thumb.press(direction))


def click_radio(page, key: str, label: str) -> Callable[[], None]:
    return lambda: page.locator(f".st-key-{key} label").filter(has_text=label).first.click()


def choose(page, key: str, option: str) -> Callable[[], None]:
    def act() -> None:
        page.locator(f".st-key-{key} input[role='combobox']").first.click()
        page.get_by_role("option", name=option).first.click()
    return act


def alternate(first: Callable[[], None], second: Callable[[], None]) -> Callable[[int], Callable[[], None]]:
    return lambda i: first if i % 2 == 0 else second


def run_control(meter: Meter, name: str, actions: Callable[[int], Callable[[], None]], samples: int,
                floor: float | None) -> tuple[float, float]:
    taken = [meter.measure(actions(i)) for i in range(samples)]
    seconds = statistics.median(s.seconds for s in taken)
    kilobytes = statistics.median(s.kilobytes for s in taken)
    ratio = f"{seconds / floor:5.1f}×" if floor else "   1.0×"
    spread = ", ".join(f"{s.seconds:.2f}" for s in taken)
    script = statistics.median(s.script_seconds for s in taken)
    print(f"  {name:<34} {seconds:6.2f} s  {ratio}  {kilobytes:6.0f} KB  script {script:5.2f} s, drawing "
          f"{seconds - script:5.2f} s   (samples {spread})", flush=True)
    return seconds, kilobytes


def main() -> None:
    from playwright.sync_api import sync_playwright

    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--samples", type=int, default=3)
    parser.add_argument("--width", type=int, default=1366)
    parser.add_argument("--height", type=int, default=768)
    parser.add_argument("--only", default="", help="run only the controls whose name contains this text")
    args = parser.parse_args()
    n = args.samples

    with tempfile.TemporaryDirectory() as tmp, sync_playwright() as playwright:
        bare = Path(tmp) / "bare.py"
        bare.write_text(BARE_PAGE)
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        viewport = {"width": args.width, "height": args.height}
        with streamlit_server(bare, Path(tmp)) as bare_url, streamlit_server(ROOT / "app.py", ROOT) as app_url:
            print(f"browser {args.width}×{args.height}, {n} samples per control, quiet = {QUIET_MS} ms "
                  "(subtracted: the time is to the last change)")
            page = browser.new_page(viewport=viewport)
            meter = Meter(page)
            page.goto(bare_url)
            page.locator(".st-key-bare input[type='range']").wait_for(timeout=60_000)
            meter.wait_idle()
            floor, _ = run_control(meter, "bare page: slider",
                                   lambda i, key="bare": press_slider(page, key, "ArrowRight"),
                                   n + 2, None)
            page.close()

            page = browser.new_page(viewport=viewport)
            meter = Meter(page)
            page.goto(f"{app_url}/landscape")
            page.locator(".js-plotly-plot").first.wait_for(timeout=120_000)
            meter.wait_idle(120)
            print("toy surface (hills):")
            controls = {
                "Steps slider": lambda i, key="land_steps": press_slider(page, key, "ArrowRight"),
                "Learning rate slider": lambda i, key="land_lr": press_slider(page, key, "ArrowRight"),
                "Noise slider": lambda i, key="land_noise": press_slider(page, key, "ArrowRight"),
                "Start x slider": lambda i, key="land_x0": press_slider(page, key, "ArrowRight"),
                "Start y slider": lambda i, key="land_y0": press_slider(page, key, "ArrowRight"),
                "Balls: race / sweep": alternate(click_radio(page, "land_mode", "sweep"),
                                                 click_radio(page, "land_mode", "Race")),
                "Landscape: hills / bowl (surface)": alternate(choose(page, "land_surface", "Simple bowl"),
                                                               choose(page, "land_surface", "Hills and valleys")),
            }
            for name, actions in controls.items():
                if args.only.lower() in name.lower():
                    run_control(meter, name, actions, n, floor)

            print("real network:")
            cold, kb = run_control(meter, "first appearance (warm server)",
                                   lambda i: choose(page, "land_surface", "The real network"), 1, floor)
            real_controls = {
                "Steps slider": lambda i, key="land_steps": press_slider(page, key, "ArrowRight"),
                "Learning rate slider": lambda i, key="land_lr": press_slider(page, key, "ArrowRight"),
            }
            for name, actions in real_controls.items():
                if args.only.lower() in name.lower():
                    run_control(meter, name, actions, n, floor)
            page.close()
        browser.close()


if __name__ == "__main__":
    main()
