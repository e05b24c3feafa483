"""Every use of Streamlit's private internals (anything not in its documented API), in one place.

A Streamlit upgrade may change any of these without a word in its changelog. Each function or constant here
says in its docstring, on a line starting ``Relies on:``, what it relies on, and tests/test_streamlit_internals.py
has a test named after it that fails *naming that internal* when the installed Streamlit no longer behaves so.
README "Upgrading Streamlit": run those tests first.

To add one: a function (or constant) here with a ``Relies on:`` line, and a test ``test_<its name>…`` that checks
the reliance against the installed Streamlit; ``test_every_internal_is_documented_and_tested`` enforces both, and
tests/test_architecture.py keeps every other module off Streamlit's private modules.
"""

from __future__ import annotations

import functools
from collections.abc import Collection
from pathlib import Path

import plotly
import streamlit as st
from streamlit.components.v1 import declare_component
from streamlit.runtime import Runtime
from streamlit.runtime.scriptrunner import get_script_run_ctx
from streamlit.runtime.state.session_state_proxy import get_session_state

# ── The address and the widgets bound to it (link_guard.py) ───────────────────────────────────────────────────


def reseed_link_value(key: str, value: str | list[str] | None) -> None:
    """Replace (or, with None, drop) ``key`` in the page address *and* in what bound widgets are seeded from;
    nothing when a widget already owns the key (a later run).

    Relies on: ``get_session_state().query_params()`` (the session's ``QueryParams``), ``QueryParams.is_bound``,
    its ``del``/``[]=`` sending the new address to the browser, and ``set_initial_query_params_from_current`` —
    Streamlit 1.67 seeds a bound widget from the query string of the page load, not from ``st.query_params``, and
    that method is what Streamlit itself uses to re-seed after a page change.
    """
    with get_session_state().query_params() as query_params:
        if query_params.is_bound(key):
            return
        if key in query_params:
            del query_params[key]
        if value is not None:
            query_params[key] = value
        query_params.set_initial_query_params_from_current()


def forget_link_values(keep: Collection[str] = ()) -> None:
    """Empty the page address except the keys in ``keep``, and what bound widgets are seeded from (Start over).

    Relies on: ``QueryParams.remove_param`` (what Streamlit uses to drop a bound widget's value from the address;
    a plain ``del`` refuses bound keys) and ``set_initial_query_params_from_current``: without them a bound widget
    whose state was cleared is seeded from the address again.
    """
    with get_session_state().query_params() as query_params:
        for key in [key for key in query_params if key not in keep]:
            query_params.remove_param(key)
        query_params.set_initial_query_params_from_current()


# ── How many browsers this server serves (admission.py) ──────────────────────────────────────────────────────


def open_session_ids() -> set[str] | None:
    """The ids of the sessions a browser is connected to right now, on this server; None when no server runs (a
    plain ``python app.py``; AppTest's stand-in runtime has no session manager).

    Relies on: ``streamlit.runtime.Runtime.exists()`` / ``.instance()`` (the server's one runtime), its
    ``_session_mgr`` attribute, the session manager's ``list_active_sessions()`` (the sessions with a connected
    websocket; a closed tab's session leaves it at once, before its state is dropped) and each
    ``ActiveSessionInfo.session.id`` being the id ``session_id()`` returns.
    """
    from streamlit.runtime import Runtime

    if not Runtime.exists():
        return None
    manager = getattr(Runtime.instance(), "_session_mgr", None)
    if manager is None:
        return None
    return {info.session.id for info in manager.list_active_sessions()}


def forget_orphaned_files() -> None:
    """Delete the media and download files no open session refers to any more (a closed tab's model download):
    its address stops working. Nothing when no server runs.

    Relies on: ``Runtime.instance().media_file_mgr.remove_orphaned_files()`` (what Streamlit itself calls after each
    script run: it deletes orphaned media, and a download file on its second call — the first marks it) and on
    Streamlit dropping a session's file references when the session ends (``clear_session_refs``).
    """
    from streamlit.runtime import Runtime

    if not Runtime.exists():
        return
    manager = getattr(Runtime.instance(), "media_file_mgr", None)
    if manager is None or not callable(getattr(manager, "remove_orphaned_files", None)):
        return
    manager.remove_orphaned_files()
    manager.remove_orphaned_files()


