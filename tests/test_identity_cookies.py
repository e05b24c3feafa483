"""The identity cookies (streamlit_glue/identity_cookies.py): only a code's, secret's or token's alphabet is ever
written, for the app's base path and a class's lifetime; a cookie read back is checked the same way."""

from __future__ import annotations

import json

from streamlit.testing.v1 import AppTest

from tests.conftest import APPTEST_TIMEOUT


def _script():
    import streamlit as st

    from streamlit_glue.identity_cookies import browser_cookie, remember_in_browser

    value = st.session_state.get("value", "Gn8Mzb7He-43PQvxzOte9w")
    try:
        remember_in_browser({"bpl_student_ABCDEFG": value}, key="identity")
        st.text("written")
    except ValueError as error:
        st.text(f"refused: {error}")
    st.text(f"read back: {browser_cookie('bpl_student_ABCDEFG')}")


def _run(value: str | None = None) -> AppTest:
    at = AppTest.from_function(_script, default_timeout=APPTEST_TIMEOUT)
    if value is not None:
        at.session_state["value"] = value
    return at.run()


def test_a_token_is_written_for_the_whole_app_for_twelve_hours():
    at = _run()
    assert at.text[0].value == "written"
    data = json.loads(at.get("bidi_component")[0].proto.json)
    assert data == {"cookies": [["bpl_student_ABCDEFG", "Gn8Mzb7He-43PQvxzOte9w"]], "path": "/", "max_age": 43200}
    assert at.text[1].value == "read back: None"  # AppTest has no browser, so no cookie


def test_anything_outside_the_alphabet_is_never_written():
    for value in ("a; path=/evil", "<b>", "x" * 300, "", "é"):
        at = _run(value)
        assert at.text[0].value.startswith("refused"), value
        assert not at.get("bidi_component")
