"""Each of Streamlit's private internals the app relies on (streamlit_glue/streamlit_internals.py), checked against
the installed Streamlit. Run these first after upgrading Streamlit (README "Upgrading Streamlit"): a failure names
the internal that changed and what the app used it for.

The checks read Streamlit itself — its Python modules, its server routes (called as an ASGI app, no network), its
frontend bundle — or run a small script in AppTest; the browser side of the CSS selectors is
tests/e2e/test_streamlit_internals.py.
"""

from __future__ import annotations

import ast
import asyncio
import concurrent.futures
import inspect
import re
from pathlib import Path

import pytest
import streamlit as st
from streamlit.testing.v1 import AppTest

from streamlit_glue import streamlit_internals
from streamlit_glue.streamlit_internals import (
    POST_RUN_GC_OPTION,
    STREAMLIT_JS,
    STREAMLIT_TEST_IDS,
    by_test_id,
    keyed,
    keyed_content,
    keyed_prefix,
    plotly_package_url,
    requested_session_id,
    static_js_url,
    streamlit_plotly_bundle,
)
from tests.conftest import APPTEST_TIMEOUT, ROOT

INTERNALS = ROOT / "streamlit_glue" / "streamlit_internals.py"


def changed(internal: str, used_for: str) -> str:
    """The failure message: which internal changed, and what the app loses."""
    return f"Streamlit internal changed: {internal} (the app relies on it for {used_for})"


def frontend_js(pattern: str) -> str:
    """The text of Streamlit's frontend bundle file(s) whose name matches ``pattern``, concatenated."""
    return "\n".join(path.read_text(encoding="utf-8", errors="replace") for path in sorted(STREAMLIT_JS.glob(pattern)))


def asgi_get(routes: list, path: str) -> tuple[int, dict[str, str], bytes]:
    """GET ``path`` from a Starlette app made of Streamlit's own ``routes``, in process (no socket, no httpx)."""
    from starlette.applications import Starlette

    app = Starlette(routes=routes)
    answer: dict = {"headers": {}, "body": b""}

    requested = asyncio.Event()

    async def receive():
        if not requested.is_set():
            requested.set()
            return {"type": "http.request", "body": b"", "more_body": False}
        await asyncio.Event().wait()  # the client never disconnects; the server stops listening when it is done

    async def send(message):
        if message["type"] == "http.response.start":
            answer["status"] = message["status"]
            answer["headers"] = {k.decode().lower(): v.decode() for k, v in message["headers"]}
        elif message["type"] == "http.response.body":
            answer["body"] += message.get("body", b"")

    scope = {"type": "http", "method": "GET", "path": path, "raw_path": path.encode(), "query_string": b"",
             "headers": [(b"host", b"localhost")], "scheme": "http", "server": ("localhost", 80),
             "client": ("127.0.0.1", 1), "root_path": "", "http_version": "1.1", "app": app}
    # In a thread of its own: Playwright's sync API (the e2e tests, earlier in the same run) leaves an event loop
    # running in the main thread, and asyncio.run refuses to start inside one.
    with concurrent.futures.ThreadPoolExecutor(1) as pool:
        pool.submit(asyncio.run, app(scope, receive, send)).result()
    return answer["status"], answer["headers"], answer["body"]


# ── the rule of the module ────────────────────────────────────────────────────────────────────────────────────

def _internals() -> list[str]:
    """The public functions and constants the module defines (not what it imports)."""
    tree = ast.parse(INTERNALS.read_text(encoding="utf-8"))
    names = []
    for node in tree.body:
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef) and not node.name.startswith("_"):
            names.append(node.name)
        elif isinstance(node, ast.Assign | ast.AnnAssign):
            targets = node.targets if isinstance(node, ast.Assign) else [node.target]
            names += [t.id for t in targets if isinstance(t, ast.Name) and not t.id.startswith("_")]
    return names


def test_every_internal_is_documented_and_tested():
    """A function here says what it relies on and has a test named after it; a constant is used by one that does
    or has its own test."""
    source = Path(__file__).read_text(encoding="utf-8")
    tests = set(re.findall(r"^def (test_\w+)", source, flags=re.MULTILINE))
    missing = []
    for name in _internals():
        value = getattr(streamlit_internals, name)
        if callable(value):
            doc = inspect.getdoc(value) or ""
            if "Relies on:" not in doc and "(see ``" not in doc:
                missing.append(f"{name}: no 'Relies on:' line in its docstring")
        if not any(test.startswith(f"test_{name.lower()}") for test in tests):
            missing.append(f"{name}: no test_{name.lower()}… in {Path(__file__).name}")
    assert not missing, missing


