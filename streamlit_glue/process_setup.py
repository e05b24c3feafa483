"""Once per server process: one BLAS thread per run, and the objects that live as long as the process taken out of
the garbage collector's sight.

**BLAS threads** (set here and nowhere else): the work queue already keeps one heavy run per CPU of the box, and
OpenBLAS's own threads spinning against each other on a busy 2-core machine made a 64-unit full-batch run 30× slower
in wall time (1,000 iterations: 9.8 s → 0.34 s, 3.2 s → 0.27 s of CPU), a landscape 7× slower.

**Memory given back:** NumPy's large arrays and Python's objects are freed with ``free()``, but glibc's allocator
keeps what was freed in its heaps (one per thread that allocated: every script run has its own thread) instead of
returning it to the system; ten students uploading a 4.9 MB file at once left the server at 800 MB long after their
tabs closed. ``give_memory_back`` (glibc's ``malloc_trim(0)``) returns the free pages of every heap: after each heavy
run, and every ``TRIM_SECONDS`` from a janitor thread (a closed tab's session is dropped by Streamlit, not by us, so
something must come by after). A few milliseconds each; elsewhere than glibc it does nothing.

**Garbage collection:** ``.streamlit/config.toml`` turns Streamlit's post-run full collection off
(``runner.postScriptGC = false``): measured on the server-CPU bench it was the dearer of the two ways (0.49 s of
server CPU per training-page open with it on and the freeze below, 0.41 s with it off). Python's own collector and
the janitor (when tabs close) free what sessions leave. Should it be on (another config), the freeze below applies:

After every script run Streamlit calls ``gc.collect(2)`` (``runner.postScriptGC``), a full collection that walks
every tracked object in the process. With NumPy, SciPy, scikit-learn, pandas and Plotly imported that is several
hundred thousand objects — modules, classes, functions, Plotly's validators — none of which ever becomes garbage.
Profiled on a repeat open of the training page (py-spy, 40 opens), that one call was two thirds of the server's CPU.

``gc.freeze()`` moves every object alive at that moment into a permanent generation that collections skip, so the
collection after a run only walks what runs created. Called once, after the app's own modules (and through them
every library a page uses) are imported and a collection has cleared what importing left behind. Objects created
later — sessions, caches, figures — are collected as before.
"""

from __future__ import annotations

import contextlib
import ctypes
import ctypes.util
import functools
import gc
import importlib
import pkgutil
import threading
import time

from threadpoolctl import threadpool_limits

from site_map import ROOT
from streamlit_glue.streamlit_internals import (
    close_expired_sessions,
    collects_after_each_run,
    forget_orphaned_files,
    open_session_ids,
)

# Every package a page imports from (the pages themselves are scripts, run afresh on each run).
APP_PACKAGES = ("nn_core", "file_formats", "class_store", "viz", "lessons", "streamlit_glue")


def import_app_modules() -> list[str]:
    """Import every module of the app's packages (and so every library they use); returns their names."""
    names = []
    for package in APP_PACKAGES:
        for module in pkgutil.iter_modules([str(ROOT / package)]):
            names.append(f"{package}.{module.name}")
            importlib.import_module(names[-1])
    return names


_ONCE = threading.Lock()
_SET_UP = threading.Event()


TRIM_SECONDS = 10.0


def setup_process() -> None:
    """Every run calls this; the first run of the process does the work, and two first runs at once do it once."""
    if _SET_UP.is_set():
        return
    with _ONCE:
        if not _SET_UP.is_set():
            share_the_allocators_heaps()
            limit_blas_threads()
            freeze_startup_objects()
            threading.Thread(target=_janitor, name="backprop-lab memory janitor", daemon=True).start()
            _SET_UP.set()


@functools.cache
def _malloc_trim():
    """glibc's malloc_trim, or None where the C library is not glibc."""
    try:
        libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6")
        trim = libc.malloc_trim
    except (OSError, AttributeError):
        return None
    trim.argtypes, trim.restype = [ctypes.c_size_t], ctypes.c_int
    return trim


M_ARENA_MAX = -8  # glibc's mallopt parameter: the most heaps (arenas) threads may spread over
ARENAS = 2


def share_the_allocators_heaps() -> bool:
    """At most ARENAS heaps for all threads (glibc's default is 8 per core): every script run is a thread, and what
    one run freed in its own heap could not serve the next run in another — ten uploads at once peaked ~80 MB higher
    (the same effect as MALLOC_ARENA_MAX=2, set from inside: Community Cloud gives no say over the environment)."""
    try:
        libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6")
        mallopt = libc.mallopt
    except (OSError, AttributeError):
        return False
    mallopt.argtypes, mallopt.restype = [ctypes.c_int, ctypes.c_int], ctypes.c_int
    return bool(mallopt(M_ARENA_MAX, ARENAS))


def give_memory_back() -> bool:
    """Return the allocator's free pages to the system (True if there was a way to)."""
    trim = _malloc_trim()
    if trim is None:
        return False
    trim(0)
    return True


def _janitor() -> None:
    """Come by every TRIM_SECONDS (``janitor_round``), for as long as the server runs."""
    open_before = 0
    while True:
        time.sleep(TRIM_SECONDS)
        with contextlib.suppress(Exception):  # a janitor never takes the server down
            open_before = janitor_round(open_before)
        give_memory_back()


def janitor_round(open_before: int) -> int:
    """A closed tab's session is shut down once its reconnect window has passed (its upload goes), its download
    files are deleted (their addresses expire with the session), and when sessions went, their objects are
    collected; returns the open sessions now, for the next round."""
    closed = close_expired_sessions()
    forget_orphaned_files()
    open_now = len(open_session_ids() or ())
    if closed or open_now < open_before:
        # A session's objects point at each other (session, script runner, state): only the cycle collector frees
        # them, and Streamlit runs it after a script run — on a quiet server, never (ten closed upload sessions:
        # 460 MB resident before a collection, 330 MB after).
        gc.collect()
    return open_now


def limit_blas_threads() -> None:
    """One BLAS thread for every NumPy / SciPy / scikit-learn call of this process."""
    threadpool_limits(limits=1, user_api="blas")


@functools.cache  # once per process
def freeze_startup_objects() -> None:
    """Import the app's modules, collect, and freeze what is alive — when Streamlit collects after each run
    (``streamlit_internals.collects_after_each_run``). (Not guarded by ``gc.get_freeze_count()``: that walks the
    whole frozen list, about 3 ms.)"""
    if not collects_after_each_run():
        return
    import_app_modules()
    gc.collect()
    gc.freeze()
