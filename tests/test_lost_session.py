"""The notice for a page that came back on a server without its session (streamlit_glue/lost_session.py).

The browser side (a replica killed, the page rerun on the other, the notice on screen) is
tests/e2e/test_failover.py; how the header is read, tests/test_streamlit_internals.py; here: the decision read
from the websocket handshake, and the notice in the app.
"""

from __future__ import annotations

from streamlit_glue import lost_session
from streamlit_glue.lost_session import NOTICE, session_was_lost

XSRF = "2|9322cdb8|90119a0319aa2c11172abee8f1410e2b|1796406420"


def test_a_session_is_lost_only_when_the_server_gave_another_one():
    assert session_was_lost(f"streamlit, {XSRF}, old-session", "new-session")
    assert not session_was_lost(f"streamlit, {XSRF}, same-session", "same-session")  # resumed: nothing lost
    assert not session_was_lost(f"streamlit, {XSRF}", "new-session")  # a first visit or a reload
    assert not session_was_lost(None, "new-session")


def _notices(at) -> list[str]:
    return [element.value for element in at.info if element.value == NOTICE]


def test_a_fresh_visit_shows_no_notice(app_test):
    at = app_test()
    assert not at.exception
    assert not _notices(at)
    assert not [button for button in at.button if button.key == "lost_session_dismiss"]


def test_a_replaced_session_sees_the_notice_on_every_page_until_dismissed(app_test, monkeypatch):
    monkeypatch.setattr(lost_session, "session_was_lost", lambda header, session_id: True)
    at = app_test("app_pages/train_cancer.py")
    assert not at.exception
    assert len(_notices(at)) == 1
    at.switch_page("app_pages/landscape.py").run()
    assert len(_notices(at)) == 1
    at.button(key="lost_session_dismiss").click().run()
    assert not _notices(at)
    at.run()
    assert not _notices(at), "a dismissed notice came back"


def test_the_decision_is_taken_once_per_session(app_test, monkeypatch):
    at = app_test()
    monkeypatch.setattr(lost_session, "session_was_lost", lambda header, session_id: True)
    at.run()
    assert not _notices(at), "a session that started fresh was later called lost"