# ── the address and the widgets bound to it ───────────────────────────────────────────────────────────────────

def _bound_widget_script():
    import streamlit as st

    from streamlit_glue.streamlit_internals import forget_link_values, reseed_link_value

    if st.query_params.get("units") == "many":  # a link value that fails its check: write it back as a number
        reseed_link_value("units", "7")

    def start_over():
        st.session_state.clear()
        forget_link_values(keep=("present",))

    st.number_input("Units", min_value=1, max_value=9, value=3, key="units", bind="query-params")
    st.button("Start over", key="start_over", on_click=start_over)


def _address(at: AppTest) -> dict[str, list[str]]:
    return {key: value if isinstance(value, list) else [value] for key, value in at.query_params.items()}


def _bound_app(**query) -> AppTest:
    at = AppTest.from_function(_bound_widget_script, default_timeout=APPTEST_TIMEOUT)
    for key, value in query.items():
        at.query_params[key] = value
    return at.run()


def test_reseed_link_value_seeds_a_bound_widget_from_the_rewritten_address():
    at = _bound_app(units="many")
    assert not at.exception, changed("get_session_state().query_params() / QueryParams.is_bound / del / []=",
                                     f"rewriting a link's value before its widget exists: {at.exception}")
    assert at.number_input(key="units").value == 7, changed(
        "QueryParams.set_initial_query_params_from_current", "seeding a bound widget from a rewritten link value")
    assert _address(at)["units"] == ["7"], changed("QueryParams.__setitem__", "rewriting a link value")


def test_reseed_link_value_relies_on_these_query_params_methods():
    from streamlit.runtime.state.query_params import QueryParams
    from streamlit.runtime.state.safe_session_state import SafeSessionState

    for method in ("is_bound", "remove_param", "set_initial_query_params_from_current", "__delitem__"):
        assert callable(getattr(QueryParams, method, None)), changed(f"QueryParams.{method}", "link checks")
    assert callable(getattr(SafeSessionState, "query_params", None)), changed(
        "SafeSessionState.query_params()", "link checks")


def test_forget_link_values_lets_a_cleared_bound_widget_take_its_default():
    at = _bound_app(units="5", present="true")
    assert at.number_input(key="units").value == 5
    at.button(key="start_over").click().run()
    assert not at.exception, changed("QueryParams.remove_param", f"Start over: {at.exception}")
    assert at.number_input(key="units").value == 3, changed(
        "QueryParams.remove_param / set_initial_query_params_from_current",
        "Start over (a cleared bound widget was seeded from the old address again)")
    assert _address(at) == {"present": ["true"]}, changed("QueryParams.remove_param", "Start over")


# ── the session, and a page that came back on another server ──────────────────────────────────────────────────

def _session_id_script():
    import streamlit as st

    from streamlit_glue.streamlit_internals import session_id

    st.text(f"session={session_id()}")


def test_session_id_is_the_script_run_contexts():
    import dataclasses

    from streamlit.runtime.scriptrunner import ScriptRunContext

    assert "session_id" in {field.name for field in dataclasses.fields(ScriptRunContext)}, changed(
        "ScriptRunContext.session_id", "the lost-session notice")
    at = AppTest.from_function(_session_id_script, default_timeout=APPTEST_TIMEOUT).run()
    assert not at.exception, changed("streamlit.runtime.scriptrunner.get_script_run_ctx", str(at.exception))
    text = at.text[0].value
    assert text not in ("session=None", "session="), changed("ScriptRunContext.session_id", f"the lost-session "
                                                                                          f"notice (got {text!r})")


XSRF = "2|9322cdb8|90119a0319aa2c11172abee8f1410e2b|1796406420"


@pytest.mark.parametrize("header", [None, "", "streamlit", f"streamlit, {XSRF}", f"streamlit, {XSRF}, old-session",
                                    f"streamlit,{XSRF},old-session", "streamlit, , old-session",
                                    f"streamlit, {XSRF}, "])
