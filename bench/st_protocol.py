"""Streamlit 1.67's browser protocol, spoken without a browser: what bench/classroom.py's simulated students send
and read. The messages are the protobufs shipped inside the streamlit package.

How the frontend talks (read from Streamlit's own frontend bundle and server code):
- a websocket at ``/_stcore/stream``, subprotocol ``streamlit`` (its 2nd/3rd entries, an XSRF token and a session id
  to resume, are optional); binary frames only: BackMsg up, ForwardMsg down;
- the first BackMsg is ``rerun_script`` with the page address's query string (no "?"), ``page_name`` = the URL path
  ("train_cancer", "" for the home page) and an empty ``page_script_hash``; later reruns name the page by the hash
  the ``navigation`` message reported, with ``page_name`` empty;
- a run ends with ``script_finished``: FINISHED_SUCCESSFULLY (a full run), FINISHED_FRAGMENT_RUN_SUCCESSFULLY
  (a fragment's run), FINISHED_EARLY_FOR_RERUN (another run follows) or FINISHED_WITH_COMPILE_ERROR;
- moving a control sends ``rerun_script`` with that widget's state (the server keeps the others' values from the
  previous run), the page address as it now reads (a control bound to the address writes its value there) and,
  for a control inside a ``st.fragment``, that fragment's id; a button press is a ``trigger_value``;
- a fragment with ``run_every`` asks for timed reruns (``auto_rerun``); AppView notes them but does not make them;
- the client lists the hashes of the large messages it has kept (``cached_message_hashes``) and the server then
  sends a short ``ref_hash`` instead of the message again;
- an upload: the client asks for upload addresses (``file_urls_request`` with the session id that ``new_session``
  gave it), the server answers ``file_urls_response``; the client PUTs the file there as multipart form data (with
  the ``_streamlit_xsrf`` cookie, set by ``/_stcore/health``, echoed in an ``X-Xsrftoken`` header), then reruns with
  the uploader's ``file_uploader_state_value`` naming the file;
- ``clear_cache`` (the "Clear caches" menu item, which any client may send) empties the server's shared caches.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from urllib.parse import parse_qsl, urlencode

from streamlit.proto.BackMsg_pb2 import BackMsg
from streamlit.proto.ClientState_pb2 import ContextInfo
from streamlit.proto.Common_pb2 import FileURLs, UploadedFileInfo
from streamlit.proto.ForwardMsg_pb2 import ForwardMsg
from streamlit.proto.Slider_pb2 import Slider
from streamlit.proto.WidgetStates_pb2 import WidgetState
from websockets.asyncio.client import ClientConnection, connect
from websockets.typing import Origin, Subprotocol

STREAM_PATH = "/_stcore/stream"
SUBPROTOCOL = "streamlit"
FINISHED = ForwardMsg.ScriptFinishedStatus.Value("FINISHED_SUCCESSFULLY")
FRAGMENT_FINISHED = ForwardMsg.ScriptFinishedStatus.Value("FINISHED_FRAGMENT_RUN_SUCCESSFULLY")
EARLY_FOR_RERUN = ForwardMsg.ScriptFinishedStatus.Value("FINISHED_EARLY_FOR_RERUN")
COMPILE_ERROR = ForwardMsg.ScriptFinishedStatus.Value("FINISHED_WITH_COMPILE_ERROR")
RUN_OVER = frozenset({FINISHED, FRAGMENT_FINISHED, COMPILE_ERROR})  # EARLY_FOR_RERUN: another run follows
CONTEXT = ContextInfo(timezone="UTC", timezone_offset=0, locale="en-US", color_scheme="light")
WHOLE_NUMBER_SLIDERS = (Slider.INT, Slider.DATE, Slider.DATETIME, Slider.TIME)


@dataclass
class Widget:
    """A control as the page drew it: enough to send a new value for it."""

    id: str
    kind: str  # the Element oneof name: "slider", "button", …
    label: str
    fragment_id: str  # "" outside any st.fragment
    query_param_key: str  # "" unless bound to the page address (bind="query-params")
    value: tuple[float, ...] = ()  # sliders: the current value(s)
    is_int: bool = False  # sliders: whole numbers

    @property
    def key(self) -> str:
        """The ``key=`` the page gave the widget: its id is ``$$ID-<hash>-<key>``."""
        return self.id.rsplit("-", 1)[-1]


def first_run(query_string: str, page_name: str) -> bytes:
    """The BackMsg a browser sends first on opening ``/<page_name>?<query_string>``."""
    message = BackMsg()
    message.rerun_script.query_string = query_string.lstrip("?")
    message.rerun_script.page_name = page_name
    message.rerun_script.context_info.CopyFrom(CONTEXT)
    return message.SerializeToString()


def clear_cache() -> bytes:
    """The BackMsg of the frontend's "Clear caches": every shared cache of the server is emptied."""
    message = BackMsg()
    message.clear_cache = True
    return message.SerializeToString()


