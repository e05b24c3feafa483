"""The two process-wide objects of a live class: the class store and the class watcher.

The one kind of process state this app keeps besides bounded caches, on purpose: a class belongs to no single
session, and every session of the server must see the same store and be followed by the same watcher thread.
Each is created lazily, on the first screen of a class that needs it, behind a lock. Not ``st.cache_resource``:
a browser's "Clear cache" empties those, which would drop the store's connection and leave the watcher's
thread running twice.
"""

from __future__ import annotations

import threading

from class_store import ClassStore, open_store
from streamlit_glue.class_watcher import ClassWatcher
from streamlit_glue.streamlit_internals import rerun_session, session_on_page

_lock = threading.Lock()
_store: ClassStore | None = None
_watcher: ClassWatcher | None = None


def class_store() -> ClassStore:
    """The server's class store (opened on first use; raises StoreUnavailable if it cannot be, and tries again on
    the next call)."""
    global _store
    with _lock:
        if _store is None:
            _store = open_store()
        return _store


def _versions(codes: list[str]) -> dict[str, tuple[int, int]]:
    return class_store().versions(codes)


def class_watcher() -> ClassWatcher:
    """The server's class watcher, its thread started."""
    global _watcher
    with _lock:
        if _watcher is None:
            _watcher = ClassWatcher(_versions, rerun_session, session_on_page)
            _watcher.start()
        return _watcher


def running_watcher() -> ClassWatcher | None:
    """The watcher if a class screen has started it (a page that leaves a class forgets itself there)."""
    return _watcher


def reset() -> None:
    """Close the store and stop the watcher, so the next use opens them afresh (tests: each its own data folder)."""
    global _store, _watcher
    with _lock:
        if _watcher is not None:
            _watcher.stop()
        if _store is not None:
            _store.close()
        _store, _watcher = None, None