def test_requested_session_id_is_the_one_the_server_resumes(header):
    """The server's own reading of the header (what it resumes) and ours agree."""
    from starlette.datastructures import Headers

    try:
        from streamlit.web.server.starlette.starlette_websocket import _parse_subprotocols
    except ImportError as error:
        pytest.fail(changed("starlette_websocket._parse_subprotocols", f"the lost-session notice: {error}"))
    headers = Headers(raw=[] if header is None else [(b"sec-websocket-protocol", header.encode())])
    assert requested_session_id(header) == _parse_subprotocols(headers)[2], changed(
        "the third Sec-WebSocket-Protocol entry as the session to resume", "the lost-session notice")


def test_requested_session_id_is_what_the_client_sends_on_reconnect():
    index = frontend_js("index.*.js")
    tokens = re.search(r"getSessionTokens\(\)\{(.{0,300}?)\}", index)
    assert tokens and "getLastSessionId()" in tokens.group(1), changed(
        "the client's getSessionTokens (its last session id after the XSRF token)", "the lost-session notice")
    assert re.search(r"new WebSocket\(\w+,\[`streamlit`,\.\.\.\w+\]\)", index), changed(
        "the client's WebSocket subprotocols [streamlit, ...tokens]", "the lost-session notice")


def test_rerun_after_reconnect_is_what_makes_the_client_rerun():
    index = frontend_js("index.*.js")
    reconnected = re.search(r"Reconnected to server\.(.{0,600}?)Requesting a script run\.", index)
    assert reconnected and "autoRerunIntervals.size>0" in reconnected.group(1), changed(
        "the client rerunning the page after a reconnect when a run_every fragment exists (autoRerunIntervals)",
        "the lost-session notice after a failover")
    fragment = inspect.unwrap(streamlit_internals.rerun_after_reconnect)
    assert fragment is not streamlit_internals.rerun_after_reconnect, "no longer an st.fragment"


# ── Streamlit's own Plotly and its file routes ────────────────────────────────────────────────────────────────

def test_streamlit_js_is_the_frontend_served_at_static():
    from streamlit import file_util

    assert STREAMLIT_JS.is_dir(), changed("the frontend bundles in streamlit/static/static/js", "in-place charts")
    assert Path(file_util.get_static_dir()) / "static" / "js" == STREAMLIT_JS, changed(
        "file_util.get_static_dir()", "in-place charts")


def test_streamlit_plotly_bundle_is_one_file_that_sets_window_plotly():
    """If a Streamlit upgrade renames the bundle or stops setting window.Plotly, charts would fall back to the
    plotly package's file, gzipped afresh for every student: this fails instead."""
    bundle = streamlit_plotly_bundle()
    assert bundle is not None, changed("static/js/PlotlyChart.<hash>.js (one file)", "in-place charts: found "
                                       f"{sorted(path.name for path in STREAMLIT_JS.glob('Plotly*'))}")
    assert "window.Plotly=" in (STREAMLIT_JS / bundle).read_text(encoding="utf-8", errors="replace"), changed(
        "PlotlyChart.<hash>.js setting window.Plotly", "in-place charts")


def test_static_js_url_serves_the_bundle_uncompressed_and_immutable():
    try:
        from streamlit.web.server.starlette.starlette_routes import BASE_ROUTE_STATIC
        from streamlit.web.server.starlette.starlette_static_routes import create_streamlit_static_assets_routes
    except ImportError as error:
        pytest.fail(changed("starlette_routes.BASE_ROUTE_STATIC / create_streamlit_static_assets_routes", str(error)))
    assert BASE_ROUTE_STATIC == "static", changed("the /static/ route", "in-place charts")
    url = static_js_url(streamlit_plotly_bundle())
    status, headers, body = asgi_get(create_streamlit_static_assets_routes(None), url)
    assert status == 200 and b"window.Plotly=" in body, changed(f"GET {url}", f"in-place charts ({status})")
    assert "immutable" in headers.get("cache-control", ""), changed("/static/ files marked immutable",
                                                                    "one file read per student")


def test_static_js_url_follows_the_base_path(monkeypatch):
    options = {"server.baseUrlPath": "/class/"}
    monkeypatch.setattr(st, "get_option", options.__getitem__)
    assert static_js_url("x.js") == "/class/static/js/x.js"


