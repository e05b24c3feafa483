"""End-to-end fixtures: a real ``streamlit run app.py`` on a free port and Debian's headless Chromium.

Outside CI a missing /usr/bin/chromium skips these tests with the reason; with CI=true it fails.
Screenshots go to $E2E_SCREENSHOT_DIR (default .artifacts/screenshots) so a person can look at them.
"""

from __future__ import annotations

import contextlib
import os
import queue
import shutil
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from bench.browser_latency import CHARTS_DRAWN_JS
from bench.servers import ServerStartError, streamlit_server
from tests.conftest import IN_CI, ROOT

CHROMIUM_CANDIDATES = ("/usr/bin/chromium", "/usr/bin/chromium-browser")
DESKTOP = {"width": 1366, "height": 768}
PHONE = {"width": 390, "height": 844}
SCREENSHOT_DIR = Path(os.environ.get("E2E_SCREENSHOT_DIR", ROOT / ".artifacts" / "screenshots"))
CHROMIUM_ARGS = [
    "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--disable-background-networking",
    "--disable-component-update", "--no-first-run", "--disable-sync", "--disable-quic",
]


def find_chromium() -> str | None:
    configured = os.environ.get("CHROMIUM_PATH")
    if configured:
        return configured if Path(configured).is_file() else None
    for candidate in CHROMIUM_CANDIDATES:
        if Path(candidate).is_file():
            return candidate
    return shutil.which("chromium")


@pytest.fixture(scope="session")
def chromium_path() -> str:
    path = find_chromium()
    if path is None:
        message = "Debian's chromium is not installed (apt-get install chromium); end-to-end tests need it"
        if IN_CI:
            pytest.fail(f"CI=true: {message}")
        pytest.skip(message)
    return path


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args, chromium_path):
    """pytest-playwright hook: use the system Chromium (Playwright cannot download one here)."""
    return {**browser_type_launch_args, "executable_path": chromium_path, "args": CHROMIUM_ARGS}


@pytest.fixture(scope="session")
def browser_context_args(browser_context_args):
    return {**browser_context_args, "viewport": {"width": 1400, "height": 1000}}


@contextlib.contextmanager
def running_app(script: str | Path = "app.py") -> Iterator[str]:
    """Start the app the way a user does (``streamlit run app.py``, from the project folder so that
    .streamlit/config.toml applies) on a free port (E2E_PORT_RANGE=8610-8619 keeps it inside an agreed range on a
    shared machine) and wait for /_stcore/health; yields its URL. ``script`` may name another file (relative to
    the project root), e.g. tests/e2e/literal_text_app.py. The start-up is bench/servers.py's, shared with the
    benchmarks; its log goes next to the screenshots."""
    with contextlib.ExitStack() as stack:
        try:
            server = stack.enter_context(streamlit_server(script, cwd=ROOT, log_dir=SCREENSHOT_DIR.parent))
        except ServerStartError as error:
            pytest.fail(f"streamlit did not become healthy: {error}")
        yield server.url


RUN_LOCAL = ROOT / "deploy" / "run-local"


