"""End-to-end fixtures: a real ``streamlit run app.py`` on a free port and Debian's headless Chromium.

Outside CI a missing /usr/bin/chromium skips these tests with the reason; with CI=true it fails.
Screenshots go to $E2E_SCREENSHOT_DIR (default .artifacts/screenshots) so a person can look at them.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.conftest import IN_CI, ROOT

CHROMIUM_CANDIDATES = ("/usr/bin/chromium", "/usr/bin/chromium-browser")
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


def _free_port() -> int:
    """A free port; on a shared machine E2E_PORT_RANGE=8610-8619 keeps the servers inside an agreed range."""
    if os.environ.get("E2E_PORT_RANGE"):
        low, high = (int(part) for part in os.environ["E2E_PORT_RANGE"].split("-"))
        for port in range(low, high + 1):
            with socket.socket() as sock:
                try:
                    sock.bind(("127.0.0.1", port))
                except OSError:
                    continue
                return port
        pytest.fail(f"no free port in E2E_PORT_RANGE={os.environ['E2E_PORT_RANGE']}")
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@contextlib.contextmanager
def running_app(script: str = "app.py") -> Iterator[str]:
    """Start the app the way a user does (``streamlit run app.py``) and wait for /_stcore/health.

    ``script`` (relative to the project root) runs a small test app instead, e.g. tests/e2e/literal_text_app.py.
    """
    port = _free_port()
    log_path = SCREENSHOT_DIR.parent / f"streamlit-{port}.log"
    log_path.parent.mkdir(parents=True, exist_ok=True)
    with open(log_path, "wb") as log:
        process = subprocess.Popen(
            [sys.executable, "-m", "streamlit", "run", script, "--server.headless", "true",
             "--server.port", str(port), "--server.address", "127.0.0.1",
             "--browser.gatherUsageStats", "false", "--server.fileWatcherType", "none"],
            cwd=ROOT, stdout=log, stderr=subprocess.STDOUT)
        url = f"http://127.0.0.1:{port}"
        try:
            deadline = time.time() + 90
            while True:
                try:
                    if urllib.request.urlopen(f"{url}/_stcore/health", timeout=2).read() == b"ok":
                        break
                except OSError:
                    pass
                if process.poll() is not None or time.time() > deadline:
                    pytest.fail(f"streamlit did not become healthy; log:\n{log_path.read_text(errors='replace')}")
                time.sleep(0.3)
            yield url
        finally:
            process.terminate()
            try:
                process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                process.kill()


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
    """screenshot("name") saves a full-page PNG and returns its path."""
    SCREENSHOT_DIR.mkdir(parents=True, exist_ok=True)

    def take(name: str) -> Path:
        path = SCREENSHOT_DIR / f"{name}.png"
        page.screenshot(path=str(path), full_page=True)
        return path

    return take


def wait_for_app_run(page, timeout: float = 60_000) -> None:
    """Wait until the app is connected, its script has finished, and no skeleton is left."""
    page.locator("[data-testid='stApp'][data-test-connection-state='CONNECTED']").wait_for(
        state="attached", timeout=timeout)
    page.locator("[data-testid='stApp'][data-test-script-state='notRunning']").wait_for(
        state="attached", timeout=timeout)
    page.wait_for_timeout(300)  # widgets debounce; let the last rerun settle
    page.locator("[data-testid='stApp'][data-test-script-state='notRunning']").wait_for(
        state="attached", timeout=timeout)


def assert_no_exception(page) -> None:
    exceptions = page.get_by_test_id("stException")
    assert exceptions.count() == 0, exceptions.first.inner_text()