def test_plotly_package_url_is_served_by_a_declared_never_drawn_component():
    try:
        from streamlit.components.lib.local_component_registry import LocalComponentRegistry
        from streamlit.web.server.starlette.starlette_routes import _ROUTE_COMPONENTS_V1, create_component_routes
    except ImportError as error:
        pytest.fail(changed("LocalComponentRegistry / starlette_routes.create_component_routes", str(error)))
    assert _ROUTE_COMPONENTS_V1 == "component/{path:path}", changed("the /component/<name>/ route", "Plotly fallback")
    registry = LocalComponentRegistry()
    registry.register_component(streamlit_internals._PLOTLY_PACKAGE_FILES)
    url = plotly_package_url("plotly.min.js")
    status, _, body = asgi_get(create_component_routes(registry, None), url)
    assert status == 200 and b"plotly" in body[:2000].lower(), changed(
        f"a declared v1 component's files served at {url}", f"the Plotly fallback ({status})")


# ── the garbage collection after each run ─────────────────────────────────────────────────────────────────────

def test_collects_after_each_run_is_the_script_runners_gc_collect_2():
    from streamlit import config
    from streamlit.runtime.scriptrunner.script_runner import ScriptRunner

    source = inspect.getsource(ScriptRunner._on_script_finished)
    assert f'config.get_option("{POST_RUN_GC_OPTION}")' in source and "gc.collect(2)" in source, changed(
        f"ScriptRunner._on_script_finished calling gc.collect(2) under {POST_RUN_GC_OPTION}",
        "process_setup's freeze (now pointless, or needed elsewhere)")
    config.get_option(POST_RUN_GC_OPTION)  # loads the options
    assert config._config_options[POST_RUN_GC_OPTION].default_val is True, changed(
        f"{POST_RUN_GC_OPTION} on by default", "process_setup")
    # the project's .streamlit/config.toml turns it off (measured cheaper); the function reads what is in force
    assert streamlit_internals.collects_after_each_run() is config.get_option(POST_RUN_GC_OPTION)


def test_post_run_gc_option_is_a_known_option():
    from streamlit import config

    assert POST_RUN_GC_OPTION in config._config_options, changed(f"the {POST_RUN_GC_OPTION} option", "process_setup")


# ── CSS selectors ─────────────────────────────────────────────────────────────────────────────────────────────

@pytest.mark.parametrize("test_id", STREAMLIT_TEST_IDS)
def test_streamlit_test_ids_are_in_the_frontend(test_id):
    assert re.search(rf"[`\"']{test_id}[`\"']", frontend_js("*.js")), changed(
        f'data-testid="{test_id}"', "our CSS (presenter view, layout)")


def test_by_test_id_refuses_an_unchecked_id():
    assert by_test_id("stMainBlockContainer") == '[data-testid="stMainBlockContainer"]'
    with pytest.raises(ValueError, match="STREAMLIT_TEST_IDS"):
        by_test_id("stSomethingNew")


def test_keyed_is_the_class_the_frontend_gives_a_keyed_element():
    index = frontend_js("index.*.js")
    assert re.search(r"`st-key-`\+\w+\.trim\(\)\.replaceAll\(/\[\^a-zA-Z0-9_-\]/g,`-`\)", index), changed(
        "the class st-key-<key> on a keyed element", "our CSS (presenter view, layout)")
    assert keyed("scroll_lesson_x") == ".st-key-scroll_lesson_x"


def test_keyed_prefix_matches_every_key_with_the_prefix():
    assert keyed_prefix("lesson_") == '[class*="st-key-lesson_"]'


def test_keyed_content_is_the_box_inside_a_keyed_container():
    """The browser checks the nesting (tests/e2e/test_streamlit_internals.py); here, the selector's form."""
    assert keyed_content("scroll_x") == ".st-key-scroll_x > div"


# ── how many browsers this server serves ───────────────────────────────────────────────────────────────────────

def test_open_session_ids_reads_the_runtimes_session_manager():
    import dataclasses

    from streamlit.runtime import Runtime
    from streamlit.runtime.app_session import AppSession
    from streamlit.runtime.session_manager import ActiveSessionInfo, SessionManager

    from streamlit_glue.streamlit_internals import open_session_ids

    assert callable(getattr(Runtime, "exists", None)) and callable(getattr(Runtime, "instance", None)), changed(
        "Runtime.exists / Runtime.instance", "the session cap (admission.py)")
    assert "self._session_mgr = " in inspect.getsource(Runtime.__init__), changed(
        "Runtime._session_mgr", "the session cap (admission.py)")
    assert callable(getattr(SessionManager, "list_active_sessions", None)), changed(
        "SessionManager.list_active_sessions", "the session cap (admission.py)")
    assert "session" in {field.name for field in dataclasses.fields(ActiveSessionInfo)}, changed(
        "ActiveSessionInfo.session", "the session cap (admission.py)")
    assert "self.id = " in inspect.getsource(AppSession.__init__), changed("AppSession.id", "the session cap")
    assert open_session_ids() is None  # no server runs in this test process


