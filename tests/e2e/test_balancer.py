"""What leaves the server through the balancer (``deploy/run-local 1 PORT``, HAProxy in front of one replica),
started the way a plain shell does it: PATH=/usr/bin:/bin, run-local run by the Python that has the app.

Security headers on every answer (the pages, static files, the 429 page), a Content-Security-Policy the app's
pages pass in Chromium (nothing blocked: Streamlit's inline script, the in-place Plotly charts that import
Streamlit's own bundle, the v2 components' JavaScript from blob: URLs), /_stcore/metrics kept from the public,
the affinity cookie Secure behind TLS, and a plain 429 when one address opens more websockets than a class does.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import os
import re
import signal
import time
import urllib.error
import urllib.request
from collections.abc import Iterator

import pytest
from playwright.sync_api import Browser
from websockets.asyncio.client import ClientConnection, connect
from websockets.exceptions import InvalidStatus

from bench.servers import free_port
from tests.e2e.conftest import CHARTS_DRAWN_JS, DESKTOP, SCREENSHOT_DIR, start_run_local, wait_for_app_run
from tests.test_deploy import haproxy_limits, haproxy_or_skip

PLAIN_PATH = "/usr/bin:/bin"
WEBSOCKET_LIMIT = "sc2_conn_cur(per_source_websockets)"


@pytest.fixture(scope="module")
def balancer(chromium_path) -> Iterator[str]:
    """run-local with one replica, from an environment with a plain PATH (no venv, no pyenv shims on it)."""
    haproxy_or_skip()
    env = {"PATH": PLAIN_PATH, "HOME": os.environ.get("HOME", "/tmp"), "LANG": "C.UTF-8"}
    process, seen = start_run_local(1, free_port(), env=env)
    try:
        yield seen[-1].split()[1]
    finally:
        process.send_signal(signal.SIGTERM)
        assert process.wait(timeout=30) == 0


def _get(url: str, headers: dict[str, str] | None = None) -> tuple[int, dict[str, str], bytes]:
    request = urllib.request.Request(url, headers=headers or {})
    try:
        with urllib.request.urlopen(request, timeout=30) as answer:
            return answer.status, {k.lower(): v for k, v in answer.headers.items()}, answer.read()
    except urllib.error.HTTPError as error:
        return error.code, {k.lower(): v for k, v in error.headers.items()}, error.read()


def _assert_security_headers(headers: dict[str, str], what: str) -> None:
    assert headers.get("x-content-type-options") == "nosniff", what
    assert headers.get("x-frame-options") == "SAMEORIGIN", what
    assert "frame-ancestors 'self'" in headers.get("content-security-policy", ""), what


@pytest.mark.e2e
def test_headers_metrics_and_a_secure_cookie_through_the_balancer(balancer):
    status, headers, body = _get(balancer + "/")
    assert status == 200
    _assert_security_headers(headers, "the page")
    assert "Secure" not in headers["set-cookie"] and "strict-transport-security" not in headers  # plain HTTP here
    script = re.search(rb'src="\./(static/js/index\.[\w-]+\.js)"', body).group(1).decode()
    status, headers, _ = _get(f"{balancer}/{script}")
    assert status == 200 and "javascript" in headers["content-type"]  # nosniff needs the right type
    _assert_security_headers(headers, "a static file")
    status, headers, body = _get(balancer + "/_stcore/metrics")
    assert status == 404 and b"cache_memory_bytes" not in body and b"# TYPE" not in body
    _, headers, _ = _get(balancer + "/", {"X-Forwarded-Proto": "https"})  # TLS ended in front of the balancer
    assert re.fullmatch(r"SERVERID=r1; .*HttpOnly.*; Secure", headers["set-cookie"]), headers["set-cookie"]
    assert headers["strict-transport-security"].startswith("max-age=")


async def _open_websockets(url: str, count: int, source: str) -> list[ClientConnection | InvalidStatus]:
    """``count`` websockets to the app from ``source`` (an address of the loopback range), opened at once."""
    async def one() -> ClientConnection | InvalidStatus:
        try:
            return await connect(url, subprotocols=["streamlit"], origin=url.replace("ws", "http", 1).split("/_")[0],
                                 open_timeout=60, ping_interval=None, local_addr=(source, 0))
        except InvalidStatus as refused:
            return refused
    return await asyncio.gather(*(one() for _ in range(count)))


@pytest.mark.e2e
def test_one_address_opening_more_websockets_than_a_class_gets_a_plain_429_and_others_still_get_in(balancer):
    limits = haproxy_limits()  # open at once: as many as the concurrent and the per-10-s limits both allow
    limit = min(limits[WEBSOCKET_LIMIT], limits["sc2_gpc0_rate(per_source_websockets)"])
    stream = balancer.replace("http", "ws", 1) + "/_stcore/stream"

    async def flood() -> tuple[list, list]:
        opened = await _open_websockets(stream, limit + 5, "127.0.0.5")  # not the browser tests' address
        other = await _open_websockets(stream, 1, "127.0.0.6")  # another school, at the same moment
        for connection in [*opened, *other]:
            if isinstance(connection, ClientConnection):
                await connection.close()
        return opened, other

    with concurrent.futures.ThreadPoolExecutor(1) as pool:  # Playwright's sync API keeps a loop in this thread
        opened, other = pool.submit(asyncio.run, flood()).result()
    refused = [item for item in opened if isinstance(item, InvalidStatus)]
    assert len(opened) - len(refused) == limit, "a class's worth of tabs from one address must get in"
    assert len(refused) == 5
    answer = refused[0].response
    assert answer.status_code == 429 and answer.headers["Retry-After"] == "60"
    assert b"Too many requests from your network" in answer.body and b"Wait a minute" in answer.body
    _assert_security_headers({k.lower(): v for k, v in answer.headers.raw_items()}, "the 429 page")
    assert isinstance(other[0], ClientConnection), "another address must not pay for the flood"


CSP_WATCH = """window.__blocked = [];
document.addEventListener('securitypolicyviolation',
  e => window.__blocked.push(`${e.violatedDirective} ${e.blockedURI} ${e.sourceFile}:${e.lineNumber}`));"""


@pytest.mark.e2e
@pytest.mark.parametrize(("path", "charts"), [("train_cancer?train_replay_on=true", 5), ("landscape", 3)])
def test_pages_pass_the_content_security_policy_in_chromium(balancer, browser: Browser, path, charts):
    """Nothing blocked: the training page draws its in-place charts and the replay (Streamlit's Plotly bundle,
    imported by a v2 component's blob: script); the landscape page loads that bundle itself."""
    context = browser.new_context(viewport=DESKTOP)
    page = context.new_page()
    page.add_init_script(CSP_WATCH)
    page.goto(f"{balancer}/{path}")
    wait_for_app_run(page)
    # page.wait_for_function evaluates its predicate with eval(), which this very CSP forbids: poll from outside
    deadline = time.monotonic() + 60
    drawn = f"() => document.querySelectorAll('.js-plotly-plot').length >= {charts} && ({CHARTS_DRAWN_JS})()"
    while not page.evaluate(drawn):
        assert time.monotonic() < deadline, f"fewer than {charts} charts drawn in 60 s"
        page.wait_for_timeout(250)
    blocked = page.evaluate("window.__blocked")
    SCREENSHOT_DIR.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOT_DIR / f"balancer-csp-{path.split('?')[0]}.png"))
    context.close()
    assert blocked == [], blocked
