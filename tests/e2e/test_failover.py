"""Two replicas behind HAProxy (``deploy/run-local 2 PORT``), six students, one replica killed.

Every student's page must come back through the surviving replica with its own setting from its address and
no exception; the moved ones say what did not come along (streamlit_glue/lost_session.py), the others do not;
an upload through a moved browser works on the new replica; and run-local stops everything on SIGTERM.
"""

from __future__ import annotations

import os
import re
import signal
import subprocess
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pytest
from playwright.sync_api import expect

from bench.servers import free_port
from streamlit_glue.lost_session import NOTICE
from tests.e2e.conftest import DESKTOP, assert_no_exception, start_run_local, wait_for_app_run
from tests.test_deploy import haproxy_or_skip

HIDDEN_UNITS = (5, 6, 7, 8, 9, 10)  # one link per student: ?train_hidden=H
NOTICE_START = NOTICE.split("**")[1]  # "This page lost its server and came back on another one"
CAPTION = re.compile(r"(\d+) training rows × (\d+) features → (\d+) ReLU units")


@dataclass
class Cluster:
    url: str
    process: subprocess.Popen
    replica_pids: dict[str, int]  # HAProxy cookie value (server name) → pid
    lines: list[str]


@pytest.fixture(scope="module")
def cluster(chromium_path) -> Iterator[Cluster]:
    """run-local with two replicas; on teardown SIGTERM must end it with 0 and leave no replica running."""
    haproxy_or_skip()
    process, seen = start_run_local(2, free_port())  # bench/servers.py: inside E2E_PORT_RANGE when it is set
    replica_pids = {name: int(pid) for name, pid in
                    (re.fullmatch(r"replica (r\d+) port \d+ pid (\d+)", line).groups()
                     for line in seen if line.startswith("replica "))}
    assert sorted(replica_pids) == ["r1", "r2"], seen
    try:
        yield Cluster(seen[-1].split()[1], process, replica_pids, seen)
    finally:
        process.send_signal(signal.SIGTERM)
        code = process.wait(timeout=30)
        still_running = [pid for pid in replica_pids.values() if Path(f"/proc/{pid}").exists()
                         and "zombie" not in Path(f"/proc/{pid}/status").read_text().lower()]
        assert code == 0, f"run-local exited with {code}"
        assert not still_running, f"replicas left running after SIGTERM: {still_running}"


def _small_csv(path: Path) -> Path:
    """200 rows of the Wisconsin diagnostic data, 5 features and a label, with a header row."""
    from sklearn.datasets import load_breast_cancer

    data = load_breast_cancer()
    rows = np.column_stack([data.data[:200, :5], data.target[:200]])
    header = ",".join([name.replace(" ", "_") for name in data.feature_names[:5]] + ["diagnosis"])
    np.savetxt(path, rows, delimiter=",", header=header, comments="", fmt="%.6g")
    return path


def _server_of(context) -> str:
    return next(cookie["value"] for cookie in context.cookies() if cookie["name"] == "SERVERID")


def _caption_hidden(page) -> int:
    caption = page.get_by_text(CAPTION)
    expect(caption).to_be_visible(timeout=60_000)
    return int(CAPTION.search(caption.inner_text()).group(3))


def test_every_page_comes_back_through_the_surviving_replica(cluster, browser, screenshot_dir, tmp_path):
    contexts = [browser.new_context(viewport=DESKTOP) for _ in HIDDEN_UNITS]
    pages = [context.new_page() for context in contexts]
    for hidden, page in zip(HIDDEN_UNITS, pages, strict=True):  # the six load at once, as in a class
        page.goto(f"{cluster.url}/train_cancer?train_hidden={hidden}", wait_until="commit")
    for hidden, page in zip(HIDDEN_UNITS, pages, strict=True):
        wait_for_app_run(page, timeout=120_000)
        assert _caption_hidden(page) == hidden
    servers = [_server_of(context) for context in contexts]
    load = Counter(servers)
    print(f"sessions per replica: {dict(load)}")
    assert set(load) == {"r1", "r2"}, f"one replica served every student: {servers}"

    killed = max(sorted(load), key=load.__getitem__)
    survivor = ({"r1", "r2"} - {killed}).pop()
    os.kill(cluster.replica_pids[killed], signal.SIGKILL)

    for hidden, page, server in zip(HIDDEN_UNITS, pages, servers, strict=True):
        if server == killed:
            expect(page.get_by_text(NOTICE_START)).to_be_visible(timeout=90_000)
        wait_for_app_run(page)
        assert _caption_hidden(page) == hidden, f"train_hidden={hidden} came back as another value"
        assert_no_exception(page)
        if server != killed:
            assert page.get_by_text(NOTICE_START).count() == 0, "a page that did not move says it did"
    assert [_server_of(context) for context in contexts] == [survivor] * len(contexts)

    moved = pages[servers.index(killed)]
    moved.screenshot(path=str(screenshot_dir / "failover-moved-page.png"))

    # An upload through a moved browser reaches its new session on the surviving replica.
    moved.get_by_test_id("stRadio").filter(has_text="Data set").get_by_text("Upload a CSV", exact=True).click()
    moved.get_by_test_id("stFileUploaderDropzoneInput").set_input_files(str(_small_csv(tmp_path / "small.csv")))
    expect(moved.get_by_text(re.compile(r"160 training rows × 5 features"))).to_be_visible(timeout=60_000)
    wait_for_app_run(moved)
    assert_no_exception(moved)
    moved.screenshot(path=str(screenshot_dir / "failover-moved-upload.png"))
    for context in contexts:
        context.close()


@pytest.fixture
def screenshot_dir() -> Path:
    from tests.e2e.conftest import SCREENSHOT_DIR

    SCREENSHOT_DIR.mkdir(parents=True, exist_ok=True)
    return SCREENSHOT_DIR