def test_open_session_ids_counts_a_connected_session_and_forgets_a_closed_one(monkeypatch):
    """Against Streamlit's own session manager (the one a server makes), with a session object standing in."""
    from types import SimpleNamespace

    from streamlit.runtime import Runtime
    from streamlit.runtime.session_manager import ActiveSessionInfo
    from streamlit.runtime.websocket_session_manager import WebsocketSessionManager

    from streamlit_glue.streamlit_internals import open_session_ids

    class Storage:
        def __init__(self) -> None:
            self.kept: dict = {}

        def get(self, session_id):
            return self.kept.get(session_id)

        def save(self, info) -> None:
            self.kept[info.session.id] = info

        def delete(self, session_id) -> None:
            self.kept.pop(session_id, None)

        def list(self):
            return list(self.kept.values())

    manager = WebsocketSessionManager(Storage(), None, SimpleNamespace(clear=lambda: None), None)

    nothing = lambda *args: None  # noqa: E731
    session = SimpleNamespace(id="tab-1", request_script_stop=nothing, disconnect_file_watchers=nothing,
                              clear_session_caches=nothing, is_resumable=lambda: True, shutdown=nothing)
    manager._active_session_info_by_id["tab-1"] = ActiveSessionInfo(client=None, session=session)
    monkeypatch.setattr(Runtime, "_instance", SimpleNamespace(_session_mgr=manager))
    assert open_session_ids() == {"tab-1"}, changed("SessionManager.list_active_sessions", "the session cap")
    manager.disconnect_session("tab-1")  # the tab closed: its session may live on for a reconnect, not connected
    assert open_session_ids() == set(), changed("SessionManager.disconnect_session", "the session cap")


def test_forget_orphaned_files_deletes_a_closed_sessions_download():
    """A download file of a session that ended is gone (its address answers 404) once the janitor came by; a file of
    an open session stays."""
    from types import SimpleNamespace
    from unittest import mock

    from streamlit.runtime import Runtime
    from streamlit.runtime.media_file_manager import MediaFileManager
    from streamlit.runtime.memory_media_file_storage import MemoryMediaFileStorage

    from streamlit_glue.streamlit_internals import forget_orphaned_files

    manager = MediaFileManager(MemoryMediaFileStorage("/media"))
    with mock.patch("streamlit.runtime.media_file_manager._get_session_id", return_value="closed tab"):
        closed = manager.add(b"model of a closed tab", "application/octet-stream", "1.2",
                             file_name="m.npz", is_for_static_download=True)
    with mock.patch("streamlit.runtime.media_file_manager._get_session_id", return_value="open tab"):
        kept = manager.add(b"model of an open tab", "application/octet-stream", "1.3",
                           file_name="m.npz", is_for_static_download=True)
    manager.clear_session_refs("closed tab")  # what Streamlit does when a session ends
    closed_id, kept_id = (url.rsplit("/", 1)[-1].split(".")[0] for url in (closed, kept))
    assert manager.read_file(closed_id) is not None  # one script run later Streamlit itself would only mark it
    with mock.patch.object(Runtime, "_instance", SimpleNamespace(media_file_mgr=manager)):
        forget_orphaned_files()
    assert manager.read_file(closed_id) is None, changed("MediaFileManager.remove_orphaned_files",
                                                         "a closed session's download address expiring")
    assert manager.read_file(kept_id) is not None, changed("MediaFileManager session references", "downloads")