def file_urls_request(request_id: str, file_names: list[str], session_id: str) -> bytes:
    """The BackMsg asking for upload addresses, as the uploader sends it when a file is chosen."""
    message = BackMsg()
    message.file_urls_request.request_id = request_id
    message.file_urls_request.file_names.extend(file_names)
    message.file_urls_request.session_id = session_id
    return message.SerializeToString()


def with_query_value(query_string: str, key: str, value: str) -> str:
    """``query_string`` with ``key`` set to ``value`` (added at the end if absent), other pairs in their order."""
    pairs = parse_qsl(query_string, keep_blank_values=True)
    if any(name == key for name, _ in pairs):
        pairs = [(name, value if name == key else old) for name, old in pairs]
    else:
        pairs.append((key, value))
    return urlencode(pairs)


def number_text(value: float, is_int: bool) -> str:
    """A number as the frontend writes it into the address (JavaScript's String(): 9, 0.25)."""
    return str(int(value)) if is_int or float(value).is_integer() else repr(float(value))


class AppView:
    """What one browser tab knows of the app, kept up to date from the ForwardMsgs it reads."""

    def __init__(self, query_string: str = "") -> None:
        self.query_string = query_string.lstrip("?")
        self.page_script_hash = ""
        self.widgets: dict[str, Widget] = {}
        self.exceptions: list[str] = []
        self.page_not_found = False
        self.cached_hashes: set[str] = set()
        self.session_id = ""  # from new_session
        self.alerts: list[str] = []  # the text of every st.info / warning / error drawn
        self.first_progress_at: float | None = None  # time.monotonic() of the first progress bar (a run training)
        self.last_progress_at: float | None = None  # … and of the latest one (the run's end is drawn as one too)
        self.file_urls: dict[str, list[FileURLs]] = {}  # file_urls_response by request id
        self.auto_reruns: dict[str, float] = {}  # fragment id → seconds, as the page asked
        self._kept: dict[str, ForwardMsg] = {}  # cacheable messages that drew a widget or an exception
        self.messages = 0
        self.bytes = 0

    # ------------------------------------------------------------------------------------------- reading
    def read(self, data: bytes) -> int | None:
        """Take in one ForwardMsg; returns its script_finished status if it is one, else None."""
        self.messages += 1
        self.bytes += len(data)
        message = ForwardMsg()
        message.ParseFromString(data)
        kind = message.WhichOneof("type")
        if kind == "ref_hash":
            kept = self._kept.get(message.ref_hash)
            if kept is not None:
                self._take_delta(kept)
        elif kind == "delta":
            if message.metadata.cacheable and message.hash:
                self.cached_hashes.add(message.hash)
            if self._take_delta(message) and message.metadata.cacheable:
                self._kept[message.hash] = message
        elif kind == "new_session":
            self.session_id = message.new_session.initialize.session_id or self.session_id
        elif kind == "file_urls_response":
            self.file_urls[message.file_urls_response.response_id] = list(message.file_urls_response.file_urls)
        elif kind == "navigation":
            self.page_script_hash = message.navigation.page_script_hash
        elif kind == "page_info_changed":
            self.query_string = message.page_info_changed.query_string
        elif kind == "page_not_found":
            self.page_not_found = True
        elif kind == "auto_rerun":  # st.fragment(run_every=…): a browser would rerun it on a timer; we do not
            self.auto_reruns[message.auto_rerun.fragment_id] = message.auto_rerun.interval
        elif kind == "script_finished":
            return message.script_finished
        return None

    def _take_delta(self, message: ForwardMsg) -> bool:
        """Note a widget or an exception the delta draws; True if it drew one."""
        delta = message.delta
        if delta.WhichOneof("type") != "new_element":
            return False
        element = delta.new_element
        kind = element.WhichOneof("type")
        if kind == "alert":
            self.alerts.append(element.alert.body)
        elif kind == "progress":
            self.last_progress_at = time.monotonic()
            self.first_progress_at = self.first_progress_at or self.last_progress_at
        if kind == "exception":
            if not element.exception.is_warning:
                self.exceptions.append(f"{element.exception.type}: {element.exception.message}"[:300])
            return True
        widget_id = getattr(getattr(element, kind), "id", "") if kind else ""
        if not isinstance(widget_id, str) or not widget_id:
            return False
        proto = getattr(element, kind)
        widget = Widget(widget_id, kind, getattr(proto, "label", ""), delta.fragment_id,
                        getattr(proto, "query_param_key", ""))
        if kind == "slider":  # the value the user gave stays, as in the browser, unless the script sets one
            known = self.widgets.get(widget_id)
            widget.value = tuple(proto.value) if proto.set_value else known.value if known else tuple(proto.default)
            widget.is_int = proto.data_type in WHOLE_NUMBER_SLIDERS
        self.widgets[widget_id] = widget
        return True

    @property
    def full(self) -> bool:
        """The page said the server has no room for this session ("the class is full")."""
        return any("the class is full" in text.lower() for text in self.alerts)

    def widget(self, key: str) -> Widget | None:
        """The widget the page created with ``key=key``, if this tab has seen it."""
        return next((widget for widget in self.widgets.values() if widget.key == key), None)

    # ------------------------------------------------------------------------------------------- sending
    def rerun(self, states: list[WidgetState], fragment_id: str = "") -> bytes:
        """The BackMsg of a rerun with these widget states, on the current page and address."""
        message = BackMsg()
        rerun = message.rerun_script
        rerun.query_string = self.query_string
        rerun.page_script_hash = self.page_script_hash
        rerun.fragment_id = fragment_id
        rerun.widget_states.widgets.extend(states)
        rerun.cached_message_hashes.extend(sorted(self.cached_hashes))
        rerun.context_info.CopyFrom(CONTEXT)
        return message.SerializeToString()

    def move_slider(self, widget: Widget, value: float) -> bytes:
        """A slider moved to ``value``: the rerun a browser sends (its address updated first if the slider is
        bound to it)."""
        if widget.kind != "slider":
            raise ValueError(f"{widget.key} is a {widget.kind}, not a slider")
        if widget.query_param_key:
            self.query_string = with_query_value(self.query_string, widget.query_param_key,
                                                 number_text(value, widget.is_int))
        state = WidgetState(id=widget.id)
        state.double_array_value.data.append(value)
        widget.value = (value,)
        return self.rerun([state], widget.fragment_id)

    def uploaded(self, widget: Widget, urls: FileURLs, name: str, size: int) -> bytes:
        """The rerun after a file was PUT to ``urls.upload_url``: the uploader's state names it."""
        if widget.kind != "file_uploader":
            raise ValueError(f"{widget.key} is a {widget.kind}, not a file uploader")
        state = WidgetState(id=widget.id)
        state.file_uploader_state_value.uploaded_file_info.append(
            UploadedFileInfo(name=name, size=size, file_id=urls.file_id, file_urls=urls))
        return self.rerun([state], widget.fragment_id)

    def press(self, widget: Widget) -> bytes:
        """A button pressed: its trigger value, for one run."""
        if widget.kind != "button":
            raise ValueError(f"{widget.key} is a {widget.kind}, not a button")
        return self.rerun([WidgetState(id=widget.id, trigger_value=True)], widget.fragment_id)


async def open_stream(url: str, open_timeout: float, source: str | None = None,
                      cookie: str | None = None) -> ClientConnection:
    """Open the app's websocket as the frontend does: its origin and subprotocol, no pings of its own (a browser
    sends none; the server's are answered), from the loopback address ``source`` and with a ``Cookie`` header when
    given."""
    return await connect(f"ws{url[4:]}{STREAM_PATH}", origin=Origin(url), subprotocols=[Subprotocol(SUBPROTOCOL)],
                         open_timeout=open_timeout, ping_interval=None, max_size=None, close_timeout=5,
                         additional_headers={"Cookie": cookie} if cookie else None,
                         **({"local_addr": (source, 0)} if source else {}))