def close_expired_sessions() -> int:
    """Shut down the sessions of closed tabs whose reconnect window (``server.disconnectedSessionTTL``) has passed,
    and drop the uploads of sessions the server no longer has at all; returns how many sessions were shut down.

    Streamlit keeps a closed tab's session for a reconnect, then forgets it when the window passes — without shutting
    it down: its uploaded files stayed in the upload manager for good (ten 4.9 MB uploads were still held long after
    the tabs closed), and a session pushed out of the store by newer ones (it keeps 128) the same.

    Relies on: ``Runtime.instance()._session_mgr`` (a ``WebsocketSessionManager``) with its ``_storage_lock``,
    ``_session_storage._cache`` (a ``MemorySessionStorage`` over Streamlit's ``TTLCache``, whose ``expire()`` removes
    and returns the expired ``(id, SessionInfo)`` pairs) and ``_active_session_info_by_id``; ``AppSession.shutdown()``
    (what Streamlit calls for a session it ends: it removes the session's uploads and media references); and
    ``Runtime.instance().uploaded_file_mgr.file_storage`` (session id → files) with ``remove_session_files``.
    """
    from streamlit.runtime import Runtime

    if not Runtime.exists():
        return 0
    runtime = Runtime.instance()
    manager = getattr(runtime, "_session_mgr", None)
    cache = getattr(getattr(manager, "_session_storage", None), "_cache", None)
    if manager is None or cache is None or not hasattr(cache, "expire"):
        return 0
    with manager._storage_lock:
        expired = cache.expire()
        kept = set(manager._active_session_info_by_id) | set(cache.keys())
    for _, info in expired:
        info.session.shutdown()
    uploads = getattr(runtime, "uploaded_file_mgr", None)
    for session in set(getattr(uploads, "file_storage", {})) - kept - {session for session, _ in expired}:
        uploads.remove_session_files(session)
    return len(expired)


# ── A page that came back on another server (lost_session.py) ─────────────────────────────────────────────────


def session_id() -> str | None:
    """This session's id, as the server gave it (None outside a script run).

    Relies on: ``streamlit.runtime.scriptrunner.get_script_run_ctx().session_id``.
    """
    context = get_script_run_ctx()
    return None if context is None else context.session_id


def requested_session_id(websocket_protocol: str | None) -> str | None:
    """The session id a reconnecting client asks for, from its ``Sec-WebSocket-Protocol`` header, or None.

    Relies on: the client sending ``streamlit, <xsrf token>, <last session id>`` (the frontend's
    ``getSessionTokens``) and the server reading the third entry as the session to resume
    (``starlette_websocket._parse_subprotocols``), positions kept when an entry is empty.
    """
    entries = [entry.strip() for entry in (websocket_protocol or "").split(",")]
    return entries[2] if len(entries) >= 3 and entries[2] else None


# The interval does not matter (only a run_every fragment's presence makes the client rerun on reconnect);
# an hour costs one empty fragment run per open page per hour.
_RERUN_AFTER_RECONNECT_EVERY = "1h"


@st.fragment(run_every=_RERUN_AFTER_RECONNECT_EVERY)
def rerun_after_reconnect() -> None:
    """Call once per run: after the websocket reconnects (to this server or another), the client reruns the page.

    Relies on: Streamlit 1.67's client asking for a script run after a reconnect only when the page has a
    fragment with ``run_every`` (its ``autoRerunIntervals``) or one ran in the last run; otherwise a fresh session
    stays empty and the old page stays on screen until the next click. Empty on purpose.
    """


def page_script_hash() -> str | None:
    """The hash of the page this run draws (None outside a script run): what ``session_on_page`` compares.

    Relies on: ``get_script_run_ctx().page_script_hash`` being the page's hash, the value the session's
    ``AppSession._client_state.page_script_hash`` holds once the run is over.
    """
    context = get_script_run_ctx()
    return None if context is None else context.page_script_hash


# ── Rerunning another session from a server thread (the live class's watcher, class_watcher.py) ──────────────


def _active_session(session_id: str):
    """The AppSession of a connected session, or None (no runtime: AppTest, or the session is gone)."""
    if not Runtime.exists():
        return None
    info = Runtime.instance()._session_mgr.get_active_session_info(session_id)
    return None if info is None else info.session


def session_on_page(session_id: str, page_script_hash: str) -> bool:
    """Whether the session is still connected and its last run was the page ``page_script_hash`` (a student who
    went to another page has left the class's screen and must not be rerun there). Safe from any thread.

    Relies on: ``Runtime.instance()._session_mgr.get_active_session_info(session_id)`` returning an object whose
    ``session`` is the ``AppSession`` (None once the browser has gone), and ``AppSession._client_state`` holding
    the last run's ``page_script_hash``.
    """
    session = _active_session(session_id)
    return session is not None and session._client_state.page_script_hash == page_script_hash


def rerun_session(session_id: str, page_script_hash: str) -> bool:
    """Ask the session to run its page again, as if its user had pressed a button that changes nothing; False (and
    nothing done) if the session has gone or is on another page. Callable from any thread.

    Relies on: ``session_on_page``'s internals, ``AppSession._event_loop`` (the server's event loop the session
    lives on) and ``AppSession.request_rerun(client_state)`` given the session's own ``_client_state`` — what
    Streamlit's run-on-save does when a source file changes (``AppSession._on_source_file_changed``). That saved
    state holds the page, its address and no widget states: every widget keeps its value, no button is pressed
    again.
    """
    session = _active_session(session_id)
    if session is None or session._client_state.page_script_hash != page_script_hash:
        return False
    session._event_loop.call_soon_threadsafe(lambda: session.request_rerun(session._client_state))
    return True