def test_close_expired_sessions_shuts_down_a_closed_tab_after_its_reconnect_window(monkeypatch):
    """Against Streamlit's own session manager and store: a closed tab's session is kept for a reconnect, then shut
    down (its upload removed) once the window passed; an open tab and a closed one still within it are kept; the
    upload of a session the store already forgot (pushed out by newer ones) goes too."""
    from types import SimpleNamespace

    from streamlit.runtime import Runtime
    from streamlit.runtime.memory_session_storage import MemorySessionStorage
    from streamlit.runtime.memory_uploaded_file_manager import MemoryUploadedFileManager
    from streamlit.runtime.session_manager import ActiveSessionInfo
    from streamlit.runtime.uploaded_file_manager import UploadedFileRec
    from streamlit.runtime.websocket_session_manager import WebsocketSessionManager

    from streamlit_glue.streamlit_internals import close_expired_sessions

    now = [1000.0]
    storage = MemorySessionStorage(ttl_seconds=45)
    storage._cache._timer = lambda: now[0]
    uploads = MemoryUploadedFileManager("/_stcore/upload_file")
    shut = []

    def tab(name: str) -> SimpleNamespace:
        nothing = lambda *args: None  # noqa: E731
        uploads.add_file(name, UploadedFileRec(f"file-{name}", "a.csv", "text/csv", b"1,2\n" * 1000))
        return SimpleNamespace(id=name, request_script_stop=nothing, disconnect_file_watchers=nothing,
                               clear_session_caches=nothing, is_resumable=lambda: True,
                               shutdown=lambda: (shut.append(name), uploads.remove_session_files(name)))

    manager = WebsocketSessionManager(storage, uploads, SimpleNamespace(clear=lambda: None), None)
    for name in ("open", "closed early", "closed late", "forgotten"):
        manager._active_session_info_by_id[name] = ActiveSessionInfo(client=None, session=tab(name))
    monkeypatch.setattr(Runtime, "_instance", SimpleNamespace(_session_mgr=manager, uploaded_file_mgr=uploads))
    manager.disconnect_session("closed early")
    manager.disconnect_session("forgotten")
    storage.delete("forgotten")  # as when the store pushes out its oldest entry: no shutdown
    now[0] += 30
    manager.disconnect_session("closed late")
    assert close_expired_sessions() == 0 and shut == []  # still inside the window (the forgotten upload goes)
    assert set(uploads.file_storage) == {"open", "closed early", "closed late"}, changed(
        "UploadedFileManager.file_storage / remove_session_files", "dropping a forgotten session's upload")
    now[0] += 20  # "closed early" closed 50 s ago, "closed late" 20 s ago
    assert close_expired_sessions() == 1, changed("TTLCache.expire on the session store", "closing expired sessions")
    assert shut == ["closed early"], changed("AppSession.shutdown", "closing expired sessions")
    assert set(uploads.file_storage) == {"open", "closed late"}
    assert manager.get_session_info("closed late") is not None, "a tab may still come back within the window"


# ── rerunning another session from a server thread (the live class's watcher) ─────────────────────────────────

def _page_script_hash_script():
    import streamlit as st

    from streamlit_glue.streamlit_internals import page_script_hash

    st.text(f"page={page_script_hash()}")


def test_page_script_hash_is_the_script_run_contexts():
    at = AppTest.from_function(_page_script_hash_script, default_timeout=APPTEST_TIMEOUT).run()
    assert not at.exception, changed("ScriptRunContext.page_script_hash", str(at.exception))
    assert re.fullmatch(r"page=[0-9a-f]{16,}", at.text[0].value), changed(
        "ScriptRunContext.page_script_hash", f"the class watcher's page check (got {at.text[0].value!r})")


