"""Say so when a page came back on a server that did not hold its session (replica died, server restarted).

Behind a load balancer each browser keeps one websocket to one replica, which holds the session: a trained
model, a run in progress, an uploaded CSV, the step-through's updates. When that replica dies, Streamlit's
client reconnects (HAProxy sends it to a live replica) and asks for its old session by id, in the third entry of
the websocket's ``Sec-WebSocket-Protocol`` header ("streamlit, <xsrf token>, <session id>"). A server that does
not know that id starts a new session. That is the signal used here, and it works behind any balancer: HAProxy's
affinity cookie cannot tell, because the client's health ping is redispatched first and the cookie already names
the new replica when the websocket opens.

Streamlit 1.67's client asks for a full rerun after a reconnect only when the page has a fragment with
``run_every`` (otherwise a fresh session stays empty and the old page stays on screen until the next click).
So this module also registers one empty, hourly fragment: after a reconnect the page runs again on the new
server with the settings in its address and the widget values the browser sends, and the notice shows.
(The session id, the header's third entry and the fragment's effect are Streamlit internals:
streamlit_internals.py, each with its test.)
"""

from __future__ import annotations

import streamlit as st

from streamlit_glue.streamlit_internals import requested_session_id, rerun_after_reconnect, session_id

NOTICE_STATE_KEY = "lost_session_notice"
NOTICE = (
    "**This page moved to another server**: the one it was on stopped (or restarted). Your settings came back "
    "from the page's address. What was kept only on the old server did not: a training run in progress or "
    "stopped part-way starts again from the beginning, an uploaded CSV must be uploaded again, and the updates "
    "applied in the forward & backward step-through and the scikit-learn baselines are gone."
)


def session_was_lost(websocket_protocol: str | None, this_session_id: str) -> bool:
    """True when the client reconnected asking for a session this server does not have (it gave a new one)."""
    requested = requested_session_id(websocket_protocol)
    return requested is not None and requested != this_session_id


def page_moved_server() -> bool:
    """Whether this session replaced one that was lost with its server (``lost_session_notice`` decides it on the
    session's first run, before the page draws)."""
    return st.session_state.get(NOTICE_STATE_KEY) in ("shown", "dismissed")


def _dismiss() -> None:
    st.session_state[NOTICE_STATE_KEY] = "dismissed"


def lost_session_notice() -> None:
    """Called once per run from app.py: the notice for a session that replaced a lost one, until dismissed."""
    rerun_after_reconnect()
    if NOTICE_STATE_KEY not in st.session_state:
        this_session = session_id()
        lost = this_session is not None and session_was_lost(st.context.headers.get("Sec-WebSocket-Protocol"),
                                                             this_session)
        st.session_state[NOTICE_STATE_KEY] = "shown" if lost else "none"
    if st.session_state[NOTICE_STATE_KEY] == "shown":
        st.info(NOTICE, icon=":material/sync_problem:")
        st.button("Got it", key="lost_session_dismiss", on_click=_dismiss)