# ── Streamlit's own Plotly and its file routes (plotly_in_place.py) ──────────────────────────────────────────

STREAMLIT_JS = Path(st.__file__).parent / "static" / "static" / "js"
"""Relies on: Streamlit's frontend bundles living in the package's ``static/static/js``, served at ``/static/js/``."""


@functools.cache  # the installed Streamlit does not change while the server runs
def streamlit_plotly_bundle() -> str | None:
    """The file name of the Plotly bundle in Streamlit's own frontend (``PlotlyChart.<hash>.js``), if one.

    Relies on: exactly one ``PlotlyChart.*.js`` in the frontend's js folder, an ES module that sets
    ``window.Plotly`` when it runs.
    """
    found = sorted(STREAMLIT_JS.glob("PlotlyChart.*.js"))
    return found[0].name if len(found) == 1 else None


def _app_url(*parts: str) -> str:
    base = st.get_option("server.baseUrlPath").strip("/")
    return "/" + "/".join(part for part in (base, *parts) if part)


def static_js_url(file_name: str) -> str:
    """The address of a file of Streamlit's frontend js folder.

    Relies on: the server sending ``STREAMLIT_JS`` at ``<base path>/static/js/`` (route ``BASE_ROUTE_STATIC``),
    uncompressed and marked immutable — a file read per student.
    """
    return _app_url("static", "js", file_name)


# Never drawn: declaring it makes the server serve the plotly package's own files (plotly.min.js among them).
_PLOTLY_PACKAGE_FILES = declare_component("plotly_files", path=str(Path(plotly.__file__).parent / "package_data"))


def plotly_package_url(file_name: str = "plotly.min.js") -> str:
    """The address of a file of the plotly package's ``package_data`` (the fallback when Streamlit has no bundle).

    Relies on: a v1 component declared with ``declare_component(path=…)`` and never drawn still having its folder
    served at ``<base path>/component/<its name>/`` (route ``_ROUTE_COMPONENTS_V1``; its name is the declaring
    module's name and the component's).
    """
    return _app_url("component", _PLOTLY_PACKAGE_FILES.name, file_name)


# ── The garbage collection after each run (process_setup.py) ─────────────────────────────────────────────────

POST_RUN_GC_OPTION = "runner.postScriptGC"


def collects_after_each_run() -> bool:
    """Whether Streamlit runs a full ``gc.collect(2)`` after every script run (why process_setup freezes objects).

    Relies on: ``ScriptRunner._on_script_finished`` calling ``gc.collect(2)`` when the ``runner.postScriptGC``
    option is on (its default). An option this Streamlit does not know counts as on (freezing is harmless).
    """
    try:
        return bool(st.get_option(POST_RUN_GC_OPTION))
    except RuntimeError:  # "Config key not defined"
        return True


# ── CSS selectors for Streamlit's elements (our own CSS: presenter.py, layout.py) ─────────────────────────────

STREAMLIT_TEST_IDS = ("stMainBlockContainer", "stMarkdownContainer", "stSidebar", "stMain", "stPlotlyChart",
                      "stVerticalBlock", "stHorizontalBlock", "stColumn", "stButton", "stCaptionContainer",
                      "stSlider", "stRadio", "stHeading", "stAlert", "stExpander", "stToolbar", "stHeader", "stApp",
                      "stElementContainer", "stAlertContainer", "stLayoutWrapper", "stPageLink",
                      "stAlertDynamicIcon")


def by_test_id(test_id: str) -> str:
    """A CSS selector for Streamlit's elements marked ``data-testid="<test_id>"``.

    Relies on: Streamlit's frontend marking its elements with these test ids (meant for its own tests, not a
    documented API); only the ids in ``STREAMLIT_TEST_IDS``, each checked against the installed frontend.
    """
    if test_id not in STREAMLIT_TEST_IDS:
        raise ValueError(f"{test_id!r} is not in STREAMLIT_TEST_IDS (add it there, where a test checks it)")
    return f'[data-testid="{test_id}"]'


def keyed(key: str) -> str:
    """A CSS selector for the element of ``st.container(key=key)`` (or a keyed widget).

    Relies on: Streamlit giving a keyed element the class ``st-key-<key>`` (the documented way to style one, but
    only as a class name; the key's other characters become ``-``).
    """
    return f".st-key-{key}"


def keyed_prefix(prefix: str) -> str:
    """A CSS selector for every keyed element whose key starts with ``prefix`` (see ``keyed``)."""
    return f'[class*="st-key-{prefix}"]'


def keyed_content(key: str) -> str:
    """A CSS selector for the box directly inside a keyed container, which holds its elements and takes its width.

    Relies on: ``st.container(key=…)`` rendering as the keyed element with its content one ``div`` below
    (``.st-key-<key> > div``).
    """
    return f"{keyed(key)} > div"
