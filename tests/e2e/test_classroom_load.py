"""A class at once on one link, spoken at the protocol level (bench/classroom.py's students, no browser): twenty
students open the training page from the same link at the same instant on a server nobody has visited yet, each
moves "Hidden units" and presses Train. Every one of them must get every answer, with no error on the page and no
dropped connection, and the server must stay within a stated memory bound. Not timed: the bench measures time."""

from __future__ import annotations

import asyncio
from concurrent.futures import ThreadPoolExecutor

import pytest

from bench import proc_watch
from bench.classroom import LESSONS, Scenario, Target, run_class
from bench.servers import streamlit_server
from tests.conftest import ROOT
from tests.e2e.conftest import SCREENSHOT_DIR

pytestmark = pytest.mark.e2e

STUDENTS = 20
# Generous on purpose: one server held ~0.3 GB with this class in December 2026; 1 GiB is the ceiling for a
# whole server, so a leak per session (or a copy of the data set per student) shows up long before a crash would.
RSS_BOUND = 2**30
SECONDS_PER_ACTION = 100  # a bound on waiting, not a measurement: a hung run fails instead of hanging the suite


def test_twenty_students_at_once_on_the_training_link_all_get_every_answer():
    lesson = LESSONS["train_cancer"]
    with streamlit_server(ROOT / "app.py", cwd=ROOT, log_dir=SCREENSHOT_DIR.parent) as server:
        target = Target("train_cancer", server.url, lesson, proc_watch.ProcessTree(server.pid))
        # in a thread of its own: pytest-playwright's sync API leaves an event loop running in this thread
        with ThreadPoolExecutor(max_workers=1) as pool:
            result = pool.submit(asyncio.run, run_class(target, Scenario("20 at the same instant", STUDENTS, 0.0),
                                                        seed=1, think=(0.2, 0.6),
                                                        timeout=SECONDS_PER_ACTION)).result()

    assert result.errors == []
    assert [sorted(log.seconds) for log in result.logs] == [["move", "open", "press"]] * STUDENTS
    assert 0 < result.peak_rss < RSS_BOUND, f"server peak RSS {result.peak_rss / 2**20:.0f} MB"
