"""Debian's ``redis-server`` for tests: started on a free port of 127.0.0.1 (E2E_PORT_RANGE is respected) with its
own folder, stopped (or killed, to test a crash) by the test. Without redis-server a test is skipped with the
reason — or fails with CI=true (.ci/run installs it with apt-get)."""

from __future__ import annotations

import contextlib
import ctypes
import shutil
import signal
import subprocess
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from bench.servers import free_port
from tests.conftest import IN_CI

READY_SECONDS = 20
PR_SET_PDEATHSIG = 1
# No persistence: what the contract suite needs (one server per test session, emptied between tests).
EPHEMERAL = ("--save", "", "--appendonly", "no")
# What deploy/run-local runs: the append-only file, written to disk every second.
DURABLE = ("--save", "", "--appendonly", "yes", "--appendfsync", "everysec")


def redis_server_path() -> str | None:
    return shutil.which("redis-server") or shutil.which("redis-server", path="/usr/sbin:/usr/local/sbin:/sbin")


def redis_server_or_skip() -> str:
    path = redis_server_path()
    if path is None:
        if IN_CI:
            pytest.fail("CI=true: redis-server is not installed (.ci/run installs it with apt-get)")
        pytest.skip("Debian's redis-server is not installed (apt-get install redis-server)")
    return path


def _die_with_parent() -> None:
    """In the child before exec: SIGTERM it when the test process dies, even by SIGKILL."""
    with contextlib.suppress(OSError):
        ctypes.CDLL("libc.so.6", use_errno=True).prctl(PR_SET_PDEATHSIG, signal.SIGTERM)


@dataclass
class RedisServer:
    """One redis-server process; ``start`` again after ``kill`` or ``stop`` reuses its port and folder (a restart)."""

    folder: Path
    options: Sequence[str] = EPHEMERAL
    port: int = 0
    process: subprocess.Popen | None = field(default=None, repr=False)

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> RedisServer:
        binary = redis_server_or_skip()
        self.folder.mkdir(parents=True, exist_ok=True)
        tried: list[int] = []
        for _ in range(5):  # a port taken between the check and the bind (xdist workers): the next one
            port = self.port or free_port(skip=tried)
            command = [binary, "--port", str(port), "--bind", "127.0.0.1", "--dir", str(self.folder),
                       "--daemonize", "no", "--enable-debug-command", "local", *self.options]
            log = self.folder / "redis.log"
            with open(log, "ab") as output:
                self.process = subprocess.Popen(command, stdout=output, stderr=subprocess.STDOUT,
                                                stdin=subprocess.DEVNULL, preexec_fn=_die_with_parent)
            if self._wait_ready(port):
                self.port = port
                return self
            self._end(signal.SIGKILL)
            if self.port:
                break
            tried.append(port)
        raise RuntimeError(f"redis-server did not start; log:\n{log.read_text(errors='replace')[-2000:]}")

    def _wait_ready(self, port: int) -> bool:
        import redis

        client = redis.Redis(host="127.0.0.1", port=port, socket_connect_timeout=0.5, socket_timeout=1)
        deadline = time.monotonic() + READY_SECONDS
        try:
            while time.monotonic() < deadline and self.process.poll() is None:
                with contextlib.suppress(redis.ConnectionError, redis.TimeoutError):
                    if client.ping():
                        return True
                time.sleep(0.05)
            return False
        finally:
            client.close()

    def _end(self, signum: int) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.send_signal(signum)
            self.process.wait(timeout=15)
        self.process = None

    def stop(self) -> None:
        """SIGTERM: Redis writes what it has (the AOF is flushed) and exits."""
        self._end(signal.SIGTERM)

    def kill(self) -> None:
        """SIGKILL: a crash; the AOF holds what was written to disk up to the last second."""
        self._end(signal.SIGKILL)
