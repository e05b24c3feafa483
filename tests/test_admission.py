"""The session cap: a server keeps a place for each open tab up to its limit; one more is told the class is full,
in plain words, and gets in once a tab closes. A clear_cache from any browser does not reset it."""

from __future__ import annotations

import streamlit as st

from lessons.server_capacity import max_sessions
from streamlit_glue import admission
from streamlit_glue.admission import FULL_MESSAGE, Admission, server_admission


def test_places_up_to_the_limit_then_the_class_is_full_until_a_tab_closes():
    places = Admission(2)
    assert places.admit("a", {"a"}) and places.admit("b", {"a", "b"})
    assert not places.admit("c", {"a", "b", "c"}), "a third tab on a server of two places"
    assert places.admit("a", {"a", "b", "c"}), "an admitted tab keeps its place on every rerun"
    assert not places.admit("c", {"a", "b", "c"})
    assert places.admit("c", {"a", "c"}), "b's tab closed: its place goes to the next one"
    assert len(places) == 2
    assert not places.admit("b", {"a", "b", "c"}), "b came back after its place was taken: the class is full"


def test_the_limit_is_the_servers_setting_and_a_clear_cache_keeps_the_places():
    places = server_admission()
    assert places.limit == max_sessions()
    places.admit("kept-tab", {"kept-tab"})
    st.cache_data.clear()
    st.cache_resource.clear()
    assert server_admission() is places and "kept-tab" in places._admitted


def test_a_tab_over_the_limit_sees_the_plain_message_and_nothing_else(app_test, monkeypatch):
    full = Admission(1)
    full.admit("someone else", {"someone else"})
    monkeypatch.setattr(admission, "server_admission", lambda: full)
    monkeypatch.setattr(admission, "session_id", lambda: "this tab")
    monkeypatch.setattr(admission, "open_session_ids", lambda: {"someone else", "this tab"})
    at = app_test()
    assert not at.exception
    (warning,) = at.warning
    assert warning.value == FULL_MESSAGE.format(limit=1)
    assert "the class is full — try again in a minute" in warning.value.lower()
    assert [button.label for button in at.button] == ["Try again"]
    assert not at.title and not at.slider, "the page itself must not run for a tab without a place"

    monkeypatch.setattr(admission, "open_session_ids", lambda: {"this tab"})  # the other tab closed
    at.button[0].click().run()
    assert not at.warning and at.title, "with a place free, Try again opens the page"


def test_without_a_server_every_run_is_admitted(app_test):
    """AppTest (and a plain `python app.py`) has no runtime: no cap applies."""
    at = app_test()
    assert not at.exception and not [w for w in at.warning if "class is full" in w.value]
