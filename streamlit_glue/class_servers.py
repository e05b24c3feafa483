"""A live class across several servers (replicas behind a balancer): what a screen says about the servers it runs on.

- The teacher is told plainly when more than one server has served the class and the class store is not shared
  (no ``REDIS_URL``): servers share a class then only through one SQLite file on one machine, and one on another
  machine would split the class. Detected from the store's own record of the servers that served the class
  (``ClassStore.note_replica``): every screen of the class notes its server — a student's once per session (a
  session lives on one server), the teacher's on every run (it reads the record too).
- A student whose page came back on another server (its server died: streamlit_glue/lost_session.py) and whose
  answer to the current question is not in the store is told to send it again: an answer sent while the server
  was going down may not have arrived (Streamlit's client does not send a button press again after it
  reconnects), and it must never be lost without a word.
"""

from __future__ import annotations

import os
import socket

import streamlit as st

from class_store import ClassStore, StoreUnavailable
from class_store.records import REPLICA_ID_CHARS
from streamlit_glue.lost_session import page_moved_server
from viz.text import markdown_literal

NOTED_KEY = "live_server_noted"  # session_state: the classes this session has noted its server for
RESEND = "If you sent an answer just before this page moved to another server, it did not arrive: send it again."


def replica_id() -> str:
    """This server process: its machine and process id (two replicas on one machine differ by pid)."""
    pid = str(os.getpid())
    return f"{socket.gethostname()[:REPLICA_ID_CHARS - len(pid) - 1]}:{pid}"


def note_server(store: ClassStore, code: str) -> frozenset[str]:
    """Record that this server served class ``code`` (a student's screen: once per session); the servers recorded,
    or an empty set when the store cannot say (unreachable: the screen says "reconnecting" on its own)."""
    noted = st.session_state.setdefault(NOTED_KEY, set())
    if code in noted:
        return frozenset()
    try:
        servers = store.note_replica(code, replica_id())
    except StoreUnavailable:
        return frozenset()
    if len(noted) < 16:  # bounded: a page joins a handful of classes at most
        noted.add(code)
    return servers


def several_servers_warning(store: ClassStore, code: str) -> None:
    """On the teacher's screen, every run: note this server, and say so if servers split a store that is not
    shared."""
    try:
        servers = store.note_replica(code, replica_id())
    except StoreUnavailable:
        return
    if store.shared or len(servers) < 2:
        return
    st.warning(f"**{len(servers)} servers are serving this class without a shared class store** (`REDIS_URL` is not "
               "set). They share it now only through one file on this machine: a server on another machine would "
               "not see this class, and students sent to it could not join. Set `REDIS_URL` (README, Deploy).",
               icon=":material/dns:")


def resend_notice(answered_this_round: bool) -> None:
    """On a student's question, after the page moved to another server without their answer in the store."""
    if not answered_this_round and page_moved_server():
        st.warning(markdown_literal(RESEND), icon=":material/sync_problem:")
