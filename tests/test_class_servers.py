"""What a live class's screens say about the servers they run on (streamlit_glue/class_servers.py): the teacher's
warning when servers serve a class without a shared store, and a moved student's "send it again"."""

from __future__ import annotations

import os

import pytest
from streamlit.testing.v1 import AppTest

from class_store.redis_store import RedisClassStore
from class_store.sqlite_store import SqliteClassStore
from streamlit_glue.class_servers import RESEND, replica_id
from tests.conftest import APPTEST_TIMEOUT
from viz.text import markdown_literal

WARNING_START = "servers are serving this class without a shared class store"


def _teacher_script(path: str, code: str, url: str) -> None:
    from class_store.redis_store import RedisClassStore
    from class_store.sqlite_store import SqliteClassStore
    from streamlit_glue.class_servers import several_servers_warning

    store = RedisClassStore(url) if url else SqliteClassStore(path)
    several_servers_warning(store, code)


def _student_script(answered: bool) -> None:
    from streamlit_glue.class_servers import resend_notice

    resend_notice(answered)


def _warnings(at) -> list[str]:
    return [warning.value for warning in at.warning]


def _teacher_page(path: str, code: str, url: str = "") -> AppTest:
    return AppTest.from_function(_teacher_script, args=(path, code, url), default_timeout=APPTEST_TIMEOUT).run()


def test_a_server_id_names_the_machine_and_process():
    assert replica_id().endswith(f":{os.getpid()}")
    assert 0 < len(replica_id()) <= 64


def test_one_server_without_a_shared_store_says_nothing(tmp_path):
    path = tmp_path / "c.sqlite3"
    code = SqliteClassStore(path).create_class(15).code
    at = _teacher_page(str(path), code)
    assert not at.exception
    assert not _warnings(at)


def test_a_second_server_on_a_store_that_is_not_shared_is_said_plainly(tmp_path):
    path = tmp_path / "c.sqlite3"
    store = SqliteClassStore(path)
    code = store.create_class(15).code
    store.note_replica(code, "another-machine:4242")  # a student's screen on another replica
    at = _teacher_page(str(path), code)
    assert not at.exception
    (warning,) = _warnings(at)
    assert f"2 {WARNING_START}" in warning and "REDIS_URL" in warning


def test_several_servers_on_redis_are_one_class_and_say_nothing():
    from tests.class_store_backends import shared_redis_server

    url = shared_redis_server().url
    store = RedisClassStore(url)
    code = store.create_class(15).code
    store.note_replica(code, "another-machine:4242")
    at = _teacher_page("", code, url)
    assert not at.exception
    assert not _warnings(at)
    assert len(store.note_replica(code, "x:1")) == 3  # the teacher's server was noted too


@pytest.mark.parametrize(("moved", "answered", "shown"), [(True, False, True), (True, True, False),
                                                          (False, False, False)])
def test_a_moved_student_without_their_answer_is_asked_to_send_it_again(moved, answered, shown):
    at = AppTest.from_function(_student_script, args=(answered,), default_timeout=APPTEST_TIMEOUT)
    if moved:
        at.session_state["lost_session_notice"] = "shown"
    at.run()
    assert not at.exception
    assert (markdown_literal(RESEND) in _warnings(at)) == shown