# A real Streamlit Runtime in a process of its own (it is a process-wide singleton): one session runs a page,
# its slider is moved, then rerun_session asks for a rerun from another thread, as the class watcher does.
RUNTIME_PAGE = """
import streamlit as st
st.session_state["runs"] = st.session_state.get("runs", 0) + 1
n = st.slider("n", 0, 10, 3, key="n")
if st.button("press", key="press"):
    st.session_state["presses"] = st.session_state.get("presses", 0) + 1
st.text(f"runs={st.session_state['runs']} n={n} presses={st.session_state.get('presses', 0)}")
"""
RUNTIME_CHECK = """
import asyncio, sys, threading, time
from streamlit.runtime import Runtime, RuntimeConfig
from streamlit.runtime.memory_media_file_storage import MemoryMediaFileStorage
from streamlit.runtime.memory_uploaded_file_manager import MemoryUploadedFileManager
from streamlit.proto.BackMsg_pb2 import BackMsg
from streamlit.proto.WidgetStates_pb2 import WidgetState
from streamlit_glue.streamlit_internals import rerun_session, session_on_page


class Client:
    def __init__(self):
        self.texts, self.widgets, self.finished = [], {}, 0

    def write_forward_msg(self, msg):
        kind = msg.WhichOneof("type")
        if kind == "delta" and msg.delta.WhichOneof("type") == "new_element":
            element = msg.delta.new_element
            if element.WhichOneof("type") == "text":
                self.texts.append(element.text.body)
            elif element.WhichOneof("type") in ("slider", "button"):
                self.widgets[element.WhichOneof("type")] = getattr(element, element.WhichOneof("type")).id
        elif kind == "script_finished":
            self.finished += 1


async def until(condition, seconds=30):
    end = time.monotonic() + seconds
    while not condition() and time.monotonic() < end:
        await asyncio.sleep(0.02)
    return condition()


async def main():
    runtime = Runtime(RuntimeConfig(script_path=sys.argv[1], media_file_storage=MemoryMediaFileStorage("/media"),
                                    uploaded_file_manager=MemoryUploadedFileManager("/upload")))
    await runtime.start()
    client = Client()
    session = runtime.connect_session(client=client, user_info={})
    first = BackMsg()
    first.rerun_script.query_string = "x=1"
    runtime.handle_backmsg(session, first)
    assert await until(lambda: client.finished == 1), "no first run"
    moved = BackMsg()
    moved.rerun_script.query_string = "x=1"
    moved.rerun_script.widget_states.widgets.extend([WidgetState(id=client.widgets["slider"],
                                                                 double_array_value={"data": [7]}),
                                                     WidgetState(id=client.widgets["button"], trigger_value=True)])
    runtime.handle_backmsg(session, moved)
    assert await until(lambda: client.finished == 2), "no second run"
    page = runtime._session_mgr.get_active_session_info(session).session._client_state.page_script_hash
    print("on page", session_on_page(session, page), session_on_page(session, "another page"),
          session_on_page("no such session", page))
    answers = []
    threading.Thread(target=lambda: answers.append(rerun_session(session, page))).start()
    assert await until(lambda: client.finished == 3), "rerun_session: no run"
    print("rerun", answers, client.texts[-1])
    print("refused", rerun_session(session, "another page"), rerun_session("no such session", page))
    runtime.stop()

asyncio.run(main())
"""


def _run_runtime_check(tmp_path) -> list[str]:
    import os
    import subprocess
    import sys

    page, check = tmp_path / "page.py", tmp_path / "check.py"
    page.write_text(RUNTIME_PAGE)
    check.write_text(RUNTIME_CHECK)
    result = subprocess.run([sys.executable, str(check), str(page)], capture_output=True, text=True, timeout=120,
                            cwd=tmp_path, env={**os.environ, "PYTHONPATH": str(ROOT)})
    assert result.returncode == 0, changed("Runtime / AppSession (a real runtime in a subprocess)", "the live "
                                           f"class's watcher: {result.stderr[-2000:]}")
    return result.stdout.splitlines()


def test_session_on_page_and_rerun_session_drive_a_real_runtimes_session(tmp_path):
    from streamlit.runtime.app_session import AppSession

    assert "client_state" in inspect.signature(AppSession.request_rerun).parameters, changed(
        "AppSession.request_rerun(client_state)", "the live class's watcher")
    assert "self.request_rerun(self._client_state)" in inspect.getsource(AppSession._on_source_file_changed), \
        changed("AppSession._on_source_file_changed (run-on-save's rerun)", "the live class's watcher")
    lines = _run_runtime_check(tmp_path)
    assert "on page True False False" in lines, changed(
        "Runtime._session_mgr.get_active_session_info / AppSession._client_state.page_script_hash",
        f"the class watcher's page check (got {lines})")
    assert "rerun [True] runs=3 n=7 presses=1" in lines, changed(
        "AppSession._event_loop / request_rerun(_client_state)",
        f"the class watcher's rerun: one more run, the slider kept, the button not pressed again (got {lines})")
    assert "refused False False" in lines, changed("Runtime._session_mgr.get_active_session_info",
                                                   f"rerun_session of a gone session (got {lines})")


def test_rerun_session_is_refused_without_a_runtime():
    from streamlit_glue.streamlit_internals import rerun_session, session_on_page

    assert not rerun_session("any", "page") and not session_on_page("any", "page")  # AppTest and bare scripts
