"""The one way tests and benchmarks start a server: ``streamlit run <script>`` (or any command that serves HTTP,
such as deploy/run-local) on a free port of 127.0.0.1, wait for ``/_stcore/health``, stop its process group.

Used by tests/e2e/conftest.py, bench/browser_latency.py and bench/classroom.py. On a shared machine set
``E2E_PORT_RANGE=8720-8739`` (low-high, inclusive): every server then takes its port from that range.
"""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PORT_RANGE_VARIABLE = "E2E_PORT_RANGE"
HEALTH_PATH = "/_stcore/health"
STARTUP_SECONDS = 90  # importing sklearn and plotly on a busy 2-core machine can take a while
STOP_SECONDS = 15
STREAMLIT_FLAGS = ("--server.headless", "true", "--server.address", "127.0.0.1",
                   "--browser.gatherUsageStats", "false", "--server.fileWatcherType", "none")


# The floor every benchmark compares with: a bare Streamlit page, one slider and one small Plotly line.
BARE_PAGE = """
import numpy as np
import plotly.graph_objects as go
import streamlit as st

st.title("Bare page")
n = st.slider("Points", 10, 200, 50, key="bare_points")
x = np.linspace(0, 6, n)
st.plotly_chart(go.Figure(go.Scatter(x=x, y=np.sin(x), mode="lines")))
"""


class ServerStartError(RuntimeError):
    """The server exited or did not answer its health check in time; the message carries its log."""


@dataclass(frozen=True)
class Server:
    url: str  # http://127.0.0.1:<port>, no trailing slash
    port: int
    pid: int  # the started process, leader of its own process group
    log_path: Path | None


def port_range(value: str | None = None) -> range | None:
    """The ports of ``E2E_PORT_RANGE`` ("8720-8739", both ends included), or None when it is not set."""
    value = os.environ.get(PORT_RANGE_VARIABLE, "") if value is None else value
    if not value.strip():
        return None
    try:
        low, high = (int(part) for part in value.split("-"))
    except ValueError:
        raise ValueError(f"{PORT_RANGE_VARIABLE}={value!r}: expected two port numbers, low-high") from None
    if not 0 < low <= high < 65536:
        raise ValueError(f"{PORT_RANGE_VARIABLE}={value!r}: expected 0 < low <= high < 65536")
    return range(low, high + 1)


def free_port(ports: range | None = None, skip: Sequence[int] = ()) -> int:
    """A port nothing listens on: the first free one of ``ports`` (default: E2E_PORT_RANGE), else any."""
    ports = port_range() if ports is None else ports
    if ports is None:
        with socket.socket() as sock:
            sock.bind(("127.0.0.1", 0))
            return sock.getsockname()[1]
    for port in ports:
        if port in skip:
            continue
        with socket.socket() as sock:
            try:
                sock.bind(("127.0.0.1", port))
            except OSError:
                continue
            return port
    raise ServerStartError(f"no free port in {PORT_RANGE_VARIABLE}={ports.start}-{ports.stop - 1}")


def streamlit_command(script: str | Path, port: int, extra_args: Sequence[str] = ()) -> list[str]:
    return [sys.executable, "-m", "streamlit", "run", str(script), "--server.port", str(port),
            *STREAMLIT_FLAGS, *extra_args]


def stop_process_group(process: subprocess.Popen) -> None:
    """SIGTERM to the whole group (the server and anything it started), SIGKILL after STOP_SECONDS."""
    if process.poll() is not None:
        return
    with contextlib.suppress(ProcessLookupError):
        os.killpg(process.pid, signal.SIGTERM)
    try:
        process.wait(timeout=STOP_SECONDS)
    except subprocess.TimeoutExpired:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGKILL)
        process.wait(timeout=STOP_SECONDS)


def wait_healthy(url: str, process: subprocess.Popen, timeout: float = STARTUP_SECONDS) -> bool:
    """True once ``url``/_stcore/health answers "ok"; False if the process exits or time runs out."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline and process.poll() is None:
        with contextlib.suppress(OSError):
            if urllib.request.urlopen(f"{url}{HEALTH_PATH}", timeout=2).read() == b"ok":
                return True
        time.sleep(0.3)
    return False


def start(command: Sequence[str], port: int, *, cwd: Path = ROOT, log_path: Path | None = None,
          env: dict[str, str] | None = None, timeout: float = STARTUP_SECONDS) -> tuple[subprocess.Popen, Server]:
    """Start ``command`` (which must serve on ``port``) in its own process group and wait until it is healthy.
    Raises ServerStartError (with the end of its log) and leaves nothing running if it does not get there."""
    keep_log = log_path is not None
    if log_path is None:
        descriptor, name = tempfile.mkstemp(prefix=f"server-{port}-", suffix=".log")
        os.close(descriptor)
        log_path = Path(name)
    log_path.parent.mkdir(parents=True, exist_ok=True)
    with open(log_path, "wb") as log:
        process = subprocess.Popen(list(command), cwd=cwd, stdout=log, stderr=subprocess.STDOUT, env=env,
                                   start_new_session=True)
    url = f"http://127.0.0.1:{port}"
    healthy = wait_healthy(url, process, timeout)
    if not healthy:
        stop_process_group(process)
    text = log_path.read_text(errors="replace")
    if not keep_log:
        log_path.unlink(missing_ok=True)
    if not healthy:
        state = f"exited with code {process.returncode}" if process.returncode is not None else "no answer"
        raise ServerStartError(f"{' '.join(map(str, command))}: not healthy within {timeout:.0f} s ({state}); "
                               f"log:\n{text[-4000:]}")
    return process, Server(url, port, process.pid, log_path if keep_log else None)


@contextlib.contextmanager
def serving(command: Sequence[str], port: int, **options) -> Iterator[Server]:
    """Run ``command`` until the block ends (see ``start`` for the options), then stop its process group."""
    process, server = start(command, port, **options)
    try:
        yield server
    finally:
        stop_process_group(process)


@contextlib.contextmanager
def streamlit_server(script: str | Path = "app.py", *, cwd: Path = ROOT, log_dir: Path | None = None,
                     extra_args: Sequence[str] = (), env: dict[str, str] | None = None) -> Iterator[Server]:
    """``streamlit run script`` as a user starts it (from ``cwd``, so its .streamlit/config.toml applies) on a free
    port; yields the Server once healthy. A port taken between the check and the start is tried once more."""
    skip: list[int] = []
    while True:
        port = free_port(skip=skip)
        log_path = None if log_dir is None else log_dir / f"streamlit-{port}.log"
        try:
            process, server = start(streamlit_command(script, port, extra_args), port, cwd=cwd, log_path=log_path,
                                    env=env)
            break
        except ServerStartError as error:
            if skip or f"Port {port} is not available" not in str(error):
                raise
            skip.append(port)
    try:
        yield server
    finally:
        stop_process_group(process)


@contextlib.contextmanager
def bare_page_server() -> Iterator[Server]:
    """BARE_PAGE served by ``streamlit run`` from a temporary folder (so no project config applies)."""
    with tempfile.TemporaryDirectory() as folder:
        script = Path(folder) / "bare_page.py"
        script.write_text(BARE_PAGE)
        with streamlit_server(script, cwd=Path(folder)) as server:
            yield server
