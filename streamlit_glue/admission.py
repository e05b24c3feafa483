"""At most ``server_capacity.max_sessions()`` open tabs per server; one more is told "the class is full".

Every open tab is a session in this process, and a session holds memory for as long as its tab is open (its state,
its upload, what its page drew): on Community Cloud's smallest box (690 MB) 300 idle tabs on the training page took
806 MB. The cap (default 200: a live class of 100 phones and the teacher, with room for reloads, second tabs and other
students) keeps
the server inside its memory; the next tab gets a plain message and a button to try again, not a crash for everyone.

A place is kept for as long as the tab stays open: a session admitted once stays admitted; a closed tab's place goes
to the next one (the places are counted against the sessions the server has a browser connected to right now).
Not a cache: a ``clear_cache`` from any browser must not empty it (``work_queue.process_wide``).
"""

from __future__ import annotations

import threading
from collections.abc import Set

import streamlit as st

from lessons.server_capacity import max_sessions
from streamlit_glue.streamlit_internals import open_session_ids, session_id
from streamlit_glue.work_queue import process_wide

FULL_MESSAGE = ("**The class is full — try again in a minute.** This server already serves {limit} open pages, as "
                "many as it can hold. When someone closes theirs, press **Try again** (or reload the page).")


class Admission:
    """Which sessions hold one of ``limit`` places."""

    def __init__(self, limit: int) -> None:
        self.limit = limit
        self._lock = threading.Lock()
        self._admitted: set[str] = set()

    def admit(self, session: str, open_sessions: Set[str]) -> bool:
        """True if ``session`` has a place or gets one now; places of sessions no longer open are given back."""
        with self._lock:
            self._admitted &= open_sessions
            if session in self._admitted:
                return True
            if len(self._admitted) < self.limit:
                self._admitted.add(session)
                return True
            return False

    def __len__(self) -> int:
        with self._lock:
            return len(self._admitted)


@process_wide
def server_admission() -> Admission:
    """The server's one admission list (``BACKPROP_LAB_MAX_SESSIONS``, else the default)."""
    return Admission(max_sessions())


def admission_gate() -> None:
    """Stop this page with the "class is full" message if the server has no place for this session."""
    session, open_sessions = session_id(), open_session_ids()
    if session is None or open_sessions is None:  # no server: AppTest, or a plain `python app.py`
        return
    admission = server_admission()
    if admission.admit(session, open_sessions):
        return
    st.warning(FULL_MESSAGE.format(limit=admission.limit), icon=":material/group:")
    st.button("Try again", key="admission_try_again", icon=":material/refresh:")
    st.stop()