def start_run_local(replicas: int, port: int, env: dict[str, str] | None = None,
                    timeout: float = 120) -> tuple[subprocess.Popen, list[str]]:
    """``deploy/run-local replicas port``, run by this Python (the one that has the app), until it prints its ready
    line; returns the process and the lines it printed (replicas' ports and pids, then ``ready <url>``)."""
    process = subprocess.Popen([sys.executable, str(RUN_LOCAL), str(replicas), str(port)], cwd=ROOT, env=env,
                               stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    lines: queue.Queue[str] = queue.Queue()
    threading.Thread(target=lambda: [lines.put(line.rstrip("\n")) for line in process.stdout], daemon=True).start()
    seen: list[str] = []
    deadline = time.monotonic() + timeout
    while not (seen and seen[-1].startswith("ready ")):
        try:
            seen.append(lines.get(timeout=max(0.1, deadline - time.monotonic())))
        except queue.Empty:
            process.kill()
            pytest.fail(f"run-local did not print 'ready' in {timeout:.0f} s:\n" + "\n".join(seen))
    return process, seen


@pytest.fixture(scope="session")
def app_url(chromium_path) -> Iterator[str]:
    """One app server shared by the browser tests of the session."""
    with running_app() as url:
        yield url


@pytest.fixture
def fresh_app_url(chromium_path) -> Iterator[str]:
    """A server no session has visited yet (what a shared link meets after the app woke up)."""
    with running_app() as url:
        yield url


@pytest.fixture
def screenshot(page):
    """screenshot("name") saves a full-page PNG and returns its path.

    Streamlit scrolls inside its main column, so a full-page shot is one window high. With
    ``whole_app=True`` the window is made as tall as the main column's content for the shot (same width),
    then restored."""
    SCREENSHOT_DIR.mkdir(parents=True, exist_ok=True)

    def take(name: str, whole_app: bool = False) -> Path:
        path = SCREENSHOT_DIR / f"{name}.png"
        viewport = page.viewport_size
        if whole_app and viewport:
            height = page.evaluate("() => document.querySelector('[data-testid=stMain]')?.scrollHeight ?? 0")
            if height > viewport["height"]:
                page.set_viewport_size({"width": viewport["width"], "height": height})
                page.wait_for_timeout(800)  # let Plotly resize and repaint
        try:
            page.screenshot(path=str(path), full_page=True)
        finally:
            if whole_app and viewport:
                page.set_viewport_size(viewport)
        return path

    return take


def page_paths() -> dict[str, str]:
    """Every page of the app by short name: {"home": "", "landscape": "landscape", …} (URL paths)."""
    from site_map import available_lessons

    return {"home": "", **{lesson.url_path: lesson.url_path for lesson in available_lessons()}}


def guard_external_requests(context, app_url: str) -> list[str]:
    """Record every request that leaves the app's server (axe-core must run from the copy bundled in
    axe-playwright-python, and the app must not need the internet). Returns the live record."""
    outside: list[str] = []

    def record(request) -> None:
        if not request.url.startswith((app_url, "data:", "blob:")):
            outside.append(request.url)

    context.on("request", record)
    return outside


def wait_for_charts(page, timeout: float = 60_000, paint_ms: float = 300) -> None:
    """Every visible chart drawn, then ``paint_ms`` for WebGL to paint (0 when the caller waits for a still page
    anyway, as test_lesson's settle does)."""
    page.wait_for_function(CHARTS_DRAWN_JS, timeout=timeout)
    if paint_ms:
        page.wait_for_timeout(paint_ms)  # one more animation frame or two for WebGL to paint


def wait_for_app_run(page, timeout: float = 60_000) -> None:
    """Wait until the app is connected, its script has finished, and no skeleton is left."""
    page.locator("[data-testid='stApp'][data-test-connection-state='CONNECTED']").wait_for(
        state="attached", timeout=timeout)
    page.locator("[data-testid='stApp'][data-test-script-state='notRunning']").wait_for(
        state="attached", timeout=timeout)
    page.wait_for_timeout(300)  # widgets debounce; let the last rerun settle
    page.locator("[data-testid='stApp'][data-test-script-state='notRunning']").wait_for(
        state="attached", timeout=timeout)


# A rerun shows as the script state leaving notRunning ('rerunRequested', then 'running'). A run of ~20 ms can be
# over before React renders either state, and a rerun that draws the same page changes nothing in it, so the sure
# sign is the server answering: WebSocket.send is wrapped so the socket that carries the action's message is found
# then, and any message it receives afterwards counts (the server sends nothing unasked). New content in the main
# column counts too.
WATCH_RERUN_JS = """() => {
  const app = document.querySelector('[data-testid="stApp"]');
  const main = document.querySelector('[data-testid="stMain"]') || app;
  window.__reran = false;
  if (!WebSocket.prototype.__sendWrapped) {
    const send = WebSocket.prototype.send;
    WebSocket.prototype.send = function (data) {
      if (!Object.prototype.hasOwnProperty.call(this, '__listened')) {
        this.__listened = true;
        this.addEventListener('message', () => { window.__reran = true; });
      }
      return send.call(this, data);
    };
    WebSocket.prototype.__sendWrapped = true;
  }
  const seen = (observers) => { window.__reran = true; observers.forEach(o => o.disconnect()); };
  const observers = [];
  observers.push(new MutationObserver(() => {
    if (app.getAttribute('data-test-script-state') !== 'notRunning') seen(observers);
  }));
  observers.push(new MutationObserver((changes) => {
    if (changes.some(c => c.type === 'characterData' || c.addedNodes.length || c.removedNodes.length)) seen(observers);
  }));
  observers[0].observe(app, {attributes: true, attributeFilter: ['data-test-script-state']});
  observers[1].observe(main, {subtree: true, childList: true, characterData: true});
}"""


def act_and_wait_for_rerun(page, action, timeout: float = 60_000) -> None:
    """Do ``action()`` (a click, a key press) and wait until the rerun it starts has finished: a rerun that
    is over before a plain wait for 'running' could look is not missed."""
    page.evaluate(WATCH_RERUN_JS)
    action()
    page.wait_for_function("() => window.__reran === true", timeout=timeout)
    wait_for_app_run(page, timeout=timeout)


def assert_no_exception(page) -> None:
    exceptions = page.get_by_test_id("stException")
    assert exceptions.count() == 0, exceptions.first.inner_text()
